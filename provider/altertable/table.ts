/**
 * altertable.Table — a table defined by SQL (DuckDB types), with the same column-evolution
 * classes and opt-ins as bytehouse.Table. Drift is read from the catalog (duckdb_columns,
 * duckdb_constraints, duckdb_tables), so a change made by SQL shows on refresh.
 * An update is one transaction of ALTER / COMMENT statements in one /query call.
 */
import { z } from "zod";
import { InputsOf } from "../framework/spec";
import { ColumnSpec, columnDataLoss, columnListField, diffColumns, normalizeColumn } from "../framework/columns";
import { ALTERTABLE_DIALECT, AltertableApi, defineAltertableResource, quotedName, splitObjectId, OBJECT_ID } from "./api";
import { SqlPart, defaultExpr, ident, list, literal, sql, transaction, type } from "../sql/builder";
import { DUCKDB_TYPES } from "../sql/types/duckdb";
import { IDENT, IDENT_RULE } from "../framework/identifiers";

/** The column list (names, DuckDB types and DEFAULT expressions parsed at check, duplicates, renames): the shared field. */
const columns = columnListField({
  types: DUCKDB_TYPES,
  nullableDefault: true,
  parseDefault: (text) => ALTERTABLE_DIALECT.parseDefault(text),
  caseInsensitiveNames: true,
  docs: {
    type: "DuckDB type (VARCHAR, BIGINT, DOUBLE, DECIMAL(18,2), DATE, TIMESTAMP, JSON, BIGINT[], STRUCT(…), …). Parsed at preview; aliases read as DuckDB's own spelling (int → INTEGER).",
    nullable: "Whether the column accepts NULL (false = NOT NULL).",
    defaultValue: "DEFAULT expression (SQL): a literal, a constant such as CURRENT_TIMESTAMP, a function call such as now(), a cast or arithmetic. Checked at preview.",
  },
});

type Column = z.output<typeof columns>[number];

export const altertableTableInputs = z
  .object({
    catalog: z.string().regex(IDENT, IDENT_RULE).describe("Catalog. Changing it replaces the table (needs allowReplace)."),
    schema: z.string().regex(IDENT, IDENT_RULE).default("main").describe("Schema. Changing it replaces the table (needs allowReplace)."),
    name: z.string().regex(IDENT, IDENT_RULE).describe("Table name. Changing it replaces the table (needs allowReplace)."),
    columns,
    primaryKey: z.array(z.string()).default([]).describe("PRIMARY KEY columns. A change replaces the table (needs allowReplace)."),
    comment: z.string().default("").describe("Table comment; changes in place."),
    allowDataLoss: z.boolean().default(false).describe("Opt in to column changes that lose data (drop, narrowing or converting a type, NOT NULL). Off: they fail at preview."),
    allowReplace: z.boolean().default(false).describe("Opt in to changes that drop and recreate the table, losing its rows (catalog, schema, name, primary key). Off: they fail at preview."),
  })
  .superRefine((t, ctx) => {
    const names = t.columns.map((c) => c.name.toLowerCase());
    t.primaryKey.forEach((k, i) => {
      if (!names.includes(k.toLowerCase())) ctx.addIssue({ code: "custom", path: ["primaryKey", i], message: `must name a declared column (${k} is not one of ${t.columns.map((c) => c.name).join(", ")})` });
    });
  });

type Inputs = InputsOf<typeof altertableTableInputs>;

interface TableRaw {
  catalog: string;
  schema: string;
  name: string;
  comment: string;
  columns: { name: string; type: string; nullable: boolean; defaultValue?: string; comment: string }[];
  primaryKey: string[];
  rowCount: number;
}

const REPLACE_ON = ["catalog", "schema", "name", "primaryKey"] as const;

const q = quotedName;
const splitId = splitObjectId;

const normalizeColumns = (v: unknown) => (v as ColumnSpec[]).map((c) => normalizeColumn(c, DUCKDB_TYPES));

