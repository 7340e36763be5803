/**
 * deltastream.Query and deltastream.Application — continuous queries. A Query is one
 * `INSERT INTO … SELECT …` (or `CREATE STREAM|CHANGELOG|TABLE … AS SELECT …`), an Application a
 * `BEGIN APPLICATION … END APPLICATION` block of them. Planned by DESCRIBE at preview (sources and
 * sink, checked against the declared ones); create waits until the query runs (poll helper) and
 * fails with its error_message when it errors; delete is `TERMINATE QUERY` then a wait for
 * `terminated`. A changed statement replaces the query, the old one terminated first — which
 * restarts it from its sources, so it needs allowReplace. The owner changes in place.
 */
import { z } from "zod";
import { DELTASTREAM_DIALECT, defineDeltaStreamResource, DeltaStreamApi, Row, StatementResult } from "./api";
import { asOwner, differing, dsName, ownerField, str, sysRow, sysRows, timeoutField, waitGone } from "./common";
import { describe, fqnOf, leadingWords, programStatement } from "./plan";
import { significant, splitStatements } from "../sql/tokenizer";
import { SqlPart, ident, list, sql } from "../sql/builder";
import { ResourceError } from "../framework/engine";
import { WarehouseApiError, isNotFound } from "../http/errors";
import type { OpContext } from "../framework/spec";

const flatSql = (v: unknown) => String(v).replace(/\s+/g, " ").replace(/;\s*$/, "").trim();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const queryRef = (id: string): SqlPart => {
  if (!UUID.test(id)) throw new ResourceError(`"${id}" is not a DeltaStream query id (a UUID)`);
  return ident(id);
};

/** One statement that starts a query: INSERT INTO … or CREATE STREAM|CHANGELOG|TABLE … AS SELECT. */
function queryStatementIssue(text: string): string | undefined {
  const w = leadingWords(text, 3);
  if (!w.ok) return `must be one INSERT INTO … SELECT (or CREATE … AS SELECT) statement (${w.error})`;
  if (w.words[0] === "INSERT" && w.words[1] === "INTO") return undefined;
  if (w.words[0] === "CREATE" && ["STREAM", "CHANGELOG", "TABLE"].includes(w.words[1] ?? "") && /\bAS\s+SELECT\b/i.test(text)) return undefined;
  return `must be an INSERT INTO … SELECT (or CREATE STREAM|CHANGELOG|TABLE … AS SELECT) statement; it starts with ${w.words.slice(0, 2).join(" ") || "nothing"}`;
}

const fqnList = (doc: string) => z.array(z.string().regex(/^[^.\s]+\.[^.\s]+\.[^.\s]+$/, "must be database.schema.name")).optional().describe(doc);

const common = {
  computePool: dsName("The compute pool.").optional().describe("The compute pool the query runs on. Changing it replaces the query (needs allowReplace)."),
  owner: ownerField(),
  allowReplace: z
    .boolean()
    .default(false)
    .describe("Opt in to replacing the query (a changed statement or compute pool): the old query is terminated first and the new one starts from its sources again. Off: refused at preview."),
  timeoutSeconds: timeoutField(),
};

export const queryInputs = z
  .object({
    sql: z
      .string()
      .trim()
      .min(1)
      .describe("The query: one INSERT INTO … SELECT … (or CREATE STREAM|CHANGELOG|TABLE … AS SELECT …) statement, sent as written and planned by DESCRIBE at preview. Changing it replaces the query (needs allowReplace)."),
    sources: fqnList("The relations it must read from (database.schema.name), checked against DESCRIBE's plan at preview."),
    sink: z.string().regex(/^[^.\s]+\.[^.\s]+\.[^.\s]+$/, "must be database.schema.name").optional().describe("The relation it must write to (database.schema.name), checked against DESCRIBE's plan at preview."),
    ...common,
  })
  .superRefine((q, ctx) => {
    const issue = queryStatementIssue(q.sql);
    if (issue) ctx.addIssue({ code: "custom", path: ["sql"], message: issue });
  });

