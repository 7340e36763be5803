/**
 * Turns a ResourceSpec into the six operations of a Pulumi dynamic provider. The engine owns
 * the lifecycle so that a kind holds only vendor facts:
 *   check   — named phases, every rule before any write (framework/check.ts);
 *   create  — ambiguous failures are looked up before anything is sent again (the last attempt
 *             too); "already exists" is never a silent takeover (`adopt: true` opts in);
 *             read-back when the create's answer lacks the object; partial creates stay tracked;
 *   read    — drift against `observed` (after the Snowflake provider); many reads at once are
 *             answered from one listing when the kind has `readAll` (batch-read.ts); only a confirmed "not
 *             found" (the kind's read returning undefined, or the vendor's own not-found error)
 *             removes an object from state — any other failure fails the refresh;
 *   update  — the narrowest call; an update whose answer was lost is verified by reading the
 *             object before anything is sent again;
 *   delete  — "already gone" is success.
 * Every error leaving the engine is one line, names the resource, has every secret input value
 * redacted and long values cut.
 *
 * Drift model: every state keeps `observed`, the live object in input shape as last seen (stored
 * as the fields that differ from the outputs beside it: values.ts observedDelta). On
 * refresh a field takes the live value only when the live value differs from what was last
 * observed; otherwise the program's value stays. So values the server normalises never show as
 * drift, and a change made by hand always does.
 */
import { z } from "zod";
import { InputsOf, OpContext, ResourceSpec, finderOf, typeToken } from "./spec";
import { WarehouseApiError, isAmbiguous, isConflict, isNotFound } from "../http/errors";
import { deepEqual } from "./equal";
import { poll } from "./poll";
import { BatchReader } from "./batch-read";
import { runCheck } from "./check";
import { Journal, NO_JOURNAL } from "./journal";
import { reportingRetriesTo } from "../http/progress";
import { hostProgress, urnOf } from "./host";
import { COMMON_INPUT_KEYS, UNKNOWN, containsUnknown, secretValues, oneLine, plain, withoutProvider, besideObserved, observedDelta, observedOf, PROVIDER_KEY, OBSERVED_KEY } from "./values";

export { UNKNOWN, PROVIDER_KEY, OBSERVED_KEY, observedOf } from "./values";

type Props = Record<string, any>;

import type { CheckFailure } from "./check";
export type { CheckFailure } from "./check";

export interface Handlers {
  token: string;
  check(olds: Props, news: Props): Promise<{ inputs: Props; failures: CheckFailure[] }>;
  diff(id: string, olds: Props, news: Props): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean }>;
  create(inputs: Props): Promise<{ id: string; outs: Props }>;
  read(id: string, props: Props): Promise<{ id?: string; props?: Props; inputs?: Props }>;
  update(id: string, olds: Props, news: Props): Promise<{ outs: Props }>;
  delete(id: string, props: Props): Promise<void>;
}

/** How many times create is sent when a failure leaves unknown whether the vendor applied it. */
const MAX_CREATE_ATTEMPTS = 3;
const DEFAULT_POLL_TIMEOUT_MS = 600_000;

export interface EngineOptions {
  /** The creates journal (provider/framework/journal.ts); none by default. */
  journal?: Journal;
  /**
   * The vendor's credential check (one cheap authenticated read), run by check so that a wrong
   * endpoint or key fails at preview; the runtime shares one cached result per vendor per process.
   */
  verifyVendor?: () => Promise<void>;
}

/** The last errors the engine threw, as the provider host prints them (`${e}: ${e.stack}`). */
const thrown: string[] = [];

/**
 * Pulumi's dynamic-provider host also prints `${e}: ${e.stack}` of a failed check, diff, read or
 * delete to stderr, which the engine shows a second time, apart from the resource. Call once in
 * the host process: that second copy of an error the engine reported is dropped.
 */
export function quietHostErrorEcho(): void {
  const original = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    if (args.length === 1 && typeof args[0] === "string" && thrown.includes(args[0])) return;
    original(...args);
  };
}

