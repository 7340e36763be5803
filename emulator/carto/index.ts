/**
 * CARTO SQL API emulator (shared/vendor-docs/carto-sql-api-openapi.txt, corrected from the
 * server's own source, CartoDB/CartoDB-SQL-API — notes §3) and Auth API (`/api/v3/api_keys`), on
 * a real PostgreSQL with PostGIS (pglite in process: engine.ts).
 *
 * Routes (each also under `/user/<user>`; the user is taken from that path, else from the host's
 * first label when the host is a name, else the configured user; another user → 404):
 *   GET|POST /api/v2/sql                 q, format (json | geojson | csv; the OpenAPI's others → 400 naming it), filename, skipfields, dp
 *   POST     /api/v2/sql/job             201 job (string | string[] | {query:[{query,onsuccess,onerror,timeout}],onsuccess,onerror})
 *   GET      /api/v2/sql/job/:id         the job (404 once expired)
 *   DELETE   /api/v2/sql/job/:id         cancel → "cancelled"
 *   POST     /api/v2/sql/copyfrom?q=COPY … FROM STDIN   body streamed (chunked, gzip) → {time, total_rows}
 *   GET|POST /api/v2/sql/copyto?q=COPY … TO STDOUT     application/octet-stream with Content-Disposition
 *   GET|POST /api/v3/api_keys, GET|DELETE /api/v3/api_keys/:name, POST /api/v3/api_keys/:name/token/regenerate
 * Auth as the server: Basic (user must be the account's, password = key), else `api_key`/`map_key`
 * in the query string, else in the body; no key = the account's "Default public" key; an unknown
 * key → 401. Each key is a PostgreSQL role; regular keys' table grants are real GRANTs.
 */
import { createHash, randomBytes } from "node:crypto";
import type * as http from "node:http";
import * as path from "node:path";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { defineEmulator, randomToken, stateFiles } from "../framework/definition";
import { EmulatorContext, EmulatorOptions, EmulatorRequest, EmulatorResponse, EmulatorServer, HttpError, Route } from "../framework/server";
import * as C from "../../provider/carto/contract";
import { CARTO_MESSAGES as M, CARTO_ROUTES as R, RateLimitGroup } from "../../provider/carto/contract";
import { PgEngineError, PgErrorInfo, PgliteEngine, qid, qlit, ROLE_ESCAPE } from "./engine";
import { renderCsv, renderGeoJson, renderJson } from "./formats";
import { JobRecord, cancelJob, expired, newJob, runJob, serializeJob } from "./jobs";

export { JobRecord } from "./jobs";

export interface CartoKey {
  name: string;
  type: (typeof C.API_KEY_TYPES)[number];
  token: string;
  /** The PostgreSQL role the key's requests run as. */
  role: string;
  grants: C.GrantBody[];
  created_at: string;
  updated_at: string;
}

/** A rate limit of one endpoint group: `limit` requests per `periodSeconds` (a token bucket of that capacity). */
export interface RateLimit {
  limit: number;
  periodSeconds: number;
}

/** Limits a test (or the CLI) can change at run time: `server.state.config`. */
export interface CartoConfig {
  /** Per-user statement timeout of /sql (ms; 0 = none). The vendor's: 25 s enterprise, 15 s individual, 5 s free. */
  statementTimeoutMs: number;
  /** Job-level timeout (ms; the vendor's default 12 h). */
  jobTimeoutMs: number;
  /** Finished jobs are forgotten after this (ms; the vendor's 2 h). */
  jobTtlMs: number;
  maxQueuedJobs: number;
  /** Rate limits by endpoint group (none = unlimited, no headers). */
  rateLimits: Partial<Record<RateLimitGroup, RateLimit>>;
  /** Refuse the system schemas and tables (pg_catalog, information_schema, cartodb.cdb_conf, …) to every key, master included (the server's validatePGEntitiesAccess; false in its shipped configs, so only non-master keys are refused `pg_*` tables). */
  validatePGEntitiesAccess: boolean;
  /** Delay before a pending job is picked up (ms; the vendor's queue has some latency too). */
  jobStartDelayMs: number;
  /** Database quota in bytes for COPY FROM (0 = none). */
  quotaBytes: number;
  /** COPY FROM maximum body size (bytes, compressed when gzip; the vendor's 2 GB). */
  copyFromMaxBytes: number;
}

export interface CartoState {
  /** Changes on every admin reset. */
  generation: string;
  user: string;
  config: CartoConfig;
  /** API keys by name. */
  keys: Record<string, CartoKey>;
  /** Batch jobs by id. */
  jobs: Record<string, JobRecord>;
}

export const DEFAULT_CARTO_USER = "username";
export const DEFAULT_CARTO_MASTER_KEY = "carto-emulator-master-key";
export const MASTER_KEY_NAME = "Master";
export const DEFAULT_PUBLIC_KEY_NAME = "Default public";
export const DEFAULT_PUBLIC_TOKEN = "default_public";
const MASTER_ROLE = "carto_master";
const PUBLIC_ROLE = "carto_publicuser";

export interface CartoEmulatorOptions extends Partial<Pick<EmulatorOptions<CartoState>, "stateFile" | "logFile" | "faults">> {
  /** The account's username (default "username", as in the vendor's examples). */
  user?: string;
  /** The master API key (default DEFAULT_CARTO_MASTER_KEY). */
  masterKey?: string;
  /** Initial limits (see CartoConfig); changeable at run time through `server.state.config`. */
  config?: Partial<CartoConfig>;
  /** Directory of the PostgreSQL data (default `<state-dir>/carto-pgdata`; in memory without a state dir). */
  pgDataDir?: string;
}

export type CartoEmulator = EmulatorServer<CartoState>;

