/**
 * altertable.AppendedRecords — event-style JSON records sent through /append (which infers
 * the schema, creates the table and adds new columns). Create waits until the append task is
 * completed. Every record carries a batch id column (default `_pulumi_batch`), which makes the
 * records findable: after an ambiguous failure (timeout, reset, 5xx) the provider counts the
 * batch's rows before sending again, so records are never sent twice; refresh notices rows of
 * the batch deleted by hand; a change of the records replaces the batch's rows (delete, then
 * append) in place. Destroy keeps the rows unless deleteOnDestroy is set.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { AltertableApi, TableRef, defineAltertableResource, qualified } from "./api";
import { ident, literal, sql } from "../sql/builder";
import { IDENT, IDENT_RULE } from "../framework/identifiers";
import { isAmbiguous } from "../http/errors";
import { OpContext } from "../framework/spec";

export const appendedRecordsInputs = z.object({
  catalog: z.string().regex(IDENT, IDENT_RULE).describe("Catalog. Changing it replaces the records (appended anew to the new table)."),
  schema: z.string().regex(IDENT, IDENT_RULE).default("main").describe("Schema. Changing it replaces the records."),
  table: z.string().regex(IDENT, IDENT_RULE).describe("Table (created by /append if missing). Changing it replaces the records."),
  records: z
    .array(z.record(z.string(), z.unknown()))
    .min(1, "must hold at least one record")
    .max(10_000, "must hold at most 10000 records (load bigger data with LoadedData)")
    .describe("The JSON records to append. A change deletes this batch's rows and appends the new records."),
  batchColumn: z
    .string()
    .regex(IDENT, IDENT_RULE)
    .nullable()
    .default("_pulumi_batch")
    .describe("Column holding the batch id in every record, so retries never duplicate and refresh can count the rows; null turns it off (then an ambiguous failure is an error, never a resend)."),
  deleteOnDestroy: z.boolean().default(false).describe("Delete this batch's rows on destroy. Off (the default): the rows stay, as appended events do."),
  waitTimeoutSeconds: z.number().int().positive().default(120).describe("How long to wait for the append task to complete."),
});

type Inputs = z.output<typeof appendedRecordsInputs>;

interface BatchRaw {
  batchId: string;
  taskId?: string;
  rows: number;
  expected: number;
  records: Record<string, unknown>[];
}

const refOf = (i: Inputs): TableRef => ({ catalog: i.catalog, schema: i.schema, table: i.table });

async function batchRows(api: AltertableApi, i: Inputs, batchId: string): Promise<number | undefined> {
  if (!i.batchColumn) return undefined;
  if (!(await api.tableExists(refOf(i)))) return 0;
  const rows = await api.rows(sql`SELECT count(*) AS n FROM ${qualified(refOf(i))} WHERE ${ident(i.batchColumn)} = ${literal(batchId)}`);
  return Number(rows[0]?.n ?? 0);
}

async function waitForTask(ctx: OpContext<AltertableApi>, taskId: string, timeoutSeconds: number): Promise<void> {
  await ctx.poll({
    what: `append task ${taskId}`,
    check: () => ctx.api.task(taskId),
    until: (t) => t.status === "completed",
    describe: (t) => t.status,
    intervalMs: 100,
    timeoutMs: timeoutSeconds * 1000,
  });
}

/** Appends the batch once: after an ambiguous failure it counts the batch's rows before resending. */
async function appendBatch(ctx: OpContext<AltertableApi>, i: Inputs, batchId: string): Promise<string | undefined> {
  const records = i.batchColumn ? i.records.map((r) => ({ ...r, [i.batchColumn!]: batchId })) : i.records;
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await ctx.api.append(refOf(i), records);
      if (res.task_id) await waitForTask(ctx, res.task_id, i.waitTimeoutSeconds);
      return res.task_id;
    } catch (e) {
      if (!isAmbiguous(e) || attempt >= 3) throw e;
      if (!i.batchColumn) throw new Error(`${(e as Error).message}. Without a batchColumn the provider cannot tell whether the records were appended, so it does not send them again.`);
      // The append may still be processing: give it a moment, then look for the batch.
      await new Promise((r) => setTimeout(r, 500));
      const landed = await batchRows(ctx.api, i, batchId);
      if (landed === i.records.length) {
        ctx.progress(`append of batch ${batchId} was interrupted but had been applied; not sending it again`);
        return undefined;
      }
      ctx.progress(`append of batch ${batchId} was interrupted before it was applied; sending it again`);
    }
  }
}

export const appendedRecords = defineAltertableResource({
  kind: "AppendedRecords",
  description:
    "Event-style JSON records appended through /append. Create waits for the append task; a batch id column makes retries safe (never sent twice) and lets refresh count the rows. Destroy keeps the rows unless deleteOnDestroy is set.",
  inputs: appendedRecordsInputs,
  replaceOn: ["catalog", "schema", "table", "batchColumn"],
  outputs: {
    batchId: "The id every record of this batch carries in batchColumn.",
    taskId: "The last append task.",
    rowCount: "Rows of this batch when last read.",
  },

  async create(ctx, inputs) {
    const batchId = randomUUID();
    const taskId = await appendBatch(ctx, inputs, batchId);
    ctx.created(batchId);
    const rows = (await batchRows(ctx.api, inputs, batchId)) ?? inputs.records.length;
    return { id: batchId, raw: { batchId, taskId, rows, expected: inputs.records.length, records: inputs.records } };
  },

  async read(api, id, state) {
    const rows = await batchRows(api, state, id);
    if (rows === 0) return undefined; // every row of the batch is gone: up appends it again
    return { batchId: id, rows: rows ?? state.records.length, expected: state.records.length, records: state.records };
  },

  observe: (raw: BatchRaw) => ({
    // Rows of the batch removed by hand make the records differ from the program: up re-appends them.
    records: raw.rows === raw.expected ? raw.records : [{ outOfBandChange: `${raw.expected - raw.rows} of ${raw.expected} rows of batch ${raw.batchId} are missing` }],
  }),

  computed: (raw: BatchRaw) => ({ batchId: raw.batchId, taskId: raw.taskId, rowCount: raw.rows }),

  async update(ctx, id, olds, news) {
    if (news.batchColumn && (await ctx.api.tableExists(refOf(olds)))) {
      await ctx.api.query(sql`DELETE FROM ${qualified(refOf(olds))} WHERE ${ident(news.batchColumn)} = ${literal(id)}`);
    }
    const taskId = await appendBatch(ctx, news, id);
    const rows = (await batchRows(ctx.api, news, id)) ?? news.records.length;
    return { batchId: id, taskId, rows, expected: news.records.length, records: news.records };
  },

  async delete(api, id, state) {
    if (!state.deleteOnDestroy || !state.batchColumn) return;
    if (await api.tableExists(refOf(state))) await api.query(sql`DELETE FROM ${qualified(refOf(state))} WHERE ${ident(state.batchColumn)} = ${literal(id)}`);
  },
});
