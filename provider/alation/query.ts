/**
 * alation.Query — a saved query (a document of SQL on one data source, with a title, description,
 * tags and domains). Alation's API creates queries and reads everything about them but has no
 * update and no delete, so this kind is create-only and says so:
 *   - create is idempotent: a query with the same title on the same data source that the stack has
 *     not abandoned is adopted when identical, and is an error naming it when it differs;
 *   - any change is refused at preview unless `allowReplace: true`, which creates a new query; the
 *     old one stays in Alation (listed by alation.AbandonedQueries);
 *   - delete removes the query from the stack only and says where it still is.
 */
import { z } from "zod";
import { AlationApi, defineAlationResource } from "./api";
import type { QueryBody } from "./contract";
import { SqlSyntaxError, splitStatements } from "../sql/tokenizer";
import { deepEqual } from "../framework/equal";

const sortedStrings = (v: unknown) => (Array.isArray(v) ? [...v].map(String).sort() : v);
const sortedNumbers = (v: unknown) => (Array.isArray(v) ? [...v].map(Number).sort((a, b) => a - b) : v);
const unique = (xs: unknown[]) => new Set(xs).size === xs.length;

export const queryInputs = z
  .object({
    datasourceId: z.number().int().positive().optional().describe("The id of the data source the query runs on. Give this or `datasource`. A query cannot move: changing it needs allowReplace."),
    datasource: z
      .string()
      .min(1)
      .optional()
      .describe("The title of the data source, looked up at preview through GET /integration/v1/datasource/ (must match exactly one). Give this or `datasourceId`."),
    title: z
      .string()
      .min(1, "must not be empty: the title is how the provider finds the query again")
      .max(255)
      .refine((t) => t.trim() === t, "must not start or end with spaces")
      .describe("The query's title; with the data source it identifies the query (create adopts an identical query with the same title). Changing it needs allowReplace."),
    description: z.string().max(10_000).default("").describe("The description shown in the catalog. Changing it needs allowReplace."),
    content: z
      .string()
      .min(1, "must hold at least one SQL statement")
      .superRefine((sql, ctx) => {
        try {
          if (splitStatements(sql).length === 0) ctx.addIssue({ code: "custom", message: "must hold at least one SQL statement (only comments or semicolons found)" });
        } catch (e) {
          const err = e as SqlSyntaxError;
          ctx.addIssue({ code: "custom", message: `is not readable SQL: ${err.message}` });
        }
      })
      .describe("The SQL: one or more statements separated by semicolons, run in turn when the query is executed. Changing it needs allowReplace."),
    saved: z.boolean().default(true).describe("Shown as Saved (true) or as a Draft (false). Changing it needs allowReplace."),
    published: z.boolean().default(false).describe("Published to the catalog. Changing it needs allowReplace."),
    tags: z
      .array(z.string().min(1).max(255).describe("A tag name; Alation creates a tag that does not exist yet."))
      .default([])
      .refine(unique, "must not repeat a tag")
      .describe("Tag names applied to the query (order does not matter). Changing them needs allowReplace."),
    domains: z
      .array(z.number().int().positive().describe("A domain id."))
      .default([])
      .refine(unique, "must not repeat a domain")
      .describe("Ids of the domains the query belongs to (order does not matter). Changing them needs allowReplace."),
    author: z
      .object({
        id: z.number().int().positive().optional().describe("The author's user id."),
        email: z.string().min(3).optional().describe("The author's email."),
        username: z.string().min(1).optional().describe("The author's username."),
      })
      .strict()
      .refine((a) => a.id !== undefined || a.email !== undefined || a.username !== undefined, "must give one of id, email or username")
      .optional()
      .describe("The user the query is created for (only an admin token may set it; default: the token's user). Not read back. Changing it needs allowReplace."),
    allowReplace: z
      .boolean()
      .default(false)
      .describe(
        "Alation cannot change or delete a query. With this set, a changed query is created anew and the old one stays in Alation (listed by alation.AbandonedQueries); without it any change fails at preview.",
      ),
  })
  .refine((q) => q.datasourceId !== undefined || q.datasource !== undefined, { message: "give datasourceId or datasource (its title)", path: ["datasourceId"] });

export type QueryInputs = z.output<typeof queryInputs>;

