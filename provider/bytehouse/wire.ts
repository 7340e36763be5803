/**
 * ByteHouse wire shapes beyond databases and virtual warehouses, shared by the client
 * (provider/bytehouse/api.ts) and the emulator (emulator/bytehouse/). The vendor doc renders
 * request bodies but collapses most response objects; where it is silent the shape below is a
 * PROPOSAL (marked), consistent with shared/notes/bytehouse-and-altertable.md §1.4-1.5.
 *
 * Envelopes:
 *   catalog + queries:  { data, meta? }                       meta (offset lists) = { offset, limit, total }
 *   IAM + data loading: { message: "Success", error: {}, data, meta? }
 *                       meta (cursor lists) = { nextCursor: string | null, limit }   (PROPOSAL)
 *   errors (all):       { message, error: { code, message } } with 400 / 403 / 404 / 422 / 500
 */

// ---------------------------------------------------------------- tables

/** A column as the vendor doc's create / update samples show it. `type` is a ClickHouse type. */
export interface WireColumn {
  name: string;
  type: string; // e.g. "String", "Date", "Int64", "Nullable(String)", "int" (alias accepted)
  nullable?: boolean; // false when omitted
  defaultValue?: string | null;
  comment?: string | null;
}

export interface WirePartitionKey {
  column: string;
  granularity?: string | null; // e.g. "day"
  expression?: string | null; // e.g. "toStartOfDay(`ColumnDate`)"
}

/** PROPOSAL: the doc only says "object". */
export interface WireTtl {
  column: string; // a Date / DateTime column
  interval: number; // > 0
  unit: "DAY" | "WEEK" | "MONTH" | "YEAR";
}

/** PROPOSAL: the doc only says "object". */
export interface WireUniqueKey {
  columns: string[];
}

/** PROPOSAL: the doc only says "object" ("Bucket key"). */
export interface WireClusterKey {
  columns: string[];
  bucketCount: number;
}

export interface WireTableCreate {
  name: string;
  description?: string;
  columns: WireColumn[];
  orderByKeys: string[];
  samplingKey?: string;
  partitionKeys?: WirePartitionKey[];
  primaryKeys?: string[];
  ttl?: WireTtl;
  uniqueKey?: WireUniqueKey;
  clusterKey?: WireClusterKey;
}

/** PROPOSAL for renameColumns items (the doc says "Array of objects"). */
export interface WireColumnRename {
  oldName: string;
  newName: string;
}

/** PATCH body. All operations of one PATCH are applied together, or none is. */
export interface WireTableUpdate {
  addColumns?: WireColumn[];
  dropColumns?: string[];
  modifyColumns?: WireColumn[];
  renameColumns?: WireColumnRename[];
  ttl?: WireTtl;
  isRemoveTTL?: boolean;
}

/** GET table (PROPOSAL: the create fields echoed, plus identity and size). */
export interface WireTable extends Required<Pick<WireTableCreate, "name" | "columns" | "orderByKeys">> {
  uuid: string;
  database: string;
  description: string;
  samplingKey: string | null;
  partitionKeys: WirePartitionKey[];
  primaryKeys: string[];
  ttl: WireTtl | null;
  uniqueKey: WireUniqueKey | null;
  clusterKey: WireClusterKey | null;
  rowCount: number;
  sizeInBytes: number;
  createdAt: string;
}

/** List partitions item (PROPOSAL). */
export interface WirePartition {
  name: string; // partition id, e.g. "20240101"
  rowCount: number;
  sizeInBytes: number;
}

// ---------------------------------------------------------------- queries

export interface WireQueryRequest {
  query: string;
  mode: "ansi_sql" | "clickhouse_sql";
  vwID?: string;
  queryID?: string;
  asyncModeSwitchAfterInSec?: number;
  maxRowsReturn?: number; // 0 = all
}

/** Sync result and async result: { data: rows } with each row an object keyed by column name (PROPOSAL). */
export type WireRow = Record<string, unknown>;

/** Async submit → { data: [{ queryID }] }; status → { data: { queryID, status, error? } } (PROPOSAL). */
export type WireQueryStatus = "RUNNING" | "FINISHED" | "FAILED" | "KILLED";

// ---------------------------------------------------------------- IAM

export interface WireApiKeyCreate {
  noExpiry?: boolean;
  expiryInDays?: number;
  comment?: string;
}

