/**
 * Alation's wire contract for the Queries API and the token endpoints
 * (shared/vendor-docs/alation-queries-api.txt; notes §2, "deltastream-alation-carto.md"): the
 * paths, and zod schemas of the requests the provider sends and of the answers it reads. The
 * client (provider/alation/api.ts), the emulator (emulator/alation/) and
 * test/integration/alation-contract.test.ts all use it. Request schemas are loose (unknown fields
 * pass, as the vendor lets them); answer schemas hold the fields the doc documents.
 *
 * The vendor has no update and no delete of a query (the doc and Alation's own SDK agree).
 */
import { z } from "zod";

const V1 = "/integration/v1";

/** The API paths: the one place they are written down. */
export const ALATION_PATHS = {
  queries: () => `${V1}/query/`,
  query: (id: number | string) => `${V1}/query/${id}/`,
  querySql: (id: number | string) => `${V1}/query/${id}/sql/`,
  queryLatestResult: (id: number | string) => `${V1}/query/${id}/result/latest/`,
  queryImport: () => `${V1}/query/import/`,
  resultCsv: (id: number | string) => `${V1}/result/${id}/csv/`,
  sessions: () => `${V1}/query/execution_session/`,
  session: (id: number | string) => `${V1}/query/execution_session/${id}/`,
  querySessions: (queryId: number | string) => `${V1}/query/${queryId}/execution_session/`,
  batches: () => `${V1}/query/execution_batch/`,
  batch: (id: number | string) => `${V1}/query/execution_batch/${id}/`,
  queryBatches: (queryId: number | string) => `${V1}/query/${queryId}/execution_batch/`,
  events: () => `${V1}/query/execution_event/`,
  event: (id: number | string) => `${V1}/query/execution_event/${id}/`,
  queryEvents: (queryId: number | string) => `${V1}/query/${queryId}/execution_event/`,
  scheduledRuns: () => `${V1}/query/scheduled_run/`,
  queryScheduledRuns: (queryId: number | string) => `${V1}/query/${queryId}/scheduled_run/`,
  datasources: () => `${V1}/datasource/`,
  createAccessToken: () => `${V1}/createAPIAccessToken/`,
  validateAccessToken: () => `${V1}/validateAPIAccessToken/`,
  validateRefreshToken: () => `${V1}/validateRefreshToken/`,
  revokeAccessTokens: () => `${V1}/revokeAPIAccessTokens/`,
} as const;

/** Router patterns (":id" placeholders), derived from the same table. */
export const ALATION_ROUTES = {
  queries: ALATION_PATHS.queries(),
  query: ALATION_PATHS.query(":id"),
  querySql: ALATION_PATHS.querySql(":id"),
  queryLatestResult: ALATION_PATHS.queryLatestResult(":id"),
  queryImport: ALATION_PATHS.queryImport(),
  resultCsv: ALATION_PATHS.resultCsv(":id"),
  sessions: ALATION_PATHS.sessions(),
  session: ALATION_PATHS.session(":id"),
  querySessions: ALATION_PATHS.querySessions(":id"),
  batches: ALATION_PATHS.batches(),
  batch: ALATION_PATHS.batch(":id"),
  queryBatches: ALATION_PATHS.queryBatches(":id"),
  events: ALATION_PATHS.events(),
  event: ALATION_PATHS.event(":id"),
  queryEvents: ALATION_PATHS.queryEvents(":id"),
  scheduledRuns: ALATION_PATHS.scheduledRuns(),
  queryScheduledRuns: ALATION_PATHS.queryScheduledRuns(":id"),
  datasources: ALATION_PATHS.datasources(),
  createAccessToken: ALATION_PATHS.createAccessToken(),
  validateAccessToken: ALATION_PATHS.validateAccessToken(),
  validateRefreshToken: ALATION_PATHS.validateRefreshToken(),
  revokeAccessTokens: ALATION_PATHS.revokeAccessTokens(),
} as const;

/** The header that carries an API access token (any case; Alation's SDK sends `Token`). */
export const TOKEN_HEADER = "token";

const id = z.number().int().positive();
const ts = z.string();

// ---------------------------------------------------------------- requests

