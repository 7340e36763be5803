/**
 * deltastream.Entity — a topic (Kafka) or stream (Kinesis) of a store: `CREATE ENTITY … IN STORE …
 * WITH ('kafka.partitions' = N, 'kafka.replicas' = N, 'kafka.topic.<config>' = '…')`. Topic
 * configs change in place (UPDATE ENTITY); partitions, replicas and shards cannot be altered, so
 * they replace it — which loses its messages and needs allowDataLoss. Read back from
 * `deltastream.sys."entities"`.
 */
import { z } from "zod";
import { defineDeltaStreamResource, DeltaStreamApi, Row } from "./api";
import { dsName, str, sysRow, sysRows, waitGone, withProps } from "./common";
import { ident, sql } from "../sql/builder";
import { idCodec } from "../framework/ids";

export const entityInputs = z.object({
  store: dsName("The store the entity lives in. Changing it replaces the entity (needs allowDataLoss)."),
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,249}$/, "must be 1-249 letters, digits, '.', '_' or '-' (a Kafka topic name)").describe("Topic name. Changing it replaces the entity (needs allowDataLoss)."),
  partitions: z.number().int().min(1).optional().describe("'kafka.partitions'. More partitions change in place; fewer replace the entity (needs allowDataLoss)."),
  replicas: z.number().int().min(1).optional().describe("'kafka.replicas'. Changing it replaces the entity (needs allowDataLoss)."),
  shards: z.number().int().min(1).optional().describe("'kinesis.shards' (Kinesis stores). Changing it replaces the entity (needs allowDataLoss)."),
  configs: z.record(z.string(), z.string()).default({}).describe("Kafka topic configs ('kafka.topic.<key>' = value, e.g. retention.ms). Change in place (UPDATE ENTITY)."),
  allowDataLoss: z.boolean().default(false).describe("Opt in to replacing (and so emptying) the topic. Off: a replacing change is refused at preview."),
});

type Inputs = z.output<typeof entityInputs>;
export const ENTITY_ID = idCodec("store", "name");

const read = (api: DeltaStreamApi, store: string, name: string) => sysRow(api, "entities", { store_name: store, name });

function configsOf(raw: unknown): Record<string, string> {
  if (raw === null || raw === undefined || raw === "") return {};
  try {
    const p = JSON.parse(String(raw)) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(p).map(([k, v]) => [k.replace(/^kafka\.topic\./, ""), String(v)]));
  } catch {
    return {};
  }
}

export const entity = defineDeltaStreamResource({
  kind: "Entity",
  description: "A topic (Kafka) or stream (Kinesis) in a store. Topic configs and more partitions change in place; fewer partitions, replicas, shards, store and name replace it (its messages are lost: needs allowDataLoss).",
  inputs: entityInputs,
  id: ENTITY_ID,
  replaceOn: ["store", "name", "partitions", "replicas", "shards"],
  replaceWhen: { partitions: (a: number | undefined, b: number | undefined) => a === undefined || b === undefined || b < a },
  replaceWhenDoc: { partitions: "more partitions change in place (UPDATE ENTITY); fewer replace it" },
  replaceOptIn: { field: "allowDataLoss", what: (e) => `the topic ${e.name} of store ${e.store}` },
  uniqueBy: "name",
  outputs: { createdAt: "When DeltaStream created it." },

  async create(ctx, inputs) {
    const props = withProps({
      "kafka.partitions": inputs.partitions,
      "kafka.replicas": inputs.replicas,
      "kinesis.shards": inputs.shards,
      ...Object.fromEntries(Object.entries(inputs.configs).map(([k, v]) => [`kafka.topic.${k}`, v])),
    });
    await ctx.api.statement(props ? sql`CREATE ENTITY ${ident(inputs.name)} IN STORE ${ident(inputs.store)} WITH ${props}` : sql`CREATE ENTITY ${ident(inputs.name)} IN STORE ${ident(inputs.store)}`);
    const id = ENTITY_ID.encode(inputs);
    ctx.created(id);
    return { id };
  },
  read: (api, id) => {
    const { store, name } = ENTITY_ID.decode(id);
    return read(api, store, name);
  },
  observe: (raw: Row) => ({
    store: str(raw.store_name),
    name: str(raw.name),
    ...(raw.partitions !== null && raw.partitions !== undefined ? { partitions: Number(raw.partitions) } : {}),
    ...(raw.replicas !== null && raw.replicas !== undefined ? { replicas: Number(raw.replicas) } : {}),
    ...(raw.shards !== null && raw.shards !== undefined ? { shards: Number(raw.shards) } : {}),
    configs: configsOf(raw.configs),
  }),
  computed: (raw: Row) => ({ createdAt: str(raw.created_at) }),

  async update(ctx, id, olds, news, changed) {
    const p: Record<string, string | number | null> = {};
    if (changed.includes("partitions") && news.partitions !== undefined) p["kafka.partitions"] = news.partitions;
    for (const [k, v] of Object.entries(news.configs)) if (olds.configs[k] !== v) p[`kafka.topic.${k}`] = v;
    for (const k of Object.keys(olds.configs)) if (!(k in news.configs)) p[`kafka.topic.${k}`] = null;
    if (Object.keys(p).length) await ctx.api.statement(sql`UPDATE ENTITY ${ident(news.name)} IN STORE ${ident(news.store)} WITH ${withProps(p)!}`);
  },

  exporter: {
    async list(api) {
      return (await sysRows(api, "entities", {})).map((raw) => ({ id: ENTITY_ID.encode({ store: raw.store_name, name: raw.name }), raw, name: String(raw.name) }));
    },
    references: [{ field: "store", kind: "Store", match: { name: "store" }, output: "name" }],
  },

  async delete(api, id) {
    const { store, name } = ENTITY_ID.decode(id);
    await api.statement(sql`DROP ENTITY ${ident(name)} IN STORE ${ident(store)}`);
    await waitGone(`entity ${id}`, async () => (await read(api, store, name)) !== undefined);
  },
});

