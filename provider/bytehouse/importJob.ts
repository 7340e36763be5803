/**
 * bytehouse.ImportJob — a data-loading job. Every field updates in place with the narrowest
 * call: a rename is PATCH …/name, a new description PATCH …/description, anything else one PUT.
 * With `run` set, the job is started after it is created, after a change to what it loads
 * (connection, configuration, schema, state, run settings; not a rename), or after a failed run,
 * and the provider waits for the execution, reporting progress and the rows loaded; a failed
 * execution fails the operation with the execution's log lines.
 */
import { z } from "zod";
import { ByteHouseApi, defineByteHouseResource } from "./api";
import { OpContext } from "../framework/spec";
import { WireExecution, WireImportJob, WireImportJobBody } from "./wire";
import { MASKED_FIELD } from "./paths";
import { uniqueNames } from "./connection";
import { isAmbiguous, stringLeaves } from "../http/errors";

/**
 * Credentials a job body may carry (e.g. a Kafka SASL password in the source properties, a
 * token in the start arguments): the strings under keys that look like credentials, redacted
 * from the call's errors and logs.
 */
export function jobSecrets(...values: unknown[]): string[] {
  return values.flatMap((v) => stringLeaves(v, MASKED_FIELD));
}

/** An object whose unknown keys fail at check, naming the path and the known keys (a typo inside `configuration`). */
function closed<T extends z.ZodRawShape>(shape: T) {
  const known = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (iss) => (iss.code === "unrecognized_keys" ? `has no field ${iss.keys.map((k: string) => `"${k}"`).join(", ")}; known fields: ${known}` : undefined),
  });
}

/**
 * The job configuration. The vendor doc names it (ImportJobConfiguration) without rendering its
 * fields; this is the shape the provider, the examples and the emulator use: where to read
 * (`source`) and where to write (`sink`). Unknown keys fail at preview; `source.properties` is
 * free-form (it depends on the connection type).
 */
export const importJobConfiguration = closed({
  source: closed({
    format: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*$/, "must be an upper-case format name such as CSV or JSON")
      .optional()
      .describe("Source data format: CSV or JSON for files (a LOCAL connection takes these two), or the stream's format (e.g. PROTOBUF for Kafka)."),
    properties: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("Source-type properties, e.g. {fileNames: \"a.csv,b.csv\", delimiter: \",\", header: true} for files. Free-form: they depend on the connection type."),
  })
    .optional()
    .describe("Where the job reads: format and properties."),
  sink: closed({
    database: z.string().min(1, "must name the ByteHouse database to load into").describe("The ByteHouse database to load into."),
    table: z.string().min(1, "must name the ByteHouse table to load into").describe("The table to load into."),
    mode: z.enum(["APPEND", "OVERWRITE"], "must be APPEND or OVERWRITE").optional().describe("APPEND adds the rows; OVERWRITE replaces the table's rows. ByteHouse's default when omitted."),
  }).describe("Where the job writes: database, table and mode."),
});

export const importJobInputs = z.object({
  name: z.string().min(1, "must not be empty").max(128, "must be at most 128 characters").describe("Job name (at most 128 characters)."),
  description: z.string().default("").describe("Description."),
  connectionId: z.number().int("must be a whole number").min(0, "must be >= 0 (0 for a ByteHouse source)").describe("The connection providing the source (a Connection's connectionId); 0 for a ByteHouse source."),
  configuration: importJobConfiguration.describe("Job configuration: source format and properties, sink database/table/mode. Unknown fields fail at preview."),
  sourceSchema: z.record(z.string(), z.unknown()).default({}).describe("Schema of the source data (optional for batch sources)."),
  schemaFile: z.string().optional().describe("Base64 protobuf schema (Kafka protobuf sources)."),
  state: z.enum(["PUBLISHED", "DRAFT"], "must be PUBLISHED or DRAFT").default("PUBLISHED").describe("PUBLISHED, or DRAFT for a partially configured job (cannot run)."),
  run: z
    .object({
      args: z.record(z.string(), z.string()).default({}).describe("Start arguments, e.g. {\"source.properties.fileNames\": \"a.csv,b.csv\"}."),
      timeoutSeconds: z.number().int().positive("must be > 0").default(600).describe("How long to wait for the execution."),
      trigger: z.string().optional().describe("Any value; changing it runs the job again without other changes."),
    })
    .optional()
    .describe("Run the job after create and after changes to what it loads (not a rename or new description), and wait for the execution; omit to only manage the job."),
});

