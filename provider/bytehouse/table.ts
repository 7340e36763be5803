/**
 * bytehouse.Table — columns, keys, TTL, description. Column changes are planned by
 * columns.ts: safe ones are applied in place in one PATCH; unsafe ones (drop, narrowing)
 * need `allowDataLoss: true`; changes that force a replacement (keys, name, description)
 * need `allowReplace: true`. Both refusals happen at preview (check), before any call.
 */
import { z } from "zod";
import { idCodec } from "../framework/ids";
import { InputsOf } from "../framework/spec";
import { IDENT, IDENT_RULE } from "../framework/identifiers";
import { defineByteHouseResource } from "./api";
import { CLICKHOUSE_TYPES, ColumnSpec, normalizeColumn, planColumns, toWire } from "./columns";
import { columnDataLoss, columnListField } from "../framework/columns";
import { parseOpaqueDefault } from "../sql/defaults";
import { CLICKHOUSE_LEX } from "../sql/types/clickhouse";
import { WireTable, WireTableCreate } from "./wire";


/** The column list (names, ClickHouse types parsed at check, duplicates, renames): the shared field. */
const columns = columnListField({
  types: CLICKHOUSE_TYPES,
  nullableDefault: false,
  parseDefault: (text) => parseOpaqueDefault(text, CLICKHOUSE_LEX),
  docs: {
    type: "ClickHouse type (String, Int64, Date, DateTime, Nullable(T), LowCardinality(T), Decimal(P,S), Array(T), …). Parsed at preview; Nullable(T) reads as T with nullable: true.",
    nullable: "Whether the column accepts NULL (Nullable(T) in the type says the same).",
    defaultValue: "Default expression, as ByteHouse takes it (no \";\", comment or unterminated quote).",
  },
});

export const tableInputs = z
  .object({
    database: z.string().regex(IDENT, IDENT_RULE).describe("The database holding the table. Changing it replaces the table."),
    name: z.string().regex(IDENT, IDENT_RULE).describe("Table name. Changing it replaces the table."),
    description: z.string().default("").describe("Description. ByteHouse cannot change it in place: a change replaces the table (needs allowReplace)."),
    columns,
    orderByKeys: z.array(z.string()).min(1, "must name at least one column").describe("ORDER BY columns. A change replaces the table (needs allowReplace)."),
    partitionKeys: z
      .array(
        z.object({
          column: z.string().describe("A declared column to partition by."),
          granularity: z.string().nullable().optional().describe("Time granularity of a date column (e.g. \"day\", \"month\"); null or omitted for the column's value."),
          expression: z.string().nullable().optional().describe("A partition expression instead of a plain column (as ByteHouse returns it)."),
        }),
      )
      .default([])
      .describe("PARTITION BY keys ({column, granularity: \"day\"|…, expression}). A change replaces the table."),
    primaryKeys: z.array(z.string()).default([]).describe("PRIMARY KEY columns. A change replaces the table."),
    samplingKey: z.string().optional().describe("SAMPLE BY column. A change replaces the table."),
    uniqueKey: z.array(z.string()).optional().describe("UNIQUE KEY columns. A change replaces the table."),
    clusterKey: z
      .object({
        columns: z.array(z.string()).min(1).describe("Declared columns to bucket by (at least one)."),
        bucketCount: z.number().int().positive("must be > 0").describe("Number of buckets (> 0)."),
      })
      .optional()
      .describe("Bucketing ({columns, bucketCount}). The update API has no field for it, so a change replaces the table."),
    ttl: z
      .object({
        column: z.string().describe("A declared date or time column whose age expires the row."),
        interval: z.number().int("must be a whole number").positive("must be > 0").describe("How many units a row lives."),
        unit: z.enum(["DAY", "WEEK", "MONTH", "YEAR"], "must be DAY, WEEK, MONTH or YEAR").describe("The unit of interval."),
      })
      .optional()
      .describe("Row time-to-live: rows older than interval units of column expire. Set, changed or removed in place."),
    allowDataLoss: z
      .boolean()
      .default(false)
      .describe("Opt in to column changes that lose data (drop a column, narrow or convert a type, make a column NOT NULL). Off: such changes fail at preview."),
    allowReplace: z
      .boolean()
      .default(false)
      .describe("Opt in to changes that drop and recreate the table, losing its rows (keys, name, database, description). Off: they fail at preview."),
  })
  .superRefine((t, ctx) => {
    const names = t.columns.map((c) => c.name);
    const declared = new Set(names);
    const mustBeColumn = (path: (string | number)[], col: string | undefined) => {
      if (col !== undefined && !declared.has(col)) ctx.addIssue({ code: "custom", path, message: `must name a declared column (${col} is not one of ${names.join(", ")})` });
    };
    t.orderByKeys.forEach((k, i) => mustBeColumn(["orderByKeys", i], k));
    t.primaryKeys.forEach((k, i) => mustBeColumn(["primaryKeys", i], k));
    t.partitionKeys.forEach((k, i) => mustBeColumn(["partitionKeys", i, "column"], k.column));
    t.uniqueKey?.forEach((k, i) => mustBeColumn(["uniqueKey", i], k));
    t.clusterKey?.columns.forEach((k, i) => mustBeColumn(["clusterKey", "columns", i], k));
    mustBeColumn(["samplingKey"], t.samplingKey);
    mustBeColumn(["ttl", "column"], t.ttl?.column);
  });

