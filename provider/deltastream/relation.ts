/**
 * deltastream.Relation — a stream, changelog or table, from the program's CREATE statement or from
 * structured columns. At preview the statement is planned by DESCRIBE against the declared
 * database, schema and store: a statement aimed elsewhere, or that is not a CREATE STREAM /
 * CHANGELOG / TABLE, is refused naming the field. Read back from `deltastream.sys."relations"`;
 * the owner changes in place (ALTER STREAM|CHANGELOG|TABLE … OWNER TO); anything else replaces it,
 * which (like destroying it while a running query reads from or writes to it) needs allowDataLoss.
 */
import { z } from "zod";
import { defineDeltaStreamResource, DeltaStreamApi, Row } from "./api";
import { alterOwner, asOwner, differing, handOver, dsName, ownerField, str, sysRow, sysRows, timeoutField, waitGone, waitReady, withProps } from "./common";
import { describe, fqnOf, leadingWords, programStatement } from "./plan";
import { RELATION_TYPES } from "./contract";
import { SqlPart, ident, list, name, raw, sql } from "../sql/builder";
import { idCodec } from "../framework/ids";
import { isNotFound, WarehouseApiError } from "../http/errors";
import { ResourceError } from "../framework/engine";

/** DeltaStream column types (the vendor's SQL types); nested ARRAY/MAP/STRUCT of them. */
const SCALAR = "(?:VARCHAR|STRING|TINYINT|SMALLINT|INTEGER|INT|BIGINT|FLOAT|DOUBLE|DECIMAL\\(\\d{1,2}(?:,\\s*\\d{1,2})?\\)|BOOLEAN|DATE|TIME|TIMESTAMP(?:\\(\\d\\))?|TIMESTAMP_LTZ(?:\\(\\d\\))?|BYTES|VARBINARY)";
const TYPE = new RegExp(`^(?:${SCALAR}|ARRAY<${SCALAR}>|MAP<${SCALAR},\\s*${SCALAR}>)$`, "i");

const column = z
  .object({
    name: dsName("Column name."),
    type: z
      .string()
      .regex(TYPE, "must be a DeltaStream type: VARCHAR, INTEGER, BIGINT, DOUBLE, DECIMAL(p,s), BOOLEAN, DATE, TIMESTAMP, TIMESTAMP_LTZ, BYTES, ARRAY<T> or MAP<K, V>")
      .describe("DeltaStream SQL type (VARCHAR, BIGINT, DOUBLE, DECIMAL(10,2), BOOLEAN, TIMESTAMP_LTZ, ARRAY<VARCHAR>, …)."),
    nullable: z.boolean().default(true).describe("Whether the column may be NULL (false adds NOT NULL)."),
  })
  .strict();

const CREATE_KIND = /^CREATE$/;

