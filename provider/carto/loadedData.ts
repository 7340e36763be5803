/**
 * carto.LoadedData — a local CSV (or gzip-compressed CSV) streamed into a table through CARTO's
 * COPY FROM endpoint (`POST /api/v2/sql/copyfrom?q=COPY … FROM STDIN`, chunked; a .gz file is
 * sent as it is with Content-Encoding: gzip and CARTO inflates it). The same contract as
 * altertable.LoadedData, sharing its code (provider/framework/loaded-data.ts):
 *
 * - check (preview): the file is found and hashed (sha256, streamed) into `contentHash`; its
 *   header is read (inflated first for gzip) and every column must exist in the table when the
 *   table exists; a file with a header and no rows fails (CARTO refuses a COPY of zero rows).
 * - create/update: `overwrite` (default) empties the table (TRUNCATE) and copies the file;
 *   `append` adds its rows. Progress lines while sending. The table's row count and checksum are
 *   recorded. A COPY whose answer was lost is sent again only in overwrite mode (the TRUNCATE
 *   makes a repeat harmless); in append mode it fails, giving the row count, never copying twice.
 * - drift: refresh recounts and re-checksums; rows changed by hand show as a change of
 *   contentHash and the next up loads the file again. A dropped table reads as gone.
 * - delete: per `onDestroy` (keep: nothing; truncate: TRUNCATE; drop: DROP TABLE IF EXISTS).
 */
import * as fs from "node:fs";
import { z } from "zod";
import { idCodec } from "../framework/ids";
import {
  HEAD_BYTES,
  LOADED_DATA_OUTPUTS,
  LoadedDataRaw,
  LoadedRecord,
  checkFile,
  csvDelimiter,
  csvHeader,
  driftedRaw,
  formatBytes,
  gunzipHead,
  hashAtPreview,
  isGzip,
  loadedComputed,
  loadedLine,
  loadedObserve,
  loadedRaw,
  readHead,
  resolveFile,
  sendFile,
  unchangedLoad,
} from "../framework/loaded-data";
import { OpContext } from "../framework/spec";
import { isAmbiguous, isNotFound } from "../http/errors";
import { ident, list, literal, sql } from "../sql/builder";
import { CartoApi, defineCartoResource } from "./api";
import { DEFAULT_SCHEMA, pgIdent, qualified } from "./names";

export const cartoLoadedDataInputs = z.object({
  schema: pgIdent().default(DEFAULT_SCHEMA).describe("Schema of the target table. Changing it loads into a new table (replacement)."),
  table: pgIdent().describe("Target table (it must exist: a carto.Table, with the file's columns). Changing it loads into a new table (replacement)."),
  file: z.string().min(1, "must not be empty").describe("Path of the CSV file (or .csv.gz, gzip-compressed) to load; a relative path resolves against the program's working directory. Streamed from disk, never read into memory."),
  columns: z
    .array(pgIdent())
    .min(1, "must name at least one column")
    .optional()
    .describe("The table's columns the file's fields go into, in the file's order. Default: the file's header row."),
  header: z.boolean().default(true).describe("Whether the file's first line is a header (default true); without one, columns is required."),
  delimiter: z.string().length(1, "must be one character").optional().describe("Field delimiter. Default: sniffed from the header (, tab ; |), else ','."),
  mode: z
    .enum(["overwrite", "append"], 'must be "overwrite" or "append"')
    .default("overwrite")
    .describe('"overwrite" (default): each load empties the table and copies the file; "append": each load adds the file\'s rows (a reload adds them again).'),
  onDestroy: z
    .enum(["keep", "truncate", "drop"], 'must be "keep", "truncate" or "drop"')
    .default("keep")
    .describe('What destroy does to the table: "keep" (default) leaves the table and its rows; "truncate" deletes all its rows; "drop" drops it.'),
  contentHash: z
    .string()
    .optional()
    .describe("Computed at preview (sha256 of the file, hex); do not set it. A change means the file changed and is sent again; a marker in its place after refresh means the rows were changed out of band."),
}).refine((v) => v.header || (v.columns !== undefined && v.columns.length > 0), { message: "a file without a header needs columns (the table's columns its fields go into)", path: ["columns"] });

export type CartoLoadedDataInputs = z.output<typeof cartoLoadedDataInputs>;
type State = CartoLoadedDataInputs & LoadedRecord;

