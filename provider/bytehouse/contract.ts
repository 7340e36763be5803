/**
 * ByteHouse's wire contract in one place: the paths (paths.ts), the wire shapes (wire.ts) and zod
 * schemas of the request bodies and answers of every route the provider uses. The emulator
 * (emulator/bytehouse/) validates request bodies with these schemas (answering the vendor's
 * 400 `{message, error: {code: "BAD_REQUEST", message}}` on failure) and routes with the same
 * paths; test/integration/contract.test.ts checks its answers parse with the response schemas.
 *
 * Request schemas check the structure and the types of what is sent; the emulator's handlers
 * then apply the vendor's rules (ranges, references, uniqueness) with the vendor's messages.
 * Envelopes: family 1 `{data, meta?}`; family 2 `{message, error, data?, meta?}`; family 3 flat.
 */
import { z } from "zod";
import { CONNECTION_TYPES } from "./paths";

export * from "./paths";
export * from "./wire";

// ---------------------------------------------------------------- building blocks

const nullish = <T extends z.ZodType>(t: T) => t.nullish();
/** Integers above 2^53 arrive as raw JSON numbers: a lossless parser gives them as strings or bigints. */
const bigId = z.union([z.number(), z.string(), z.bigint()]);

export const OffsetMeta = z.looseObject({ offset: z.number(), limit: z.number(), total: z.number() });
export const CursorMeta = z.looseObject({ nextCursor: z.string().nullable(), limit: z.number() });

/** Family 1: `{data, meta?}`. */
export const envelope1 = <T extends z.ZodType>(data: T) => z.looseObject({ data, meta: OffsetMeta.optional() });
/** Family 2: `{message, error, data?, meta?}`. */
export const envelope2 = <T extends z.ZodType>(data?: T) =>
  z.looseObject({ message: z.string(), error: z.record(z.string(), z.unknown()), data: (data ?? z.unknown()).optional(), meta: z.union([OffsetMeta, CursorMeta, z.looseObject({ total: z.number() })]).optional() });
/** Family 3 (virtual warehouses): the object itself, plus `{message, error}`. */
export const envelope3 = <T extends z.ZodObject>(obj: T) => obj.extend({ message: z.string(), error: z.record(z.string(), z.unknown()) });

/** Every error: `{message, error: {code, message}}`. */
export const ErrorResponse = z.object({ message: z.string(), error: z.object({ code: z.string(), message: z.string() }) });

// ---------------------------------------------------------------- catalog

export const DatabaseCreate = z.looseObject({ name: z.string(), description: nullish(z.string()) });
export const Database = z.looseObject({
  uuid: z.string(),
  name: z.string(),
  description: z.string().optional(),
  type: z.string().optional(),
  noOfTables: z.number().optional(),
  sizeInBytes: z.number().optional(),
  createdBy: z.looseObject({ id: bigId, type: z.string() }).optional(),
  createdAt: z.string().optional(),
});
export const DatabaseCreated = envelope1(z.object({ uuid: z.string() }));

const vwFields = {
  description: nullish(z.string()),
  configID: nullish(z.number()),
  status: nullish(z.string()),
  autoSuspend: nullish(z.number()),
  autoResume: nullish(z.boolean()),
};
export const VwCreate = z.looseObject({ name: z.string(), ...vwFields });
export const VwPatch = z.looseObject({ name: z.string().optional(), ...vwFields });
export const VirtualWarehouse = z.looseObject({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  configID: z.number(),
  status: z.enum(["up", "down"]),
  autoSuspend: z.number(),
  autoResume: z.boolean(),
  createdAt: z.string().optional(),
  lastModifiedAt: z.string().optional(),
});
export const VwCreated = z.looseObject({ name: z.string(), vwID: z.string(), message: z.string(), error: z.record(z.string(), z.unknown()) });
export const VwConfig = z.looseObject({ id: z.number(), name: z.string() });
export const Ack3 = z.looseObject({ message: z.string(), error: z.record(z.string(), z.unknown()) });

// ---------------------------------------------------------------- tables

