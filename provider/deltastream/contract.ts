/**
 * DeltaStream's wire contract: the v2 statements API (the vendor's OpenAPI,
 * `deltastreaminc/go-deltastream:apiv2/api-server-v2.yaml`, and shared/vendor-docs/
 * deltastream-rest-api-v2.txt): the paths, zod schemas of the requests and answers, and the
 * sqlState table of the vendor's SDKs (`sqlcode.go`, `ts-deltastream:src/error.ts`).
 *
 * Imported by the client (provider/deltastream/), the emulator (emulator/deltastream/) and a
 * contract test. Request schemas are loose (unknown fields pass, as the vendor's server lets them).
 *
 * How the API behaves (as the vendor's SDKs use it):
 *  - `POST /v2/statements`: multipart/form-data with a `request` part (application/json, a
 *    StatementRequest) and zero or more `attachments` parts whose file names are the `@name`s the
 *    SQL references (`'tls.ca_cert_file' = '@cacert'`); or a plain JSON StatementRequest.
 *  - 200 + ResultSet: `sqlState "00000"` is success; any other sqlState is a SQL error (still HTTP
 *    200) with `message`. 202 + StatementStatus (`sqlState "03000"`): in progress, poll
 *    `GET /v2/statements/{statementID}` (the SDKs poll every second) until a 200.
 *  - HTTP errors (400, 401/403, 404, 408, 500, 503) carry `{"message"}` (ErrorResponse).
 *  - Every value of `data` is a string or null ("1.0", "true", JSON text for ARRAY/MAP/STRUCT).
 */
import { z } from "zod";

/** The API's base path (the vendor's server URL is https://api.deltastream.io/v2). */
export const DELTASTREAM_BASE_PATH = "/v2";

/** The API paths: the one place they are written down (with the /v2 base path). */
export const DELTASTREAM_PATHS = {
  statements: () => `${DELTASTREAM_BASE_PATH}/statements`,
  statement: (statementID: string) => `${DELTASTREAM_BASE_PATH}/statements/${encodeURIComponent(statementID)}`,
  version: () => `${DELTASTREAM_BASE_PATH}/version`,
  download: (resourceType: DownloadResourceType, organizationID: string, resourceName: string) =>
    `${DELTASTREAM_BASE_PATH}/download/${encodeURIComponent(resourceType)}/${encodeURIComponent(organizationID)}/${encodeURIComponent(resourceName)}`,
} as const;

/** Router patterns (":name" placeholders), derived from the same table. */
export const DELTASTREAM_ROUTES = {
  statements: DELTASTREAM_PATHS.statements(),
  statement: `${DELTASTREAM_BASE_PATH}/statements/:statementID`,
  version: DELTASTREAM_PATHS.version(),
  download: `${DELTASTREAM_BASE_PATH}/download/:resourceType/:organizationID/:resourceName`,
} as const;

/** `resourceType` of GET /v2/download/…. */
export const DOWNLOAD_RESOURCE_TYPES = ["function_source", "descriptor_source"] as const;
export type DownloadResourceType = (typeof DOWNLOAD_RESOURCE_TYPES)[number];

/** The multipart part names of POST /v2/statements. */
export const MULTIPART_REQUEST_PART = "request";
export const MULTIPART_ATTACHMENTS_PART = "attachments";

/** How often the vendor's SDKs poll a 202 (GET /v2/statements/{id}), in ms. */
export const SDK_POLL_INTERVAL_MS = 1000;

// ---------------------------------------------------------------- requests

const optString = z.string().optional();

/** The `request` part (or the JSON body) of POST /v2/statements. */
export const StatementRequest = z.looseObject({
  statement: z.string().refine((s) => s.trim() !== "", "`statement` must not be empty"),
  /** Organization name or ID. */
  organization: optString,
  role: optString,
  database: optString,
  schema: optString,
  store: optString,
  computePool: optString,
  parameters: z
    .looseObject({
      timezone: optString,
      sessionID: optString,
    })
    .optional(),
});

/** Query parameters of GET /v2/statements/{statementID}. */
export const StatementStatusQuery = z.looseObject({
  sessionID: optString,
  partitionID: z
    .string()
    .regex(/^\d+$/, "partitionID must be an integer >= 0")
    .optional(),
  timezone: optString,
});

