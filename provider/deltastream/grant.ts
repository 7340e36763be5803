/**
 * deltastream.Grant — privileges on an object (or on the organization) granted to a role:
 * `GRANT <privileges> ON <object type> <name> TO ROLE <role> [WITH GRANT OPTION]`. Read back from
 * `deltastream.sys."grants"`; a change of privileges grants the new ones before revoking the old,
 * so the role never loses access on the way. The object and the role replace the grant.
 */
import { z } from "zod";
import { defineDeltaStreamResource, DeltaStreamApi, Row } from "./api";
import { DS_NAME, DS_NAME_RULE, sysRows } from "./common";
import { SqlPart, ident, list, name, raw, sql } from "../sql/builder";
import { idCodec } from "../framework/ids";

export const ORG_PRIVILEGES = ["CREATE_COMPUTE_POOL", "CREATE_DATABASE", "CREATE_STORE", "CREATE_SCHEMA_REGISTRY", "CREATE_DESCRIPTOR_SOURCE", "CREATE_FUNCTION_SOURCE", "CREATE_FUNCTION", "CREATE_QUERY", "CREATE_SECRET", "CREATE_API_TOKEN", "MANAGE_MEMBERS", "MANAGE_GRANTS"] as const;
export const OBJECT_PRIVILEGES = ["USAGE", "CREATE", "SELECT", "INSERT", "DROP", "ALTER"] as const;
export const OBJECT_TYPES = ["ORGANIZATION", "DATABASE", "SCHEMA", "STORE", "COMPUTE_POOL", "SCHEMA_REGISTRY", "SECRET", "RELATION"] as const;

const PRIVILEGE = z.enum([...ORG_PRIVILEGES, ...OBJECT_PRIVILEGES, "ALL_PRIVILEGES"]);

export const grantInputs = z
  .object({
    role: z.string().regex(DS_NAME, DS_NAME_RULE).describe("The role the privileges are granted to. Changing it replaces the grant."),
    objectType: z.enum(OBJECT_TYPES).describe("What the privileges are on: ORGANIZATION, DATABASE, SCHEMA, STORE, COMPUTE_POOL, SCHEMA_REGISTRY, SECRET or RELATION. Changing it replaces the grant."),
    objectName: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*){0,2}$/, "must be a name, or database.schema / database.schema.relation")
      .optional()
      .describe("The object's name (database.schema for a SCHEMA, database.schema.name for a RELATION); not for ORGANIZATION. Changing it replaces the grant."),
    privileges: z.array(PRIVILEGE).min(1, "needs at least one privilege").describe("The privileges (CREATE_DATABASE, CREATE_QUERY, … on the organization; USAGE, CREATE, SELECT, INSERT, DROP, ALTER on objects; or ALL_PRIVILEGES). Change in place: new ones are granted before old ones are revoked."),
    withGrantOption: z.boolean().default(false).describe("Whether the role may grant them on (WITH GRANT OPTION). Changes in place."),
  })
  .superRefine((g, ctx) => {
    if (g.objectType === "ORGANIZATION" && g.objectName !== undefined) ctx.addIssue({ code: "custom", path: ["objectName"], message: "is not used with ORGANIZATION" });
    if (g.objectType !== "ORGANIZATION" && g.objectName === undefined) ctx.addIssue({ code: "custom", path: ["objectName"], message: `is required for ${g.objectType}` });
    const parts = g.objectName?.split(".").length ?? 0;
    if (g.objectType === "SCHEMA" && parts !== 2) ctx.addIssue({ code: "custom", path: ["objectName"], message: "must be database.schema for a SCHEMA" });
    if (g.objectType === "RELATION" && parts !== 3) ctx.addIssue({ code: "custom", path: ["objectName"], message: "must be database.schema.name for a RELATION" });
    if (!["SCHEMA", "RELATION"].includes(g.objectType) && parts > 1) ctx.addIssue({ code: "custom", path: ["objectName"], message: `must be a plain name for ${g.objectType}` });
    g.privileges.forEach((p, i) => {
      const org = (ORG_PRIVILEGES as readonly string[]).includes(p);
      if (g.objectType === "ORGANIZATION" ? !org && p !== "ALL_PRIVILEGES" : org) ctx.addIssue({ code: "custom", path: ["privileges", i], message: `${p} is not a privilege on ${g.objectType}` });
    });
  });

type Inputs = z.output<typeof grantInputs>;

export const GRANT_ID = idCodec("role", "objectType", "objectName");
const ORG = "-";

function target(g: Pick<Inputs, "objectType" | "objectName">): SqlPart {
  const type = raw(g.objectType, "an object type from a closed list");
  return g.objectType === "ORGANIZATION" ? type : sql`${type} ${name(...g.objectName!.split("."))}`;
}
const privs = (p: string[]) => list(p.map((x) => raw(x === "ALL_PRIVILEGES" ? "ALL PRIVILEGES" : x, "a privilege from a closed list")));

interface GrantRaw {
  role: string;
  objectType: string;
  objectName?: string;
  privileges: string[];
  withGrantOption: boolean;
}

