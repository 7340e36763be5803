/**
 * A client written from the vendor's published SDK behaviour (go-deltastream `conn.go`,
 * `resultset_rows.go`; ts-deltastream `src/conn.ts`) works against the emulator unchanged:
 * every statement as multipart (a `request` part written like the Go SDK's, with its trailing `;`,
 * plus `attachments` form files), a 202 polled with GET every second until a 200, sqlState
 * "00000" as success and anything else thrown as a SQL error with its code, the result's
 * `metadata.context` sent back with the next statement, rows read partition by partition — from the
 * data plane when the answer carries a `dataplaneRequest` (the emulator's `dataplane` option) — and
 * GET /version as ping. Here the emulator runs on its own clock and engine timer, as the CLI does.
 */
import { expect } from "chai";
import { request } from "undici";
import { startEmulator } from "../helpers/emulators";
import type { EmulatorHarness } from "../../emulator/framework/definition";
import { SDK_POLL_INTERVAL_MS } from "../../provider/deltastream/contract";

class SqlError extends Error {
  constructor(readonly sqlCode: string, message: string, readonly statementID: string) {
    super(`${sqlCode}: ${message}`);
  }
}
class AuthenticationError extends Error {}
class InterfaceError extends Error {}

interface Ctx {
  organizationID?: string;
  roleName?: string;
  databaseName?: string;
  schemaName?: string;
  storeName?: string;
  computePoolName?: string;
}

/** The SDK's connection, as its source describes it (no retries; the caller's timeout bounds polling). */
class SdkConn {
  polls = 0;
  private ctx: Ctx = {};
  constructor(private readonly server: string, private readonly token: string, private readonly organization: string, private readonly sessionID = "session-1") {}

  private async call(method: string, path: string, body?: Buffer, contentType?: string) {
    const res = await request(this.server + path, { method: method as any, headers: { authorization: `Bearer ${this.token}`, ...(contentType ? { "content-type": contentType } : {}) }, body });
    const text = await res.body.text();
    const json = text ? JSON.parse(text) : undefined;
    switch (res.statusCode) {
      case 200:
      case 202:
        return { status: res.statusCode, json };
      case 400:
      case 404:
        throw new InterfaceError(json?.message);
      case 401:
      case 403:
        throw new AuthenticationError(json?.message);
      default:
        throw new InterfaceError(`unexpected response from server. status code: ${res.statusCode}`);
    }
  }

  async ping(): Promise<void> {
    await this.call("GET", "/version");
  }

  /** submitStatement: multipart with the request part and the attachments. */
  async exec(statement: string, attachments: Record<string, Buffer> = {}): Promise<{ columns: { name: string; type: string }[]; rows: (string | null)[][] }> {
    const request = {
      statement,
      organization: this.ctx.organizationID ?? this.organization,
      role: this.ctx.roleName,
      database: this.ctx.databaseName,
      schema: this.ctx.schemaName,
      store: this.ctx.storeName,
      computePool: this.ctx.computePoolName,
      parameters: { sessionID: this.sessionID },
    };
    const boundary = "3f1c2e9ab0d74c51";
    const parts: Buffer[] = [Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="request";\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(request)}\n`)];
    for (const [name, data] of Object.entries(attachments)) {
      parts.push(Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`), data);
    }
    parts.push(Buffer.from(`\r\n--${boundary}--\r\n`));
    let r = await this.call("POST", "/statements", Buffer.concat(parts), `multipart/form-data; boundary=${boundary}`);
    let rs = r.json;
    // getStatement: poll every second until a 200
    while (r.status === 202) {
      await new Promise((res) => setTimeout(res, SDK_POLL_INTERVAL_MS));
      this.polls++;
      r = await this.call("GET", `/statements/${rs.statementID}?partitionID=0&sessionID=${this.sessionID}&timezone=UTC`);
      rs = r.json;
    }
    if (rs.sqlState !== "00000") throw new SqlError(rs.sqlState, rs.message ?? "", rs.statementID);
    this.ctx = rs.metadata.context ?? {};
    if (rs.metadata.dataplaneRequest) return this.fromDataplane(rs.metadata.dataplaneRequest);
    const rows = [...(rs.data ?? [])];
    for (let p = 1; p < rs.metadata.partitionInfo.length; p++) {
      const page = await this.call("GET", `/statements/${rs.statementID}?partitionID=${p}&sessionID=${this.sessionID}&timezone=UTC`);
      rows.push(...page.json.data);
    }
    return { columns: rs.metadata.columns, rows };
  }

  dataplaneReads = 0;
  /** dpconn: the rows from the data plane's URI (path reset to /v2) with its token, partition by partition. */
  private async fromDataplane(dp: { token: string; uri: string; statementID: string; requestType: string }) {
    expect(dp.requestType).to.equal("result-set");
    const base = new URL(dp.uri);
    base.pathname = "/v2";
    const get = async (p: number) => {
      const res = await request(`${base.toString().replace(/\/$/, "")}/statements/${dp.statementID}?partitionID=${p}`, { headers: { authorization: `Bearer ${dp.token}` } });
      expect(res.statusCode).to.equal(200);
      return (await res.body.json()) as any;
    };
    this.dataplaneReads++;
    const first = await get(0);
    const rows = [...first.data];
    for (let p = 1; p < first.metadata.partitionInfo.length; p++) rows.push(...(await get(p)).data);
    return { columns: first.metadata.columns, rows, dataplane: dp };
  }
}

