/**
 * Data loading: connections (returned masked), import jobs, executions and their logs, with cursor
 * pagination. An import job over a LOCAL connection (data.path = a directory) really loads its CSV /
 * JSON files into the sink table, in one transaction; other source types have nothing to read here,
 * so their executions succeed with 0 rows (and say so in the log).
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Route } from "../framework/server";
import { BYTEHOUSE_ROUTES as R, CONNECTION_TYPES, MASK, MASKED_FIELD } from "../../provider/bytehouse/contract";
import type { WireExecution, WireExecutionLog, WireImportJob, WireImportJobBody } from "../../provider/bytehouse/contract";
import { BhContext } from "./context";
import { engineMessage, qi, ql } from "./engine";
import { bad, fail, isObject, now, ok } from "./common";
import { BhConnection, ByteHouseState } from "./state";
import { tableExists } from "./tables";

// ------------------------------------------------------------------ cursor pagination

const encodeCursor = (value: unknown, sort: unknown) => Buffer.from(JSON.stringify({ value, sort_value: sort })).toString("base64");

function cmp(a: string | number, b: string | number): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** Items must be sorted by (sort, value) ascending. */
export function cursorPage<T>(items: T[], key: (t: T) => { value: string | number; sort: string | number }, query: URLSearchParams) {
  const rawLimit = query.get("limit");
  const limit = rawLimit === null || rawLimit === "" ? 10 : Number(rawLimit);
  if (!Number.isInteger(limit) || limit <= 0) throw bad("limit should be an integer > 0");
  const clamped = Math.min(limit, 100);
  let start = 0;
  const raw = query.get("cursor");
  if (raw) {
    let c: any;
    try {
      c = JSON.parse(Buffer.from(raw, "base64").toString("utf8"));
    } catch {
      throw bad("invalid cursor");
    }
    if (!isObject(c) || !("value" in c)) throw bad("invalid cursor");
    if (c.value !== null) {
      const sort = (c.sort_value ?? c.value) as string | number;
      start = items.findIndex((it) => {
        const k = key(it);
        const d = cmp(k.sort, sort);
        return d > 0 || (d === 0 && cmp(k.value, c.value) > 0);
      });
      if (start < 0) start = items.length;
    }
  }
  const page = items.slice(start, start + clamped);
  const last = page[page.length - 1];
  const nextCursor = start + clamped < items.length && last !== undefined ? encodeCursor(key(last).value, key(last).sort) : null;
  return { page, meta: { nextCursor, limit: clamped } };
}

// ------------------------------------------------------------------ helpers

export function mask(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(mask);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, MASKED_FIELD.test(k) ? MASK : mask(x)]));
  return v;
}

const connJson = (c: BhConnection) => ({ ...c, data: mask(c.data) });
const TERMINAL = new Set(["SUCCEEDED", "FAILED", "STOPPED"]);

function findConnection(s: ByteHouseState, id: string | number): BhConnection {
  const c = s.connections[String(id)];
  if (!c) throw fail(404, `connection ${id} not found`, "CONNECTION_NOT_FOUND");
  return c;
}

function findJob(s: ByteHouseState, id: string): WireImportJob {
  const j = s.jobs[id];
  if (!j) throw fail(404, `import job ${id} not found`, "JOB_NOT_FOUND");
  return j;
}

function findExecution(s: ByteHouseState, id: string): WireExecution {
  const e = s.executions[id];
  if (!e) throw fail(404, `execution ${id} not found`, "EXECUTION_NOT_FOUND");
  return e;
}

function checkName(name: unknown): string {
  if (typeof name !== "string" || !name.trim()) throw bad("name is required");
  if (name.length > 128) throw bad("name must be 128 characters or less");
  return name;
}

