/**
 * POST /append: JSON records in, schema inferred (vendor doc "Schema Inference"), table created and new
 * columns added as needed, an existing (manual) schema respected. The insert runs shortly after the
 * response (fire-and-forget) unless `sync=true`; its task is kept in the persisted state, payload
 * included while pending, so a restart resumes it.
 */
import { randomBytes } from "node:crypto";
import { DuckDBConnection } from "@duckdb/node-api";
import { Engine, engineMessage, ident } from "./engine";
import { transaction } from "../framework/duckdb";
import { findTable, tableColumns } from "./upload";

export type AppendRecord = Record<string, unknown>;

export interface AppendTask {
  task_id: string;
  status: "pending" | "completed";
  created_at: string;
  completed_at: string | null;
  catalog: string;
  schema: string;
  table: string;
  rows: number;
  /** Why the insert failed (emulator detail; GET /tasks/:id shows only task_id and status, as the vendor does). */
  error: string | null;
  /** The records, kept only while pending so that a restart can resume the task. */
  payload?: AppendRecord[];
}

export type AppendErrorCode = "invalid-data" | "incompatible-schema";

export class AppendFailure extends Error {
  constructor(readonly code: AppendErrorCode, message: string) {
    super(message);
  }
}

/** A UUID v7 (48-bit Unix ms timestamp, version 7, variant 10, random rest), like the vendor's task ids. */
export function uuidv7(now = Date.now()): string {
  const b = randomBytes(16);
  let ms = BigInt(now);
  for (let i = 5; i >= 0; i--) {
    b[i] = Number(ms & 0xffn);
    ms >>= 8n;
  }
  b[6] = 0x70 | (b[6] & 0x0f);
  b[8] = 0x80 | (b[8] & 0x3f);
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

type Inferred = "BIGINT" | "DOUBLE" | "VARCHAR" | "BOOLEAN" | "JSON" | "TIMESTAMP";

function inferOne(v: unknown): Inferred | undefined {
  if (v === null || v === undefined) return undefined;
  switch (typeof v) {
    case "number":
      return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? "BIGINT" : "DOUBLE";
    case "boolean":
      return "BOOLEAN";
    case "string":
      return RFC3339.test(v) ? "TIMESTAMP" : "VARCHAR";
    default:
      return "JSON";
  }
}

function merge(a: Inferred | undefined, b: Inferred | undefined): Inferred | undefined {
  if (!a) return b;
  if (!b || a === b) return a;
  const s = new Set([a, b]);
  if (s.has("BIGINT") && s.has("DOUBLE")) return "DOUBLE";
  if (s.has("JSON")) return "JSON";
  return "VARCHAR";
}

/** Column order of first appearance, with the merged inferred type (VARCHAR when only NULLs were seen). */
export function inferSchema(records: AppendRecord[]): { name: string; type: Inferred }[] {
  const cols = new Map<string, { name: string; type: Inferred | undefined }>();
  for (const r of records) {
    for (const [k, v] of Object.entries(r)) {
      const key = k.toLowerCase();
      const c = cols.get(key) ?? { name: k, type: undefined };
      c.type = merge(c.type, inferOne(v));
      cols.set(key, c);
    }
  }
  return [...cols.values()].map((c) => ({ name: c.name, type: c.type ?? "VARCHAR" }));
}

/** Validates the body: one object or an array of objects. */
export function parseRecords(body: unknown, raw: Buffer): AppendRecord[] {
  if (!raw.length) throw new AppendFailure("invalid-data", "Request body is empty: expected a JSON object or an array of JSON objects");
  if (body === undefined) {
    try {
      JSON.parse(raw.toString("utf8"));
    } catch (e) {
      throw new AppendFailure("invalid-data", `Invalid JSON: ${(e as Error).message}`);
    }
  }
  const isObj = (x: unknown) => x !== null && typeof x === "object" && !Array.isArray(x);
  if (isObj(body)) return [body as AppendRecord];
  if (Array.isArray(body)) {
    const bad = body.findIndex((x) => !isObj(x));
    if (bad >= 0) throw new AppendFailure("invalid-data", `Element ${bad} of the array is not a JSON object`);
    return body as AppendRecord[];
  }
  throw new AppendFailure("invalid-data", "Expected a JSON object or an array of JSON objects");
}

/** The text sent to DuckDB for one value, given the column's type. */
function encode(v: unknown, type: string): string | null {
  if (v === null || v === undefined) return null;
  if (type.toUpperCase() === "JSON") return JSON.stringify(v);
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function castExpr(param: string, type: string): string {
  const t = type.toUpperCase();
  if (t === "VARCHAR") return param;
  // RFC3339 strings carry an offset: go through TIMESTAMPTZ (session time zone UTC) to get UTC wall time.
  if (t === "TIMESTAMP") return `CAST(CAST(${param} AS TIMESTAMPTZ) AS TIMESTAMP)`;
  return `CAST(${param} AS ${type})`;
}

/** Creates/migrates the table and inserts the records, in one transaction; `dryRun` rolls back (used to vet a request before accepting it). */
export async function applyAppend(engine: Engine, t: { catalog: string; schema: string; table: string }, records: AppendRecord[], dryRun = false): Promise<void> {
  const conn = await engine.connect(t.catalog, "main");
  try {
    await transaction(conn, () => insert(conn, t, records), { rollback: dryRun });
  } catch (e) {
    if (e instanceof AppendFailure) throw e;
    const msg = engineMessage(e);
    const incompatible = /Conversion Error|Could not convert|Invalid Input Error|Mismatch Type|Cannot cast|Binder Error|Constraint Error/i.test(msg);
    throw new AppendFailure(incompatible ? "incompatible-schema" : "invalid-data", msg);
  } finally {
    engine.release(conn);
  }
}

async function insert(conn: DuckDBConnection, t: { catalog: string; schema: string; table: string }, records: AppendRecord[]): Promise<void> {
  const inferred = inferSchema(records);
  const schemaRef = `${ident(t.catalog)}.${ident(t.schema)}`;
  await conn.run(`CREATE SCHEMA IF NOT EXISTS ${schemaRef}`);
  let existing = await findTable(conn, t.catalog, t.schema, t.table);
  const target = `${schemaRef}.${ident(existing ?? t.table)}`;
  if (!existing) {
    if (!inferred.length) return;
    await conn.run(`CREATE TABLE ${target} (${inferred.map((c) => `${ident(c.name)} ${c.type}`).join(", ")})`);
    existing = t.table;
  }
  const cols = await tableColumns(conn, t.catalog, t.schema, existing);
  const byLower = new Map(cols.map((c) => [c.name.toLowerCase(), c]));
  for (const c of inferred) {
    if (byLower.has(c.name.toLowerCase())) continue;
    await conn.run(`ALTER TABLE ${target} ADD COLUMN ${ident(c.name)} ${c.type}`);
    byLower.set(c.name.toLowerCase(), { name: c.name, type: c.type });
  }
  const used = inferred.map((c) => byLower.get(c.name.toLowerCase())!);
  if (!used.length) return;
  const CHUNK = Math.max(1, Math.floor(2000 / used.length));
  for (let i = 0; i < records.length; i += CHUNK) {
    const chunk = records.slice(i, i + CHUNK);
    const values: (string | null)[] = [];
    const tuples = chunk.map((r) => {
      const lower = new Map(Object.entries(r).map(([k, v]) => [k.toLowerCase(), v]));
      const ps = used.map((c) => {
        values.push(encode(lower.get(c.name.toLowerCase()), c.type));
        return `CAST($${values.length} AS VARCHAR)`;
      });
      return `(${ps.join(", ")})`;
    });
    const aliases = used.map((_c, j) => `v${j}`);
    const select = used.map((c, j) => castExpr(`v${j}`, c.type)).join(", ");
    await conn.run(
      `INSERT INTO ${target} (${used.map((c) => ident(c.name)).join(", ")}) SELECT ${select} FROM (VALUES ${tuples.join(", ")}) AS v(${aliases.join(", ")})`,
      values,
    );
  }
}

/** Runs append tasks one after another, in acceptance order. */
export class AppendQueue {
  private chain: Promise<void> = Promise.resolve();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly delayMs: number) {}

  /** Schedules `work` after the delay; the promise settles when it has run. */
  schedule(work: () => Promise<void>, immediate = false): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const start = () => {
        if (this.stopped) return reject(new Error("emulator stopped"));
        this.chain = this.chain.then(() => (this.stopped ? Promise.reject(new Error("emulator stopped")) : work())).then(resolve, reject);
        this.chain = this.chain.catch(() => undefined);
      };
      if (immediate || this.delayMs <= 0) return start();
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        start();
      }, this.delayMs);
      this.timers.add(timer);
    });
  }

  /** Stops starting tasks (pending ones stay pending in the state) and waits for the running one. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.chain.catch(() => undefined);
  }
}