async function until<T>(fn: () => Promise<T | undefined>, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("DeltaStream emulator: a client written from the vendor's SDK behaviour", function () {
  this.timeout(60_000);
  let h: EmulatorHarness;
  // `dataplane`: interactive SELECTs over relations answer a dataplaneRequest, as the service does
  before(async () => (h = await startEmulator("deltastream", { options: { readyMs: 300, queryStartMs: 300, asyncStatementMs: 300, tickMs: 100, dataplane: true } })));
  after(() => h?.stop());

  it("pings, runs DDL with attachments and 202 polling, carries the context, maps sqlStates, and reads a running query's sink", async () => {
    const conn = new SdkConn(`${h.url}/v2`, h.settings.apiToken, h.settings.organization);
    await conn.ping();
    await conn.exec("CREATE DATABASE shop");
    await conn.exec(
      "CREATE STORE events WITH ('type' = KAFKA, 'uris' = 'kafka-1:9092', 'kafka.sasl.hash_function' = SHA256, 'kafka.sasl.username' = 'app', 'kafka.sasl.password' = 'pw', 'tls.ca_cert_file' = '@cacert')",
      { "@cacert": Buffer.from("-----BEGIN CERTIFICATE-----\n") },
    );
    expect(conn.polls, "the store's 202 was polled").to.be.greaterThan(0);
    await until(async () => ((await conn.exec(`SELECT status FROM deltastream.sys."stores" WHERE name = 'events'`)).rows[0]?.[0] === "ready" ? true : undefined), "the store to be ready");
    // the SDK sends back the context it was given: USE DATABASE sticks for the next statements
    await conn.exec("USE DATABASE shop");
    await conn.exec("CREATE ENTITY orders IN STORE events WITH ('kafka.partitions' = 2, 'kafka.replicas' = 1)");
    await conn.exec("CREATE STREAM orders (order_id VARCHAR, customer VARCHAR, amount DOUBLE) WITH ('topic' = 'orders', 'value.format' = 'json')");
    const created = await conn.exec("CREATE CHANGELOG revenue AS SELECT customer, SUM(amount) AS total, COUNT(*) AS orders FROM orders GROUP BY customer");
    const queryId = created.rows.find((r) => r[0] === "query")![1]!;
    await until(async () => ((await conn.exec(`SELECT current_state FROM deltastream.sys."queries" WHERE id = '${queryId}'`)).rows[0]?.[0] === "running" ? true : undefined), "the query to run");
    // SQL errors come back as HTTP 200 with their sqlState, thrown by the SDK as SQL errors
    const dup = await conn.exec("CREATE DATABASE shop").then(() => undefined, (e) => e);
    expect(dup).to.be.instanceOf(SqlError);
    expect(dup.sqlCode).to.equal("42P04");
    const missing = await conn.exec("DROP STORE nowhere").then(() => undefined, (e) => e);
    expect(missing.sqlCode).to.equal("3D006");
    // events produced into the source topic arrive, aggregated, in the sink
    const res = await request(`${h.url}/_emulator/deltastream/produce`, {
      method: "POST",
      body: JSON.stringify({ store: "events", entity: "orders", records: [{ value: { order_id: "o1", customer: "ada", amount: 10.5 } }, { value: { order_id: "o2", customer: "bob", amount: 3 } }, { value: { order_id: "o3", customer: "ada", amount: 4.5 } }] }),
    });
    expect(res.statusCode).to.equal(200);
    await res.body.text();
    const rows = await until(async () => {
      const r = await conn.exec("SELECT customer, total, orders FROM revenue ORDER BY customer");
      return r.rows.length === 2 && r.rows[0][2] === "2" ? r.rows : undefined;
    }, "the aggregate in the sink");
    expect(rows).to.deep.equal([["ada", "15.0", "2"], ["bob", "3.0", "1"]]);
    expect(conn.dataplaneReads, "relation rows came from the data plane").to.be.greaterThan(0);
    // a data-plane token reads its own statement only
    const dp = (await (await fetch(`${h.url}/v2/statements`, { method: "POST", headers: { authorization: `Bearer ${h.settings.apiToken}`, "content-type": "application/json" }, body: JSON.stringify({ statement: "SELECT * FROM revenue", database: "shop" }) })).json()) as any;
    expect(dp.data).to.deep.equal([]);
    const token = dp.metadata.dataplaneRequest.token;
    const other = (await (await fetch(`${h.url}/v2/statements`, { method: "POST", headers: { authorization: `Bearer ${h.settings.apiToken}`, "content-type": "application/json" }, body: JSON.stringify({ statement: "LIST DATABASES" }) })).json()) as any;
    expect(other.metadata.dataplaneRequest, "sys reads and LIST stay inline").to.equal(undefined);
    expect((await fetch(`${h.url}/v2/statements/${other.statementID}`, { headers: { authorization: `Bearer ${token}` } })).status).to.equal(403);
    expect((await fetch(`${h.url}/v2/statements`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ statement: "LIST DATABASES" }) })).status).to.equal(403);
    // the TS SDK's generated client: a FormData with the request as a JSON Blob and attachments as
    // files, a 202 polled with GET ?partitionID=0 only
    const form = new FormData();
    form.append("request", new Blob([JSON.stringify({ statement: "CREATE STORE pg WITH ('type' = POSTGRESQL, 'uris' = 'postgresql://h:5432/db', 'postgres.username' = 'u', 'postgres.password' = 'p', 'tls.ca_cert_file' = '@ca')", organization: h.settings.organization, parameters: { timezone: "UTC", sessionID: "ts" } })], { type: "application/json" }));
    form.append("attachments", new File([Buffer.from("CA")], "@ca"));
    const auth = { authorization: `Bearer ${h.settings.apiToken}` };
    const submitted = await fetch(`${h.url}/v2/statements`, { method: "POST", headers: auth, body: form });
    expect(submitted.status).to.equal(202);
    const { statementID } = (await submitted.json()) as { statementID: string };
    const done = await until(async () => {
      const g = await fetch(`${h.url}/v2/statements/${statementID}?partitionID=0`, { headers: auth });
      const b = (await g.json()) as { sqlState: string };
      return g.status === 200 ? b : undefined;
    }, "the TS-style statement");
    expect(done.sqlState).to.equal("00000");
    // a wrong token is an authentication error
    const bad = new SdkConn(`${h.url}/v2`, "wrong", h.settings.organization);
    expect(await bad.exec("LIST DATABASES").then(() => undefined, (e) => e)).to.be.instanceOf(AuthenticationError);
  });
});
