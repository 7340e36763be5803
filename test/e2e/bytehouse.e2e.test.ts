/**
 * End to end: the real `pulumi` CLI (scripts/build-pulumi.sh) drives the provider against the
 * ByteHouse emulator through the Automation API, with a local file backend. The steps run in
 * order on one stack, as a user would: preview, up, no-op, drift, out-of-band delete, rename,
 * bad input, destroy.
 */
import { expect } from "chai";
import { startByteHouse, RunningEmulator } from "../helpers/emulators";
import { inlineStack, TestStack, appendOutputOnFailure } from "../helpers/pulumi";
import { ByteHouseState } from "../../emulator/bytehouse";
import { bytehouse } from "../../sdk";

interface Desired {
  dbName: string;
  vwName: string;
  autoSuspend: number;
  badVwName?: string;
}

function program(d: Desired) {
  return async () => {
    const db = new bytehouse.Database("sales", { name: d.dbName, description: "sales data" });
    const vw = new bytehouse.VirtualWarehouse("etl", { name: d.vwName, size: "S", autoSuspend: d.autoSuspend, autoResume: true });
    new bytehouse.VirtualWarehouse("adhoc", { name: d.badVwName ?? "adhoc", configId: 123456, status: "down" });
    return { dbUuid: db.uuid, vwId: vw.vwId };
  };
}

describe("e2e: ByteHouse with the real pulumi CLI", function () {
  this.timeout(600_000);
  let emu: RunningEmulator<ByteHouseState>;
  let ts: TestStack;
  let out = "";
  const desired: Desired = { dbName: "sales", vwName: "etl", autoSuspend: 10 };
  const collect = (s: string) => (out += s);
  const use = (d: Partial<Desired>) => (ts.stack.workspace.program = program(Object.assign(desired, d)));

  before(async () => {
    emu = await startByteHouse();
    ts = await inlineStack("bytehouse", program(desired), {
      "warehouse:bytehouseEndpoint": { value: emu.url },
      "warehouse:bytehouseApiKey": { value: emu.apiKey, secret: true },
    });
  });
  after(async () => {
    await ts?.dispose();
    await emu?.stop();
  });
  beforeEach(() => (out = ""));
  appendOutputOnFailure(() => out);

  it("preview lists the creates and changes nothing", async () => {
    const p = await ts.stack.preview({ onOutput: collect });
    expect(p.changeSummary.create).to.equal(4); // the stack + 3 resources
    expect(out).to.contain("bytehouse:Database").and.contain("bytehouse:VirtualWarehouse");
    expect(emu.server.state.databases).to.deep.equal({});
  });

  it("up creates the estate", async () => {
    const r = await ts.stack.up({ onOutput: collect });
    expect(r.summary.resourceChanges).to.deep.include({ create: 4 });
    expect(r.outputs.vwId.value).to.equal("vw-2100042608-etl");
    expect(emu.server.state.virtualWarehouses.etl).to.include({ configID: 123457, autoSuspend: 10, autoResume: true, status: "up" });
    expect(emu.server.state.virtualWarehouses.adhoc).to.include({ status: "down" });
    expect(Object.keys(emu.server.state.databases)).to.deep.equal(["sales"]);
  });

  it("a second up, and a preview, change nothing", async () => {
    const p = await ts.stack.preview({ onOutput: collect });
    expect(p.changeSummary).to.deep.equal({ same: 4 });
    const r = await ts.stack.up({ onOutput: collect });
    expect(r.summary.resourceChanges).to.deep.equal({ same: 4 });
  });

  it("refresh of an untouched estate reports nothing", async () => {
    const r = await ts.stack.refresh({ onOutput: collect });
    expect(r.summary.resourceChanges).to.deep.equal({ same: 4 });
  });

  it("refresh shows an out-of-band change, and up puts it back", async () => {
    const vw = emu.server.state.virtualWarehouses.etl;
    vw.autoSuspend = 0;
    vw.configID = 123460; // XL
    const r = await ts.stack.refresh({ onOutput: collect });
    expect(r.summary.resourceChanges).to.deep.equal({ same: 3, update: 1 });
    expect(out).to.contain("[diff: ~autoSuspend,size]");
    out = "";
    const p = await ts.stack.preview({ onOutput: collect, diff: true });
    expect(p.changeSummary).to.deep.equal({ same: 3, update: 1 });
    expect(out).to.match(/autoSuspend\s*:\s*0\s*=>\s*10/).and.match(/size\s*:\s*"XL"\s*=>\s*"S"/);
    const u = await ts.stack.up({ onOutput: collect });
    expect(u.summary.resourceChanges).to.deep.equal({ same: 3, update: 1 });
    expect(emu.server.state.virtualWarehouses.etl).to.include({ configID: 123457, autoSuspend: 10 });
  });

  it("refresh drops an object deleted out of band, and up recreates it", async () => {
    delete emu.server.state.virtualWarehouses.adhoc;
    const r = await ts.stack.refresh({ onOutput: collect });
    expect(r.summary.resourceChanges).to.deep.equal({ same: 3, delete: 1 });
    const u = await ts.stack.up({ onOutput: collect });
    expect(u.summary.resourceChanges).to.deep.equal({ same: 3, create: 1 });
    expect(emu.server.state.virtualWarehouses.adhoc).to.include({ status: "down", configID: 123456 });
  });

  it("an in-place change updates without replacing", async () => {
    use({ autoSuspend: 30 });
    const u = await ts.stack.up({ onOutput: collect });
    expect(u.summary.resourceChanges).to.deep.equal({ same: 3, update: 1 });
    expect(emu.server.state.virtualWarehouses.etl.autoSuspend).to.equal(30);
  });

  it("a rename replaces the warehouse (new one created before the old is deleted)", async () => {
    use({ vwName: "etl_v2" });
    const p = await ts.stack.preview({ onOutput: collect, diff: true });
    expect(p.changeSummary).to.deep.equal({ same: 3, replace: 1 });
    const u = await ts.stack.up({ onOutput: collect });
    expect(u.summary.resourceChanges).to.deep.equal({ same: 3, replace: 1 });
    expect(Object.keys(emu.server.state.virtualWarehouses).sort()).to.deep.equal(["adhoc", "etl_v2"]);
  });

  it("invalid input fails at preview, naming resource, field and rule, before any request", async () => {
    use({ badVwName: "Bad-Name" });
    emu.server.log.length = 0;
    const err = await ts.stack.preview({ onOutput: collect }).catch((e) => e);
    expect(err).to.be.instanceOf(Error);
    const text = `${err.message}\n${out}`;
    expect(text).to.contain("adhoc").and.contain("bytehouse.VirtualWarehouse name").and.contain("must be 1-31 characters");
    // The one request allowed is the provider's credential check (one cached read per process).
    const calls = emu.requests().map((r) => `${r.method} ${r.path}`);
    expect(calls.filter((c) => c !== "GET /v1/virtual-warehouse-configs"), "no other request reached the emulator").to.deep.equal([]);
    expect(calls.length, "at most the one credential check").to.be.at.most(1);
    use({ badVwName: undefined });
  });

  it("the state holds no credential in plaintext", async () => {
    // Every file of the backend: the stack's state, its history and backups.
    const text = ts.backendText();
    expect(text).to.contain("bytehouse:VirtualWarehouse");
    expect(text).not.to.contain(emu.apiKey);
    // The engine hands dynamic providers the whole stack config; the key's only trace is ciphertext.
    expect(text).to.contain("ciphertext");
  });

  it("destroy leaves the emulator empty", async () => {
    const r = await ts.stack.destroy({ onOutput: collect });
    expect(r.summary.resourceChanges).to.deep.equal({ delete: 4 });
    expect(emu.server.state.databases).to.deep.equal({});
    expect(emu.server.state.virtualWarehouses).to.deep.equal({});
  });
});

