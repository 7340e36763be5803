/**
 * Wire contracts: each emulator, driven through the routes the provider uses, answers what the
 * contract's response schemas accept (provider/bytehouse/contract.ts, provider/altertable/contract.ts).
 */
import { expect } from "chai";
import * as path from "node:path";
import { request } from "undici";
import type { ZodType } from "zod";
import * as BH from "../../provider/bytehouse/contract";
import * as AT from "../../provider/altertable/contract";
import { ByteHouseApi, createByteHouseHttp } from "../../provider/bytehouse/api";
import { AltertableApi, createAltertableHttp } from "../../provider/altertable/api";
import { parseJsonLossless } from "../../provider/http/json";
import type { ObservedAnswer } from "../../emulator/framework/server";
import { bhCall, startByteHouse } from "../helpers/emulators";
import { startAltertable } from "../helpers/altertable";

const FIXTURES = path.resolve(__dirname, "../../../test/fixtures/bytehouse");

function check(answers: ObservedAnswer[], schemaFor: (a: ObservedAnswer) => ZodType | undefined, errorSchema: ZodType): string[] {
  const problems: string[] = [];
  for (const a of answers) {
    const schema = a.status >= 400 ? errorSchema : schemaFor(a);
    const where = `${a.method} ${a.pattern ?? a.path} → ${a.status}`;
    if (!schema) {
      problems.push(`${where}: no response schema in the contract`);
      continue;
    }
    const body = a.text ? parseJsonLossless(a.text) : undefined;
    const r = schema.safeParse(body);
    if (!r.success) problems.push(`${where}: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")} in ${a.text.slice(0, 300)}`);
  }
  return problems;
}

