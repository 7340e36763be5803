/**
 * `pulumi-warehouse drift`: has anything drifted? Runs `pulumi preview --refresh` through the
 * Automation API over one stack or many and reports, per resource, in sync / drifted (each field:
 * declared, last applied, live) / deleted out of band / error. A preview never writes state.
 * Exit codes as Terraform's -detailed-exitcode: 0 no drift, 2 drift, 1 error (an authentication,
 * network or rate-limit failure is an error, never "no drift").
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { EngineEvent, LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import { pulumiCommand } from "./pulumi";
import { DriftReport, EXIT_ERROR, StackReport, buildReport, renderHuman, renderMarkdown, resourcesFromEvents, stackStatus } from "./report";

export const DRIFT_USAGE = `usage: pulumi-warehouse drift [options] [DIR[#STACK] ...]

Runs a refresh preview (pulumi preview --refresh; never writes state) of each stack and reports
drift per resource. DIR is a Pulumi project directory (default: the current directory); #STACK
picks a stack of it, else every --stack given, else the directory's selected stack.

options:
  -s, --stack NAME          stack to check (repeatable; applies to every DIR without #STACK)
      --json                print the report as JSON (schema version 1, see README "GitOps")
      --markdown            print the report as Markdown (a pull-request comment)
      --json-file FILE      also write the JSON report to FILE
      --markdown-file FILE  also write the Markdown report to FILE
      --parallelism N       passed to pulumi (--parallel N)
  -t, --target URN          only these resources (repeatable; passed to pulumi --target)
      --pulumi-bin DIR      directory holding the pulumi binary (default $PULUMI_WAREHOUSE_PULUMI_BIN, else PATH)
  -q, --quiet               no progress lines on stderr
  -h, --help                print this help

exit codes: 0 no drift, 2 drift (a field changed or an object deleted out of band),
            1 error (anything could not be checked: credentials, network, rate limits, bad program)`;

export interface DriftOptions {
  targets: { directory: string; stack?: string }[];
  json: boolean;
  markdown: boolean;
  jsonFile?: string;
  markdownFile?: string;
  parallelism?: number;
  target?: string[];
  pulumiBin?: string;
  quiet: boolean;
}

export class UsageError extends Error {}

export function parseDriftArgs(argv: string[]): DriftOptions | "help" {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      stack: { type: "string", short: "s", multiple: true },
      json: { type: "boolean" },
      markdown: { type: "boolean" },
      "json-file": { type: "string" },
      "markdown-file": { type: "string" },
      parallelism: { type: "string" },
      target: { type: "string", short: "t", multiple: true },
      "pulumi-bin": { type: "string" },
      quiet: { type: "boolean", short: "q" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "help";
  if (values.json && values.markdown) throw new UsageError("--json and --markdown are exclusive (use --json-file / --markdown-file for a second format)");
  let parallelism: number | undefined;
  if (values.parallelism !== undefined) {
    parallelism = Number(values.parallelism);
    if (!Number.isInteger(parallelism) || parallelism < 1) throw new UsageError(`--parallelism must be a positive integer (got ${JSON.stringify(values.parallelism)})`);
  }
  const stacks = values.stack ?? [];
  const dirs = positionals.length ? positionals : ["."];
  const targets: DriftOptions["targets"] = [];
  for (const p of dirs) {
    const hash = p.lastIndexOf("#");
    if (hash > 0) targets.push({ directory: path.resolve(p.slice(0, hash)), stack: p.slice(hash + 1) });
    else if (stacks.length) for (const s of stacks) targets.push({ directory: path.resolve(p), stack: s });
    else targets.push({ directory: path.resolve(p) });
  }
  return {
    targets,
    json: !!values.json,
    markdown: !!values.markdown,
    jsonFile: values["json-file"],
    markdownFile: values["markdown-file"],
    parallelism,
    target: values.target,
    pulumiBin: values["pulumi-bin"],
    quiet: !!values.quiet,
  };
}

/** Pulumi's error output kept to its error lines (the provider's one-line messages), short. */
export function errorText(e: unknown): string {
  const msg = (e as Error)?.message ?? String(e);
  const lines = msg.split("\n").map((l) => l.trim()).filter(Boolean);
  const errors = [...new Set(lines.filter((l) => /^error: /.test(l) && !/^error: (preview failed|update failed)$/.test(l)).map((l) => l.replace(/^error: (Preview failed: )?/, "")))];
  const chosen = errors.length ? errors : lines.filter((l) => !/^(code|stdout|stderr):/.test(l)).slice(0, 10);
  return chosen.join("\n").slice(0, 4000);
}

