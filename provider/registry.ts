/**
 * Every vendor the provider serves, loaded from the one list in provider/vendors.ts: each name's
 * `provider/<name>/index.ts` exports `vendor` (a VendorDefinition). Everything vendor-wide —
 * SPECS, SETTINGS, API factories, the docs — is derived here; nothing else names vendors.
 */
import { VENDORS } from "./vendors";
import type { VendorDefinition } from "./framework/vendor";
import type { ResourceSpec } from "./framework/spec";
import { ConfigSource, resolveVendorSettings } from "./settings";

const registered = new Map<string, VendorDefinition>();

function load(name: string): VendorDefinition {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(`./${name}`) as { vendor?: VendorDefinition };
  if (!mod.vendor || mod.vendor.name !== name) throw new Error(`provider/${name}/index.ts must export \`vendor\` (defineVendor({ name: "${name}", … }))`);
  return mod.vendor;
}

for (const name of VENDORS) registered.set(name, load(name));

/** Registers a vendor at run time (tests use it for a fake vendor); the listed ones load by themselves. */
export function registerVendor(def: VendorDefinition): void {
  registered.set(def.name, def);
}

export function vendors(): VendorDefinition[] {
  return [...registered.values()];
}

export function vendorNamed(name: string): VendorDefinition {
  const v = registered.get(name);
  if (!v) throw new Error(`pulumi-warehouse has no vendor "${name}" (known: ${[...registered.keys()].join(", ")})`);
  return v;
}

/** Every resource kind of every vendor. */
export function allSpecs(): ResourceSpec<any, any, any>[] {
  return vendors().flatMap((v) => [...v.specs]);
}

/** Settings of every vendor, by vendor name. */
export function allSettings(): Record<string, VendorDefinition["settings"]> {
  return Object.fromEntries(vendors().map((v) => [v.name, v.settings]));
}

/** The vendor's resolved settings (config, else environment). */
export function resolveSettings(vendor: string, config: ConfigSource | undefined, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return resolveVendorSettings(vendorNamed(vendor), config, env) as Record<string, string>;
}

/** Builds the vendor's API client from config (else environment). */
export function createApi(vendor: string, config: ConfigSource | undefined): unknown {
  const v = vendorNamed(vendor);
  return v.createApi(resolveVendorSettings(v, config));
}

/** Kept for existing callers: the specs and settings of the listed vendors. */
export const SPECS: readonly ResourceSpec<any, any, any>[] = allSpecs();
export const SETTINGS = allSettings();
