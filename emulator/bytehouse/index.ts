/**
 * ByteHouse emulator, speaking the API of shared/vendor-docs/bytehouse-public-api.txt with the
 * paths and shapes of its wire contract (provider/bytehouse/contract.ts: paths.ts, wire.ts, zod schemas):
 *   index.ts        databases and virtual warehouses; auth; the emulator factory
 *   tables.ts       tables and partitions (rows in DuckDB, columns read from its catalog)
 *   sql.ts          sync and async queries; sqlparse.ts translates ClickHouse SQL to DuckDB; types.ts maps types
 *   iam.ts          API keys, roles, assignments, permissions
 *   dataloading.ts  connections, import jobs (LOCAL connections really load files), executions, logs
 *   engine.ts       the embedded DuckDB (bytehouse.duckdb next to the state file; in memory without one)
 *
 * - Bearer auth with the configured keys or enabled, unexpired keys created through the IAM API;
 *   a bad or missing token gets 403 "Authentication failed" (ByteHouse uses 403, not 401).
 * - Envelopes: catalog and queries {data, meta}; IAM and data loading {message, error, data, meta};
 *   virtual warehouses flat {…, message, error}.
 * - Errors: {message, error: {code, message}} with 400 bad request, 403 auth, 404 not found,
 *   422 illegal state (e.g. already exists), 500 internal.
 */
import { randomUUID } from "node:crypto";
import * as path from "node:path";
import { EmulatorOptions, EmulatorServer, Route, paginate } from "../framework/server";
import { defineEmulator, randomToken, stateFiles } from "../framework/definition";
import type { ZodType } from "zod";
import * as C from "../../provider/bytehouse/contract";
import { BYTEHOUSE_PAGE, BYTEHOUSE_ROUTES as R, MASKED_FIELD, VW_NAME_PATTERN, VW_NAME_RULE } from "../../provider/bytehouse/contract";
import { RawJsonNumber, stringifyWithRawNumbers } from "../../provider/http/json";
import { bad, errorBody, fail, now, parseTime, requireString, sha256 } from "./common";
import { BhContext } from "./context";
import { qi } from "./engine";
import { BhDatabase, BhVirtualWarehouse, ByteHouseState, initialByteHouseState } from "./state";
import { tableRoutes } from "./tables";
import { sqlRoutes } from "./sql";
import { iamRoutes } from "./iam";
import { dataLoadingRoutes, recoverExecutions } from "./dataloading";
import { extraRoutes } from "./extras";

export { BhDatabase, BhVirtualWarehouse, BhVwConfig, BhTable, ByteHouseState, initialByteHouseState } from "./state";

function validateVw(body: any, state: ByteHouseState, creating: boolean): void {
  if (creating) {
    const name = requireString(body, "name");
    if (!VW_NAME_PATTERN.test(name)) throw bad(`invalid vw name "${name}": ${VW_NAME_RULE}`);
  }
  const { configID, status, autoSuspend, autoResume, description } = body ?? {};
  if (creating && configID === undefined) throw bad("configID is required");
  if (configID !== undefined && configID !== null) {
    if (!Number.isInteger(configID) || configID <= 0) throw bad("configID should > 0");
    if (!state.vwConfigs.some((c) => c.id === configID)) throw bad(`configID ${configID} does not exist; list available ones with the list config api`);
  }
  if (status !== undefined && status !== null && status !== "up" && status !== "down") throw bad(`status should be "up" or "down"`);
  if (autoSuspend !== undefined && autoSuspend !== null && (!Number.isInteger(autoSuspend) || autoSuspend < 0)) throw bad("autoSuspend should be an integer >= 0");
  if (autoResume !== undefined && autoResume !== null && typeof autoResume !== "boolean") throw bad("autoResume should be a boolean");
  if (description !== undefined && description !== null && typeof description !== "string") throw bad("description should be a string");
}

/** Database JSON with createdBy.id as an integer above 2^53, as the vendor sends it. */
function dbJson(db: BhDatabase, extra: Record<string, unknown> = {}) {
  return { ...db, type: "DATABASE", createdBy: { ...db.createdBy, id: new RawJsonNumber(db.createdBy.id) }, ...extra };
}

