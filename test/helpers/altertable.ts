/** Starts the Altertable emulator in-process on a free loopback port, with state in a temp dir (reuse the dir to "restart"). */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { AltertableEmulator, AltertableEmulatorOptions, createAltertableEmulator, DEFAULT_ALTERTABLE_PASSWORD, DEFAULT_ALTERTABLE_USERNAME } from "../../emulator/altertable";
import { FaultConfig } from "../../emulator/framework/server";

export interface RunningAltertable {
  url: string;
  server: AltertableEmulator;
  stateDir: string;
  username: string;
  password: string;
  /** base64(user:pass), what the vendor doc calls ALTERTABLE_BASIC_AUTH_TOKEN. */
  basicAuthToken: string;
  /** `Basic <token>`. */
  authorization: string;
  /** Vendor requests seen (admin calls excluded). */
  requests(): { method: string; path: string; status: number }[];
  faults(f: FaultConfig): void;
  stop(): Promise<void>;
}

export async function startAltertable(options: AltertableEmulatorOptions & { stateDir?: string; inMemory?: boolean } = {}): Promise<RunningAltertable> {
  const { stateDir: dir, inMemory, ...rest } = options;
  const stateDir = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "at-emu-"));
  const server = createAltertableEmulator({
    ...(inMemory ? {} : { stateFile: path.join(stateDir, "altertable.json"), logFile: path.join(stateDir, "altertable.requests.jsonl") }),
    ...rest,
  });
  const url = await server.listen(0);
  const first = rest.credentials?.[0];
  const [username, password] =
    first === undefined ? [DEFAULT_ALTERTABLE_USERNAME, DEFAULT_ALTERTABLE_PASSWORD] : typeof first === "string" ? [first.slice(0, first.indexOf(":")), first.slice(first.indexOf(":") + 1)] : [first.username, first.password];
  const basicAuthToken = Buffer.from(`${username}:${password}`).toString("base64");
  return {
    url,
    server,
    stateDir,
    username,
    password,
    basicAuthToken,
    authorization: `Basic ${basicAuthToken}`,
    requests: () => server.log.map((r) => ({ method: r.method, path: r.path, status: r.status })),
    faults: (f) => server.setFaults(f),
    stop: () => server.close(),
  };
}

/** Writes a Parquet file from a SELECT, with DuckDB (fixtures are made at test time). */
export async function makeParquet(file: string, select: string): Promise<void> {
  const inst = await DuckDBInstance.create(":memory:");
  const conn = await inst.connect();
  await conn.run(`COPY (${select}) TO '${file.replace(/'/g, "''")}' (FORMAT parquet)`);
  conn.disconnectSync();
  inst.closeSync();
}
