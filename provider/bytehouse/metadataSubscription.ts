/**
 * bytehouse.MetadataSubscription — the account's metadata subscription ("Make metadata
 * subscription" / "unsubscription"). The vendor authenticates these two calls with extra
 * headers: X-Account-ID, X-User-ID and the X-Bytehouse-Token (a JWT, a secret here).
 * The API has no call that reads a subscription back, so refresh cannot see one removed by
 * hand; the next `up` after such a change needs `pulumi up --replace` (documented).
 */
import { z } from "zod";
import { defineByteHouseResource } from "./api";

export const metadataSubscriptionInputs = z.object({
  accountId: z.string().regex(/^\d+$/, "must be the numeric ByteHouse account id").describe("X-Account-ID: the account. Changing it replaces the subscription."),
  userId: z.string().regex(/^\d+$/, "must be the numeric ByteHouse user id").describe("X-User-ID: the subscribing user. Changing it replaces the subscription."),
  token: z.string().min(8, "must be a ByteHouse token (X-Bytehouse-Token)").describe("X-Bytehouse-Token (a JWT). Always stored as a secret; a new token is used for the next call, without resubscribing."),
});

type SubscriptionRaw = { accountId: string; userId: string; subscribedAt?: string };

export const metadataSubscription = defineByteHouseResource({
  kind: "MetadataSubscription",
  description:
    "The account's metadata subscription (POST/DELETE /v1/metadata/subscription with X-Account-ID, X-User-ID and X-Bytehouse-Token). The API cannot read a subscription back, so there is no drift detection.",
  inputs: metadataSubscriptionInputs,
  replaceOn: ["accountId", "userId"],
  secretInputs: ["token"],
  outputs: { subscribedAt: "When the provider made the subscription." },

  async create(ctx, inputs) {
    await ctx.api.subscribeMetadata(inputs);
    const raw: SubscriptionRaw = { accountId: inputs.accountId, userId: inputs.userId, subscribedAt: new Date().toISOString() };
    return { id: `${inputs.accountId}:${inputs.userId}`, raw };
  },

  // No read call exists: the subscription is taken to be as last made.
  read: async (_api, _id, state): Promise<SubscriptionRaw> => ({ accountId: state.accountId, userId: state.userId }),

  observe: (raw: SubscriptionRaw) => ({ accountId: raw.accountId, userId: raw.userId }),

  computed: (raw: SubscriptionRaw) => ({ subscribedAt: raw.subscribedAt }),

  async update(_ctx, _id, _olds, news): Promise<SubscriptionRaw> {
    return { accountId: news.accountId, userId: news.userId }; // only the token changed: the next call (delete) uses it
  },

  delete: (api, _id, state) => api.unsubscribeMetadata(state),
});
