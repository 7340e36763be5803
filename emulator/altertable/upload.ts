/**
 * File uploads: POST /upsert (vendor doc) and POST /upload (old docs, current spec and mock).
 * The body is streamed to a temporary file (never held in memory), its format is taken from the
 * Content-Type or sniffed from its first bytes, and DuckDB loads it inside one transaction.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pipeline } from "node:stream/promises";
import type { IncomingMessage } from "node:http";
import { DuckDBConnection } from "@duckdb/node-api";
import { Engine, engineMessage, ident, lit } from "./engine";
import { HttpError } from "../framework/server";

export type UploadMode = "create" | "append" | "upsert" | "overwrite";
export type FileFormat = "csv" | "json_array" | "jsonl" | "parquet";

export interface UploadSpec {
  catalog: string;
  schema: string;
  table: string;
  mode: UploadMode;
  primaryKey: string[];
  cursorField?: string;
  /** Explicit `format` query parameter (csv|json|parquet) of the older /upload. */
  format?: string;
}

export const plain = (status: number, message: string) => new HttpError(status, message, { "content-type": "text/plain; charset=utf-8" });

/** Streams a request body into a fresh temporary file; returns its path and size. */
export async function receiveToFile(body: IncomingMessage, tmpRoot = os.tmpdir()): Promise<{ file: string; dir: string; size: number }> {
  const dir = fs.mkdtempSync(path.join(tmpRoot, "altertable-upload-"));
  const file = path.join(dir, "body");
  try {
    await pipeline(body, fs.createWriteStream(file, { highWaterMark: 1 << 20 }));
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return { file, dir, size: fs.statSync(file).size };
}

/** Content-Type first (when it names a format), then magic bytes. */
export function detectFormat(file: string, contentType: string | undefined, explicit?: string): FileFormat {
  const sniffed = sniff(file);
  const jsonKind = (): FileFormat => (sniffed === "json_array" ? "json_array" : "jsonl");
  if (explicit) {
    switch (explicit.toLowerCase()) {
      case "csv":
        return "csv";
      case "json":
      case "jsonl":
      case "ndjson":
        return jsonKind();
      case "parquet":
        return "parquet";
      default:
        throw plain(400, `Unsupported format: ${explicit} (expected csv, json or parquet)`);
    }
  }
  const ct = (contentType ?? "").split(";")[0].trim().toLowerCase();
  if (ct === "application/x-ndjson" || ct === "application/jsonl" || ct === "application/x-jsonlines" || ct === "application/jsonlines") return "jsonl";
  if (ct === "application/json" || /^application\/[^/]+\+json$/.test(ct)) return jsonKind();
  if (ct === "text/csv" || ct === "application/csv") return "csv";
  if (ct === "application/parquet" || ct === "application/vnd.apache.parquet" || ct === "application/x-parquet") return "parquet";
  // application/octet-stream, text/plain, curl's default application/x-www-form-urlencoded, none: sniff.
  return sniffed;
}

function sniff(file: string): FileFormat {
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.alloc(4096);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    const head = buf.subarray(0, n);
    if (head.subarray(0, 4).toString("latin1") === "PAR1") return "parquet";
    let i = 0;
    if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3;
    while (i < head.length && (head[i] === 0x20 || head[i] === 0x09 || head[i] === 0x0a || head[i] === 0x0d)) i++;
    if (head[i] === 0x5b) return "json_array";
    if (head[i] === 0x7b) return "jsonl";
    return "csv";
  } finally {
    fs.closeSync(fd);
  }
}

export function sourceSql(file: string, format: FileFormat): string {
  switch (format) {
    case "csv":
      return `read_csv_auto(${lit(file)}, header = true)`;
    case "json_array":
      return `read_json_auto(${lit(file)}, format = 'array')`;
    case "jsonl":
      // 'auto' also accepts one (pretty-printed) object, which is what a `{…}` body can be.
      return `read_json_auto(${lit(file)}, format = 'auto')`;
    case "parquet":
      return `read_parquet(${lit(file)})`;
  }
}

export async function tableColumns(conn: DuckDBConnection, catalog: string, schema: string, table: string): Promise<{ name: string; type: string }[]> {
  const r = await conn.runAndReadAll(
    `SELECT column_name, data_type FROM duckdb_columns() WHERE lower(database_name) = lower($1) AND lower(schema_name) = lower($2) AND lower(table_name) = lower($3) ORDER BY column_index`,
    [catalog, schema, table],
  );
  return r.getRows().map((row) => ({ name: String(row[0]), type: String(row[1]) }));
}

/** The table's name as stored (case-insensitive lookup), or undefined. */
export async function findTable(conn: DuckDBConnection, catalog: string, schema: string, table: string): Promise<string | undefined> {
  const r = await conn.runAndReadAll(
    `SELECT table_name FROM duckdb_tables() WHERE lower(database_name) = lower($1) AND lower(schema_name) = lower($2) AND lower(table_name) = lower($3)`,
    [catalog, schema, table],
  );
  const rows = r.getRows();
  return rows.length ? String(rows[0][0]) : undefined;
}