export const relationInputs = z
  .object({
    database: dsName("The database. Changing it replaces the relation (needs allowDataLoss)."),
    schema: dsName("The schema.").default("public").describe("The schema (default public). Changing it replaces the relation (needs allowDataLoss)."),
    name: dsName("Relation name; a `sql` statement must create this name. Changing it replaces the relation (needs allowDataLoss)."),
    type: z.enum(RELATION_TYPES).describe("stream, changelog or table; a `sql` statement must create this kind. Changing it replaces the relation (needs allowDataLoss)."),
    store: dsName("The store.").optional().describe("The store its entity (topic) lives in. Changing it replaces the relation (needs allowDataLoss)."),
    sql: z
      .string()
      .trim()
      .min(1)
      .optional()
      .describe("The relation's CREATE STREAM / CHANGELOG / TABLE statement (with or without AS SELECT), sent as written. Planned by DESCRIBE at preview against database, schema, store, name and type. Changing it replaces the relation (needs allowDataLoss). Give this or columns."),
    columns: z.array(column).min(1, "needs at least one column").optional().describe("Structured columns, instead of sql. Changing them replaces the relation (needs allowDataLoss)."),
    primaryKey: z.array(z.string()).optional().describe("PRIMARY KEY columns (a changelog needs one). Changing it replaces the relation."),
    topic: z.string().min(1).optional().describe("'topic': the entity the relation reads from (default: its name). Changing it replaces the relation."),
    topicPartitions: z.number().int().min(1).optional().describe("'topic.partitions': creates the topic with this many partitions when it does not exist yet. Changing it replaces the relation."),
    topicReplicas: z.number().int().min(1).optional().describe("'topic.replicas': the new topic's replication factor. Changing it replaces the relation."),
    valueFormat: z.enum(["json", "avro", "protobuf", "primitive"]).default("json").describe("'value.format' of the topic's messages. Changing it replaces the relation."),
    timestamp: z.string().optional().describe("'timestamp': the column holding the event time. Changing it replaces the relation."),
    owner: ownerField(),
    allowDataLoss: z
      .boolean()
      .default(false)
      .describe("Opt in to changes that drop and recreate the relation, and to destroying it while a running query reads from or writes to it. Off: refused at preview (or at delete), saying what would be lost."),
    timeoutSeconds: timeoutField(),
  })
  .superRefine((r, ctx) => {
    if ((r.sql === undefined) === (r.columns === undefined)) ctx.addIssue({ code: "custom", path: ["sql"], message: "give exactly one of sql (a CREATE statement) or columns" });
    if (r.sql !== undefined) {
      const w = leadingWords(r.sql, 2);
      if (!w.ok) ctx.addIssue({ code: "custom", path: ["sql"], message: `must be one CREATE STREAM, CREATE CHANGELOG or CREATE TABLE statement (${w.error})` });
      else if (!CREATE_KIND.test(w.words[0] ?? "") || !["STREAM", "CHANGELOG", "TABLE"].includes(w.words[1] ?? "")) {
        ctx.addIssue({ code: "custom", path: ["sql"], message: `must be a CREATE STREAM, CREATE CHANGELOG or CREATE TABLE statement; it starts with ${w.words.slice(0, 2).join(" ") || "nothing"}` });
      } else if (w.words[1].toLowerCase() !== r.type) {
        ctx.addIssue({ code: "custom", path: ["sql"], message: `creates a ${w.words[1].toLowerCase()}, but type is ${r.type}` });
      }
    }
    if (r.columns) {
      const names = r.columns.map((c) => c.name);
      names.forEach((n, i) => {
        if (names.indexOf(n) !== i) ctx.addIssue({ code: "custom", path: ["columns", i, "name"], message: `duplicates column ${n}` });
      });
      (r.primaryKey ?? []).forEach((k, i) => {
        if (!names.includes(k)) ctx.addIssue({ code: "custom", path: ["primaryKey", i], message: `must name a declared column (${k} is not one of ${names.join(", ")})` });
      });
      if (r.type === "changelog" && !(r.primaryKey ?? []).length) ctx.addIssue({ code: "custom", path: ["primaryKey"], message: "a changelog needs a primary key" });
    }
  });

type Inputs = z.output<typeof relationInputs>;

export const RELATION_ID = idCodec("database", "schema", "name");
const RELATION_NORMALIZE: Record<string, (v: unknown) => unknown> = {
  sql: (v) => String(v).replace(/\s+/g, " ").replace(/;\s*$/, "").trim(),
  columns: (v) => (v as { name: string; type: string; nullable?: boolean }[]).map((c) => ({ name: c.name, type: c.type.toUpperCase().replace(/\s+/g, ""), nullable: c.nullable !== false })),
};
const REPLACE_ON = ["database", "schema", "name", "type", "store", "sql", "columns", "primaryKey", "topic", "topicPartitions", "topicReplicas", "valueFormat", "timestamp"] as const;

const read = (api: DeltaStreamApi, r: { database: string; schema: string; name: string }) => sysRow(api, "relations", { database_name: r.database, schema_name: r.schema, name: r.name });

const kindWord = (type: string) => raw(type.toUpperCase(), "a relation type from the closed list stream/changelog/table");

