/**
 * `pulumi-warehouse policy-report`: runs `pulumi preview` with the policy pack through the
 * Automation API and writes every violation as SARIF 2.1.0 (cli/sarif.ts). Exit 1 when a
 * mandatory policy is violated or the preview fails, else 0.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { pulumiCommand } from "./pulumi";
import { errorText } from "./drift";
import { SourceLocation, Violation, toSarif } from "./sarif";

export const POLICY_REPORT_USAGE = `usage: pulumi-warehouse policy-report [options] [DIR[#STACK]]

Runs pulumi preview with the policy pack on the stack and writes the violations as SARIF 2.1.0.

options:
  -s, --stack NAME              stack (default: DIR#STACK, else the directory's selected stack)
      --policy-pack DIR         the policy pack (default: this package's policies/)
      --policy-pack-config FILE its config file (pulumi --policy-pack-config)
      --sarif FILE              write the SARIF log to FILE (default: stdout)
      --source-root DIR         paths in the log are relative to DIR (default: the current directory)
      --pulumi-bin DIR          directory holding the pulumi binary (default $PULUMI_WAREHOUSE_PULUMI_BIN, else PATH)
  -h, --help                    print this help

exit codes: 0 no mandatory violation, 1 a mandatory violation or the preview failed`;

/** The program's entry file and the line declaring the resource (its logical name as a string literal). */
function locator(dir: string, sourceRoot: string): (v: Violation) => SourceLocation | undefined {
  let main: string | undefined;
  try {
    const yaml = fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8");
    const m = /^main:\s*(\S+)/m.exec(yaml)?.[1];
    const candidates = [...(m ? [m.endsWith(".js") || m.endsWith(".ts") ? m : path.join(m, "index.ts")] : []), "index.ts", "index.js"];
    main = candidates.map((c) => path.resolve(dir, c)).find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
  } catch {
    main = undefined;
  }
  if (!main) return () => undefined;
  // A compiled entry (dist/…/index.js) points at its source when one sits beside the project.
  const source = main.endsWith(".js") && fs.existsSync(path.join(dir, "index.ts")) ? path.join(dir, "index.ts") : main;
  const lines = fs.readFileSync(source, "utf8").split("\n");
  const uri = path.relative(sourceRoot, source).split(path.sep).join("/");
  return (v) => {
    const name = v.resourceUrn?.split("::").pop();
    const i = name ? lines.findIndex((l) => l.includes(JSON.stringify(name)) || l.includes(`'${name}'`)) : -1;
    return { uri, ...(i >= 0 ? { line: i + 1 } : {}) };
  };
}

export async function policyReportMain(argv: string[]): Promise<number> {
  let values: Record<string, any>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        stack: { type: "string", short: "s" },
        "policy-pack": { type: "string" },
        "policy-pack-config": { type: "string" },
        sarif: { type: "string" },
        "source-root": { type: "string" },
        "pulumi-bin": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
    if (positionals.length > 1) throw new Error("one project directory at a time");
  } catch (e) {
    process.stderr.write(`pulumi-warehouse policy-report: ${(e as Error).message}\n\n${POLICY_REPORT_USAGE}\n`);
    return 1;
  }
  if (values.help) {
    process.stdout.write(`${POLICY_REPORT_USAGE}\n`);
    return 0;
  }
  const target = positionals[0] ?? ".";
  const hash = target.lastIndexOf("#");
  const dir = path.resolve(hash > 0 ? target.slice(0, hash) : target);
  let stackName: string | undefined = hash > 0 ? target.slice(hash + 1) : values.stack;
  const pack = path.resolve(values["policy-pack"] ?? path.join(__dirname, "../../policies"));
  const violations: Violation[] = [];
  let failure: string | undefined;
  try {
    const cmd = await pulumiCommand(values["pulumi-bin"]);
    if (!stackName) {
      const ws = await LocalWorkspace.create({ workDir: dir, pulumiCommand: cmd });
      stackName = (await ws.stack())?.name;
      if (!stackName) throw new Error(`no stack selected in ${dir}: pass --stack NAME`);
    }
    const stack = await LocalWorkspace.selectStack({ stackName, workDir: dir }, { pulumiCommand: cmd });
    process.stderr.write(`[${stackName}] pulumi preview --policy-pack ${pack}\n`);
    await stack.preview({
      policyPacks: [pack],
      policyPackConfigs: values["policy-pack-config"] ? [path.resolve(values["policy-pack-config"])] : undefined,
      onEvent: (e) => {
        const p = e.policyEvent;
        if (p) violations.push({ policyName: p.policyName, policyPackName: p.policyPackName, policyPackVersion: p.policyPackVersion, enforcementLevel: p.enforcementLevel, message: p.message, resourceUrn: p.resourceUrn });
      },
    });
  } catch (e) {
    // A mandatory violation fails the preview: that is reported through the violations themselves.
    if (!violations.some((v) => v.enforcementLevel === "mandatory")) failure = errorText(e);
  }
  let rules: { name: string; description: string; enforcementLevel?: string }[] = [];
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    rules = (require("../policies/rules") as { policies: { name: string; description: string; enforcementLevel?: string }[] }).policies.map((r) => ({ name: r.name, description: r.description, enforcementLevel: r.enforcementLevel }));
  } catch {
    rules = [];
  }
  const log = toSarif(violations, rules, locator(dir, path.resolve(values["source-root"] ?? process.cwd())));
  const text = JSON.stringify(log, null, 2) + "\n";
  if (values.sarif) fs.writeFileSync(values.sarif, text);
  else process.stdout.write(text);
  const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
  process.stderr.write(`${violations.length} violation(s), ${mandatory} mandatory${values.sarif ? `; SARIF 2.1.0 written to ${values.sarif}` : ""}\n`);
  if (failure) process.stderr.write(`pulumi-warehouse policy-report: the preview failed: ${failure}\n`);
  return failure || mandatory > 0 ? 1 : 0;
}
