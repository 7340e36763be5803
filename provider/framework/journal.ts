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
  /** Forgets `key` (the object was deleted). */
  forget(token: string, key: string): void;
}

export const NO_JOURNAL: Journal = { intend: () => undefined, owns: () => false, forget: () => undefined };

export function journalDir(): string {
  return process.env.PULUMI_WAREHOUSE_JOURNAL_DIR || path.join(process.cwd(), ".pulumi-warehouse", "journal");
}

/**
 * A journal for one vendor scope (e.g. "bytehouse endpoint=https://tenant…"): objects of other
 * endpoints never match. Read once per process and kept in memory; each change is one appended
 * line (`{"+": key, "sent": time}` or `{"-": key}`), so a create costs one small write however
 * many objects the journal holds. Loading replays the lines and compacts a file that has grown
 * well past its live entries.
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
  const append = (record: object): void => {
    const line = JSON.stringify(record) + "\n";
    try {
      fs.appendFileSync(file, line);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      fs.mkdirSync(dir, { recursive: true }); // the first write (not a mkdir per create)
      fs.appendFileSync(file, line);
    }
  };
  const k = (token: string, key: string) => `${token} ${key}`;
  return {
    intend(token, key) {
      const sent = new Date().toISOString();
      load().set(k(token, key), sent);
      append({ "+": k(token, key), sent });
    },
    owns(token, key) {
      return load().has(k(token, key));
    },
    forget(token, key) {
      if (!load().delete(k(token, key))) return;
      append({ "-": k(token, key) });
    },
  };
}
