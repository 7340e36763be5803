/**
 * CARTO SQL API emulator (shared/vendor-docs/carto-sql-api-openapi.txt, corrected from the server's
 * source — notes §3) on a real PostgreSQL with PostGIS (pglite in process). Work in progress: the
 * registration and options are final; the routes arrive in the next commits.
 */
import { defineEmulator, randomToken, stateFiles } from "../framework/definition";
import { EmulatorOptions, EmulatorServer, HttpError } from "../framework/server";

export interface CartoState {
  /** Changes on every admin reset. */
  generation: string;
}

export const DEFAULT_CARTO_USER = "username";
export const DEFAULT_CARTO_MASTER_KEY = "carto-emulator-master-key";

export interface CartoEmulatorOptions extends Partial<Pick<EmulatorOptions<CartoState>, "stateFile" | "logFile" | "faults">> {
  /** The account's username (default "username", as in the vendor's examples). */
  user?: string;
  /** The master API key (default DEFAULT_CARTO_MASTER_KEY). */
  masterKey?: string;
}

export type CartoEmulator = EmulatorServer<CartoState>;

export function createCartoEmulator(opts: CartoEmulatorOptions = {}): CartoEmulator {
  return new EmulatorServer<CartoState>({
    vendor: "carto",
    routes: [],
    initialState: () => ({ generation: "0" }),
    stateFile: opts.stateFile,
    logFile: opts.logFile,
    faults: opts.faults,
    errorBody: (_status, message) => ({ error: [message] }),
    authenticate: () => {
      throw new HttpError(401, { error: ["Unauthorized"] });
    },
  });
}

type CartoVendorOptions = Omit<CartoEmulatorOptions, "stateFile" | "logFile" | "faults">;

/** The CARTO emulator's registration (emulator/index.ts loads it from provider/vendors.ts). */
export const emulator = defineEmulator<CartoState, CartoVendorOptions>({
  vendor: "carto",
  cliOptions: {
    user: { type: "string", value: "USER", help: `the account's username (default ${DEFAULT_CARTO_USER})` },
    "master-key": { type: "string", value: "KEY", help: `the master API key (default ${DEFAULT_CARTO_MASTER_KEY})` },
  },
  fromCli: (v) => {
    const o: CartoVendorOptions = {};
    if (typeof v.user === "string" && v.user) o.user = v.user;
    if (typeof v["master-key"] === "string" && v["master-key"]) o.masterKey = v["master-key"];
    return o;
  },
  randomCredentials: () => ({ masterKey: randomToken("carto") }),
  create: async (common, o) => {
    const server = createCartoEmulator({ ...stateFiles("carto", common.stateDir), faults: common.faults, ...o });
    await server.open();
    return server;
  },
  settings: (url, o) => ({ endpoint: url, user: o.user ?? DEFAULT_CARTO_USER, apiKey: o.masterKey ?? DEFAULT_CARTO_MASTER_KEY }),
});
