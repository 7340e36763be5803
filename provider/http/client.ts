/**
 * The one HTTP client every vendor goes through.
 *
 * - keep-alive connection pool (undici Agent), connect and read timeouts;
 * - retries with exponential backoff and jitter on 429, 5xx and connection errors,
 *   for idempotent requests; 429 honours `Retry-After` (seconds or HTTP date); every retry
 *   is reported to `onRetry`, and the retries of one call are bounded by `maxAttempts` and a
 *   wall-time budget (`maxElapsedMs`), both stated in the error when exhausted;
 * - a non-idempotent request (POST create) is retried only when it certainly never
 *   reached the vendor (connection refused, connect timeout, 429). Anything else
 *   (read timeout, reset, 5xx) raises an `ambiguous` error: the caller must look the
 *   object up before sending the request again (see framework/engine.ts);
 * - "not found" only when the vendor says so: a vendor supplies `notFound`, and a 404 it does
 *   not recognise (a wrong base path, a proxy) is an error saying what came back;
 * - answers checked: with `requireJson` a 2xx body that is not JSON is an error, and a
 *   request's `response` schema parses the answer; both errors name the call and quote
 *   a short excerpt of what came back;
 * - a per-client concurrency cap (p-limit);
 * - typed errors whose message names the call and carries the vendor's message, with every
 *   credential (the client's and the request's own `secrets`) redacted and long values cut.
 */