const json = (status: number, body: unknown) => ({ status, text: stringifyWithRawNumbers(body) });
const vwOk = (vw: BhVirtualWarehouse) => ({ status: 200, body: { ...vw, message: "Success", error: {} } });

/** Request-body schemas of the wire contract, by route (`METHOD pattern`). */
const BODIES: Record<string, ZodType> = {
  [`POST ${R.databases}`]: C.DatabaseCreate,
  [`POST ${R.virtualWarehouses}`]: C.VwCreate,
  [`PATCH ${R.virtualWarehouse}`]: C.VwPatch,
  [`POST ${R.tables}`]: C.TableCreate,
  [`PATCH ${R.table}`]: C.TableUpdate,
  [`DELETE ${R.partitions}`]: C.PartitionsDelete,
  [`POST ${R.sqlSync}`]: C.QueryRequest,
  [`POST ${R.sqlAsync}`]: C.QueryRequest,
  [`POST ${R.sqlObjects}`]: C.SqlObjectsRequest,
  [`POST ${R.apiKeys}`]: C.ApiKeyCreate.optional(),
  [`PATCH ${R.apiKeyStatus}`]: C.ApiKeyStatus,
  [`PATCH ${R.apiKeyExpiry}`]: C.ApiKeyExpiry,
  [`POST ${R.assignments}`]: C.Assignment,
  [`DELETE ${R.assignments}`]: C.Assignment,
  [`POST ${R.permissions}`]: C.Permission,
  [`DELETE ${R.permissions}`]: C.Permission,
  [`POST ${R.connections}`]: C.ConnectionCreate,
  [`PUT ${R.connection}`]: C.ConnectionBody,
  [`POST ${R.jobs}`]: C.ImportJobBody,
  [`PUT ${R.job}`]: C.ImportJobBody,
  [`PATCH ${R.jobName}`]: C.JobName,
  [`PATCH ${R.jobDescription}`]: C.JobDescription,
  [`POST ${R.jobStart}`]: C.StartArgs.optional(),
};

/** Every route of the emulator, bound to one runtime (SQL engine, background work), request bodies checked against the contract. */
export function createByteHouseRoutes(ctx: BhContext): Route<ByteHouseState>[] {
  const routes = [...catalogRoutes(ctx), ...tableRoutes(ctx), ...sqlRoutes(ctx), ...iamRoutes(ctx), ...dataLoadingRoutes(ctx), ...extraRoutes(ctx)];
  return routes.map((r) => (BODIES[`${r.method} ${r.pattern}`] && !r.body ? { ...r, body: BODIES[`${r.method} ${r.pattern}`] } : r));
}

