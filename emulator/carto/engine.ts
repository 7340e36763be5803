/**
 * The CARTO emulator's SQL engine: a real PostgreSQL with PostGIS, embedded (pglite in process,
 * one instance per emulator, persisted in `<state-dir>/carto-pgdata`). Statements are sent with
 * the simple-query protocol, as the vendor's server sends them (several statements in one `q`,
 * the answer being the last one's), and the raw protocol messages are read back so that the
 * emulator sees what the vendor sees: field type modifiers (geometry type, dims, SRID), rows
 * produced before an error (the vendor's "200 with an error tail"), notices and warnings, the
 * transaction status.
 *
 * Each request runs as the PostgreSQL role of its API key (`SET SESSION AUTHORIZATION`), so
 * grants are enforced by PostgreSQL itself; the session is reset after the request. Requests are
 * serialised (one session), which is also what makes a role switch safe.
 *
 * pglite cannot interrupt a running statement (no signals in WebAssembly), so a statement
 * timeout is judged after the fact: the statement runs inside a transaction that is rolled back
 * when it ran longer than the timeout, and the caller answers the vendor's 429.
 */
import { PGlite, protocol } from "@electric-sql/pglite";
import { postgis } from "@electric-sql/pglite-postgis";

export interface PgField {
  name: string;
  typeId: number;
  typmod: number;
}

export interface PgStatement {
  command: string;
  rowCount: number;
  fields: PgField[];
  /** Text-format values (null for SQL NULL). */
  rows: (string | null)[][];
}

export interface PgNotice {
  severity: string;
  message: string;
}

export interface PgErrorInfo {
  message: string;
  code?: string;
  detail?: string;
  hint?: string;
  position?: string;
  severity?: string;
}

export interface PgRun {
  /** One per statement that completed (or that failed after producing a row description). */
  statements: PgStatement[];
  notices: PgNotice[];
  error?: PgErrorInfo;
  /** Rows of the failing statement streamed before its error (the vendor then answers 200 with an error tail). */
  failedAfterRows: boolean;
  /** Milliseconds the statements took in the engine. */
  elapsedMs: number;
  /** The statements ran past the timeout and were rolled back. */
  timedOut: boolean;
}

export class PgEngineError extends Error {
  constructor(readonly info: PgErrorInfo) {
    super(info.message);
  }
}

const enc = new TextEncoder();
const cat = (parts: Uint8Array[]): Uint8Array => {
  const n = parts.reduce((a, b) => a + b.length, 0);
  const out = new Uint8Array(n);
  let i = 0;
  for (const p of parts) {
    out.set(p, i);
    i += p.length;
  }
  return out;
};

/** A protocol CopyData message ('d', length, bytes) around a chunk, in one allocation. */
function copyDataMessage(chunk: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + chunk.length);
  out[0] = 0x64;
  new DataView(out.buffer).setInt32(1, chunk.length + 4);
  out.set(chunk, 5);
  return out;
}

/** Quotes a PostgreSQL identifier. */
export const qid = (s: string): string => `"${s.replace(/"/g, '""')}"`;
/** Quotes a PostgreSQL string literal. */
export const qlit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** Statements that cannot run inside a transaction block, or that control one themselves: such a request is not wrapped. */
const SELF_TRANSACTED = /\b(begin|start\s+transaction|commit|rollback|abort|end|savepoint|vacuum|concurrently|create\s+database|drop\s+database|alter\s+system)\b/i;

/** SQL that would leave the key's role: refused (the emulator shares one session; real CARTO connects as the key's role). */
export const ROLE_ESCAPE = /session[\s_]+authorization|discard\s+all/i;

type Msg = { name: string; [k: string]: any };

export class PgliteEngine {
  private db?: PGlite;
  private opening?: Promise<void>;
  private chain: Promise<unknown> = Promise.resolve();
  private typeNames = new Map<number, string>();
  /** The bootstrap superuser the session returns to after a request. */
  private owner = "postgres";

  constructor(private readonly dataDir: string | undefined) {}

