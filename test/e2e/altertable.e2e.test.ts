/**
 * End to end with the real CLI against the Altertable emulator: schemas, tables, views and
 * appended records — create, no-op, in-place update, replace, drift from out-of-band SQL,
 * out-of-band delete, an invalid view failing at preview, destroy.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startAltertable, RunningAltertable } from "../helpers/altertable";
import { inlineStack, TestStack, appendOutputOnFailure } from "../helpers/pulumi";
import { AltertableApi, createAltertableHttp } from "../../provider/altertable/api";
import { altertable } from "../../sdk";

interface Desired {
  schemaName: string;
  /** A literal schema for the table (known at preview), instead of the Schema's output. */
  tableSchema?: string;
  viewName: string;
  extraColumn: boolean;
  viewSql: string;
  events: number;
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "at-e2e-"));
const productsCsv = path.join(dataDir, "products.csv");

function program(d: Desired) {
  return async () => {
    const s = new altertable.Schema("analytics", { catalog: "lakehouse", name: d.schemaName, forceDestroy: true });
    const users = new altertable.Table("users", {
      catalog: "lakehouse",
      schema: d.tableSchema ?? s.name,
      name: "users",
      columns: [
        { name: "id", type: "BIGINT", nullable: false },
        { name: "name", type: "VARCHAR" },
        ...(d.extraColumn ? [{ name: "country", type: "VARCHAR", comment: "ISO code" }] : []),
      ],
      primaryKey: ["id"],
      comment: "people",
    });
    new altertable.View("named-users", { catalog: "lakehouse", schema: s.name, name: d.viewName, sql: d.viewSql }, { dependsOn: [users] });
    new altertable.AppendedRecords(
      "seed-events",
      { catalog: "lakehouse", schema: s.name, table: "events", records: Array.from({ length: d.events }, (_, i) => ({ event: "signup", user_id: i + 1 })) },
      { dependsOn: [s] },
    );
    new altertable.LoadedData("products", { catalog: "lakehouse", schema: s.name, table: "products", file: productsCsv, mode: "upsert", primaryKey: ["sku"], onDestroy: "drop" });
  };
}