// object_name is as DeltaStream spells it (a relation's quoted fqn): compared without quotes.
const plainName = (v: unknown) => String(v ?? "").replace(/"/g, "");

/** One grant: the `deltastream.sys."grants"` rows (one per privilege) of a role on one object. */
function grantOf(role: string, objectType: string, objectName: string, rows: Row[]): GrantRaw {
  return {
    role,
    objectType,
    ...(objectName !== ORG ? { objectName } : {}),
    privileges: rows.map((r: Row) => String(r.privilege).toUpperCase()).map((p) => (p === "ALL" || p === "ALL PRIVILEGES" ? "ALL_PRIVILEGES" : p)).sort(),
    withGrantOption: rows.every((r: Row) => r.with_grant_option === true),
  };
}

async function read(api: DeltaStreamApi, id: string): Promise<GrantRaw | undefined> {
  const { role, objectType, objectName } = GRANT_ID.decode(id);
  const rows = (await sysRows(api, "grants", { grantee_role: role, object_type: objectType })).filter((r) => objectName === ORG || plainName(r.object_name) === objectName);
  if (rows.length === 0) return undefined;
  return grantOf(role, objectType, objectName, rows);
}

/** Every grant of the organization, one per role and object (`pulumi-warehouse export`); a grant this kind cannot declare carries why. */
export async function listGrants(api: DeltaStreamApi): Promise<{ id: string; raw: GrantRaw; skip?: string }[]> {
  const groups = new Map<string, Row[]>();
  for (const r of await sysRows(api, "grants", {})) {
    const type = String(r.object_type).toUpperCase();
    const key = JSON.stringify([String(r.grantee_role), type, type === "ORGANIZATION" ? ORG : plainName(r.object_name)]);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.entries()].map(([key, rows]) => {
    const [role, objectType, objectName] = JSON.parse(key) as [string, string, string];
    const raw = grantOf(role, objectType, objectName, rows);
    const id = GRANT_ID.encode({ role, objectType, objectName });
    if (!(OBJECT_TYPES as readonly string[]).includes(objectType)) return { id, raw, skip: `grants on a ${objectType.toLowerCase()} are not a kind this provider declares` };
    const unknown = raw.privileges.filter((p) => !(PRIVILEGE.options as readonly string[]).includes(p));
    if (unknown.length) return { id, raw, skip: `privileges ${unknown.join(", ")} are not ones this kind declares` };
    const parsed = grantInputs.safeParse(observeGrant(raw));
    if (!parsed.success) return { id, raw, skip: parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ") };
    return { id, raw };
  });
}

const observeGrant = (raw: GrantRaw) => ({
  role: raw.role,
  objectType: raw.objectType as Inputs["objectType"],
  ...(raw.objectName ? { objectName: raw.objectName } : {}),
  privileges: raw.privileges as Inputs["privileges"],
  withGrantOption: raw.withGrantOption,
});

const idOf = (g: Inputs) => GRANT_ID.encode({ role: g.role, objectType: g.objectType, objectName: g.objectName ?? ORG });

export const grant = defineDeltaStreamResource({
  kind: "Grant",
  createTakesOver: true, // granting again what is granted succeeds silently: looked up first, a taken one refused naming adopt
  description: "Privileges on the organization or on an object, granted to a role. Privileges and grant option change in place (granted before revoked); the role and object replace it.",
  inputs: grantInputs,
  replaceOn: ["role", "objectType", "objectName"],
  normalize: { privileges: (v) => [...(v as string[])].sort() },
  outputs: {},

  async create(ctx, inputs) {
    await ctx.api.statement(sql`GRANT ${privs(inputs.privileges)} ON ${target(inputs)} TO ROLE ${ident(inputs.role)}${inputs.withGrantOption ? sql` WITH GRANT OPTION` : sql``}`);
    const id = idOf(inputs);
    ctx.created(id);
    return { id };
  },
  async find(api, inputs) {
    const raw = await read(api, idOf(inputs));
    return raw ? { id: idOf(inputs), raw } : undefined;
  },
  read: (api, id) => read(api, id),
  observe: (raw: GrantRaw) => observeGrant(raw),

  async update(ctx, _id, olds, news) {
    const on = target(news);
    const to = ident(news.role);
    const option = news.withGrantOption ? sql` WITH GRANT OPTION` : sql``;
    if (olds.withGrantOption && !news.withGrantOption) {
      // Taking the grant option back: revoke, then grant again without it.
      await ctx.api.statement(sql`REVOKE ${privs(olds.privileges)} ON ${on} FROM ROLE ${to}`);
      await ctx.api.statement(sql`GRANT ${privs(news.privileges)} ON ${on} TO ROLE ${to}`);
      return;
    }
    const added = news.privileges.filter((p) => !olds.privileges.includes(p) || olds.withGrantOption !== news.withGrantOption);
    const removed = olds.privileges.filter((p) => !news.privileges.includes(p));
    if (added.length) await ctx.api.statement(sql`GRANT ${privs(added)} ON ${on} TO ROLE ${to}${option}`);
    if (removed.length) await ctx.api.statement(sql`REVOKE ${privs(removed)} ON ${on} FROM ROLE ${to}`);
  },

  exporter: {
    async list(api) {
      return (await listGrants(api)).map((g) => {
        const parts = g.raw.objectName?.split(".") ?? [];
        const database = ["DATABASE", "SCHEMA", "RELATION"].includes(g.raw.objectType) ? parts[0] : undefined;
        const schema = ["SCHEMA", "RELATION"].includes(g.raw.objectType) ? parts[1] : undefined;
        return { ...g, name: g.id, ...(database ? { database } : {}), ...(schema ? { schema } : {}) };
      });
    },
    references: [{ field: "role", kind: "Role", match: { name: "role" }, output: "name" }],
  },

  async delete(api, id, state) {
    await api.statement(sql`REVOKE ${privs(state.privileges)} ON ${target(state)} FROM ROLE ${ident(state.role)}`);
  },
});
