/**
 * Every vendor the provider serves, loaded from the one list in provider/vendors.ts: each name's
 * `provider/<name>/index.ts` exports `vendor` (a VendorDefinition). Everything vendor-wide —
 * SPECS, SETTINGS, API factories, the docs — is derived here; nothing else names vendors.
 *
 * A vendor's modules (its zod schemas, client, contract) load when it is first named: the
 * provider host serving one vendor's resources loads only that vendor (`vendorNamed`), and the
 * whole list loads only for what needs every vendor (`vendors()`, `allSpecs()`, the docs).
 */
import { VENDORS } from "./vendors";
import type { VendorDefinition } from "./framework/vendor";
import type { ResourceSpec } from "./framework/spec";
import { ConfigSource, resolveVendorSettings } from "./settings";

const registered = new Map<string, VendorDefinition>();
const listed: readonly string[] = VENDORS;

function load(name: string): VendorDefinition {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(`./${name}`) as { vendor?: VendorDefinition };
  if (!mod.vendor || mod.vendor.name !== name) throw new Error(`provider/${name}/index.ts must export \`vendor\` (defineVendor({ name: "${name}", … }))`);
  return mod.vendor;
}

/** Registers a vendor at run time (tests use it for a fake vendor); the listed ones load by themselves. */
export function registerVendor(def: VendorDefinition): void {
  registered.set(def.name, def);
}

/** Every vendor: the listed ones in list order (each loaded now if it was not yet), then those registered at run time. */
export function vendors(): VendorDefinition[] {
  return [...listed.map(vendorNamed), ...[...registered.values()].filter((v) => !listed.includes(v.name))];
}

/** One vendor, loading its modules the first time it is named. */
export function vendorNamed(name: string): VendorDefinition {
  let v = registered.get(name);
  if (!v && listed.includes(name)) {
    v = load(name);
    registered.set(name, v);
  }
  if (!v) throw new Error(`pulumi-warehouse has no vendor "${name}" (known: ${[...new Set([...listed, ...registered.keys()])].join(", ")})`);
  return v;
}

/** The kind with this type token (`pulumi-nodejs:dynamic/<vendor>:<Kind>`), loading only its vendor. */
export function specOfToken(token: string): ResourceSpec<any, any, any> | undefined {
  const m = /^pulumi-nodejs:dynamic\/([^:]+):(.+)$/.exec(token);
  if (!m || !(listed.includes(m[1]) || registered.has(m[1]))) return undefined;
  return vendorNamed(m[1]).specs.find((s) => s.kind === m[2]);
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

/** Kept for existing callers: the specs and settings of the listed vendors (read when first used, which loads them all). */
export declare const SPECS: readonly ResourceSpec<any, any, any>[];
export declare const SETTINGS: Record<string, VendorDefinition["settings"]>;
let specsOnce: readonly ResourceSpec<any, any, any>[] | undefined;
let settingsOnce: Record<string, VendorDefinition["settings"]> | undefined;
Object.defineProperty(exports, "SPECS", { enumerable: true, get: () => (specsOnce ??= listed.flatMap((n) => [...vendorNamed(n).specs])) });
Object.defineProperty(exports, "SETTINGS", { enumerable: true, get: () => (settingsOnce ??= Object.fromEntries(listed.map((n) => [n, vendorNamed(n).settings]))) });
