/**
 * Where the retries of a call are reported, without threading a callback through every API
 * method: the engine runs each resource operation inside `reportRetriesTo(sink, …)`, and every
 * request started inside it (however deep) reports its retries to that sink, in addition to the
 * client's own `onRetry`. The sink is captured when the request is made, so the client's
 * concurrency queue does not lose it.
 *
 *   // framework/engine.ts, around each spec operation:
 *   reportRetriesTo((e) => ctx.progress(e.message), () => spec.create(ctx, inputs))
 *   // → "[bytehouse.Database] 429 from ByteHouse, retrying in 2 s (attempt 2 of 5)"
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { RetryEvent } from "./client";

export type RetrySink = (event: RetryEvent) => void;

const sinks = new AsyncLocalStorage<RetrySink>();

/** Runs `f` with every retry of the requests it makes reported to `sink`. */
export function reportRetriesTo<T>(sink: RetrySink, f: () => Promise<T>): Promise<T> {
  return sinks.run(sink, f);
}

/** The sink of the operation running now, if any. */
export function currentRetrySink(): RetrySink | undefined {
  return sinks.getStore();
}
