/**
 * End to end: `pulumi-warehouse drift` (the package's bin, run as a child process) on a real
 * project directory and stack, against the ByteHouse emulator. Exit codes 0 / 2 / 1 as documented,
 * the drifted field in the JSON report, and no run ever changes a byte of the backend.
 */
import { expect } from "chai";
import { startByteHouse, RunningEmulator } from "../helpers/emulators";
import { projectStack, ProjectStack } from "../helpers/project";
import type { ByteHouseState } from "../../emulator/bytehouse";
import type { DriftReport } from "../../cli/report";

const PROGRAM = `const { bytehouse } = require("pulumi-warehouse");
new bytehouse.Database("sales", { name: "sales", description: "sales data" });
new bytehouse.VirtualWarehouse("etl", { name: "etl", size: "S", autoSuspend: 10, autoResume: true });
new bytehouse.VirtualWarehouse("adhoc", { name: "adhoc", configId: 123456, status: "down" });
`;

describe("e2e: pulumi-warehouse drift", function () {
  this.timeout(600_000);
  let emu: RunningEmulator<ByteHouseState>;
  let p: ProjectStack;

  /** Runs drift with --json (and a Markdown file); asserts the backend's bytes did not change. */
  async function drift(extra: string[] = []): Promise<{ status: number | null; report: DriftReport; stderr: string; markdown: string }> {
    const before = p.backendFiles();
    const md = `${p.dir}/drift.md`;
    const r = await p.cli(["drift", "--json", "--markdown-file", md, ...extra, `${p.dir}#test`]);
    expect(p.backendFiles(), "the backend (state, history, backups) is byte for byte unchanged").to.deep.equal(before);
    let report: DriftReport;
    try {
      report = JSON.parse(r.stdout);
    } catch {
      throw new Error(`drift printed no JSON (exit ${r.status}): ${r.stdout}\n${r.stderr}`);
    }
    return { status: r.status, report, stderr: r.stderr, markdown: require("node:fs").readFileSync(md, "utf8") };
  }

  before(async () => {
    emu = await startByteHouse();
    p = await projectStack("drift", { "index.js": PROGRAM }, {
      "warehouse:bytehouseEndpoint": { value: emu.url },
      "warehouse:bytehouseApiKey": { value: emu.apiKey, secret: true },
    });
    const up = await p.stack.up();
    expect(up.summary.resourceChanges).to.deep.equal({ create: 4 });
  });
  after(async () => {
    await p?.dispose();
    await emu?.stop();
  });

  it("--help prints the usage and exits 0", async () => {
    const r = await p.cli(["drift", "--help"]);
    expect(r.status).to.equal(0);
    expect(r.stdout).to.contain("usage: pulumi-warehouse drift").and.contain("--parallelism").and.contain("exit codes");
    const bad = await p.cli(["drift", "--no-such-flag"]);
    expect(bad.status).to.equal(1);
    expect(bad.stderr).to.contain("no-such-flag");
  });

  it("an untouched estate: exit 0, every resource in sync", async () => {
    const r = await drift(["--parallelism", "4"]);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.report.schemaVersion).to.equal(1);
    expect(r.report.exitCode).to.equal(0);
    expect(r.report.summary).to.deep.include({ stacks: 1, resources: 3, inSync: 3, drifted: 0, deleted: 0, errors: 0 });
    expect(r.stderr, "progress while it runs").to.contain("refresh preview");
  });

  it("a field changed by hand and an object deleted by hand: exit 2, the field with declared, last applied and live values", async () => {
    emu.server.state.virtualWarehouses.etl.autoSuspend = 0;
    delete emu.server.state.virtualWarehouses.adhoc;
    const r = await drift();
    expect(r.status, r.stderr).to.equal(2);
    expect(r.report.exitCode).to.equal(2);
    expect(r.report.summary).to.deep.include({ resources: 3, inSync: 1, drifted: 1, deleted: 1, errors: 0 });
    const etl = r.report.stacks[0].resources.find((x) => x.name === "etl")!;
    expect(etl.status).to.equal("drifted");
    expect(etl.type).to.equal("pulumi-nodejs:dynamic/bytehouse:VirtualWarehouse");
    expect(etl.fields).to.deep.equal([{ field: "autoSuspend", declared: 10, lastApplied: 10, live: 0, secret: false }]);
    const adhoc = r.report.stacks[0].resources.find((x) => x.name === "adhoc")!;
    expect(adhoc).to.deep.include({ status: "deleted", plannedOp: "create" });
    expect(r.markdown).to.contain("## :warning: pulumi-warehouse drift").and.contain("| `etl` (bytehouse:VirtualWarehouse) | `autoSuspend` | `10` | `10` | `0` |");
    expect(r.markdown).to.contain("#### Deleted out of band").and.contain("`adhoc`");
    expect(r.markdown, "no credential in the PR comment").not.to.contain(emu.apiKey);
  });

  it("--target passes through: only the targeted (untouched) resource is read, exit 0", async () => {
    const urn = (n: string, t: string) => `urn:pulumi:test::pw-drift::pulumi-nodejs:dynamic/bytehouse:${t}::${n}`;
    const r = await drift(["--target", urn("sales", "Database")]);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.report.stacks[0].resources.map((x) => x.name)).to.deep.equal(["sales"]);
  });

  it("a refused credential: exit 1 (never 'no drift'), state untouched", async () => {
    await p.stack.setConfig("warehouse:bytehouseApiKey", { value: "not-the-key", secret: true });
    try {
      const r = await drift();
      expect(r.status, r.stderr).to.equal(1);
      expect(r.report.exitCode).to.equal(1);
      expect(r.report.stacks[0].status).to.equal("error");
      expect(r.report.stacks[0].error).to.match(/refused|403|bytehouseApiKey/);
      expect(JSON.stringify(r.report)).not.to.contain("not-the-key");
    } finally {
      await p.stack.setConfig("warehouse:bytehouseApiKey", { value: emu.apiKey, secret: true });
    }
  });

  it("rate limited on every read: exit 1", async () => {
    emu.faults({ rules: [{ method: "GET", path: "^/v1/virtual-warehouses/", status: 429, retryAfter: 0, times: 1000 }] });
    try {
      const r = await drift();
      expect(r.status, r.stderr).to.equal(1);
      expect(r.report.summary.errors).to.be.greaterThan(0);
    } finally {
      emu.faults({});
    }
  });

  it("the emulator down: exit 1, state untouched", async () => {
    await emu.stop();
    const r = await drift();
    expect(r.status, r.stderr).to.equal(1);
    expect(r.report.stacks[0].status).to.equal("error");
  });
});
