/**
 * carto.View and carto.MaterializedView — a saved query, as a view or a materialized view.
 *
 * At preview (check) the query goes through the SQL API as `EXPLAIN <query>`: a query the engine
 * rejects fails `pulumi preview` with PostgreSQL's message, before anything is written. One
 * exception: a missing relation passes at preview (the table may be created by the same update)
 * and is checked again just before the view is created.
 * A view's SQL and comment change in place (CREATE OR REPLACE VIEW, or drop and create in one
 * transaction when PostgreSQL cannot replace it, e.g. a column renamed). A materialized view is
 * rebuilt in one transaction when its SQL changes, and refreshed when `refreshTrigger` changes.
 * Drift is read from the catalog (pg_get_viewdef): PostgreSQL's own formatting of the query is
 * remembered as observed, so it never shows as drift, and a view redefined by hand always does.
 */
import { z } from "zod";
import { SqlPart, checkQuery, literal, query, sql } from "../sql/builder";
import { CARTO_DIALECT, CartoApi, defineCartoResource } from "./api";
import { DEFAULT_SCHEMA, OBJECT_ID, ObjectRef, pgIdent, qualified, splitId } from "./names";
import { runScript } from "./table";
import { listRelations } from "./catalog";

const sqlField = z
  .string()
  .trim()
  .min(1, "must be a SELECT statement")
  .superRefine((text, ctx) => {
    const q = checkQuery(text, CARTO_DIALECT);
    if (!q.ok) ctx.addIssue({ code: "custom", message: q.error });
  });

export const cartoViewInputs = z.object({
  schema: pgIdent().default(DEFAULT_SCHEMA).describe("Schema (public for a single-user account). Changing it replaces the view."),
  name: pgIdent().describe("View name. Changing it replaces the view."),
  sql: sqlField.describe("The view's query: exactly one SELECT (or WITH … SELECT) in PostgreSQL/PostGIS SQL; a trailing semicolon or comment is fine. Checked with EXPLAIN through the SQL API at preview; changes in place."),
  comment: z.string().default("").describe("Comment; changes in place."),
});

export const cartoMaterializedViewInputs = z.object({
  schema: pgIdent().default(DEFAULT_SCHEMA).describe("Schema (public for a single-user account). Changing it replaces the materialized view."),
  name: pgIdent().describe("Materialized view name. Changing it replaces it."),
  sql: sqlField.describe("The query: exactly one SELECT (or WITH … SELECT). Checked with EXPLAIN at preview. A change rebuilds the materialized view in one transaction (in place for Pulumi)."),
  comment: z.string().default("").describe("Comment; changes in place."),
  refreshTrigger: z.string().optional().describe("Any value; changing it runs REFRESH MATERIALIZED VIEW (e.g. a date, or the contentHash of a LoadedData the view reads)."),
});

type ViewInputs = z.output<typeof cartoViewInputs>;
type MatViewInputs = z.output<typeof cartoMaterializedViewInputs>;

interface ViewRaw {
  schema: string;
  name: string;
  sql: string;
  comment: string;
  refreshedAt?: string;
}

/** The query as it is sent: one statement, without a trailing semicolon or comment. */
export function queryText(text: string): string {
  const q = checkQuery(text, CARTO_DIALECT);
  return q.ok ? q.text : text;
}

const MISSING_RELATION = /relation .* does not exist|schema .* does not exist/i;

/** EXPLAIN through the API: the engine's complaint about the query, or undefined when it plans. */
export async function explainProblem(api: CartoApi, text: string, tolerateMissing: boolean): Promise<string | undefined> {
  try {
    await api.sql(sql`EXPLAIN ${query(text)}`);
    return undefined;
  } catch (e) {
    const message = (e as Error).message;
    if (tolerateMissing && MISSING_RELATION.test(message)) return undefined;
    if ((e as { kind?: string }).kind === "validation" || (e as { kind?: string }).kind === "not_found") return message.replace(/^CARTO POST \S+ failed(?: \(HTTP \d+\))?: /, "");
    throw e;
  }
}

