/** The ByteHouse emulator speaks the vendor doc's API: auth, envelopes, pagination, rules, persistence, faults. */
import { expect } from "chai";
import * as fs from "node:fs";
import { bhCall, startByteHouse, RunningEmulator } from "../helpers/emulators";
import { ByteHouseState } from "../../emulator/bytehouse";

const call = bhCall;

describe("ByteHouse emulator", () => {
  let emu: RunningEmulator<ByteHouseState>;
  beforeEach(async () => (emu = await startByteHouse()));
  afterEach(() => emu.stop());

  it("rejects a bad or missing token with 403 and the error envelope", async () => {
    const r = await call(emu, "GET", "/v1/databases", undefined, "wrong");
    expect(r.status).to.equal(403);
    expect(r.body.error.code).to.equal("AUTHENTICATION_FAILED");
    expect(r.body.message).to.match(/Authentication failed/);
  });

  it("accepts the vendor doc's request samples as written", async () => {
    const db = await call(emu, "POST", "/v1/databases", { name: "db_name", description: "testing database, please don't delete" });
    expect(db.status).to.equal(200);
    expect(db.body.data.uuid).to.be.a("string");
    const vw = await call(emu, "POST", "/v1/virtual-warehouses", { name: "depart1_name2", status: "up", autoSuspend: 5, autoResume: true, configID: 123456, description: "some description about this VW" });
    expect(vw.status).to.equal(200);
    expect(vw.body).to.include({ name: "depart1_name2", vwID: "vw-2100042608-depart1_name2", message: "Success" });
    const upd = await call(emu, "PATCH", "/v1/virtual-warehouses/depart1_name2", { description: "some description about this VW", configID: 123456, status: "up", autoSuspend: 5, autoResume: true });
    expect(upd.body).to.deep.equal({ message: "Success", error: {} });
  });

  it("returns the three envelope families and ids above 2^53 exactly", async () => {
    await call(emu, "POST", "/v1/databases", { name: "d1" });
    const get = await call(emu, "GET", "/v1/databases/d1");
    expect(get.body.data).to.include({ name: "d1", type: "DATABASE" });
    expect(get.text).to.contain('"id":4780622283186922000');
    expect(get.body.data.createdBy.id).to.equal("4780622283186922000");
    await call(emu, "POST", "/v1/virtual-warehouses", { name: "w1", configID: 123457 });
    const vw = await call(emu, "GET", "/v1/virtual-warehouses/w1");
    expect(vw.body).to.include({ id: "vw-2100042608-w1", name: "w1", status: "up", autoSuspend: 0, autoResume: false, configID: 123457, message: "Success" });
    expect(vw.body.createdAt).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    const del = await call(emu, "DELETE", "/v1/databases/d1");
    expect(del.body).to.deep.equal({});
  });

  it("paginates by offset: limit defaults to 10 and is clamped at 100", async () => {
    for (let i = 0; i < 105; i++) emu.server.state.databases[`db${String(i).padStart(3, "0")}`] = { uuid: `u${i}`, name: `db${String(i).padStart(3, "0")}`, description: "", createdAt: "", createdBy: { id: "1", type: "X" } };
    const def = await call(emu, "GET", "/v1/databases");
    expect(def.body.data).to.have.length(10);
    expect(def.body.meta).to.deep.equal({ offset: 0, limit: 10, total: 105 });
    const big = await call(emu, "GET", "/v1/databases?limit=120&offset=4");
    expect(big.body.data).to.have.length(100);
    expect(big.body.data[0].name).to.equal("db004");
    expect((await call(emu, "GET", "/v1/databases?offset=-1")).status).to.equal(400);
    expect((await call(emu, "GET", "/v1/virtual-warehouse-configs")).body.data.map((c: any) => c.name)).to.deep.equal(["XS", "S", "M", "L", "XL"]);
  });

  it("enforces the virtual warehouse rules of the vendor doc", async () => {
    for (const name of ["1abc", "Abc", "abc_", "a".repeat(32), "ab-c", ""]) {
      const r = await call(emu, "POST", "/v1/virtual-warehouses", { name, configID: 123456 });
      expect(r.status, name).to.equal(400);
    }
    expect((await call(emu, "POST", "/v1/virtual-warehouses", { name: "a".repeat(31), configID: 123456 })).status).to.equal(200);
    expect((await call(emu, "POST", "/v1/virtual-warehouses", { name: "w", configID: 0 })).status).to.equal(400);
    expect((await call(emu, "POST", "/v1/virtual-warehouses", { name: "w", configID: 999 })).status).to.equal(400);
    expect((await call(emu, "POST", "/v1/virtual-warehouses", { name: "w", configID: 123456, autoSuspend: -1 })).status).to.equal(400);
    expect((await call(emu, "POST", "/v1/virtual-warehouses", { name: "w", configID: 123456, status: "sideways" })).status).to.equal(400);
    expect((await call(emu, "POST", "/v1/virtual-warehouses", { name: "w", configID: 123456 })).status).to.equal(200);
    const dup = await call(emu, "POST", "/v1/virtual-warehouses", { name: "w", configID: 123456 });
    expect(dup.status).to.equal(422);
    expect(dup.body.error.code).to.equal("VW_ALREADY_EXISTS");
    expect((await call(emu, "PATCH", "/v1/virtual-warehouses/w", { name: "other" })).status).to.equal(400);
    expect((await call(emu, "GET", "/v1/virtual-warehouses/nope")).status).to.equal(404);
  });

  it("keeps state across a restart and logs requests without credentials", async () => {
    await call(emu, "POST", "/v1/databases", { name: "kept" });
    await emu.stop();
    emu = await startByteHouse(emu.stateDir);
    expect((await call(emu, "GET", "/v1/databases/kept")).status).to.equal(200);
    const log = fs.readFileSync(`${emu.stateDir}/bytehouse.requests.jsonl`, "utf8");
    expect(log).to.contain('"path":"/v1/databases"');
    expect(log).to.contain("[REDACTED]");
    expect(log).not.to.contain(emu.apiKey);
  });

  it("injects latency, 429 with Retry-After, 5xx and dropped connections on demand", async () => {
    emu.faults({ rules: [{ method: "GET", path: "^/v1/databases$", status: 429, retryAfter: 3 }, { method: "GET", status: 503 }] });
    const r1 = await call(emu, "GET", "/v1/databases");
    expect(r1.status).to.equal(429);
    expect(r1.headers["retry-after"]).to.equal("3");
    expect((await call(emu, "GET", "/v1/databases")).status).to.equal(503);
    expect((await call(emu, "GET", "/v1/databases")).status).to.equal(200);
    emu.faults({ rules: [{ method: "POST", drop: "after" }] });
    const dropped = await call(emu, "POST", "/v1/databases", { name: "ghost" }).catch((e) => e);
    expect(dropped).to.be.instanceOf(Error);
    expect(emu.server.state.databases.ghost, "applied before the drop").to.exist;
    emu.faults({ latencyMs: 150 });
    const t0 = Date.now();
    await call(emu, "GET", "/v1/databases");
    expect(Date.now() - t0).to.be.at.least(140);
  });
});
