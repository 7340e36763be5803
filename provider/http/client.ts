/**
 * The one HTTP client every vendor goes through.
 *
 * - keep-alive connection pool (undici Agent), connect and read timeouts;
 * - retries with exponential backoff and jitter on 429, 5xx and connection errors,
 *   for idempotent requests; 429 honours `Retry-After` (seconds or HTTP date);
 * - a non-idempotent request (POST create) is retried only when it certainly never
 *   reached the vendor (connection refused, connect timeout, 429). Anything else
 *   (read timeout, reset, 5xx) raises an `ambiguous` error: the caller must look the
 *   object up before sending the request again (see framework/engine.ts);
 * - a per-client concurrency cap (p-limit);
 * - typed errors whose message names the call and carries the vendor's message,
 *   with every credential redacted.
 */
import { Readable } from "node:stream";
import { Agent, request as undiciRequest } from "undici";
import pLimit from "p-limit";
import { ErrorKind, WarehouseApiError, kindForStatus, redact } from "./errors";
import { parseJsonLossless } from "./json";

export interface RetryPolicy {
  /** Total attempts, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest Retry-After the client will wait for; longer ones fail with a rate-limit error. */
  maxRetryAfterMs: number;
}

export interface HttpClientOptions {
  /** Vendor name for messages ("ByteHouse"). */
  vendor: string;
  baseUrl: string;
  /** Headers added to every request (authentication). Never logged. */
  authHeaders: () => Record<string, string>;
  /** Values to redact from every message (API keys, passwords). */
  secrets: string[];
  concurrency?: number;
  connectTimeoutMs?: number;
  readTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Extracts the vendor's message and code from an error body. */
  parseError?: (body: unknown, text: string) => { message?: string; code?: string };
  /** Debug log sink; receives redacted lines. */
  log?: (line: string) => void;
  /** For tests: replaces the backoff sleep. */
  sleep?: (ms: number) => Promise<void>;
}

export interface RequestOptions {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as JSON. */
  body?: unknown;
  /**
   * A body sent as is (e.g. a file stream), instead of `body`. A factory, called once per
   * attempt, so a retry re-sends from the start. Set the content-type in `headers`.
   */
  rawBody?: () => Readable | Buffer | string;
  headers?: Record<string, string>;
  /** Defaults to true for every method but POST. */
  idempotent?: boolean;
  /** Timeout for the response (ms), for calls that legitimately take long (big uploads). */
  readTimeoutMs?: number;
}

export interface HttpResponse<T = unknown> {
  status: number;
  data: T;
  headers: Record<string, string | string[] | undefined>;
}

const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 250, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 };

