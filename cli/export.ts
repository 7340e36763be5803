/**
 * `pulumi-warehouse export`: reads an existing estate from a vendor and writes a Pulumi TypeScript
 * program declaring it, every resource with `adopt: true` (so `pulumi up` takes the objects over
 * instead of creating them). One resource per object; an input naming another exported object is a
 * reference to that resource's output (so Pulumi orders them); secret inputs become config
 * placeholders (`config.requireSecret(...)`), never values. Kinds are exported through their spec's
 * optional `exporter` (provider/framework/spec.ts): a vendor gains export by giving its kinds one.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { vendorNamed, vendors, resolveSettings } from "../provider/registry";
import type { Listed, ResourceSpec } from "../provider/framework/spec";
import type { VendorDefinition } from "../provider/framework/vendor";

export const EXPORT_USAGE = `usage: pulumi-warehouse export --vendor NAME [options]

Reads the existing objects of a vendor (credentials and endpoint from the provider's environment
variables, e.g. BYTEHOUSE_ENDPOINT and BYTEHOUSE_API_KEY) and writes a Pulumi TypeScript program
declaring each of them with adopt: true. Then: pulumi up adopts them; the next preview shows no changes.

options:
      --vendor NAME         vendor to read (repeatable): ${"VENDORS"}
      --out DIR             write DIR/index.ts (and DIR/Pulumi.yaml when missing); default: print the program
      --project NAME        project name for a new Pulumi.yaml (default: DIR's name)
      --force               overwrite an existing DIR/index.ts
      --database PATTERN    only objects in matching databases (Altertable: catalogs); * and ? wildcards, comma-separated
      --schema PATTERN      only objects in matching schemas
      --name PATTERN        only objects whose name matches
      --kind KIND           only these kinds (repeatable, e.g. Database, Table)
  -h, --help                print this help`;

export interface ExportFilter {
  database?: string;
  schema?: string;
  name?: string;
  kinds?: string[];
}

export interface ExportedResource {
  vendor: string;
  kind: string;
  /** Pulumi logical name (the object's id). */
  name: string;
  /** Variable name in the program. */
  varName: string;
  id: string;
  inputs: Record<string, unknown>;
  /**
   * The object's known non-secret outputs (the spec's `computed` of the listed object, without its
   * `secretOutputs`): another object's reference may match on them (e.g. a grant to an API key's role).
   */
  outputs?: Record<string, unknown>;
  spec: ResourceSpec<any, any, any>;
}

/** `*` and `?` wildcards, comma-separated alternatives, whole-string match. */
export function globMatcher(pattern: string | undefined): (value: string | undefined) => boolean {
  if (pattern === undefined) return () => true;
  const res = pattern.split(",").map((p) => new RegExp(`^${p.trim().replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`));
  return (v) => v !== undefined && res.some((r) => r.test(v));
}

export function matches(listed: Pick<Listed<unknown>, "name" | "database" | "schema">, f: ExportFilter): boolean {
  return globMatcher(f.database)(listed.database) && globMatcher(f.schema)(listed.schema) && globMatcher(f.name)(listed.name);
}