/** Loads `file` into catalog.schema.table per `spec`, all or nothing. Throws a 400 text/plain HttpError on failure. */
export async function loadFile(engine: Engine, spec: UploadSpec, file: string, format: FileFormat): Promise<void> {
  const conn = await engine.connect(spec.catalog, "main");
  const target = `${ident(spec.catalog)}.${ident(spec.schema)}.${ident(spec.table)}`;
  const src = sourceSql(file, format);
  let open = false;
  try {
    await conn.run("BEGIN TRANSACTION");
    open = true;
    await conn.run(`CREATE SCHEMA IF NOT EXISTS ${ident(spec.catalog)}.${ident(spec.schema)}`);
    const existing = await findTable(conn, spec.catalog, spec.schema, spec.table);
    switch (spec.mode) {
      case "create":
        if (existing) throw plain(400, `Table ${spec.catalog}.${spec.schema}.${existing} already exists`);
        await conn.run(`CREATE TABLE ${target} AS SELECT * FROM ${src}`);
        break;
      case "append":
        if (existing) await conn.run(`INSERT INTO ${target} BY NAME SELECT * FROM ${src}`);
        else await conn.run(`CREATE TABLE ${target} AS SELECT * FROM ${src}`);
        break;
      case "overwrite":
        if (existing) await conn.run(`DROP TABLE ${target}`);
        await conn.run(`CREATE TABLE ${target} AS SELECT * FROM ${src}`);
        break;
      case "upsert":
        await upsert(conn, spec, target, src, existing !== undefined);
        break;
    }
    await conn.run("COMMIT");
    open = false;
  } catch (e) {
    if (open) await conn.run("ROLLBACK").catch(() => undefined);
    if (e instanceof HttpError) throw e;
    throw plain(400, engineMessage(e));
  } finally {
    engine.release(conn);
  }
}

async function upsert(conn: DuckDBConnection, spec: UploadSpec, target: string, src: string, exists: boolean): Promise<void> {
  const described = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${src}`);
  const srcCols = described.getRows().map((r) => ({ name: String(r[0]), type: String(r[1]) }));
  const find = (name: string) => srcCols.find((c) => c.name.toLowerCase() === name.toLowerCase());
  const keys = spec.primaryKey.map((k) => {
    const c = find(k);
    if (!c) throw plain(400, `Primary key column "${k}" not found in the uploaded data (columns: ${srcCols.map((c) => c.name).join(", ")})`);
    return c.name;
  });
  const cursor = spec.cursorField ? find(spec.cursorField)?.name : undefined;
  if (spec.cursorField && !cursor) throw plain(400, `Cursor field "${spec.cursorField}" not found in the uploaded data`);

  // One row per key: the newest cursor (NULL never wins), then the last row of the batch.
  const order = [...(cursor ? [`${ident(cursor)} DESC NULLS LAST`] : []), "__altertable_rn DESC"].join(", ");
  await conn.run(`DROP TABLE IF EXISTS temp.main.__altertable_stage`);
  await conn.run(
    `CREATE TEMP TABLE __altertable_stage AS SELECT * EXCLUDE (__altertable_rn) FROM (SELECT *, row_number() OVER () AS __altertable_rn FROM ${src})
     QUALIFY row_number() OVER (PARTITION BY ${keys.map(ident).join(", ")} ORDER BY ${order}) = 1`,
  );
  const stage = "temp.main.__altertable_stage";
  try {
    if (!exists) {
      const defs = srcCols.map((c) => `${ident(c.name)} ${c.type}`).join(", ");
      await conn.run(`CREATE TABLE ${target} (${defs}, PRIMARY KEY (${keys.map(ident).join(", ")}))`);
      await conn.run(`INSERT INTO ${target} BY NAME SELECT * FROM ${stage}`);
      return;
    }
    const tcols = await tableColumns(conn, spec.catalog, spec.schema, spec.table);
    const tfind = (name: string) => tcols.find((c) => c.name.toLowerCase() === name.toLowerCase());
    const missing = srcCols.filter((c) => !tfind(c.name));
    if (missing.length) throw plain(400, `Column(s) ${missing.map((c) => c.name).join(", ")} do not exist in table ${spec.catalog}.${spec.schema}.${spec.table}`);
    const on = keys.map((k) => `t.${ident(k)} = s.${ident(k)}`).join(" AND ");
    const updatable = srcCols.filter((c) => !keys.some((k) => k.toLowerCase() === c.name.toLowerCase()));
    const guard = cursor ? ` AND s.${ident(cursor)} IS NOT NULL AND (t.${ident(cursor)} IS NULL OR s.${ident(cursor)} >= t.${ident(cursor)})` : "";
    const matched = updatable.length ? `WHEN MATCHED${guard} THEN UPDATE SET ${updatable.map((c) => `${ident(c.name)} = s.${ident(c.name)}`).join(", ")}` : "";
    const cols = srcCols.map((c) => ident(c.name)).join(", ");
    const vals = srcCols.map((c) => `s.${ident(c.name)}`).join(", ");
    await conn.run(`MERGE INTO ${target} AS t USING ${stage} AS s ON ${on} ${matched} WHEN NOT MATCHED THEN INSERT (${cols}) VALUES (${vals})`);
  } finally {
    await conn.run(`DROP TABLE IF EXISTS ${stage}`).catch(() => undefined);
  }
}
