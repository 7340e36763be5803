/** Starts the Altertable emulator in-process on a free loopback port, with state in a temp dir (reuse the dir to "restart"). */
import { DuckDBInstance } from "@duckdb/node-api";
import { AltertableEmulator, AltertableEmulatorOptions, AltertableState } from "../../emulator/altertable";
import { EmulatorHarness } from "../../emulator/framework/definition";
import { startEmulator } from "./emulators";

export interface RunningAltertable extends EmulatorHarness<AltertableState> {
  server: AltertableEmulator;
  username: string;
  password: string;
  /** base64(user:pass), what the vendor doc calls ALTERTABLE_BASIC_AUTH_TOKEN. */
  basicAuthToken: string;
  /** `Basic <token>`. */
  authorization: string;
}

export async function startAltertable(options: Omit<AltertableEmulatorOptions, "stateFile" | "logFile"> & { stateDir?: string; inMemory?: boolean } = {}): Promise<RunningAltertable> {
  const { stateDir, inMemory, faults, ...rest } = options;
  const h = await startEmulator<AltertableState>("altertable", { stateDir, inMemory, faults, options: rest });
  const { username, password } = h.settings;
  const basicAuthToken = Buffer.from(`${username}:${password}`).toString("base64");
  return { ...h, username, password, basicAuthToken, authorization: `Basic ${basicAuthToken}` };
}

/** Writes a Parquet file from a SELECT, with DuckDB (fixtures are made at test time). */
export async function makeParquet(file: string, select: string): Promise<void> {
  const inst = await DuckDBInstance.create(":memory:");
  const conn = await inst.connect();
  await conn.run(`COPY (${select}) TO '${file.replace(/'/g, "''")}' (FORMAT parquet)`);
  conn.disconnectSync();
  inst.closeSync();
}
