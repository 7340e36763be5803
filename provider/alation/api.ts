/**
 * Alation Queries API client (shared/vendor-docs/alation-queries-api.txt; notes §2). Calls carry
 * an API access token in the `TOKEN` header. With a refresh token (and its user id) the client
 * mints access tokens through POST /integration/v1/createAPIAccessToken/, renews one before it
 * expires, and once more when the vendor answers 401/403 "Invalid API token." (revoked, or expired
 * early). Neither token is ever logged or echoed: both are redacted from every message.
 *
 * The vendor has no update and no delete of a query: the client has neither.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { HttpClient, HttpClientOptions, RequestOptions } from "../http/client";
import { perShape } from "../http/shapes";
import { WarehouseApiError, isNotFound } from "../http/errors";
import { resourceDefiner } from "../framework/spec";
import { journalDir } from "../framework/journal";
import * as C from "./contract";
import { ALATION_PATHS as P } from "./contract";
import { ALATION_SETTINGS as A } from "./settings";

const arrayOf = perShape(<T extends z.ZodType>(item: T) => z.array(item));

export interface AlationSettings {
  endpoint: string;
  refreshToken?: string;
  userId?: string;
  accessToken?: string;
}

export interface AlationClientOptions extends Partial<HttpClientOptions> {
  /** The client's clock (ms), for renewing access tokens before they expire (tests shorten it). */
  clock?: () => number;
  /** Where the abandoned-queries ledger lives (default: the creates journal's directory). */
  ledgerDir?: string;
}

/** Renew an access token when less than this share of its lifetime is left (and at most 5 minutes before). */
const RENEW_SHARE = 0.1;
const RENEW_MAX_MS = 5 * 60_000;

function parseAlationError(body: unknown, text: string): { message?: string; code?: string } {
  if (body && typeof body === "object" && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    const code = typeof b.code === "string" ? b.code : undefined;
    if (typeof b.detail === "string") return { message: b.detail, code };
    if (typeof b.error === "string") return { message: b.error, code };
    // Django REST framework's field errors: {"field": ["message", …]}
    const fields = Object.entries(b).filter(([, v]) => Array.isArray(v) && v.every((x) => typeof x === "string"));
    if (fields.length) return { message: fields.map(([k, v]) => `${k}: ${(v as string[]).join(" ")}`).join("; ") };
  }
  const t = text.trim();
  return { message: t && !t.startsWith("<") ? t : undefined };
}

/** Alation's own "no such object": 404 {"detail": "Not found."}, or no latest result for a query. */
function isAlationNotFound(status: number, body: unknown): boolean {
  if (status !== 404 || !body || typeof body !== "object") return false;
  const d = (body as { detail?: unknown }).detail;
  return d === C.ERRORS.notFound || (typeof d === "string" && d.startsWith("Could not get latest query result ID"));
}

const CREDENTIAL_HINT = `the Alation token (${A.refreshToken.config} with ${A.userId.config}, or ${A.accessToken.config}; or $${A.refreshToken.env} with $${A.userId.env}, or $${A.accessToken.env})`;

/** Checks the settings name a usable credential; the error names what to set. */
export function checkAlationSettings(s: AlationSettings): void {
  if (s.accessToken) return;
  if (s.refreshToken && s.userId) {
    if (!/^\d+$/.test(s.userId)) throw new Error(`${A.userId.config} must be the numeric id of the refresh token's user (got ${JSON.stringify(s.userId.slice(0, 20))})`);
    return;
  }
  if (s.refreshToken) throw new Error(`alation is not configured: ${A.refreshToken.config} is set but ${A.userId.config} (or $${A.userId.env}), the id of its user, is not`);
  throw new Error(
    `alation is not configured: set ${A.refreshToken.config} (secret) with ${A.userId.config}, or ${A.accessToken.config} (secret); or $${A.refreshToken.env} with $${A.userId.env}, or $${A.accessToken.env}`,
  );
}

/** The access token in use, minted from the refresh token when there is one. */
class AccessTokens {
  private token?: string;
  private expiresAt = 0;
  private lifetimeMs = 0;
  private minting?: Promise<void>;

  constructor(
    private readonly settings: AlationSettings,
    private readonly tokenHttp: HttpClient,
    private readonly secrets: string[],
    private readonly clock: () => number,
  ) {
    if (settings.accessToken) this.token = settings.accessToken;
  }

  get value(): string | undefined {
    return this.token;
  }

  get renewable(): boolean {
    return !this.settings.accessToken && !!this.settings.refreshToken;
  }

  /** A valid token, minted or renewed first when none is held or the held one is about to expire. */
  async ensure(): Promise<string> {
    if (!this.renewable) return this.token!;
    const margin = Math.min(RENEW_MAX_MS, this.lifetimeMs * RENEW_SHARE);
    if (!this.token || this.clock() >= this.expiresAt - margin) await this.mint();
    return this.token!;
  }

