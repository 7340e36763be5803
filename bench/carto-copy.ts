/**
 * Loading a generated CSV of BENCH_SIZE_MB (default 1024) MiB into the CARTO emulator through
 * carto.LoadedData (COPY FROM, streamed), against `curl -X POST -T file` sending the same file
 * to the same endpoint (/api/v2/sql/copyfrom) in the same run, interleaved rounds, medians.
 * Prints each one's throughput, the ratios provider/curl — of the COPY itself (file → answer)
 * and of the whole create (with the TRUNCATE before and the row count/checksum scan after) —
 * and the provider's peak RSS, against the targets (COPY throughput >= 90 % of curl, peak RSS
 * <= 150 MB). Never asserts.
 *
 * The emulator runs as its own process, so its memory is not the provider's; the provider runs
 * in a child process (bench/loaded-data-runner.ts) whose maxRSS is its peak.
 *
 *   npx tsc -p . && node dist/bench/carto-copy.js          # BENCH_SIZE_MB=64 BENCH_REPEAT=1 for a quick run
 */
import { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnEmulator } from "../emulator/process";
import { emulatorFor } from "../emulator";
import { CartoApi, createCartoHttp } from "../provider/carto/api";
import { generateCsv, run, runProvider, RunnerOut, stopProcess } from "./load-bench";
import { mbps, median } from "./stats";

const SIZE_MB = Number(process.env.BENCH_SIZE_MB ?? 1024);
const REPEAT = Math.max(1, Math.min(10, Number(process.env.BENCH_REPEAT ?? 3)));
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_S ?? 3600) * 1000;

const KINDS = ["rail", "metro", "tram", "bus"];

/** A CSV of stations-like rows (name,kind,capacity,the_geom as EWKT) of about `mb` MiB, streamed to disk. */
function generate(file: string, mb: number): Promise<number> {
  return generateCsv(file, mb, "name,kind,capacity,the_geom", (id) => {
    const lon = (((id * 7919) % 360_000) / 1000 - 180).toFixed(4);
    const lat = (((id * 104_729) % 170_000) / 1000 - 85).toFixed(4);
    return `"station ${id}, line ${id % 977}",${KINDS[id % 4]},${id % 500},SRID=4326;POINT(${lon} ${lat})`;
  });
}



async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "carto-bench-"));
  let emulator: ChildProcess | undefined;
  let api: CartoApi | undefined;
  try {
    const file = path.join(tmp, "stations.csv");
    process.stdout.write(`generating ${SIZE_MB} MiB CSV… `);
    const g0 = Date.now();
    const rows = await generate(file, SIZE_MB);
    const bytes = fs.statSync(file).size;
    console.log(`${rows} rows, ${bytes} bytes in ${((Date.now() - g0) / 1000).toFixed(1)}s`);

    const e0 = Date.now();
    const emu = await spawnEmulator("carto", path.join(tmp, "state"), 600_000);
    emulator = emu.child;
    console.log(`emulator (separate process) at ${emu.url}, ready in ${((Date.now() - e0) / 1000).toFixed(1)}s`);
    const settings = emulatorFor("carto").settings(emu.url, {}) as { endpoint: string; user: string; apiKey: string };
    api = new CartoApi(createCartoHttp(settings, { readTimeoutMs: TIMEOUT_MS }), settings);
    for (const t of ["bench_curl", "bench_provider"]) await api.sql(`CREATE TABLE public.${t} (name text, kind text, capacity integer, the_geom geometry(Point,4326))`);

    const copyQ = encodeURIComponent("COPY public.bench_curl (name, kind, capacity, the_geom) FROM STDIN WITH (FORMAT csv, HEADER true)");
    const curlArgs = ["-sS", "--fail-with-body", "-X", "POST", "-T", file, "-H", "Expect:", "-H", "Content-Type: application/octet-stream", "-u", `${settings.user}:${settings.apiKey}`, `${emu.url}/api/v2/sql/copyfrom?q=${copyQ}`];
    const env = { ...process.env, CARTO_ENDPOINT: emu.url, CARTO_USER: settings.user, CARTO_API_KEY: settings.apiKey, CARTO_READ_TIMEOUT_SECONDS: String(TIMEOUT_MS / 1000) };

    const curlMs: number[] = [];
    const variants = [
      { label: "provider create", skip: "1", runs: [] as RunnerOut[] },
      { label: "provider check+create", skip: "0", runs: [] as RunnerOut[] },
    ];
    // Interleaved rounds, so drift of the machine (page cache, emulator state) hits all alike.
    for (let round = 1; round <= REPEAT; round++) {
      await api.sql("TRUNCATE public.bench_curl");
      const curl = await run("curl", curlArgs, TIMEOUT_MS);
      if (curl.code !== 0) throw new Error(`curl failed (${curl.code}): ${curl.stderr} ${curl.stdout}`);
      const copied = JSON.parse(curl.stdout) as { total_rows: number };
      if (copied.total_rows !== rows) throw new Error(`curl: copied ${copied.total_rows} rows, expected ${rows}`);
      curlMs.push(curl.ms);
      console.log(`round ${round}: ${"curl -X POST -T".padEnd(23)} ${(curl.ms / 1000).toFixed(1).padStart(6)}s ${mbps(bytes, curl.ms).toFixed(1).padStart(6)} MiB/s`);
      for (const v of variants) {
        const out = await runProvider("carto", file, "bench_provider", rows, { label: v.label, skipPrepare: v.skip === "1", env, timeoutMs: TIMEOUT_MS });
        v.runs.push(out);
        console.log(
          `round ${round}: ${v.label.padEnd(23)} COPY ${(out.untilAnswerMs / 1000).toFixed(1).padStart(6)}s ${mbps(bytes, out.untilAnswerMs).toFixed(1).padStart(6)} MiB/s` +
            `  (check ${(out.checkMs / 1000).toFixed(1)}s; create ${(out.createMs / 1000).toFixed(1)}s with the TRUNCATE and the count/checksum scan; ${out.progressLines} progress lines)  peak RSS ${(out.maxRssKb / 1024).toFixed(0)} MB`,
        );
      }
    }

    const curlMedian = median(curlMs);
    console.log(`\nmedians over ${REPEAT} round(s), ${(bytes / (1 << 20)).toFixed(0)} MiB, ${rows} rows:`);
    console.log(`  ${"curl -X POST -T".padEnd(23)} ${mbps(bytes, curlMedian).toFixed(1).padStart(6)} MiB/s`);
    for (const v of variants) {
      const copy = median(v.runs.map((o) => o.untilAnswerMs));
      const whole = median(v.runs.map((o) => o.checkMs + o.createMs));
      const rss = Math.max(...v.runs.map((o) => o.maxRssKb)) / 1024;
      const ratio = curlMedian / copy;
      console.log(
        `  ${v.label.padEnd(23)} COPY ${mbps(bytes, copy).toFixed(1).padStart(6)} MiB/s = ${(ratio * 100).toFixed(0)}% of curl (target >= 90%: ${ratio >= 0.9 ? "met" : "NOT met"}); ` +
          `whole ${v.skip === "1" ? "create" : "check+create"} ${mbps(bytes, whole).toFixed(1)} MiB/s = ${((curlMedian / whole) * 100).toFixed(0)}% of curl; ` +
          `peak RSS ${rss.toFixed(0)} MB, worst run (target <= 150 MB: ${rss <= 150 ? "met" : "NOT met"})`,
      );
    }
  } finally {
    await api?.http.close();
    await stopProcess(emulator, 30_000);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
