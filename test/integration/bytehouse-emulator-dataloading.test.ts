/** ByteHouse emulator: data loading (connections, import jobs that really load local files, executions) and persistence. */
import { expect } from "chai";
import { request } from "undici";
import * as path from "node:path";
import { bhCall, startByteHouse, RunningEmulator } from "../helpers/emulators";
import { ByteHouseState } from "../../emulator/bytehouse";

type Emu = RunningEmulator<ByteHouseState>;
// compiled to dist/test/integration; the fixtures stay in the sources
const FIXTURES = path.resolve(__dirname, "../../../test/fixtures/bytehouse");

const call = bhCall;

const sql = async (emu: Emu, query: string) => (await call(emu, "POST", "/v1/sql/sync", { query, mode: "clickhouse_sql" })).body;

async function settle(emu: Emu, executionID: string) {
  for (let i = 0; i < 200; i++) {
    const e = (await call(emu, "GET", `/v1/dataloading/executions/${executionID}`)).body.data;
    if (!["PENDING", "RUNNING"].includes(e.status)) return e;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("execution did not finish");
}

async function ordersTable(emu: Emu) {
  await call(emu, "POST", "/v1/databases", { name: "sales" });
  const r = await call(emu, "POST", "/v1/databases/sales/tables", {
    name: "orders",
    columns: [{ name: "id", type: "Int64" }, { name: "name", type: "String" }, { name: "amount", type: "Decimal(10, 2)" }, { name: "day", type: "Date" }],
    orderByKeys: ["id"],
    partitionKeys: [{ column: "day", granularity: "month" }],
  });
  expect(r.status).to.equal(200);
}

const localJob = (connectionID: number, extra: Record<string, unknown> = {}, sink: Record<string, unknown> = {}) => ({
  name: "load-orders",
  description: "orders from local files",
  connectionID,
  configuration: { source: { properties: { fileNames: "orders-1.csv,orders-2.jsonl" } }, sink: { database: "sales", table: "orders", ...sink } },
  sourceSchema: {},
  state: "PUBLISHED",
  ...extra,
});

describe("ByteHouse emulator: data loading", () => {
  let emu: Emu;
  beforeEach(async () => (emu = await startByteHouse()));
  afterEach(() => emu.stop());

  it("creates connections and returns them masked, nested fields too", async () => {
    const c = await call(emu, "POST", "/v1/dataloading/connections", { name: "s3_sales_report", type: "TOS", data: { bucket: "reports", secretAccessKey: "very-secret", region: "cn-beijing", nested: { password: "p", user: "u" }, list: [{ token: "t" }] } });
    expect(c.status).to.equal(200);
    expect(c.body).to.include({ message: "Success" });
    expect(c.text).not.to.contain("very-secret");
    const id = c.body.data.id;
    expect(id).to.be.a("number");
    const g = (await call(emu, "GET", `/v1/dataloading/connections/${id}`)).body.data;
    expect(g).to.include({ id, name: "s3_sales_report", type: "TOS" });
    expect(g.data).to.deep.equal({ bucket: "reports", secretAccessKey: "******", region: "cn-beijing", nested: { password: "******", user: "u" }, list: [{ token: "******" }] });
    // update: name and data required, type cannot change
    expect((await call(emu, "PUT", `/v1/dataloading/connections/${id}`, { name: "s3_connection_updated" })).status).to.equal(400);
    expect((await call(emu, "PUT", `/v1/dataloading/connections/${id}`, { name: "x", type: "S3", data: {} })).status).to.equal(400);
    const u = await call(emu, "PUT", `/v1/dataloading/connections/${id}`, { name: "s3_connection_updated", data: { region: "cn-shanghai", secretAccessKey: "new" } });
    expect(u.body).to.deep.equal({ message: "Success", error: {} });
    expect((await call(emu, "GET", `/v1/dataloading/connections/${id}`)).body.data).to.include({ name: "s3_connection_updated", type: "TOS" });
    // validation
    expect((await call(emu, "POST", "/v1/dataloading/connections", { name: "x".repeat(129), type: "S3", data: {} })).status).to.equal(400);
    expect((await call(emu, "POST", "/v1/dataloading/connections", { name: "x", type: "FTP", data: {} })).status).to.equal(400);
    expect((await call(emu, "POST", "/v1/dataloading/connections", { name: "x", type: "S3" })).status).to.equal(400);
    expect((await call(emu, "DELETE", `/v1/dataloading/connections/${id}`)).body).to.deep.equal({ message: "Success", error: {} });
    const gone = await call(emu, "GET", `/v1/dataloading/connections/${id}`);
    expect(gone.status).to.equal(404);
    expect(gone.body.error.code).to.equal("CONNECTION_NOT_FOUND");
  });

  it("pages connections with a cursor (12 connections, limit 5)", async () => {
    for (let i = 1; i <= 12; i++) await call(emu, "POST", "/v1/dataloading/connections", { name: `c${i}`, type: "S3", data: { secret_key: "s" } });
    const seen: string[] = [];
    let cursor: string | null = "eyJ2YWx1ZSI6bnVsbCwic29ydF92YWx1ZSI6bnVsbH0="; // the vendor doc's example: from the start
    const sizes: number[] = [];
    while (cursor) {
      const r = await call(emu, "GET", `/v1/dataloading/connections?limit=5&cursor=${encodeURIComponent(cursor)}`);
      expect(r.body.meta.limit).to.equal(5);
      sizes.push(r.body.data.length);
      seen.push(...r.body.data.map((c: any) => c.name));
      expect(r.body.data.every((c: any) => c.data.secret_key === "******")).to.equal(true);
      cursor = r.body.meta.nextCursor;
    }
    expect(sizes).to.deep.equal([5, 5, 2]);
    expect(seen).to.deep.equal(Array.from({ length: 12 }, (_, i) => `c${i + 1}`));
    const def = await call(emu, "GET", "/v1/dataloading/connections");
    expect(def.body.data).to.have.length(10);
    expect(def.body.meta.limit).to.equal(10);
    expect(JSON.parse(Buffer.from(def.body.meta.nextCursor, "base64").toString())).to.have.keys("value", "sort_value");
    expect((await call(emu, "GET", "/v1/dataloading/connections?limit=500")).body.meta).to.deep.equal({ nextCursor: null, limit: 100 });
    expect((await call(emu, "GET", "/v1/dataloading/connections?cursor=%%%")).status).to.equal(400);
    expect((await call(emu, "GET", "/v1/dataloading/connections?limit=0")).status).to.equal(400);
  });

  it("manages import jobs: create, get, list, update, rename, describe, start args, draft rules, delete", async () => {
    const conn = (await call(emu, "POST", "/v1/dataloading/connections", { name: "local", type: "LOCAL", data: { path: FIXTURES } })).body.data.id;
    const sample = { name: "s3-cell-towers-csv", description: "string", connectionID: 0, configuration: {}, sourceSchema: {}, schemaFile: "string", state: "PUBLISHED" };
    const c = await call(emu, "POST", "/v1/dataloading/jobs", sample);
    expect(c.status, JSON.stringify(c.body)).to.equal(200);
    const id = c.body.data.id;
    expect(c.body.data).to.include({ name: "s3-cell-towers-csv", connectionID: 0, state: "PUBLISHED", lastExecutionID: null });
    expect((await call(emu, "POST", "/v1/dataloading/jobs", { ...sample, connectionID: 999 })).status).to.equal(404);
    expect((await call(emu, "POST", "/v1/dataloading/jobs", { ...sample, state: "LIVE" })).status).to.equal(400);
    expect((await call(emu, "POST", "/v1/dataloading/jobs", { ...sample, configuration: undefined })).status).to.equal(400);
    expect((await call(emu, "POST", "/v1/dataloading/jobs", { ...sample, name: "n".repeat(129) })).status).to.equal(400);

    expect((await call(emu, "PATCH", `/v1/dataloading/jobs/${id}/name`, { name: "Job Updated Name" })).body).to.deep.equal({ message: "Success", error: {} });
    expect((await call(emu, "PATCH", `/v1/dataloading/jobs/${id}/description`, { description: "Job Updated Description" })).status).to.equal(200);
    expect((await call(emu, "GET", `/v1/dataloading/jobs/${id}`)).body.data).to.include({ name: "Job Updated Name", description: "Job Updated Description" });

    const put = await call(emu, "PUT", `/v1/dataloading/jobs/${id}`, { ...localJob(conn), state: "DRAFT" });
    expect(put.body).to.deep.equal({ message: "Success", error: {} });
    const got = (await call(emu, "GET", `/v1/dataloading/jobs/${id}`)).body.data;
    expect(got).to.include({ name: "load-orders", connectionID: conn, state: "DRAFT" });
    expect(got).not.to.have.property("schemaFile");
    expect((await call(emu, "GET", `/v1/dataloading/jobs/${id}/start-args`)).body.data).to.deep.equal({ "source.properties.fileNames": "orders-1.csv,orders-2.jsonl" });
    const draft = await call(emu, "POST", `/v1/dataloading/jobs/${id}/start`, {});
    expect(draft.status).to.equal(422);
    expect(draft.body.error.code).to.equal("JOB_NOT_PUBLISHED");
    expect((await call(emu, "DELETE", `/v1/dataloading/connections/${conn}`)).status, "in use by the job").to.equal(422);

    const list = await call(emu, "GET", "/v1/dataloading/jobs?limit=1");
    expect(list.body.data.map((j: any) => j.id)).to.deep.equal([id]);
    expect(list.body.meta).to.deep.equal({ nextCursor: null, limit: 1 });
    expect((await call(emu, "DELETE", `/v1/dataloading/jobs/${id}`)).body).to.deep.equal({ message: "Success", error: {} });
    expect((await call(emu, "GET", `/v1/dataloading/jobs/${id}`)).status).to.equal(404);
  });

  it("an import job from a LOCAL connection loads CSV and JSON-lines files into the table", async () => {
    await ordersTable(emu);
    const conn = (await call(emu, "POST", "/v1/dataloading/connections", { name: "local", type: "LOCAL", data: { path: FIXTURES } })).body.data.id;
    const job = (await call(emu, "POST", "/v1/dataloading/jobs", localJob(conn))).body.data;
    const start = await call(emu, "POST", `/v1/dataloading/jobs/${job.id}/start`, {});
    expect(start.status).to.equal(200);
    const executionID = start.body.data.executionID;
    expect(executionID).to.match(/^[0-9a-f-]{36}$/);
    expect((await call(emu, "GET", `/v1/dataloading/executions/${executionID}`)).body.data.status).to.be.oneOf(["PENDING", "RUNNING"]);
    const e = await settle(emu, executionID);
    expect(e).to.include({ id: executionID, jobID: job.id, status: "SUCCEEDED", rowsLoaded: 5, error: null });
    expect(e.finishedAt).to.be.a("string");
    const rows = await sql(emu, "SELECT id, name, toString(amount) AS amount, day FROM sales.orders ORDER BY id");
    expect(rows.data).to.deep.equal([
      { id: 1, name: "alice", amount: "10.50", day: "2024-01-01" },
      { id: 2, name: "bob", amount: "20.00", day: "2024-01-02" },
      { id: 3, name: "carol, jr", amount: "30.25", day: "2024-01-02" },
      { id: 4, name: "dave", amount: "40.00", day: "2024-02-01" },
      { id: 5, name: "erin", amount: "50.50", day: "2024-02-03" },
    ]);
    expect((await call(emu, "GET", "/v1/databases/sales/tables/orders")).body.data.rowCount).to.equal(5);
    expect((await call(emu, "GET", "/v1/databases/sales/tables/orders/partitions")).body.data.map((p: any) => [p.name, p.rowCount])).to.deep.equal([["202401", 3], ["202402", 2]]);
    const logs = (await call(emu, "GET", `/v1/dataloading/executions/${executionID}/logs`)).body.data.map((l: any) => `${l.level} ${l.message}`);
    expect(logs).to.include("INFO orders-1.csv: 3 rows");
    expect(logs).to.include("INFO orders-2.jsonl: 2 rows");
    expect(logs.join("\n")).to.contain("loaded 5 rows into sales.orders");
    expect((await call(emu, "GET", `/v1/dataloading/executions/${executionID}/logs?limit=2`)).body.data).to.have.length(2);
    expect((await call(emu, "GET", `/v1/dataloading/jobs/${job.id}`)).body.data.lastExecutionID).to.equal(executionID);

    // start arguments pick other files; OVERWRITE replaces the rows; a custom delimiter
    await call(emu, "PUT", `/v1/dataloading/jobs/${job.id}`, localJob(conn, {}, { mode: "OVERWRITE" }));
    const job2 = await call(emu, "PUT", `/v1/dataloading/jobs/${job.id}`, {
      ...localJob(conn, {}, { mode: "OVERWRITE" }),
      configuration: { source: { format: "CSV", properties: { delimiter: ";" } }, sink: { database: "sales", table: "orders", mode: "OVERWRITE" } },
    });
    expect(job2.status).to.equal(200);
    const second = (await call(emu, "POST", `/v1/dataloading/jobs/${job.id}/start`, { "source.properties.fileNames": "orders-semicolon.csv" })).body.data.executionID;
    const e2 = await settle(emu, second);
    expect(e2).to.include({ status: "SUCCEEDED", rowsLoaded: 1 });
    expect(e2.startArgs).to.deep.equal({ "source.properties.fileNames": "orders-semicolon.csv" });
    expect((await sql(emu, "SELECT id FROM sales.orders")).data).to.deep.equal([{ id: 6 }]);

    const execs = await call(emu, "GET", `/v1/dataloading/jobs/${job.id}/executions?limit=1`);
    expect(execs.body.data.map((x: any) => x.id)).to.deep.equal([executionID]);
    const next = await call(emu, "GET", `/v1/dataloading/jobs/${job.id}/executions?limit=1&cursor=${encodeURIComponent(execs.body.meta.nextCursor)}`);
    expect(next.body.data.map((x: any) => x.id)).to.deep.equal([second]);
    expect(next.body.meta.nextCursor).to.equal(null);
    expect((await call(emu, "GET", "/v1/dataloading/executions")).body.data.map((x: any) => x.id)).to.deep.equal([executionID, second]);
  });

  it("a failing load ends FAILED with ERROR log lines and inserts nothing", async () => {
    await ordersTable(emu);
    const conn = (await call(emu, "POST", "/v1/dataloading/connections", { name: "local", type: "LOCAL", data: { path: FIXTURES } })).body.data.id;
    const job = (await call(emu, "POST", "/v1/dataloading/jobs", localJob(conn))).body.data;
    // the first file is fine, the second does not fit the table: nothing at all is inserted
    const bad = await settle(emu, (await call(emu, "POST", `/v1/dataloading/jobs/${job.id}/start`, { "source.properties.fileNames": "orders-1.csv,orders-bad.csv" })).body.data.executionID);
    expect(bad).to.include({ status: "FAILED", rowsLoaded: 0 });
    expect(bad.error).to.match(/not-a-number|Could not convert|CSV Error/);
    const logs = (await call(emu, "GET", `/v1/dataloading/executions/${bad.id}/logs`)).body.data;
    expect(logs.filter((l: any) => l.level === "ERROR").length).to.be.greaterThan(0);
    expect((await sql(emu, "SELECT count(*) AS n FROM sales.orders")).data).to.deep.equal([{ n: 0 }]);
    // a missing file
    const missing = await settle(emu, (await call(emu, "POST", `/v1/dataloading/jobs/${job.id}/start`, { "source.properties.fileNames": "orders-1.csv,nope.csv" })).body.data.executionID);
    expect(missing).to.include({ status: "FAILED", error: "file not found: nope.csv" });
    expect((await sql(emu, "SELECT count(*) AS n FROM sales.orders")).data).to.deep.equal([{ n: 0 }]);
    // files outside the connection's directory are refused
    const escape = await settle(emu, (await call(emu, "POST", `/v1/dataloading/jobs/${job.id}/start`, { "source.properties.fileNames": "../../package.json" })).body.data.executionID);
    expect(escape.status).to.equal("FAILED");
    expect(escape.error).to.contain("outside");
  });

  it("non-LOCAL sources succeed with 0 rows and say why; stop ends a running execution", async () => {
    const s3 = (await call(emu, "POST", "/v1/dataloading/connections", { name: "s3", type: "S3", data: { bucket: "b" } })).body.data.id;
    const job = (await call(emu, "POST", "/v1/dataloading/jobs", { name: "s3-job", connectionID: s3, configuration: { any: 1 }, sourceSchema: {}, state: "PUBLISHED" })).body.data;
    const first = (await call(emu, "POST", `/v1/dataloading/jobs/${job.id}/start`, { "source.properties.fileNames": "x.csv" })).body.data.executionID;
    const busy = await call(emu, "POST", `/v1/dataloading/jobs/${job.id}/start`, {});
    expect(busy.status).to.equal(422);
    expect(busy.body.error.code).to.equal("JOB_ALREADY_RUNNING");
    const e = await settle(emu, first);
    expect(e).to.include({ status: "SUCCEEDED", rowsLoaded: 0 });
    const logs = (await call(emu, "GET", `/v1/dataloading/executions/${first}/logs`)).body.data.map((l: any) => l.message).join("\n");
    expect(logs).to.contain("source type S3").and.contain("0 rows");

    const second = (await call(emu, "POST", `/v1/dataloading/jobs/${job.id}/start`, {})).body.data.executionID;
    expect((await call(emu, "POST", `/v1/dataloading/jobs/${job.id}/stop`)).body).to.deep.equal({ message: "Success", error: {} });
    await new Promise((r) => setTimeout(r, 200)); // past the time it would have finished
    expect((await call(emu, "GET", `/v1/dataloading/executions/${second}`)).body.data.status).to.equal("STOPPED");
    expect((await call(emu, "POST", `/v1/dataloading/jobs/${job.id}/stop`)).status).to.equal(422);
    expect((await call(emu, "GET", "/v1/dataloading/executions/00000000-0000-0000-0000-000000000000")).status).to.equal(404);
  });
});

describe("ByteHouse emulator: persistence", () => {
  it("keeps tables, rows, keys, grants, connections, jobs and executions across a restart", async () => {
    let emu = await startByteHouse();
    const dir = emu.stateDir;
    await ordersTable(emu);
    await sql(emu, "INSERT INTO sales.orders VALUES (1, 'a', 1.5, '2024-01-01')");
    await sql(emu, "ALTER TABLE sales.orders ADD COLUMN note Nullable(String)");
    const key = (await call(emu, "POST", "/v1/iam/api-keys", { noExpiry: true })).body.data;
    await call(emu, "POST", "/v1/iam/permissions", { RoleName: "Analyst", ByteHouseResourceID: "sales", SecureObjectTypeName: "DATABASE", ActionName: "SELECT" });
    const conn = (await call(emu, "POST", "/v1/dataloading/connections", { name: "local", type: "LOCAL", data: { path: FIXTURES, password: "pw" } })).body.data.id;
    const job = (await call(emu, "POST", "/v1/dataloading/jobs", localJob(conn))).body.data;
    const exec = await settle(emu, (await call(emu, "POST", `/v1/dataloading/jobs/${job.id}/start`, {})).body.data.executionID);
    expect(exec.status).to.equal("SUCCEEDED");
    await emu.stop();

    emu = await startByteHouse(dir);
    try {
      const t = (await call(emu, "GET", "/v1/databases/sales/tables/orders", undefined, key.key)).body.data;
      expect(t.rowCount).to.equal(6);
      expect(t.columns.map((c: any) => c.name)).to.deep.equal(["id", "name", "amount", "day", "note"]);
      expect(t.partitionKeys).to.deep.equal([{ column: "day", granularity: "month", expression: null }]);
      expect((await sql(emu, "SELECT id, note FROM sales.orders WHERE name = 'a'")).data).to.deep.equal([{ id: 1, note: null }]);
      expect((await call(emu, "GET", "/v1/iam/api-keys")).body.data.map((k: any) => k.id)).to.deep.equal([key.id]);
      expect((await call(emu, "GET", "/v1/iam/permissions?RoleName=Analyst&ByteHouseResourceID=sales&SecureObjectTypeName=DATABASE")).body.data).to.have.length(1);
      expect((await call(emu, "GET", `/v1/dataloading/connections/${conn}`)).body.data.data).to.deep.equal({ path: FIXTURES, password: "******" });
      expect((await call(emu, "GET", `/v1/dataloading/executions/${exec.id}`)).body.data).to.include({ status: "SUCCEEDED", rowsLoaded: 5 });
      expect((await call(emu, "GET", `/v1/dataloading/jobs/${job.id}`)).body.data.lastExecutionID).to.equal(exec.id);
      // ids keep counting
      expect((await call(emu, "POST", "/v1/dataloading/connections", { name: "n", type: "S3", data: {} })).body.data.id).to.equal(conn + 1);
      // a reset empties the engine too
      await request(`${emu.url}/_emulator/reset`, { method: "POST" }).then((r) => r.body.text());
      await call(emu, "POST", "/v1/databases", { name: "sales" });
      expect((await call(emu, "GET", "/v1/databases/sales/tables")).body.data).to.deep.equal([]);
    } finally {
      await emu.stop();
    }
  });
});
