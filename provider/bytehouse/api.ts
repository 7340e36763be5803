/**
 * Typed ByteHouse API client over the shared HttpClient. Knows the three envelope
 * families of the vendor doc (notes §1.4):
 *   1. catalog / lists:       { data, meta }
 *   2. IAM / data loading:    { message, error, data, meta? }
 *   3. virtual warehouses:    flat objects with { message, error }
 */
import { z } from "zod";
import { HttpClient, HttpClientOptions } from "../http/client";
import { lazyShape, perShape } from "../http/shapes";
import { resourceDefiner } from "../framework/spec";
import { WarehouseApiError, isNotFound } from "../http/errors";
import { BYTEHOUSE_PAGE, BYTEHOUSE_PATHS as P } from "./paths";
import * as C from "./contract";
import { BYTEHOUSE_SETTINGS } from "./settings";
import {
  MetadataSubscriptionHeaders,
  WireApiKey,
  WireApiKeyCreate,
  WireClusterStatus,
  WireMaterializedView,
  WireStorageUsage,
  WireVwUsage,
  WireAssignment,
  WireConnection,
  WireExecution,
  WireExecutionLog,
  WireImportJob,
  WireImportJobBody,
  WirePartition,
  WirePermission,
  WireRole,
  WireRow,
  WireTable,
  WireTableCreate,
  WireTableUpdate,
} from "./wire";

export interface ByteHouseDatabase {
  uuid: string;
  name: string;
  description?: string;
  type?: string;
  noOfTables?: number;
  sizeInBytes?: number;
  createdBy?: { id: string | number; type: string };
  createdAt?: string;
}

export type VwStatus = "up" | "down";

export interface ByteHouseVirtualWarehouse {
  id: string;
  name: string;
  description: string;
  configID: number;
  status: VwStatus;
  autoSuspend: number;
  autoResume: boolean;
  createdAt?: string;
  lastModifiedAt?: string;
}

export interface ByteHouseVwConfig {
  id: number;
  name: string;
  cpu?: number;
  memory?: string;
  nodes?: number;
}

export interface VwCreate {
  name: string;
  configID: number;
  description?: string;
  status?: VwStatus;
  autoSuspend?: number;
  autoResume?: boolean;
}

export type VwPatch = Partial<Omit<VwCreate, "name">>;

export interface ByteHouseSettings {
  endpoint: string;
  apiKey: string;
  activeRole?: string;
}

/** The vendor's error body: `{message, error: {code, message}}` (notes §1.4 proposal). */
export function parseByteHouseError(body: unknown): { message?: string; code?: string } {
  if (!body || typeof body !== "object") return {};
  const b = body as { message?: unknown; error?: { code?: unknown; message?: unknown } };
  const message = typeof b.error?.message === "string" ? b.error.message : typeof b.message === "string" ? b.message : undefined;
  const code = typeof b.error?.code === "string" ? b.error.code : undefined;
  return { message, code };
}

/**
 * ByteHouse's own "this object does not exist": a 404 with its error body whose code names the
 * kind of object (`DATABASE_NOT_FOUND`, `TABLE_NOT_FOUND`, `API_KEY_NOT_FOUND`, …; see
 * emulator/bytehouse and notes §1.4). A bare `NOT_FOUND` is what a router answers for a path it
 * does not serve (a wrong base URL), and a 404 without the error body comes from something else
 * (a proxy, another server): neither says the object is gone.
 */
export const BYTEHOUSE_NOT_FOUND_CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_NOT_FOUND$/;

export function isByteHouseNotFound(status: number, body: unknown): boolean {
  if (status !== 404 || !body || typeof body !== "object" || Array.isArray(body)) return false;
  const error = (body as { error?: unknown }).error;
  if (!error || typeof error !== "object") return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === "string" && typeof message === "string" && BYTEHOUSE_NOT_FOUND_CODE.test(code);
}

/**
 * A body whose `error` carries a code: ByteHouse's failure envelope, even under a 2xx (a success
 * has `"error": {}` or none).
 */
export function isByteHouseErrorBody(body: unknown): boolean {
  if (!body || typeof body !== "object" || Array.isArray(body)) return false;
  const error = (body as { error?: unknown }).error;
  return !!error && typeof error === "object" && typeof (error as { code?: unknown }).code === "string" && (error as { code: string }).code !== "";
}