/**
 * The view as the engine has it. Catalog functions on the name (to_regclass, pg_get_viewdef,
 * obj_description), never a catalog table: CARTO may forbid those even to the master key.
 * A materialized view is told from a view by pg_relation_is_updatable (never for a matview)…
 * no: by whether REFRESH would accept it is not readable either; both read the same way.
 */
async function readRelation(api: CartoApi, ref: ObjectRef, _relkind: "v" | "m"): Promise<ViewRaw | undefined> {
  const rel = literal(`${CARTO_DIALECT.quoteIdent(ref.schema)}.${CARTO_DIALECT.quoteIdent(ref.name)}`);
  const rows = await api.rows(sql`SELECT pg_get_viewdef(to_regclass(${rel}), true) AS sql, obj_description(to_regclass(${rel}), 'pg_class') AS comment`);
  const r = rows[0];
  if (!r || r.sql === null || r.sql === undefined) return undefined;
  return { ...ref, sql: String(r.sql).trim().replace(/;$/, ""), comment: (r.comment as string | null) ?? "" };
}

/** Lists the user's views (relkind v) or materialized views (m), each read as refresh reads it. */
async function listOf(api: CartoApi, relkind: "v" | "m") {
  const out: { id: string; raw: ViewRaw; name: string; schema: string }[] = [];
  for (const ref of await listRelations(api, [relkind])) {
    const raw = await readRelation(api, ref, relkind);
    if (raw) out.push({ id: OBJECT_ID.encode(ref), raw, name: ref.name, schema: ref.schema });
  }
  return out;
}

async function checkedBeforeWrite(api: CartoApi, label: string, text: string): Promise<void> {
  const problem = await explainProblem(api, text, false);
  if (problem) throw new Error(`${label}: CARTO rejected the query: ${problem}`);
}

const normalizeSql = (v: unknown) => queryText(String(v)).replace(/\s+/g, " ").trim();

export const cartoView = defineCartoResource({
  kind: "View",
  description:
    "A view (a saved query) in a CARTO account. Its SQL is checked with EXPLAIN through the SQL API at preview, so a broken query fails preview with PostgreSQL's message. SQL and comment change in place; schema and name replace.",
  inputs: cartoViewInputs,
  id: OBJECT_ID,
  replaceOn: ["schema", "name"],
  uniqueBy: "name",
  normalize: { sql: normalizeSql },
  outputs: {},

  async prepare(inputs, vendor) {
    const problem = await explainProblem(vendor(), inputs.sql, true);
    return problem ? [{ property: "sql", reason: `CARTO rejected the view's query: ${problem}` }] : {};
  },

  async create(ctx, inputs) {
    await checkedBeforeWrite(ctx.api, `carto.View ${inputs.name}`, inputs.sql);
    const statements: SqlPart[] = [sql`CREATE VIEW ${qualified(inputs)} AS ${query(inputs.sql)}`];
    if (inputs.comment) statements.push(sql`COMMENT ON VIEW ${qualified(inputs)} IS ${literal(inputs.comment)}`);
    await runScript(ctx.api, statements);
    const id = OBJECT_ID.encode(inputs);
    ctx.created(id);
    return { id };
  },

  read: (api, id) => readRelation(api, splitId(id), "v"),

  observe: (raw: ViewRaw) => ({ schema: raw.schema, name: raw.name, sql: raw.sql, comment: raw.comment }),

  async update(ctx, _id, olds, news, changed) {
    const v = qualified(news);
    const comment = sql`COMMENT ON VIEW ${v} IS ${literal(news.comment || null)}`;
    if (!changed.includes("sql")) {
      await ctx.api.sql(comment);
      return;
    }
    await checkedBeforeWrite(ctx.api, `carto.View ${news.name}`, news.sql);
    try {
      await runScript(ctx.api, [sql`CREATE OR REPLACE VIEW ${v} AS ${query(news.sql)}`, comment]);
    } catch (e) {
      // PostgreSQL replaces a view only when its columns keep their names and types: rebuild it instead.
      if (!/cannot (change|drop columns? from) (name of )?view column|cannot change data type of view column/i.test((e as Error).message)) throw e;
      ctx.progress(`${olds.name}: PostgreSQL cannot replace the view in place (its columns change); dropping and creating it in one transaction`);
      await runScript(ctx.api, [sql`DROP VIEW ${v}`, sql`CREATE VIEW ${v} AS ${query(news.sql)}`, comment]);
    }
  },

  // The query as PostgreSQL keeps it (pg_get_viewdef): no field names the tables it reads, so there is no reference to make.
  exporter: { list: (api) => listOf(api, "v") },

  delete: (api, id) => api.sql(sql`DROP VIEW IF EXISTS ${qualified(splitId(id))}`).then(() => undefined),
});