export const DEFAULT_CARTO_CONFIG: CartoConfig = {
  statementTimeoutMs: 25_000,
  jobTimeoutMs: 12 * 60 * 60 * 1000,
  jobTtlMs: C.JOB_LIMITS.finishedTtlMs,
  maxQueuedJobs: C.JOB_LIMITS.maxQueuedJobs,
  jobStartDelayMs: 10,
  validatePGEntitiesAccess: false,
  rateLimits: {},
  quotaBytes: 0,
  copyFromMaxBytes: 2 * 1024 ** 3,
};

/**
 * The part of CARTO's own extension (cartodb-postgresql) programs call through the SQL API:
 * `CDB_CartodbfyTable(schema, table)` makes a table a CARTO dataset — `cartodb_id` (primary key
 * when the table has none), `the_geom` (4326) and `the_geom_webmercator` (3857, kept in sync by a
 * trigger), GiST indexes on both. Functions live in schema `cartodb`, on every request's search path.
 */
const CARTODB_FUNCTIONS = `
CREATE SCHEMA IF NOT EXISTS cartodb;
GRANT USAGE ON SCHEMA cartodb TO PUBLIC;
CREATE OR REPLACE FUNCTION cartodb._cdb_update_the_geom_webmercator() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  NEW.the_geom_webmercator := CASE WHEN NEW.the_geom IS NULL THEN NULL ELSE ST_Transform(NEW.the_geom, 3857) END;
  RETURN NEW;
END $f$;
CREATE OR REPLACE FUNCTION cartodb.cdb_cartodbfytable(destschema text, reloid regclass) RETURNS regclass LANGUAGE plpgsql AS $f$
DECLARE
  tbl text := (SELECT relname FROM pg_class WHERE oid = reloid);
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = reloid AND attname = 'cartodb_id' AND NOT attisdropped) THEN
    EXECUTE format('ALTER TABLE %s ADD COLUMN cartodb_id bigserial NOT NULL', reloid);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = reloid AND contype = 'p') THEN
    EXECUTE format('ALTER TABLE %s ADD PRIMARY KEY (cartodb_id)', reloid);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = reloid AND attname = 'the_geom' AND NOT attisdropped) THEN
    EXECUTE format('ALTER TABLE %s ADD COLUMN the_geom geometry(Geometry, 4326)', reloid);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = reloid AND attname = 'the_geom_webmercator' AND NOT attisdropped) THEN
    EXECUTE format('ALTER TABLE %s ADD COLUMN the_geom_webmercator geometry(Geometry, 3857)', reloid);
  END IF;
  EXECUTE format('UPDATE %s SET the_geom_webmercator = ST_Transform(the_geom, 3857) WHERE the_geom IS NOT NULL', reloid);
  EXECUTE format('DROP TRIGGER IF EXISTS track_the_geom_webmercator ON %s', reloid);
  EXECUTE format('CREATE TRIGGER track_the_geom_webmercator BEFORE INSERT OR UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION cartodb._cdb_update_the_geom_webmercator()', reloid);
  EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gist (the_geom)', tbl || '_the_geom_idx', reloid);
  EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gist (the_geom_webmercator)', tbl || '_the_geom_webmercator_idx', reloid);
  RETURN reloid;
END $f$;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA cartodb TO PUBLIC;`;

/** The vendor's error answer. */
const cartoError = (status: number, message: string, extra: { context?: string; detail?: string; hint?: string } = {}, headers: Record<string, string> = {}) =>
  new HttpError(status, { error: [message], ...extra }, headers);

/** An engine error the server's way: "permission denied" → 403, a timeout → 429 datasource, else 400. */
function engineError(e: PgErrorInfo): HttpError {
  if (/statement timeout|canceling statement due to user request/.test(e.message)) return timeoutError();
  const status = e.message.includes("permission denied") ? 403 : 400;
  return cartoError(status, e.message, { ...(e.detail ? { detail: e.detail } : {}), ...(e.hint ? { hint: e.hint } : {}) });
}
const timeoutError = () => cartoError(429, M.timeout, { context: "limit", detail: C.LIMIT_DETAILS.timeout });

/** The body's fields: JSON, or form-encoded (curl -d 'q=…'). */
function bodyParams(req: EmulatorRequest): Record<string, unknown> {
  if (req.body && typeof req.body === "object" && !Array.isArray(req.body)) return req.body as Record<string, unknown>;
  const ct = String(req.headers["content-type"] ?? "");
  if (req.rawBody?.length && /x-www-form-urlencoded/.test(ct)) return Object.fromEntries(new URLSearchParams(req.rawBody.toString("utf8")));
  return {};
}

/** Schemas and tables the server forbids (pg-entities-access-validator): any key; plus `pg_*` tables for non-master keys. */
const FORBIDDEN: Record<string, string[] | "*"> = {
  carto: "*",
  cartodb: ["cdb_analysis_catalog", "cdb_conf", "cdb_tablemetadata"],
  pg_catalog: "*",
  information_schema: "*",
  public: ["spatial_ref_sys"],
  topology: ["layer", "topology"],
};

/**
 * Whether the SQL reads a forbidden system table (approximating the vendor's affected-tables check
 * with the SQL's qualified and FROM/JOIN names): with `hard` (the server's validatePGEntitiesAccess,
 * off in its shipped configs) the FORBIDDEN list for every key; always, `pg_*` tables for non-master keys.
 */
export function touchesSystemTables(sql: string, master: boolean, hard = false): boolean {
  const re = /(?:"?([A-Za-z_][\w$]*)"?\s*\.\s*)?"?([A-Za-z_][\w$]*)"?/g;
  const stripped = sql.replace(/'(?:[^']|'')*'/g, "''").replace(/--[^\n]*/g, " ").replace(/\/\*[\s\S]*?\*\//g, " ");
  const relPos = /\b(from|join|into|update|table)\s+$/i;
  let m: RegExpExecArray | null;
  while ((m = re.exec(stripped))) {
    const schema = m[1]?.toLowerCase();
    const name = m[2].toLowerCase();
    const isCall = /^\s*\(/.test(stripped.slice(re.lastIndex, re.lastIndex + 8));
    const asRelation = !isCall && (relPos.test(stripped.slice(Math.max(0, m.index - 12), m.index)) || schema !== undefined);
    if (!asRelation) continue;
    const sch = schema ?? (name.startsWith("pg_") ? "pg_catalog" : name === "spatial_ref_sys" ? "public" : undefined);
    if (sch && hard) {
      const f = FORBIDDEN[sch];
      if (f === "*" || f?.includes(name)) return true;
    }
    if (!master && /\bpg_/.test(name)) return true;
  }
  return false;
}

