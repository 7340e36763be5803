/**
 * Child process of bench/carto-copy.ts: loads one file through carto.LoadedData (check, unless
 * BENCH_SKIP_PREPARE=1, then create; mode overwrite) against the emulator at CARTO_ENDPOINT, and
 * prints one JSON line: timings per phase and its peak RSS.
 *
 *   node dist/bench/carto-copy-runner.js <file> <table>
 */
import { buildHandlers } from "../provider/framework/engine";
import { vendorNamed } from "../provider/registry";
import { resolveSettings } from "../provider/registry";
import { CartoApi } from "../provider/carto/api";
import { cartoLoadedData, cartoLoadedDataInputs } from "../provider/carto/loadedData";

async function main(): Promise<void> {
  const [file, table] = process.argv.slice(2);
  if (!file || !table) throw new Error("usage: carto-copy-runner <file> <table>");
  const api = vendorNamed("carto").createApi(resolveSettings("carto", undefined) as never) as CartoApi;
  const now = () => Number(process.hrtime.bigint()) / 1e6;
  const t0 = now();
  const marks: Record<string, number> = {};
  let progressLines = 0;
  const h = buildHandlers(cartoLoadedData, () => api, (m) => {
    if (m.includes("] loading ")) marks.uploadStart = now();
    if (m.includes("] CARTO copied ")) marks.copied = now();
    if (m.includes("uploaded")) progressLines++;
    if (process.env.BENCH_VERBOSE) process.stderr.write(`${m}\n`);
  });
  const program = { table, file, mode: "overwrite" };
  // Without check: the schema's defaults only (no hash, no look at the table).
  let inputs: Record<string, unknown> = cartoLoadedDataInputs.parse(program);
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
      // create = TRUNCATE + COPY (file → socket → table, until /copyfrom answers) + the row count/checksum scan
      copyMs: (marks.copied ?? t2) - (marks.uploadStart ?? t1),
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