function jobBody(s: ByteHouseState, b: any): WireImportJobBody {
  if (!isObject(b)) throw bad("a JSON body is required");
  const name = checkName(b.name);
  if (b.description !== undefined && b.description !== null && typeof b.description !== "string") throw bad("description must be a string");
  const connectionID = b.connectionID ?? 0;
  if (!Number.isInteger(connectionID) || connectionID < 0) throw bad("connectionID must be an integer >= 0");
  if (connectionID !== 0) findConnection(s, connectionID);
  if (!isObject(b.configuration)) throw bad("configuration is required (an object)");
  if (b.sourceSchema !== undefined && b.sourceSchema !== null && !isObject(b.sourceSchema)) throw bad("sourceSchema must be an object");
  if (b.schemaFile !== undefined && b.schemaFile !== null && typeof b.schemaFile !== "string") throw bad("schemaFile must be a string");
  if (b.state !== "PUBLISHED" && b.state !== "DRAFT") throw bad('state is required and must be "PUBLISHED" or "DRAFT"');
  if (b.state === "PUBLISHED" && connectionID !== 0 && s.connections[String(connectionID)].type === "LOCAL") {
    const cfg = b.configuration as any;
    if (!isObject(cfg.sink) || typeof cfg.sink.database !== "string" || typeof cfg.sink.table !== "string") throw bad("configuration.sink.database and configuration.sink.table are required for a LOCAL import job");
    const fmt = cfg.source?.format;
    if (fmt !== undefined && !["CSV", "JSON"].includes(String(fmt).toUpperCase())) throw bad('configuration.source.format must be "CSV" or "JSON"');
    const mode = cfg.sink.mode;
    if (mode !== undefined && mode !== "APPEND" && mode !== "OVERWRITE") throw bad('configuration.sink.mode must be "APPEND" or "OVERWRITE"');
  }
  return {
    name,
    description: b.description ?? "",
    connectionID,
    configuration: b.configuration,
    sourceSchema: b.sourceSchema ?? {},
    ...(typeof b.schemaFile === "string" ? { schemaFile: b.schemaFile } : {}),
    state: b.state,
  };
}

function log(s: ByteHouseState, id: string, level: WireExecutionLog["level"], message: string): void {
  (s.executionLogs[id] ??= []).push({ time: now(), level, message });
}

function finish(s: ByteHouseState, e: WireExecution, status: "SUCCEEDED" | "FAILED" | "STOPPED", rowsLoaded: number, error: string | null): void {
  e.status = status;
  e.rowsLoaded = rowsLoaded;
  e.error = error;
  e.finishedAt = now();
}

/** After a restart, executions that were running have lost their worker. */
export function recoverExecutions(s: ByteHouseState): void {
  for (const e of Object.values(s.executions ?? {})) {
    if (TERMINAL.has(e.status)) continue;
    finish(s, e, "FAILED", 0, "the emulator restarted while the execution was running");
    log(s, e.id, "ERROR", "the emulator restarted while the execution was running; nothing was loaded");
  }
}

function running(s: ByteHouseState, jobID: number): WireExecution | undefined {
  return Object.values(s.executions).find((e) => e.jobID === jobID && !TERMINAL.has(e.status));
}

// ------------------------------------------------------------------ loading

class LoadError extends Error {}

