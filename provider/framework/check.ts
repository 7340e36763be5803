/**
 * `check` in named phases, run in order; each adds failures, and later phases that need every
 * field known and valid run only when the earlier ones passed:
 *   common      — the engine's own inputs (adopt);
 *   vendor      — the vendor is configured and takes the credentials (one cached read per vendor);
 *   known       — no input the kind does not have (a typo fails, naming the known ones);
 *   fields      — each field against its schema (values the engine does not know yet pass);
 *   whole       — cross-field rules of the schema;
 *   change      — rules on the change itself (e.g. dropping a column needs allowDataLoss);
 *   replace     — a replacing change without the kind's opt-in is refused, saying what is lost;
 *   prepare     — local work and read-only vendor checks (hash a file, validate SQL);
 *   adopt       — `adopt: true` on a new resource: the object to adopt must exist.
 * A failure names the kind, the field and the rule; it never carries a secret value, and is
 * reported without a property path unless the value is a short, non-secret scalar (the engine
 * prints the value of the property a failure names).
 */
import { z } from "zod";
import { finderOf, type InputsOf, type ResourceSpec } from "./spec";
import { COMMON_INPUTS, COMMON_INPUT_KEYS, containsUnknown, show } from "./values";

type Props = Record<string, any>;

export interface CheckFailure {
  /** What the engine gets: empty unless the value is short and printable (see above). */
  property: string;
  reason: string;
  /** The field at fault, always (for tests and tools; the engine ignores it). */
  field: string;
}

export interface CheckContext<S extends z.ZodObject, Api> {
  spec: ResourceSpec<S, Api, any>;
  label: string;
  inputKeys: string[];
  shape: Record<string, z.ZodType>;
  secretInputs: ReadonlySet<string>;
  getApi: () => Api;
  changedKeys(olds: Props, news: Props): string[];
  forcesReplace(key: string, oldValue: unknown, newValue: unknown): boolean;
  /** The vendor's cached credential check (see EngineOptions). */
  verifyVendor?: () => Promise<void>;
}

interface State {
  raw: Props;
  previous: Props;
  inputs: Props;
  failures: { path: string; reason: string }[];
}

type Phase<S extends z.ZodObject, Api> = { name: string; needsValid: boolean; run(c: CheckContext<S, Api>, s: State): Promise<void> | void };

function fail(s: State, path: string, reason: string): void {
  s.failures.push({ path, reason });
}

