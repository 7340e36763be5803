/**
 * A Pulumi project on disk (Pulumi.yaml + a program file) with one stack on a local file backend,
 * for tests that run the package's own commands (`pulumi-warehouse drift`, `export`) as a user
 * would: the real CLI, in a child process, against a project directory.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { offlineEnv, pulumiBin } from "./pulumi";
import { PulumiCommand } from "@pulumi/pulumi/automation";

export const REPO = path.resolve(__dirname, "../../..");
export const CLI = path.join(REPO, "dist/cli/index.js");

export interface ProjectStack {
  dir: string;
  stack: Stack;
  stateDir: string;
  env: Record<string, string>;
  /** Every file of the backend and its bytes (state, history, backups, locks). */
  backendFiles(): Record<string, string>;
  /** Runs `node dist/cli/index.js ARGS` in the project directory with the stack's environment. */
  cli(args: string[], extraEnv?: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }>;
  dispose(): Promise<void>;
}

/** `files`: program files by name (the program is `main`), written into a fresh directory inside the repo. */
export async function projectStack(name: string, files: Record<string, string>, config: Record<string, { value: string; secret?: boolean }>, main = "index.js"): Promise<ProjectStack> {
  const bin = pulumiBin();
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-state-"));
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "pw-home-"));
  fs.mkdirSync(path.join(REPO, ".pulumi-work"), { recursive: true });
  // Inside the repo: the program and the dynamic provider resolve pulumi-warehouse from its node_modules.
  const dir = fs.mkdtempSync(path.join(REPO, ".pulumi-work", `${name}-`));
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  if (!files["Pulumi.yaml"]) fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: pw-${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: ${main}\n`);
  const env = { ...offlineEnv(stateDir), PULUMI_HOME: home };
  const pulumiCommand = await PulumiCommand.get({ root: path.dirname(bin) });
  const stack = await LocalWorkspace.createStack({ stackName: "test", workDir: dir }, { pulumiCommand, envVars: env, pulumiHome: home });
  await stack.setAllConfig(config);
  return {
    dir,
    stack,
    stateDir,
    env,
    backendFiles: () => readAll(stateDir, stateDir),
    // Asynchronous: an emulator running in the test's own process must keep answering meanwhile.
    cli: (args, extraEnv = {}) =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: { ...process.env, ...env, PULUMI_WAREHOUSE_PULUMI_BIN: bin, ...extraEnv } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("error", reject);
        child.on("close", (status) => resolve({ status, stdout, stderr }));
      }),
    dispose: async () => {
      await stack.workspace.removeStack("test", { force: true }).catch(() => undefined);
      for (const d of [stateDir, dir, home]) fs.rmSync(d, { recursive: true, force: true });
    },
  };
}

function readAll(root: string, dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(out, readAll(root, p));
    else if (entry.isFile()) out[path.relative(root, p)] = fs.readFileSync(p).toString("base64");
  }
  return out;
}
