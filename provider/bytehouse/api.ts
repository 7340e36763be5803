/**
 * Typed ByteHouse API client over the shared HttpClient. Knows the three envelope
 * families of the vendor doc (notes §1.4):
 *   1. catalog / lists:       { data, meta }
 *   2. IAM / data loading:    { message, error, data, meta? }
 *   3. virtual warehouses:    flat objects with { message, error }
 */
import { z } from "zod";
import { HttpClient } from "../http/client";
import { ResourceSpec } from "../framework/spec";
import { isNotFound } from "../http/errors";
import { BYTEHOUSE_PAGE, BYTEHOUSE_PATHS as P } from "./paths";
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

export function createByteHouseHttp(settings: ByteHouseSettings, extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}): HttpClient {
  return new HttpClient({
    vendor: "ByteHouse",
    baseUrl: settings.endpoint,
    authHeaders: () => ({
      authorization: `Bearer ${settings.apiKey}`,
      ...(settings.activeRole ? { "x-user-activerole": settings.activeRole } : {}),
    }),
    secrets: [settings.apiKey, ...(extra.secrets ?? [])],
    parseError: parseByteHouseError,
    ...extra,
  });
}

export class ByteHouseApi {
  private configCache?: Promise<ByteHouseVwConfig[]>;

  constructor(readonly http: HttpClient) {}

  /** Reads every page of an offset-paginated list. */
  private async listAll<T>(path: string, query: Record<string, string | undefined> = {}): Promise<T[]> {
    const out: T[] = [];
    for (let offset = 0; ; ) {
      const res = await this.http.request<{ data: T[]; meta?: { total?: number } }>({
        method: "GET",
        path,
        query: { ...query, offset, limit: BYTEHOUSE_PAGE.maxLimit },
      });
      const page = res.data?.data ?? [];
      out.push(...page);
      offset += page.length;
      const total = res.data?.meta?.total;
      if (page.length === 0 || (total !== undefined ? offset >= total : page.length < BYTEHOUSE_PAGE.maxLimit)) return out;
    }
  }

  // ---- databases (envelope family 1) ----
  listDatabases(filter?: string): Promise<ByteHouseDatabase[]> {
    return this.listAll<ByteHouseDatabase>(P.databases(), { filter });
  }

  async createDatabase(body: { name: string; description?: string }): Promise<{ uuid: string }> {
    const res = await this.http.request<{ data: { uuid: string } }>({ method: "POST", path: P.databases(), body });
    return res.data.data;
  }

  async getDatabase(name: string): Promise<ByteHouseDatabase | undefined> {
    return orUndefined(async () => (await this.http.request<{ data: ByteHouseDatabase }>({ method: "GET", path: P.database(name) })).data.data);
  }

  async deleteDatabase(name: string): Promise<void> {
    await this.http.request({ method: "DELETE", path: P.database(name) });
  }

  // ---- virtual warehouses (envelope family 3) ----
  listVirtualWarehouses(): Promise<ByteHouseVirtualWarehouse[]> {
    return this.listAll<ByteHouseVirtualWarehouse>(P.virtualWarehouses());
  }

  async createVirtualWarehouse(body: VwCreate): Promise<{ name: string; vwID: string }> {
    const res = await this.http.request<{ name: string; vwID: string }>({ method: "POST", path: P.virtualWarehouses(), body });
    return { name: res.data.name, vwID: res.data.vwID };
  }

  async getVirtualWarehouse(name: string): Promise<ByteHouseVirtualWarehouse | undefined> {
    return orUndefined(async () => {
      const { message: _m, error: _e, ...vw } = (await this.http.request<ByteHouseVirtualWarehouse & { message?: string; error?: unknown }>({
        method: "GET",
        path: P.virtualWarehouse(name),
      })).data;
      return vw;
    });
  }

  async updateVirtualWarehouse(name: string, patch: VwPatch): Promise<void> {
    await this.http.request({ method: "PATCH", path: P.virtualWarehouse(name), body: patch });
  }

