/**
 * The ByteHouse emulator's runtime next to the framework's context: the SQL engine, async
 * queries and running import executions. Persistence, timers and background work are the
 * framework context's (`fw`); this class only forwards them for the modules that use them.
 */
import { EmulatorContext } from "../framework/context";
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
  readonly asyncQueries = new Map<string, AsyncQuery>();
  /** Executions being run: id → stop flag and timer. */
  readonly running = new Map<string, { stopped: boolean; timer?: NodeJS.Timeout }>();

  constructor(readonly fw: EmulatorContext, duckdbFile?: string) {
    this.engine = new Engine(duckdbFile);
    fw.onClose(() => {
      for (const q of this.asyncQueries.values()) q.kill?.();
    }, "interrupt");
    fw.onClose(() => this.engine.close());
  }

  get closed(): boolean {
    return this.fw.closed;
  }

  save(): void {
    this.fw.save();
  }

  later(ms: number, fn: () => void): NodeJS.Timeout {
    return this.fw.later(ms, fn);
  }

  cancel(t: NodeJS.Timeout | undefined): void {
    this.fw.cancel(t);
  }

  track<T>(p: Promise<T>): Promise<T> {
    return this.fw.track(p);
  }
}
