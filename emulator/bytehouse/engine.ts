/**
 * The embedded SQL engine behind the ByteHouse emulator: one DuckDB database per emulator
 * (a file next to the JSON state, or in memory), one DuckDB schema per ByteHouse database.
 *
 * Built on the emulators' one DuckDB layer (framework/duckdb.ts), opened on first use. Every REST
 * operation runs through `exclusive`, which serialises use of the shared connection (so a PATCH's
 * transaction never interleaves with another request). Async queries get a connection of
 * their own (so they can be interrupted).
 */
import { DuckDBConnection } from "@duckdb/node-api";
import { DuckDb, all, engineMessage as duckMessage, quoteIdent, quoteLiteral } from "../framework/duckdb";

export { rowsOf } from "../framework/duckdb";

/** Quotes an identifier / a string literal for DuckDB. */
export const qi = quoteIdent;
export const ql = quoteLiteral;

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

export const query = all;

/** The message of a DuckDB error, first line (the rest is a caret drawing). */
export const engineMessage = (e: unknown) => duckMessage(e, { firstLine: true });

export class Engine {
  private readonly db: DuckDb;
  private catalogName?: string;
  private syncedState?: object;

  constructor(readonly file?: string) {
    this.db = new DuckDb({ file, prepare: (conn) => this.prepare(conn) });
  }

  private async prepare(conn: DuckDBConnection): Promise<void> {
    for (const m of MACROS) await conn.run(`CREATE OR REPLACE TEMP MACRO ${m}`);
  }

  private async catalog(conn: DuckDBConnection): Promise<string> {
    return (this.catalogName ??= String((await query(conn, "SELECT current_database() AS c"))[0].c));
  }

  /** Runs `fn` with the shared connection, alone; first aligns DuckDB schemas with the state's databases. */
  exclusive<T>(state: { databases: Record<string, unknown> }, fn: (conn: DuckDBConnection, catalog: string) => Promise<T>): Promise<T> {
    return this.db.exclusive(async (conn) => {
      const catalog = await this.catalog(conn);
      if (this.syncedState !== state) {
        await this.syncSchemas(conn, catalog, state);
        this.syncedState = state;
      }
      return fn(conn, catalog);
    });
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
    const conn = await this.db.connect();
    return { conn, catalog: await this.catalog(conn) };
  }

  release(conn: DuckDBConnection): void {
    this.db.release(conn);
  }

  async close(): Promise<void> {
    this.db.interruptAll();
    await this.db.close();
  }
}