describe("e2e: Altertable with the real pulumi CLI", function () {
  this.timeout(600_000);
  let emu: RunningAltertable;
  let api: AltertableApi;
  let ts: TestStack;
  let out = "";
  const desired: Desired = { schemaName: "analytics", viewName: "named_users", extraColumn: false, viewSql: "SELECT id, name FROM lakehouse.analytics.users WHERE name IS NOT NULL", events: 3 };
  const collect = (s: string) => (out += s);
  const use = (d: Partial<Desired>) => (ts.stack.workspace.program = program(Object.assign(desired, d)));
  const n = async (sql: string) => Number((await api.rows(sql))[0].n);

  const uploads = () => emu.requests().filter((r) => r.path === "/upsert").length;

  before(async () => {
    fs.writeFileSync(productsCsv, "sku,name,price\nA-1,beans,24.9\nA-2,filters,3.5\n");
    emu = await startAltertable();
    api = new AltertableApi(createAltertableHttp({ endpoint: emu.url, username: emu.username, password: emu.password }));
    ts = await inlineStack("altertable", program(desired), {
      "warehouse:altertableEndpoint": { value: emu.url },
      "warehouse:altertableUsername": { value: emu.username },
      "warehouse:altertablePassword": { value: emu.password, secret: true },
    });
  });
  after(async () => {
    await ts?.dispose();
    await api?.http.close();
    await emu?.stop();
  });
  beforeEach(() => (out = ""));
  appendOutputOnFailure(() => out);

  it("up creates the schema, table, view and events; a second up and a refresh change nothing", async () => {
    const r = await ts.stack.up({ onOutput: collect });
    expect(r.summary.resourceChanges).to.deep.equal({ create: 6 });
    expect(await n("SELECT count(*) AS n FROM lakehouse.analytics.events")).to.equal(3);
    expect(await n("SELECT count(*) AS n FROM lakehouse.analytics.products")).to.equal(2);
    const sent = uploads();
    expect((await ts.stack.up({ onOutput: collect })).summary.resourceChanges).to.deep.equal({ same: 6 });
    expect((await ts.stack.refresh({ onOutput: collect })).summary.resourceChanges).to.deep.equal({ same: 6 });
    expect(uploads(), "an unchanged file is not sent again").to.equal(sent);
  });

  it("a changed file is sent again (an update, not a replace); rows deleted by hand are reloaded", async () => {
    fs.writeFileSync(productsCsv, "sku,name,price\nA-1,beans,26.5\nA-2,filters,3.5\nA-3,grinder,89\n");
    const sent = uploads();
    const p = await ts.stack.preview({ onOutput: collect, diff: true });
    expect(p.changeSummary).to.deep.equal({ same: 5, update: 1 });
    const u = await ts.stack.up({ onOutput: collect });
    expect(u.summary.resourceChanges).to.deep.equal({ same: 5, update: 1 });
    expect(uploads()).to.equal(sent + 1);
    expect(await n("SELECT count(*) AS n FROM lakehouse.analytics.products")).to.equal(3);

    await api.query("DELETE FROM lakehouse.analytics.products WHERE sku = 'A-3'");
    const r = await ts.stack.refresh({ onOutput: collect });
    expect(r.summary.resourceChanges).to.deep.equal({ same: 5, update: 1 });
    await ts.stack.up({ onOutput: collect });
    expect(await n("SELECT count(*) AS n FROM lakehouse.analytics.products")).to.equal(3);
  });

  it("an invalid view fails at preview with the engine's message, and nothing changes", async () => {
    use({ viewSql: "SELECT id, nickname FROM lakehouse.analytics.users" });
    const before = emu.requests().filter((r) => r.path === "/query").length;
    const err = await ts.stack.preview({ onOutput: collect }).catch((e) => e);
    expect(`${err.message}\n${out}`).to.contain("Binder Error").and.contain("nickname");
    const writes = emu.requests().filter((r) => r.path === "/query").length - before;
    expect(writes, "preview reads the catalog at most; it writes nothing").to.be.lessThan(10);
    expect(String((await api.rows("SELECT sql FROM duckdb_views() WHERE view_name = 'named_users'"))[0].sql)).not.to.contain("nickname");
    use({ viewSql: "SELECT id, name FROM lakehouse.analytics.users WHERE name IS NOT NULL" });
  });

  it("in-place updates: a new column and a new view body", async () => {
    await api.query("INSERT INTO lakehouse.analytics.users VALUES (1, 'ann'), (2, NULL)");
    use({ extraColumn: true, viewSql: "SELECT id FROM lakehouse.analytics.users" });
    const p = await ts.stack.preview({ onOutput: collect, diff: true });
    expect(p.changeSummary).to.deep.equal({ same: 4, update: 2 });
    const u = await ts.stack.up({ onOutput: collect });
    expect(u.summary.resourceChanges).to.deep.equal({ same: 4, update: 2 });
    expect(await n("SELECT count(*) AS n FROM lakehouse.analytics.users")).to.equal(2);
    expect((await api.rows("SELECT column_name FROM duckdb_columns() WHERE table_name = 'users' AND schema_name = 'analytics'")).map((r) => r.column_name)).to.include("country");
  });

  it("drift from out-of-band SQL shows on refresh and up repairs it", async () => {
    await api.query("ALTER TABLE lakehouse.analytics.users ALTER COLUMN name TYPE TEXT"); // same type: no drift
    await api.query("COMMENT ON TABLE lakehouse.analytics.users IS 'changed by hand'");
    await api.query("CREATE OR REPLACE VIEW lakehouse.analytics.named_users AS SELECT 42 AS id");
    await api.query("DELETE FROM lakehouse.analytics.events WHERE user_id = 1");
    const r = await ts.stack.refresh({ onOutput: collect });
    expect(r.summary.resourceChanges).to.deep.equal({ same: 3, update: 3 });
    const u = await ts.stack.up({ onOutput: collect });
    expect(u.summary.resourceChanges).to.deep.equal({ same: 3, update: 3 });
    expect(await n("SELECT count(*) AS n FROM lakehouse.analytics.events")).to.equal(3);
    expect(String((await api.rows("SELECT comment FROM duckdb_tables() WHERE table_name = 'users'"))[0].comment)).to.equal("people");
    expect(String((await api.rows("SELECT sql FROM duckdb_views() WHERE view_name = 'named_users'"))[0].sql)).not.to.contain("42");
  });

  it("out-of-band deletes: refresh drops them, up recreates them", async () => {
    await api.query("DROP VIEW lakehouse.analytics.named_users");
    await api.query("DELETE FROM lakehouse.analytics.events");
    const r = await ts.stack.refresh({ onOutput: collect });
    expect(r.summary.resourceChanges).to.deep.equal({ same: 4, delete: 2 });
    const u = await ts.stack.up({ onOutput: collect });
    expect(u.summary.resourceChanges).to.deep.equal({ same: 4, create: 2 });
    expect(await n("SELECT count(*) AS n FROM lakehouse.analytics.events")).to.equal(3);
  });

  it("renaming a view replaces it: the new one is created, the old one dropped", async () => {
    use({ viewName: "user_ids" });
    const p = await ts.stack.preview({ onOutput: collect, diff: true });
    expect(p.changeSummary).to.deep.equal({ same: 5, replace: 1 });
    const u = await ts.stack.up({ onOutput: collect });
    expect(u.summary.resourceChanges).to.deep.equal({ same: 5, replace: 1 });
    expect((await api.rows("SELECT view_name FROM duckdb_views() WHERE schema_name = 'analytics'")).map((r) => r.view_name)).to.deep.equal(["user_ids"]);
  });

  it("a change that would recreate the table fails at preview without allowReplace, and the rows stay", async () => {
    use({ tableSchema: "elsewhere" });
    const err = await ts.stack.preview({ onOutput: collect }).catch((e) => e);
    expect(`${err.message}\n${out}`).to.contain("drops and recreates the table lakehouse.analytics.users").and.contain("allowReplace: true");
    expect(await n("SELECT count(*) AS n FROM lakehouse.analytics.users")).to.equal(2);
    use({ tableSchema: undefined });
  });

  it("the state holds no password in plaintext; destroy removes everything", async () => {
    expect(ts.backendText()).not.to.contain(emu.password);
    const d = await ts.stack.destroy({ onOutput: collect });
    expect(d.summary.resourceChanges).to.deep.equal({ delete: 6 });
    expect(await api.rows("SELECT schema_name FROM information_schema.schemata WHERE catalog_name = 'lakehouse' AND schema_name LIKE 'analytics%'")).to.deep.equal([]);
  });
});