const NOTHING = sql``;

function columnDef(c: Column): SqlPart {
  return sql`${ident(c.name)} ${type(c.type)}${c.nullable ? NOTHING : sql` NOT NULL`}${c.defaultValue !== undefined ? sql` DEFAULT ${defaultExpr(c.defaultValue)}` : NOTHING}`;
}

async function readTable(api: AltertableApi, ref: { catalog: string; schema: string; name: string }): Promise<TableRaw | undefined> {
  const where = sql`database_name = ${literal(ref.catalog)} AND schema_name = ${literal(ref.schema)} AND table_name = ${literal(ref.name)}`;
  const tables = await api.rows(sql`SELECT comment, estimated_size FROM duckdb_tables() WHERE ${where}`);
  if (tables.length === 0) return undefined;
  const cols = await api.rows(sql`SELECT column_name, data_type, is_nullable, column_default, comment FROM duckdb_columns() WHERE ${where} ORDER BY column_index`);
  const pk = await api.rows(sql`SELECT constraint_column_names AS cols FROM duckdb_constraints() WHERE ${where} AND constraint_type = ${literal("PRIMARY KEY")}`);
  const count = await api.rows(sql`SELECT count(*) AS n FROM ${q(ref)}`);
  return {
    ...ref,
    comment: (tables[0].comment as string | null) ?? "",
    columns: cols.map((c) => ({
      name: String(c.column_name),
      type: String(c.data_type),
      nullable: Boolean(c.is_nullable),
      ...(c.column_default !== null && c.column_default !== undefined ? { defaultValue: String(c.column_default) } : {}),
      comment: (c.comment as string | null) ?? "",
    })),
    primaryKey: (pk[0]?.cols as string[] | undefined) ?? [],
    rowCount: Number(count[0]?.n ?? 0),
  };
}

/** The statements that take the table from `olds` to `news` (never a replace field). */
export function alterStatements(olds: Inputs, news: Inputs): SqlPart[] {
  const t = q(olds);
  const d = diffColumns(olds.columns, news.columns, DUCKDB_TYPES);
  const out: SqlPart[] = [];
  const col = (c: string) => sql`${t}.${ident(c)}`;
  for (const r of d.renames) out.push(sql`ALTER TABLE ${t} RENAME COLUMN ${ident(r.oldName)} TO ${ident(r.newName)}`);
  for (const c of d.add) {
    out.push(sql`ALTER TABLE ${t} ADD COLUMN ${ident(c.name)} ${type(c.type)}${c.defaultValue !== null ? sql` DEFAULT ${defaultExpr(c.defaultValue)}` : NOTHING}`);
    if (!c.nullable) out.push(sql`ALTER TABLE ${t} ALTER COLUMN ${ident(c.name)} SET NOT NULL`);
    if (c.comment) out.push(sql`COMMENT ON COLUMN ${col(c.name)} IS ${literal(c.comment)}`);
  }
  for (const { column: c, before } of d.modify) {
    if (c.type !== before.type) out.push(sql`ALTER TABLE ${t} ALTER COLUMN ${ident(c.name)} TYPE ${type(c.type)}`);
    if (c.nullable !== before.nullable) out.push(c.nullable ? sql`ALTER TABLE ${t} ALTER COLUMN ${ident(c.name)} DROP NOT NULL` : sql`ALTER TABLE ${t} ALTER COLUMN ${ident(c.name)} SET NOT NULL`);
    if (c.defaultValue !== before.defaultValue) {
      out.push(c.defaultValue === null ? sql`ALTER TABLE ${t} ALTER COLUMN ${ident(c.name)} DROP DEFAULT` : sql`ALTER TABLE ${t} ALTER COLUMN ${ident(c.name)} SET DEFAULT ${defaultExpr(c.defaultValue)}`);
    }
    if (c.comment !== before.comment) out.push(sql`COMMENT ON COLUMN ${col(c.name)} IS ${literal(c.comment)}`);
  }
  for (const n of d.drop) out.push(sql`ALTER TABLE ${t} DROP COLUMN ${ident(n)}`);
  if (olds.comment !== news.comment) out.push(sql`COMMENT ON TABLE ${t} IS ${literal(news.comment)}`);
  return out;
}