describe("e2e: a create that fails after the object exists", function () {
  this.timeout(600_000);
  let emu: RunningEmulator<ByteHouseState>;
  let ts: TestStack;

  before(async () => {
    emu = await startByteHouse();
    ts = await inlineStack(
      "bytehouse-partial",
      async () => {
        new bytehouse.VirtualWarehouse("half", { name: "half", size: "XS" });
      },
      { "warehouse:bytehouseEndpoint": { value: emu.url }, "warehouse:bytehouseApiKey": { value: emu.apiKey, secret: true } },
    );
  });
  after(async () => {
    await ts?.dispose();
    await emu?.stop();
  });

  it("is still tracked in state (never orphaned), and the next up completes it", async () => {
    // The POST succeeds; every read-back of the new warehouse fails.
    emu.faults({ rules: [{ method: "GET", path: "^/v1/virtual-warehouses/half$", status: 500, times: 50 }] });
    const err = await ts.stack.up().catch((e) => e);
    expect(err).to.be.instanceOf(Error);
    expect(Object.keys(emu.server.state.virtualWarehouses)).to.deep.equal(["half"]);
    const state = await ts.stack.exportStack();
    const tracked = state.deployment.resources.find((r: any) => r.type === "pulumi-nodejs:dynamic/bytehouse:VirtualWarehouse");
    expect(tracked, "the half-created warehouse is in state").to.exist;
    expect(tracked.id).to.equal("half");

    emu.faults({});
    const r = await ts.stack.up();
    expect(r.summary.result).to.equal("succeeded");
    expect(r.summary.resourceChanges?.create ?? 0, "not created a second time").to.equal(0);
    expect(emu.requests().filter((q) => q.method === "POST")).to.have.length(1);
    const d = await ts.stack.destroy();
    expect(d.summary.resourceChanges).to.deep.equal({ delete: 2 });
    expect(emu.server.state.virtualWarehouses).to.deep.equal({});
  });
});
