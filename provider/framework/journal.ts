/**
 * The creates journal: a local record of every object this working directory's provider sent a
 * create for, kept until the object is deleted. It is how a create that meets "already exists"
 * proves the object is its own — made by an earlier `pulumi up` that was interrupted (kill -9 of
 * the CLI or of the provider) after the vendor applied the create but before Pulumi wrote the
 * state — and adopts it instead of failing; an object with no entry is never taken over (that
 * needs `adopt: true`).
 *
 * One JSON file per vendor scope (vendor + endpoint + account, hashed) under
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

/** A journal for one vendor scope (e.g. "bytehouse https://tenant…"): objects of other endpoints never match. */
export function fileJournal(scope: string, dir = journalDir()): Journal {
  const file = path.join(dir, `${crypto.createHash("sha256").update(scope).digest("hex").slice(0, 16)}.json`);
  type Entries = Record<string, { sent: string }>;
  const load = (): Entries => {
    try {
      return JSON.parse(fs.readFileSync(file, "utf8")) as Entries;
    } catch {
      return {};
    }
  };
  const store = (entries: Entries): void => {
    fs.mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(entries));
    fs.renameSync(tmp, file);
  };
  const k = (token: string, key: string) => `${token} ${key}`;
  return {
    intend(token, key) {
      const entries = load();
      entries[k(token, key)] = { sent: new Date().toISOString() };
      store(entries);
    },
    owns(token, key) {
      return k(token, key) in load();
    },
    forget(token, key) {
      const entries = load();
      if (!(k(token, key) in entries)) return;
      delete entries[k(token, key)];
      store(entries);
    },
  };
}
