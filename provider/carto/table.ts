/**
 * carto.Table — a PostgreSQL/PostGIS table in a CARTO account, created and evolved with SQL through
 * the SQL API (PostgreSQL types, `geometry(<subtype>,<srid>)` included), with a primary key,
 * indexes (GiST on geometry among them) and an option making it a CARTO dataset.
 *
 * - Column evolution (provider/framework/columns.ts): add, widen, comment, default, nullable =
 *   safe, in place; narrowing, converting, NOT NULL, dropping = need allowDataLoss; a type change
 *   PostgreSQL has no cast for without USING (text → integer, a geometry's SRID, …) and the
 *   table's schema, name, primary key or dataset option = drop and recreate, only with
 *   allowReplace. Everything else fails at preview, saying what would be lost.
 * - An update is one script of statements in one SQL API call (all or nothing).
 * - Drift is read from the catalog (pg_attribute, format_type, pg_index, pg_description) in one
 *   statement; PostgreSQL's own spellings (int4 → integer) are canonical, so they never drift.
 * - `dataset: true` adds CARTO's columns: `cartodb_id` (bigint identity, the primary key),
 *   `the_geom` geometry(Geometry,4326) and `the_geom_webmercator` geometry(Geometry,3857), kept in
 *   sync with the_geom by PostgreSQL itself (a stored generated column, ST_Transform), each
 *   geometry with a GiST index — what CARTO's "cartodbfy" gives a table.
 */
import { z } from "zod";
import { InputsOf } from "../framework/spec";
import { ColumnSpec, columnDataLoss, columnListField, diffColumns, normalizeColumn } from "../framework/columns";
import { SqlPart, defaultExpr, ident, list, literal, raw, script, sql, type } from "../sql/builder";
import { POSTGRES_TYPES } from "../sql/types/postgres";
import { CARTO_DIALECT, CartoApi, defineCartoResource } from "./api";
import { isNotFound } from "../http/errors";
import { DEFAULT_SCHEMA, OBJECT_ID, ObjectRef, pgIdent, qualified, splitId } from "./names";
import { listRelations } from "./catalog";

/** The columns CARTO adds to a dataset, in its order. */
export const DATASET_COLUMNS = ["cartodb_id", "the_geom", "the_geom_webmercator"] as const;

export const INDEX_METHODS = ["btree", "gist", "gin", "brin", "hash"] as const;

const columns = columnListField({
  types: POSTGRES_TYPES,
  nullableDefault: true,
  parseDefault: (text) => CARTO_DIALECT.parseDefault(text),
  docs: {
    type: "PostgreSQL type: integer, bigint, numeric(12,2), text, character varying(40), boolean, date, timestamp with time zone, jsonb, text[], geometry(Point,4326), geography(Polygon,4326), … Parsed at preview; aliases read as PostgreSQL's own spelling (int4 → integer, varchar(40) → character varying(40)).",
    nullable: "Whether the column accepts NULL (false = NOT NULL).",
    defaultValue: "DEFAULT expression (SQL): a literal, a constant such as CURRENT_TIMESTAMP, a function call such as now(), a cast or arithmetic. Checked at preview.",
  },
});

type Column = z.output<typeof columns>[number];

const index = z.object({
  name: pgIdent().describe("Index name (unique in the schema)."),
  columns: z.array(pgIdent()).min(1, "must name at least one column").describe("Indexed columns, in order: declared columns, or the dataset's cartodb_id / the_geom / the_geom_webmercator."),
  method: z.enum(INDEX_METHODS, `must be one of ${INDEX_METHODS.join(", ")}`).default("btree").describe("Access method: btree (default), gist (geometry, geography, ranges), gin (jsonb, arrays, full text), brin or hash."),
  unique: z.boolean().default(false).describe("A unique index (btree only)."),
});

