/**
 * alation.AbandonedQueries — the report of what Alation's API cannot clean up: every query this
 * stack managed and then stopped managing (replaced with allowReplace, or removed from the
 * program) while it still exists in Alation. Its input is the stack's live queries (id and URL;
 * sdk `alation.abandonedQueriesReport(name, queries)` builds it from the Query resources); each
 * update compares them with the ones it saw last time, so a query replaced or deleted in this very
 * `pulumi up` is listed by the same up. Its state is the list: nothing is stored at Alation.
 * Refresh drops an entry once Alation confirms the query is gone (deleted in the UI).
 */
import { z } from "zod";
import { defineAlationResource } from "./api";
import { isNotFound } from "../http/errors";

const liveQuery = z
  .object({
    id: z.number().int().positive().describe("The query's id (Query output queryId)."),
    url: z.string().optional().describe("Its catalog page (Query output url)."),
    title: z.string().optional().describe("Its title."),
  })
  .describe("One query the stack manages.");

export const abandonedQueriesInputs = z.object({
  queries: z
    .array(liveQuery)
    .refine((qs) => new Set(qs.map((q) => q.id)).size === qs.length, "must not list a query twice")
    .describe("Every alation.Query of the stack, as {id, url, title} (see sdk alation.abandonedQueriesReport). A query that leaves this list is reported as abandoned."),
});

type Live = z.output<typeof liveQuery>;

export interface AbandonedQuery {
  id: number;
  url: string;
  title: string;
  abandonedAt: string;
}

interface ReportRaw {
  queries: Live[];
  abandoned: AbandonedQuery[];
}

export const abandonedQueries = defineAlationResource({
  kind: "AbandonedQueries",
  description:
    "The stack's abandoned queries: every alation.Query it created (or adopted) and later replaced or removed, which still exists in Alation because the API cannot delete it. Export its `abandoned` output; a catalog admin deletes those queries in the Alation UI, and the next pulumi refresh drops them from the list.",
  inputs: abandonedQueriesInputs,
  replaceOn: [],
  outputs: {
    abandoned: "The abandoned queries, oldest first: [{id, url, title, abandonedAt}]. Delete them in the Alation UI; pulumi refresh then drops them.",
    count: "How many queries are abandoned.",
  },

  async create(ctx, inputs) {
    ctx.created("abandoned-queries");
    return { id: "abandoned-queries", raw: { queries: inputs.queries, abandoned: [] } };
  },

  async read(api, _id, state) {
    const previous = ((state as Record<string, unknown>).abandoned as AbandonedQuery[] | undefined) ?? [];
    const kept: AbandonedQuery[] = [];
    for (const a of previous) {
      try {
        if (await api.getQuery(a.id)) kept.push(a);
      } catch (e) {
        if (!isNotFound(e)) throw e; // only Alation's own "not found" drops an entry
      }
    }
    return { queries: state.queries, abandoned: kept };
  },

  observe: (raw: ReportRaw) => ({ queries: raw.queries }),

  computed: (raw: ReportRaw) => ({ abandoned: raw.abandoned, count: raw.abandoned.length }),

  async update(ctx, _id, olds, news) {
    const before = ((olds as Record<string, unknown>).abandoned as AbandonedQuery[] | undefined) ?? [];
    const live = new Set(news.queries.map((q) => q.id));
    const at = new Date().toISOString();
    const dropped: AbandonedQuery[] = olds.queries
      .filter((q) => !live.has(q.id) && !before.some((b) => b.id === q.id))
      .map((q) => ({ id: q.id, url: q.url ?? `${ctx.api.endpoint}/query/${q.id}/`, title: q.title ?? "", abandonedAt: at }));
    for (const d of dropped) ctx.progress(`query ${d.id} is no longer managed by this stack and still exists in Alation: ${d.url}`);
    // A query the program manages again (adopted back) is no longer abandoned.
    const abandoned = [...before.filter((b) => !live.has(b.id)), ...dropped];
    return { queries: news.queries, abandoned };
  },

  async delete(_api, _id, state) {
    const list = ((state as Record<string, unknown>).abandoned as AbandonedQuery[] | undefined) ?? [];
    if (list.length) {
      process.stderr.write(`alation.AbandonedQueries removed from the stack; these queries still exist in Alation: ${list.map((a) => `${a.id} ${a.url}`).join(", ")}\n`);
    }
  },
});
