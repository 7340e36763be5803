/**
 * carto.BatchJob — SQL statements run as a CARTO batch job (`POST /api/v2/sql/job`), the way to
 * run what the SQL API's statement timeout would cut short (building a summary table, a big
 * UPDATE, an import from a staging table).
 *
 * - Runs on create, and again only when what it runs changes (queries, fallbacks) or `trigger`
 *   changes; a new timeoutSeconds does not run it again. A job that failed runs again on the next
 *   `up` (it finished: nothing runs twice at once).
 * - Waits for the job with progress (framework/poll.ts): status, and which query is running.
 *   A failed job fails the update with the vendor's `failed_reason` and each query's status.
 * - Never twice for one change: before a job is sent, the provider writes a line in its run
 *   journal (`.pulumi-warehouse/journal/`, next to the creates journal: resource name, a hash of
 *   what runs, a run id, later the job id). The job's first query carries the run id in a marker
 *   comment (`/* pulumi-warehouse run … *\/`). A `pulumi up` interrupted while the job ran (kill -9)
 *   finds the job id in the journal on the next `up` and waits for that job (or keeps it, when it
 *   finished) instead of sending it again; deleting the resource forgets the run. A create whose answer was lost (the job may exist, but CARTO has no way to list
 *   jobs) is never re-sent: the update fails saying so, and the next `up` asks again only when
 *   `trigger` changes.
 * - Finished jobs expire at CARTO after 2 hours: refresh keeps the recorded outcome then.
 * - Destroy cancels the job if it is still pending or running; a finished job has nothing to undo.
 */
import { createHash, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { journalDir } from "../framework/journal";
import { OpContext } from "../framework/spec";
import { isAmbiguous } from "../http/errors";
import { raw, render, sql } from "../sql/builder";
import { SqlSyntaxError, tokenize } from "../sql/tokenizer";
import { CARTO_DIALECT, CartoApi, cartoBaseUrl, defineCartoResource } from "./api";
import { FINAL_JOB_STATUSES, JOB_LIMITS, JOB_TEMPLATES, JobBody } from "./contract";

const statement = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `must be a SQL statement`)
    .superRefine((text, ctx) => {
      try {
        tokenize(text, CARTO_DIALECT.lex);
      } catch (e) {
        if (e instanceof SqlSyntaxError) ctx.addIssue({ code: "custom", message: `is not SQL the engine can read: ${e.message}` });
        else throw e;
      }
      if (what !== "onerror" && text.includes(JOB_TEMPLATES.errorMessage)) ctx.addIssue({ code: "custom", message: `${JOB_TEMPLATES.errorMessage} is only expanded in an onerror statement` });
    });

export const cartoBatchJobInputs = z
  .object({
    name: z.string().min(1, "must not be empty").max(128, "must be at most 128 characters").describe("A name for the job, unique in the stack (it keys the provider's run journal)."),
    queries: z
      .array(
        z.object({
          query: statement("query").describe("The statement (PostgreSQL/PostGIS SQL, as CARTO runs it)."),
          onsuccess: statement("onsuccess").optional().describe(`Run after this query succeeds (${JOB_TEMPLATES.jobId} is expanded).`),
          onerror: statement("onerror").optional().describe(`Run after this query fails (${JOB_TEMPLATES.jobId} and ${JOB_TEMPLATES.errorMessage} are expanded).`),
          timeout: z.number().int().positive("must be > 0").optional().describe("This query's timeout in milliseconds (lowers the job's 12-hour limit)."),
        }),
      )
      .min(1, "must hold at least one query")
      .describe("The job's queries, run in order; a failing one stops the job (its onerror and the job's onerror run)."),
    onsuccess: statement("onsuccess").optional().describe(`Run after every query succeeded (${JOB_TEMPLATES.jobId} is expanded).`),
    onerror: statement("onerror").optional().describe(`Run after a query failed (${JOB_TEMPLATES.jobId} and ${JOB_TEMPLATES.errorMessage} are expanded).`),
    trigger: z.string().optional().describe("Any value; changing it runs the job again without other changes."),
    timeoutSeconds: z.number().int().positive("must be > 0").default(1800).describe("How long the provider waits for the job (it keeps running at CARTO past it). Changing it does not run the job again."),
  })
  .superRefine((j, ctx) => {
    const size = Buffer.byteLength(JSON.stringify({ query: jobQuery(j, "00000000-0000-0000-0000-000000000000") }));
    if (size > JOB_LIMITS.maxPayloadBytes - 64) {
      ctx.addIssue({ code: "custom", path: ["queries"], message: `the job's body would be ${size} bytes; CARTO takes at most ${JOB_LIMITS.maxPayloadBytes} (16 KB): split it into several jobs` });
    }
  });