/** The fields Alation stores: a change of any of them is a new query. */
const VENDOR_FIELDS = ["datasourceId", "title", "description", "content", "saved", "published", "tags", "domains", "author"] as const;

const normalizers = { tags: sortedStrings, domains: sortedNumbers };

/** The query as read, with its catalog and Compose pages as absolute URLs (Alation answers paths). */
export type QueryRaw = QueryBody & { absoluteUrls?: { catalog: string; compose: string } };

function withUrls(api: AlationApi, q: QueryBody | undefined): QueryRaw | undefined {
  return q && { ...q, absoluteUrls: { catalog: api.queryUrl(q), compose: `${api.endpoint}${q.compose_url}` } };
}

function observeQuery(q: QueryBody) {
  return {
    datasourceId: q.datasource_id,
    title: q.title,
    description: q.description,
    content: q.content,
    saved: q.saved,
    published: q.published,
    tags: q.tags.map((t) => t.name).sort(),
    domains: q.domains.map((d) => d.id).sort((a, b) => a - b),
  };
}

/** The managed fields where a live query differs from the declared one. */
function differences(live: QueryBody, declared: QueryInputs): string[] {
  const o = observeQuery(live) as Record<string, unknown>;
  const d = declared as unknown as Record<string, unknown>;
  return Object.keys(o).filter((k) => {
    const norm = (normalizers as Record<string, (v: unknown) => unknown>)[k] ?? ((v: unknown) => v);
    return d[k] !== undefined && !deepEqual(norm(o[k]), norm(d[k]));
  });
}

async function resolveDatasource(api: AlationApi, title: string): Promise<number | string> {
  const all = await api.datasources();
  const hits = all.filter((d) => d.title === title);
  if (hits.length === 1) return hits[0].id;
  const known = all.map((d) => `"${d.title}" (${d.id})`).join(", ") || "none";
  return hits.length === 0 ? `no data source is titled "${title}"; the data sources are ${known}` : `${hits.length} data sources are titled "${title}" (${hits.map((h) => h.id).join(", ")}): give datasourceId instead`;
}

/** Queries with this title on this data source, newest first. */
async function sameTitle(api: AlationApi, inputs: { title: string; datasourceId?: number }): Promise<QueryBody[]> {
  if (inputs.datasourceId === undefined) return [];
  const found = await api.listQueries({ title: inputs.title, datasource_id: inputs.datasourceId });
  return found.filter((q) => q.title === inputs.title && q.datasource_id === inputs.datasourceId).sort((a, b) => b.id - a.id);
}

/**
 * What a create finds under its title: an identical query (taken over instead of making a duplicate,
 * even one this stack abandoned earlier — e.g. after a destroy), else the newest different one the
 * stack has not abandoned (a conflict). An abandoned query that differs (the one a replacement
 * keeping the title leaves behind) is not in the way.
 */
async function lookupByTitle(api: AlationApi, inputs: QueryInputs): Promise<{ identical?: QueryBody; conflict?: QueryBody }> {
  const all = await sameTitle(api, inputs);
  return {
    identical: all.find((q) => differences(q, inputs).length === 0),
    conflict: all.find((q) => !api.ledger.has(q)),
  };
}

/** The query to take over instead of creating one: an identical one first, else the newest one not abandoned. */
async function findQuery(api: AlationApi, inputs: QueryInputs): Promise<{ id: string; raw: QueryBody } | undefined> {
  const { identical, conflict } = await lookupByTitle(api, inputs);
  const hit = identical ?? conflict;
  return hit ? { id: String(hit.id), raw: hit } : undefined;
}

function differentMessage(api: AlationApi, q: QueryBody, inputs: QueryInputs): string {
  const diff = differences(q, inputs);
  return (
    `Alation already has query ${q.id} titled ${JSON.stringify(q.title)} on data source ${q.datasource_id} (${api.queryUrl(q)}), and it differs from the declared one in ${diff.join(", ")}; ` +
    `no second query with that title was created. Alation cannot change it through its API: give this query another title, change the declared values to match query ${q.id}, or delete query ${q.id} in Alation and run pulumi up again.`
  );
}