/** Referenced kinds first, so a reference never names a variable declared later. */
function orderSpecs(specs: readonly ResourceSpec<any, any, any>[]): ResourceSpec<any, any, any>[] {
  const out: ResourceSpec<any, any, any>[] = [];
  const visit = (s: ResourceSpec<any, any, any>, seen: Set<string>) => {
    if (out.includes(s) || seen.has(s.kind)) return;
    seen.add(s.kind);
    for (const r of s.exporter?.references ?? []) {
      const target = specs.find((x) => x.kind === r.kind);
      if (target) visit(target, seen);
    }
    out.push(s);
  };
  for (const s of specs) visit(s, new Set());
  return out;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** The listed object's non-secret computed outputs, or undefined when the kind has none (or they cannot be computed from a listed object). */
function knownOutputs(spec: ResourceSpec<any, any, any>, raw: unknown): Record<string, unknown> | undefined {
  if (!spec.computed) return undefined;
  let all: Record<string, unknown>;
  try {
    all = spec.computed(raw);
  } catch {
    return undefined;
  }
  const secret = new Set<string>(spec.secretOutputs ?? []);
  const out = Object.fromEntries(Object.entries(all).filter(([k, v]) => !secret.has(k) && v !== undefined && (v === null || typeof v !== "object")));
  return Object.keys(out).length ? out : undefined;
}

/** Reads every exportable object of the vendor that passes the filter. */
export async function readEstate(vendor: VendorDefinition, api: unknown, filter: ExportFilter, progress: (m: string) => void = () => undefined): Promise<ExportedResource[]> {
  const out: ExportedResource[] = [];
  const used = new Set<string>();
  for (const spec of orderSpecs(vendor.specs)) {
    if (!spec.exporter) continue;
    if (filter.kinds?.length && !filter.kinds.some((k) => k.toLowerCase() === spec.kind.toLowerCase())) continue;
    const found = (await spec.exporter.list(api)).filter((l) => matches(l, filter));
    const listed = found.filter((l) => l.skip === undefined);
    progress(`${vendor.name}.${spec.kind}: ${listed.length} object(s)`);
    for (const l of found) if (l.skip !== undefined) progress(`${vendor.name}.${spec.kind} ${l.id}: left out (${l.skip}); declare it by hand`);
    const keys = Object.keys(spec.inputs.shape);
    for (const l of listed) {
      const all = (spec.exporter.inputs ? spec.exporter.inputs(l.raw) : spec.observe(l.raw)) as Record<string, unknown>;
      const inputs: Record<string, unknown> = {};
      for (const k of keys) if (all[k] !== undefined) inputs[k] = JSON.parse(JSON.stringify(all[k]));
      let varName = `${lowerFirst(spec.kind)}_${l.id.replace(/[^A-Za-z0-9_$]/g, "_")}`;
      for (let i = 2; used.has(varName); i++) varName = `${lowerFirst(spec.kind)}_${l.id.replace(/[^A-Za-z0-9_$]/g, "_")}_${i}`;
      used.add(varName);
      const outputs = knownOutputs(spec, l.raw);
      out.push({ vendor: vendor.name, kind: spec.kind, name: l.id, varName, id: l.id, inputs, ...(outputs ? { outputs } : {}), spec });
    }
  }
  return out;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A TypeScript literal of a JSON value, indented. */
export function literal(v: unknown, indent = ""): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "undefined";
  const inner = indent + "  ";
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    if (v.every((x) => x === null || typeof x !== "object")) return `[${v.map((x) => literal(x)).join(", ")}]`;
    return `[\n${v.map((x) => inner + literal(x, inner)).join(",\n")},\n${indent}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([k, x]) => `${inner}${IDENT.test(k) ? k : JSON.stringify(k)}: ${literal(x, inner)}`).join(",\n")},\n${indent}}`;
}

export interface RenderedProgram {
  text: string;
  /** Config keys the program reads secrets from (to set with `pulumi config set --secret`). */
  secretConfig: { key: string; resource: string; field: string }[];
}

/** The program: one resource per object, adopt: true, references between them, secrets from config. */
export function renderProgram(resources: ExportedResource[], header: string[] = []): RenderedProgram {
  const secretConfig: RenderedProgram["secretConfig"] = [];
  const vendorsUsed = [...new Set(resources.map((r) => r.vendor))];
  const body: string[] = [];
  for (const r of resources) {
    const secrets = new Set<string>(r.spec.secretInputs ?? []);
    const fields: string[] = ["  adopt: true"];
    for (const [k, v] of Object.entries(r.inputs)) {
      const key = IDENT.test(k) ? k : JSON.stringify(k);
      if (secrets.has(k)) {
        const cfgKey = `${r.name.replace(/[^A-Za-z0-9_-]/g, "-")}-${k}`;
        secretConfig.push({ key: cfgKey, resource: `${r.vendor}.${r.kind} ${r.name}`, field: k });
        fields.push(`  ${key}: ${v !== null && typeof v === "object" ? `config.requireSecretObject<any>(${JSON.stringify(cfgKey)})` : `config.requireSecret(${JSON.stringify(cfgKey)})`}`);
        continue;
      }
      // A field may reference one of several kinds (a grant's table: a table, a view, …): the first that matches.
      let reference: string | undefined;
      for (const ref of r.spec.exporter?.references?.filter((x) => x.field === k && (!x.when || x.when(r.inputs as any))) ?? []) {
        const target = resources.find(
          (t) => t.vendor === r.vendor && t.kind === ref.kind && Object.entries(ref.match).every(([tf, f]) => JSON.stringify(t.inputs[tf] ?? t.outputs?.[tf]) === JSON.stringify(r.inputs[f as string])),
        );
        if (target) {
          reference = `${target.varName}.${ref.output}`;
          break;
        }
      }
      fields.push(`  ${key}: ${reference ?? literal(v, "  ")}`);
    }
    body.push(`export const ${r.varName} = new ${r.vendor}.${r.kind}(${JSON.stringify(r.name)}, {\n${fields.join(",\n")},\n});`);
  }
  const lines = [
    ...header.map((h) => `// ${h}`),
    ...(secretConfig.length ? ['import * as pulumi from "@pulumi/pulumi";'] : []),
    `import { ${vendorsUsed.join(", ") || "bytehouse"} } from "pulumi-warehouse";`,
    "",
    ...(secretConfig.length ? ["// Secrets are never exported: set each with `pulumi config set --secret <key> <value>`.", "const config = new pulumi.Config();", ""] : []),
    ...body.flatMap((b) => [b, ""]),
  ];
  return { text: lines.join("\n"), secretConfig };
}

export async function exportMain(argv: string[]): Promise<number> {
  let values: Record<string, any>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        vendor: { type: "string", multiple: true },
        out: { type: "string" },
        project: { type: "string" },
        force: { type: "boolean" },
        database: { type: "string" },
        schema: { type: "string" },
        name: { type: "string" },
        kind: { type: "string", multiple: true },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    process.stderr.write(`pulumi-warehouse export: ${(e as Error).message}\n\n${usage()}\n`);
    return 1;
  }
  if (values.help) {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  if (!values.vendor?.length) {
    process.stderr.write(`pulumi-warehouse export: --vendor is required\n\n${usage()}\n`);
    return 1;
  }
  const say = (m: string) => process.stderr.write(`${m}\n`);
  try {
    const resources: ExportedResource[] = [];
    const from: string[] = [];
    for (const name of values.vendor as string[]) {
      const vendor = vendorNamed(name);
      if (!vendor.specs.some((s) => s.exporter)) throw new Error(`${vendor.title} has no exportable kinds yet`);
      const settings = resolveSettings(name, undefined);
      const api = vendor.createApi(settings as any);
      await vendor.verify?.(api);
      resources.push(...(await readEstate(vendor, api, { database: values.database, schema: values.schema, name: values.name, kinds: values.kind }, say)));
      const endpoint = Object.entries(settings).find(([k]) => /endpoint/i.test(k))?.[1];
      from.push(`${vendor.title}${endpoint ? ` at ${endpoint}` : ""}`);
    }
    const filters = ["database", "schema", "name"].filter((k) => values[k] !== undefined).map((k) => `--${k} ${values[k]}`);
    const program = renderProgram(resources, [
      `Generated by \`pulumi-warehouse export\` from ${from.join(", ")}${filters.length ? ` (${filters.join(" ")})` : ""}: ${resources.length} object(s).`,
      "Every resource has adopt: true: `pulumi up` takes the existing objects over instead of creating them.",
    ]);
    if (!values.out) {
      process.stdout.write(program.text);
    } else {
      const dir = path.resolve(values.out);
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, "index.ts");
      if (fs.existsSync(file) && !values.force) throw new Error(`${file} exists; pass --force to overwrite it`);
      fs.writeFileSync(file, program.text);
      const yaml = path.join(dir, "Pulumi.yaml");
      if (!fs.existsSync(yaml)) fs.writeFileSync(yaml, `name: ${values.project ?? path.basename(dir)}\nruntime: nodejs\ndescription: Adopted by pulumi-warehouse export\n`);
      say(`wrote ${file} (${resources.length} resource(s))`);
    }
    for (const s of program.secretConfig) say(`secret placeholder: pulumi config set --secret ${s.key} <value>   (${s.resource}, ${s.field})`);
    return 0;
  } catch (e) {
    say(`pulumi-warehouse export: ${(e as Error).message}`);
    return 1;
  }
}

function usage(): string {
  return EXPORT_USAGE.replace("VENDORS", vendors().filter((v) => v.specs.some((s) => s.exporter)).map((v) => v.name).join(", "));
}
