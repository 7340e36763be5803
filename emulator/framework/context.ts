/**
 * The one context every handler and backend of an emulator gets: the state (raw, for background
 * work), persistence (`save`), background work that close awaits (`track`, `later`), a clock,
 * and named locks. Emulators keep their own runtime objects (an SQL engine, running jobs) next
 * to it; none patches or subclasses the server.
 */
import type { EmulatorServer } from "./server";

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export class EmulatorContext<S = any> {
  readonly timers = new Set<NodeJS.Timeout>();
  readonly pending = new Set<Promise<unknown>>();
  private readonly closers: (() => Promise<void> | void)[] = [];
  private readonly interrupters: (() => void)[] = [];
  private readonly locks = new Map<string, Promise<unknown>>();
  closed = false;
  clock: Clock = systemClock;

  constructor(private readonly server: EmulatorServer<S>, readonly stateDir: string | undefined) {}

  get vendor(): string {
    return this.server.vendor;
  }

  /** The current state (not tracked: after changing it outside a request, call `save`). */
  get state(): S {
    return this.server.state;
  }

  now(): Date {
    return this.clock.now();
  }

  /**
   * Persists a change made outside a request handler (which is persisted by itself): with a
   * collection and key, that one entry (`state[collection][key]`); with a collection, that field;
   * without, the whole state. The write is batched and happens soon after (close awaits it).
   */
  save(collection?: string, key?: string): void {
    this.server.persistSoon(collection, key);
  }

  /** Background work that close waits for. */
  track<T>(p: Promise<T>): Promise<T> {
    const q = p.finally(() => this.pending.delete(q));
    this.pending.add(q);
    q.catch(() => undefined);
    return q;
  }

  /** A timer that close cancels (its callback never runs after close). */
  later(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, ms);
    this.timers.add(t);
    return t;
  }

  cancel(t: NodeJS.Timeout | undefined): void {
    if (!t) return;
    clearTimeout(t);
    this.timers.delete(t);
  }

  /** Runs `fn` alone among callers of the same key (e.g. a name being created). */
  lock<T>(key: string, fn: () => Promise<T> | T): Promise<T> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const run = prev.then(() => fn(), () => fn());
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    void tail.then(() => {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    });
    return run;
  }

  /**
   * Registers cleanup run by close: "interrupt" hooks run first (stop running work, e.g. kill
   * queries), then background work is awaited, then "release" hooks (close an engine; last
   * registered runs first).
   */
  onClose(fn: () => Promise<void> | void, phase: "interrupt" | "release" = "release"): void {
    if (phase === "interrupt") this.interrupters.push(fn as () => void);
    else this.closers.unshift(fn);
  }

  /** Cancels timers, awaits background work and runs the closers. */
  async shutdown(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const i of this.interrupters) {
      try {
        i();
      } catch {
        /* best effort */
      }
    }
    await Promise.allSettled([...this.pending]);
    for (const c of this.closers) await c();
  }
}