export const cartoTableInputs = z
  .object({
    schema: pgIdent().default(DEFAULT_SCHEMA).describe("Schema: the account's (public for a single-user account, the username in an organization). Changing it replaces the table (needs allowReplace)."),
    name: pgIdent().describe("Table name. Changing it replaces the table (needs allowReplace)."),
    columns,
    primaryKey: z.array(pgIdent()).default([]).describe("PRIMARY KEY columns (a dataset's key is cartodb_id: leave this empty). A change replaces the table (needs allowReplace)."),
    indexes: z.array(index).default([]).describe("Secondary indexes; added and dropped in place (a changed definition is dropped and built again)."),
    dataset: z
      .boolean()
      .default(false)
      .describe("Make it a CARTO dataset: adds cartodb_id (bigint identity, the primary key), the_geom geometry(Geometry,4326) and the_geom_webmercator geometry(Geometry,3857), kept in sync with the_geom, both GiST-indexed. A change replaces the table (needs allowReplace)."),
    comment: z.string().default("").describe("Table comment; changes in place."),
    allowDataLoss: z.boolean().default(false).describe("Opt in to column changes that lose data (drop, narrowing or converting a type, NOT NULL). Off: they fail at preview."),
    allowReplace: z
      .boolean()
      .default(false)
      .describe("Opt in to changes that drop and recreate the table, losing its rows (schema, name, primary key, dataset, a type change PostgreSQL cannot make in place). Off: they fail at preview."),
  })
  .superRefine((t, ctx) => {
    const names = t.columns.map((c) => c.name);
    t.columns.forEach((c, i) => {
      if (c.name.length > 63) ctx.addIssue({ code: "custom", path: ["columns", i, "name"], message: "must be at most 63 characters (PostgreSQL cuts longer names)" });
      if (t.dataset && (DATASET_COLUMNS as readonly string[]).includes(c.name)) {
        ctx.addIssue({ code: "custom", path: ["columns", i, "name"], message: `${c.name} is one of the dataset's own columns (${DATASET_COLUMNS.join(", ")}); remove it, dataset: true adds it` });
      }
    });
    if (t.dataset && t.primaryKey.length) ctx.addIssue({ code: "custom", path: ["primaryKey"], message: "a dataset's primary key is cartodb_id; leave primaryKey empty" });
    t.primaryKey.forEach((k, i) => {
      if (!names.includes(k)) ctx.addIssue({ code: "custom", path: ["primaryKey", i], message: `must name a declared column (${k} is not one of ${names.join(", ")})` });
    });
    const known = [...names, ...(t.dataset ? DATASET_COLUMNS : [])];
    const seen = new Set<string>();
    t.indexes.forEach((ix, i) => {
      if (seen.has(ix.name)) ctx.addIssue({ code: "custom", path: ["indexes", i, "name"], message: `index ${ix.name} is declared twice` });
      seen.add(ix.name);
      if (t.dataset && datasetIndexNames(t.name).includes(ix.name)) ctx.addIssue({ code: "custom", path: ["indexes", i, "name"], message: `${ix.name} is the name of one of the dataset's own indexes` });
      ix.columns.forEach((c, j) => {
        if (!known.includes(c)) ctx.addIssue({ code: "custom", path: ["indexes", i, "columns", j], message: `must name a column of the table (${c} is not one of ${known.join(", ")})` });
      });
      if (ix.unique && ix.method !== "btree") ctx.addIssue({ code: "custom", path: ["indexes", i, "unique"], message: `a unique index must use btree (method is ${ix.method})` });
    });
  });

type Inputs = InputsOf<typeof cartoTableInputs>;
type Index = Inputs["indexes"][number];

export interface TableRaw {
  schema: string;
  name: string;
  comment: string;
  dataset: boolean;
  columns: { name: string; type: string; nullable: boolean; defaultValue?: string; comment: string }[];
  primaryKey: string[];
  indexes: Index[];
}

/** The names of the GiST indexes a dataset gets. */
export function datasetIndexNames(table: string): string[] {
  return [`${table}_the_geom_idx`.slice(0, 63), `${table}_the_geom_webmercator_idx`.slice(0, 63)];
}

const NOTHING = sql``;

function columnDef(c: Column): SqlPart {
  return sql`${ident(c.name)} ${type(c.type)}${c.nullable ? NOTHING : sql` NOT NULL`}${c.defaultValue !== undefined ? sql` DEFAULT ${defaultExpr(c.defaultValue)}` : NOTHING}`;
}

