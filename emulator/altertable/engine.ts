/**
 * The embedded DuckDB behind the Altertable emulator.
 *
 * - One in-process DuckDB instance (in memory); every Altertable catalog is an ATTACHed database, so SQL
 *   works with 3-part names `catalog.schema.table` and the default schema `main`.
 * - With a state file, catalogs live next to it: the default catalog in `altertable.duckdb`, any other
 *   in `altertable.<catalog>.duckdb`; without one, catalogs are in-memory.
 * - Built on the emulators' one DuckDB layer (framework/duckdb.ts); opened on the first request that needs SQL
 *   (or at start when pending /append tasks must resume).
 * - The framework's admin reset only replaces the JSON state; the state carries a `generation` id, and
 *   when it no longer matches the one the DuckDB files were made for (marker file `altertable.generation`),
 *   the catalogs are wiped and re-seeded.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DuckDBConnection, DuckDBType, DuckDBTypeId } from "@duckdb/node-api";
import { DuckDb, engineMessage as duckMessage, quoteIdent, quoteLiteral } from "../framework/duckdb";

export interface CatalogInfo {
  /** Name as created (lookups are case-insensitive). */
  name: string;
  read_only: boolean;
  built_in: boolean;
}

export interface EngineHost {
  /** The current persisted state's generation and catalogs. */
  generation(): string;
  catalogs(): CatalogInfo[];
  defaultCatalog: string;
  /** Where DuckDB files go; undefined → in memory. */
  dir: () => string | undefined;
  /** Called after (re)opening, e.g. to resume pending tasks. */
  onOpened?: () => Promise<void>;
}

/** Quotes an identifier for DuckDB. */
export const ident = quoteIdent;
/** Quotes a string literal for DuckDB. */
export const lit = quoteLiteral;

export class Engine {
  private db?: DuckDb;
  private opening?: Promise<DuckDb>;
  private openedGeneration?: string;
  private tmpDir?: string;
  private closed = false;

  constructor(private readonly host: EngineHost) {}

  /** The database, opened (and wiped after an admin reset) as needed. */
  async ready(): Promise<DuckDb> {
    if (this.closed) throw new Error("emulator is closed");
    if (this.opening) await this.opening.catch(() => undefined);
    if (this.db && this.openedGeneration === this.host.generation()) return this.db;
    this.opening = this.open();
    try {
      return await this.opening;
    } finally {
      this.opening = undefined;
    }
  }

  /** A fresh connection (UTC, default catalog/schema selected); release it with `release`. */
  async connect(catalog?: string | null, schema?: string | null): Promise<DuckDBConnection> {
    const db = await this.ready();
    const conn = await db.connect();
    try {
      await conn.run(`USE ${ident(catalog || this.host.defaultCatalog)}.${ident(schema || "main")}`);
    } catch (e) {
      db.release(conn);
      throw e;
    }
    return conn;
  }

  release(conn: DuckDBConnection): void {
    this.db?.release(conn);
  }

  /** Resolves a catalog name case-insensitively against the known catalogs. */
  catalog(name: string): CatalogInfo | undefined {
    const lower = name.toLowerCase();
    return this.host.catalogs().find((c) => c.name.toLowerCase() === lower);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.db?.close();
    this.db = undefined;
    if (this.tmpDir) fs.rmSync(this.tmpDir, { recursive: true, force: true });
  }

  private fileFor(c: CatalogInfo): string | undefined {
    if (!this.host.dir()) return undefined;
    const base = c.name.toLowerCase() === this.host.defaultCatalog.toLowerCase() ? "altertable.duckdb" : `altertable.${c.name.toLowerCase()}.duckdb`;
    return path.join(this.host.dir()!, base);
  }

  private markerFile(): string | undefined {
    const dir = this.host.dir();
    return dir ? path.join(dir, "altertable.generation") : undefined;
  }

  private wipeFiles(): void {
    const dir = this.host.dir();
    if (!dir || !fs.existsSync(dir)) return;
    for (const f of fs.readdirSync(dir)) {
      if (/^altertable(\.[^/]+)?\.duckdb(\.wal)?$/.test(f)) fs.rmSync(path.join(dir, f), { force: true });
    }
  }

