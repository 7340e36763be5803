/** ByteHouse emulator: tables on the embedded SQL engine, SQL queries (sync/async), partitions. */
import { expect } from "chai";
import { bhCall, startByteHouse, RunningEmulator } from "../helpers/emulators";
import { ByteHouseState } from "../../emulator/bytehouse";

type Emu = RunningEmulator<ByteHouseState>;

const call = bhCall;

const sql = async (emu: Emu, query: string, extra: Record<string, unknown> = {}) => call(emu, "POST", "/v1/sql/sync", { query, mode: "clickhouse_sql", ...extra });
const col = (t: any, name: string) => t.columns.find((c: any) => c.name === name);

/** The vendor doc's "Create table" request sample, as written (collapsed objects sent as {}). */
const DOC_CREATE = {
  name: "table_name",
  description: "Hello Table",
  columns: [
    { name: "ColumnID", type: "String", nullable: false, defaultValue: "defaultValue", comment: "hello comment" },
    { name: "ColumnDate", type: "Date", nullable: false, defaultValue: "2019-01-01" },
    { name: "ColumnHello", type: "int" },
    { name: "ColumnNotNull", type: "String", nullable: false },
  ],
  orderByKeys: ["ColumnID", "ColumnDate"],
  samplingKey: "ColumnID",
  partitionKeys: [
    { column: "ColumnDate", granularity: "day", expression: "toStartOfDay(`ColumnDate`)" },
    { column: "ColumnNotNull", granularity: null, expression: "ColumnNotNull" },
  ],
  primaryKeys: ["ColumnID", "ColumnDate"],
  ttl: {},
  uniqueKey: {},
  clusterKey: {},
};

