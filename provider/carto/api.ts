/**
 * CARTO client (SQL API v2 and Auth API v3, on the one HTTP client; wire contract in contract.ts).
 *
 * - Auth: HTTP Basic, user = the account's username, password = the API key (the server takes
 *   the key from Basic auth, `api_key` in the query or the body — never from a header). The key
 *   never goes into a URL, so it never lands in an access log.
 * - SQL: every statement is built with the SQL builder (provider/sql, PostgreSQL dialect) and sent
 *   as `POST /api/v2/sql {q, format: "json"}`. Whether it is retried after a 5xx or a lost answer
 *   is the dialect's idempotency table. Errors are `{"error": [...]}`; an error after rows
 *   started streaming arrives inside an HTTP 200 and fails the call just the same. Engine errors
 *   are typed by the PostgreSQL error mapping (a missing relation is a not-found, a duplicate a
 *   conflict, "permission denied" an auth error).
 * - The two 429s: `detail: "rate-limit"` is retried after Retry-After by the client;
 *   `detail: "datasource"` is the account's statement timeout — a retry would time out again, so
 *   it fails at once, saying to run the statement as a carto.BatchJob.
 * - Batch jobs: create (201), get, cancel. A create is never re-sent blindly: callers mark the
 *   job's query with a run id and look it up (see batchJob.ts).
 * - COPY FROM: the body is streamed (chunked), gzip passed through with Content-Encoding.
 * - Auth API: list / get / create / delete / regenerate API keys (master key).
 */
import { Readable } from "node:stream";
import { z } from "zod";
import { HttpClient, HttpClientOptions } from "../http/client";
import { WarehouseApiError, isNotFound } from "../http/errors";
import { resourceDefiner } from "../framework/spec";
import { SqlPart, render } from "../sql/builder";
import { POSTGRES } from "../sql/dialect";
import { CARTO_SETTINGS as C } from "./settings";
import {
  ApiKey,
  ApiKeyBody,
  ApiKeyList,
  CARTO_PATHS,
  CopyFromResult,
  CopyFromResultBody,
  Job,
  JobBody,
  JobQueryInput,
  LIMIT_DETAILS,
  SqlResult,
  SqlResultBody,
} from "./contract";

export { CARTO_PATHS } from "./contract";

/** CARTO's engine. */
export const CARTO_DIALECT = POSTGRES;

export interface CartoSettings {
  user: string;
  endpoint?: string;
  apiKey: string;
}

/** The account's base URL: the endpoint setting, else https://<user>.carto.com. */
export function cartoBaseUrl(s: Pick<CartoSettings, "user" | "endpoint">): string {
  return (s.endpoint && s.endpoint.trim() !== "" ? s.endpoint : `https://${s.user}.carto.com`).replace(/\/+$/, "");
}