// ---------------------------------------------------------------- responses

export const ResultSetColumn = z.looseObject({
  name: z.string(),
  type: z.string(),
  nullable: z.boolean(),
  display_hint: z.string().optional(),
});

export const ResultSetPartitionInfo = z.looseObject({ rowCount: z.number().int().nonnegative() });

export const DataplaneRequest = z.looseObject({
  token: z.string(),
  uri: z.string(),
  statementID: z.string(),
  queryID: z.string().optional(),
  requestType: z.enum(["result-set", "streaming"]),
});

/** `metadata.context`: the context the statement ran in (the SDKs send it back with the next statement). */
export const ResultSetContext = z.looseObject({
  organizationID: z.string().optional(),
  roleName: z.string().optional(),
  databaseName: z.string().optional(),
  schemaName: z.string().optional(),
  storeName: z.string().optional(),
  computePoolName: z.string().optional(),
});

export const ResultSetMetadata = z.looseObject({
  encoding: z.literal("json"),
  partitionInfo: z.array(ResultSetPartitionInfo),
  columns: z.array(ResultSetColumn),
  dataplaneRequest: DataplaneRequest.optional(),
  context: ResultSetContext.optional(),
});

/** HTTP 200 of POST /v2/statements and GET /v2/statements/{id}: success (`00000`) or a SQL error. */
export const ResultSet = z.looseObject({
  sqlState: z.string(),
  message: z.string().optional(),
  statementID: z.string(),
  statementIDs: z.array(z.string()).optional(),
  createdOn: z.number().int(),
  metadata: ResultSetMetadata,
  /** Every value a string or null, whatever the column's type. */
  data: z.array(z.array(z.string().nullable())).optional(),
});

/** HTTP 202: in progress (`sqlState "03000"`). */
export const StatementStatus = z.looseObject({
  sqlState: z.string(),
  message: z.string().optional(),
  statementID: z.string(),
  statementIDs: z.array(z.string()).optional(),
  createdOn: z.number().int(),
});

/** GET /v2/version. */
export const Version = z.looseObject({ major: z.number().int(), minor: z.number().int(), patch: z.number().int() });

/** Every HTTP error (400, 401, 403, 404, 408, 500, 503). */
export const ErrorResponse = z.looseObject({ message: z.string() });

export type StatementRequestBody = z.infer<typeof StatementRequest>;
export type ResultSetBody = z.infer<typeof ResultSet>;
export type ResultSetColumnBody = z.infer<typeof ResultSetColumn>;
export type ResultSetContextBody = z.infer<typeof ResultSetContext>;
export type StatementStatusBody = z.infer<typeof StatementStatus>;
export type VersionBody = z.infer<typeof Version>;

// ---------------------------------------------------------------- sqlState

/** Success. */
export const SQLSTATE_OK = "00000";
/** Statement not yet complete (the 202 answer). */
export const SQLSTATE_PENDING = "03000";

/**
 * The vendor's sqlState table (go-deltastream `sqlcode.go`; the same list in ts-deltastream
 * `src/error.ts`), with what each means. Codes are opaque strings: note the SDK's six-character
 * duplicates (`42P010`…`42P019`, `42P001`, `42P002`), kept as the SDK spells them.
 */
