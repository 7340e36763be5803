/**
 * Loading a generated CSV of BENCH_SIZE_MB (default 2048) MiB through altertable.LoadedData,
 * against `curl --data-binary` sending the same file to the same emulator in the same run.
 * (curl --data-binary reads the file into memory and refuses files of 1 GiB or more, so from
 * 1 GiB on the baseline is `curl -X POST -T file`, the same bytes streamed; BENCH_CURL=data-binary
 * or upload-file forces one.) Prints each one's throughput, the ratio provider/curl and the provider's peak RSS, and whether
 * the targets (throughput >= 80% of curl, peak RSS < 150 MB) are met. Never asserts.
 *
 * The emulator runs as its own process, so its memory is not the provider's; the provider runs
 * in a child process (bench/altertable-load-runner.ts) whose maxRSS is its peak.
 * Two provider runs: check + create (what `pulumi up` does: hash at preview, then upload), and
 * create alone (upload only; BENCH_SKIP_PREPARE=1 in the runner).
 *
 *   npx tsc -p . && node dist/bench/altertable-load.js          # BENCH_SIZE_MB=256 for a quick run
 */
import { ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnEmulator } from "../emulator/process";
import { mbps, median } from "./stats";

const REPO = path.resolve(__dirname, "../..");
const USER = "altertable";
const PASS = "altertable-emulator";
const SIZE_MB = Number(process.env.BENCH_SIZE_MB ?? 2048);
const REPEAT = Math.max(1, Math.min(10, Number(process.env.BENCH_REPEAT ?? 3)));
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_S ?? 1800) * 1000;

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (killed after TIMEOUT_MS). */
async function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<RunResult & { ms: number }> {
  const t0 = process.hrtime.bigint();
  const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
    if (env.BENCH_VERBOSE) process.stderr.write(d);
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
  const [code] = (await once(child, "exit")) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

/** A realistic CSV (id,name,amount,created_at,country,status,note) of about `mb` MiB, streamed to disk. */
async function generate(file: string, mb: number): Promise<number> {
  const out = fs.createWriteStream(file, { highWaterMark: 1 << 20 });
  out.write("id,name,amount,created_at,country,status,note\n");
  const countries = ["FR", "DE", "US", "JP", "BR", "IN", "NG", "CA"];
  const statuses = ["new", "paid", "shipped", "refunded"];
  const target = mb * 1024 * 1024;
  let size = 0;
  let id = 0;
  while (size < target) {
    let chunk = "";
    for (let i = 0; i < 10_000; i++, id++) {
      const day = String((id % 28) + 1).padStart(2, "0");
      const sec = String(id % 60).padStart(2, "0");
      chunk += `${id},customer_${id % 100_003},${((id * 7919) % 1_000_000) / 100},2025-03-${day} 10:${String(id % 60).padStart(2, "0")}:${sec},${countries[id % 8]},${statuses[id % 4]},"order ${id}, batch ${id % 977}"\n`;
    }
    size += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return id;
}

const startEmulator = (stateDir: string) => spawnEmulator("altertable", stateDir);

interface RunnerOut {
  checkMs: number;
  createMs: number;
  sendMs: number;
  rowCount: number;
  bytes: number;
  maxRssKb: number;
  progressLines: number;
}


async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "at-bench-"));
  let emulator: ChildProcess | undefined;
  try {
    const file = path.join(tmp, "orders.csv");
    process.stdout.write(`generating ${SIZE_MB} MiB CSV… `);
    const g0 = Date.now();
    const rows = await generate(file, SIZE_MB);
    const bytes = fs.statSync(file).size;
    console.log(`${rows} rows, ${bytes} bytes in ${((Date.now() - g0) / 1000).toFixed(1)}s`);

    const emu = await startEmulator(path.join(tmp, "state"));
    emulator = emu.child;
    console.log(`emulator (separate process) at ${emu.url}`);

    const token = Buffer.from(`${USER}:${PASS}`).toString("base64");
    // curl reads a --data-binary file into memory and refuses one of 1 GiB or more ("out of
    // memory", curl's file-to-memory cap); -T streams the same bytes from disk (POST, no Expect).
    const curlMode = process.env.BENCH_CURL ?? (bytes >= 1 << 30 ? "upload-file" : "data-binary");
    const bodyArgs = curlMode === "data-binary" ? ["--data-binary", `@${file}`] : ["-X", "POST", "-T", file, "-H", "Expect:"];
    const curlLabel = curlMode === "data-binary" ? "curl --data-binary" : "curl -X POST -T (streamed)";
    const runner = path.join(REPO, "dist/bench/altertable-load-runner.js");
    const env = { ...process.env, ALTERTABLE_ENDPOINT: emu.url, ALTERTABLE_LAKEHOUSE_USERNAME: USER, ALTERTABLE_LAKEHOUSE_PASSWORD: PASS };

    const curlMs: number[] = [];
    const variants = [
      { label: "provider create", skip: "1", runs: [] as RunnerOut[] },
      { label: "provider check+create", skip: "0", runs: [] as RunnerOut[] },
    ];
    // Interleaved rounds, so drift of the machine (page cache, emulator state) hits all alike.
    for (let round = 1; round <= REPEAT; round++) {
      const curl = await run("curl", ["-sS", "--fail", ...bodyArgs, "-H", `Authorization: Basic ${token}`, `${emu.url}/upsert?catalog=lakehouse&schema=main&table=bench_curl&mode=overwrite`]);
      if (curl.code !== 0) throw new Error(`curl failed (${curl.code}): ${curl.stderr}`);
      curlMs.push(curl.ms);
      console.log(`round ${round}: ${curlLabel.padEnd(27)} ${(curl.ms / 1000).toFixed(1).padStart(6)}s ${mbps(bytes, curl.ms).toFixed(1).padStart(6)} MiB/s`);
      for (const v of variants) {
        const r = await run(process.execPath, [runner, file, "bench_provider"], { ...env, BENCH_SKIP_PREPARE: v.skip });
        if (r.code !== 0) throw new Error(`${v.label} failed (${r.code}): ${r.stderr || r.stdout}`);
        const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as RunnerOut;
        if (out.rowCount !== rows) throw new Error(`${v.label}: loaded ${out.rowCount} rows, expected ${rows}`);
        v.runs.push(out);
        const ms = out.checkMs + out.createMs;
        console.log(
          `round ${round}: ${v.label.padEnd(27)} ${(ms / 1000).toFixed(1).padStart(6)}s ${mbps(bytes, ms).toFixed(1).padStart(6)} MiB/s` +
            `  (check ${(out.checkMs / 1000).toFixed(1)}s; create ${(out.createMs / 1000).toFixed(1)}s of which sending ${(out.sendMs / 1000).toFixed(1)}s; ${out.progressLines} progress lines)  peak RSS ${(out.maxRssKb / 1024).toFixed(0)} MB`,
        );
      }
    }

    const curlMedian = median(curlMs);
    console.log(`\nmedians over ${REPEAT} round(s), ${(bytes / (1 << 20)).toFixed(0)} MiB:`);
    console.log(`  ${curlLabel.padEnd(27)} ${mbps(bytes, curlMedian).toFixed(1).padStart(6)} MiB/s`);
    for (const v of variants) {
      const ms = median(v.runs.map((o) => o.checkMs + o.createMs));
      const rss = Math.max(...v.runs.map((o) => o.maxRssKb)) / 1024;
      const ratio = curlMedian / ms;
      console.log(
        `  ${v.label.padEnd(27)} ${mbps(bytes, ms).toFixed(1).padStart(6)} MiB/s = ${(ratio * 100).toFixed(0)}% of curl (target >= 80%: ${ratio >= 0.8 ? "met" : "NOT met"}); ` +
          `peak RSS ${rss.toFixed(0)} MB, worst run (target < 150 MB: ${rss < 150 ? "met" : "NOT met"})`,
      );
    }
  } finally {
    if (emulator && emulator.exitCode === null) {
      emulator.kill("SIGTERM");
      await Promise.race([once(emulator, "exit"), new Promise((r) => setTimeout(r, 10_000))]);
      if (emulator.exitCode === null) emulator.kill("SIGKILL");
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
