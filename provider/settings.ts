/**
 * Provider settings (endpoints, credentials): read at run time, in the provider process,
 * from stack config (namespace `warehouse:`) or else environment variables. They are never
 * captured in the serialised provider. Each vendor declares its own in `provider/<vendor>/index.ts`.
 *
 *   pulumi config set warehouse:bytehouseEndpoint https://tenant-….bytehouse.volces.com
 *   pulumi config set --secret warehouse:bytehouseApiKey <key>
 *   # or: export BYTEHOUSE_ENDPOINT=… BYTEHOUSE_API_KEY=…
 */
import type { SettingSpec, SettingValues, SettingsSpec, VendorDefinition } from "./framework/vendor";

export type { SettingSpec } from "./framework/vendor";

export type ConfigSource = { get(key: string): string | undefined };

/** The vendor's settings from config, else the environment; names every missing one. */
export function resolveVendorSettings<S extends SettingsSpec>(
  vendor: Pick<VendorDefinition<unknown, S>, "name" | "settings">,
  config: ConfigSource | undefined,
  env: NodeJS.ProcessEnv = process.env,
): SettingValues<S> {
  const out: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, spec] of Object.entries(vendor.settings) as [string, SettingSpec][]) {
    const value = config?.get(spec.config) ?? env[spec.env];
    if (value !== undefined && value !== "") out[name] = value;
    else if (spec.required) missing.push(`${spec.config}${spec.secret ? " (secret)" : ""} or $${spec.env}`);
  }
  if (missing.length > 0) {
    throw new Error(`${vendor.name} is not configured: set ${missing.join(", and ")}`);
  }
  return out as SettingValues<S>;
}
