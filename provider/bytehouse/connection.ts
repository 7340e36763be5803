/**
 * bytehouse.Connection — credentials for a data-loading source. `type` replaces; name and
 * data update in place (one PUT). `data` is always a Pulumi secret. ByteHouse returns it
 * masked, so drift is judged on the fields it does return; a changed secret in the program
 * still triggers an update, because diff compares the program against the last values sent.
 */
import { z } from "zod";
import { defineByteHouseResource } from "./api";
import { CONNECTION_TYPES } from "./paths";
import { WireConnection } from "./wire";
import { stringLeaves } from "../http/errors";

/**
 * Every string in `data` is redacted from the call's errors and logs: the whole of `data` is a
 * secret (a vendor 400 may echo the request body, credentials included).
 */
export const connectionSecrets = (data: Record<string, unknown>): string[] => stringLeaves(data);

/**
 * Logical names for exported connections and import jobs (both have integer ids and names unique in
 * the account): the name, or `name-id` for a name listed twice, so two objects never share a name.
 */
export function uniqueNames<T extends { id: number | string; name: string }>(items: T[]): { id: string; raw: T }[] {
  const count = new Map<string, number>();
  for (const x of items) count.set(x.name, (count.get(x.name) ?? 0) + 1);
  return items.map((raw) => ({ id: count.get(raw.name)! > 1 ? `${raw.name}-${raw.id}` : raw.name, raw }));
}

export const connectionInputs = z
  .object({
  name: z.string().min(1, "must not be empty").max(128, "must be at most 128 characters").describe("Connection name (at most 128 characters)."),
  type: z.enum(CONNECTION_TYPES, `must be one of ${CONNECTION_TYPES.join(", ")}`).describe(`Source type: ${CONNECTION_TYPES.join(", ")}. Changing it replaces the connection.`),
  data: z
    .record(z.string(), z.unknown())
    .describe(
      "Type-specific settings and credentials, stored as a secret. LOCAL needs {path} (a directory of the files to load; other fields, such as a token, are kept as given); the vendor doc does not render the other types' fields, so they pass as given (e.g. {bucket, region, accessKeyId, secretAccessKey} for S3).",
    ),
})
  // Per type, where the shape is known. Messages name the field, never a value (data is secret).
  .superRefine((v, ctx) => {
    if (v.type !== "LOCAL" || typeof v.data !== "object" || v.data === null) return;
    if (typeof v.data.path !== "string" || v.data.path === "") ctx.addIssue({ code: "custom", path: ["data", "path"], message: "a LOCAL connection needs data.path: the directory holding the files to load" });
  });

export const connection = defineByteHouseResource({
  kind: "Connection",
  description: "A data-loading connection. `type` replaces; `name` and `data` update in place. `data` is a secret; ByteHouse returns it masked.",
  inputs: connectionInputs,
  replaceOn: ["type"],
  secretInputs: ["data"],
  outputs: {
    connectionId: "ByteHouse's (integer) id.",
    createdAt: "Creation time.",
  },

  async create(ctx, inputs) {
    const id = String(await ctx.api.createConnection({ name: inputs.name, type: inputs.type, data: inputs.data }, { secrets: connectionSecrets(inputs.data) }));
    ctx.created(id);
    return { id }; // the engine reads the object back
  },

  async find(api, inputs) {
    const hit = (await api.listConnections()).find((c) => c.name === inputs.name && c.type === inputs.type);
    return hit && { id: String(hit.id), raw: hit };
  },

  read: (api, id) => api.getConnection(id),

  observe: (raw: WireConnection) => ({ name: raw.name, type: raw.type as (typeof CONNECTION_TYPES)[number], data: raw.data }),

  computed: (raw: WireConnection) => ({ connectionId: raw.id, createdAt: raw.createdAt }),

  async update(ctx, id, _olds, news) {
    await ctx.api.updateConnection(id, { name: news.name, data: news.data }, { secrets: connectionSecrets(news.data) });
    return; // the engine reads the object back
  },

  exporter: {
    // Named by its name (unique in the account); `data` comes back masked and, being a secret
    // input, is written as a config placeholder.
    async list(api) {
      return uniqueNames(await api.listConnections()).map(({ id, raw }) => ({ id, raw, name: raw.name }));
    },
  },

  delete: (api, id) => api.deleteConnection(id),
});
