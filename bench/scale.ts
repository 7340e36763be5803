/**
 * Scale benchmark: N resources through the real Pulumi CLI (file backend, offline) against a
 * floor — the same CLI running N trivial dynamic resources whose create/read/update/delete each
 * make exactly one HTTP call to a local server (bench/scale-floor-server.ts) with the same
 * injected latency. Estates: `vw` (N bytehouse.VirtualWarehouse) and `mixed` (VirtualWarehouse
 * and Database alternating), against the ByteHouse emulator (its own process, state on disk,
 * latency injected with its faults). Per operation — up (create all), no-op preview, no-op up,
 * refresh, update-one, destroy — floor and ours run interleaved; it prints medians, min–max,
 * the ratio, requests per resource (by method and path, from the emulator's request log), the
 * state bytes per resource (and how much is `__provider`), CPU per process class (CLI, program,
 * provider host, server) and the provider host's peak RSS, and the time per resource at N
 * against a smaller N (growth). Never asserts timings.
 *
 *   node dist/bench/scale.js --help          the options (USAGE below)
 *
 * Needs the pinned CLI: PULUMI_WAREHOUSE_PULUMI_BIN, else $HOME/.cache/pulumi-warehouse/pulumi-v3.259.0/bin.
 */
import { ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { median } from "./stats";

const REPO = path.resolve(__dirname, "../..");
const CLK_TCK = 100;
const OPS = ["up", "preview", "no-op up", "refresh", "update one", "destroy"] as const;
type Op = (typeof OPS)[number];
type Stack = "floor" | "vw" | "mixed";

const { values: args } = parseArgs({
  options: {
    help: { type: "boolean", short: "h" },
    full: { type: "boolean" },
    n: { type: "string" },
    small: { type: "string" },
    rounds: { type: "string" },
    latency: { type: "string" },
    estates: { type: "string" },
    parallelism: { type: "string" },
    "skip-checkpoints": { type: "boolean" },
    keep: { type: "boolean" },
    "cpu-prof": { type: "string" },
    verbose: { type: "boolean" },
    ops: { type: "string" },
  },
});
const USAGE = `  node dist/bench/scale.js                 quick: N = 100, one round, growth against N = 20
  node dist/bench/scale.js --full          N = 1,000, three rounds, growth against N = 100
  options: --n N  --small N  --rounds R  --latency MS (default 20)  --estates vw,mixed
           --parallelism P (pulumi --parallel P; its default is 8)  --skip-checkpoints (PULUMI_SKIP_CHECKPOINTS=true)
           --keep (leave the work dir)  --verbose (CLI output to stderr)
           --ops preview,refresh (only these besides the up and destroy each round needs; none: only those two)
           --cpu-prof DIR (V8 CPU profiles of every Node process the CLI starts — program and
           provider host — in DIR/<N>-<stack>-<operation>/; read them with bench/cpu-profile.js),
           and the CLI's Go profiles beside them (cli.<pid>.cpu; \`go tool pprof -top\`)
`;

if (args.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const N = Number(args.n ?? (args.full ? 1000 : 100));
const SMALL = Number(args.small ?? Math.max(10, Math.round(N / (args.full ? 10 : 5))));
const ROUNDS = Number(args.rounds ?? (args.full ? 3 : 1));
const LATENCY = Number(args.latency ?? 20);
const ESTATES = (args.estates ?? "vw,mixed").split(",").filter(Boolean) as Stack[];
const STACKS: Stack[] = ["floor", ...ESTATES];
// --ops refresh,preview: only those between the up and destroy every round needs (to look at one).
const ACTIVE: readonly Op[] = args.ops ? OPS.filter((o) => o === "up" || o === "destroy" || args.ops!.split(",").includes(o)) : OPS;
const BIN = process.env.PULUMI_WAREHOUSE_PULUMI_BIN || path.join(os.homedir(), ".cache/pulumi-warehouse/pulumi-v3.259.0/bin");
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_S ?? 3600) * 1000;

// ---------------------------------------------------------------- programs

const FLOOR_PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const url = process.env.SCALE_FLOOR_URL;
function call(method, id, body) {
  return new Promise((resolve, reject) => {
    const req = require("http").request(url + "/things/" + id, { method, headers: { "content-type": "application/json" } }, (res) => {
      let d = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (d += c));
      res.on("end", () => resolve(d));
    });
    req.on("error", reject);
    req.end(body);
  });
}
const provider = {
  async create(inputs) { await call("POST", inputs.name, JSON.stringify(inputs)); return { id: inputs.name, outs: inputs }; },
  async read(id, props) { await call("GET", id); return { id, props }; },
  async update(id, olds, news) { await call("PATCH", id, JSON.stringify(news)); return { outs: news }; },
  async delete(id) { await call("DELETE", id); },
};
class Thing extends pulumi.dynamic.Resource {
  constructor(name, args, opts) { super(provider, name, args, opts, "floor", "Thing"); }
}
const n = Number(process.env.SCALE_N);
for (let i = 0; i < n; i++) {
  new Thing("vw" + i, { name: "vw" + i, description: i === 0 ? process.env.SCALE_VARIANT : "bench", size: "XS", status: "up", autoSuspend: 10, autoResume: true });
}
`;

// The two estates share the emulator: the mixed one's names start with "m".
const OURS_PROGRAM = (mixed: boolean) => `
const { bytehouse } = require("pulumi-warehouse");
const n = Number(process.env.SCALE_N);
const p = ${mixed ? '"m"' : '""'};
for (let i = 0; i < n; i++) {
  if (${mixed} && i % 2 === 1) new bytehouse.Database("db" + i, { name: p + "db" + i, description: "bench" });
  else new bytehouse.VirtualWarehouse("vw" + i, { name: p + "vw" + i, description: i === 0 ? process.env.SCALE_VARIANT : "bench", size: "XS", status: "up", autoSuspend: 10, autoResume: true });
}
`;

// ---------------------------------------------------------------- processes

interface ProcSample {
  cls: string;
  ticks: number;
  hwmKb: number;
}

function readProc(pid: number): { ppid: number; ticks: number; cmd: string; hwmKb: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
    const hwm = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), cmd, hwmKb: hwm ? Number(hwm[1]) : 0 };
  } catch {
    return undefined;
  }
}

function classify(cmd: string): string {
  if (cmd.includes("dynamic-provider")) return "provider host";
  if (/pulumi-resource-pulumi-nodejs/.test(cmd)) return "provider host";
  if (/pulumi-language-nodejs|run-plugin|\/run\b|@pulumi\/pulumi\/cmd\/run/.test(cmd)) return "program";
  if (/\bpulumi\b/.test(path.basename(cmd.split(" ")[0] ?? ""))) return "cli";
  return "other";
}

/** Samples every descendant of `root` (CPU ticks, VmHWM) until stopped; the last sample of each process counts. */
function sampler(root: number): { stop(): Record<string, { cpuMs: number; peakRssMb: number }> } {
  const seen = new Map<number, ProcSample>();
  const tick = () => {
    const procs = new Map<number, { ppid: number; ticks: number; cmd: string; hwmKb: number }>();
    for (const d of fs.readdirSync("/proc")) {
      if (!/^\d+$/.test(d)) continue;
      const p = readProc(Number(d));
      if (p) procs.set(Number(d), p);
    }
    const inTree = (pid: number): boolean => {
      for (let p = pid, hops = 0; p > 1 && hops < 20; hops++) {
        if (p === root) return true;
        p = procs.get(p)?.ppid ?? 0;
      }
      return false;
    };
    for (const [pid, p] of procs) {
      if (!inTree(pid)) continue;
      const prev = seen.get(pid);
      seen.set(pid, { cls: prev?.cls ?? classify(p.cmd), ticks: Math.max(prev?.ticks ?? 0, p.ticks), hwmKb: Math.max(prev?.hwmKb ?? 0, p.hwmKb) });
    }
  };
  const timer = setInterval(tick, 150);
  tick();
  return {
    stop() {
      clearInterval(timer);
      const out: Record<string, { cpuMs: number; peakRssMb: number }> = {};
      for (const s of seen.values()) {
        const o = (out[s.cls] ??= { cpuMs: 0, peakRssMb: 0 });
        o.cpuMs += (s.ticks * 1000) / CLK_TCK;
        o.peakRssMb = Math.max(o.peakRssMb, s.hwmKb / 1024);
      }
      return out;
    },
  };
}

function cpuMsOf(pid: number): number {
  return ((readProc(pid)?.ticks ?? 0) * 1000) / CLK_TCK;
}

async function startServer(cmd: string[], pattern: RegExp, env: NodeJS.ProcessEnv = process.env): Promise<{ child: ChildProcess; out: string }> {
  const child = spawn(process.execPath, cmd, { stdio: ["ignore", "pipe", "inherit"], env });
  let out = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${cmd.join(" ")} did not start: ${out}`)), 30_000);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`${cmd.join(" ")} exited (${code}): ${out}`)));
  });
  return { child, out };
}

