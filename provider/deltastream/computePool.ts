/**
 * deltastream.ComputePool — DeltaStream's virtual warehouse: where queries run. Size and idle
 * timeout change in place (UPDATE COMPUTE_POOL), `running` starts or stops it (START / STOP
 * COMPUTE_POOL); read back from `deltastream.sys."compute_pools"`.
 */
import { z } from "zod";
import { defineDeltaStreamResource, DeltaStreamApi, Row } from "./api";
import { alterOwner, asOwner, handOver, dsName, ownerField, str, sysRow, sysRows, timeoutField, waitGone, waitReady, withProps } from "./common";
import { ident, sql } from "../sql/builder";
import { ResourceError } from "../framework/engine";
import type { OpContext } from "../framework/spec";

export const COMPUTE_POOL_SIZES = ["small", "medium", "large"] as const;

export const computePoolInputs = z.object({
  name: dsName("Compute pool name. Changing it replaces the pool."),
  size: z.enum(COMPUTE_POOL_SIZES).default("small").describe("'compute_pool.size': small, medium or large. Changes in place."),
  timeoutMinutes: z.number().int().min(0).max(1440).default(5).describe("'compute_pool.timeout_min': idle minutes before the pool stops itself (0 = never). Changes in place."),
  running: z.boolean().default(true).describe("Whether the pool is started (START COMPUTE_POOL) or stopped (STOP COMPUTE_POOL). Changes in place."),
  owner: ownerField(),
  timeoutSeconds: timeoutField(),
});

type Inputs = z.output<typeof computePoolInputs>;

const read = (api: DeltaStreamApi, name: string) => sysRow(api, "compute_pools", { name });
const isRunning = (row: Row) => ["running", "started", "starting", "ready"].includes(String(row.intended_state ?? row.status).toLowerCase());
const PENDING = ["pending", "starting", "stopping", "provisioning", "updating"];

async function settle(ctx: OpContext<DeltaStreamApi>, name: string): Promise<Row> {
  const row = await waitReady(ctx, `compute pool ${name}`, () => read(ctx.api, name), "status", PENDING);
  if (!row) throw new ResourceError(`deltastream.ComputePool ${name} disappeared`);
  if (String(row.status).toLowerCase() === "errored") throw new ResourceError(`deltastream.ComputePool ${name} is errored: ${str(row.status_message) ?? "(no message)"}`);
  return row;
}

export const computePool = defineDeltaStreamResource({
  kind: "ComputePool",
  description: "A DeltaStream compute pool (where queries run). Size, idle timeout and running/stopped change in place; the name replaces it; the owner changes in place.",
  inputs: computePoolInputs,
  replaceOn: ["name"],
  uniqueBy: "name",
  outputs: { status: "The pool's status when last read.", createdAt: "When DeltaStream created it." },

  async create(ctx, inputs) {
    const props = withProps({ "compute_pool.size": inputs.size, "compute_pool.timeout_min": inputs.timeoutMinutes })!;
    await ctx.api.statement(sql`CREATE COMPUTE_POOL ${ident(inputs.name)} WITH ${props}`, { context: asOwner(inputs.owner), progress: ctx.progress });
    ctx.created(inputs.name);
    await handOver(ctx.api, "COMPUTE_POOL", ident(inputs.name), inputs.owner);
    let row = await settle(ctx, inputs.name);
    if (isRunning(row) !== inputs.running) {
      await ctx.api.statement(inputs.running ? sql`START COMPUTE_POOL ${ident(inputs.name)}` : sql`STOP COMPUTE_POOL ${ident(inputs.name)}`);
      row = await settle(ctx, inputs.name);
    }
    return { id: inputs.name, raw: row };
  },

  async find(api, inputs) {
    const raw = await read(api, inputs.name);
    return raw ? { id: inputs.name, raw } : undefined;
  },
  read: (api, id) => read(api, id),
  observe: (raw: Row) => ({
    name: str(raw.name),
    size: str(raw.size)?.toLowerCase() as Inputs["size"],
    timeoutMinutes: raw.timeout_min === null || raw.timeout_min === undefined ? undefined : Number(raw.timeout_min),
    running: isRunning(raw),
    owner: str(raw.owner),
  }),
  computed: (raw: Row) => ({ status: str(raw.status), createdAt: str(raw.created_at) }),

  async update(ctx, id, olds, news, changed) {
    const props: Record<string, string | number | undefined> = {};
    if (changed.includes("size")) props["compute_pool.size"] = news.size;
    if (changed.includes("timeoutMinutes")) props["compute_pool.timeout_min"] = news.timeoutMinutes;
    if (Object.keys(props).length) await ctx.api.statement(sql`UPDATE COMPUTE_POOL ${ident(id)} WITH ${withProps(props)!}`);
    if (changed.includes("running")) {
      await ctx.api.statement(news.running ? sql`START COMPUTE_POOL ${ident(id)}` : sql`STOP COMPUTE_POOL ${ident(id)}`);
    }
    if (changed.includes("owner") && news.owner) await ctx.api.statement(alterOwner("COMPUTE_POOL", ident(id), news.owner));
    return await settle(ctx, id);
  },

  exporter: {
    async list(api) {
      return (await sysRows(api, "compute_pools", {})).map((raw) => ({ id: String(raw.name), raw, name: String(raw.name) }));
    },
  },

  async delete(api, id) {
    await api.statement(sql`DROP COMPUTE_POOL ${ident(id)}`);
    await waitGone(`compute pool ${id}`, async () => (await read(api, id)) !== undefined);
  },
});