const keyRole = (name: string) => `carto_key_${createHash("sha1").update(name).digest("hex").slice(0, 16)}`;
const newToken = () => randomBytes(16).toString("base64url").slice(0, 22);
const nowIso = () => new Date().toISOString();
/** Auth API timestamps, as the vendor writes them ('2018-02-08 14:24:41 +0000'). */
const railsTime = (iso: string) => iso.replace("T", " ").replace(/\.\d+Z$/, " +0000").replace(/Z$/, " +0000");

/** Token bucket per (user, group). */
class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();
  /** [blocked, limit, remaining, retrySeconds, resetSeconds]. */
  take(key: string, rl: RateLimit, nowMs: number): [boolean, number, number, number, number] {
    const perMs = rl.limit / (rl.periodSeconds * 1000);
    const b = this.buckets.get(key) ?? { tokens: rl.limit, at: nowMs };
    b.tokens = Math.min(rl.limit, b.tokens + (nowMs - b.at) * perMs);
    b.at = nowMs;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return [false, rl.limit, Math.floor(b.tokens), -1, Math.ceil((rl.limit - b.tokens) / perMs / 1000)];
    }
    const retry = Math.floor((1 - b.tokens) / perMs / 1000);
    return [true, rl.limit, 0, retry, Math.ceil((rl.limit - b.tokens) / perMs / 1000)];
  }
  clear(): void {
    this.buckets.clear();
  }
}

interface Caller {
  user: string;
  key: CartoKey;
  headers: Record<string, string>;
}

