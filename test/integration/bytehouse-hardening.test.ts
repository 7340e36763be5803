/**
 * Hardening against the ByteHouse emulator: a wrong base path is an error (never "gone"), a lost
 * API-key create leaves exactly one key, a grant-option change never leaves the role without the
 * permission, and non-idempotent calls whose answer was lost are not sent twice.
 */
import { expect } from "chai";
import { checkAndCreate } from "../helpers/handlers";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { bhCall, startByteHouse, RunningEmulator } from "../helpers/emulators";
import { ByteHouseState } from "../../emulator/bytehouse";
import { buildHandlers, Handlers } from "../../provider/framework/engine";
import { ByteHouseApi, createByteHouseHttp } from "../../provider/bytehouse/api";
import { apiKey } from "../../provider/bytehouse/apiKey";
import { rolePermission } from "../../provider/bytehouse/grants";
import { database } from "../../provider/bytehouse/database";
import { table } from "../../provider/bytehouse/table";
import { connection } from "../../provider/bytehouse/connection";
import { importJob } from "../../provider/bytehouse/importJob";
import { WarehouseApiError } from "../../provider/http/errors";

describe("ByteHouse hardening against the emulator", function () {
  this.timeout(30_000);
  let emu: RunningEmulator<ByteHouseState>;
  let api: ByteHouseApi;
  const progress: string[] = [];
  const h = (spec: any, a: () => ByteHouseApi = () => api): Handlers => buildHandlers(spec, a, (m) => progress.push(m));

  const make = checkAndCreate;

  beforeEach(async () => {
    emu = await startByteHouse();
    api = new ByteHouseApi(createByteHouseHttp({ endpoint: emu.url, apiKey: emu.apiKey }, { retry: { baseDelayMs: 5, maxDelayMs: 20 } }));
    progress.length = 0;
  });
  afterEach(async () => {
    await api.http.close();
    await emu.stop();
  });

  describe("a wrong base path", () => {
    it("makes reads and deletes throw instead of reporting the objects gone", async () => {
      const db = await make(h(database), { name: "sales" });
      const key = await make(h(apiKey), { comment: "ci" });
      const wrong = new ByteHouseApi(createByteHouseHttp({ endpoint: `${emu.url}/api`, apiKey: emu.apiKey }, { retry: { maxAttempts: 1 } }));
      try {
        const e = (await wrong.getDatabase("sales").catch((x) => x)) as WarehouseApiError;
        expect(e.name).to.equal("UnexpectedResponseError");
        expect(e.message).to.equal(
          "ByteHouse GET /v1/databases/sales failed (HTTP 404): 404 that is not a ByteHouse not-found of this object (NOT_FOUND: no route for GET /api/v1/databases/sales) — is warehouse:bytehouseEndpoint right?",
        );
        // refresh through the engine: an error, not {} (which would drop the resource from state)
        const readDb = await h(database, () => wrong).read(db.id, db.outs).catch((x) => x);
        expect(readDb).to.be.instanceOf(Error);
        const readKey = await h(apiKey, () => wrong).read(key.id, key.outs).catch((x) => x);
        expect(readKey).to.be.instanceOf(Error);
        expect(readKey.message).to.contain("GET /v1/iam/api-keys failed (HTTP 404)");
        // destroy through the engine: an error, not "already gone"
        const del = await h(database, () => wrong).delete(db.id, db.outs).catch((x) => x);
        expect(del).to.be.instanceOf(Error);
        expect(emu.server.state.databases.sales, "still there").to.not.equal(undefined);
      } finally {
        await wrong.http.close();
      }
      // the right base path still reads an object deleted by hand as gone
      await api.deleteDatabase("sales");
      expect(await h(database).read(db.id, db.outs)).to.deep.equal({});
    });
  });

  describe("ApiKey whose create answer was lost", () => {
    for (const drop of ["after", "before"] as const) {
      it(`leaves exactly one key, tracked with its secret (connection dropped ${drop} handling)`, async () => {
        // the fault as an operator would set it: PUT /_emulator/faults (times defaults to 1)
        expect((await bhCall(emu, "PUT", "/_emulator/faults", { rules: [{ method: "POST", path: "api-keys", drop }] })).status).to.be.below(300);
        const k = await make(h(apiKey), { comment: "ci" });
        const keys = await api.listApiKeys();
        expect(keys.map((x) => x.id)).to.deep.equal([k.id]);
        expect(k.outs.key).to.be.a("string").and.match(/^bh_/);
        expect((await bhCall(emu, "GET", "/v1/iam/api-keys", undefined, k.outs.key as string)).status, "the tracked secret works").to.equal(200);
        const posts = emu.requests().filter((r) => r.method === "POST" && r.path === "/v1/iam/api-keys");
        expect(posts).to.have.length(2);
        if (drop === "after") {
          expect(emu.requests().filter((r) => r.method === "DELETE" && r.path.startsWith("/v1/iam/api-keys/"))).to.have.length(1);
          expect(progress.join("\n")).to.contain("its secret was lost with the answer, so that key was deleted");
        } else {
          expect(progress.join("\n")).to.contain("interrupted before ByteHouse made the key");
        }
        // destroy leaves nothing behind
        await h(apiKey).delete(k.id, k.outs);
        expect(await api.listApiKeys()).to.deep.equal([]);
      });
    }

    it("when every create answer is lost, fails saying so and leaves no key", async () => {
      emu.faults({ rules: [{ method: "POST", path: "api-keys", drop: "after", times: 10 }] });
      const c = await h(apiKey).check({}, { comment: "ci" });
      const err = await h(apiKey).create(c.inputs).catch((x) => x);
      expect(err).to.be.instanceOf(Error);
      expect(err.message).to.match(/^bytehouse\.ApiKey: the create was interrupted 3 times; no key was left behind\. Last error: ByteHouse POST \/v1\/iam\/api-keys failed: /);
      expect(err.id, "nothing to track").to.equal(undefined);
      expect(await api.listApiKeys()).to.deep.equal([]);
    });

    it("an expiry extension whose answer was lost is not applied twice", async () => {
      const k = await make(h(apiKey), { comment: "ci", expiryDays: 10 });
      emu.faults({ rules: [{ method: "PATCH", path: "expiry$", drop: "after", times: 1 }] });
      await h(apiKey).update(k.id, k.outs, { ...k.inputs, expiryDays: 20 });
      const live = (await api.getApiKey(k.id))!;
      expect(Math.round((Date.parse(live.expiresAt!) - Date.parse(live.createdAt)) / 86_400_000)).to.equal(20);
      expect(emu.requests().filter((r) => r.method === "PATCH")).to.have.length(1);
    });
  });

  describe("RolePermission grantOption", () => {
    const perm = { roleName: "Analyst", resourceId: "sales", objectType: "DATABASE", action: "SELECT" };
    const live = () => emu.server.state.permissions.filter((p) => p.RoleName === "Analyst" && p.ByteHouseResourceID === "sales" && p.ActionName === "SELECT");

    it("changes in place with one grant and no revoke", async () => {
      const rp = h(rolePermission);
      const p = await make(rp, { ...perm, grantOption: false });
      const news = (await rp.check(p.inputs, { ...perm, grantOption: true })).inputs;
      const d = await rp.diff(p.id, p.outs, news);
      expect(d).to.deep.include({ changes: true, replaces: [] });
      emu.server.log.length = 0;
      const upd = await rp.update(p.id, p.outs, news);
      expect(upd.outs.grantOption).to.equal(true);
      expect(live().map((x) => x.GrantOption)).to.deep.equal([true]);
      expect(emu.requests().filter((r) => r.method !== "GET").map((r) => r.method)).to.deep.equal(["POST"]);
    });

    it("a failed grant leaves the role with the permission as it was", async () => {
      const rp = h(rolePermission);
      const p = await make(rp, { ...perm, grantOption: true });
      const news = (await rp.check(p.inputs, { ...perm, grantOption: false })).inputs;
      emu.faults({ rules: [{ method: "POST", path: "permissions", status: 503, times: 20 }] });
      const err = await rp.update(p.id, p.outs, news).catch((x) => x);
      expect(err).to.be.instanceOf(Error);
      expect(err.message).to.contain("ByteHouse POST /v1/iam/permissions failed (HTTP 503) after 5 attempts");
      expect(live().map((x) => x.GrantOption), "the old permission is still there").to.deep.equal([true]);
      expect(emu.requests().filter((r) => r.method === "DELETE")).to.deep.equal([]);
    });

    it("a changed action grants the new permission before revoking the old one", async () => {
      const rp = h(rolePermission);
      const p = await make(rp, { ...perm, grantOption: false });
      const news = (await rp.check(p.inputs, { ...perm, action: "INSERT" })).inputs;
      const d = await rp.diff(p.id, p.outs, news);
      expect(d).to.deep.include({ replaces: ["action"], deleteBeforeReplace: false });
    });
  });

  describe("non-idempotent calls whose answer was lost", () => {
    it("a table PATCH is sent once and reported as ambiguous", async () => {
      await make(h(database), { name: "sales" });
      await make(h(table), { database: "sales", name: "t", columns: [{ name: "id", type: "Int64" }], orderByKeys: ["id"] });
      emu.faults({ rules: [{ method: "PATCH", drop: "after", times: 1 }] });
      emu.server.log.length = 0;
      const e = (await api.updateTable("sales", "t", { addColumns: [{ name: "n", type: "Int32" }] }).catch((x) => x)) as WarehouseApiError;
      expect(e.kind).to.equal("ambiguous");
      expect(e.message).to.contain("may or may not have been applied");
      expect(emu.requests().filter((r) => r.method === "PATCH")).to.have.length(1);
      expect((await api.getTable("sales", "t"))!.columns.map((c) => c.name)).to.deep.equal(["id", "n"]);
    });

    async function loadJob(fault: { path: string }) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bh-load-"));
      fs.writeFileSync(path.join(dir, "a.csv"), "id,note\n1,x\n2,y\n");
      await make(h(database), { name: "sales" });
      await make(h(table), { database: "sales", name: "t", columns: [{ name: "id", type: "Int64" }, { name: "note", type: "String" }], orderByKeys: ["id"] });
      const conn = await make(h(connection), { name: "files", type: "LOCAL", data: { path: dir } });
      emu.faults({ rules: [{ method: "POST", path: fault.path, drop: "after", times: 1 }] });
      return make(h(importJob), {
        name: "load",
        connectionId: Number(conn.id),
        configuration: { source: { format: "CSV", properties: { fileNames: "a.csv", header: true } }, sink: { database: "sales", table: "t", mode: "APPEND" } },
        run: { args: { "source.properties.fileNames": "a.csv" } },
      });
    }

    it("an import-job start follows the execution it made instead of starting a second run", async () => {
      const j = await loadJob({ path: "/start$" });
      expect(j.outs.lastExecution).to.include({ status: "SUCCEEDED", rowsLoaded: 2 });
      expect(emu.requests().filter((r) => r.method === "POST" && r.path.endsWith("/start"))).to.have.length(1);
      expect(Number((await api.query("SELECT count(*) AS n FROM sales.t"))[0].n), "loaded once").to.equal(2);
      expect(progress.join("\n")).to.contain("the start was interrupted but had been applied");
    });

    it("an import-job create whose answer was lost continues with the job it made, and runs it", async () => {
      const j = await loadJob({ path: "/dataloading/jobs$" });
      expect(Object.keys(emu.server.state.jobs)).to.have.length(1);
      expect(j.outs.lastExecution).to.include({ status: "SUCCEEDED", rowsLoaded: 2 });
      expect(Number((await api.query("SELECT count(*) AS n FROM sales.t"))[0].n)).to.equal(2);
      expect(progress.join("\n")).to.contain("the create was interrupted but had been applied; continuing with job");
    });
  });
});
