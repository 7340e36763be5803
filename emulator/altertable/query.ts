/**
 * POST /query (NDJSON stream), the query log (GET /query/:id), cancellation (DELETE /query/:id),
 * POST /validate, POST /autocomplete and POST /explain.
 */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { DuckDBConnection, DuckDBType } from "@duckdb/node-api";
import { EmulatorRequest, EmulatorResponse, HttpError } from "../framework/server";
import { Engine, cell, engineMessage, lit, typeName } from "./engine";
import { trimStatementEnd } from "../framework/sql";
import { UUID_RE } from "./append";
import { plain } from "./upload";

export interface QueryLogEntry {
  uuid: string;
  start_time: string;
  end_time: string | null;
  duration_ms: number | null;
  query: string;
  session_id: string;
  client_interface: "HttpQuery";
  error: string | null;
  stats: {
    caching: null;
    memory: { total_usage_bytes: number };
    scan: { estimated_result_rows: number; estimated_scanned_rows: number };
  } | null;
  progress: { percentage: number; rows_processed: number; total_rows: number } | null;
  visible: boolean;
  requested_by: string | null;
  user_agent: string | null;
}

export interface QueryHost {
  engine: Engine;
  queries(): Record<string, QueryLogEntry>;
  /** Persists the query log entry `id` (or, without one, the whole state). */
  save(id?: string): void;
  workerSlug: string;
  /** "typed": line 2 is [{name,type}] (production); "names": ["col", …] (the vendor mock, and what the JS SDK 0.2.x parses). */
  columnsLine: "typed" | "names";
}

interface Running {
  conn?: DuckDBConnection;
  sessionId: string;
  cancelled: boolean;
}

const MAX_LOG = 2000;
const running = new WeakMap<QueryHost, Map<string, Running>>();
function runningOf(host: QueryHost): Map<string, Running> {
  let m = running.get(host);
  if (!m) running.set(host, (m = new Map()));
  return m;
}

/** Interrupts every running query (used when the emulator stops). */
export function interruptAll(host: QueryHost): void {
  for (const r of runningOf(host).values()) {
    r.cancelled = true;
    try {
      r.conn?.interrupt();
    } catch {
      /* ignore */
    }
  }
}

/** Log entries left unfinished by an earlier process (it stopped while they ran) are closed with an error. */
export function abandonStaleQueries(host: QueryHost): void {
  const live = runningOf(host);
  for (const q of Object.values(host.queries())) {
    if (q.end_time !== null || live.has(q.uuid)) continue;
    Object.assign(q, { end_time: new Date().toISOString(), duration_ms: Date.now() - Date.parse(q.start_time), error: "Query aborted: the emulator stopped while it ran", progress: null });
  }
}

