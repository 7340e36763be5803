/**
 * End to end with the real CLI: tables, API keys, role assignments and permissions,
 * connections and import jobs against the ByteHouse emulator. Out-of-band changes go through
 * the vendor API (SQL endpoint included), as a person would make them.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startByteHouse, RunningEmulator } from "../helpers/emulators";
import { inlineStack, TestStack, appendOutputOnFailure } from "../helpers/pulumi";
import { ByteHouseState } from "../../emulator/bytehouse";
import { ByteHouseApi, createByteHouseHttp } from "../../provider/bytehouse/api";
import { bytehouse } from "../../sdk";

interface Desired {
  extraColumn: boolean;
  dropNote: boolean;
  allowDataLoss: boolean;
  orderBy: string[];
  allowReplace: boolean;
  keyEnabled: boolean;
  keyComment: string;
  role: string;
  action: string;
  connectionName: string;
  jobDescription: string;
}

const USER = 1336688750;

function program(d: Desired, dataDir: string) {
  return async () => {
    const db = new bytehouse.Database("sales", { name: "sales", description: "sales", forceDestroy: true });
    const columns = [
      { name: "id", type: "Int64" },
      { name: "amount", type: "Int64" },
      ...(d.dropNote ? [] : [{ name: "note", type: "String", comment: "free text" }]),
      ...(d.extraColumn ? [{ name: "channel", type: "Nullable(String)" }] : []),
    ];
    const orders = new bytehouse.Table("orders", {
      database: db.name,
      name: "orders",
      description: "orders",
      columns,
      orderByKeys: d.orderBy,
      allowDataLoss: d.allowDataLoss,
      allowReplace: d.allowReplace,
    });
    const key = new bytehouse.ApiKey("ci", { comment: d.keyComment, expiryDays: 30, enabled: d.keyEnabled });
    new bytehouse.RoleAssignment("analyst", { userId: USER, roleName: d.role });
    new bytehouse.RolePermission("read-sales", { roleName: "Analyst", resourceId: "sales", objectType: "DATABASE", action: d.action });
    const conn = new bytehouse.Connection("files", { name: d.connectionName, type: "LOCAL", data: { path: dataDir, accessToken: "tok-plaintext-123" } });
    const job = new bytehouse.ImportJob(
      "load",
      {
        name: "load",
        description: d.jobDescription,
        connectionId: conn.connectionId,
        configuration: { source: { format: "CSV", properties: { fileNames: "rows.csv", header: true } }, sink: { database: "sales", table: "orders", mode: "APPEND" } },
        run: { args: { "source.properties.fileNames": "rows.csv" } },
      },
      { dependsOn: [orders] },
    );
    return { key: key.key, rows: job.lastExecution };
  };
}

describe("e2e: ByteHouse tables, keys, grants, connections and import jobs with the real pulumi CLI", function () {
  this.timeout(900_000);
  let emu: RunningEmulator<ByteHouseState>;
  let api: ByteHouseApi;
  let ts: TestStack;
  let out = "";
  let dataDir: string;
  const desired: Desired = {
    extraColumn: false,
    dropNote: false,
    allowDataLoss: false,
    orderBy: ["id"],
    allowReplace: false,
    keyEnabled: true,
    keyComment: "ci",
    role: "Analyst",
    action: "SELECT",
    connectionName: "files",
    jobDescription: "loads rows.csv",
  };
  const collect = (s: string) => (out += s);
  const use = (d: Partial<Desired>) => (ts.stack.workspace.program = program(Object.assign(desired, d), dataDir));
  const count = async () => Number((await api.query("SELECT count(*) AS n FROM sales.orders"))[0].n);

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bh-files-"));
    fs.writeFileSync(path.join(dataDir, "rows.csv"), "id,amount,note\n1,10,a\n2,20,b\n3,30,c\n");
    emu = await startByteHouse();
    api = new ByteHouseApi(createByteHouseHttp({ endpoint: emu.url, apiKey: emu.apiKey }));
    ts = await inlineStack("bytehouse-objects", program(desired, dataDir), {
      "warehouse:bytehouseEndpoint": { value: emu.url },
      "warehouse:bytehouseApiKey": { value: emu.apiKey, secret: true },
    });
  });
  after(async () => {
    await ts?.dispose();
    await api?.http.close();
    await emu?.stop();
  });
  beforeEach(() => (out = ""));
  appendOutputOnFailure(() => out);

  it("up creates every object and the import job loads the file", async () => {
    const r = await ts.stack.up({ onOutput: collect });
    expect(r.summary.resourceChanges).to.deep.equal({ create: 8 });
    expect(await count()).to.equal(3);
    expect(r.outputs.rows.value).to.include({ status: "SUCCEEDED", rowsLoaded: 3 });
    expect(r.outputs.key.secret).to.equal(true);
    expect(r.outputs.key.value).to.be.a("string").with.length.greaterThan(8);
    expect((await api.listAssignments(USER)).map((a) => a.RoleName)).to.include("Analyst");
  });

  it("a second up, and a refresh, change nothing", async () => {
    expect((await ts.stack.up({ onOutput: collect })).summary.resourceChanges).to.deep.equal({ same: 8 });
    expect((await ts.stack.refresh({ onOutput: collect })).summary.resourceChanges).to.deep.equal({ same: 8 });
  });

  it("secrets are absent from the state files in plaintext: the API key and connection credentials", async () => {
    const key = (await ts.stack.outputs()).key.value as string;
    const text = ts.backendText();
    expect(text).to.contain("bytehouse:ApiKey");
    expect(text).not.to.contain(key);
    expect(text).not.to.contain("tok-plaintext-123");
  });

  it("adding a column shows as an update in preview --diff, never a replace, and keeps the rows", async () => {
    use({ extraColumn: true });
    const p = await ts.stack.preview({ onOutput: collect, diff: true });
    expect(p.changeSummary).to.deep.equal({ same: 7, update: 1 });
    expect(out).to.contain("columns");
    const u = await ts.stack.up({ onOutput: collect });
    expect(u.summary.resourceChanges).to.deep.equal({ same: 7, update: 1 });
    const t = (await api.getTable("sales", "orders"))!;
    expect(t.columns.map((c) => c.name)).to.deep.equal(["id", "amount", "note", "channel"]);
    expect(await count()).to.equal(3);
  });

  it("dropping a column without opting in fails at preview, and the rows are untouched", async () => {
    use({ dropNote: true });
    emu.server.log.length = 0;
    const err = await ts.stack.preview({ onOutput: collect }).catch((e) => e);
    expect(err).to.be.instanceOf(Error);
    const text = `${err.message}\n${out}`;
    expect(text).to.contain("drop column note and all its data").and.contain("allowDataLoss: true");
    expect(emu.requests().filter((r) => r.method !== "GET"), "nothing was changed").to.deep.equal([]);
    expect((await api.getTable("sales", "orders"))!.columns.map((c) => c.name)).to.include("note");
    expect(await count()).to.equal(3);
    use({ dropNote: false });
  });

  it("in-place updates: disable a key, rename a connection, redescribe a job (narrowest call)", async () => {
    use({ keyEnabled: false, connectionName: "files-renamed", jobDescription: "loads rows.csv nightly" });
    emu.server.log.length = 0;
    const u = await ts.stack.up({ onOutput: collect });
    expect(u.summary.resourceChanges).to.deep.include({ update: 3 });
    expect(u.summary.resourceChanges?.replace ?? 0).to.equal(0);
    const keys = await api.listApiKeys();
    expect(keys.map((k) => k.status)).to.include("DISABLED");
    expect(emu.requests().some((r) => r.method === "PATCH" && /\/jobs\/\d+\/description$/.test(r.path)), "PATCH …/description").to.equal(true);
    expect(emu.requests().some((r) => r.method === "PUT" && /\/jobs\/\d+$/.test(r.path)), "no full PUT for a description").to.equal(false);
  });

  it("a column changed by SQL shows as drift, and up puts it back", async () => {
    await api.query("ALTER TABLE sales.orders MODIFY COLUMN amount Int32");
    const r = await ts.stack.refresh({ onOutput: collect });
    expect(r.summary.resourceChanges).to.deep.include({ update: 1 });
    expect(out).to.match(/orders.*\[diff: ~columns/);
    const u = await ts.stack.up({ onOutput: collect });
    expect(u.summary.resourceChanges).to.deep.include({ update: 1 });
    expect((await api.getTable("sales", "orders"))!.columns.find((c) => c.name === "amount")!.type).to.equal("Int64");
  });

  it("out-of-band changes to a key, an assignment, a permission and a connection: refresh shows them, up repairs them", async () => {
    const key = (await api.listApiKeys())[0];
    await api.setApiKeyStatus(key.id, "ENABLED");
    await api.unassignRole({ UserID: USER, RoleName: "Analyst" });
    await api.revokePermission({ RoleName: "Analyst", ByteHouseResourceID: "sales", SecureObjectTypeName: "DATABASE", ActionName: "SELECT" });
    const conn = (await api.listConnections())[0];
    await api.updateConnection(conn.id, { name: "hand-renamed", data: { path: dataDir, accessToken: "tok-plaintext-123" } });
    const r = await ts.stack.refresh({ onOutput: collect });
    expect(r.summary.resourceChanges).to.deep.include({ update: 2, delete: 2 });
    const u = await ts.stack.up({ onOutput: collect });
    expect(u.summary.resourceChanges).to.deep.include({ update: 2, create: 2 });
    expect((await api.listApiKeys()).find((k) => k.id === key.id)!.status).to.equal("DISABLED");
    expect((await api.listAssignments(USER)).map((a) => a.RoleName)).to.include("Analyst");
    expect((await api.getConnection(conn.id))!.name).to.equal("files-renamed");
  });

  it("replacements: a key comment, a role, a permission action; a table key change only with allowReplace", async () => {
    use({ keyComment: "ci-rotated", role: "ReadOnly", action: "INSERT" });
    const u = await ts.stack.up({ onOutput: collect });
    expect(u.summary.resourceChanges).to.deep.include({ replace: 3 });
    expect((await api.listApiKeys()).map((k) => k.comment)).to.deep.equal(["ci-rotated"]);
    expect((await api.listAssignments(USER)).map((a) => a.RoleName)).to.deep.equal(["ReadOnly"]);

    use({ orderBy: ["amount"] });
    const refused = await ts.stack.preview({ onOutput: collect }).catch((e) => e);
    expect(`${refused.message}\n${out}`).to.contain("allowReplace: true");
    use({ orderBy: ["amount"], allowReplace: true });
    const r = await ts.stack.up({ onOutput: collect });
    expect(r.summary.resourceChanges).to.deep.include({ replace: 1 });
    expect((await api.getTable("sales", "orders"))!.orderByKeys).to.deep.equal(["amount"]);
  });

  it("out-of-band deletes: refresh drops them and up recreates them", async () => {
    const keys = await api.listApiKeys();
    await api.deleteApiKey(keys[0].id);
    const r = await ts.stack.refresh({ onOutput: collect });
    expect(r.summary.resourceChanges).to.deep.include({ delete: 1 });
    const u = await ts.stack.up({ onOutput: collect });
    expect(u.summary.resourceChanges).to.deep.include({ create: 1 });
    expect(await api.listApiKeys()).to.have.length(1);
  });

  it("destroy removes everything", async () => {
    const d = await ts.stack.destroy({ onOutput: collect });
    expect(d.summary.resourceChanges).to.deep.equal({ delete: 8 });
    expect(await api.listDatabases()).to.deep.equal([]);
    expect(await api.listApiKeys()).to.deep.equal([]);
    expect(await api.listConnections()).to.deep.equal([]);
    expect(await api.listImportJobs()).to.deep.equal([]);
  });
});
