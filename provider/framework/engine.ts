/**
 * Turns a ResourceSpec into the six operations of a Pulumi dynamic provider.
 *
 * Drift model (after the Snowflake provider): every state keeps `observed`, the live object
 * in input shape as last seen. On refresh a field takes the live value only when the live
 * value differs from what was last observed; otherwise the program's value stays. So values
 * the server normalises never show as drift, and a change made by hand always does.
 */
import { z } from "zod";
import { InputsOf, OpContext, ResourceSpec, typeToken } from "./spec";
import { isAmbiguous, isNotFound } from "../http/errors";
import { deepEqual } from "./equal";

/** The engine's placeholder for a value not known until apply (preview of a dependent input). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const PROVIDER_KEY = "__provider";
export const OBSERVED_KEY = "observed";

type Props = Record<string, any>;

export interface CheckFailure {
  property: string;
  reason: string;
}

export interface Handlers {
  token: string;
  check(olds: Props, news: Props): Promise<{ inputs: Props; failures: CheckFailure[] }>;
  diff(id: string, olds: Props, news: Props): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean }>;
  create(inputs: Props): Promise<{ id: string; outs: Props }>;
  read(id: string, props: Props): Promise<{ id?: string; props?: Props; inputs?: Props }>;
  update(id: string, olds: Props, news: Props): Promise<{ outs: Props }>;
  delete(id: string, props: Props): Promise<void>;
}

function containsUnknown(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v && typeof v === "object") return Object.values(v).some(containsUnknown);
  return false;
}

/**
 * Plain JSON: the provider host converts results to protobuf Structs, which reject
 * `undefined` anywhere inside (and any non-JSON value). Undefined object fields are dropped.
 */
function plain<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

function withoutProvider(props: Props): Props {
  const { [PROVIDER_KEY]: _p, ...rest } = props;
  return rest;
}

/** Renders a zod issue as "rule (got value)", never echoing secret fields. */
function reasonFor(issue: z.core.$ZodIssue, value: unknown, secret: boolean): string {
  const shown = secret || value === undefined ? "" : ` (got ${JSON.stringify(value)})`;
  return `${issue.message}${shown}`;
}

const MAX_CREATE_ATTEMPTS = 3;