export function createCartoEmulator(opts: CartoEmulatorOptions = {}): CartoEmulator {
  const user = opts.user ?? DEFAULT_CARTO_USER;
  const masterToken = opts.masterKey ?? DEFAULT_CARTO_MASTER_KEY;
  let fw!: EmulatorContext<CartoState>;
  const state = () => fw.state;
  let engine!: PgliteEngine;
  const limiter = new RateLimiter();
  const runningJobs = new Map<string, Promise<void>>();
  let worker: Promise<void> | undefined;

  const initialState = (): CartoState => {
    const at = nowIso();
    const apis: C.GrantBody = { type: "apis", apis: ["sql", "maps"] };
    return {
      generation: randomBytes(8).toString("hex"),
      user,
      config: { ...DEFAULT_CARTO_CONFIG, ...opts.config, rateLimits: { ...(opts.config?.rateLimits ?? {}) } },
      keys: {
        [MASTER_KEY_NAME]: { name: MASTER_KEY_NAME, type: "master", token: masterToken, role: MASTER_ROLE, grants: [apis, { type: "database", tables: [], schemas: [] }, { type: "dataservices", services: ["geocoding", "routing", "isolines", "observatory"] }], created_at: at, updated_at: at },
        [DEFAULT_PUBLIC_KEY_NAME]: { name: DEFAULT_PUBLIC_KEY_NAME, type: "default", token: DEFAULT_PUBLIC_TOKEN, role: PUBLIC_ROLE, grants: [apis, { type: "database", tables: [], schemas: [] }], created_at: at, updated_at: at },
      },
      jobs: {},
    };
  };

  let opened: Promise<void> | undefined;
  /** The database open and its roles set up (awaited by every request). */
  const ready = (): Promise<void> =>
    (opened ??= (async () => {
      await engine.open();
      await setupRoles();
    })());

  /** Roles of the built-in keys, the schema's privileges (PostgreSQL 15+ gives PUBLIC no CREATE on public). */
  const setupRoles = async () => {
    await engine.admin(
      `DO $$BEGIN
         IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${qlit(MASTER_ROLE)}) THEN CREATE ROLE ${qid(MASTER_ROLE)} NOLOGIN; END IF;
         IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${qlit(PUBLIC_ROLE)}) THEN CREATE ROLE ${qid(PUBLIC_ROLE)} NOLOGIN; END IF;
       END$$;
       GRANT USAGE, CREATE ON SCHEMA public TO ${qid(MASTER_ROLE)};
       GRANT USAGE ON SCHEMA public TO ${qid(PUBLIC_ROLE)};
       ${CARTODB_FUNCTIONS}`,
    );
  };

  /** Creates a regular key's role with its grants (all or nothing); throws the engine's message. */
  const createKeyRole = async (role: string, grants: C.GrantBody[]) => {
    const stmts = [`DROP ROLE IF EXISTS ${qid(role)}`, `CREATE ROLE ${qid(role)} NOLOGIN`];
    for (const g of grants) {
      if (g.type !== "database") continue;
      for (const s of g.schemas ?? []) {
        stmts.push(`GRANT USAGE${s.permissions.includes("create") ? ", CREATE" : ""} ON SCHEMA ${qid(s.name)} TO ${qid(role)}`);
        if (s.permissions.includes("create")) stmts.push(`GRANT ${qid(role)} TO ${qid(MASTER_ROLE)}`);
      }
      for (const t of g.tables ?? []) {
        stmts.push(`GRANT USAGE ON SCHEMA ${qid(t.schema)} TO ${qid(role)}`);
        if (t.permissions.length) stmts.push(`GRANT ${t.permissions.map((p) => p.toUpperCase()).join(", ")} ON TABLE ${qid(t.schema)}.${qid(t.name)} TO ${qid(role)}`);
        if (t.permissions.includes("insert")) stmts.push(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${qid(t.schema)} TO ${qid(role)}`);
      }
    }
    await engine.admin(`BEGIN; ${stmts.join("; ")}; COMMIT`).catch(async (e) => {
      await engine.admin("ROLLBACK").catch(() => undefined);
      throw e;
    });
  };

  const dropKeyRole = async (role: string) => {
    await engine.admin(`DO $$BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${qlit(role)}) THEN EXECUTE 'DROP OWNED BY ${role}'; EXECUTE 'DROP ROLE ${role}'; END IF; END$$`);
  };

  // ------------------------------------------------------------ who is calling

  const hostUser = (req: EmulatorRequest): string | undefined => {
    const host = String(req.headers.host ?? "").replace(/:\d+$/, "");
    if (!host || /^[\d.]+$/.test(host) || host.startsWith("[") || host === "localhost") return undefined;
    const m = /^([^.]+)\./.exec(host);
    return m?.[1];
  };

  /** The request's user (path, host, configured), rate limit of its group, then its key (the vendor's middleware order). */
  const caller = (req: EmulatorRequest, group: RateLimitGroup | undefined, opt: { master?: boolean; sqlApi?: boolean } = {}): Caller => {
    const s = state();
    const u = req.params.user ?? hostUser(req) ?? s.user;
    if (u !== s.user) throw cartoError(404, M.userNotFound(u));
    const headers: Record<string, string> = { "carto-user": u };
    const rl = group ? s.config.rateLimits[group] : undefined;
    if (rl) {
      const [blocked, limit, remaining, retry, reset] = limiter.take(`${u}:${group}`, rl, fw.now().getTime());
      headers["carto-rate-limit-limit"] = String(limit);
      headers["carto-rate-limit-remaining"] = String(remaining);
      headers["carto-rate-limit-reset"] = String(reset);
      if (blocked) throw cartoError(429, M.rateLimit, { context: "limit", detail: C.LIMIT_DETAILS.rateLimit }, { ...headers, "retry-after": String(retry + 1) });
    }
    let token: string | undefined;
    const auth = String(req.headers.authorization ?? "");
    const basic = /^Basic\s+(\S+)/i.exec(auth);
    if (basic) {
      const decoded = Buffer.from(basic[1], "base64").toString("utf8");
      const i = decoded.indexOf(":");
      if (i >= 0) {
        const name = decoded.slice(0, i);
        if (name !== u) throw cartoError(403, M.permissionDenied, {}, headers);
        token = decoded.slice(i + 1);
      }
    }
    const body = bodyParams(req);
    token ??= req.query.get("api_key") ?? req.query.get("map_key") ?? (typeof body.api_key === "string" ? body.api_key : undefined) ?? (typeof body.map_key === "string" ? body.map_key : undefined);
    const key = token === undefined ? s.keys[DEFAULT_PUBLIC_KEY_NAME] : Object.values(s.keys).find((k) => k.token === token);
    if (!key) throw cartoError(401, M.unauthorized, {}, headers);
    if (opt.sqlApi !== false && !key.grants.some((g) => g.type === "apis" && g.apis.includes("sql"))) throw cartoError(403, "forbidden", {}, headers);
    if (opt.master && key.type !== "master") throw cartoError(403, M.permissionDenied, {}, headers);
    return { user: u, key, headers };
  };

  const guardSql = (sql: string, key: CartoKey, headers: Record<string, string>) => {
    if (ROLE_ESCAPE.test(sql)) throw cartoError(403, "permission denied to change the session authorization", {}, headers);
    if (touchesSystemTables(sql, key.type === "master", state().config.validatePGEntitiesAccess)) throw cartoError(403, M.systemTables, {}, headers);
  };

  const withHeaders = (e: unknown, headers: Record<string, string>): never => {
    if (e instanceof HttpError) throw new HttpError(e.status, e.body, { ...headers, ...e.headers });
    if (e instanceof PgEngineError) {
      const h = engineError(e.info);
      throw new HttpError(h.status, h.body, headers);
    }
    throw e;
  };

  // ------------------------------------------------------------ /sql

  const SUPPORTED = new Set(["json", "geojson", "csv"]);

  const sql = async (req: EmulatorRequest): Promise<EmulatorResponse> => {
    const c = caller(req, "query");
    try {
      const p = { ...Object.fromEntries(req.query), ...bodyParams(req) } as Record<string, unknown>;
      if (typeof p.q !== "string") throw cartoError(400, "You must indicate a sql query");
      const q = p.q;
      const format = String(p.format ?? "json").toLowerCase();
      if (!(C.CARTO_FORMATS as readonly string[]).includes(format)) throw cartoError(400, `Invalid format: ${format}`);
      if (!SUPPORTED.has(format)) throw cartoError(400, `Invalid format: ${format} is not produced by the CARTO emulator (it produces json, geojson and csv)`);
      const skip = new Set(
        (Array.isArray(p.skipfields) ? p.skipfields.map(String) : typeof p.skipfields === "string" ? p.skipfields.split(",") : []).map((x) => x.trim()).filter(Boolean),
      );
      const rawName = typeof p.filename === "string" && p.filename !== "" ? p.filename : undefined;
      const filename = rawName ? path.basename(rawName, path.extname(rawName)).replace(/[;()[\]<>'"\s]/g, "_") : "cartodb-query";
      const dp = Number.parseInt(String(p.dp ?? "6"), 10);
      guardSql(q, c.key, c.headers);
      const timeoutMs = state().config.statementTimeoutMs || undefined;

      // rows_per_page / page: a single SELECT is paged by wrapping it (the server's window_sql)
      const perPage = Number.parseInt(String(p.rows_per_page ?? ""), 10);
      const pageNo = Number.parseInt(String(p.page ?? ""), 10);
      const single = q.trim().replace(/;\s*$/, "");
      const paged =
        Number.isFinite(perPage) && perPage >= 0 && /^\s*(select|with)\b/i.test(single) && !single.includes(";")
          ? `SELECT * FROM (${single}) AS cdbq LIMIT ${perPage}${Number.isFinite(pageNo) && pageNo > 0 ? ` OFFSET ${pageNo * perPage}` : ""}`
          : q;
      let run = await engine.run(paged, c.key.role, { timeoutMs });
      let geomColumn: string | undefined;
      if (format === "geojson" && !run.error && !run.timedOut) {
        const last = run.statements[run.statements.length - 1];
        const names = await Promise.all((last?.fields ?? []).map((f) => engine.typeName(f.typeId)));
        const gi = names.findIndex((n) => n === "geometry" || n === "geography");
        if (gi >= 0 && last) {
          geomColumn = last.fields[gi].name;
          const body = paged.trim().replace(/;\s*$/, "");
          run = await engine.run(
            `SELECT *, ST_AsGeoJSON(${qid(geomColumn)}, ${Number.isFinite(dp) ? dp : 6}) AS "__carto_geojson" FROM (${body}) AS __cdb_q`,
            c.key.role,
            { timeoutMs },
          );
        }
      }
      if (run.timedOut) throw timeoutError();
      const last = run.statements[run.statements.length - 1] ?? { command: "", rowCount: 0, fields: [], rows: [] };
      if (run.error && !run.failedAfterRows) throw engineError(run.error);
      const typeNames = await Promise.all(last.fields.map((f) => engine.typeName(f.typeId)));
      const ext = format === "geojson" ? "geojson" : format;
      const headers: Record<string, string> = {
        ...c.headers,
        "content-disposition": `${rawName ? "attachment" : "inline"}; filename=${filename}.${ext}; modification-date="${new Date().toUTCString()}";`,
      };
      const errorTail = run.error ? (engineError(run.error).body as { error: string[] }).error : undefined;
      if (format === "csv") {
        return { status: 200, text: renderCsv(last, skip), headers: { ...headers, "content-type": "text/csv; charset=utf-8; header=present" } };
      }
      if (format === "geojson") {
        if (!geomColumn) throw cartoError(400, "No geometry column found in the result (GeoJSON needs one)");
        const i = last.fields.findIndex((f) => f.name === "__carto_geojson");
        const st = { ...last, fields: last.fields.filter((_f, j) => j !== i && last.fields[j].name !== geomColumn).concat([{ ...last.fields[i], name: geomColumn }]), rows: last.rows.map((r) => r.filter((_v, j) => j !== i && last.fields[j].name !== geomColumn).concat([r[i]])) };
        const names = st.fields.map((f) => typeNames[last.fields.indexOf(last.fields.find((x) => x.name === f.name && x.typeId === f.typeId)!)]);
        names[names.length - 1] = "text";
        return { status: 200, text: renderGeoJson({ statement: st, typeNames: names, skip, notices: run.notices, elapsedMs: run.elapsedMs }, geomColumn), headers: { ...headers, "content-type": "application/json; charset=utf-8" } };
      }
      const text = renderJson({ statement: last, typeNames, skip, notices: run.notices, elapsedMs: run.elapsedMs, errorTail });
      return { status: 200, text, headers: { ...headers, "content-type": "application/json; charset=utf-8" } };
    } catch (e) {
      return withHeaders(e, c.headers);
    }
  };

  // ------------------------------------------------------------ jobs

  const ttl = () => state().config.jobTtlMs;
  const liveJob = (id: string): JobRecord => {
    const job = state().jobs[id];
    if (!job || expired(job, fw.now().getTime(), ttl())) throw cartoError(404, M.jobNotFound(id));
    return job;
  };

  /** Drops expired jobs (the vendor's Redis TTL). */
  const purgeJobs = () => {
    const s = state();
    const nowMs = fw.now().getTime();
    for (const [id, j] of Object.entries(s.jobs)) {
      if (expired(j, nowMs, ttl())) {
        delete s.jobs[id];
        fw.save("jobs", id);
      }
    }
  };

  /** Runs pending jobs one at a time, oldest first, until none is left. */
  const kick = () => {
    if (worker || fw.closed) return;
    worker = fw.track(
      (async () => {
        for (;;) {
          if (fw.closed) return;
          // let requests waiting on the event loop in (pglite runs statements on it), and the queue's latency pass
          const delay = state().config.jobStartDelayMs;
          const pickable = () => Object.values(state().jobs).filter((j) => j.status === "pending").sort((a, b) => a.created_at.localeCompare(b.created_at));
          const first = pickable()[0];
          if (!first) return;
          const wait = Math.max(0, Date.parse(first.created_at) + delay - fw.now().getTime());
          await new Promise((r) => setTimeout(r, Math.max(1, wait)));
          const next = pickable()[0];
          if (!next) return;
          const gen = state().generation;
          const p = runJob(next, {
            run: (sqlText, timeoutMs, commit) => engine.run(sqlText, MASTER_ROLE, { timeoutMs, commit }),
            now: () => fw.now().toISOString(),
            save: (j) => {
              if (state().generation === gen && state().jobs[j.job_id] === j) fw.save("jobs", j.job_id);
            },
            jobTimeoutMs: () => state().config.jobTimeoutMs,
          }).catch((e) => {
            next.status = "failed";
            next.failed_reason = (e as Error).message;
            next.updated_at = next.finished_at = fw.now().toISOString();
            fw.save("jobs", next.job_id);
          });
          runningJobs.set(next.job_id, p);
          await p;
          runningJobs.delete(next.job_id);
        }
      })().finally(() => {
        worker = undefined;
      }),
    );
  };

  const createJob = async (req: EmulatorRequest, s: CartoState): Promise<EmulatorResponse> => {
    const c = caller(req, "job_create", { master: true });
    try {
      const payload = JSON.stringify(req.body ?? bodyParams(req));
      if (payload.length > C.JOB_LIMITS.maxPayloadBytes) {
        throw cartoError(
          400,
          `Your payload is too large: ${payload.length} bytes. Max size allowed is ${C.JOB_LIMITS.maxPayloadBytes} bytes (16kb). Are you trying to import data?. Please, check out import api http://docs.cartodb.com/cartodb-platform/import-api/`,
        );
      }
      const body = req.body ?? bodyParams(req);
      const parsed = C.JobQueryInput.safeParse(body?.query);
      if (!parsed.success) throw cartoError(400, "You must indicate a valid SQL");
      const queued = Object.values(s.jobs).filter((j) => j.user === c.user && j.status === "pending").length;
      if (queued >= s.config.maxQueuedJobs) throw cartoError(400, M.maxJobs(s.config.maxQueuedJobs));
      purgeJobs();
      const job = newJob(c.user, parsed.data, fw.now().toISOString());
      s.jobs[job.job_id] = job;
      setImmediate(kick);
      return { status: 201, body: serializeJob(job), headers: c.headers };
    } catch (e) {
      return withHeaders(e, c.headers);
    }
  };

  // ------------------------------------------------------------ COPY

  const copyParams = (req: EmulatorRequest): string => {
    const q = req.query.get("q") ?? (bodyParams(req).q as string | undefined);
    if (typeof q !== "string") throw cartoError(400, M.copyMissing);
    if (!q.toUpperCase().startsWith("COPY ")) throw cartoError(400, M.copyNotCopy);
    return q;
  };

  const usedBytes = async (): Promise<number> => {
    const r = await engine.admin(
      "SELECT COALESCE(sum(pg_total_relation_size(c.oid)), 0)::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','m') AND n.nspname = 'public' AND c.relname <> 'spatial_ref_sys'",
    );
    return Number(r[0]?.rows[0]?.[0] ?? 0);
  };

  const copyFrom = async (req: EmulatorRequest): Promise<EmulatorResponse> => {
    const c = caller(req, "copy_from");
    const t0 = performance.now();
    try {
      const q = copyParams(req);
      guardSql(q, c.key, c.headers);
      const cfg = state().config;
      const room = cfg.quotaBytes > 0 ? cfg.quotaBytes - (await usedBytes()) : Infinity;
      if (room <= 0) throw cartoError(400, M.quota);
      const src = req.stream!;
      let received = 0;
      const counted = async function* () {
        for await (const b of src) {
          received += (b as Buffer).length;
          yield b as Buffer;
        }
      };
      const gzip = /gzip/i.test(String(req.headers["content-encoding"] ?? ""));
      let gunzipError: Error | undefined;
      let input: AsyncIterable<Buffer>;
      if (gzip) {
        const gunzip = createGunzip();
        gunzip.on("error", (e: Error) => (gunzipError = e));
        input = Readable.from(counted()).pipe(gunzip);
      } else input = counted();
      const chunks = copyChunks(input, q, () => {
        if (received > cfg.copyFromMaxBytes) throw cartoError(400, `COPY FROM maximum POST size of ${Math.round(cfg.copyFromMaxBytes / 1024 ** 3)} GB exceeded`);
        if (received > room) throw cartoError(400, M.quota);
      });
      let rows: number;
      try {
        rows = (await engine.copyFrom(q, c.key.role, chunks)).rows;
      } catch (e) {
        if (gunzipError || (e as Error & { code?: string }).code?.startsWith?.("Z_")) throw cartoError(400, `Error while gunzipping: ${(gunzipError ?? (e as Error)).message}`);
        throw e;
      }
      if (rows === 0) throw cartoError(400, M.noRowsCopied);
      return { status: 200, body: { time: (performance.now() - t0) / 1000, total_rows: rows }, headers: c.headers };
    } catch (e) {
      req.stream?.resume();
      return withHeaders(e, c.headers);
    }
  };

  const copyTo = async (req: EmulatorRequest): Promise<EmulatorResponse> => {
    const c = caller(req, "copy_to");
    try {
      const q = copyParams(req);
      guardSql(q, c.key, c.headers);
      const p = { ...Object.fromEntries(req.query), ...bodyParams(req) } as Record<string, unknown>;
      const filename = typeof p.filename === "string" && p.filename ? p.filename : C.COPYTO_DEFAULT_FILENAME;
      const out = await engine.copyTo(q, c.key.role);
      return {
        status: 200,
        headers: { ...c.headers, "content-type": "application/octet-stream", "content-disposition": `attachment; filename=${encodeURIComponent(filename)}` },
        stream: async (res: http.ServerResponse) => {
          for (const chunk of out.chunks) if (!res.write(chunk)) await new Promise((r) => res.once("drain", r));
        },
      };
    } catch (e) {
      return withHeaders(e, c.headers);
    }
  };

  // ------------------------------------------------------------ Auth API

  const authError = (status: number, errors: unknown) => new HttpError(status, { errors });
  const keyJson = (k: CartoKey, base: string) => ({
    name: k.name,
    user: { username: state().user },
    type: k.type,
    token: k.token,
    grants: k.grants,
    created_at: railsTime(k.created_at),
    updated_at: railsTime(k.updated_at),
    _links: { self: `${base}${C.CARTO_PATHS.apiKey(k.name)}` },
  });
  const baseUrl = (req: EmulatorRequest) => `http://${req.headers.host ?? "localhost"}${req.params.user ? C.CARTO_USER_PREFIX(req.params.user) : ""}`;
  const authCaller = (req: EmulatorRequest) => {
    try {
      return caller(req, undefined, { master: true, sqlApi: false });
    } catch (e) {
      if (e instanceof HttpError) {
        const msg = (e.body as { error?: string[] }).error?.[0] ?? "Unauthorized";
        throw authError(e.status === 404 ? 404 : e.status, e.status === 401 ? "Unauthorized" : msg);
      }
      throw e;
    }
  };

  const listKeys = (req: EmulatorRequest, s: CartoState): EmulatorResponse => {
    authCaller(req);
    const perPage = Math.max(1, Number.parseInt(req.query.get("per_page") ?? "20", 10) || 20);
    const page = Math.max(1, Number.parseInt(req.query.get("page") ?? "1", 10) || 1);
    const order = req.query.get("order") ?? "updated_at";
    const all = Object.values(s.keys).sort((a, b) => String((a as any)[order] ?? a.name).localeCompare(String((b as any)[order] ?? b.name)));
    const last = Math.max(1, Math.ceil(all.length / perPage));
    const base = baseUrl(req);
    const link = (p: number) => ({ href: `${base}${C.CARTO_PATHS.apiKeys()}?order=${order}&page=${p}&per_page=${perPage}` });
    const result = all.slice((page - 1) * perPage, page * perPage).map((k) => keyJson(k, base));
    return {
      status: 200,
      body: { total: all.length, count: result.length, result, _links: { first: link(1), last: link(last), ...(page > 1 ? { prev: link(page - 1) } : {}), ...(page < last ? { next: link(page + 1) } : {}) } },
    };
  };

  const createKey = async (req: EmulatorRequest, s: CartoState): Promise<EmulatorResponse> => {
    authCaller(req);
    const parsed = C.ApiKeyCreate.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw authError(422, { [String(issue?.path[0] ?? "grants")]: [`${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`] });
    }
    const { name, grants } = parsed.data;
    if (s.keys[name]) throw authError(422, { name: ["has already been taken"] });
    if (!grants.some((g) => g.type === "apis")) throw authError(422, { grants: ["grants must include an 'apis' grant"] });
    const role = keyRole(name);
    try {
      await createKeyRole(role, grants);
    } catch (e) {
      await dropKeyRole(role).catch(() => undefined);
      throw authError(422, { grants: [(e as Error).message] });
    }
    const at = nowIso();
    const key: CartoKey = { name, type: "regular", token: newToken(), role, grants, created_at: at, updated_at: at };
    s.keys[name] = key;
    return { status: 201, body: keyJson(key, baseUrl(req)) };
  };

  const getKey = (req: EmulatorRequest, s: CartoState): CartoKey => {
    authCaller(req);
    const key = s.keys[req.params.name];
    if (!key) throw authError(404, "API key not found");
    return key;
  };

  // ------------------------------------------------------------ routes

  const base: Route<CartoState>[] = [
    { method: "GET", pattern: R.sql, handler: sql },
    { method: "POST", pattern: R.sql, handler: sql },
    { method: "POST", pattern: R.jobs, handler: createJob },
    { method: "GET", pattern: R.job, handler: (req) => {
      const c = caller(req, "job_get", { master: true });
      return { status: 200, body: serializeJob(liveJob(req.params.id)), headers: c.headers };
    } },
    { method: "DELETE", pattern: R.job, handler: (req, s) => {
      const c = caller(req, "job_delete", { master: true });
      const job = liveJob(req.params.id);
      try {
        cancelJob(job, fw.now().toISOString());
      } catch (e) {
        throw cartoError(400, (e as Error).message, {}, c.headers);
      }
      s.jobs[job.job_id] = job; // journaled
      return { status: 200, body: serializeJob(job), headers: c.headers };
    } },
    { method: "POST", pattern: R.copyFrom, stream: true, handler: copyFrom },
    { method: "GET", pattern: R.copyTo, handler: copyTo },
    { method: "POST", pattern: R.copyTo, handler: copyTo },
    { method: "GET", pattern: R.apiKeys, handler: listKeys },
    { method: "POST", pattern: R.apiKeys, handler: createKey },
    { method: "GET", pattern: R.apiKey, handler: (req, s) => ({ status: 200, body: keyJson(getKey(req, s), baseUrl(req)) }) },
    { method: "DELETE", pattern: R.apiKey, handler: async (req, s) => {
      const key = getKey(req, s);
      if (key.type !== "regular") throw authError(422, { type: [`${key.type} API keys cannot be deleted`] });
      await dropKeyRole(key.role);
      delete s.keys[key.name];
      return { status: 200, body: keyJson(key, baseUrl(req)) };
    } },
    { method: "POST", pattern: R.apiKeyRegenerate, handler: (req, s) => {
      const key = getKey(req, s);
      if (key.type === "default") throw authError(422, { type: ["the default public API key cannot be regenerated"] });
      const k = s.keys[key.name];
      k.token = newToken();
      k.updated_at = nowIso();
      return { status: 200, body: keyJson(k, baseUrl(req)) };
    } },
  ];
  const waiting = base.map((r) => ({ ...r, handler: async (req: EmulatorRequest, st: CartoState, ctx: EmulatorContext<CartoState>) => (await ready(), r.handler(req, st, ctx)) }));
  const routes = [...waiting, ...waiting.map((r) => ({ ...r, pattern: `/user/:user${r.pattern}` }))];

  return new EmulatorServer<CartoState>({
    vendor: "carto",
    routes: (ctx) => {
      fw = ctx;
      engine = new PgliteEngine(opts.pgDataDir ?? (ctx.stateDir ? path.join(ctx.stateDir, "carto-pgdata") : undefined));
      ctx.onClose(() => engine.close());
      return routes;
    },
    initialState,
    stateFile: opts.stateFile,
    logFile: opts.logFile,
    faults: opts.faults,
    errorBody: (_status, message) => ({ error: [message] }),
    secretHeaders: ["api_key", "map_key"],
    secretFields: ["api_key", "map_key", "token"],
    secretQueryParams: ["api_key", "map_key"],
    serializeWrites: false,
    backend: {
      open: async (ctx) => {
        const s = ctx.state;
        s.user = user;
        s.config = { ...DEFAULT_CARTO_CONFIG, ...s.config, ...opts.config, rateLimits: { ...(s.config?.rateLimits ?? {}), ...(opts.config?.rateLimits ?? {}) } };
        if (s.keys[MASTER_KEY_NAME]) s.keys[MASTER_KEY_NAME].token = masterToken;
        // a job interrupted by a stop runs again (running → pending is a valid transition)
        for (const j of Object.values(s.jobs)) if (j.status === "running") j.status = "pending";
        ctx.save();
        // PostgreSQL opens in the background (PostGIS loads in ~15 s): the server listens at once,
        // requests wait for it (ready()), and pending jobs resume once it is open
        void ready().then(() => setImmediate(kick), () => undefined);
      },
      reset: async () => {
        await ready();
        limiter.clear();
        for (const k of Object.values(state().keys)) if (k.type === "regular") await dropKeyRole(k.role).catch(() => undefined);
        await engine.admin("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public; CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public");
        await setupRoles();
      },
    },
    authenticate: () => undefined, // each route authenticates the vendor's way (user, rate limit, key), in the vendor's order
  });
}