export const Column = z.looseObject({ name: z.string(), type: z.string(), nullable: nullish(z.boolean()), defaultValue: nullish(z.string()), comment: nullish(z.string()) });
const PartitionKey = z.looseObject({ column: z.string(), granularity: nullish(z.string()), expression: nullish(z.string()) });
const Ttl = z.looseObject({ column: z.string(), interval: z.number(), unit: z.string() });
const UniqueKey = z.looseObject({ columns: z.array(z.string()) });
const ClusterKey = z.looseObject({ columns: z.array(z.string()), bucketCount: z.number() });
/** In requests the doc's samples send these objects empty (`"ttl": {}`): every field optional. */
const TtlIn = Ttl.partial();
const UniqueKeyIn = UniqueKey.partial();
const ClusterKeyIn = ClusterKey.partial();

export const TableCreate = z.looseObject({
  name: z.string(),
  description: nullish(z.string()),
  columns: z.array(Column),
  orderByKeys: nullish(z.array(z.string())),
  samplingKey: nullish(z.string()),
  partitionKeys: nullish(z.array(PartitionKey)),
  primaryKeys: nullish(z.array(z.string())),
  ttl: nullish(TtlIn),
  uniqueKey: nullish(UniqueKeyIn),
  clusterKey: nullish(ClusterKeyIn),
});
export const TableUpdate = z.looseObject({
  addColumns: nullish(z.array(Column)),
  dropColumns: nullish(z.array(z.string())),
  modifyColumns: nullish(z.array(Column)),
  renameColumns: nullish(z.array(z.looseObject({ oldName: z.string(), newName: z.string() }))),
  ttl: nullish(TtlIn),
  isRemoveTTL: nullish(z.boolean()),
});
export const Table = z.looseObject({
  uuid: z.string(),
  name: z.string(),
  database: z.string(),
  description: z.string(),
  columns: z.array(Column),
  orderByKeys: z.array(z.string()),
  samplingKey: z.string().nullable(),
  partitionKeys: z.array(PartitionKey),
  primaryKeys: z.array(z.string()),
  ttl: Ttl.nullable(),
  uniqueKey: UniqueKey.nullable(),
  clusterKey: ClusterKey.nullable(),
  rowCount: z.number(),
  sizeInBytes: z.number(),
  createdAt: z.string(),
});
export const Partition = z.looseObject({ name: z.string(), rowCount: z.number(), sizeInBytes: z.number() });
export const PartitionsDelete = z.looseObject({ partitionNames: z.array(z.string()) });

// ---------------------------------------------------------------- queries

export const QueryRequest = z.looseObject({
  query: z.string(),
  mode: nullish(z.string()),
  vwID: nullish(z.string()),
  queryID: nullish(z.string()),
  asyncModeSwitchAfterInSec: nullish(z.number()),
  maxRowsReturn: nullish(z.number()),
});
export const QueryRows = envelope1(z.array(z.record(z.string(), z.unknown())));
export const SqlObjectsRequest = z.looseObject({ query: z.string() });
export const SqlObjects = envelope1(z.looseObject({ tables: z.array(z.string()) }));
export const SqlDialects = envelope1(z.array(z.string()));

// ---------------------------------------------------------------- IAM

export const ApiKeyCreate = z.looseObject({ noExpiry: nullish(z.boolean()), expiryInDays: nullish(z.number()), comment: nullish(z.string()) });
export const ApiKey = z.looseObject({
  id: z.string(),
  comment: z.string(),
  status: z.enum(["ENABLED", "DISABLED"]),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  key: z.string().optional(),
});
export const ApiKeyStatus = z.looseObject({ status: z.string() });
export const ApiKeyExpiry = z.looseObject({ addExpiryInDays: z.number() });
export const Role = z.looseObject({ name: z.string(), description: z.string(), isSystem: z.boolean() });
export const Assignment = z.looseObject({ UserID: z.number(), RoleName: z.string() });
export const Permission = z.looseObject({
  RoleName: z.string(),
  ByteHouseResourceID: z.string(),
  SecureObjectTypeName: z.string(),
  ActionName: z.string(),
  GrantOption: nullish(z.boolean()),
});

// ---------------------------------------------------------------- data loading

