/**
 * DeltaStream emulator: the v2 statements API (provider/deltastream/contract.ts).
 * Work in progress: auth, /v2/version; statements answer 0A000 until the engine lands.
 */
import { EmulatorServer, HttpError, Route } from "../framework/server";
import { defineEmulator, randomToken, stateFiles } from "../framework/definition";
import { DELTASTREAM_ROUTES as R } from "../../provider/deltastream/contract";

export const DEFAULT_DELTASTREAM_TOKEN = "emulator-deltastream-token";
export const DEFAULT_DELTASTREAM_ORGANIZATION = "emulator-org";

export interface DeltaStreamState {
  statements: Record<string, unknown>;
}

export interface DeltaStreamEmulatorOptions {
  stateFile?: string;
  logFile?: string;
  faults?: import("../framework/faults").FaultConfig;
  apiTokens?: string[];
  organization?: string;
}

export function createDeltaStreamEmulator(opts: DeltaStreamEmulatorOptions = {}): EmulatorServer<DeltaStreamState> {
  const tokens = new Set(opts.apiTokens ?? [DEFAULT_DELTASTREAM_TOKEN]);
  const routes: Route<DeltaStreamState>[] = [
    { method: "GET", pattern: R.version, handler: () => ({ status: 200, body: { major: 2, minor: 0, patch: 0 } }) },
    { method: "POST", pattern: R.statements, handler: () => ({ status: 200, body: { sqlState: "0A000", message: "not supported yet", statementID: "00000000-0000-0000-0000-000000000000", createdOn: Math.floor(Date.now() / 1000), metadata: { encoding: "json", partitionInfo: [], columns: [] } } }) },
  ];
  return new EmulatorServer<DeltaStreamState>({
    vendor: "deltastream",
    routes,
    initialState: () => ({ statements: {} }),
    stateFile: opts.stateFile,
    logFile: opts.logFile,
    faults: opts.faults,
    errorBody: (_s, message) => ({ message }),
    authenticate: (req) => {
      const h = req.headers.authorization;
      if (!h) throw new HttpError(401, { message: "missing authorization header" });
      const m = /^Bearer\s+(.+)$/i.exec(String(h));
      if (!m || !tokens.has(m[1].trim())) throw new HttpError(403, { message: "invalid token" });
    },
  });
}

type VendorOptions = Pick<DeltaStreamEmulatorOptions, "apiTokens" | "organization">;

export const emulator = defineEmulator<DeltaStreamState, VendorOptions>({
  vendor: "deltastream",
  cliOptions: {
    "api-token": { type: "string", multiple: true, value: "TOKEN", help: `an accepted API token (Bearer); repeatable (default ${DEFAULT_DELTASTREAM_TOKEN})` },
    organization: { type: "string", value: "NAME", help: `the organization's name (default ${DEFAULT_DELTASTREAM_ORGANIZATION})` },
  },
  fromCli: (v) => {
    const o: VendorOptions = {};
    const t = (v["api-token"] as string[] | undefined)?.filter((x) => x !== "");
    if (t?.length) o.apiTokens = t;
    if (typeof v.organization === "string" && v.organization) o.organization = v.organization;
    return o;
  },
  randomCredentials: () => ({ apiTokens: [randomToken("deltastream")] }),
  create: async (common, o) => {
    const server = createDeltaStreamEmulator({ ...stateFiles("deltastream", common.stateDir), faults: common.faults, ...o });
    await server.open();
    return server;
  },
  settings: (url, o) => ({ endpoint: url, apiToken: o.apiTokens?.[0] ?? DEFAULT_DELTASTREAM_TOKEN, organization: o.organization ?? DEFAULT_DELTASTREAM_ORGANIZATION }),
});
