/**
 * Tables (create, get, list, update, delete) and partitions. Rows live in DuckDB (one schema per
 * database); columns are read back from DuckDB's catalog, so changes made through SQL show up here.
 */
import { randomUUID } from "node:crypto";
import type { DuckDBConnection } from "@duckdb/node-api";
import { HttpError, Route, paginate } from "../framework/server";
import { BYTEHOUSE_PAGE, BYTEHOUSE_ROUTES as R } from "../../provider/bytehouse/contract";
import type { WireColumn, WirePartition, WirePartitionKey, WireTable, WireTtl } from "../../provider/bytehouse/contract";
import { BhContext } from "./context";
import { engineMessage, qi, ql, query } from "./engine";
import { transaction } from "../framework/duckdb";
import { bad, fail, isObject, now } from "./common";
import { BhTable, ByteHouseState } from "./state";
import { MappedType, TypeError_, duckToCh, implicitDefault, mapChType, sameDuck } from "./types";

export function defaultMeta(database: string, name: string): BhTable {
  return { uuid: randomUUID(), name, database, description: "", createdAt: now(), declared: {}, orderByKeys: [], samplingKey: null, partitionKeys: [], primaryKeys: [], ttl: null, uniqueKey: null, clusterKey: null };
}

/** The metadata of a table (entries written by hand or by older versions get defaults). */
export function metaOf(s: ByteHouseState, db: string, table: string): BhTable {
  const raw = (s.tables[db]?.[table] ?? {}) as Partial<BhTable>;
  return { ...defaultMeta(db, table), ...raw, declared: raw.declared ?? {} };
}

export interface CatalogColumn {
  name: string;
  duck: string;
  nullable: boolean;
  defaultSql: string | null;
  comment: string | null;
}

export async function tableExists(conn: DuckDBConnection, catalog: string, db: string, table: string): Promise<boolean> {
  const r = await query(conn, "SELECT 1 FROM duckdb_tables() WHERE database_name = $1 AND schema_name = $2 AND table_name = $3", [catalog, db, table]);
  return r.length > 0;
}

export async function catalogColumns(conn: DuckDBConnection, catalog: string, db: string, table: string): Promise<CatalogColumn[]> {
  const rows = await query(
    conn,
    "SELECT column_name, data_type, is_nullable, column_default, comment FROM duckdb_columns() WHERE database_name = $1 AND schema_name = $2 AND table_name = $3 ORDER BY column_index",
    [catalog, db, table],
  );
  return rows.map((r) => ({
    name: String(r.column_name),
    duck: String(r.data_type),
    nullable: r.is_nullable === true,
    defaultSql: r.column_default === null ? null : String(r.column_default),
    comment: r.comment === null || r.comment === "" ? null : String(r.comment),
  }));
}

/** A default expression as the API's defaultValue: literals unquoted, other expressions as written. */
export function defaultValueOf(sql: string | null): string | null {
  if (sql === null) return null;
  const lit = /^'((?:[^']|'')*)'$/.exec(sql);
  if (lit) return lit[1].replace(/''/g, "'");
  const cast = /^CAST\('((?:[^']|'')*)' AS [^)]+\)$/i.exec(sql);
  if (cast) return cast[1].replace(/''/g, "'");
  return sql;
}

const WIDTH: Record<string, number> = { TINYINT: 1, UTINYINT: 1, BOOLEAN: 1, SMALLINT: 2, USMALLINT: 2, INTEGER: 4, UINTEGER: 4, FLOAT: 4, DATE: 4, BIGINT: 8, UBIGINT: 8, DOUBLE: 8, TIMESTAMP: 8, HUGEINT: 16, UUID: 16 };
const rowWidth = (cols: CatalogColumn[]) => cols.reduce((n, c) => n + (WIDTH[c.duck.toUpperCase()] ?? 16), 0);