export const cartoMaterializedView = defineCartoResource({
  kind: "MaterializedView",
  description:
    "A materialized view in a CARTO account: the query's rows stored. Its SQL is checked with EXPLAIN at preview. A new SQL rebuilds it in one transaction (in place for Pulumi); a new refreshTrigger refreshes it; the comment changes in place; schema and name replace.",
  inputs: cartoMaterializedViewInputs,
  id: OBJECT_ID,
  replaceOn: ["schema", "name"],
  uniqueBy: "name",
  normalize: { sql: normalizeSql },
  outputs: { refreshedAt: "When the provider last built or refreshed it (RFC 3339)." },

  async prepare(inputs, vendor) {
    const problem = await explainProblem(vendor(), inputs.sql, true);
    return problem ? [{ property: "sql", reason: `CARTO rejected the materialized view's query: ${problem}` }] : {};
  },

  async create(ctx, inputs) {
    await checkedBeforeWrite(ctx.api, `carto.MaterializedView ${inputs.name}`, inputs.sql);
    const statements: SqlPart[] = [sql`CREATE MATERIALIZED VIEW ${qualified(inputs)} AS ${query(inputs.sql)}`];
    if (inputs.comment) statements.push(sql`COMMENT ON MATERIALIZED VIEW ${qualified(inputs)} IS ${literal(inputs.comment)}`);
    await runScript(ctx.api, statements);
    const id = OBJECT_ID.encode(inputs);
    ctx.created(id);
    const raw = await readRelation(ctx.api, inputs, "m");
    return { id, raw: raw && { ...raw, refreshedAt: new Date().toISOString() } };
  },

  read: (api, id) => readRelation(api, splitId(id), "m"),

  observe: (raw: ViewRaw) => ({ schema: raw.schema, name: raw.name, sql: raw.sql, comment: raw.comment }),

  computed: (raw: ViewRaw) => ({ refreshedAt: raw.refreshedAt }),

  async update(ctx, _id, olds: MatViewInputs, news, changed) {
    const v = qualified(news);
    const statements: SqlPart[] = [];
    if (changed.includes("sql")) {
      await checkedBeforeWrite(ctx.api, `carto.MaterializedView ${news.name}`, news.sql);
      ctx.progress(`${news.name}: the query changed; rebuilding the materialized view in one transaction`);
      statements.push(sql`DROP MATERIALIZED VIEW ${v}`, sql`CREATE MATERIALIZED VIEW ${v} AS ${query(news.sql)}`);
    } else if (changed.includes("refreshTrigger")) {
      ctx.progress(`${news.name}: refreshTrigger changed; refreshing`);
      statements.push(sql`REFRESH MATERIALIZED VIEW ${v}`);
    }
    if (changed.includes("sql") || changed.includes("comment")) statements.push(sql`COMMENT ON MATERIALIZED VIEW ${v} IS ${literal(news.comment || null)}`);
    await runScript(ctx.api, statements);
    const raw = await readRelation(ctx.api, news, "m");
    const rebuilt = changed.includes("sql") || changed.includes("refreshTrigger");
    return raw && { ...raw, refreshedAt: rebuilt ? new Date().toISOString() : (olds as MatViewInputs & { refreshedAt?: string }).refreshedAt };
  },

  // refreshTrigger is the program's own trigger, never read: left out.
  exporter: { list: (api) => listOf(api, "m") },

  delete: (api, id) => api.sql(sql`DROP MATERIALIZED VIEW IF EXISTS ${qualified(splitId(id))}`).then(() => undefined),
});

export type { ViewInputs };
