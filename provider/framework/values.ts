/** Small value helpers the engine's phases share: unknowns, plain JSON, secrets, one-line messages. */
import { deepEqual } from "./equal";

/** The engine's placeholder for a value not known until apply (preview of a dependent input). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const PROVIDER_KEY = "__provider";
export const OBSERVED_KEY = "observed";

/**
 * Inputs every kind accepts, handled by the engine rather than a kind's schema:
 *   adopt — take over the existing object with the same unique name instead of creating one.
 */
export const COMMON_INPUTS: Record<string, { type: string; doc: string }> = {
  adopt: {
    type: "boolean",
    doc: "Take over the existing object with the same unique name instead of creating one (the declared values are then applied in place). Without it, creating an object whose name is taken fails and says so.",
  },
};
export const COMMON_INPUT_KEYS = Object.keys(COMMON_INPUTS);

type Props = Record<string, any>;

export function containsUnknown(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v && typeof v === "object") return Object.values(v).some(containsUnknown);
  return false;
}

/**
 * Plain JSON: the provider host converts results to protobuf Structs, which reject
 * `undefined` anywhere inside (and any non-JSON value). Undefined object fields are dropped.
 */
export function plain<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

/**
 * `observed` (the live object in input shape, as last read) is stored as only the fields whose
 * value differs from the output of the same name beside it: with the inputs echoed in the outputs,
 * most of it is a copy (ten fields of a warehouse: ~200 bytes per resource, rewritten with every
 * checkpoint). `observedDelta` makes the stored form; `observedOf` restores the whole snapshot.
 */
export function observedDelta(live: Props, beside: Props): Props {
  const out: Props = {};
  for (const [key, value] of Object.entries(live)) {
    if (!Object.prototype.hasOwnProperty.call(beside, key) || beside[key] === undefined || !deepEqual(value, beside[key])) out[key] = value;
  }
  return out;
}

/** A state's outputs without `__provider` and `observed`: what `observed` is stored against. */
export function besideObserved(props: Props): Props {
  const { [OBSERVED_KEY]: _o, ...rest } = withoutProvider(props);
  return rest;
}

/** The whole observed snapshot of a state's outputs; undefined when nothing was observed yet. */
export function observedOf(props: Props): Props | undefined {
  const stored = props?.[OBSERVED_KEY];
  if (stored === undefined || stored === null || typeof stored !== "object") return undefined;
  return { ...besideObserved(props), ...stored };
}

export function withoutProvider(props: Props): Props {
  const { [PROVIDER_KEY]: _p, ...rest } = props ?? {};
  return rest;
}

/** Every string (and number) inside the secret fields of `props`: what must never be echoed. */
export function secretValues(props: Props | undefined, secretKeys: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === "string") out.push(v);
    else if (typeof v === "number") out.push(String(v));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      const sig = (v as Record<string, unknown>)["4dabf18193072939515e22adb298388d"];
      if (sig !== undefined) walk((v as Record<string, unknown>).value);
      else Object.values(v).forEach(walk);
    }
  };
  for (const key of secretKeys) walk(props?.[key]);
  return out.filter((s) => s.length >= 4);
}

const MAX_SHOWN = 300;

/** A value for a message: JSON where it can be, NaN and Infinity by name, long ones cut. */
export function show(value: unknown): string {
  let s: string;
  if (typeof value === "number" && !Number.isFinite(value)) s = String(value);
  else if (value === undefined) s = "nothing";
  else {
    try {
      s = JSON.stringify(value) ?? String(value);
    } catch {
      s = String(value);
    }
  }
  return cut(s);
}

export function cut(s: string, max = MAX_SHOWN): string {
  return s.length > max ? `${s.slice(0, max)}… (${s.length - max} more characters)` : s;
}

/** One line, secrets redacted (raw, JSON-escaped and URL-encoded forms), long runs cut. */
export function oneLine(message: string, secrets: readonly string[] = []): string {
  let out = message;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    for (const form of new Set([s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s)])) out = out.split(form).join("[REDACTED]");
  }
  out = out.replace(/\s*\n\s*/g, " ").trim();
  return out.length > 2_000 ? cut(out, 2_000) : out;
}
