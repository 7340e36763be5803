/**
 * Alation Queries API emulator (shared/vendor-docs/alation-queries-api.txt; notes §2 of
 * "deltastream-alation-carto.md"). Paths and shapes come from the wire contract
 * (provider/alation/contract.ts).
 *
 * Vendor routes (all but the token endpoints and query/import need the `TOKEN` header, any case):
 *   POST /integration/v1/query/                        201 + Location + the query; `author` only with an admin token
 *   GET  /integration/v1/query/                        filters (`field__op=`), order_by, limit/skip
 *   GET  /integration/v1/query/<id>/                   one query
 *   GET  /integration/v1/query/<id>/sql/               its saved SQL, text/plain
 *   GET  /integration/v1/query/<id>/result/latest/     latest cached result id + its execution event
 *   GET  /integration/v1/result/<id>/csv/              the cached result as CSV
 *   GET  …/query/execution_session|execution_batch|execution_event/[<id>/], …/query/<id>/execution_{session,batch,event}/
 *   GET  …/query/scheduled_run/, …/query/<id>/scheduled_run/
 *   GET|POST /integration/v1/query/import/             browser-session only: 302 to /login/?next=… (no session here)
 *   GET  /integration/v1/datasource/                   the data sources (real DuckDB databases)
 *   POST /integration/v1/createAPIAccessToken/ | validateAPIAccessToken/ | validateRefreshToken/ | revokeAPIAccessTokens/
 * Errors: 403 {"detail": "Missing API token."} / {"detail": "Invalid API token."}, 404 {"detail": "Not found."},
 * 400 {"error": …} on the list endpoints, 401 {"detail", "code"} on the token endpoints. An unknown path is
 * Django's HTML 404.
 *
 * Emulator controls (no auth; stand-ins for the UI, Compose and the scheduler; not Alation's API):
 *   PATCH /_alation/query/<id>              an edit made in the UI (title, description, content, autosave_content, saved, published, tag_names, domain_ids)
 *   DELETE /_alation/query/<id>             a query deleted in the UI
 *   POST  /_alation/query/<id>/execute      runs the saved SQL statement by statement: session, batch, events, results
 *   PUT   /_alation/query/<id>/schedule     {cron_expression, enabled?, username?}; DELETE removes it
 *   POST  /_alation/clock                   {advanceSeconds}: moves emulator time on and runs the schedules that fell due
 *   PUT   /_alation/config                  {accessTokenLifetimeSeconds?, scheduledRunDetails?}
 *   GET   /_alation/datasource/<id>/tables  the tables of a data source
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { defineEmulator, randomToken, stateFiles } from "../framework/definition";
import { EmulatorContext, EmulatorOptions, EmulatorRequest, EmulatorServer, HttpError, Route } from "../framework/server";
import * as C from "../../provider/alation/contract";
import { ALATION_ROUTES as R, ERRORS } from "../../provider/alation/contract";
import { splitStatements, leadingWord } from "../../provider/sql/tokenizer";
import { applyFilters, applyOrdering, filterFields, Fields, page } from "./filters";
import { nextRun, parseCron } from "./cron";
import { Datasources } from "./engine";

// ---------------------------------------------------------------- state

export interface AlationUser {
  id: number;
  username: string;
  email: string;
  is_admin: boolean;
  is_active: boolean;
}

export interface DatasourceRec {
  id: number;
  title: string;
  description: string;
  dbtype: string;
  uri: string;
}

export interface QueryRec {
  id: number;
  datasource_id: number;
  title: string;
  description: string;
  content: string;
  autosave_content: string;
  saved: boolean;
  published: boolean;
  tag_ids: number[];
  domain_ids: number[];
  author_id: number;
  ts_created: string;
  ts_last_saved: string | null;
  schedule?: ScheduleRec;
}

export interface ScheduleRec {
  enabled: boolean;
  cron_expression: string;
  ts_last_attempt: string | null;
  ts_next_run: string | null;
  username: string;
  ts_modified: string;
  ts_last_used: string | null;
  latest_session_id: number | null;
}

export interface SessionRec {
  id: number;
  client_session_id: string;
  query_id: number;
  ts_start: string;
  sandbox_id: string;
  is_scheduled: boolean;
  batch_ids: number[];
}

export interface BatchRec {
  id: number;
  query_id: number;
  session_id: number;
  event_ids: number[];
}

export interface EventRec {
  id: number;
  batch_id: number;
  session_id: number;
  query_id: number;
  datasource_id: number;
  index_in_batch: number;
  statement_content: string;
  ts_executed: string;
  ts_finished: string;
  elapsed_seconds: number;
  num_result_rows: number | null;
  execution_error: string | null;
  canceled: boolean;
  db_username: string;
  result_id: number | null;
}

export interface ResultRec {
  id: number;
  event_id: number;
  query_id: number;
  title: string;
  ts_created: string;
  ts_expiration: string;
  row_count: number;
  byte_count: number;
  truncated: boolean;
  columns: { name: string; type: string }[];
  rows: unknown[][];
}

export interface ScheduledRunRec {
  task_id: string;
  session_id: number | null;
  query_id: number | null;
  query_title: string | null;
  ts_sent_to_broker: string;
  ts_prerun: string | null;
  ts_postrun: string | null;
}

export interface AccessTokenRec {
  user_id: number;
  /** sha256 of the refresh token that minted it (revocation). */
  refresh: string;
  created_at: string;
  expires_at: string;
  revoked: boolean;
}

export interface AlationState {
  generation: string;
  seq: Record<string, number>;
  users: Record<string, AlationUser>;
  /** API access tokens by sha256 of the token (the tokens themselves are never stored). */
  accessTokens: Record<string, AccessTokenRec>;
  /** Last use of each refresh token, by sha256. */
  refreshUse: Record<string, string>;
  config: { accessTokenLifetimeSeconds: number; scheduledRunDetails: boolean; clockOffsetMs: number };
  datasources: Record<string, DatasourceRec>;
  domains: Record<string, { id: number; title: string; description: string }>;
  tags: Record<string, { id: number; name: string; description: string; ts_created: string; ts_updated: string }>;
  queries: Record<string, QueryRec>;
  sessions: Record<string, SessionRec>;
  batches: Record<string, BatchRec>;
  events: Record<string, EventRec>;
  results: Record<string, ResultRec>;
  scheduledRuns: Record<string, ScheduledRunRec>;
}

// ---------------------------------------------------------------- options

