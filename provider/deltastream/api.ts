/**
 * DeltaStream statements client (notes §1.2), on the shared HttpClient:
 *
 *   - every statement is `POST /v2/statements`: JSON `StatementRequest` when it carries no file,
 *     multipart/form-data (a `request` JSON part plus one `attachments` part per file, its filename
 *     the `@name` the SQL refers to) when it does;
 *   - a 202 (`sqlState "03000"`) is polled with `GET /v2/statements/{id}` through the framework's
 *     poll helper until it is answered;
 *   - SQL errors come back as HTTP 200 with a `sqlState`: `sqlStateError` below is the one place
 *     they become typed errors (not found, conflict, validation, …);
 *   - result sets arrive as strings: rows are decoded by their column types;
 *   - context (organization, role, database, schema, store, compute pool) is sent with every
 *     statement, never kept in a session.
 * Whether a statement may be sent again after a failure that leaves its outcome unknown is decided
 * by the DeltaStream dialect's idempotency table (reads, UPDATE STORE, … yes; CREATE, TERMINATE no).
 */
import { randomUUID } from "node:crypto";
import { HttpClient, HttpClientOptions } from "../http/client";
import { ErrorKind, WarehouseApiError, redact, truncate } from "../http/errors";
import { resourceDefiner } from "../framework/spec";
import { poll } from "../framework/poll";
import { SqlPart, render } from "../sql/builder";
import { DELTASTREAM } from "../sql/dialect";
import { DELTASTREAM_SETTINGS as D } from "./settings";
import { DELTASTREAM_PATHS as DS_PATHS, ResultSet as ResultSetSchema, StatementStatus as StatementStatusSchema, SQLSTATE_OK, isDuplicateState, isNotFoundState, isNotReadyState, type ResultSetBody as WireResultSet } from "./contract";

export const DELTASTREAM_DIALECT = DELTASTREAM;

export interface DeltaStreamSettings {
  endpoint: string;
  apiToken: string;
  organization?: string;
  role?: string;
}

/** Where a statement runs: the vendor resolves names against it (case-sensitive). */
export interface StatementContext {
  role?: string;
  database?: string;
  schema?: string;
  store?: string;
  computePool?: string;
}

/** A file sent with a statement; the SQL refers to it by `name` (e.g. '@cacert'). */
export interface Attachment {
  name: string;
  content: Buffer | string;
}

export interface Column {
  name: string;
  type: string;
  nullable: boolean;
}

export type Row = Record<string, string | number | boolean | null>;

export interface StatementResult {
  statementID?: string;
  columns: Column[];
  /** Rows decoded by column type (numbers, booleans; everything else stays a string). */
  rows: Row[];
  /** The context the vendor resolved the statement in (`metadata.context`). */
  context?: Record<string, unknown>;
}

export interface StatementOptions {
  context?: StatementContext;
  attachments?: Attachment[];
  /** Values to redact from errors (credentials inside the statement). */
  secrets?: readonly string[];
  /** Longest wait for a 202 statement to finish (default 10 minutes). */
  timeoutMs?: number;
  progress?: (message: string) => void;
}

/**
 * sqlState → error kind, in one place (the vendor's table and its families are in contract.ts):
 *   3D0xx (objects that do not exist; not 3D021, a missing parameter)   not_found
 *   42710, 42P0x / 42P01x (the name is taken)                           conflict
 *   2BP01 (dependent objects still exist)                               conflict
 *   3E00x (not ready yet), 57xxx, XXxxx                                 server (transient)
 *   42501 (insufficient privilege)                                      auth
 *   everything else (42601 syntax, 42622, 53000 limit, 0A000, …)        validation
 */
export function kindForDeltaStreamSqlState(code: string): ErrorKind {
  const c = code.toUpperCase();
  if (isNotFoundState(c)) return "not_found";
  if (isDuplicateState(c) || c === "2BP01") return "conflict";
  if (isNotReadyState(c) || /^57/.test(c) || /^XX/.test(c)) return "server";
  if (c === "42501") return "auth";
  return "validation";
}

export function sqlStateError(sqlState: string, message: string | undefined, operation: string, statementID?: string, secrets: readonly string[] = []): WarehouseApiError {
  const kind = kindForDeltaStreamSqlState(sqlState);
  const id = statementID ? `, statement ${statementID}` : "";
  const said = truncate(redact(message ?? "(no message)", secrets), 1_000);
  return new WarehouseApiError(kind, operation, `${operation} failed: ${said} (sqlState ${sqlState}${id})`, 200, sqlState);
}