import { Readable } from "node:stream";
import type { Agent, Dispatcher } from "undici";
// undici is loaded with the first client, not with this module: a Pulumi program imports the
// kinds (and so this file) only for their schemas and never sends a request from them. And only
// the two parts the client uses, the Agent and `request` (undici's index loads fetch, WebSocket,
// caches and mocks too: 200 ms of CPU at every provider start, against 65 ms). undici is pinned
// exactly (package.json), and `request` is what its index exports, called on our Agent the way
// the index calls it (origin and path given apart); the client's tests cover it.
type RequestFn = (this: Dispatcher, opts: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;
let undici: { Agent: typeof import("undici").Agent; request: RequestFn } | undefined;
/* eslint-disable @typescript-eslint/no-require-imports */
const loadUndici = () => (undici ??= { Agent: require("undici/lib/dispatcher/agent"), request: require("undici/lib/api/api-request") });
/* eslint-enable @typescript-eslint/no-require-imports */
import pLimit from "p-limit";
import { z } from "zod";
import { ErrorKind, MAX_ECHO, WarehouseApiError, excerpt, kindForStatus, redact, truncate } from "./errors";
import { parseJsonLossless } from "./json";
import type { RetrySink } from "./progress";

export interface RetryPolicy {
  /** Total attempts, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest Retry-After the client will wait for; longer ones fail with a rate-limit error. */
  maxRetryAfterMs: number;
  /**
   * Wall-time budget of one call, retries and their waits included: no retry starts (or is
   * waited for) past it. An attempt in flight is bounded by the read timeout.
   */
  maxElapsedMs: number;
}

/** One retry, as reported to `onRetry` (the engine shows `message` as the resource's progress). */
export interface RetryEvent {
  /** "ByteHouse GET /v1/databases/x" */
  operation: string;
  /** "429", "HTTP 503", "connection refused", … */
  reason: string;
  /** The attempt about to be made (2 is the first retry). */
  attempt: number;
  maxAttempts: number;
  delayMs: number;
  /** "429 from ByteHouse, retrying in 2 s (attempt 2 of 5)" */
  message: string;
}

export interface HttpClientOptions {
  /** Vendor title for messages ("ByteHouse"). */
  vendor: string;
  baseUrl: string;
  /** Headers added to every request (authentication). Never logged. */
  authHeaders: () => Record<string, string>;
  /** Values to redact from every message (API keys, passwords). */
  secrets: string[];
  /** Requests in flight at once (default 8: HTTP_DEFAULTS.concurrency); further calls queue. */
  concurrency?: number;
  /** Connect timeout in ms (default 10 s: HTTP_DEFAULTS.connectTimeoutMs). */
  connectTimeoutMs?: number;
  /** Read timeout in ms: for the response headers, and between body chunks (default 60 s). */
  readTimeoutMs?: number;
  /** Defaults: 5 attempts, backoff 250 ms doubling to 8 s, Retry-After up to 60 s, 120 s per call. */
  retry?: Partial<RetryPolicy>;
  /** Extracts the vendor's message and code from an error body. */
  parseError?: (body: unknown, text: string) => { message?: string; code?: string };
  /**
   * Whether an error answer is the vendor's own "this object does not exist". Only such an
   * answer raises a NotFoundError (which callers read as "gone"); any other 404 is an
   * UnexpectedResponseError naming the call and what came back. Without it, every 404 is
   * a not-found (the old rule; give every vendor one).
   */
  notFound?: (status: number, body: unknown, text: string) => boolean;
  /** Every 2xx body must be JSON (or empty): HTML or text is an error, never data. */
  requireJson?: boolean;
  /**
   * Whether a 2xx body is nevertheless the vendor's error (an envelope with an error code):
   * such an answer fails the call with the vendor's message instead of passing as success.
   */
  errorIn2xx?: (body: unknown) => boolean;
  /**
   * Whether a 429 may be retried (default: every 429 is). A vendor whose 429 also means
   * something a retry cannot fix (CARTO: a statement timeout, `detail: "datasource"`) says
   * no: such an answer fails at once as a rate-limited error carrying the vendor's message.
   */
  retry429?: (body: unknown, headers: Record<string, string | string[] | undefined>) => boolean;
  /** The setting that holds the base URL, for messages ("warehouse:bytehouseEndpoint"). */
  endpointSetting?: string;
  /**
   * The credential in words, with where it is set, for 401/403 messages:
   * "the API key in warehouse:bytehouseApiKey (or $BYTEHOUSE_API_KEY)".
   */
  credentialHint?: string;
  /**
   * Told of every retry before its wait. The client is shared by every resource of a provider
   * process, so to show retries as a resource's progress the engine gives each operation a view
   * of the client (`reportingTo`, via provider/http/progress.ts) whose sink is told as well.
   */
  onRetry?: (event: RetryEvent) => void;
  /** Debug log sink; receives redacted lines. */
  log?: (line: string) => void;
  /** For tests: replaces the backoff sleep. */
  sleep?: (ms: number) => Promise<void>;
  /** For tests: the clock the retry budget is measured with. */
  now?: () => number;
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
  /** Defaults to true for every method but POST. Say it explicitly for every write. */
  idempotent?: boolean;
  /** Timeout for the response (ms), for calls that legitimately take long (big uploads). */
  readTimeoutMs?: number;
  /**
   * The answer's shape: the JSON body is parsed with it (the result's `data` is its output).
   * A body that is not JSON, empty, or of another shape is an UnexpectedResponseError naming
   * the call, never data.
   */
  response?: z.ZodType;
  /** Values of this call to redact from its errors and logs (e.g. credentials in the body). */
  secrets?: readonly string[];
  /** The answer carries a secret (e.g. a new API key): never quote its body in an error. */
  sensitiveResponse?: boolean;
}

export interface HttpResponse<T = unknown> {
  status: number;
  data: T;
  headers: Record<string, string | string[] | undefined>;
}

/** Documented defaults (see also provider/http/settings.ts). */
export const HTTP_DEFAULTS = {
  /** Requests in flight per client (per vendor in a provider process); further calls queue. */
  concurrency: 8,
  connectTimeoutMs: 10_000,
  readTimeoutMs: 60_000,
  retry: { maxAttempts: 5, baseDelayMs: 250, maxDelayMs: 8_000, maxRetryAfterMs: 60_000, maxElapsedMs: 120_000 } as RetryPolicy,
} as const;

/** Errors that prove the request never left this machine: always safe to retry. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "UND_ERR_CONNECT_TIMEOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/** A duration in words: "2 s", "0.3 s", "1.5 s", "40 ms". */
export function seconds(ms: number): string {
  if (ms < 100) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return `${s >= 10 ? Math.round(s) : Math.round(s * 10) / 10} s`;
}

export class HttpClient {
  private readonly agent: Agent;
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly connectTimeoutMs: number;
  private readonly readTimeoutMs: number;

  constructor(private readonly opts: HttpClientOptions) {
    const concurrency = opts.concurrency ?? HTTP_DEFAULTS.concurrency;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? HTTP_DEFAULTS.connectTimeoutMs;
    this.readTimeoutMs = opts.readTimeoutMs ?? HTTP_DEFAULTS.readTimeoutMs;
    this.agent = new (loadUndici().Agent)({
      connections: concurrency,
      keepAliveTimeout: 10_000,
      connect: { timeout: this.connectTimeoutMs },
      headersTimeout: this.readTimeoutMs,
      bodyTimeout: this.readTimeoutMs,
    });
    this.limit = pLimit(concurrency);
    this.retry = { ...HTTP_DEFAULTS.retry, ...opts.retry };
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = opts.now ?? Date.now;
  }

  get vendor(): string {
    return this.opts.vendor;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  request<S extends z.ZodType>(req: RequestOptions & { response: S }): Promise<HttpResponse<z.output<S>>>;
  request<T = unknown>(req: RequestOptions): Promise<HttpResponse<T>>;
  request(req: RequestOptions): Promise<HttpResponse<unknown>> {
    const sink = this.retrySink; // captured here: the queued call may run after another view's
    return this.limit(() => this.send(req, sink));
  }

  /** Set on a view only (`reportingTo`): the operation's own retry sink. */
  private readonly retrySink?: RetrySink;

  /**
   * A view of this client, sharing its connections, concurrency cap and settings, whose requests
   * also report their retries to `sink` (one resource operation's progress).
   */
  reportingTo(sink: RetrySink): HttpClient {
    return Object.create(this, { retrySink: { value: sink } }) as HttpClient;
  }

  private describe(req: RequestOptions): string {
    return `${this.opts.vendor} ${req.method} ${req.path}`;
  }

  private base(): string {
    return this.opts.baseUrl.replace(/\/+$/, "");
  }

  private url(req: RequestOptions): string {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) qs.set(k, String(v));
    const q = qs.toString();
    return `${this.base()}${req.path}${q ? `?${q}` : ""}`;
  }

  private secretsOf(req: RequestOptions): string[] {
    return [...this.opts.secrets, ...(req.secrets ?? [])];
  }

  /** A value from outside (the vendor's message, a body) made fit for a message: redacted, then cut. */
  private echo(req: RequestOptions, text: string, max = MAX_ECHO): string {
    return truncate(redact(text, this.secretsOf(req)), max);
  }

  /** A body quoted in a message: redacted, whitespace collapsed, cut, in quotes. */
  private quote(req: RequestOptions, text: string): string {
    if (req.sensitiveResponse) return "(not shown: it may hold a secret)";
    return excerpt(redact(text, this.secretsOf(req)));
  }

  private endpointHint(): string {
    return this.opts.endpointSetting ? ` — is ${this.opts.endpointSetting} right?` : "";
  }

  private fail(kind: ErrorKind, req: RequestOptions, detail: string, status?: number, code?: string, after?: string): WarehouseApiError {
    const msg = `${this.describe(req)} failed${status ? ` (HTTP ${status})` : ""}${after ? ` ${after}` : ""}: ${detail}`;
    return new WarehouseApiError(kind, redact(this.describe(req), this.secretsOf(req)), redact(msg, this.secretsOf(req)), status, code);
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

  private log(req: RequestOptions, line: string): void {
    this.opts.log?.(redact(line, this.secretsOf(req)));
  }

  /** A network error in words, and whether it means the vendor could not be reached at all. */
  private networkWords(e: unknown, req: RequestOptions): { words: string; unreachable: boolean; code: string } {
    const code = String((e as { code?: unknown })?.code ?? "");
    const first = String((e as Error)?.message ?? e).split("\n")[0];
    const words: Record<string, string> = {
      ECONNREFUSED: "connection refused",
      ENOTFOUND: "host not found (DNS)",
      EAI_AGAIN: "host name lookup failed (DNS, temporary)",
      EHOSTUNREACH: "host unreachable",
      ENETUNREACH: "network unreachable",
      UND_ERR_CONNECT_TIMEOUT: `no connection within ${seconds(this.connectTimeoutMs)} (connect timeout)`,
      UND_ERR_HEADERS_TIMEOUT: `no answer within ${seconds(req.readTimeoutMs ?? this.readTimeoutMs)} (read timeout)`,
      UND_ERR_BODY_TIMEOUT: `the answer stalled for ${seconds(req.readTimeoutMs ?? this.readTimeoutMs)} (read timeout)`,
      ECONNRESET: "the connection was reset before an answer",
      UND_ERR_SOCKET: "the connection was closed before an answer",
      EPIPE: "the connection was closed while sending",
      ETIMEDOUT: "the connection timed out",
    };
    const tls = /CERT|SSL|TLS/i.test(code) ? `TLS error (${code}): ${first}` : undefined;
    return {
      code,
      words: words[code] ?? tls ?? truncate(`${code ? `${code}: ` : ""}${first}`, 200),
      unreachable: NOT_SENT_CODES.has(code),
    };
  }

  private async send(req: RequestOptions, sink?: RetrySink): Promise<HttpResponse<unknown>> {
    const idempotent = req.idempotent ?? req.method !== "POST";
    const json = req.body === undefined ? undefined : JSON.stringify(req.body);
    const started = this.now();
    const max = this.retry.maxAttempts;
    const elapsed = () => seconds(this.now() - started);
    const gaveUp = (attempt: number, budget: boolean) =>
      `after ${attempt} attempt${attempt === 1 ? "" : "s"} in ${elapsed()}${budget ? ` (the retry budget of one call is ${seconds(this.retry.maxElapsedMs)})` : ""}`;

    /** Waits before the next attempt if the attempt count and the budget allow; false when they do not. */
    const mayRetry = async (attempt: number, wait: number, reason: string, message: string): Promise<"retry" | "attempts" | "budget"> => {
      if (attempt >= max) return "attempts";
      if (this.now() - started + wait > this.retry.maxElapsedMs) return "budget";
      const event: RetryEvent = { operation: this.describe(req), reason, attempt: attempt + 1, maxAttempts: max, delayMs: wait, message: `${message}, retrying in ${seconds(wait)} (attempt ${attempt + 1} of ${max})` };
      this.log(req, `${event.operation}: ${event.message}`);
      for (const report of [this.opts.onRetry, sink]) {
        try {
          report?.(event);
        } catch {
          // progress reporting never fails the call
        }
      }
      await this.sleep(wait);
      return "retry";
    };

    for (let attempt = 1; ; attempt++) {
      let status: number;
      let headers: Record<string, string | string[] | undefined>;
      let text: string;
      try {
        const url = new URL(this.url(req));
        const res = await loadUndici().request.call(this.agent, {
          origin: url.origin,
          path: url.pathname + url.search,
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
        const { words, unreachable, code } = this.networkWords(e, req);
        const reach = unreachable ? `cannot reach ${this.opts.vendor} at ${this.base()}: ${words}${this.endpointHint()}` : words;
        if (!idempotent && !unreachable) {
          throw this.fail("ambiguous", req, `${words}; the request may or may not have been applied`, undefined, code || undefined);
        }
        const next = await mayRetry(attempt, this.backoff(attempt), unreachable ? words : code || "network error", unreachable ? `cannot reach ${this.opts.vendor} (${words})` : `${words} from ${this.opts.vendor}`);
        if (next === "retry") continue;
        throw this.fail("network", req, reach, undefined, code || undefined, gaveUp(attempt, next === "budget"));
      }

      const contentType = String(headers["content-type"] ?? "");
      let data: unknown;
      let isJson = true;
      try {
        data = parseJsonLossless(text);
      } catch {
        data = text;
        isJson = false;
      }

      if (status >= 300 && status < 400) {
        // Redirects are not followed: an API answering one is not the API (a login page, http→https).
        const location = headers.location ? ` to ${this.echo(req, String(headers.location), 200)}` : "";
        throw this.fail("unexpected", req, `a redirect${location}, not an answer${this.endpointHint()}`, status);
      }
      if (status < 300) {
        const wantsJson = this.opts.requireJson || req.response !== undefined;
        if (wantsJson && !isJson) {
          throw this.fail(
            "unexpected",
            req,
            `the answer is not JSON${contentType ? ` (${contentType.split(";")[0]})` : ""}: ${this.quote(req, text)}${this.endpointHint()}`,
            status,
          );
        }
        if (isJson && data !== undefined && this.opts.errorIn2xx?.(data)) {
          const p = this.opts.parseError?.(data, text) ?? {};
          const kind = kindForStatus(400, p.code);
          throw this.fail(
            kind === "not_found" ? "validation" : kind,
            req,
            `${p.message ? this.echo(req, p.message) : this.quote(req, text)} (an error answered with HTTP ${status})`,
            status,
            p.code,
          );
        }
        if (req.response) {
          if (data === undefined) throw this.fail("unexpected", req, `the answer is empty where JSON was expected${this.endpointHint()}`, status);
          const parsed = req.response.safeParse(data);
          if (!parsed.success) {
            const issues = parsed.error.issues
              .slice(0, 3)
              .map((i) => `${i.path.length ? i.path.join(".") : "(body)"}: ${i.message}`)
              .join("; ");
            throw this.fail("unexpected", req, `the answer does not have the expected shape (${this.echo(req, issues, 200)}): ${this.quote(req, text)}`, status);
          }
          data = parsed.data;
        }
        return { status, data, headers };
      }

      const parsed = this.opts.parseError?.(data, text) ?? {};
      const vendorMessage = parsed.message
        ? this.echo(req, parsed.message)
        : text.trim()
          ? `${isJson ? "" : `no ${this.opts.vendor} error body: `}${this.quote(req, text)}`
          : "(empty body)";
      let kind = kindForStatus(status, parsed.code);
      if (kind === "not_found" && this.opts.notFound && !this.opts.notFound(status, data, text)) {
        if (status === 404) {
          const what = parsed.message
            ? `404 that is not a ${this.opts.vendor} not-found of this object (${parsed.code ? `${parsed.code}: ` : ""}${vendorMessage})`
            : `404 with no ${this.opts.vendor} error body (${text.trim() ? this.quote(req, text) : "empty body"})`;
          throw this.fail("unexpected", req, `${what}${this.endpointHint()}`, status, parsed.code);
        }
        kind = kindForStatus(status);
      }

      if (status === 429 && this.opts.retry429 && !this.opts.retry429(data, headers)) {
        throw this.fail("rate_limited", req, vendorMessage, status, parsed.code);
      }
      if (status === 429) {
        const after = this.retryAfterMs(headers["retry-after"]);
        if (after === undefined || after <= this.retry.maxRetryAfterMs) {
          const next = await mayRetry(attempt, after ?? this.backoff(attempt), "429", `429 from ${this.opts.vendor}`);
          if (next === "retry") continue;
          throw this.fail("rate_limited", req, `${vendorMessage} (rate limited)`, status, parsed.code, gaveUp(attempt, next === "budget"));
        }
        throw this.fail("rate_limited", req, `${vendorMessage} (rate limited; Retry-After ${seconds(after)} is longer than the ${seconds(this.retry.maxRetryAfterMs)} the client waits)`, status, parsed.code);
      }
      if (status >= 500) {
        if (!idempotent) {
          throw this.fail("ambiguous", req, `${vendorMessage}; the request may or may not have been applied`, status, parsed.code);
        }
        const next = await mayRetry(attempt, this.backoff(attempt), `HTTP ${status}`, `HTTP ${status} from ${this.opts.vendor}`);
        if (next === "retry") continue;
        throw this.fail(kind, req, vendorMessage, status, parsed.code, gaveUp(attempt, next === "budget"));
      }
      if (kind === "auth" && this.opts.credentialHint) {
        const refused = status === 401 || /AUTHENTICAT|UNAUTHORI|TOKEN|API_?KEY/i.test(parsed.code ?? "AUTHENTICATION");
        const hint = refused ? `${this.opts.credentialHint} was refused` : `${this.opts.credentialHint} is not allowed to do this`;
        throw this.fail(kind, req, `${vendorMessage} — ${hint}`, status, parsed.code);
      }
      throw this.fail(kind, req, vendorMessage, status, parsed.code);
    }
  }
}
