/**
 * altertable.LoadedData — a local file (CSV, JSON, JSON lines, Parquet) loaded into a table
 * through POST /upsert, with a mode (create | append | upsert | overwrite) and a primary key.
 *
 * - check (preview): the file is found and hashed (sha256, streamed from disk) into
 *   `contentHash`; its format is known and matches its first bytes; for CSV/JSON the primary
 *   key and (for an existing table in append/upsert mode) every column of the file are checked
 *   against the header / first record and the live table, read-only. A problem fails the
 *   preview naming the file, the key or the missing columns; nothing is sent.
 * - create/update: the file is streamed from disk (bounded memory) with progress lines; the
 *   vendor loads it in one transaction, so a rejected load leaves the table as it was and fails
 *   with the vendor's message. The table's row count and a checksum of its rows are recorded.
 * - drift: read recomputes the count and checksum. When they differ from the recorded ones,
 *   `contentHash` reads back as a "rows changed out of band" marker, so refresh shows a change
 *   of an input and the next up loads the file again. A dropped table reads as gone.
 * - delete: per `onDestroy` (keep: nothing; truncate: DELETE FROM; drop: DROP TABLE IF EXISTS).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { idCodec } from "../framework/ids";
import { OpContext } from "../framework/spec";
import {
  LoadedDataRaw,
  LoadedRecord,
  checkFile,
  csvHeader,
  driftedRaw,
  firstJsonKeys,
  formatBytes,
  hashAtPreview,
  loadedComputed,
  loadedLine,
  loadedObserve,
  loadedRaw,
  readHead,
  resolveFile,
  sendFile,
  unchangedLoad,
} from "../framework/loaded-data";
import { AltertableApi, TableRef, UploadMode, defineAltertableResource, qualified } from "./api";
import { literal, sql } from "../sql/builder";

// The vendor-neutral parts live in the framework (provider/framework/loaded-data.ts); re-exported for existing callers.
export { CHANGED_WHILE_LOADING, CHUNK_BYTES, DRIFT_MARKER, LoadedDataRaw, csvHeader, firstJsonKeys, formatBytes, hashFile, resolveFile } from "../framework/loaded-data";

export const LOADED_DATA_FORMATS = ["csv", "json", "jsonl", "parquet"] as const;
export type LoadedDataFormat = (typeof LOADED_DATA_FORMATS)[number];

const IDENT = /^[A-Za-z_][A-Za-z0-9_$]{0,127}$/;
const IDENT_RULE = "must be an identifier: 1-128 of [A-Za-z0-9_$], starting with a letter or _";

export const loadedDataInputs = z
  .object({
    catalog: z.string().regex(IDENT, IDENT_RULE).describe("Catalog of the target table (e.g. lakehouse). Changing it loads into a new table (replacement)."),
    schema: z.string().regex(IDENT, IDENT_RULE).default("main").describe("Schema of the target table. Changing it loads into a new table (replacement)."),
    table: z.string().regex(IDENT, IDENT_RULE).describe("Target table. Changing it loads into a new table (replacement)."),
    file: z
      .string()
      .min(1, "must not be empty")
      .describe("Path of the file to load; a relative path resolves against the program's working directory. It is streamed from disk, never read into memory."),
    format: z
      .enum(LOADED_DATA_FORMATS, 'must be "csv", "json", "jsonl" or "parquet"')
      .optional()
      .describe('File format: "csv" (with a header row), "json" (an array of objects), "jsonl" (one object per line) or "parquet". Default: from the file extension (.ndjson/.jsonl are jsonl), else from the first bytes.'),
    mode: z
      .enum(["create", "append", "upsert", "overwrite"], 'must be "create", "append", "upsert" or "overwrite"')
      .default("upsert")
      .describe(
        'How the rows are loaded: "create" (the table must not exist yet; later reloads replace its rows), "append" (adds the rows; a reload sends the whole file again, so its rows are added again), "upsert" (default, as the vendor: rows replace those with the same primaryKey, others are inserted) or "overwrite" (the table is recreated from the file).',
      ),
    primaryKey: z
      .array(z.string().min(1, "must not be empty"))
      .optional()
      .describe("Key columns: rows with the same key replace each other. Required in upsert mode, unused in the other modes."),
    onDestroy: z
      .enum(["keep", "truncate", "drop"], 'must be "keep", "truncate" or "drop"')
      .default("keep")
      .describe('What destroy does to the table: "keep" (default) leaves the table and its rows; "truncate" deletes all rows of the table (not only the loaded ones); "drop" drops the table.'),
    contentHash: z
      .string()
      .optional()
      .describe("Computed at preview (sha256 of the file, hex); do not set it. A change means the file changed and is sent again; a marker in its place after refresh means the rows were changed out of band."),
  })
  .refine((v) => v.mode !== "upsert" || (v.primaryKey !== undefined && v.primaryKey.length > 0), {
    message: 'upsert mode needs primaryKey (the key columns); use mode "append" or "overwrite" to load without a key',
    path: ["primaryKey"],
  });

export type LoadedDataInputs = z.output<typeof loadedDataInputs>;

/** State as read gets it: the inputs plus the outputs recorded at the last load. */
type LoadedDataState = LoadedDataInputs & LoadedRecord;

