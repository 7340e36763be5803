/**
 * SQL injection by construction: every payload the outside testers used fails at check (preview),
 * naming the field, and the canary table next to it still exists. A transient 503 on an
 * idempotent statement is retried; a non-idempotent one is not. Engine errors are typed.
 */
import { expect } from "chai";
import { startAltertable, RunningAltertable } from "../helpers/altertable";
import { startByteHouse, RunningEmulator } from "../helpers/emulators";
import { buildHandlers, Handlers } from "../../provider/framework/engine";
import { AltertableApi, createAltertableHttp } from "../../provider/altertable/api";
import { altertableTable } from "../../provider/altertable/table";
import { view } from "../../provider/altertable/view";
import { ByteHouseApi, createByteHouseHttp } from "../../provider/bytehouse/api";
import { table as bytehouseTable } from "../../provider/bytehouse/table";
import { database } from "../../provider/bytehouse/database";
import { WarehouseApiError } from "../../provider/http/errors";

const DROP_CANARY = "DROP TABLE lakehouse.main.canary";

describe("SQL injection payloads against the Altertable emulator", function () {
  this.timeout(30_000);
  let emu: RunningAltertable;
  let api: AltertableApi;
  const h = (spec: any): Handlers => buildHandlers(spec, () => api, () => undefined);
  const canaryRows = async () => Number((await api.rows("SELECT count(*) AS n FROM lakehouse.main.canary"))[0].n);
  const queries = () => emu.requests().filter((r) => r.path === "/query");

  beforeEach(async () => {
    emu = await startAltertable();
    api = new AltertableApi(createAltertableHttp({ endpoint: emu.url, username: emu.username, password: emu.password }, { retry: { baseDelayMs: 5, maxDelayMs: 20 } }));
    await api.query("CREATE TABLE lakehouse.main.canary (x INTEGER)");
    await api.query("INSERT INTO lakehouse.main.canary VALUES (1), (2)");
  });
  afterEach(async () => {
    expect(await canaryRows(), "the canary table still exists with its rows").to.equal(2);
    await api.http.close();
    await emu.stop();
  });

  const table = (column: Record<string, unknown>) => ({ catalog: "lakehouse", name: "victim", columns: [column] });

  it("a column type carrying a statement fails check naming columns.0.type, and never reaches the engine", async () => {
    const t = h(altertableTable);
    const payload = `INTEGER); ${DROP_CANARY}; --`;
    const before = queries().length;
    const r = await t.check({}, table({ name: "a", type: payload }));
    expect(r.failures.map((f) => f.field)).to.deep.equal(["columns.0.type"]);
    expect(r.failures[0].reason).to.contain(`altertable.Table columns.0.type: ${JSON.stringify(payload)} is not a DuckDB type: must not contain ";"`);
    // Even past check (a create called with unchecked inputs) the builder refuses before sending anything.
    const err = await t.create({ ...table({ name: "a", type: payload, nullable: true, comment: "" }), schema: "main", primaryKey: [], comment: "", allowDataLoss: false, allowReplace: false }).catch((e) => e);
    expect(err.message).to.contain("is not a DuckDB type");
    expect(queries().length, "no /query was sent").to.equal(before);
  });

  it("typos fail at preview, not at up (BIGINTT)", async () => {
    const r = await h(altertableTable).check({}, table({ name: "a", type: "BIGINTT" }));
    expect(r.failures[0]).to.include({ field: "columns.0.type" });
    expect(r.failures[0].reason).to.contain("unknown type name BIGINTT");
  });

  it("a defaultValue carrying a statement fails check naming columns.0.defaultValue", async () => {
    const r = await h(altertableTable).check({}, table({ name: "a", type: "INTEGER", defaultValue: `0; ${DROP_CANARY}; --` }));
    expect(r.failures.map((f) => f.field)).to.deep.equal(["columns.0.defaultValue"]);
    expect(r.failures[0].reason).to.contain("is not a safe DEFAULT expression: it must be one expression, not statements");
    const sub = await h(altertableTable).check({}, table({ name: "a", type: "INTEGER", defaultValue: "(SELECT count(*) FROM lakehouse.main.canary)" }));
    expect(sub.failures[0]).to.include({ field: "columns.0.defaultValue" });
  });

  it("an injected type in an update fails check too; safe types and defaults still create and alter", async () => {
    const t = h(altertableTable);
    const c = await t.check({}, { catalog: "lakehouse", name: "ok", columns: [{ name: "id", type: "int", defaultValue: "0" }, { name: "at", type: "timestamptz", defaultValue: "now()" }] });
    expect(c.failures).to.deep.equal([]);
    expect(c.inputs.columns.map((x: { type: string }) => x.type)).to.deep.equal(["INTEGER", "TIMESTAMP WITH TIME ZONE"]);
    const made = await t.create(c.inputs);
    const read = await t.read(made.id, made.outs);
    expect((await t.diff(made.id, read.props!, c.inputs)).changes, "int vs INTEGER is no diff").to.equal(false);
    const bad = await t.check(c.inputs, { ...c.inputs, columns: [...c.inputs.columns, { name: "x", type: `VARCHAR DEFAULT 'a'; ${DROP_CANARY}; --` }] });
    expect(bad.failures.map((f) => f.field)).to.deep.equal(["columns.2.type"]);
    const good = await t.check(c.inputs, { ...c.inputs, columns: [...c.inputs.columns, { name: "x", type: "VARCHAR", defaultValue: "'it''s'" }] });
    expect(good.failures).to.deep.equal([]);
    await t.update(made.id, read.props!, good.inputs);
    const rows = await api.rows("SELECT column_name, column_default FROM duckdb_columns() WHERE table_name = 'ok' ORDER BY column_index");
    expect(rows.map((r) => r.column_name)).to.deep.equal(["id", "at", "x"]);
  });

  it("a view's SQL with a second statement fails check naming sql; so does a non-query", async () => {
    const v = h(view);
    const r = await v.check({}, { catalog: "lakehouse", name: "v", sql: `SELECT 1 AS one; ${DROP_CANARY}` });
    expect(r.failures.map((f) => f.field)).to.deep.equal(["sql"]);
    expect(r.failures[0].reason).to.contain("altertable.View sql: must be exactly one statement; found 2");
    const drop = await v.check({}, { catalog: "lakehouse", name: "v", sql: DROP_CANARY });
    expect(drop.failures[0].reason).to.contain("must be a SELECT (or WITH … SELECT) query; it starts with DROP");
    // /validate (the engine) is never asked about such SQL.
    expect(emu.requests().filter((x) => x.path === "/validate")).to.deep.equal([]);
  });

  it("a view ending in a -- comment passes preview and up, and reads back without a diff", async () => {
    const v = h(view);
    const c = await v.check({}, { catalog: "lakehouse", name: "v", sql: "SELECT x FROM lakehouse.main.canary -- the canary's rows", comment: "c" });
    expect(c.failures).to.deep.equal([]);
    const made = await v.create(c.inputs);
    const read = await v.read(made.id, made.outs);
    expect((await v.diff(made.id, read.props!, c.inputs)).changes).to.equal(false);
    const upd = await v.check(c.inputs, { ...c.inputs, sql: "SELECT x * 2 AS y FROM lakehouse.main.canary; -- doubled\n" });
    expect(upd.failures).to.deep.equal([]);
    await v.update(made.id, read.props!, upd.inputs);
    expect(await api.rows("SELECT y FROM lakehouse.main.v ORDER BY y")).to.deep.equal([{ y: 2 }, { y: 4 }]);
  });

  it("DROP TABLE IF EXISTS meeting one 503 is retried and succeeds; CREATE TABLE is not resent", async () => {
    await api.query("CREATE TABLE lakehouse.main.doomed (x INTEGER)");
    const t = h(altertableTable);
    emu.faults({ rules: [{ method: "POST", path: "^/query$", status: 503, times: 1 }] });
    const before = queries().length;
    await t.delete("lakehouse.main.doomed", { catalog: "lakehouse", schema: "main", name: "doomed" });
    expect(queries().slice(before).map((q) => q.status)).to.deep.equal([503, 200]);
    expect(await api.tableExists({ catalog: "lakehouse", schema: "main", table: "doomed" })).to.equal(false);

    emu.faults({ rules: [{ method: "POST", path: "^/query$", status: 503, times: 1 }] });
    const n = queries().length;
    const err = await api.query("CREATE TABLE lakehouse.main.once (x INTEGER)").catch((e) => e);
    expect(err).to.be.instanceOf(WarehouseApiError);
    expect(err.kind).to.equal("ambiguous");
    expect(queries().length - n, "sent once").to.equal(1);
  });

  it("engine errors are typed: a missing table is not_found, an existing one conflict", async () => {
    const missing = await api.query("SELECT * FROM lakehouse.main.nope").catch((e) => e);
    expect(missing).to.be.instanceOf(WarehouseApiError);
    expect(missing.kind).to.equal("not_found");
    expect(missing.message).to.contain("Altertable POST /query failed: Catalog Error");
    const dup = await api.query("CREATE TABLE lakehouse.main.canary (x INTEGER)").catch((e) => e);
    expect(dup.kind).to.equal("conflict");
    const syntax = await api.query("SELEC 1").catch((e) => e);
    expect(syntax.kind).to.equal("validation");
  });
});

