/**
 * Loading a generated CSV of BENCH_SIZE_MB (default 2048) MiB through altertable.LoadedData,
 * against `curl --data-binary` sending the same file to the same emulator in the same run.
 * (curl --data-binary reads the file into memory and refuses files of 1 GiB or more, so from
 * 1 GiB on the baseline is `curl -X POST -T file`, the same bytes streamed; BENCH_CURL=data-binary
 * or upload-file forces one.) Prints each one's throughput, the ratio provider/curl and the provider's peak RSS, and whether
 * the targets (throughput >= 80% of curl, peak RSS < 150 MB) are met. Never asserts.
 *
 * The emulator runs as its own process, so its memory is not the provider's; the provider runs
 * in a child process (bench/loaded-data-runner.ts) whose maxRSS is its peak.
 * Two provider runs: check + create (what `pulumi up` does: hash at preview, then upload), and
 * create alone (upload only; BENCH_SKIP_PREPARE=1 in the runner).
 *
 *   npx tsc -p . && node dist/bench/altertable-load.js          # BENCH_SIZE_MB=256 for a quick run
 */
import { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnEmulator } from "../emulator/process";
import { generateCsv, run, runProvider, RunnerOut, stopProcess } from "./load-bench";
import { mbps, median } from "./stats";

const USER = "altertable";
const PASS = "altertable-emulator";
const SIZE_MB = Number(process.env.BENCH_SIZE_MB ?? 2048);
const REPEAT = Math.max(1, Math.min(10, Number(process.env.BENCH_REPEAT ?? 3)));
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_S ?? 1800) * 1000;

const COUNTRIES = ["FR", "DE", "US", "JP", "BR", "IN", "NG", "CA"];
const STATUSES = ["new", "paid", "shipped", "refunded"];

/** A realistic CSV (id,name,amount,created_at,country,status,note) of about `mb` MiB, streamed to disk. */
function generate(file: string, mb: number): Promise<number> {
  return generateCsv(file, mb, "id,name,amount,created_at,country,status,note", (id) => {
    const day = String((id % 28) + 1).padStart(2, "0");
    const sec = String(id % 60).padStart(2, "0");
    return `${id},customer_${id % 100_003},${((id * 7919) % 1_000_000) / 100},2025-03-${day} 10:${String(id % 60).padStart(2, "0")}:${sec},${COUNTRIES[id % 8]},${STATUSES[id % 4]},"order ${id}, batch ${id % 977}"`;
  });
}

const startEmulator = (stateDir: string) => spawnEmulator("altertable", stateDir);



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
    const env = { ...process.env, ALTERTABLE_ENDPOINT: emu.url, ALTERTABLE_LAKEHOUSE_USERNAME: USER, ALTERTABLE_LAKEHOUSE_PASSWORD: PASS };

    const curlMs: number[] = [];
    const variants = [
      { label: "provider create", skip: "1", runs: [] as RunnerOut[] },
      { label: "provider check+create", skip: "0", runs: [] as RunnerOut[] },
    ];
    // Interleaved rounds, so drift of the machine (page cache, emulator state) hits all alike.
    for (let round = 1; round <= REPEAT; round++) {
      const curl = await run("curl", ["-sS", "--fail", ...bodyArgs, "-H", `Authorization: Basic ${token}`, `${emu.url}/upsert?catalog=lakehouse&schema=main&table=bench_curl&mode=overwrite`], TIMEOUT_MS);
      if (curl.code !== 0) throw new Error(`curl failed (${curl.code}): ${curl.stderr}`);
      curlMs.push(curl.ms);
      console.log(`round ${round}: ${curlLabel.padEnd(27)} ${(curl.ms / 1000).toFixed(1).padStart(6)}s ${mbps(bytes, curl.ms).toFixed(1).padStart(6)} MiB/s`);
      for (const v of variants) {
        const out = await runProvider("altertable", file, "bench_provider", rows, { label: v.label, skipPrepare: v.skip === "1", env, timeoutMs: TIMEOUT_MS });
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
    await stopProcess(emulator, 10_000);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
