/**
 * bytehouse.ApiKey — an API key of the calling user. The secret is an output only from
 * creation (always a Pulumi secret). `enabled` changes in place; a longer expiry is extended
 * in place; anything else replaces (creating the new key first when the 2-per-user limit
 * leaves room, deleting first otherwise).
 */
import { z } from "zod";
import { defineByteHouseResource } from "./api";
import { API_KEYS_PER_USER } from "./paths";
import { WireApiKey } from "./wire";
import { WarehouseApiError } from "../http/errors";

const DAY = 86_400_000;

export const apiKeyInputs = z.object({
  comment: z.string().max(256, "must be at most 256 characters").default("").describe("Description of the key. Changing it replaces the key."),
  expiryDays: z
    .number()
    .int("must be a whole number of days")
    .positive("must be > 0 days")
    .default(90)
    .describe("Days from creation until the key expires (ByteHouse asks for keys to be refreshed within 90 days). Raising it extends the key in place; lowering it replaces the key. Ignored with noExpiry."),
  noExpiry: z.boolean().default(false).describe("A key that never expires. Changing it replaces the key."),
  enabled: z.boolean().default(true).describe("Enabled or disabled; changes in place."),
});

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / DAY);
}

async function limitError(e: unknown): Promise<never> {
  if (e instanceof WarehouseApiError && (e.code === "API_KEY_LIMIT_EXCEEDED" || /limited to 2/i.test(e.message))) {
    throw new WarehouseApiError(
      "conflict",
      e.operation,
      `bytehouse.ApiKey: this user already has ${API_KEYS_PER_USER} API keys, the most ByteHouse allows. ` +
        `Delete one (or remove an ApiKey resource from the program) and run pulumi up again. (${e.message})`,
      e.status,
      e.code,
    );
  }
  throw e;
}

export const apiKey = defineByteHouseResource({
  vendor: "bytehouse",
  kind: "ApiKey",
  description:
    "An API key of the user the provider authenticates as. The secret is returned once, at creation, as the secret output `key`. At most 2 keys per user (ByteHouse's limit).",
  inputs: apiKeyInputs,
  replaceOn: ["comment", "expiryDays", "noExpiry"],
  // A longer expiry is an in-place extension; a shorter one needs a new key.
  replaceWhen: { expiryDays: (a: number | undefined, b: number) => a === undefined || b < a },
  async deleteBeforeReplace(api) {
    // Create the new key first unless the per-user limit leaves no room for it.
    return (await api.listApiKeys()).length >= API_KEYS_PER_USER;
  },
  outputs: {
    keyId: "The key's id.",
    key: "The API key itself. Only known from creation; never read back.",
    status: "ENABLED or DISABLED.",
    createdAt: "Creation time.",
    expiresAt: "Expiry time, or null for a key that never expires.",
    observed: "The key as last read from ByteHouse.",
  },
  secretOutputs: ["key"],

  async create(ctx, inputs) {
    const created = await ctx.api
      .createApiKey(inputs.noExpiry ? { noExpiry: true, comment: inputs.comment } : { noExpiry: false, expiryInDays: inputs.expiryDays, comment: inputs.comment })
      .catch(limitError);
    ctx.created(created.id);
    if (!inputs.enabled) await ctx.api.setApiKeyStatus(created.id, "DISABLED");
    return { id: created.id, raw: { ...created, status: inputs.enabled ? "ENABLED" : "DISABLED" } };
  },

  read: (api, id) => api.getApiKey(id),

  observe: (raw: WireApiKey) => ({
    comment: raw.comment,
    enabled: raw.status === "ENABLED",
    noExpiry: raw.expiresAt === null,
    ...(raw.expiresAt !== null ? { expiryDays: daysBetween(raw.createdAt, raw.expiresAt) } : {}),
  }),

  computed: (raw: WireApiKey) => ({ keyId: raw.id, key: raw.key, status: raw.status, createdAt: raw.createdAt, expiresAt: raw.expiresAt }),

  async update(ctx, id, olds, news, changed) {
    if (changed.includes("expiryDays") && !news.noExpiry && news.expiryDays > olds.expiryDays) {
      await ctx.api.extendApiKeyExpiry(id, news.expiryDays - olds.expiryDays);
    }
    if (changed.includes("enabled")) await ctx.api.setApiKeyStatus(id, news.enabled ? "ENABLED" : "DISABLED");
    const raw = await ctx.api.getApiKey(id);
    if (!raw) throw new Error(`API key ${id} disappeared during the update`);
    return raw;
  },

  delete: (api, id) => api.deleteApiKey(id),
});