/** POST /integration/v1/query/ body. `author` needs an admin token and one of id, email, username. */
export const CreateQueryRequest = z.looseObject({
  datasource_id: id,
  content: z.string(),
  saved: z.boolean().optional(),
  published: z.boolean().optional(),
  title: z.string().optional(),
  description: z.string().optional(),
  tag_names: z.array(z.string()).optional(),
  domain_ids: z.array(id).optional(),
  author: z
    .looseObject({ id: id.optional(), email: z.string().optional(), username: z.string().optional() })
    .refine((a) => a.id !== undefined || a.email !== undefined || a.username !== undefined, "author must contain one of id, email or username")
    .optional(),
});

/** POST createAPIAccessToken / validateRefreshToken / revokeAPIAccessTokens body. */
export const RefreshTokenRequest = z.looseObject({ refresh_token: z.string().min(1), user_id: z.union([id, z.string().regex(/^\d+$/)]) });

/** POST validateAPIAccessToken body. */
export const ValidateAccessTokenRequest = z.looseObject({ api_access_token: z.string().min(1), user_id: z.union([id, z.string().regex(/^\d+$/)]) });

// ---------------------------------------------------------------- answers

export const TOKEN_STATUSES = ["ACTIVE", "EXPIRED", "REVOKED"] as const;

/** createAPIAccessToken (201) and validateAPIAccessToken (200). */
export const AccessToken = z.looseObject({
  api_access_token: z.string(),
  user_id: z.number().int(),
  created_at: ts,
  token_expires_at: ts,
  token_status: z.enum(TOKEN_STATUSES),
});

/** validateRefreshToken (200): the token itself is not echoed. */
export const RefreshTokenInfo = z.looseObject({
  user_id: z.number().int(),
  created_at: ts,
  token_expires_at: ts,
  token_status: z.enum(TOKEN_STATUSES),
  last_used_at: ts.nullable(),
  name: z.string(),
});

/** revokeAPIAccessTokens (200). */
export const RevokeResponse = z.looseObject({ detail: z.string() });

export const Datasource = z.looseObject({ id, title: z.string(), uri: z.string(), url: z.string() });

/** GET /integration/v1/datasource/: one native data source. */
export const NativeDatasource = z.looseObject({
  id,
  title: z.string(),
  description: z.string(),
  dbtype: z.string(),
  uri: z.string(),
  url: z.string(),
  is_virtual: z.boolean(),
  deleted: z.boolean(),
});
export const NativeDatasourceList = z.array(NativeDatasource);

export const Domain = z.looseObject({ id, title: z.string(), description: z.string() });
export const Tag = z.looseObject({ id, name: z.string(), description: z.string(), ts_created: ts, url: z.string(), ts_updated: ts });

export const ScheduleSession = z.looseObject({ id, client_session_id: z.string(), query_id: id, ts_start: ts, sandbox_id: z.string(), batch_ids: z.array(id) });

export const Schedule = z.looseObject({
  enabled: z.boolean(),
  cron_expression: z.string(),
  ts_last_attempt: ts.nullable(),
  overdue: z.boolean(),
  ts_next_run: ts.nullable(),
  celery_queue: z.string(),
  celery_task_name: z.string(),
  user: z.looseObject({ username: z.string(), is_active: z.boolean() }),
  db_connection: z.looseObject({ uri: z.string(), username: z.string(), ts_modified: ts.nullable(), ts_last_used: ts.nullable() }),
  latest_session: ScheduleSession.nullable(),
});

/** A query: POST /query/ (201) and GET /query/<id>/ (200); GET /query/ answers an array of these. */
export const Query = z.looseObject({
  id,
  datasource_id: id,
  autosave_content: z.string(),
  content: z.string(),
  title: z.string(),
  saved: z.boolean(),
  published: z.boolean(),
  description: z.string(),
  url: z.string(),
  domains: z.array(Domain),
  tags: z.array(Tag),
  datasource: Datasource,
  ts_last_saved: ts.nullable(),
  has_unsaved_changes: z.boolean(),
  catalog_url: z.string(),
  compose_url: z.string(),
  schedules: z.array(Schedule),
});
export const QueryList = z.array(Query);

/** GET /query/<id>/result/latest/. */
export const LatestResult = z.looseObject({
  id,
  truncated: z.boolean(),
  execution_event: z.looseObject({
    executed_at: ts,
    canceled: z.boolean(),
    execution_error: z.string().nullable(),
    finished: z.boolean(),
    finished_at: ts.nullable(),
    seconds_taken: z.number(),
  }),
});

export const ExecutionSession = z.looseObject({
  id,
  client_session_id: z.string(),
  query_id: id,
  ts_start: ts,
  sandbox_id: z.string(),
  is_scheduled: z.boolean(),
  batch_ids: z.array(id),
});
export const ExecutionSessionList = z.array(ExecutionSession);