  /** The vendor refused `used`: drop it (unless another call already replaced it) and mint a new one. */
  async renew(used: string): Promise<void> {
    if (this.token === used) this.token = undefined;
    await this.ensure();
  }

  private mint(): Promise<void> {
    return (this.minting ??= (async () => {
      try {
        const res = await this.tokenHttp.request({
          method: "POST",
          path: P.createAccessToken(),
          body: { refresh_token: this.settings.refreshToken, user_id: Number(this.settings.userId) },
          response: C.AccessToken,
          idempotent: true, // a repeated mint only makes another token
          sensitiveResponse: true,
        });
        const t = res.data.api_access_token;
        this.secrets.push(t);
        const created = Date.parse(res.data.created_at);
        const expires = Date.parse(res.data.token_expires_at);
        this.lifetimeMs = Number.isFinite(created) && Number.isFinite(expires) && expires > created ? expires - created : 24 * 3600_000;
        this.expiresAt = this.clock() + this.lifetimeMs;
        this.token = t;
      } finally {
        this.minting = undefined;
      }
    })());
  }
}

/** One query the stack stopped managing while it still exists in Alation (the API cannot delete it). */
export interface AbandonedEntry {
  id: number;
  url: string;
  title: string;
  datasourceId: number;
  abandonedAt: string;
}

/**
 * A local record of the queries this directory's provider abandoned (replaced or deleted), per
 * Alation endpoint: a later create must not take one of them for "the query with this title"
 * (a replacement keeps the title and the old query is still there). JSON lines next to the
 * creates journal; ids, titles and URLs only.
 */
export class AbandonedLedger {
  private entries?: Map<number, AbandonedEntry>;
  readonly file: string;

  constructor(scope: string, dir = journalDir()) {
    this.file = path.join(dir, `alation-abandoned-${crypto.createHash("sha256").update(scope).digest("hex").slice(0, 16)}.jsonl`);
  }

  private load(): Map<number, AbandonedEntry> {
    if (this.entries) return this.entries;
    this.entries = new Map();
    let text = "";
    try {
      text = fs.readFileSync(this.file, "utf8");
    } catch {
      return this.entries;
    }
    for (const line of text.split("\n")) {
      try {
        const e = JSON.parse(line) as AbandonedEntry & { revived?: boolean };
        if (typeof e.id !== "number") continue;
        if (e.revived) this.entries.delete(e.id);
        else this.entries.set(e.id, e);
      } catch {
        // a torn line: the rest still counts
      }
    }
    return this.entries;
  }

  /** Whether this query (same id, title and data source: ids of another instance at the same URL do not match) was abandoned. */
  has(q: { id: number; title: string; datasource_id: number }): boolean {
    const e = this.load().get(q.id);
    return !!e && e.title === q.title && e.datasourceId === q.datasource_id;
  }

  add(e: AbandonedEntry): void {
    if (this.load().has(e.id)) return;
    this.load().set(e.id, e);
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.appendFileSync(this.file, JSON.stringify(e) + "\n");
  }

  /** The stack manages the query again (an identical query adopted back). */
  revive(id: number): void {
    if (!this.load().delete(id)) return;
    fs.appendFileSync(this.file, JSON.stringify({ id, revived: true }) + "\n");
  }

  list(): AbandonedEntry[] {
    return [...this.load().values()];
  }
}

export type ListParams = Record<string, string | number | boolean | undefined>;

export class AlationApi {
  readonly http: HttpClient;
  private readonly tokenHttp: HttpClient;
  private readonly tokens: AccessTokens;
  private datasourcesCache?: Promise<C.NativeDatasourceBody[]>;
  readonly ledger: AbandonedLedger;
  readonly endpoint: string;

  constructor(settings: AlationSettings, extra: AlationClientOptions = {}) {
    checkAlationSettings(settings);
    const { clock, ledgerDir, ...httpExtra } = extra;
    this.endpoint = settings.endpoint.replace(/\/+$/, "");
    const secrets = [settings.refreshToken, settings.accessToken].filter((s): s is string => !!s);
    const common: Omit<HttpClientOptions, "authHeaders"> = {
      vendor: "Alation",
      baseUrl: settings.endpoint,
      secrets, // shared: minted access tokens are added as they come
      notFound: (status, body) => isAlationNotFound(status, body),
      parseError: parseAlationError,
      endpointSetting: A.endpoint.config,
      credentialHint: CREDENTIAL_HINT,
      ...httpExtra,
    };
    this.tokenHttp = new HttpClient({ ...common, authHeaders: () => ({}) });
    this.tokens = new AccessTokens(settings, this.tokenHttp, secrets, clock ?? Date.now);
    this.http = new HttpClient({ ...common, authHeaders: (): Record<string, string> => (this.tokens.value ? { token: this.tokens.value } : {}) });
    this.ledger = new AbandonedLedger(`alation endpoint=${this.endpoint}`, ledgerDir);
  }