/** The vendor's message from an error body: `{"error": [..]}` (SQL API) or `{"errors": ..}` (Auth API). */
function errorMessage(body: unknown): { message?: string; code?: string } {
  if (!body || typeof body !== "object") return {};
  const b = body as { error?: unknown; errors?: unknown; detail?: unknown; hint?: unknown };
  // `detail` is either which limit a 429 hit ("datasource", "rate-limit") or PostgreSQL's own detail line.
  const raw = typeof b.detail === "string" ? b.detail : undefined;
  const detail = raw && (Object.values(LIMIT_DETAILS) as string[]).includes(raw) ? raw : undefined;
  let message: string | undefined;
  if (Array.isArray(b.error)) message = b.error.map(String).join("; ");
  else if (typeof b.error === "string") message = b.error;
  else if (typeof b.errors === "string") message = b.errors;
  else if (Array.isArray(b.errors)) message = b.errors.map(String).join("; ");
  else if (b.errors && typeof b.errors === "object") {
    message = Object.entries(b.errors as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.map(String).join(", ") : typeof v === "string" ? v : JSON.stringify(v)}`)
      .join("; ");
  }
  if (message && raw && !detail) message += ` (${raw})`;
  if (message && typeof b.hint === "string") message += ` (hint: ${b.hint})`;
  return { message, code: detail };
}

/**
 * The vendor's own "no such object": a job that is not (or no longer: finished jobs expire) there
 * — the SQL API's `{"error": ["Job with id … not found"]}` — or an API key the Auth API does not
 * know (`{"errors": "… not found …"}`). Any other 404 (an unknown user, a wrong base path) is not.
 */
function isCartoNotFound(status: number, body: unknown): boolean {
  if (status !== 404 || !body || typeof body !== "object") return false;
  const b = body as { error?: unknown; errors?: unknown };
  const { message } = errorMessage(body);
  if (!message) return false;
  if (Array.isArray(b.error)) return /^Job with id .+ not found/i.test(message);
  return b.errors !== undefined && /not found/i.test(message) && !/can't find CARTO user/i.test(message);
}

export function createCartoHttp(settings: CartoSettings, extra: Partial<HttpClientOptions> = {}): HttpClient {
  const token = Buffer.from(`${settings.user}:${settings.apiKey}`).toString("base64");
  return new HttpClient({
    vendor: "CARTO",
    baseUrl: cartoBaseUrl(settings),
    authHeaders: () => ({ authorization: `Basic ${token}` }),
    secrets: [settings.apiKey, token],
    notFound: (status, body) => isCartoNotFound(status, body),
    requireJson: true,
    endpointSetting: C.endpoint.config,
    credentialHint: `the API key in ${C.apiKey.config} (or $${C.apiKey.env}) for user ${settings.user} (${C.user.config})`,
    parseError: (body, text) => {
      const p = errorMessage(body);
      // The Auth API's 422 for a key name in use is the vendor's "already exists".
      if (p.message && /^name: .*has already been taken/.test(p.message)) return { ...p, code: "ALREADY_EXISTS" };
      return p.message ? p : { message: text.trim() || undefined };
    },
    // A statement timeout ("datasource") would time out again: only a rate limit is retried.
    retry429: (body) => errorMessage(body).code !== LIMIT_DETAILS.timeout,
    ...extra,
  });
}

/** A statement as text for CARTO's engine. Provider code passes builder statements; a string is the caller's own SQL (tests, ad-hoc). */
export function sqlText(statement: SqlPart | string): string {
  return typeof statement === "string" ? statement : render(statement, CARTO_DIALECT);
}

export class CartoApi {
  constructor(readonly http: HttpClient, readonly settings: CartoSettings, private readonly extra: Partial<HttpClientOptions> = {}) {}

  get user(): string {
    return this.settings.user;
  }

  /** The same account reached with another API key (e.g. a regular key's token, to learn its role). */
  withKey(apiKey: string): CartoApi {
    return new CartoApi(createCartoHttp({ ...this.settings, apiKey }, this.extra), { ...this.settings, apiKey }, this.extra);
  }

  /** Maps an SQL API failure to the engine's typed error (a 400 carries a PostgreSQL message) and explains a statement timeout. */
  private sqlError(e: unknown, operation: string): unknown {
    if (!(e instanceof WarehouseApiError)) return e;
    if (e.status === 429 && e.code === LIMIT_DETAILS.timeout) {
      e.message += ". This is the account's statement timeout: a retry would time out again. Run long statements as a carto.BatchJob (no such limit), or make the statement cheaper";
      return e;
    }
    if (e.status === 400 && e.kind === "validation") {
      const vendor = e.message.replace(/^.*? failed \(HTTP 400\): /, "");
      return CARTO_DIALECT.error({ message: vendor, operation, status: e.status, code: e.code });
    }
    return e;
  }

  /**
   * Runs one statement (or a BEGIN … COMMIT script) through POST /api/v2/sql and returns the
   * JSON answer. An error appended after streamed rows (HTTP 200) fails like any other.
   */
  async sql(statement: SqlPart | string): Promise<SqlResultBody> {
    const q = sqlText(statement);
    const operation = `CARTO POST ${CARTO_PATHS.sql()}`;
    let res;
    try {
      res = await this.http.request({ method: "POST", path: CARTO_PATHS.sql(), body: { q, format: "json" }, idempotent: CARTO_DIALECT.classify(q).idempotent, response: SqlResult });
    } catch (e) {
      throw this.sqlError(e, operation);
    }
    if (res.data.error && res.data.error.length) {
      throw CARTO_DIALECT.error({ message: `${res.data.error.join("; ")} (an error after ${res.data.rows.length} row(s) had streamed, answered with HTTP 200)`, operation, status: res.status });
    }
    return res.data;
  }

  /** Rows of one statement. */
  async rows(statement: SqlPart | string): Promise<Record<string, unknown>[]> {
    return (await this.sql(statement)).rows;
  }

  // ------------------------------------------------------------- batch jobs

  /** POST /api/v2/sql/job (201). Never retried after an answer was lost: the caller looks the job up. */
  async createJob(query: z.input<typeof JobQueryInput>): Promise<JobBody> {
    const res = await this.http.request({ method: "POST", path: CARTO_PATHS.jobs(), body: { query }, idempotent: false, response: Job });
    return res.data;
  }

  /** GET /api/v2/sql/job/{id}; undefined when the job is not (or no longer: finished jobs expire) there. */
  async getJob(id: string): Promise<JobBody | undefined> {
    try {
      return (await this.http.request({ method: "GET", path: CARTO_PATHS.job(id), response: Job })).data;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** DELETE /api/v2/sql/job/{id}: cancels a pending or running job (status `cancelled`). */
  async cancelJob(id: string): Promise<JobBody> {
    return (await this.http.request({ method: "DELETE", path: CARTO_PATHS.job(id), response: Job })).data;
  }

  // ------------------------------------------------------------- COPY

  /**
   * POST /api/v2/sql/copyfrom?q=COPY … FROM STDIN, the body streamed from `body` (a factory: a
   * retry re-opens it), gzip passed through with Content-Encoding. Not idempotent (a repeat copies
   * the rows twice): a lost answer is an ambiguous error the caller resolves.
   */
  async copyFrom(copy: SqlPart, body: () => Readable, opts: { gzip?: boolean; readTimeoutMs?: number } = {}): Promise<CopyFromResultBody> {
    const q = sqlText(copy);
    const operation = `CARTO POST ${CARTO_PATHS.copyFrom()}`;
    try {
      const res = await this.http.request({
        method: "POST",
        path: CARTO_PATHS.copyFrom(),
        query: { q },
        headers: { "content-type": "application/octet-stream", ...(opts.gzip ? { "content-encoding": "gzip" } : {}) },
        rawBody: body,
        idempotent: false,
        readTimeoutMs: opts.readTimeoutMs ?? 3_600_000,
        response: CopyFromResult,
      });
      return res.data;
    } catch (e) {
      throw this.sqlError(e, operation);
    }
  }

  // ------------------------------------------------------------- Auth API

  async listApiKeys(): Promise<ApiKeyBody[]> {
    const out: ApiKeyBody[] = [];
    for (let page = 1; page <= 100; page++) {
      const res = await this.http.request({ method: "GET", path: CARTO_PATHS.apiKeys(), query: { per_page: 100, page }, response: ApiKeyList, sensitiveResponse: true });
      out.push(...res.data.result);
      if (!res.data._links.next || res.data.result.length === 0) break;
    }
    return out;
  }

  /** GET /api/v3/api_keys/{name}; undefined when there is no such key. */
  async getApiKey(name: string): Promise<ApiKeyBody | undefined> {
    try {
      return (await this.http.request({ method: "GET", path: CARTO_PATHS.apiKey(name), response: ApiKey, sensitiveResponse: true })).data;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async createApiKey(body: { name: string; grants: unknown[] }): Promise<ApiKeyBody> {
    return (await this.http.request({ method: "POST", path: CARTO_PATHS.apiKeys(), body, idempotent: false, response: ApiKey, sensitiveResponse: true })).data;
  }

  async deleteApiKey(name: string): Promise<void> {
    await this.http.request({ method: "DELETE", path: CARTO_PATHS.apiKey(name), idempotent: true });
  }

  async regenerateApiKey(name: string): Promise<ApiKeyBody> {
    return (await this.http.request({ method: "POST", path: CARTO_PATHS.apiKeyRegenerate(name), idempotent: false, response: ApiKey, sensitiveResponse: true })).data;
  }
}

/** Declares a CARTO resource kind: its operations get a CartoApi (the framework's one define helper). */
export const defineCartoResource = resourceDefiner<CartoApi>("carto");
