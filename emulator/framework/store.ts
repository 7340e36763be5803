/**
 * Persistence of an emulator's JSON state, with a cost per write that does not grow with the
 * number of objects: a snapshot (`<name>.json`) plus an append-only journal (`<name>.journal`,
 * JSON lines). Handlers get the state through a tracking proxy that records which entries they
 * change — an entry is `state[collection][key]` (any change below it marks it), or a whole
 * top-level field — and a flush appends only those entries to the journal. The journal is
 * replayed and compacted into the snapshot on open, on close, and whenever it outgrows the
 * snapshot (so compaction is amortised). `markAll()` (background work that changed objects it
 * holds directly, an admin reset, a test that edited the state) writes a new snapshot instead.
 * Flushes are serialised and coalesced: concurrent requests awaiting a flush share one write.
 */
import * as fs from "node:fs";
import * as path from "node:path";

type Entry = { c: string; k?: string; v?: unknown; del?: true };

const SEP = "\u0000";
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

export class JsonStore<S extends object> {
  private readonly dirty = new Set<string>();
  private all = false;
  private chain: Promise<void> = Promise.resolve();
  private pending?: Promise<void>;
  private journalBytes = 0;
  private snapshotBytes = 0;
  private readonly proxies = new WeakMap<object, { path: string; proxy: object }>();
  private readonly targets = new WeakMap<object, object>();
  private fd?: number;

  /** `file` is the snapshot path (`…/<vendor>.json`); undefined keeps the state in memory only. */
  constructor(readonly file: string | undefined) {}

  get journal(): string | undefined {
    return this.file ? this.file.replace(/\.json$/, "") + ".journal" : undefined;
  }

  /** Loads snapshot + journal over `initial` (fields missing in the files keep their initial value), then compacts. */
  async load(initial: S): Promise<S> {
    if (!this.file) return initial;
    let state = initial as Record<string, unknown>;
    const snap = await fs.promises.readFile(this.file, "utf8").catch(() => undefined);
    if (snap !== undefined) state = { ...state, ...JSON.parse(snap) };
    const journal = await fs.promises.readFile(this.journal!, "utf8").catch(() => "");
    for (const line of journal.split("\n")) {
      if (!line.trim()) continue;
      let e: Entry;
      try {
        e = JSON.parse(line);
      } catch {
        break; // a torn last line (crash mid-write): what came before is intact
      }
      if (e.k === undefined) {
        if (e.del) delete state[e.c];
        else state[e.c] = e.v;
      } else {
        const coll = state[e.c];
        if (!isObj(coll)) continue;
        if (e.del) delete (coll as Record<string, unknown>)[e.k];
        else (coll as Record<string, unknown>)[e.k] = e.v;
      }
    }
    await this.writeSnapshot(state as S);
    return state as S;
  }

  /** A view of `state` that records what is changed through it. */
  track(state: S): S {
    return this.wrap(state, [], false) as S;
  }

  /** Marks an entry (`state[collection][key]`), a top-level field, or (no arguments) everything as changed. */
  mark(collection?: string, key?: string): void {
    if (collection === undefined) this.all = true;
    else if (key === undefined) this.dirty.add(collection);
    else if (!this.dirty.has(collection)) this.dirty.add(collection + SEP + key);
  }

  /** The next flush writes a whole snapshot. */
  markAll(): void {
    this.all = true;
  }

  get isDirty(): boolean {
    return this.all || this.dirty.size > 0;
  }

  /** Writes what changed (journal lines, or a snapshot after markAll). Concurrent callers share a write. */
  flush(state: () => S): Promise<void> {
    if (!this.file) {
      this.dirty.clear();
      this.all = false;
      return Promise.resolve();
    }
    if (this.pending) return this.pending;
    const p = (this.pending = this.chain.then(async () => {
      this.pending = undefined;
      await this.writeOut(state());
    }));
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** Compacts into a snapshot (on close). */
  async compact(state: S): Promise<void> {
    if (!this.file) return;
    await this.chain;
    this.all = true;
    await this.writeOut(state);
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private async writeOut(state: S): Promise<void> {
    if (this.all || this.journalBytes > Math.max(1 << 20, 2 * this.snapshotBytes)) {
      this.all = false;
      this.dirty.clear();
      await this.writeSnapshot(state);
      return;
    }
    if (!this.dirty.size) return;
    const s = state as Record<string, unknown>;
    const lines: string[] = [];
    for (const d of this.dirty) {
      const i = d.indexOf(SEP);
      const c = i < 0 ? d : d.slice(0, i);
      if (i < 0) {
        lines.push(JSON.stringify(c in s ? { c, v: s[c] } : { c, del: true }));
        continue;
      }
      const k = d.slice(i + 1);
      const coll = s[c];
      lines.push(JSON.stringify(isObj(coll) && k in coll ? { c, k, v: (coll as Record<string, unknown>)[k] } : { c, k, del: true }));
    }
    this.dirty.clear();
    const text = lines.join("\n") + "\n";
    // One synchronous append on a descriptor kept open (O_APPEND): a few lines into the page
    // cache cost less than a trip through the thread pool, which every answer would wait for.
    if (this.fd === undefined) {
      fs.mkdirSync(path.dirname(this.journal!), { recursive: true });
      this.fd = fs.openSync(this.journal!, "a");
    }
    fs.writeSync(this.fd, text);
    this.journalBytes += Buffer.byteLength(text);
  }

  private async writeSnapshot(state: S): Promise<void> {
    const file = this.file!;
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const text = JSON.stringify(state);
    const tmp = `${file}.${process.pid}.tmp`;
    await fs.promises.writeFile(tmp, text);
    await fs.promises.rename(tmp, file);
    await fs.promises.writeFile(this.journal!, "");
    this.snapshotBytes = Buffer.byteLength(text);
    this.journalBytes = 0;
  }

  private markPath(pathParts: string[], key: string | symbol): void {
    if (typeof key === "symbol") return;
    if (pathParts.length === 0) this.dirty.add(key);
    else if (pathParts.length === 1) {
      if (this.dirty.has(pathParts[0])) return;
      this.dirty.add(pathParts[0] + SEP + key);
    } else if (!this.dirty.has(pathParts[0])) this.dirty.add(pathParts[0] + SEP + pathParts[1]);
  }

  private unwrap(v: unknown): unknown {
    return isObj(v) ? (this.targets.get(v) ?? v) : v;
  }

  private wrap(target: object, pathParts: string[], whole: boolean): object {
    const key = pathParts.join(SEP);
    const cached = this.proxies.get(target);
    if (cached && cached.path === key) return cached.proxy;
    const store = this;
    const touch = (k: string | symbol) => (whole ? store.dirty.add(pathParts[0]) : store.markPath(pathParts, k));
    const proxy = new Proxy(target, {
      get(t, k, r) {
        const v = Reflect.get(t, k, r);
        if (!isObj(v) || typeof k === "symbol" || typeof v === "function") return v;
        // a top-level array is journaled whole
        return store.wrap(v, [...pathParts, k], whole || (pathParts.length === 0 && Array.isArray(v)));
      },
      set(t, k, v) {
        touch(k);
        return Reflect.set(t, k, store.unwrap(v));
      },
      deleteProperty(t, k) {
        touch(k);
        return Reflect.deleteProperty(t, k);
      },
    });
    this.proxies.set(target, { path: key, proxy });
    this.targets.set(proxy, target);
    return proxy;
  }
}