  /** Opens the database (PostGIS loaded and created); ~15 s the first time in a process. */
  open(): Promise<void> {
    return (this.opening ??= (async () => {
      this.db = await PGlite.create({ extensions: { postgis }, ...(this.dataDir ? { dataDir: this.dataDir } : {}) });
      await this.db.exec("CREATE EXTENSION IF NOT EXISTS postgis");
      this.owner = (await this.db.query<{ u: string }>("SELECT current_user AS u")).rows[0]?.u ?? "postgres";
      await this.loadTypes();
    })());
  }

  /**
   * Closes the database. One still being created (nobody used it yet) is not waited for: it is
   * closed in the background once created, so stopping an unused emulator is immediate.
   */
  async close(): Promise<void> {
    if (!this.opening) return;
    if (!this.db) {
      void this.opening
        .then(async () => {
          await this.chain.catch(() => undefined);
          await this.db?.close();
          this.db = undefined;
        })
        .catch(() => undefined);
      return;
    }
    await this.chain.catch(() => undefined);
    await this.db?.close();
    this.db = undefined;
  }

  private async loadTypes(): Promise<void> {
    const r = await this.db!.query<{ oid: number; typname: string }>("SELECT oid::int AS oid, typname FROM pg_type");
    this.typeNames = new Map(r.rows.map((x) => [Number(x.oid), x.typname]));
  }

  /** The type name of an oid (pg_type.typname), reloading the catalog once for an unknown one. */
  async typeName(oid: number): Promise<string | undefined> {
    if (!this.typeNames.has(oid)) await this.exclusive(() => this.loadTypes());
    return this.typeNames.get(oid);
  }

  /** Runs `fn` alone (the engine has one session). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(async () => {
      await this.open();
      return fn();
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** One protocol round trip; `sync` false skips pglite's file-system sync (COPY batches: the COMMIT syncs). */
  private async raw(buf: Uint8Array, sync = true): Promise<Msg[]> {
    const r = await this.db!.execProtocol(buf, { throwOnError: false, syncToFs: sync });
    return r.messages as unknown as Msg[];
  }

  /** Runs SQL as the engine's owner (setup, grants, catalogue reads); throws PgEngineError. */
  async admin(sql: string): Promise<PgStatement[]> {
    return this.exclusive(async () => {
      const run = collect(await this.raw(protocol.serialize.query(sql)));
      if (run.error) throw new PgEngineError(run.error);
      return run.statements;
    });
  }

  /** Runs SQL as the owner inside an already held session (from `session`). */
  private async adminIn(sql: string): Promise<ReturnType<typeof collect>> {
    return collect(await this.raw(protocol.serialize.query(sql)));
  }

  /**
   * Runs a request's SQL as `role`: wrapped in a transaction unless it controls transactions
   * itself, rolled back when it fails or ran past `timeoutMs`.
   */
  run(sql: string, role: string, opts: { timeoutMs?: number; commit?: () => boolean } = {}): Promise<PgRun> {
    return this.session(role, async () => {
      const wrap = !SELF_TRANSACTED.test(sql);
      if (wrap) await this.adminIn("BEGIN");
      const t0 = performance.now();
      const out = collect(await this.raw(protocol.serialize.query(sql)));
      const elapsedMs = performance.now() - t0;
      const timedOut = opts.timeoutMs !== undefined && opts.timeoutMs > 0 && elapsedMs > opts.timeoutMs;
      if (wrap) await this.adminIn(timedOut || out.error || (opts.commit && !opts.commit()) ? "ROLLBACK" : "COMMIT");
      return { ...out, elapsedMs, timedOut };
    });
  }

  /**
   * COPY … FROM STDIN as `role`, the input given in chunks (each a whole number of lines; the
   * first chunk's header line, when the statement has HEADER, is repeated before each later
   * chunk so every chunk is a complete COPY input). All chunks run in one transaction: all rows
   * or none. Returns the rows copied.
   */
  copyFrom(sql: string, role: string, chunks: AsyncIterable<Buffer>): Promise<{ rows: number; notices: PgNotice[] }> {
    return this.session(role, async () => {
      await this.adminIn("BEGIN");
      let rows = 0;
      const notices: PgNotice[] = [];
      const query = protocol.serialize.query(sql);
      const done = protocol.serialize.copyDone();
      try {
        for await (const chunk of chunks) {
          const data = copyDataMessage(chunk);
          const out = collect(await this.raw(cat([query, data, done]), false));
          notices.push(...out.notices);
          if (out.error) throw new PgEngineError(out.error);
          const st = out.statements[out.statements.length - 1];
          if (st?.command === "COPY") rows += st.rowCount;
        }
        const c = await this.adminIn("COMMIT");
        if (c.error) throw new PgEngineError(c.error);
        return { rows, notices };
      } catch (e) {
        await this.adminIn("ROLLBACK");
        throw e;
      }
    });
  }

