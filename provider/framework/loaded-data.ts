/**
 * The vendor-neutral half of every `LoadedData` kind (Altertable's /upsert, CARTO's COPY FROM):
 * a local file, hashed at preview, streamed to the vendor with bounded memory and progress
 * lines, and drift told by the table's row count and checksum recorded at the last load.
 *
 * - check: `checkFile` (exists, readable, not empty), `hashAtPreview` (sha256, streamed; the
 *   hash is remembered with the file's stamp so the load need not hash it a second time);
 * - load: `sendFile` streams the file through a ProgressMeter to the vendor's `send`, and says
 *   which hash was sent (or that the file changed while it was being sent);
 * - read: `driftedRaw` turns live stats and the recorded ones into what refresh sees: the loaded
 *   contentHash, or a "rows changed out of band" marker (so the next `up` loads the file again);
 * - update: `unchangedLoad` when only `onDestroy` changed (nothing is sent).
 * A vendor's kind supplies only the vendor facts: how to send, how to count and checksum rows,
 * how to empty or drop the table.
 */
import { Hash, createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable, Transform, TransformCallback } from "node:stream";
import * as zlib from "node:zlib";

/** Read chunk for hashing and upload: big enough for throughput, small enough to bound memory. */
export const CHUNK_BYTES = 1 << 20;
/** How much of a file's start is read to sniff its format and header. */
export const HEAD_BYTES = 1 << 20;
const PROGRESS_EVERY_MS = 5_000;

/** contentHash after refresh when the rows differ from those recorded at the last load. */
export const DRIFT_MARKER = "rows-changed-out-of-band";
/** A contentHash recorded when the file changed while it was being sent: the next up loads it again. */
export const CHANGED_WHILE_LOADING = "file-changed-while-loading";

/** What a load or a read found. `contentHash` is what observe reports (the loaded hash, or a drift marker). */
export interface LoadedDataRaw {
  contentHash: string;
  loadedContentHash: string;
  rowCount: number;
  checksum: string;
  bytes: number;
  loadedAt: string;
  /** Set by a load (not a read): the state's contentHash becomes the hash of what was sent. */
  loadedNow?: boolean;
}

/** What a LoadedData state holds besides its inputs: the outputs recorded at the last load. */
export type LoadedRecord = Partial<Pick<LoadedDataRaw, "loadedContentHash" | "rowCount" | "checksum" | "bytes" | "loadedAt">> & { contentHash?: string };

/** The outputs every LoadedData kind documents. */
export const LOADED_DATA_OUTPUTS = {
  rowCount: "Rows in the table after the last load.",
  loadedContentHash: "The contentHash of the file as last loaded.",
  bytes: "Size of the file as last loaded, in bytes.",
  loadedAt: "When the file was last loaded (RFC 3339).",
} as const;

export function resolveFile(file: string): string {
  return path.resolve(process.cwd(), file);
}

