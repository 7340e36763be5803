/**
 * Reads V8 CPU profiles (`node --cpu-prof`, e.g. from `node dist/bench/scale.js --cpu-prof DIR`)
 * and prints, per profile, which process it is (the dynamic-provider host or the program), its
 * sampled CPU, the self time by package (ours grouped by file under dist/) and the functions with
 * the most self time. Used to find where our per-resource CPU goes against the floor.
 *
 *   node dist/bench/cpu-profile.js DIR/100-vw-up/*.cpuprofile [--top 20]
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: "string" } } });
const TOP = Number(values.top ?? 20);

function group(url: string): string {
  if (!url) return "(native)";
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const ours = /\/dist\/(.*)$/.exec(url);
  if (ours) return `ours: ${ours[1]}`;
  if (url.startsWith("node:")) return "node";
  return url.slice(-60);
}

function summarise(file: string): void {
  const p = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const byGroup = new Map<string, number>();
  const byFn = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const cf = nodes.get(id)!.callFrame;
    if (cf.functionName === "(idle)") continue;
    total += us;
    const g = cf.functionName.startsWith("(") ? cf.functionName : group(cf.url);
    byGroup.set(g, (byGroup.get(g) ?? 0) + us);
    const fn = `${cf.functionName || "(anonymous)"} ${g}:${cf.lineNumber + 1}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
  }
  // Inclusive time of each function of ours and of each package entered from ours (a stack counts once per name).
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const names = new Set<string>();
    let fromOurs = false;
    const chain: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) chain.unshift(nodes.get(at)!);
    for (const n of chain) {
      const g = group(n.callFrame.url);
      if (g.startsWith("ours:")) {
        fromOurs = true;
        names.add(`${n.callFrame.functionName || "(anonymous)"} ${g}:${n.callFrame.lineNumber + 1}`);
      } else if (fromOurs && !g.startsWith("(") && g !== "node") names.add(`[from ours] ${g}`);
    }
    for (const k of names) inclusive.set(k, (inclusive.get(k) ?? 0) + us);
  }
  const host = p.nodes.some((n) => /dynamic-provider/.test(n.callFrame.url));
  const ours = [...byGroup].filter(([g]) => g.startsWith("ours:")).reduce((a, [, us]) => a + us, 0);
  console.log(`\n${file}: ${host ? "provider host" : "program"}, ${(total / 1e6).toFixed(2)} s sampled CPU, ours (self) ${(ours / 1e6).toFixed(2)} s`);
  const show = (m: Map<string, number>, k: number) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, k).forEach(([g, us]) => console.log(`  ${(us / 1000).toFixed(0).padStart(7)} ms  ${g}`));
  console.log("  by package (self):");
  show(byGroup, TOP);
  console.log("  by function (self):");
  show(byFn, TOP);
  console.log("  ours, inclusive (callees counted):");
  show(inclusive, TOP);
}

for (const f of positionals) summarise(f);