  async close(): Promise<void> {
    await Promise.all([this.http.close(), this.tokenHttp.close()]);
  }

  /** The catalog page of a query (absolute). */
  queryUrl(q: { id: number; catalog_url?: string }): string {
    return `${this.endpoint}${q.catalog_url ?? `/query/${q.id}/`}`;
  }

  /**
   * One authenticated call. With a refresh token: a token is minted first when needed, and a
   * 401/403 "Invalid API token." is answered by renewing the token and sending the call once more.
   */
  async call<T = unknown>(req: RequestOptions & { response?: z.ZodType<T> }): Promise<T> {
    const used = await this.tokens.ensure();
    try {
      return (await this.http.request(req)).data as T;
    } catch (e) {
      const refused = e instanceof WarehouseApiError && e.kind === "auth" && /Invalid API token/i.test(e.message);
      if (!refused || !this.tokens.renewable) throw e;
      await this.tokens.renew(used);
      return (await this.http.request(req)).data as T;
    }
  }

  /** Every page of a list endpoint (limit/skip). */
  async listAll<T>(pathname: string, params: ListParams, item: z.ZodType<T>, pageSize = 100): Promise<T[]> {
    const out: T[] = [];
    for (let skip = 0; ; skip += pageSize) {
      const page = await this.call<T[]>({ method: "GET", path: pathname, query: { ...params, limit: pageSize, skip }, response: arrayOf(item) });
      out.push(...page);
      if (page.length < pageSize) return out;
    }
  }

  // ---- data sources

  /** The data sources, read once per provider process. */
  datasources(): Promise<C.NativeDatasourceBody[]> {
    if (!this.datasourcesCache) {
      this.datasourcesCache = this.listAll(P.datasources(), {}, C.NativeDatasource);
      this.datasourcesCache.catch(() => (this.datasourcesCache = undefined));
    }
    return this.datasourcesCache;
  }

  // ---- queries

  async createQuery(body: C.CreateQueryBody): Promise<C.QueryBody> {
    return this.call({ method: "POST", path: P.queries(), body, response: C.Query, idempotent: false });
  }

  /** A query, or undefined when Alation says it does not exist. */
  async getQuery(id: number | string): Promise<C.QueryBody | undefined> {
    try {
      return await this.call({ method: "GET", path: P.query(id), response: C.Query });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  listQueries(params: ListParams = {}): Promise<C.QueryBody[]> {
    return this.listAll(P.queries(), params, C.Query);
  }

  async getQuerySql(id: number | string): Promise<string> {
    const r = await this.call<unknown>({ method: "GET", path: P.querySql(id), headers: { accept: "text/plain" } });
    return typeof r === "string" ? r : JSON.stringify(r);
  }

  /** The latest cached result of a query and its execution event, or undefined when it has none. */
  async getLatestResult(queryId: number | string): Promise<C.LatestResultBody | undefined> {
    try {
      return await this.call({ method: "GET", path: P.queryLatestResult(queryId), response: C.LatestResult });
    } catch (e) {
      if (isNotFound(e) && /Could not get latest/.test((e as Error).message)) return undefined;
      throw e;
    }
  }

  /** A cached result as CSV text. */
  async getResultCsv(resultId: number | string): Promise<string> {
    const r = await this.call<unknown>({ method: "GET", path: P.resultCsv(resultId), headers: { accept: "text/csv, */*" } });
    return typeof r === "string" ? r : JSON.stringify(r);
  }

  listSessions(queryId?: number, params: ListParams = {}): Promise<C.ExecutionSessionBody[]> {
    return this.listAll(queryId === undefined ? P.sessions() : P.querySessions(queryId), params, C.ExecutionSession);
  }

  listBatches(queryId?: number, params: ListParams = {}): Promise<C.ExecutionBatchBody[]> {
    return this.listAll(queryId === undefined ? P.batches() : P.queryBatches(queryId), params, C.ExecutionBatch);
  }

  listEvents(queryId?: number, params: ListParams = {}): Promise<C.ExecutionEventBody[]> {
    return this.listAll(queryId === undefined ? P.events() : P.queryEvents(queryId), params, C.ExecutionEvent);
  }

  getEvent(id: number): Promise<C.ExecutionEventBody> {
    return this.call({ method: "GET", path: P.event(id), response: C.ExecutionEvent });
  }

  listScheduledRuns(queryId?: number, params: ListParams = {}): Promise<C.ScheduledRunBody[]> {
    return this.listAll(queryId === undefined ? P.scheduledRuns() : P.queryScheduledRuns(queryId), params, C.ScheduledRun);
  }
}

export function createAlationApi(settings: AlationSettings, extra: AlationClientOptions = {}): AlationApi {
  return new AlationApi(settings, extra);
}

/** Declares an Alation resource kind: its operations get an AlationApi. */
export const defineAlationResource = resourceDefiner<AlationApi>("alation");