/** Where the ByteHouse settings are set, for messages (from the settings the vendor declares). */
const BH = BYTEHOUSE_SETTINGS;

export function createByteHouseHttp(settings: ByteHouseSettings, extra: Partial<HttpClientOptions> = {}): HttpClient {
  return new HttpClient({
    vendor: "ByteHouse",
    baseUrl: settings.endpoint,
    authHeaders: () => ({
      authorization: `Bearer ${settings.apiKey}`,
      ...(settings.activeRole ? { "x-user-activerole": settings.activeRole } : {}),
    }),
    parseError: parseByteHouseError,
    notFound: isByteHouseNotFound,
    errorIn2xx: isByteHouseErrorBody,
    requireJson: true,
    endpointSetting: BH.endpoint.config,
    credentialHint: `the API key in ${BH.apiKey.config} (or $${BH.apiKey.env})`,
    ...extra,
    secrets: [settings.apiKey, ...(extra.secrets ?? [])],
  });
}

// ---- answer shapes: what the provider relies on; everything else passes through ----
const anyId = z.union([z.string(), z.number()]);
const loose = z.looseObject;
const envelope = perShape(<S extends z.ZodType>(item: S) => loose({ data: item }));
const offsetPage = perShape(<S extends z.ZodType>(item: S) => loose({ data: z.array(item), meta: loose({ total: z.number().optional() }).nullish() }));
const cursorPage = perShape(<S extends z.ZodType>(item: S) => loose({ data: z.array(item), meta: loose({ nextCursor: z.string().nullish() }).nullish() }));
const record = z.record(z.string(), z.unknown());

/** Item shapes of the ByteHouse answers: the wire contract's (contract.ts), shared with the emulator and its contract test. */
export const BYTEHOUSE_SHAPES = {
  database: C.Database,
  virtualWarehouse: C.VirtualWarehouse,
  vwConfig: C.VwConfig,
  table: C.Table,
  partition: C.Partition,
  apiKey: C.ApiKey,
  role: C.Role,
  assignment: C.Assignment,
  permission: C.Permission,
  connection: C.Connection,
  importJob: C.ImportJob,
  execution: C.Execution,
  executionLog: C.ExecutionLog,
  materializedView: C.MaterializedView,
} as const;

/** Options of a write that carries credentials: their values are redacted from its errors and logs. */
export interface WriteOptions {
  secrets?: readonly string[];
}

const S = BYTEHOUSE_SHAPES;

/** Answer shapes of single calls, built on first use (provider/http/shapes.ts). */
const A = {
  databaseCreated: lazyShape(() => envelope(loose({ uuid: z.string() }))),
  vwCreated: lazyShape(() => loose({ name: z.string(), vwID: z.string() })),
  rows: lazyShape(() => loose({ data: z.array(record).nullish() })),
  apiKeyCreated: lazyShape(() => envelope(S.apiKey.extend({ key: z.string().min(1) }))),
  apiKeys: lazyShape(() => envelope(z.array(S.apiKey))),
  roles: lazyShape(() => envelope(z.array(S.role))),
  assignments: lazyShape(() => envelope(z.array(S.assignment))),
  permissions: lazyShape(() => envelope(z.array(S.permission))),
  idCreated: lazyShape(() => envelope(loose({ id: anyId }))),
  executionStarted: lazyShape(() => envelope(loose({ executionID: z.string() }))),
  sqlObjects: lazyShape(() => envelope(loose({ tables: z.array(z.string()) }))),
};

export class ByteHouseApi {
  private configCache?: Promise<ByteHouseVwConfig[]>;
  private roleCache?: Promise<WireRole[]>;

  constructor(readonly http: HttpClient) {}

  /** GET of one object in a `{data}` envelope, parsed by shape. */
  private async getData<T>(path: string, item: z.ZodType, query?: Record<string, string | number | undefined>): Promise<T> {
    return (await this.http.request({ method: "GET", path, query, response: envelope(item) })).data.data as T;
  }

  /** Reads every page of an offset-paginated list. */
  private async listAll<T>(path: string, item: z.ZodType, query: Record<string, string | undefined> = {}): Promise<T[]> {
    const out: T[] = [];
    for (let offset = 0; ; ) {
      const res = await this.http.request({ method: "GET", path, query: { ...query, offset, limit: BYTEHOUSE_PAGE.maxLimit }, response: offsetPage(item) });
      const page = res.data.data as T[];
      out.push(...page);
      offset += page.length;
      const total = res.data.meta?.total;
      if (page.length === 0 || (total !== undefined ? offset >= total : page.length < BYTEHOUSE_PAGE.maxLimit)) return out;
    }
  }