/**
 * COPY input in chunks of whole lines (CSV quotes respected), about 4 MB each, for the engine's
 * per-chunk COPY: when the statement has HEADER, the first line is repeated before every later
 * chunk. `check` runs on every chunk (size and quota limits).
 */
export async function* copyChunks(input: AsyncIterable<Buffer>, sql: string, check: () => void, target = 4 * 1024 * 1024): AsyncGenerator<Buffer> {
  const csv = /\bcsv\b/i.test(sql);
  const header = /\bheader\b(?!\s*(=\s*)?(false|off|0)\b)/i.test(sql);
  const binary = /\bbinary\b/i.test(sql);
  let headerLine: Buffer | undefined;
  let pending: Buffer[] = [];
  let size = 0;
  let inQuote = false;
  let first = true;
  const emit = (buf: Buffer): Buffer => {
    if (first) {
      first = false;
      if (header && !binary) {
        const nl = buf.indexOf(10);
        headerLine = nl >= 0 ? buf.subarray(0, nl + 1) : Buffer.from(buf);
      }
      return buf;
    }
    return headerLine ? Buffer.concat([headerLine, buf]) : buf;
  };
  for await (const raw of input) {
    check();
    const b = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
    // find the last line end outside quotes in this piece
    let cut = -1;
    if (!binary) {
      for (let i = 0; i < b.length; i++) {
        const ch = b[i];
        if (csv && ch === 34) inQuote = !inQuote;
        else if (ch === 10 && !inQuote) cut = i;
      }
    }
    pending.push(b);
    size += b.length;
    if (size >= target && cut >= 0) {
      const head = Buffer.concat([...pending.slice(0, -1), b.subarray(0, cut + 1)]);
      const rest = b.subarray(cut + 1);
      pending = rest.length ? [Buffer.from(rest)] : [];
      size = rest.length;
      yield emit(head);
    }
  }
  check();
  if (size > 0) {
    const last = Buffer.concat(pending);
    if (last.some((ch) => ch !== 10 && ch !== 13 && ch !== 32)) yield emit(last);
  }
}

