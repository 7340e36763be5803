/** The persisted state of the ByteHouse emulator (JSON file; table rows live in DuckDB, see engine.ts). */
import type { WireExecution, WireExecutionLog, WireImportJob, WireMaterializedView, WirePermission, WireRole, WireTable } from "../../provider/bytehouse/contract";

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

/** Table metadata: the wire table without what DuckDB's catalog answers (columns, rows, size). */
export interface BhTable
  extends Pick<WireTable, "uuid" | "name" | "database" | "description" | "createdAt" | "orderByKeys" | "samplingKey" | "partitionKeys" | "primaryKeys" | "ttl" | "uniqueKey" | "clusterKey"> {
  /** Declared ClickHouse type (without Nullable) and the DuckDB type it mapped to, per column. */
  declared: Record<string, { ch: string; duck: string }>;
}

export interface BhApiKey {
  id: string;
  comment: string;
  status: "ENABLED" | "DISABLED";
  createdAt: string;
  expiresAt: string | null;
  userId: number;
  /** sha256 of the secret (the secret itself is never stored). */
  secretHash: string;
}

export interface BhConnection {
  id: number;
  name: string;
  type: string;
  data: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface ByteHouseState {
  accountId: string;
  userId: string;
  /** The current user's numeric id (IAM: API keys, default UserID of assignments). */
  userNumericId: number;
  databases: Record<string, BhDatabase>;
  virtualWarehouses: Record<string, BhVirtualWarehouse>;
  vwConfigs: BhVwConfig[];
  /** Tables per database (BhTable metadata, filled by the table API and SQL DDL; counted by `noOfTables`). */
  tables: Record<string, Record<string, unknown>>;
  apiKeys: Record<string, BhApiKey>;
  roles: WireRole[];
  assignments: { UserID: number; RoleName: string }[];
  permissions: Required<WirePermission>[];
  connections: Record<string, BhConnection>;
  jobs: Record<string, WireImportJob>;
  executions: Record<string, WireExecution>;
  executionLogs: Record<string, WireExecutionLog[]>;
  nextId: { connection: number; job: number };
  /** Materialized views and dictionaries per database (made by SQL at the vendor; seeded here). */
  materializedViews: Record<string, Record<string, WireMaterializedView>>;
  dictionaries: Record<string, Record<string, { name: string; database: string; createdAt: string }>>;
  /** The metadata subscription, when made. */
  metadataSubscription: { userId: string; subscribedAt: string } | null;
}

/** The sizes of docs.byteplus.com "virtual warehouses"; 123456 is the id the vendor doc's samples use. */
const VW_CONFIGS: BhVwConfig[] = [
  { id: 123456, name: "XS", cpu: 8, memory: "32Gi", nodes: 1 },
  { id: 123457, name: "S", cpu: 16, memory: "64Gi", nodes: 2 },
  { id: 123458, name: "M", cpu: 32, memory: "128Gi", nodes: 4 },
  { id: 123459, name: "L", cpu: 64, memory: "256Gi", nodes: 8 },
  { id: 123460, name: "XL", cpu: 128, memory: "512Gi", nodes: 16 },
];

export const SYSTEM_ROLES: WireRole[] = [
  { name: "AccountAdmin", description: "Full control of the account: users, roles, billing and every resource.", isSystem: true },
  { name: "SystemAdmin", description: "Manages users, roles and virtual warehouses.", isSystem: true },
  { name: "DataAdmin", description: "Manages databases, tables and data loading.", isSystem: true },
  { name: "Analyst", description: "Reads and writes data, runs queries on granted virtual warehouses.", isSystem: true },
  { name: "ReadOnly", description: "Reads data and metadata.", isSystem: true },
];

export function initialByteHouseState(): ByteHouseState {
  return {
    accountId: "2100042608",
    userId: "4780622283186922000",
    userNumericId: 1336688750,
    databases: {},
    virtualWarehouses: {},
    vwConfigs: VW_CONFIGS,
    tables: {},
    apiKeys: {},
    roles: SYSTEM_ROLES.map((r) => ({ ...r })),
    assignments: [],
    permissions: [],
    connections: {},
    jobs: {},
    executions: {},
    executionLogs: {},
    nextId: { connection: 1, job: 1 },
    materializedViews: {},
    dictionaries: {},
    metadataSubscription: null,
  };
}