/** Thrown for a problem the engine itself finds (not the vendor): its message is final. */
export class ResourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ResourceError";
  }
}

export function buildHandlers<S extends z.ZodObject, Api, Raw>(
  spec: ResourceSpec<S, Api, Raw>,
  getApi: () => Api,
  progress: (message: string, urn?: string) => void = hostProgress,
  options: EngineOptions = {},
): Handlers {
  const journal = options.journal ?? NO_JOURNAL;
  type I = InputsOf<S>;
  const token = typeToken(spec.vendor, spec.kind);
  const shape = spec.inputs.shape as Record<string, z.ZodType>;
  const inputKeys = Object.keys(shape);
  const secretInputs = new Set<string>(spec.secretInputs ?? []);
  const replaceOn = new Set<string>(spec.replaceOn);
  const label = `${spec.vendor}.${spec.kind}`;
  const find = finderOf(spec);
  const batch = spec.readAll ? new BatchReader<Raw>(() => spec.readAll!(getApi())) : undefined;

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
    const outs = plain({ ...kept, ...withoutProvider(inputs), ...computedOf(raw) });
    return { ...outs, [OBSERVED_KEY]: observedDelta(plain(spec.observe(raw)) as Props, outs) };
  }

  function inputsOnly(props: Props): I {
    const out: Props = {};
    for (const key of inputKeys) if (props[key] !== undefined) out[key] = props[key];
    return out as I;
  }

  /** The inputs (and common inputs) recorded among a state's outputs. */
  const recordedInputKeys = [...inputKeys, ...COMMON_INPUT_KEYS];
  function inputsIn(props: Props): Props {
    const inputs: Props = {};
    for (const key of recordedInputKeys) if (props[key] !== undefined) inputs[key] = props[key];
    return inputs;
  }

  function describe(id: string | undefined, props: Props): string {
    const name = id ?? (spec.id ? safe(() => spec.id!.encode(props as Record<string, unknown>)) : undefined) ?? (spec.uniqueBy ? props[spec.uniqueBy] : undefined);
    return name ? `${label} ${name}` : label;
  }

  function context(what: string, inputs: Props, api: () => Api, onCreated: (id: string) => void = () => undefined): OpContext<Api> {
    const urn = urnOf(inputs);
    const say = (m: string) => progress(`[${what}] ${m}`, urn);
    return {
      api: api(),
      created: onCreated,
      progress: say,
      poll: (o) => {
        const seconds = typeof inputs.timeoutSeconds === "number" ? inputs.timeoutSeconds : undefined;
        return poll({ ...o, timeoutMs: o.timeoutMs ?? (seconds !== undefined ? seconds * 1000 : DEFAULT_POLL_TIMEOUT_MS), progress: say });
      },
    };
  }

  /** Runs an operation; its error leaves as one line naming the resource, secrets redacted. */
  async function guarded<T>(what: string, secretsFrom: Props[], op: (api: () => Api) => Promise<T>): Promise<T> {
    try {
      // The vendor's API as this operation sees it: the retries of its calls show as its
      // progress ("429 from …, retrying in 2 s"). Made on first use (getApi throws when the
      // vendor is not configured, which only matters to an operation that calls it).
      const urn = urnOf(secretsFrom[secretsFrom.length - 1]);
      let view: Api | undefined;
      const api = () => (view ??= reportingRetriesTo(getApi(), (e) => progress(`[${what}] ${e.message}`, urn)));
      return await op(api);
    } catch (e) {
      const err = e as Error & { id?: string; properties?: Props; reasons?: string[] };
      const secrets = secretsFrom.flatMap((p) => secretValues(p, secretInputs));
      const message = oneLine(err.message ?? String(e), secrets);
      err.message = message.startsWith(label) ? message : `${what}: ${message}`;
      if (err.reasons) err.reasons = err.reasons.map((r) => oneLine(r, secrets));
      // The provider host prints `${e}: ${e.stack}`: keep it to the message unless debugging.
      if (!process.env.PULUMI_WAREHOUSE_DEBUG) err.stack = "";
      thrown.push(`${err}: ${err.stack ?? ""}`);
      if (thrown.length > 50) thrown.shift();
      throw err;
    }
  }

  /** The object's key in the creates journal: its id, else its unique name. */
  function journalKey(inputs: Props): string | undefined {
    const fromId = spec.id ? safe(() => spec.id!.encode(inputs as Record<string, unknown>)) : undefined;
    const unique = spec.uniqueBy ? inputs[spec.uniqueBy] : undefined;
    return fromId ?? (typeof unique === "string" || typeof unique === "number" ? String(unique) : undefined);
  }

  async function readBack(api: Api, id: string, inputs: I, during: string): Promise<Raw> {
    const raw = await spec.read(api, id, inputs);
    if (raw === undefined) throw new ResourceError(`${label} ${id} was ${during} but cannot be read back from ${spec.vendor}; run pulumi refresh, then pulumi up`);
    return raw;
  }

  /** The refusal of a create whose object exists already, naming the way to take it over. */
  function taken(what: string, detail: string): ResourceError {
    return new ResourceError(
      `${what} already exists at ${spec.vendor} but is not in this stack's state (${detail}). ` +
        `Nothing was changed. If this stack made it in an interrupted run, or to take it over, set adopt: true on the resource and run pulumi up; otherwise give it another name.`,
    );
  }

  /** The object an ambiguous create may have made, or the one `adopt: true` takes over. */
  async function lookup(api: Api, inputs: I): Promise<{ id: string; raw: Raw } | undefined> {
    return find?.(api, inputs);
  }

  const handlers: Handlers = {
    token,

    check: (olds, news) =>
      guarded(label, [news ?? {}], (api) =>
        runCheck({ spec, label, inputKeys, shape, secretInputs, getApi: api, changedKeys, forcesReplace, verifyVendor: options.verifyVendor }, withoutProvider(olds ?? {}), withoutProvider(news ?? {})),
      ),

    diff: (id, olds, news) =>
      guarded(describe(id, olds), [olds, news], async (api) => {
        const changed = changedKeys(olds, news);
        const replaces = changed.filter((k) => forcesReplace(k, olds[k], news[k]));
        if (replaces.length === 0) return { changes: changed.length > 0, replaces, deleteBeforeReplace: false };
        const deleteFirst = spec.deleteBeforeReplace
          ? !containsUnknown(news) && (await spec.deleteBeforeReplace(api(), inputsOnly(olds), inputsOnly(news)))
          : spec.uniqueBy !== undefined && !changed.includes(spec.uniqueBy);
        return { changes: true, replaces, deleteBeforeReplace: deleteFirst };
      }),

    create: (inputs) => {
      const what = describe(undefined, inputs);
      return guarded(what, [inputs], async (api) => {
        let createdId: string | undefined;
        const ctx = context(what, inputs, api, (id) => (createdId = id));
        const clean = inputsOnly(inputs);
        const finish = async (id: string, raw: Raw | undefined) => ({ id, outs: outputsFor(inputs, raw ?? (await readBack(ctx.api, id, clean, "created"))) });
        if (inputs.adopt === true) return adopt(ctx, clean, inputs, what);
        const key = journalKey(clean as Props);
        if (key !== undefined && find && journal.owns(token, key)) {
          // An earlier run sent this create and may have been interrupted before Pulumi saved it.
          const existing = await lookup(ctx.api, clean);
          if (existing) {
            ctx.progress(`found ${existing.id}, created by an earlier interrupted run of this stack's provider; keeping it`);
            return await finish(existing.id, existing.raw);
          }
        }
        if (spec.createTakesOver && find) {
          // The vendor would not refuse a taken object: look first, never take one over silently.
          const existing = await lookup(ctx.api, clean);
          if (existing) throw taken(what, `${existing.id} exists`);
        }
        if (key !== undefined) journal.intend(token, key);
        try {
          for (let attempt = 1; ; attempt++) {
            try {
              const made = await spec.create(ctx, clean);
              return await finish(made.id, made.raw);
            } catch (e) {
              if (createdId !== undefined) throw e;
              if (isConflict(e) && find) throw taken(what, (e as Error).message);
              if (!isAmbiguous(e) || !find) throw e;
              // The vendor may have applied it: look it up by its unique name before anything else.
              const existing = await lookup(ctx.api, clean);
              if (existing) {
                ctx.progress(`the create was interrupted but had been applied; keeping ${existing.id}`);
                return await finish(existing.id, existing.raw);
              }
              if (attempt >= MAX_CREATE_ATTEMPTS) {
                throw new ResourceError(`${(e as Error).message}. It was sent ${attempt} times without an answer and is not there; nothing is left behind. Run pulumi up again.`);
              }
              ctx.progress(`the create was interrupted before it was applied; sending it again (attempt ${attempt + 1} of ${MAX_CREATE_ATTEMPTS})`);
            }
          }
        } catch (e) {
          if (createdId === undefined) throw e;
          // The object exists: hand it to the engine as a partial create so it stays tracked.
          const err = e as Error & { id?: string; properties?: Props; reasons?: string[] };
          err.id = createdId;
          err.properties = plain({ ...inputs }); // with __provider: the host stores these as the state
          err.reasons = [err.message];
          throw err;
        }
      });
    },

    read: (id, props) =>
      guarded(describe(id, props), [props], async (api) => {
        const state = withoutProvider(props) as I; // inputs and the outputs recorded with them
        let raw: Raw | undefined;
        try {
          // Many reads at once (a refresh) are answered from one listing of the kind; an object it lacks is read alone.
          raw = (await batch?.lookup(id)) ?? (await spec.read(api(), id, state));
        } catch (e) {
          if (e instanceof WarehouseApiError && e.kind === "auth") {
            e.message +=
              ". Nothing was removed from state. A plain pulumi refresh uses the credentials saved in state at the last update: after rotating a key set in stack config, run pulumi refresh --run-program";
          }
          if (!isNotFound(e)) throw e; // anything but the vendor's own "not found" fails the refresh
          raw = undefined;
        }
        if (raw === undefined) return {}; // confirmed gone: the engine drops it from state
        const live = plain(spec.observe(raw)) as Props;
        const previous = observedOf(props) ?? {};
        const outs = besideObserved(props);
        for (const [key, value] of Object.entries(live)) {
          // Drift is judged on the fields the program manages: optional inputs it leaves
          // unset (e.g. configId when it sizes a warehouse by name) are not its business.
          if (outs[key] === undefined) continue;
          const unchangedSinceLastSeen = key in previous && deepEqual(norm(key, previous[key]), norm(key, value));
          if (!unchangedSinceLastSeen && !deepEqual(norm(key, outs[key]), norm(key, value))) outs[key] = value;
        }
        Object.assign(outs, plain(computedOf(raw)));
        outs[OBSERVED_KEY] = observedDelta(live, outs);
        // New inputs only when a field drifted: otherwise the engine keeps the state's inputs, which
        // are the same values (every output echoes its input), without a second copy on the wire.
        const inputs = inputsIn(outs);
        return deepEqual(inputs, inputsIn(state)) ? { id, props: outs } : { id, props: outs, inputs };
      }),

    update: (id, olds, news) => {
      const what = describe(id, news);
      return guarded(what, [olds, news], async (api) => {
        const changed = changedKeys(olds, news).filter((k) => !forcesReplace(k, olds[k], news[k])) as (keyof I & string)[];
        if (!spec.update) throw new ResourceError(`${label} cannot be updated in place (changed: ${changed.join(", ")})`);
        const ctx = context(what, news, api);
        const o = withoutProvider(olds) as I; // with the outputs recorded at the last create/update
        const n = withoutProvider(news) as I;
        for (let attempt = 1; ; attempt++) {
          try {
            const raw = await spec.update(ctx, id, o, n, changed);
            return { outs: outputsFor(news, raw ?? (await readBack(ctx.api, id, n, "updated")), olds) };
          } catch (e) {
            if (!isAmbiguous(e)) throw e;
            // The answer was lost: read the object before sending anything again.
            const raw = await spec.read(ctx.api, id, n);
            if (raw === undefined) throw new ResourceError(`${(e as Error).message}; and ${id} is no longer there: run pulumi refresh`);
            const live = plain(spec.observe(raw)) as Props;
            const observable = changed.filter((k) => k in live);
            const done = observable.every((k) => deepEqual(norm(k, live[k]), norm(k, n[k])));
            if (done && observable.length > 0) {
              ctx.progress(`the update's answer was lost, but reading ${id} back shows it was applied`);
              return { outs: outputsFor(news, raw, olds) };
            }
            const untouched = observable.length > 0 && observable.every((k) => deepEqual(norm(k, live[k]), norm(k, o[k])));
            if (!untouched || attempt >= 2) {
              throw new ResourceError(
                `${(e as Error).message}; reading ${id} back shows the change ${untouched ? "was not applied" : "was only partly applied"}. Nothing more was sent: run pulumi refresh, then pulumi up`,
              );
            }
            ctx.progress(`the update's answer was lost and reading ${id} back shows nothing was applied; sending it again`);
          }
        }
      });
    },

    delete: (id, props) =>
      guarded(describe(id, props), [props], async (api) => {
        const state = withoutProvider(props);
        try {
          await spec.delete(api(), id, state as I);
        } catch (e) {
          if (!isNotFound(e)) throw e; // already gone is fine
        }
        const key = journalKey(state);
        if (key !== undefined) journal.forget(token, key);
      }),
  };

  if (batch) {
    // A listing taken before or during a write of the kind no longer answers reads.
    for (const op of ["create", "update", "delete"] as const) {
      const f = handlers[op] as (...a: unknown[]) => Promise<unknown>;
      (handlers as unknown as Record<string, unknown>)[op] = async (...a: unknown[]) => {
        batch.wrote();
        try {
          return await f(...a);
        } finally {
          batch.wrote();
        }
      };
    }
  }
  return handlers;

  /**
   * `adopt: true`: take over the object with the same unique name instead of creating one, then
   * bring it to the declared state with an in-place update. A field that would need a replacement
   * fails instead (adoption never deletes what it took over).
   */
  async function adopt(ctx: OpContext<Api>, clean: I, inputs: Props, what: string): Promise<{ id: string; outs: Props }> {
    const existing = await lookup(ctx.api, clean);
    if (!existing) {
      if (!find) throw new ResourceError(`${what}: ${label} cannot be adopted (the vendor offers no way to find it by name)`);
      throw new ResourceError(`${what}: adopt is set but ${spec.vendor} has no such object to adopt. Remove adopt: true to create it.`);
    }
    const live = plain(spec.observe(existing.raw)) as Props;
    const declared = clean as Props;
    const differs = inputKeys.filter((k) => k in live && declared[k] !== undefined && !deepEqual(norm(k, live[k]), norm(k, declared[k])));
    const replacing = differs.filter((k) => forcesReplace(k, live[k], declared[k]));
    if (replacing.length > 0) {
      throw new ResourceError(
        `${what}: adopting ${existing.id} would need a replacement to change ${replacing.map((k) => `${k} (live ${JSON.stringify(live[k])}, declared ${JSON.stringify(declared[k])})`).join(", ")}; nothing was changed. Declare the live value to adopt it.`,
      );
    }
    ctx.created(existing.id);
    if (differs.length === 0 || !spec.update) return { id: existing.id, outs: outputsFor(inputs, existing.raw) };
    ctx.progress(`adopting ${existing.id}; updating ${differs.join(", ")} to the declared values`);
    const previous = { ...declared, ...Object.fromEntries(differs.map((k) => [k, live[k]])) } as I;
    const raw = await spec.update(ctx, existing.id, previous, clean, differs as (keyof I & string)[]);
    return { id: existing.id, outs: outputsFor(inputs, raw ?? (await readBack(ctx.api, existing.id, clean, "adopted"))) };
  }
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
