/**
 * Renders the README's resource reference from the specs: the zod schemas are the docs. Every
 * input is listed, and so is every field nested in it (`columns[].name`, `run.timeoutSeconds`,
 * `configuration.sink.table`, …), each with its type, default, rules, what a change does (update
 * in place, replace, or refused at preview without the kind's opt-in) and its description.
 */
import { z } from "zod";
import { COMMON_OUTPUTS, ResourceSpec, typeToken } from "./spec";
import { COMMON_INPUTS } from "./values";

export interface JsonSchemaProp {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  properties?: Record<string, JsonSchemaProp>;
  required?: string[];
  additionalProperties?: boolean | JsonSchemaProp;
  items?: JsonSchemaProp;
  anyOf?: JsonSchemaProp[];
}

/** One documented input, top-level or nested (`parent.child`, `list[].child`). */
export interface ReferenceField {
  path: string;
  /** The top-level input it belongs to (its change is that input's change). */
  top: string;
  prop: JsonSchemaProp;
  required: boolean;
}

function typeOf(p: JsonSchemaProp): string {
  if (p.anyOf) return p.anyOf.map(typeOf).join(" \\| ");
  if (p.enum) return p.enum.map((v) => JSON.stringify(v)).join(" \\| ");
  if (p.const !== undefined) return JSON.stringify(p.const);
  const types = Array.isArray(p.type) ? p.type : [p.type ?? "any"];
  return types
    .map((t) => {
      if (t === "array") return `array of ${p.items ? typeOf(p.items) : "any"}`;
      if (t === "object" && !p.properties && p.additionalProperties && typeof p.additionalProperties === "object") return `map of ${typeOf(p.additionalProperties)}`;
      return t;
    })
    .join(" \\| ");
}

function rules(p: JsonSchemaProp): string {
  const r: string[] = [];
  if (p.pattern) r.push(`pattern \`${p.pattern}\``);
  if (p.minimum !== undefined) r.push(`>= ${p.minimum}`);
  if (p.exclusiveMinimum !== undefined) r.push(`> ${p.exclusiveMinimum}`);
  if (p.maximum !== undefined) r.push(`<= ${p.maximum}`);
  if (p.minLength !== undefined && p.minLength > 0) r.push(`at least ${p.minLength} chars`);
  if (p.maxLength !== undefined) r.push(`at most ${p.maxLength} chars`);
  if (p.minItems !== undefined && p.minItems > 0) r.push(`at least ${p.minItems} item${p.minItems === 1 ? "" : "s"}`);
  if (p.properties && p.additionalProperties === false) r.push("no other fields");
  return r.join(", ");
}

/** The object schema a property holds directly, in a list, or in an optional/nullable union. */
function objectIn(p: JsonSchemaProp): { obj: JsonSchemaProp; suffix: string } | undefined {
  if (p.properties) return { obj: p, suffix: "." };
  if (p.items?.properties) return { obj: p.items, suffix: "[]." };
  for (const a of p.anyOf ?? []) {
    const hit = objectIn(a);
    if (hit) return hit;
  }
  return undefined;
}

/** Every input field of a kind, nested ones after their parent. */
export function referenceFields(spec: ResourceSpec<any, any, any>): ReferenceField[] {
  const schema = z.toJSONSchema(spec.inputs, { io: "input", unrepresentable: "any" }) as JsonSchemaProp;
  const out: ReferenceField[] = [];
  const visit = (obj: JsonSchemaProp, prefix: string, top: string | undefined) => {
    const required = new Set(obj.required ?? []);
    for (const [name, prop] of Object.entries(obj.properties ?? {})) {
      const path = prefix + name;
      out.push({ path, top: top ?? name, prop, required: required.has(name) });
      const inner = objectIn(prop);
      if (inner) visit(inner.obj, path + inner.suffix, top ?? name);
    }
  };
  visit(schema, "", undefined);
  return out;
}

/** What a change of the top-level input `name` does, in words. */
export function changeOf(spec: ResourceSpec<any, any, any>, name: string): string {
  const replaceOn = new Set<string>(spec.replaceOn);
  const optIn = spec.replaceOptIn?.field;
  if (replaceOn.has(name)) {
    const when = (spec.replaceWhen as Record<string, unknown> | undefined)?.[name] ? (spec.replaceWhenDoc as Record<string, string> | undefined)?.[name] : undefined;
    const replace = when ? `update in place or **replace**: ${when}` : "**replace**";
    return optIn ? `${replace}; refused at preview unless \`${optIn}: true\`` : replace;
  }
  if (name === "columns" && "allowDataLoss" in spec.inputs.shape) return "update in place; an unsafe change (drop, narrowing, NOT NULL) is refused at preview unless `allowDataLoss: true`";
  return "update in place";
}

export function renderReference(specs: readonly ResourceSpec<any, any, any>[]): string {
  const out: string[] = [];
  for (const spec of specs) {
    out.push(`### ${spec.vendor}.${spec.kind}`, "", `Type token \`${typeToken(spec.vendor, spec.kind)}\`. ${spec.description}`, "");
    out.push("| input | type | required / default | on change | rules | description |", "|---|---|---|---|---|---|");
    for (const f of referenceFields(spec)) {
      const p = f.prop;
      const req = f.required ? "required" : p.default !== undefined ? `default \`${JSON.stringify(p.default)}\`` : "optional";
      const change = f.path === f.top ? changeOf(spec, f.top) : `as \`${f.top}\`: ${changeOf(spec, f.top)}`;
      out.push(`| \`${f.path}\` | ${typeOf(p)} | ${req} | ${change} | ${rules(p)} | ${(p.description ?? "").replace(/\|/g, "\\|")} |`);
    }
    for (const [name, c] of Object.entries(COMMON_INPUTS)) out.push(`| \`${name}\` | ${c.type} | optional | engine option: no change at the vendor | | ${c.doc} |`);
    out.push("", "| output | description |", "|---|---|");
    for (const [name, doc] of Object.entries({ ...(spec.outputs as Record<string, string>), ...COMMON_OUTPUTS })) {
      const secret = spec.secretOutputs?.includes(name) ? " (secret)" : "";
      out.push(`| \`${name}\` | ${doc}${secret} |`);
    }
    out.push("");
  }
  return out.join("\n");
}

/** The provider settings table (endpoints, credentials) from provider/settings.ts. */
export function renderSettings(settings: Record<string, Record<string, { config: string; env: string; required: boolean; secret: boolean; doc: string }>>): string {
  const out = ["| stack config | environment variable | required | description |", "|---|---|---|---|"];
  for (const vendor of Object.values(settings)) {
    for (const s of Object.values(vendor)) {
      out.push(`| \`${s.config}\`${s.secret ? " (set with `--secret`)" : ""} | \`${s.env}\` | ${s.required ? "yes" : "no"} | ${s.doc} |`);
    }
  }
  return out.join("\n") + "\n";
}

export const REFERENCE_START = "<!-- reference:start (generated by `node dist/scripts/gen-reference.js` from the zod schemas) -->";
export const REFERENCE_END = "<!-- reference:end -->";
