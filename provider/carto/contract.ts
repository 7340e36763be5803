/**
 * CARTO's wire contract: the SQL API v2 (shared/vendor-docs/carto-sql-api-openapi.txt, corrected
 * from the server's own source, CartoDB/CartoDB-SQL-API — notes §3) and the Auth API v3
 * (`/api/v3/api_keys`, CartoDB/cartodb's auth-api swagger). The paths and zod schemas of what the
 * provider sends and what it reads; the client (provider/carto/api.ts), the emulator
 * (emulator/carto/) and the contract tests all use this one file. Request schemas are loose
 * (unknown fields pass, as the vendor lets them).
 *
 * Vendor facts the OpenAPI gets wrong and this contract follows (from the server source):
 * - job create answers **201**; a job cannot be changed (PUT/PATCH were removed in 2016);
 * - the cancelled status is spelled **`cancelled`**, and `skipped` exists;
 * - the API key comes from Basic auth (user = the account's username, password = key), from
 *   `api_key` (or `map_key`) in the query string or in the body — never from a header;
 * - errors are `{"error": [message], context?, detail?, hint?}`; an error raised after rows
 *   have started streaming is appended to the JSON answer, which is then an **HTTP 200**;
 * - a statement timeout is a **429 with `detail: "datasource"`**, a rate limit a **429 with
 *   `detail: "rate-limit"`**, `Retry-After` and `Carto-Rate-Limit-*` headers;
 * - COPY FROM that copies zero rows is an error ("No rows copied");
 * - finished jobs expire (2 hours), then GET answers 404.
 */
import { z } from "zod";

/** The API paths (relative to the account's base URL, `https://<user>.carto.com` or `…/user/<user>`): the one place they are written down. */
export const CARTO_PATHS = {
  sql: () => "/api/v2/sql",
  jobs: () => "/api/v2/sql/job",
  job: (id: string) => `/api/v2/sql/job/${encodeURIComponent(id)}`,
  copyFrom: () => "/api/v2/sql/copyfrom",
  copyTo: () => "/api/v2/sql/copyto",
  apiKeys: () => "/api/v3/api_keys",
  apiKey: (name: string) => `/api/v3/api_keys/${encodeURIComponent(name)}`,
  apiKeyRegenerate: (name: string) => `/api/v3/api_keys/${encodeURIComponent(name)}/token/regenerate`,
} as const;

/** Router patterns (":x" placeholders), derived from the same table. */
export const CARTO_ROUTES = {
  sql: CARTO_PATHS.sql(),
  jobs: CARTO_PATHS.jobs(),
  job: "/api/v2/sql/job/:id",
  copyFrom: CARTO_PATHS.copyFrom(),
  copyTo: CARTO_PATHS.copyTo(),
  apiKeys: CARTO_PATHS.apiKeys(),
  apiKey: "/api/v3/api_keys/:name",
  apiKeyRegenerate: "/api/v3/api_keys/:name/token/regenerate",
} as const;

/** The account-in-path form the server also serves: `/user/<user>/api/v2/sql` etc. */
export const CARTO_USER_PREFIX = (user: string) => `/user/${encodeURIComponent(user)}`;

// ---------------------------------------------------------------- SQL API: /sql

/** Output formats of `/sql` (the OpenAPI's list, plus what the server also serves). */
export const CARTO_FORMATS = ["json", "geojson", "csv", "topojson", "svg", "gpkg", "shp", "kml", "spatialite", "arraybuffer"] as const;
export type CartoFormat = (typeof CARTO_FORMATS)[number];

/** GET query string / POST body of `/sql` (POST also takes form-encoded bodies). */
export const SqlRequest = z.looseObject({
  q: z.string(),
  format: z.string().optional(),
  filename: z.string().optional(),
  /** Comma-separated column names left out of the answer (or an array in a JSON body). */
  skipfields: z.union([z.string(), z.array(z.string())]).optional(),
  /** Decimal digits of coordinates in GeoJSON/SVG output. */
  dp: z.union([z.string(), z.number()]).optional(),
  api_key: z.string().optional(),
  map_key: z.string().optional(),
});

/** A field of the JSON answer: `{type, pgtype}`, or for geometry/geography/raster `{type, wkbtype, dims, srid}`. */
export const SqlField = z.union([
  z.object({ type: z.enum(["geometry", "geography", "raster"]), wkbtype: z.string().optional(), dims: z.number().int(), srid: z.number().int() }),
  z.object({ type: z.string(), pgtype: z.string() }),
]);

