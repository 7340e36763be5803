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
import { ResourceSpec } from "../framework/spec";

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

/** "catalog"."schema"."table" */
export function qualified(ref: TableRef): string {
  return [ref.catalog, ref.schema, ref.table].map(ident).join(".");
}

/** A named object of a schema (table or view): its quoted name and its Pulumi id. */
export interface ObjectRef {
  catalog: string;
  schema: string;
  name: string;
}

/** "catalog"."schema"."name" */
export function quotedName(o: ObjectRef): string {
  return [o.catalog, o.schema, o.name].map(ident).join(".");
}

/** The id `catalog.schema.name` back into its parts. */
export function splitObjectId(id: string): ObjectRef {
  const [catalog, schema, ...rest] = id.split(".");
  return { catalog, schema, name: rest.join(".") };
}

export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function createAltertableHttp(settings: AltertableSettings, extra: Partial<HttpClientOptions> = {}): HttpClient {
  const token = Buffer.from(`${settings.username}:${settings.password}`).toString("base64");
  return new HttpClient({
    vendor: "Altertable",
    baseUrl: settings.endpoint,
    authHeaders: () => ({ authorization: `Basic ${token}` }),
    secrets: [settings.password, token],
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

  /** Runs one statement; an engine error (an {"error"} line in the 200) is thrown. */
  async query(statement: string, opts: { catalog?: string; schema?: string } = {}): Promise<QueryResult> {
    const res = await this.http.request<unknown>({ method: "POST", path: ALTERTABLE_PATHS.query(), body: { statement, ...opts }, idempotent: /^\s*(select|with|describe|show|pragma)\b/i.test(statement) });
    const text = typeof res.data === "string" ? res.data : JSON.stringify(res.data);
    const lines = text.split("\n").filter((l) => l.trim() !== "").map((l) => parseJsonLossless(l) as unknown);
    const error = lines.find((l): l is { error: string } => !!l && typeof l === "object" && !Array.isArray(l) && typeof (l as { error?: unknown }).error === "string");
    if (error) throw new WarehouseApiError("validation", "Altertable POST /query", `Altertable POST /query failed: ${error.error}`);
    const columnsLine = lines[1];
    const columns = Array.isArray(columnsLine) ? columnsLine.map((c) => (typeof c === "string" ? { name: c, type: "" } : (c as { name: string; type: string }))) : [];
    return { columns, rows: lines.slice(2) as unknown[][] };
  }

  /** Rows of one statement as objects keyed by column name. */
  async rows(statement: string): Promise<Record<string, unknown>[]> {
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
      `SELECT count(*) AS n FROM information_schema.tables WHERE table_catalog = ${literal(ref.catalog)} AND table_schema = ${literal(ref.schema)} AND table_name = ${literal(ref.table)}`,
    );
    return Number(rows[0]?.n ?? 0) > 0;
  }
}

/** Declares an Altertable resource kind (a ResourceSpec whose operations get an AltertableApi). */
export function defineAltertableResource<S extends z.ZodObject, Raw, Out extends string>(
  spec: ResourceSpec<S, AltertableApi, Raw, Out> & { vendor: "altertable" },
): ResourceSpec<S, AltertableApi, Raw, Out> {
  return spec;
}
