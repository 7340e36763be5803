/**
 * The drift report model of `pulumi-warehouse drift`: built from the engine events of a refresh
 * preview (Pulumi's own step events, never provider internals), rendered as a terminal summary,
 * versioned JSON or a pull-request comment in Markdown, and turned into an exit code.
 *
 * Per resource the refresh step carries the state before it (`old`: the inputs last applied) and
 * after it (`new`: the inputs the provider read back — undefined when the object is gone); the
 * program step that follows carries the declared inputs (`new` of the same/update/… step).
 */
import type { EngineEvent, StepEventMetadata } from "@pulumi/pulumi/automation";

/** Bumped on any incompatible change of the JSON shape (README, "GitOps"). */
export const DRIFT_SCHEMA_VERSION = 1;

export const EXIT_NO_DRIFT = 0;
export const EXIT_ERROR = 1;
export const EXIT_DRIFT = 2;

export type ResourceStatus = "in-sync" | "drifted" | "deleted" | "error";
export type StackStatus = "in-sync" | "drifted" | "error";

/** How a secret value is shown in every report (Pulumi's own events already mask secrets so). */
export const SECRET = "[secret]";
/** The engine's placeholder for a value known only after apply. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface FieldDrift {
  field: string;
  /** What the program declares now (absent when the program no longer declares the resource). */
  declared?: unknown;
  /** What the last `pulumi up` applied (the inputs in state). */
  lastApplied?: unknown;
  /** What the vendor has now. */
  live?: unknown;
  /** True when any of the values is a secret: the values are then shown as "[secret]". */
  secret: boolean;
}

export interface ResourceReport {
  urn: string;
  type: string;
  name: string;
  id?: string;
  status: ResourceStatus;
  /** Drifted fields (status "drifted"). */
  fields: FieldDrift[];
  /** The message of a failed read (status "error"). */
  error?: string;
  /** What `pulumi up` would do to it now (same, update, replace, create, delete, …), when known. */
  plannedOp?: string;
}

export interface StackReport {
  /** The project directory. */
  directory: string;
  project?: string;
  stack: string;
  status: StackStatus;
  resources: ResourceReport[];
  /** Why the stack could not be checked (status "error"). */
  error?: string;
}

export interface Summary {
  stacks: number;
  resources: number;
  inSync: number;
  drifted: number;
  deleted: number;
  errors: number;
}

export interface DriftReport {
  schemaVersion: typeof DRIFT_SCHEMA_VERSION;
  tool: "pulumi-warehouse drift";
  generatedAt: string;
  /** 0 no drift, 2 drift, 1 error (an error wins over drift). */
  exitCode: number;
  summary: Summary;
  stacks: StackReport[];
}

type Props = Record<string, unknown>;
const IGNORED_KEYS = new Set(["__provider", "adopt"]);

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as Props).filter((k) => (a as Props)[k] !== undefined);
  const kb = Object.keys(b as Props).filter((k) => (b as Props)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Props)[k], (b as Props)[k]));
}

function containsSecret(v: unknown): boolean {
  if (v === SECRET) return true;
  if (Array.isArray(v)) return v.some(containsSecret);
  if (v && typeof v === "object") {
    const o = v as Props;
    if (o["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270") return true; // a serialised secret
    return Object.values(o).some(containsSecret);
  }
  return false;
}

function nameOf(urn: string): string {
  return urn.split("::").pop() ?? urn;
}

function isManaged(type: string): boolean {
  return type !== "pulumi:pulumi:Stack" && !type.startsWith("pulumi:providers:");
}

/** A resource's status from what its refresh read and what the program declares. */
export function resourceFromSteps(refresh: StepEventMetadata, declared?: Props, plannedOp?: string): ResourceReport {
  const base = { urn: refresh.urn, type: refresh.type, name: nameOf(refresh.urn), id: (refresh.old as { id?: string } | undefined)?.id, plannedOp };
  const before = (refresh.old?.inputs ?? {}) as Props;
  if (!refresh.new) return { ...base, status: "deleted", fields: [] };
  const after = (refresh.new.inputs ?? {}) as Props;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !IGNORED_KEYS.has(k)).sort();
  const fields: FieldDrift[] = [];
  for (const k of keys) {
    if (deepEqual(before[k], after[k])) continue;
    const d = declared?.[k];
    const field: FieldDrift = { field: k, lastApplied: before[k], live: after[k], secret: false };
    if (declared) field.declared = d === UNKNOWN ? "(known after apply)" : d;
    field.secret = [field.declared, field.lastApplied, field.live].some(containsSecret);
    if (field.secret) for (const p of ["declared", "lastApplied", "live"] as const) if (p in field && field[p] !== undefined) field[p] = SECRET;
    fields.push(field);
  }
  return { ...base, status: fields.length > 0 ? "drifted" : "in-sync", fields };
}