export const ConnectionBody = z.looseObject({ name: z.string(), type: z.string().optional(), data: z.record(z.string(), z.unknown()) });
export const ConnectionCreate = ConnectionBody.extend({ type: z.enum(CONNECTION_TYPES) });
export const Connection = z.looseObject({ id: z.number(), name: z.string(), type: z.string(), data: z.record(z.string(), z.unknown()), createdAt: z.string(), updatedAt: z.string() });
export const ImportJobBody = z.looseObject({
  name: z.string(),
  description: nullish(z.string()),
  connectionID: z.number(),
  configuration: z.record(z.string(), z.unknown()),
  sourceSchema: nullish(z.record(z.string(), z.unknown())),
  schemaFile: nullish(z.string()),
  state: z.string(),
});
export const ImportJob = ImportJobBody.extend({ id: z.number(), description: z.string(), createdAt: z.string(), updatedAt: z.string(), lastExecutionID: z.string().nullable() });
export const JobName = z.looseObject({ name: z.string() });
export const JobDescription = z.looseObject({ description: z.string() });
export const StartArgs = z.record(z.string(), z.string());
export const Execution = z.looseObject({
  id: z.string(),
  jobID: z.number(),
  status: z.enum(["PENDING", "RUNNING", "SUCCEEDED", "FAILED", "STOPPED"]),
  startArgs: z.record(z.string(), z.string()),
  rowsLoaded: z.number(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
});
export const ExecutionLog = z.looseObject({ time: z.string(), level: z.enum(["INFO", "WARN", "ERROR"]), message: z.string() });

// ---------------------------------------------------------------- views, status, usage

export const MaterializedView = z.looseObject({ name: z.string(), database: z.string(), query: z.string(), targetTable: z.string().nullable(), createdAt: z.string() });
export const ClusterStatus = z.looseObject({ database: z.string(), table: z.string(), clustered: z.boolean(), status: z.string(), progress: z.number() });
export const StorageUsage = z.looseObject({ startTime: z.string(), endTime: z.string(), databases: z.array(z.looseObject({ name: z.string(), sizeInBytes: z.number(), rowCount: z.number() })) });
export const VwUsage = z.looseObject({ startTime: z.string(), endTime: z.string(), virtualWarehouses: z.array(z.looseObject({ name: z.string(), status: z.string(), size: z.string().nullable() })) });

/** Response schemas by route, as the provider reads them. */
export const RESPONSES = {
  databases: envelope1(z.array(Database)),
  databaseCreated: DatabaseCreated,
  database: envelope1(Database),
  virtualWarehouses: envelope1(z.array(VirtualWarehouse)),
  vwCreated: VwCreated,
  virtualWarehouse: envelope3(VirtualWarehouse),
  vwAck: Ack3,
  vwConfigs: envelope1(z.array(VwConfig)),
  tables: envelope1(z.array(Table)),
  table: envelope1(Table),
  partitions: envelope1(z.array(Partition)),
  queryRows: QueryRows,
  apiKeyCreated: envelope2(ApiKey.extend({ key: z.string() })),
  apiKeys: envelope2(z.array(ApiKey)),
  roles: envelope2(z.array(Role)),
  assignments: envelope2(z.array(Assignment)),
  permissions: envelope2(z.array(Permission)),
  ack2: envelope2(),
  connectionCreated: envelope2(z.looseObject({ id: z.number() })),
  connections: envelope2(z.array(Connection)),
  connection: envelope2(Connection),
  jobCreated: envelope2(z.looseObject({ id: z.number() })),
  jobs: envelope2(z.array(ImportJob)),
  job: envelope2(ImportJob),
  startArgs: envelope2(StartArgs),
  started: envelope2(z.looseObject({ executionID: z.string() })),
  executions: envelope2(z.array(Execution)),
  execution: envelope2(Execution),
  executionLogs: envelope2(z.array(ExecutionLog)),
  materializedViews: envelope1(z.array(MaterializedView)),
  materializedView: envelope1(MaterializedView),
  clusterStatus: envelope1(ClusterStatus),
  syncStatus: envelope1(z.record(z.string(), z.unknown())),
  sqlObjects: SqlObjects,
  sqlDialects: SqlDialects,
  accountStatus: envelope2(z.record(z.string(), z.unknown())),
  storageUsage: envelope2(StorageUsage),
  vwUsage: envelope2(VwUsage),
  apiKey: envelope2(ApiKey),
  /** The metadata (un)subscription answers `{message}` alone. */
  subscription: z.looseObject({ message: z.string() }),
  tableCreated: envelope1(z.looseObject({ uuid: z.string() })),
  /** An empty object (some deletes and updates answer `{}`) or any envelope. */
  empty: z.looseObject({}),
  error: ErrorResponse,
} as const;