export function reportColumn(meta: BhTable, c: CatalogColumn): Required<WireColumn> {
  const decl = meta.declared[c.name];
  const type = decl && sameDuck(decl.duck, c.duck) ? decl.ch : duckToCh(c.duck);
  return { name: c.name, type, nullable: c.nullable, defaultValue: defaultValueOf(c.defaultSql), comment: c.comment };
}

export async function describeTable(conn: DuckDBConnection, catalog: string, s: ByteHouseState, db: string, table: string): Promise<WireTable | undefined> {
  if (!(await tableExists(conn, catalog, db, table))) return undefined;
  const meta = metaOf(s, db, table);
  const cols = await catalogColumns(conn, catalog, db, table);
  const rowCount = Number((await query(conn, `SELECT count(*) AS n FROM ${qi(catalog)}.${qi(db)}.${qi(table)}`))[0].n);
  return {
    uuid: meta.uuid,
    name: table,
    database: db,
    description: meta.description,
    columns: cols.map((c) => reportColumn(meta, c)),
    orderByKeys: meta.orderByKeys,
    samplingKey: meta.samplingKey,
    partitionKeys: meta.partitionKeys,
    primaryKeys: meta.primaryKeys,
    ttl: meta.ttl,
    uniqueKey: meta.uniqueKey,
    clusterKey: meta.clusterKey,
    rowCount,
    sizeInBytes: rowCount * rowWidth(cols),
    createdAt: meta.createdAt,
  };
}

/** Aligns table metadata with DuckDB's catalog (after SQL DDL): new tables get metadata, dropped ones lose it. */
export async function reconcileTables(conn: DuckDBConnection, catalog: string, s: ByteHouseState): Promise<void> {
  const rows = await query(conn, "SELECT schema_name AS s, table_name AS t FROM duckdb_tables() WHERE database_name = $1 AND NOT temporary", [catalog]);
  const bySchema = new Map<string, Set<string>>();
  for (const r of rows) {
    const set = bySchema.get(String(r.s)) ?? new Set<string>();
    set.add(String(r.t));
    bySchema.set(String(r.s), set);
  }
  for (const db of Object.keys(s.databases)) {
    const present = bySchema.get(db) ?? new Set<string>();
    const tables = (s.tables[db] ??= {});
    for (const t of present) if (!tables[t]) tables[t] = defaultMeta(db, t);
    for (const t of Object.keys(tables)) if (!present.has(t)) delete tables[t];
    if (!Object.keys(tables).length) delete s.tables[db];
  }
  for (const db of Object.keys(s.tables)) if (!s.databases[db]) delete s.tables[db];
}

// ------------------------------------------------------------------ validation

interface ColumnSpec {
  name: string;
  mapped: MappedType;
  nullable: boolean;
  /** undefined = not given, null = none. */
  defaultValue?: string | null;
  comment?: string | null;
}

function columnSpec(c: any, where: string): ColumnSpec {
  if (!isObject(c)) throw bad(`${where}: each column must be an object`);
  if (typeof c.name !== "string" || !c.name) throw bad(`${where}: column name is required`);
  if (typeof c.type !== "string" || !c.type) throw bad(`${where}: column ${c.name}: type is required`);
  let mapped: MappedType;
  try {
    mapped = mapChType(c.type);
  } catch (e) {
    if (e instanceof TypeError_) throw bad(`${where}: column ${c.name}: unknown or unsupported type "${c.type}"`);
    throw e;
  }
  if (c.nullable !== undefined && c.nullable !== null && typeof c.nullable !== "boolean") throw bad(`${where}: column ${c.name}: nullable must be a boolean`);
  const dv = c.defaultValue;
  if (dv !== undefined && dv !== null && !["string", "number", "boolean"].includes(typeof dv)) throw bad(`${where}: column ${c.name}: defaultValue must be a string`);
  if (c.comment !== undefined && c.comment !== null && typeof c.comment !== "string") throw bad(`${where}: column ${c.name}: comment must be a string`);
  return {
    name: c.name,
    mapped,
    nullable: c.nullable === true || mapped.nullable,
    defaultValue: dv === undefined ? undefined : dv === null ? null : String(dv),
    comment: c.comment === undefined ? undefined : c.comment === null || c.comment === "" ? null : c.comment,
  };
}

