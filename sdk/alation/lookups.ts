/**
 * Lookups: plain async functions that read Alation from the program (not resources): data sources,
 * queries, a query's latest cached result (as rows), its execution sessions, batches and events, and
 * scheduled runs. Settings come from the stack config (`warehouse:alationEndpoint`, secret
 * `warehouse:alationRefreshToken` with `warehouse:alationUserId`, or secret
 * `warehouse:alationAccessToken`) or the environment, as for the provider.
 */
import * as pulumi from "@pulumi/pulumi";
import { AlationApi, ListParams } from "../../provider/alation/api";
import { createApi } from "../../provider/registry";
import type { ExecutionBatchBody, ExecutionEventBody, ExecutionSessionBody, LatestResultBody, NativeDatasourceBody, QueryBody, ScheduledRunBody } from "../../provider/alation/contract";

async function withApi<T>(f: (api: AlationApi) => Promise<T>): Promise<T> {
  // Full keys ("warehouse:alationEndpoint"), read raw: the same source as the provider.
  const source = { get: (key: string) => pulumi.runtime.getConfig(key) };
  const api = createApi("alation", source) as AlationApi;
  try {
    return await f(api);
  } finally {
    await api.close();
  }
}

/** Every data source of the instance (GET /integration/v1/datasource/). */
export function getDatasources(): Promise<NativeDatasourceBody[]> {
  return withApi((api) => api.datasources());
}

/** One data source, by id or by exact title; fails when there is none (or several with the title). */
export async function getDatasource(args: { id?: number; title?: string }): Promise<NativeDatasourceBody> {
  const all = await getDatasources();
  const hits = all.filter((d) => (args.id !== undefined ? d.id === args.id : d.title === args.title));
  if (hits.length !== 1) {
    throw new Error(
      `alation.getDatasource: ${hits.length === 0 ? "no" : `${hits.length}`} data source${hits.length > 1 ? "s" : ""} with ${args.id !== undefined ? `id ${args.id}` : `title ${JSON.stringify(args.title)}`}; the data sources are ${all.map((d) => `"${d.title}" (${d.id})`).join(", ") || "none"}`,
    );
  }
  return hits[0];
}

/** One query by id; fails when Alation has none. */
export async function getQuery(args: { id: number }): Promise<QueryBody> {
  const q = await withApi((api) => api.getQuery(args.id));
  if (!q) throw new Error(`alation.getQuery: Alation has no query ${args.id}`);
  return q;
}

/** Queries matching Django-style filters (e.g. {title__icontains: "revenue", published: true}). */
export function getQueries(args: { filters?: ListParams } = {}): Promise<QueryBody[]> {
  return withApi((api) => api.listQueries(args.filters ?? {}));
}

export interface QueryResult {
  /** The result's id (GET /integration/v1/result/<id>/csv/). */
  resultId: number;
  /** Whether Alation kept only part of the result (over 16 MB, or an export preview). */
  truncated: boolean;
  /** The execution event of the statement that produced it. */
  executionEvent: LatestResultBody["execution_event"];
  columns: string[];
  /** The rows, as CSV text values keyed by column name. */
  rows: Record<string, string>[];
  csv: string;
}

/** Splits CSV text (RFC 4180: quotes, doubled quotes, CRLF) into rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") row.push(cell), (cell = "");
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += ch;
  }
  if (cell !== "" || row.length) rows.push([...row, cell]);
  return rows;
}

/** The latest cached result of a query, as rows, with its execution event; fails when the query has none. */
export async function getQueryResult(args: { queryId: number }): Promise<QueryResult> {
  return withApi(async (api) => {
    const latest = await api.getLatestResult(args.queryId);
    if (!latest) throw new Error(`alation.getQueryResult: query ${args.queryId} has no cached result (run it first; results expire after a week by default)`);
    const csv = await api.getResultCsv(latest.id);
    const [header = [], ...body] = parseCsv(csv);
    return {
      resultId: latest.id,
      truncated: latest.truncated,
      executionEvent: latest.execution_event,
      columns: header,
      rows: body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ""]))),
      csv,
    };
  });
}

/** Execution sessions, of one query or of all; `filters` are the endpoint's URL parameters. */
export function getExecutionSessions(args: { queryId?: number; filters?: ListParams } = {}): Promise<ExecutionSessionBody[]> {
  return withApi((api) => api.listSessions(args.queryId, args.filters));
}

/** Execution batches (one per run of a query), of one query or of all. */
export function getExecutionBatches(args: { queryId?: number; filters?: ListParams } = {}): Promise<ExecutionBatchBody[]> {
  return withApi((api) => api.listBatches(args.queryId, args.filters));
}

/** Execution events (one per statement run), of one query or of all. */
export function getExecutionEvents(args: { queryId?: number; filters?: ListParams } = {}): Promise<ExecutionEventBody[]> {
  return withApi((api) => api.listEvents(args.queryId, args.filters));
}

/** Scheduled runs (one Celery task each), of one query or of all; session and query are null unless the instance stores them. */
export function getScheduledRuns(args: { queryId?: number; filters?: ListParams } = {}): Promise<ScheduledRunBody[]> {
  return withApi((api) => api.listScheduledRuns(args.queryId, args.filters));
}