/**
 * The JSON answer of `/sql` (format json): rows, time in seconds, fields (CARTO's type names:
 * number, string, boolean, date, geometry, … with `[]` for arrays), total_rows (rows returned, or
 * the rows a write affected), and by notice severity `notices` / `warnings` / `infos` ….
 * `error` is present when the statement failed after rows started streaming (HTTP 200).
 */
export const SqlResult = z.looseObject({
  rows: z.array(z.record(z.string(), z.unknown())),
  time: z.number(),
  fields: z.record(z.string(), SqlField),
  total_rows: z.number().int().nonnegative(),
  notices: z.array(z.string()).optional(),
  warnings: z.array(z.string()).optional(),
  error: z.array(z.string()).optional(),
});

/** Every error answer: `{"error": [message], context?, detail?, hint?}` (detail "datasource" / "rate-limit" on 429s). */
export const ErrorResponse = z.looseObject({
  error: z.array(z.string()).min(1),
  context: z.string().optional(),
  detail: z.string().optional(),
  hint: z.string().optional(),
});

/** `detail` of the two 429s: a statement timeout ("datasource": do not retry) and a rate limit ("rate-limit": retry after Retry-After). */
export const LIMIT_DETAILS = { timeout: "datasource", rateLimit: "rate-limit" } as const;

/** The vendor's messages, matched on by clients (the server exposes no SQLSTATE). */
export const CARTO_MESSAGES = {
  unauthorized: "Unauthorized",
  permissionDenied: "permission denied",
  systemTables: "system tables are forbidden",
  timeout: "You are over platform's limits: SQL query timeout error. Refactor your query before running again or contact CARTO support for more details.",
  rateLimit: "You are over platform's limits. Please contact us to know more details",
  noRowsCopied: "No rows copied",
  copyMissing: "SQL is missing",
  copyNotCopy: "SQL must start with COPY",
  quota: "DB Quota exceeded",
  maxJobs: (n: number) => `Max number of jobs (${n}) queued reached`,
  jobNotFound: (id: string) => `Job with id ${id} not found`,
  userNotFound: (user: string) => `Sorry, we can't find CARTO user '${user}'. Please check that you have entered the correct domain.`,
} as const;

/** Rate-limit headers (on every answer of a limited endpoint group; Retry-After only on a 429). */
export const RATE_LIMIT_HEADERS = {
  limit: "carto-rate-limit-limit",
  remaining: "carto-rate-limit-remaining",
  reset: "carto-rate-limit-reset",
  retryAfter: "retry-after",
} as const;

/** The endpoint groups rate limits apply to, one budget each per user. */
export const RATE_LIMIT_GROUPS = ["query", "job_create", "job_get", "job_delete", "copy_from", "copy_to"] as const;
export type RateLimitGroup = (typeof RATE_LIMIT_GROUPS)[number];

// ---------------------------------------------------------------- SQL API: batch jobs

/** Statuses of a job and of each of its queries (`cancelled` with two Ls; `skipped` for fallbacks not run). */
export const JOB_STATUSES = ["pending", "running", "done", "failed", "cancelled", "skipped", "unknown"] as const;
export const JobStatus = z.enum(JOB_STATUSES);
export type JobStatusName = z.infer<typeof JobStatus>;
/** Statuses a job ends in (no further change; the job expires after the TTL). */
export const FINAL_JOB_STATUSES: readonly JobStatusName[] = ["done", "failed", "cancelled", "unknown"];

/** Templates expanded in fallback queries: the job's id (onsuccess/onerror) and the error (onerror). */
export const JOB_TEMPLATES = { jobId: "<%= job_id %>", errorMessage: "<%= error_message %>" } as const;

/** Limits of batch jobs. */
export const JOB_LIMITS = {
  /** Request body size (bytes) of a job create. */
  maxPayloadBytes: 16 * 1024,
  /** Jobs queued (pending) per user. */
  maxQueuedJobs: 64,
  /** Finished jobs are forgotten after this (ms). */
  finishedTtlMs: 2 * 60 * 60 * 1000,
} as const;

/** One query of the fallback form, as sent. */
export const JobFallbackQueryInput = z.looseObject({
  query: z.string(),
  onsuccess: z.string().optional(),
  onerror: z.string().optional(),
  /** Per-query timeout in ms (lowers the job-level one). */
  timeout: z.number().int().positive().optional(),
});

/** `{query: [{query, onsuccess?, onerror?, timeout?}], onsuccess?, onerror?}`. */
export const JobFallbackInput = z.looseObject({
  query: z.array(JobFallbackQueryInput).min(1),
  onsuccess: z.string().optional(),
  onerror: z.string().optional(),
});

