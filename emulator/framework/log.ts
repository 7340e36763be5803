/**
 * The request log: kept in memory (the newest 5,000) and appended to `<vendor>.requests.jsonl`
 * asynchronously, in batches (a write at most every 50 ms, and on close) through a file handle kept
 * open while requests keep coming, so logging never blocks a request and its cost does not grow
 * with the log. Credentials are redacted before anything is
 * stored: the headers each emulator declares secret (`authorization` always), and in JSON bodies
 * every field whose name it declares secret (at any depth) — API-key secrets, passwords,
 * connection credentials.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Appends to one file through a handle kept open while writes keep coming (opening and closing
 * the file, and a mkdir, per append cost more than the write itself). The handle closes itself
 * after `idleMs` without writes (an unref'd timer: it never keeps the process alive) and on
 * `close()`. Writes are serialised; the file (and its directory) is created on first use. It is
 * opened in append mode, so after a compaction truncates it the next line lands at its start.
 */
export class Appender {
  private handle?: Promise<fs.promises.FileHandle>;
  private chain: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;

  constructor(readonly file: string, private readonly idleMs = 1_000) {}

  append(text: string): Promise<void> {
    const p = this.chain.then(async () => {
      this.handle ??= fs.promises.mkdir(path.dirname(this.file), { recursive: true }).then(() => fs.promises.open(this.file, "a"));
      let h: fs.promises.FileHandle;
      try {
        h = await this.handle;
      } catch (e) {
        this.handle = undefined;
        throw e;
      }
      await h.appendFile(text);
      this.idle();
    });
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** Closes the handle once the writes queued so far are done. */
  close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const p = this.chain.then(async () => {
      const h = this.handle;
      this.handle = undefined;
      if (h) await (await h.catch(() => undefined))?.close().catch(() => undefined);
    });
    this.chain = p;
    return p;
  }

  private idle(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.close(), this.idleMs);
    this.timer.unref();
  }
}

export interface LoggedRequest {
  time: string;
  method: string;
  path: string;
  query: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  fault?: string;
}

export const REDACTED = "[REDACTED]";

export interface Redaction {
  /** Header names (any case) whose values are credentials. `authorization` is always included. */
  secretHeaders?: string[];
  /** JSON field names (strings: any case; or patterns), at any depth of request bodies, whose values are credentials. */
  secretFields?: (string | RegExp)[];
  /** Query-string parameters (any case) whose values are credentials (e.g. CARTO's `api_key`). */
  secretQueryParams?: string[];
  /** Rewrites a body before field redaction (e.g. credentials inside SQL text). */
  rewriteBody?: (body: unknown) => unknown;
}

export function redactor(r: Redaction) {
  const headers = new Set(["authorization", ...(r.secretHeaders ?? [])].map((h) => h.toLowerCase()));
  const names = new Set((r.secretFields ?? []).filter((f): f is string => typeof f === "string").map((f) => f.toLowerCase()));
  const patterns = (r.secretFields ?? []).filter((f): f is RegExp => f instanceof RegExp);
  const secret = (k: string) => names.has(k.toLowerCase()) || patterns.some((p) => p.test(k));
  const fields = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(fields);
    if (typeof v !== "object" || v === null) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = secret(k) && x !== null && x !== undefined ? REDACTED : fields(x);
    return out;
  };
  const params = new Set((r.secretQueryParams ?? []).map((q) => q.toLowerCase()));
  const body = (v: unknown): unknown => fields(r.rewriteBody ? r.rewriteBody(v) : v);
  return {
    /** The query string (`?a=1&b=2`) with secret parameters' values redacted. */
    query: (q: string): string => {
      if (!params.size || !q) return q;
      return q.replace(/([?&])([^=&]*)=([^&]*)/g, (m, sep: string, k: string) => {
        let name = k;
        try {
          name = decodeURIComponent(k.replace(/\+/g, " "));
        } catch {
          /* keep it raw */
        }
        return params.has(name.toLowerCase()) ? `${sep}${k}=${encodeURIComponent(REDACTED)}` : m;
      });
    },
    headers: (h: Record<string, string | string[] | undefined>) => {
      const out: Record<string, string | string[] | undefined> = {};
      for (const [k, v] of Object.entries(h)) out[k] = headers.has(k.toLowerCase()) ? REDACTED : v;
      return out;
    },
    body,
  };
}

export class RequestLog {
  readonly entries: LoggedRequest[] = [];
  private buffer: string[] = [];
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();
  private readonly redact: ReturnType<typeof redactor>;
  private readonly appender?: Appender;

  constructor(private readonly file: string | undefined, redaction: Redaction, private readonly max = 5_000) {
    this.redact = redactor(redaction);
    if (file) this.appender = new Appender(file);
  }

  record(entry: LoggedRequest): LoggedRequest {
    const logged: LoggedRequest = { ...entry, query: this.redact.query(entry.query), headers: this.redact.headers(entry.headers) };
    if (entry.body !== undefined) logged.body = this.redact.body(entry.body);
    this.entries.push(logged);
    if (this.entries.length > this.max) this.entries.splice(0, this.entries.length - this.max);
    if (this.file) {
      this.buffer.push(JSON.stringify(logged));
      this.timer ??= setTimeout(() => void this.flush(), 50);
    }
    return logged;
  }

  /** Writes what is buffered. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.file || !this.buffer.length) return this.writing;
    const text = this.buffer.join("\n") + "\n";
    this.buffer = [];
    this.writing = this.appender!.append(text).catch(() => undefined);
    return this.writing;
  }
}