  private async open(): Promise<DuckDb> {
    const generation = this.host.generation();
    if (this.db) {
      // An admin reset happened: drop everything and start from the seed again.
      await this.db.close(false);
      this.db = undefined;
      this.wipeFiles();
    }
    const marker = this.markerFile();
    if (marker) {
      fs.mkdirSync(path.dirname(marker), { recursive: true });
      const seen = fs.existsSync(marker) ? fs.readFileSync(marker, "utf8").trim() : undefined;
      if (seen !== generation) this.wipeFiles();
    }
    const dir = this.host.dir();
    const spill = dir ? path.join(dir, "altertable.tmp") : path.join(os.tmpdir(), `altertable-emu-spill-${process.pid}`);
    const db = new DuckDb({ config: { temp_directory: spill } });
    await db.exclusive(async (conn) => {
      await conn.run("SET GLOBAL TimeZone = 'UTC'");
      for (const c of this.host.catalogs()) await this.attach(conn, c);
    });
    if (marker) fs.writeFileSync(marker, generation);
    this.db = db;
    this.openedGeneration = generation;
    if (this.host.onOpened) await this.host.onOpened();
    return db;
  }

  private async attach(conn: DuckDBConnection, c: CatalogInfo): Promise<void> {
    let file = this.fileFor(c);
    if (!file && c.read_only) {
      // Read-only catalogs need a file to be seeded and then attached READ_ONLY.
      this.tmpDir ??= fs.mkdtempSync(path.join(os.tmpdir(), "altertable-emu-"));
      file = path.join(this.tmpDir, `${c.name.toLowerCase()}.duckdb`);
    }
    const name = ident(c.name);
    if (!file) {
      await conn.run(`ATTACH ':memory:' AS ${name}`);
      await seed(conn, c);
      return;
    }
    const fresh = !fs.existsSync(file);
    if (fresh || !c.read_only) await conn.run(`ATTACH ${lit(file)} AS ${name}`);
    if (fresh) await seed(conn, c);
    if (c.read_only) {
      if (fresh) {
        await conn.run(`CHECKPOINT ${name}`);
        await conn.run(`DETACH ${name}`);
      }
      await conn.run(`ATTACH ${lit(file)} AS ${name} (READ_ONLY)`);
    }
  }
}

/** Seed: a `public` schema in writable catalogs; built-in sample data `product_analytics.main.events`, which the vendor doc's first example queries. */
async function seed(conn: DuckDBConnection, c: CatalogInfo): Promise<void> {
  // The vendor doc's examples write to my_catalog.public.*; "public" is also what Postgres-minded clients expect.
  if (!c.read_only) await conn.run(`CREATE SCHEMA IF NOT EXISTS ${ident(c.name)}.public`);
  if (c.name.toLowerCase() !== "product_analytics") return;
  const t = `${ident(c.name)}.main.events`;
  await conn.run(`CREATE TABLE ${t} (event VARCHAR, distinct_id VARCHAR, "timestamp" TIMESTAMP, properties JSON)`);
  await conn.run(
    `INSERT INTO ${t} VALUES
      ('signup', 'u1', TIMESTAMP '2025-12-30 10:00:00', '{"plan":"free"}'),
      ('login', 'u1', TIMESTAMP '2025-12-30 10:05:00', '{}'),
      ('login', 'u2', TIMESTAMP '2025-12-30 11:00:00', '{}'),
      ('signup', 'u2', TIMESTAMP '2025-12-30 10:59:00', '{"plan":"pro"}'),
      ('login', 'u1', TIMESTAMP '2025-12-31 09:00:00', '{}')`,
  );
}

/** The type name Altertable reports: DuckDB's, with aliases such as JSON kept. */
export function typeName(t: DuckDBType): string {
  return t.alias ?? t.toString();
}

const BIG_INTS = new Set<number>([DuckDBTypeId.BIGINT, DuckDBTypeId.UBIGINT, DuckDBTypeId.HUGEINT, DuckDBTypeId.UHUGEINT, DuckDBTypeId.BIGNUM]);

/**
 * Turns a value from DuckDB's JSON converter into what Altertable streams: 64-bit+ integers as numbers when
 * they fit exactly (strings otherwise), DECIMALs as numbers when they fit a double, JSON cells as nested JSON.
 */
export function cell(v: unknown, t: DuckDBType): unknown {
  if (v === null || v === undefined) return null;
  if (t.alias === "JSON" && typeof v === "string") {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  if (BIG_INTS.has(t.typeId) && typeof v === "string") {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : v;
  }
  if (t.typeId === DuckDBTypeId.DECIMAL && typeof v === "string") {
    return t.width <= 15 ? Number(v) : v;
  }
  if ((t.typeId === DuckDBTypeId.LIST || t.typeId === DuckDBTypeId.ARRAY) && Array.isArray(v)) {
    return v.map((x) => cell(x, t.valueType));
  }
  if (t.typeId === DuckDBTypeId.STRUCT && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const i = t.entryIndexes[k];
      out[k] = i === undefined ? x : cell(x, t.entryTypes[i]);
    }
    return out;
  }
  return v;
}

/** The engine's error message, passed through as is (Altertable does the same). */
export const engineMessage = (e: unknown): string => duckMessage(e);
