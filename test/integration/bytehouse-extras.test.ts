/** The rest of the ByteHouse doc: metadata subscription, views, dictionaries, partitions, status, usage — emulator and SDK functions. */
import { expect } from "chai";
import { startByteHouse, RunningEmulator } from "../helpers/emulators";
import { ByteHouseState } from "../../emulator/bytehouse";
import { buildHandlers } from "../../provider/framework/engine";
import { ByteHouseApi, createByteHouseHttp } from "../../provider/bytehouse/api";
import { metadataSubscription } from "../../provider/bytehouse/metadataSubscription";
import { bytehouse } from "../../sdk";

const TOKEN = "eyJhbGciOiJSUzI1NiJ9.payload.signature";

describe("ByteHouse: the rest of the vendor doc", function () {
  this.timeout(30_000);
  let emu: RunningEmulator<ByteHouseState>;
  let api: ByteHouseApi;

  beforeEach(async () => {
    emu = await startByteHouse();
    api = new ByteHouseApi(createByteHouseHttp({ endpoint: emu.url, apiKey: emu.apiKey }));
    process.env.BYTEHOUSE_ENDPOINT = emu.url;
    process.env.BYTEHOUSE_API_KEY = emu.apiKey;
    await api.createDatabase({ name: "sales" });
  });
  afterEach(async () => {
    delete process.env.BYTEHOUSE_ENDPOINT;
    delete process.env.BYTEHOUSE_API_KEY;
    await api.http.close();
    await emu.stop();
  });

  it("emulator: metadata subscription needs the three headers and this account", async () => {
    const post = async (h: Record<string, string>) => {
      const { request } = await import("undici");
      const r = await request(`${emu.url}/v1/metadata/subscription`, { method: "POST", headers: { authorization: `Bearer ${emu.apiKey}`, ...h } });
      return { status: r.statusCode, body: await r.body.json() as any };
    };
    expect((await post({})).status).to.equal(400);
    expect((await post({ "x-account-id": "999", "x-user-id": "1", "x-bytehouse-token": TOKEN })).status).to.equal(403);
    const ok = await post({ "x-account-id": "2100042608", "x-user-id": "2100042608", "x-bytehouse-token": TOKEN });
    expect(ok).to.deep.equal({ status: 200, body: { message: "Success" } });
    expect(emu.server.state.metadataSubscription).to.include({ userId: "2100042608" });
  });

  it("MetadataSubscription subscribes and unsubscribes; the token never appears in an error", async () => {
    const h = buildHandlers(metadataSubscription, () => api, () => undefined);
    const c = await h.check({}, { accountId: "2100042608", userId: "2100042608", token: TOKEN });
    expect(c.failures).to.deep.equal([]);
    const made = await h.create(c.inputs);
    expect(emu.server.state.metadataSubscription).to.not.equal(null);
    await h.delete(made.id, made.outs);
    expect(emu.server.state.metadataSubscription).to.equal(null);
    const bad = await h.check({}, { accountId: "x", userId: "1", token: "short" });
    expect(bad.failures.map((f) => f.field)).to.have.members(["accountId", "token"]);
    expect(JSON.stringify(bad.failures)).not.to.contain("short");
  });

  it("partitions: list and delete through the SDK functions", async () => {
    await api.createTable("sales", {
      name: "orders",
      columns: [{ name: "id", type: "Int64" }, { name: "day", type: "Date" }],
      orderByKeys: ["id"],
      partitionKeys: [{ column: "day", granularity: "day" }],
    });
    await bytehouse.query({ query: "INSERT INTO sales.orders VALUES (1, '2026-11-01'), (2, '2026-11-01'), (3, '2026-11-02')" });
    const parts = await bytehouse.getPartitions({ database: "sales", table: "orders" });
    expect(parts.map((p) => [p.name, p.rowCount])).to.deep.equal([["20261101", 2], ["20261102", 1]]);
    await bytehouse.deletePartitions({ database: "sales", table: "orders", partitionNames: ["20261101"] });
    expect(Number((await bytehouse.query({ query: "SELECT count(*) AS n FROM sales.orders" }))[0].n)).to.equal(1);
    expect(await bytehouse.getClusterStatus({ database: "sales", table: "orders" })).to.include({ clustered: false, status: "NOT_CLUSTERED" });
  });

  it("materialized views and dictionaries", async () => {
    emu.server.state.materializedViews.sales = { daily: { name: "daily", database: "sales", query: "SELECT day, count() FROM sales.orders GROUP BY day", targetTable: null, createdAt: "2026-11-21T00:00:00.000000000Z" } };
    emu.server.state.dictionaries.sales = { countries: { name: "countries", database: "sales", createdAt: "2026-11-21T00:00:00.000000000Z" } };
    expect((await bytehouse.getMaterializedViews({ database: "sales" })).map((m) => m.name)).to.deep.equal(["daily"]);
    expect((await bytehouse.getMaterializedView({ database: "sales", name: "daily" })).query).to.contain("GROUP BY day");
    const missing = await bytehouse.getMaterializedView({ database: "sales", name: "nope" }).catch((e) => e);
    expect(missing.message).to.contain("no materialized view sales.nope");
    await bytehouse.deleteDictionary({ database: "sales", name: "countries" });
    expect(emu.server.state.dictionaries.sales).to.deep.equal({});
    const again = await bytehouse.deleteDictionary({ database: "sales", name: "countries" }).catch((e) => e);
    expect(again.name).to.equal("NotFoundError");
  });

  it("status, SQL helpers and usage", async () => {
    await api.createVirtualWarehouse({ name: "etl", configID: 123457 });
    expect(await bytehouse.getSqlDialects()).to.deep.equal(["ansi_sql", "clickhouse_sql"]);
    expect(await bytehouse.getQueryObjects({ query: "USE sales; SELECT * FROM orders o JOIN sales.customers c ON o.id = c.id" })).to.deep.equal(["sales.customers", "sales.orders"]);
    expect(await bytehouse.getAccountStatus()).to.include({ accountId: "2100042608", status: "ACTIVE", databases: 1 });
    expect((await bytehouse.getSyncStatus({ database: "sales" })).materializedMySQL).to.equal(false);
    const frame = { startTime: "2026-11-20T00:00:00.000000000Z", endTime: "2026-11-21T00:00:00.000000000Z" };
    expect((await bytehouse.getStorageUsage(frame)).databases.map((d) => d.name)).to.deep.equal(["sales"]);
    expect((await bytehouse.getVirtualWarehouseUsage({ ...frame, vwName: "etl" })).virtualWarehouses).to.deep.equal([{ name: "etl", status: "up", size: "S" }]);
    const bad = await bytehouse.getStorageUsage({ startTime: frame.endTime, endTime: frame.startTime }).catch((e) => e);
    expect(bad.message).to.contain("startTime must not be after endTime");
  });
});