async function load(ctx: BhContext, s: ByteHouseState, e: WireExecution, stop: { stopped: boolean }): Promise<void> {
  const job = s.jobs[String(e.jobID)];
  if (!job) throw new LoadError(`import job ${e.jobID} no longer exists`);
  const conn = job.connectionID ? s.connections[String(job.connectionID)] : undefined;
  if (job.connectionID && !conn) throw new LoadError(`connection ${job.connectionID} no longer exists`);
  if (!conn || conn.type !== "LOCAL") {
    log(s, e.id, "INFO", `source type ${conn?.type ?? "BYTEHOUSE"}: the emulator has no such source, so nothing was read; 0 rows loaded`);
    finish(s, e, "SUCCEEDED", 0, null);
    return;
  }
  const cfg = job.configuration as any;
  const dir = conn.data.path;
  if (typeof dir !== "string" || !dir) throw new LoadError(`LOCAL connection ${conn.id} has no data.path directory`);
  const props = cfg.source?.properties ?? {};
  const names = String(e.startArgs["source.properties.fileNames"] ?? props.fileNames ?? "")
    .split(",")
    .map((f) => f.trim())
    .filter(Boolean);
  if (!names.length) throw new LoadError("no files to load: set source.properties.fileNames in the job or the start arguments");
  const db = cfg.sink?.database;
  const table = cfg.sink?.table;
  if (typeof db !== "string" || typeof table !== "string") throw new LoadError("configuration.sink.database and configuration.sink.table are required");
  if (!s.databases[db]) throw new LoadError(`database ${db} does not exist`);
  const delimiter = typeof props.delimiter === "string" && props.delimiter ? props.delimiter : ",";
  const header = props.header !== false;
  const files = names.map((f) => {
    const full = path.resolve(dir, f);
    const rel = path.relative(path.resolve(dir), full);
    if (rel.startsWith("..") || path.isAbsolute(rel)) throw new LoadError(`file ${f} is outside the connection's directory`);
    if (!fs.existsSync(full) || !fs.statSync(full).isFile()) throw new LoadError(`file not found: ${f}`);
    const declared = typeof cfg.source?.format === "string" ? cfg.source.format.toUpperCase() : undefined;
    const format = declared ?? (/\.(json|jsonl|ndjson)$/i.test(f) ? "JSON" : "CSV");
    return { name: f, full, format };
  });
  const total = await ctx.engine.exclusive(s, async (c, catalog) => {
    if (!(await tableExists(c, catalog, db, table))) throw new LoadError(`table ${db}.${table} does not exist`);
    const T = `${qi(catalog)}.${qi(db)}.${qi(table)}`;
    await c.run("BEGIN TRANSACTION");
    try {
      if (cfg.sink?.mode === "OVERWRITE") {
        await c.run(`DELETE FROM ${T}`);
        log(s, e.id, "INFO", `OVERWRITE: removed the existing rows of ${db}.${table}`);
      }
      let n = 0;
      for (const f of files) {
        log(s, e.id, "INFO", `reading ${f.name} (${f.format})`);
        const src =
          f.format === "JSON"
            ? `read_json(${ql(f.full)}, format = 'auto')`
            : `read_csv(${ql(f.full)}, header = ${header}, delim = ${ql(delimiter)}, all_varchar = true)`;
        const r = await c.runAndReadAll(`INSERT INTO ${T} ${header || f.format === "JSON" ? "BY NAME " : ""}SELECT * FROM ${src}`);
        const count = Number((r.getRowObjectsJS()[0] as any)?.Count ?? 0);
        log(s, e.id, "INFO", `${f.name}: ${count} rows`);
        n += count;
      }
      if (stop.stopped) {
        await c.run("ROLLBACK");
        return -1;
      }
      await c.run("COMMIT");
      return n;
    } catch (err) {
      await c.run("ROLLBACK").catch(() => undefined);
      throw new LoadError(engineMessage(err));
    }
  });
  if (total < 0 || e.status !== "RUNNING") return;
  log(s, e.id, "INFO", `loaded ${total} rows into ${db}.${table} from ${files.length} file(s)`);
  finish(s, e, "SUCCEEDED", total, null);
}

function schedule(ctx: BhContext, s: ByteHouseState, e: WireExecution): void {
  const run: { stopped: boolean; timer?: NodeJS.Timeout } = { stopped: false };
  ctx.running.set(e.id, run);
  run.timer = ctx.later(50, () => {
    if (run.stopped) return;
    e.status = "RUNNING";
    log(s, e.id, "INFO", "execution started");
    ctx.save();
    run.timer = ctx.later(50, () => {
      run.timer = undefined;
      ctx.track(
        load(ctx, s, e, run)
          .catch((err) => {
            if (e.status !== "RUNNING") return;
            const msg = err instanceof Error ? err.message : String(err);
            log(s, e.id, "ERROR", `load failed: ${msg}`);
            log(s, e.id, "ERROR", "no rows were inserted");
            finish(s, e, "FAILED", 0, msg);
          })
          .finally(() => {
            ctx.running.delete(e.id);
            if (!ctx.closed) ctx.save();
          }),
      );
    });
  });
}

function stopExecution(ctx: BhContext, s: ByteHouseState, e: WireExecution): void {
  const run = ctx.running.get(e.id);
  if (run) {
    run.stopped = true;
    ctx.cancel(run.timer);
    ctx.running.delete(e.id);
  }
  finish(s, e, "STOPPED", 0, null);
  log(s, e.id, "WARN", "execution stopped by request; no rows were inserted");
}