const catalogRoutes = (ctx: BhContext): Route<ByteHouseState>[] => [
  // ---- databases ----
  {
    method: "GET",
    pattern: R.databases,
    handler: (req, s) => {
      const filter = req.query.get("filter") ?? "";
      const all = Object.values(s.databases)
        .filter((d) => d.name.includes(filter))
        .sort((a, b) => a.name.localeCompare(b.name));
      const { page, meta } = paginate(all, req.query, BYTEHOUSE_PAGE, bad);
      return json(200, { data: page.map((d) => dbJson(d)), meta });
    },
  },
  {
    method: "POST",
    pattern: R.databases,
    handler: async (req, s) => {
      const name = requireString(req.body, "name");
      if (s.databases[name]) throw fail(422, `database ${name} already exists`, "DATABASE_ALREADY_EXISTS");
      if (name.length > 255) throw bad("name must be 255 characters or less");
      await ctx.engine.exclusive(s, async (conn, catalog) => {
        await conn.run(`DROP SCHEMA IF EXISTS ${qi(catalog)}.${qi(name)} CASCADE`);
        await conn.run(`CREATE SCHEMA ${qi(catalog)}.${qi(name)}`);
      });
      const db: BhDatabase = {
        uuid: randomUUID(),
        name,
        description: typeof req.body.description === "string" ? req.body.description : "",
        createdAt: now(),
        createdBy: { id: s.userId, type: "VOLCANO_MAIN_ACCOUNT" },
      };
      s.databases[name] = db;
      return { status: 200, body: { data: { uuid: db.uuid } } };
    },
  },
  {
    method: "GET",
    pattern: R.database,
    handler: (req, s) => {
      const db = s.databases[req.params.p0];
      if (!db) throw fail(404, `database ${req.params.p0} not found`, "DATABASE_NOT_FOUND");
      return json(200, { data: dbJson(db, { noOfTables: Object.keys(s.tables[db.name] ?? {}).length, sizeInBytes: 0 }) });
    },
  },
  {
    method: "DELETE",
    pattern: R.database,
    handler: async (req, s) => {
      if (!s.databases[req.params.p0]) throw fail(404, `database ${req.params.p0} not found`, "DATABASE_NOT_FOUND");
      await ctx.engine.exclusive(s, (conn, catalog) => conn.run(`DROP SCHEMA IF EXISTS ${qi(catalog)}.${qi(req.params.p0)} CASCADE`));
      delete s.databases[req.params.p0];
      delete s.tables[req.params.p0]; // dropping a database drops its tables
      return { status: 200, body: {} };
    },
  },
  // ---- virtual warehouses ----
  {
    method: "GET",
    pattern: R.virtualWarehouses,
    handler: (req, s) => {
      const all = Object.values(s.virtualWarehouses).sort((a, b) => a.name.localeCompare(b.name));
      const { page, meta } = paginate(all, req.query, BYTEHOUSE_PAGE, bad);
      return { status: 200, body: { data: page, meta } };
    },
  },
  {
    method: "POST",
    pattern: R.virtualWarehouses,
    handler: (req, s) => {
      validateVw(req.body, s, true);
      const b = req.body;
      if (s.virtualWarehouses[b.name]) throw fail(422, `virtual warehouse ${b.name} already exists`, "VW_ALREADY_EXISTS");
      const at = now();
      const vw: BhVirtualWarehouse = {
        id: `vw-${s.accountId}-${b.name}`,
        name: b.name,
        description: b.description ?? "",
        configID: b.configID,
        status: b.status ?? "up",
        autoSuspend: b.autoSuspend ?? 0,
        autoResume: b.autoResume ?? false,
        createdAt: at,
        lastModifiedAt: at,
      };
      s.virtualWarehouses[vw.name] = vw;
      return { status: 200, body: { name: vw.name, vwID: vw.id, message: "Success", error: {} } };
    },
  },
  {
    method: "GET",
    pattern: R.virtualWarehouse,
    handler: (req, s) => {
      const vw = s.virtualWarehouses[req.params.p0];
      if (!vw) throw fail(404, `virtual warehouse ${req.params.p0} not found`, "VW_NOT_FOUND");
      return vwOk(vw);
    },
  },
  {
    method: "PATCH",
    pattern: R.virtualWarehouse,
    handler: (req, s) => {
      const vw = s.virtualWarehouses[req.params.p0];
      if (!vw) throw fail(404, `virtual warehouse ${req.params.p0} not found`, "VW_NOT_FOUND");
      if (req.body && "name" in req.body && req.body.name !== vw.name) throw bad("the name of a virtual warehouse cannot be changed");
      validateVw(req.body ?? {}, s, false);
      for (const k of ["description", "configID", "status", "autoSuspend", "autoResume"] as const) {
        const v = req.body?.[k];
        if (v !== undefined && v !== null) (vw as any)[k] = v;
      }
      vw.lastModifiedAt = now();
      return { status: 200, body: { message: "Success", error: {} } };
    },
  },
  {
    method: "DELETE",
    pattern: R.virtualWarehouse,
    handler: (req, s) => {
      if (!s.virtualWarehouses[req.params.p0]) throw fail(404, `virtual warehouse ${req.params.p0} not found`, "VW_NOT_FOUND");
      delete s.virtualWarehouses[req.params.p0];
      return { status: 200, body: { message: "Success", error: {} } };
    },
  },
  {
    method: "GET",
    pattern: R.virtualWarehouseConfigs,
    handler: (req, s) => {
      const { page, meta } = paginate(s.vwConfigs, req.query, BYTEHOUSE_PAGE, bad);
      return { status: 200, body: { data: page, meta } };
    },
  },
];