export const applicationInputs = z
  .object({
    name: dsName("The application's name. Changing it replaces it (needs allowReplace)."),
    statements: z
      .array(z.string().trim().min(1))
      .min(1, "needs at least one statement")
      .describe("The application's statements (CREATE … AS SELECT, INSERT INTO … SELECT), run as one BEGIN APPLICATION … END APPLICATION. Changing them replaces it (needs allowReplace)."),
    ...common,
  })
  .superRefine((a, ctx) => {
    a.statements.forEach((s, i) => {
      const issue = queryStatementIssue(s);
      if (issue) ctx.addIssue({ code: "custom", path: ["statements", i], message: issue });
    });
  });

type QueryInputs = z.output<typeof queryInputs>;
type AppInputs = z.output<typeof applicationInputs>;
type Common = { owner?: string; computePool?: string; timeoutSeconds?: number };

const read = (api: DeltaStreamApi, id: string) => sysRow(api, "queries", { id });

/** The query id among a statement's artifact rows (type, name, command, summary, path): the row of type `query`. */
export function queryIdOf(r: StatementResult): string | undefined {
  const row = r.rows.find((x) => String(x.type ?? "").toLowerCase() === "query");
  return row ? String(row.name) : undefined;
}

async function awaitRunning(ctx: OpContext<DeltaStreamApi>, id: string, label: string): Promise<Row> {
  const row = await ctx.poll({
    what: `query ${id}`,
    check: () => read(ctx.api, id),
    until: (r) => !r || ["running", "errored", "terminated"].includes(String(r.current_state)),
    intervalMs: 100,
    maxIntervalMs: 2_000,
    describe: (r) => String(r?.current_state ?? "gone"),
  });
  if (!row) throw new ResourceError(`${label} ${id} disappeared while starting`);
  if (String(row.current_state) !== "running") {
    throw new ResourceError(`${label} ${id} ${row.current_state === "errored" ? "errored" : `is ${row.current_state}`}: ${str(row.error_message) ?? "(no reason given)"}. It stays in state; fix the statement and run pulumi up.`);
  }
  return row;
}

async function terminate(api: DeltaStreamApi, id: string): Promise<void> {
  const row = await read(api, id);
  if (!row) return;
  if (!["terminated", "terminate_requested"].includes(String(row.current_state))) await api.statement(sql`TERMINATE QUERY ${queryRef(id)}`);
  await waitGone(`query ${id} to terminate`, async () => {
    const r = await read(api, id);
    return !!r && String(r.current_state) !== "terminated";
  });
}

const parseList = (v: unknown): string[] => {
  if (v === null || v === undefined || v === "") return [];
  try {
    const p = JSON.parse(String(v));
    return Array.isArray(p) ? p.map(String) : [String(p)];
  } catch {
    return String(v).split(",").map((s) => s.trim()).filter(Boolean);
  }
};