export const DEFAULT_ALATION_REFRESH_TOKEN = "alation-emulator-refresh-token";
export const DEFAULT_ALATION_ANALYST_REFRESH_TOKEN = "alation-emulator-analyst-refresh-token";
export const ALATION_ADMIN_USER_ID = 1;
export const ALATION_ANALYST_USER_ID = 2;
export const DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS = 24 * 3600;
const REFRESH_TOKEN_LIFETIME_MS = 60 * 24 * 3600 * 1000;
const RESULT_LIFETIME_MS = 7 * 24 * 3600 * 1000;
const MAX_RESULT_BYTES = 16 * 1024 * 1024;

export interface AlationEmulatorOptions extends Partial<Pick<EmulatorOptions<AlationState>, "stateFile" | "logFile" | "faults">> {
  /** Accepted refresh tokens: `{userId, token}` or "USER_ID:TOKEN"; default user 1 (admin) and user 2 (analyst) with the defaults above. */
  refreshTokens?: (string | { userId: number; token: string })[];
  /** API access tokens accepted as they are, without expiry (e.g. the vendor doc's example token): "USER_ID:TOKEN". */
  accessTokens?: string[];
  /** Access-token lifetime at first start (default 24 h; PUT /_alation/config changes it). */
  accessTokenLifetimeSeconds?: number;
  /** Seconds between checks for due schedules in real time (default 5; 0 = only on POST /_alation/clock). */
  schedulerTickSeconds?: number;
}

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

function parseRefreshTokens(list: AlationEmulatorOptions["refreshTokens"]): { userId: number; token: string }[] {
  const items = list ?? [
    { userId: ALATION_ADMIN_USER_ID, token: DEFAULT_ALATION_REFRESH_TOKEN },
    { userId: ALATION_ANALYST_USER_ID, token: DEFAULT_ALATION_ANALYST_REFRESH_TOKEN },
  ];
  return items.map((x) => {
    if (typeof x !== "string") return x;
    const i = x.indexOf(":");
    const userId = Number(x.slice(0, i));
    if (i < 1 || !Number.isInteger(userId) || userId < 1) throw new Error(`refresh token "${x.slice(0, 12)}…" must be USER_ID:TOKEN`);
    return { userId, token: x.slice(i + 1) };
  });
}

// ---------------------------------------------------------------- formatting

/** Django REST framework's timestamp: microseconds and Z. */
const iso = (d: Date) => d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
/** The result/latest endpoint's form: "2017-10-18 01:19:09.855398+00:00". */
const spaced = (s: string | null) => (s === null ? null : s.replace("T", " ").replace(/Z$/, "+00:00"));

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "object" ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(columns: { name: string }[], rows: unknown[][]): string {
  return [columns.map((c) => csvCell(c.name)).join(","), ...rows.map((r) => r.map(csvCell).join(","))].join("\r\n") + "\r\n";
}

function normType(t: string): string {
  const u = t.toUpperCase();
  if (/INT/.test(u)) return "INT";
  if (/DECIMAL|DOUBLE|FLOAT|REAL|NUMERIC/.test(u)) return "FLOAT";
  if (/TIMESTAMP/.test(u)) return "TIMESTAMP";
  if (/DATE/.test(u)) return "DATE";
  if (/BOOL/.test(u)) return "BOOL";
  return "STRING";
}

// ---------------------------------------------------------------- the emulator

export type AlationEmulator = EmulatorServer<AlationState> & { alation: AlationControls };

export interface AlationControls {
  /** Runs a query's saved SQL now (what POST /_alation/query/<id>/execute does). */
  execute(queryId: number, opts?: { scheduled?: boolean; sessionId?: number }): Promise<ExecutionReport>;
  /** Moves emulator time on and runs the schedules that fell due. */
  advance(seconds: number): Promise<ExecutionReport[]>;
  datasources: Datasources;
}

export interface ExecutionReport {
  session_id: number;
  batch_id: number;
  event_ids: number[];
  result_ids: number[];
  errors: (string | null)[];
  task_id?: string;
}

