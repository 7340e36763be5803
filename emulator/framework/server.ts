/**
 * What every vendor emulator shares: routing, JSON bodies (validated against the vendor's wire
 * contract where a route declares a schema), a backend lifecycle (async `open` — load state,
 * open an embedded database —, `reset`, `close`), persistence (store.ts: a snapshot plus an
 * append-only journal of the entries a request changed, written before the answer), an
 * asynchronous request log with credentials redacted in headers and bodies (log.ts), and fault
 * injection (faults.ts). Vendor behaviour lives in emulator/<vendor>/; the framework names no
 * vendor.
 *
 * Admin API (not part of any vendor's API; loopback only, no auth):
 *   GET    /_emulator/health            -> {vendor, ok}
 *   GET    /_emulator/requests          -> the request log (newest last)
 *   DELETE /_emulator/requests          -> clears it
 *   PUT    /_emulator/faults            -> sets fault rules (see FaultConfig), {latencyMs?, seed?, rules: [...]}
 *   DELETE /_emulator/faults            -> clears them
 *   GET    /_emulator/state             -> the vendor state, as persisted
 *   POST   /_emulator/reset             -> empties the state
 */
import * as http from "node:http";
import * as path from "node:path";
import { Writable } from "node:stream";
import { AddressInfo } from "node:net";
import type { ZodType } from "zod";
import { HttpError } from "./errors";
import { Faults, FaultConfig, FaultRule } from "./faults";
import { LoggedRequest, RequestLog } from "./log";
import { JsonStore } from "./store";
import { EmulatorContext } from "./context";

export { HttpError } from "./errors";
export { FaultConfig, FaultRule } from "./faults";
export { LoggedRequest } from "./log";
export { EmulatorContext } from "./context";
export { paginate, offsetPaginator, OffsetRules } from "./pagination";

export interface EmulatorRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body (undefined when not JSON, or for `stream` routes). */
  body: any;
  /** The whole body (empty for `stream` routes). */
  rawBody: Buffer;
  /** The unread request, for `stream` routes: read it yourself (e.g. pipe to disk). */
  stream?: http.IncomingMessage;
}

export interface EmulatorResponse {
  status: number;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is (pre-serialised JSON, text/plain, …); set content-type in `headers` if not JSON. */
  text?: string;
  headers?: Record<string, string>;
  /** Writes the body itself, e.g. NDJSON lines as they are produced (headers are sent first). */
  stream?: (res: http.ServerResponse) => Promise<void>;
}

export type Handler<S> = (req: EmulatorRequest, state: S, ctx: EmulatorContext<S>) => EmulatorResponse | Promise<EmulatorResponse>;

export interface Route<S> {
  method: string;
  pattern: string;
  handler: Handler<S>;
  /** Do not buffer the request body: the handler gets `req.stream`. */
  stream?: boolean;
  /** The wire contract's schema of the JSON body; a body that does not parse gets `invalid` (or the vendor's 400). */
  body?: ZodType;
  /** Renders a contract violation the route's way (default: errorBody(400, message)). */
  invalid?: (message: string) => HttpError;
}

/** The lifecycle of an emulator's state beyond its JSON: an embedded database, running work. */
export interface Backend<S> {
  /** After the JSON state is loaded, before the first request (open an embedded database, resume work). */
  open?(ctx: EmulatorContext<S>): Promise<void>;
  /** After an admin reset replaced the state with the initial one. */
  reset?(ctx: EmulatorContext<S>): Promise<void>;
  /** On close, after the server stopped accepting requests and background work settled (stop running work with ctx.onClose(fn, "interrupt")). */
  close?(ctx: EmulatorContext<S>): Promise<void>;
}

export interface EmulatorOptions<S> {
  vendor: string;
  /** The routes, or a function building them with the emulator's context. */
  routes: Route<S>[] | ((ctx: EmulatorContext<S>) => Route<S>[]);
  initialState: () => S;
  /** Rejects unauthenticated requests (throw HttpError). */
  authenticate: (req: EmulatorRequest, state: S) => void;
  /** State file (`<dir>/<vendor>.json`, with its journal next to it); omitted means in-memory only. */
  stateFile?: string;
  /** Request log file (JSON lines); also kept in memory. */
  logFile?: string;
  faults?: FaultConfig;
  /** Renders an error the vendor's way. */
  errorBody?: (status: number, message: string) => unknown;
  /** Headers that carry credentials, redacted in the log (`authorization` always is). */
  secretHeaders?: string[];
  /** JSON body fields (any depth) that carry credentials, redacted in the log. */
  secretFields?: (string | RegExp)[];
  /** Query-string parameters that carry credentials, redacted in the log. */
  secretQueryParams?: string[];
  backend?: Backend<S>;
  /** Run state-changing vendor requests (all but GET/HEAD) one at a time, so check-then-create is atomic. */
  serializeWrites?: boolean;
  /**
   * Vendor-specific admin calls, served under `/_emulator/<vendor>/…` like the built-in admin API
   * (no auth, not logged, no faults), e.g. producing test events into a streaming vendor's topic.
   * Patterns are full paths (`/_emulator/<vendor>/…`, ":name" placeholders).
   */
  adminRoutes?: Route<S>[];
  /** Rewrites a JSON request body before it is logged (e.g. credentials inside SQL text); field redaction applies after. */
  redactBody?: (body: unknown) => unknown;
}

