/**
 * The creates journal: a local record of every object this working directory's provider sent a
 * create for, kept until the object is deleted. It is how a create that meets "already exists"
 * proves the object is its own — made by an earlier `pulumi up` that was interrupted (kill -9 of
 * the CLI or of the provider) after the vendor applied the create but before Pulumi wrote the
 * state — and adopts it instead of failing; an object with no entry is never taken over (that
 * needs `adopt: true`).
 *
 * One JSON-lines file per vendor scope (vendor + endpoint + account, hashed) under
 * `$PULUMI_WAREHOUSE_JOURNAL_DIR`, else `.pulumi-warehouse/journal/` in the program's directory
 * (where the Pulumi engine starts the provider). Entries hold the type token, the object's key
 * (its id or unique name) and when the create was sent: no inputs, no secrets.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

export interface Journal {
  /** Records that a create of `key` is about to be sent. */
  intend(token: string, key: string): void;
  /** True when this directory's provider sent a create of `key` and has not deleted it since. */
  owns(token: string, key: string): boolean;
  /**
   * Forgets `key` (the object was deleted): at once in memory; its line is written within
   * `FORGET_DELAY_MS`, with the next `intend`, or when the process is stopped, whichever comes first.
   */
  forget(token: string, key: string): void;
}

export const NO_JOURNAL: Journal = { intend: () => undefined, owns: () => false, forget: () => undefined };

/**
 * How long a forget's line may wait to leave with others. Under bench/scale's destroy, one
 * synchronous append per delete held the provider host's one thread ~0.1 ms each (three system
 * calls, on a busy machine each a chance to lose the CPU); batched, a few appends a second.
 */
export const FORGET_DELAY_MS = 25;

/** Journals with forgets not yet written, flushed when the process is stopped. */
const unflushed = new Set<() => void>();
let stopHooks = false;
function flushOnStop(): void {
  if (stopHooks) return;
  stopHooks = true;
  const flushAll = () => [...unflushed].forEach((f) => f());
  process.on("exit", flushAll);
  // The Pulumi engine stops its plugins with SIGINT (then SIGKILL). Write what is pending, then
  // let the signal do what it would have done: with no listener left, Node's default (exit).
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    const onSignal = () => {
      flushAll();
      process.removeListener(sig, onSignal);
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }
}

export function journalDir(): string {
  return process.env.PULUMI_WAREHOUSE_JOURNAL_DIR || path.join(process.cwd(), ".pulumi-warehouse", "journal");
}

/**
 * A journal for one vendor scope (e.g. "bytehouse endpoint=https://tenant…"): objects of other
 * endpoints never match. Read once per process and kept in memory; each change is one appended
 * line (`{"+": key, "sent": time}` or `{"-": key}`), so a create costs one small write however
 * many objects the journal holds. Loading replays the lines and compacts a file that has grown
 * well past its live entries.
 *
 * A create's "+" line is written before the create is sent. A delete's "-" line waits up to
 * `FORGET_DELAY_MS` to leave with others (flushed on exit and on SIGINT/SIGTERM too): a process
 * killed with SIGKILL in that instant keeps an entry whose only effect is that a later create
 * meeting an object of that name takes it as one of its own interrupted creates.
 */
export function fileJournal(scope: string, dir = journalDir()): Journal {
  const file = path.join(dir, `${crypto.createHash("sha256").update(scope).digest("hex").slice(0, 16)}.jsonl`);
  let entries: Map<string, string> | undefined;
  const load = (): Map<string, string> => {
    if (entries) return entries;
    entries = new Map();
    let lines: string[] = [];
    try {
      lines = fs.readFileSync(file, "utf8").split("\n").filter((l) => l !== "");
    } catch {
      return entries; // no journal yet
    }
    for (const line of lines) {
      try {
        const e = JSON.parse(line) as { "+"?: string; "-"?: string; sent?: string };
        if (e["+"] !== undefined) entries.set(e["+"], e.sent ?? "");
        else if (e["-"] !== undefined) entries.delete(e["-"]);
      } catch {
        // a line cut short by a killed process: the rest still counts
      }
    }
    if (lines.length > 2 * entries.size + 100) {
      const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
      fs.writeFileSync(tmp, [...entries].map(([key, sent]) => JSON.stringify({ "+": key, sent }) + "\n").join(""));
      fs.renameSync(tmp, file);
    }
    return entries;
  };
  const write = (text: string): void => {
    try {
      fs.appendFileSync(file, text);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      fs.mkdirSync(dir, { recursive: true }); // the first write (not a mkdir per create)
      fs.appendFileSync(file, text);
    }
  };
  let pending = "";
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    unflushed.delete(flushLater);
    if (pending === "") return;
    const text = pending;
    pending = "";
    write(text);
  };
  const flushLater = (): void => {
    try {
      flush();
    } catch (e) {
      process.stderr.write(`pulumi-warehouse: the creates journal ${file} could not be written: ${(e as Error).message}\n`);
    }
  };
  const line = (record: object) => JSON.stringify(record) + "\n";
  const k = (token: string, key: string) => `${token} ${key}`;
  return {
    intend(token, key) {
      const sent = new Date().toISOString();
      load().set(k(token, key), sent);
      // With the forgets still pending, in order: a key forgotten and made again stays owned.
      pending += line({ "+": k(token, key), sent });
      flush();
    },
    owns(token, key) {
      return load().has(k(token, key));
    },
    forget(token, key) {
      if (!load().delete(k(token, key))) return;
      pending += line({ "-": k(token, key) });
      if (timer) return;
      timer = setTimeout(flushLater, FORGET_DELAY_MS);
      timer.unref();
      unflushed.add(flushLater);
      flushOnStop();
    },
  };
}