  // ---- databases (envelope family 1) ----
  listDatabases(filter?: string): Promise<ByteHouseDatabase[]> {
    return this.listAll<ByteHouseDatabase>(P.databases(), S.database, { filter });
  }

  async createDatabase(body: { name: string; description?: string }): Promise<{ uuid: string }> {
    const res = await this.http.request({ method: "POST", path: P.databases(), body, idempotent: false, response: A.databaseCreated() });
    return res.data.data;
  }

  async getDatabase(name: string): Promise<ByteHouseDatabase | undefined> {
    return orUndefined(() => this.getData<ByteHouseDatabase>(P.database(name), S.database));
  }

  async deleteDatabase(name: string): Promise<void> {
    await this.http.request({ method: "DELETE", path: P.database(name), idempotent: true });
  }

  // ---- virtual warehouses (envelope family 3) ----
  listVirtualWarehouses(): Promise<ByteHouseVirtualWarehouse[]> {
    return this.listAll<ByteHouseVirtualWarehouse>(P.virtualWarehouses(), S.virtualWarehouse);
  }

  async createVirtualWarehouse(body: VwCreate): Promise<{ name: string; vwID: string }> {
    const res = await this.http.request({ method: "POST", path: P.virtualWarehouses(), body, idempotent: false, response: A.vwCreated() });
    return { name: res.data.name, vwID: res.data.vwID };
  }

  async getVirtualWarehouse(name: string): Promise<ByteHouseVirtualWarehouse | undefined> {
    return orUndefined(async () => {
      const res = await this.http.request({ method: "GET", path: P.virtualWarehouse(name), response: S.virtualWarehouse });
      const { message: _m, error: _e, ...vw } = res.data as unknown as ByteHouseVirtualWarehouse & { message?: string; error?: unknown };
      return vw;
    });
  }

  /** Sets the given fields to absolute values: safe to repeat. */
  async updateVirtualWarehouse(name: string, patch: VwPatch): Promise<void> {
    await this.http.request({ method: "PATCH", path: P.virtualWarehouse(name), body: patch, idempotent: true });
  }

  async deleteVirtualWarehouse(name: string): Promise<void> {
    await this.http.request({ method: "DELETE", path: P.virtualWarehouse(name), idempotent: true });
  }

  // ---- tables (family 1) ----
  listTables(db: string, filter?: string): Promise<WireTable[]> {
    return this.listAll<WireTable>(P.tables(db), S.table, { filter });
  }

  async createTable(db: string, body: WireTableCreate): Promise<void> {
    await this.http.request({ method: "POST", path: P.tables(db), body, idempotent: false });
  }

  getTable(db: string, table: string): Promise<WireTable | undefined> {
    return orUndefined(() => this.getData<WireTable>(P.table(db, table), S.table));
  }

  /**
   * Adds, drops, renames and modifies columns: NOT idempotent (a repeated add or rename fails or,
   * worse, applies to the renamed column). After an ambiguous failure, read the table back.
   */
  async updateTable(db: string, table: string, body: WireTableUpdate): Promise<void> {
    await this.http.request({ method: "PATCH", path: P.table(db, table), body, idempotent: false });
  }

  async deleteTable(db: string, table: string): Promise<void> {
    await this.http.request({ method: "DELETE", path: P.table(db, table), idempotent: true });
  }

  listPartitions(db: string, table: string): Promise<WirePartition[]> {
    return this.listAll<WirePartition>(P.partitions(db, table), S.partition);
  }

  async deletePartitions(db: string, table: string, partitionNames: string[]): Promise<void> {
    await this.http.request({ method: "DELETE", path: P.partitions(db, table), body: { partitionNames }, idempotent: true });
  }

  /** Runs SQL synchronously; returns the rows of the last statement. Not idempotent (the SQL may write). */
  async query(query: string, opts: { vwID?: string; mode?: "ansi_sql" | "clickhouse_sql" } = {}): Promise<WireRow[]> {
    const res = await this.http.request({
      method: "POST",
      path: P.sqlSync(),
      body: { query, mode: opts.mode ?? "clickhouse_sql", ...(opts.vwID ? { vwID: opts.vwID } : {}) },
      idempotent: false,
      response: A.rows(),
    });
    return (res.data.data ?? []) as WireRow[];
  }