/** An API key (PROPOSAL). `key` (the secret) is present only in the create response. */
export interface WireApiKey {
  id: string; // like "qUNomoCoqSokljuoRs5z"
  comment: string;
  status: "ENABLED" | "DISABLED";
  createdAt: string;
  expiresAt: string | null; // null = no expiry
  key?: string;
}

export interface WireRole {
  name: string; // e.g. "AccountAdmin", "SystemAdmin", "DataAdmin", "Analyst"
  description: string;
  isSystem: boolean;
}

/** Assign / unassign body. Note the PascalCase keys of the vendor doc. */
export interface WireAssignment {
  UserID: number;
  RoleName: string;
}

/** Grant body (revoke is the same without GrantOption). */
export interface WirePermission {
  RoleName: string;
  ByteHouseResourceID: string; // e.g. "db_name" or "db_name.table_name" or "*"
  SecureObjectTypeName: string; // e.g. "DATABASE", "TABLE", "VIRTUAL_WAREHOUSE"
  ActionName: string; // e.g. "SELECT", "INSERT", "ALTER", "USAGE", "ALL"
  GrantOption?: boolean;
}

// ---------------------------------------------------------------- data loading

export interface WireConnection {
  id: number;
  name: string; // <= 128 chars
  type: string; // one of CONNECTION_TYPES
  data: Record<string, unknown>; // masked on GET / list (MASKED_FIELD keys become MASK)
  createdAt: string;
  updatedAt: string;
}

export interface WireImportJobBody {
  name: string; // <= 128 chars
  description?: string;
  connectionID: number; // 0 for a ByteHouse source
  configuration: Record<string, unknown>;
  sourceSchema: Record<string, unknown>;
  schemaFile?: string;
  state: "PUBLISHED" | "DRAFT";
}

export interface WireImportJob extends WireImportJobBody {
  id: number;
  description: string;
  createdAt: string;
  updatedAt: string;
  lastExecutionID: string | null;
}

export type WireExecutionStatus = "PENDING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "STOPPED";

export interface WireExecution {
  id: string; // uuid
  jobID: number;
  status: WireExecutionStatus;
  startArgs: Record<string, string>;
  rowsLoaded: number;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

/** Execution log line (PROPOSAL). */
export interface WireExecutionLog {
  time: string;
  level: "INFO" | "WARN" | "ERROR";
  message: string;
}

/**
 * Import job configuration understood by the emulator for a LOCAL connection (PROPOSAL,
 * modelled on the vendor's console): files are read from the connection's `data.path`
 * directory; `source.properties.fileNames` (comma-separated, from the job or the start
 * arguments) picks the files.
 *   configuration: {
 *     source: { format: "CSV" | "JSON", properties: { fileNames?: string, delimiter?: ",", header?: true } },
 *     sink:   { database: string, table: string, mode?: "APPEND" | "OVERWRITE" }
 *   }
 */
export interface WireLocalImportConfiguration {
  source: { format: "CSV" | "JSON"; properties?: { fileNames?: string; delimiter?: string; header?: boolean } };
  sink: { database: string; table: string; mode?: "APPEND" | "OVERWRITE" };
}

// ---------------------------------------------------------------- views, dictionaries, status, usage

/** A materialized view (PROPOSAL: the doc collapses the object). */
export interface WireMaterializedView {
  name: string;
  database: string;
  query: string; // its SELECT
  targetTable: string | null; // TO db.table, when it writes into one
  createdAt: string;
}

/** Cluster (bucketing) status of a table (PROPOSAL). */
export interface WireClusterStatus {
  database: string;
  table: string;
  clustered: boolean; // the table has a clusterKey
  status: "FINISHED" | "RUNNING" | "NOT_CLUSTERED";
  progress: number; // percent
}

/** Storage usage per database over a timeframe (PROPOSAL). */
export interface WireStorageUsage {
  startTime: string;
  endTime: string;
  databases: { name: string; sizeInBytes: number; rowCount: number }[];
}

/** Virtual-warehouse usage over a timeframe (PROPOSAL). */
export interface WireVwUsage {
  startTime: string;
  endTime: string;
  virtualWarehouses: { name: string; status: string; size: string | null }[];
}

/** Headers of the metadata (un)subscription calls (vendor doc). */
export interface MetadataSubscriptionHeaders {
  accountId: string; // X-Account-ID
  userId: string; // X-User-ID
  token: string; // X-Bytehouse-Token (a JWT)
}