  async deleteVirtualWarehouse(name: string): Promise<void> {
    await this.http.request({ method: "DELETE", path: P.virtualWarehouse(name) });
  }

  // ---- tables (family 1) ----
  listTables(db: string, filter?: string): Promise<WireTable[]> {
    return this.listAll<WireTable>(P.tables(db), { filter });
  }

  async createTable(db: string, body: WireTableCreate): Promise<void> {
    await this.http.request({ method: "POST", path: P.tables(db), body });
  }

  getTable(db: string, table: string): Promise<WireTable | undefined> {
    return orUndefined(async () => (await this.http.request<{ data: WireTable }>({ method: "GET", path: P.table(db, table) })).data.data);
  }

  async updateTable(db: string, table: string, body: WireTableUpdate): Promise<void> {
    await this.http.request({ method: "PATCH", path: P.table(db, table), body });
  }

  async deleteTable(db: string, table: string): Promise<void> {
    await this.http.request({ method: "DELETE", path: P.table(db, table) });
  }

  listPartitions(db: string, table: string): Promise<WirePartition[]> {
    return this.listAll<WirePartition>(P.partitions(db, table));
  }

  async deletePartitions(db: string, table: string, partitionNames: string[]): Promise<void> {
    await this.http.request({ method: "DELETE", path: P.partitions(db, table), body: { partitionNames } });
  }

  /** Runs SQL synchronously; returns the rows of the last statement. */
  async query(query: string, opts: { vwID?: string; mode?: "ansi_sql" | "clickhouse_sql" } = {}): Promise<WireRow[]> {
    const res = await this.http.request<{ data: WireRow[] }>({
      method: "POST",
      path: P.sqlSync(),
      body: { query, mode: opts.mode ?? "clickhouse_sql", ...(opts.vwID ? { vwID: opts.vwID } : {}) },
    });
    return res.data.data ?? [];
  }

  // ---- IAM (family 2) ----
  async createApiKey(body: WireApiKeyCreate): Promise<WireApiKey> {
    return (await this.http.request<{ data: WireApiKey }>({ method: "POST", path: P.apiKeys(), body })).data.data;
  }

  async listApiKeys(): Promise<WireApiKey[]> {
    return (await this.http.request<{ data: WireApiKey[] }>({ method: "GET", path: P.apiKeys() })).data.data ?? [];
  }

  async getApiKey(id: string): Promise<WireApiKey | undefined> {
    return (await this.listApiKeys()).find((k) => k.id === id);
  }

  async deleteApiKey(id: string): Promise<void> {
    await this.http.request({ method: "DELETE", path: P.apiKey(id) });
  }

  async setApiKeyStatus(id: string, status: "ENABLED" | "DISABLED"): Promise<void> {
    await this.http.request({ method: "PATCH", path: P.apiKeyStatus(id), body: { status } });
  }

  async extendApiKeyExpiry(id: string, addExpiryInDays: number): Promise<void> {
    await this.http.request({ method: "PATCH", path: P.apiKeyExpiry(id), body: { addExpiryInDays } });
  }

  async listRoles(): Promise<WireRole[]> {
    return (await this.http.request<{ data: WireRole[] }>({ method: "GET", path: P.roles() })).data.data ?? [];
  }

  async listAssignments(userId: number): Promise<WireAssignment[]> {
    return (await this.http.request<{ data: WireAssignment[] }>({ method: "GET", path: P.assignments(), query: { UserID: userId } })).data.data ?? [];
  }

  async assignRole(body: WireAssignment): Promise<void> {
    await this.http.request({ method: "POST", path: P.assignments(), body });
  }

  async unassignRole(body: WireAssignment): Promise<void> {
    await this.http.request({ method: "DELETE", path: P.assignments(), body });
  }

  async listPermissions(q: Pick<WirePermission, "RoleName" | "ByteHouseResourceID" | "SecureObjectTypeName">): Promise<WirePermission[]> {
    return (await this.http.request<{ data: WirePermission[] }>({ method: "GET", path: P.permissions(), query: { ...q } })).data.data ?? [];
  }

