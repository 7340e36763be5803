/**
 * Altertable's wire contract (shared/vendor-docs/altertable-http-api.txt): the paths, and zod
 * schemas of the requests the provider sends and the answers it reads. The client
 * (provider/altertable/api.ts) and the emulator (emulator/altertable/) both use it; the emulator
 * validates request bodies with it, and test/integration/contract.test.ts checks the emulator's
 * answers parse with it. Request schemas are loose (unknown fields pass, as the vendor lets them).
 */
import { z } from "zod";

/** The lakehouse API paths: the one place they are written down. */
export const ALTERTABLE_PATHS = {
  query: () => "/query",
  queryLog: (id: string) => `/query/${encodeURIComponent(id)}`,
  validate: () => "/validate",
  autocomplete: () => "/autocomplete",
  explain: () => "/explain",
  upsert: () => "/upsert",
  upload: () => "/upload",
  append: () => "/append",
  task: (id: string) => `/tasks/${encodeURIComponent(id)}`,
} as const;

/** Router patterns (":id" placeholders), derived from the same table. */
export const ALTERTABLE_ROUTES = {
  query: ALTERTABLE_PATHS.query(),
  queryLog: "/query/:id",
  validate: ALTERTABLE_PATHS.validate(),
  autocomplete: ALTERTABLE_PATHS.autocomplete(),
  explain: ALTERTABLE_PATHS.explain(),
  upsert: ALTERTABLE_PATHS.upsert(),
  upload: ALTERTABLE_PATHS.upload(),
  append: ALTERTABLE_PATHS.append(),
  task: "/tasks/:id",
} as const;

const optString = z.string().nullish();
const count = z.number().int().nonnegative().nullish();

// ---------------------------------------------------------------- requests

/** POST /query body. */
export const QueryRequest = z.looseObject({
  statement: z.string().refine((s) => s.trim() !== "", "`statement` must not be empty"),
  catalog: optString,
  schema: optString,
  timezone: optString,
  limit: count,
  offset: count,
  session_id: optString,
  query_id: optString,
  requested_by: optString,
  visible: z.unknown().optional(),
});

/** POST /validate body. */
export const ValidateRequest = z.looseObject({ statement: z.string().refine((s) => s.trim() !== "", "`statement` must not be empty"), catalog: optString, schema: optString });

/** POST /autocomplete body. */
export const AutocompleteRequest = z.looseObject({ statement: z.string(), catalog: optString, schema: optString, max_suggestions: count });

/** POST /explain body. */
export const ExplainRequest = z.looseObject({ statement: z.string(), catalog: optString, schema: optString, include_plan: z.boolean().nullish() });

export const UPSERT_MODES = ["create", "append", "upsert", "overwrite"] as const;
export const UPLOAD_MODES = ["create", "append", "upsert", "overwrite", "create_append"] as const;

/** POST /upsert query parameters (the body is the file). */
export const UpsertQuery = z.looseObject({
  catalog: z.string().min(1),
  schema: z.string().min(1),
  table: z.string().min(1),
  mode: z.enum(UPSERT_MODES).optional(),
  primary_key: z.string().optional(),
  cursor_field: z.string().optional(),
  format: z.string().optional(),
});

/** POST /append query parameters. */
export const AppendQuery = z.looseObject({ catalog: z.string().min(1), schema: z.string().min(1), table: z.string().min(1), sync: z.string().optional() });

/** POST /append body: one JSON object, or an array of them. */
export const AppendRequest = z.union([z.record(z.string(), z.unknown()), z.array(z.record(z.string(), z.unknown()))]);

// ---------------------------------------------------------------- responses

/** /query NDJSON, line 1. */
export const QueryMetadataLine = z.looseObject({
  statement: z.string(),
  rows_limit: z.number().nullable(),
  rows_offset: z.number().nullable(),
  session_id: z.string(),
  query_id: z.string(),
  connections_errors: z.record(z.string(), z.unknown()).optional(),
});

/** /query NDJSON, line 2: `[{name, type}]` (production), or the older list of names. */
export const QueryColumnsLine = z.union([z.array(z.object({ name: z.string(), type: z.string() })), z.array(z.string())]);

/** /query NDJSON, every further line: one row. */
export const QueryRowLine = z.array(z.unknown());

/** /query NDJSON: an engine error, as a line inside the 200. */
export const QueryErrorLine = z.object({ error: z.string() });

/** GET /query/:id. */
export const QueryLogEntry = z.looseObject({
  uuid: z.string(),
  start_time: z.string(),
  end_time: z.string().nullable(),
  duration_ms: z.number().nullable(),
  query: z.string(),
  session_id: z.string(),
  error: z.string().nullable(),
});

/** DELETE /query/:id?session_id=. */
export const CancelResponse = z.object({ cancelled: z.boolean(), message: z.string() });

/** POST /validate (always 200). */
export const ValidateResponse = z.object({ valid: z.boolean(), statement: z.string(), connections_errors: z.record(z.string(), z.unknown()), error: z.string().optional() });

export const AutocompleteResponse = z.looseObject({ suggestions: z.array(z.unknown()), statement: z.string() });
export const ExplainResponse = z.looseObject({ tables: z.array(z.unknown()), statement: z.string(), error: z.string().optional() });

export const APPEND_ERROR_CODES = ["invalid-data", "incompatible-schema"] as const;

/** POST /append (200 with ok true or false; 400 with ok false). */
export const AppendResponse = z.object({
  ok: z.boolean(),
  task_id: z.string().nullable(),
  error_message: z.string().nullable(),
  error_code: z.enum(APPEND_ERROR_CODES).nullable(),
});

/** GET /tasks/:id. */
export const TaskResponse = z.object({ task_id: z.string(), status: z.enum(["pending", "completed"]) });

/** JSON errors (/tasks, unknown routes): `{error}`. /query, /validate and uploads answer 400 as text/plain; 401 has an empty body. */
export const ErrorResponse = z.object({ error: z.string() });

/** POST /upsert and /upload answer 200 with an empty body. */
export const UpsertResponse = z.undefined();

/** 400s of /query, /validate and the uploads: a non-empty text/plain message. */
export const PlainError = z.string().min(1);

export type QueryRequestBody = z.infer<typeof QueryRequest>;
export type AppendResponseBody = z.infer<typeof AppendResponse>;
export type TaskResponseBody = z.infer<typeof TaskResponse>;
