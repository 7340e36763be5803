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
    secrets: [settings.apiKey],
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