  /** COPY … TO STDOUT as `role`: the chunks PostgreSQL produced, and the row count. */
  copyTo(sql: string, role: string): Promise<{ chunks: Uint8Array[]; rows: number }> {
    return this.session(role, async () => {
      const msgs = await this.raw(protocol.serialize.query(sql));
      const chunks: Uint8Array[] = [];
      let rows = 0;
      for (const m of msgs) {
        if (m.name === "copyData") chunks.push(m.chunk as Uint8Array);
        else if (m.name === "error") throw new PgEngineError(errorInfo(m));
        else if (m.name === "commandComplete") rows = Number(/COPY (\d+)/.exec(m.text ?? "")?.[1] ?? rows);
      }
      return { chunks, rows };
    });
  }

  /** `fn` in a session authorised as `role`, reset afterwards (an open transaction rolled back). */
  private session<T>(role: string, fn: () => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      const set = await this.adminIn(`SET SESSION AUTHORIZATION ${qid(role)}; SET search_path = "$user", public, cartodb`);
      if (set.error) throw new PgEngineError(set.error);
      try {
        return await fn();
      } finally {
        const st = await this.adminIn("SELECT 1");
        if (st.txStatus !== "I") await this.adminIn("ROLLBACK");
        // (RESET SESSION AUTHORIZATION does not return to the bootstrap user in pglite's single-user mode)
        await this.adminIn(`SET SESSION AUTHORIZATION ${qid(this.owner)}; RESET ALL`);
      }
    });
  }
}

export function errorInfo(m: Msg): PgErrorInfo {
  const info: PgErrorInfo = { message: String(m.message ?? "error") };
  for (const k of ["code", "detail", "hint", "position", "severity"] as const) if (m[k] !== undefined && m[k] !== null) info[k] = String(m[k]);
  return info;
}

/** Reads the protocol messages of one simple query into statements, notices, error, transaction status. */
function collect(msgs: Msg[]): { statements: PgStatement[]; notices: PgNotice[]; error?: PgErrorInfo; failedAfterRows: boolean; txStatus: string } {
  const statements: PgStatement[] = [];
  const notices: PgNotice[] = [];
  let cur: PgStatement | undefined;
  let error: PgErrorInfo | undefined;
  let failedAfterRows = false;
  let txStatus = "I";
  for (const m of msgs) {
    switch (m.name) {
      case "rowDescription":
        cur = { command: "", rowCount: 0, fields: (m.fields as any[]).map((f) => ({ name: f.name, typeId: f.dataTypeID, typmod: f.dataTypeModifier })), rows: [] };
        break;
      case "dataRow":
        cur ??= { command: "", rowCount: 0, fields: [], rows: [] };
        cur.rows.push(m.fields as (string | null)[]);
        break;
      case "commandComplete": {
        const st = cur ?? { command: "", rowCount: 0, fields: [], rows: [] };
        const text = String(m.text ?? "");
        st.command = text.split(" ")[0];
        const n = /(\d+)$/.exec(text);
        st.rowCount = n ? Number(n[1]) : st.rows.length;
        statements.push(st);
        cur = undefined;
        break;
      }
      case "emptyQuery":
        break;
      case "notice":
        notices.push({ severity: String(m.severity ?? "NOTICE"), message: String(m.message ?? "") });
        break;
      case "error":
        error = errorInfo(m);
        if (cur) {
          failedAfterRows = cur.rows.length > 0;
          statements.push({ ...cur, command: "", rowCount: cur.rows.length });
          cur = undefined;
        }
        break;
      case "readyForQuery":
        txStatus = String(m.status ?? "I");
        break;
      default:
        break;
    }
  }
  return { statements, notices, error, failedAfterRows, txStatus };
}

export { enc };
