/** Starts vendor emulators in-process on a free loopback port, with state in a temp dir. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createByteHouseEmulator, DEFAULT_BYTEHOUSE_API_KEY } from "../../emulator/bytehouse";
import { EmulatorServer, FaultConfig } from "../../emulator/framework/server";
import { request } from "undici";
import { parseJsonLossless } from "../../provider/http/json";

export interface RunningEmulator<S> {
  url: string;
  server: EmulatorServer<S>;
  stateDir: string;
  apiKey: string;
  /** Vendor requests seen (admin calls excluded). */
  requests(): { method: string; path: string; status: number }[];
  faults(f: FaultConfig): void;
  stop(): Promise<void>;
}

export async function startByteHouse(stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "bh-emu-"))) {
  const server = createByteHouseEmulator({ stateFile: path.join(stateDir, "bytehouse.json"), logFile: path.join(stateDir, "bytehouse.requests.jsonl") });
  const url = await server.listen(0);
  const running: RunningEmulator<typeof server.state> = {
    url,
    server,
    stateDir,
    apiKey: DEFAULT_BYTEHOUSE_API_KEY,
    requests: () => server.log.map((r) => ({ method: r.method, path: r.path, status: r.status })),
    faults: (f) => server.setFaults(f),
    stop: () => server.close(),
  };
  return running;
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
