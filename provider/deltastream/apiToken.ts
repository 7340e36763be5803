/**
 * deltastream.ApiToken — an API token for a role (`CREATE API_TOKEN … WITH ('role' = …)`). The
 * token is in the create's answer only: it becomes the secret output `token` and is never read
 * again. Any change replaces the token. Read back from `deltastream.sys."api_tokens"`.
 */
import { z } from "zod";
import { defineDeltaStreamResource, DeltaStreamApi, Row } from "./api";
import { dsName, str, sysRow, waitGone, withProps } from "./common";
import { ident, sql } from "../sql/builder";
import { ResourceError } from "../framework/engine";

export const apiTokenInputs = z.object({
  name: dsName("Token name. Changing it replaces the token (a new secret)."),
  role: dsName("The role.").optional().describe("The role the token acts as (default: the provider's role). Changing it replaces the token."),
  expiresInDays: z.number().int().min(1).max(3650).optional().describe("Days until the token expires (default: the vendor's). Changing it replaces the token."),
});

const read = (api: DeltaStreamApi, name: string) => sysRow(api, "api_tokens", { name });

interface TokenRaw {
  row: Row;
  token?: string;
}

export const apiToken = defineDeltaStreamResource({
  kind: "ApiToken",
  description: "A DeltaStream API token for a role. The token is a secret output, known only from its creation; any change replaces it.",
  inputs: apiTokenInputs,
  replaceOn: ["name", "role", "expiresInDays"],
  uniqueBy: "name",
  secretOutputs: ["token"],
  outputs: { token: "The API token (a secret), shown once at creation and kept in state.", expiresAt: "When the token expires.", createdAt: "When DeltaStream created it." },

  async create(ctx, inputs) {
    const p = withProps({ role: inputs.role, expires_in_days: inputs.expiresInDays });
    const r = await ctx.api.statement(p ? sql`CREATE API_TOKEN ${ident(inputs.name)} WITH ${p}` : sql`CREATE API_TOKEN ${ident(inputs.name)}`);
    ctx.created(inputs.name);
    const first = r.rows[0] ?? {};
    const token = str(first.token ?? first.api_token ?? first.Token);
    if (!token) throw new ResourceError(`deltastream.ApiToken ${inputs.name}: DeltaStream answered without the token; it was created, delete and recreate it to get one`);
    const row = await read(ctx.api, inputs.name);
    if (!row) throw new ResourceError(`deltastream.ApiToken ${inputs.name} cannot be read back`);
    return { id: inputs.name, raw: { row, token } };
  },
  read: async (api, id) => {
    const row = await read(api, id);
    return row ? { row } : undefined;
  },
  observe: (raw: TokenRaw) => ({ name: str(raw.row.name), ...(raw.row.role_name ? { role: str(raw.row.role_name) } : {}) }),
  computed: (raw: TokenRaw) => ({ token: raw.token, expiresAt: str(raw.row.expires_at), createdAt: str(raw.row.created_at) }),

  async delete(api, id) {
    await api.statement(sql`DROP API_TOKEN ${ident(id)}`);
    await waitGone(`API token ${id}`, async () => (await read(api, id)) !== undefined);
  },
});
