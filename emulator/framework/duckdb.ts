/**
 * The one embedded DuckDB layer of the emulators: opening and closing an instance (a file, or in
 * memory), connections (prepared by a per-emulator hook, tracked, closed with the instance), a
 * serialised shared connection, run/all with parameters, transactions, quoting helpers, rows as
 * JSON-friendly objects, and the engine's error message. Vendor behaviour (catalog attachments,
 * schema alignment, ClickHouse macros) sits on top, in emulator/<vendor>/engine.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DuckDBConnection, DuckDBInstance, DuckDBResultReader } from "@duckdb/node-api";

export type { DuckDBConnection } from "@duckdb/node-api";

export type SqlParam = string | number | boolean | null;

/** Quotes an identifier for DuckDB. */
export const quoteIdent = (name: string) => `"${String(name).replace(/"/g, '""')}"`;
/** Quotes a string literal for DuckDB. */
export const quoteLiteral = (s: string) => `'${String(s).replace(/'/g, "''")}'`;

/**
 * The engine's error message. DuckDB's messages are "<Kind> Error: text", sometimes followed by a
 * caret drawing over the statement; `firstLine` keeps only the first line.
 */
export function engineMessage(e: unknown, opts: { firstLine?: boolean } = {}): string {
  const msg = e instanceof Error ? e.message : String((e as { message?: unknown })?.message ?? e);
  return opts.firstLine ? msg.split("\n")[0] : msg;
}

/** Result rows as JSON-friendly objects: 64-bit integers become numbers when exact, else strings; other values as DuckDB's JSON. */
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

/** Runs a statement on `conn` with parameters; rows as objects. */
export async function all(conn: DuckDBConnection, sql: string, params?: SqlParam[]): Promise<Record<string, unknown>[]> {
  return rowsOf(await conn.runAndReadAll(sql, params as any));
}

/** Runs a statement on `conn` with parameters, no rows. */
export async function run(conn: DuckDBConnection, sql: string, params?: SqlParam[]): Promise<void> {
  await conn.run(sql, params as any);
}

/** Runs `fn` inside BEGIN … COMMIT on `conn`, rolling back when it throws (or when it returns `{rollback: true}`). */
export async function transaction<T>(conn: DuckDBConnection, fn: () => Promise<T>, opts: { rollback?: boolean } = {}): Promise<T> {
  await conn.run("BEGIN TRANSACTION");
  try {
    const out = await fn();
    await conn.run(opts.rollback ? "ROLLBACK" : "COMMIT");
    return out;
  } catch (e) {
    await conn.run("ROLLBACK").catch(() => undefined);
    throw e;
  }
}

export interface DuckDbOptions {
  /** Database file; undefined → in memory. */
  file?: string;
  /** Instance configuration (e.g. temp_directory). */
  config?: Record<string, string>;
  /** Prepares every new connection (macros, time zone). */
  prepare?: (conn: DuckDBConnection) => Promise<void>;
}

/** One DuckDB instance with a serialised shared connection and tracked extra connections. */
export class DuckDb {
  private instance?: DuckDBInstance;
  private opening?: Promise<void>;
  private shared?: DuckDBConnection;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly extra = new Set<DuckDBConnection>();
  private closed = false;

  constructor(private readonly opts: DuckDbOptions = {}) {}

  get isOpen(): boolean {
    return this.instance !== undefined;
  }

  /** Opens the instance and the shared connection (once; concurrent callers share the opening). */
  open(): Promise<void> {
    if (this.closed) return Promise.reject(new Error("the SQL engine is closed"));
    return (this.opening ??= (async () => {
      if (this.opts.file) fs.mkdirSync(path.dirname(this.opts.file), { recursive: true });
      const inst = await DuckDBInstance.create(this.opts.file ?? ":memory:", this.opts.config);
      const conn = await inst.connect();
      await this.opts.prepare?.(conn);
      this.instance = inst;
      this.shared = conn;
    })());
  }

  /** Runs `fn` with the shared connection, alone (callers queue). */
  exclusive<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const go = async () => {
      await this.open();
      return fn(this.shared!);
    };
    const p = this.queue.then(go, go);
    this.queue = p.catch(() => undefined);
    return p;
  }

  run(sql: string, params?: SqlParam[]): Promise<void> {
    return this.exclusive((c) => run(c, sql, params));
  }

  all(sql: string, params?: SqlParam[]): Promise<Record<string, unknown>[]> {
    return this.exclusive((c) => all(c, sql, params));
  }

  /** A connection of its own (prepared); give it back with `release`. */
  async connect(): Promise<DuckDBConnection> {
    await this.open();
    const conn = await this.instance!.connect();
    this.extra.add(conn);
    try {
      await this.opts.prepare?.(conn);
    } catch (e) {
      this.release(conn);
      throw e;
    }
    return conn;
  }

  release(conn: DuckDBConnection): void {
    if (!this.extra.delete(conn)) return;
    try {
      conn.closeSync();
    } catch {
      /* already closed */
    }
  }

  /** Interrupts what runs on the extra connections. */
  interruptAll(): void {
    for (const c of this.extra) {
      try {
        c.interrupt();
      } catch {
        /* ignore */
      }
    }
  }

  /** Closes every connection and the instance; `final` (default) refuses to open again. */
  async close(final = true): Promise<void> {
    if (final) this.closed = true;
    await this.opening?.catch(() => undefined);
    await this.queue.catch(() => undefined);
    this.opening = undefined;
    for (const c of [...this.extra]) this.release(c);
    try {
      this.shared?.closeSync();
    } catch {
      /* ignore */
    }
    try {
      this.instance?.closeSync();
    } catch {
      /* ignore */
    }
    this.shared = undefined;
    this.instance = undefined;
  }
}