/** The CREATE statement: the program's, or one built from the structured columns. */
export function createStatement(r: Inputs): SqlPart {
  if (r.sql !== undefined) return programStatement(r.sql);
  const defs: SqlPart[] = r.columns!.map((c) => sql`${ident(c.name)} ${raw(c.type.toUpperCase(), "a type checked against the DeltaStream type pattern at preview")}${c.nullable ? sql`` : sql` NOT NULL`}`);
  if (r.primaryKey?.length) defs.push(sql`PRIMARY KEY (${list(r.primaryKey.map(ident))})`);
  const props = withProps({ topic: r.topic ?? r.name, "value.format": r.valueFormat, "topic.partitions": r.topicPartitions, "topic.replicas": r.topicReplicas, ...(r.store ? { store: r.store } : {}), ...(r.timestamp ? { timestamp: r.timestamp } : {}) })!;
  return sql`CREATE ${kindWord(r.type)} ${name(r.database, r.schema, r.name)} (${list(defs)}) WITH ${props}`;
}

/** Checks the statement's plan against the declared place; each problem names its field. */
export async function checkPlacement(api: DeltaStreamApi, r: Inputs): Promise<{ property: string; reason: string }[]> {
  const plan = await describe(api, createStatement(r), { database: r.database, schema: r.schema, ...(r.store ? { store: r.store } : {}) });
  const problems: { property: string; reason: string }[] = [];
  const label = `deltastream.Relation ${r.database}.${r.schema}.${r.name}`;
  const field = r.sql !== undefined ? "sql" : "columns";
  if (!/^CREATE_(STREAM|CHANGELOG|TABLE)/.test(plan.kind)) {
    problems.push({ property: field, reason: `${label} ${field}: DeltaStream plans it as ${plan.kind || "nothing"}, not a CREATE STREAM, CHANGELOG or TABLE` });
    return problems;
  }
  const d = plan.ddl ?? {};
  const check = (f: string, planned: string | undefined, declared: string | undefined) => {
    if (planned !== undefined && declared !== undefined && planned !== declared) {
      problems.push({ property: f, reason: `${label} ${f}: the statement in ${field} creates it in ${f} ${JSON.stringify(planned)}, but ${f} is ${JSON.stringify(declared)}; make them agree` });
    }
  };
  check("database", d.db_name, r.database);
  check("schema", d.schema_name, r.schema);
  check("name", d.name, r.name);
  if (r.store !== undefined) check("store", d.store_name, r.store);
  if (d.type && d.type.toLowerCase() !== r.type) check("type", d.type.toLowerCase(), r.type);
  return problems;
}