type Inputs = z.output<typeof cartoBatchJobInputs>;

/** What a run depends on: a change runs the job again. */
const RUN_FIELDS = ["queries", "onsuccess", "onerror", "trigger"] as const;

export interface BatchJobRaw {
  jobId: string;
  status: string;
  runId: string;
  runHash: string;
  failedReason?: string;
  finishedAt?: string;
  /** The job expired at CARTO (finished more than 2 hours ago): what was recorded stands. */
  expired?: boolean;
}

/** sha256 of what the job runs. */
export function runHash(i: Pick<Inputs, (typeof RUN_FIELDS)[number]>): string {
  return createHash("sha256")
    .update(JSON.stringify({ queries: i.queries, onsuccess: i.onsuccess ?? null, onerror: i.onerror ?? null, trigger: i.trigger ?? null }))
    .digest("hex");
}

/** The marker comment the first query carries. */
export function runMarker(runId: string): string {
  return `/* pulumi-warehouse run ${runId} */`;
}

/** The job's `query` in the fallback form, the first query marked with the run id (built with the SQL builder). */
export function jobQuery(i: Pick<Inputs, "queries" | "onsuccess" | "onerror">, runId: string) {
  if (!/^[0-9a-f-]{36}$/.test(runId)) throw new Error(`run id ${runId} is not a uuid`);
  const marked = (text: string) => render(sql`${raw(runMarker(runId), "a comment holding a uuid the provider made")} ${raw(text, "the program's own batch statement, tokenized at preview")}`, CARTO_DIALECT);
  return {
    query: i.queries.map((q, n) => ({
      query: n === 0 ? marked(q.query) : q.query,
      ...(q.onsuccess !== undefined ? { onsuccess: q.onsuccess } : {}),
      ...(q.onerror !== undefined ? { onerror: q.onerror } : {}),
      ...(q.timeout !== undefined ? { timeout: q.timeout } : {}),
    })),
    ...(i.onsuccess !== undefined ? { onsuccess: i.onsuccess } : {}),
    ...(i.onerror !== undefined ? { onerror: i.onerror } : {}),
  };
}

// ---------------------------------------------------------------- run journal

interface RunEntry {
  name: string;
  runHash: string;
  runId: string;
  jobId?: string;
  /** sending: the create is about to go; sent: CARTO answered with jobId; ambiguous: the answer was lost; done/failed/cancelled: seen finished; forgotten: the resource was deleted. */
  state: "sending" | "sent" | "ambiguous" | "done" | "failed" | "cancelled" | "forgotten";
}

function runJournalFile(api: CartoApi): string {
  const scope = `carto batch jobs ${cartoBaseUrl(api.settings)} ${api.user}`;
  return path.join(journalDir(), `carto-batch-${createHash("sha256").update(scope).digest("hex").slice(0, 16)}.jsonl`);
}

/** The latest entry per job name. */
function readRuns(api: CartoApi): Map<string, RunEntry> {
  const out = new Map<string, RunEntry>();
  let text = "";
  try {
    text = fs.readFileSync(runJournalFile(api), "utf8");
  } catch {
    return out;
  }
  for (const line of text.split("\n")) {
    if (!line) continue;
    try {
      const e = JSON.parse(line) as RunEntry;
      out.set(e.name, e);
    } catch {
      // a line cut short by a killed process
    }
  }
  return out;
}

function writeRun(api: CartoApi, e: RunEntry): void {
  const file = runJournalFile(api);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, JSON.stringify(e) + "\n");
}