const NUMERIC = /^(TINYINT|SMALLINT|INT|INTEGER|BIGINT|FLOAT|DOUBLE|REAL|DECIMAL|NUMERIC)\b/i;

/** One value of a result set (always a string or null on the wire) in its column's type. */
export function decodeValue(value: unknown, type: string): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  const s = String(value);
  if (/^BOOLEAN$/i.test(type.trim())) return /^true$/i.test(s);
  if (NUMERIC.test(type.trim())) {
    const n = Number(s);
    // Big integers and exact decimals stay strings rather than losing digits.
    return Number.isFinite(n) && (Number.isSafeInteger(n) || !/^-?\d+$/.test(s)) && !/^DECIMAL|^NUMERIC/i.test(type.trim()) ? n : s;
  }
  return s;
}

export function decodeRows(rs: Pick<WireResultSet, "metadata" | "data">): { columns: Column[]; rows: Row[] } {
  const columns: Column[] = (rs.metadata?.columns ?? []).map((c) => ({ name: c.name, type: c.type, nullable: c.nullable ?? true }));
  const rows = (rs.data ?? []).map((r) => Object.fromEntries(columns.map((c, i) => [c.name, decodeValue(r[i], c.type)])));
  return { columns, rows };
}

export function createDeltaStreamHttp(settings: DeltaStreamSettings, extra: Partial<HttpClientOptions> = {}): HttpClient {
  return new HttpClient({
    vendor: "DeltaStream",
    baseUrl: settings.endpoint,
    authHeaders: () => ({ authorization: `Bearer ${settings.apiToken}` }),
    secrets: [settings.apiToken],
    // The statements API has no REST "no such object": objects are read with SQL, whose "not
    // found" is a sqlState. A 404 is therefore a wrong path, never "gone".
    notFound: () => false,
    requireJson: true,
    endpointSetting: D.endpoint.config,
    credentialHint: `the API token in ${D.apiToken.config} (or $${D.apiToken.env})`,
    parseError: (body, text) => {
      if (body && typeof body === "object") {
        const b = body as { message?: unknown; sqlState?: unknown };
        return { message: typeof b.message === "string" ? b.message : undefined, code: typeof b.sqlState === "string" ? b.sqlState : undefined };
      }
      return { message: text.trim() || undefined };
    },
    ...extra,
  });
}