describe("SQL injection payloads against the ByteHouse emulator", function () {
  this.timeout(30_000);
  let emu: RunningEmulator<any>;
  let api: ByteHouseApi;
  const h = (spec: any): Handlers => buildHandlers(spec, () => api, () => undefined);

  beforeEach(async () => {
    emu = await startByteHouse();
    api = new ByteHouseApi(createByteHouseHttp({ endpoint: emu.url, apiKey: emu.apiKey }, { retry: { baseDelayMs: 5, maxDelayMs: 20 } }));
    const db = h(database);
    await db.create((await db.check({}, { name: "sales" })).inputs);
    const t = h(bytehouseTable);
    await t.create((await t.check({}, { database: "sales", name: "canary", columns: [{ name: "x", type: "Int32" }], orderByKeys: ["x"] })).inputs);
  });
  afterEach(async () => {
    expect(await api.getTable("sales", "canary"), "the canary table still exists").to.not.equal(undefined);
    await api.http.close();
    await emu.stop();
  });

  const program = (type: string) => ({ database: "sales", name: "victim", columns: [{ name: "a", type }], orderByKeys: ["a"] });

  it("Decimal(1,2)); DROP … and Int33 fail check naming columns.0.type", async () => {
    const t = h(bytehouseTable);
    const r = await t.check({}, program("Decimal(1,2)); DROP TABLE sales.canary; --"));
    expect(r.failures.map((f) => f.field)).to.deep.equal(["columns.0.type"]);
    expect(r.failures[0].reason).to.contain('is not a ClickHouse type: must not contain ";"');
    const i33 = await t.check({}, program("Int33"));
    expect(i33.failures[0].reason).to.contain("Int33 is not a ClickHouse type (no Int of 33 bits)");
  });

  it("Nullable(String) and {type: String, nullable: true} are one column: no false diff after a hand-added column is refreshed", async () => {
    const t = h(bytehouseTable);
    const c = await t.check({}, { database: "sales", name: "people", columns: [{ name: "id", type: "Int64" }, { name: "note", type: "Nullable(String)" }], orderByKeys: ["id"] });
    expect(c.failures).to.deep.equal([]);
    expect(c.inputs.columns[1]).to.deep.include({ name: "note", type: "String", nullable: true });
    const made = await t.create(c.inputs);
    await api.query("ALTER TABLE sales.people ADD COLUMN extra Nullable(String)");
    const refreshed = await t.read(made.id, made.outs);
    const cols = refreshed.props!.columns as { name: string }[];
    expect(cols.map((x) => x.name)).to.deep.equal(["id", "note", "extra"]);
    // What preview --diff shows: the untouched column is the same on both sides.
    const again = await t.check(refreshed.inputs!, { database: "sales", name: "people", columns: [{ name: "id", type: "Int64" }, { name: "note", type: "Nullable(String)" }], orderByKeys: ["id"], allowDataLoss: true });
    expect(again.failures).to.deep.equal([]);
    expect(cols[1]).to.deep.include({ name: "note", type: "String", nullable: true });
    expect(again.inputs.columns[1]).to.deep.include(Object.fromEntries(Object.entries(cols[1]).filter(([, v]) => v !== undefined)));
  });
});