/** Checks one stack. Never throws: a failure is the stack's `error`. */
export async function checkStack(cmd: PulumiCommand, t: { directory: string; stack?: string }, o: Pick<DriftOptions, "parallelism" | "target">, progress: (line: string) => void): Promise<StackReport> {
  const events: EngineEvent[] = [];
  let stack = t.stack ?? "";
  let project: string | undefined;
  const label = () => `${path.relative(process.cwd(), t.directory) || "."}${stack ? `#${stack}` : ""}`;
  try {
    if (!fs.existsSync(t.directory)) throw new Error(`no such directory: ${t.directory}`);
    const ws = await LocalWorkspace.create({ workDir: t.directory, pulumiCommand: cmd });
    project = (await ws.projectSettings()).name;
    if (!stack) {
      const current = await ws.stack();
      if (!current) throw new Error(`no stack selected in ${t.directory}: pass --stack NAME or DIR#NAME`);
      stack = current.name;
    }
    const s = await LocalWorkspace.selectStack({ stackName: stack, workDir: t.directory }, { pulumiCommand: cmd });
    progress(`[${label()}] refresh preview (pulumi preview --refresh; state is not written)`);
    let read = 0;
    await s.preview({
      refresh: true,
      parallel: o.parallelism,
      target: o.target,
      onEvent: (e) => {
        events.push(e);
        const m = e.resOutputsEvent?.metadata;
        if (m && m.op === "refresh" && m.type !== "pulumi:pulumi:Stack" && !m.type.startsWith("pulumi:providers:")) {
          read++;
          const what = !m.new ? "gone" : JSON.stringify({ ...m.old?.inputs, __provider: 0 }) === JSON.stringify({ ...m.new.inputs, __provider: 0 }) ? "read" : "changed";
          progress(`[${label()}] ${String(read).padStart(3)} ${what.padEnd(7)} ${m.urn.split("::").pop()}`);
        }
      },
    });
    const resources = resourcesFromEvents(events);
    return { directory: t.directory, project, stack, resources, status: stackStatus({ resources }) };
  } catch (e) {
    const resources = resourcesFromEvents(events);
    const error = errorText(e);
    progress(`[${label()}] failed: ${error.split("\n")[0]}`);
    return { directory: t.directory, project, stack: stack || "(unknown)", resources, error, status: "error" };
  }
}

export async function runDrift(o: DriftOptions, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<{ report: DriftReport; exitCode: number }> {
  const progress = (line: string) => {
    if (!o.quiet) err.write(`${line}\n`);
  };
  let stacks: StackReport[];
  try {
    const cmd = await pulumiCommand(o.pulumiBin);
    stacks = [];
    // One stack at a time: each preview already runs its resources' reads in parallel (--parallelism).
    for (const t of o.targets) stacks.push(await checkStack(cmd, t, o, progress));
  } catch (e) {
    stacks = o.targets.map((t) => ({ directory: t.directory, stack: t.stack ?? "(unknown)", resources: [], status: "error" as const, error: `cannot run pulumi: ${errorText(e)}` }));
  }
  const report = buildReport(stacks);
  if (o.jsonFile) fs.writeFileSync(o.jsonFile, JSON.stringify(report, null, 2) + "\n");
  if (o.markdownFile) fs.writeFileSync(o.markdownFile, renderMarkdown(report));
  out.write(o.json ? JSON.stringify(report, null, 2) + "\n" : o.markdown ? renderMarkdown(report) : renderHuman(report));
  return { report, exitCode: report.exitCode };
}

export async function driftMain(argv: string[]): Promise<number> {
  let opts: DriftOptions | "help";
  try {
    opts = parseDriftArgs(argv);
  } catch (e) {
    process.stderr.write(`pulumi-warehouse drift: ${(e as Error).message}\n\n${DRIFT_USAGE}\n`);
    return EXIT_ERROR;
  }
  if (opts === "help") {
    process.stdout.write(`${DRIFT_USAGE}\n`);
    return 0;
  }
  return (await runDrift(opts)).exitCode;
}
