/**
 * DeltaStream emulator: the v2 statements API (provider/deltastream/contract.ts; the vendor's
 * OpenAPI `go-deltastream:apiv2/api-server-v2.yaml`) over a real SQL engine.
 *   index.ts      routes, auth, statements (sync 200, async 202 + GET), partitions, the definition
 *   parser.ts     DeltaStream SQL tokens, names, WITH property lists
 *   exec.ts       every statement: DDL, DESCRIBE / LIST / SHOW, GRANT, queries
 *   select.ts     DeltaStream SELECTs rewritten onto the engine's tables
 *   streams.ts    the streaming engine (topics → relations → running queries → sinks)
 *   catalog.ts    the DuckDB database: deltastream.sys catalogue, relation and topic tables
 *   types.ts      result sets (every value a string) and type mapping
 *   multipart.ts  the multipart body of POST /v2/statements
 *
 * - Bearer auth: no Authorization → 401 {"message"}; an unknown token → 403 {"message"}. The
 *   configured tokens and those made by CREATE API_TOKEN (until dropped) are accepted.
 * - POST /v2/statements: multipart (`request` part + `attachments` parts, file names matched to the
 *   `@name`s the SQL references) or JSON. Success: 200 + ResultSet `sqlState "00000"`; SQL errors:
 *   200 + their sqlState and message; statements that take time (stores, schema registries,
 *   compute pools, queries, TERMINATE): 202 + StatementStatus `03000`, the result reported by
 *   GET /v2/statements/{id} once done. Results over `partitionRows` rows are split in partitions
 *   (partition 0 inline, others by `?partitionID=`).
 * - Admin (no auth): POST /_emulator/deltastream/produce, GET /_emulator/deltastream/entities/:store/:entity,
 *   POST /_emulator/deltastream/tick.
 */
import { createHash, randomUUID } from "node:crypto";
import * as path from "node:path";
import { EmulatorContext, EmulatorRequest, EmulatorResponse, EmulatorServer, HttpError, Route } from "../framework/server";
import { defineEmulator, randomToken, stateFiles } from "../framework/definition";
import type { FaultConfig } from "../framework/faults";
import { all } from "../framework/duckdb";
import type { DuckDBConnection } from "../framework/duckdb";
import * as C from "../../provider/deltastream/contract";
import { DELTASTREAM_ROUTES as R, DOWNLOAD_RESOURCE_TYPES, SQLSTATE_OK, SQLSTATE_PENDING } from "../../provider/deltastream/contract";
import { Catalog } from "./catalog";
import { EngineOptions, Executor, Outcome, SECRET_PROP, SessionContext, engineError } from "./exec";
import { SqlStateError, splitSql } from "./parser";
import { MultipartError, boundaryOf, parseMultipart } from "./multipart";
import { ProduceRecord, consume, produce, tick } from "./streams";
import { Result } from "./types";

export const DEFAULT_DELTASTREAM_TOKEN = "emulator-deltastream-token";
export const DEFAULT_DELTASTREAM_ORGANIZATION = "emulator-org";
/** The emulator organization's fixed ID. */
export const DEFAULT_DELTASTREAM_ORGANIZATION_ID = "0c6f3a52-4f5e-4b1d-9c55-5e1b2d3a4f60";
export const DELTASTREAM_VERSION = { major: 2, minor: 0, patch: 0 };

/** The emulator's admin calls (no auth): produce into a topic, read a topic, run one engine pass. */
export const DELTASTREAM_ADMIN_PATHS = {
  /** POST {store, entity, records: [{key?, value, partition?}]} → {offsets} */
  produce: "/_emulator/deltastream/produce",
  /** GET ?after=<offset> → {records: [{offset, partition, key, value, produced_at}]} */
  entity: (store: string, entity: string) => `/_emulator/deltastream/entities/${encodeURIComponent(store)}/${encodeURIComponent(entity)}`,
  /** POST → runs readiness, ingestion and every running query once */
  tick: "/_emulator/deltastream/tick",
} as const;

export interface StoredStatement {
  /** Served from the data plane (the submit answered a dataplaneRequest). */
  dataplane?: boolean;
  statementID: string;
  createdOn: number;
  /** Epoch ms from which GET answers 200 (before: 202). */
  readyAt: number;
  sessionID?: string;
  sqlState: string;
  message?: string;
  statementIDs?: string[];
  columns: Result["columns"];
  rows: Result["rows"];
  context: C.ResultSetContextBody;
}

