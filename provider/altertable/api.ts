/**
 * Altertable lakehouse API client (shared/vendor-docs/altertable-http-api.txt, notes §2.3).
 * Basic auth; /query answers NDJSON (metadata line, columns line, one line per row; an engine
 * error arrives as an {"error"} line inside the 200); /upsert takes a file body; /append takes
 * JSON records and answers with a task id.
 */
import { Readable } from "node:stream";
import { z } from "zod";
import { HttpClient, HttpClientOptions } from "../http/client";
import { WarehouseApiError } from "../http/errors";
import { parseJsonLossless } from "../http/json";
import { resourceDefiner } from "../framework/spec";
import { idCodec } from "../framework/ids";
import { ALTERTABLE_SETTINGS as A } from "./settings";
import { SqlPart, literal, name, render, sql } from "../sql/builder";
import { DUCKDB } from "../sql/dialect";

/** The paths live in the wire contract (contract.ts); re-exported for existing callers. */
export { ALTERTABLE_PATHS } from "./contract";
import { ALTERTABLE_PATHS } from "./contract";

export interface AltertableSettings {
  endpoint: string;
  username: string;
  password: string;
}

export interface QueryResult {
  columns: { name: string; type: string }[];
  rows: unknown[][];
}

export type UploadMode = "create" | "append" | "upsert" | "overwrite";

export interface TableRef {
  catalog: string;
  schema: string;
  table: string;
}

/** "catalog"."schema"."table", for the statement builder. */
export function qualified(ref: TableRef): SqlPart {
  return name(ref.catalog, ref.schema, ref.table);
}

/** A named object of a schema (table or view): its quoted name and its Pulumi id. */
export interface ObjectRef {
  catalog: string;
  schema: string;
  name: string;
}

/** "catalog"."schema"."name", for the statement builder. */
export function quotedName(o: ObjectRef): SqlPart {
  return name(o.catalog, o.schema, o.name);
}

/** The id of a table or view: `catalog.schema.name` (framework/ids.ts). */
export const OBJECT_ID = idCodec("catalog", "schema", "name");

/** The id `catalog.schema.name` back into its parts. */
export function splitObjectId(id: string): ObjectRef {
  return OBJECT_ID.decode(id);
}

/** Altertable's engine. */
export const ALTERTABLE_DIALECT = DUCKDB;

export function createAltertableHttp(settings: AltertableSettings, extra: Partial<HttpClientOptions> = {}): HttpClient {
  const token = Buffer.from(`${settings.username}:${settings.password}`).toString("base64");
  return new HttpClient({
    vendor: "Altertable",
    baseUrl: settings.endpoint,
    authHeaders: () => ({ authorization: `Basic ${token}` }),
    secrets: [settings.password, token],
    // The lakehouse API has no REST "no such object": objects are read with SQL, where a missing
    // one is an empty result. Any 404 is therefore a wrong path, never "gone".
    notFound: () => false,
    endpointSetting: A.endpoint.config,
    credentialHint: `the lakehouse credentials in ${A.username.config} and ${A.password.config} (or $${A.username.env} and $${A.password.env})`,
    parseError: (body, text) => {
      if (body && typeof body === "object") {
        const b = body as { error?: unknown; error_message?: unknown; message?: unknown };
        const message = [b.error_message, b.error, b.message].find((m) => typeof m === "string") as string | undefined;
        return { message, code: typeof (body as { error_code?: unknown }).error_code === "string" ? (body as { error_code: string }).error_code : undefined };
      }
      return { message: text.trim() || undefined };
    },
    ...extra,
  });
}

export class AltertableApi {
  constructor(readonly http: HttpClient) {}