// ---------------------------------------------------------------- running

const finished = (s: string) => (FINAL_JOB_STATUSES as readonly string[]).includes(s);

function progressOf(job: JobBody): string {
  if (Array.isArray(job.query)) return job.status;
  if (typeof job.query === "object" && Array.isArray(job.query.query)) {
    const qs = job.query.query;
    const running = qs.findIndex((q) => q.status === "running");
    const done = qs.filter((q) => q.status === "done").length;
    return `${job.status}${running >= 0 ? `, query ${running + 1} of ${qs.length} running` : `, ${done} of ${qs.length} queries done`}`;
  }
  return job.status;
}

function queryStatuses(job: JobBody): string {
  if (typeof job.query !== "object" || Array.isArray(job.query) || !Array.isArray(job.query.query)) return "";
  return job.query.query.map((q, n) => `query ${n + 1}: ${q.status}${q.failed_reason ? ` (${q.failed_reason})` : ""}`).join("; ");
}

/** Waits for the job to finish; fails with its failed_reason when it did not succeed. */
async function follow(ctx: OpContext<CartoApi>, inputs: Inputs, entry: RunEntry): Promise<BatchJobRaw> {
  const jobId = entry.jobId!;
  let job = await ctx.poll({
    what: `batch job ${inputs.name} (${jobId})`,
    check: async () => {
      const j = await ctx.api.getJob(jobId);
      if (!j) throw new Error(`batch job ${inputs.name}: job ${jobId} is no longer at CARTO (finished jobs expire after 2 hours); its outcome is unknown. Change trigger to run it again.`);
      return j;
    },
    until: (j) => finished(j.status),
    describe: progressOf,
    timeoutMs: inputs.timeoutSeconds * 1000,
  });
  job = job as JobBody;
  const state = job.status === "done" ? "done" : job.status === "cancelled" ? "cancelled" : "failed";
  writeRun(ctx.api, { ...entry, state });
  if (job.status !== "done") {
    const reason = job.failed_reason ?? (typeof job.query === "object" && !Array.isArray(job.query) ? job.query.query.find((q) => q.failed_reason)?.failed_reason : undefined);
    const each = queryStatuses(job);
    throw new Error(`batch job ${inputs.name} (${jobId}) ${job.status}${reason ? `: ${reason}` : ""}${each ? ` [${each}]` : ""}`);
  }
  ctx.progress(`batch job ${inputs.name} (${jobId}) done`);
  return { jobId, status: job.status, runId: entry.runId, runHash: entry.runHash, finishedAt: job.updated_at };
}

/** Runs the job for these inputs once: follows a run of the same change already sent, else sends it. */
async function run(ctx: OpContext<CartoApi>, inputs: Inputs): Promise<BatchJobRaw> {
  const hash = runHash(inputs);
  const last = readRuns(ctx.api).get(inputs.name);
  if (last && last.runHash === hash) {
    if (last.state === "done" && last.jobId) {
      // An earlier run of this same change finished, but Pulumi never recorded it (the up was interrupted).
      ctx.progress(`batch job ${inputs.name}: job ${last.jobId}, sent by an earlier interrupted run for this same change, is done; keeping it instead of sending it again`);
      const job = await ctx.api.getJob(last.jobId);
      return { jobId: last.jobId, status: "done", runId: last.runId, runHash: hash, finishedAt: job?.updated_at };
    }
    if (last.state === "sent" && last.jobId) {
      const job = await ctx.api.getJob(last.jobId);
      if (job) {
        ctx.progress(`batch job ${inputs.name}: job ${last.jobId}, sent by an earlier interrupted run for this same change, is ${job.status}; following it instead of sending it again`);
        return follow(ctx, inputs, last);
      }
      ctx.progress(`batch job ${inputs.name}: job ${last.jobId} was sent by an earlier interrupted run and has expired at CARTO; sending the job again`);
    } else if (last.state === "sending" || last.state === "ambiguous") {
      throw new Error(
        `batch job ${inputs.name}: an earlier run sent this job (run ${last.runId}) and its answer was lost, so CARTO may have it queued or running (CARTO has no way to list jobs). ` +
          `It is not sent again. Once it would have finished, change trigger to run it again.`,
      );
    }
  }
  const entry: RunEntry = { name: inputs.name, runHash: hash, runId: randomUUID(), state: "sending" };
  writeRun(ctx.api, entry);
  let job: JobBody;
  try {
    job = await ctx.api.createJob(jobQuery(inputs, entry.runId));
  } catch (e) {
    if (isAmbiguous(e)) {
      writeRun(ctx.api, { ...entry, state: "ambiguous" });
      throw new Error(`${(e as Error).message}. The job (run ${entry.runId}) may have been created; it is not sent again. Once it would have finished, change trigger to run it again.`);
    }
    writeRun(ctx.api, { ...entry, state: "failed" });
    throw e;
  }
  const sent: RunEntry = { ...entry, jobId: job.job_id, state: "sent" };
  writeRun(ctx.api, sent);
  ctx.progress(`batch job ${inputs.name}: created job ${job.job_id} (${job.status})`);
  return follow(ctx, inputs, sent);
}

