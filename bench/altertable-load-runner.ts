/**
 * Child process of bench/altertable-load.ts: loads one file through altertable.LoadedData
 * (check, unless BENCH_SKIP_PREPARE=1, then create; mode overwrite) against the emulator at
 * ALTERTABLE_ENDPOINT, and prints one JSON line: timings per phase and its peak RSS.
 *
 *   node dist/bench/altertable-load-runner.js <file> <table>
 */
import { buildHandlers } from "../provider/framework/engine";
import { AltertableApi, createAltertableHttp } from "../provider/altertable/api";
import { loadedData, loadedDataInputs } from "../provider/altertable/loadedData";
import { resolveSettings } from "../provider/registry";

async function main(): Promise<void> {
  const [file, table] = process.argv.slice(2);
  if (!file || !table) throw new Error("usage: altertable-load-runner <file> <table>");
  const api = new AltertableApi(createAltertableHttp(resolveSettings("altertable", undefined) as any));
  const now = () => Number(process.hrtime.bigint()) / 1e6;
  const t0 = now();
  const marks: Record<string, number> = {};
  let progressLines = 0;
  const h = buildHandlers(loadedData, () => api, (m) => {
    if (m.includes("] loading ")) marks.uploadStart = now();
    if (m.includes("(100%)")) marks.uploadEnd = now();
    if (m.includes("] loaded ")) marks.loaded = now();
    if (m.includes("uploaded")) progressLines++;
    if (process.env.BENCH_VERBOSE) process.stderr.write(`${m}\n`);
  });
  const program = { catalog: "lakehouse", table, file, mode: "overwrite" };
  // Without check: the schema's defaults only (no hash, no look at the table).
  let inputs: Record<string, unknown> = loadedDataInputs.parse(program);
  if (process.env.BENCH_SKIP_PREPARE !== "1") {
    const c = await h.check({}, program);
    if (c.failures.length) throw new Error(c.failures.map((f) => f.reason).join("; "));
    inputs = c.inputs;
  }
  const t1 = now();
  const r = await h.create(inputs);
  const t2 = now();
  await api.http.close();
  console.log(
    JSON.stringify({
      checkMs: t1 - t0,
      createMs: t2 - t1,
      // create = send (file → socket) + vendor load (until /upsert answers) + count/checksum query (+ the small rest)
      sendMs: (marks.uploadEnd ?? t1) - (marks.uploadStart ?? t1),
      rowCount: r.outs.rowCount,
      bytes: r.outs.bytes,
      maxRssKb: process.resourceUsage().maxRSS,
      progressLines,
    }),
  );
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