describe("wire contracts", function () {
  this.timeout(60_000);

  it("ByteHouse: every answer to the provider's calls parses with the contract's response schema", async () => {
    const emu = await startByteHouse();
    const answers: ObservedAnswer[] = [];
    emu.server.observe((a) => answers.push(a));
    const api = new ByteHouseApi(createByteHouseHttp({ endpoint: emu.url, apiKey: emu.apiKey }));
    const R = BH.BYTEHOUSE_ROUTES;
    const X = BH.RESPONSES;
    const table: Record<string, ZodType> = {
      [`GET ${R.databases}`]: X.databases,
      [`POST ${R.databases}`]: X.databaseCreated,
      [`GET ${R.database}`]: X.database,
      [`DELETE ${R.database}`]: X.empty,
      [`GET ${R.virtualWarehouses}`]: X.virtualWarehouses,
      [`POST ${R.virtualWarehouses}`]: X.vwCreated,
      [`GET ${R.virtualWarehouse}`]: X.virtualWarehouse,
      [`PATCH ${R.virtualWarehouse}`]: X.vwAck,
      [`DELETE ${R.virtualWarehouse}`]: X.vwAck,
      [`GET ${R.virtualWarehouseConfigs}`]: X.vwConfigs,
      [`GET ${R.tables}`]: X.tables,
      [`POST ${R.tables}`]: X.tableCreated,
      [`GET ${R.table}`]: X.table,
      [`PATCH ${R.table}`]: X.empty,
      [`DELETE ${R.table}`]: X.empty,
      [`GET ${R.partitions}`]: X.partitions,
      [`DELETE ${R.partitions}`]: X.empty,
      [`POST ${R.sqlSync}`]: X.queryRows,
      [`POST ${R.apiKeys}`]: X.apiKeyCreated,
      [`GET ${R.apiKeys}`]: X.apiKeys,
      [`GET ${R.apiKey}`]: X.apiKey,
      [`DELETE ${R.apiKey}`]: X.ack2,
      [`PATCH ${R.apiKeyStatus}`]: X.ack2,
      [`PATCH ${R.apiKeyExpiry}`]: X.ack2,
      [`GET ${R.roles}`]: X.roles,
      [`GET ${R.assignments}`]: X.assignments,
      [`POST ${R.assignments}`]: X.ack2,
      [`DELETE ${R.assignments}`]: X.ack2,
      [`GET ${R.permissions}`]: X.permissions,
      [`POST ${R.permissions}`]: X.ack2,
      [`DELETE ${R.permissions}`]: X.ack2,
      [`GET ${R.connections}`]: X.connections,
      [`POST ${R.connections}`]: X.connectionCreated,
      [`GET ${R.connection}`]: X.connection,
      [`PUT ${R.connection}`]: X.ack2,
      [`DELETE ${R.connection}`]: X.ack2,
      [`GET ${R.jobs}`]: X.jobs,
      [`POST ${R.jobs}`]: X.jobCreated,
      [`GET ${R.job}`]: X.job,
      [`PUT ${R.job}`]: X.ack2,
      [`DELETE ${R.job}`]: X.ack2,
      [`PATCH ${R.jobName}`]: X.ack2,
      [`PATCH ${R.jobDescription}`]: X.ack2,
      [`GET ${R.jobStartArgs}`]: X.startArgs,
      [`POST ${R.jobStart}`]: X.started,
      [`POST ${R.jobStop}`]: X.ack2,
      [`GET ${R.jobExecutions}`]: X.executions,
      [`GET ${R.execution}`]: X.execution,
      [`GET ${R.executionLogs}`]: X.executionLogs,
      [`GET ${R.materializedViews}`]: X.materializedViews,
      [`GET ${R.materializedView}`]: X.materializedView,
      [`DELETE ${R.dictionary}`]: X.empty,
      [`GET ${R.clusterStatus}`]: X.clusterStatus,
      [`GET ${R.syncStatus}`]: X.syncStatus,
      [`POST ${R.sqlObjects}`]: X.sqlObjects,
      [`GET ${R.sqlDialects}`]: X.sqlDialects,
      [`GET ${R.accountStatus}`]: X.accountStatus,
      [`GET ${R.usageStorage}`]: X.storageUsage,
      [`GET ${R.usageVirtualWarehouses}`]: X.vwUsage,
      [`POST ${R.metadataSubscription}`]: X.subscription,
      [`DELETE ${R.metadataSubscription}`]: X.subscription,
    };
    try {
      await api.listVirtualWarehouseConfigs();
      await api.createDatabase({ name: "sales", description: "d" });
      await api.listDatabases();
      await api.getDatabase("sales");
      await api.getDatabase("nope");
      const vw = await api.createVirtualWarehouse({ name: "etl", configID: 123457, autoSuspend: 10, autoResume: true });
      await api.getVirtualWarehouse("etl");
      await api.updateVirtualWarehouse("etl", { autoSuspend: 5 });
      await api.listVirtualWarehouses();
      await api.createTable("sales", { name: "orders", columns: [{ name: "id", type: "Int64" }, { name: "day", type: "Date" }], orderByKeys: ["id"], partitionKeys: [{ column: "day", granularity: "month" }] });
      await api.getTable("sales", "orders");
      await api.listTables("sales");
      await api.updateTable("sales", "orders", { addColumns: [{ name: "note", type: "String", nullable: true }] });
      await api.query("INSERT INTO sales.orders (id, day) VALUES (1, '2026-01-02')", { vwID: vw.vwID });
      await api.query("SELECT * FROM sales.orders");
      const parts = await api.listPartitions("sales", "orders");
      await api.deletePartitions("sales", "orders", parts.map((p) => p.name));
      await api.getClusterStatus("sales", "orders");
      await api.getSyncStatus("sales");
      await api.queryObjects("SELECT * FROM sales.orders");
      await api.listDialects();
      await api.getAccountStatus();
      await api.getStorageUsage("2026-01-01T00:00:00Z", "2026-12-31T00:00:00Z");
      await api.getVirtualWarehouseUsage("2026-01-01T00:00:00Z", "2026-12-31T00:00:00Z");
      await api.listMaterializedViews("sales");
      await api.getMaterializedView("sales", "nope");
      await api.deleteDictionary("sales", "nope").catch(() => undefined);
      const key = await api.createApiKey({ comment: "ci", expiryInDays: 30 });
      await api.listApiKeys();
      await api.getApiKey(key.id);
      await api.setApiKeyStatus(key.id, "DISABLED");
      await api.extendApiKeyExpiry(key.id, 10);
      await api.deleteApiKey(key.id);
      await api.listRoles();
      await api.assignRole({ UserID: 42, RoleName: "Analyst" });
      await api.listAssignments(42);
      await api.unassignRole({ UserID: 42, RoleName: "Analyst" });
      const perm = { RoleName: "Analyst", ByteHouseResourceID: "sales", SecureObjectTypeName: "DATABASE", ActionName: "SELECT" };
      await api.grantPermission(perm);
      await api.listPermissions(perm);
      await api.revokePermission(perm);
      const conn = await api.createConnection({ name: "files", type: "LOCAL", data: { path: FIXTURES } });
      await api.listConnections();
      await api.getConnection(conn);
      await api.updateConnection(conn, { name: "files", data: { path: FIXTURES } });
      const job = await api.createImportJob({
        name: "load",
        connectionID: conn,
        configuration: { source: { format: "CSV", properties: { fileNames: "orders-1.csv" } }, sink: { database: "sales", table: "orders" } },
        sourceSchema: {},
        state: "PUBLISHED",
      });
      await api.listImportJobs();
      await api.getImportJob(job);
      await api.renameImportJob(job, "load2");
      await api.describeImportJob(job, "desc");
      await api.getImportJobStartArgs(job);
      const exec = await api.startImportJob(job, {});
      await api.getExecution(exec);
      await api.stopImportJob(job).catch(() => undefined); // 422 when it already finished
      await api.listJobExecutions(job);
      await new Promise((r) => setTimeout(r, 300));
      await api.getExecutionLogs(exec);
      await api.updateImportJob(job, { name: "load2", connectionID: conn, configuration: {}, sourceSchema: {}, state: "DRAFT" });
      await api.deleteImportJob(job);
      await api.deleteConnection(conn);
      const headers = { accountId: "2100042608", userId: "2100042608", token: "eyJhbGciOiJSUzI1NiJ9.payload.signature" };
      await api.subscribeMetadata(headers);
      await api.unsubscribeMetadata(headers);
      await api.deleteTable("sales", "orders");
      await api.deleteVirtualWarehouse("etl");
      await api.deleteDatabase("sales");
      // errors: not found, contract violation, auth
      await bhCall(emu, "POST", "/v1/databases", { name: 5 });
      await bhCall(emu, "GET", "/v1/databases", undefined, "wrong-key");
      const problems = check(answers, (a) => table[`${a.method} ${a.pattern}`], X.error);
      expect(problems, problems.join("\n")).to.deep.equal([]);
      const seen = new Set(answers.map((a) => `${a.method} ${a.pattern}`));
      expect([...seen].filter((k) => !table[k]), "answers without a mapped schema").to.deep.equal([]);
      expect(answers.filter((a) => a.status >= 400).map((a) => a.status)).to.include.members([400, 403, 404]);
    } finally {
      await api.http.close();
      await emu.stop();
    }
  });

  it("ByteHouse: a body that breaks the contract gets the vendor's 400 and changes nothing", async () => {
    const emu = await startByteHouse();
    try {
      const r = await bhCall(emu, "POST", "/v1/virtual-warehouses", { name: "x", configID: "big" });
      expect(r.status).to.equal(400);
      expect(BH.ErrorResponse.parse(r.body).error.code).to.equal("BAD_REQUEST");
      expect(r.body.message).to.match(/configID/);
      expect(emu.server.state.virtualWarehouses).to.deep.equal({});
    } finally {
      await emu.stop();
    }
  });

  it("Altertable: /query lines, /query/:id, /validate, /upsert, /append, /tasks/:id and errors parse with the contract", async () => {
    const emu = await startAltertable();
    const answers: ObservedAnswer[] = [];
    emu.server.observe((a) => answers.push(a));
    const api = new AltertableApi(createAltertableHttp({ endpoint: emu.url, ...emu.settings } as { endpoint: string; username: string; password: string }));
    const P = AT.ALTERTABLE_PATHS;
    const call = async (method: string, p: string, body?: unknown, query = "") => {
      const res = await request(`${emu.url}${p}${query}`, {
        method: method as "GET",
        headers: { authorization: emu.authorization, "content-type": "application/json" },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
      return { status: res.statusCode, text: await res.body.text(), type: String(res.headers["content-type"] ?? "") };
    };
    try {
      // /query streams: check each NDJSON line
      const q = await call("POST", P.query(), AT.QueryRequest.parse({ statement: "SELECT 1 AS one, 'a' AS s", query_id: "0190a3c2-1111-7000-8000-000000000001" }));
      const lines = q.text.trim().split("\n").map((l) => JSON.parse(l));
      AT.QueryMetadataLine.parse(lines[0]);
      AT.QueryColumnsLine.parse(lines[1]);
      for (const row of lines.slice(2)) AT.QueryRowLine.parse(row);
      const failed = await call("POST", P.query(), { statement: "SELECT * FROM nowhere" });
      const flines = failed.text.trim().split("\n").map((l) => JSON.parse(l));
      AT.QueryErrorLine.parse(flines[flines.length - 1]);
      AT.QueryLogEntry.parse(JSON.parse((await call("GET", P.queryLog("0190a3c2-1111-7000-8000-000000000001"))).text));
      AT.CancelResponse.parse(JSON.parse((await call("DELETE", P.queryLog("0190a3c2-1111-7000-8000-000000000001"), undefined, "?session_id=nope")).text));
      // through the provider's client (answers observed)
      await api.validate("SELECT 1");
      await api.validate("SELEC 1");
      await api.upload({ catalog: "lakehouse", schema: "public", table: "ref" }, "create", undefined, "text/csv", () => require("node:stream").Readable.from(["id,name\n1,a\n"]));
      const appended = await api.append({ catalog: "lakehouse", schema: "public", table: "events" }, [{ id: 1, kind: "x" }], true);
      await api.task(appended.task_id!);
      await call("GET", P.task("nope"));
      await call("GET", P.task("0190a3c2-1111-7000-8000-0000000000ff"));
      await call("POST", P.append(), "[1, 2]", "?catalog=lakehouse&schema=public&table=events");
      // a contract violation on /query: 400 text/plain, before streaming
      const bad = await call("POST", P.query(), { statement: 5 });
      expect(bad.status).to.equal(400);
      expect(bad.type).to.match(/text\/plain/);
      const R = AT.ALTERTABLE_ROUTES;
      const table: Record<string, ZodType> = {
        [`POST ${R.validate}`]: AT.ValidateResponse,
        [`POST ${R.upsert}`]: AT.UpsertResponse,
        [`POST ${R.append}`]: AT.AppendResponse,
        [`GET ${R.task}`]: AT.TaskResponse,
        [`GET ${R.queryLog}`]: AT.QueryLogEntry,
        [`DELETE ${R.queryLog}`]: AT.CancelResponse,
      };
      const errorFor = (a: ObservedAnswer) => (a.pattern === R.append ? AT.AppendResponse : a.pattern === R.task ? AT.ErrorResponse : AT.PlainError);
      const problems: string[] = [];
      for (const a of answers) {
        if (a.status >= 400 && errorFor(a) === AT.PlainError) {
          if (!AT.PlainError.safeParse(a.text).success) problems.push(`${a.method} ${a.pattern} → ${a.status}: not a plain-text error: ${a.text}`);
          continue;
        }
        problems.push(...check([a], (x) => table[`${x.method} ${x.pattern}`], errorFor(a)));
      }
      expect(problems, problems.join("\n")).to.deep.equal([]);
      expect(answers.map((a) => a.pattern)).to.include.members([R.validate, R.upsert, R.append, R.task]);
    } finally {
      await api.http.close();
      await emu.stop();
    }
  });
});
