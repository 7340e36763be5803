/**
 * altertable.View — a view defined by its SQL body. At preview (check) the SQL goes through
 * Altertable's /validate, so a broken view fails `pulumi preview` with the engine's message and
 * nothing is changed. One exception: a "does not exist" catalog error passes at preview (the
 * table may be created by the same update) and is checked again just before CREATE VIEW.
 * The SQL and comment change in place (CREATE OR REPLACE VIEW); the name replaces.
 */
import { z } from "zod";
import { AltertableApi, defineAltertableResource, ident, literal, quotedName, splitObjectId } from "./api";
import { IDENT, IDENT_RULE } from "../framework/identifiers";

export const viewInputs = z.object({
  catalog: z.string().regex(IDENT, IDENT_RULE).describe("Catalog. Changing it replaces the view."),
  schema: z.string().regex(IDENT, IDENT_RULE).default("main").describe("Schema. Changing it replaces the view."),
  name: z.string().regex(IDENT, IDENT_RULE).describe("View name. Changing it replaces the view."),
  sql: z.string().trim().min(1, "must be a SELECT statement").describe("The view's body (a SELECT), in DuckDB SQL. Checked by Altertable's /validate at preview; changes in place."),
  comment: z.string().default("").describe("View comment; changes in place."),
});

interface ViewRaw {
  catalog: string;
  schema: string;
  name: string;
  sql: string;
  comment: string;
}

const q = quotedName;
const splitId = splitObjectId;

const MISSING_OBJECT = /Catalog Error: .*(does not exist|not found)/i;

/** The body of a stored "CREATE VIEW x AS <body>;" statement. */
export function viewBody(createSql: string): string {
  const m = /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+.+?\s+AS\s+([\s\S]*?);?\s*$/i.exec(createSql);
  return (m ? m[1] : createSql).trim();
}

async function readView(api: AltertableApi, ref: { catalog: string; schema: string; name: string }): Promise<ViewRaw | undefined> {
  const rows = await api.rows(
    `SELECT sql, comment FROM duckdb_views() WHERE database_name = ${literal(ref.catalog)} AND schema_name = ${literal(ref.schema)} AND view_name = ${literal(ref.name)}`,
  );
  return rows[0] ? { ...ref, sql: viewBody(String(rows[0].sql)), comment: (rows[0].comment as string | null) ?? "" } : undefined;
}

async function validateOrThrow(api: AltertableApi, sql: string, name: string): Promise<void> {
  const v = await api.validate(sql);
  if (!v.valid) throw new Error(`altertable.View ${name}: Altertable rejected the view's SQL: ${v.error}`);
}

async function createOrReplace(api: AltertableApi, v: z.output<typeof viewInputs>, replace: boolean): Promise<void> {
  await validateOrThrow(api, v.sql, v.name);
  const statements = [`CREATE ${replace ? "OR REPLACE " : ""}VIEW ${q(v)} AS ${v.sql}`];
  if (v.comment || replace) statements.push(`COMMENT ON VIEW ${q(v)} IS ${v.comment ? literal(v.comment) : "NULL"}`);
  await api.query(["BEGIN TRANSACTION", ...statements, "COMMIT"].join(";\n"));
}

export const view = defineAltertableResource({
  vendor: "altertable",
  kind: "View",
  description:
    "An Altertable view. Its SQL is checked by Altertable's /validate at preview, so a broken view fails preview with the engine's message. SQL and comment change in place; the name replaces.",
  inputs: viewInputs,
  replaceOn: ["catalog", "schema", "name"],
  uniqueBy: "name",
  normalize: { sql: (v) => String(v).replace(/\s+/g, " ").replace(/;\s*$/, "").trim() },
  outputs: { observed: "The view as last read from the catalog (duckdb_views)." },

  async prepare(inputs, vendor) {
    const v = await vendor().validate(inputs.sql);
    if (v.valid || (v.error && MISSING_OBJECT.test(v.error))) return {};
    return [{ property: "sql", reason: `Altertable rejected the view's SQL: ${v.error}` }];
  },

  async create(ctx, inputs) {
    await createOrReplace(ctx.api, inputs, false);
    const id = `${inputs.catalog}.${inputs.schema}.${inputs.name}`;
    ctx.created(id);
    const raw = await readView(ctx.api, inputs);
    if (!raw) throw new Error(`view ${id} was created but cannot be read back`);
    return { id, raw };
  },

  async find(api, inputs) {
    const raw = await readView(api, inputs);
    return raw && { id: `${inputs.catalog}.${inputs.schema}.${inputs.name}`, raw };
  },

  read: (api, id) => readView(api, splitId(id)),

  observe: (raw: ViewRaw) => ({ catalog: raw.catalog, schema: raw.schema, name: raw.name, sql: raw.sql, comment: raw.comment }),

  async update(ctx, id, _olds, news) {
    await createOrReplace(ctx.api, news, true);
    const raw = await readView(ctx.api, splitId(id));
    if (!raw) throw new Error(`view ${id} disappeared during the update`);
    return raw;
  },

  delete: (api, id) => api.query(`DROP VIEW IF EXISTS ${q(splitId(id))}`).then(() => undefined),
});
