/**
 * Helpers for the policy pack's tests.
 *
 * Unit: run one rule's validator on plain inputs, with the config defaults of its schema
 * applied as the CLI would (`checkResource`, `checkStack`).
 *
 * E2E: `pulumi preview --policy-pack policies` with the real CLI on an example
 * (`policyPreview`). The CLI starts a Node policy pack through the language host's
 * RunPlugin (scripts/language-host/runplugin.go, built in by scripts/build-pulumi.sh).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { offlineEnv, pulumiBin } from "./pulumi";

const REPO = path.resolve(__dirname, "../../..");
export const POLICY_PACK_DIR = path.join(REPO, "policies");

// ---------------------------------------------------------------- unit

type Schema = { properties?: Record<string, { default?: unknown }> } | undefined;

function withDefaults(schema: Schema, config: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema?.properties ?? {})) if (v.default !== undefined) out[k] = v.default;
  return { ...out, ...config };
}

export interface CheckResource {
  type: string;
  name?: string;
  props: Record<string, unknown>;
  config?: Record<string, unknown>;
  stack?: string;
}

/** Runs a resource rule; returns the violation messages. */
export async function checkResource(policy: ResourceValidationPolicy, r: CheckResource): Promise<string[]> {
  const name = r.name ?? "res";
  const stack = r.stack ?? "dev";
  const config = withDefaults(policy.configSchema, r.config);
  const messages: string[] = [];
  const args: any = {
    type: r.type,
    name,
    urn: `urn:pulumi:${stack}::proj::${r.type}::${name}`,
    props: r.props,
    opts: {},
    stackTags: new Map(),
    getConfig: () => config,
    isType: () => false,
    asType: () => undefined,
    notApplicable: () => {
      throw new Error("not applicable");
    },
  };
  const validate = policy.validateResource;
  for (const v of Array.isArray(validate) ? validate : validate ? [validate] : []) {
    await v(args, (message: string) => messages.push(message));
  }
  return messages;
}

export interface StackResourceInput {
  type: string;
  name: string;
  props: Record<string, unknown>;
}

/** Runs a stack rule over resources; returns the violations (message and urn). */
export async function checkStack(policy: StackValidationPolicy, resources: StackResourceInput[], config?: Record<string, unknown>, stack = "dev") {
  const cfg = withDefaults(policy.configSchema, config);
  const violations: { message: string; urn?: string }[] = [];
  const rs = resources.map(
    (r) =>
      ({
        type: r.type,
        name: r.name,
        urn: `urn:pulumi:${stack}::proj::${r.type}::${r.name}`,
        props: r.props,
        opts: {},
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
      }) as unknown as PolicyResource,
  );
  await policy.validateStack!({ resources: rs, getConfig: () => cfg, stackTags: new Map(), notApplicable: () => undefined } as any, (message: string, urn?: string) =>
    violations.push({ message, urn }),
  );
  return violations;
}

// ---------------------------------------------------------------- e2e

export interface PreviewResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together. */
  output: string;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<PreviewResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr, output: `${stdout}\n${stderr}` }));
  });
}

export interface PolicyPreviewOptions {
  /** A folder of examples/. */
  example: string;
  /** The stack name (data-safety rules only apply to production-looking names). */
  stack: string;
  endpoint: string;
  apiKey: string;
  /** A --policy-pack-config file. */
  policyConfig?: string;
}

/**
 * `pulumi preview --policy-pack <repo>/policies` on an example with the real CLI, offline
 * (file backend and home in a temp dir; the stack config in that temp dir, not the example).
 */
export async function policyPreview(o: PolicyPreviewOptions): Promise<PreviewResult> {
  const bin = pulumiBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-policy-"));
  const cwd = path.join(REPO, "examples", o.example);
  const configFile = path.join(dir, `Pulumi.${o.stack}.yaml`);
  const env = { ...process.env, ...offlineEnv(path.join(dir, "backend")), PULUMI_HOME: path.join(dir, "home"), PATH: `${bin}:${process.env.PATH}` };
  fs.mkdirSync(path.join(dir, "backend"));
  const pulumi = path.join(bin, "pulumi");
  const step = async (args: string[]) => {
    const r = await run(pulumi, args, cwd, env);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} failed (${r.code}):\n${r.output}`);
  };
  try {
    await step(["stack", "init", o.stack, "--non-interactive"]);
    await step(["config", "set", "--stack", o.stack, "--config-file", configFile, "warehouse:bytehouseEndpoint", o.endpoint]);
    await step(["config", "set", "--stack", o.stack, "--config-file", configFile, "--secret", "warehouse:bytehouseApiKey", o.apiKey]);
    const args = ["preview", "--non-interactive", "--stack", o.stack, "--config-file", configFile, "--policy-pack", POLICY_PACK_DIR];
    if (o.policyConfig) args.push("--policy-pack-config", o.policyConfig);
    return await run(pulumi, args, cwd, env);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
