/**
 * carto.ApiKey — a regular API key made with the Auth API (`/api/v3/api_keys`, master key):
 * the APIs it may call and the tables and schemas it may use.
 *
 * - The token is a secret output, recorded at creation (and after a regeneration).
 * - CARTO cannot change a key ("Changes to the key permissions are not possible once key is
 *   generated"): any change of its grants replaces it. The name is unique, so the old key is
 *   deleted first, then the new one made.
 * - `regenerate` is an explicit trigger: changing it regenerates the token in place
 *   (POST …/token/regenerate); the old token stops working.
 * - `role` is the key's PostgreSQL role (`SELECT current_user` with the key itself), for
 *   carto.Grant; empty when the key may not use the SQL API.
 */
import { z } from "zod";
import { ApiKeyBody, DATASERVICES, KEY_APIS, SCHEMA_PERMISSIONS, TABLE_PERMISSIONS } from "./contract";
import { CartoApi, defineCartoResource } from "./api";
import { sql } from "../sql/builder";
import { DEFAULT_SCHEMA, pgIdent } from "./names";

export const cartoApiKeyInputs = z.object({
  name: z
    .string()
    .min(1, "must not be empty")
    .max(255, "must be at most 255 characters")
    .regex(/^[^/?#]+$/, "must not contain /, ? or #")
    .describe("Key name, unique in the account. Changing it replaces the key."),
  apis: z
    .array(z.enum(KEY_APIS, `must be one of ${KEY_APIS.join(", ")}`))
    .default(["sql"])
    .describe(`The APIs the key may call: ${KEY_APIS.join(", ")} (default ["sql"]). A change replaces the key.`),
  tables: z
    .array(
      z.object({
        schema: pgIdent().default(DEFAULT_SCHEMA).describe("Schema of the table or view."),
        name: pgIdent().describe("Table or view name."),
        permissions: z
          .array(z.enum(TABLE_PERMISSIONS, `must be one of ${TABLE_PERMISSIONS.join(", ")}`))
          .min(1, "must grant at least one permission")
          .describe(`Permissions on it: ${TABLE_PERMISSIONS.join(", ")}.`),
      }),
    )
    .default([])
    .describe("Tables and views the key may use, with permissions. A change replaces the key."),
  schemas: z
    .array(
      z.object({
        name: pgIdent().describe("Schema name."),
        permissions: z.array(z.enum(SCHEMA_PERMISSIONS, `must be one of ${SCHEMA_PERMISSIONS.join(", ")}`)).min(1, "must grant at least one permission").describe(`Permissions on it: ${SCHEMA_PERMISSIONS.join(", ")}.`),
      }),
    )
    .default([])
    .describe("Schemas the key may create tables in. A change replaces the key."),
  dataservices: z
    .array(z.enum(DATASERVICES, `must be one of ${DATASERVICES.join(", ")}`))
    .default([])
    .describe(`Data services the key may use: ${DATASERVICES.join(", ")}. A change replaces the key.`),
  regenerate: z.string().optional().describe("Any value; changing it regenerates the key's token in place (the old token stops working)."),
});

type Inputs = z.output<typeof cartoApiKeyInputs>;

export interface KeyRaw {
  key: ApiKeyBody;
  role?: string;
}

type Grants = Pick<Inputs, "apis" | "tables" | "schemas" | "dataservices">;

/** The Auth API's grants for the inputs. */
export function grantsBody(i: Grants): unknown[] {
  const grants: unknown[] = [{ type: "apis", apis: [...i.apis] }];
  if (i.tables.length || i.schemas.length) {
    grants.push({
      type: "database",
      tables: i.tables.map((t) => ({ schema: t.schema, name: t.name, permissions: [...t.permissions] })),
      ...(i.schemas.length ? { schemas: i.schemas.map((s) => ({ name: s.name, permissions: [...s.permissions] })) } : {}),
    });
  }
  if (i.dataservices.length) grants.push({ type: "dataservices", services: [...i.dataservices] });
  return grants;
}

/** The inputs' grant fields from the Auth API's grants. */
export function grantsOf(key: ApiKeyBody): Grants {
  const out: Grants = { apis: [], tables: [], schemas: [], dataservices: [] };
  for (const g of key.grants) {
    if (g.type === "apis") out.apis = [...g.apis];
    else if (g.type === "database") {
      out.tables = (g.tables ?? []).map((t) => ({ schema: t.schema, name: t.name, permissions: [...t.permissions] }));
      out.schemas = (g.schemas ?? []).map((s) => ({ name: s.name, permissions: [...s.permissions] }));
    } else if (g.type === "dataservices") out.dataservices = [...g.services];
  }
  return out;
}

const sortedStrings = (v: unknown) => [...(v as string[])].sort();
const normTables = (v: unknown) =>
  (v as { schema?: string; name: string; permissions: string[] }[])
    .map((t) => ({ schema: t.schema ?? DEFAULT_SCHEMA, name: t.name, permissions: [...t.permissions].sort() }))
    .sort((a, b) => `${a.schema}.${a.name}`.localeCompare(`${b.schema}.${b.name}`));
const normSchemas = (v: unknown) => (v as { name: string; permissions: string[] }[]).map((s) => ({ name: s.name, permissions: [...s.permissions].sort() })).sort((a, b) => a.name.localeCompare(b.name));

/** The key's PostgreSQL role, asked with the key itself; undefined when it may not use the SQL API. */
export async function roleOf(api: CartoApi, key: ApiKeyBody): Promise<string | undefined> {
  if (!key.grants.some((g) => g.type === "apis" && g.apis.includes("sql"))) return undefined;
  const asKey = api.withKey(key.token);
  try {
    const rows = await asKey.rows(sql`SELECT current_user AS role`);
    return rows[0] ? String(rows[0].role) : undefined;
  } finally {
    await asKey.http.close();
  }
}

export const cartoApiKey = defineCartoResource({
  kind: "ApiKey",
  description:
    "A regular CARTO API key (Auth API): the APIs it may call and the tables and schemas it may use. The token is a secret output. CARTO cannot change a key, so any change of its grants replaces it (the old one is deleted first: names are unique); regenerate is a trigger that regenerates the token in place. role is the key's PostgreSQL role, for carto.Grant.",
  inputs: cartoApiKeyInputs,
  replaceOn: ["name", "apis", "tables", "schemas", "dataservices"],
  uniqueBy: "name",
  normalize: { apis: sortedStrings, dataservices: sortedStrings, tables: normTables, schemas: normSchemas },
  outputs: {
    token: "The key's token (a secret): what a client sends as api_key or as the Basic-auth password.",
    role: "The key's PostgreSQL role (grantee for carto.Grant); empty when the key may not use the SQL API.",
    type: "The key's type (regular).",
  },
  secretOutputs: ["token"],

  async create(ctx, inputs) {
    // A lost answer (and the token in it) is an ambiguous error: the engine looks the key up by
    // name, and the master key reads its token back, so the key that was made is kept.
    const key = await ctx.api.createApiKey({ name: inputs.name, grants: grantsBody(inputs) });
    ctx.created(key.name);
    return { id: key.name, raw: { key, role: await roleOf(ctx.api, key) } };
  },

  async find(api, inputs) {
    const key = await api.getApiKey(inputs.name);
    return key && { id: key.name, raw: { key, role: await roleOf(api, key) } };
  },

  async read(api, id) {
    const key = await api.getApiKey(id);
    return key && { key };
  },

  observe: (raw: KeyRaw) => ({ name: raw.key.name, ...grantsOf(raw.key) }),

  computed: (raw: KeyRaw) => ({ token: raw.key.token, type: raw.key.type, ...(raw.role !== undefined ? { role: raw.role } : {}) }),

  async update(ctx, id, _olds, _news, changed) {
    if (!changed.includes("regenerate")) return;
    ctx.progress(`regenerating the token of API key ${id}`);
    const key = await ctx.api.regenerateApiKey(id);
    return { key, role: await roleOf(ctx.api, key) };
  },

  // Regular keys only: the account's Master and Default public keys are CARTO's own. The token is
  // an output (never exported); the role (asked with the key itself) lets a grant to it be a reference.
  exporter: {
    list: async (api) => (await listRegularKeys(api)).map((raw) => ({ id: raw.key.name, raw, name: raw.key.name })),
  },

  delete: (api, id) => api.deleteApiKey(id),
});

/** The account's regular API keys (not Master, not Default public), each with its PostgreSQL role when it may use the SQL API. */
export async function listRegularKeys(api: CartoApi): Promise<KeyRaw[]> {
  const out: KeyRaw[] = [];
  for (const key of await api.listApiKeys()) {
    if (key.type !== "regular") continue;
    const role = await roleOf(api, key);
    out.push({ key, ...(role !== undefined ? { role } : {}) });
  }
  return out;
}
