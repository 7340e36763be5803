/** Altertable Schema, Table, View and AppendedRecords: provider operations against the emulator over HTTP. */
import { expect } from "chai";
import { checkAndCreate } from "../helpers/handlers";
import { startAltertable, RunningAltertable } from "../helpers/altertable";
import { buildHandlers, Handlers, observedOf } from "../../provider/framework/engine";
import { AltertableApi, createAltertableHttp } from "../../provider/altertable/api";
import { schema } from "../../provider/altertable/schema";
import { altertableTable } from "../../provider/altertable/table";
import { view } from "../../provider/altertable/view";
import { appendedRecords } from "../../provider/altertable/appendedRecords";

describe("Altertable objects against the emulator", function () {
  this.timeout(30_000);
  let emu: RunningAltertable;
  let api: AltertableApi;
  const progress: string[] = [];
  const h = (spec: any): Handlers => buildHandlers(spec, () => api, (m) => progress.push(m));
  const n = async (sql: string) => Number((await api.rows(sql))[0].n);

  const make = checkAndCreate;

  beforeEach(async () => {
    emu = await startAltertable();
    api = new AltertableApi(createAltertableHttp({ endpoint: emu.url, username: emu.username, password: emu.password }, { retry: { baseDelayMs: 5, maxDelayMs: 20 } }));
    progress.length = 0;
  });
  afterEach(async () => {
    await api.http.close();
    await emu.stop();
  });

  it("Schema: creates, reads, refuses to drop a non-empty schema without forceDestroy", async () => {
    const s = h(schema);
    const made = await make(s, { catalog: "lakehouse", name: "analytics" });
    expect((await s.read(made.id, made.outs)).id).to.equal("lakehouse.analytics");
    await api.query("CREATE TABLE lakehouse.analytics.t (x INTEGER)");
    const err = await s.delete(made.id, made.outs).catch((e) => e);
    expect(err.message).to.contain("lakehouse.analytics still holds t; nothing was dropped").and.contain("forceDestroy: true");
    expect((await s.read(made.id, made.outs)).id, "still there").to.equal("lakehouse.analytics");
    await s.delete(made.id, { ...made.outs, forceDestroy: true });
    expect(await s.read(made.id, made.outs)).to.deep.equal({});
  });

  describe("Table", () => {
    const program = {
      catalog: "lakehouse",
      name: "users",
      columns: [
        { name: "id", type: "BIGINT", nullable: false },
        { name: "name", type: "VARCHAR", comment: "display name" },
        { name: "score", type: "INTEGER" },
      ],
      primaryKey: ["id"],
      comment: "people",
    };

    it("creates with comments and a primary key; no false drift on read", async () => {
      const t = h(altertableTable);
      const made = await make(t, program);
      expect(made.id).to.equal("lakehouse.main.users");
      const r = await t.read(made.id, made.outs);
      expect((await t.diff(made.id, r.props!, made.inputs)).changes).to.equal(false);
      expect((observedOf(r.props!) as any).primaryKey).to.deep.equal(["id"]);
      expect((observedOf(r.props!) as any).columns[1]).to.include({ comment: "display name" });
    });

    it("applies safe changes in one transaction, keeps rows, and sees SQL-made changes as drift", async () => {
      const t = h(altertableTable);
      const made = await make(t, program);
      await api.query("INSERT INTO lakehouse.main.users VALUES (1, 'ann', 5), (2, 'bob', 7)");
      const news = (await t.check(made.inputs, {
        ...program,
        columns: [
          { name: "id", type: "BIGINT", nullable: false },
          { name: "display_name", type: "VARCHAR", comment: "display name", previousName: "name" },
          { name: "score", type: "BIGINT" },
          { name: "country", type: "VARCHAR" },
        ],
        comment: "people we know",
      })).inputs;
      const before = emu.requests().length;
      const upd = await t.update(made.id, made.outs, news);
      const writes = emu.requests().slice(before).filter((r) => r.method === "POST");
      expect(upd.outs.rowCount).to.equal(2);
      expect((await api.rows("SELECT display_name FROM lakehouse.main.users ORDER BY id")).map((r) => r.display_name)).to.deep.equal(["ann", "bob"]);
      expect(writes.length, "one ALTER transaction plus the reads").to.be.greaterThan(0);

      await api.query("ALTER TABLE lakehouse.main.users ALTER COLUMN score TYPE INTEGER");
      const r = await t.read(made.id, upd.outs);
      expect((r.props!.columns as any[]).find((c) => c.name === "score").type).to.equal("INTEGER");
      expect((await t.diff(made.id, r.props!, news)).changes).to.equal(true);
    });

    it("refuses a column drop at preview without allowDataLoss; applies it with", async () => {
      const t = h(altertableTable);
      const made = await make(t, program);
      const dropped = { ...program, columns: program.columns.slice(0, 2) };
      const refused = await t.check(made.outs, dropped);
      expect(refused.failures[0].reason).to.contain("drop column score and all its data").and.contain("allowDataLoss: true");
      const ok = await t.check(made.outs, { ...dropped, allowDataLoss: true });
      expect(ok.failures).to.deep.equal([]);
      await t.update(made.id, made.outs, ok.inputs);
      expect((await api.rows("SELECT column_name FROM duckdb_columns() WHERE table_name = 'users'")).map((r) => r.column_name)).to.deep.equal(["id", "name"]);
    });

    it("a failing conversion rolls the whole transaction back", async () => {
      const t = h(altertableTable);
      const made = await make(t, program);
      await api.query("INSERT INTO lakehouse.main.users VALUES (1, 'not a number', 5)");
      const news = (await t.check(made.outs, {
        ...program,
        columns: [{ name: "id", type: "BIGINT", nullable: false }, { name: "name", type: "INTEGER" }, { name: "score", type: "INTEGER" }, { name: "extra", type: "VARCHAR" }],
        allowDataLoss: true,
      })).inputs;
      const err = await t.update(made.id, made.outs, news).catch((e) => e);
      expect(err.message).to.contain("Altertable POST /query failed");
      const cols = (await api.rows("SELECT column_name FROM duckdb_columns() WHERE table_name = 'users'")).map((r) => r.column_name);
      expect(cols, "the ADD COLUMN of the same transaction was rolled back too").to.deep.equal(["id", "name", "score"]);
    });
  });

  describe("View", () => {
    beforeEach(async () => {
      await api.query("CREATE TABLE lakehouse.main.orders (id INTEGER, amount DOUBLE)");
    });

    it("fails at preview with the engine's message for broken SQL, without creating anything", async () => {
      const v = h(view);
      const r = await v.check({}, { catalog: "lakehouse", name: "big_orders", sql: "SELECT nope FROM lakehouse.main.orders" });
      expect(r.failures[0].field).to.equal("sql");
      expect(r.failures[0].reason).to.contain("Binder Error").and.contain("nope");
      const syntax = await v.check({}, { catalog: "lakehouse", name: "big_orders", sql: "SELEC 1" });
      expect(syntax.failures[0].reason).to.contain("Parser Error");
      expect(await api.rows("SELECT view_name FROM duckdb_views() WHERE view_name = 'big_orders'")).to.deep.equal([]);
    });

    it("passes at preview when the table does not exist yet; creates, updates the SQL in place, and sees drift", async () => {
      const v = h(view);
      const later = await v.check({}, { catalog: "lakehouse", name: "future", sql: "SELECT * FROM lakehouse.main.not_yet" });
      expect(later.failures).to.deep.equal([]);
      const made = await make(v, { catalog: "lakehouse", name: "big_orders", sql: "select id from lakehouse.main.orders where amount > 100", comment: "large" });
      const r = await v.read(made.id, made.outs);
      expect((await v.diff(made.id, r.props!, made.inputs)).changes, "stored SQL is reformatted, not drift").to.equal(false);
      const news = (await v.check(made.inputs, { ...made.inputs, sql: "select id from lakehouse.main.orders where amount > 1000" })).inputs;
      await v.update(made.id, r.props!, news);
      expect(String((await api.rows("SELECT sql FROM duckdb_views() WHERE view_name = 'big_orders'"))[0].sql)).to.contain("1000");
      await api.query("CREATE OR REPLACE VIEW lakehouse.main.big_orders AS SELECT 1 AS id");
      const drift = await v.read(made.id, (await v.read(made.id, made.outs)).props!);
      expect((await v.diff(made.id, drift.props!, news)).changes).to.equal(true);
    });
  });

  describe("AppendedRecords", () => {
    const records = [
      { event: "signup", user_id: 1, at: "2025-12-30T10:00:00Z" },
      { event: "login", user_id: 1, at: "2025-12-30T10:01:00Z" },
    ];

    it("appends, waits for the task, and counts the batch; refresh sees rows deleted by hand", async () => {
      const a = h(appendedRecords);
      const made = await make(a, { catalog: "lakehouse", table: "events", records });
      expect(made.outs.rowCount).to.equal(2);
      expect(await n("SELECT count(*) AS n FROM lakehouse.main.events")).to.equal(2);
      const r = await a.read(made.id, made.outs);
      expect((await a.diff(made.id, r.props!, made.inputs)).changes).to.equal(false);
      await api.query("DELETE FROM lakehouse.main.events WHERE event = 'login'");
      const drift = await a.read(made.id, r.props!);
      expect((await a.diff(made.id, drift.props!, made.inputs)).changes).to.equal(true);
      await a.update(made.id, drift.props!, made.inputs);
      expect(await n("SELECT count(*) AS n FROM lakehouse.main.events"), "re-appended without duplicates").to.equal(2);
      await api.query("DELETE FROM lakehouse.main.events");
      expect(await a.read(made.id, r.props!)).to.deep.equal({});
    });

    it("never sends the records twice after an ambiguous failure", async () => {
      emu.faults({ rules: [{ method: "POST", path: "^/append$", drop: "after" }] });
      const a = h(appendedRecords);
      await make(a, { catalog: "lakehouse", table: "events", records });
      expect(emu.requests().filter((r) => r.path === "/append")).to.have.length(1);
      expect(await n("SELECT count(*) AS n FROM lakehouse.main.events")).to.equal(2);
      expect(progress.join("\n")).to.contain("had been applied; not sending it again");
    });

    it("sends again when the dropped request had not been applied", async () => {
      emu.faults({ rules: [{ method: "POST", path: "^/append$", drop: "before" }] });
      await make(h(appendedRecords), { catalog: "lakehouse", table: "events", records });
      expect(emu.requests().filter((r) => r.path === "/append")).to.have.length(2);
      expect(await n("SELECT count(*) AS n FROM lakehouse.main.events")).to.equal(2);
    });

    it("destroy keeps the rows unless deleteOnDestroy", async () => {
      const a = h(appendedRecords);
      const kept = await make(a, { catalog: "lakehouse", table: "events", records });
      await a.delete(kept.id, kept.outs);
      expect(await n("SELECT count(*) AS n FROM lakehouse.main.events")).to.equal(2);
      const gone = await make(a, { catalog: "lakehouse", table: "events", records, deleteOnDestroy: true });
      await a.delete(gone.id, gone.outs);
      expect(await n("SELECT count(*) AS n FROM lakehouse.main.events")).to.equal(2);
    });
  });
});
