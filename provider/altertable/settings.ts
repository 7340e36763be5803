/** Altertable's provider settings: declared once, used by the registration and by the client's messages. */
import type { SettingsSpec } from "../framework/vendor";

export const ALTERTABLE_SETTINGS = {
  endpoint: { config: "warehouse:altertableEndpoint", env: "ALTERTABLE_ENDPOINT", required: true, secret: false, doc: "Base URL of the Altertable lakehouse API (https://api.altertable.ai, or the emulator)." },
  username: { config: "warehouse:altertableUsername", env: "ALTERTABLE_LAKEHOUSE_USERNAME", required: true, secret: false, doc: "Lakehouse username (HTTP Basic auth)." },
  password: { config: "warehouse:altertablePassword", env: "ALTERTABLE_LAKEHOUSE_PASSWORD", required: true, secret: true, doc: "Lakehouse password. Set it as a secret." },
} as const satisfies SettingsSpec;
