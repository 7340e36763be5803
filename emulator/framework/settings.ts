/**
 * Maps an emulator's provider settings (by setting name, as its harness or the CLI report them)
 * to what configures the provider, for any vendor: Pulumi stack config entries
 * (`vendor.settings[name].config`, secret when the setting is) and environment variables
 * (`vendor.settings[name].env`). Tests and scripts use these and never name a vendor's keys.
 */
import { vendorNamed } from "../../provider/registry";

export interface ConfigEntry {
  /** Stack config key, e.g. `warehouse:bytehouseEndpoint`. */
  key: string;
  value: string;
  secret: boolean;
}

export function settingsToConfig(vendor: string, settings: Record<string, string>): ConfigEntry[] {
  const spec = vendorNamed(vendor).settings;
  return Object.entries(settings).map(([name, value]) => {
    const s = spec[name];
    if (!s) throw new Error(`vendor ${vendor} has no setting "${name}" (known: ${Object.keys(spec).join(", ")})`);
    return { key: s.config, value, secret: s.secret };
  });
}

/** Config entries as the `{key: {value, secret}}` map Pulumi's automation API takes. */
export function settingsToConfigMap(vendor: string, settings: Record<string, string>): Record<string, { value: string; secret: boolean }> {
  return Object.fromEntries(settingsToConfig(vendor, settings).map((e) => [e.key, { value: e.value, secret: e.secret }]));
}

export function settingsToEnv(vendor: string, settings: Record<string, string>): Record<string, string> {
  const spec = vendorNamed(vendor).settings;
  return Object.fromEntries(Object.entries(settings).map(([name, value]) => [spec[name]?.env ?? name, value]));
}
