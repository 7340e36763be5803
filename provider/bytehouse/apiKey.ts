/**
 * bytehouse.ApiKey — an API key of the calling user. The secret is an output only from
 * creation (always a Pulumi secret). `enabled` changes in place; a longer expiry is extended
 * in place; anything else replaces (creating the new key first when the 2-per-user limit
 * leaves room, deleting first otherwise).
 *
 * A create whose answer was lost (timeout, reset, 5xx) is settled here, not by the engine's
 * find-and-adopt: ByteHouse lists keys by id and comment only, and the secret is in the create
 * answer alone, so a key made by a lost create can never be given to the program. Create lists
 * the user's keys first; after an ambiguous failure it lists them again, deletes the one new key
 * with this comment (it would otherwise count toward the 2-key limit and outlive destroy) and
 * creates again. Key creates of this process are serialised so that the "new" key is this
 * call's. More than one new key, or a delete that fails, is an error that names the keys.
 */
import { z } from "zod";
import pLimit from "p-limit";
import { ByteHouseApi, defineByteHouseResource } from "./api";
import { API_KEYS_PER_USER } from "./paths";
import { WireApiKey, WireApiKeyCreate } from "./wire";
import { WarehouseApiError, isAmbiguous } from "../http/errors";
import { OpContext } from "../framework/spec";

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

/**
 * Extends the expiry by `days`. The call adds days, so it is not repeated blindly: after an
 * ambiguous failure the key is read back and the call re-sent only if the expiry did not move.
 */
async function extendExactlyOnce(api: ByteHouseApi, id: string, days: number): Promise<void> {
  const before = await api.getApiKey(id);
  try {
    await api.extendApiKeyExpiry(id, days);
  } catch (e) {
    if (!isAmbiguous(e) || !before?.expiresAt) throw e;
    const after = await api.getApiKey(id);
    if (after?.expiresAt === before.expiresAt) return api.extendApiKeyExpiry(id, days);
    if (after?.expiresAt && daysBetween(before.expiresAt, after.expiresAt) === days) return;
    throw new Error(`API key ${id}: extending the expiry by ${days} days was interrupted and the expiry is now ${after?.expiresAt ?? "unknown"} (was ${before.expiresAt}); check the key. ${(e as Error).message}`);
  }
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

/** One key create at a time in this process: the keys listed around a create are then its own. */
const createLock = pLimit(1);
const MAX_CREATE_ATTEMPTS = 3;

const sameRequest = (k: WireApiKey, body: WireApiKeyCreate) => (k.comment ?? "") === (body.comment ?? "") && (k.expiresAt === null) === (body.noExpiry === true);

/** Creates a key; settles a create whose answer was lost (see the file comment). */
export function createKeyExactlyOnce(ctx: Pick<OpContext<ByteHouseApi>, "api" | "progress">, body: WireApiKeyCreate): Promise<WireApiKey> {
  return createLock(async () => {
    for (let attempt = 1; ; attempt++) {
      const before = new Set((await ctx.api.listApiKeys()).map((k) => k.id));
      try {
        return await ctx.api.createApiKey(body).catch(limitError);
      } catch (e) {
        if (!isAmbiguous(e)) throw e;
        const fresh = (await ctx.api.listApiKeys()).filter((k) => !before.has(k.id) && sameRequest(k, body));
        if (fresh.length > 1) {
          throw new Error(
            `bytehouse.ApiKey: the create was interrupted (${(e as Error).message}) and ${fresh.length} new keys with this comment appeared ` +
              `(${fresh.map((k) => k.id).join(", ")}); it cannot tell which is its own. Delete the ones you do not use and run pulumi up again.`,
          );
        }
        if (fresh.length === 1) {
          const lost = fresh[0];
          try {
            await ctx.api.deleteApiKey(lost.id);
          } catch (d) {
            throw new Error(
              `bytehouse.ApiKey: the create was interrupted after ByteHouse made key ${lost.id}, whose secret was lost with the answer, ` +
                `and deleting that key failed (${(d as Error).message}). Delete key ${lost.id} by hand (it counts toward the ${API_KEYS_PER_USER}-key limit) and run pulumi up again.`,
            );
          }
          ctx.progress(`the create was interrupted after ByteHouse made key ${lost.id}; its secret was lost with the answer, so that key was deleted and the key is created again`);
        } else {
          ctx.progress(`the create was interrupted before ByteHouse made the key; creating it again`);
        }
        if (attempt >= MAX_CREATE_ATTEMPTS) {
          throw new Error(`bytehouse.ApiKey: the create was interrupted ${attempt} times; no key was left behind. Last error: ${(e as Error).message}`);
        }
      }
    }
  });
}

export const apiKey = defineByteHouseResource({
  kind: "ApiKey",
  description:
    "An API key of the user the provider authenticates as. The secret is returned once, at creation, as the secret output `key`. At most 2 keys per user (ByteHouse's limit).",
  inputs: apiKeyInputs,
  replaceOn: ["comment", "expiryDays", "noExpiry"],
  // A longer expiry is an in-place extension; a shorter one needs a new key.
  replaceWhen: { expiryDays: (a: number | undefined, b: number) => a === undefined || b < a },
  replaceWhenDoc: { expiryDays: "a longer expiry updates in place (the key is extended); a shorter one replaces the key" },
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
  },
  secretOutputs: ["key"],

  async create(ctx, inputs) {
    const created = await createKeyExactlyOnce(
      ctx,
      inputs.noExpiry ? { noExpiry: true, comment: inputs.comment } : { noExpiry: false, expiryInDays: inputs.expiryDays, comment: inputs.comment },
    );
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
      await extendExactlyOnce(ctx.api, id, news.expiryDays - olds.expiryDays);
    }
    if (changed.includes("enabled")) await ctx.api.setApiKeyStatus(id, news.enabled ? "ENABLED" : "DISABLED");
    return; // the engine reads the object back
  },

  delete: (api, id) => api.deleteApiKey(id),
});