// ------------------------------------------------------------------ routes

const byId = <T extends { id: number }>(m: Record<string, T>) => Object.values(m).sort((a, b) => a.id - b.id);
const idKey = (x: { id: number }) => ({ value: x.id, sort: x.id });
const execKey = (x: WireExecution) => ({ value: x.id, sort: x.startedAt });
const execsSorted = (s: ByteHouseState) => Object.values(s.executions).sort((a, b) => cmp(a.startedAt, b.startedAt) || cmp(a.id, b.id));

/** Names are unique per account among connections and among import jobs (422 … ALREADY_EXISTS). */
function uniqueName(items: Record<string, { id: number; name: string }>, name: string, kind: "connection" | "import job", self?: number): void {
  if (Object.values(items).some((x) => x.name === name && x.id !== self)) throw fail(422, `${kind} ${name} already exists`, kind === "connection" ? "CONNECTION_ALREADY_EXISTS" : "JOB_ALREADY_EXISTS");
}

export function dataLoadingRoutes(ctx: BhContext): Route<ByteHouseState>[] {
  return [
    // ---- connections ----
    {
      method: "POST",
      pattern: R.connections,
      handler: (req, s) => {
        const b = req.body;
        if (!isObject(b)) throw bad("a JSON body is required");
        const name = checkName(b.name);
        if (typeof b.type !== "string" || !(CONNECTION_TYPES as readonly string[]).includes(b.type)) throw bad(`type must be one of ${CONNECTION_TYPES.join(", ")}`);
        if (!isObject(b.data)) throw bad("data is required (an object)");
        uniqueName(s.connections, name, "connection");
        const at = now();
        const c: BhConnection = { id: s.nextId.connection++, name, type: b.type, data: b.data, createdAt: at, updatedAt: at };
        s.connections[String(c.id)] = c;
        return ok(connJson(c));
      },
    },
    {
      method: "GET",
      pattern: R.connections,
      handler: (req, s) => {
        const { page, meta } = cursorPage(byId(s.connections), idKey, req.query);
        return ok(page.map(connJson), meta);
      },
    },
    { method: "GET", pattern: R.connection, handler: (req, s) => ok(connJson(findConnection(s, req.params.p0))) },
    {
      method: "PUT",
      pattern: R.connection,
      handler: (req, s) => {
        const c = findConnection(s, req.params.p0);
        const b = req.body;
        if (!isObject(b)) throw bad("a JSON body is required");
        const name = checkName(b.name);
        if (!isObject(b.data)) throw bad("data is required (an object)");
        if (b.type !== undefined && b.type !== null && b.type !== c.type) throw bad(`the type of a connection cannot be changed (it is ${c.type})`);
        uniqueName(s.connections, name, "connection", c.id);
        Object.assign(c, { name, data: b.data, updatedAt: now() });
        return ok();
      },
    },
    {
      method: "DELETE",
      pattern: R.connection,
      handler: (req, s) => {
        const c = findConnection(s, req.params.p0);
        const users = Object.values(s.jobs).filter((j) => j.connectionID === c.id);
        if (users.length) throw fail(422, `connection ${c.id} is used by import job(s) ${users.map((j) => j.id).join(", ")}`, "CONNECTION_IN_USE");
        delete s.connections[String(c.id)];
        return ok();
      },
    },
    // ---- import jobs ----
    {
      method: "POST",
      pattern: R.jobs,
      handler: (req, s) => {
        const body = jobBody(s, req.body);
        uniqueName(s.jobs, body.name, "import job");
        const at = now();
        const job: WireImportJob = { ...body, id: s.nextId.job++, description: body.description ?? "", createdAt: at, updatedAt: at, lastExecutionID: null };
        s.jobs[String(job.id)] = job;
        return ok(job);
      },
    },
    {
      method: "GET",
      pattern: R.jobs,
      handler: (req, s) => {
        const { page, meta } = cursorPage(byId(s.jobs), idKey, req.query);
        return ok(page, meta);
      },
    },
    { method: "GET", pattern: R.job, handler: (req, s) => ok(findJob(s, req.params.p0)) },
    {
      method: "PUT",
      pattern: R.job,
      handler: (req, s) => {
        const job = findJob(s, req.params.p0);
        const body = jobBody(s, req.body);
        uniqueName(s.jobs, body.name, "import job", job.id);
        delete job.schemaFile;
        Object.assign(job, body, { description: body.description ?? "", updatedAt: now() });
        return ok();
      },
    },
    {
      method: "DELETE",
      pattern: R.job,
      handler: (req, s) => {
        const job = findJob(s, req.params.p0);
        const e = running(s, job.id);
        if (e) stopExecution(ctx, s, e);
        delete s.jobs[String(job.id)];
        return ok();
      },
    },
    {
      method: "PATCH",
      pattern: R.jobName,
      handler: (req, s) => {
        const job = findJob(s, req.params.p0);
        const name = checkName(req.body?.name);
        uniqueName(s.jobs, name, "import job", job.id);
        job.name = name;
        job.updatedAt = now();
        return ok();
      },
    },
    {
      method: "PATCH",
      pattern: R.jobDescription,
      handler: (req, s) => {
        const job = findJob(s, req.params.p0);
        const d = req.body?.description;
        if (typeof d !== "string") throw bad("description is required (a string)");
        job.description = d;
        job.updatedAt = now();
        return ok();
      },
    },
    {
      method: "GET",
      pattern: R.jobStartArgs,
      handler: (req, s) => {
        const job = findJob(s, req.params.p0);
        const names = (job.configuration as any)?.source?.properties?.fileNames;
        return ok({ "source.properties.fileNames": typeof names === "string" ? names : "" });
      },
    },
    {
      method: "POST",
      pattern: R.jobStart,
      handler: (req, s) => {
        const job = findJob(s, req.params.p0);
        const args = req.body ?? {};
        if (!isObject(args) || Object.values(args).some((v) => typeof v !== "string")) throw bad("the start arguments must be an object of strings");
        if (job.state !== "PUBLISHED") throw fail(422, `import job ${job.id} is a DRAFT; publish it before starting it`, "JOB_NOT_PUBLISHED");
        const busy = running(s, job.id);
        if (busy) throw fail(422, `import job ${job.id} is already running (execution ${busy.id})`, "JOB_ALREADY_RUNNING");
        const e: WireExecution = { id: randomUUID(), jobID: job.id, status: "PENDING", startArgs: args as Record<string, string>, rowsLoaded: 0, startedAt: now(), finishedAt: null, error: null };
        s.executions[e.id] = e;
        log(s, e.id, "INFO", `execution created for import job ${job.id} (${job.name})`);
        job.lastExecutionID = e.id;
        schedule(ctx, s, e);
        return ok({ executionID: e.id });
      },
    },
    {
      method: "POST",
      pattern: R.jobStop,
      handler: (req, s) => {
        const job = findJob(s, req.params.p0);
        const e = running(s, job.id);
        if (!e) throw fail(422, `import job ${job.id} has no running execution`, "JOB_NOT_RUNNING");
        stopExecution(ctx, s, e);
        return ok();
      },
    },
    {
      method: "GET",
      pattern: R.jobExecutions,
      handler: (req, s) => {
        const job = findJob(s, req.params.p0);
        const { page, meta } = cursorPage(
          execsSorted(s).filter((e) => e.jobID === job.id),
          execKey,
          req.query,
        );
        return ok(page, meta);
      },
    },
    // ---- executions ----
    {
      method: "GET",
      pattern: R.executions,
      handler: (req, s) => {
        const { page, meta } = cursorPage(execsSorted(s), execKey, req.query);
        return ok(page, meta);
      },
    },
    { method: "GET", pattern: R.execution, handler: (req, s) => ok(findExecution(s, req.params.p0)) },
    {
      method: "GET",
      pattern: R.executionLogs,
      handler: (req, s) => {
        const e = findExecution(s, req.params.p0);
        const raw = req.query.get("limit");
        const limit = raw === null || raw === "" ? 1000 : Number(raw);
        if (!Number.isInteger(limit) || limit <= 0) throw bad("limit should be an integer > 0");
        return ok((s.executionLogs[e.id] ?? []).slice(0, limit));
      },
    },
  ];
}