/**
 * Builds the per-resource reports of one stack from the engine events of `preview --refresh`:
 * refresh steps give last-applied and live, the program's steps the declared values, error
 * diagnostics the resources whose read failed.
 */
export function resourcesFromEvents(events: EngineEvent[]): ResourceReport[] {
  const refreshed = new Map<string, StepEventMetadata>();
  const declared = new Map<string, { inputs?: Props; op: string }>();
  const errors = new Map<string, { type: string; message: string }>();
  for (const e of events) {
    const step = e.resOutputsEvent?.metadata ?? e.resourcePreEvent?.metadata;
    if (step) {
      if (!isManaged(step.type)) continue;
      if (step.op === "refresh") {
        if (e.resOutputsEvent) refreshed.set(step.urn, step);
      } else if (e.resourcePreEvent && !declared.has(step.urn)) {
        declared.set(step.urn, { inputs: step.op === "delete" ? undefined : (step.new?.inputs as Props | undefined), op: step.op });
      }
      continue;
    }
    const d = e.diagnosticEvent;
    if (d && d.severity === "error" && d.urn) {
      const type = d.urn.split("::")[2] ?? "";
      if (!isManaged(type)) continue;
      const message = d.message.trim();
      const prior = errors.get(d.urn);
      errors.set(d.urn, { type, message: prior ? `${prior.message}\n${message}` : message });
    }
  }
  const out: ResourceReport[] = [];
  for (const [urn, step] of refreshed) {
    if (errors.has(urn)) continue;
    const decl = declared.get(urn);
    out.push(resourceFromSteps(step, decl?.inputs, decl?.op));
  }
  for (const [urn, err] of errors) out.push({ urn, type: err.type, name: nameOf(urn), status: "error", fields: [], error: err.message });
  return out.sort((a, b) => a.urn.localeCompare(b.urn));
}

export function stackStatus(s: Pick<StackReport, "resources" | "error">): StackStatus {
  if (s.error !== undefined || s.resources.some((r) => r.status === "error")) return "error";
  return s.resources.some((r) => r.status === "drifted" || r.status === "deleted") ? "drifted" : "in-sync";
}

/** 1 when anything could not be checked (an error wins: it may hide drift), else 2 on drift, else 0. */
export function exitCodeOf(stacks: StackReport[]): number {
  if (stacks.length === 0) return EXIT_ERROR;
  const statuses = stacks.map(stackStatus);
  if (statuses.includes("error")) return EXIT_ERROR;
  return statuses.includes("drifted") ? EXIT_DRIFT : EXIT_NO_DRIFT;
}

export function buildReport(stacks: StackReport[], now: Date = new Date()): DriftReport {
  const all = stacks.flatMap((s) => s.resources);
  const count = (st: ResourceStatus) => all.filter((r) => r.status === st).length;
  return {
    schemaVersion: DRIFT_SCHEMA_VERSION,
    tool: "pulumi-warehouse drift",
    generatedAt: now.toISOString(),
    exitCode: exitCodeOf(stacks),
    summary: {
      stacks: stacks.length,
      resources: all.length,
      inSync: count("in-sync"),
      drifted: count("drifted"),
      deleted: count("deleted"),
      errors: count("error") + stacks.filter((s) => s.error !== undefined).length,
    },
    stacks: stacks.map((s) => ({ ...s, status: stackStatus(s) })),
  };
}

