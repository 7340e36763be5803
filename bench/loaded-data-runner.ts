/**
 * Child process of the load benchmarks (bench/altertable-load.ts, bench/carto-copy.ts): loads one
 * file through the vendor's LoadedData kind (check, unless BENCH_SKIP_PREPARE=1, then create;
 * mode overwrite) against the endpoint in the vendor's settings (environment variables), and prints
 * one JSON line (bench/load-bench.ts RunnerOut): timings per phase and its peak RSS.
 *
 *   node dist/bench/loaded-data-runner.js <vendor> <file> <table>
 */
import { buildHandlers } from "../provider/framework/engine";
import { resolveSettings, vendorNamed } from "../provider/registry";

/** Per vendor: the inputs besides table, file and mode; the progress line that marks the vendor's answer to the load. */
const VENDORS: Record<string, { inputs: Record<string, unknown>; answered: string }> = {
  altertable: { inputs: { catalog: "lakehouse" }, answered: "] loaded " },
  carto: { inputs: {}, answered: "] CARTO copied " },
};

async function main(): Promise<void> {
  const [vendorName, file, table] = process.argv.slice(2);
  const facts = VENDORS[vendorName ?? ""];
  if (!facts || !file || !table) throw new Error(`usage: loaded-data-runner <${Object.keys(VENDORS).join("|")}> <file> <table>`);
  const vendor = vendorNamed(vendorName);
  const spec = vendor.specs.find((s) => s.kind === "LoadedData")!;
  const api = vendor.createApi(resolveSettings(vendorName, undefined) as never) as { http: { close(): Promise<void> } };
  const now = () => Number(process.hrtime.bigint()) / 1e6;
  const t0 = now();
  const marks: Record<string, number> = {};
  let progressLines = 0;
  const h = buildHandlers(spec, () => api, (m) => {
    if (m.includes("] loading ")) marks.uploadStart = now();
    if (m.includes("(100%)")) marks.uploadEnd = now();
    if (m.includes(facts.answered)) marks.answered ??= now();
    if (m.includes("uploaded")) progressLines++;
    if (process.env.BENCH_VERBOSE) process.stderr.write(`${m}\n`);
  });
  const program = { ...facts.inputs, table, file, mode: "overwrite" };
  // Without check: the schema's defaults only (no hash, no look at the table).
  let inputs: Record<string, unknown> = spec.inputs.parse(program) as Record<string, unknown>;
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
      sendMs: (marks.uploadEnd ?? t1) - (marks.uploadStart ?? t1),
      untilAnswerMs: (marks.answered ?? t2) - (marks.uploadStart ?? t1),
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