type JobInputs = z.output<typeof importJobInputs>;
type JobRaw = WireImportJob & { execution?: WireExecution };

const TERMINAL = new Set(["SUCCEEDED", "FAILED", "STOPPED"]);
/** Changes that do not alter what the job loads. */
const COSMETIC = new Set<string>(["name", "description"]);

function body(i: JobInputs): WireImportJobBody {
  return {
    name: i.name,
    description: i.description,
    connectionID: i.connectionId,
    configuration: i.configuration,
    sourceSchema: i.sourceSchema,
    ...(i.schemaFile !== undefined ? { schemaFile: i.schemaFile } : {}),
    state: i.state,
  };
}

/**
 * Starts the job once. A start is not idempotent (a repeat would run the job twice, and an
 * APPEND job would load the rows twice), so after an ambiguous failure (the answer was lost)
 * it looks for the execution the start may have made, by comparing the job's executions with
 * those listed before, and follows it; it starts again only when there is none.
 */
async function startOnce(ctx: OpContext<ByteHouseApi>, id: string, inputs: JobInputs): Promise<string> {
  const run = inputs.run!;
  const secrets = jobSecrets(run.args, inputs.configuration);
  const before = new Set((await ctx.api.listJobExecutions(id)).map((x) => x.id));
  try {
    return await ctx.api.startImportJob(id, run.args, { secrets });
  } catch (e) {
    if (!isAmbiguous(e)) throw e;
    const fresh = (await ctx.api.listJobExecutions(id)).filter((x) => !before.has(x.id));
    if (fresh.length === 1) {
      ctx.progress(`job ${inputs.name}: the start was interrupted but had been applied; following execution ${fresh[0].id}`);
      return fresh[0].id;
    }
    if (fresh.length > 1) {
      throw new Error(`import job ${inputs.name}: the start was interrupted and ${fresh.length} new executions appeared (${fresh.map((x) => x.id).join(", ")}); not starting another. ${(e as Error).message}`);
    }
    ctx.progress(`job ${inputs.name}: the start was interrupted before it was applied; starting again`);
    return ctx.api.startImportJob(id, run.args, { secrets });
  }
}

async function runJob(ctx: OpContext<ByteHouseApi>, id: string, inputs: JobInputs): Promise<WireExecution> {
  const run = inputs.run!;
  const executionId = await startOnce(ctx, id, inputs);
  ctx.progress(`job ${inputs.name}: started execution ${executionId}`);
  const ex = await ctx.poll({
    what: `job ${inputs.name}: execution ${executionId}`,
    check: () => ctx.api.getExecution(executionId),
    until: (x) => x.status === "SUCCEEDED" || TERMINAL.has(x.status),
    describe: (x) => `${x.status}${x.rowsLoaded ? `, ${x.rowsLoaded} rows` : ""}`,
    timeoutMs: run.timeoutSeconds * 1000,
  });
  if (ex.status === "SUCCEEDED") {
    ctx.progress(`job ${inputs.name}: loaded ${ex.rowsLoaded} rows`);
    return ex;
  }
  const logs = await ctx.api.getExecutionLogs(executionId).catch(() => []);
  const lines = logs.map((l) => `  ${l.time} ${l.level} ${l.message}`).join("\n");
  throw new Error(`import job ${inputs.name}: execution ${executionId} ${ex.status}${ex.error ? `: ${ex.error}` : ""}\nexecution log:\n${lines || "  (empty)"}`);
}