describe("ByteHouse emulator: tables and SQL", () => {
  let emu: Emu;
  beforeEach(async () => {
    emu = await startByteHouse();
    expect((await call(emu, "POST", "/v1/databases", { name: "db_name" })).status).to.equal(200);
  });
  afterEach(() => emu.stop());

  it("accepts the vendor doc's create-table sample and reads it back from the engine", async () => {
    const r = await call(emu, "POST", "/v1/databases/db_name/tables", DOC_CREATE);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.data.uuid).to.match(/^[0-9a-f-]{36}$/);
    const t = (await call(emu, "GET", "/v1/databases/db_name/tables/table_name")).body.data;
    expect(t).to.include({ name: "table_name", database: "db_name", description: "Hello Table", uuid: r.body.data.uuid, rowCount: 0, samplingKey: "ColumnID", ttl: null, uniqueKey: null, clusterKey: null });
    expect(t.columns).to.deep.equal([
      { name: "ColumnID", type: "String", nullable: false, defaultValue: "defaultValue", comment: "hello comment" },
      { name: "ColumnDate", type: "Date", nullable: false, defaultValue: "2019-01-01", comment: null },
      { name: "ColumnHello", type: "int", nullable: false, defaultValue: null, comment: null },
      { name: "ColumnNotNull", type: "String", nullable: false, defaultValue: null, comment: null },
    ]);
    expect(t.orderByKeys).to.deep.equal(["ColumnID", "ColumnDate"]);
    expect(t.partitionKeys[0]).to.deep.equal(DOC_CREATE.partitionKeys[0]);
    expect((await call(emu, "GET", "/v1/databases/db_name")).body.data.noOfTables).to.equal(1);
    // defaults really are in the engine
    await sql(emu, "INSERT INTO db_name.table_name (ColumnHello, ColumnNotNull) VALUES (7, 'x')");
    const rows = (await sql(emu, "SELECT * FROM db_name.table_name")).body.data;
    expect(rows).to.deep.equal([{ ColumnID: "defaultValue", ColumnDate: "2019-01-01", ColumnHello: 7, ColumnNotNull: "x" }]);
  });

  it("validates a create: unknown types, keys that are not columns, duplicates, unknown databases", async () => {
    const base = { name: "t", columns: [{ name: "a", type: "Int64" }], orderByKeys: ["a"] };
    const badType = await call(emu, "POST", "/v1/databases/db_name/tables", { ...base, columns: [{ name: "a", type: "Int64" }, { name: "b", type: "Strng" }] });
    expect(badType.status).to.equal(400);
    expect(badType.body.message).to.contain("b").and.contain("Strng");
    for (const extra of [{ orderByKeys: ["nope"] }, { primaryKeys: ["nope"] }, { samplingKey: "nope" }, { partitionKeys: [{ column: "nope" }] }, { uniqueKey: { columns: ["nope"] } }, { clusterKey: { columns: ["nope"], bucketCount: 4 } }, { ttl: { column: "nope", interval: 1, unit: "DAY" } }]) {
      const r = await call(emu, "POST", "/v1/databases/db_name/tables", { ...base, ...extra });
      expect(r.status, JSON.stringify(extra)).to.equal(400);
      expect(r.body.message).to.contain("nope");
    }
    expect((await call(emu, "POST", "/v1/databases/db_name/tables", base)).status).to.equal(200);
    const dup = await call(emu, "POST", "/v1/databases/db_name/tables", base);
    expect(dup.status).to.equal(422);
    expect(dup.body.error.code).to.equal("TABLE_ALREADY_EXISTS");
    const nodb = await call(emu, "POST", "/v1/databases/nope/tables", base);
    expect(nodb.status).to.equal(404);
    expect(nodb.body.error.code).to.equal("DATABASE_NOT_FOUND");
    const missing = await call(emu, "GET", "/v1/databases/db_name/tables/zzz");
    expect(missing.status).to.equal(404);
    expect(missing.body).to.deep.equal({ message: "table db_name.zzz not found", error: { code: "TABLE_NOT_FOUND", message: "table db_name.zzz not found" } });
  });

  it("maps ClickHouse types and normalises Nullable(T) to type T, nullable true", async () => {
    const columns = [
      { name: "s", type: "Nullable(String)" },
      { name: "u", type: "UInt32" },
      { name: "d", type: "Decimal(10, 2)" },
      { name: "ts", type: "DateTime64(3)" },
      { name: "l", type: "LowCardinality(String)" },
      { name: "arr", type: "Array(Int64)" },
      { name: "b", type: "Bool" },
    ];
    expect((await call(emu, "POST", "/v1/databases/db_name/tables", { name: "types", columns, orderByKeys: ["u"] })).status).to.equal(200);
    const t = (await call(emu, "GET", "/v1/databases/db_name/tables/types")).body.data;
    expect(col(t, "s")).to.include({ type: "String", nullable: true });
    expect(t.columns.map((c: any) => c.type)).to.deep.equal(["String", "UInt32", "Decimal(10, 2)", "DateTime64(3)", "LowCardinality(String)", "Array(Int64)", "Bool"]);
    const types = (await sql(emu, "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'db_name' AND table_name = 'types' ORDER BY column_index")).body.data;
    expect(types.map((r: any) => r.data_type)).to.deep.equal(["VARCHAR", "UINTEGER", "DECIMAL(10,2)", "TIMESTAMP", "VARCHAR", "BIGINT[]", "BOOLEAN"]);
  });

  it("rows inserted by SQL show in SELECT and in rowCount; several statements, USE, maxRowsReturn", async () => {
    await call(emu, "POST", "/v1/databases/db_name/tables", { name: "Customer", columns: [{ name: "id", type: "Int64" }, { name: "name", type: "String" }, { name: "day", type: "Date" }], orderByKeys: ["id"] });
    const ins = await sql(emu, "USE db_name; INSERT INTO Customer VALUES (1, 'a', '2024-01-01'), (2, 'it\\'s', '2024-01-02'), (3, 'c', '2024-01-02')");
    expect(ins.status, JSON.stringify(ins.body)).to.equal(200);
    expect(ins.body).to.deep.equal({ data: [] });
    // the vendor doc's query sample (USE + qualified name), with maxRowsReturn 2
    const r = await call(emu, "POST", "/v1/sql/sync", { query: "USE db_name; SELECT * FROM db_name.Customer ORDER BY id;", mode: "ansi_sql", vwID: "vw-compute-wh-test-8839992783", queryID: "optional-1234567891011121314151617181920s211a22231", asyncModeSwitchAfterInSec: 0, maxRowsReturn: 2 });
    expect(r.status).to.equal(200);
    expect(r.body.data).to.deep.equal([
      { id: 1, name: "a", day: "2024-01-01" },
      { id: 2, name: "it's", day: "2024-01-02" },
    ]);
    const agg = await sql(emu, "SELECT day, count() AS n, toString(max(id)) AS m FROM db_name.Customer GROUP BY day ORDER BY day");
    expect(agg.body.data).to.deep.equal([{ day: "2024-01-01", n: 1, m: "1" }, { day: "2024-01-02", n: 2, m: "3" }]);
    expect((await call(emu, "GET", "/v1/databases/db_name/tables/Customer")).body.data.rowCount).to.equal(3);
    // the USE of one request does not leak into the next
    expect((await sql(emu, "SELECT count(*) AS n FROM Customer")).status).to.equal(400);
  });

  it("rejects bad query requests and reports engine errors as 400", async () => {
    expect((await call(emu, "POST", "/v1/sql/sync", { query: "SELECT 1" })).status).to.equal(400);
    expect((await call(emu, "POST", "/v1/sql/sync", { query: "SELECT 1", mode: "mysql" })).status).to.equal(400);
    expect((await call(emu, "POST", "/v1/sql/sync", { mode: "ansi_sql" })).status).to.equal(400);
    const e = await sql(emu, "SELECT * FROM db_name.nope");
    expect(e.status).to.equal(400);
    expect(e.body.error.code).to.equal("SQL_ERROR");
    expect(e.body.message).to.match(/nope/);
    const u = await sql(emu, "USE nowhere; SELECT 1");
    expect(u.status).to.equal(400);
    expect(u.body.message).to.contain("nowhere");
    expect((await sql(emu, "SELECT CAST('1' AS Int64) + 1 AS x, 'a'::String AS s")).body.data).to.deep.equal([{ x: 2, s: "a" }]);
    expect((await sql(emu, "SELECT sum(number) AS s, toYYYYMM(toDate('2024-03-09')) AS m FROM numbers(4)")).body.data).to.deep.equal([{ s: 6, m: 202403 }]);
  });

  it("ALTER TABLE through SQL (ADD, MODIFY, RENAME, DROP COLUMN) shows in GET table", async () => {
    await call(emu, "POST", "/v1/databases/db_name/tables", { name: "t", columns: [{ name: "id", type: "Int64" }, { name: "code", type: "String" }, { name: "old", type: "String" }], orderByKeys: ["id"] });
    await sql(emu, "INSERT INTO db_name.t VALUES (1, '10', 'x'), (2, '20', 'y')");
    const alter = await sql(emu, "ALTER TABLE db_name.t ADD COLUMN note Nullable(String) COMMENT 'free text', ADD COLUMN qty UInt16 DEFAULT 5, MODIFY COLUMN code Int64, RENAME COLUMN old TO legacy");
    expect(alter.status, JSON.stringify(alter.body)).to.equal(200);
    let t = (await call(emu, "GET", "/v1/databases/db_name/tables/t")).body.data;
    expect(t.columns.map((c: any) => c.name)).to.deep.equal(["id", "code", "legacy", "note", "qty"]);
    expect(col(t, "code")).to.include({ type: "Int64", nullable: false });
    expect(col(t, "legacy")).to.include({ type: "String" });
    expect(col(t, "note")).to.deep.equal({ name: "note", type: "String", nullable: true, defaultValue: null, comment: "free text" });
    expect(col(t, "qty")).to.include({ type: "UInt16", nullable: false, defaultValue: "5" });
    const rows = (await sql(emu, "SELECT code + 1 AS c, qty FROM db_name.t ORDER BY id")).body.data;
    expect(rows).to.deep.equal([{ c: 11, qty: 5 }, { c: 21, qty: 5 }]);
    // a type change the declared type no longer describes is reported from the engine
    await sql(emu, "USE db_name; ALTER TABLE t MODIFY COLUMN legacy Nullable(Float64)", { mode: "clickhouse_sql" }).then((r) => expect(r.status).to.equal(400)); // 'x' is not a number
    await sql(emu, "ALTER TABLE `db_name`.`t` DROP COLUMN legacy");
    await sql(emu, "ALTER TABLE db_name.t ALTER COLUMN id TYPE INTEGER"); // DuckDB's own syntax passes through
    t = (await call(emu, "GET", "/v1/databases/db_name/tables/t")).body.data;
    expect(t.columns.map((c: any) => c.name)).to.deep.equal(["id", "code", "note", "qty"]);
    expect(col(t, "id").type).to.equal("Int32");
    // key columns cannot be dropped through SQL either
    const key = await sql(emu, "ALTER TABLE db_name.t DROP COLUMN id");
    expect(key.status).to.equal(400);
    expect(key.body.message).to.contain("key column");
  });

  it("CREATE/DROP TABLE and CREATE DATABASE through SQL show in the REST reads", async () => {
    const r = await sql(emu, "CREATE DATABASE IF NOT EXISTS shop; CREATE TABLE shop.events (id UInt64, kind LowCardinality(String), at DateTime, note Nullable(String) COMMENT 'n') ENGINE = CnchMergeTree() PARTITION BY toYYYYMMDD(at) ORDER BY (id, at) SETTINGS index_granularity = 8192");
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect((await call(emu, "GET", "/v1/databases/shop")).body.data.noOfTables).to.equal(1);
    const t = (await call(emu, "GET", "/v1/databases/shop/tables/events")).body.data;
    expect(t.orderByKeys).to.deep.equal(["id", "at"]);
    expect(t.partitionKeys).to.deep.equal([{ column: "at", granularity: "day", expression: "toYYYYMMDD(at)" }]);
    expect(t.columns.map((c: any) => [c.name, c.type, c.nullable])).to.deep.equal([["id", "UInt64", false], ["kind", "LowCardinality(String)", false], ["at", "DateTime", false], ["note", "String", true]]);
    await sql(emu, "INSERT INTO shop.events VALUES (1, 'a', '2024-05-01 10:00:00', NULL), (2, 'b', '2024-05-02 11:00:00', 'x')");
    const parts = (await call(emu, "GET", "/v1/databases/shop/tables/events/partitions")).body;
    expect(parts.data.map((p: any) => [p.name, p.rowCount])).to.deep.equal([["20240501", 1], ["20240502", 1]]);
    await sql(emu, "CREATE VIEW shop.v AS SELECT id FROM shop.events");
    const both = (await call(emu, "GET", "/v1/databases/shop/tables-and-views")).body;
    expect(both.data.map((x: any) => [x.name, x.type])).to.deep.equal([["events", "TABLE"], ["v", "VIEW"]]);
    expect((await call(emu, "GET", "/v1/databases/shop/tables")).body.data.map((x: any) => x.name)).to.deep.equal(["events"]);
    await sql(emu, "DROP VIEW shop.v; DROP TABLE shop.events SYNC");
    expect((await call(emu, "GET", "/v1/databases/shop/tables/events")).status).to.equal(404);
    expect((await call(emu, "GET", "/v1/databases/shop")).body.data.noOfTables).to.equal(0);
  });

  it("accepts the vendor doc's update-table sample and applies every operation", async () => {
    const create = await call(emu, "POST", "/v1/databases/db_name/tables", {
      name: "upd",
      columns: [
        { name: "k", type: "Int64" },
        { name: "dropColumn1", type: "String" },
        { name: "dropColumn2", type: "Nullable(Int32)" },
        { name: "ColumnExisting", type: "Int32" },
        { name: "ColumnExisting2", type: "Nullable(String)" },
      ],
      orderByKeys: ["k"],
    });
    expect(create.status).to.equal(200);
    await sql(emu, "INSERT INTO db_name.upd VALUES (1, 'a', 1, 42, '2020-02-02')");
    const r = await call(emu, "PATCH", "/v1/databases/db_name/tables/upd", {
      addColumns: [
        { name: "ColumnID", type: "String", nullable: false, defaultValue: "defaultValue", comment: "updated_column_comment" },
        { name: "ColumnDate", type: "Date", nullable: false, defaultValue: "2019-01-01" },
      ],
      dropColumns: ["dropColumn1", "dropColumn2"],
      modifyColumns: [
        { name: "ColumnExisting", type: "String", defaultValue: "defaultValue", comment: "you can update data type (including Nullable), default value and comment when modifying columns" },
        { name: "ColumnExisting2", type: "Date", nullable: false, defaultValue: "2019-01-01" },
      ],
      renameColumns: [],
      ttl: {},
      isRemoveTTL: false,
    });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body).to.deep.equal({});
    const t = (await call(emu, "GET", "/v1/databases/db_name/tables/upd")).body.data;
    expect(t.columns.map((c: any) => [c.name, c.type, c.nullable, c.defaultValue])).to.deep.equal([
      ["k", "Int64", false, null],
      ["ColumnExisting", "String", false, "defaultValue"],
      ["ColumnExisting2", "Date", false, "2019-01-01"],
      ["ColumnID", "String", false, "defaultValue"],
      ["ColumnDate", "Date", false, "2019-01-01"],
    ]);
    expect(col(t, "ColumnID").comment).to.equal("updated_column_comment");
    const rows = (await sql(emu, "SELECT * FROM db_name.upd")).body.data;
    expect(rows).to.deep.equal([{ k: 1, ColumnExisting: "42", ColumnExisting2: "2020-02-02", ColumnID: "defaultValue", ColumnDate: "2019-01-01" }]);
  });

  it("a PATCH applies all of its operations or none (failing type change leaves the table and rows intact)", async () => {
    await call(emu, "POST", "/v1/databases/db_name/tables", { name: "t", columns: [{ name: "id", type: "Int64" }, { name: "code", type: "String" }, { name: "a", type: "String" }], orderByKeys: ["id"] });
    await sql(emu, "INSERT INTO db_name.t VALUES (1, '10', 'p'), (2, 'x-not-a-number', 'q')");
    const before = (await call(emu, "GET", "/v1/databases/db_name/tables/t")).body.data;
    const r = await call(emu, "PATCH", "/v1/databases/db_name/tables/t", {
      renameColumns: [{ oldName: "a", newName: "b" }],
      addColumns: [{ name: "extra", type: "Int32", nullable: true }],
      modifyColumns: [{ name: "code", type: "Int64" }],
    });
    expect(r.status).to.equal(422);
    expect(r.body.error.code).to.equal("ALTER_FAILED");
    expect(r.body.message).to.match(/x-not-a-number/);
    const after = (await call(emu, "GET", "/v1/databases/db_name/tables/t")).body.data;
    expect(after.columns).to.deep.equal(before.columns);
    expect((await sql(emu, "SELECT id, code, a FROM db_name.t ORDER BY id")).body.data).to.deep.equal([
      { id: 1, code: "10", a: "p" },
      { id: 2, code: "x-not-a-number", a: "q" },
    ]);
    // the same PATCH without the impossible change goes through
    const ok = await call(emu, "PATCH", "/v1/databases/db_name/tables/t", { renameColumns: [{ oldName: "a", newName: "b" }], addColumns: [{ name: "extra", type: "Int32", nullable: true }] });
    expect(ok.status).to.equal(200);
    expect((await call(emu, "GET", "/v1/databases/db_name/tables/t")).body.data.columns.map((c: any) => c.name)).to.deep.equal(["id", "code", "b", "extra"]);
  });

  it("PATCH rules: key columns, unknown and existing columns, TTL set and removed", async () => {
    await call(emu, "POST", "/v1/databases/db_name/tables", { name: "t", columns: [{ name: "id", type: "Int64" }, { name: "d", type: "Date" }, { name: "s", type: "String" }], orderByKeys: ["id"] });
    const P = (body: unknown) => call(emu, "PATCH", "/v1/databases/db_name/tables/t", body);
    expect((await P({ dropColumns: ["id"] })).body.error.code).to.equal("KEY_COLUMN");
    expect((await P({ dropColumns: ["nope"] })).status).to.equal(400);
    expect((await P({ addColumns: [{ name: "s", type: "String" }] })).status).to.equal(422);
    expect((await P({ modifyColumns: [{ name: "s", type: "Map(String)" }] })).status).to.equal(400);
    expect((await P({ ttl: { column: "s", interval: 1, unit: "DAY" } })).status).to.equal(400); // not a date
    expect((await P({ ttl: { column: "d", interval: 30, unit: "DAY" } })).status).to.equal(200);
    expect((await call(emu, "GET", "/v1/databases/db_name/tables/t")).body.data.ttl).to.deep.equal({ column: "d", interval: 30, unit: "DAY" });
    expect((await P({ dropColumns: ["d"] })).status).to.equal(422); // the TTL uses it
    expect((await P({ isRemoveTTL: true })).status).to.equal(200);
    expect((await call(emu, "GET", "/v1/databases/db_name/tables/t")).body.data.ttl).to.equal(null);
    expect((await P({ dropColumns: ["d"] })).status).to.equal(200);
  });

  it("lists partitions, deletes them, and gives the range", async () => {
    await call(emu, "POST", "/v1/databases/db_name/tables", { name: "p", columns: [{ name: "id", type: "Int64" }, { name: "day", type: "Date" }], orderByKeys: ["id"], partitionKeys: [{ column: "day", granularity: "day" }] });
    await sql(emu, "INSERT INTO db_name.p VALUES (1, '2024-01-01'), (2, '2024-01-01'), (3, '2024-01-02'), (4, '2024-02-05')");
    const list = await call(emu, "GET", "/v1/databases/db_name/tables/p/partitions");
    expect(list.body.data.map((x: any) => [x.name, x.rowCount])).to.deep.equal([["20240101", 2], ["20240102", 1], ["20240205", 1]]);
    expect(list.body.meta).to.deep.equal({ offset: 0, limit: 10, total: 3 });
    expect(list.body.data[0].sizeInBytes).to.be.greaterThan(0);
    expect((await call(emu, "GET", "/v1/databases/db_name/tables/p/partitions?filter=202401&limit=1")).body).to.deep.include({ meta: { offset: 0, limit: 1, total: 2 } });
    expect((await call(emu, "GET", "/v1/databases/db_name/tables/p/partitions/range")).body).to.deep.equal({ data: { min: "20240101", max: "20240205" } });
    const del = await call(emu, "DELETE", "/v1/databases/db_name/tables/p/partitions", { partitionNames: ["20240101", "20240205"] });
    expect(del.body).to.deep.equal({ data: "Success" });
    expect((await sql(emu, "SELECT id FROM db_name.p")).body.data).to.deep.equal([{ id: 3 }]);
    expect((await call(emu, "DELETE", "/v1/databases/db_name/tables/p/partitions", { partitionNames: "x" })).status).to.equal(400);
    // month granularity and unpartitioned tables
    await call(emu, "POST", "/v1/databases/db_name/tables", { name: "m", columns: [{ name: "day", type: "Date" }], orderByKeys: [], partitionKeys: [{ column: "day", granularity: "month" }] });
    await sql(emu, "INSERT INTO db_name.m VALUES ('2024-01-01'), ('2024-01-31')");
    expect((await call(emu, "GET", "/v1/databases/db_name/tables/m/partitions")).body.data.map((x: any) => x.name)).to.deep.equal(["202401"]);
  });

  it("lists tables with offset pagination and a filter; deletes tables; dropping a database drops its rows", async () => {
    for (const n of ["t_a", "t_b", "other"]) await call(emu, "POST", "/v1/databases/db_name/tables", { name: n, columns: [{ name: "x", type: "Int8" }], orderByKeys: [] });
    const page = await call(emu, "GET", "/v1/databases/db_name/tables?filter=t_&limit=1&offset=1");
    expect(page.body.meta).to.deep.equal({ offset: 1, limit: 1, total: 2 });
    expect(page.body.data.map((t: any) => t.name)).to.deep.equal(["t_b"]);
    expect((await call(emu, "DELETE", "/v1/databases/db_name/tables/t_a")).body).to.deep.equal({});
    expect((await call(emu, "DELETE", "/v1/databases/db_name/tables/t_a")).status).to.equal(404);
    expect((await call(emu, "GET", "/v1/databases/db_name")).body.data.noOfTables).to.equal(2);
    await call(emu, "DELETE", "/v1/databases/db_name");
    expect((await sql(emu, "SELECT * FROM db_name.other")).status).to.equal(400);
    await call(emu, "POST", "/v1/databases", { name: "db_name" });
    expect((await call(emu, "GET", "/v1/databases/db_name/tables")).body.data).to.deep.equal([]);
  });

  it("runs async queries: submit, status, result, kill", async () => {
    await call(emu, "POST", "/v1/databases/db_name/tables", { name: "n", columns: [{ name: "x", type: "Int32" }], orderByKeys: [] });
    await sql(emu, "INSERT INTO db_name.n SELECT range FROM range(5)");
    const sub = await call(emu, "POST", "/v1/sql/async", { query: "USE db_name; SELECT x FROM n ORDER BY x", mode: "ansi_sql", queryID: "q-1" });
    expect(sub.body).to.deep.equal({ data: [{ queryID: "q-1" }] });
    let status: any;
    for (let i = 0; i < 100; i++) {
      status = (await call(emu, "GET", "/v1/sql/async/q-1/status")).body.data;
      if (status.status !== "RUNNING") break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).to.deep.equal({ queryID: "q-1", status: "FINISHED" });
    expect((await call(emu, "GET", "/v1/sql/async/q-1/result?maxRowsReturn=2")).body).to.deep.equal({ data: [{ x: 0 }, { x: 1 }] });
    expect((await call(emu, "GET", "/v1/sql/async/q-1/result")).body.data).to.have.length(5);

    const failing = (await call(emu, "POST", "/v1/sql/async", { query: "SELECT * FROM db_name.nope", mode: "ansi_sql" })).body.data[0].queryID;
    expect(failing).to.match(/^[0-9a-f-]{36}$/);
    for (let i = 0; i < 100 && (await call(emu, "GET", `/v1/sql/async/${failing}/status`)).body.data.status === "RUNNING"; i++) await new Promise((r) => setTimeout(r, 20));
    const fs = (await call(emu, "GET", `/v1/sql/async/${failing}/status`)).body.data;
    expect(fs.status).to.equal("FAILED");
    expect(fs.error).to.contain("nope");

    const slow = (await call(emu, "POST", "/v1/sql/async", { query: "SELECT sum(hash(a.range * b.range)) AS s FROM range(1000000) a, range(100000) b", mode: "ansi_sql" })).body.data[0].queryID;
    expect((await call(emu, "GET", `/v1/sql/async/${slow}/status`)).body.data.status).to.equal("RUNNING");
    expect((await call(emu, "GET", `/v1/sql/async/${slow}/result`)).status).to.equal(422);
    expect((await call(emu, "DELETE", `/v1/sql/async/${slow}`)).status).to.equal(200);
    expect((await call(emu, "GET", `/v1/sql/async/${slow}/status`)).body.data.status).to.equal("KILLED");
    expect((await call(emu, "GET", `/v1/sql/async/${slow}/result`)).status).to.equal(422);
    expect((await call(emu, "GET", "/v1/sql/async/unknown/status")).status).to.equal(404);
  });
});
