/**
 * A running emulator for the conformance suite, by vendor name: its URL, the provider settings
 * that reach it, settings with a refused credential, its request log and fault injection.
 */
import { FaultConfig } from "../../emulator/framework/server";
import { startByteHouse } from "../helpers/emulators";
import { startAltertable } from "../helpers/altertable";

export interface Harness {
  url: string;
  settings: Record<string, string>;
  badCredentials: Record<string, string>;
  requests(): { method: string; path: string; status: number }[];
  faults(f: FaultConfig): void;
  stop(): Promise<void>;
}

// TEMPORARY until the emulator registry's harness lands: one branch per vendor.
export async function startHarness(vendor: string): Promise<Harness> {
  if (vendor === "bytehouse") {
    const e = await startByteHouse();
    return { url: e.url, settings: { endpoint: e.url, apiKey: e.apiKey }, badCredentials: { endpoint: e.url, apiKey: "not-a-key" }, requests: e.requests, faults: e.faults, stop: e.stop };
  }
  if (vendor === "altertable") {
    const e = await startAltertable();
    return {
      url: e.url,
      settings: { endpoint: e.url, username: e.username, password: e.password },
      badCredentials: { endpoint: e.url, username: e.username, password: "wrong-password" },
      requests: e.requests,
      faults: e.faults,
      stop: e.stop,
    };
  }
  throw new Error(`no harness for ${vendor}`);
}
