/** DeltaStream's provider settings: declared once, used by the registration and by the client's messages. */
import type { SettingsSpec } from "../framework/vendor";

export const DELTASTREAM_SETTINGS = {
  endpoint: { config: "warehouse:deltastreamEndpoint", env: "DELTASTREAM_ENDPOINT", required: true, secret: false, doc: "Base URL of the DeltaStream API, without `/v2` (https://api.deltastream.io, or the emulator's URL)." },
  apiToken: { config: "warehouse:deltastreamApiToken", env: "DELTASTREAM_API_KEY", required: true, secret: true, doc: "DeltaStream API token (Bearer JWT). Set it as a secret." },
  organization: { config: "warehouse:deltastreamOrganization", env: "DELTASTREAM_ORGANIZATION", required: true, secret: false, doc: "Organization name or ID every statement runs in." },
  role: { config: "warehouse:deltastreamRole", env: "DELTASTREAM_ROLE", required: false, secret: false, doc: "Role statements run as (default sysadmin)." },
} as const satisfies SettingsSpec;
