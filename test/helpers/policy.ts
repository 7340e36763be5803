/**
 * Helpers for the policy pack's tests.
 *
 * Unit: run one rule's validator on plain inputs, with the config defaults of its schema
 * applied as the CLI would (`checkResource`, `checkStack`).
 *
 * E2E: `pulumi preview --policy-pack policies` with the real CLI on an example
 * (`policyPreview`). Since v3.221 the CLI starts a Node policy pack through the language
 * host's RunPlugin; the v3.68.0 host that scripts/build-pulumi.sh builds answers "not
 * supported". Until that script builds the host with RunPlugin (HOST_RUNPLUGIN_GO below),
 * `policyPulumiBin()` builds such a host once into <cache>/pulumi-v3.259.0/bin-policy
 * (hard links to the same `pulumi` plus the patched host) and the e2e tests use that.
 */
import { execFileSync, spawn } from "node:child_process";
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

/** A string only the RunPlugin-capable host contains (detects a host built with HOST_RUNPLUGIN_GO). */
export const HOST_RUNPLUGIN_MARKER = "only policy packs (kind analyzer) are supported by this language host";

/**
 * runplugin.go: RunPlugin for the v3.68.0 Node.js language host (whose own RunPlugin returns
 * "not supported"). Built into the host by copying the host's main.go/proxy.go/proxy_unix.go,
 * deleting its RunPlugin, and adding this file (see buildHost).
 */
export const HOST_RUNPLUGIN_GO = String.raw`// RunPlugin for the v3.68.0 Node.js language host, whose own RunPlugin answers "not supported".
// Since v3.221 the CLI starts Node policy packs through the language host's RunPlugin
// (kind "analyzer"); the pack's directory comes in the request's "info" field (ProgramInfo),
// which v3.68's protobuf types do not know, so it is read from the unknown fields.
package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/encoding/protowire"
)

// unknownString returns the length-delimited field num of raw protobuf bytes.
func unknownString(raw []byte, num protowire.Number) (string, bool) {
	for len(raw) > 0 {
		n, typ, l := protowire.ConsumeTag(raw)
		if l < 0 {
			return "", false
		}
		raw = raw[l:]
		m := protowire.ConsumeFieldValue(n, typ, raw)
		if m < 0 {
			return "", false
		}
		if n == num && typ == protowire.BytesType {
			v, _ := protowire.ConsumeBytes(raw)
			return string(v), true
		}
		raw = raw[m:]
	}
	return "", false
}

type pluginStream struct {
	mu     *sync.Mutex
	server pulumirpc.LanguageRuntime_RunPluginServer
	stderr bool
}

func (w pluginStream) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	msg := &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: bytes.Clone(p)}}
	if w.stderr {
		msg = &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: bytes.Clone(p)}}
	}
	if err := w.server.Send(msg); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (host *nodeLanguageHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer,
) error {
	unknown := req.ProtoReflect().GetUnknown()
	if kind, _ := unknownString(unknown, 6); kind != "analyzer" { // RunPluginRequest.kind
		return fmt.Errorf("RunPlugin: only policy packs (kind analyzer) are supported by this language host, not %q", kind)
	}
	dir := req.Program
	if info, ok := unknownString(unknown, 5); ok { // RunPluginRequest.info
		if d, ok := unknownString([]byte(info), 2); ok && d != "" { // ProgramInfo.program_directory
			dir = d
		}
	}
	if dir == "" {
		return fmt.Errorf("RunPlugin: the request names no policy pack directory")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("RunPlugin: node is not on PATH: %w", err)
	}
	resolve := exec.Command(node, "-e", "console.log(require.resolve('@pulumi/pulumi/cmd/run-policy-pack'))")
	resolve.Dir = dir
	script, err := resolve.Output()
	if err != nil {
		return fmt.Errorf("Cannot find module '@pulumi/pulumi/cmd/run-policy-pack' from %s: install the policy pack's dependencies (%v)", dir, err)
	}
	// run-policy-pack takes <engine-address> <program>; the CLI sends the engine address.
	args := append([]string{strings.TrimSpace(string(script))}, req.Args...)
	cmd := exec.Command(node, append(args, ".")...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), req.Env...)
	mu := &sync.Mutex{}
	cmd.Stdout = pluginStream{mu: mu, server: server}
	cmd.Stderr = pluginStream{mu: mu, server: server, stderr: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-server.Context().Done():
			_ = cmd.Process.Kill()
		case <-done:
		}
	}()
	code := int32(0)
	if err := cmd.Wait(); err != nil {
		exit, ok := err.(*exec.ExitError)
		if !ok {
			return err
		}
		code = int32(exit.ExitCode())
	}
	return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code}})
}
`;

function hostHasRunPlugin(hostPath: string): boolean {
  try {
    return fs.readFileSync(hostPath).includes(HOST_RUNPLUGIN_MARKER);
  } catch {
    return false;
  }
}

function buildHost(target: string): void {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "pw-host-"));
  const env = {
    ...process.env,
    PATH: `${process.env.PATH}:/usr/local/go/bin`,
    GOTOOLCHAIN: "local",
    CGO_ENABLED: "0",
    GOFLAGS: "-mod=mod",
  };
  const sh = (cmd: string) => execFileSync("bash", ["-euo", "pipefail", "-c", cmd], { cwd: work, env, stdio: ["ignore", "ignore", "inherit"] });
  try {
    sh(
      [
        "go mod init local/pulumibuild >/dev/null 2>&1",
        'go mod edit -replace "github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e" -replace "golang.org/x/text=golang.org/x/text@v0.39.0"',
        "go get github.com/pulumi/pulumi/sdk/v3@v3.68.0 >/dev/null 2>&1",
        'SRC="$(go env GOMODCACHE)/github.com/pulumi/pulumi/sdk/v3@v3.68.0/nodejs/cmd/pulumi-language-nodejs"',
        'cp "$SRC/main.go" "$SRC/proxy.go" "$SRC/proxy_unix.go" . && chmod u+w *.go',
        "sed -i '/^func (host \\*nodeLanguageHost) RunPlugin(/,/^}/d' main.go",
      ].join(" && "),
    );
    fs.writeFileSync(path.join(work, "runplugin.go"), HOST_RUNPLUGIN_GO);
    sh(`go build -trimpath -tags osusergo,grpcnotrace -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v3.68.0" -o ${JSON.stringify(target)} .`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

let policyBin: string | undefined;

/** A bin dir whose language host can start policy packs (see the header). */
export function policyPulumiBin(): string {
  if (policyBin) return policyBin;
  const bin = pulumiBin();
  if (hostHasRunPlugin(path.join(bin, "pulumi-language-nodejs"))) return (policyBin = bin);
  const out = path.join(path.dirname(bin), "bin-policy");
  if (!hostHasRunPlugin(path.join(out, "pulumi-language-nodejs"))) {
    fs.mkdirSync(out, { recursive: true });
    for (const f of ["pulumi", "pulumi-resource-pulumi-nodejs"]) {
      fs.rmSync(path.join(out, f), { force: true });
      try {
        fs.linkSync(path.join(bin, f), path.join(out, f));
      } catch {
        fs.copyFileSync(path.join(bin, f), path.join(out, f));
        fs.chmodSync(path.join(out, f), 0o755);
      }
    }
    const tmp = path.join(out, `pulumi-language-nodejs.${process.pid}.tmp`);
    buildHost(tmp);
    fs.renameSync(tmp, path.join(out, "pulumi-language-nodejs"));
  }
  return (policyBin = out);
}

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
  const bin = policyPulumiBin();
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
