/** Starts vendor emulators in-process on a free loopback port, with state in a temp dir (the definitions' harness). */
import { request } from "undici";
import type { Readable } from "node:stream";
import { emulatorFor } from "../../emulator";
import { EmulatorHarness, HarnessOptions } from "../../emulator/framework/definition";
import { FaultConfig } from "../../emulator/framework/server";
import type { ByteHouseState } from "../../emulator/bytehouse";
import { parseJsonLossless } from "../../provider/http/json";

export { settingsToConfig, settingsToConfigMap, settingsToEnv } from "../../emulator/framework/settings";

/** Any registered vendor's emulator, through its definition's harness. */
export function startEmulator<S = any>(vendor: string, opts?: HarnessOptions<any>): Promise<EmulatorHarness<S>> {
  return emulatorFor(vendor).harness(opts) as Promise<EmulatorHarness<S>>;
}

export interface RunningEmulator<S> extends EmulatorHarness<S> {
  apiKey: string;
  faults(f: FaultConfig): void;
}

export async function startByteHouse(stateDir?: string): Promise<RunningEmulator<ByteHouseState>> {
  const h = await startEmulator<ByteHouseState>("bytehouse", { stateDir });
  return { ...h, apiKey: h.settings.apiKey };
}

/** One raw ByteHouse API call with Bearer auth: status, parsed body (lossless JSON), text, headers. */
export async function bhCall(emu: { url: string; apiKey: string }, method: string, path: string, body?: unknown, key = emu.apiKey) {
  const res = await request(emu.url + path, {
    method: method as any,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: text ? (parseJsonLossless(text) as any) : undefined, text, headers: res.headers };
}

/** An emulator's answer to a raw call: status, text, the body parsed as JSON when it is JSON (else undefined), headers. */
export interface Reply {
  status: number;
  text: string;
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

/** One raw HTTP call: `json` is sent as JSON (content-type application/json unless a header gives one), else `raw`. */
export async function rawCall(url: string, method: string, opts: { json?: unknown; raw?: string | Buffer | Readable; headers?: Record<string, string> } = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  let body = opts.raw;
  if (opts.json !== undefined) {
    headers["content-type"] ??= "application/json";
    body = JSON.stringify(opts.json);
  }
  const res = await request(url, { method: method as any, headers, body });
  const text = await res.body.text();
  let parsed: any;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.statusCode, text, body: parsed, headers: res.headers };
}

/** Sets environment variables (e.g. a vendor's settings for SDK lookups); returns what puts the previous values back. */
export function setEnv(vars: Record<string, string>): () => void {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(vars)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  return () => {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  };
}