const stringArray = (v: unknown, field: string): string[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw bad(`${field} must be an array of strings`);
  return v as string[];
};
const isEmpty = (v: unknown) => v === undefined || v === null || (isObject(v) && Object.keys(v).length === 0);
const TTL_UNITS = ["DAY", "WEEK", "MONTH", "YEAR"];

function validateTtl(v: any, columns: Map<string, string>): WireTtl {
  if (!isObject(v)) throw bad("ttl must be an object");
  const { column, interval, unit } = v as any;
  if (typeof column !== "string" || !columns.has(column)) throw bad(`ttl.column "${column}" is not a column of the table`);
  if (!/^(DATE|TIMESTAMP)/i.test(columns.get(column)!)) throw bad(`ttl.column "${column}" must be a Date or DateTime column`);
  if (!Number.isInteger(interval) || interval <= 0) throw bad("ttl.interval must be an integer > 0");
  if (!TTL_UNITS.includes(unit)) throw bad(`ttl.unit must be one of ${TTL_UNITS.join(", ")}`);
  return { column, interval, unit };
}

function keyColumns(meta: BhTable): Set<string> {
  return new Set([
    ...meta.orderByKeys,
    ...meta.primaryKeys,
    ...(meta.samplingKey ? [meta.samplingKey] : []),
    ...meta.partitionKeys.map((p) => p.column),
    ...(meta.uniqueKey?.columns ?? []),
    ...(meta.clusterKey?.columns ?? []),
    ...(meta.ttl ? [meta.ttl.column] : []),
  ]);
}
export { keyColumns };

const colSql = (c: ColumnSpec) => `${qi(c.name)} ${c.mapped.duck}${c.nullable ? "" : " NOT NULL"}${c.defaultValue != null ? ` DEFAULT ${ql(c.defaultValue)}` : ""}`;

async function inTransaction(conn: DuckDBConnection, statements: string[], onError: (msg: string) => HttpError): Promise<void> {
  try {
    await transaction(conn, async () => {
      for (const st of statements) await conn.run(st);
    });
  } catch (e) {
    throw onError(engineMessage(e));
  }
}

const notFound = (db: string, t: string) => fail(404, `table ${db}.${t} not found`, "TABLE_NOT_FOUND");
const dbNotFound = (db: string) => fail(404, `database ${db} not found`, "DATABASE_NOT_FOUND");

// ------------------------------------------------------------------ partitions

function partitionExpr(meta: BhTable, cols: CatalogColumn[]): string {
  const key = meta.partitionKeys[0];
  if (!key || !cols.some((c) => c.name === key.column)) return "'all'";
  const col = qi(key.column);
  switch ((key.granularity ?? "").toLowerCase()) {
    case "year":
      return `strftime(CAST(${col} AS DATE), '%Y')`;
    case "month":
      return `strftime(CAST(${col} AS DATE), '%Y%m')`;
    case "day":
      return `strftime(CAST(${col} AS DATE), '%Y%m%d')`;
    case "hour":
      return `strftime(CAST(${col} AS TIMESTAMP), '%Y%m%d%H')`;
    default:
      return `coalesce(CAST(${col} AS VARCHAR), 'null')`;
  }
}

async function partitions(conn: DuckDBConnection, catalog: string, s: ByteHouseState, db: string, table: string): Promise<{ list: WirePartition[]; expr: string }> {
  if (!(await tableExists(conn, catalog, db, table))) throw notFound(db, table);
  const meta = metaOf(s, db, table);
  const cols = await catalogColumns(conn, catalog, db, table);
  const expr = partitionExpr(meta, cols);
  const rows = await query(conn, `SELECT ${expr} AS name, count(*) AS n FROM ${qi(catalog)}.${qi(db)}.${qi(table)} GROUP BY 1 ORDER BY 1`);
  const w = rowWidth(cols);
  return { list: rows.map((r) => ({ name: String(r.name), rowCount: Number(r.n), sizeInBytes: Number(r.n) * w })), expr };
}

