/**
 * Answer shapes built once. zod compiles an object schema on its first parse, so a schema made
 * inside a call is compiled again on every call (~0.1–0.8 ms each: at a thousand resources, a
 * second of the provider's CPU). Build shapes at module level, or through these.
 */
import type { z } from "zod";

/** `build(item)`, made once per item shape. */
export function perShape<S extends z.ZodType, R>(build: (item: S) => R): (item: S) => R {
  const made = new WeakMap<S, R>();
  return (item) => {
    let r = made.get(item);
    if (r === undefined) made.set(item, (r = build(item)));
    return r;
  };
}

/** A shape built when first used, then kept (a Pulumi program loading the kinds never builds it). */
export function lazyShape<R>(build: () => R): () => R {
  let r: R | undefined;
  return () => (r ??= build());
}
