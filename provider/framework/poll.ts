/**
 * One way to wait for asynchronous work at a vendor (an import job, an append task, a
 * statement, a batch job): ask until done, with a timeout, an interval that backs off, and a
 * progress line each time the state changes (and at least every `heartbeatMs`).
 */
export interface PollOptions<T> {
  /** What is awaited, for messages ("import job 42"). */
  what: string;
  /** Reads the current state. Errors end the wait (the HTTP client has already retried). */
  check: () => Promise<T>;
  /** True when the wait is over (success or a failure the caller inspects). */
  until: (state: T) => boolean;
  /** Gives up after this long (ms). */
  timeoutMs: number;
  /** First interval (ms); it grows by half each time up to `maxIntervalMs`. Default 200. */
  intervalMs?: number;
  maxIntervalMs?: number;
  /** A line describing the state, shown when it changes. */
  describe?: (state: T) => string;
  progress?: (message: string) => void;
  heartbeatMs?: number;
  /** For tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export class PollTimeoutError extends Error {
  constructor(readonly what: string, readonly waitedMs: number, readonly lastState: string | undefined) {
    super(`${what} did not finish within ${Math.round(waitedMs / 1000)} s${lastState ? ` (last seen: ${lastState})` : ""}; it may still finish at the vendor — raise timeoutSeconds on the resource, or run pulumi refresh later`);
    this.name = "PollTimeoutError";
  }
}

export async function poll<T>(o: PollOptions<T>): Promise<T> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = o.now ?? Date.now;
  const start = now();
  let interval = o.intervalMs ?? 200;
  const maxInterval = o.maxIntervalMs ?? 5_000;
  const heartbeat = o.heartbeatMs ?? 10_000;
  let lastLine: string | undefined;
  let lastShown = start;
  for (;;) {
    const state = await o.check();
    const line = o.describe?.(state);
    if (o.until(state)) return state;
    const t = now();
    if (line !== undefined && (line !== lastLine || t - lastShown >= heartbeat)) {
      o.progress?.(`${o.what}: ${line} (${Math.round((t - start) / 1000)} s)`);
      lastLine = line;
      lastShown = t;
    }
    if (t - start >= o.timeoutMs) throw new PollTimeoutError(o.what, t - start, line);
    await sleep(Math.min(interval, Math.max(0, o.timeoutMs - (t - start))));
    interval = Math.min(maxInterval, Math.ceil(interval * 1.5));
  }
}