// ------------------------------------------------------------------ routes

export function tableRoutes(ctx: BhContext): Route<ByteHouseState>[] {
  const ex = <T>(s: ByteHouseState, fn: (conn: DuckDBConnection, catalog: string) => Promise<T>) => ctx.engine.exclusive(s, fn);
  const needDb = (s: ByteHouseState, db: string) => {
    if (!s.databases[db]) throw dbNotFound(db);
  };

  const list = (views: boolean): Route<ByteHouseState>["handler"] => async (req, s) => {
    const db = req.params.p0;
    needDb(s, db);
    const filter = req.query.get("filter") ?? "";
    return ex(s, async (conn, catalog) => {
      const rows = await query(
        conn,
        `SELECT table_name AS name, 'TABLE' AS type FROM duckdb_tables() WHERE database_name = $1 AND schema_name = $2 ${views ? "UNION ALL SELECT view_name, 'VIEW' FROM duckdb_views() WHERE database_name = $1 AND schema_name = $2 AND NOT internal" : ""} ORDER BY 1`,
        [catalog, db],
      );
      const all = rows.filter((r) => String(r.name).includes(filter));
      const { page, meta } = paginate(all, req.query, BYTEHOUSE_PAGE, bad);
      const data = [];
      for (const r of page) {
        if (r.type === "VIEW") {
          const cols = await catalogColumns(conn, catalog, db, String(r.name));
          data.push({ name: r.name, database: db, type: "VIEW", columns: cols.map((c) => reportColumn(defaultMeta(db, String(r.name)), c)) });
        } else data.push({ ...(await describeTable(conn, catalog, s, db, String(r.name))), type: "TABLE" });
      }
      return { status: 200, body: { data, meta } };
    });
  };

  return [
    { method: "GET", pattern: R.tables, handler: list(false) },
    { method: "GET", pattern: R.tablesAndViews, handler: list(true) },
    {
      method: "POST",
      pattern: R.tables,
      handler: async (req, s) => {
        const db = req.params.p0;
        needDb(s, db);
        const b = req.body;
        if (!isObject(b)) throw bad("a JSON body is required");
        if (typeof b.name !== "string" || !b.name) throw bad("name is required");
        if (b.name.length > 255) throw bad("name must be 255 characters or less");
        if (b.description !== undefined && b.description !== null && typeof b.description !== "string") throw bad("description must be a string");
        if (!Array.isArray(b.columns) || !b.columns.length) throw bad("columns is required (at least one column)");
        const specs = b.columns.map((c: unknown, i: number) => columnSpec(c, `columns[${i}]`)) as ColumnSpec[];
        const names = new Map<string, string>();
        for (const c of specs) {
          if (names.has(c.name)) throw bad(`column ${c.name} is declared twice`);
          names.set(c.name, c.mapped.duck);
        }
        if (!Array.isArray(b.orderByKeys)) throw bad("orderByKeys is required");
        const key = (field: string, col: unknown) => {
          if (typeof col !== "string" || !names.has(col)) throw bad(`${field}: "${String(col)}" is not a column of the table`);
          return col;
        };
        const meta = defaultMeta(db, b.name);
        meta.description = b.description ?? "";
        meta.orderByKeys = stringArray(b.orderByKeys, "orderByKeys").map((k) => key("orderByKeys", k));
        meta.primaryKeys = stringArray(b.primaryKeys, "primaryKeys").map((k) => key("primaryKeys", k));
        if (b.samplingKey !== undefined && b.samplingKey !== null && b.samplingKey !== "") meta.samplingKey = key("samplingKey", b.samplingKey);
        if (b.partitionKeys !== undefined && b.partitionKeys !== null) {
          if (!Array.isArray(b.partitionKeys)) throw bad("partitionKeys must be an array");
          meta.partitionKeys = b.partitionKeys.map((p: any, i: number): WirePartitionKey => {
            if (!isObject(p)) throw bad(`partitionKeys[${i}] must be an object`);
            const g = (p as any).granularity;
            if (g !== undefined && g !== null && typeof g !== "string") throw bad(`partitionKeys[${i}].granularity must be a string or null`);
            return { column: key(`partitionKeys[${i}].column`, (p as any).column), granularity: g ?? null, expression: typeof (p as any).expression === "string" ? (p as any).expression : null };
          });
        }
        if (!isEmpty(b.uniqueKey)) {
          if (!isObject(b.uniqueKey)) throw bad("uniqueKey must be an object");
          const cols = stringArray((b.uniqueKey as any).columns, "uniqueKey.columns");
          if (!cols.length) throw bad("uniqueKey.columns must name at least one column");
          meta.uniqueKey = { columns: cols.map((k) => key("uniqueKey.columns", k)) };
        }
        if (!isEmpty(b.clusterKey)) {
          if (!isObject(b.clusterKey)) throw bad("clusterKey must be an object");
          const cols = stringArray((b.clusterKey as any).columns, "clusterKey.columns");
          if (!cols.length) throw bad("clusterKey.columns must name at least one column");
          const bucketCount = (b.clusterKey as any).bucketCount;
          if (!Number.isInteger(bucketCount) || bucketCount <= 0) throw bad("clusterKey.bucketCount must be an integer > 0");
          meta.clusterKey = { columns: cols.map((k) => key("clusterKey.columns", k)), bucketCount };
        }
        if (!isEmpty(b.ttl)) meta.ttl = validateTtl(b.ttl, names);
        for (const c of specs) meta.declared[c.name] = { ch: c.mapped.ch, duck: c.mapped.duck };
        const T = (catalog: string) => `${qi(catalog)}.${qi(db)}.${qi(b.name)}`;
        await ex(s, async (conn, catalog) => {
          if ((await tableExists(conn, catalog, db, b.name)) || s.tables[db]?.[b.name]) throw fail(422, `table ${db}.${b.name} already exists`, "TABLE_ALREADY_EXISTS");
          const statements = [`CREATE TABLE ${T(catalog)} (${specs.map(colSql).join(", ")})`];
          for (const c of specs) {
            if (c.defaultValue != null) statements.push(`SELECT CAST(${ql(c.defaultValue)} AS ${c.mapped.duck})`);
            if (c.comment) statements.push(`COMMENT ON COLUMN ${T(catalog)}.${qi(c.name)} IS ${ql(c.comment)}`);
          }
          await inTransaction(conn, statements, (m) => bad(m));
        });
        (s.tables[db] ??= {})[b.name] = meta;
        return { status: 200, body: { data: { uuid: meta.uuid } } };
      },
    },
    {
      method: "GET",
      pattern: R.table,
      handler: async (req, s) => {
        const [db, t] = [req.params.p0, req.params.p1];
        needDb(s, db);
        const table = await ex(s, (conn, catalog) => describeTable(conn, catalog, s, db, t));
        if (!table) throw notFound(db, t);
        return { status: 200, body: { data: table } };
      },
    },
    {
      method: "DELETE",
      pattern: R.table,
      handler: async (req, s) => {
        const [db, t] = [req.params.p0, req.params.p1];
        needDb(s, db);
        await ex(s, async (conn, catalog) => {
          if (!(await tableExists(conn, catalog, db, t))) throw notFound(db, t);
          await conn.run(`DROP TABLE ${qi(catalog)}.${qi(db)}.${qi(t)}`);
        });
        if (s.tables[db]) {
          delete s.tables[db][t];
          if (!Object.keys(s.tables[db]).length) delete s.tables[db];
        }
        return { status: 200, body: {} };
      },
    },
    {
      method: "PATCH",
      pattern: R.table,
      handler: async (req, s) => {
        const [db, t] = [req.params.p0, req.params.p1];
        needDb(s, db);
        const b = req.body ?? {};
        if (!isObject(b)) throw bad("the body must be a JSON object");
        const adds = (Array.isArray(b.addColumns) ? b.addColumns : b.addColumns == null ? [] : (() => { throw bad("addColumns must be an array"); })()).map((c: unknown, i: number) => columnSpec(c, `addColumns[${i}]`)) as ColumnSpec[];
        const modifies = (Array.isArray(b.modifyColumns) ? b.modifyColumns : b.modifyColumns == null ? [] : (() => { throw bad("modifyColumns must be an array"); })()).map((c: unknown, i: number) => columnSpec(c, `modifyColumns[${i}]`)) as ColumnSpec[];
        const drops = stringArray(b.dropColumns, "dropColumns");
        if (b.renameColumns != null && !Array.isArray(b.renameColumns)) throw bad("renameColumns must be an array");
        const renames = ((b.renameColumns ?? []) as any[]).map((r, i) => {
          if (!isObject(r) || typeof (r as any).oldName !== "string" || typeof (r as any).newName !== "string" || !(r as any).oldName || !(r as any).newName) throw bad(`renameColumns[${i}] must be {oldName, newName}`);
          return r as unknown as { oldName: string; newName: string };
        });
        if (b.isRemoveTTL !== undefined && b.isRemoveTTL !== null && typeof b.isRemoveTTL !== "boolean") throw bad("isRemoveTTL must be a boolean");
        const setTtl = !isEmpty(b.ttl);
        if (setTtl && b.isRemoveTTL === true) throw bad("ttl and isRemoveTTL cannot be used together");

        await ex(s, async (conn, catalog) => {
          if (!(await tableExists(conn, catalog, db, t))) throw notFound(db, t);
          const meta = metaOf(s, db, t);
          const keys = keyColumns(meta);
          const cols = new Map((await catalogColumns(conn, catalog, db, t)).map((c) => [c.name, c]));
          const types = new Map([...cols.values()].map((c) => [c.name, c.duck]));
          const declared = { ...meta.declared };
          const T = `${qi(catalog)}.${qi(db)}.${qi(t)}`;
          const sql: string[] = [];
          const missing = (c: string) => fail(400, `column ${c} does not exist in table ${db}.${t}`, "COLUMN_NOT_FOUND");
          for (const r of renames) {
            if (!types.has(r.oldName)) throw missing(r.oldName);
            if (types.has(r.newName)) throw fail(422, `column ${r.newName} already exists in table ${db}.${t}`, "COLUMN_ALREADY_EXISTS");
            if (keys.has(r.oldName)) throw fail(422, `column ${r.oldName} is used by a key of the table and cannot be renamed`, "KEY_COLUMN");
            sql.push(`ALTER TABLE ${T} RENAME COLUMN ${qi(r.oldName)} TO ${qi(r.newName)}`);
            types.set(r.newName, types.get(r.oldName)!);
            types.delete(r.oldName);
            if (declared[r.oldName]) declared[r.newName] = declared[r.oldName];
            delete declared[r.oldName];
          }
          for (const c of adds) {
            if (types.has(c.name)) throw fail(422, `column ${c.name} already exists in table ${db}.${t}`, "COLUMN_ALREADY_EXISTS");
            const C = `ALTER TABLE ${T} ALTER COLUMN ${qi(c.name)}`;
            const fill = c.defaultValue != null ? ql(c.defaultValue) : c.nullable ? undefined : implicitDefault(c.mapped.duck);
            if (c.defaultValue != null) sql.push(`SELECT CAST(${ql(c.defaultValue)} AS ${c.mapped.duck})`);
            sql.push(`ALTER TABLE ${T} ADD COLUMN ${qi(c.name)} ${c.mapped.duck}${fill ? ` DEFAULT ${fill}` : ""}`);
            if (!c.nullable) sql.push(`${C} SET NOT NULL`);
            if (c.defaultValue == null && fill) sql.push(`${C} DROP DEFAULT`);
            if (c.comment) sql.push(`COMMENT ON COLUMN ${T}.${qi(c.name)} IS ${ql(c.comment)}`);
            types.set(c.name, c.mapped.duck);
            declared[c.name] = { ch: c.mapped.ch, duck: c.mapped.duck };
          }
          for (const c of modifies) {
            if (!types.has(c.name)) throw missing(c.name);
            const C = `ALTER TABLE ${T} ALTER COLUMN ${qi(c.name)}`;
            if (!sameDuck(types.get(c.name)!, c.mapped.duck)) sql.push(`${C} TYPE ${c.mapped.duck}`);
            sql.push(`${C} ${c.nullable ? "DROP" : "SET"} NOT NULL`);
            if (c.defaultValue !== undefined) {
              if (c.defaultValue !== null) sql.push(`SELECT CAST(${ql(c.defaultValue)} AS ${c.mapped.duck})`);
              sql.push(c.defaultValue === null ? `${C} DROP DEFAULT` : `${C} SET DEFAULT ${ql(c.defaultValue)}`);
            }
            if (c.comment !== undefined) sql.push(`COMMENT ON COLUMN ${T}.${qi(c.name)} IS ${c.comment === null ? "NULL" : ql(c.comment)}`);
            types.set(c.name, c.mapped.duck);
            declared[c.name] = { ch: c.mapped.ch, duck: c.mapped.duck };
          }
          for (const d of drops) {
            if (!types.has(d)) throw missing(d);
            if (keys.has(d)) throw fail(422, `column ${d} is used by a key of the table and cannot be dropped`, "KEY_COLUMN");
            sql.push(`ALTER TABLE ${T} DROP COLUMN ${qi(d)}`);
            types.delete(d);
            delete declared[d];
          }
          if (types.size === 0) throw fail(422, "a table must keep at least one column", "ILLEGAL_STATE");
          let ttl = meta.ttl;
          if (b.isRemoveTTL === true) ttl = null;
          if (setTtl) ttl = validateTtl(b.ttl, types);
          await inTransaction(conn, sql, (m) => fail(422, `cannot update table ${db}.${t}: ${m}`, "ALTER_FAILED"));
          (s.tables[db] ??= {})[t] = { ...meta, declared, ttl };
        });
        return { status: 200, body: {} };
      },
    },
    // ---- partitions ----
    {
      method: "GET",
      pattern: R.partitions,
      handler: async (req, s) => {
        const [db, t] = [req.params.p0, req.params.p1];
        needDb(s, db);
        const { list: all } = await ex(s, (conn, catalog) => partitions(conn, catalog, s, db, t));
        const filter = req.query.get("filter") ?? "";
        const { page, meta } = paginate(all.filter((p) => p.name.includes(filter)), req.query, BYTEHOUSE_PAGE, bad);
        return { status: 200, body: { data: page, meta } };
      },
    },
    {
      method: "DELETE",
      pattern: R.partitions,
      handler: async (req, s) => {
        const [db, t] = [req.params.p0, req.params.p1];
        needDb(s, db);
        const names = req.body?.partitionNames;
        if (!Array.isArray(names) || !names.length || names.some((n: unknown) => typeof n !== "string")) throw bad("partitionNames must be a non-empty array of strings");
        await ex(s, async (conn, catalog) => {
          const { expr } = await partitions(conn, catalog, s, db, t);
          await conn.run(`DELETE FROM ${qi(catalog)}.${qi(db)}.${qi(t)} WHERE ${expr} IN (${names.map((n: string) => ql(n)).join(", ")})`);
        });
        return { status: 200, body: { data: "Success" } };
      },
    },
    {
      method: "GET",
      pattern: R.partitionRange,
      handler: async (req, s) => {
        const [db, t] = [req.params.p0, req.params.p1];
        needDb(s, db);
        const { list } = await ex(s, (conn, catalog) => partitions(conn, catalog, s, db, t));
        const names = list.map((p) => p.name).sort();
        return { status: 200, body: { data: { min: names[0] ?? null, max: names[names.length - 1] ?? null } } };
      },
    },
  ];
}