/** Errors that prove the request never left this machine: always safe to retry. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "UND_ERR_CONNECT_TIMEOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"]);

export class HttpClient {
  private readonly agent: Agent;
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: HttpClientOptions) {
    const concurrency = opts.concurrency ?? 8;
    this.agent = new Agent({
      connections: concurrency,
      keepAliveTimeout: 10_000,
      connect: { timeout: opts.connectTimeoutMs ?? 10_000 },
      headersTimeout: opts.readTimeoutMs ?? 60_000,
      bodyTimeout: opts.readTimeoutMs ?? 60_000,
    });
    this.limit = pLimit(concurrency);
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  get vendor(): string {
    return this.opts.vendor;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  request<T = unknown>(req: RequestOptions): Promise<HttpResponse<T>> {
    return this.limit(() => this.send<T>(req));
  }

  private describe(req: RequestOptions): string {
    return `${this.opts.vendor} ${req.method} ${req.path}`;
  }

  private url(req: RequestOptions): string {
    const base = this.opts.baseUrl.replace(/\/+$/, "");
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) qs.set(k, String(v));
    const q = qs.toString();
    return `${base}${req.path}${q ? `?${q}` : ""}`;
  }

  private fail(kind: ErrorKind, req: RequestOptions, detail: string, status?: number, code?: string): WarehouseApiError {
    const msg = `${this.describe(req)} failed${status ? ` (HTTP ${status})` : ""}: ${detail}`;
    return new WarehouseApiError(kind, this.describe(req), redact(msg, this.opts.secrets), status, code);
  }

  private backoff(attempt: number): number {
    const exp = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(exp / 2 + Math.random() * (exp / 2)); // "equal jitter"
  }

  private retryAfterMs(header: string | string[] | undefined): number | undefined {
    const v = Array.isArray(header) ? header[0] : header;
    if (!v) return undefined;
    if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.ceil(parseFloat(v) * 1000);
    const date = Date.parse(v);
    return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
  }

  private log(line: string): void {
    this.opts.log?.(redact(line, this.opts.secrets));
  }

  private async send<T>(req: RequestOptions): Promise<HttpResponse<T>> {
    const idempotent = req.idempotent ?? req.method !== "POST";
    const json = req.body === undefined ? undefined : JSON.stringify(req.body);
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= this.retry.maxAttempts;
      let status: number;
      let headers: Record<string, string | string[] | undefined>;
      let text: string;
      try {
        const res = await undiciRequest(this.url(req), {
          dispatcher: this.agent,
          method: req.method,
          headers: {
            accept: "application/json",
            ...(json !== undefined ? { "content-type": "application/json" } : {}),
            ...this.opts.authHeaders(),
            ...req.headers,
          },
          body: req.rawBody ? req.rawBody() : json,
          ...(req.readTimeoutMs ? { headersTimeout: req.readTimeoutMs, bodyTimeout: req.readTimeoutMs } : {}),
        });
        status = res.statusCode;
        headers = res.headers;
        text = await res.body.text();
      } catch (e) {
        const code = (e as { code?: string }).code ?? "";
        const detail = `${code || "network error"}: ${(e as Error).message}`;
        const neverSent = NOT_SENT_CODES.has(code);
        if (!idempotent && !neverSent) {
          throw this.fail("ambiguous", req, `${detail}; the request may or may not have been applied`);
        }
        if (last) throw this.fail("network", req, `${detail} (after ${attempt} attempts)`);
        const wait = this.backoff(attempt);
        this.log(`${this.describe(req)}: ${detail}; retry ${attempt}/${this.retry.maxAttempts - 1} in ${wait}ms`);
        await this.sleep(wait);
        continue;
      }

      let data: unknown;
      try {
        data = parseJsonLossless(text);
      } catch {
        data = text;
      }
      if (status < 400) return { status, data: data as T, headers };

      const parsed = this.opts.parseError?.(data, text) ?? {};
      const vendorMessage = parsed.message || text.slice(0, 500) || "(empty body)";
      const kind = kindForStatus(status, parsed.code);

      if (status === 429) {
        const after = this.retryAfterMs(headers["retry-after"]);
        if (!last && (after === undefined || after <= this.retry.maxRetryAfterMs)) {
          const wait = after ?? this.backoff(attempt);
          this.log(`${this.describe(req)}: rate limited; retry ${attempt}/${this.retry.maxAttempts - 1} in ${wait}ms`);
          await this.sleep(wait);
          continue;
        }
        throw this.fail("rate_limited", req, `${vendorMessage} (rate limited; gave up after ${attempt} attempts)`, status, parsed.code);
      }
      if (status >= 500) {
        if (!idempotent) {
          throw this.fail("ambiguous", req, `${vendorMessage}; the request may or may not have been applied`, status, parsed.code);
        }
        if (!last) {
          const wait = this.backoff(attempt);
          this.log(`${this.describe(req)}: HTTP ${status}; retry ${attempt}/${this.retry.maxAttempts - 1} in ${wait}ms`);
          await this.sleep(wait);
          continue;
        }
        throw this.fail(kind, req, `${vendorMessage} (after ${attempt} attempts)`, status, parsed.code);
      }
      throw this.fail(kind, req, vendorMessage, status, parsed.code);
    }
  }
}