type TableInputs = InputsOf<typeof tableInputs>;

/** Fields whose change drops and recreates the table: the replacement table. */
const REPLACE_ON = ["database", "name", "description", "orderByKeys", "partitionKeys", "primaryKeys", "samplingKey", "uniqueKey", "clusterKey"] as const;

const normalizeColumns = (v: unknown) => (v as ColumnSpec[]).map(normalizeColumn);
const normalizePartitions = (v: unknown) =>
  (v as { column: string; granularity?: string | null; expression?: string | null }[]).map((p) => ({ column: p.column, granularity: p.granularity ?? null }));

const TABLE_ID = idCodec("database", "name");

function tableId(database: string, name: string): string {
  return TABLE_ID.encode({ database, name });
}

function splitId(id: string): [string, string] {
  const { database, name } = TABLE_ID.decode(id);
  return [database, name];
}

function createBody(t: TableInputs): WireTableCreate {
  return {
    name: t.name,
    description: t.description,
    columns: t.columns.map(toWire),
    orderByKeys: t.orderByKeys,
    ...(t.samplingKey !== undefined ? { samplingKey: t.samplingKey } : {}),
    ...(t.partitionKeys.length ? { partitionKeys: t.partitionKeys } : {}),
    ...(t.primaryKeys.length ? { primaryKeys: t.primaryKeys } : {}),
    ...(t.ttl ? { ttl: t.ttl } : {}),
    ...(t.uniqueKey ? { uniqueKey: { columns: t.uniqueKey } } : {}),
    ...(t.clusterKey ? { clusterKey: t.clusterKey } : {}),
  };
}

export const table = defineByteHouseResource({
  kind: "Table",
  description:
    "A ByteHouse table. Safe column changes (add, comment, default, widening, nullable, declared rename) apply in place in one update call; data-losing ones need allowDataLoss, and key changes (which replace the table) need allowReplace — both are refused at preview otherwise.",
  inputs: tableInputs,
  id: TABLE_ID,
  replaceOn: [...REPLACE_ON],
  replaceOptIn: { field: "allowReplace", what: (t) => `the table ${t.database}.${t.name}` },
  uniqueBy: "name",
  normalize: {
    columns: normalizeColumns,
    partitionKeys: normalizePartitions,
  },
  outputs: {
    uuid: "The table's UUID.",
    rowCount: "Rows in the table when last read.",
    createdAt: "Creation time (RFC 3339).",
  },

  validateChange: columnDataLoss(CLICKHOUSE_TYPES),

  async create(ctx, inputs) {
    await ctx.api.createTable(inputs.database, createBody(inputs));
    const id = tableId(inputs.database, inputs.name);
    ctx.created(id);
    return { id }; // the engine reads the object back
  },

  read: (api, id) => api.getTable(...splitId(id)),

  observe: (raw: WireTable) => ({
    database: raw.database,
    name: raw.name,
    description: raw.description ?? "",
    columns: raw.columns.map(normalizeColumn).map((c) => ({ ...c, defaultValue: c.defaultValue ?? undefined })),
    orderByKeys: raw.orderByKeys,
    partitionKeys: raw.partitionKeys ?? [],
    primaryKeys: raw.primaryKeys ?? [],
    samplingKey: raw.samplingKey ?? undefined,
    uniqueKey: raw.uniqueKey?.columns,
    clusterKey: raw.clusterKey ?? undefined,
    ttl: raw.ttl ?? undefined,
  }),

  computed: (raw: WireTable) => ({ uuid: raw.uuid, rowCount: raw.rowCount, createdAt: raw.createdAt }),

  async update(ctx, id, olds, news, changed) {
    const [db, name] = splitId(id);
    const patch = changed.includes("columns") ? planColumns(olds.columns, news.columns).patch : {};
    if (changed.includes("ttl")) {
      if (news.ttl) patch.ttl = news.ttl;
      else patch.isRemoveTTL = true;
    }
    if (Object.keys(patch).length > 0) {
      ctx.progress(`updating ${id}: ${Object.keys(patch).join(", ")}`);
      await ctx.api.updateTable(db, name, patch);
    }
    return; // the engine reads the object back
  },

  exporter: {
    async list(api) {
      const out: { id: string; raw: WireTable; name: string; database: string }[] = [];
      for (const db of await api.listDatabases()) {
        for (const t of await api.listTables(db.name)) {
          const raw = await api.getTable(db.name, t.name); // the full definition (columns, keys)
          if (raw) out.push({ id: tableId(db.name, t.name), raw, name: t.name, database: db.name });
        }
      }
      return out;
    },
    references: [{ field: "database", kind: "Database", match: { name: "database" }, output: "name" }],
  },

  delete: (api, id) => api.deleteTable(...splitId(id)),
});