  async grantPermission(body: WirePermission): Promise<void> {
    // Granting the same permission twice only sets the grant option: safe to repeat.
    await this.http.request({ method: "POST", path: P.permissions(), body, idempotent: true });
  }

  async revokePermission(body: Omit<WirePermission, "GrantOption">): Promise<void> {
    await this.http.request({ method: "DELETE", path: P.permissions(), body });
  }

  // ---- data loading (family 2, cursor pagination) ----
  private async listByCursor<T>(path: string): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | undefined;
    do {
      const res = await this.http.request<{ data: T[]; meta?: { nextCursor?: string | null } }>({ method: "GET", path, query: { cursor, limit: BYTEHOUSE_PAGE.maxLimit } });
      out.push(...(res.data.data ?? []));
      cursor = res.data.meta?.nextCursor ?? undefined;
    } while (cursor);
    return out;
  }

  listConnections(): Promise<WireConnection[]> {
    return this.listByCursor<WireConnection>(P.connections());
  }

  async createConnection(body: { name: string; type: string; data: Record<string, unknown> }): Promise<number> {
    const res = await this.http.request<{ data: { id: number } }>({ method: "POST", path: P.connections(), body });
    return res.data.data.id;
  }

  getConnection(id: number | string): Promise<WireConnection | undefined> {
    return orUndefined(async () => (await this.http.request<{ data: WireConnection }>({ method: "GET", path: P.connection(id) })).data.data);
  }

  async updateConnection(id: number | string, body: { name: string; data: Record<string, unknown> }): Promise<void> {
    await this.http.request({ method: "PUT", path: P.connection(id), body });
  }

  async deleteConnection(id: number | string): Promise<void> {
    await this.http.request({ method: "DELETE", path: P.connection(id) });
  }

  listImportJobs(): Promise<WireImportJob[]> {
    return this.listByCursor<WireImportJob>(P.jobs());
  }

  async createImportJob(body: WireImportJobBody): Promise<number> {
    return (await this.http.request<{ data: { id: number } }>({ method: "POST", path: P.jobs(), body })).data.data.id;
  }

  getImportJob(id: number | string): Promise<WireImportJob | undefined> {
    return orUndefined(async () => (await this.http.request<{ data: WireImportJob }>({ method: "GET", path: P.job(id) })).data.data);
  }

  async updateImportJob(id: number | string, body: WireImportJobBody): Promise<void> {
    await this.http.request({ method: "PUT", path: P.job(id), body });
  }

  async renameImportJob(id: number | string, name: string): Promise<void> {
    await this.http.request({ method: "PATCH", path: P.jobName(id), body: { name } });
  }

  async describeImportJob(id: number | string, description: string): Promise<void> {
    await this.http.request({ method: "PATCH", path: P.jobDescription(id), body: { description } });
  }

  async deleteImportJob(id: number | string): Promise<void> {
    await this.http.request({ method: "DELETE", path: P.job(id) });
  }

  async getImportJobStartArgs(id: number | string): Promise<Record<string, string>> {
    return (await this.http.request<{ data: Record<string, string> }>({ method: "GET", path: P.jobStartArgs(id) })).data.data ?? {};
  }

  /** Starts a run; returns the execution id. Not idempotent: a retry could start a second run. */
  async startImportJob(id: number | string, args: Record<string, string>): Promise<string> {
    return (await this.http.request<{ data: { executionID: string } }>({ method: "POST", path: P.jobStart(id), body: args })).data.data.executionID;
  }

  async stopImportJob(id: number | string): Promise<void> {
    await this.http.request({ method: "POST", path: P.jobStop(id), idempotent: true });
  }

  listJobExecutions(id: number | string): Promise<WireExecution[]> {
    return this.listByCursor<WireExecution>(P.jobExecutions(id));
  }

  async getExecution(id: string): Promise<WireExecution> {
    return (await this.http.request<{ data: WireExecution }>({ method: "GET", path: P.execution(id) })).data.data;
  }

  async getExecutionLogs(id: string, limit = 100): Promise<WireExecutionLog[]> {
    return (await this.http.request<{ data: WireExecutionLog[] }>({ method: "GET", path: P.executionLogs(id), query: { limit } })).data.data ?? [];
  }

  // ---- materialized views, dictionaries, status, SQL helpers, usage ----
  listMaterializedViews(db: string): Promise<WireMaterializedView[]> {
    return this.listAll<WireMaterializedView>(P.materializedViews(db));
  }

  getMaterializedView(db: string, name: string): Promise<WireMaterializedView | undefined> {
    return orUndefined(async () => (await this.http.request<{ data: WireMaterializedView }>({ method: "GET", path: P.materializedView(db, name) })).data.data);
  }

  async deleteDictionary(db: string, name: string): Promise<void> {
    await this.http.request({ method: "DELETE", path: P.dictionary(db, name) });
  }

  async getClusterStatus(db: string, table: string): Promise<WireClusterStatus> {
    return (await this.http.request<{ data: WireClusterStatus }>({ method: "GET", path: P.clusterStatus(db, table) })).data.data;
  }

  async getSyncStatus(db: string): Promise<Record<string, unknown>> {
    return (await this.http.request<{ data: Record<string, unknown> }>({ method: "GET", path: P.syncStatus(db) })).data.data;
  }

  async queryObjects(query: string): Promise<string[]> {
    return (await this.http.request<{ data: { tables: string[] } }>({ method: "POST", path: P.sqlObjects(), body: { query }, idempotent: true })).data.data.tables;
  }

  async listDialects(): Promise<string[]> {
    return (await this.http.request<{ data: string[] }>({ method: "GET", path: P.sqlDialects() })).data.data;
  }

  async getAccountStatus(): Promise<Record<string, unknown>> {
    return (await this.http.request<{ data: Record<string, unknown> }>({ method: "GET", path: P.accountStatus() })).data.data;
  }

  async getStorageUsage(startTime: string, endTime: string, dbName?: string): Promise<WireStorageUsage> {
    return (await this.http.request<{ data: WireStorageUsage }>({ method: "GET", path: P.usageStorage(), query: { startTime, endTime, dbName } })).data.data;
  }

  async getVirtualWarehouseUsage(startTime: string, endTime: string, vwName?: string): Promise<WireVwUsage> {
    return (await this.http.request<{ data: WireVwUsage }>({ method: "GET", path: P.usageVirtualWarehouses(), query: { startTime, endTime, vwName } })).data.data;
  }

  private subscriptionHeaders(h: MetadataSubscriptionHeaders): Record<string, string> {
    return { "x-account-id": h.accountId, "x-user-id": h.userId, "x-bytehouse-token": h.token };
  }

  async subscribeMetadata(h: MetadataSubscriptionHeaders): Promise<void> {
    // Subscribing twice leaves one subscription: safe to repeat.
    await this.http.request({ method: "POST", path: P.metadataSubscription(), headers: this.subscriptionHeaders(h), idempotent: true });
  }

  async unsubscribeMetadata(h: MetadataSubscriptionHeaders): Promise<void> {
    await this.http.request({ method: "DELETE", path: P.metadataSubscription(), headers: this.subscriptionHeaders(h) });
  }

  /** VW configurations (sizes); listed once per provider process. */
  listVirtualWarehouseConfigs(): Promise<ByteHouseVwConfig[]> {
    this.configCache ??= this.listAll<ByteHouseVwConfig>(P.virtualWarehouseConfigs()).catch((e) => {
      this.configCache = undefined;
      throw e;
    });
    return this.configCache;
  }
}

async function orUndefined<T>(f: () => Promise<T>): Promise<T | undefined> {
  try {
    return await f();
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** Declares a ByteHouse resource kind (a ResourceSpec whose operations get a ByteHouseApi). */
export function defineByteHouseResource<S extends z.ZodObject, Raw, Out extends string>(
  spec: ResourceSpec<S, ByteHouseApi, Raw, Out> & { vendor: "bytehouse" },
): ResourceSpec<S, ByteHouseApi, Raw, Out> {
  return spec;
}
