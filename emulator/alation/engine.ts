/**
 * The Alation emulator's data sources: each data source id is a real embedded DuckDB database
 * (`<state-dir>/alation-ds-<id>.duckdb`, or in memory), seeded with a few tables on first open.
 * Statements of a query run on it one at a time, on one connection per execution (so a temporary
 * table made by one statement is seen by the next), as Compose runs them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DuckDb, DuckDBConnection, engineMessage, quoteIdent } from "../framework/duckdb";

export interface SeedTable {
  name: string;
  /** CREATE TABLE … AS / INSERT statements that build it. */
  sql: string[];
}

/** The seed of every emulated data source (analytics data an analyst's query would read). */
export const SEED_SQL: readonly string[] = [
  "CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, name VARCHAR NOT NULL, email VARCHAR, country VARCHAR, created_at TIMESTAMP)",
  "INSERT INTO users VALUES (1, 'Ada Lovelace', 'ada@example.com', 'GB', TIMESTAMP '2024-01-05 10:00:00'), (2, 'Grace Hopper', 'grace@example.com', 'US', TIMESTAMP '2024-02-11 09:30:00'), (3, 'Alan Turing', 'alan@example.com', 'GB', TIMESTAMP '2024-03-20 14:15:00'), (4, 'Katherine Johnson', 'katherine@example.com', 'US', TIMESTAMP '2024-04-02 08:45:00'), (5, 'Edsger Dijkstra', 'edsger@example.com', 'NL', TIMESTAMP '2024-05-17 16:20:00')",
  "CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY, user_id INTEGER, amount DECIMAL(10,2), status VARCHAR, ordered_at DATE)",
  "INSERT INTO orders VALUES (101, 1, 120.50, 'shipped', DATE '2024-06-01'), (102, 2, 75.00, 'shipped', DATE '2024-06-03'), (103, 1, 19.99, 'cancelled', DATE '2024-06-04'), (104, 3, 310.00, 'shipped', DATE '2024-06-10'), (105, 4, 42.10, 'pending', DATE '2024-06-12'), (106, 5, 88.80, 'shipped', DATE '2024-06-15')",
];

/** Statements that answer rows (cached as a result); the others report a row count. */
const RESULT_WORDS = new Set(["SELECT", "WITH", "VALUES", "TABLE", "SHOW", "DESCRIBE", "PRAGMA", "EXPLAIN", "FROM", "SUMMARIZE", "(" ]);

export interface StatementOutcome {
  /** Rows changed (DML) or returned. */
  rowCount: number | null;
  error: string | null;
  /** The rows, when the statement answers rows. */
  result?: { columns: { name: string; type: string }[]; rows: unknown[][] };
  startedAt: Date;
  finishedAt: Date;
}

export class Datasources {
  private readonly dbs = new Map<number, DuckDb>();
  private readonly seeded = new Map<number, Promise<void>>();

  constructor(private readonly dir: () => string | undefined, private readonly now: () => Date) {}

  file(id: number): string | undefined {
    const d = this.dir();
    return d ? path.join(d, `alation-ds-${id}.duckdb`) : undefined;
  }

  private db(id: number): DuckDb {
    let db = this.dbs.get(id);
    if (!db) {
      db = new DuckDb({ file: this.file(id), prepare: async (c) => void (await c.run("SET TimeZone = 'UTC'")) });
      this.dbs.set(id, db);
    }
    return db;
  }

  /** Opens the data source's database, seeding it the first time. */
  ready(id: number): Promise<DuckDb> {
    const db = this.db(id);
    let s = this.seeded.get(id);
    if (!s) {
      s = db.exclusive(async (c) => {
        const r = await c.runAndReadAll("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'users'");
        if (Number(r.getRows()[0][0]) > 0) return;
        for (const stmt of SEED_SQL) await c.run(stmt);
      });
      this.seeded.set(id, s);
    }
    return s.then(() => db);
  }

  /** Runs `statements` in order on one connection; stops at the first error (later statements are not run). */
  async execute(id: number, statements: { text: string; word: string }[], onStatement?: (i: number) => void): Promise<StatementOutcome[]> {
    const db = await this.ready(id);
    const conn: DuckDBConnection = await db.connect();
    const out: StatementOutcome[] = [];
    try {
      for (let i = 0; i < statements.length; i++) {
        onStatement?.(i);
        const startedAt = this.now();
        const t0 = process.hrtime.bigint();
        const finish = () => new Date(startedAt.getTime() + Number((process.hrtime.bigint() - t0) / 1000n) / 1000);
        try {
          const reader = await conn.runAndReadAll(statements[i].text);
          const names = reader.columnNames();
          const types = reader.columnTypes().map((t) => t.toString());
          const rows = reader.getRowsJson() as unknown[][];
          if (RESULT_WORDS.has(statements[i].word)) {
            out.push({ rowCount: rows.length, error: null, result: { columns: names.map((name, j) => ({ name, type: types[j] })), rows }, startedAt, finishedAt: finish() });
          } else {
            const count = names.length === 1 && names[0] === "Count" && rows[0] ? Number(rows[0][0]) : null;
            out.push({ rowCount: count, error: null, startedAt, finishedAt: finish() });
          }
        } catch (e) {
          out.push({ rowCount: null, error: engineMessage(e, { firstLine: true }), startedAt, finishedAt: finish() });
          break;
        }
      }
    } finally {
      db.release(conn);
    }
    return out;
  }

  /** The tables of a data source (for the admin state view and tests). */
  async tables(id: number): Promise<string[]> {
    const db = await this.ready(id);
    const rows = await db.all("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY table_name");
    return rows.map((r) => String(r.table_name));
  }

  async close(): Promise<void> {
    for (const db of this.dbs.values()) await db.close();
    this.dbs.clear();
    this.seeded.clear();
  }

  /** Closes and deletes every data source's database (an admin reset); they are seeded again on next use. */
  async wipe(): Promise<void> {
    const files = [...this.dbs.keys()].map((id) => this.file(id));
    await this.close();
    const d = this.dir();
    const all = d && fs.existsSync(d) ? fs.readdirSync(d).filter((f) => /^alation-ds-\d+\.duckdb(\.wal)?$/.test(f)).map((f) => path.join(d, f)) : [];
    for (const f of [...files, ...all]) if (f) for (const x of [f, `${f}.wal`]) fs.rmSync(x, { force: true });
  }
}

export { quoteIdent };
