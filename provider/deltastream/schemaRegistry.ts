/**
 * deltastream.SchemaRegistry — a Confluent (or Confluent Cloud) schema registry stores decode with.
 * URIs and credentials change in place (UPDATE SCHEMA_REGISTRY); readiness is awaited; read back
 * from `deltastream.sys."schema_registries"`.
 */
import { z } from "zod";
import { defineDeltaStreamResource, DeltaStreamApi, Row } from "./api";
import { PropValue, alterOwner, asOwner, handOver, dsName, ownerField, str, sysRow, sysRows, timeoutField, waitGone, waitReady, withProps, word } from "./common";
import { ident, sql } from "../sql/builder";
import { ResourceError } from "../framework/engine";
import type { OpContext } from "../framework/spec";

export const schemaRegistryInputs = z.object({
  name: dsName("Schema registry name. Changing it replaces it."),
  type: z.enum(["CONFLUENT", "CONFLUENT_CLOUD"]).describe("CONFLUENT or CONFLUENT_CLOUD. Changing it replaces it."),
  uris: z.string().min(1).describe("'uris': the registry's URL(s). Changes in place."),
  credentials: z
    .object({
      username: z.string().min(1).optional().describe("'confluent.username' (CONFLUENT) or 'confluent_cloud.key' (CONFLUENT_CLOUD)."),
      password: z.string().min(1).optional().describe("'confluent.password' (CONFLUENT) or 'confluent_cloud.secret' (CONFLUENT_CLOUD)."),
    })
    .strict()
    .optional()
    .describe("Credentials: always a Pulumi secret, never read back. Change in place."),
  owner: ownerField(),
  timeoutSeconds: timeoutField(),
});

type Inputs = z.output<typeof schemaRegistryInputs>;

function props(s: Inputs): Record<string, PropValue | undefined> {
  const cloud = s.type === "CONFLUENT_CLOUD";
  return { uris: s.uris, [cloud ? "confluent_cloud.key" : "confluent.username"]: s.credentials?.username, [cloud ? "confluent_cloud.secret" : "confluent.password"]: s.credentials?.password };
}
const secrets = (s: Inputs) => [s.credentials?.username, s.credentials?.password].filter((v): v is string => !!v);
const read = (api: DeltaStreamApi, name: string) => sysRow(api, "schema_registries", { name });

async function ready(ctx: OpContext<DeltaStreamApi>, name: string): Promise<Row> {
  const row = await waitReady(ctx, `schema registry ${name}`, () => read(ctx.api, name), "status", ["pending", "creating", "updating"]);
  if (!row) throw new ResourceError(`deltastream.SchemaRegistry ${name} disappeared`);
  if (String(row.status).toLowerCase() === "errored") throw new ResourceError(`deltastream.SchemaRegistry ${name} is errored: ${str(row.status_message) ?? "(no message)"}. It stays in state; fix it and run pulumi up.`);
  return row;
}

const observe = (raw: Row): Partial<Inputs> => ({ name: str(raw.name), type: str(raw.type)?.toUpperCase() as Inputs["type"], owner: str(raw.owner), ...(raw.uris ? { uris: str(raw.uris) } : {}) });

export const schemaRegistry = defineDeltaStreamResource({
  kind: "SchemaRegistry",
  description: "A DeltaStream schema registry (Confluent or Confluent Cloud). URIs and credentials change in place; type and name replace it; readiness is awaited.",
  inputs: schemaRegistryInputs,
  replaceOn: ["name", "type"],
  uniqueBy: "name",
  secretInputs: ["credentials"],
  outputs: { status: "Its status when last read.", createdAt: "When DeltaStream created it." },

  async create(ctx, inputs) {
    await ctx.api.statement(sql`CREATE SCHEMA_REGISTRY ${ident(inputs.name)} WITH ${withProps({ type: word(inputs.type), ...props(inputs) })!}`, { context: asOwner(inputs.owner), secrets: secrets(inputs) });
    ctx.created(inputs.name);
    await handOver(ctx.api, "SCHEMA_REGISTRY", ident(inputs.name), inputs.owner);
    return { id: inputs.name, raw: await ready(ctx, inputs.name) };
  },
  async find(api, inputs) {
    const raw = await read(api, inputs.name);
    return raw ? { id: inputs.name, raw } : undefined;
  },
  read: (api, id) => read(api, id),
  observe: (raw: Row) => observe(raw),
  computed: (raw: Row) => ({ status: str(raw.status), createdAt: str(raw.created_at) }),

  async update(ctx, id, olds, news, changed) {
    if (changed.includes("uris") || changed.includes("credentials")) {
      const p = props(news);
      const before = props(olds);
      for (const k of Object.keys(before)) if (p[k] === undefined && before[k] !== undefined) p[k] = null;
      await ctx.api.statement(sql`UPDATE SCHEMA_REGISTRY ${ident(id)} WITH ${withProps(p)!}`, { secrets: [...secrets(olds), ...secrets(news)] });
    }
    if (changed.includes("owner") && news.owner) await ctx.api.statement(alterOwner("SCHEMA_REGISTRY", ident(id), news.owner));
    return await ready(ctx, id);
  },

  exporter: {
    async list(api) {
      return (await sysRows(api, "schema_registries", {})).map((raw) => ({ id: String(raw.name), raw, name: String(raw.name) }));
    },
    // Credentials are never read back. A Confluent Cloud registry always has a key and secret: they are
    // declared (the program reads them from secret config); a Confluent one may have none, so none are.
    inputs: (raw: Row) => {
      const o = observe(raw);
      return o.type === "CONFLUENT_CLOUD" ? { ...o, credentials: { username: "(set in stack config)", password: "(set in stack config)" } } : o;
    },
  },

  async delete(api, id) {
    await api.statement(sql`DROP SCHEMA_REGISTRY ${ident(id)}`);
    await waitGone(`schema registry ${id}`, async () => (await read(api, id)) !== undefined);
  },
});
