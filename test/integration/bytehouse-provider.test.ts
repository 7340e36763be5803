/** Provider operations (the handlers Pulumi calls) against the ByteHouse emulator over real HTTP. */
import { expect } from "chai";
import { startByteHouse, RunningEmulator } from "../helpers/emulators";
import { ByteHouseState } from "../../emulator/bytehouse";
import { buildHandlers, Handlers, observedOf } from "../../provider/framework/engine";
import { ByteHouseApi, createByteHouseHttp } from "../../provider/bytehouse/api";
import { virtualWarehouse } from "../../provider/bytehouse/virtualWarehouse";
import { database } from "../../provider/bytehouse/database";

describe("ByteHouse provider against the emulator", () => {
  let emu: RunningEmulator<ByteHouseState>;
  let api: ByteHouseApi;
  let vw: Handlers;
  let db: Handlers;
  const progress: string[] = [];

  beforeEach(async () => {
    emu = await startByteHouse();
    api = new ByteHouseApi(createByteHouseHttp({ endpoint: emu.url, apiKey: emu.apiKey }, { retry: { baseDelayMs: 5, maxDelayMs: 20 } }));
    vw = buildHandlers(virtualWarehouse, () => api, (m) => progress.push(m));
    db = buildHandlers(database, () => api, (m) => progress.push(m));
  });
  afterEach(async () => {
    await api.http.close();
    await emu.stop();
  });

  async function createVw(inputs: Record<string, unknown>) {
    const checked = await vw.check({}, inputs);
    expect(checked.failures).to.deep.equal([]);
    return { inputs: checked.inputs, ...(await vw.create(checked.inputs)) };
  }

  it("creates, reads, updates in one PATCH, and deletes a virtual warehouse", async () => {
    const { id, outs, inputs } = await createVw({ name: "etl", size: "S", autoSuspend: 10 });
    expect(id).to.equal("etl");
    expect(outs.vwId).to.equal("vw-2100042608-etl");
    expect(emu.server.state.virtualWarehouses.etl).to.include({ configID: 123457, autoSuspend: 10, status: "up" });

    const read = await vw.read(id, outs);
    expect((await vw.diff(id, read.props!, inputs)).changes).to.equal(false);

    const news = (await vw.check(inputs, { name: "etl", size: "M", autoSuspend: 5, status: "down" })).inputs;
    const d = await vw.diff(id, outs, news);
    expect(d).to.deep.equal({ changes: true, replaces: [], deleteBeforeReplace: false });
    emu.server.log.length = 0;
    const upd = await vw.update(id, outs, news);
    const writes = emu.requests().filter((r) => r.method !== "GET");
    expect(writes, "one PATCH with exactly the changed fields").to.deep.equal([
      { method: "PATCH", path: "/v1/virtual-warehouses/etl", status: 200, body: { autoSuspend: 5, configID: 123458, status: "down" } },
    ]);
    expect(emu.server.state.virtualWarehouses.etl).to.include({ configID: 123458, autoSuspend: 5, status: "down" });
    expect(observedOf(upd.outs)).to.include({ size: "M", status: "down" });

    await vw.delete(id, upd.outs);
    expect(emu.server.state.virtualWarehouses).to.deep.equal({});
    await vw.delete(id, upd.outs); // already gone: fine
  });

  it("succeeds under injected 429s and 5xx", async () => {
    emu.faults({
      rules: [
        { method: "POST", status: 429, retryAfter: 0, times: 2 },
        { method: "GET", status: 503, times: 2 },
        { method: "PATCH", status: 500, times: 1 },
      ],
    });
    const { id, outs } = await createVw({ name: "busy", size: "XS" });
    const statuses = emu.requests().map((r) => r.status);
    expect(statuses.filter((s) => s === 429)).to.have.length(2);
    expect(statuses.filter((s) => s === 503)).to.have.length(2);
    await vw.update(id, outs, { ...outs, autoResume: true });
    expect(emu.server.state.virtualWarehouses.busy.autoResume).to.equal(true);
  });

  it("leaves no duplicate after an ambiguous create (applied, then the connection dropped)", async () => {
    emu.faults({ rules: [{ method: "POST", path: "^/v1/virtual-warehouses$", drop: "after" }] });
    const { id } = await createVw({ name: "once", size: "XS" });
    expect(id).to.equal("once");
    expect(Object.keys(emu.server.state.virtualWarehouses)).to.deep.equal(["once"]);
    const posts = emu.requests().filter((r) => r.method === "POST");
    expect(posts, "the create was never re-sent").to.have.length(1);
    expect(progress.join("\n")).to.contain("had been applied; keeping");
  });

  it("sends the create again when the dropped request had not been applied", async () => {
    emu.faults({ rules: [{ method: "POST", path: "^/v1/databases$", drop: "before" }] });
    const checked = await db.check({}, { name: "sales" });
    const r = await db.create(checked.inputs);
    expect(r.id).to.equal("sales");
    expect(emu.requests().filter((x) => x.method === "POST")).to.have.length(2);
    expect(Object.keys(emu.server.state.databases)).to.deep.equal(["sales"]);
  });

  it("detects out-of-band changes and deletions on read", async () => {
    const { id, outs, inputs } = await createVw({ name: "drift", size: "XS" });
    emu.server.state.virtualWarehouses.drift.autoSuspend = 99;
    emu.server.state.virtualWarehouses.drift.configID = 123460;
    const r = await vw.read(id, outs);
    expect(r.props).to.include({ autoSuspend: 99, size: "XL" });
    expect((await vw.diff(id, r.props!, inputs)).changes).to.equal(true);
    delete emu.server.state.virtualWarehouses.drift;
    expect(await vw.read(id, outs)).to.deep.equal({});
  });

  it("refuses to delete a database that holds tables unless forceDestroy is set", async () => {
    const checked = await db.check({}, { name: "full" });
    const { id, outs } = await db.create(checked.inputs);
    emu.server.state.tables.full = { events: {} };
    const err = await db.delete(id, outs).catch((e) => e);
    expect(err.message).to.contain("still holds 1 table(s); nothing was dropped").and.contain("forceDestroy: true");
    expect(emu.server.state.databases.full).to.exist;
    await db.delete(id, { ...outs, forceDestroy: true });
    expect(emu.server.state.databases.full).to.equal(undefined);
    expect(emu.server.state.tables.full).to.equal(undefined);
  });

  it("reports a size that does not exist, with the available ones", async () => {
    const checked = await vw.check({}, { name: "huge", size: "XXXL" });
    const err = await vw.create(checked.inputs).catch((e) => e);
    expect(err.message).to.contain('size "XXXL" is not a virtual warehouse configuration; available: XS, S, M, L, XL');
    expect(emu.server.state.virtualWarehouses).to.deep.equal({});
  });

  it("names the call and the vendor's message on errors, without the API key", async () => {
    const bad = new ByteHouseApi(createByteHouseHttp({ endpoint: emu.url, apiKey: "not-a-valid-key" }));
    const err = await bad.getDatabase("x").catch((e) => e);
    expect(err.name).to.equal("AuthError");
    expect(err.message).to.equal(
      "ByteHouse GET /v1/databases/x failed (HTTP 403): Authentication failed: invalid or missing API key — the API key in warehouse:bytehouseApiKey (or $BYTEHOUSE_API_KEY) was refused",
    );
    await bad.http.close();
  });
});