function phases<S extends z.ZodObject, Api>(): Phase<S, Api>[] {
  return [
    {
      name: "common",
      needsValid: false,
      run(_c, s) {
        for (const key of COMMON_INPUT_KEYS) {
          const v = s.raw[key];
          if (v === undefined || containsUnknown(v)) continue;
          if (COMMON_INPUTS[key].type === "boolean" && typeof v !== "boolean") fail(s, key, `must be true or false (got ${show(v)})`);
          else s.inputs[key] = v;
        }
      },
    },
    {
      name: "vendor",
      needsValid: false,
      async run(c, s) {
        if (!c.verifyVendor) return;
        try {
          await c.verifyVendor();
        } catch (e) {
          fail(s, "", (e as Error).message);
        }
      },
    },
    {
      name: "known",
      needsValid: false,
      run(c, s) {
        for (const key of Object.keys(s.raw)) {
          if (!(key in c.shape) && !COMMON_INPUT_KEYS.includes(key)) fail(s, key, `${c.label} has no input "${key}"; known inputs: ${c.inputKeys.join(", ")}`);
        }
      },
    },
    {
      name: "fields",
      needsValid: false,
      run(c, s) {
        for (const key of c.inputKeys) {
          const value = s.raw[key];
          if (containsUnknown(value)) {
            s.inputs[key] = value; // validated at apply time, when known
            continue;
          }
          const parsed = c.shape[key].safeParse(value);
          if (parsed.success) {
            if (parsed.data !== undefined) s.inputs[key] = parsed.data;
            continue;
          }
          for (const issue of parsed.error.issues) {
            const path = [key, ...issue.path.map(String)].join(".");
            const got = c.secretInputs.has(key) ? " (the value is secret and not shown)" : value === undefined ? "" : ` (got ${show(valueAt(value, issue.path))})`;
            fail(s, path, `${issue.message}${got}`);
          }
        }
      },
    },
    {
      name: "whole",
      needsValid: true,
      run(c, s) {
        if (containsUnknown(s.inputs)) return; // cross-field rules need every field known
        const whole = c.spec.inputs.safeParse(stripCommon(s.inputs));
        if (whole.success) return;
        for (const issue of whole.error.issues) fail(s, issue.path.map(String).join(".") || "(inputs)", issue.message);
      },
    },
    {
      name: "change",
      needsValid: true,
      run(c, s) {
        if (!isChange(s) || !c.spec.validateChange) return;
        for (const f of c.spec.validateChange(s.previous as InputsOf<S>, stripCommon(s.inputs) as InputsOf<S>)) fail(s, f.property, f.reason);
      },
    },
    {
      name: "replace",
      needsValid: true,
      run(c, s) {
        const optIn = c.spec.replaceOptIn;
        if (!isChange(s) || !optIn || s.inputs[optIn.field] === true) return;
        for (const key of c.changedKeys(s.previous, s.inputs).filter((k) => c.forcesReplace(k, s.previous[k], s.inputs[k]))) {
          fail(
            s,
            key,
            `changing ${key} from ${show(s.previous[key])} to ${show(s.inputs[key])} drops and recreates ${optIn.what(s.previous as InputsOf<S>)}: ` +
              `all of its rows would be lost. Nothing was changed. To allow it, set ${optIn.field}: true on it.`,
          );
        }
      },
    },
    {
      name: "prepare",
      needsValid: true,
      async run(c, s) {
        if (!c.spec.prepare || containsUnknown(s.inputs)) return;
        try {
          const prepared = await c.spec.prepare(stripCommon(s.inputs) as InputsOf<S>, c.getApi, Object.keys(s.previous).length > 0 ? (s.previous as InputsOf<S>) : undefined);
          if (Array.isArray(prepared)) for (const f of prepared) fail(s, f.property, f.reason);
          else Object.assign(s.inputs, prepared);
        } catch (e) {
          fail(s, "", (e as Error).message);
        }
      },
    },
    {
      name: "adopt",
      needsValid: true,
      async run(c, s) {
        if (s.inputs.adopt !== true || Object.keys(s.previous).length > 0 || containsUnknown(s.inputs)) return;
        const find = finderOf(c.spec);
        if (!find) {
          fail(s, "adopt", `${c.label} cannot be adopted: the vendor offers no way to find it by name`);
          return;
        }
        try {
          const found = await find(c.getApi(), stripCommon(s.inputs) as InputsOf<S>);
          if (!found) fail(s, "adopt", `adopt is set but ${c.spec.vendor} has no such object to adopt; remove adopt: true to create it`);
        } catch (e) {
          fail(s, "adopt", `cannot look up the object to adopt: ${(e as Error).message}`);
        }
      },
    },
  ];
}

function isChange(s: State): boolean {
  return Object.keys(s.previous).length > 0 && !containsUnknown(s.inputs);
}

function stripCommon(inputs: Props): Props {
  const out = { ...inputs };
  for (const k of COMMON_INPUT_KEYS) delete out[k];
  return out;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = value;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** Runs every phase; returns the validated inputs (with defaults and prepared values) and the failures. */
export async function runCheck<S extends z.ZodObject, Api>(c: CheckContext<S, Api>, previous: Props, raw: Props): Promise<{ inputs: Props; failures: CheckFailure[] }> {
  const s: State = { raw, previous, inputs: {}, failures: [] };
  for (const phase of phases<S, Api>()) {
    if (phase.needsValid && s.failures.length > 0) break;
    await phase.run(c, s);
  }
  const failures = s.failures.map((f) => {
    const top = f.path.split(".")[0];
    const value = raw[top];
    const printable = f.path === top && !c.secretInputs.has(top) && (value === undefined || ["string", "number", "boolean"].includes(typeof value)) && String(value).length <= 100;
    const named = f.path && f.path !== "(inputs)" ? `${c.label} ${f.path}: ` : `${c.label}: `;
    return { property: printable ? f.path : "", field: f.path, reason: f.reason.startsWith(c.label) ? f.reason : named + f.reason };
  });
  return { inputs: s.inputs, failures };
}