function show(v: unknown): string {
  if (v === undefined) return "(unset)";
  const s = typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

function headline(r: DriftReport): string {
  const s = r.summary;
  const verdict = r.exitCode === EXIT_ERROR ? "ERROR: drift could not be checked everywhere" : r.exitCode === EXIT_DRIFT ? "DRIFT" : "No drift";
  return `${verdict}: ${s.stacks} stack(s), ${s.resources} resource(s): ${s.inSync} in sync, ${s.drifted} drifted, ${s.deleted} deleted out of band, ${s.errors} error(s)`;
}

/** The terminal summary. */
export function renderHuman(r: DriftReport): string {
  const lines: string[] = [];
  for (const s of r.stacks) {
    lines.push(`${s.directory} (stack ${s.stack}): ${s.status}`);
    if (s.error) lines.push(`  error: ${s.error}`);
    for (const res of s.resources) {
      if (res.status === "in-sync") continue;
      lines.push(`  ${res.status.padEnd(8)} ${res.type.replace("pulumi-nodejs:dynamic/", "")} ${res.name}${res.id ? ` (${res.id})` : ""}`);
      if (res.error) lines.push(`           ${res.error.split("\n")[0]}`);
      for (const f of res.fields) lines.push(`           ${f.field}: declared ${show(f.declared)}, last applied ${show(f.lastApplied)}, live ${show(f.live)}`);
    }
  }
  lines.push(headline(r), `exit code ${r.exitCode}`);
  return lines.join("\n") + "\n";
}

function md(v: unknown, secret: boolean): string {
  if (secret) return "_(secret)_";
  return "`" + show(v).replace(/`/g, "'").replace(/\|/g, "\\|") + "`";
}

/** A pull-request comment: the summary first, then the drifted fields grouped by stack and resource; secrets redacted. */
export function renderMarkdown(r: DriftReport): string {
  const s = r.summary;
  const icon = r.exitCode === EXIT_ERROR ? ":x:" : r.exitCode === EXIT_DRIFT ? ":warning:" : ":white_check_mark:";
  const out = [
    `## ${icon} pulumi-warehouse drift`,
    "",
    headline(r).replace(/^([^:]+):/, "**$1**:"),
    "",
    "| stack | status | in sync | drifted | deleted | errors |",
    "|---|---|---|---|---|---|",
    ...r.stacks.map((st) => {
      const c = (x: ResourceStatus) => st.resources.filter((res) => res.status === x).length;
      return `| \`${st.stack}\` (${st.directory}) | ${st.status} | ${c("in-sync")} | ${c("drifted")} | ${c("deleted")} | ${c("error") + (st.error ? 1 : 0)} |`;
    }),
  ];
  for (const st of r.stacks) {
    const bad = st.resources.filter((res) => res.status !== "in-sync");
    if (!bad.length && !st.error) continue;
    out.push("", `### Stack \`${st.stack}\``);
    if (st.error) out.push("", "```", st.error.slice(0, 2000), "```");
    const drifted = bad.filter((res) => res.status === "drifted");
    if (drifted.length) {
      out.push("", "#### Drifted", "", "| resource | field | declared | last applied | live |", "|---|---|---|---|---|");
      for (const res of drifted) for (const f of res.fields) out.push(`| \`${res.name}\` (${res.type.replace("pulumi-nodejs:dynamic/", "")}) | \`${f.field}\` | ${md(f.declared, f.secret)} | ${md(f.lastApplied, f.secret)} | ${md(f.live, f.secret)} |`);
    }
    const deleted = bad.filter((res) => res.status === "deleted");
    if (deleted.length) out.push("", "#### Deleted out of band", "", ...deleted.map((res) => `- \`${res.name}\` (${res.type.replace("pulumi-nodejs:dynamic/", "")})${res.id ? ` id \`${res.id}\`` : ""}`));
    const errs = bad.filter((res) => res.status === "error");
    if (errs.length) out.push("", "#### Errors", "", ...errs.map((res) => `- \`${res.name}\`: ${(res.error ?? "").split("\n")[0].replace(/`/g, "'")}`));
  }
  out.push("", `<sub>schema v${r.schemaVersion}, ${r.generatedAt}, exit code ${r.exitCode}</sub>`, "");
  return out.join("\n");
}