export function buildHandlers<S extends z.ZodObject, Api, Raw>(
  spec: ResourceSpec<S, Api, Raw>,
  getApi: () => Api,
  progress: (message: string) => void = (m) => process.stderr.write(`${m}\n`),
): Handlers {
  type I = InputsOf<S>;
  const token = typeToken(spec.vendor, spec.kind);
  const shape = spec.inputs.shape as Record<string, z.ZodType>;
  const inputKeys = Object.keys(shape);
  const secretInputs = new Set<string>(spec.secretInputs ?? []);
  const replaceOn = new Set<string>(spec.replaceOn);
  const label = `${spec.vendor}.${spec.kind}`;

  const norm = (key: string, v: unknown): unknown => {
    const f = (spec.normalize as Record<string, ((x: unknown) => unknown) | undefined> | undefined)?.[key];
    return f && v !== undefined && v !== null ? f(v) : v;
  };

  function changedKeys(olds: Props, news: Props): string[] {
    return inputKeys.filter((k) => containsUnknown(news[k]) || !deepEqual(norm(k, olds[k]), norm(k, news[k])));
  }

  function forcesReplace(key: string, oldValue: unknown, newValue: unknown): boolean {
    if (!replaceOn.has(key)) return false;
    const when = (spec.replaceWhen as Record<string, ((a: unknown, b: unknown) => boolean) | undefined> | undefined)?.[key];
    return !when || containsUnknown(newValue) || when(oldValue, newValue);
  }

  /** Computed outputs; a value the vendor no longer returns (e.g. a secret shown once) is kept. */
  function computedOf(raw: Raw): Props {
    return Object.fromEntries(Object.entries(spec.computed?.(raw) ?? {}).filter(([, v]) => v !== undefined));
  }

  function outputsFor(inputs: Props, raw: Raw, previous: Props = {}): Props {
    const kept = Object.fromEntries(Object.keys(spec.outputs).filter((k) => k in previous).map((k) => [k, previous[k]]));
    return plain({ ...kept, ...withoutProvider(inputs), ...computedOf(raw), [OBSERVED_KEY]: spec.observe(raw) });
  }

  function context(onCreated: (id: string) => void = () => undefined): OpContext<Api> {
    return { api: getApi(), created: onCreated, progress: (m) => progress(`[${label}] ${m}`) };
  }

  return {
    token,

    async check(olds, news) {
      const failures: CheckFailure[] = [];
      const inputs: Props = {};
      const raw = withoutProvider(news);
      for (const key of Object.keys(raw)) {
        if (!(key in shape)) failures.push({ property: key, reason: `${label} has no input "${key}"; known inputs: ${inputKeys.join(", ")}` });
      }
      for (const key of inputKeys) {
        const value = raw[key];
        if (containsUnknown(value)) {
          inputs[key] = value; // validated at apply time, when known
          continue;
        }
        const parsed = shape[key].safeParse(value);
        if (parsed.success) {
          if (parsed.data !== undefined) inputs[key] = parsed.data;
        } else {
          for (const issue of parsed.error.issues) {
            const path = [key, ...issue.path.map(String)].join(".");
            failures.push({ property: path, reason: `${label} ${path}: ${reasonFor(issue, value, secretInputs.has(key))}` });
          }
        }
      }
      // Cross-field rules need every field known.
      if (failures.length === 0 && !containsUnknown(inputs)) {
        const whole = spec.inputs.safeParse(inputs);
        if (!whole.success) {
          for (const issue of whole.error.issues) {
            const path = issue.path.map(String).join(".") || "(inputs)";
            failures.push({ property: path, reason: `${label} ${path}: ${issue.message}` });
          }
        }
      }
      // Rules on the change itself (an update: the resource has old inputs).
      const previous = withoutProvider(olds ?? {});
      const isChange = failures.length === 0 && Object.keys(previous).length > 0 && !containsUnknown(inputs);
      if (isChange && spec.validateChange) {
        for (const f of spec.validateChange(previous as I, inputs as I)) failures.push({ property: f.property, reason: `${label} ${f.property}: ${f.reason}` });
      }
      const optIn = spec.replaceOptIn;
      if (isChange && optIn && inputs[optIn.field] !== true) {
        for (const key of changedKeys(previous, inputs).filter((k) => forcesReplace(k, previous[k], inputs[k]))) {
          failures.push({
            property: key,
            reason:
              `${label} ${key}: changing ${key} from ${JSON.stringify(previous[key])} to ${JSON.stringify(inputs[key])} drops and recreates ${optIn.what(previous as I)}: ` +
              `all of its rows would be lost. Nothing was changed. To allow it, set ${optIn.field}: true on it.`,
          });
        }
      }
      if (failures.length === 0 && spec.prepare && !containsUnknown(inputs)) {
        try {
          const prepared = await spec.prepare(inputs as I, getApi, Object.keys(previous).length > 0 ? (previous as I) : undefined);
          if (Array.isArray(prepared)) {
            for (const f of prepared) failures.push({ property: f.property, reason: `${label} ${f.property}: ${f.reason}` });
          } else Object.assign(inputs, prepared);
        } catch (e) {
          failures.push({ property: "(inputs)", reason: `${label}: ${(e as Error).message}` });
        }
      }
      return { inputs, failures };
    },

    async diff(_id, olds, news) {
      const changed = changedKeys(olds, news);
      const replaces = changed.filter((k) => forcesReplace(k, olds[k], news[k]));
      if (replaces.length === 0) return { changes: changed.length > 0, replaces, deleteBeforeReplace: false };
      const deleteFirst = spec.deleteBeforeReplace
        ? !containsUnknown(news) && (await spec.deleteBeforeReplace(getApi(), withoutProvider(olds) as I, withoutProvider(news) as I))
        : spec.uniqueBy !== undefined && !changed.includes(spec.uniqueBy);
      return { changes: true, replaces, deleteBeforeReplace: deleteFirst };
    },

    async create(inputs) {
      let createdId: string | undefined;
      const ctx = context((id) => (createdId = id));
      const clean = withoutProvider(inputs) as I;
      try {
        for (let attempt = 1; ; attempt++) {
          try {
            const found = await spec.create(ctx, clean);
            return { id: found.id, outs: outputsFor(inputs, found.raw) };
          } catch (e) {
            if (!isAmbiguous(e) || !spec.find || createdId !== undefined || attempt >= MAX_CREATE_ATTEMPTS) throw e;
            // The vendor may have created it: look it up by its unique name before sending again.
            const existing = await spec.find(ctx.api, clean);
            if (existing) {
              ctx.progress(`create of ${existing.id} was interrupted but had been applied; adopting it`);
              return { id: existing.id, outs: outputsFor(inputs, existing.raw) };
            }
            ctx.progress(`create was interrupted before it was applied; sending it again (${(e as Error).message})`);
          }
        }
      } catch (e) {
        if (createdId === undefined) throw e;
        // The object exists: hand it to the engine as a partial create so it stays tracked.
        const err = e as Error & { id?: string; properties?: Props; reasons?: string[] };
        err.id = createdId;
        err.properties = { ...inputs };
        err.reasons = [err.message];
        throw err;
      }
    },

    async read(id, props) {
      const state = withoutProvider(props) as I;
      const raw = await spec.read(getApi(), id, state);
      if (raw === undefined) return {}; // deleted out of band: the engine drops it from state
      const live = plain(spec.observe(raw)) as Props;
      const previous = (props[OBSERVED_KEY] ?? {}) as Props;
      const outs: Props = { ...withoutProvider(props) };
      for (const [key, value] of Object.entries(live)) {
        // Drift is judged on the fields the program manages: optional inputs it leaves
        // unset (e.g. configId when it sizes a warehouse by name) are not its business.
        if (outs[key] === undefined) continue;
        const unchangedSinceLastSeen = key in previous && deepEqual(norm(key, previous[key]), norm(key, value));
        if (!unchangedSinceLastSeen && !deepEqual(norm(key, outs[key]), norm(key, value))) outs[key] = value;
      }
      Object.assign(outs, plain(computedOf(raw)));
      outs[OBSERVED_KEY] = live;
      const inputs: Props = {};
      for (const key of inputKeys) if (outs[key] !== undefined) inputs[key] = outs[key];
      return { id, props: outs, inputs };
    },

    async update(id, olds, news) {
      const changed = changedKeys(olds, news).filter((k) => !forcesReplace(k, olds[k], news[k])) as (keyof I & string)[];
      if (!spec.update) throw new Error(`${label} cannot be updated in place (changed: ${changed.join(", ")})`);
      const raw = await spec.update(context(), id, withoutProvider(olds) as I, withoutProvider(news) as I, changed);
      return { outs: outputsFor(news, raw, olds) };
    },

    async delete(id, props) {
      try {
        await spec.delete(getApi(), id, withoutProvider(props) as I);
      } catch (e) {
        if (!isNotFound(e)) throw e; // already gone is fine
      }
    },
  };
}