  // ---- IAM (family 2) ----
  /**
   * Creates a key: NOT idempotent (each call makes a new key, and at most 2 may exist). The
   * answer carries the secret, so it is never quoted in an error.
   */
  async createApiKey(body: WireApiKeyCreate): Promise<WireApiKey> {
    const res = await this.http.request({
      method: "POST",
      path: P.apiKeys(),
      body,
      idempotent: false,
      sensitiveResponse: true,
      response: A.apiKeyCreated(),
    });
    return res.data.data as unknown as WireApiKey;
  }

  async listApiKeys(): Promise<WireApiKey[]> {
    return (await this.http.request({ method: "GET", path: P.apiKeys(), response: A.apiKeys() })).data.data as unknown as WireApiKey[];
  }

  /** The key, or undefined when a good list of the user's keys does not have it. */
  async getApiKey(id: string): Promise<WireApiKey | undefined> {
    return (await this.listApiKeys()).find((k) => k.id === id);
  }

  async deleteApiKey(id: string): Promise<void> {
    await this.http.request({ method: "DELETE", path: P.apiKey(id), idempotent: true });
  }

  /** Sets an absolute status: safe to repeat. */
  async setApiKeyStatus(id: string, status: "ENABLED" | "DISABLED"): Promise<void> {
    await this.http.request({ method: "PATCH", path: P.apiKeyStatus(id), body: { status }, idempotent: true });
  }

  /** Adds days to the expiry: NOT idempotent (a repeat would add them twice). */
  async extendApiKeyExpiry(id: string, addExpiryInDays: number): Promise<void> {
    await this.http.request({ method: "PATCH", path: P.apiKeyExpiry(id), body: { addExpiryInDays }, idempotent: false });
  }

  async listRoles(): Promise<WireRole[]> {
    return (await this.http.request({ method: "GET", path: P.roles(), response: A.roles() })).data.data as unknown as WireRole[];
  }

  /**
   * The account's roles, read once per provider process (the provider manages no roles): the
   * preview check of every grant's roleName shares this one read.
   */
  listRolesOnce(): Promise<WireRole[]> {
    this.roleCache ??= this.listRoles().catch((e) => {
      this.roleCache = undefined;
      throw e;
    });
    return this.roleCache;
  }

  /** A user's role assignments; without a user id, the calling user's (the API has no list of users). */
  async listAssignments(userId?: number): Promise<WireAssignment[]> {
    return (await this.http.request({ method: "GET", path: P.assignments(), query: { UserID: userId }, response: A.assignments() })).data.data as unknown as WireAssignment[];
  }

  /** Not idempotent: a repeat after it was applied answers "already assigned". */
  async assignRole(body: WireAssignment): Promise<void> {
    await this.http.request({ method: "POST", path: P.assignments(), body, idempotent: false });
  }

  async unassignRole(body: WireAssignment): Promise<void> {
    await this.http.request({ method: "DELETE", path: P.assignments(), body, idempotent: true });
  }

  async listPermissions(q: Pick<WirePermission, "RoleName" | "ByteHouseResourceID" | "SecureObjectTypeName">): Promise<WirePermission[]> {
    return (await this.http.request({ method: "GET", path: P.permissions(), query: { ...q }, response: A.permissions() })).data.data as unknown as WirePermission[];
  }

  /**
   * Grants, or sets the grant option of an existing grant (the grant call upserts: emulator
   * iam.ts, and the vendor doc's grant takes GrantOption with no "already granted" error).
   * The same body twice leaves the same permission: safe to repeat.
   */
  async grantPermission(body: WirePermission): Promise<void> {
    await this.http.request({ method: "POST", path: P.permissions(), body, idempotent: true });
  }

  async revokePermission(body: Omit<WirePermission, "GrantOption">): Promise<void> {
    await this.http.request({ method: "DELETE", path: P.permissions(), body, idempotent: true });
  }