export const SQLSTATES = {
  "00000": "successful completion",
  "01000": "warning",
  "01004": "string data right truncation",
  "01006": "privilege not revoked",
  "01007": "privilege not granted",
  "01P01": "deprecated feature",
  "02000": "no data",
  "03000": "SQL statement not yet complete",
  "0A000": "feature not supported",
  "0L000": "invalid grantor",
  "0LP01": "invalid grant operation",
  "2BP01": "dependent objects still exist",
  "3D000": "user not found",
  "3D001": "role not found",
  "3D002": "database not found",
  "3D003": "schema not found",
  "3D004": "organization not found",
  "3D005": "region not found",
  "3D006": "store not found",
  "3D007": "topic (entity) not found",
  "3D008": "parameter not found",
  "3D009": "schema registry not found",
  "3D010": "descriptor not found",
  "3D011": "descriptor source not found",
  "3D012": "API token not found",
  "3D013": "security integration not found",
  "3D014": "metrics integration not found",
  "3D015": "sandbox not found",
  "3D016": "secret not found",
  "3D017": "function not found",
  "3D018": "function source not found",
  "3D019": "query not found",
  "3D020": "relation not found",
  "3D021": "missing parameter",
  "3D022": "private link not found",
  "3D023": "compute pool not found",
  "3D024": "userdata not found",
  "3D025": "dataplane not found",
  "3D026": "playbook not found",
  "3E001": "store not ready",
  "3E002": "schema registry not ready",
  "3E003": "relation not ready",
  "3E004": "compute pool not ready",
  "42501": "insufficient privilege",
  "42601": "syntax error",
  "42622": "name too long",
  "42710": "duplicate object",
  "42P04": "duplicate database",
  "42P05": "duplicate store",
  "42P06": "duplicate schema",
  "42P07": "duplicate user",
  "42P08": "duplicate topic descriptor",
  "42P09": "duplicate API token",
  "42P010": "duplicate security integration",
  "42P011": "duplicate role",
  "42P012": "duplicate metrics integration",
  "42P013": "duplicate sandbox",
  "42P014": "duplicate secret",
  "42P015": "duplicate function",
  "42P016": "duplicate function source",
  "42P017": "duplicate relation",
  "42P018": "duplicate schema registry",
  "42P019": "duplicate compute pool",
  "42P001": "ambiguous organization",
  "42P002": "ambiguous store",
  "53000": "configuration limit exceeded",
  "57000": "cancelled",
  "57014": "timeout",
  "57015": "remote unavailable",
  XX000: "internal error",
  XX001: "undefined",
} as const;

export type SqlState = keyof typeof SQLSTATES;

/** Not found: every 3D0xx except 3D021 (a missing parameter is a bad statement). */
export const isNotFoundState = (s: string): boolean => /^3D0\d\d$/.test(s) && s !== "3D021";
/** Already exists: 42710 and the 42P0x / 42P01x duplicates (both spellings). */
export const isDuplicateState = (s: string): boolean => s === "42710" || (/^42P0\d{1,2}$/.test(s) && s !== "42P001" && s !== "42P002");
/** Not ready yet (transient): 3E00x. */
export const isNotReadyState = (s: string): boolean => /^3E\d{3}$/.test(s);

// ---------------------------------------------------------------- catalogue facts

/** Store types the emulator accepts (`'type' = KAFKA` …), with the vendor's property names. */
export const STORE_TYPES = ["KAFKA", "CONFLUENT_KAFKA", "KINESIS", "POSTGRESQL", "SNOWFLAKE", "DATABRICKS"] as const;
export type StoreType = (typeof STORE_TYPES)[number];
/** How `deltastream.sys."stores"`.type spells each store type (the vendor's providers read these names). */
export const SYS_STORE_TYPE_NAMES: Record<StoreType, string> = { KAFKA: "Kafka", CONFLUENT_KAFKA: "ConfluentKafka", KINESIS: "Kinesis", POSTGRESQL: "Postgres", SNOWFLAKE: "Snowflake", DATABRICKS: "Databricks" };
/** A store type as `deltastream.sys` (ConfluentKafka, Postgres) or a statement (CONFLUENT_KAFKA, POSTGRESQL) spells it; undefined when it is none. */
export function storeTypeFromSys(v: string | undefined): StoreType | undefined {
  if (v === undefined) return undefined;
  const letters = (s: string) => s.toUpperCase().replace(/[^A-Z]/g, "");
  return STORE_TYPES.find((t) => letters(t) === letters(v) || letters(SYS_STORE_TYPE_NAMES[t]) === letters(v));
}

/** Readiness states of stores, schema registries and secrets in `deltastream.sys`. */
export const READINESS_STATES = ["pending", "ready", "errored"] as const;
/** Query states in `deltastream.sys."queries"` (current_state). */
export const QUERY_STATES = ["starting", "running", "terminate_requested", "terminated", "errored"] as const;
/** Relation types in `deltastream.sys."relations"` (relation_type). */
export const RELATION_TYPES = ["stream", "changelog", "table"] as const;
