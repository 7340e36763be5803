/**
 * ByteHouse REST paths: the ONE place they are written down, shared by the provider's
 * client and the emulator.
 *
 * The vendor doc (shared/vendor-docs/bytehouse-public-api.txt) documents operations but not
 * their URL paths; only /v1/sql/sync is documented. Everything else follows the proposal in
 * shared/notes/bytehouse-and-altertable.md §1.3. If the real paths turn out different,
 * change them here and both sides follow.
 */
const seg = (s: string | number) => encodeURIComponent(String(s));

export const BYTEHOUSE_PATHS = {
  // catalog (envelope family 1: {data, meta})
  databases: () => "/v1/databases",
  database: (db: string) => `/v1/databases/${seg(db)}`,
  tables: (db: string) => `/v1/databases/${seg(db)}/tables`,
  tablesAndViews: (db: string) => `/v1/databases/${seg(db)}/tables-and-views`,
  table: (db: string, table: string) => `/v1/databases/${seg(db)}/tables/${seg(table)}`,
  partitions: (db: string, table: string) => `/v1/databases/${seg(db)}/tables/${seg(table)}/partitions`,
  partitionRange: (db: string, table: string) => `/v1/databases/${seg(db)}/tables/${seg(table)}/partitions/range`,
  // queries
  sqlSync: () => "/v1/sql/sync",
  sqlAsync: () => "/v1/sql/async",
  sqlAsyncQuery: (id: string) => `/v1/sql/async/${seg(id)}`,
  sqlAsyncStatus: (id: string) => `/v1/sql/async/${seg(id)}/status`,
  sqlAsyncResult: (id: string) => `/v1/sql/async/${seg(id)}/result`,
  // IAM (envelope family 2: {message, error, data, meta?})
  apiKeys: () => "/v1/iam/api-keys",
  apiKey: (id: string) => `/v1/iam/api-keys/${seg(id)}`,
  apiKeyStatus: (id: string) => `/v1/iam/api-keys/${seg(id)}/status`,
  apiKeyExpiry: (id: string) => `/v1/iam/api-keys/${seg(id)}/expiry`,
  roles: () => "/v1/iam/roles",
  assignments: () => "/v1/iam/assignments",
  permissions: () => "/v1/iam/permissions",
  // data loading (family 2, cursor pagination)
  connections: () => "/v1/dataloading/connections",
  connection: (id: number | string) => `/v1/dataloading/connections/${seg(id)}`,
  jobs: () => "/v1/dataloading/jobs",
  job: (id: number | string) => `/v1/dataloading/jobs/${seg(id)}`,
  jobName: (id: number | string) => `/v1/dataloading/jobs/${seg(id)}/name`,
  jobDescription: (id: number | string) => `/v1/dataloading/jobs/${seg(id)}/description`,
  jobStartArgs: (id: number | string) => `/v1/dataloading/jobs/${seg(id)}/start-args`,
  jobStart: (id: number | string) => `/v1/dataloading/jobs/${seg(id)}/start`,
  jobStop: (id: number | string) => `/v1/dataloading/jobs/${seg(id)}/stop`,
  jobExecutions: (id: number | string) => `/v1/dataloading/jobs/${seg(id)}/executions`,
  executions: () => "/v1/dataloading/executions",
  execution: (id: string) => `/v1/dataloading/executions/${seg(id)}`,
  executionLogs: (id: string) => `/v1/dataloading/executions/${seg(id)}/logs`,
  // materialized views, dictionaries, table and database status (family 1, status: family 2)
  materializedViews: (db: string) => `/v1/databases/${seg(db)}/materialized-views`,
  materializedView: (db: string, mv: string) => `/v1/databases/${seg(db)}/materialized-views/${seg(mv)}`,
  dictionary: (db: string, dict: string) => `/v1/databases/${seg(db)}/dictionaries/${seg(dict)}`,
  clusterStatus: (db: string, table: string) => `/v1/databases/${seg(db)}/tables/${seg(table)}/cluster-status`,
  syncStatus: (db: string) => `/v1/databases/${seg(db)}/sync-status`,
  // metadata subscription (X-Account-ID, X-User-ID, X-Bytehouse-Token headers)
  metadataSubscription: () => "/v1/metadata/subscription",
  // SQL helpers
  sqlObjects: () => "/v1/sql/objects",
  sqlDialects: () => "/v1/sql/dialects",
  // account, usage (family 2)
  accountStatus: () => "/v1/account/status",
  usageStorage: () => "/v1/usage/storage",
  usageVirtualWarehouses: () => "/v1/usage/virtual-warehouses",
  // compute (envelope family 3: flat)
  virtualWarehouses: () => "/v1/virtual-warehouses",
  virtualWarehouse: (name: string) => `/v1/virtual-warehouses/${seg(name)}`,
  virtualWarehouseConfigs: () => "/v1/virtual-warehouse-configs",
} as const;

type PathFns = typeof BYTEHOUSE_PATHS;

/** Route patterns for the emulator's router (":param" placeholders), derived from the same table. */
export const BYTEHOUSE_ROUTES = Object.fromEntries(
  Object.entries(BYTEHOUSE_PATHS).map(([k, f]) => {
    const names = ["a", "b"].slice(0, f.length).map((_, i) => `:p${i}`);
    return [k, (f as (...a: string[]) => string)(...names).replace(/%3Ap(\d)/g, ":p$1")];
  }),
) as { [K in keyof PathFns]: string };

/** Offset pagination: `limit` defaults to 10 and is clamped at 100 (vendor doc). */
export const BYTEHOUSE_PAGE = { defaultLimit: 10, maxLimit: 100 } as const;

/** Virtual-warehouse name rule (vendor doc, "VWName"). */
export const VW_NAME_PATTERN = /^[a-z](?:[a-z0-9_]{0,29}[a-z0-9])?$/;
export const VW_NAME_RULE =
  "must be 1-31 characters of lower-case letters, digits and '_', start with a lower-case letter and end with a letter or digit";

/** At most 2 API keys per user (vendor doc, "Create an API key"). */
export const API_KEYS_PER_USER = 2;

/** Connection source types (vendor doc, "ImportSourceType"). */
export const CONNECTION_TYPES = ["LOCAL", "S3", "TOS", "HIVE", "KAFKA", "KINESIS", "ALI_OSS", "MINIO", "CFS", "LASFS", "MYSQL", "BYTEHOUSE"] as const;

/** Connection `data` fields the vendor returns masked ("Get masked connection"). */
export const MASKED_FIELD = /secret|password|passwd|token|credential|private|accesskey|access_key/i;
export const MASK = "******";
