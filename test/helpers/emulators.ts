/** Starts vendor emulators in-process on a free loopback port, with state in a temp dir. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createByteHouseEmulator, DEFAULT_BYTEHOUSE_API_KEY } from "../../emulator/bytehouse";
import { EmulatorServer, FaultConfig } from "../../emulator/framework/server";

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