async function http(method: string, url: string, body?: unknown): Promise<any> {
  const res = await fetch(url, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

// ---------------------------------------------------------------- stacks

interface StackDir {
  name: Stack;
  dir: string;
  env: NodeJS.ProcessEnv;
}

async function pulumi(s: StackDir, argv: string[], extraEnv: Record<string, string> = {}): Promise<{ ms: number; usage: Record<string, { cpuMs: number; peakRssMb: number }> }> {
  const t0 = process.hrtime.bigint();
  const child = spawn(path.join(BIN, "pulumi"), argv, { cwd: s.dir, env: { ...s.env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] });
  const probe = sampler(child.pid!);
  let tail = "";
  const keep = (d: Buffer) => {
    tail = (tail + d.toString()).slice(-6000);
    if (args.verbose) process.stderr.write(d);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
  const [code] = (await once(child, "exit")) as [number | null];
  clearTimeout(timer);
  const usage = probe.stop();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (code !== 0) throw new Error(`pulumi ${argv.join(" ")} (${s.name}) exited ${code}:\n${tail}`);
  return { ms, usage };
}

function opArgs(op: Op): string[] {
  const par = args.parallelism ? ["--parallel", args.parallelism] : [];
  switch (op) {
    case "up":
    case "no-op up":
    case "update one":
      return ["up", "--yes", "--skip-preview", "--non-interactive", "--suppress-outputs", ...par];
    case "preview":
      return ["preview", "--non-interactive", "--suppress-outputs", ...par];
    case "refresh":
      return ["refresh", "--yes", "--skip-preview", "--non-interactive", "--suppress-outputs", ...par];
    case "destroy":
      return ["destroy", "--yes", "--skip-preview", "--non-interactive", "--suppress-outputs", ...par];
  }
}

interface StateSize {
  fileBytesPerResource: number;
  jsonBytesPerResource: number;
  providerBytesPerResource: number;
  outputsBytesPerResource: number;
}

async function stateSize(s: StackDir): Promise<StateSize> {
  const file = path.join(s.dir, "backend/.pulumi/stacks", `scale-${s.name}`, "bench.json");
  const text = fs.readFileSync(file, "utf8");
  const resources = (JSON.parse(text).checkpoint?.latest?.resources ?? []).filter((r: any) => String(r.type).startsWith("pulumi-nodejs:dynamic"));
  const n = resources.length || 1;
  let json = 0;
  let prov = 0;
  let outs = 0;
  for (const r of resources) {
    json += Buffer.byteLength(JSON.stringify(r));
    prov += Buffer.byteLength(JSON.stringify(r.inputs?.__provider ?? "")) + Buffer.byteLength(JSON.stringify(r.outputs?.__provider ?? ""));
    const { __provider: _p, ...o } = r.outputs ?? {};
    outs += Buffer.byteLength(JSON.stringify(o));
  }
  return { fileBytesPerResource: Buffer.byteLength(text) / n, jsonBytesPerResource: json / n, providerBytesPerResource: prov / n, outputsBytesPerResource: outs / n };
}

// ---------------------------------------------------------------- measurement

interface Sample {
  ms: number;
  requests: Record<string, number>; // "METHOD template" -> count
  usage: Record<string, { cpuMs: number; peakRssMb: number }>;
  serverCpuMs: number;
}

const template = (p: string) => p.replace(/\/m?(vw|db)\d+(?=\/|$)/g, "/{name}").replace(/\?.*$/, "");

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(BIN, "pulumi"))) throw new Error(`no Pulumi CLI at ${BIN}: set PULUMI_WAREHOUSE_PULUMI_BIN (scripts/build-pulumi.sh builds it)`);
  fs.mkdirSync(path.join(REPO, ".pulumi-work"), { recursive: true });
  const work = fs.mkdtempSync(path.join(REPO, ".pulumi-work", "bench-scale-"));
  const servers: ChildProcess[] = [];
  try {
    const floor = await startServer([path.join(__dirname, "scale-floor-server.js"), String(LATENCY)], /^floor (\S+)$/m);
    servers.push(floor.child);
    const floorUrl = /^floor (\S+)$/m.exec(floor.out)![1];
    const emu = await startServer([path.join(REPO, "dist/emulator/cli.js"), "bytehouse", "--port", "0", "--state-dir", path.join(work, "emulator"), "--latency-ms", String(LATENCY)], /^ready$/m);
    servers.push(emu.child);
    const emuUrl = /^emulator bytehouse (\S+)$/m.exec(emu.out)![1];
    const emuEnv = Object.fromEntries([...emu.out.matchAll(/^env (\S+) (.*)$/gm)].map((m) => [m[1], m[2]]));

    const stacks: StackDir[] = [];
    for (const name of STACKS) {
      const dir = path.join(work, name);
      fs.mkdirSync(path.join(dir, "backend"), { recursive: true });
      fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: scale-${name}\nruntime: nodejs\nmain: index.js\n`);
      fs.writeFileSync(path.join(dir, "index.js"), name === "floor" ? FLOOR_PROGRAM : OURS_PROGRAM(name === "mixed"));
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        ...(name === "floor" ? { SCALE_FLOOR_URL: floorUrl } : emuEnv),
        PATH: `${BIN}:${process.env.PATH}`,
        PULUMI_BACKEND_URL: `file://${path.join(dir, "backend")}?metadata=skip`, // no `.attrs` sidecar (test/helpers/pulumi.ts, fileBackendUrl)
        PULUMI_HOME: path.join(dir, "home"),
        PULUMI_CONFIG_PASSPHRASE: "pulumi-warehouse-bench",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_DISABLE_CI_DETECTION: "true",
        ...(args["skip-checkpoints"] ? { PULUMI_SKIP_CHECKPOINTS: "true" } : {}),
      };
      const s = { name, dir, env };
      await pulumi(s, ["stack", "init", "bench", "--non-interactive"]);
      stacks.push(s);
    }

    const serverOf = (s: StackDir) => (s.name === "floor" ? floor.child : emu.child);
    const clearRequests = (s: StackDir) => (s.name === "floor" ? http("DELETE", `${floorUrl}/_floor/requests`) : http("DELETE", `${emuUrl}/_emulator/requests`));
    const requestsOf = async (s: StackDir): Promise<Record<string, number>> => {
      if (s.name === "floor") {
        const c = (await http("GET", `${floorUrl}/_floor/requests`)) as Record<string, number>;
        return Object.fromEntries(Object.entries(c).map(([m, n]) => [`${m} /things/{name}`, n]));
      }
      const log = (await http("GET", `${emuUrl}/_emulator/requests`)) as { method: string; path: string }[];
      const out: Record<string, number> = {};
      for (const e of log) out[`${e.method} ${template(e.path)}`] = (out[`${e.method} ${template(e.path)}`] ?? 0) + 1;
      return out;
    };

    const results: Record<number, Record<Stack, Record<Op, Sample[]>>> = {};
    const states: Record<number, Partial<Record<Stack, StateSize>>> = {};
    const sizes: [number, number][] = SMALL === N ? [[N, ROUNDS]] : [[SMALL, 1], [N, ROUNDS]];
    for (const [n, rounds] of sizes) {
      results[n] = Object.fromEntries(STACKS.map((s) => [s, Object.fromEntries(OPS.map((o) => [o, []]))])) as any;
      states[n] = {};
      for (let round = 0; round < rounds; round++) {
        for (const op of ACTIVE) {
          // interleaved: each operation runs on every stack before the next; the order alternates by round
          const order = round % 2 === 0 ? stacks : [...stacks].reverse();
          for (const s of order) {
            await clearRequests(s);
            const cpu0 = cpuMsOf(serverOf(s).pid!);
            const variant = op === "update one" ? `changed ${round}` : round === 0 ? "bench" : `changed ${round - 1}`;
            const prof: Record<string, string> = args["cpu-prof"]
              ? {
                  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${path.join(__dirname, "cpu-prof-preload.js")}`.trim(),
                  BENCH_CPU_PROF_DIR: path.resolve(args["cpu-prof"], `${n}-${s.name}-${op.replace(/ /g, "-")}`),
                }
              : {};
            // and the CLI's own Go profiles (pulumi --profiling: DIR/…/cli.<pid>.cpu; go tool pprof -top)
            const cliProf = args["cpu-prof"] ? ["--profiling", path.join(prof.BENCH_CPU_PROF_DIR, "cli")] : [];
            if (cliProf.length) fs.mkdirSync(prof.BENCH_CPU_PROF_DIR, { recursive: true });
            const r = await pulumi(s, [...opArgs(op), ...cliProf], { SCALE_N: String(n), SCALE_VARIANT: variant, ...prof });
            const serverCpuMs = cpuMsOf(serverOf(s).pid!) - cpu0;
            results[n][s.name][op].push({ ms: r.ms, requests: await requestsOf(s), usage: r.usage, serverCpuMs });
            if (op === "up" && round === 0) states[n][s.name] = await stateSize(s);
            process.stderr.write(`N=${n} round ${round + 1}/${rounds} ${op.padEnd(10)} ${s.name.padEnd(5)} ${(r.ms / 1000).toFixed(1)} s\n`);
          }
        }
      }
    }
    report(results, states);
  } finally {
    for (const c of servers) c.kill("SIGTERM");
    await Promise.all(servers.map((c) => (c.exitCode === null ? once(c, "exit") : undefined)));
    if (!args.keep) fs.rmSync(work, { recursive: true, force: true });
    else console.log(`work dir kept: ${work}`);
  }
}

// ---------------------------------------------------------------- report

const sec = (ms: number) => (ms / 1000).toFixed(2);
const range = (xs: number[]) => `${sec(Math.min(...xs))}–${sec(Math.max(...xs))}`;

function report(results: Record<number, Record<Stack, Record<Op, Sample[]>>>, states: Record<number, Partial<Record<Stack, StateSize>>>): void {
  const big = results[N];
  const small = results[SMALL];
  console.log(`\n# bench/scale: N = ${N} (growth against N = ${SMALL}), ${ROUNDS} round(s), latency ${LATENCY} ms${args["skip-checkpoints"] ? ", PULUMI_SKIP_CHECKPOINTS=true" : ""}${args.parallelism ? `, pulumi --parallel ${args.parallelism}` : ""}\n`);
  for (const estate of ESTATES) {
    console.log(`## ${estate === "vw" ? `${N} bytehouse.VirtualWarehouse` : `mixed: ${Math.ceil(N / 2)} VirtualWarehouse + ${Math.floor(N / 2)} Database`} vs floor (seconds)\n`);
    console.log("| operation | floor median (min–max) | ours median (min–max) | ratio | requests/resource floor / ours (writes) | growth floor / ours |");
    console.log("|---|---|---|---|---|---|");
    for (const op of ACTIVE) {
      const f = big.floor[op].map((x) => x.ms);
      const o = big[estate][op].map((x) => x.ms);
      const reqs = (xs: Sample[]) => {
        const r = xs[0].requests;
        const total = Object.values(r).reduce((a, b) => a + b, 0);
        const writes = Object.entries(r).filter(([k]) => !k.startsWith("GET ")).reduce((a, [, b]) => a + b, 0);
        return { total: total / N, writes: writes / N, raw: total, rawWrites: writes };
      };
      const rf = reqs(big.floor[op]);
      const ro = reqs(big[estate][op]);
      const growth = (s: Stack) => median(big[s][op].map((x) => x.ms)) / N / (median(small[s][op].map((x) => x.ms)) / SMALL);
      console.log(
        `| ${op} | ${sec(median(f))} (${range(f)}) | ${sec(median(o))} (${range(o)}) | **${(median(o) / median(f)).toFixed(2)}×** | ${rf.total.toFixed(3)} / ${ro.total.toFixed(3)} (${ro.rawWrites}) [${rf.raw} / ${ro.raw}] | ${growth("floor").toFixed(2)} / ${growth(estate).toFixed(2)} |`,
      );
    }
    console.log(`\nours, requests per operation by method and path (first round, N = ${N}; per resource in brackets):`);
    for (const op of ACTIVE) {
      const r = big[estate][op][0].requests;
      const parts = Object.entries(r).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v} [${(v / N).toFixed(3)}]`);
      console.log(`  ${op.padEnd(10)} ${parts.join(", ") || "none"}`);
    }
    if (estate === ESTATES[0] || estate === "mixed") {
      const rb = Object.entries(big[estate].up[0].requests).filter(([k]) => k.startsWith("GET ") && k.includes("{name}"));
      console.log(`  read-back after create (GET of the created object during up): ${rb.map(([k, v]) => `${k}: ${v}`).join(", ") || "none"}`);
    }
    console.log("");
  }
  console.log("## CPU seconds per process class (median over rounds, N = " + N + ") and provider host peak RSS\n");
  console.log("| operation | stack | cli | program | provider host | server (emulator / floor server) | provider host peak RSS MB |");
  console.log("|---|---|---|---|---|---|---|");
  for (const op of ACTIVE) {
    for (const s of STACKS) {
      const xs = big[s][op];
      const c = (cls: string) => sec(median(xs.map((x) => x.usage[cls]?.cpuMs ?? 0)));
      const rss = Math.max(...xs.map((x) => x.usage["provider host"]?.peakRssMb ?? 0));
      console.log(`| ${op} | ${s} | ${c("cli")} | ${c("program")} | ${c("provider host")} | ${sec(median(xs.map((x) => x.serverCpuMs)))} | ${rss.toFixed(0)} |`);
    }
  }
  console.log("\n## State after up: bytes per resource\n");
  console.log("| N | stack | checkpoint file / N | resource JSON | of which __provider (both copies) | outputs without __provider | ratio to floor (resource JSON) |");
  console.log("|---|---|---|---|---|---|---|");
  for (const n of [...new Set([SMALL, N])]) {
    const fl = states[n].floor!;
    for (const s of STACKS) {
      const st = states[n][s]!;
      console.log(`| ${n} | ${s} | ${st.fileBytesPerResource.toFixed(0)} | ${st.jsonBytesPerResource.toFixed(0)} | ${st.providerBytesPerResource.toFixed(0)} | ${st.outputsBytesPerResource.toFixed(0)} | ${(st.jsonBytesPerResource / fl.jsonBytesPerResource).toFixed(3)}× |`);
    }
  }
  console.log("\nratios: ours / floor (medians); growth: (median time / N) ÷ (time / N at the smaller N); requests [totals].");
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
