/**
 * Batch jobs (CartoDB-SQL-API lib/batch): the three job forms, their status machine, fallbacks
 * with templates, cancel, the queued-jobs limit and the expiry of finished jobs. Jobs of a user
 * run one at a time, in creation order, in the background; a job found `running` after a
 * restart goes back to `pending` (a valid transition of the vendor's machine) and runs again.
 */
import { randomUUID } from "node:crypto";
import { FINAL_JOB_STATUSES, JOB_TEMPLATES, JobStatusName } from "../../provider/carto/contract";
import type { PgRun } from "./engine";

export interface JobQuery {
  query: string;
  status: JobStatusName;
  onsuccess?: string;
  onerror?: string;
  timeout?: number;
  fallback_status?: JobStatusName;
  failed_reason?: string;
  started_at?: string;
  ended_at?: string;
}

export interface JobRecord {
  job_id: string;
  user: string;
  status: JobStatusName;
  /** "simple" (a string), "multiple" (an array) or "fallback" (`{query: [...], onsuccess, onerror}`). */
  kind: "simple" | "multiple" | "fallback";
  query: string | JobQuery[] | { query: JobQuery[]; onsuccess?: string; onerror?: string };
  fallback_status?: JobStatusName;
  failed_reason?: string;
  created_at: string;
  updated_at: string;
  /** When the job reached a final status (it expires `ttl` later). */
  finished_at?: string;
}

/** The job's queries in order (a simple job has one, kept as a string in `query`). */
function queries(job: JobRecord): JobQuery[] {
  if (job.kind === "multiple") return job.query as JobQuery[];
  if (job.kind === "fallback") return (job.query as { query: JobQuery[] }).query;
  return [];
}

/** Builds a job from a create body's `query` (already checked against the contract). */
export function newJob(user: string, query: unknown, now: string): JobRecord {
  const base = { job_id: randomUUID(), user, status: "pending" as const, created_at: now, updated_at: now };
  if (typeof query === "string") return { ...base, kind: "simple", query };
  if (Array.isArray(query)) return { ...base, kind: "multiple", query: query.map((q) => ({ query: String(q), status: "pending" as const })) };
  const f = query as { query: { query: string; onsuccess?: string; onerror?: string; timeout?: number }[]; onsuccess?: string; onerror?: string };
  const qs: JobQuery[] = f.query.map((q) => ({
    query: q.query,
    ...(q.onsuccess !== undefined ? { onsuccess: q.onsuccess } : {}),
    ...(q.onerror !== undefined ? { onerror: q.onerror } : {}),
    ...(q.timeout !== undefined ? { timeout: q.timeout } : {}),
    status: "pending" as const,
    ...(q.onsuccess !== undefined || q.onerror !== undefined ? { fallback_status: "pending" as const } : {}),
  }));
  const hasJobFallback = f.onsuccess !== undefined || f.onerror !== undefined;
  return {
    ...base,
    kind: "fallback",
    query: { query: qs, ...(f.onsuccess !== undefined ? { onsuccess: f.onsuccess } : {}), ...(f.onerror !== undefined ? { onerror: f.onerror } : {}) },
    ...(hasJobFallback ? { fallback_status: "pending" as const } : {}),
  };
}

/** The job as the API returns it (internal fields dropped). */
export function serializeJob(job: JobRecord): Record<string, unknown> {
  const { kind: _k, finished_at: _f, ...out } = job;
  return JSON.parse(JSON.stringify(out));
}

export const isFinal = (s: JobStatusName) => FINAL_JOB_STATUSES.includes(s);

/** Whether a finished job is past its TTL (then it is gone: 404). */
export function expired(job: JobRecord, nowMs: number, ttlMs: number): boolean {
  return !!job.finished_at && isFinal(job.status) && nowMs - Date.parse(job.finished_at) >= ttlMs;
}

