/**
 * Altertable lakehouse HTTP API emulator (shared/vendor-docs/altertable-http-api.txt; notes §2.3),
 * on a real embedded DuckDB (Altertable is DuckDB underneath, so SQL, types and errors are the engine's).
 *
 * Routes (all behind HTTP Basic auth; a bad or missing credential → 401 with an empty body):
 *   POST   /query              NDJSON: metadata line, columns line, one JSON array per row; engine errors as an in-stream {"error"} line
 *   GET    /query/:id          the query log entry (QueryLogResponse); 404 unknown
 *   DELETE /query/:id?session_id=   {cancelled, message}; interrupts a running query
 *   POST   /validate           always 200 {valid, statement, connections_errors, error?}
 *   POST   /autocomplete       DuckDB's sql_auto_complete
 *   POST   /explain            tables read + estimated rows (+ plan)
 *   POST   /upsert             file upload, modes create|append|upsert|overwrite (default upsert, needs primary_key)
 *   POST   /upload             older/current-spec upload, modes create|append|overwrite|upsert|create_append (default append)
 *   POST   /append             JSON records, inferred schema, asynchronous task (sync=true waits)
 *   GET    /tasks/:id          {task_id, status}
 * Catalogs: a writable default catalog (option, default "lakehouse"), "my_catalog" (the vendor doc's examples)
 * and the read-only built-in "product_analytics" with a small `main.events` table.
 */
import { randomUUID, timingSafeEqual } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { defineEmulator, randomToken, stateFiles } from "../framework/definition";
import { EmulatorContext, EmulatorOptions, EmulatorRequest, EmulatorServer, HttpError, Route } from "../framework/server";
import { CatalogInfo, Engine } from "./engine";
import * as C from "../../provider/altertable/contract";
import { ALTERTABLE_ROUTES as R } from "../../provider/altertable/contract";
import { AppendFailure, AppendQueue, AppendTask, UUID_RE, applyAppend, parseRecords, uuidv7 } from "./append";
import { QueryHost, QueryLogEntry, abandonStaleQueries, autocomplete, cancelQuery, explain, getQuery, interruptAll, startQuery, validate } from "./query";
import { UploadMode, UploadSpec, detectFormat, loadFile, plain, receiveToFile } from "./upload";

export { QueryLogEntry } from "./query";
export { AppendTask } from "./append";
export { CatalogInfo } from "./engine";

export interface AltertableState {
  /** Changes on every admin reset; the DuckDB files are wiped when it no longer matches theirs. */
  generation: string;
  /** Catalogs by lower-case name. */
  catalogs: Record<string, CatalogInfo>;
  /** The query log, by query id. */
  queries: Record<string, QueryLogEntry>;
  /** /append tasks, by task id. */
  tasks: Record<string, AppendTask>;
}

export const DEFAULT_ALTERTABLE_USERNAME = "altertable";
export const DEFAULT_ALTERTABLE_PASSWORD = "altertable-emulator";
/** `user:pass`, the credential the emulator accepts when none is configured. */
export const DEFAULT_ALTERTABLE_CREDENTIALS = `${DEFAULT_ALTERTABLE_USERNAME}:${DEFAULT_ALTERTABLE_PASSWORD}`;
export const DEFAULT_ALTERTABLE_CATALOG = "lakehouse";

export interface AltertableEmulatorOptions extends Partial<Pick<EmulatorOptions<AltertableState>, "stateFile" | "logFile" | "faults">> {
  /** Accepted Basic credentials, as "user:pass" or {username, password}; default DEFAULT_ALTERTABLE_CREDENTIALS. */
  credentials?: (string | { username: string; password: string })[];
  /** The writable catalog used when a request names none (default "lakehouse"). */
  defaultCatalog?: string;
  /** More writable catalogs to seed (besides the default, "my_catalog" and the read-only "product_analytics"). */
  catalogs?: string[];
  /** Delay before an accepted /append is inserted (default 50 ms). */
  appendDelayMs?: number;
  /**
   * Line 2 of /query: "typed" = [{name, type}] (production, default); "names" = ["col", …] (the vendor's mock,
   * and the only form @altertable/lakehouse 0.2.x can parse).
   */
  columnsLine?: "typed" | "names";
  /** Where uploads are spooled (default the OS temp dir). */
  uploadTmpDir?: string;
}