export function createAlationEmulator(opts: AlationEmulatorOptions = {}): AlationEmulator {
  const refreshTokens = parseRefreshTokens(opts.refreshTokens).map((t) => ({ ...t, hash: sha(t.token), buf: Buffer.from(t.token) }));
  const staticTokens = new Map(parseRefreshTokens(opts.accessTokens ?? []).map((t) => [sha(t.token), t.userId] as const));
  const initialState = (): AlationState => ({
    generation: randomUUID(),
    seq: {},
    users: {
      "1": { id: 1, username: "admin", email: "admin@example.com", is_admin: true, is_active: true },
      "2": { id: 2, username: "analyst", email: "analyst@example.com", is_admin: false, is_active: true },
      "3": { id: 3, username: "author", email: "author@example.com", is_admin: false, is_active: true },
    },
    accessTokens: {},
    refreshUse: {},
    config: { accessTokenLifetimeSeconds: opts.accessTokenLifetimeSeconds ?? DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS, scheduledRunDetails: false, clockOffsetMs: 0 },
    datasources: {
      "1": { id: 1, title: "Emulator warehouse", description: "An embedded DuckDB database seeded with users and orders.", dbtype: "duckdb", uri: "duckdb:///alation-ds-1.duckdb" },
      "2": { id: 2, title: "Analytics sandbox", description: "A second embedded DuckDB database, seeded like the first.", dbtype: "duckdb", uri: "duckdb:///alation-ds-2.duckdb" },
    },
    domains: {
      "1": { id: 1, title: "Finance", description: "Revenue, orders and billing." },
      "2": { id: 2, title: "Marketing", description: "Campaigns and customers." },
    },
    tags: {},
    queries: {},
    sessions: {},
    batches: {},
    events: {},
    results: {},
    scheduledRuns: {},
  });

  let fw!: EmulatorContext<AlationState>;
  const state = () => fw.state;
  const now = () => new Date(Date.now() + (fw ? state().config.clockOffsetMs : 0));
  const datasources = new Datasources(() => fw.stateDir, now);

  const next = (s: AlationState, kind: string) => {
    s.seq = { ...s.seq, [kind]: (s.seq[kind] ?? 0) + 1 };
    return s.seq[kind];
  };
  const notFound = () => new HttpError(404, { detail: ERRORS.notFound });
  const intParam = (v: string) => {
    if (!/^\d+$/.test(v)) throw notFound();
    return Number(v);
  };

  // ------------------------------------------------------------ auth

  const accessRecord = (s: AlationState, token: string): AccessTokenRec | undefined => {
    const h = sha(token);
    const fixed = staticTokens.get(h);
    if (fixed !== undefined) return { user_id: fixed, refresh: "", created_at: iso(new Date(0)), expires_at: iso(new Date(8.64e15)), revoked: false };
    return s.accessTokens[h];
  };
  const tokenStatus = (r: AccessTokenRec): "ACTIVE" | "EXPIRED" | "REVOKED" => (r.revoked ? "REVOKED" : Date.parse(r.expires_at) <= now().getTime() ? "EXPIRED" : "ACTIVE");

  const publicPaths = new Set<string>([R.createAccessToken, R.validateAccessToken, R.validateRefreshToken, R.revokeAccessTokens, R.queryImport]);

  /** The user of a request's TOKEN header (authenticate already vetted it). */
  const userOf = (req: EmulatorRequest, s: AlationState): AlationUser => {
    const rec = accessRecord(s, String(req.headers[C.TOKEN_HEADER]));
    return s.users[String(rec!.user_id)];
  };

  const refreshFor = (token: string, userId: unknown) => {
    const buf = Buffer.from(token);
    return refreshTokens.find((t) => t.buf.length === buf.length && timingSafeEqual(t.buf, buf) && String(t.userId) === String(userId));
  };
  const invalidRefresh = () => new HttpError(401, { detail: ERRORS.invalidRefreshToken, code: "401000" });

  const fieldErrors = (issues: { path: PropertyKey[]; message: string }[]) => {
    const out: Record<string, string[]> = {};
    for (const i of issues) {
      const key = i.path.length ? String(i.path[0]) : "non_field_errors";
      const msg = i.message.startsWith("Invalid input: expected") && i.message.endsWith("received undefined") ? "This field is required." : i.message;
      (out[key] ??= []).push(msg);
    }
    return new HttpError(400, out);
  };
  const parseBody = <T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, body: unknown): T => {
    const r = schema.safeParse(body ?? {});
    if (!r.success) throw fieldErrors(r.error.issues);
    return r.data;
  };

  // ------------------------------------------------------------ views

  const dsView = (d: DatasourceRec) => ({ id: d.id, title: d.title, uri: d.uri, url: `/data/${d.id}/` });
  const tagView = (s: AlationState, id: number) => {
    const t = s.tags[String(id)];
    return { id: t.id, name: t.name, description: t.description, ts_created: t.ts_created, url: `/tag/${t.id}/`, ts_updated: t.ts_updated };
  };
  const scheduleView = (s: AlationState, q: QueryRec) => {
    const sc = q.schedule;
    if (!sc) return [];
    const ds = s.datasources[String(q.datasource_id)];
    const user = Object.values(s.users).find((u) => u.username === sc.username);
    const latest = sc.latest_session_id ? s.sessions[String(sc.latest_session_id)] : undefined;
    const overdue = sc.enabled && sc.ts_next_run !== null && Date.parse(sc.ts_next_run) < now().getTime() - 60_000;
    return [
      {
        enabled: sc.enabled,
        cron_expression: sc.cron_expression,
        ts_last_attempt: sc.ts_last_attempt,
        overdue,
        ts_next_run: sc.ts_next_run,
        celery_queue: "run_scheduling",
        celery_task_name: `rosemeta.tasks.query_scheduling.run_query_${q.id}`,
        user: { username: sc.username, is_active: user?.is_active ?? false },
        db_connection: { uri: ds?.uri ?? "", username: "alation", ts_modified: sc.ts_modified, ts_last_used: sc.ts_last_used },
        latest_session: latest ? sessionCore(latest) : null,
      },
    ];
  };
  const sessionCore = (x: SessionRec) => ({ id: x.id, client_session_id: x.client_session_id, query_id: x.query_id, ts_start: x.ts_start, sandbox_id: x.sandbox_id, batch_ids: [...x.batch_ids] });
  const queryView = (s: AlationState, q: QueryRec) => ({
    datasource_id: q.datasource_id,
    autosave_content: q.autosave_content,
    content: q.content,
    title: q.title,
    saved: q.saved,
    published: q.published,
    description: q.description,
    url: `/integration/v1/query/${q.id}/`,
    id: q.id,
    domains: q.domain_ids.filter((d) => s.domains[String(d)]).map((d) => ({ ...s.domains[String(d)] })),
    tags: q.tag_ids.filter((t) => s.tags[String(t)]).map((t) => tagView(s, t)),
    datasource: dsView(s.datasources[String(q.datasource_id)]),
    ts_last_saved: q.ts_last_saved,
    has_unsaved_changes: q.autosave_content !== q.content,
    catalog_url: `/query/${q.id}/`,
    compose_url: `/compose/query/${q.id}/`,
    schedules: scheduleView(s, q),
  });
  const resultView = (s: AlationState, r: ResultRec) => {
    const q = s.queries[String(r.query_id)];
    const expired = Date.parse(r.ts_expiration) <= now().getTime();
    return {
      id: r.id,
      title: r.title,
      ts_created: r.ts_created,
      row_count: r.row_count,
      byte_count: r.byte_count,
      ts_expiration: r.ts_expiration,
      truncated: r.truncated,
      expired,
      deleted: false,
      url: `/execution_result/${r.id}/`,
      storage_status: r.truncated ? "STORED_PART" : "STORED_ALL",
      data_schema: r.columns.map((c) => ({ norm_type: normType(c.type), type: c.type.toLowerCase(), original_name: c.name, name: c.name })),
      query: { id: r.query_id, title: q?.title ?? "", description: q?.description ?? "" },
    };
  };
  const eventView = (s: AlationState, e: EventRec) => ({
    id: e.id,
    result: e.result_id !== null && s.results[String(e.result_id)] ? resultView(s, s.results[String(e.result_id)]) : null,
    num_result_rows: e.num_result_rows,
    execution_error: e.execution_error,
    canceled: e.canceled,
    ts_executed: e.ts_executed,
    elapsed_seconds: e.elapsed_seconds,
    index_in_batch: e.index_in_batch,
    batch_id: e.batch_id,
    session_id: e.session_id,
    query_id: e.query_id,
    db_username: e.db_username,
    statement_content: e.statement_content,
    datasource: dsView(s.datasources[String(e.datasource_id)]),
  });
  const batchView = (s: AlationState, b: BatchRec) => ({
    id: b.id,
    query_id: b.query_id,
    session_id: b.session_id,
    events: b.event_ids.map((id) => ({ id, index_in_batch: s.events[String(id)]?.index_in_batch ?? 0 })),
  });
  const runView = (r: ScheduledRunRec) => ({ ...r });

  // ------------------------------------------------------------ filter fields

  const queryFields = (s: AlationState): Fields<QueryRec> => {
    const ds = (q: QueryRec) => s.datasources[String(q.datasource_id)];
    const sc = (f: (x: ScheduleRec) => unknown) => (q: QueryRec) => (q.schedule ? [f(q.schedule)] : []);
    return {
      id: { type: "number", get: (q) => q.id },
      title: { type: "string", get: (q) => q.title },
      description: { type: "string", get: (q) => q.description },
      ts_last_saved: { type: "date", get: (q) => q.ts_last_saved },
      autosave_content: { type: "string", get: (q) => q.autosave_content },
      content: { type: "string", get: (q) => q.content },
      saved: { type: "boolean", get: (q) => q.saved },
      published: { type: "boolean", get: (q) => q.published },
      has_unsaved_changes: { type: "boolean", get: (q) => q.autosave_content !== q.content },
      datasource_id: { type: "number", get: (q) => q.datasource_id },
      datasource_title: { type: "string", get: (q) => ds(q)?.title },
      datasource_uri: { type: "string", get: (q) => ds(q)?.uri },
      schedule_enabled: { type: "boolean", get: sc((x) => x.enabled) },
      schedule_cron_expression: { type: "string", get: sc((x) => x.cron_expression) },
      schedule_ts_last_attempt: { type: "date", get: sc((x) => x.ts_last_attempt) },
      schedule_celery_task_name: { type: "string", get: (q) => (q.schedule ? [`rosemeta.tasks.query_scheduling.run_query_${q.id}`] : []) },
      schedule_username: { type: "string", get: sc((x) => x.username) },
      schedule_user_is_active: { type: "boolean", get: sc((x) => Object.values(s.users).find((u) => u.username === x.username)?.is_active ?? false) },
      schedule_db_uri: { type: "string", get: (q) => (q.schedule ? [ds(q)?.uri] : []) },
      schedule_db_ts_last_used: { type: "date", get: sc((x) => x.ts_last_used) },
    };
  };
  const sessionFields: Fields<SessionRec> = {
    id: { type: "number", get: (x) => x.id },
    client_session_id: { type: "string", get: (x) => x.client_session_id },
    query_id: { type: "number", get: (x) => x.query_id },
    ts_start: { type: "date", get: (x) => x.ts_start },
    sandbox_id: { type: "string", get: (x) => x.sandbox_id },
    is_scheduled: { type: "boolean", get: (x) => x.is_scheduled },
    batch_id: { type: "number", get: (x) => x.batch_ids },
  };
  const batchFields: Fields<BatchRec> = {
    id: { type: "number", get: (x) => x.id },
    query_id: { type: "number", get: (x) => x.query_id },
    session_id: { type: "number", get: (x) => x.session_id },
    event_id: { type: "number", get: (x) => x.event_ids },
  };
  const eventFields = (s: AlationState): Fields<EventRec> => {
    const res = (e: EventRec) => (e.result_id !== null ? s.results[String(e.result_id)] : undefined);
    const rv = (e: EventRec) => {
      const r = res(e);
      return r ? resultView(s, r) : undefined;
    };
    return {
      id: { type: "number", get: (x) => x.id },
      query_id: { type: "number", get: (x) => x.query_id },
      session_id: { type: "number", get: (x) => x.session_id },
      batch_id: { type: "number", get: (x) => x.batch_id },
      index_in_batch: { type: "number", get: (x) => x.index_in_batch },
      num_result_rows: { type: "number", get: (x) => x.num_result_rows },
      execution_error: { type: "string", get: (x) => x.execution_error },
      canceled: { type: "boolean", get: (x) => x.canceled },
      ts_executed: { type: "date", get: (x) => x.ts_executed },
      elapsed_seconds: { type: "number", get: (x) => x.elapsed_seconds },
      db_username: { type: "string", get: (x) => x.db_username },
      session_is_scheduled: { type: "boolean", get: (x) => s.sessions[String(x.session_id)]?.is_scheduled ?? false },
      datasource_id: { type: "number", get: (x) => x.datasource_id },
      datasource_title: { type: "string", get: (x) => s.datasources[String(x.datasource_id)]?.title },
      result_id: { type: "number", get: (x) => x.result_id },
      result_title: { type: "string", get: (x) => rv(x)?.title },
      result_ts_created: { type: "date", get: (x) => rv(x)?.ts_created },
      result_row_count: { type: "number", get: (x) => rv(x)?.row_count },
      result_byte_count: { type: "number", get: (x) => rv(x)?.byte_count },
      result_ts_expiration: { type: "date", get: (x) => rv(x)?.ts_expiration },
      result_truncated: { type: "boolean", get: (x) => rv(x)?.truncated },
      result_expired: { type: "boolean", get: (x) => rv(x)?.expired },
      result_deleted: { type: "boolean", get: (x) => rv(x)?.deleted },
      result_storage_status: { type: { enum: C.RESULT_STORAGE_STATUSES }, get: (x) => rv(x)?.storage_status },
    };
  };
  const runFields: Fields<ScheduledRunRec> = {
    session_id: { type: "number", get: (x) => x.session_id },
    query_id: { type: "number", get: (x) => x.query_id },
    query_title: { type: "string", get: (x) => x.query_title },
    task_id: { type: "string", get: (x) => x.task_id },
    ts_sent_to_broker: { type: "date", get: (x) => x.ts_sent_to_broker },
    ts_prerun: { type: "date", get: (x) => x.ts_prerun },
    ts_postrun: { type: "date", get: (x) => x.ts_postrun },
  };

  /** Filters, orders by id and pages a collection, optionally for one query (404 when it does not exist). */
  const listOf = <T extends { id?: number; query_id?: number | null }>(req: EmulatorRequest, s: AlationState, items: T[], fields: Fields<T>, view: (x: T) => unknown) => {
    let list = items;
    if (req.params.id !== undefined) {
      const qid = intParam(req.params.id);
      if (!s.queries[String(qid)]) throw notFound();
      list = list.filter((x) => x.query_id === qid);
    }
    list = applyFilters(list, req.query, fields).sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
    return { status: 200, body: page(list, req.query).map(view) };
  };

  // ------------------------------------------------------------ executions

  const getQuery = (s: AlationState, id: string): QueryRec => {
    const q = s.queries[String(intParam(id))];
    if (!q) throw notFound();
    return q;
  };

  async function execute(queryId: number, o: { scheduled?: boolean; sessionId?: number } = {}): Promise<ExecutionReport> {
    const s = state();
    const q = s.queries[String(queryId)];
    if (!q) throw notFound();
    let statements: { text: string; word: string }[];
    try {
      statements = splitStatements(q.content).map((st) => ({ text: st.text, word: leadingWord(st.tokens) || st.text.trim().slice(0, 1) }));
    } catch {
      statements = [{ text: q.content, word: "" }]; // unreadable SQL: the engine reports it
    }
    const started = now();
    let session: SessionRec | undefined = o.sessionId !== undefined ? s.sessions[String(o.sessionId)] : undefined;
    if (o.sessionId !== undefined && (!session || session.query_id !== queryId || session.is_scheduled)) {
      throw new HttpError(400, { error: `session ${o.sessionId} is not a Compose session of query ${queryId}` });
    }
    if (!session) {
      const id = next(s, "session");
      session = {
        id,
        client_session_id: `${iso(started)}#${randomBytes(4).toString("hex")}`,
        query_id: queryId,
        ts_start: iso(started),
        sandbox_id: o.scheduled ? `schedule-${queryId}` : `compose-${randomBytes(4).toString("hex")}`,
        is_scheduled: o.scheduled === true,
        batch_ids: [],
      };
      s.sessions[String(id)] = session;
    }
    const batch: BatchRec = { id: next(s, "batch"), query_id: queryId, session_id: session.id, event_ids: [] };
    s.batches[String(batch.id)] = batch;
    session.batch_ids = [...session.batch_ids, batch.id];
    const outcomes = await datasources.execute(q.datasource_id, statements);
    const report: ExecutionReport = { session_id: session.id, batch_id: batch.id, event_ids: [], result_ids: [], errors: [] };
    outcomes.forEach((o2, i) => {
      const eid = next(s, "event");
      let resultId: number | null = null;
      if (o2.result) {
        resultId = next(s, "result");
        let rows = o2.result.rows;
        let csv = toCsv(o2.result.columns, rows);
        let truncated = false;
        while (Buffer.byteLength(csv) > MAX_RESULT_BYTES && rows.length > 0) {
          rows = rows.slice(0, Math.floor(rows.length / 2));
          csv = toCsv(o2.result.columns, rows);
          truncated = true;
        }
        s.results[String(resultId)] = {
          id: resultId,
          event_id: eid,
          query_id: queryId,
          title: `${q.title || `Query ${q.id}`} (statement ${i + 1})`,
          ts_created: iso(o2.finishedAt),
          ts_expiration: iso(new Date(o2.finishedAt.getTime() + RESULT_LIFETIME_MS)),
          row_count: o2.result.rows.length,
          byte_count: Buffer.byteLength(csv),
          truncated,
          columns: o2.result.columns,
          rows,
        };
        report.result_ids.push(resultId);
      }
      s.events[String(eid)] = {
        id: eid,
        batch_id: batch.id,
        session_id: session!.id,
        query_id: queryId,
        datasource_id: q.datasource_id,
        index_in_batch: i,
        statement_content: statements[i].text,
        ts_executed: iso(o2.startedAt),
        ts_finished: iso(o2.finishedAt),
        elapsed_seconds: Math.max(0, (o2.finishedAt.getTime() - o2.startedAt.getTime()) / 1000),
        num_result_rows: o2.rowCount,
        execution_error: o2.error,
        canceled: false,
        db_username: "alation",
        result_id: resultId,
      };
      batch.event_ids = [...batch.event_ids, eid];
      report.event_ids.push(eid);
      report.errors.push(o2.error);
    });
    fw.save(); // changed outside the request's tracked state
    return report;
  }

  /** Runs every enabled schedule whose next run is due (in emulator time), once each. */
  async function runDueSchedules(): Promise<ExecutionReport[]> {
    const s = state();
    const reports: ExecutionReport[] = [];
    const due = Object.values(s.queries).filter((q) => q.schedule?.enabled && q.schedule.ts_next_run !== null && Date.parse(q.schedule.ts_next_run) <= now().getTime());
    for (const q of due) {
      const sc = q.schedule!;
      const sent = iso(new Date(Date.parse(sc.ts_next_run!)));
      const task_id = randomUUID();
      const prerun = iso(now());
      const report = await execute(q.id, { scheduled: true });
      const details = s.config.scheduledRunDetails;
      s.scheduledRuns[task_id] = {
        task_id,
        session_id: details ? report.session_id : null,
        query_id: details ? q.id : null,
        query_title: details ? q.title : null,
        ts_sent_to_broker: sent,
        ts_prerun: prerun,
        ts_postrun: iso(now()),
      };
      sc.ts_last_attempt = prerun;
      sc.ts_last_used = prerun;
      sc.latest_session_id = report.session_id;
      sc.ts_next_run = iso(nextRun(sc.cron_expression, now()) ?? new Date(8.64e15));
      reports.push({ ...report, task_id });
    }
    if (due.length) fw.save();
    return reports;
  }

  const tickMs = (opts.schedulerTickSeconds ?? 5) * 1000;
  let scheduling: Promise<unknown> = Promise.resolve();
  const serialSchedules = () => (scheduling = scheduling.then(runDueSchedules, runDueSchedules));
  const tick = () => {
    void fw.track(serialSchedules().catch(() => undefined));
    fw.later(tickMs, tick);
  };

  // ------------------------------------------------------------ routes

  const list = (s: AlationState) => Object.values(s.queries);

  const routes: Route<AlationState>[] = [
    // ---- queries
    {
      method: "POST",
      pattern: R.queries,
      handler: (req, s) => {
        const body = parseBody(C.CreateQueryRequest, req.body);
        const user = userOf(req, s);
        let author = user;
        if (body.author) {
          if (!user.is_admin) throw new HttpError(403, { detail: ERRORS.authorNotAdmin });
          const a = body.author;
          const found = Object.values(s.users).find((u) => (a.id !== undefined && u.id === a.id) || (a.email !== undefined && u.email === a.email) || (a.username !== undefined && u.username === a.username));
          if (!found) throw new HttpError(400, { author: ["No user matches the given id, email or username."] });
          author = found;
        }
        if (!s.datasources[String(body.datasource_id)]) throw new HttpError(400, { datasource_id: [`Invalid pk "${body.datasource_id}" - object does not exist.`] });
        const badDomains = (body.domain_ids ?? []).filter((d) => !s.domains[String(d)]);
        if (badDomains.length) throw new HttpError(400, { domain_ids: badDomains.map((d) => `Invalid pk "${d}" - object does not exist.`) });
        const at = iso(now());
        const tagIds = [...new Set(body.tag_names ?? [])].map((name) => {
          const existing = Object.values(s.tags).find((t) => t.name === name);
          if (existing) return existing.id;
          const id = next(s, "tag");
          s.tags[String(id)] = { id, name, description: "", ts_created: at, ts_updated: at };
          return id;
        });
        const id = next(s, "query");
        const saved = body.saved ?? true;
        const q: QueryRec = {
          id,
          datasource_id: body.datasource_id,
          title: body.title ?? "",
          description: body.description ?? "",
          content: body.content,
          autosave_content: body.content,
          saved,
          published: body.published ?? false,
          tag_ids: tagIds,
          domain_ids: [...new Set(body.domain_ids ?? [])],
          author_id: author.id,
          ts_created: at,
          ts_last_saved: at,
        };
        s.queries[String(id)] = q;
        return { status: 201, body: queryView(s, q), headers: { location: `/integration/v1/query/${id}/` } };
      },
    },
    {
      method: "GET",
      pattern: R.queries,
      handler: (req, s) => {
        const fields = queryFields(s);
        const ordering = req.query.get("order_by");
        if (ordering) {
          const scheduleFilters = filterFields(req.query, fields).filter((k) => k.startsWith("schedule_"));
          if (scheduleFilters.length) throw new HttpError(400, { error: ERRORS.orderingWithFilter(ordering, scheduleFilters) });
        }
        let items = applyFilters(list(s), req.query, fields);
        const key = (q: QueryRec, k: string) => (k === "last_saved_at" ? q.ts_last_saved : (q as unknown as Record<string, unknown>)[k]);
        items = applyOrdering(items, req.query, C.QUERY_ORDERINGS, key, "id");
        return { status: 200, body: page(items, req.query).map((q) => queryView(s, q)) };
      },
    },
    // Static segments before `<id>` patterns: the router takes the first match.
    { method: "GET", pattern: R.queryImport, handler: (req) => loginRedirect(req) },
    { method: "POST", pattern: R.queryImport, handler: (req) => loginRedirect(req) },
    { method: "GET", pattern: R.sessions, handler: (req, s) => listOf(req, s, Object.values(s.sessions), sessionFields, (x) => ({ ...sessionCore(x), is_scheduled: x.is_scheduled })) },
    { method: "GET", pattern: R.session, handler: (req, s) => one(s.sessions[String(intParam(req.params.id))], (x) => ({ ...sessionCore(x), is_scheduled: x.is_scheduled })) },
    { method: "GET", pattern: R.batches, handler: (req, s) => listOf(req, s, Object.values(s.batches), batchFields, (x) => batchView(s, x)) },
    { method: "GET", pattern: R.batch, handler: (req, s) => one(s.batches[String(intParam(req.params.id))], (x) => batchView(s, x)) },
    { method: "GET", pattern: R.events, handler: (req, s) => listOf(req, s, Object.values(s.events), eventFields(s), (x) => eventView(s, x)) },
    { method: "GET", pattern: R.event, handler: (req, s) => one(s.events[String(intParam(req.params.id))], (x) => eventView(s, x)) },
    { method: "GET", pattern: R.scheduledRuns, handler: (req, s) => runsList(req, s) },
    { method: "GET", pattern: R.query, handler: (req, s) => ({ status: 200, body: queryView(s, getQuery(s, req.params.id)) }) },
    {
      method: "GET",
      pattern: R.querySql,
      handler: (req, s) => ({ status: 200, text: getQuery(s, req.params.id).content, headers: { "content-type": "text/plain; charset=utf-8" } }),
    },
    {
      method: "GET",
      pattern: R.queryLatestResult,
      handler: (req, s) => {
        const q = getQuery(s, req.params.id);
        const latest = Object.values(s.results)
          .filter((r) => r.query_id === q.id && Date.parse(r.ts_expiration) > now().getTime())
          .sort((a, b) => b.id - a.id)[0];
        if (!latest) throw new HttpError(404, { detail: ERRORS.noLatestResult(req.params.id) });
        const e = s.events[String(latest.event_id)];
        return {
          status: 200,
          body: {
            id: latest.id,
            truncated: latest.truncated,
            execution_event: {
              executed_at: spaced(e.ts_executed),
              canceled: e.canceled,
              execution_error: e.execution_error,
              finished: true,
              finished_at: spaced(e.ts_finished),
              seconds_taken: e.elapsed_seconds,
            },
          },
        };
      },
    },
    { method: "GET", pattern: R.querySessions, handler: (req, s) => listOf(req, s, Object.values(s.sessions), sessionFields, (x) => ({ ...sessionCore(x), is_scheduled: x.is_scheduled })) },
    { method: "GET", pattern: R.queryBatches, handler: (req, s) => listOf(req, s, Object.values(s.batches), batchFields, (x) => batchView(s, x)) },
    { method: "GET", pattern: R.queryEvents, handler: (req, s) => listOf(req, s, Object.values(s.events), eventFields(s), (x) => eventView(s, x)) },
    { method: "GET", pattern: R.queryScheduledRuns, handler: (req, s) => runsList(req, s) },
    {
      method: "GET",
      pattern: R.resultCsv,
      handler: (req, s) => {
        const r = s.results[String(intParam(req.params.id))];
        if (!r || Date.parse(r.ts_expiration) <= now().getTime()) throw notFound();
        // The doc gives Content-Type application/json for this answer, whose body is CSV.
        return { status: 200, text: toCsv(r.columns, r.rows), headers: { "content-type": "application/json" } };
      },
    },
    {
      method: "GET",
      pattern: R.datasources,
      handler: (req, s) => {
        const items = Object.values(s.datasources).sort((a, b) => a.id - b.id);
        const fields: Fields<DatasourceRec> = { id: { type: "number", get: (d) => d.id }, title: { type: "string", get: (d) => d.title }, dbtype: { type: "string", get: (d) => d.dbtype } };
        return {
          status: 200,
          body: page(applyFilters(items, req.query, fields), req.query).map((d) => ({ ...dsView(d), description: d.description, dbtype: d.dbtype, is_virtual: false, deleted: false })),
        };
      },
    },
    // ---- tokens
    {
      method: "POST",
      pattern: R.createAccessToken,
      handler: (req, s) => {
        const body = parseBody(C.RefreshTokenRequest, req.body);
        const rt = refreshFor(body.refresh_token, body.user_id);
        if (!rt) throw invalidRefresh();
        const token = randomBytes(24).toString("base64url");
        const created = now();
        const expires = new Date(created.getTime() + s.config.accessTokenLifetimeSeconds * 1000);
        s.accessTokens[sha(token)] = { user_id: rt.userId, refresh: rt.hash, created_at: iso(created), expires_at: iso(expires), revoked: false };
        s.refreshUse[rt.hash] = iso(created);
        pruneTokens(s);
        return { status: 201, body: { api_access_token: token, user_id: rt.userId, created_at: iso(created), token_expires_at: iso(expires), token_status: "ACTIVE" } };
      },
    },
    {
      method: "POST",
      pattern: R.validateAccessToken,
      handler: (req, s) => {
        const body = parseBody(C.ValidateAccessTokenRequest, req.body);
        const rec = accessRecord(s, body.api_access_token);
        if (!rec || String(rec.user_id) !== String(body.user_id)) throw new HttpError(401, { detail: ERRORS.invalidAccessToken, code: "401001" });
        return { status: 200, body: { api_access_token: body.api_access_token, user_id: rec.user_id, created_at: rec.created_at, token_expires_at: rec.expires_at, token_status: tokenStatus(rec) } };
      },
    },
    {
      method: "POST",
      pattern: R.validateRefreshToken,
      handler: (req, s) => {
        const body = parseBody(C.RefreshTokenRequest, req.body);
        const rt = refreshFor(body.refresh_token, body.user_id);
        if (!rt) throw invalidRefresh();
        return {
          status: 200,
          body: {
            user_id: rt.userId,
            created_at: iso(new Date(0)),
            token_expires_at: iso(new Date(now().getTime() + REFRESH_TOKEN_LIFETIME_MS)),
            token_status: "ACTIVE",
            last_used_at: s.refreshUse[rt.hash] ?? null,
            name: `refresh-token-${rt.userId}`,
          },
        };
      },
    },
    {
      method: "POST",
      pattern: R.revokeAccessTokens,
      handler: (req, s) => {
        const body = parseBody(C.RefreshTokenRequest, req.body);
        const rt = refreshFor(body.refresh_token, body.user_id);
        if (!rt) throw invalidRefresh();
        let n = 0;
        for (const [k, rec] of Object.entries(s.accessTokens)) {
          if (rec.refresh === rt.hash && !rec.revoked) {
            s.accessTokens[k] = { ...rec, revoked: true };
            n++;
          }
        }
        return { status: 200, body: { detail: `Revoked ${n} API access token${n === 1 ? "" : "s"}.` } };
      },
    },
    // ---- emulator controls
    {
      method: "PATCH",
      pattern: "/_alation/query/:id",
      handler: (req, s) => {
        const q = getQuery(s, req.params.id);
        const b = (req.body ?? {}) as Record<string, unknown>;
        const at = iso(now());
        if (typeof b.title === "string") q.title = b.title;
        if (typeof b.description === "string") q.description = b.description;
        if (typeof b.saved === "boolean") q.saved = b.saved;
        if (typeof b.published === "boolean") q.published = b.published;
        if (typeof b.content === "string") {
          q.content = b.content;
          q.autosave_content = b.content;
          q.ts_last_saved = at;
        }
        if (typeof b.autosave_content === "string") q.autosave_content = b.autosave_content;
        if (Array.isArray(b.tag_names)) {
          q.tag_ids = (b.tag_names as string[]).map((name) => {
            const existing = Object.values(s.tags).find((t) => t.name === name);
            if (existing) return existing.id;
            const id = next(s, "tag");
            s.tags[String(id)] = { id, name, description: "", ts_created: at, ts_updated: at };
            return id;
          });
        }
        if (Array.isArray(b.domain_ids)) q.domain_ids = (b.domain_ids as number[]).filter((d) => s.domains[String(d)]);
        return { status: 200, body: queryView(s, q) };
      },
    },
    {
      // A query deleted in the UI (the API cannot delete one).
      method: "DELETE",
      pattern: "/_alation/query/:id",
      handler: (req, s) => {
        const q = getQuery(s, req.params.id);
        delete s.queries[String(q.id)];
        return { status: 204 };
      },
    },
    {
      method: "POST",
      pattern: "/_alation/query/:id/execute",
      handler: async (req, s) => {
        const q = getQuery(s, req.params.id);
        const b = (req.body ?? {}) as { session_id?: number };
        const report = await execute(q.id, { sessionId: typeof b.session_id === "number" ? b.session_id : undefined });
        return { status: 200, body: report };
      },
    },
    {
      method: "PUT",
      pattern: "/_alation/query/:id/schedule",
      handler: (req, s) => {
        const q = getQuery(s, req.params.id);
        const b = (req.body ?? {}) as { cron_expression?: unknown; enabled?: unknown; username?: unknown };
        if (typeof b.cron_expression !== "string") throw new HttpError(400, { error: "cron_expression is required" });
        try {
          parseCron(b.cron_expression);
        } catch (e) {
          throw new HttpError(400, { error: (e as Error).message });
        }
        const at = now();
        q.schedule = {
          enabled: b.enabled !== false,
          cron_expression: b.cron_expression,
          ts_last_attempt: q.schedule?.ts_last_attempt ?? null,
          ts_next_run: iso(nextRun(b.cron_expression, at) ?? new Date(8.64e15)),
          username: typeof b.username === "string" ? b.username : s.users[String(q.author_id)]?.username ?? "admin",
          ts_modified: iso(at),
          ts_last_used: q.schedule?.ts_last_used ?? null,
          latest_session_id: q.schedule?.latest_session_id ?? null,
        };
        return { status: 200, body: queryView(s, q) };
      },
    },
    {
      method: "DELETE",
      pattern: "/_alation/query/:id/schedule",
      handler: (req, s) => {
        const q = getQuery(s, req.params.id);
        delete q.schedule;
        return { status: 204 };
      },
    },
    {
      method: "POST",
      pattern: "/_alation/clock",
      handler: async (req, s) => {
        const secs = Number((req.body ?? {}).advanceSeconds ?? 0);
        if (!Number.isFinite(secs) || secs < 0) throw new HttpError(400, { error: "advanceSeconds must be a number >= 0" });
        s.config = { ...s.config, clockOffsetMs: s.config.clockOffsetMs + secs * 1000 };
        const runs = await serialSchedules();
        return { status: 200, body: { now: iso(now()), runs } };
      },
    },
    {
      method: "PUT",
      pattern: "/_alation/config",
      handler: (req, s) => {
        const b = (req.body ?? {}) as { accessTokenLifetimeSeconds?: unknown; scheduledRunDetails?: unknown };
        const c = { ...s.config };
        if (b.accessTokenLifetimeSeconds !== undefined) {
          const n = Number(b.accessTokenLifetimeSeconds);
          if (!Number.isFinite(n) || n <= 0) throw new HttpError(400, { error: "accessTokenLifetimeSeconds must be > 0" });
          c.accessTokenLifetimeSeconds = n;
        }
        if (typeof b.scheduledRunDetails === "boolean") c.scheduledRunDetails = b.scheduledRunDetails;
        s.config = c;
        return { status: 200, body: { ...c, now: iso(now()) } };
      },
    },
    {
      method: "GET",
      pattern: "/_alation/datasource/:id/tables",
      handler: async (req, s) => {
        const id = intParam(req.params.id);
        if (!s.datasources[String(id)]) throw notFound();
        return { status: 200, body: await datasources.tables(id) };
      },
    },
  ];

  function one<T>(x: T | undefined, view: (x: T) => unknown) {
    if (!x) throw notFound();
    return { status: 200, body: view(x) };
  }

  function runsList(req: EmulatorRequest, s: AlationState) {
    let items = Object.values(s.scheduledRuns);
    if (req.params.id !== undefined) {
      const qid = intParam(req.params.id);
      if (!s.queries[String(qid)]) throw notFound();
      // Runs recorded without details cannot be tied to a query.
      items = items.filter((r) => r.query_id === qid);
    }
    items = applyOrdering(applyFilters(items, req.query, runFields), req.query, C.SCHEDULED_RUN_ORDERINGS, (r, k) => (r as unknown as Record<string, unknown>)[k], "ts_sent_to_broker");
    return { status: 200, body: page(items, req.query).map(runView) };
  }

  function loginRedirect(req: EmulatorRequest) {
    const next = `${req.path}${req.query.toString() ? `?${req.query.toString()}` : ""}`;
    return { status: 302, text: "", headers: { location: `/login/?next=${encodeURIComponent(next)}` } };
  }

  function pruneTokens(s: AlationState) {
    const t = now().getTime();
    for (const [k, rec] of Object.entries(s.accessTokens)) if (Date.parse(rec.expires_at) + 7 * 24 * 3600 * 1000 < t) delete s.accessTokens[k];
  }

  const server = new EmulatorServer<AlationState>({
    vendor: "alation",
    routes: (ctx) => {
      fw = ctx;
      ctx.clock = { now };
      ctx.onClose(() => datasources.close());
      return routes;
    },
    initialState,
    stateFile: opts.stateFile,
    logFile: opts.logFile,
    faults: opts.faults,
    serializeWrites: true,
    errorBody: (status, message) => {
      if (status === 404) return message.startsWith("no route") ? "<h1>Not Found</h1><p>The requested resource was not found on this server.</p>" : { detail: ERRORS.notFound };
      if (status === 405) return { detail: message.replace(/^method (\S+) not allowed.*$/, 'Method "$1" not allowed.') };
      if (status === 400) return { error: message };
      return { detail: message };
    },
    secretHeaders: [C.TOKEN_HEADER, "cookie"],
    secretFields: ["refresh_token", "api_access_token", /password|secret/i],
    backend: {
      open: async (ctx) => {
        if (tickMs > 0) ctx.later(tickMs, tick);
      },
      reset: async () => {
        await datasources.wipe();
      },
    },
    authenticate: (req, s) => {
      if (req.path.startsWith("/_alation/") || publicPaths.has(req.path)) return;
      const raw = req.headers[C.TOKEN_HEADER];
      const token = Array.isArray(raw) ? raw[0] : raw;
      if (token === undefined || token.trim() === "") throw new HttpError(403, { detail: ERRORS.missingToken });
      const rec = accessRecord(s, token.trim());
      if (!rec || tokenStatus(rec) !== "ACTIVE" || !s.users[String(rec.user_id)]?.is_active) throw new HttpError(403, { detail: ERRORS.invalidToken });
    },
  });
  return Object.assign(server, { alation: { execute: (id: number, o?: { scheduled?: boolean; sessionId?: number }) => execute(id, o), advance: async (secs: number) => {
    state().config = { ...state().config, clockOffsetMs: state().config.clockOffsetMs + secs * 1000 };
    fw.save("config");
    return serialSchedules();
  }, datasources } });
}

