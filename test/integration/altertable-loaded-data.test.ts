/** altertable.LoadedData against the Altertable emulator: loads, no-op previews, drift, preview failures, vendor failures, destroy. */
import { expect } from "chai";
import { ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { once } from "node:events";
import { startAltertable, RunningAltertable } from "../helpers/altertable";
import { buildHandlers, Handlers, observedOf } from "../../provider/framework/engine";
import { AltertableApi, createAltertableHttp } from "../../provider/altertable/api";
import { DRIFT_MARKER, loadedData } from "../../provider/altertable/loadedData";
import { spawnEmulator } from "../../emulator/process";

const FIXTURES = path.resolve(__dirname, "../../../test/fixtures/altertable-load");
const fixture = (name: string) => path.join(FIXTURES, name);
const sha256 = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

/** Writes a CSV of about `mb` MiB (id,name,amount,created_at), streamed. */
async function writeCsv(file: string, mb: number): Promise<number> {
  const out = fs.createWriteStream(file);
  out.write("id,name,amount,created_at\n");
  let id = 0;
  let size = 0;
  while (size < mb * 1024 * 1024) {
    const lines: string[] = [];
    for (let i = 0; i < 5000; i++, id++) lines.push(`${id},name_${id % 9973},${(id % 100000) / 100},2025-01-${String((id % 28) + 1).padStart(2, "0")} 12:00:00`);
    const chunk = lines.join("\n") + "\n";
    size += chunk.length;
    if (!out.write(chunk)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return id;
}

describe("altertable.LoadedData against the emulator", function () {
  this.timeout(60_000);
  let emu: RunningAltertable;
  let api: AltertableApi;
  let tmp: string;
  const progress: string[] = [];
  let h: Handlers;

  const upserts = () => emu.requests().filter((r) => r.path === "/upsert");
  /** Statements sent to /query since the log was cleared. */
  const statements = () => emu.server.log.filter((r) => r.path === "/query").map((r) => String((r.body as { statement?: string } | undefined)?.statement ?? ""));
  const rows = (sql: string) => api.rows(sql);
  const count = async (table: string) => Number((await rows(`SELECT count(*) AS n FROM lakehouse.main.${table}`))[0].n);

  async function checked(inputs: Record<string, unknown>, olds: Record<string, unknown> = {}) {
    const c = await h.check(olds, inputs);
    expect(c.failures).to.deep.equal([]);
    return c.inputs;
  }
  async function make(inputs: Record<string, unknown>) {
    const ins = await checked(inputs);
    const r = await h.create(ins);
    return { ...r, inputs: ins };
  }

  beforeEach(async () => {
    emu = await startAltertable();
    api = new AltertableApi(createAltertableHttp({ endpoint: emu.url, username: emu.username, password: emu.password }, { retry: { baseDelayMs: 5, maxDelayMs: 20 } }));
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "at-load-"));
    progress.length = 0;
    h = buildHandlers(loadedData, () => api, (m) => progress.push(m));
  });
  afterEach(async () => {
    await api.http.close();
    await emu.stop();
    fs.rmSync(emu.stateDir, { recursive: true, force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe("create", () => {
    it("loads a CSV by upsert and records hash, row count and checksum", async () => {
      const { id, outs, inputs } = await make({ catalog: "lakehouse", table: "users", file: fixture("users.csv"), primaryKey: ["id"] });
      expect(id).to.equal("lakehouse.main.users");
      expect(inputs).to.include({ format: "csv", mode: "upsert", schema: "main", onDestroy: "keep", contentHash: sha256(fixture("users.csv")) });
      expect(outs.rowCount).to.equal(3);
      expect(outs.checksum).to.match(/^\d+$/);
      expect(outs.bytes).to.equal(fs.statSync(fixture("users.csv")).size);
      expect(observedOf(outs)!.contentHash).to.equal(inputs.contentHash);
      expect((await rows("SELECT name FROM lakehouse.main.users ORDER BY id")).map((r) => r.name)).to.deep.equal(["Ada", "Brian", "Chen"]);
      const up = upserts();
      expect(up).to.have.length(1);
      expect(emu.server.log.find((r) => r.path === "/upsert")!.query).to.include("primary_key=id").and.include("mode=upsert");
    });

    it("resolves a relative path against the working directory", async () => {
      const rel = path.relative(process.cwd(), fixture("users.csv"));
      expect(path.isAbsolute(rel)).to.equal(false);
      const { outs } = await make({ catalog: "lakehouse", table: "rel", file: rel, mode: "overwrite" });
      expect(outs.rowCount).to.equal(3);
    });

    it("loads a JSON array, JSON lines and Parquet", async () => {
      const json = await make({ catalog: "lakehouse", table: "from_json", file: fixture("users.json"), mode: "create" });
      expect(json.inputs.format).to.equal("json");
      expect(json.outs.rowCount).to.equal(2);
      expect(emu.server.log.find((r) => r.path === "/upsert")!.headers["content-type"]).to.equal("application/json");

      const jsonl = await make({ catalog: "lakehouse", table: "events", file: fixture("events.jsonl"), mode: "upsert", primaryKey: ["event_id"] });
      expect(jsonl.inputs.format).to.equal("jsonl");
      expect((await rows("SELECT kind FROM lakehouse.main.events ORDER BY event_id")).map((r) => r.kind)).to.deep.equal(["signup", "login", "login"]);

      const pq = path.join(tmp, "numbers.parquet");
      await api.query(`COPY (SELECT range AS id, 'n' || range AS label FROM range(1000)) TO '${pq}' (FORMAT parquet)`);
      const p = await make({ catalog: "lakehouse", table: "numbers", file: pq, mode: "overwrite" });
      expect(p.inputs.format).to.equal("parquet");
      expect(p.outs.rowCount).to.equal(1000);
      expect(Number((await rows("SELECT sum(id) AS s FROM lakehouse.main.numbers"))[0].s)).to.equal(499500);
      const types = emu.server.log.filter((r) => r.path === "/upsert").map((r) => r.headers["content-type"]);
      expect(types).to.deep.equal(["application/json", "application/x-ndjson", "application/parquet"]);
    });

    it("sniffs the format of a file without a known extension", async () => {
      const f = path.join(tmp, "export.dat");
      fs.copyFileSync(fixture("events.jsonl"), f);
      const { inputs, outs } = await make({ catalog: "lakehouse", table: "sniffed", file: f, mode: "append" });
      expect(inputs.format).to.equal("jsonl");
      expect(outs.rowCount).to.equal(3);
    });

    it("fails with the vendor's message and leaves the table's rows intact", async () => {
      await make({ catalog: "lakehouse", table: "users", file: fixture("users.csv"), primaryKey: ["id"] });
      const before = (await rows("SELECT count(*) AS n, CAST(sum(hash(t)) AS VARCHAR) AS c FROM lakehouse.main.users t"))[0];
      const ins = await checked({ catalog: "lakehouse", table: "users", file: fixture("users-bad-amount.csv"), mode: "append" });
      const err = await h.create(ins).catch((e: Error) => e);
      expect(err).to.be.instanceOf(Error);
      expect((err as Error).message).to.match(/POST \/upsert failed \(HTTP 400\)/).and.match(/not-a-number/);
      const after = (await rows("SELECT count(*) AS n, CAST(sum(hash(t)) AS VARCHAR) AS c FROM lakehouse.main.users t"))[0];
      expect(after).to.deep.equal(before);
      expect(await count("users")).to.equal(3); // not even Gus (row 7) went in
    });
  });

  describe("updates", () => {
    it("an unchanged file: no changes at preview and nothing sent", async () => {
      const program = { catalog: "lakehouse", table: "users", file: fixture("users.csv"), primaryKey: ["id"] };
      const { id, outs } = await make(program);
      emu.server.log.length = 0;
      const again = await checked(program, outs);
      const d = await h.diff(id, outs, again);
      expect(d).to.deep.include({ changes: false, replaces: [] });
      const r = await h.read(id, outs);
      expect((await h.diff(id, r.props!, again)).changes).to.equal(false);
      expect(upserts()).to.have.length(0);
      expect(statements().every((s) => /^\s*SELECT\b/i.test(s))).to.equal(true);
    });

    it("a changed file is sent again; upsert replaces rows by key", async () => {
      const file = path.join(tmp, "users.csv");
      fs.copyFileSync(fixture("users.csv"), file);
      const program = { catalog: "lakehouse", table: "users", file, primaryKey: ["id"] };
      const { id, outs } = await make(program);
      fs.copyFileSync(fixture("users-v2.csv"), file);
      const news = await checked(program, outs);
      expect(news.contentHash).to.equal(sha256(fixture("users-v2.csv")));
      const d = await h.diff(id, outs, news);
      expect(d).to.deep.include({ changes: true, replaces: [] });
      emu.server.log.length = 0;
      const u = await h.update(id, outs, news);
      expect(upserts()).to.have.length(1);
      expect(u.outs.rowCount).to.equal(4);
      expect(u.outs.loadedContentHash).to.equal(news.contentHash);
      expect(await rows("SELECT id, name FROM lakehouse.main.users ORDER BY id")).to.deep.equal([
        { id: 1, name: "Ada" },
        { id: 2, name: "Bruna" },
        { id: 3, name: "Chen" },
        { id: 4, name: "Dora" },
      ]);
    });

    it("a file changed between preview and apply: state records the hash of what was loaded", async () => {
      const file = path.join(tmp, "users.csv");
      fs.copyFileSync(fixture("users.csv"), file);
      const ins = await checked({ catalog: "lakehouse", table: "users", file, primaryKey: ["id"] });
      expect(ins.contentHash).to.equal(sha256(fixture("users.csv")));
      fs.copyFileSync(fixture("users-v2.csv"), file);
      const r = await h.create(ins);
      expect(r.outs.contentHash).to.equal(sha256(fixture("users-v2.csv")));
      expect(r.outs.rowCount).to.equal(2);
      expect(progress.some((m) => m.includes("changed since the preview"))).to.equal(true);
      // so the next preview (of the file as it is now) shows no change
      expect((await h.diff(r.id, r.outs, await checked({ catalog: "lakehouse", table: "users", file, primaryKey: ["id"] }, r.outs))).changes).to.equal(false);
    });

    it("a new table replaces; onDestroy alone changes nothing at the vendor", async () => {
      const program = { catalog: "lakehouse", table: "users", file: fixture("users.csv"), primaryKey: ["id"] };
      const { id, outs } = await make(program);
      const moved = await checked({ ...program, table: "people" }, outs);
      expect((await h.diff(id, outs, moved)).replaces).to.deep.equal(["table"]);
      const dropLater = await checked({ ...program, onDestroy: "drop" }, outs);
      expect(await h.diff(id, outs, dropLater)).to.deep.include({ changes: true, replaces: [] });
      emu.server.log.length = 0;
      const u = await h.update(id, outs, dropLater);
      expect(upserts()).to.have.length(0);
      expect(u.outs).to.include({ onDestroy: "drop", rowCount: 3, loadedContentHash: outs.loadedContentHash });
    });

    it("mode create: later previews of its own table pass, and a reload overwrites", async () => {
      const file = path.join(tmp, "u.csv");
      fs.copyFileSync(fixture("users.csv"), file);
      const program = { catalog: "lakehouse", table: "made", file, mode: "create" };
      const { id, outs } = await make(program);
      fs.copyFileSync(fixture("users-v2.csv"), file);
      const news = await checked(program, outs); // olds given: the table is this resource's
      const u = await h.update(id, outs, news);
      expect(emu.server.log.filter((r) => r.path === "/upsert").map((r) => r.query)).to.have.length(2);
      expect(emu.server.log.filter((r) => r.path === "/upsert")[1].query).to.include("mode=overwrite");
      expect(u.outs.rowCount).to.equal(2);
    });
  });

  describe("drift", () => {
    it("rows deleted out of band: refresh shows a change, up reloads them", async () => {
      const program = { catalog: "lakehouse", table: "users", file: fixture("users.csv"), primaryKey: ["id"] };
      const { id, outs } = await make(program);
      await api.query("DELETE FROM lakehouse.main.users WHERE id >= 2");

      const r = await h.read(id, outs);
      expect(r.props!.contentHash).to.contain(DRIFT_MARKER).and.contain("1 rows now").and.contain("3 loaded");
      expect(r.inputs!.contentHash).to.equal(r.props!.contentHash);
      // A second refresh reads the same (no flapping).
      const r2 = await h.read(id, r.props!);
      expect(r2.props!.contentHash).to.equal(r.props!.contentHash);

      const news = await checked(program, r2.props!);
      const d = await h.diff(id, r2.props!, news);
      expect(d).to.deep.include({ changes: true, replaces: [] });
      emu.server.log.length = 0;
      const u = await h.update(id, r2.props!, news);
      expect(upserts()).to.have.length(1);
      expect(await count("users")).to.equal(3);
      expect(u.outs.contentHash).to.equal(news.contentHash);

      const r3 = await h.read(id, u.outs);
      expect(r3.props!.contentHash).to.equal(news.contentHash);
      expect((await h.diff(id, r3.props!, news)).changes).to.equal(false);
    });

    it("rows changed out of band (same count) are drift too", async () => {
      const { id, outs } = await make({ catalog: "lakehouse", table: "users", file: fixture("users.csv"), primaryKey: ["id"] });
      await api.query("UPDATE lakehouse.main.users SET name = 'Mallory' WHERE id = 1");
      const r = await h.read(id, outs);
      expect(r.props!.contentHash).to.contain(DRIFT_MARKER).and.contain("3 rows now");
    });

    it("rows restored out of band read as in sync again", async () => {
      const program = { catalog: "lakehouse", table: "users", file: fixture("users.csv"), primaryKey: ["id"] };
      const { id, outs } = await make(program);
      await api.query("DELETE FROM lakehouse.main.users WHERE id = 3");
      const r = await h.read(id, outs);
      expect(r.props!.contentHash).to.contain(DRIFT_MARKER);
      await api.query("INSERT INTO lakehouse.main.users SELECT * FROM read_csv_auto('" + fixture("users.csv") + "') WHERE id = 3");
      const r2 = await h.read(id, r.props!);
      expect(r2.props!.contentHash).to.equal(outs.contentHash);
      expect((await h.diff(id, r2.props!, await checked(program, r2.props!))).changes).to.equal(false);
    });

    it("a dropped table reads as gone", async () => {
      const { id, outs } = await make({ catalog: "lakehouse", table: "users", file: fixture("users.csv"), primaryKey: ["id"] });
      await api.query("DROP TABLE lakehouse.main.users");
      expect(await h.read(id, outs)).to.deep.equal({});
    });
  });

  describe("preview failures (check): nothing written", () => {
    async function failsAtPreview(inputs: Record<string, unknown>, property: string, pattern: RegExp, olds: Record<string, unknown> = {}) {
      emu.server.log.length = 0;
      const c = await h.check(olds, inputs);
      expect(c.failures.map((f) => (f as any).field)).to.deep.equal([property]);
      expect(c.failures[0].reason).to.match(pattern);
      expect(upserts()).to.have.length(0);
      expect(statements().every((s) => /^\s*SELECT\b/i.test(s)), statements().join("; ")).to.equal(true);
      return c.failures[0].reason;
    }

    it("a missing file", async () => {
      const missing = path.join(tmp, "nope.csv");
      const reason = await failsAtPreview({ catalog: "lakehouse", table: "t", file: missing, mode: "overwrite" }, "file", /no such file/);
      expect(reason).to.contain(missing);
    });

    it("upsert without primaryKey", async () => {
      await failsAtPreview({ catalog: "lakehouse", table: "t", file: fixture("users.csv") }, "primaryKey", /upsert mode needs primaryKey/);
    });

    it("a primaryKey not in the CSV header or the first JSON record", async () => {
      await failsAtPreview({ catalog: "lakehouse", table: "t", file: fixture("users.csv"), primaryKey: ["user_id"] }, "primaryKey", /user_id not among the columns .*header: id, name, amount, created_at/);
      await failsAtPreview({ catalog: "lakehouse", table: "t", file: fixture("users.json"), primaryKey: ["uuid"] }, "primaryKey", /uuid not among the columns .*first record: id, name, amount/);
    });

    it("file columns missing from an existing table (append, upsert)", async () => {
      await make({ catalog: "lakehouse", table: "users", file: fixture("users.csv"), primaryKey: ["id"] });
      await failsAtPreview({ catalog: "lakehouse", table: "users", file: fixture("users-extra-column.csv"), mode: "append" }, "file", /column\(s\) referrer .* do not exist in table lakehouse\.main\.users/);
      await failsAtPreview({ catalog: "lakehouse", table: "users", file: fixture("users-extra-column.csv"), primaryKey: ["id"] }, "file", /referrer/);
      // overwrite recreates the table: allowed
      const c = await h.check({}, { catalog: "lakehouse", table: "users", file: fixture("users-extra-column.csv"), mode: "overwrite" });
      expect(c.failures).to.deep.equal([]);
    });

    it("mode create on an existing table", async () => {
      await api.query("CREATE TABLE lakehouse.main.taken (id INTEGER)");
      await failsAtPreview({ catalog: "lakehouse", table: "taken", file: fixture("users.csv"), mode: "create" }, "mode", /already exists/);
    });

    it("a file that does not match its format", async () => {
      await failsAtPreview({ catalog: "lakehouse", table: "t", file: fixture("not-parquet.parquet"), mode: "overwrite" }, "format", /not Parquet/);
      await failsAtPreview({ catalog: "lakehouse", table: "t", file: fixture("users.csv"), format: "json", mode: "overwrite" }, "format", /not JSON/);
    });
  });

  describe("destroy", () => {
    for (const [onDestroy, expected] of [
      ["keep", { exists: true, rows: 3 }],
      ["truncate", { exists: true, rows: 0 }],
      ["drop", { exists: false, rows: 0 }],
    ] as const) {
      it(`onDestroy ${onDestroy}`, async () => {
        const { id, outs } = await make({ catalog: "lakehouse", table: "users", file: fixture("users.csv"), primaryKey: ["id"], onDestroy });
        emu.server.log.length = 0;
        await h.delete(id, outs);
        if (onDestroy === "keep") expect(emu.requests()).to.deep.equal([]); // destroy sent nothing
        const exists = await api.tableExists({ catalog: "lakehouse", schema: "main", table: "users" });
        expect(exists).to.equal(expected.exists);
        if (exists) expect(await count("users")).to.equal(expected.rows);
      });
    }

    it("truncate and drop of a table already gone succeed", async () => {
      const { id, outs } = await make({ catalog: "lakehouse", table: "users", file: fixture("users.csv"), primaryKey: ["id"], onDestroy: "truncate" });
      await api.query("DROP TABLE lakehouse.main.users");
      await h.delete(id, outs);
      await h.delete(id, { ...outs, onDestroy: "drop" });
    });
  });

  describe("large files", () => {
    it("reports progress lines for a multi-MB file", async () => {
      const file = path.join(tmp, "big.csv");
      const n = await writeCsv(file, 8);
      const { outs } = await make({ catalog: "lakehouse", table: "big", file, mode: "overwrite" });
      expect(outs.rowCount).to.equal(n);
      const lines = progress.filter((m) => m.includes("uploaded"));
      expect(lines.length).to.be.within(9, 12);
      expect(lines[lines.length - 1]).to.match(/\[altertable\.LoadedData\] uploaded 8 MiB of 8 MiB \(100%\)/);
      expect(progress.some((m) => /loaded 8 MiB in .*big has \d+ rows/.test(m))).to.equal(true);
    });
  });
});

/**
 * Memory: the emulator runs as its own process, so the provider's resident memory is measured
 * alone while a ~100 MB file goes through check (hash) and create (upload).
 */
describe("altertable.LoadedData memory", function () {
  this.timeout(180_000);
  let child: ChildProcess;
  let url: string;
  let tmp: string;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "at-load-mem-"));
    ({ child, url } = await spawnEmulator("altertable", path.join(tmp, "state")));
  });
  after(async () => {
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("stays bounded for a ~100 MB file", async () => {
    const file = path.join(tmp, "mem.csv");
    const n = await writeCsv(file, 100);
    const api = new AltertableApi(createAltertableHttp({ endpoint: url, username: "altertable", password: "altertable-emulator" }));
    const h = buildHandlers(loadedData, () => api, () => undefined);
    global.gc?.();
    const base = process.memoryUsage().rss;
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      const c = await h.check({}, { catalog: "lakehouse", table: "mem", file, mode: "overwrite" });
      expect(c.failures).to.deep.equal([]);
      const r = await h.create(c.inputs);
      expect(r.outs.rowCount).to.equal(n);
    } finally {
      clearInterval(sampler);
      await api.http.close();
    }
    const deltaMb = (peak - base) / (1 << 20);
    console.log(`      provider rss: base ${(base / (1 << 20)).toFixed(0)} MB, peak +${deltaMb.toFixed(1)} MB`);
    expect(deltaMb, `rss grew by ${deltaMb.toFixed(1)} MB`).to.be.below(60);
  });
});