const expand = (sql: string, jobId: string, error?: string) =>
  sql.split(JOB_TEMPLATES.jobId).join(jobId).split(JOB_TEMPLATES.errorMessage).join(error ?? "");

export interface JobHost {
  /** Runs SQL as the master role; `commit()` is asked after the statements ran (false: roll back). */
  run(sql: string, timeoutMs: number | undefined, commit: () => boolean): Promise<PgRun>;
  now(): string;
  save(job: JobRecord): void;
  /** The job-level timeout (ms) when a query sets none. */
  jobTimeoutMs(): number;
}

/** The message a failed run reports (`failed_reason`); a timeout is reported as the vendor's driver reports it. */
function failure(run: PgRun): string | undefined {
  if (run.timedOut) return "canceling statement due to statement timeout";
  return run.error?.message;
}

/**
 * Runs a job to a final status (or until cancelled: the running statement is rolled back, as
 * the vendor's pg_cancel_backend does). Returns when done.
 */
export async function runJob(job: JobRecord, host: JobHost): Promise<void> {
  const cancelled = () => job.status === "cancelled";
  const set = (s: JobStatusName) => {
    job.status = s;
    job.updated_at = host.now();
    if (isFinal(s)) job.finished_at = job.updated_at;
    host.save(job);
  };
  const exec = async (sql: string, timeout?: number) => {
    const r = await host.run(`/* ${job.job_id} */ ${sql}`, timeout ?? host.jobTimeoutMs(), () => !cancelled());
    return failure(r);
  };
  if (cancelled()) return;
  set("running");

  if (job.kind === "simple") {
    const err = await exec(job.query as string);
    if (cancelled()) return;
    if (err) job.failed_reason = err;
    set(err ? "failed" : "done");
    return;
  }

  const qs = queries(job);
  let jobError: string | undefined;
  for (let i = 0; i < qs.length; i++) {
    const q = qs[i];
    if (q.status !== "pending") continue;
    if (jobError) {
      if (job.kind === "multiple") continue; // the vendor leaves them pending
      q.status = "skipped";
      if (q.fallback_status) q.fallback_status = "skipped";
      continue;
    }
    q.status = "running";
    q.started_at = host.now();
    host.save(job);
    const err = await exec(q.query, q.timeout);
    if (cancelled()) {
      q.status = "cancelled";
      q.ended_at = host.now();
      for (const rest of qs.slice(i + 1)) if (rest.status === "pending") rest.status = "cancelled";
      host.save(job);
      return;
    }
    q.ended_at = host.now();
    if (err) {
      q.status = "failed";
      q.failed_reason = err;
      jobError = err;
    } else q.status = "done";
    if (q.fallback_status) {
      const fb = err ? q.onerror : q.onsuccess;
      if (fb === undefined) q.fallback_status = "skipped";
      else q.fallback_status = (await exec(expand(fb, job.job_id, err))) ? "failed" : "done";
    }
    host.save(job);
  }
  if (cancelled()) return;
  if (job.kind === "fallback") {
    const f = job.query as { onsuccess?: string; onerror?: string };
    if (job.fallback_status) {
      const fb = jobError ? f.onerror : f.onsuccess;
      if (fb === undefined) job.fallback_status = "skipped";
      else job.fallback_status = (await exec(expand(fb, job.job_id, jobError))) ? "failed" : "done";
    }
  }
  if (cancelled()) return;
  if (jobError) job.failed_reason = jobError;
  set(jobError ? "failed" : "done");
}

/** Cancels a pending or running job; any other status is the vendor's error. */
export function cancelJob(job: JobRecord, now: string): void {
  if (job.status !== "pending" && job.status !== "running") throw new Error(`Cannot set status from ${job.status} to cancelled`);
  job.status = "cancelled";
  job.updated_at = now;
  job.finished_at = now;
  for (const q of queries(job)) {
    if (q.status === "pending" || q.status === "running") q.status = "cancelled";
  }
}
