/**
 * carto.Grant — table privileges granted to a PostgreSQL role: another user's role, a group role,
 * or the role of a regular API key (carto.ApiKey's `role` output). Privileges change in place
 * (GRANT what is added, REVOKE what is removed, in one transaction); the table and the role
 * replace (the new grant is made before the old one is revoked). Drift is read from the
 * catalog (has_table_privilege): a privilege revoked by hand shows on refresh and `up` grants it again.
 */
import { z } from "zod";
import { idCodec } from "../framework/ids";
import { ident, list, literal, raw, sql } from "../sql/builder";
import { CARTO_DIALECT, CartoApi, defineCartoResource } from "./api";
import { DEFAULT_SCHEMA, pgIdent, qualified } from "./names";
import { runScript } from "./table";
import { listGrantees } from "./catalog";
import { grantsOf, listRegularKeys } from "./apiKey";

export const TABLE_PRIVILEGES = ["select", "insert", "update", "delete", "truncate", "references", "trigger"] as const;

export const cartoGrantInputs = z.object({
  schema: pgIdent().default(DEFAULT_SCHEMA).describe("Schema of the table or view. Changing it replaces the grant."),
  table: pgIdent().describe("The table, view or materialized view. Changing it replaces the grant."),
  role: z
    .string()
    .min(1, "must name a role")
    .max(63, "must be at most 63 characters")
    .describe("The grantee: a PostgreSQL role (another user's, a group role, or an API key's role — carto.ApiKey's role output). Changing it replaces the grant."),
  privileges: z
    .array(z.enum(TABLE_PRIVILEGES, `must be one of ${TABLE_PRIVILEGES.join(", ")}`))
    .min(1, "must grant at least one privilege")
    .describe(`Privileges: ${TABLE_PRIVILEGES.join(", ")}. Change in place.`),
});

type Inputs = z.output<typeof cartoGrantInputs>;

interface GrantRaw {
  schema: string;
  table: string;
  role: string;
  privileges: Inputs["privileges"];
}

const GRANT_ID = idCodec("schema", "table", "role");

const sorted = (v: unknown) => [...new Set((v as string[]).map((p) => p.toLowerCase()))].sort();

/** Privileges as SQL keywords (from the enumerated list: no input text goes in unchecked). */
function privilegeList(ps: readonly string[]) {
  return list(ps.map((p) => raw(p.toUpperCase(), "one of the enumerated table privileges")));
}

/**
 * The role's privileges on the table, asked with catalog functions (to_regrole, to_regclass,
 * has_table_privilege), never a catalog table: CARTO may forbid those even to the master key.
 * These are the role's effective privileges (its own grants, its groups', PUBLIC's).
 */
async function readGrant(api: CartoApi, ref: { schema: string; table: string; role: string }): Promise<GrantRaw | undefined> {
  const role = literal(ref.role);
  const rel = literal(`${CARTO_DIALECT.quoteIdent(ref.schema)}.${CARTO_DIALECT.quoteIdent(ref.table)}`);
  const checks = TABLE_PRIVILEGES.map((p) => sql`CASE WHEN to_regrole(${role}) IS NULL OR to_regclass(${rel}) IS NULL THEN NULL ELSE has_table_privilege(${role}, ${rel}, ${literal(p.toUpperCase())}) END AS ${ident(p)}`);
  const rows = await api.rows(sql`SELECT ${list(checks)}`);
  const r = rows[0] ?? {};
  if (TABLE_PRIVILEGES.some((p) => r[p] === null || r[p] === undefined)) return undefined; // the table or the role is gone: so is the grant
  const privileges = TABLE_PRIVILEGES.filter((p) => r[p] === true || r[p] === "t");
  if (privileges.length === 0) return undefined;
  return { ...ref, privileges: sorted(privileges) as Inputs["privileges"] };
}

