/**
 * Drives the real Pulumi CLI (built by scripts/build-pulumi.sh) through the Automation API,
 * fully offline: local file backend in a temp dir, passphrase from the environment, no update
 * check, no plugin downloads.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand, Stack, PulumiFn } from "@pulumi/pulumi/automation";

/** Internals of the Node SDK's runtime (not in its typings) that the inline-program guard reads. */
const pulumiSettings = require("@pulumi/pulumi/runtime/settings") as { grpcClientOptions: Record<string, unknown>; waitForRPCs(): Promise<void> };
const pulumiState = require("@pulumi/pulumi/runtime/state") as { getStore(): { terminated?: boolean } };

const REPO = path.resolve(__dirname, "../../..");
let binDir: string | undefined;

/** The directory holding pulumi, pulumi-language-nodejs and pulumi-resource-pulumi-nodejs. */
export function pulumiBin(): string {
  binDir ??= process.env.PULUMI_WAREHOUSE_PULUMI_BIN || undefined;
  if (!binDir) {
    const out = execFileSync("bash", [path.join(REPO, "scripts/build-pulumi.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    binDir = out.trim().split("\n").pop()!;
  }
  return binDir;
}

/*
 * Inline programs run in this process, one Automation API run after another, each with a new
 * client to that run's engine. The Node SDK never closes those clients, and gRPC shares a
 * connection per address across clients by default: a client of an engine that has exited keeps
 * retrying its address, and if a later engine listens on the same port, the new client inherits
 * the failed connection — its first calls fail at once with UNAVAILABLE. The SDK reads that as
 * "the engine is shutting down", stops registering resources without an error, and the engine
 * then deletes every resource the program did not register. Each client gets its own connections.
 */
pulumiSettings.grpcClientOptions["grpc.use_local_subchannel_pool"] = 1;

/** Set when an inline program's calls to the engine were cut off (the SDK's "terminated"). */
let monitorLost = false;
const CUT_OFF = "the program's connection to the engine's resource monitor was cut off; resources were not registered";

/**
 * Wraps an inline program: after it has run and its registrations have been answered, a run whose
 * registrations were cut off fails with a plain error (so the engine deletes nothing) instead of
 * succeeding with resources missing.
 */
export function guardProgram(program: PulumiFn): PulumiFn {
  if ((program as { guarded?: boolean }).guarded) return program;
  const guarded = async () => {
    const out = await program();
    await pulumiSettings.waitForRPCs();
    if (pulumiState.getStore().terminated) {
      monitorLost = true;
      throw new Error(CUT_OFF);
    }
    return out;
  };
  return Object.assign(guarded, { guarded: true });
}

/**
 * The stack's up/preview/refresh/destroy, repeated once when the program lost its engine
 * connection (guardProgram): a transport fault of this test process, not of the provider.
 */
function retryOnMonitorLoss(stack: Stack): void {
  for (const op of ["up", "preview", "refresh", "destroy"] as const) {
    const original = (stack[op] as (...a: unknown[]) => Promise<unknown>).bind(stack);
    (stack as unknown as Record<string, unknown>)[op] = async (...args: unknown[]) => {
      monitorLost = false;
      try {
        return await original(...args);
      } catch (e) {
        // Only when the cut-off is the whole story: an engine that stops because a resource failed
        // also ends the program's calls, and that run must fail as it is, not run again.
        const text = String((e as Error)?.message ?? e);
        if (!monitorLost || !text.includes(CUT_OFF) || /error: update failed|\*\*\w+ failed\*\*/.test(text)) throw e;
        monitorLost = false;
        process.stderr.write(`    (test harness: the inline program lost its engine connection during ${op}; running ${op} again)\n`);
        return original(...args);
      }
    };
  }
  // Programs the tests set later go through the guard too.
  const ws = stack.workspace as LocalWorkspace;
  let current = ws.program;
  Object.defineProperty(ws, "program", { get: () => current, set: (p: PulumiFn | undefined) => (current = p && guardProgram(p)), configurable: true });
  ws.program = current;
}

export const PASSPHRASE = "pulumi-warehouse-tests";

/**
 * A local file backend at `stateDir`. `metadata=skip`: Pulumi's file backend (gocloud's fileblob)
 * otherwise writes a `.attrs` file beside each state file by truncating it in place, so a
 * `kill -9` of the CLI at that instant leaves it empty and every later command fails with
 * "failed to load checkpoint: EOF". The state file itself is written atomically either way.
 */
export function fileBackendUrl(stateDir: string): string {
  return `file://${stateDir}?metadata=skip`;
}

export function offlineEnv(stateDir: string): Record<string, string> {
  return {
    PULUMI_BACKEND_URL: fileBackendUrl(stateDir),
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_DISABLE_CI_DETECTION: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "false",
  };
}

export interface TestStack {
  stack: Stack;
  stateDir: string;
  /** Raw text of every file of the backend (state, history, backups). */
  backendText(): string;
  dispose(): Promise<void>;
}

export async function inlineStack(name: string, program: PulumiFn, config: Record<string, { value: string; secret?: boolean }>): Promise<TestStack> {
  const bin = pulumiBin();
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-state-"));
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "pw-home-"));
  const pulumiCommand = await PulumiCommand.get({ root: path.dirname(bin) });
  const projectName = `pw-${name}`;
  // The workspace (Pulumi.yaml) must sit inside the repo: the engine starts the dynamic
  // provider host there, and it resolves @pulumi/pulumi and pulumi-warehouse from node_modules.
  fs.mkdirSync(path.join(REPO, ".pulumi-work"), { recursive: true });
  const workDir = fs.mkdtempSync(path.join(REPO, ".pulumi-work", `${name}-`));
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: "test", projectName, program: guardProgram(program) },
    {
      pulumiCommand,
      workDir,
      pulumiHome: home,
      envVars: offlineEnv(stateDir),
      projectSettings: { name: projectName, runtime: "nodejs", backend: { url: fileBackendUrl(stateDir) } },
    },
  );
  await stack.setAllConfig(config);
  retryOnMonitorLoss(stack);
  return {
    stack,
    stateDir,
    backendText: () => readAll(stateDir),
    dispose: async () => {
      await stack.workspace.removeStack("test", { force: true }).catch(() => undefined);
      fs.rmSync(stateDir, { recursive: true, force: true });
      fs.rmSync(workDir, { recursive: true, force: true });
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

function readAll(dir: string): string {
  let out = "";
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out += readAll(p);
    else if (entry.isFile()) out += fs.readFileSync(p, "utf8");
  }
  return out;
}

/**
 * On a failed test, appends the tail of the CLI output the test collected to the error, so a CI
 * log that shows only the failure list still shows what the engine said.
 */
export function appendOutputOnFailure(get: () => string, lines = 60): void {
  afterEach(function () {
    const t = this.currentTest;
    if (t?.state !== "failed" || !t.err) return;
    const tail = get().trim().split("\n").slice(-lines).join("\n");
    if (tail) t.err.message += `\n--- the last ${lines} lines of pulumi's output ---\n${tail}`;
  });
}