/** The dataset's own columns (fixed text: no input goes into it). */
const DATASET_DEFS: SqlPart[] = [
  raw("cartodb_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "fixed CARTO dataset column"),
  raw("the_geom geometry(Geometry,4326)", "fixed CARTO dataset column"),
  raw("the_geom_webmercator geometry(Geometry,3857) GENERATED ALWAYS AS (ST_Transform(the_geom, 3857)) STORED", "fixed CARTO dataset column"),
];

function indexStatement(table: ObjectRef, ix: Index): SqlPart {
  return sql`CREATE ${ix.unique ? sql`UNIQUE ` : NOTHING}INDEX ${ident(ix.name)} ON ${qualified(table)} USING ${raw(ix.method, "one of the enumerated index methods")} (${list(ix.columns.map(ident))})`;
}

/** The statements that create the table as declared. */
export function createStatements(t: Inputs): SqlPart[] {
  const q = qualified(t);
  const defs = [...(t.dataset ? DATASET_DEFS : []), ...t.columns.map(columnDef)];
  if (t.primaryKey.length) defs.push(sql`PRIMARY KEY (${list(t.primaryKey.map(ident))})`);
  const out: SqlPart[] = [sql`CREATE TABLE ${q} (${list(defs)})`];
  if (t.dataset) {
    const [g, w] = datasetIndexNames(t.name);
    out.push(indexStatement(t, { name: g, columns: ["the_geom"], method: "gist", unique: false }));
    out.push(indexStatement(t, { name: w, columns: ["the_geom_webmercator"], method: "gist", unique: false }));
  }
  for (const ix of t.indexes) out.push(indexStatement(t, ix));
  if (t.comment) out.push(sql`COMMENT ON TABLE ${q} IS ${literal(t.comment)}`);
  for (const c of t.columns) if (c.comment) out.push(sql`COMMENT ON COLUMN ${q}.${ident(c.name)} IS ${literal(c.comment)}`);
  return out;
}

// ---------------------------------------------------------------- type changes PostgreSQL makes in place

const FAMILIES: [RegExp, string][] = [
  [/^(smallint|integer|bigint|real|double precision|numeric(\(\d+,\d+\))?)$/, "number"],
  [/^(text|character varying(\(\d+\))?|character(\(\d+\))?)$/, "string"],
  [/^(date|timestamp(\(\d\))? with(out)? time zone)$/, "timestamp"],
  [/^(time(\(\d\))? with(out)? time zone)$/, "time"],
  [/^(json|jsonb)$/, "json"],
];

/** SRID of a geometry/geography type (0 when unconstrained). */
function geo(t: string): { kind: string; srid: number } | undefined {
  const m = /^(geometry|geography)(?:\(([A-Za-z]+),?(\d+)?\))?$/.exec(t);
  return m ? { kind: m[1], srid: Number(m[3] ?? 0) } : undefined;
}

/** True when PostgreSQL converts `from` to `to` with ALTER COLUMN … TYPE and no USING clause. */
export function convertsInPlace(from: string, to: string): boolean {
  if (from === to || POSTGRES_TYPES.isWidening(from, to)) return true;
  const fam = (t: string) => FAMILIES.find(([re]) => re.test(t))?.[1];
  if (fam(from) && fam(from) === fam(to)) return true;
  if (to === "text" || /^character varying/.test(to)) return true; // everything has a cast to text
  const a = geo(from);
  const b = geo(to);
  if (a && b) return a.kind === b.kind && (a.srid === b.srid || b.srid === 0);
  return false;
}

/** The columns whose type change PostgreSQL cannot make in place (a replacement), in words. */
export function typeChangesNeedingReplace(olds: ColumnSpec[] | undefined, news: ColumnSpec[] | undefined): string[] {
  if (!olds || !news) return [];
  const d = diffColumns(olds, news, POSTGRES_TYPES);
  return d.modify.filter(({ column, before }) => column.type !== before.type && !convertsInPlace(before.type, column.type)).map(({ column, before }) => `${column.name} ${before.type} → ${column.type}`);
}

// ---------------------------------------------------------------- read

const json = (v: unknown): unknown => (typeof v === "string" ? JSON.parse(v) : v);

/** CARTO's answer when the account forbids catalog tables even to the master key (its pg-entities access check). */
const SYSTEM_TABLES_FORBIDDEN = /system tables are forbidden/i;

/**
 * The table as the catalog has it, in one statement; undefined when there is no such table.
 * Where the account forbids catalog tables, the table is read from the SQL API's own `fields`
 * instead (readFromFields).
 */
export async function readTable(api: CartoApi, ref: ObjectRef, state?: Partial<Inputs>): Promise<TableRaw | undefined> {
  try {
    return await readFromCatalog(api, ref);
  } catch (e) {
    if (!SYSTEM_TABLES_FORBIDDEN.test((e as Error).message)) throw e;
    return readFromFields(api, ref, state ?? {});
  }
}

const baseOf = (t: string) => t.replace(/\(.*\)/, "").replace(/\[\]$/, "[]");

/**
 * The reduced read: columns and their types from `SELECT * … LIMIT 0` (CARTO's `fields`: pgtype,
 * or a geometry's wkbtype and srid) and the table comment from obj_description. Nullability,
 * defaults, column comments, keys and indexes are not readable this way and keep their recorded
 * values; a declared length or precision is kept when the live base type is the same.
 */
async function readFromFields(api: CartoApi, ref: ObjectRef, state: Partial<Inputs>): Promise<TableRaw | undefined> {
  let fields: Record<string, { type: string; pgtype?: string; wkbtype?: string; srid?: number }>;
  try {
    fields = (await api.sql(sql`SELECT * FROM ${qualified(ref)} LIMIT 0`)).fields as typeof fields;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
  const rel = literal(`${CARTO_DIALECT.quoteIdent(ref.schema)}.${CARTO_DIALECT.quoteIdent(ref.name)}`);
  const comment = (await api.rows(sql`SELECT obj_description(to_regclass(${rel}), 'pg_class') AS comment`))[0]?.comment as string | null | undefined;
  const names = Object.keys(fields);
  const isDataset = DATASET_COLUMNS.every((n) => names.includes(n));
  const declared = new Map((state.columns ?? []).map((c) => [c.name, c]));
  const columns = names
    .filter((n) => !(isDataset && (DATASET_COLUMNS as readonly string[]).includes(n)))
    .map((n) => {
      const f = fields[n];
      const pg = f.pgtype ?? "";
      const live =
        f.type === "geometry" || f.type === "geography"
          ? `${f.type}(${f.wkbtype && f.wkbtype !== "Unknown" ? f.wkbtype : "Geometry"}${f.srid ? `,${f.srid}` : ""})`
          : pg.startsWith("_")
            ? `${POSTGRES_TYPES.canonical(pg.slice(1)).type}[]`
            : POSTGRES_TYPES.canonical(pg).type;
      const d = declared.get(n);
      const type = POSTGRES_TYPES.canonical(live).type;
      const keep = d && (POSTGRES_TYPES.canonical(d.type).type === type || baseOf(POSTGRES_TYPES.canonical(d.type).type) === baseOf(type));
      return {
        name: n,
        type: keep ? POSTGRES_TYPES.canonical(d!.type).type : type,
        nullable: d ? Boolean(d.nullable) : true,
        ...(d?.defaultValue !== undefined ? { defaultValue: d.defaultValue } : {}),
        comment: d?.comment ?? "",
      };
    });
  return { ...ref, comment: comment ?? "", dataset: isDataset, columns, primaryKey: state.primaryKey ?? [], indexes: state.indexes ?? [] };
}

async function readFromCatalog(api: CartoApi, ref: ObjectRef): Promise<TableRaw | undefined> {
  const rows = await api.rows(sql`SELECT obj_description(c.oid, 'pg_class') AS comment,
  (SELECT json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'notnull', a.attnotnull, 'default', pg_get_expr(d.adbin, d.adrelid), 'generated', a.attgenerated::text, 'identity', a.attidentity::text, 'comment', col_description(c.oid, a.attnum)) ORDER BY a.attnum)
     FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
  (SELECT json_agg(a.attname ORDER BY array_position(i.indkey::int2[], a.attnum))
     FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
    WHERE i.indrelid = c.oid AND i.indisprimary) AS primary_key,
  (SELECT json_agg(json_build_object('name', ic.relname, 'method', am.amname, 'unique', i.indisunique,
          'columns', (SELECT json_agg(pg_get_indexdef(i.indexrelid, k, true) ORDER BY k) FROM generate_series(1, i.indnkeyatts) AS k)) ORDER BY ic.relname)
     FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
    WHERE i.indrelid = c.oid AND NOT i.indisprimary) AS indexes
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ${literal(ref.schema)} AND c.relname = ${literal(ref.name)} AND c.relkind IN ('r', 'p')`);
  if (rows.length === 0) return undefined;
  const r = rows[0];
  type LiveColumn = { name: string; type: string; notnull: boolean; default: string | null; generated: string; identity: string; comment: string | null };
  const cols = ((json(r.columns) as LiveColumn[] | null) ?? []).map((c) => ({ ...c, type: POSTGRES_TYPES.canonical(c.type).type }));
  const isDataset = DATASET_COLUMNS.every((n) => cols.some((c) => c.name === n));
  const own = new Set<string>(isDataset ? DATASET_COLUMNS : []);
  const ownIndexes = new Set(isDataset ? datasetIndexNames(ref.name) : []);
  const pk = ((json(r.primary_key) as string[] | null) ?? []).filter((k) => !(isDataset && k === "cartodb_id"));
  const indexes = ((json(r.indexes) as { name: string; method: string; unique: boolean; columns: string[] }[] | null) ?? [])
    .filter((ix) => !ownIndexes.has(ix.name))
    .map((ix) => ({ name: ix.name, method: ix.method as Index["method"], unique: Boolean(ix.unique), columns: ix.columns.map((c) => c.replace(/^"(.*)"$/, "$1")) }));
  return {
    ...ref,
    comment: (r.comment as string | null) ?? "",
    dataset: isDataset,
    columns: cols
      .filter((c) => !own.has(c.name))
      .map((c) => ({
        name: c.name,
        type: c.type,
        nullable: !c.notnull,
        ...(c.default !== null && c.default !== undefined && !c.generated && !c.identity ? { defaultValue: c.default } : {}),
        comment: c.comment ?? "",
      })),
    primaryKey: pk,
    indexes,
  };
}

// ---------------------------------------------------------------- update

/** The statements that take the table from `olds` to `news` (never a replacing change). */
export function alterStatements(olds: Inputs, news: Inputs): SqlPart[] {
  const t = qualified(olds);
  const d = diffColumns(olds.columns, news.columns, POSTGRES_TYPES);
  const out: SqlPart[] = [];
  const col = (c: string) => sql`${t}.${ident(c)}`;
  // Indexes whose definition changes or that go: dropped first (a dropped column takes its indexes along).
  const before = new Map((olds.indexes ?? []).map((ix) => [ix.name, ix]));
  const after = new Map((news.indexes ?? []).map((ix) => [ix.name, ix]));
  const same = (a: Index, b: Index) => a.method === b.method && a.unique === b.unique && a.columns.join(",") === b.columns.join(",");
  for (const [n, ix] of before) if (!after.has(n) || !same(ix, after.get(n)!)) out.push(sql`DROP INDEX IF EXISTS ${qualified({ schema: olds.schema, name: n })}`);
  for (const r of d.renames) out.push(sql`ALTER TABLE ${t} RENAME COLUMN ${ident(r.oldName)} TO ${ident(r.newName)}`);
  for (const c of d.add) {
    out.push(sql`ALTER TABLE ${t} ADD COLUMN ${ident(c.name)} ${type(c.type)}${c.defaultValue !== null ? sql` DEFAULT ${defaultExpr(c.defaultValue)}` : NOTHING}`);
    if (!c.nullable) out.push(sql`ALTER TABLE ${t} ALTER COLUMN ${ident(c.name)} SET NOT NULL`);
    if (c.comment) out.push(sql`COMMENT ON COLUMN ${col(c.name)} IS ${literal(c.comment)}`);
  }
  for (const { column: c, before: b } of d.modify) {
    if (c.type !== b.type) out.push(sql`ALTER TABLE ${t} ALTER COLUMN ${ident(c.name)} TYPE ${type(c.type)}`);
    if (c.nullable !== b.nullable) out.push(c.nullable ? sql`ALTER TABLE ${t} ALTER COLUMN ${ident(c.name)} DROP NOT NULL` : sql`ALTER TABLE ${t} ALTER COLUMN ${ident(c.name)} SET NOT NULL`);
    if (c.defaultValue !== b.defaultValue) {
      out.push(c.defaultValue === null ? sql`ALTER TABLE ${t} ALTER COLUMN ${ident(c.name)} DROP DEFAULT` : sql`ALTER TABLE ${t} ALTER COLUMN ${ident(c.name)} SET DEFAULT ${defaultExpr(c.defaultValue)}`);
    }
    if (c.comment !== b.comment) out.push(sql`COMMENT ON COLUMN ${col(c.name)} IS ${literal(c.comment || null)}`);
  }
  for (const n of d.drop) out.push(sql`ALTER TABLE ${t} DROP COLUMN ${ident(n)}`);
  for (const [n, ix] of after) if (!before.has(n) || !same(before.get(n)!, ix)) out.push(indexStatement(olds, ix));
  if ((olds.comment ?? "") !== news.comment) out.push(sql`COMMENT ON TABLE ${t} IS ${literal(news.comment || null)}`);
  return out;
}

/** Statements as one script in one call: PostgreSQL runs a multi-statement query as one transaction. */
export async function runScript(api: CartoApi, statements: SqlPart[]): Promise<void> {
  if (statements.length === 0) return;
  await api.sql(script([sql`BEGIN`, ...statements, sql`COMMIT`]));
}

const normalizeColumns = (v: unknown) => (v as ColumnSpec[]).map((c) => normalizeColumn(c, POSTGRES_TYPES));
const normalizeIndexes = (v: unknown) =>
  [...(v as Index[])].map((ix) => ({ name: ix.name, columns: ix.columns, method: ix.method ?? "btree", unique: Boolean(ix.unique) })).sort((a, b) => a.name.localeCompare(b.name));

export const cartoTable = defineCartoResource({
  kind: "Table",
  description:
    "A PostgreSQL/PostGIS table in a CARTO account (geometry(<subtype>,<srid>) columns, primary key, indexes including GiST), optionally a CARTO dataset (cartodb_id, the_geom, the_geom_webmercator kept in sync). " +
    "Safe column changes (add, widen, comment, default) apply in place in one statement script; data-losing ones need allowDataLoss; changes PostgreSQL cannot make in place (schema, name, primary key, dataset, a type change without a cast) need allowReplace — refused at preview otherwise, saying what would be lost. Drift is read from the catalog through the SQL API.",
  inputs: cartoTableInputs,
  id: OBJECT_ID,
  replaceOn: ["schema", "name", "primaryKey", "dataset", "columns"],
  replaceWhen: { columns: (olds, news) => typeChangesNeedingReplace(olds as ColumnSpec[], news as ColumnSpec[]).length > 0 },
  replaceWhenDoc: { columns: "a type change PostgreSQL cannot make in place (no cast without USING: text → integer, another SRID, …) replaces; every other column change is in place" },
  replaceOptIn: { field: "allowReplace", what: (t) => `the table ${t.schema}.${t.name}` },
  uniqueBy: "name",
  normalize: { columns: normalizeColumns, indexes: normalizeIndexes },
  outputs: {},

  validateChange: columnDataLoss(POSTGRES_TYPES),

  async create(ctx, inputs) {
    await runScript(ctx.api, createStatements(inputs));
    const id = OBJECT_ID.encode(inputs);
    ctx.created(id);
    return { id }; // the engine reads it back from the catalog
  },

  read: (api, id, state) => readTable(api, splitId(id), state),

  observe: (raw: TableRaw) => ({
    schema: raw.schema,
    name: raw.name,
    comment: raw.comment,
    dataset: raw.dataset,
    columns: raw.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable, comment: c.comment, ...(c.defaultValue !== undefined ? { defaultValue: c.defaultValue } : {}) })),
    primaryKey: raw.primaryKey,
    indexes: raw.indexes,
  }),

  async update(ctx, id, olds, news) {
    const statements = alterStatements(olds, news);
    if (statements.length) ctx.progress(`altering ${id}: ${statements.length} statement(s) in one transaction`);
    await runScript(ctx.api, statements);
  },

  // The user's tables (never CARTO's or PostGIS's own: catalog.ts), each read as refresh reads it:
  // geometry columns with subtype and SRID, a cartodbfied table as dataset: true without its own
  // columns and GiST indexes, secondary indexes, column defaults and comments.
  exporter: {
    async list(api) {
      const out: { id: string; raw: TableRaw; name: string; schema: string }[] = [];
      for (const ref of await listRelations(api, ["r", "p"])) {
        const raw = await readFromCatalog(api, ref);
        if (raw) out.push({ id: OBJECT_ID.encode(ref), raw, name: ref.name, schema: ref.schema });
      }
      return out;
    },
  },

  delete: (api, id) => api.sql(sql`DROP TABLE IF EXISTS ${qualified(splitId(id))}`).then(() => undefined),
});