/** "org"."db"."schema"."name" → db.schema.name. */
const plainFqn = (s: string) => s.replace(/"/g, "").split(".").slice(-3).join(".");

const outputs = {
  queryId: "The query's id (a UUID).",
  state: "The query's current state (running, errored, …) when last read.",
  errorMessage: "Why the query errored, when it did.",
  sourceRelations: "The relations it reads from (database.schema.name), as DeltaStream reports them.",
  sinkRelation: "The relation it writes to (database.schema.name), as DeltaStream reports it.",
  version: "The query's version.",
  createdAt: "When DeltaStream created it.",
};

const computed = (raw: Row) => ({
  queryId: str(raw.id),
  state: str(raw.current_state),
  errorMessage: str(raw.error_message) ?? "",
  sourceRelations: parseList(raw.sources).map(plainFqn),
  sinkRelation: raw.sink ? plainFqn(String(raw.sink)) : undefined,
  version: raw.version,
  createdAt: str(raw.created_at),
});

/** Read: a terminated query is gone (refresh drops it, up starts it again). */
async function readLive(api: DeltaStreamApi, id: string): Promise<Row | undefined> {
  if (!UUID.test(id)) return undefined;
  const row = await read(api, id);
  return row && String(row.current_state) !== "terminated" ? row : undefined;
}

function replaceGuard(what: (o: any) => string, keys: string[]) {
  return (olds: Record<string, unknown>, news: Record<string, unknown>) => {
    if (news.allowReplace) return [];
    return keys
      .filter((k) => differing([k], olds, news, { sql: flatSql, statements: (v) => (v as string[]).map(flatSql) }).length > 0)
      .map((k) => ({
        property: k,
        reason: `changing ${k} terminates ${what(olds)} and starts a new one, which reads its sources again from the start (its progress and state are lost; its sink may receive rows twice). Nothing was changed. To allow it, set allowReplace: true on it.`,
      }));
  };
}

async function start(ctx: OpContext<DeltaStreamApi>, statement: SqlPart, inputs: Common, label: string): Promise<{ id: string; raw: Row }> {
  const r = await ctx.api.statement(statement, { context: asOwner(inputs.owner, inputs.computePool ? { computePool: inputs.computePool } : {}), progress: ctx.progress });
  const id = queryIdOf(r);
  if (!id) throw new ResourceError(`${label}: DeltaStream answered without a query id (rows: ${JSON.stringify(r.rows).slice(0, 200)})`);
  ctx.created(id);
  if (inputs.owner) await ctx.api.statement(sql`ALTER QUERY ${queryRef(id)} OWNER TO ${ident(inputs.owner)}`);
  return { id, raw: await awaitRunning(ctx, id, label) };
}

/** A live query whose statement is `text` (after an ambiguous create). */
async function findBySql(api: DeltaStreamApi, text: string, extra: Record<string, string> = {}): Promise<{ id: string; raw: Row } | undefined> {
  const flat = (s: unknown) => String(s ?? "").replace(/\s+/g, " ").replace(/;\s*$/, "").trim();
  const rows = await sysRows(api, "queries", extra);
  const row = rows.find((q) => flat(q.sql) === flat(text) && !["terminated", "terminate_requested"].includes(String(q.current_state)));
  return row ? { id: String(row.id), raw: row } : undefined;
}

/**
 * The live queries (`pulumi-warehouse export`): running or starting, not terminated. An errored one
 * is listed with why it is left out (adopting it would declare a query that does not run).
 */
async function liveQueries(api: DeltaStreamApi, applications: boolean): Promise<{ raw: Row; skip?: string }[]> {
  return (await sysRows(api, "queries", {}))
    .filter((q) => !!q.application_name === applications && !["terminated", "terminate_requested"].includes(String(q.current_state)))
    .map((raw) => (String(raw.current_state) === "errored" ? { raw, skip: `it is errored (${str(raw.error_message) ?? "no message"})` } : { raw }));
}

/** Where a query writes (its sink's database and schema): what `--database` / `--schema` filter it on. */
function placeOf(raw: Row): { database?: string; schema?: string } {
  const sinks = parseList(raw.sink).map(plainFqn);
  const [database, schema] = sinks.length === 1 ? sinks[0].split(".") : [];
  return { ...(database ? { database } : {}), ...(schema ? { schema } : {}) };
}

/** The inputs declaring a running query: its statement as DeltaStream keeps it, sink and sources as it reports them. */
export function queryExportInputs(raw: Row): Partial<QueryInputs> {
  const sinks = parseList(raw.sink).map(plainFqn);
  const sources = parseList(raw.sources).map(plainFqn);
  return {
    sql: String(raw.sql ?? ""),
    ...(sinks.length === 1 ? { sink: sinks[0] } : {}),
    ...(sources.length ? { sources } : {}),
    ...(raw.compute_pool_name ? { computePool: str(raw.compute_pool_name) } : {}),
    ...(raw.owner ? { owner: str(raw.owner) } : {}),
  };
}

/**
 * An application's statements, from its `BEGIN APPLICATION name … END APPLICATION` text (split on
 * semicolons outside strings and identifiers); undefined when the text is not of that shape.
 */
export function applicationStatements(text: string): string[] | undefined {
  let parts;
  try {
    parts = splitStatements(text, DELTASTREAM_DIALECT.lex);
  } catch {
    return undefined;
  }
  if (parts.length < 2) return undefined;
  const words = (i: number) => significant(parts[i].tokens).map((t) => (t.kind === "word" ? t.text.toUpperCase() : t.text));
  const head = significant(parts[0].tokens);
  const last = words(parts.length - 1);
  if (head.length < 3 || words(0)[0] !== "BEGIN" || words(0)[1] !== "APPLICATION" || last.join(" ") !== "END APPLICATION") return undefined;
  // The header may end with a semicolon (`BEGIN APPLICATION a;`) or run into the first statement.
  const first = head.length > 3 ? [text.slice(head[3].start, parts[0].tokens[parts[0].tokens.length - 1].end)] : [];
  const statements = [...first, ...parts.slice(1, -1).map((p) => p.text)];
  return statements.length ? statements : undefined;
}

export const query = defineDeltaStreamResource({
  kind: "Query",
  createTakesOver: true, // a second identical query would run beside the first: looked up first, a taken one refused naming adopt
  description:
    "A continuous DeltaStream query (INSERT INTO … SELECT, or CREATE … AS SELECT). Planned by DESCRIBE at preview (sources and sink checked against those declared); create waits until it runs and fails with its error when it errors; delete terminates it. A changed statement replaces it, the old one terminated first (needs allowReplace); the owner changes in place.",
  inputs: queryInputs,
  replaceOn: ["sql", "computePool"],
  deleteBeforeReplace: async () => true,
  normalize: { sql: (v) => String(v).replace(/\s+/g, " ").replace(/;\s*$/, "").trim() },
  outputs,
  validateChange: replaceGuard((o: QueryInputs) => "the query", ["sql", "computePool"]),

  async prepare(inputs, vendor) {
    try {
      const plan = await describe(vendor(), programStatement(inputs.sql), inputs.computePool ? { computePool: inputs.computePool } : {});
      const problems: { property: string; reason: string }[] = [];
      if (!/^(INSERT_INTO|CREATE_(STREAM|CHANGELOG|TABLE))/.test(plan.kind)) {
        problems.push({ property: "sql", reason: `deltastream.Query sql: DeltaStream plans it as ${plan.kind || "nothing"}, not a continuous query (INSERT INTO … SELECT or CREATE … AS SELECT)` });
      }
      const sink = fqnOf(plan.sink ?? plan.ddl);
      if (inputs.sink && sink && sink !== inputs.sink) problems.push({ property: "sink", reason: `deltastream.Query sink: the statement writes to ${sink}, but sink is ${inputs.sink}` });
      const sources = (plan.sources ?? []).map(fqnOf).filter((s): s is string => !!s);
      if (inputs.sources && sources.length) {
        const missing = inputs.sources.filter((s) => !sources.includes(s));
        const extra = sources.filter((s) => !inputs.sources!.includes(s));
        if (missing.length || extra.length) problems.push({ property: "sources", reason: `deltastream.Query sources: the statement reads from ${sources.join(", ")}, but sources is ${inputs.sources.join(", ")}` });
      }
      return problems.length ? problems : {};
    } catch (e) {
      if (isNotFound(e)) return {}; // a relation created by the same update: checked when the query starts
      if (e instanceof WarehouseApiError && e.kind === "validation") return [{ property: "sql", reason: `deltastream.Query sql: DeltaStream refused the statement: ${e.message}` }];
      throw e;
    }
  },

  create: (ctx, inputs) => start(ctx, programStatement(inputs.sql), inputs, "deltastream.Query"),
  find: (api, inputs) => findBySql(api, inputs.sql),
  read: (api, id) => readLive(api, id),
  observe: (raw: Row) => ({ owner: str(raw.owner), ...(raw.compute_pool_name ? { computePool: str(raw.compute_pool_name) } : {}) }),
  computed,

  async update(ctx, id, _olds, news, changed) {
    if (changed.includes("owner") && news.owner) await ctx.api.statement(sql`ALTER QUERY ${queryRef(id)} OWNER TO ${ident(news.owner)}`);
  },

  delete: (api, id) => terminate(api, id),

  exporter: {
    async list(api) {
      const seen = new Map<string, string>();
      return (await liveQueries(api, false)).map(({ raw, skip }) => {
        const label = str(raw.name) ?? String(raw.id);
        const same = seen.get(flatSql(raw.sql));
        seen.set(flatSql(raw.sql), label);
        const why = skip ?? (same ? `it runs the same statement as ${same}, so adopting it by its statement would take over that one` : undefined);
        return { id: label, raw, name: label, ...placeOf(raw), ...(why ? { skip: why } : {}) };
      });
    },
    inputs: queryExportInputs,
    references: [{ field: "computePool", kind: "ComputePool", match: { name: "computePool" }, output: "name" }],
  },
});

/** BEGIN APPLICATION "name" stmt; …; END APPLICATION. */
export function applicationStatement(a: AppInputs): SqlPart {
  return sql`BEGIN APPLICATION ${ident(a.name)}\n${list(a.statements.map(programStatement), ";\n")};\nEND APPLICATION`;
}

export const application = defineDeltaStreamResource({
  kind: "Application",
  createTakesOver: true, // a second identical application would run beside the first: looked up first, a taken one refused naming adopt
  description:
    "A DeltaStream application: several continuous statements run as one query (BEGIN APPLICATION … END APPLICATION). Create waits until it runs; delete terminates it; changed statements replace it, the old one terminated first (needs allowReplace); the owner changes in place.",
  inputs: applicationInputs,
  replaceOn: ["name", "statements", "computePool"],
  deleteBeforeReplace: async () => true,
  normalize: { statements: (v) => (v as string[]).map((s) => s.replace(/\s+/g, " ").replace(/;\s*$/, "").trim()) },
  outputs,
  validateChange: replaceGuard((o: AppInputs) => `the application ${o.name}`, ["name", "statements", "computePool"]),

  create: (ctx, inputs) => start(ctx, applicationStatement(inputs), inputs, `deltastream.Application ${inputs.name}`),
  async find(api, inputs) {
    const rows = await sysRows(api, "queries", { application_name: inputs.name });
    const row = rows.find((q) => !["terminated", "terminate_requested"].includes(String(q.current_state)));
    return row ? { id: String(row.id), raw: row } : undefined;
  },
  read: (api, id) => readLive(api, id),
  observe: (raw: Row) => ({ owner: str(raw.owner), ...(raw.application_name ? { name: str(raw.application_name) } : {}), ...(raw.compute_pool_name ? { computePool: str(raw.compute_pool_name) } : {}) }),
  computed,

  async update(ctx, id, _olds, news, changed) {
    if (changed.includes("owner") && news.owner) await ctx.api.statement(sql`ALTER QUERY ${queryRef(id)} OWNER TO ${ident(news.owner)}`);
  },

  delete: (api, id) => terminate(api, id),

  exporter: {
    async list(api) {
      return (await liveQueries(api, true)).map(({ raw, skip }) => {
        const label = String(raw.application_name);
        const why = skip ?? (applicationStatements(String(raw.sql ?? "")) ? undefined : "its BEGIN APPLICATION … END APPLICATION text cannot be split into statements");
        return { id: label, raw, name: label, ...placeOf(raw), ...(why ? { skip: why } : {}) };
      });
    },
    inputs: (raw: Row): Partial<AppInputs> => ({
      name: String(raw.application_name),
      statements: applicationStatements(String(raw.sql ?? "")) ?? [],
      ...(raw.compute_pool_name ? { computePool: str(raw.compute_pool_name) } : {}),
      ...(raw.owner ? { owner: str(raw.owner) } : {}),
    }),
    references: [{ field: "computePool", kind: "ComputePool", match: { name: "computePool" }, output: "name" }],
  },
});