async function findJob(api: ByteHouseApi, inputs: JobInputs): Promise<{ id: string; raw: JobRaw } | undefined> {
  const hit = (await api.listImportJobs()).find((j) => j.name === inputs.name && j.connectionID === inputs.connectionId);
  return hit && { id: String(hit.id), raw: hit };
}

async function readJob(api: ByteHouseApi, id: string): Promise<JobRaw | undefined> {
  return api.getImportJob(id);
}

export const importJob = defineByteHouseResource({
  kind: "ImportJob",
  description:
    "A data-loading (import) job. Everything updates in place with the narrowest call. With `run`, the job runs after create and after changes to what it loads (not a rename) and the provider waits, reporting rows loaded; a failed run fails with the execution's log.",
  inputs: importJobInputs,
  replaceOn: [],
  outputs: {
    jobId: "ByteHouse's (integer) id.",
    lastExecution: "The last execution the provider ran: {id, status, rowsLoaded}.",
  },

  async create(ctx, inputs) {
    let id: string;
    try {
      id = String(await ctx.api.createImportJob(body(inputs), { secrets: jobSecrets(inputs.configuration, inputs.sourceSchema) }));
    } catch (e) {
      // The answer was lost: if the job was made, carry on with it (and run it), rather than let the
      // engine adopt it without the run; if not, the engine looks again and sends the create again.
      if (!isAmbiguous(e)) throw e;
      const hit = await findJob(ctx.api, inputs);
      if (!hit) throw e;
      ctx.progress(`job ${inputs.name}: the create was interrupted but had been applied; continuing with job ${hit.id}`);
      id = hit.id;
    }
    ctx.created(id);
    const execution = inputs.run ? await runJob(ctx, id, inputs) : undefined;
    const raw = await readJob(ctx.api, id);
    if (!raw) throw new Error(`import job ${id} was created but cannot be read back`);
    return { id, raw: { ...raw, execution } };
  },

  find: findJob,

  read: (api, id) => readJob(api, id),

  observe: (raw: JobRaw) => ({
    name: raw.name,
    description: raw.description ?? "",
    connectionId: raw.connectionID,
    configuration: raw.configuration as JobInputs["configuration"],
    sourceSchema: raw.sourceSchema ?? {},
    ...(raw.schemaFile ? { schemaFile: raw.schemaFile } : {}),
    state: raw.state,
  }),

  computed: (raw: JobRaw) => ({
    jobId: raw.id,
    lastExecution: raw.execution ? { id: raw.execution.id, status: raw.execution.status, rowsLoaded: raw.execution.rowsLoaded } : undefined,
  }),

  async update(ctx, id, olds, news, changed) {
    const narrow = new Set(["name", "description", "run"]);
    if (changed.some((k) => !narrow.has(k))) {
      await ctx.api.updateImportJob(id, body(news), { secrets: jobSecrets(news.configuration, news.sourceSchema) });
    } else {
      if (changed.includes("name")) await ctx.api.renameImportJob(id, news.name);
      if (changed.includes("description")) await ctx.api.describeImportJob(id, news.description);
    }
    // Run again when what the job loads changed (or the last run did not succeed); a new name
    // or description is not a reason to load the data again (an APPEND job would duplicate it).
    const previousRun = (olds as JobInputs & { lastExecution?: { status?: string } }).lastExecution;
    const rerun = news.run && (changed.some((k) => !COSMETIC.has(k)) || previousRun?.status !== "SUCCEEDED");
    const execution = rerun ? await runJob(ctx, id, news) : undefined;
    const raw = await readJob(ctx.api, id);
    if (!raw) throw new Error(`import job ${id} disappeared during the update`);
    return { ...raw, execution };
  },

  exporter: {
    // The job as defined, without `run`: a past execution is a one-shot load, not part of the job.
    async list(api) {
      return uniqueNames(await api.listImportJobs()).map(({ id, raw }) => ({ id, raw, name: raw.name }));
    },
    references: [{ field: "connectionId", kind: "Connection", match: { connectionId: "connectionId" }, output: "connectionId", when: (i) => i.connectionId !== 0 }],
  },

  delete: (api, id) => api.deleteImportJob(id),
});
