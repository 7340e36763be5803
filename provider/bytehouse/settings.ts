/** ByteHouse's provider settings: declared once, used by the registration and by the client's messages. */
import type { SettingsSpec } from "../framework/vendor";

export const BYTEHOUSE_SETTINGS = {
  endpoint: { config: "warehouse:bytehouseEndpoint", env: "BYTEHOUSE_ENDPOINT", required: true, secret: false, doc: "Base URL of the ByteHouse OpenAPI host (or of the emulator)." },
  apiKey: { config: "warehouse:bytehouseApiKey", env: "BYTEHOUSE_API_KEY", required: true, secret: true, doc: "ByteHouse API key (Bearer token). Set it as a secret." },
  activeRole: { config: "warehouse:bytehouseActiveRole", env: "BYTEHOUSE_ACTIVE_ROLE", required: false, secret: false, doc: "Optional X-User-ActiveRole header (e.g. AccountAdmin)." },
} as const satisfies SettingsSpec;
