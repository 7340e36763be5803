/** The drift report model (cli/report.ts): statuses from Pulumi's step events, exit codes, renderings. */
import { expect } from "chai";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { buildReport, exitCodeOf, renderHuman, renderMarkdown, resourcesFromEvents, StackReport, SECRET } from "../../cli/report";
import { parseDriftArgs, UsageError } from "../../cli/drift";

const T = "pulumi-nodejs:dynamic/bytehouse:VirtualWarehouse";
const urn = (n: string, t = T) => `urn:pulumi:prod::estate::${t}::${n}`;
let seq = 0;

function refresh(name: string, old: Record<string, unknown>, live: Record<string, unknown> | undefined, t = T): EngineEvent {
  const meta = { op: "refresh", urn: urn(name, t), type: t, provider: "p", old: { urn: urn(name, t), type: t, id: name, parent: "", inputs: { __provider: "x", ...old }, outputs: {} } as any, new: live && ({ urn: urn(name, t), type: t, id: name, parent: "", inputs: { __provider: "x", ...live }, outputs: {} } as any) };
  return { sequence: seq++, timestamp: 0, resOutputsEvent: { metadata: meta as any } };
}
function step(name: string, op: string, declared: Record<string, unknown>, t = T): EngineEvent {
  return { sequence: seq++, timestamp: 0, resourcePreEvent: { metadata: { op, urn: urn(name, t), type: t, provider: "p", new: { urn: urn(name, t), type: t, id: "", parent: "", inputs: declared, outputs: {} } } as any } };
}
function stack(resources: StackReport["resources"], error?: string): StackReport {
  return { directory: "/p", stack: "prod", status: "in-sync", resources, ...(error ? { error } : {}) };
}

describe("gitops: drift report model", () => {
  it("in sync, drifted (declared / last applied / live per field), deleted; stack and provider resources ignored", () => {
    const events = [
      refresh("stack", {}, {}, "pulumi:pulumi:Stack"),
      refresh("default", { a: 1 }, { a: 2 }, "pulumi:providers:pulumi-nodejs"),
      refresh("bi", { name: "bi", size: "M" }, { name: "bi", size: "M" }),
      refresh("etl", { name: "etl", size: "S", autoSuspend: 10 }, { name: "etl", size: "XL", autoSuspend: 10 }),
      refresh("adhoc", { name: "adhoc" }, undefined),
      step("bi", "same", { name: "bi", size: "M" }),
      step("etl", "update", { name: "etl", size: "M", autoSuspend: 10 }),
      step("adhoc", "create", { name: "adhoc" }),
    ];
    const rs = resourcesFromEvents(events);
    expect(rs.map((r) => [r.name, r.status])).to.deep.equal([
      ["adhoc", "deleted"],
      ["bi", "in-sync"],
      ["etl", "drifted"],
    ]);
    const etl = rs.find((r) => r.name === "etl")!;
    expect(etl.fields).to.deep.equal([{ field: "size", declared: "M", lastApplied: "S", live: "XL", secret: false }]);
    expect(etl.plannedOp).to.equal("update");
    expect(rs.find((r) => r.name === "adhoc")!.plannedOp).to.equal("create");
  });

  it("a program change not yet applied is not drift", () => {
    const rs = resourcesFromEvents([refresh("etl", { size: "S" }, { size: "S" }), step("etl", "update", { size: "M" })]);
    expect(rs[0].status).to.equal("in-sync");
    expect(exitCodeOf([stack(rs)])).to.equal(0);
  });

  it("secret values are redacted and flagged; the Markdown never shows them", () => {
    const rs = resourcesFromEvents([refresh("conn", { data: SECRET, name: "c" }, { data: "plain-leak", name: "c" }), step("conn", "update", { data: SECRET, name: "c" })]);
    expect(rs[0].fields).to.deep.equal([{ field: "data", declared: SECRET, lastApplied: SECRET, live: SECRET, secret: true }]);
    const md = renderMarkdown(buildReport([stack(rs)]));
    expect(md).to.contain("_(secret)_").and.not.contain("plain-leak");
  });

  it("an error diagnostic on a resource makes it an error, never in sync", () => {
    const events: EngineEvent[] = [
      refresh("bi", { size: "M" }, { size: "M" }),
      { sequence: seq++, timestamp: 0, diagnosticEvent: { urn: urn("etl"), message: "bytehouse.VirtualWarehouse etl: 429 from ByteHouse", color: "never", severity: "error" } },
    ];
    const rs = resourcesFromEvents(events);
    expect(rs.find((r) => r.name === "etl")).to.deep.include({ status: "error", error: "bytehouse.VirtualWarehouse etl: 429 from ByteHouse" });
    expect(exitCodeOf([stack(rs)])).to.equal(1);
  });

  it("exit codes: 0 no drift, 2 drift or deletion, 1 any error (an error wins), 1 when nothing was checked", () => {
    const ok = { urn: "u", type: T, name: "a", status: "in-sync" as const, fields: [] };
    const drifted = { ...ok, status: "drifted" as const };
    const deleted = { ...ok, status: "deleted" as const };
    expect(exitCodeOf([stack([ok])])).to.equal(0);
    expect(exitCodeOf([stack([ok, drifted])])).to.equal(2);
    expect(exitCodeOf([stack([deleted])])).to.equal(2);
    expect(exitCodeOf([stack([drifted]), stack([], "auth refused")])).to.equal(1);
    expect(exitCodeOf([stack([ok], "network down")])).to.equal(1);
    expect(exitCodeOf([])).to.equal(1);
  });

  it("the JSON report: versioned, with counts and per-stack statuses", () => {
    const r = buildReport([stack([{ urn: "u1", type: T, name: "a", status: "drifted", fields: [] }]), stack([], "boom")], new Date("2026-01-02T03:04:05Z"));
    expect(r).to.deep.include({ schemaVersion: 1, tool: "pulumi-warehouse drift", generatedAt: "2026-01-02T03:04:05.000Z", exitCode: 1 });
    expect(r.summary).to.deep.equal({ stacks: 2, resources: 1, inSync: 0, drifted: 1, deleted: 0, errors: 1 });
    expect(r.stacks.map((s) => s.status)).to.deep.equal(["drifted", "error"]);
    expect(renderHuman(r)).to.contain("ERROR").and.contain("exit code 1");
  });

  it("the argument parser: stacks per directory, DIR#STACK, parallelism checked, exclusive formats", () => {
    const o = parseDriftArgs(["-s", "dev", "--stack", "prod", "a", "b#qa", "--parallelism", "3", "-t", "urn:x"]);
    if (o === "help") throw new Error("help");
    expect(o.targets.map((t) => [t.directory.split("/").pop(), t.stack])).to.deep.equal([["a", "dev"], ["a", "prod"], ["b", "qa"]]);
    expect(o).to.deep.include({ parallelism: 3, target: ["urn:x"] });
    expect(() => parseDriftArgs(["--parallelism", "0"])).to.throw(UsageError);
    expect(() => parseDriftArgs(["--json", "--markdown"])).to.throw(UsageError);
    expect(() => parseDriftArgs(["--bogus"])).to.throw(/bogus/);
    expect(parseDriftArgs(["--help"])).to.equal("help");
  });
});