const CONTENT_TYPES: Record<LoadedDataFormat, string> = {
  csv: "text/csv",
  json: "application/json",
  jsonl: "application/x-ndjson",
  parquet: "application/parquet",
};

function refOf(i: Pick<LoadedDataInputs, "catalog" | "schema" | "table">): TableRef {
  return { catalog: i.catalog, schema: i.schema, table: i.table };
}

const LOAD_ID = idCodec("catalog", "schema", "table");

function idOf(i: Pick<LoadedDataInputs, "catalog" | "schema" | "table">): string {
  return LOAD_ID.encode(i);
}

/** The first non-blank character after an optional UTF-8 BOM. */
function firstChar(head: Buffer): string | undefined {
  const text = head.subarray(0, 4096).toString("utf8").replace(/^\uFEFF/, "");
  const m = /\S/.exec(text);
  return m ? m[0] : undefined;
}

export function formatFromExtension(file: string): LoadedDataFormat | undefined {
  switch (path.extname(file).toLowerCase()) {
    case ".csv":
      return "csv";
    case ".json":
      return "json";
    case ".jsonl":
    case ".ndjson":
      return "jsonl";
    case ".parquet":
    case ".pq":
      return "parquet";
    default:
      return undefined;
  }
}

export function sniffFormat(head: Buffer): LoadedDataFormat {
  if (head.subarray(0, 4).toString("latin1") === "PAR1") return "parquet";
  const c = firstChar(head);
  if (c === "[") return "json";
  if (c === "{") return "jsonl";
  return "csv";
}

/** Columns of the live table (lower-cased lookups), or undefined when it does not exist. */
async function liveColumns(api: AltertableApi, ref: TableRef): Promise<string[] | undefined> {
  const rows = await api.rows(
    sql`SELECT column_name FROM information_schema.columns WHERE lower(table_catalog) = lower(${literal(ref.catalog)}) AND lower(table_schema) = lower(${literal(ref.schema)}) AND lower(table_name) = lower(${literal(ref.table)}) ORDER BY ordinal_position`,
  );
  if (rows.length > 0) return rows.map((r) => String(r.column_name));
  return (await api.tableExists(ref)) ? [] : undefined;
}

/** Row count and checksum of the whole table: one scan. */
async function tableStats(api: AltertableApi, ref: TableRef): Promise<{ rowCount: number; checksum: string }> {
  const rows = await api.rows(sql`SELECT count(*) AS n, CAST(coalesce(sum(hash(t)), 0) AS VARCHAR) AS checksum FROM ${qualified(ref)} AS t`);
  return { rowCount: Number(rows[0]?.n ?? 0), checksum: String(rows[0]?.checksum ?? "0") };
}


/** Streams the file to /upsert and records what the table holds afterwards. */
async function load(ctx: OpContext<AltertableApi>, inputs: LoadedDataInputs, mode: UploadMode, onSent?: () => void): Promise<LoadedDataRaw> {
  const file = resolveFile(inputs.file);
  const format = inputs.format ?? formatFromExtension(file) ?? sniffFormat(readHead(file, 4096));
  const ref = refOf(inputs);
  ctx.progress(`loading ${inputs.file} (${formatBytes(fs.statSync(file).size)}, ${format}) into ${idOf(inputs)}, mode ${mode}`);
  const sent = await sendFile({
    file,
    label: inputs.file,
    expectedHash: inputs.contentHash,
    progress: ctx.progress,
    send: async (body) => {
      await ctx.api.upload(ref, mode, mode === "upsert" ? inputs.primaryKey : undefined, CONTENT_TYPES[format], body);
      onSent?.();
    },
  });
  const stats = await tableStats(ctx.api, ref);
  ctx.progress(loadedLine(sent, idOf(inputs), stats.rowCount, Date.now() - sent.answeredAt));
  return loadedRaw(sent, stats);
}