export const cartoGrant = defineCartoResource({
  kind: "Grant",
  description:
    "Table privileges granted to a PostgreSQL role (another user's, a group role, or a regular API key's role). Privileges change in place; table and role replace (granted before the old grant is revoked). A privilege revoked by hand shows on refresh.",
  inputs: cartoGrantInputs,
  id: GRANT_ID,
  replaceOn: ["schema", "table", "role"],
  normalize: { privileges: sorted },
  outputs: {},
  // GRANT of what the role holds already succeeds silently: taking it over would revoke it on delete.
  createTakesOver: true,

  /** The grant "exists" when the role holds any declared privilege on the table already. */
  async find(api, inputs) {
    const live = await readGrant(api, inputs);
    if (!live || !live.privileges.some((p) => inputs.privileges.map((x) => x.toLowerCase()).includes(p))) return undefined;
    return { id: GRANT_ID.encode(inputs), raw: live };
  },

  async prepare(inputs, vendor) {
    const rows = await vendor().rows(sql`SELECT to_regrole(${literal(inputs.role)}) IS NOT NULL AS found`);
    if (rows[0]?.found !== true) return [{ property: "role", reason: `there is no role ${inputs.role} in the account (an API key's role is its carto.ApiKey's role output)` }];
    return {};
  },

  async create(ctx, inputs) {
    await ctx.api.sql(sql`GRANT ${privilegeList(inputs.privileges)} ON ${qualified({ schema: inputs.schema, name: inputs.table })} TO ${ident(inputs.role)}`);
    const id = GRANT_ID.encode(inputs);
    ctx.created(id);
    return { id };
  },

  read: (api, id) => readGrant(api, GRANT_ID.decode(id)),

  observe: (raw: GrantRaw) => ({ schema: raw.schema, table: raw.table, role: raw.role, privileges: raw.privileges }),

  async update(ctx, _id, olds: Inputs, news) {
    const t = qualified({ schema: news.schema, name: news.table });
    const add = news.privileges.filter((p) => !olds.privileges.includes(p));
    const drop = olds.privileges.filter((p) => !news.privileges.includes(p));
    const statements = [];
    if (add.length) statements.push(sql`GRANT ${privilegeList(add)} ON ${t} TO ${ident(news.role)}`);
    if (drop.length) statements.push(sql`REVOKE ${privilegeList(drop)} ON ${t} FROM ${ident(news.role)}`);
    await runScript(ctx.api, statements);
  },

  // Every role's explicit privileges on the user's tables and views (not the owner's, not PUBLIC's),
  // declared as refresh reads them (effective privileges). Left out: what an API key's own
  // table permissions granted its role (part of that carto.ApiKey; CARTO makes and drops those
  // GRANTs with the key). `name` (what --name filters on) is the table's name.
  exporter: {
    async list(api) {
      const fromKeys = new Map<string, Set<string>>();
      for (const k of await listRegularKeys(api)) {
        if (k.role === undefined) continue;
        for (const t of grantsOf(k.key).tables) fromKeys.set(GRANT_ID.encode({ schema: t.schema, table: t.name, role: k.role }), new Set(t.permissions));
      }
      const out: { id: string; raw: GrantRaw; name: string; schema: string }[] = [];
      for (const g of await listGrantees(api)) {
        const id = GRANT_ID.encode(g);
        const keys = fromKeys.get(id);
        if (keys && g.privileges.every((p) => keys.has(p))) continue;
        const raw = await readGrant(api, g);
        if (raw) out.push({ id, raw, name: g.table, schema: g.schema });
      }
      return out;
    },
    references: [
      { field: "table", kind: "Table", match: { schema: "schema", name: "table" }, output: "name" },
      { field: "table", kind: "View", match: { schema: "schema", name: "table" }, output: "name" },
      { field: "table", kind: "MaterializedView", match: { schema: "schema", name: "table" }, output: "name" },
      { field: "role", kind: "ApiKey", match: { role: "role" }, output: "role" },
    ],
  },

  async delete(api, id, state) {
    const ref = GRANT_ID.decode(id);
    await api.sql(sql`REVOKE ${privilegeList(state.privileges)} ON ${qualified({ schema: ref.schema, name: ref.table })} FROM ${ident(ref.role)}`);
  },
});