/** A vendor answer as sent, with the route that produced it (undefined when none matched). */
export interface ObservedAnswer {
  method: string;
  path: string;
  pattern?: string;
  status: number;
  text: string;
}

function compile(pattern: string): { re: RegExp; names: string[] } {
  const names: string[] = [];
  const re = pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_m, n) => {
    names.push(n);
    return "([^/]+)";
  });
  return { re: new RegExp(`^${re}$`), names };
}

/** Where a streamed answer goes when the connection is to be dropped after handling. */
function discardingResponse(): http.ServerResponse {
  return new Writable({ write: (_c, _e, cb) => cb() }) as unknown as http.ServerResponse;
}

export class EmulatorServer<S> {
  state: S;
  readonly ctx: EmulatorContext<S>;
  private readonly faultsCfg: Faults;
  private readonly requestLog: RequestLog;
  private readonly store: JsonStore<S & object>;
  private readonly server: http.Server;
  private readonly compiled: { route: Route<S>; re: RegExp; names: string[] }[];
  private readonly adminCompiled: { route: Route<S>; re: RegExp; names: string[] }[];
  private readonly observers: ((a: ObservedAnswer) => void)[] = [];
  private opening?: Promise<void>;
  private closing?: Promise<void>;
  private writes: Promise<unknown> = Promise.resolve();
  private persistTimer?: NodeJS.Timeout;

  constructor(private readonly opts: EmulatorOptions<S>) {
    this.state = opts.initialState();
    this.store = new JsonStore<S & object>(opts.stateFile);
    this.faultsCfg = new Faults(opts.faults);
    this.requestLog = new RequestLog(opts.logFile, { secretHeaders: opts.secretHeaders, secretFields: opts.secretFields, secretQueryParams: opts.secretQueryParams, rewriteBody: opts.redactBody });
    this.ctx = new EmulatorContext<S>(this, opts.stateFile ? path.dirname(opts.stateFile) : undefined);
    const routes = typeof opts.routes === "function" ? opts.routes(this.ctx) : opts.routes;
    this.compiled = routes.map((route) => ({ route, ...compile(route.pattern) }));
    this.adminCompiled = (opts.adminRoutes ?? []).map((route) => ({ route, ...compile(route.pattern) }));
    this.server = http.createServer((req, res) =>
      void this.handle(req, res).catch((e) => {
        if (res.destroyed) return;
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(`emulator error: ${(e as Error).message}`);
      }),
    );
    this.server.keepAliveTimeout = 5_000;
  }

  get vendor(): string {
    return this.opts.vendor;
  }

  /** The request log (newest last, at most 5,000; credentials redacted). */
  get log(): LoggedRequest[] {
    return this.requestLog.entries;
  }

  /** Loads the state and opens the backend (once; `listen` calls it). */
  open(): Promise<void> {
    return (this.opening ??= (async () => {
      this.state = (await this.store.load(this.opts.initialState() as S & object)) as S;
      await this.opts.backend?.open?.(this.ctx);
    })());
  }