/** The `query` of a job create: one statement, an array of them, or the fallback form. */
export const JobQueryInput = z.union([z.string(), z.array(z.string()).min(1), JobFallbackInput]);

/** POST /sql/job body (JSON; also `api_key` in it). */
export const JobCreate = z.looseObject({ query: JobQueryInput, api_key: z.string().optional() });

/** A query of a multiple-statement job, as the server returns it. */
export const JobQueryState = z.looseObject({ query: z.string(), status: JobStatus, failed_reason: z.string().optional() });

/** A query of a fallback job, as the server returns it. */
export const JobFallbackQueryState = z.looseObject({
  query: z.string(),
  onsuccess: z.string().optional(),
  onerror: z.string().optional(),
  timeout: z.number().optional(),
  status: JobStatus,
  fallback_status: JobStatus.optional(),
  failed_reason: z.string().optional(),
  started_at: z.string().optional(),
  ended_at: z.string().optional(),
});

/** A job (answer of create 201, get 200 and delete 200). */
export const Job = z.looseObject({
  job_id: z.string(),
  user: z.string(),
  status: JobStatus,
  query: z.union([
    z.string(),
    z.array(JobQueryState),
    z.looseObject({ query: z.array(JobFallbackQueryState), onsuccess: z.string().optional(), onerror: z.string().optional() }),
  ]),
  fallback_status: JobStatus.optional(),
  failed_reason: z.string().optional(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type JobBody = z.infer<typeof Job>;

// ---------------------------------------------------------------- SQL API: COPY

/** POST /sql/copyfrom answer. */
export const CopyFromResult = z.object({ time: z.number(), total_rows: z.number().int().nonnegative() });

/** The Content-Disposition filename of /sql/copyto when none is given. */
export const COPYTO_DEFAULT_FILENAME = "carto-sql-copyto.dmp";

// ---------------------------------------------------------------- Auth API: /api/v3/api_keys

export const API_KEY_TYPES = ["master", "default", "regular"] as const;
export const TABLE_PERMISSIONS = ["select", "insert", "update", "delete"] as const;
export const SCHEMA_PERMISSIONS = ["create"] as const;
export const KEY_APIS = ["sql", "maps"] as const;
export const DATASERVICES = ["geocoding", "routing", "isolines", "observatory"] as const;

export const ApisGrant = z.object({ type: z.literal("apis"), apis: z.array(z.enum(KEY_APIS)) });
export const TableGrant = z.object({ schema: z.string().min(1), name: z.string().min(1), permissions: z.array(z.enum(TABLE_PERMISSIONS)) });
export const SchemaGrant = z.object({ name: z.string().min(1), permissions: z.array(z.enum(SCHEMA_PERMISSIONS)) });
export const DatabaseGrant = z.object({
  type: z.literal("database"),
  tables: z.array(TableGrant).optional(),
  schemas: z.array(SchemaGrant).optional(),
  table_metadata: z.array(z.unknown()).optional(),
});
export const DataservicesGrant = z.object({ type: z.literal("dataservices"), services: z.array(z.enum(DATASERVICES)) });
export const Grant = z.discriminatedUnion("type", [ApisGrant, DatabaseGrant, DataservicesGrant]);
export type GrantBody = z.infer<typeof Grant>;

/** POST /api/v3/api_keys body (a `regular` key; 422 when it does not fit). */
export const ApiKeyCreate = z.object({ name: z.string().min(1), grants: z.array(Grant).min(1) });

/** An API key as the Auth API returns it. */
export const ApiKey = z.looseObject({
  name: z.string(),
  type: z.enum(API_KEY_TYPES),
  token: z.string(),
  user: z.object({ username: z.string() }).optional(),
  grants: z.array(Grant),
  created_at: z.string(),
  updated_at: z.string(),
  _links: z.looseObject({ self: z.string() }).optional(),
});
export type ApiKeyBody = z.infer<typeof ApiKey>;

const Link = z.object({ href: z.string() });

/** GET /api/v3/api_keys (`per_page`, `page`, `order`). */
export const ApiKeyList = z.looseObject({
  total: z.number().int(),
  count: z.number().int(),
  result: z.array(ApiKey),
  _links: z.looseObject({ first: Link.optional(), prev: Link.optional(), next: Link.optional(), last: Link.optional() }),
});

/** Errors of the Auth API: `{errors: "…"}` (401/403/404) or `{errors: {field: [...]}}` (422). */
export const AuthApiError = z.looseObject({ errors: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]) });

export type SqlResultBody = z.infer<typeof SqlResult>;
export type ErrorResponseBody = z.infer<typeof ErrorResponse>;
export type CopyFromResultBody = z.infer<typeof CopyFromResult>;
