/**
 * deltastream.Secret — a named secret value other objects refer to (`CREATE SECRET … WITH
 * ('type' = GENERIC_STRING, 'secret_string' = …)`). The value is a secret input, never read back;
 * it and the description change in place (UPDATE SECRET). Read back from `deltastream.sys."secrets"`.
 */
import { z } from "zod";
import { defineDeltaStreamResource, DeltaStreamApi, Row } from "./api";
import { alterOwner, asOwner, handOver, dsName, ownerField, str, sysRow, sysRows, timeoutField, waitGone, waitReady, withProps, word } from "./common";
import { ident, sql } from "../sql/builder";
import { ResourceError } from "../framework/engine";
import type { OpContext } from "../framework/spec";

export const secretInputs = z.object({
  name: dsName("Secret name. Changing it replaces the secret."),
  type: z.enum(["GENERIC_STRING"]).default("GENERIC_STRING").describe("'type' (GENERIC_STRING). Changing it replaces the secret."),
  value: z.string().min(1).describe("'secret_string': the secret value. Always a Pulumi secret; never read back; changes in place."),
  description: z.string().default("").describe("'description'. Changes in place."),
  owner: ownerField(),
  timeoutSeconds: timeoutField(),
});

const read = (api: DeltaStreamApi, name: string) => sysRow(api, "secrets", { name });

async function ready(ctx: OpContext<DeltaStreamApi>, name: string): Promise<Row> {
  const row = await waitReady(ctx, `secret ${name}`, () => read(ctx.api, name), "status", ["pending", "creating", "updating"]);
  if (!row) throw new ResourceError(`deltastream.Secret ${name} disappeared`);
  if (String(row.status).toLowerCase() === "errored") throw new ResourceError(`deltastream.Secret ${name} is errored: ${str(row.status_message) ?? "(no message)"}`);
  return row;
}

const observe = (raw: Row) => ({ name: str(raw.name), type: "GENERIC_STRING" as const, description: str(raw.description) ?? "", owner: str(raw.owner) });

export const secret = defineDeltaStreamResource({
  kind: "Secret",
  description: "A DeltaStream secret (GENERIC_STRING). The value is a secret, never read back; value and description change in place (UPDATE SECRET); readiness is awaited.",
  inputs: secretInputs,
  replaceOn: ["name", "type"],
  uniqueBy: "name",
  secretInputs: ["value"],
  outputs: { status: "Its status when last read.", createdAt: "When DeltaStream created it." },

  async create(ctx, inputs) {
    const p = withProps({ type: word(inputs.type), description: inputs.description || undefined, secret_string: inputs.value })!;
    await ctx.api.statement(sql`CREATE SECRET ${ident(inputs.name)} WITH ${p}`, { context: asOwner(inputs.owner), secrets: [inputs.value] });
    ctx.created(inputs.name);
    await handOver(ctx.api, "SECRET", ident(inputs.name), inputs.owner);
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
    const p: Record<string, string | undefined> = {};
    if (changed.includes("value")) p.secret_string = news.value;
    if (changed.includes("description")) p.description = news.description;
    if (Object.keys(p).length) await ctx.api.statement(sql`UPDATE SECRET ${ident(id)} WITH ${withProps(p)!}`, { secrets: [olds.value, news.value] });
    if (changed.includes("owner") && news.owner) await ctx.api.statement(alterOwner("SECRET", ident(id), news.owner));
    return await ready(ctx, id);
  },

  exporter: {
    async list(api) {
      return (await sysRows(api, "secrets", {})).map((raw) => ({ id: String(raw.name), raw, name: String(raw.name) }));
    },
    // The value is never read back: declared so the program reads it from secret config.
    inputs: (raw: Row) => ({ ...observe(raw), value: "(set in stack config)" }),
  },

  async delete(api, id) {
    await api.statement(sql`DROP SECRET ${ident(id)}`);
    await waitGone(`secret ${id}`, async () => (await read(api, id)) !== undefined);
  },
});
