/**
 * What the two load benchmarks (bench/altertable-load.ts, bench/carto-copy.ts) share: running a
 * command to completion, streaming a generated CSV to disk, running the provider's LoadedData in
 * a child process (bench/loaded-data-runner.ts) and reading its one-line report, and stopping the
 * emulator. Each benchmark keeps only its vendor's file shape, baseline and report.
 */
import { ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import * as fs from "node:fs";
import * as path from "node:path";

const REPO = path.resolve(__dirname, "../..");

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to completion (killed after timeoutMs). */
export async function run(cmd: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  const t0 = process.hrtime.bigint();
  const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
    if (env.BENCH_VERBOSE) process.stderr.write(d);
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const [code] = (await once(child, "exit")) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

/** A CSV of about `mb` MiB, streamed to disk in chunks of 10,000 rows: `header`, then `row(id)` for id = 0, 1, …; returns the row count. */
export async function generateCsv(file: string, mb: number, header: string, row: (id: number) => string): Promise<number> {
  const out = fs.createWriteStream(file, { highWaterMark: 1 << 20 });
  out.write(`${header}\n`);
  const target = mb * 1024 * 1024;
  let size = 0;
  let id = 0;
  while (size < target) {
    let chunk = "";
    for (let i = 0; i < 10_000; i++, id++) chunk += `${row(id)}\n`;
    size += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return id;
}

/** The runner's one-line report (bench/loaded-data-runner.ts). */
export interface RunnerOut {
  checkMs: number;
  createMs: number;
  /** From the first byte sent to the last ("uploaded … (100%)"). */
  sendMs: number;
  /** From the first byte sent to the vendor's answer to the load (the vendor's own progress line). */
  untilAnswerMs: number;
  rowCount: number;
  bytes: number;
  maxRssKb: number;
  progressLines: number;
}

/**
 * One provider run in a child process (check + create, or create alone with `skipPrepare`),
 * loading `file` into `table` of `vendor` with the settings in `env`; fails unless every row loaded.
 */
export async function runProvider(vendor: string, file: string, table: string, rows: number, opts: { label: string; skipPrepare: boolean; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<RunnerOut> {
  const runner = path.join(REPO, "dist/bench/loaded-data-runner.js");
  const r = await run(process.execPath, [runner, vendor, file, table], opts.timeoutMs, { ...opts.env, BENCH_SKIP_PREPARE: opts.skipPrepare ? "1" : "0" });
  if (r.code !== 0) throw new Error(`${opts.label} failed (${r.code}): ${r.stderr || r.stdout}`);
  const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as RunnerOut;
  if (out.rowCount !== rows) throw new Error(`${opts.label}: loaded ${out.rowCount} rows, expected ${rows}`);
  return out;
}

/** SIGTERM, then SIGKILL after `graceMs` if it has not exited. */
export async function stopProcess(child: ChildProcess | undefined, graceMs: number): Promise<void> {
  if (!child || child.exitCode !== null) return;
  child.kill("SIGTERM");
  await Promise.race([once(child, "exit"), new Promise((r) => setTimeout(r, graceMs))]);
  if (child.exitCode === null) child.kill("SIGKILL");
}
