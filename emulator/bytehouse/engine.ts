/**
 * The embedded SQL engine behind the ByteHouse emulator: one DuckDB database per emulator
 * (a file next to the JSON state, or in memory), one DuckDB schema per ByteHouse database.
 *
 * DuckDB is opened lazily (the emulator's constructor is synchronous). Every REST operation
 * runs through `exclusive`, which serialises use of the shared connection (so a PATCH's
 * transaction never interleaves with another request). Async queries get a connection of
 * their own (so they can be interrupted).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DuckDBConnection, DuckDBInstance, DuckDBResultReader } from "@duckdb/node-api";

/** Quotes an identifier / a string literal for DuckDB. */
export const qi = (s: string) => `"${String(s).replace(/"/g, '""')}"`;
export const ql = (s: string) => `'${String(s).replace(/'/g, "''")}'`;

/** ClickHouse functions commonly used in queries, as DuckDB macros (per connection). */
const MACROS = [
  "toDate(x) AS CAST(x AS DATE)",
  "toDate32(x) AS CAST(x AS DATE)",
  "toDateTime(x) AS CAST(x AS TIMESTAMP)",
  "toString(x) AS CAST(x AS VARCHAR)",
  "toInt8(x) AS CAST(x AS TINYINT)",
  "toInt16(x) AS CAST(x AS SMALLINT)",
  "toInt32(x) AS CAST(x AS INTEGER)",
  "toInt64(x) AS CAST(x AS BIGINT)",
  "toUInt8(x) AS CAST(x AS UTINYINT)",
  "toUInt16(x) AS CAST(x AS USMALLINT)",
  "toUInt32(x) AS CAST(x AS UINTEGER)",
  "toUInt64(x) AS CAST(x AS UBIGINT)",
  "toFloat32(x) AS CAST(x AS FLOAT)",
  "toFloat64(x) AS CAST(x AS DOUBLE)",
  "toStartOfDay(x) AS date_trunc('day', x)",
  "toStartOfMonth(x) AS CAST(date_trunc('month', x) AS DATE)",
  "toYYYYMM(x) AS CAST(strftime(x, '%Y%m') AS INTEGER)",
  "toYYYYMMDD(x) AS CAST(strftime(x, '%Y%m%d') AS INTEGER)",
  "today() AS current_date",
  "numbers(n) AS TABLE SELECT range AS number FROM range(n)",
];

const SYSTEM_SCHEMAS = new Set(["main", "information_schema", "pg_catalog"]);

/** Result rows as JSON-friendly objects: 64-bit integers become numbers when exact, else strings; dates as text. */
export function rowsOf(reader: DuckDBResultReader): Record<string, unknown>[] {
  const js = reader.getRowObjectsJS();
  const json = reader.getRowObjectsJson();
  return js.map((row, i) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) {
      if (typeof v === "bigint") out[k] = v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
      else if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = v;
      else out[k] = json[i][k];
    }
    return out;
  });
}

export async function query(conn: DuckDBConnection, sql: string, params?: (string | number | boolean | null)[]): Promise<Record<string, unknown>[]> {
  return rowsOf(await conn.runAndReadAll(sql, params as any));
}

/** The message of a DuckDB error, first line (the rest is a caret drawing). */
export const engineMessage = (e: unknown) => String((e as Error)?.message ?? e).split("\n")[0];

interface Opened {
  inst: DuckDBInstance;
  conn: DuckDBConnection;
  catalog: string;
}

export class Engine {
  private opening?: Promise<Opened>;
  private queue: Promise<unknown> = Promise.resolve();
  private syncedState?: object;
  private readonly extra = new Set<DuckDBConnection>();
  private closed = false;

  constructor(readonly file?: string) {}

  private open(): Promise<Opened> {
    if (this.closed) return Promise.reject(new Error("the SQL engine is closed"));
    return (this.opening ??= (async () => {
      if (this.file) fs.mkdirSync(path.dirname(this.file), { recursive: true });
      const inst = await DuckDBInstance.create(this.file ?? ":memory:");
      const conn = await inst.connect();
      await this.prepare(conn);
      const catalog = String((await query(conn, "SELECT current_database() AS c"))[0].c);
      return { inst, conn, catalog };
    })());
  }

  private async prepare(conn: DuckDBConnection): Promise<void> {
    for (const m of MACROS) await conn.run(`CREATE OR REPLACE TEMP MACRO ${m}`);
  }

  /** Runs `fn` with the shared connection, alone; first aligns DuckDB schemas with the state's databases. */
  exclusive<T>(state: { databases: Record<string, unknown> }, fn: (conn: DuckDBConnection, catalog: string) => Promise<T>): Promise<T> {
    const run = async () => {
      const { conn, catalog } = await this.open();
      if (this.syncedState !== state) {
        await this.syncSchemas(conn, catalog, state);
        this.syncedState = state;
      }
      return fn(conn, catalog);
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** After a restart or a reset: one schema per database, nothing else. */
  private async syncSchemas(conn: DuckDBConnection, catalog: string, state: { databases: Record<string, unknown> }): Promise<void> {
    const rows = await query(conn, "SELECT DISTINCT schema_name AS s FROM duckdb_schemas() WHERE database_name = $1", [catalog]);
    const have = new Set(rows.map((r) => String(r.s)));
    for (const s of have) if (!SYSTEM_SCHEMAS.has(s) && !(s in state.databases)) await conn.run(`DROP SCHEMA ${qi(catalog)}.${qi(s)} CASCADE`);
    for (const db of Object.keys(state.databases)) if (!have.has(db)) await conn.run(`CREATE SCHEMA IF NOT EXISTS ${qi(catalog)}.${qi(db)}`);
  }

  /** A connection of its own (async queries); closed with the engine. */
  async connect(): Promise<{ conn: DuckDBConnection; catalog: string }> {
    const { inst, catalog } = await this.open();
    const conn = await inst.connect();
    await this.prepare(conn);
    this.extra.add(conn);
    return { conn, catalog };
  }

  release(conn: DuckDBConnection): void {
    if (this.extra.delete(conn)) conn.closeSync();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.extra) c.interrupt();
    await this.queue.catch(() => undefined);
    if (!this.opening) return;
    const { inst, conn } = await this.opening.catch(() => ({ inst: undefined, conn: undefined }));
    for (const c of this.extra) {
      try {
        c.closeSync();
      } catch {
        /* already closed */
      }
    }
    this.extra.clear();
    conn?.closeSync();
    inst?.closeSync();
  }
}
