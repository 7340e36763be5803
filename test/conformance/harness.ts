/**
 * A running emulator for the conformance suite, by vendor name, from the emulator registry
 * (emulator/<vendor>/index.ts `emulator.harness()`): its URL, the provider settings that reach it,
 * the same settings with every secret one replaced (a refused credential), its request log and
 * fault injection.
 */
import type { FaultConfig } from "../../emulator/framework/faults";
import { emulatorFor } from "../../emulator";
import { vendorNamed } from "../../provider/registry";

export interface Harness {
  url: string;
  settings: Record<string, string>;
  /** The vendor's API client, reaching this emulator with `settings`. */
  api: unknown;
  badCredentials: Record<string, string>;
  requests(): { method: string; path: string; status: number }[];
  faults(f: FaultConfig): void;
  stop(): Promise<void>;
}

export async function startHarness(vendor: string): Promise<Harness> {
  const h = await emulatorFor(vendor).harness();
  const def = vendorNamed(vendor);
  const secret = def.settings;
  const badCredentials = Object.fromEntries(Object.entries(h.settings).map(([k, v]) => [k, secret[k]?.secret ? `not-${v}` : v]));
  return { url: h.url, settings: h.settings, api: def.createApi(h.settings as any), badCredentials, requests: () => h.requests(), faults: (f) => h.faults(f), stop: () => h.stop() };
}

/** The error `p` fails with; a test failure when it succeeds. */
export async function failsWith(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a failure, got success");
}
