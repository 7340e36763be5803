/**
 * Where the retries of a call are reported, without threading a callback through every API
 * method: the engine hands each resource operation a view of the vendor's API object whose HTTP
 * clients report every retry to that operation's sink, in addition to the client's own
 * `onRetry`. The sink is captured when a request is made, so the client's concurrency queue
 * does not lose it.
 *
 *   // framework/engine.ts (guarded), made on an operation's first use of the API:
 *   reportingRetriesTo(getApi(), (e) => progress(`[${what}] ${e.message}`, urn))
 *   // → "[bytehouse.Database] 429 from ByteHouse, retrying in 2 s (attempt 2 of 5)"
 *
 * A view, not AsyncLocalStorage: on Node 20, an AsyncLocalStorage in use installs async hooks
 * that run on every promise and every socket, timer and stream of the whole provider host, ours
 * or not (measured under bench/scale's destroy: ~0.09 ms of the host's CPU per delete, about
 * what our own engine and client cost per call).
 */
import { HttpClient } from "./client";
import type { RetryEvent } from "./client";

export type RetrySink = (event: RetryEvent) => void;

/**
 * A view of `api` for one operation: every `HttpClient` among its properties reports its retries
 * to `sink` as well. Everything else is the API object itself — its methods run with the view as
 * `this`, and what they store on it (cached listings) lands on the shared object. A client
 * reached another way (held by a helper object, or made per call) reports to its `onRetry` only.
 */
export function reportingRetriesTo<A>(api: A, sink: RetrySink): A {
  if (api instanceof HttpClient) return api.reportingTo(sink) as A;
  if (api === null || (typeof api !== "object" && typeof api !== "function")) return api;
  const views = new Map<PropertyKey, HttpClient>();
  return new Proxy(api as A & object, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (!(value instanceof HttpClient)) return value;
      let view = views.get(key);
      if (!view) views.set(key, (view = value.reportingTo(sink)));
      return view;
    },
  });
}
