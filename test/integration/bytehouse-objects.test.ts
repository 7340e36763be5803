/** Provider operations for tables, keys, grants, connections and import jobs against the ByteHouse emulator. */
import { expect } from "chai";
import { checkAndCreate } from "../helpers/handlers";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startByteHouse, RunningEmulator } from "../helpers/emulators";
import { ByteHouseState } from "../../emulator/bytehouse";
import { buildHandlers, Handlers } from "../../provider/framework/engine";
import { ByteHouseApi, createByteHouseHttp } from "../../provider/bytehouse/api";
import { table } from "../../provider/bytehouse/table";
import { apiKey } from "../../provider/bytehouse/apiKey";
import { roleAssignment, rolePermission } from "../../provider/bytehouse/grants";
import { connection } from "../../provider/bytehouse/connection";
import { importJob } from "../../provider/bytehouse/importJob";
import { database } from "../../provider/bytehouse/database";
import { getRoles, getVirtualWarehouseConfig } from "../../sdk/bytehouse/lookups";

describe("ByteHouse objects against the emulator", function () {
  this.timeout(30_000);
  let emu: RunningEmulator<ByteHouseState>;
  let api: ByteHouseApi;
  const progress: string[] = [];
  const h = (spec: any): Handlers => buildHandlers(spec, () => api, (m) => progress.push(m));

  const make = checkAndCreate;

  beforeEach(async () => {
    emu = await startByteHouse();
    api = new ByteHouseApi(createByteHouseHttp({ endpoint: emu.url, apiKey: emu.apiKey }, { retry: { baseDelayMs: 5, maxDelayMs: 20 } }));
    await make(h(database), { name: "sales" });
    progress.length = 0;
  });
  afterEach(async () => {
    await api.http.close();
    await emu.stop();
  });

  describe("Table", () => {
    const program = {
      database: "sales",
      name: "orders",
      columns: [
        { name: "id", type: "Int64" },
        { name: "note", type: "String" },
      ],
      orderByKeys: ["id"],
    };

    it("creates, applies safe changes in one PATCH, and reads SQL-made changes as drift", async () => {
      const t = h(table);
      const { id, outs, inputs } = await make(t, program);
      expect(id).to.equal("sales.orders");
      await api.query("INSERT INTO sales.orders VALUES (1, 'a'), (2, 'b')");
      const news = (await t.check(inputs, { ...program, columns: [{ name: "id", type: "Int64" }, { name: "remark", type: "Nullable(String)", previousName: "note" }, { name: "qty", type: "Int32" }] })).inputs;
      emu.server.log.length = 0;
      const upd = await t.update(id, outs, news);
      expect(emu.requests().filter((r) => r.method === "PATCH")).to.have.length(1);
      expect(upd.outs.rowCount).to.equal(2);
      const live = (await api.getTable("sales", "orders"))!;
      expect(live.columns.map((c) => c.name)).to.deep.equal(["id", "remark", "qty"]);
      expect((await api.query("SELECT remark FROM sales.orders ORDER BY id")).map((r) => r.remark)).to.deep.equal(["a", "b"]);

      await api.query("ALTER TABLE sales.orders MODIFY COLUMN qty Int64");
      const r = await t.read(id, upd.outs);
      expect((r.props!.columns as any[]).find((c) => c.name === "qty").type).to.equal("Int64");
      expect((await t.diff(id, r.props!, news)).changes).to.equal(true);
    });

    it("gets a vendor error for an impossible conversion and leaves rows intact", async () => {
      const t = h(table);
      const { id, outs, inputs } = await make(t, program);
      await api.query("INSERT INTO sales.orders VALUES (1, 'not a number')");
      const news = (await t.check(inputs, { ...program, columns: [{ name: "id", type: "Int64" }, { name: "note", type: "Int64" }], allowDataLoss: true })).inputs;
      const err = await t.update(id, outs, news).catch((e) => e);
      expect(err).to.be.instanceOf(Error);
      expect(err.message).to.contain("ByteHouse PATCH /v1/databases/sales/tables/orders failed");
      expect((await api.query("SELECT note FROM sales.orders"))[0].note).to.equal("not a number");
    });

    it("is gone on read after a DROP TABLE", async () => {
      const t = h(table);
      const { id, outs } = await make(t, program);
      await api.deleteTable("sales", "orders");
      expect(await t.read(id, outs)).to.deep.equal({});
    });
  });

  describe("ApiKey", () => {
    it("returns the secret once, disables in place, extends expiry in place, and explains the 2-key limit", async () => {
      const k = h(apiKey);
      const a = await make(k, { comment: "one", expiryDays: 10 });
      expect(a.outs.key).to.be.a("string");
      const read = await k.read(a.id, a.outs);
      expect(read.props!.key, "kept from creation").to.equal(a.outs.key);
      expect((await k.diff(a.id, read.props!, a.inputs)).changes).to.equal(false);

      const upd = await k.update(a.id, a.outs, { ...a.inputs, enabled: false, expiryDays: 20 });
      expect(upd.outs.status).to.equal("DISABLED");
      const live = (await api.getApiKey(a.id))!;
      expect(Math.round((Date.parse(live.expiresAt!) - Date.parse(live.createdAt)) / 86_400_000)).to.equal(20);

      await make(k, { comment: "two" });
      const err = await k.create((await k.check({}, { comment: "three" })).inputs).catch((e) => e);
      expect(err.message).to.contain("already has 2 API keys, the most ByteHouse allows");
      expect(await api.listApiKeys()).to.have.length(2);
    });
  });

  describe("RoleAssignment and RolePermission", () => {
    it("detects an unassign and a revoke done by hand", async () => {
      const ra = h(roleAssignment);
      const rp = h(rolePermission);
      const a = await make(ra, { userId: 1336688750, roleName: "Analyst" });
      const p = await make(rp, { roleName: "Analyst", resourceId: "sales", objectType: "DATABASE", action: "SELECT", grantOption: false });
      expect((await ra.read(a.id, a.outs)).id).to.equal(a.id);
      expect((await rp.read(p.id, p.outs)).id).to.equal(p.id);
      await api.unassignRole({ UserID: 1336688750, RoleName: "Analyst" });
      await api.revokePermission({ RoleName: "Analyst", ByteHouseResourceID: "sales", SecureObjectTypeName: "DATABASE", ActionName: "SELECT" });
      expect(await ra.read(a.id, a.outs)).to.deep.equal({});
      expect(await rp.read(p.id, p.outs)).to.deep.equal({});
    });

    it("a role that does not exist fails at check (preview), naming it; at apply, with the vendor's message", async () => {
      const c = await h(roleAssignment).check({}, { userId: 1, roleName: "NoSuchRole" });
      expect(c.failures.map((f) => f.reason).join("\n")).to.contain('role "NoSuchRole" does not exist in the ByteHouse account; existing roles: AccountAdmin');
      const err = await h(roleAssignment).create({ userId: 1, roleName: "NoSuchRole" }).catch((e) => e);
      expect(err.message).to.match(/ByteHouse POST \/v1\/iam\/assignments failed \(HTTP 404\)/);
    });
  });

  describe("Connection", () => {
    it("judges drift on the masked read, and still updates when a secret changes", async () => {
      const c = h(connection);
      const data = { bucket: "b1", region: "r1", secretKey: "s3cr3t-value" };
      const made = await make(c, { name: "s3", type: "S3", data });
      const read = await c.read(made.id, made.outs);
      expect((await c.diff(made.id, read.props!, made.inputs)).changes, "masked values are not drift").to.equal(false);
      expect(JSON.stringify(read.props!.observed)).not.to.contain("s3cr3t-value");

      const newSecret = { ...made.inputs, data: { ...data, secretKey: "rotated" } };
      expect((await c.diff(made.id, read.props!, newSecret)).changes).to.equal(true);

      await api.updateConnection(made.id, { name: "s3", data: { ...data, bucket: "b2" } });
      const drift = await c.read(made.id, read.props!);
      expect((await c.diff(made.id, drift.props!, made.inputs)).changes, "a visible field changed by hand").to.equal(true);
    });
  });

  describe("ImportJob", () => {
    let dir: string;
    beforeEach(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "bh-load-"));
      fs.writeFileSync(path.join(dir, "a.csv"), "id,note\n1,x\n2,y\n");
      fs.writeFileSync(path.join(dir, "bad.csv"), "id,note\nnot-a-number,x\n");
      await make(h(table), { database: "sales", name: "t", columns: [{ name: "id", type: "Int64" }, { name: "note", type: "String" }], orderByKeys: ["id"] });
    });

    async function job(files: string, extra: Record<string, unknown> = {}) {
      const conn = await make(h(connection), { name: "files", type: "LOCAL", data: { path: dir } });
      return make(h(importJob), {
        name: "load",
        connectionId: Number(conn.id),
        configuration: { source: { format: "CSV", properties: { fileNames: files, header: true } }, sink: { database: "sales", table: "t" } },
        run: { args: { "source.properties.fileNames": files } },
        ...extra,
      });
    }

    it("runs after create, waits, and reports the rows loaded", async () => {
      const j = await job("a.csv");
      expect(j.outs.lastExecution).to.include({ status: "SUCCEEDED", rowsLoaded: 2 });
      expect(progress.join("\n")).to.contain("loaded 2 rows");
      expect(Number((await api.query("SELECT count(*) AS n FROM sales.t"))[0].n)).to.equal(2);
    });

    it("renames with the narrowest call", async () => {
      const j = await job("a.csv");
      emu.server.log.length = 0;
      await h(importJob).update(j.id, j.outs, { ...j.inputs, name: "load-renamed" });
      const writes = emu.requests().filter((r) => r.method !== "GET");
      expect(writes.map((r) => `${r.method} ${r.path.replace(/\/jobs\/\d+/, "/jobs/N")}`), "no re-run for a rename").to.deep.equal(["PATCH /v1/dataloading/jobs/N/name"]);
    });

    it("a failed run fails with the execution's log lines, and the job stays tracked", async () => {
      const err = await job("bad.csv").catch((e) => e);
      expect(err.message).to.contain("FAILED").and.contain("execution log:").and.contain("ERROR");
      expect(err.id, "partial create: the job exists and is tracked").to.be.a("string");
      expect(Number((await api.query("SELECT count(*) AS n FROM sales.t"))[0].n)).to.equal(0);
    });
  });

  describe("lookups", () => {
    it("read configurations and roles with settings from the environment", async () => {
      process.env.BYTEHOUSE_ENDPOINT = emu.url;
      process.env.BYTEHOUSE_API_KEY = emu.apiKey;
      try {
        expect((await getVirtualWarehouseConfig({ size: "m" })).id).to.equal(123458);
        expect((await getRoles()).map((r) => r.name)).to.include("AccountAdmin");
        const err = await getVirtualWarehouseConfig({ size: "XXL" }).catch((e) => e);
        expect(err.message).to.contain('no configuration named "XXL"');
      } finally {
        delete process.env.BYTEHOUSE_ENDPOINT;
        delete process.env.BYTEHOUSE_API_KEY;
      }
    });
  });
});
