/**
 * End to end with the real CLI: adopting a hand-made warehouse and table (made through the
 * ByteHouse API, not by the provider). Adopting something that does not exist fails at preview;
 * without adopt a taken name fails the up naming `adopt: true`, touching nothing; with adopt the
 * up takes both over, resizing the warehouse in place to the declared size (one PATCH, no create),
 * and the next preview shows no changes.
 */
import { expect } from "chai";
import { startByteHouse, bhCall, RunningEmulator } from "../helpers/emulators";
import { inlineStack, TestStack, appendOutputOnFailure } from "../helpers/pulumi";
import type { ByteHouseState } from "../../emulator/bytehouse";
import { bytehouse } from "../../sdk";

function program(o: { adopt: boolean; ghost?: boolean }) {
  return async () => {
    const db = new bytehouse.Database("shop", { name: "shop", description: "Shop data", adopt: true });
    new bytehouse.VirtualWarehouse("etl", { name: "etl", size: "S", autoSuspend: 10, autoResume: true, ...(o.adopt ? { adopt: true } : {}) });
    new bytehouse.Table("orders", {
      adopt: true,
      database: db.name,
      name: "orders",
      columns: [
        { name: "id", type: "UInt64" },
        { name: "amount", type: "Decimal(18,2)", nullable: true },
      ],
      orderByKeys: ["id"],
    });
    if (o.ghost) new bytehouse.VirtualWarehouse("ghost", { name: "ghost", size: "XS", adopt: true });
  };
}

describe("e2e: adopting a hand-made warehouse and table", function () {
  this.timeout(600_000);
  let emu: RunningEmulator<ByteHouseState>;
  let ts: TestStack;
  let out = "";
  const collect = (s: string) => (out += s);

  before(async () => {
    emu = await startByteHouse();
    const ok = async (p: Promise<{ status: number; text: string }>) => {
      const r = await p;
      expect(r.status, r.text).to.equal(200);
    };
    await ok(bhCall(emu, "POST", "/v1/databases", { name: "shop", description: "Shop data" }));
    await ok(bhCall(emu, "POST", "/v1/virtual-warehouses", { name: "etl", configID: 123460, autoSuspend: 10, autoResume: true, status: "up" })); // XL by hand
    await ok(bhCall(emu, "POST", "/v1/databases/shop/tables", { name: "orders", columns: [{ name: "id", type: "UInt64" }, { name: "amount", type: "Decimal(18,2)", nullable: true }], orderByKeys: ["id"] }));
    ts = await inlineStack("adopt", program({ adopt: true, ghost: true }), {
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

  it("adopting an object that does not exist fails at preview, naming it and adopt", async () => {
    const before = emu.requests().length; // after the hand-made objects
    const err = await ts.stack.preview({ onOutput: collect }).catch((e) => e);
    expect(err).to.be.instanceOf(Error);
    expect(`${err.message}\n${out}`).to.contain("ghost").and.contain("no such object to adopt");
    expect(emu.requests().slice(before).filter((r) => r.method !== "GET"), "nothing written").to.deep.equal([]);
  });

  it("without adopt, a taken name fails the up, saying adopt: true takes it over; nothing is changed", async () => {
    ts.stack.workspace.program = program({ adopt: false });
    const before = emu.requests().length;
    const err = await ts.stack.up({ onOutput: collect }).catch((e) => e);
    expect(err).to.be.instanceOf(Error);
    expect(`${err.message}\n${out}`).to.contain("adopt: true");
    expect(emu.server.state.virtualWarehouses.etl.configID, "the hand-made warehouse is untouched").to.equal(123460);
    expect(emu.requests().slice(before).filter((r) => r.method === "PATCH" || r.method === "DELETE")).to.deep.equal([]);
  });

  it("with adopt, up takes both over and resizes the warehouse in place; the next preview shows no changes", async () => {
    ts.stack.workspace.program = program({ adopt: true });
    const before = emu.requests().length;
    const up = await ts.stack.up({ onOutput: collect });
    expect(up.summary.result).to.equal("succeeded");
    const writes = emu.requests().slice(before).filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`);
    // The database was adopted in the failed run already (it had adopt: true): only the warehouse's resize remains.
    expect(writes).to.deep.equal(["PATCH /v1/virtual-warehouses/etl"]);
    expect(emu.server.state.virtualWarehouses.etl).to.include({ configID: 123457, autoSuspend: 10 });
    const state = await ts.stack.exportStack();
    const ids = state.deployment.resources.filter((r: any) => r.type.startsWith("pulumi-nodejs:dynamic/bytehouse:")).map((r: any) => r.id);
    expect(ids).to.include.members(["etl", "shop"]).and.have.length(3);
    expect(Object.keys(emu.server.state.virtualWarehouses), "no second warehouse").to.deep.equal(["etl"]);
    const p = await ts.stack.preview({ onOutput: collect });
    expect(p.changeSummary).to.deep.equal({ same: 4 });
  });
});
