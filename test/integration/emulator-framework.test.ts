/** The emulator framework v2: unique names under concurrency, seeded random faults, drop-after on streamed answers, body redaction, journaled persistence. */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { request } from "undici";
import { bhCall, RunningEmulator, startByteHouse, startEmulator, settingsToConfig, settingsToEnv } from "../helpers/emulators";
import { startAltertable } from "../helpers/altertable";
import { EMULATORS } from "../../emulator";
import { VENDORS } from "../../provider/vendors";
import type { ByteHouseState } from "../../emulator/bytehouse";

describe("emulator framework v2", function () {
  this.timeout(60_000);

  describe("registration", () => {
    it("has one definition per vendor of provider/vendors.ts, each with a working harness and provider settings", async () => {
      expect(Object.keys(EMULATORS)).to.deep.equal([...VENDORS]);
      for (const vendor of VENDORS) {
        const h = await startEmulator(vendor);
        try {
          expect(h.settings.endpoint).to.equal(h.url);
          const config = settingsToConfig(vendor, h.settings);
          expect(config.length).to.equal(Object.keys(h.settings).length);
          expect(config.some((c) => c.secret), `${vendor} has a secret setting`).to.equal(true);
          expect(Object.values(settingsToEnv(vendor, h.settings))).to.include(h.url);
        } finally {
          await h.stop();
        }
      }
    });
  });

  describe("ByteHouse: unique names under concurrency", () => {
    let emu: RunningEmulator<ByteHouseState>;
    before(async () => (emu = await startByteHouse()));
    after(() => emu.stop());

    const twice = (method: string, p: string, body: unknown) => Promise.all([bhCall(emu, method, p, body), bhCall(emu, method, p, body)]);
    const statuses = (rs: { status: number }[]) => rs.map((r) => r.status).sort();

    it("two concurrent creates of a database leave one and answer the other 422 already exists", async () => {
      const rs = await twice("POST", "/v1/databases", { name: "twin" });
      expect(statuses(rs)).to.deep.equal([200, 422]);
      expect(rs.find((r) => r.status === 422)!.body.error.code).to.equal("DATABASE_ALREADY_EXISTS");
      expect(Object.keys(emu.server.state.databases).filter((n) => n === "twin")).to.have.length(1);
    });

    it("the same for virtual warehouses, connections and import jobs", async () => {
      expect(statuses(await twice("POST", "/v1/virtual-warehouses", { name: "twin", configID: 123456 }))).to.deep.equal([200, 422]);
      const conn = { name: "twin", type: "LOCAL", data: { path: "/tmp" } };
      expect(statuses(await twice("POST", "/v1/dataloading/connections", conn))).to.deep.equal([200, 422]);
      expect(Object.values(emu.server.state.connections).filter((c) => c.name === "twin")).to.have.length(1);
      const job = { name: "twin", description: "", connectionID: 0, configuration: {}, sourceSchema: {}, state: "DRAFT" };
      expect(statuses(await twice("POST", "/v1/dataloading/jobs", job))).to.deep.equal([200, 422]);
      expect(Object.values(emu.server.state.jobs).filter((j) => j.name === "twin")).to.have.length(1);
    });

    it("three concurrent API key creates respect the limit of 2 per user", async () => {
      const rs = await Promise.all([1, 2, 3].map(() => bhCall(emu, "POST", "/v1/iam/api-keys", { comment: "c" })));
      expect(statuses(rs)).to.deep.equal([200, 200, 422]);
    });
  });

  describe("faults", () => {
    it("fires `probability` faults from a seeded PRNG: the same seed gives the same sequence", async () => {
      const emu = await startByteHouse();
      try {
        const run = async (seed: number) => {
          emu.faults({ seed, rules: [{ method: "GET", path: "^/v1/databases$", status: 503, probability: 0.5 }] });
          const out: number[] = [];
          for (let i = 0; i < 24; i++) out.push((await bhCall(emu, "GET", "/v1/databases")).status);
          return out;
        };
        const a = await run(42);
        expect(a).to.include(200).and.to.include(503);
        expect(await run(42)).to.deep.equal(a);
        expect(await run(7)).to.not.deep.equal(a);
        const bad = await request(`${emu.url}/_emulator/faults`, { method: "PUT", body: JSON.stringify({ rules: [{ status: 500, probability: 2 }] }) });
        expect(bad.statusCode).to.equal(400);
        await bad.body.text();
      } finally {
        await emu.stop();
      }
    });

    it("drop after on Altertable's streamed /query applies the statement, then drops the connection", async () => {
      const emu = await startAltertable();
      try {
        emu.faults({ rules: [{ method: "POST", path: "^/query$", drop: "after" }] });
        const post = (statement: string) =>
          request(`${emu.url}/query`, { method: "POST", headers: { authorization: emu.authorization, "content-type": "application/json" }, body: JSON.stringify({ statement }) });
        let error: unknown;
        try {
          await (await post("CREATE TABLE lakehouse.public.dropped AS SELECT 1 AS x")).body.text();
        } catch (e) {
          error = e;
        }
        expect(error, "the connection was dropped").to.be.instanceOf(Error);
        const res = await post("SELECT count(*) AS n FROM lakehouse.public.dropped");
        const lines = (await res.body.text()).trim().split("\n").map((l) => JSON.parse(l));
        expect(lines[2]).to.deep.equal([1]);
        expect(emu.server.log.find((r) => r.fault)?.fault).to.equal("dropped after handling");
      } finally {
        await emu.stop();
      }
    });
  });

  describe("request log", () => {
    it("redacts credentials in bodies as well as headers, in memory and on disk", async () => {
      const emu = await startByteHouse();
      const secret = "p4ss-" + Date.now();
      await bhCall(emu, "POST", "/v1/dataloading/connections", { name: "s3", type: "S3", data: { bucket: "b", accessKey: "AK" + secret, secretKey: secret, nested: { password: secret } } });
      await emu.stop();
      const logged = emu.server.log.find((r) => r.path === "/v1/dataloading/connections")!;
      expect(logged.headers.authorization).to.equal("[REDACTED]");
      expect(logged.body).to.deep.equal({ name: "s3", type: "S3", data: { bucket: "b", accessKey: "[REDACTED]", secretKey: "[REDACTED]", nested: { password: "[REDACTED]" } } });
      const file = fs.readFileSync(path.join(emu.stateDir, "bytehouse.requests.jsonl"), "utf8");
      expect(file).to.include("/v1/dataloading/connections").and.not.include(secret).and.not.include(emu.apiKey);
    });
  });

  describe("persistence", () => {
    it("journals the changed entries (not the whole state) and replays them after a restart", async () => {
      let emu = await startByteHouse();
      for (let i = 0; i < 30; i++) expect((await bhCall(emu, "POST", "/v1/databases", { name: `db${i}` })).status).to.equal(200);
      const journal = fs.readFileSync(path.join(emu.stateDir, "bytehouse.journal"), "utf8").trim().split("\n");
      expect(journal.length).to.be.at.least(30);
      // each line holds one entry: its size does not grow with the number of databases
      const sizes = journal.filter((l) => l.includes('"c":"databases"')).map((l) => l.length);
      expect(Math.max(...sizes)).to.be.below(400);
      // a crash (no close): the snapshot is old, the journal has the rest
      const dir = emu.stateDir;
      const copy = fs.mkdtempSync(dir + "-copy");
      for (const f of ["bytehouse.json", "bytehouse.journal"]) fs.copyFileSync(path.join(dir, f), path.join(copy, f));
      await emu.stop();
      expect(fs.readFileSync(path.join(dir, "bytehouse.journal"), "utf8"), "compacted on close").to.equal("");
      emu = await startByteHouse(copy);
      try {
        expect(Object.keys(emu.server.state.databases).filter((n) => n.startsWith("db"))).to.have.length(30);
        expect((await bhCall(emu, "GET", "/v1/databases/db29")).status).to.equal(200);
      } finally {
        await emu.stop();
      }
    });
  });
});