export const ExecutionBatch = z.looseObject({ id, query_id: id, session_id: id, events: z.array(z.looseObject({ id, index_in_batch: z.number().int() })) });
export const ExecutionBatchList = z.array(ExecutionBatch);

export const RESULT_STORAGE_STATUSES = ["IN_PROGRESS", "STORED_PART", "STORED_ALL", "STORED_PREVIEW"] as const;

export const ExecutionResult = z.looseObject({
  id,
  title: z.string(),
  ts_created: ts,
  row_count: z.number().int(),
  byte_count: z.number().int(),
  ts_expiration: ts,
  truncated: z.boolean(),
  expired: z.boolean(),
  deleted: z.boolean(),
  url: z.string(),
  storage_status: z.enum(RESULT_STORAGE_STATUSES),
  data_schema: z.array(z.looseObject({ norm_type: z.string(), type: z.string(), original_name: z.string(), name: z.string() })),
  query: z.looseObject({ id, title: z.string(), description: z.string() }),
});

export const ExecutionEvent = z.looseObject({
  id,
  result: ExecutionResult.nullable(),
  num_result_rows: z.number().int().nullable(),
  execution_error: z.string().nullable(),
  canceled: z.boolean(),
  ts_executed: ts,
  elapsed_seconds: z.number(),
  index_in_batch: z.number().int(),
  batch_id: id,
  session_id: id,
  query_id: id,
  db_username: z.string(),
  statement_content: z.string(),
  datasource: Datasource,
});
export const ExecutionEventList = z.array(ExecutionEvent);

export const ScheduledRun = z.looseObject({
  session_id: id.nullable(),
  query_id: id.nullable(),
  query_title: z.string().nullable(),
  task_id: z.string(),
  ts_sent_to_broker: ts,
  ts_prerun: ts.nullable(),
  ts_postrun: ts.nullable(),
});
export const ScheduledRunList = z.array(ScheduledRun);

// ---------------------------------------------------------------- errors

/** 403 (missing or invalid token), 404, and the token endpoints' 401 (`code`). */
export const DetailError = z.looseObject({ detail: z.string(), code: z.string().optional() });
/** 400 of the list endpoints (bad filter value, ordering with schedule_* filters). */
export const ListError = z.object({ error: z.string() });
/** 400 of POST /query/: field → messages (Django REST framework's serializer errors). */
export const FieldErrors = z.record(z.string(), z.array(z.string()));

export const ERRORS = {
  missingToken: "Missing API token.",
  invalidToken: "Invalid API token.",
  notFound: "Not found.",
  invalidRefreshToken: "Refresh token provided is invalid.",
  invalidAccessToken: "API access token provided is invalid.",
  authorNotAdmin: "Only admins may specify the author of a query.",
  noLatestResult: (queryId: number | string) => `Could not get latest query result ID for query ID ${queryId}`,
  invalidValue: (values: string[], param: string) => `Invalid value(s) [${values.map((v) => `'${v}'`).join(", ")}] for URL parameter '${param}'`,
  orderingWithFilter: (ordering: string, filters: string[]) =>
    `Ordering with "${ordering}" may not be used with filtering on "${filters.join('", "')}" You may either remove the filter(s) or remove the ordering parameter.`,
} as const;

/** `order_by` values of GET /query/ (a leading "-" reverses). */
export const QUERY_ORDERINGS = ["id", "title", "description", "last_saved_at", "autosave_content", "content", "saved", "published"] as const;
/** `order_by` values of GET /query/scheduled_run/. */
export const SCHEDULED_RUN_ORDERINGS = ["ts_sent_to_broker", "ts_prerun", "ts_postrun"] as const;

export type QueryBody = z.infer<typeof Query>;
export type CreateQueryBody = z.infer<typeof CreateQueryRequest>;
export type NativeDatasourceBody = z.infer<typeof NativeDatasource>;
export type LatestResultBody = z.infer<typeof LatestResult>;
export type ExecutionSessionBody = z.infer<typeof ExecutionSession>;
export type ExecutionBatchBody = z.infer<typeof ExecutionBatch>;
export type ExecutionEventBody = z.infer<typeof ExecutionEvent>;
export type ScheduledRunBody = z.infer<typeof ScheduledRun>;
export type AccessTokenBody = z.infer<typeof AccessToken>;