export interface ByteHouseEmulatorOptions extends Partial<Pick<EmulatorOptions<ByteHouseState>, "stateFile" | "logFile" | "faults">> {
  /** Accepted API keys (Bearer tokens). */
  apiKeys?: string[];
}

export const DEFAULT_BYTEHOUSE_API_KEY = "emulator-bytehouse-key";

export function createByteHouseEmulator(opts: ByteHouseEmulatorOptions = {}): EmulatorServer<ByteHouseState> {
  const keys = new Set(opts.apiKeys ?? [DEFAULT_BYTEHOUSE_API_KEY]);
  return new EmulatorServer<ByteHouseState>({
    vendor: "bytehouse",
    // rows live in DuckDB, next to the JSON state (in memory without a state file)
    routes: (fw) => createByteHouseRoutes(new BhContext(fw, fw.stateDir ? path.join(fw.stateDir, "bytehouse.duckdb") : undefined)),
    initialState: initialByteHouseState,
    stateFile: opts.stateFile,
    logFile: opts.logFile,
    faults: opts.faults,
    errorBody: (status, message) => errorBody(status, message),
    secretHeaders: BYTEHOUSE_SECRET_HEADERS,
    secretFields: BYTEHOUSE_SECRET_FIELDS,
    // check-then-create of unique names (databases, VWs, keys, roles, connections, jobs) is atomic
    serializeWrites: true,
    backend: {
      open: async (fw) => recoverExecutions(fw.state),
    },
    authenticate: (req, state) => {
      const auth = req.headers.authorization ?? "";
      const m = /^Bearer\s+(.+)$/i.exec(auth);
      const token = m?.[1].trim();
      if (token && keys.has(token)) return;
      // API keys created through the IAM API: enabled and not expired
      if (token) {
        const hash = sha256(token);
        const key = Object.values(state.apiKeys ?? {}).find((k) => k.secretHash === hash);
        if (key && key.status === "ENABLED" && (key.expiresAt === null || parseTime(key.expiresAt) > Date.now())) return;
        if (key) throw fail(403, `Authentication failed: API key ${key.id} is ${key.status === "ENABLED" ? "expired" : "disabled"}`, "AUTHENTICATION_FAILED");
      }
      throw fail(403, "Authentication failed: invalid or missing API key", "AUTHENTICATION_FAILED");
    },
  });
}

/** Headers that carry credentials (the metadata subscription's token). */
export const BYTEHOUSE_SECRET_HEADERS = ["x-bytehouse-token"];
/** Body fields that carry credentials: connection credentials (the fields the vendor masks), passwords, tokens, API-key secrets. */
export const BYTEHOUSE_SECRET_FIELDS: (string | RegExp)[] = [MASKED_FIELD, "key", "apiKey"];

/** The ByteHouse emulator's registration (emulator/index.ts loads it from provider/vendors.ts). */
export const emulator = defineEmulator<ByteHouseState, Pick<ByteHouseEmulatorOptions, "apiKeys">>({
  vendor: "bytehouse",
  cliOptions: {
    "api-key": { type: "string", multiple: true, value: "KEY", help: `an accepted API key (Bearer token); repeatable (default ${DEFAULT_BYTEHOUSE_API_KEY})` },
  },
  fromCli: (v) => {
    const keys = (v["api-key"] as string[] | undefined)?.filter((k) => k !== "");
    return keys?.length ? { apiKeys: keys } : {};
  },
  randomCredentials: () => ({ apiKeys: [randomToken("bytehouse")] }),
  create: async (common, o) => {
    const server = createByteHouseEmulator({ ...stateFiles("bytehouse", common.stateDir), faults: common.faults, ...o });
    await server.open();
    return server;
  },
  settings: (url, o) => ({ endpoint: url, apiKey: o.apiKeys?.[0] ?? DEFAULT_BYTEHOUSE_API_KEY }),
});