/** Request body fields that carry credentials. */
export const ALATION_SECRET_FIELDS = ["refresh_token", "api_access_token"];

type AlationVendorOptions = Omit<AlationEmulatorOptions, "stateFile" | "logFile" | "faults">;

function firstRefresh(o: Partial<AlationVendorOptions>): { userId: string; refreshToken: string } {
  const first = parseRefreshTokens(o.refreshTokens)[0];
  return { userId: String(first.userId), refreshToken: first.token };
}

/** The Alation emulator's registration (emulator/index.ts loads it from provider/vendors.ts). */
export const emulator = defineEmulator<AlationState, AlationVendorOptions>({
  vendor: "alation",
  cliOptions: {
    "refresh-token": {
      type: "string",
      multiple: true,
      value: "USER_ID:TOKEN",
      help: `an accepted refresh token and its user (1 = admin, 2 = analyst, 3 = author); repeatable (default 1:${DEFAULT_ALATION_REFRESH_TOKEN} and 2:${DEFAULT_ALATION_ANALYST_REFRESH_TOKEN})`,
    },
    "access-token": { type: "string", multiple: true, value: "USER_ID:TOKEN", help: "an API access token accepted as is, without expiry; repeatable" },
    "access-token-lifetime": { type: "string", value: "SECONDS", help: `lifetime of minted API access tokens (default ${DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS})` },
    "scheduler-tick": { type: "string", value: "SECONDS", help: "how often due schedules are checked in real time (default 5; 0 = only on POST /_alation/clock)" },
  },
  fromCli: (v) => {
    const o: AlationVendorOptions = {};
    const tokens = (v["refresh-token"] as string[] | undefined)?.filter((c) => c !== "");
    if (tokens?.length) {
      for (const t of tokens) if (!/^\d+:.+/.test(t)) throw new Error("--refresh-token must be USER_ID:TOKEN");
      o.refreshTokens = tokens;
    }
    const fixed = (v["access-token"] as string[] | undefined)?.filter((c) => c !== "");
    if (fixed?.length) {
      for (const t of fixed) if (!/^\d+:.+/.test(t)) throw new Error("--access-token must be USER_ID:TOKEN");
      o.accessTokens = fixed;
    }
    for (const [flag, key] of [["access-token-lifetime", "accessTokenLifetimeSeconds"], ["scheduler-tick", "schedulerTickSeconds"]] as const) {
      const raw = v[flag];
      if (raw === undefined) continue;
      const n = Number(raw);
      if (!Number.isFinite(n) || n < 0) throw new Error(`--${flag} must be a number of seconds (got "${raw}")`);
      o[key] = n;
    }
    return o;
  },
  randomCredentials: () => ({ refreshTokens: [`1:${randomToken("alation")}`, `2:${randomToken("alation")}`] }),
  create: async (common, o) => {
    const server = createAlationEmulator({ ...stateFiles("alation", common.stateDir), faults: common.faults, ...o });
    await server.open();
    return server;
  },
  settings: (url, o) => ({ endpoint: url, ...firstRefresh(o) }),
});
