/**
 * What a vendor registers: its settings, how to build its API client from them, and its resource
 * kinds. `provider/<vendor>/index.ts` exports one `vendor` made with `defineVendor`; the registry
 * (provider/registry.ts) loads every vendor named in provider/vendors.ts.
 */
import type { ResourceSpec } from "./spec";
import { httpSettingsFor } from "../http/settings";

/** One provider setting: stack config key `warehouse:<config>` or else an environment variable. */
export interface SettingSpec {
  /** Stack config key, in the `warehouse` namespace. */
  config: string;
  /** Environment variable used when the config key is unset. */
  env: string;
  required: boolean;
  secret: boolean;
  doc: string;
}

export type SettingsSpec = Record<string, SettingSpec>;

/** Resolved setting values by setting name (required ones always present). */
export type SettingValues<S extends SettingsSpec> = { [K in keyof S]: S[K]["required"] extends true ? string : string | undefined };

export interface VendorDefinition<Api = any, S extends SettingsSpec = SettingsSpec> {
  /** Folder name and type-token namespace: `pulumi-nodejs:dynamic/<name>:<Kind>`. */
  name: string;
  /** Display name for messages ("ByteHouse"). */
  title: string;
  settings: S;
  /** Builds the vendor's API client from resolved settings (never from anything captured in state). */
  createApi(settings: SettingValues<S>): Api;
  /**
   * One cheap authenticated read that proves the endpoint and credentials work (run once per
   * provider process, at the first check: a wrong key fails `pulumi preview`, naming the setting).
   */
  verify?(api: Api): Promise<void>;
  /** Every resource kind of the vendor. */
  specs: readonly ResourceSpec<any, Api, any>[];
}

/**
 * Declares a vendor. Every vendor also gets the HTTP client's settings (connect and read timeouts,
 * attempts: provider/http/settings.ts) as `warehouse:<name>ConnectTimeoutSeconds` /
 * `$<NAME>_CONNECT_TIMEOUT_SECONDS` and so on; its `createApi` turns them into client options
 * with `httpOptionsFrom(settings, name)`.
 */
export function defineVendor<Api, const S extends SettingsSpec>(def: VendorDefinition<Api, S>): VendorDefinition<Api, S> {
  return { ...def, settings: { ...def.settings, ...httpSettingsFor(def.name, def.name.toUpperCase()) } };
}

/** Gives each spec its conformance samples (keyed by kind), for vendors that keep them in one file. */
export function withSamples<T extends ResourceSpec<any, any, any>>(specs: readonly T[], samples: Record<string, ResourceSpec<any, any, any>["samples"]>): T[] {
  return specs.map((s) => (samples[s.kind] && !s.samples ? ({ ...s, samples: samples[s.kind] } as T) : s));
}