/** An Altertable emulator (the framework's server; the DuckDB engine and task queue live in its backend). */
export type AltertableEmulator = EmulatorServer<AltertableState>;

function parseCredentials(list: AltertableEmulatorOptions["credentials"]): Buffer[] {
  const out = (list ?? [DEFAULT_ALTERTABLE_CREDENTIALS]).map((c) => (typeof c === "string" ? c : `${c.username}:${c.password}`));
  for (const c of out) if (!c.includes(":")) throw new Error(`Altertable credential "${c}" must be user:pass`);
  return out.map((c) => Buffer.from(c, "utf8"));
}

function authorized(header: string | undefined, accepted: Buffer[]): boolean {
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header ?? "");
  if (!m) return false;
  const given = Buffer.from(m[1], "base64");
  return accepted.some((a) => a.length === given.length && timingSafeEqual(a, given));
}

export function createAltertableEmulator(opts: AltertableEmulatorOptions = {}): AltertableEmulator {
  const defaultCatalog = opts.defaultCatalog ?? DEFAULT_ALTERTABLE_CATALOG;
  const accepted = parseCredentials(opts.credentials);
  const initialState = (): AltertableState => {
    const catalogs: Record<string, CatalogInfo> = {};
    const add = (name: string, read_only: boolean, built_in: boolean) => (catalogs[name.toLowerCase()] ??= { name, read_only, built_in });
    add(defaultCatalog, false, false);
    add("my_catalog", false, false);
    for (const c of opts.catalogs ?? []) add(c, false, false);
    add("product_analytics", true, true);
    return { generation: randomUUID(), catalogs, queries: {}, tasks: {} };
  };

  let fw!: EmulatorContext<AltertableState>;
  const state = () => fw.state;
  const appends = new AppendQueue(opts.appendDelayMs ?? 50);

  const runTask = (task: AppendTask, records: AppendRecordList, generation: string) => async () => {
    if (state().generation !== generation || state().tasks[task.task_id] !== task) return; // reset meanwhile
    try {
      await applyAppend(engine, task, records);
    } catch (e) {
      task.error = (e as Error).message;
    }
    task.status = "completed";
    task.completed_at = new Date().toISOString();
    delete task.payload;
    fw.save("tasks", task.task_id);
  };

  const engine: Engine = new Engine({
    generation: () => state().generation,
    catalogs: () => Object.values(state().catalogs),
    defaultCatalog,
    dir: () => fw.stateDir,
    onOpened: async () => {
      const s = state();
      // Resume tasks accepted before a restart (their payload is in the state).
      for (const t of Object.values(s.tasks)) {
        if (t.status === "pending" && t.payload) void appends.schedule(runTask(t, t.payload, s.generation), true).catch(() => undefined);
      }
    },
  });
  const queryHost: QueryHost = {
    engine,
    queries: () => state().queries,
    save: (id) => (id ? fw.save("queries", id) : fw.save()),
    workerSlug: "emulator-worker-local",
    columnsLine: opts.columnsLine ?? "typed",
  };

  /** catalog/schema/table query parameters, the catalog resolved case-insensitively; `fail` renders the error the endpoint's way. */
  const target = (req: EmulatorRequest, fail: (status: number, msg: string) => HttpError, write = true) => {
    const get = (k: string) => {
      const v = req.query.get(k);
      if (v === null || v.trim() === "") throw fail(400, `Missing required query parameter \`${k}\``);
      return v.trim();
    };
    const [c, schema, table] = [get("catalog"), get("schema"), get("table")];
    const catalog = engine.catalog(c);
    if (!catalog) throw fail(400, `Catalog "${c}" does not exist (known catalogs: ${Object.values(state().catalogs).map((x) => x.name).join(", ")})`);
    if (write && catalog.read_only) throw fail(400, `Catalog "${catalog.name}" is read-only`);
    return { catalog: catalog.name, schema, table };
  };

  const upload = (kind: "upsert" | "upload") => async (req: EmulatorRequest): Promise<{ status: number }> => {
    const t = target(req, plain);
    const rawMode = req.query.get("mode") || (kind === "upsert" ? "upsert" : "append");
    const modes = kind === "upsert" ? ["create", "append", "upsert", "overwrite"] : ["create", "append", "upsert", "overwrite", "create_append"];
    if (!modes.includes(rawMode)) throw plain(400, `Invalid mode: ${rawMode} (expected one of ${modes.join(", ")})`);
    const mode: UploadMode = rawMode === "create_append" ? "append" : (rawMode as UploadMode);
    const primaryKey = (req.query.get("primary_key") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    if (mode === "upsert" && !primaryKey.length) throw plain(400, "primary_key is required when mode is upsert");
    const spec: UploadSpec = { ...t, mode, primaryKey, cursorField: req.query.get("cursor_field") || undefined, format: req.query.get("format") || undefined };
    if (kind === "upsert") {
      // the contract's check, after the vendor-worded ones above
      const q = C.UpsertQuery.safeParse(Object.fromEntries(req.query));
      if (!q.success) throw plain(400, `Invalid query parameters: ${q.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    }
    await engine.ready();
    const received = await receiveToFile(req.stream!, opts.uploadTmpDir);
    try {
      if (received.size === 0) throw plain(400, "Request body is empty");
      const format = detectFormat(received.file, req.headers["content-type"], spec.format);
      await loadFile(engine, spec, received.file, format);
    } finally {
      fs.rmSync(received.dir, { recursive: true, force: true });
    }
    return { status: 200 };
  };

  const appendError = (status: number, code: "invalid-data" | "incompatible-schema", message: string) =>
    new HttpError(status, { ok: false, task_id: null, error_message: message, error_code: code });

  const routes: Route<AltertableState>[] = [
    { method: "POST", pattern: R.query, body: C.QueryRequest, invalid: bad400, handler: (req) => startQuery(queryHost, req) },
    { method: "GET", pattern: R.queryLog, handler: (req) => getQuery(queryHost, req.params.id) },
    { method: "DELETE", pattern: R.queryLog, handler: (req) => cancelQuery(queryHost, req.params.id, req.query.get("session_id")) },
    { method: "POST", pattern: R.validate, body: C.ValidateRequest, invalid: bad400, handler: (req) => validate(queryHost, req) },
    { method: "POST", pattern: R.autocomplete, body: C.AutocompleteRequest, invalid: bad400, handler: (req) => autocomplete(queryHost, req) },
    { method: "POST", pattern: R.explain, body: C.ExplainRequest, invalid: bad400, handler: (req) => explain(queryHost, req) },
    { method: "POST", pattern: R.upsert, stream: true, handler: upload("upsert") },
    { method: "POST", pattern: R.upload, stream: true, handler: upload("upload") },
    {
      method: "POST",
      pattern: R.append,
      body: C.AppendRequest,
      invalid: (message) => appendError(400, "invalid-data", message),
      handler: async (req, s) => {
        const t = target(req, (status, msg) => appendError(status, "invalid-data", msg));
        let records: AppendRecordList;
        try {
          records = parseRecords(req.body, req.rawBody);
        } catch (e) {
          throw appendError(400, "invalid-data", (e as Error).message);
        }
        const sync = /^(true|1)$/i.test(req.query.get("sync") ?? "");
        // Vet the batch now (dry run, rolled back) so that an incompatible batch is refused rather than accepted and lost.
        try {
          await applyAppend(engine, t, records, true);
        } catch (e) {
          const f = e as AppendFailure;
          return { status: 200, body: { ok: false, task_id: null, error_message: f.message, error_code: f.code ?? "invalid-data" } };
        }
        const task: AppendTask = {
          task_id: uuidv7(),
          status: "pending",
          created_at: new Date().toISOString(),
          completed_at: null,
          ...t,
          rows: records.length,
          error: null,
          payload: records,
        };
        s.tasks[task.task_id] = task;
        pruneTasks(s);
        const done = appends.schedule(runTask(task, records, s.generation), sync);
        if (sync) {
          await done;
          if (task.error) return { status: 200, body: { ok: false, task_id: task.task_id, error_message: task.error, error_code: "invalid-data" } };
        } else done.catch(() => undefined);
        return { status: 200, body: { ok: true, task_id: task.task_id, error_message: null, error_code: null } };
      },
    },
    {
      method: "GET",
      pattern: R.task,
      handler: (req, s) => {
        const id = req.params.id;
        if (!UUID_RE.test(id)) throw new HttpError(400, { error: `Invalid task id: ${id}` });
        const task = s.tasks[id.toLowerCase()];
        if (!task) throw new HttpError(404, { error: `Task ${id} not found` });
        return { status: 200, body: { task_id: task.task_id, status: task.status } };
      },
    },
  ];

  return new EmulatorServer<AltertableState>({
    vendor: "altertable",
    routes: (ctx) => {
      fw = ctx;
      ctx.onClose(() => interruptAll(queryHost), "interrupt");
      ctx.onClose(async () => {
        await appends.stop(); // a running append finishes; pending ones stay pending in the state
        await engine.close();
      });
      return routes;
    },
    initialState,
    stateFile: opts.stateFile,
    logFile: opts.logFile,
    faults: opts.faults,
    errorBody: (_status, message) => ({ error: message }),
    secretFields: ALTERTABLE_SECRET_FIELDS,
    backend: {
      open: async () => {
        abandonStaleQueries(queryHost);
        // pending /append tasks from before a restart are resumed once DuckDB is open
        if (Object.values(state().tasks).some((t) => t.status === "pending")) void engine.ready().catch(() => undefined);
      },
    },
    authenticate: (req) => {
      const h = req.headers.authorization;
      if (!authorized(typeof h === "string" ? h : undefined, accepted)) throw new HttpError(401, undefined);
    },
  });
}

/** Body fields that carry credentials (connection settings in SQL clients' bodies, passwords). */
export const ALTERTABLE_SECRET_FIELDS: (string | RegExp)[] = [/password|secret|token|credential/i];

type AppendRecordList = Record<string, unknown>[];

/** A contract violation on the SQL endpoints: 400 text/plain, as the vendor answers. */
const bad400 = (message: string) => plain(400, message);

const MAX_TASKS = 10_000;
function pruneTasks(s: AltertableState): void {
  const ids = Object.keys(s.tasks);
  for (let i = 0; i < ids.length - MAX_TASKS; i++) if (s.tasks[ids[i]].status === "completed") delete s.tasks[ids[i]];
}

type AltertableVendorOptions = Omit<AltertableEmulatorOptions, "stateFile" | "logFile" | "faults">;

function firstCredential(o: Partial<AltertableVendorOptions>): { username: string; password: string } {
  const first = o.credentials?.[0];
  if (first === undefined) return { username: DEFAULT_ALTERTABLE_USERNAME, password: DEFAULT_ALTERTABLE_PASSWORD };
  if (typeof first !== "string") return first;
  const i = first.indexOf(":");
  return { username: first.slice(0, i), password: first.slice(i + 1) };
}

/** The Altertable emulator's registration (emulator/index.ts loads it from provider/vendors.ts). */
export const emulator = defineEmulator<AltertableState, AltertableVendorOptions>({
  vendor: "altertable",
  cliOptions: {
    credential: { type: "string", multiple: true, value: "USER:PASS", help: `an accepted Basic credential; repeatable (default ${DEFAULT_ALTERTABLE_CREDENTIALS})` },
    "default-catalog": { type: "string", value: "NAME", help: `the writable catalog used when a request names none (default ${DEFAULT_ALTERTABLE_CATALOG})` },
    catalog: { type: "string", multiple: true, value: "NAME", help: "another writable catalog to seed; repeatable" },
    "columns-line": { type: "string", value: "typed|names", help: "form of the /query columns line (default typed, as production; names for @altertable/lakehouse 0.2.x)" },
  },
  fromCli: (v) => {
    const o: AltertableVendorOptions = {};
    const creds = (v.credential as string[] | undefined)?.filter((c) => c !== "");
    if (creds?.length) {
      for (const c of creds) if (!c.includes(":")) throw new Error(`--credential must be USER:PASS (got "${c}")`);
      o.credentials = creds;
    }
    if (typeof v["default-catalog"] === "string") o.defaultCatalog = v["default-catalog"];
    if (Array.isArray(v.catalog)) o.catalogs = v.catalog as string[];
    const cl = v["columns-line"];
    if (cl !== undefined) {
      if (cl !== "typed" && cl !== "names") throw new Error(`--columns-line must be typed or names (got "${cl}")`);
      o.columnsLine = cl;
    }
    return o;
  },
  randomCredentials: () => ({ credentials: [`altertable:${randomToken("altertable")}`] }),
  create: async (common, o) => {
    const server = createAltertableEmulator({ ...stateFiles("altertable", common.stateDir), faults: common.faults, ...o });
    await server.open();
    return server;
  },
  settings: (url, o) => ({ endpoint: url, ...firstCredential(o) }),
});