export interface DeltaStreamState {
  /** Statements by id (the newest `maxStatements`), for GET /v2/statements/{id}. */
  statements: Record<string, StoredStatement>;
  /** sha256 of the tokens made by CREATE API_TOKEN, by token name. */
  apiTokens: Record<string, string>;
  /** sha256 of the data-plane token of each interactive SELECT (with `dataplane`), by statement id. */
  dataplaneTokens?: Record<string, string>;
}

export interface DeltaStreamEmulatorOptions extends Partial<EngineOptions> {
  stateFile?: string;
  logFile?: string;
  faults?: FaultConfig;
  /** Accepted API tokens (Bearer); default DEFAULT_DELTASTREAM_TOKEN. */
  apiTokens?: string[];
  /** The organization's name (its ID is DEFAULT_DELTASTREAM_ORGANIZATION_ID). */
  organization?: string;
  /** Rows per result partition (default 10,000). */
  partitionRows?: number;
  /** Interval of the streaming engine's passes in ms (default 200; 0 = only on demand through the admin API). */
  tickMs?: number;
  /** Statements kept for GET (default 2,000). */
  maxStatements?: number;
  /**
   * Answer interactive SELECTs over relations the way the service does: `metadata.dataplaneRequest`
   * ({token, uri, statementID, requestType: "result-set"}) and no rows, the rows then read with
   * `GET /v2/statements/{id}?partitionID=` at that URI with that token (default false: rows inline).
   */
  dataplane?: boolean;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const httpError = (status: number, message: string) => new HttpError(status, { message });

function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Credentials inside SQL text (`'kafka.sasl.password' = '…'`) replaced before the request is logged. */
export function redactSql(sql: string): string {
  return sql.replace(/('([^']*)'\s*=\s*)'((?:[^']|'')*)'/g, (m, head: string, key: string) => (SECRET_PROP.test(key) ? `${head}'[REDACTED]'` : m));
}

export function createDeltaStreamEmulator(opts: DeltaStreamEmulatorOptions = {}): EmulatorServer<DeltaStreamState> {
  const tokens = new Set(opts.apiTokens ?? [DEFAULT_DELTASTREAM_TOKEN]);
  const org = { id: DEFAULT_DELTASTREAM_ORGANIZATION_ID, name: opts.organization ?? DEFAULT_DELTASTREAM_ORGANIZATION };
  const engineOpts: EngineOptions = {
    asyncStatementMs: opts.asyncStatementMs ?? 300,
    readyMs: opts.readyMs ?? 500,
    queryStartMs: opts.queryStartMs ?? 500,
    unreachableUris: opts.unreachableUris ?? /unreachable|\.invalid(?=[:/,]|$)/i,
    maxComputePools: opts.maxComputePools ?? 3,
    maxQueries: opts.maxQueries ?? 50,
    maxApiTokens: opts.maxApiTokens ?? 20,
  };
  const partitionRows = Math.max(1, opts.partitionRows ?? 10_000);
  const maxStatements = opts.maxStatements ?? 2_000;
  const tickMs = opts.tickMs ?? 200;
  let fw!: EmulatorContext<DeltaStreamState>;
  let catalog!: Catalog;

  /** Runs `fn` alone on the engine's shared connection (statements, engine passes and admin calls never interleave). */
  const engine = <T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> => catalog.exclusive(fn);

  const schedule = () => {
    if (tickMs <= 0) return;
    fw.later(tickMs, () => {
      void fw.track(engine((c) => tick(c, fw.now())).catch(() => undefined)).finally(() => {
        if (!fw.closed) schedule();
      });
    });
  };

  /** The request's context, resolved as the vendor does (organization name or ID, role must exist). */
  const resolveContext = async (r: C.StatementRequestBody): Promise<SessionContext> => {
    if (r.organization !== undefined && r.organization !== org.id && r.organization !== org.name) {
      throw new SqlStateError("3D004", `organization "${r.organization}" does not exist or is not accessible`);
    }
    const role = r.role ?? "sysadmin";
    const roles = await engine((c) => all(c, "SELECT 1 FROM sys.roles WHERE name = $1", [role]));
    if (!roles.length) throw new SqlStateError("3D001", `role "${role}" does not exist`);
    return { organizationID: org.id, organization: r.organization ?? org.id, role, database: r.database, schema: r.schema, store: r.store, computePool: r.computePool };
  };

  const contextBody = (ctx: SessionContext | undefined): C.ResultSetContextBody => {
    if (!ctx) return { organizationID: org.id };
    const out: C.ResultSetContextBody = { organizationID: ctx.organizationID, roleName: ctx.role };
    if (ctx.database) out.databaseName = ctx.database;
    if (ctx.schema) out.schemaName = ctx.schema;
    if (ctx.store) out.storeName = ctx.store;
    if (ctx.computePool) out.computePoolName = ctx.computePool;
    return out;
  };

  const resultBody = (s: StoredStatement, partition: number): C.ResultSetBody => {
    const parts = Math.max(1, Math.ceil(s.rows.length / partitionRows));
    const partitionInfo = s.sqlState === SQLSTATE_OK ? Array.from({ length: parts }, (_x, i) => ({ rowCount: Math.min(partitionRows, s.rows.length - i * partitionRows) })) : [];
    return {
      sqlState: s.sqlState,
      ...(s.message !== undefined ? { message: s.message } : {}),
      statementID: s.statementID,
      ...(s.statementIDs ? { statementIDs: s.statementIDs } : {}),
      createdOn: s.createdOn,
      metadata: { encoding: "json", partitionInfo, columns: s.columns, context: s.context },
      data: s.rows.slice(partition * partitionRows, (partition + 1) * partitionRows),
    };
  };

  const remember = (state: DeltaStreamState, s: StoredStatement) => {
    state.statements[s.statementID] = s;
    const ids = Object.keys(state.statements);
    for (let i = 0; i < ids.length - maxStatements; i++) delete state.statements[ids[i]];
  };

  /** Reads the StatementRequest and attachments of a POST /v2/statements. */
  const readRequest = (req: EmulatorRequest): { request: C.StatementRequestBody; attachments: Map<string, Buffer> } => {
    const ct = String(req.headers["content-type"] ?? "");
    const attachments = new Map<string, Buffer>();
    let raw: unknown;
    if (/^multipart\/form-data/i.test(ct)) {
      const boundary = boundaryOf(ct);
      if (!boundary) throw httpError(400, "multipart/form-data without a boundary");
      let parts;
      try {
        parts = parseMultipart(req.rawBody, boundary);
      } catch (e) {
        throw httpError(400, `invalid multipart body: ${(e as MultipartError).message}`);
      }
      const requestPart = parts.find((p) => p.name === C.MULTIPART_REQUEST_PART);
      if (!requestPart) throw httpError(400, "multipart body has no `request` part");
      try {
        raw = JSON.parse(requestPart.data.toString("utf8"));
      } catch {
        throw httpError(400, "the `request` part is not JSON");
      }
      for (const p of parts) {
        if (p.name === C.MULTIPART_REQUEST_PART) continue;
        if (p.name !== C.MULTIPART_ATTACHMENTS_PART) throw httpError(400, `unexpected multipart part "${p.name}" (expected request and attachments)`);
        if (!p.filename) throw httpError(400, "an attachments part has no file name");
        attachments.set(p.filename, p.data);
      }
    } else if (/^application\/json/i.test(ct) || ct === "") {
      if (req.body === undefined) throw httpError(400, req.rawBody.length ? "request body is not JSON" : "request body is empty");
      raw = req.body;
    } else throw httpError(400, `unsupported content type ${ct}: send multipart/form-data or application/json`);
    const parsed = C.StatementRequest.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw httpError(400, `invalid request: ${issue.path.length ? issue.path.join(".") + ": " : ""}${issue.message}`);
    }
    const tz = parsed.data.parameters?.timezone;
    if (tz !== undefined && !validTimezone(tz)) throw httpError(400, `invalid timezone "${tz}"`);
    return { request: parsed.data, attachments };
  };

  const submit = async (req: EmulatorRequest, state: DeltaStreamState): Promise<EmulatorResponse> => {
    const { request, attachments } = readRequest(req);
    const now = fw.now();
    const statementID = randomUUID();
    const createdOn = Math.floor(now.getTime() / 1000);
    const base = { statementID, createdOn, readyAt: now.getTime(), sessionID: request.parameters?.sessionID };
    let ctx: SessionContext | undefined;
    let stored: StoredStatement;
    let async = false;
    let interactive = false;
    try {
      ctx = await resolveContext(request);
      const stmts = splitSql(request.statement);
      if (!stmts.length) throw new SqlStateError("42601", "parse error: no statement");
      const ids = stmts.map((_s, i) => (i === 0 ? statementID : randomUUID()));
      let last: Outcome | undefined;
      const session = ctx;
      for (const stmt of stmts) {
        last = await engine(async (c) => {
          await c.run("BEGIN TRANSACTION");
          try {
            const out = await new Executor(c, {
              ctx: session,
              attachments,
              now,
              opts: engineOpts,
              onToken: (name, hash) => {
                if (hash) state.apiTokens[name] = hash;
                else delete state.apiTokens[name];
              },
            }).execute(stmt);
            await c.run("COMMIT");
            return out;
          } catch (e) {
            await c.run("ROLLBACK").catch(() => undefined);
            if (e instanceof SqlStateError) throw e;
            throw engineError(e);
          }
        });
        if (last.context) Object.assign(session, last.context);
        async ||= last.async;
        interactive = stmts.length === 1 && last.interactive === true;
      }
      stored = { ...base, sqlState: SQLSTATE_OK, columns: last!.result.columns, rows: last!.result.rows, context: contextBody(session), ...(stmts.length > 1 ? { statementIDs: ids } : {}) };
    } catch (e) {
      if (!(e instanceof SqlStateError)) throw e;
      stored = { ...base, sqlState: e.sqlState, message: e.message, columns: [], rows: [], context: contextBody(ctx) };
      async = false;
    }
    if (async) stored.readyAt = now.getTime() + engineOpts.asyncStatementMs;
    remember(state, stored);
    if (async) return { status: 202, body: { sqlState: SQLSTATE_PENDING, statementID, createdOn } satisfies C.StatementStatusBody };
    if (opts.dataplane && interactive && stored.sqlState === SQLSTATE_OK) {
      // the rows are the data plane's: a token for this statement, the URI to read them from
      const token = `dp_${randomUUID().replace(/-/g, "")}`;
      state.dataplaneTokens = { ...(state.dataplaneTokens ?? {}), [statementID]: sha256(token) };
      const ids = Object.keys(state.dataplaneTokens);
      for (let i = 0; i < ids.length - maxStatements; i++) delete state.dataplaneTokens[ids[i]];
      const host = String(req.headers.host ?? "127.0.0.1");
      const body = resultBody(stored, 0);
      body.metadata.partitionInfo = [];
      body.metadata.dataplaneRequest = { token, uri: `http://${host}${C.DELTASTREAM_BASE_PATH}`, statementID, requestType: "result-set" };
      body.data = [];
      return { status: 200, body };
    }
    return { status: 200, body: resultBody(stored, 0) };
  };

  const getStatement = (req: EmulatorRequest, state: DeltaStreamState): EmulatorResponse => {
    const id = req.params.statementID;
    if (!UUID_RE.test(id)) throw httpError(400, `invalid statementID "${id}": expected a UUID`);
    const q = C.StatementStatusQuery.safeParse(Object.fromEntries(req.query));
    if (!q.success) throw httpError(400, `invalid query parameters: ${q.error.issues[0].message}`);
    const tz = q.data.timezone;
    if (tz !== undefined && !validTimezone(tz)) throw httpError(400, `invalid timezone "${tz}"`);
    const s = state.statements[id.toLowerCase()];
    if (!s) throw httpError(404, `statement ${id} not found`);
    if (fw.now().getTime() < s.readyAt) return { status: 202, body: { sqlState: SQLSTATE_PENDING, statementID: s.statementID, createdOn: s.createdOn } };
    const partition = q.data.partitionID === undefined ? 0 : Number(q.data.partitionID);
    const parts = Math.max(1, Math.ceil(s.rows.length / partitionRows));
    if (partition >= parts) throw httpError(400, `partitionID ${partition} is out of range (the result has ${parts} partition${parts === 1 ? "" : "s"})`);
    return { status: 200, body: resultBody(s, partition) };
  };

  const download = async (req: EmulatorRequest): Promise<EmulatorResponse> => {
    const { resourceType, organizationID, resourceName } = req.params;
    if (!(DOWNLOAD_RESOURCE_TYPES as readonly string[]).includes(resourceType)) throw httpError(400, `invalid resourceType "${resourceType}": expected ${DOWNLOAD_RESOURCE_TYPES.join(" or ")}`);
    if (!UUID_RE.test(organizationID)) throw httpError(400, `invalid organizationID "${organizationID}": expected a UUID`);
    if (organizationID.toLowerCase() !== org.id) throw httpError(403, `organization ${organizationID} is not accessible with this token`);
    const rows = await engine((c) => all(c, "SELECT content FROM internal.downloads WHERE resource_type = $1 AND name = $2", [resourceType, resourceName]));
    if (!rows.length) throw httpError(404, `${resourceType} "${resourceName}" not found`);
    const data = Buffer.from(String(rows[0].content), "base64");
    return {
      status: 200,
      headers: { "content-type": "application/octet-stream", "content-length": String(data.length) },
      stream: async (res) => {
        res.write(data);
      },
    };
  };

  const routes: Route<DeltaStreamState>[] = [
    { method: "POST", pattern: R.statements, handler: submit },
    { method: "GET", pattern: R.statement, handler: getStatement },
    { method: "GET", pattern: R.version, handler: () => ({ status: 200, body: DELTASTREAM_VERSION }) },
    { method: "GET", pattern: R.download, handler: download },
  ];

  const adminRoutes: Route<DeltaStreamState>[] = [
    {
      method: "POST",
      pattern: DELTASTREAM_ADMIN_PATHS.produce,
      handler: async (req) => {
        const b = req.body as { store?: string; entity?: string; records?: ProduceRecord[] } | undefined;
        if (!b || typeof b.store !== "string" || typeof b.entity !== "string" || !Array.isArray(b.records)) {
          throw httpError(400, "body must be {store, entity, records: [{key?, value}]}");
        }
        try {
          const offsets = await engine((c) => produce(c, b.store!, b.entity!, b.records!, fw.now()));
          return { status: 200, body: { offsets } };
        } catch (e) {
          if (e instanceof SqlStateError) throw httpError(404, e.message);
          throw e;
        }
      },
    },
    {
      method: "GET",
      pattern: "/_emulator/deltastream/entities/:store/:entity",
      handler: async (req) => {
        try {
          const after = Number(req.query.get("after") ?? 0);
          return { status: 200, body: { records: await engine((c) => consume(c, req.params.store, req.params.entity, after)) } };
        } catch (e) {
          if (e instanceof SqlStateError) throw httpError(404, e.message);
          throw e;
        }
      },
    },
    {
      method: "POST",
      pattern: DELTASTREAM_ADMIN_PATHS.tick,
      handler: async () => {
        await engine((c) => tick(c, fw.now()));
        return { status: 200, body: { ok: true } };
      },
    },
  ];

  return new EmulatorServer<DeltaStreamState>({
    vendor: "deltastream",
    routes: (ctx) => {
      fw = ctx;
      ctx.onClose(() => catalog?.close());
      return routes;
    },
    adminRoutes,
    initialState: () => ({ statements: {}, apiTokens: {}, dataplaneTokens: {} }),
    stateFile: opts.stateFile,
    logFile: opts.logFile,
    faults: opts.faults,
    errorBody: (_s, message) => ({ message }),
    secretFields: [/password|secret|token|passphrase/i],
    redactBody: (b) => (b && typeof b === "object" && typeof (b as any).statement === "string" ? { ...(b as object), statement: redactSql((b as any).statement) } : b),
    backend: {
      open: async (ctx) => {
        catalog = new Catalog(ctx.stateDir ? path.join(ctx.stateDir, "deltastream.duckdb") : undefined);
        await catalog.init(org, new Date().toISOString().replace("T", " ").replace("Z", ""));
        schedule();
      },
      reset: async (ctx) => {
        await catalog.close();
        if (ctx.stateDir) {
          const fs = await import("node:fs");
          for (const f of ["deltastream.duckdb", "deltastream.duckdb.wal"]) fs.rmSync(path.join(ctx.stateDir, f), { force: true });
        }
        catalog = new Catalog(ctx.stateDir ? path.join(ctx.stateDir, "deltastream.duckdb") : undefined);
        await catalog.init(org, new Date().toISOString().replace("T", " ").replace("Z", ""));
      },
    },
    authenticate: (req, state) => {
      const h = req.headers.authorization;
      if (!h) throw httpError(401, "Unauthorized: missing Authorization header (Bearer API token)");
      const m = /^Bearer\s+(\S+)\s*$/i.exec(String(h));
      if (!m) throw httpError(401, "Unauthorized: the Authorization header must be `Bearer <API token>`");
      const token = m[1];
      if (tokens.has(token)) return;
      if (Object.values(state.apiTokens).includes(sha256(token))) return;
      // a data-plane token reads its own statement's rows, nothing else
      const m2 = /^\/v2\/statements\/([0-9a-f-]{36})$/i.exec(req.path);
      if (req.method === "GET" && m2 && state.dataplaneTokens?.[m2[1].toLowerCase()] === sha256(token)) return;
      throw httpError(403, "Forbidden: invalid or expired API token");
    },
  });
}

type VendorOptions = Omit<DeltaStreamEmulatorOptions, "stateFile" | "logFile" | "faults">;

/** The DeltaStream emulator's registration (emulator/index.ts loads it from provider/vendors.ts). */
export const emulator = defineEmulator<DeltaStreamState, VendorOptions>({
  vendor: "deltastream",
  cliOptions: {
    "api-token": { type: "string", multiple: true, value: "TOKEN", help: `an accepted API token (Bearer); repeatable (default ${DEFAULT_DELTASTREAM_TOKEN})` },
    organization: { type: "string", value: "NAME", help: `the organization's name (default ${DEFAULT_DELTASTREAM_ORGANIZATION}; its ID is ${DEFAULT_DELTASTREAM_ORGANIZATION_ID})` },
    "unreachable-uris": { type: "string", value: "REGEX", help: "stores / schema registries whose uris match end errored (default: unreachable|.invalid)" },
    "ready-ms": { type: "string", value: "MS", help: "time a store, schema registry, secret or compute pool stays pending (default 500)" },
    "query-start-ms": { type: "string", value: "MS", help: "time a query stays starting / terminate_requested (default 500)" },
    "async-ms": { type: "string", value: "MS", help: "time before a 202 statement's result is available (default 300)" },
    "tick-ms": { type: "string", value: "MS", help: "interval of the streaming engine (default 200; 0 = only POST /_emulator/deltastream/tick)" },
    dataplane: { type: "boolean", help: "serve the rows of interactive SELECTs over relations through a dataplaneRequest, as the service does (default: inline)" },
  },
  fromCli: (v) => {
    const o: VendorOptions = {};
    const t = (v["api-token"] as string[] | undefined)?.filter((x) => x !== "");
    if (t?.length) o.apiTokens = t;
    if (typeof v.organization === "string" && v.organization) o.organization = v.organization;
    if (typeof v["unreachable-uris"] === "string") o.unreachableUris = new RegExp(v["unreachable-uris"], "i");
    const ms = (k: string) => {
      const x = v[k];
      if (x === undefined) return undefined;
      if (typeof x !== "string" || !/^\d+$/.test(x)) throw new Error(`--${k} must be a number of milliseconds (got "${x}")`);
      return Number(x);
    };
    o.readyMs = ms("ready-ms");
    o.queryStartMs = ms("query-start-ms");
    o.asyncStatementMs = ms("async-ms");
    o.tickMs = ms("tick-ms");
    if (v.dataplane === true) o.dataplane = true;
    for (const k of Object.keys(o) as (keyof VendorOptions)[]) if (o[k] === undefined) delete o[k];
    return o;
  },
  randomCredentials: () => ({ apiTokens: [randomToken("deltastream")] }),
  create: async (common, o) => {
    const server = createDeltaStreamEmulator({ ...stateFiles("deltastream", common.stateDir), faults: common.faults, ...o });
    await server.open();
    return server;
  },
  settings: (url, o) => ({ endpoint: url, apiToken: o.apiTokens?.[0] ?? DEFAULT_DELTASTREAM_TOKEN, organization: o.organization ?? DEFAULT_DELTASTREAM_ORGANIZATION }),
});
