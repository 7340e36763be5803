/**
 * Lookups and actions: plain async functions that call ByteHouse from the program (not
 * resources): reads (configurations, roles, partitions, views, status, usage) and the few
 * one-off operations on objects that no resource owns (delete partitions, delete a dictionary).
 * Settings come from the stack config (`warehouse:bytehouseEndpoint`, secret
 * `warehouse:bytehouseApiKey`) or the environment, as for the provider.
 */
import * as pulumi from "@pulumi/pulumi";
import { ByteHouseApi, ByteHouseVwConfig } from "../../provider/bytehouse/api";
import { createApi } from "../../provider/registry";
import { WireClusterStatus, WireMaterializedView, WirePartition, WireRole, WireRow, WireStorageUsage, WireVwUsage } from "../../provider/bytehouse/wire";

async function withApi<T>(f: (api: ByteHouseApi) => Promise<T>): Promise<T> {
  // Full keys ("warehouse:bytehouseApiKey"), read raw: no secret-access warning, same source as the provider.
  const source = { get: (key: string) => pulumi.runtime.getConfig(key) };
  const api = createApi("bytehouse", source) as ByteHouseApi;
  try {
    return await f(api);
  } finally {
    await api.http.close();
  }
}

/** Every virtual warehouse configuration (size) of the account. */
export function getVirtualWarehouseConfigs(): Promise<ByteHouseVwConfig[]> {
  return withApi((api) => api.listVirtualWarehouseConfigs());
}

/** The virtual warehouse configuration with this size name (XS, S, M, L, XL); fails if there is none. */
export async function getVirtualWarehouseConfig(args: { size: string }): Promise<ByteHouseVwConfig> {
  const configs = await getVirtualWarehouseConfigs();
  const hit = configs.find((c) => c.name.toLowerCase() === args.size.toLowerCase());
  if (!hit) throw new Error(`bytehouse.getVirtualWarehouseConfig: no configuration named "${args.size}"; available: ${configs.map((c) => c.name).join(", ")}`);
  return hit;
}

/** The roles of the account. */
export function getRoles(): Promise<WireRole[]> {
  return withApi((api) => api.listRoles());
}

/** The partitions of a table. */
export function getPartitions(args: { database: string; table: string }): Promise<WirePartition[]> {
  return withApi((api) => api.listPartitions(args.database, args.table));
}

/** Deletes partitions of a table, with their rows. An explicit action: no resource does this. */
export function deletePartitions(args: { database: string; table: string; partitionNames: string[] }): Promise<void> {
  return withApi((api) => api.deletePartitions(args.database, args.table, args.partitionNames));
}

/** The materialized views of a database. */
export function getMaterializedViews(args: { database: string }): Promise<WireMaterializedView[]> {
  return withApi((api) => api.listMaterializedViews(args.database));
}

/** One materialized view; fails if there is none. */
export async function getMaterializedView(args: { database: string; name: string }): Promise<WireMaterializedView> {
  const mv = await withApi((api) => api.getMaterializedView(args.database, args.name));
  if (!mv) throw new Error(`bytehouse.getMaterializedView: no materialized view ${args.database}.${args.name}`);
  return mv;
}

/** Deletes a dictionary (dictionaries are made by SQL; no resource owns them). */
export function deleteDictionary(args: { database: string; name: string }): Promise<void> {
  return withApi((api) => api.deleteDictionary(args.database, args.name));
}

/** The bucketing (cluster) status of a table. */
export function getClusterStatus(args: { database: string; table: string }): Promise<WireClusterStatus> {
  return withApi((api) => api.getClusterStatus(args.database, args.table));
}

/** The MaterializedMySQL sync status of a database. */
export function getSyncStatus(args: { database: string }): Promise<Record<string, unknown>> {
  return withApi((api) => api.getSyncStatus(args.database));
}

/** The tables, views and materialized views a query reads or writes. */
export function getQueryObjects(args: { query: string }): Promise<string[]> {
  return withApi((api) => api.queryObjects(args.query));
}

/** The SQL dialects available to the user. */
export function getSqlDialects(): Promise<string[]> {
  return withApi((api) => api.listDialects());
}

/** The account's status. */
export function getAccountStatus(): Promise<Record<string, unknown>> {
  return withApi((api) => api.getAccountStatus());
}

/** Storage used per database over a timeframe (RFC 3339 times). */
export function getStorageUsage(args: { startTime: string; endTime: string; dbName?: string }): Promise<WireStorageUsage> {
  return withApi((api) => api.getStorageUsage(args.startTime, args.endTime, args.dbName));
}

/** Virtual-warehouse usage over a timeframe (RFC 3339 times). */
export function getVirtualWarehouseUsage(args: { startTime: string; endTime: string; vwName?: string }): Promise<WireVwUsage> {
  return withApi((api) => api.getVirtualWarehouseUsage(args.startTime, args.endTime, args.vwName));
}

/** Runs SQL synchronously (e.g. seeding rows) and returns the rows of the last statement. */
export function query(args: { query: string; mode?: "ansi_sql" | "clickhouse_sql" }): Promise<WireRow[]> {
  return withApi((api) => api.query(args.query, { mode: args.mode }));
}