/** Queries (not terminated) that read from or write to the relation: what dropping it would break. */
export async function queriesUsing(api: DeltaStreamApi, fqn: string): Promise<string[]> {
  const rows = await sysRows(api, "queries", {}).catch(() => [] as Row[]);
  const live = rows.filter((q) => !["terminated", "terminate_requested"].includes(String(q.current_state)));
  // sources is a JSON array of quoted fqns, sink one quoted fqn ("db"."schema"."name", maybe org-prefixed).
  const names = (v: unknown): string[] => {
    if (v === null || v === undefined || v === "") return [];
    let list: unknown[];
    try {
      const p = JSON.parse(String(v));
      list = Array.isArray(p) ? p : [p];
    } catch {
      list = [v];
    }
    return list.map((x) => String(x).replace(/"/g, "").split(".").slice(-3).join("."));
  };
  const mentions = (v: unknown) => names(v).includes(fqn);
  return live.filter((q) => mentions(q.sink) || mentions(q.sources)).map((q) => String(q.id));
}

function parseList(v: unknown): string[] | undefined {
  if (v === null || v === undefined || v === "") return undefined;
  try {
    const p = JSON.parse(String(v));
    return Array.isArray(p) ? p.map(String) : undefined;
  } catch {
    return String(v).split(",").map((s) => s.trim()).filter(Boolean);
  }
}

function parseColumns(v: unknown): { name: string; type: string; nullable: boolean }[] | undefined {
  if (v === null || v === undefined || v === "") return undefined;
  try {
    const p = JSON.parse(String(v)) as { name: string; type: string; nullable?: boolean }[];
    return Array.isArray(p) ? p.map((c) => ({ name: c.name, type: String(c.type).toUpperCase(), nullable: c.nullable !== false })) : undefined;
  } catch {
    return undefined;
  }
}

function observeRelation(raw: Row): Partial<Inputs> {
  const cols = parseColumns(raw.columns);
  const pk = parseList(raw.primary_key);
  return {
    database: str(raw.database_name),
    schema: str(raw.schema_name),
    name: str(raw.name),
    type: str(raw.relation_type)?.toLowerCase() as Inputs["type"],
    owner: str(raw.owner),
    ...(raw.store_name ? { store: str(raw.store_name) } : {}),
    ...(cols ? { columns: cols } : {}),
    ...(pk && pk.length ? { primaryKey: pk } : {}),
    ...(raw.entity_name ? { topic: str(raw.entity_name) } : {}),
    ...(raw.value_format ? { valueFormat: str(raw.value_format)?.toLowerCase() as Inputs["valueFormat"] } : {}),
  };
}

/** The properties a relation declared by columns is made with (createStatement): one made with others is declared by its statement. */
const COLUMNS_FORM_PROPS = ["topic", "value.format", "topic.partitions", "topic.replicas", "store", "timestamp"];

/**
 * The inputs declaring an existing relation (`pulumi-warehouse export`): structured columns when
 * it was made from columns (so drift is judged on them), with the 'timestamp' and
 * 'topic.partitions' / 'topic.replicas' properties it was made with; its own statement (`sql`)
 * when it was made AS SELECT, with a property those inputs do not hold ('key.format', …) or with a
 * column type the kind does not model.
 */
export function relationExportInputs(raw: Row): Partial<Inputs> {
  const o = observeRelation(raw);
  let props: Record<string, unknown> = {};
  try {
    const p = JSON.parse(String(raw.properties ?? "{}"));
    if (p && typeof p === "object") props = p as Record<string, unknown>;
  } catch {
    props = {};
  }
  const text = (k: string) => (props[k] === undefined || props[k] === null || props[k] === "" ? undefined : String(props[k]));
  const statement = str(raw.sql);
  const asSelect = statement !== undefined && /\bAS\s+SELECT\b/i.test(statement);
  const typed = o.columns !== undefined && o.columns.every((c) => TYPE.test(c.type));
  const modelled = Object.keys(props).every((k) => COLUMNS_FORM_PROPS.includes(k));
  if (typed && modelled && !asSelect) {
    const int = (k: string) => (text(k) !== undefined && /^\d+$/.test(text(k)!) ? Number(text(k)) : undefined);
    const extra = { topicPartitions: int("topic.partitions"), topicReplicas: int("topic.replicas"), timestamp: text("timestamp") };
    return { ...o, ...Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined)) };
  }
  const { columns: _columns, ...rest } = o;
  return statement !== undefined ? { ...rest, sql: statement } : o;
}

