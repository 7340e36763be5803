/** CARTO's provider settings: declared once, used by the registration and by the client's messages. */
import type { SettingsSpec } from "../framework/vendor";

export const CARTO_SETTINGS = {
  user: { config: "warehouse:cartoUser", env: "CARTO_USER", required: true, secret: false, doc: "The CARTO account's username (the user of HTTP Basic auth, and the subdomain of https://<user>.carto.com)." },
  endpoint: {
    config: "warehouse:cartoEndpoint",
    env: "CARTO_ENDPOINT",
    required: false,
    secret: false,
    doc: "Base URL of the account: https://<user>.carto.com (the default when unset), https://<domain>/user/<user> on premise, or the emulator's URL.",
  },
  apiKey: { config: "warehouse:cartoApiKey", env: "CARTO_API_KEY", required: true, secret: true, doc: "API key (the master key to manage tables, jobs and API keys). Set it as a secret." },
} as const satisfies SettingsSpec;