  // ---- data loading (family 2, cursor pagination) ----
  private async listByCursor<T>(path: string, item: z.ZodType): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | undefined;
    do {
      const res = await this.http.request({ method: "GET", path, query: { cursor, limit: BYTEHOUSE_PAGE.maxLimit }, response: cursorPage(item) });
      out.push(...(res.data.data as T[]));
      cursor = res.data.meta?.nextCursor ?? undefined;
    } while (cursor);
    return out;
  }

  listConnections(): Promise<WireConnection[]> {
    return this.listByCursor<WireConnection>(P.connections(), S.connection);
  }

  /** Not idempotent (a repeat makes a second connection). `secrets`: the credentials in `data`. */
  async createConnection(body: { name: string; type: string; data: Record<string, unknown> }, opts: WriteOptions = {}): Promise<number> {
    const res = await this.http.request({ method: "POST", path: P.connections(), body, idempotent: false, secrets: opts.secrets, response: A.idCreated() });
    return res.data.data.id as number;
  }

  getConnection(id: number | string): Promise<WireConnection | undefined> {
    return orUndefined(() => this.getData<WireConnection>(P.connection(id), S.connection));
  }

  /** Replaces name and data: safe to repeat. `secrets`: the credentials in `data`. */
  async updateConnection(id: number | string, body: { name: string; data: Record<string, unknown> }, opts: WriteOptions = {}): Promise<void> {
    await this.http.request({ method: "PUT", path: P.connection(id), body, idempotent: true, secrets: opts.secrets });
  }

  async deleteConnection(id: number | string): Promise<void> {
    await this.http.request({ method: "DELETE", path: P.connection(id), idempotent: true });
  }

  listImportJobs(): Promise<WireImportJob[]> {
    return this.listByCursor<WireImportJob>(P.jobs(), S.importJob);
  }

  /** Not idempotent (a repeat makes a second job). */
  async createImportJob(body: WireImportJobBody, opts: WriteOptions = {}): Promise<number> {
    const res = await this.http.request({ method: "POST", path: P.jobs(), body, idempotent: false, secrets: opts.secrets, response: A.idCreated() });
    return res.data.data.id as number;
  }

  getImportJob(id: number | string): Promise<WireImportJob | undefined> {
    return orUndefined(() => this.getData<WireImportJob>(P.job(id), S.importJob));
  }

  /** Replaces the job's definition: safe to repeat. */
  async updateImportJob(id: number | string, body: WireImportJobBody, opts: WriteOptions = {}): Promise<void> {
    await this.http.request({ method: "PUT", path: P.job(id), body, idempotent: true, secrets: opts.secrets });
  }

  /** Sets the name: safe to repeat. */
  async renameImportJob(id: number | string, name: string): Promise<void> {
    await this.http.request({ method: "PATCH", path: P.jobName(id), body: { name }, idempotent: true });
  }

  /** Sets the description: safe to repeat. */
  async describeImportJob(id: number | string, description: string): Promise<void> {
    await this.http.request({ method: "PATCH", path: P.jobDescription(id), body: { description }, idempotent: true });
  }

  async deleteImportJob(id: number | string): Promise<void> {
    await this.http.request({ method: "DELETE", path: P.job(id), idempotent: true });
  }

  async getImportJobStartArgs(id: number | string): Promise<Record<string, string>> {
    return ((await this.getData<Record<string, string> | null>(P.jobStartArgs(id), record.nullable())) ?? {}) as Record<string, string>;
  }

  /** Starts a run; returns the execution id. NOT idempotent: a repeat could start a second run. */
  async startImportJob(id: number | string, args: Record<string, string>, opts: WriteOptions = {}): Promise<string> {
    const res = await this.http.request({
      method: "POST",
      path: P.jobStart(id),
      body: args,
      idempotent: false,
      secrets: opts.secrets,
      response: A.executionStarted(),
    });
    return res.data.data.executionID;
  }

  /** Stopping a stopped run changes nothing: safe to repeat. */
  async stopImportJob(id: number | string): Promise<void> {
    await this.http.request({ method: "POST", path: P.jobStop(id), idempotent: true });
  }

  listJobExecutions(id: number | string): Promise<WireExecution[]> {
    return this.listByCursor<WireExecution>(P.jobExecutions(id), S.execution);
  }

  async getExecution(id: string): Promise<WireExecution> {
    return this.getData<WireExecution>(P.execution(id), S.execution);
  }

  async getExecutionLogs(id: string, limit = 100): Promise<WireExecutionLog[]> {
    return ((await this.getData<WireExecutionLog[] | null>(P.executionLogs(id), z.array(S.executionLog).nullable(), { limit })) ?? []) as WireExecutionLog[];
  }

  // ---- materialized views, dictionaries, status, SQL helpers, usage ----
  listMaterializedViews(db: string): Promise<WireMaterializedView[]> {
    return this.listAll<WireMaterializedView>(P.materializedViews(db), S.materializedView);
  }

  getMaterializedView(db: string, name: string): Promise<WireMaterializedView | undefined> {
    return orUndefined(() => this.getData<WireMaterializedView>(P.materializedView(db, name), S.materializedView));
  }

  async deleteDictionary(db: string, name: string): Promise<void> {
    await this.http.request({ method: "DELETE", path: P.dictionary(db, name), idempotent: true });
  }

  async getClusterStatus(db: string, table: string): Promise<WireClusterStatus> {
    return this.getData<WireClusterStatus>(P.clusterStatus(db, table), loose({ status: z.string() }));
  }

  async getSyncStatus(db: string): Promise<Record<string, unknown>> {
    return this.getData<Record<string, unknown>>(P.syncStatus(db), record);
  }

  /** A read (parses the query, runs nothing): safe to repeat. */
  async queryObjects(query: string): Promise<string[]> {
    const res = await this.http.request({ method: "POST", path: P.sqlObjects(), body: { query }, idempotent: true, response: A.sqlObjects() });
    return res.data.data.tables;
  }

  async listDialects(): Promise<string[]> {
    return this.getData<string[]>(P.sqlDialects(), z.array(z.string()));
  }

  async getAccountStatus(): Promise<Record<string, unknown>> {
    return this.getData<Record<string, unknown>>(P.accountStatus(), record);
  }

  async getStorageUsage(startTime: string, endTime: string, dbName?: string): Promise<WireStorageUsage> {
    return this.getData<WireStorageUsage>(P.usageStorage(), loose({ databases: z.array(record) }), { startTime, endTime, dbName });
  }

  async getVirtualWarehouseUsage(startTime: string, endTime: string, vwName?: string): Promise<WireVwUsage> {
    return this.getData<WireVwUsage>(P.usageVirtualWarehouses(), loose({ virtualWarehouses: z.array(record) }), { startTime, endTime, vwName });
  }

  private subscriptionHeaders(h: MetadataSubscriptionHeaders): Record<string, string> {
    return { "x-account-id": h.accountId, "x-user-id": h.userId, "x-bytehouse-token": h.token };
  }

  async subscribeMetadata(h: MetadataSubscriptionHeaders): Promise<void> {
    // Subscribing twice leaves one subscription: safe to repeat.
    await this.http.request({ method: "POST", path: P.metadataSubscription(), headers: this.subscriptionHeaders(h), idempotent: true, secrets: [h.token] });
  }

  async unsubscribeMetadata(h: MetadataSubscriptionHeaders): Promise<void> {
    await this.http.request({ method: "DELETE", path: P.metadataSubscription(), headers: this.subscriptionHeaders(h), idempotent: true, secrets: [h.token] });
  }

  /** VW configurations (sizes); listed once per provider process. */
  listVirtualWarehouseConfigs(): Promise<ByteHouseVwConfig[]> {
    this.configCache ??= this.listAll<ByteHouseVwConfig>(P.virtualWarehouseConfigs(), S.vwConfig).catch((e) => {
      this.configCache = undefined;
      throw e;
    });
    return this.configCache;
  }
}

/**
 * The value, or undefined when ByteHouse confirmed the object does not exist: a NotFoundError
 * carrying one of its `<KIND>_NOT_FOUND` codes. Anything else — a 404 from a wrong base path,
 * HTML, an empty or wrong-shaped answer — is thrown, never read as "gone".
 */
async function orUndefined<T>(f: () => Promise<T>): Promise<T | undefined> {
  try {
    return await f();
  } catch (e) {
    if (isNotFound(e) && e instanceof WarehouseApiError && e.status === 404 && BYTEHOUSE_NOT_FOUND_CODE.test(e.code ?? "")) return undefined;
    throw e;
  }
}

/** Declares a ByteHouse resource kind: its operations get a ByteHouseApi (the framework's one define helper). */
export const defineByteHouseResource = resourceDefiner<ByteHouseApi>("bytehouse");
