/**
 * Provider settings (endpoints, credentials): read at run time, in the provider process,
 * from stack config (namespace `warehouse:`) or else environment variables. They are never
 * captured in the serialised provider and never written to state.
 *
 *   pulumi config set warehouse:bytehouseEndpoint https://tenant-….bytehouse.volces.com
 *   pulumi config set --secret warehouse:bytehouseApiKey <key>
 *   # or: export BYTEHOUSE_ENDPOINT=… BYTEHOUSE_API_KEY=…
 */
export interface SettingSpec {
  /** Stack config key, in the `warehouse` namespace. */
  config: string;
  /** Environment variable used when the config key is unset. */
  env: string;
  required: boolean;
  secret: boolean;
  doc: string;
}

export const SETTINGS = {
  bytehouse: {
    endpoint: { config: "warehouse:bytehouseEndpoint", env: "BYTEHOUSE_ENDPOINT", required: true, secret: false, doc: "Base URL of the ByteHouse OpenAPI host (or of the emulator)." },
    apiKey: { config: "warehouse:bytehouseApiKey", env: "BYTEHOUSE_API_KEY", required: true, secret: true, doc: "ByteHouse API key (Bearer token). Set it as a secret." },
    activeRole: { config: "warehouse:bytehouseActiveRole", env: "BYTEHOUSE_ACTIVE_ROLE", required: false, secret: false, doc: "Optional X-User-ActiveRole header (e.g. AccountAdmin)." },
  },
  altertable: {
    endpoint: { config: "warehouse:altertableEndpoint", env: "ALTERTABLE_ENDPOINT", required: true, secret: false, doc: "Base URL of the Altertable lakehouse API (https://api.altertable.ai, or the emulator)." },
    username: { config: "warehouse:altertableUsername", env: "ALTERTABLE_LAKEHOUSE_USERNAME", required: true, secret: false, doc: "Lakehouse username (HTTP Basic auth)." },
    password: { config: "warehouse:altertablePassword", env: "ALTERTABLE_LAKEHOUSE_PASSWORD", required: true, secret: true, doc: "Lakehouse password. Set it as a secret." },
  },
} satisfies Record<string, Record<string, SettingSpec>>;

export type ConfigSource = { get(key: string): string | undefined };

export function resolveSettings<V extends keyof typeof SETTINGS>(
  vendor: V,
  config: ConfigSource | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { [K in keyof (typeof SETTINGS)[V]]: string } {
  const out: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, spec] of Object.entries(SETTINGS[vendor]) as [string, SettingSpec][]) {
    const value = config?.get(spec.config) ?? env[spec.env];
    if (value !== undefined && value !== "") out[name] = value;
    else if (spec.required) missing.push(`${spec.config}${spec.secret ? " (secret)" : ""} or $${spec.env}`);
  }
  if (missing.length > 0) {
    throw new Error(`${String(vendor)} is not configured: set ${missing.join(", and ")}`);
  }
  return out as { [K in keyof (typeof SETTINGS)[V]]: string };
}