  async listen(port = 0, host = "127.0.0.1"): Promise<string> {
    await this.open();
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => resolve());
    });
    const addr = this.server.address() as AddressInfo;
    return `http://${host}:${addr.port}`;
  }

  /** Stops serving, interrupts and awaits background work, closes the backend, compacts the state and flushes the log. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
      await this.writes.catch(() => undefined);
      if (this.persistTimer) clearTimeout(this.persistTimer);
      this.ctx.onClose(() => this.opts.backend?.close?.(this.ctx), "release");
      await this.ctx.shutdown();
      if (this.opening) await this.store.compact(this.state as S & object).catch(() => undefined);
      await this.requestLog.flush();
    })());
  }

  /** Calls `fn` with every vendor answer sent (not streamed ones): for contract tests. */
  observe(fn: (a: ObservedAnswer) => void): () => void {
    this.observers.push(fn);
    return () => void this.observers.splice(this.observers.indexOf(fn), 1);
  }

  setFaults(f: FaultConfig): FaultConfig {
    return this.faultsCfg.set(f);
  }

  /** Replaces the state with the initial one (admin reset). */
  async reset(): Promise<void> {
    this.state = this.opts.initialState();
    this.store.markAll();
    await this.opts.backend?.reset?.(this.ctx);
    await this.store.flush(() => this.state as S & object);
  }

  /** Persists the whole state now (after a change made directly to `state`). */
  save(): Promise<void> {
    this.store.markAll();
    return this.store.flush(() => this.state as S & object);
  }

  /** Marks a change made outside a request (see EmulatorContext.save) and writes it soon. */
  persistSoon(collection?: string, key?: string): void {
    this.store.mark(collection, key);
    if (this.persistTimer || this.closing) return;
    this.persistTimer = setTimeout(() => {
      this.persistTimer = undefined;
      void this.ctx.track(this.store.flush(() => this.state as S & object));
    }, 10);
  }

  private async send(res: http.ServerResponse, r: EmulatorResponse): Promise<void> {
    if (r.stream) {
      res.writeHead(r.status, { "content-type": "application/json", ...r.headers });
      await r.stream(res);
      res.end();
      return;
    }
    const text = r.text ?? (r.body === undefined ? "" : JSON.stringify(r.body));
    res.writeHead(r.status, {
      ...(text ? { "content-type": "application/json" } : {}),
      "content-length": Buffer.byteLength(text),
      ...r.headers,
    });
    res.end(text);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://emulator");
    const method = (req.method ?? "GET").toUpperCase();
    let match: { route: Route<S>; params: Record<string, string> } | undefined;
    let routeError: HttpError | undefined;
    try {
      match = url.pathname.startsWith("/_emulator/") ? undefined : this.route(method, url.pathname);
    } catch (e) {
      routeError = e as HttpError;
    }
    const streamed = match?.route.stream === true;
    const rawBody = streamed ? Buffer.alloc(0) : await bodyOf(req);
    let body: any;
    try {
      body = rawBody.length ? JSON.parse(rawBody.toString("utf8")) : undefined;
    } catch {
      body = undefined;
    }

    if (url.pathname.startsWith("/_emulator/")) {
      const vendorAdmin = this.vendorAdmin(method, url, req.headers, body, rawBody);
      return this.send(res, vendorAdmin ? await vendorAdmin : await this.admin(method, url.pathname, body));
    }
    await this.open();

    const base = { time: this.ctx.now().toISOString(), method, path: url.pathname, query: url.search, headers: req.headers, body };
    if (this.faultsCfg.latencyMs) await new Promise((r) => setTimeout(r, this.faultsCfg.latencyMs));
    const fault = this.faultsCfg.take(method, url.pathname);
    if (fault?.drop === "before") {
      this.requestLog.record({ ...base, status: 0, fault: "dropped before handling" });
      req.socket.destroy();
      return;
    }
    if (fault?.status) {
      this.requestLog.record({ ...base, status: fault.status, fault: `injected ${fault.status}` });
      const headers: Record<string, string> = fault.retryAfter !== undefined ? { "retry-after": String(fault.retryAfter) } : {};
      if (streamed) req.resume();
      return this.send(res, { status: fault.status, body: this.errorBody(fault.status, `injected fault: HTTP ${fault.status}`), headers });
    }

    const apply = async (): Promise<EmulatorResponse> => {
      let response: EmulatorResponse;
      try {
        if (routeError) throw routeError;
        if (!match) throw new HttpError(404, this.errorBody(404, `no route for ${method} ${url.pathname}`));
        const ereq: EmulatorRequest = {
          method,
          path: url.pathname,
          params: match.params,
          query: url.searchParams,
          headers: req.headers,
          body,
          rawBody,
          ...(streamed ? { stream: req } : {}),
        };
        this.opts.authenticate(ereq, this.state);
        if (match.route.body) {
          const parsed = match.route.body.safeParse(body);
          if (!parsed.success) {
            const issue = parsed.error.issues[0];
            const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
            const message = `invalid request body: ${where}${issue?.message ?? "does not match the contract"}`;
            throw match.route.invalid ? match.route.invalid(message) : new HttpError(400, this.errorBody(400, message));
          }
        }
        response = await match.route.handler(ereq, this.store.track(this.state as S & object) as S, this.ctx);
        if (response.stream && fault?.drop === "after") {
          // apply it all (a statement runs to the end), answer nothing
          const sink = discardingResponse();
          await response.stream(sink);
          sink.end();
        }
      } catch (e) {
        if (e instanceof HttpError) response = e.toResponse();
        else response = { status: 500, body: this.errorBody(500, `emulator error: ${(e as Error).message}`) };
        if (streamed) req.resume(); // drain what the handler did not read
      }
      return response;
    };

    let response: EmulatorResponse;
    if (this.opts.serializeWrites && method !== "GET" && method !== "HEAD") {
      const run = this.writes.then(apply, apply);
      this.writes = run.catch(() => undefined);
      response = await run;
    } else response = await apply();
    // Answered only once its change is on disk. The write is outside the serialized section: the
    // writes that queue behind it run meanwhile, and one append carries all of theirs (group commit).
    if (this.store.isDirty) await this.store.flush(() => this.state as S & object);

    this.requestLog.record({ ...base, status: response.status, ...(fault?.drop === "after" ? { fault: "dropped after handling" } : {}) });
    if (fault?.drop === "after") {
      req.socket.destroy();
      return;
    }
    if (this.observers.length && !response.stream) {
      const answer: ObservedAnswer = { method, path: url.pathname, pattern: match?.route.pattern, status: response.status, text: response.text ?? (response.body === undefined ? "" : JSON.stringify(response.body)) };
      for (const o of this.observers) o(answer);
    }
    await this.send(res, response);
  }

  private errorBody(status: number, message: string): unknown {
    return this.opts.errorBody ? this.opts.errorBody(status, message) : { message };
  }

  private route(method: string, p: string): { route: Route<S>; params: Record<string, string> } | undefined {
    let pathMatched = false;
    for (const c of this.compiled) {
      const m = c.re.exec(p);
      if (!m) continue;
      pathMatched = true;
      if (c.route.method !== method) continue;
      const params: Record<string, string> = {};
      c.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1])));
      return { route: c.route, params };
    }
    if (pathMatched) throw new HttpError(405, this.errorBody(405, `method ${method} not allowed on ${p}`));
    return undefined;
  }

  /** A vendor admin call (EmulatorOptions.adminRoutes), or undefined when none matches. */
  private vendorAdmin(method: string, url: URL, headers: http.IncomingHttpHeaders, body: any, rawBody: Buffer): Promise<EmulatorResponse> | undefined {
    for (const c of this.adminCompiled) {
      const m = c.re.exec(url.pathname);
      if (!m || c.route.method !== method) continue;
      const params: Record<string, string> = {};
      c.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1])));
      const ereq: EmulatorRequest = { method, path: url.pathname, params, query: url.searchParams, headers, body, rawBody };
      return (async () => {
        await this.open();
        try {
          const r = await c.route.handler(ereq, this.store.track(this.state as S & object) as S, this.ctx);
          if (this.store.isDirty) await this.store.flush(() => this.state as S & object);
          return r;
        } catch (e) {
          if (e instanceof HttpError) return e.toResponse();
          return { status: 500, body: { message: (e as Error).message } };
        }
      })();
    }
    return undefined;
  }

  private async admin(method: string, p: string, body: any): Promise<EmulatorResponse> {
    const key = `${method} ${p}`;
    switch (key) {
      case "GET /_emulator/health":
        return { status: 200, body: { vendor: this.opts.vendor, ok: true } };
      case "GET /_emulator/requests":
        return { status: 200, body: this.log };
      case "DELETE /_emulator/requests":
        this.log.length = 0;
        return { status: 204 };
      case "PUT /_emulator/faults":
        try {
          return { status: 200, body: this.setFaults(body ?? {}) };
        } catch (e) {
          return { status: 400, body: { message: (e as Error).message } };
        }
      case "DELETE /_emulator/faults":
        this.setFaults({});
        return { status: 204 };
      case "GET /_emulator/state":
        await this.open();
        return { status: 200, body: this.state };
      case "POST /_emulator/reset":
        await this.open();
        await this.reset();
        return { status: 204 };
      default:
        return { status: 404, body: { message: `unknown admin call ${key}` } };
    }
  }
}

/** The request's body; a request that declares none (a GET or DELETE) is answered without waiting for it. */
function bodyOf(req: http.IncomingMessage): Promise<Buffer> {
  if ((req.headers["content-length"] === undefined && req.headers["transfer-encoding"] === undefined) || req.headers["content-length"] === "0") {
    req.resume();
    return Promise.resolve(Buffer.alloc(0));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("error", reject);
  });
}