/** A multipart/form-data body: the `request` JSON part, then one `attachments` part per file. */
export function multipartBody(request: unknown, attachments: Attachment[], boundary = `----pulumi-warehouse-${randomUUID()}`): { body: Buffer; contentType: string } {
  const parts: Buffer[] = [];
  const crlf = "\r\n";
  const quote = (s: string) => s.replace(/["\r\n\\]/g, (c) => encodeURIComponent(c));
  parts.push(Buffer.from(`--${boundary}${crlf}Content-Disposition: form-data; name="request"${crlf}Content-Type: application/json${crlf}${crlf}${JSON.stringify(request)}${crlf}`));
  for (const a of attachments) {
    parts.push(Buffer.from(`--${boundary}${crlf}Content-Disposition: form-data; name="attachments"; filename="${quote(a.name)}"${crlf}Content-Type: application/octet-stream${crlf}${crlf}`));
    parts.push(Buffer.isBuffer(a.content) ? a.content : Buffer.from(a.content));
    parts.push(Buffer.from(crlf));
  }
  parts.push(Buffer.from(`--${boundary}--${crlf}`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

const DEFAULT_STATEMENT_TIMEOUT_MS = 600_000;

export class DeltaStreamApi {
  private readonly tokenSecrets: string[];
  constructor(readonly http: HttpClient, readonly settings: Partial<Pick<DeltaStreamSettings, "organization" | "role" | "apiToken">> = {}) {
    this.tokenSecrets = settings.apiToken ? [settings.apiToken] : [];
  }

  /**
   * Runs one statement. Provider code passes a statement built with the SQL builder; a string is
   * the caller's own SQL, sent as written (tests). A 202 is polled until answered; a sqlState other
   * than 00000 is thrown typed (see sqlStateError).
   */
  async statement(statement: SqlPart | string, opts: StatementOptions = {}): Promise<StatementResult> {
    const text = typeof statement === "string" ? statement : render(statement, DELTASTREAM_DIALECT);
    const ctx = opts.context ?? {};
    const request = {
      statement: text,
      ...(this.settings.organization ? { organization: this.settings.organization } : {}),
      ...((ctx.role ?? this.settings.role) ? { role: ctx.role ?? this.settings.role } : {}),
      ...(ctx.database ? { database: ctx.database } : {}),
      ...(ctx.schema ? { schema: ctx.schema } : {}),
      ...(ctx.store ? { store: ctx.store } : {}),
      ...(ctx.computePool ? { computePool: ctx.computePool } : {}),
    };
    const lead = text.trim().split(/\s+/).slice(0, 2).join(" ").toUpperCase();
    const operation = `DeltaStream ${lead}`;
    const idempotent = DELTASTREAM_DIALECT.classify(text).idempotent;
    const secrets = [...(opts.secrets ?? []), ...this.tokenSecrets];
    const attachments = opts.attachments ?? [];
    const res = await this.http.request<unknown>(
      attachments.length === 0
        ? { method: "POST", path: DS_PATHS.statements(), body: request, idempotent, secrets }
        : (() => {
            const mp = multipartBody(request, attachments);
            return { method: "POST" as const, path: DS_PATHS.statements(), rawBody: () => mp.body, headers: { "content-type": mp.contentType }, idempotent, secrets };
          })(),
    );
    let answer = res;
    if (res.status === 202) {
      const status = StatementStatusSchema.safeParse(res.data);
      if (!status.success) throw new WarehouseApiError("unexpected", operation, `${operation}: a 202 without a statementID`, 202);
      const id = status.data.statementID;
      answer = await poll({
        what: `DeltaStream statement ${id} (${lead})`,
        check: () => this.http.request<unknown>({ method: "GET", path: DS_PATHS.statement(id), secrets }),
        until: (r) => r.status !== 202,
        timeoutMs: opts.timeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
        intervalMs: 100,
        maxIntervalMs: 1_000,
        progress: opts.progress,
      });
    }
    return this.result(answer.data, operation, secrets);
  }

  private async result(data: unknown, operation: string, secrets: string[]): Promise<StatementResult> {
    const parsed = ResultSetSchema.safeParse(data);
    if (!parsed.success) throw new WarehouseApiError("unexpected", operation, `${operation}: the answer is not a DeltaStream result set`, 200);
    const rs = parsed.data;
    if (rs.sqlState !== SQLSTATE_OK) throw sqlStateError(rs.sqlState, rs.message, operation, rs.statementID, secrets);
    const first = decodeRows(rs);
    const rows = [...first.rows];
    // Partition 0 is inline; the others are fetched by partitionID.
    const partitions = rs.metadata?.partitionInfo ?? [];
    for (let p = 1; p < partitions.length && rs.statementID; p++) {
      const more = await this.http.request<unknown>({ method: "GET", path: DS_PATHS.statement(rs.statementID), query: { partitionID: p }, secrets });
      const part = ResultSetSchema.safeParse(more.data);
      if (!part.success) throw new WarehouseApiError("unexpected", operation, `${operation}: partition ${p} is not a DeltaStream result set`, 200);
      if (part.data.sqlState !== SQLSTATE_OK) throw sqlStateError(part.data.sqlState, part.data.message, operation, rs.statementID, secrets);
      rows.push(...decodeRows({ metadata: rs.metadata, data: part.data.data }).rows);
    }
    return { statementID: rs.statementID, columns: first.columns, rows, context: rs.metadata?.context as Record<string, unknown> | undefined };
  }

  /** Rows of one statement. */
  async rows(statement: SqlPart | string, opts: StatementOptions = {}): Promise<Row[]> {
    return (await this.statement(statement, opts)).rows;
  }

  /** GET /v2/version: the vendor's ping. */
  async version(): Promise<{ major: number; minor: number; patch: number }> {
    return (await this.http.request<{ major: number; minor: number; patch: number }>({ method: "GET", path: DS_PATHS.version() })).data;
  }
}

/** Declares a DeltaStream resource kind: its operations get a DeltaStreamApi. */
export const defineDeltaStreamResource = resourceDefiner<DeltaStreamApi>("deltastream");