export const relation = defineDeltaStreamResource({
  kind: "Relation",
  description:
    "A DeltaStream stream, changelog or table, from a CREATE statement (sql) or structured columns, planned by DESCRIBE at preview against the declared database, schema, store and name. The owner changes in place; any other change replaces it, which needs allowDataLoss (as does destroying it while a running query uses it).",
  inputs: relationInputs,
  id: RELATION_ID,
  replaceOn: [...REPLACE_ON],
  uniqueBy: "name",
  normalize: RELATION_NORMALIZE,
  outputs: {
    fqn: "database.schema.name.",
    state: "The relation's state (created, …) when last read.",
    entity: "The entity (topic) it reads from.",
    createdAt: "When DeltaStream created it.",
  },

  validateChange(olds, news) {
    if (news.allowDataLoss) return [];
    const changed = differing(REPLACE_ON, olds, news, RELATION_NORMALIZE);
    return changed.map((k) => ({
      property: k,
      reason: `changing ${k} drops and recreates the ${olds.type} ${olds.database}.${olds.schema}.${olds.name}: the rows it holds and the position of the queries reading it would be lost. Nothing was changed. To allow it, set allowDataLoss: true on it.`,
    }));
  },

  async prepare(inputs, vendor) {
    try {
      const problems = await checkPlacement(vendor(), inputs);
      return problems.length ? problems : {};
    } catch (e) {
      // The database, schema or store may be created by the same update: checked again at create.
      if (isNotFound(e)) return {};
      if (e instanceof WarehouseApiError && e.kind === "validation") return [{ property: inputs.sql !== undefined ? "sql" : "columns", reason: `deltastream.Relation ${inputs.name}: DeltaStream refused the statement: ${e.message}` }];
      throw e;
    }
  },

  async create(ctx, inputs) {
    const problems = await checkPlacement(ctx.api, inputs);
    if (problems.length) throw new ResourceError(problems.map((p) => p.reason).join("; "));
    await ctx.api.statement(createStatement(inputs), { context: asOwner(inputs.owner, { database: inputs.database, schema: inputs.schema, ...(inputs.store ? { store: inputs.store } : {}) }), progress: ctx.progress });
    const id = RELATION_ID.encode(inputs);
    ctx.created(id);
    await handOver(ctx.api, inputs.type.toUpperCase(), name(inputs.database, inputs.schema, inputs.name), inputs.owner);
    const row = await waitReady(ctx, `relation ${id}`, () => read(ctx.api, inputs), "state", ["pending", "creating", "provisioning"]);
    if (!row) throw new ResourceError(`deltastream.Relation ${id} disappeared right after it was created`);
    if (String(row.state).toLowerCase() === "errored") throw new ResourceError(`deltastream.Relation ${id} is errored after its creation; run pulumi refresh to see it`);
    return { id, raw: row };
  },

  async find(api, inputs) {
    const raw = await read(api, inputs);
    return raw ? { id: RELATION_ID.encode(inputs), raw } : undefined;
  },

  read: (api, id) => read(api, RELATION_ID.decode(id)),

  observe: (raw: Row) => observeRelation(raw),
  computed: (raw: Row) => ({ fqn: `${raw.database_name}.${raw.schema_name}.${raw.name}`, state: str(raw.state), entity: str(raw.entity_name), createdAt: str(raw.created_at) }),

  async update(ctx, id, _olds, news, changed) {
    if (changed.includes("owner") && news.owner) await ctx.api.statement(alterOwner(news.type.toUpperCase(), name(news.database, news.schema, news.name), news.owner));
  },

  exporter: {
    async list(api) {
      return (await sysRows(api, "relations", {})).map((raw) => {
        const ref = { database: String(raw.database_name), schema: String(raw.schema_name), name: String(raw.name) };
        return { id: RELATION_ID.encode(ref), raw, name: ref.name, database: ref.database, schema: ref.schema };
      });
    },
    inputs: relationExportInputs,
    references: [
      { field: "database", kind: "Database", match: { name: "database" }, output: "name" },
      { field: "schema", kind: "Schema", match: { database: "database", name: "schema" }, output: "name" },
      { field: "store", kind: "Store", match: { name: "store" }, output: "name" },
    ],
  },

  async delete(api, id, state) {
    if (!state.allowDataLoss) {
      const users = await queriesUsing(api, id);
      if (users.length > 0) {
        throw new WarehouseApiError(
          "validation",
          `DeltaStream DROP RELATION ${id}`,
          `deltastream.Relation ${id} is used by running quer${users.length === 1 ? "y" : "ies"} ${users.join(", ")}; dropping it would stop them and lose its rows, so nothing was dropped. Delete the queries first, or set allowDataLoss: true on the relation (and run pulumi up).`,
        );
      }
    }
    await api.statement(sql`DROP RELATION ${name(RELATION_ID.decode(id))}`);
    await waitGone(`relation ${id}`, async () => (await read(api, RELATION_ID.decode(id))) !== undefined, 600_000);
  },
});
