/**
 * ByteHouse emulator: databases and virtual warehouses (issue #2), speaking the API of
 * shared/vendor-docs/bytehouse-public-api.txt with the paths of provider/bytehouse/paths.ts.
 *
 * - Bearer auth; a bad or missing token gets 403 "Authentication failed" (ByteHouse uses 403, not 401).
 * - Envelopes: catalog {data, meta}; virtual warehouses flat {…, message, error}.
 * - Errors: {message, error: {code, message}} with 400 bad request, 403 auth, 404 not found,
 *   422 illegal state (e.g. already exists), 500 internal.
 */
import { randomUUID } from "node:crypto";
import { EmulatorOptions, EmulatorServer, HttpError, Route, paginate } from "../framework/server";
import { BYTEHOUSE_PAGE, BYTEHOUSE_ROUTES as R, VW_NAME_PATTERN, VW_NAME_RULE } from "../../provider/bytehouse/paths";
import { RawJsonNumber, stringifyWithRawNumbers } from "../../provider/http/json";

export interface BhDatabase {
  uuid: string;
  name: string;
  description: string;
  createdAt: string;
  createdBy: { id: string; type: string };
}

export interface BhVirtualWarehouse {
  id: string;
  name: string;
  description: string;
  configID: number;
  status: "up" | "down";
  autoSuspend: number;
  autoResume: boolean;
  createdAt: string;
  lastModifiedAt: string;
}

export interface BhVwConfig {
  id: number;
  name: string;
  cpu: number;
  memory: string;
  nodes: number;
}

export interface ByteHouseState {
  accountId: string;
  userId: string;
  databases: Record<string, BhDatabase>;
  virtualWarehouses: Record<string, BhVirtualWarehouse>;
  vwConfigs: BhVwConfig[];
  /** Tables per database (filled by the table API; counted by `noOfTables`). */
  tables: Record<string, Record<string, unknown>>;
}

/** The sizes of docs.byteplus.com "virtual warehouses"; 123456 is the id the vendor doc's samples use. */
const VW_CONFIGS: BhVwConfig[] = [
  { id: 123456, name: "XS", cpu: 8, memory: "32Gi", nodes: 1 },
  { id: 123457, name: "S", cpu: 16, memory: "64Gi", nodes: 2 },
  { id: 123458, name: "M", cpu: 32, memory: "128Gi", nodes: 4 },
  { id: 123459, name: "L", cpu: 64, memory: "256Gi", nodes: 8 },
  { id: 123460, name: "XL", cpu: 128, memory: "512Gi", nodes: 16 },
];

export function initialByteHouseState(): ByteHouseState {
  return { accountId: "2100042608", userId: "4780622283186922000", databases: {}, virtualWarehouses: {}, vwConfigs: VW_CONFIGS, tables: {} };
}

const CODES: Record<number, string> = { 400: "BAD_REQUEST", 403: "AUTHENTICATION_FAILED", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 422: "ILLEGAL_STATE", 429: "TOO_MANY_REQUESTS", 500: "INTERNAL_SERVER_ERROR", 502: "BAD_GATEWAY", 503: "SERVICE_UNAVAILABLE", 504: "GATEWAY_TIMEOUT" };

function errorBody(status: number, message: string, code = CODES[status] ?? "ERROR") {
  return { message, error: { code, message } };
}

const fail = (status: number, message: string, code?: string) => new HttpError(status, errorBody(status, message, code));
const bad = (message: string) => fail(400, message);
const now = () => new Date().toISOString().replace("Z", "000Z").replace(/\.(\d{3})000Z$/, ".$1000000Z");

function requireString(body: any, field: string): string {
  if (!body || typeof body[field] !== "string" || body[field] === "") throw bad(`${field} is required`);
  return body[field];
}

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

export const byteHouseRoutes: Route<ByteHouseState>[] = [
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
    handler: (req, s) => {
      const name = requireString(req.body, "name");
      if (s.databases[name]) throw fail(422, `database ${name} already exists`, "DATABASE_ALREADY_EXISTS");
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
    handler: (req, s) => {
      if (!s.databases[req.params.p0]) throw fail(404, `database ${req.params.p0} not found`, "DATABASE_NOT_FOUND");
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
    routes: byteHouseRoutes,
    initialState: initialByteHouseState,
    stateFile: opts.stateFile,
    logFile: opts.logFile,
    faults: opts.faults,
    errorBody: (status, message) => errorBody(status, message),
    authenticate: (req) => {
      const auth = req.headers.authorization ?? "";
      const m = /^Bearer\s+(.+)$/i.exec(auth);
      if (!m || !keys.has(m[1].trim())) throw fail(403, "Authentication failed: invalid or missing API key", "AUTHENTICATION_FAILED");
    },
  });
}