  /**
   * Runs one statement (or a BEGIN … COMMIT script). Provider code passes a statement built with
   * the SQL builder (provider/sql); a string is the caller's own SQL, sent as written (tests, ad-hoc).
   * Whether a failure is retried is decided by the DuckDB dialect's idempotency table: reads,
   * DROP … IF EXISTS, CREATE OR REPLACE, COMMENT ON … are sent again after a 5xx or a dropped
   * connection; CREATE, ADD COLUMN, INSERT, DELETE … never are. An engine error (an {"error"}
   * line in the 200) is thrown typed by the dialect's error mapper (a missing object is not_found).
   */
  async query(statement: SqlPart | string, opts: { catalog?: string; schema?: string } = {}): Promise<QueryResult> {
    const text = typeof statement === "string" ? statement : render(statement, ALTERTABLE_DIALECT);
    const operation = "Altertable POST /query";
    const res = await this.http.request<unknown>({ method: "POST", path: ALTERTABLE_PATHS.query(), body: { statement: text, ...opts }, idempotent: ALTERTABLE_DIALECT.classify(text).idempotent });
    const body = typeof res.data === "string" ? res.data : JSON.stringify(res.data);
    const lines = body.split("\n").filter((l) => l.trim() !== "").map((l) => parseJsonLossless(l) as unknown);
    const error = lines.find((l): l is { error: string } => !!l && typeof l === "object" && !Array.isArray(l) && typeof (l as { error?: unknown }).error === "string");
    if (error) throw ALTERTABLE_DIALECT.error({ message: error.error, operation, status: res.status });
    const columnsLine = lines[1];
    const columns = Array.isArray(columnsLine) ? columnsLine.map((c) => (typeof c === "string" ? { name: c, type: "" } : (c as { name: string; type: string }))) : [];
    return { columns, rows: lines.slice(2) as unknown[][] };
  }

  /** Rows of one statement as objects keyed by column name. */
  async rows(statement: SqlPart | string): Promise<Record<string, unknown>[]> {
    const r = await this.query(statement);
    return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c.name, row[i]])));
  }

  async validate(statement: string): Promise<{ valid: boolean; error?: string }> {
    const res = await this.http.request<{ valid: boolean; error?: string }>({ method: "POST", path: ALTERTABLE_PATHS.validate(), body: { statement }, idempotent: true });
    return { valid: Boolean(res.data.valid), ...(res.data.error ? { error: String(res.data.error) } : {}) };
  }

  /**
   * POST /upsert with a file body streamed from `body` (a factory: a retry re-opens it).
   * Only modes whose repetition is harmless (upsert, overwrite) are retried.
   */
  async upload(ref: TableRef, mode: UploadMode, primaryKey: string[] | undefined, contentType: string, body: () => Readable, readTimeoutMs = 3_600_000): Promise<void> {
    await this.http.request({
      method: "POST",
      path: ALTERTABLE_PATHS.upsert(),
      query: { ...ref, mode, primary_key: primaryKey?.length ? primaryKey.join(",") : undefined },
      headers: { "content-type": contentType },
      rawBody: body,
      idempotent: mode === "upsert" || mode === "overwrite",
      readTimeoutMs,
    });
  }

  async append(ref: TableRef, records: Record<string, unknown>[], sync = false): Promise<{ ok: boolean; task_id?: string; error_code?: string | null; error_message?: string | null }> {
    const res = await this.http.request<{ ok: boolean; task_id?: string; error_code?: string | null; error_message?: string | null }>({
      method: "POST",
      path: ALTERTABLE_PATHS.append(),
      query: { ...ref, sync: sync ? "true" : undefined },
      body: records,
    });
    if (!res.data.ok) {
      throw new WarehouseApiError("validation", "Altertable POST /append", `Altertable POST /append rejected the records (${res.data.error_code}): ${res.data.error_message}`, res.status, res.data.error_code ?? undefined);
    }
    return res.data;
  }

  async task(id: string): Promise<{ task_id: string; status: "pending" | "completed" }> {
    return (await this.http.request<{ task_id: string; status: "pending" | "completed" }>({ method: "GET", path: ALTERTABLE_PATHS.task(id) })).data;
  }

  /** True when the table exists. */
  async tableExists(ref: TableRef): Promise<boolean> {
    const rows = await this.rows(
      sql`SELECT count(*) AS n FROM information_schema.tables WHERE table_catalog = ${literal(ref.catalog)} AND table_schema = ${literal(ref.schema)} AND table_name = ${literal(ref.table)}`,
    );
    return Number(rows[0]?.n ?? 0) > 0;
  }
}

/** Declares an Altertable resource kind: its operations get an AltertableApi (the framework's one define helper). */
export const defineAltertableResource = resourceDefiner<AltertableApi>("altertable");