const LOAD_ID = idCodec("schema", "table");
const refOf = (i: { schema: string; table: string }) => ({ schema: i.schema, name: i.table });

/** The file's first bytes as text (inflated when it is gzip). */
function headText(file: string): { gzip: boolean; head: Buffer } {
  const raw = readHead(file);
  const gzip = isGzip(raw);
  return { gzip, head: gzip ? gunzipHead(raw) : raw };
}

/** Row count and checksum of the whole table, one scan; undefined when there is no such table. */
export async function tableStats(api: CartoApi, ref: { schema: string; name: string }): Promise<{ rowCount: number; checksum: string } | undefined> {
  try {
    const rows = await api.rows(sql`SELECT count(*) AS n, coalesce(sum(hashtext(t::text)::bigint), 0)::text AS checksum FROM ${qualified(ref)} AS t`);
    return { rowCount: Number(rows[0]?.n ?? 0), checksum: String(rows[0]?.checksum ?? "0") };
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** The table's columns, from the SQL API's `fields` of an empty SELECT (no catalog table needed); undefined when there is no such table. */
async function liveColumns(api: CartoApi, ref: { schema: string; name: string }): Promise<string[] | undefined> {
  try {
    return Object.keys((await api.sql(sql`SELECT * FROM ${qualified(ref)} LIMIT 0`)).fields);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

function copyStatement(i: CartoLoadedDataInputs, columns: string[] | undefined, delimiter: string) {
  const cols = columns && columns.length ? sql` (${list(columns.map(ident))})` : sql``;
  return sql`COPY ${qualified(refOf(i))}${cols} FROM STDIN WITH (FORMAT csv, HEADER ${literal(i.header)}, DELIMITER ${literal(delimiter)})`;
}

/** The columns and delimiter a load uses: declared, else from the header. */
function layout(i: CartoLoadedDataInputs, file: string): { columns?: string[]; delimiter: string } {
  if (i.columns && i.delimiter) return { columns: i.columns, delimiter: i.delimiter };
  const { head } = headText(file);
  const line = head.toString("utf8").replace(/^\uFEFF/, "").split(/\r?\n/)[0] ?? "";
  const delimiter = i.delimiter ?? csvDelimiter(line);
  return { columns: i.columns ?? (i.header ? csvHeader(head, delimiter) : undefined), delimiter };
}

async function load(ctx: OpContext<CartoApi>, inputs: CartoLoadedDataInputs, onSent?: () => void): Promise<LoadedDataRaw> {
  const file = resolveFile(inputs.file);
  const { gzip } = headText(file);
  const { columns, delimiter } = layout(inputs, file);
  const ref = refOf(inputs);
  const id = LOAD_ID.encode(inputs);
  ctx.progress(`loading ${inputs.file} (${formatBytes(fs.statSync(file).size)}${gzip ? ", gzip" : ""}) into ${id}, mode ${inputs.mode}`);
  const copy = copyStatement(inputs, columns, delimiter);
  for (let attempt = 1; ; attempt++) {
    try {
      if (inputs.mode === "overwrite") await ctx.api.sql(sql`TRUNCATE ${qualified(ref)}`);
      const sent = await sendFile({
        file,
        label: inputs.file,
        expectedHash: inputs.contentHash,
        progress: ctx.progress,
        send: async (body) => {
          const r = await ctx.api.copyFrom(copy, body, { gzip });
          ctx.progress(`CARTO copied ${r.total_rows} rows in ${r.time.toFixed(1)}s`);
          onSent?.();
        },
      });
      const countedAt = Date.now();
      const stats = (await tableStats(ctx.api, ref)) ?? { rowCount: 0, checksum: "0" };
      ctx.progress(loadedLine(sent, id, stats.rowCount, Date.now() - countedAt));
      return loadedRaw(sent, stats);
    } catch (e) {
      if (!isAmbiguous(e)) throw e;
      const now = await tableStats(ctx.api, ref).catch(() => undefined);
      if (inputs.mode === "overwrite" && attempt < 2) {
        ctx.progress(`the COPY's answer was lost (${(e as Error).message}); overwrite empties the table first, so it is sent once more`);
        continue;
      }
      throw new Error(
        `${(e as Error).message}. The COPY may or may not have been applied: ${id} now has ${now ? now.rowCount : "an unknown number of"} rows. It was not sent again${inputs.mode === "append" ? " (append mode would copy the rows twice)" : ""}; check the table, then run pulumi up.`,
      );
    }
  }
}

export const cartoLoadedData = defineCartoResource({
  kind: "LoadedData",
  description:
    "A local CSV (or gzip CSV) streamed into a table through CARTO's COPY FROM. The file's sha256 (contentHash, computed at preview) is kept in state, so the file is sent again only when it changed (or mode, columns, header or delimiter changed). " +
    "Preview fails, before anything is sent, for a missing, unreadable or empty file, a file with no rows, and file columns the table does not have. The file is streamed from disk (bounded memory) with progress lines. " +
    'Refresh compares the table\'s row count and checksum with those recorded at the last load: rows changed or deleted by hand show as a change of contentHash and the next up loads the file again. Destroy follows onDestroy: "keep" (default), "truncate" or "drop".',
  inputs: cartoLoadedDataInputs,
  replaceOn: ["schema", "table"],
  outputs: { ...LOADED_DATA_OUTPUTS, checksum: "Checksum of the table's rows after the last load (sum of PostgreSQL hashtext of each row), compared on refresh." },

  async prepare(inputs, vendor) {
    const file = resolveFile(inputs.file);
    const unreadable = checkFile(file);
    if (unreadable) return [unreadable];
    let text: { gzip: boolean; head: Buffer };
    try {
      text = headText(file);
    } catch (e) {
      return [{ property: "file", reason: `${file} starts like gzip but does not inflate: ${(e as Error).message}` }];
    }
    const lines = text.head.toString("utf8").replace(/^\uFEFF/, "").split(/\r?\n/).filter((l) => l.trim() !== "");
    const whole = text.head.length < HEAD_BYTES;
    if (whole && lines.length <= (inputs.header ? 1 : 0)) {
      return [{ property: "file", reason: `${file} has no rows${inputs.header ? " under its header" : ""}; CARTO refuses a COPY of zero rows ("No rows copied")` }];
    }
    // Read-only look at the table: every column the file fills must be there (a table the same
    // update creates is checked again just before the COPY).
    const { columns } = layout(inputs, file);
    const live = await liveColumns(vendor(), refOf(inputs));
    const missing = live ? (columns ?? []).filter((c) => !live.includes(c)) : [];
    if (missing.length) {
      return [{ property: "file", reason: `column(s) ${missing.join(", ")} of ${file} do not exist in table ${LOAD_ID.encode(inputs)} (columns: ${live!.join(", ")})` }];
    }
    return { contentHash: await hashAtPreview(file) };
  },

  async create(ctx, inputs) {
    const id = LOAD_ID.encode(inputs);
    await checkColumns(ctx.api, inputs);
    return { id, raw: await load(ctx, inputs, () => ctx.created(id)) };
  },

  async read(api, _id, state: State) {
    const live = await tableStats(api, refOf(state));
    return live && driftedRaw(state, live);
  },

  observe: loadedObserve,
  computed: loadedComputed,

  async update(ctx, _id, olds, news, changed) {
    if (changed.every((k) => k === "onDestroy")) return unchangedLoad(olds as State, news.contentHash);
    await checkColumns(ctx.api, news);
    return load(ctx, news);
  },

  async delete(api, _id, state) {
    const t = qualified(refOf(state));
    if (state.onDestroy === "drop") await api.sql(sql`DROP TABLE IF EXISTS ${t}`);
    else if (state.onDestroy === "truncate") await api.sql(sql`TRUNCATE ${t}`); // a table already gone is a not-found: done
  },
});

/** Every column the file fills must exist in the table (checked just before the COPY, with the table's live columns). */
async function checkColumns(api: CartoApi, inputs: CartoLoadedDataInputs): Promise<void> {
  const file = resolveFile(inputs.file);
  const { columns } = layout(inputs, file);
  const live = await liveColumns(api, refOf(inputs));
  if (!live) throw new Error(`carto.LoadedData: table ${LOAD_ID.encode(inputs)} does not exist; declare it with carto.Table (and dependsOn) before loading into it`);
  const missing = (columns ?? []).filter((c) => !live.includes(c));
  if (missing.length) throw new Error(`carto.LoadedData: column(s) ${missing.join(", ")} of ${inputs.file} do not exist in table ${LOAD_ID.encode(inputs)} (columns: ${live.join(", ")})`);
}
