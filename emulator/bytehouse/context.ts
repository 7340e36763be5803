/** Per-emulator runtime: the SQL engine, background work (timers, async queries), and a way to persist state. */
import { Engine } from "./engine";

export interface AsyncQuery {
  queryID: string;
  status: "RUNNING" | "FINISHED" | "FAILED" | "KILLED";
  error?: string;
  rows?: Record<string, unknown>[];
  kill?: () => void;
}

export class BhContext {
  readonly engine: Engine;
  /** Persists the state (set by createByteHouseEmulator; background work calls it). */
  save: () => void = () => undefined;
  readonly timers = new Set<NodeJS.Timeout>();
  readonly pending = new Set<Promise<unknown>>();
  readonly asyncQueries = new Map<string, AsyncQuery>();
  /** Executions being run: id → stop flag and timer. */
  readonly running = new Map<string, { stopped: boolean; timer?: NodeJS.Timeout }>();
  closed = false;

  constructor(duckdbFile?: string) {
    this.engine = new Engine(duckdbFile);
  }

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

  track<T>(p: Promise<T>): Promise<T> {
    const q = p.finally(() => this.pending.delete(q));
    this.pending.add(q);
    q.catch(() => undefined);
    return q;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const q of this.asyncQueries.values()) q.kill?.();
    await Promise.allSettled([...this.pending]);
    await this.engine.close();
  }
}