/** Runs statements as one transaction in one call: all or nothing. */
async function runTransaction(api: AltertableApi, statements: SqlPart[]): Promise<void> {
  if (statements.length === 0) return;
  await api.query(transaction(statements));
}

export const altertableTable = defineAltertableResource({
  kind: "Table",
  description:
    "An Altertable table (DuckDB types) created and evolved with SQL. Safe column changes apply in place in one transaction; data-losing ones need allowDataLoss and replacements need allowReplace, refused at preview otherwise. Drift is read from the catalog.",
  inputs: altertableTableInputs,
  id: OBJECT_ID,
  replaceOn: [...REPLACE_ON],
  replaceOptIn: { field: "allowReplace", what: (t) => `the table ${t.catalog}.${t.schema}.${t.name}` },
  uniqueBy: "name",
  normalize: {
    columns: normalizeColumns,
    primaryKey: (v) => (v as string[]).map((k) => k.toLowerCase()),
  },
  outputs: {
    rowCount: "Rows in the table when last read.",
  },

  validateChange: columnDataLoss(DUCKDB_TYPES),

  async create(ctx, inputs) {
    const t = q(inputs);
    const defs = inputs.columns.map(columnDef);
    if (inputs.primaryKey.length) defs.push(sql`PRIMARY KEY (${list(inputs.primaryKey.map(ident))})`);
    const statements = [sql`CREATE TABLE ${t} (${list(defs)})`];
    if (inputs.comment) statements.push(sql`COMMENT ON TABLE ${t} IS ${literal(inputs.comment)}`);
    for (const c of inputs.columns) if (c.comment) statements.push(sql`COMMENT ON COLUMN ${t}.${ident(c.name)} IS ${literal(c.comment)}`);
    await runTransaction(ctx.api, statements);
    const id = OBJECT_ID.encode(inputs);
    ctx.created(id);
    return { id }; // the engine reads the object back
  },

  read: (api, id) => readTable(api, splitId(id)),

  observe: (raw: TableRaw) => ({
    catalog: raw.catalog,
    schema: raw.schema,
    name: raw.name,
    comment: raw.comment,
    columns: raw.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable, comment: c.comment, ...(c.defaultValue !== undefined ? { defaultValue: c.defaultValue } : {}) })),
    primaryKey: raw.primaryKey,
  }),

  computed: (raw: TableRaw) => ({ rowCount: raw.rowCount }),

  async update(ctx, id, olds, news) {
    const statements = alterStatements(olds, news);
    if (statements.length) ctx.progress(`altering ${id}: ${statements.length} statement(s) in one transaction`);
    await runTransaction(ctx.api, statements);
    return; // the engine reads the object back
  },

  exporter: {
    async list(api) {
      const rows = await api.rows(
        sql`SELECT table_catalog, table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('information_schema', 'pg_catalog') AND table_catalog NOT IN ('system', 'temp') ORDER BY table_catalog, table_schema, table_name`,
      );
      const out: { id: string; raw: TableRaw; name: string; database: string; schema: string }[] = [];
      for (const r of rows) {
        const ref = { catalog: String(r.table_catalog), schema: String(r.table_schema), name: String(r.table_name) };
        const raw = await readTable(api, ref);
        if (raw) out.push({ id: OBJECT_ID.encode(ref), raw, name: ref.name, database: ref.catalog, schema: ref.schema });
      }
      return out;
    },
    references: [{ field: "schema", kind: "Schema", match: { catalog: "catalog", name: "schema" }, output: "name" }],
  },

  delete: (api, id) => api.query(sql`DROP TABLE IF EXISTS ${q(splitId(id))}`).then(() => undefined),
});