export const cartoBatchJob = defineCartoResource({
  kind: "BatchJob",
  description:
    "SQL statements run as a CARTO batch job (no statement timeout), with onsuccess/onerror fallbacks. Runs on create and again only when its queries, fallbacks or trigger change; the provider waits with progress, and a failed job fails the update with CARTO's failed_reason. " +
    "Never sent twice for one change: a run journal and a run-id marker in the job's query let an interrupted pulumi up follow the job it sent instead of sending it again. Destroy cancels a job still running.",
  inputs: cartoBatchJobInputs,
  replaceOn: [],
  outputs: {
    jobId: "The CARTO job id of the last run.",
    status: "The last run's status (done, or the status it failed with).",
    runId: "The run id in the marker comment of the last run's first query.",
    runHash: "sha256 of what the job runs (queries, fallbacks, trigger).",
    finishedAt: "When the last run finished (CARTO's updated_at).",
  },

  async create(ctx, inputs) {
    const r = await run(ctx, inputs);
    return { id: r.jobId, raw: r };
  },

  async read(api, id, state) {
    const s = state as Inputs & Partial<BatchJobRaw>;
    const jobId = s.jobId ?? id; // the id is the first run's job; the last run's is an output
    const job = await api.getJob(jobId);
    const recorded: BatchJobRaw = { jobId, status: s.status ?? "unknown", runId: s.runId ?? "", runHash: s.runHash ?? runHash(s), finishedAt: s.finishedAt };
    if (!job) return { ...recorded, expired: true };
    return { ...recorded, status: job.status, finishedAt: finished(job.status) ? job.updated_at : recorded.finishedAt };
  },

  observe: () => ({}),

  computed: (r: BatchJobRaw) => ({ jobId: r.jobId, status: r.status, runId: r.runId, runHash: r.runHash, finishedAt: r.finishedAt }),

  async update(ctx, _id, olds, news, changed) {
    const again = changed.some((k) => (RUN_FIELDS as readonly string[]).includes(k));
    if (!again) return { jobId: (olds as Partial<BatchJobRaw>).jobId ?? _id, status: (olds as Partial<BatchJobRaw>).status ?? "done", runId: (olds as Partial<BatchJobRaw>).runId ?? "", runHash: runHash(news), finishedAt: (olds as Partial<BatchJobRaw>).finishedAt };
    ctx.progress(`batch job ${news.name}: ${changed.filter((k) => (RUN_FIELDS as readonly string[]).includes(k)).join(", ")} changed; running it again`);
    return run(ctx, news);
  },

  async delete(api, id, state) {
    const jobId = (state as Partial<BatchJobRaw>).jobId ?? id;
    const job = await api.getJob(jobId);
    if (job && (job.status === "pending" || job.status === "running")) await api.cancelJob(jobId);
    // A resource made again later with the same queries runs them again.
    const s = state as Inputs & Partial<BatchJobRaw>;
    writeRun(api, { name: s.name, runHash: s.runHash ?? runHash(s), runId: s.runId ?? "", jobId, state: "forgotten" });
  },
});