export function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(0)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(0)} KiB`;
  return `${n} B`;
}

/** sha256 (hex) of a file, read from disk in chunks into one reused buffer (no garbage per chunk). */
export async function hashFile(file: string): Promise<string> {
  const h = createHash("sha256");
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  const fh = await fs.promises.open(file, "r");
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return h.digest("hex");
}

/** The first `max` bytes of a file. */
export function readHead(file: string, max = HEAD_BYTES): Buffer {
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.alloc(max);
    const n = fs.readSync(fd, buf, 0, max, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** True when the bytes start with the gzip magic number. */
export function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * The start of a gzip file's content, from the start of the compressed file (a truncated stream
 * inflates as far as it goes); throws when the bytes are not gzip.
 */
export function gunzipHead(head: Buffer, max = HEAD_BYTES): Buffer {
  const out = zlib.gunzipSync(head, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: Math.max(max, 1 << 16) } as zlib.ZlibOptions);
  return out.subarray(0, max);
}

/** Splits one CSV record (RFC 4180 quoting) on `delim`. */
function splitCsv(line: string, delim: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delim) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out.map((c) => c.trim());
}

/** The delimiter of a CSV header line: the one of , tab ; | that splits it most. */
export function csvDelimiter(line: string): string {
  const count = (d: string) => splitCsv(line, d).length;
  return [",", "\t", ";", "|"].reduce((best, d) => (count(d) > count(best) ? d : best), ",");
}

/** Column names of a CSV header line (the delimiter is sniffed: , tab ; |), or undefined when no full line is in `head`. */
export function csvHeader(head: Buffer, delimiter?: string): string[] | undefined {
  const text = head.toString("utf8").replace(/^\uFEFF/, "");
  const end = text.search(/\r?\n/);
  if (end < 0 && head.length >= HEAD_BYTES) return undefined;
  const line = end < 0 ? text : text.slice(0, end);
  return splitCsv(line, delimiter ?? csvDelimiter(line)).filter((c) => c !== "");
}

/** Keys of the first complete JSON object in `head` (an array's first element, or the first line of JSON lines). */
export function firstJsonKeys(head: Buffer): string[] | undefined {
  const text = head.toString("utf8");
  const start = text.indexOf("{");
  if (start < 0) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || ch === "]") {
      depth--;
      if (depth === 0) {
        try {
          const obj = JSON.parse(text.slice(start, i + 1)) as unknown;
          return obj && typeof obj === "object" && !Array.isArray(obj) ? Object.keys(obj) : undefined;
        } catch {
          return undefined;
        }
      }
    }
  }
  return undefined;
}

/** Why a file cannot be loaded (missing, unreadable, not a file, empty), or undefined when it can. */
export function checkFile(file: string): { property: string; reason: string } | undefined {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return { property: "file", reason: `${file} is not a regular file` };
    fs.accessSync(file, fs.constants.R_OK);
    if (st.size === 0) return { property: "file", reason: `${file} is empty` };
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { property: "file", reason: `cannot read ${file}: ${code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (e as Error).message}` };
  }
}

/** Counts bytes going through, reporting every ~10% or every few seconds; hashes them unless told not to. */
export class ProgressMeter extends Transform {
  private count = 0;
  private nextPct = 10;
  private lastAt = Date.now();
  /** sha256 of exactly what was sent (when hashing). */
  readonly hash?: Hash;

  constructor(private readonly total: number, private readonly report: (message: string) => void, hashing: boolean) {
    super({ highWaterMark: CHUNK_BYTES });
    if (hashing) this.hash = createHash("sha256");
  }

  get sent(): number {
    return this.count;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.count += chunk.length;
    this.hash?.update(chunk);
    const pct = this.total > 0 ? (this.count / this.total) * 100 : 100;
    const now = Date.now();
    if (pct >= this.nextPct || now - this.lastAt >= PROGRESS_EVERY_MS) {
      this.report(`uploaded ${formatBytes(this.count)} of ${formatBytes(this.total)} (${Math.floor(pct)}%)`);
      while (this.nextPct <= pct) this.nextPct += 10;
      this.lastAt = now;
    }
    cb(null, chunk);
  }
}

/** A file's identity on disk: a change of content changes at least one of these. */
export type FileStamp = { size: bigint; mtimeNs: bigint; ino: bigint };
export const stampOf = (file: string): FileStamp => {
  const st = fs.statSync(file, { bigint: true });
  return { size: st.size, mtimeNs: st.mtimeNs, ino: st.ino };
};
export const sameStamp = (a: FileStamp | undefined, b: FileStamp) => !!a && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ino === b.ino;

/**
 * Hashes computed by prepare in this process (check and create/update of one `up` run in the
 * same provider process), with the file's stamp then: a load of an untouched file need not hash
 * it a second time while sending it.
 */
const hashedAtPreview = new Map<string, { stamp: FileStamp; hash: string }>();

/** sha256 of the file at preview, remembered with its stamp for the load that follows. */
export async function hashAtPreview(file: string): Promise<string> {
  const stamp = stampOf(file);
  const contentHash = await hashFile(file);
  if (sameStamp(stamp, stampOf(file))) hashedAtPreview.set(file, { stamp, hash: contentHash });
  return contentHash;
}

export interface SentFile {
  /** sha256 of what was sent, or CHANGED_WHILE_LOADING. */
  contentHash: string;
  size: number;
  /** When sending started and when the vendor answered (ms since the epoch). */
  startedAt: number;
  answeredAt: number;
}

/**
 * Streams `file` to the vendor through `send` (given a body factory: a retry re-opens the file)
 * with progress lines, hashing what is sent unless prepare hashed this very file already
 * (same size, mtime and inode). Reports a file that changed while it was sent, or since preview.
 */
export async function sendFile(o: {
  file: string;
  /** The file as the program names it (for messages). */
  label: string;
  /** The contentHash check computed, if any. */
  expectedHash?: string;
  progress: (message: string) => void;
  send: (body: () => Readable) => Promise<void>;
}): Promise<SentFile> {
  const before = stampOf(o.file);
  const size = Number(before.size);
  const known = hashedAtPreview.get(o.file);
  const trusted = o.expectedHash !== undefined && known?.hash === o.expectedHash && sameStamp(known.stamp, before) ? o.expectedHash : undefined;
  const startedAt = Date.now();
  let meter: ProgressMeter | undefined;
  await o.send(() => {
    meter = new ProgressMeter(size, o.progress, trusted === undefined);
    const source = fs.createReadStream(o.file, { highWaterMark: CHUNK_BYTES });
    source.on("error", (e) => meter!.destroy(e));
    return source.pipe(meter);
  });
  const answeredAt = Date.now();
  let contentHash = trusted ?? meter!.hash!.digest("hex");
  if (!sameStamp(before, stampOf(o.file)) || meter!.sent !== size) {
    o.progress(`${o.label} changed while it was being loaded; the next up loads it again`);
    contentHash = CHANGED_WHILE_LOADING;
  } else if (o.expectedHash !== undefined && o.expectedHash !== contentHash) {
    o.progress(`${o.label} changed since the preview; recorded the hash of what was loaded`);
  }
  return { contentHash, size, startedAt, answeredAt };
}

/** The raw of a load that just happened, from what was sent and the table's stats afterwards. */
export function loadedRaw(sent: SentFile, stats: { rowCount: number; checksum: string }): LoadedDataRaw {
  return { contentHash: sent.contentHash, loadedContentHash: sent.contentHash, ...stats, bytes: sent.size, loadedAt: new Date().toISOString(), loadedNow: true };
}

/** A progress line summing up a load. */
export function loadedLine(sent: SentFile, table: string, rowCount: number, countedMs: number): string {
  const secs = (sent.answeredAt - sent.startedAt) / 1000;
  const rate = secs > 0 ? ` (${(sent.size / (1 << 20) / secs).toFixed(0)} MiB/s)` : "";
  return `loaded ${formatBytes(sent.size)} in ${secs.toFixed(1)}s${rate}; ${table} has ${rowCount} rows (counted in ${(countedMs / 1000).toFixed(1)}s)`;
}

/**
 * What refresh sees: the live row count and checksum against those recorded at the last load.
 * The same → the loaded contentHash; different → a drift marker (which depends only on what is
 * live, so a second refresh reads the same value).
 */
export function driftedRaw(state: LoadedRecord, live: { rowCount: number; checksum: string }): LoadedDataRaw {
  const loadedContentHash = state.loadedContentHash ?? state.contentHash ?? "";
  const recorded = { rowCount: state.rowCount, checksum: state.checksum };
  const same = recorded.rowCount === undefined || (recorded.rowCount === live.rowCount && recorded.checksum === live.checksum);
  return {
    contentHash: same ? loadedContentHash : `${DRIFT_MARKER}: ${live.rowCount} rows now (checksum ${live.checksum}), ${recorded.rowCount} loaded (checksum ${recorded.checksum})`,
    loadedContentHash,
    rowCount: recorded.rowCount ?? live.rowCount,
    checksum: recorded.checksum ?? live.checksum,
    bytes: state.bytes ?? 0,
    loadedAt: state.loadedAt ?? "",
  };
}

/** An update that sends nothing (only what destroy will do changed): the recorded load stays. */
export function unchangedLoad(state: LoadedRecord, newHash: string | undefined): LoadedDataRaw {
  return {
    contentHash: newHash ?? state.loadedContentHash ?? "",
    loadedContentHash: state.loadedContentHash ?? newHash ?? "",
    rowCount: state.rowCount ?? 0,
    checksum: state.checksum ?? "0",
    bytes: state.bytes ?? 0,
    loadedAt: state.loadedAt ?? "",
  };
}

/** observe and computed, shared: drift is judged on contentHash alone. */
export const loadedObserve = (raw: LoadedDataRaw) => ({ contentHash: raw.contentHash });
export const loadedComputed = (raw: LoadedDataRaw) => ({
  // After a load, state holds the hash of the bytes actually sent (the file may have changed since the preview).
  contentHash: raw.loadedNow ? raw.contentHash : undefined,
  rowCount: raw.rowCount,
  checksum: raw.checksum,
  loadedContentHash: raw.loadedContentHash,
  bytes: raw.bytes,
  loadedAt: raw.loadedAt,
});
