/**
 * What every vendor emulator shares: routing, JSON bodies, state persisted to a file
 * (so it survives a restart), a request log (credentials redacted), and fault injection
 * that tests switch on per run. Vendor behaviour lives in emulator/<vendor>/.
 *
 * Admin API (not part of any vendor's API; loopback only, no auth):
 *   GET    /_emulator/health            -> {vendor, ok}
 *   GET    /_emulator/requests          -> the request log (newest last)
 *   DELETE /_emulator/requests          -> clears it
 *   PUT    /_emulator/faults            -> sets fault rules (see FaultRule), {latencyMs?, rules: [...]}
 *   DELETE /_emulator/faults            -> clears them
 *   GET    /_emulator/state             -> the vendor state, as persisted
 *   POST   /_emulator/reset             -> empties the state
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { AddressInfo } from "node:net";

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

export type Handler<S> = (req: EmulatorRequest, state: S) => EmulatorResponse | Promise<EmulatorResponse>;

export interface Route<S> {
  method: string;
  pattern: string;
  handler: Handler<S>;
  /** Do not buffer the request body: the handler gets `req.stream`. */
  stream?: boolean;
}

/** A fault applied to matching vendor requests, `times` times (default 1). */
export interface FaultRule {
  method?: string;
  /** Regular expression matched against the path. */
  path?: string;
  /** Respond with this status instead of handling the request. */
  status?: number;
  /** Retry-After header (seconds) sent with the status. */
  retryAfter?: number;
  /** Drop the connection: "before" handling (nothing applied) or "after" (applied, no answer). */
  drop?: "before" | "after";
  times?: number;
}

export interface FaultConfig {
  latencyMs?: number;
  rules?: FaultRule[];
}

/**
 * Thrown by handlers to answer with an error. `body` is sent as JSON, except a string body
 * with a text/plain content-type header, which is sent as is; `undefined` sends an empty body.
 */
export class HttpError extends Error {
  constructor(readonly status: number, readonly body: unknown, readonly headers: Record<string, string> = {}) {
    super(typeof body === "string" ? body : JSON.stringify(body));
  }

  toResponse(): EmulatorResponse {
    const plain = typeof this.body === "string" && /text\/plain/.test(this.headers["content-type"] ?? "");
    return plain ? { status: this.status, text: this.body as string, headers: this.headers } : { status: this.status, body: this.body, headers: this.headers };
  }
}

export interface EmulatorOptions<S> {
  vendor: string;
  routes: Route<S>[];
  initialState: () => S;
  /** Rejects unauthenticated requests (throw HttpError). */
  authenticate: (req: EmulatorRequest, state: S) => void;
  /** State file; omitted means in-memory only. */
  stateFile?: string;
  /** Request log file (JSON lines); also kept in memory. */
  logFile?: string;
  faults?: FaultConfig;
  /** Renders an error the vendor's way. */
  errorBody?: (status: number, message: string) => unknown;
  /** Headers that carry credentials, redacted in the log. */
  secretHeaders?: string[];
}

interface LoggedRequest {
  time: string;
  method: string;
  path: string;
  query: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  fault?: string;
}

function compile(pattern: string): { re: RegExp; names: string[] } {
  const names: string[] = [];
  const re = pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_m, n) => {
    names.push(n);
    return "([^/]+)";
  });
  return { re: new RegExp(`^${re}$`), names };
}

export class EmulatorServer<S> {
  state: S;
  readonly log: LoggedRequest[] = [];
  private faults: FaultConfig;
  private readonly server: http.Server;
  private readonly compiled: { route: Route<S>; re: RegExp; names: string[] }[];