export const query = defineAlationResource({
  kind: "Query",
  description:
    "A saved Alation query (SQL on one data source, with title, description, tags and domains). Create-only: Alation's API can neither change nor delete a query, so create adopts an identical query with the same title on the same data source, any change is refused at preview unless allowReplace is set (then a new query is made and the old one stays in Alation), and delete only removes the query from the stack, saying where it still is. Edits made in the UI show on refresh; unsaved edits show in the outputs hasUnsavedChanges and unsavedContent, never as drift.",
  inputs: queryInputs,
  replaceOn: VENDOR_FIELDS,
  uniqueBy: "title",
  normalize: normalizers,
  outputs: {
    queryId: "The query's id in Alation.",
    url: "The query's catalog page (absolute URL).",
    composeUrl: "The query in Compose (absolute URL).",
    datasourceTitle: "The title of the query's data source.",
    hasUnsavedChanges: "True when someone edited the query in the UI without saving: the edit is in unsavedContent, not in content.",
    unsavedContent: "The unsaved (autosaved) SQL when it differs from the saved content, else null.",
    lastSaved: "When the query was last saved (ts_last_saved).",
    schedules: "The query's schedules as Alation reports them (read-only through the API).",
  },

  // A replacement forgets the old query first (no call: the vendor cannot delete it), so the new
  // query's idempotent lookup never takes the old one for itself.
  deleteBeforeReplace: async () => true,

  async prepare(inputs, vendor, olds) {
    const api = vendor();
    const out: Partial<QueryInputs> = {};
    if (inputs.datasource !== undefined) {
      const id = await resolveDatasource(api, inputs.datasource);
      if (typeof id === "string") return [{ property: "datasource", reason: id }];
      if (inputs.datasourceId !== undefined && inputs.datasourceId !== id) {
        return [{ property: "datasourceId", reason: `is ${inputs.datasourceId} but the data source titled ${JSON.stringify(inputs.datasource)} is ${id}: give one of them` }];
      }
      out.datasourceId = id;
    } else {
      const all = await api.datasources();
      if (!all.some((d) => d.id === inputs.datasourceId)) {
        return [{ property: "datasourceId", reason: `no data source has id ${inputs.datasourceId}; the data sources are ${all.map((d) => `"${d.title}" (${d.id})`).join(", ") || "none"}` }];
      }
    }
    const news = { ...inputs, ...out } as QueryInputs;
    if (olds) {
      const changed = VENDOR_FIELDS.filter((k) => {
        const norm = (normalizers as Record<string, (v: unknown) => unknown>)[k] ?? ((v: unknown) => v);
        return !deepEqual(norm((olds as Record<string, unknown>)[k]), norm((news as Record<string, unknown>)[k]));
      });
      if (changed.length && !news.allowReplace) {
        const old = olds.datasourceId !== undefined ? (await sameTitle(api, olds as QueryInputs)).find((q) => !api.ledger.has(q)) : undefined;
        const where = old ? `query ${old.id} (${api.queryUrl(old)})` : `the current query`;
        return changed.map((k) => ({
          property: k,
          reason:
            `Alation cannot change a query in place (its API has no update or delete). Changing ${k} would create a new query, and ${where} would stay in Alation, no longer managed by this stack. ` +
            `Nothing was changed. To do it, set allowReplace: true (the old query is then listed by alation.AbandonedQueries, for deletion in the Alation UI); or put ${k} back.`,
        }));
      }
      return out;
    }
    // A new query: an existing one with the same title on the same data source is adopted only when
    // identical. With allowReplace set this may be the re-check Pulumi runs (without olds) for the new
    // query of a replacement, whose predecessor still carries the title until the replacement forgets
    // it: the check is then left to create, which runs after that.
    if (news.allowReplace) return out;
    const { identical, conflict } = await lookupByTitle(api, news);
    if (!identical && conflict) return [{ property: "title", reason: differentMessage(api, conflict, news) }];
    return out;
  },

  async create(ctx, inputs) {
    const api = ctx.api;
    const { identical: same, conflict } = await lookupByTitle(api, inputs);
    if (same) {
      ctx.progress(`query ${same.id} with this title on data source ${same.datasource_id} is identical: keeping it instead of creating a duplicate (${api.queryUrl(same)})`);
      api.ledger.revive(same.id);
      ctx.created(String(same.id));
      return { id: String(same.id), raw: withUrls(api, same) };
    }
    if (conflict) throw new Error(differentMessage(api, conflict, inputs));
    const made = await api.createQuery({
      datasource_id: inputs.datasourceId!,
      content: inputs.content,
      title: inputs.title,
      description: inputs.description,
      saved: inputs.saved,
      published: inputs.published,
      tag_names: inputs.tags,
      domain_ids: inputs.domains,
      ...(inputs.author ? { author: inputs.author } : {}),
    });
    ctx.created(String(made.id));
    ctx.progress(`created query ${made.id}: ${api.queryUrl(made)}`);
    return { id: String(made.id), raw: withUrls(api, made) };
  },

  find: async (api, inputs) => {
    const f = await findQuery(api, inputs);
    return f ? { id: f.id, raw: withUrls(api, f.raw)! } : undefined;
  },

  read: async (api, id) => withUrls(api, await api.getQuery(id)),

  observe: (raw: QueryBody) => observeQuery(raw),

  computed: (raw: QueryRaw) => ({
    queryId: raw.id,
    url: raw.absoluteUrls?.catalog ?? raw.catalog_url,
    composeUrl: raw.absoluteUrls?.compose ?? raw.compose_url,
    datasourceTitle: raw.datasource.title,
    hasUnsavedChanges: raw.has_unsaved_changes,
    unsavedContent: raw.has_unsaved_changes ? raw.autosave_content : null,
    lastSaved: raw.ts_last_saved,
    schedules: raw.schedules,
  }),

  // Only inputs Alation does not store change in place (allowReplace; the data source named by
  // title when it still resolves to the same id): nothing to send, the query is read back.
  async update(ctx, id) {
    return withUrls(ctx.api, await ctx.api.getQuery(id));
  },

  // Every query Alation lists, declared as Alation stores it (author is not read back: left out).
  // Left out, saying why: a query whose title the provider cannot declare (empty, or with spaces
  // around it: the provider finds a query by its title), and all but the newest of queries sharing
  // a title on one data source (adoption finds a query by title: it could not tell them apart).
  // Left out silently: a query this provider abandoned (listed by alation.AbandonedQueries).
  // `name` is the title, `database` the data source's title.
  exporter: {
    async list(api) {
      const newest = new Map<string, QueryBody>();
      const out: { id: string; raw: QueryRaw; name: string; database: string; skip?: string }[] = [];
      const listed = (q: QueryBody, skip?: string) => ({ id: String(q.id), raw: withUrls(api, q)!, name: q.title, database: q.datasource.title, ...(skip ? { skip } : {}) });
      const all = (await api.listQueries()).filter((q) => !api.ledger.has(q));
      for (const q of all) {
        if (q.title.trim() === "" || q.title.trim() !== q.title) {
          out.push(listed(q, `its title ${JSON.stringify(q.title)} cannot be declared: the provider finds a query by a title without surrounding spaces`));
          continue;
        }
        const key = JSON.stringify([q.datasource_id, q.title]);
        const seen = newest.get(key);
        if (!seen || q.id > seen.id) newest.set(key, q);
      }
      for (const q of all) {
        const kept = newest.get(JSON.stringify([q.datasource_id, q.title]));
        if (kept && kept.id !== q.id) out.push(listed(q, `query ${kept.id} on the same data source has the same title and is newer; adoption finds a query by its title and would take that one`));
      }
      out.push(...[...newest.values()].map((q) => listed(q)));
      return out.sort((a, b) => Number(a.id) - Number(b.id));
    },
  },

  async delete(api, id, state) {
    const q = await api.getQuery(id);
    const url = q ? api.queryUrl(q) : `${api.endpoint}/query/${id}/`;
    if (q) api.ledger.add({ id: q.id, url, title: q.title, datasourceId: q.datasource_id, abandonedAt: new Date().toISOString() });
    process.stderr.write(
      q
        ? `alation.Query ${id} (${JSON.stringify(state.title)}) was removed from the stack but still exists in Alation, which has no API to delete it: ${url} — delete it in the Alation UI if it is no longer wanted.\n`
        : `alation.Query ${id} was removed from the stack; Alation no longer has it.\n`,
    );
  },
});
