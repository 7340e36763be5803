/**
 * altertable.View — a view defined by its SQL body. At preview (check) the SQL goes through
 * Altertable's /validate, so a broken view fails `pulumi preview` with the engine's message and
 * nothing is changed. One exception: a "does not exist" catalog error passes at preview (the
 * table may be created by the same update) and is checked again just before CREATE VIEW.
 * The SQL and comment change in place (CREATE OR REPLACE VIEW); the name replaces.
 */
import { z } from "zod";
import { ALTERTABLE_DIALECT, AltertableApi, defineAltertableResource, quotedName, splitObjectId, OBJECT_ID } from "./api";
import { checkQuery, literal, query, sql, transaction } from "../sql/builder";
import { significant, singleStatement, SqlSyntaxError } from "../sql/tokenizer";
import { IDENT, IDENT_RULE } from "../framework/identifiers";

export const viewInputs = z.object({
  catalog: z.string().regex(IDENT, IDENT_RULE).describe("Catalog. Changing it replaces the view."),
  schema: z.string().regex(IDENT, IDENT_RULE).default("main").describe("Schema. Changing it replaces the view."),
  name: z.string().regex(IDENT, IDENT_RULE).describe("View name. Changing it replaces the view."),
  sql: z
    .string()
    .trim()
    .min(1, "must be a SELECT statement")
    .superRefine((text, ctx) => {
      const q = checkQuery(text, ALTERTABLE_DIALECT);
      // A first word that is no statement at all (a typo such as SELEC) is left to /validate, whose parser names it.
      if (!q.ok && !isTypo(text)) ctx.addIssue({ code: "custom", message: q.error });
    })
    .describe("The view's body: exactly one SELECT (or WITH … SELECT) query, in DuckDB SQL; a trailing semicolon or comment is fine. Checked by Altertable's /validate at preview; changes in place."),
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

/** Words that start a statement that is not a query: a view holding one is refused at check. */
const STATEMENT_WORDS = new Set([
  "INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "DROP", "CREATE", "ALTER", "COMMENT", "TRUNCATE", "COPY", "ATTACH", "DETACH", "PRAGMA", "SET", "RESET",
  "CALL", "EXPORT", "IMPORT", "INSTALL", "LOAD", "GRANT", "REVOKE", "BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "VACUUM", "CHECKPOINT", "USE",
  "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "SUMMARIZE", "PREPARE", "EXECUTE", "DEALLOCATE", "ANALYZE",
]);

/** One statement starting with a word that is no statement keyword: the engine's parser says more than we can. */
function isTypo(text: string): boolean {
  try {
    const first = significant(singleStatement(text, ALTERTABLE_DIALECT.lex).tokens)[0];
    return first?.kind === "word" && !STATEMENT_WORDS.has(first.text.toUpperCase());
  } catch {
    return false;
  }
}

/** The body of a stored "CREATE VIEW x [(cols)] AS <body>;" statement: what follows its first top-level AS. */
export function viewBody(createSql: string): string {
  try {
    const s = singleStatement(createSql, ALTERTABLE_DIALECT.lex);
    const toks = significant(s.tokens);
    if (toks[0]?.text.toUpperCase() !== "CREATE") return s.text;
    let depth = 0;
    for (let i = 1; i < toks.length - 1; i++) {
      const t = toks[i];
      if (t.text === "(") depth++;
      else if (t.text === ")") depth--;
      else if (depth === 0 && t.kind === "word" && t.text.toUpperCase() === "AS") return s.text.slice(toks[i + 1].start - s.tokens[0].start).trim();
    }
    return s.text;
  } catch (e) {
    if (e instanceof SqlSyntaxError) return createSql.trim();
    throw e;
  }
}

/** The view's query as it is sent: one statement, without a trailing semicolon or comment. */
function queryText(text: string): string {
  const q = checkQuery(text, ALTERTABLE_DIALECT);
  return q.ok ? q.text : text;
}

async function readView(api: AltertableApi, ref: { catalog: string; schema: string; name: string }): Promise<ViewRaw | undefined> {
  const rows = await api.rows(
    sql`SELECT sql, comment FROM duckdb_views() WHERE database_name = ${literal(ref.catalog)} AND schema_name = ${literal(ref.schema)} AND view_name = ${literal(ref.name)}`,
  );
  return rows[0] ? { ...ref, sql: viewBody(String(rows[0].sql)), comment: (rows[0].comment as string | null) ?? "" } : undefined;
}

async function validateOrThrow(api: AltertableApi, text: string, name: string): Promise<void> {
  const v = await api.validate(queryText(text));
  if (!v.valid) throw new Error(`altertable.View ${name}: Altertable rejected the view's SQL: ${v.error}`);
}

async function createOrReplace(api: AltertableApi, v: z.output<typeof viewInputs>, replace: boolean): Promise<void> {
  await validateOrThrow(api, v.sql, v.name);
  const statements = [replace ? sql`CREATE OR REPLACE VIEW ${q(v)} AS ${query(v.sql)}` : sql`CREATE VIEW ${q(v)} AS ${query(v.sql)}`];
  if (v.comment || replace) statements.push(sql`COMMENT ON VIEW ${q(v)} IS ${literal(v.comment || null)}`);
  await api.query(transaction(statements));
}

export const view = defineAltertableResource({
  kind: "View",
  description:
    "An Altertable view. Its SQL is checked by Altertable's /validate at preview, so a broken view fails preview with the engine's message. SQL and comment change in place; the name replaces.",
  inputs: viewInputs,
  id: OBJECT_ID,
  replaceOn: ["catalog", "schema", "name"],
  uniqueBy: "name",
  normalize: { sql: (v) => queryText(String(v)).replace(/\s+/g, " ").trim() },
  outputs: {},

  async prepare(inputs, vendor) {
    const v = await vendor().validate(queryText(inputs.sql));
    if (v.valid || (v.error && MISSING_OBJECT.test(v.error))) return {};
    return [{ property: "sql", reason: `Altertable rejected the view's SQL: ${v.error}` }];
  },

  async create(ctx, inputs) {
    await createOrReplace(ctx.api, inputs, false);
    const id = OBJECT_ID.encode(inputs);
    ctx.created(id);
    return { id }; // the engine reads the object back
  },

  read: (api, id) => readView(api, splitId(id)),

  observe: (raw: ViewRaw) => ({ catalog: raw.catalog, schema: raw.schema, name: raw.name, sql: raw.sql, comment: raw.comment }),

  async update(ctx, id, _olds, news) {
    await createOrReplace(ctx.api, news, true);
    return; // the engine reads the object back
  },

  exporter: {
    async list(api) {
      const rows = await api.rows(
        sql`SELECT database_name, schema_name, view_name FROM duckdb_views() WHERE NOT internal AND schema_name NOT IN ('information_schema', 'pg_catalog') AND database_name NOT IN ('system', 'temp') ORDER BY database_name, schema_name, view_name`,
      );
      const out: { id: string; raw: ViewRaw; name: string; database: string; schema: string }[] = [];
      for (const r of rows) {
        const ref = { catalog: String(r.database_name), schema: String(r.schema_name), name: String(r.view_name) };
        const raw = await readView(api, ref);
        if (raw) out.push({ id: OBJECT_ID.encode(ref), raw, name: ref.name, database: ref.catalog, schema: ref.schema });
      }
      return out;
    },
    references: [{ field: "schema", kind: "Schema", match: { catalog: "catalog", name: "schema" }, output: "name" }],
  },

  delete: (api, id) => api.query(sql`DROP VIEW IF EXISTS ${q(splitId(id))}`).then(() => undefined),
});