function optString(body: any, field: string): string | undefined {
  const v = body?.[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw plain(400, `Invalid field \`${field}\`: expected a string`);
  return v;
}

function requireStatement(req: EmulatorRequest): string {
  if (req.body === undefined && req.rawBody.length) throw plain(400, "Failed to parse the request body as JSON");
  if (!req.body || typeof req.body !== "object") throw plain(400, "Request body must be a JSON object with a `statement`");
  const s = req.body.statement;
  if (typeof s !== "string") throw plain(400, "missing field `statement`");
  if (!s.trim()) throw plain(400, "`statement` must not be empty");
  return s;
}

function optCount(body: any, field: string): number | undefined {
  const v = body?.[field];
  if (v === undefined || v === null) return undefined;
  if (!Number.isInteger(v) || v < 0) throw plain(400, `Invalid field \`${field}\`: expected a non-negative integer`);
  return v;
}

/** Wraps a statement with LIMIT/OFFSET the way Altertable does: SELECT * FROM (<sql>) LIMIT n OFFSET m. */
export function wrapLimit(statement: string, limit?: number, offset?: number): string {
  if (limit === undefined && offset === undefined) return statement;
  const inner = trimStatementEnd(statement);
  return `SELECT * FROM (${inner})${limit !== undefined ? ` LIMIT ${limit}` : ""}${offset !== undefined ? ` OFFSET ${offset}` : ""}`;
}

export function startQuery(host: QueryHost, req: EmulatorRequest): EmulatorResponse {
  const statement = requireStatement(req);
  const body = req.body;
  const limit = optCount(body, "limit");
  const offset = optCount(body, "offset");
  const catalog = optString(body, "catalog");
  const schema = optString(body, "schema");
  const timezone = optString(body, "timezone");
  const requestedBy = optString(body, "requested_by") ?? null;
  const sessionId = optString(body, "session_id") || randomUUID();
  const queryId = optString(body, "query_id") ?? randomUUID();
  if (!UUID_RE.test(queryId)) throw plain(400, `Invalid query_id: ${queryId} is not a UUID`);
  if (host.queries()[queryId.toLowerCase()]) throw plain(400, `A query with query_id ${queryId} already exists`);
  const visible = body.visible === undefined || body.visible === null ? true : Boolean(body.visible);

  const id = queryId.toLowerCase();
  const entry: QueryLogEntry = {
    uuid: id,
    start_time: new Date().toISOString(),
    end_time: null,
    duration_ms: null,
    query: statement,
    session_id: sessionId,
    client_interface: "HttpQuery",
    error: null,
    stats: null,
    progress: { percentage: 0, rows_processed: 0, total_rows: 0 },
    visible,
    requested_by: requestedBy,
    user_agent: typeof req.headers["user-agent"] === "string" ? req.headers["user-agent"] : null,
  };
  const log = host.queries();
  log[id] = entry;
  const ids = Object.keys(log);
  let pruned = false;
  for (let i = 0; i < ids.length - MAX_LOG; i++) if (!runningOf(host).has(ids[i])) pruned = delete log[ids[i]];
  if (pruned) host.save();
  else host.save(id);
  const run: Running = { sessionId, cancelled: false };
  runningOf(host).set(id, run);

  return {
    status: 200,
    headers: { "content-type": "application/x-ndjson" },
    stream: (res) => streamQuery(host, res, { statement, limit, offset, catalog, schema, timezone, sessionId, id, entry, run }),
  };
}

async function streamQuery(
  host: QueryHost,
  res: ServerResponse,
  q: { statement: string; limit?: number; offset?: number; catalog?: string; schema?: string; timezone?: string; sessionId: string; id: string; entry: QueryLogEntry; run: Running },
): Promise<void> {
  const t0 = Date.now();
  let gone = false;
  res.on("close", () => {
    if (!res.writableFinished) {
      gone = true;
      q.run.cancelled = true;
      try {
        q.run.conn?.interrupt();
      } catch {
        /* ignore */
      }
    }
  });
  const write = (obj: unknown) =>
    new Promise<void>((resolve) => {
      if (gone || res.destroyed) return resolve();
      if (res.write(JSON.stringify(obj) + "\n")) resolve();
      else {
        const done = () => {
          res.off("drain", done);
          res.off("close", done);
          resolve();
        };
        res.on("drain", done);
        res.on("close", done);
      }
    });

  let rows = 0;
  let error: string | null = null;
  let conn: DuckDBConnection | undefined;
  try {
    let connectError: unknown;
    try {
      conn = await host.engine.connect(q.catalog, q.schema);
      q.run.conn = conn;
      if (q.timezone) await conn.run(`SET TimeZone = ${lit(q.timezone)}`);
    } catch (e) {
      connectError = e;
    }
    await write({
      statement: q.statement,
      rows_limit: q.limit ?? null,
      rows_offset: q.offset ?? null,
      init_time_ms: Date.now() - t0,
      connections_errors: {},
      session_id: q.sessionId,
      query_id: q.id,
      worker_slug: host.workerSlug,
    });
    if (connectError) throw connectError;
    if (q.run.cancelled) throw new Error("INTERRUPT Error: Interrupted!");
    const result = await conn!.stream(wrapLimit(q.statement, q.limit, q.offset));
    const types: DuckDBType[] = [];
    const columns: { name: string; type: string }[] = [];
    for (let i = 0; i < result.columnCount; i++) {
      types.push(result.columnType(i));
      columns.push({ name: result.columnName(i), type: typeName(types[i]) });
    }
    await write(host.columnsLine === "names" ? columns.map((c) => c.name) : columns);
    for await (const chunk of result.yieldRowsJson()) {
      if (q.run.cancelled && !gone) throw new Error("INTERRUPT Error: Interrupted!");
      for (const row of chunk) {
        await write(row.map((v, i) => cell(v, types[i])));
        rows++;
        if (q.entry.progress) q.entry.progress.rows_processed = rows;
      }
      if (gone) break;
    }
  } catch (e) {
    error = engineMessage(e);
    await write({ error });
  } finally {
    if (conn) host.engine.release(conn);
    runningOf(host).delete(q.id);
    const end = Date.now();
    Object.assign(q.entry, {
      end_time: new Date(end).toISOString(),
      duration_ms: end - Date.parse(q.entry.start_time),
      error,
      progress: { percentage: 100, rows_processed: rows, total_rows: rows },
      stats: { caching: null, memory: { total_usage_bytes: 0 }, scan: { estimated_result_rows: rows, estimated_scanned_rows: rows } },
    });
    host.save(q.id);
  }
}

export function getQuery(host: QueryHost, id: string): EmulatorResponse {
  const entry = host.queries()[id.toLowerCase()];
  if (!entry) throw plain(404, `Query ${id} not found`);
  return { status: 200, body: entry };
}

export function cancelQuery(host: QueryHost, id: string, sessionId: string | null): EmulatorResponse {
  if (!sessionId) throw plain(400, "Missing query parameter `session_id`");
  const entry = host.queries()[id.toLowerCase()];
  if (!entry) throw plain(404, `Query ${id} not found`);
  if (entry.session_id !== sessionId) return { status: 200, body: { cancelled: false, message: "Session ID does not match" } };
  const runs = runningOf(host);
  const run = runs.get(entry.uuid);
  if (run) {
    run.cancelled = true;
    // Interrupt until the query has stopped: an interrupt that lands between statements would be lost.
    const started = Date.now();
    const poke = () => {
      if (runs.get(entry.uuid) !== run || Date.now() - started > 30_000) return clearInterval(timer);
      try {
        run.conn?.interrupt();
      } catch {
        /* ignore */
      }
    };
    const timer = setInterval(poke, 25);
    timer.unref();
    poke();
  }
  return { status: 200, body: { cancelled: true, message: "Query cancelled" } };
}

/** Parses and binds every statement without running it (DuckDB prepare). */
export async function validate(host: QueryHost, req: EmulatorRequest): Promise<EmulatorResponse> {
  const statement = requireStatement(req);
  const catalog = optString(req.body, "catalog");
  const schema = optString(req.body, "schema");
  let conn: DuckDBConnection | undefined;
  let error: string | undefined;
  try {
    conn = await host.engine.connect(catalog, schema);
    const extracted = await conn.extractStatements(statement);
    if (extracted.count === 0) throw new Error("Parser Error: no statement found");
    for (let i = 0; i < extracted.count; i++) {
      const p = await extracted.prepare(i);
      p.destroySync();
    }
  } catch (e) {
    error = engineMessage(e);
  } finally {
    if (conn) host.engine.release(conn);
  }
  return { status: 200, body: { valid: error === undefined, statement, connections_errors: {}, ...(error !== undefined ? { error } : {}) } };
}

export async function autocomplete(host: QueryHost, req: EmulatorRequest): Promise<EmulatorResponse> {
  if (!req.body || typeof req.body !== "object" || typeof req.body.statement !== "string") throw plain(400, "missing field `statement`");
  const statement: string = req.body.statement;
  const catalog = optString(req.body, "catalog");
  const schema = optString(req.body, "schema");
  const raw = req.body.max_suggestions;
  if (raw !== undefined && raw !== null && (!Number.isInteger(raw) || raw < 0)) throw plain(400, "Invalid field `max_suggestions`: expected a non-negative integer");
  const max = Math.min(raw ?? 20, 200);
  // An unknown catalog/schema is reported in connections_errors; suggestions then come from the defaults.
  const connectionsErrors: Record<string, string> = {};
  let conn: DuckDBConnection;
  try {
    conn = await host.engine.connect(catalog, schema);
  } catch (e) {
    connectionsErrors[catalog ?? "default"] = engineMessage(e);
    conn = await host.engine.connect();
  }
  try {
    const r = await conn.runAndReadAll(`SELECT suggestion, suggestion_start, suggestion_type, suggestion_score, extra_char FROM sql_auto_complete(${lit(statement)}) LIMIT ${max}`);
    const suggestions = r.getRowObjectsJson().map((s) => ({
      suggestion: s.suggestion,
      suggestion_start: Number(s.suggestion_start),
      suggestion_type: s.suggestion_type,
      suggestion_score: Number(s.suggestion_score),
      ...(s.extra_char !== null && s.extra_char !== undefined ? { extra_char: s.extra_char } : {}),
    }));
    return { status: 200, body: { suggestions, statement, connections_errors: connectionsErrors } };
  } finally {
    host.engine.release(conn);
  }
}

/** POST /explain (SDK and mock; not in the vendor doc): the tables a statement reads, estimated rows, optional plan. */
export async function explain(host: QueryHost, req: EmulatorRequest): Promise<EmulatorResponse> {
  const statement = requireStatement(req);
  const catalog = optString(req.body, "catalog");
  const schema = optString(req.body, "schema");
  const includePlan = req.body.include_plan === true;
  let conn: DuckDBConnection | undefined;
  try {
    conn = await host.engine.connect(catalog, schema);
    const plan = await conn.runAndReadAll(`EXPLAIN ${trimStatementEnd(statement)}`);
    const names = conn.getTableNames(statement, true);
    const tables: { table_name: string; estimated_rows: number }[] = [];
    for (const name of names) {
      const parts = name.split(".").map((p) => p.replace(/^"|"$/g, ""));
      const [t, s, c] = [parts[parts.length - 1], parts[parts.length - 2] ?? schema ?? "main", parts[parts.length - 3] ?? catalog ?? null];
      const est = await conn.runAndReadAll(
        `SELECT estimated_size FROM duckdb_tables() WHERE lower(table_name) = lower($1) AND lower(schema_name) = lower($2) AND lower(database_name) = lower(coalesce($3, current_database()))`,
        [t, s, c],
      );
      const rows = est.getRows();
      tables.push({ table_name: name, estimated_rows: rows.length ? Number(rows[0][0]) : 0 });
    }
    const planText = plan.getRows().map((r) => String(r[1])).join("\n");
    return { status: 200, body: { tables, statement, connections_errors: {}, ...(includePlan ? { plan: planText } : {}) } };
  } catch (e) {
    if (e instanceof HttpError) throw e;
    return { status: 200, body: { tables: [], statement, connections_errors: {}, error: engineMessage(e) } };
  } finally {
    if (conn) host.engine.release(conn);
  }
}