type CartoVendorOptions = Omit<CartoEmulatorOptions, "stateFile" | "logFile" | "faults">;

/** The CARTO emulator's registration (emulator/index.ts loads it from provider/vendors.ts). */
export const emulator = defineEmulator<CartoState, CartoVendorOptions>({
  vendor: "carto",
  cliOptions: {
    user: { type: "string", value: "USER", help: `the account's username (default ${DEFAULT_CARTO_USER})` },
    "master-key": { type: "string", value: "KEY", help: `the master API key (default ${DEFAULT_CARTO_MASTER_KEY})` },
    "statement-timeout-ms": { type: "string", value: "MS", help: "per-user statement timeout of /sql (default 25000; 0 = none)" },
    "job-ttl-ms": { type: "string", value: "MS", help: "how long finished batch jobs are kept (default 7200000, the vendor's 2 h)" },
    "rate-limit": { type: "string", multiple: true, value: "GROUP=N/SECONDS", help: "a rate limit of an endpoint group (query, job_create, job_get, job_delete, copy_from, copy_to); repeatable" },
    "quota-bytes": { type: "string", value: "BYTES", help: "database quota checked by COPY FROM (default none)" },
  },
  fromCli: (v) => {
    const o: CartoVendorOptions = {};
    const config: Partial<CartoConfig> = {};
    if (typeof v.user === "string" && v.user) o.user = v.user;
    if (typeof v["master-key"] === "string" && v["master-key"]) o.masterKey = v["master-key"];
    const num = (k: string) => {
      const x = v[k];
      if (x === undefined) return undefined;
      const n = Number(x);
      if (!Number.isInteger(n) || n < 0) throw new Error(`--${k} must be a non-negative integer (got "${x}")`);
      return n;
    };
    const st = num("statement-timeout-ms");
    if (st !== undefined) config.statementTimeoutMs = st;
    const ttlMs = num("job-ttl-ms");
    if (ttlMs !== undefined) config.jobTtlMs = ttlMs;
    const quota = num("quota-bytes");
    if (quota !== undefined) config.quotaBytes = quota;
    for (const r of (v["rate-limit"] as string[] | undefined) ?? []) {
      const m = /^([a-z_]+)=(\d+)\/(\d+)$/.exec(r);
      if (!m || !(C.RATE_LIMIT_GROUPS as readonly string[]).includes(m[1])) throw new Error(`--rate-limit must be GROUP=N/SECONDS with GROUP one of ${C.RATE_LIMIT_GROUPS.join(", ")} (got "${r}")`);
      (config.rateLimits ??= {})[m[1] as RateLimitGroup] = { limit: Number(m[2]), periodSeconds: Number(m[3]) };
    }
    if (Object.keys(config).length) o.config = config;
    return o;
  },
  randomCredentials: () => ({ masterKey: randomToken("carto") }),
  create: async (common, o) => {
    const server = createCartoEmulator({ ...stateFiles("carto", common.stateDir), faults: common.faults, ...o });
    await server.open();
    return server;
  },
  settings: (url, o) => ({ endpoint: url, user: o.user ?? DEFAULT_CARTO_USER, apiKey: o.masterKey ?? DEFAULT_CARTO_MASTER_KEY }),
});