export const loadedData = defineAltertableResource({
  kind: "LoadedData",
  description:
    "A file (CSV, JSON, JSON lines or Parquet) loaded into a table through the lakehouse upload API, with a mode and a primary key. " +
    "The file's sha256 (contentHash, computed at preview) is kept in state, so the file is sent again only when it changed (or mode, primaryKey, format or file changed); " +
    "in append mode every reload sends the whole file again, so its rows are added again. Preview fails, before anything is sent, for a missing or unreadable file, " +
    "a primaryKey absent from the header, file columns missing from an existing table (append, upsert) and mode create on an existing table. " +
    "The file is streamed from disk with progress lines; the vendor loads it in one transaction, so a rejected load changes nothing and fails with the vendor's message. " +
    "Refresh compares the table's row count and row checksum with those recorded at the last load: rows changed or deleted out of band show as a change of contentHash and the next up loads the file again " +
    "(the checksum covers the whole table, so in append and upsert modes other writers to the same table also count as drift); a dropped table is loaded again. " +
    'Destroy follows onDestroy: "keep" (default) leaves the rows, "truncate" deletes every row of the table, "drop" drops it. ' +
    'A replacement (new catalog, schema or table) loads the new table before the old one is destroyed per onDestroy.',
  inputs: loadedDataInputs,
  replaceOn: ["catalog", "schema", "table"],
  outputs: {
    rowCount: "Rows in the table after the last load.",
    checksum: "Checksum of the table's rows after the last load (sum of DuckDB row hashes), compared on refresh.",
    loadedContentHash: "The contentHash of the file as last loaded.",
    bytes: "Size of the file as last loaded, in bytes.",
    loadedAt: "When the file was last loaded (RFC 3339).",
  },

  async prepare(inputs, vendor, olds) {
    const file = resolveFile(inputs.file);
    const unreadable = checkFile(file);
    if (unreadable) return [unreadable];
    const head = readHead(file);
    const sniffed = sniffFormat(head);
    const format = inputs.format ?? formatFromExtension(file) ?? sniffed;
    const magic = head.subarray(0, 4).toString("latin1") === "PAR1";
    if (format === "parquet" && !magic) return [{ property: "format", reason: `${file} is not Parquet (it does not start with the PAR1 magic bytes)` }];
    if (format !== "parquet" && magic) return [{ property: "format", reason: `${file} is Parquet (it starts with PAR1), not ${format}` }];
    if ((format === "json" || format === "jsonl") && sniffed !== "json" && sniffed !== "jsonl") {
      return [{ property: "format", reason: `${file} is not JSON (it starts with neither "[" nor "{")` }];
    }

    // Columns of the file, from the header or first record (Parquet: left to the vendor).
    const columns = format === "csv" ? csvHeader(head) : format === "parquet" ? undefined : firstJsonKeys(head);
    const has = (cols: string[], name: string) => cols.some((c) => c.toLowerCase() === name.toLowerCase());
    if (columns && inputs.primaryKey) {
      const absent = inputs.primaryKey.filter((k) => !has(columns, k));
      if (absent.length) {
        return [{ property: "primaryKey", reason: `${absent.join(", ")} not among the columns of ${file} (${format === "csv" ? "header" : "first record"}: ${columns.join(", ")})` }];
      }
    }

    // Read-only look at the target table.
    const ref = refOf(inputs);
    const live = inputs.mode === "overwrite" ? undefined : await liveColumns(vendor(), ref); // overwrite takes any table, or none
    if (live !== undefined) {
      // Mode create must not fail, on an update's preview, on the table this resource made.
      if (inputs.mode === "create" && !olds) {
        return [{ property: "mode", reason: `table ${idOf(inputs)} already exists; mode "create" needs a new table (use "overwrite", "append" or "upsert" to load into it)` }];
      }
      if ((inputs.mode === "append" || inputs.mode === "upsert") && columns && live.length > 0) {
        const missing = columns.filter((c) => !has(live, c));
        if (missing.length) {
          return [{ property: "file", reason: `column(s) ${missing.join(", ")} of ${file} do not exist in table ${idOf(inputs)} (columns: ${live.join(", ")}); mode "${inputs.mode}" cannot add columns` }];
        }
      }
    }

    return { format, contentHash: await hashAtPreview(file) };
  },

  async create(ctx, inputs) {
    const id = idOf(inputs);
    return { id, raw: await load(ctx, inputs, inputs.mode, () => ctx.created(id)) };
  },

  async read(api, _id, state: LoadedDataState) {
    const ref = refOf(state);
    if (!(await api.tableExists(ref))) return undefined;
    return driftedRaw(state, await tableStats(api, ref));
  },

  observe: loadedObserve,

  computed: loadedComputed,

  async update(ctx, _id, olds, news, changed) {
    const state = olds as LoadedDataState;
    if (changed.every((k) => k === "onDestroy")) {
      // Only what destroy will do changed: nothing to load.
      return unchangedLoad(state, news.contentHash);
    }
    // The table exists (this resource made or filled it): "create" reloads as "overwrite".
    return load(ctx, news, news.mode === "create" ? "overwrite" : news.mode);
  },

  async delete(api, _id, state) {
    const ref = refOf(state);
    if (state.onDestroy === "drop") await api.query(sql`DROP TABLE IF EXISTS ${qualified(ref)}`);
    else if (state.onDestroy === "truncate" && (await api.tableExists(ref))) await api.query(sql`DELETE FROM ${qualified(ref)}`);
  },
});