  constructor(private readonly opts: EmulatorOptions<S>) {
    this.state = this.load();
    this.faults = opts.faults ?? {};
    this.compiled = opts.routes.map((route) => ({ route, ...compile(route.pattern) }));
    this.server = http.createServer((req, res) =>
      void this.handle(req, res).catch((e) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(`emulator error: ${(e as Error).message}`);
      }),
    );
    this.server.keepAliveTimeout = 5_000;
  }

  get vendor(): string {
    return this.opts.vendor;
  }

  async listen(port = 0, host = "127.0.0.1"): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => resolve());
    });
    const addr = this.server.address() as AddressInfo;
    return `http://${host}:${addr.port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  setFaults(f: FaultConfig): void {
    this.faults = { latencyMs: f.latencyMs, rules: (f.rules ?? []).map((r) => ({ ...r, times: r.times ?? 1 })) };
  }

  reset(): void {
    this.state = this.opts.initialState();
    this.save();
  }

  private load(): S {
    const file = this.opts.stateFile;
    if (file && fs.existsSync(file)) {
      return { ...this.opts.initialState(), ...JSON.parse(fs.readFileSync(file, "utf8")) };
    }
    return this.opts.initialState();
  }

  save(): void {
    const file = this.opts.stateFile;
    if (!file) return;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.state, null, 1));
    fs.renameSync(tmp, file);
  }

  private record(entry: LoggedRequest): void {
    const secret = new Set(["authorization", "x-bytehouse-token", ...(this.opts.secretHeaders ?? [])]);
    const headers: Record<string, string | string[] | undefined> = {};
    for (const [k, v] of Object.entries(entry.headers)) headers[k] = secret.has(k.toLowerCase()) ? "[REDACTED]" : v;
    const logged = { ...entry, headers };
    this.log.push(logged);
    if (this.log.length > 5_000) this.log.shift();
    if (this.opts.logFile) {
      fs.mkdirSync(path.dirname(this.opts.logFile), { recursive: true });
      fs.appendFileSync(this.opts.logFile, JSON.stringify(logged) + "\n");
    }
  }

  private takeFault(method: string, p: string): FaultRule | undefined {
    for (const rule of this.faults.rules ?? []) {
      if ((rule.times ?? 1) <= 0) continue;
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      if (rule.path && !new RegExp(rule.path).test(p)) continue;
      rule.times = (rule.times ?? 1) - 1;
      return rule;
    }
    return undefined;
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
    const chunks: Buffer[] = [];
    if (!streamed) for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks);
    let body: any;
    try {
      body = rawBody.length ? JSON.parse(rawBody.toString("utf8")) : undefined;
    } catch {
      body = undefined;
    }

    if (url.pathname.startsWith("/_emulator/")) return this.send(res, this.admin(method, url.pathname, body));

    const base = { time: new Date().toISOString(), method, path: url.pathname, query: url.search, headers: req.headers, body };
    if (this.faults.latencyMs) await new Promise((r) => setTimeout(r, this.faults.latencyMs));
    const fault = this.takeFault(method, url.pathname);
    if (fault?.drop === "before") {
      this.record({ ...base, status: 0, fault: "dropped before handling" });
      req.socket.destroy();
      return;
    }
    if (fault?.status) {
      this.record({ ...base, status: fault.status, fault: `injected ${fault.status}` });
      const headers: Record<string, string> = fault.retryAfter !== undefined ? { "retry-after": String(fault.retryAfter) } : {};
      if (streamed) req.resume();
      return this.send(res, { status: fault.status, body: this.errorBody(fault.status, `injected fault: HTTP ${fault.status}`), headers });
    }

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
      response = await match.route.handler(ereq, this.state);
      if (method !== "GET" && response.status < 400) this.save();
    } catch (e) {
      if (e instanceof HttpError) response = e.toResponse();
      else response = { status: 500, body: this.errorBody(500, `emulator error: ${(e as Error).message}`) };
      if (streamed) req.resume(); // drain what the handler did not read
    }
    this.record({ ...base, status: response.status, ...(fault?.drop === "after" ? { fault: "dropped after handling" } : {}) });
    if (fault?.drop === "after") {
      req.socket.destroy();
      return;
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

  private admin(method: string, p: string, body: any): EmulatorResponse {
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
        this.setFaults(body ?? {});
        return { status: 200, body: this.faults };
      case "DELETE /_emulator/faults":
        this.setFaults({});
        return { status: 204 };
      case "GET /_emulator/state":
        return { status: 200, body: this.state };
      case "POST /_emulator/reset":
        this.reset();
        return { status: 204 };
      default:
        return { status: 404, body: { message: `unknown admin call ${key}` } };
    }
  }
}

/** Offset pagination, the ByteHouse way: limit defaults to 10 and is clamped to 100. */
export function paginate<T>(items: T[], query: URLSearchParams, defaults: { defaultLimit: number; maxLimit: number }, bad: (msg: string) => HttpError) {
  const rawLimit = query.get("limit");
  const rawOffset = query.get("offset");
  const limit = rawLimit === null || rawLimit === "" ? defaults.defaultLimit : Number(rawLimit);
  const offset = rawOffset === null || rawOffset === "" ? 0 : Number(rawOffset);
  if (!Number.isInteger(limit) || limit < 0) throw bad("limit should be an integer >= 0");
  if (!Number.isInteger(offset) || offset < 0) throw bad("offset should be an integer >= 0");
  const clamped = Math.min(limit, defaults.maxLimit);
  return { page: items.slice(offset, offset + clamped), meta: { offset, limit: clamped, total: items.length } };
}
