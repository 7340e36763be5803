/**
 * The DeltaStream emulator speaks the v2 statements API (provider/deltastream/contract.ts, the
 * vendor's OpenAPI and the behaviour of its SDKs) over real HTTP, on a real DuckDB: multipart and
 * JSON submits, 202 then GET, every sqlState family as HTTP 200, the deltastream.sys catalogue as
 * SQL, DESCRIBE plans, readiness, the streaming engine, restarts, faults, the request log — and
 * every answer parses with the contract's schemas.
 *
 * Time is the emulator's clock (EmulatorContext.clock), moved by the tests; the streaming engine
 * runs its passes on demand (POST /_emulator/deltastream/tick). Nothing here waits on wall time.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { request } from "undici";
import { rawCall, Reply, startEmulator } from "../helpers/emulators";
import type { EmulatorHarness } from "../../emulator/framework/definition";
import type { ObservedAnswer } from "../../emulator/framework/server";
import * as C from "../../provider/deltastream/contract";
import type { DeltaStreamState } from "../../emulator/deltastream";

/** A clock the tests move. */
class TestClock {
  t = Date.UTC(2026, 0, 1, 12, 0, 0);
  now = () => new Date(this.t);
  advance(ms: number) {
    this.t += ms;
  }
}

const OPTIONS = { tickMs: 0, readyMs: 1_000, queryStartMs: 2_000, asyncStatementMs: 500, partitionRows: 3 };

interface Emu {
  h: EmulatorHarness<DeltaStreamState>;
  clock: TestClock;
  answers: ObservedAnswer[];
}

async function start(stateDir?: string, clock = new TestClock(), options: Record<string, unknown> = {}): Promise<Emu> {
  const h = await startEmulator<DeltaStreamState>("deltastream", { stateDir, options: { ...OPTIONS, ...options } });
  h.server.ctx.clock = clock;
  const answers: ObservedAnswer[] = [];
  h.server.observe((a) => answers.push(a));
  return { h, clock, answers };
}

async function http(e: Emu, method: string, p: string, opts: { json?: unknown; raw?: Buffer | string; headers?: Record<string, string>; token?: string | null } = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? e.h.settings.apiToken}`;
  return rawCall(e.h.url + p, method, { json: opts.json, raw: opts.raw, headers });
}

/** A multipart body as the vendor's Go SDK writes it (request part with a trailing `;`, attachments as form files). */
function multipart(request: unknown, attachments: Record<string, string | Buffer> = {}): { body: Buffer; contentType: string } {
  const boundary = "b0undary7c9e";
  const chunks: Buffer[] = [];
  chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="request";\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(request)}\n\r\n`));
  for (const [name, data] of Object.entries(attachments)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
    chunks.push(Buffer.isBuffer(data) ? data : Buffer.from(data));
    chunks.push(Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** POST /v2/statements (JSON unless attachments or `multipart`), as is. */
function submit(e: Emu, statement: string, extra: Record<string, unknown> = {}, opts: { attachments?: Record<string, string | Buffer>; multipart?: boolean; token?: string | null } = {}): Promise<Reply> {
  const req = { statement, ...extra };
  if (opts.attachments || opts.multipart) {
    const m = multipart(req, opts.attachments);
    return http(e, "POST", C.DELTASTREAM_PATHS.statements(), { raw: m.body, headers: { "content-type": m.contentType }, token: opts.token });
  }
  return http(e, "POST", C.DELTASTREAM_PATHS.statements(), { json: req, token: opts.token });
}

/** Submits and, on 202, moves the clock and reads the result with GET: the final ResultSet, every partition's rows in `data`. */
async function exec(e: Emu, statement: string, extra: Record<string, unknown> = {}, opts: { attachments?: Record<string, string | Buffer>; multipart?: boolean } = {}): Promise<any> {
  const r = await submit(e, statement, extra, opts);
  let body = r.body;
  if (r.status === 202) {
    e.clock.advance(OPTIONS.asyncStatementMs);
    const g = await http(e, "GET", C.DELTASTREAM_PATHS.statement(r.body.statementID));
    expect(g.status, statement).to.equal(200);
    body = g.body;
  } else expect(r.status, `${statement}: ${r.text}`).to.equal(200);
  for (let p = 1; p < (body.metadata?.partitionInfo?.length ?? 0); p++) {
    const g = await http(e, "GET", `${C.DELTASTREAM_PATHS.statement(body.statementID)}?partitionID=${p}`);
    body.data.push(...g.body.data);
  }
  return body;
}

/** A statement that must succeed: its rows. */
async function ok(e: Emu, statement: string, extra: Record<string, unknown> = {}, opts: { attachments?: Record<string, string | Buffer>; multipart?: boolean } = {}): Promise<(string | null)[][]> {
  const b = await exec(e, statement, extra, opts);
  expect(b.sqlState, `${statement}: ${b.message}`).to.equal(C.SQLSTATE_OK);
  return b.data ?? [];
}

/** A statement that must fail: HTTP 200 with this sqlState; the message. */
async function fails(e: Emu, statement: string, sqlState: string, extra: Record<string, unknown> = {}, opts: { attachments?: Record<string, string | Buffer> } = {}): Promise<string> {
  const r = await submit(e, statement, extra, opts);
  expect(r.status, `${statement}: ${r.text}`).to.equal(200);
  expect(r.body.sqlState, `${statement}: ${r.body.message}`).to.equal(sqlState);
  expect(r.body.message).to.be.a("string").and.not.equal("");
  return r.body.message;
}

/** Moves time past the readiness / start delays and runs one engine pass. */
async function settle(e: Emu, ms = 2_500) {
  e.clock.advance(ms);
  const r = await http(e, "POST", "/_emulator/deltastream/tick", { token: null });
  expect(r.status).to.equal(200);
}

async function produce(e: Emu, store: string, entity: string, records: { key?: unknown; value: unknown }[]) {
  const r = await http(e, "POST", "/_emulator/deltastream/produce", { json: { store, entity, records }, token: null });
  expect(r.status, r.text).to.equal(200);
  return r.body.offsets as number[];
}

const KAFKA = "CREATE STORE kafka1 WITH ('type' = KAFKA, 'uris' = 'broker-1:9092,broker-2:9092', 'kafka.sasl.hash_function' = PLAIN, 'kafka.sasl.username' = 'svc', 'kafka.sasl.password' = 'pw-secret-1', 'tls.ca_cert_file' = '@cacert')";
const CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

/** A database, a ready Kafka store and a pageviews topic. */
async function baseline(e: Emu) {
  await ok(e, "CREATE DATABASE db1");
  await ok(e, KAFKA, {}, { attachments: { "@cacert": CA } });
  await settle(e);
  await ok(e, "CREATE ENTITY pageviews IN STORE kafka1 WITH ('kafka.partitions' = 3, 'kafka.replicas' = 2, 'kafka.topic.retention.ms' = '86400000')");
  await ok(e, "CREATE STREAM pageviews (viewtime BIGINT, userid VARCHAR, pageid VARCHAR) WITH ('topic' = 'pageviews', 'value.format' = 'json')", { database: "db1" });
}

function checkContract(answers: ObservedAnswer[]): string[] {
  const problems: string[] = [];
  for (const a of answers) {
    let schema;
    if (a.status >= 400) schema = C.ErrorResponse;
    else if (a.pattern === "/v2/version") schema = C.Version;
    else if (a.pattern?.startsWith("/v2/statements")) schema = a.status === 202 ? C.StatementStatus : C.ResultSet;
    else continue;
    const r = schema.safeParse(a.text ? JSON.parse(a.text) : undefined);
    if (!r.success) problems.push(`${a.method} ${a.path} → ${a.status}: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    if (a.status === 202 && JSON.parse(a.text).sqlState !== C.SQLSTATE_PENDING) problems.push(`${a.path}: 202 without 03000`);
  }
  return problems;
}

describe("DeltaStream emulator", function () {
  this.timeout(60_000);
  let e: Emu;
  beforeEach(async () => (e = await start()));
  afterEach(async () => {
    expect(checkContract(e.answers), "answers that do not parse with the contract").to.deep.equal([]);
    await e.h.stop();
  });

  it("auth: no token → 401, an unknown token → 403, both {message}; /v2/version answers {major, minor, patch}", async () => {
    const none = await submit(e, "LIST DATABASES", {}, { token: null });
    expect(none.status).to.equal(401);
    expect(none.body.message).to.match(/Authorization/);
    const bad = await submit(e, "LIST DATABASES", {}, { token: "nope" });
    expect(bad.status).to.equal(403);
    expect(bad.body).to.have.keys("message");
    const v = await http(e, "GET", C.DELTASTREAM_PATHS.version());
    expect(v.status).to.equal(200);
    expect(C.Version.parse(v.body)).to.deep.equal({ major: 2, minor: 0, patch: 0 });
    expect((await http(e, "GET", "/v2/nowhere")).status).to.equal(404);
  });

  it("takes statements as JSON and as multipart (request part + attachments named as the SQL references them)", async () => {
    await ok(e, "CREATE DATABASE viajson");
    await ok(e, "CREATE DATABASE viamultipart", {}, { multipart: true });
    const names = (await ok(e, 'SELECT name FROM deltastream.sys."databases" ORDER BY name')).map((r) => r[0]);
    expect(names).to.deep.equal(["viajson", "viamultipart"]);
    // the attachment must carry exactly the name the SQL references
    const msg = await fails(e, KAFKA, "3D021", {}, { attachments: { cacert: CA } });
    expect(msg).to.contain('"@cacert"');
    expect(await ok(e, KAFKA, {}, { attachments: { "@cacert": CA } })).to.have.length(1);
    // malformed bodies are HTTP 400 {message}
    const noRequest = await http(e, "POST", "/v2/statements", { raw: `--x\r\nContent-Disposition: form-data; name="attachments"; filename="a"\r\n\r\nz\r\n--x--\r\n`, headers: { "content-type": "multipart/form-data; boundary=x" } });
    expect(noRequest.status).to.equal(400);
    expect(noRequest.body.message).to.contain("request");
    const empty = await http(e, "POST", "/v2/statements", { json: { statement: "  " } });
    expect(empty.status).to.equal(400);
    const badTz = await http(e, "POST", "/v2/statements", { json: { statement: "LIST DATABASES", parameters: { timezone: "Mars/Olympus" } } });
    expect(badTz.status).to.equal(400);
  });

  it("answers slow statements 202 / 03000 and reports them through GET /v2/statements/{id} once done", async () => {
    await ok(e, "CREATE DATABASE db1");
    const r = await submit(e, KAFKA, {}, { attachments: { "@cacert": CA } });
    expect(r.status).to.equal(202);
    expect(r.body).to.include({ sqlState: "03000" });
    expect(r.body.statementID).to.match(/^[0-9a-f-]{36}$/);
    expect(r.body.createdOn).to.be.a("number");
    const early = await http(e, "GET", `${C.DELTASTREAM_PATHS.statement(r.body.statementID)}?sessionID=s1&partitionID=0&timezone=UTC`);
    expect(early.status).to.equal(202);
    e.clock.advance(OPTIONS.asyncStatementMs);
    const done = await http(e, "GET", `${C.DELTASTREAM_PATHS.statement(r.body.statementID)}?timezone=America/New_York`);
    expect(done.status).to.equal(200);
    expect(done.body.sqlState).to.equal("00000");
    expect(done.body.metadata.columns.map((c: any) => c.name)).to.deep.equal(["type", "name", "command", "summary", "path"]);
    expect(done.body.data[0].slice(0, 3)).to.deep.equal(["store", "kafka1", "CREATE"]);
    // the store is pending, then ready after a while
    expect(await ok(e, `SELECT status FROM deltastream.sys."stores" WHERE name = 'kafka1'`)).to.deep.equal([["pending"]]);
    await settle(e);
    expect(await ok(e, `SELECT status, status_message FROM deltastream.sys."stores" WHERE name = 'kafka1'`)).to.deep.equal([["ready", null]]);
    // GET errors
    expect((await http(e, "GET", C.DELTASTREAM_PATHS.statement("not-a-uuid"))).status).to.equal(400);
    expect((await http(e, "GET", C.DELTASTREAM_PATHS.statement("00000000-0000-4000-8000-000000000000"))).status).to.equal(404);
    expect((await http(e, "GET", `${C.DELTASTREAM_PATHS.statement(r.body.statementID)}?partitionID=5`)).status).to.equal(400);
    expect((await http(e, "GET", `${C.DELTASTREAM_PATHS.statement(r.body.statementID)}?partitionID=-1`)).status).to.equal(400);
  });

  it("splits large results in partitions: partition 0 inline, the others by ?partitionID=", async () => {
    for (const n of ["a", "b", "c", "d", "e"]) await ok(e, `CREATE DATABASE ${n}`);
    const r = await submit(e, 'SELECT name FROM deltastream.sys."databases" ORDER BY name');
    expect(r.body.metadata.partitionInfo).to.deep.equal([{ rowCount: 3 }, { rowCount: 2 }]);
    expect(r.body.data).to.deep.equal([["a"], ["b"], ["c"]]);
    const p1 = await http(e, "GET", `${C.DELTASTREAM_PATHS.statement(r.body.statementID)}?partitionID=1`);
    expect(p1.body.data).to.deep.equal([["d"], ["e"]]);
  });

  it("resolves and echoes the request's context; USE changes it; unknown organization or role are SQL errors", async () => {
    await baseline(e);
    await ok(e, "CREATE COMPUTE_POOL pool1 WITH ('compute_pool.size' = 'small', 'compute_pool.timeout_min' = 5)");
    const b = await exec(e, "LIST RELATIONS", { organization: e.h.settings.organization, role: "sysadmin", database: "db1", schema: "public", store: "kafka1", computePool: "pool1" });
    expect(b.metadata.context).to.deep.equal({ organizationID: b.metadata.context.organizationID, roleName: "sysadmin", databaseName: "db1", schemaName: "public", storeName: "kafka1", computePoolName: "pool1" });
    expect(b.metadata.context.organizationID).to.match(/^[0-9a-f-]{36}$/);
    expect(b.data.map((r: any) => r[0])).to.deep.equal(["pageviews"]);
    // the organization by ID works as well as by name
    expect((await exec(e, "LIST DATABASES", { organization: b.metadata.context.organizationID })).sqlState).to.equal("00000");
    const used = await exec(e, "USE DATABASE db1");
    expect(used.metadata.context).to.include({ databaseName: "db1", schemaName: "public" });
    await fails(e, "LIST DATABASES", "3D004", { organization: "someone-else" });
    await fails(e, "LIST DATABASES", "3D001", { role: "ghost" });
  });

  it("returns every error family as HTTP 200 with the vendor's sqlState and a message naming the object", async () => {
    await baseline(e);
    // 3D0xx not found
    expect(await fails(e, "DROP DATABASE nodb", "3D002")).to.contain("nodb");
    await fails(e, "DROP SCHEMA db1.noschema", "3D003");
    await fails(e, "DROP STORE nostore", "3D006");
    await fails(e, "DROP ENTITY nosuch IN STORE kafka1", "3D007");
    await fails(e, "DROP SCHEMA_REGISTRY nosr", "3D009");
    await fails(e, "DROP SECRET nosecret", "3D016");
    await fails(e, "TERMINATE QUERY '00000000-0000-4000-8000-000000000000'", "3D019");
    await fails(e, 'DROP RELATION db1.public."nope"', "3D020");
    await fails(e, "DROP COMPUTE_POOL nopool", "3D023");
    await fails(e, "CREATE STREAM s2 (a INT) WITH ('topic' = 'missing-topic', 'value.format' = 'json')", "3D007", { database: "db1" });
    // 42P0x duplicates
    await fails(e, "CREATE DATABASE db1", "42P04");
    await fails(e, KAFKA, "42P05", {}, { attachments: { "@cacert": CA } });
    await fails(e, "CREATE SCHEMA public IN DATABASE db1", "42P06");
    await fails(e, "CREATE STREAM pageviews (a INT) WITH ('topic' = 'pageviews', 'value.format' = 'json')", "42P017", { database: "db1" });
    // IF NOT EXISTS / IF EXISTS are quiet
    await ok(e, "CREATE DATABASE IF NOT EXISTS db1");
    await ok(e, "DROP DATABASE IF EXISTS nodb");
    // 42601 syntax, 42622 too long
    expect(await fails(e, "CREATE DATABSE x", "42601")).to.match(/parse error/);
    await fails(e, "CREATE STORE s WITH ('type' = KAFKA, 'uris' = 'h:1', 'kafka.bogus' = 1)", "42601");
    await fails(e, `CREATE DATABASE "${"x".repeat(300)}"`, "42622");
    // 42501 privilege
    await ok(e, "CREATE ROLE analyst");
    expect(await fails(e, "CREATE DATABASE mine", "42501", { role: "analyst" })).to.contain("CREATE_DATABASE");
    await fails(e, "DROP DATABASE db1", "42501", { role: "analyst" });
    // SELECTs reach relations and deltastream.sys only: no internal tables, no files
    await fails(e, "SELECT * FROM (SELECT 1) x, deltastream.internal.store_secrets", "3D020");
    await fails(e, "SELECT * FROM (SELECT 1) x, read_csv('/etc/hostname')", "0A000", { database: "db1" });
    await fails(e, "SELECT * FROM (SELECT 1) x CROSS JOIN (SELECT * FROM read_text('/etc/hostname'))", "0A000", { database: "db1" });
    await fails(e, "SELECT length(x) FROM (SELECT 1 AS x) WHERE x IN (SELECT 1 FROM (SELECT 1), read_blob('/etc/hostname'))", "0A000", { database: "db1" });
    await fails(e, "SELECT * FROM (SELECT 1) x, duckdb_tables", "3D020", { database: "db1" });
    expect(await fails(e, "CREATE STREAM w AS SELECT window_start, COUNT(*) FROM TUMBLE(pageviews, SIZE 1 MINUTE) GROUP BY window_start", "0A000", { database: "db1" })).to.contain("TUMBLE");
    // 2BP01 dependents
    expect(await fails(e, "DROP SCHEMA db1.public", "2BP01")).to.contain("pageviews");
    await fails(e, "DROP DATABASE db1", "2BP01");
    await fails(e, "DROP STORE kafka1", "2BP01");
    await fails(e, "DROP ENTITY pageviews IN STORE kafka1", "2BP01");
    // 53000 limit (3 compute pools)
    for (const p of ["p1", "p2", "p3"]) await ok(e, `CREATE COMPUTE_POOL ${p}`);
    expect(await fails(e, "CREATE COMPUTE_POOL p4", "53000")).to.contain("3 compute pools");
    await fails(e, "CREATE COMPUTE_POOL p1", "42P019");
    // 3E00x not ready
    await ok(e, "CREATE STORE slow WITH ('type' = KAFKA, 'uris' = 'slow:9092')");
    await fails(e, "CREATE ENTITY t IN STORE slow", "3E001");
    await ok(e, "STOP COMPUTE_POOL p1");
    await settle(e);
    await fails(e, "CREATE STREAM q1 AS SELECT * FROM pageviews", "3E004", { database: "db1", computePool: "p1" });
  });

  it("serves the deltastream.sys catalogue as SQL with the columns the vendor's providers read, every value a string", async () => {
    await baseline(e);
    await ok(e, "CREATE SCHEMA analytics IN DATABASE db1");
    await ok(e, "CREATE SECRET s1 WITH ('type' = generic_string, 'description' = 'api key', 'secret_string' = 'shh')");
    await ok(e, "CREATE SCHEMA_REGISTRY sr1 WITH ('type' = CONFLUENT, 'uris' = 'http://sr:8081')");
    await settle(e);
    const reads: [string, number][] = [
      [`SELECT "owner", created_at FROM deltastream.sys."databases" WHERE name = 'db1';`, 2],
      [`SELECT name, "owner", created_at FROM deltastream.sys."schemas" WHERE database_name = 'db1' ORDER BY name`, 3],
      [`SELECT type, status, "owner", created_at, updated_at FROM deltastream.sys."stores" WHERE name = 'kafka1';`, 5],
      [`SELECT type, "description", "status", "owner", created_at, updated_at FROM deltastream.sys."secrets" WHERE name = 's1';`, 6],
      [`SELECT type, "status", "owner", created_at, updated_at FROM deltastream.sys."schema_registries" WHERE name = 'sr1';`, 5],
      [`SELECT name, fqn, relation_type, "owner", "state", created_at, updated_at FROM deltastream.sys."relations" WHERE database_name = 'db1' AND schema_name = 'public' AND name = 'pageviews';`, 7],
    ];
    for (const [sql, n] of reads) {
      const b = await exec(e, sql);
      expect(b.sqlState, `${sql}: ${b.message}`).to.equal("00000");
      expect(b.data, sql).to.have.length.greaterThan(0);
      expect(b.metadata.columns, sql).to.have.length(n);
      for (const row of b.data) for (const v of row) expect(v === null || typeof v === "string", sql).to.equal(true);
      for (const c of b.metadata.columns) if (c.name.endsWith("_at")) expect(c.type).to.equal("TIMESTAMP_LTZ");
    }
    const schemas = await ok(e, `SELECT name FROM deltastream.sys."schemas" WHERE database_name = 'db1' ORDER BY name`);
    expect(schemas).to.deep.equal([["analytics"], ["public"]]);
    const rel = await ok(e, `SELECT fqn, relation_type, "state" FROM deltastream.sys."relations" WHERE name = 'pageviews'`);
    expect(rel).to.deep.equal([['"db1"."public"."pageviews"', "stream", "created"]]);
    const created = (await ok(e, `SELECT created_at FROM deltastream.sys."databases" WHERE name = 'db1'`))[0][0]!;
    expect(created).to.match(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?Z$/);
    // secrets never show in the catalogue
    const store = await exec(e, `SELECT * FROM deltastream.sys."stores" WHERE name = 'kafka1'`);
    expect(JSON.stringify(store.data)).to.not.contain("pw-secret-1");
    expect(JSON.stringify(store.data)).to.contain("broker-1:9092");
    // LIST / SHOW use PascalCase columns
    const list = await exec(e, "LIST STORES");
    expect(list.metadata.columns.map((c: any) => c.name)).to.include.members(["Name", "Type", "State"]);
    expect((await exec(e, "SHOW SCHEMAS IN DATABASE db1")).metadata.columns[0].name).to.equal("Name");
    const q = await exec(e, "LIST QUERIES");
    expect(q.metadata.columns.map((c: any) => c.name)).to.include.members(["ID", "ActualState"]);
    // identifiers: unquoted names are lower-cased, quoted ones kept
    await ok(e, 'CREATE DATABASE "MixedCase"');
    await ok(e, "CREATE DATABASE UpperIgnored");
    expect(await ok(e, `SELECT name FROM deltastream.sys."databases" WHERE name IN ('MixedCase', 'upperignored') ORDER BY name`)).to.deep.equal([["MixedCase"], ["upperignored"]]);
  });

  it("plans statements with DESCRIBE (kind and plan JSON) without running them; running returns artifact rows", async () => {
    await baseline(e);
    const org = e.h.settings.organization;
    const d = await ok(e, "DESCRIBE CREATE STREAM clicks (a VARCHAR) WITH ('topic' = 'pageviews', 'value.format' = 'json')", { database: "db1", organization: org });
    expect(d[0][0]).to.equal("CREATE_STREAM");
    const plan = JSON.parse(d[0][1]!);
    expect(plan.ddl).to.deep.equal({ fqn: `"${org}"."db1"."public"."clicks"`, type: "stream", db_name: "db1", schema_name: "public", name: "clicks", store_name: "kafka1" });
    expect(await ok(e, `SELECT 1 FROM deltastream.sys."relations" WHERE name = 'clicks'`)).to.deep.equal([]);
    await ok(e, "CREATE CHANGELOG counts (userid VARCHAR, cnt BIGINT, PRIMARY KEY(userid)) WITH ('topic' = 'counts', 'topic.partitions' = 1, 'value.format' = 'json')", { database: "db1" });
    const ins = await ok(e, "DESCRIBE INSERT INTO counts SELECT userid, COUNT(*) AS cnt FROM pageviews GROUP BY userid", { database: "db1", organization: org });
    expect(ins[0][0]).to.equal("INSERT_INTO");
    const ip = JSON.parse(ins[0][1]!);
    expect(ip.sink).to.include({ db_name: "db1", schema_name: "public", name: "counts", type: "changelog" });
    expect(ip.sources.map((s: any) => s.fqn)).to.deep.equal([`"${org}"."db1"."public"."pageviews"`]);
    const csas = await ok(e, "DESCRIBE CREATE STREAM u1 AS SELECT * FROM pageviews WHERE userid = 'u1'", { database: "db1" });
    expect(JSON.parse(csas[0][1]!).sources[0].name).to.equal("pageviews");
    // the artifact rows of a query: type "query", name = the query's id
    const run = await exec(e, "INSERT INTO counts SELECT userid, COUNT(*) AS cnt FROM pageviews GROUP BY userid", { database: "db1" });
    const art = run.data.find((r: any) => r[0] === "query");
    expect(art[1]).to.match(/^[0-9a-f-]{36}$/);
    expect(await ok(e, `SELECT current_state FROM deltastream.sys."queries" WHERE id = '${art[1]}'`)).to.deep.equal([["starting"]]);
    await fails(e, "DESCRIBE DROP DATABASE db1", "42601");
  });

  it("creates stores of every type with their property names, updates them in place, and reports unreachable ones errored", async () => {
    const stores: Record<string, [string, Record<string, string>?]> = {
      k: ["CREATE STORE k WITH ('type' = KAFKA, 'uris' = 'b:9092', 'kafka.sasl.hash_function' = SHA512, 'kafka.sasl.username' = 'u', 'kafka.sasl.password' = 'p', 'tls.disabled' = FALSE, 'tls.verify_server_hostname' = TRUE)"],
      msk: ["CREATE STORE msk WITH ('type' = KAFKA, 'uris' = 'b:9098', 'kafka.sasl.hash_function' = AWS_MSK_IAM, 'kafka.msk.iam_role_arn' = 'arn:aws:iam::1:role/r', 'kafka.msk.aws_region' = 'us-east-1')"],
      ck: ["CREATE STORE ck WITH ('type' = CONFLUENT_KAFKA, 'uris' = 'pkc:9092', 'kafka.sasl.hash_function' = PLAIN, 'kafka.sasl.username' = 'key', 'kafka.sasl.password' = 'secret')"],
      kin: ["CREATE STORE kin WITH ('type' = KINESIS, 'uris' = 'https://kinesis.us-east-1.amazonaws.com', 'kinesis.access_key_id' = 'AKIA', 'kinesis.secret_access_key' = 's')"],
      pg: ["CREATE STORE pg WITH ('type' = POSTGRESQL, 'uris' = 'postgresql://db:5432/app', 'postgres.username' = 'u', 'postgres.password' = 'p')"],
      sf: ["CREATE STORE sf WITH ('type' = SNOWFLAKE, 'uris' = 'https://acc.snowflakecomputing.com', 'snowflake.account_id' = 'acc', 'snowflake.cloud.region' = 'AWS_US_EAST_1', 'snowflake.warehouse_name' = 'wh', 'snowflake.role_name' = 'r', 'snowflake.username' = 'u', 'snowflake.client.key_file' = '@keyfile', 'snowflake.client.key_passphrase' = 'pp')", { "@keyfile": "-----BEGIN PRIVATE KEY-----\n" }],
      dbx: ["CREATE STORE dbx WITH ('type' = DATABRICKS, 'uris' = 'https://dbc.cloud.databricks.com', 'databricks.app_token' = 't', 'databricks.warehouse_id' = 'w', 'databricks.warehouse_port' = 443, 'aws.access_key_id' = 'a', 'aws.secret_access_key' = 's', 'databricks.cloud.s3.bucket' = 'b', 'databricks.cloud.region' = 'AWS_US_EAST_1')"],
    };
    for (const [, [sql, att]] of Object.entries(stores)) await ok(e, sql, {}, att ? { attachments: att } : {});
    await settle(e);
    const rows = await ok(e, `SELECT name, type, status FROM deltastream.sys."stores" ORDER BY name`);
    expect(rows).to.deep.equal([
      ["ck", "ConfluentKafka", "ready"],
      ["dbx", "Databricks", "ready"],
      ["k", "Kafka", "ready"],
      ["kin", "Kinesis", "ready"],
      ["msk", "Kafka", "ready"],
      ["pg", "Postgres", "ready"],
      ["sf", "Snowflake", "ready"],
    ]);
    await fails(e, "CREATE STORE x WITH ('type' = SNOWFLAKE, 'uris' = 'https://a')", "3D021");
    await fails(e, "CREATE STORE x WITH ('type' = KAFKA, 'uris' = 'b:1', 'kafka.sasl.hash_function' = PLAIN)", "3D021");
    await fails(e, "CREATE STORE x WITH ('type' = MYSQL, 'uris' = 'b:1')", "42601");
    await fails(e, "CREATE STORE x WITH ('type' = KAFKA, 'uris' = 'b:1', 'kafka.sasl.hash_function' = MD5)", "42601");
    // UPDATE STORE: in place; a URI the emulator treats as unreachable ends errored with a message
    await ok(e, "UPDATE STORE k WITH ('uris' = 'broker.unreachable:9092', 'kafka.sasl.password' = 'p2')");
    expect(await ok(e, `SELECT status FROM deltastream.sys."stores" WHERE name = 'k'`)).to.deep.equal([["pending"]]);
    await settle(e);
    const [[status, message, uris]] = await ok(e, `SELECT status, status_message, uris FROM deltastream.sys."stores" WHERE name = 'k'`);
    expect(status).to.equal("errored");
    expect(message).to.contain("broker.unreachable:9092");
    expect(uris).to.equal("broker.unreachable:9092");
    await ok(e, "UPDATE STORE k WITH ('uris' = 'b2:9092')");
    await settle(e);
    expect(await ok(e, `SELECT status, status_message FROM deltastream.sys."stores" WHERE name = 'k'`)).to.deep.equal([["ready", null]]);
    await fails(e, "UPDATE STORE k WITH ('type' = KINESIS)", "0A000");
    const desc = await exec(e, "DESCRIBE STORE k");
    expect(JSON.parse(desc.data[0][desc.metadata.columns.findIndex((c: any) => c.name === "Properties")])).to.include({ "kafka.sasl.hash_function": "SHA512", "kafka.sasl.username": "u" });
    expect(JSON.stringify(desc.data)).to.not.contain("p2");
  });

  it("ends a store errored when its URIs match the unreachable pattern the test chose", async () => {
    await e.h.stop();
    e = await start(undefined, new TestClock(), { unreachableUris: /^broker-down:/ });
    await ok(e, "CREATE STORE down WITH ('type' = KAFKA, 'uris' = 'broker-down:9092')");
    await ok(e, "CREATE STORE up WITH ('type' = KAFKA, 'uris' = 'broker.unreachable:9092')");
    await settle(e);
    expect(await ok(e, `SELECT name, status FROM deltastream.sys."stores" ORDER BY name`)).to.deep.equal([["down", "errored"], ["up", "ready"]]);
    await fails(e, "CREATE ENTITY t IN STORE down", "3E001");
  });

  it("manages entities (partitions, replicas, configs), secrets, schema registries, compute pools, roles, grants, owners and API tokens", async () => {
    await baseline(e);
    const ent = await exec(e, 'DESCRIBE ENTITY "pageviews" IN STORE "kafka1"');
    expect(ent.data[0].slice(2)).to.deep.equal(["3", "2", null, null, '{"retention.ms":"86400000"}']);
    await ok(e, "UPDATE ENTITY pageviews IN STORE kafka1 WITH ('kafka.partitions' = 6, 'kafka.topic.cleanup.policy' = 'compact')");
    expect((await exec(e, "DESCRIBE ENTITY pageviews IN STORE kafka1")).data[0].slice(2, 4)).to.deep.equal(["6", "2"]);
    await fails(e, "UPDATE ENTITY pageviews IN STORE kafka1 WITH ('kafka.partitions' = 2)", "0A000");
    await fails(e, "UPDATE ENTITY pageviews IN STORE kafka1 WITH ('kafka.replicas' = 3)", "0A000");
    expect((await ok(e, "LIST ENTITIES IN STORE kafka1")).map((r) => r[0])).to.deep.equal(["pageviews"]);
    // schema registry readiness, and errored when unreachable
    await ok(e, "CREATE SCHEMA_REGISTRY sr_bad WITH ('type' = CONFLUENT_CLOUD, 'uris' = 'https://sr.invalid', 'confluent_cloud.key' = 'k', 'confluent_cloud.secret' = 's')");
    await settle(e);
    expect(await ok(e, `SELECT status FROM deltastream.sys."schema_registries" WHERE name = 'sr_bad'`)).to.deep.equal([["errored"]]);
    // compute pools: start / stop / update
    await ok(e, "CREATE COMPUTE_POOL cp WITH ('compute_pool.size' = 'medium', 'compute_pool.timeout_min' = 10)");
    expect(await ok(e, `SELECT status FROM deltastream.sys."compute_pools" WHERE name = 'cp'`)).to.deep.equal([["starting"]]);
    await settle(e);
    await ok(e, "UPDATE COMPUTE_POOL cp WITH ('compute_pool.size' = 'large')");
    await ok(e, "STOP COMPUTE_POOL cp");
    await settle(e);
    expect(await ok(e, `SELECT size, timeout_min, status FROM deltastream.sys."compute_pools" WHERE name = 'cp'`)).to.deep.equal([["large", "10", "stopped"]]);
    await fails(e, "UPDATE COMPUTE_POOL cp WITH ('compute_pool.size' = 'huge')", "42601");
    // roles with parents and members; grants; revokes
    await ok(e, "CREATE ROLE writer");
    await ok(e, "CREATE ROLE reader WITH (IN ROLE (writer), ROLE (public))");
    expect(await ok(e, `SELECT role_name FROM deltastream.sys."role_members" WHERE member_role_name = 'reader'`)).to.deep.equal([["writer"]]);
    await ok(e, "GRANT CREATE_DATABASE, CREATE_STORE ON ORGANIZATION TO ROLE writer WITH GRANT OPTION");
    await ok(e, "GRANT USAGE ON DATABASE db1 TO ROLE reader");
    await fails(e, "GRANT CREATE_DATABASE ON DATABASE db1 TO ROLE reader", "0LP01");
    // reader inherits writer's CREATE_DATABASE
    await ok(e, "CREATE DATABASE readers_db", { role: "reader" });
    expect(await ok(e, `SELECT "owner" FROM deltastream.sys."databases" WHERE name = 'readers_db'`)).to.deep.equal([["reader"]]);
    await ok(e, "REVOKE CREATE_DATABASE ON ORGANIZATION FROM ROLE writer");
    await fails(e, "CREATE DATABASE another", "42501", { role: "reader" });
    await ok(e, "REVOKE ROLE writer FROM ROLE reader");
    expect(await ok(e, `SELECT count(*) FROM deltastream.sys."role_members" WHERE member_role_name = 'reader'`)).to.deep.equal([["0"]]);
    await fails(e, "DROP ROLE reader", "2BP01");
    // owners change in place
    await ok(e, "ALTER DATABASE readers_db OWNER TO writer");
    await ok(e, "ALTER STREAM db1.public.pageviews OWNER TO writer");
    await ok(e, "ALTER STORE kafka1 OWNER TO writer");
    expect(await ok(e, `SELECT "owner" FROM deltastream.sys."relations" WHERE name = 'pageviews'`)).to.deep.equal([["writer"]]);
    await fails(e, "ALTER DATABASE db1 OWNER TO ghost", "3D001");
    // secrets: value never readable
    await ok(e, "CREATE SECRET s1 WITH ('type' = generic_string, 'secret_string' = 'top-secret')");
    await settle(e);
    expect(JSON.stringify(await ok(e, `SELECT * FROM deltastream.sys."secrets"`))).to.not.contain("top-secret");
    // API tokens: shown once, then accepted as Bearer until dropped
    const [[name, token]] = await ok(e, "CREATE API_TOKEN ci_token");
    expect(name).to.equal("ci_token");
    expect(token).to.match(/^dst_/);
    expect(JSON.stringify(await ok(e, `SELECT * FROM deltastream.sys."api_tokens"`))).to.not.contain(token!);
    expect((await submit(e, "LIST DATABASES", {}, { token: token! })).status).to.equal(200);
    await ok(e, "DROP API_TOKEN ci_token");
    expect((await submit(e, "LIST DATABASES", {}, { token: token! })).status).to.equal(403);
  });

  it("moves events: produce into a topic → a running query → its sink (filter, projection, aggregate upserted by key)", async () => {
    await baseline(e);
    const ctx = { database: "db1" };
    await ok(e, "CREATE STREAM u1_views AS SELECT userid, pageid FROM pageviews WITH ('starting.position' = 'earliest') WHERE userid = 'u1'", ctx);
    await ok(e, "CREATE CHANGELOG views_per_user AS SELECT userid, COUNT(*) AS views, MAX(viewtime) AS last_view FROM pageviews GROUP BY userid", ctx);
    expect(await ok(e, `SELECT count(*) FROM deltastream.sys."queries" WHERE current_state = 'starting'`)).to.deep.equal([["2"]]);
    await settle(e);
    expect(await ok(e, `SELECT current_state FROM deltastream.sys."queries" ORDER BY created_at`)).to.deep.equal([["running"], ["running"]]);
    await produce(e, "kafka1", "pageviews", [
      { value: { viewtime: 100, userid: "u1", pageid: "home" } },
      { value: { viewtime: 101, userid: "u2", pageid: "home" } },
      { value: { viewtime: 102, userid: "u1", pageid: "cart" } },
    ]);
    await settle(e, 0);
    expect(await ok(e, "SELECT userid, pageid FROM u1_views", ctx)).to.deep.equal([["u1", "home"], ["u1", "cart"]]);
    expect(await ok(e, "SELECT * FROM views_per_user ORDER BY userid", ctx)).to.deep.equal([["u1", "2", "102"], ["u2", "1", "101"]]);
    // more events: the filter sees only new rows; the aggregate is upserted (one row per key)
    await produce(e, "kafka1", "pageviews", [{ value: { viewtime: 103, userid: "u1", pageid: "pay" } }]);
    await settle(e, 0);
    expect(await ok(e, "SELECT pageid FROM u1_views", ctx)).to.deep.equal([["home"], ["cart"], ["pay"]]);
    expect(await ok(e, "SELECT * FROM views_per_user ORDER BY userid", ctx)).to.deep.equal([["u1", "3", "103"], ["u2", "1", "101"]]);
    // the sink's topic got the changelog's messages, keyed by the primary key
    const sinkTopic = await http(e, "GET", "/_emulator/deltastream/entities/kafka1/views_per_user", { token: null });
    const last = sinkTopic.body.records[sinkTopic.body.records.length - 1];
    expect(JSON.parse(last.key)).to.deep.equal({ userid: "u1" });
    expect(JSON.parse(last.value)).to.deep.include({ userid: "u1", views: 3 });
    // INSERT INTO an existing changelog; TERMINATE stops it
    await ok(e, "CREATE CHANGELOG pages (pageid VARCHAR, hits BIGINT, PRIMARY KEY(pageid)) WITH ('topic' = 'pages', 'topic.partitions' = 1, 'value.format' = 'json')", ctx);
    const ins = await exec(e, "INSERT INTO pages SELECT pageid, COUNT(*) AS hits FROM pageviews GROUP BY pageid", ctx);
    const qid = ins.data[0][1];
    await settle(e);
    expect(await ok(e, "SELECT * FROM pages ORDER BY pageid", ctx)).to.deep.equal([["cart", "1"], ["home", "2"], ["pay", "1"]]);
    await fails(e, "DROP RELATION db1.public.pages", "2BP01");
    const term = await submit(e, `TERMINATE QUERY ${qid}`);
    expect(term.status).to.equal(202);
    expect(await ok(e, `SELECT intended_state, current_state FROM deltastream.sys."queries" WHERE id = '${qid}'`)).to.deep.equal([["terminated", "terminate_requested"]]);
    await settle(e);
    expect(await ok(e, `SELECT current_state FROM deltastream.sys."queries" WHERE id = '${qid}'`)).to.deep.equal([["terminated"]]);
    await produce(e, "kafka1", "pageviews", [{ value: { viewtime: 104, userid: "u3", pageid: "home" } }]);
    await settle(e, 0);
    expect(await ok(e, "SELECT hits FROM pages WHERE pageid = 'home'", ctx)).to.deep.equal([["2"]]);
    await ok(e, "DROP RELATION db1.public.pages");
    // a query that fails at run time ends errored, with the engine's reason
    await ok(e, "CREATE STREAM broken AS SELECT CAST(pageid AS INTEGER) AS n FROM pageviews", ctx);
    await settle(e);
    const [[state, reason]] = await ok(e, `SELECT current_state, error_message FROM deltastream.sys."queries" WHERE "sql" LIKE '%broken%'`);
    expect(state).to.equal("errored");
    expect(reason).to.match(/convert|cast/i);
  });

  it("runs applications, table sinks and changelog tombstones; serves attached function sources through /v2/download", async () => {
    await baseline(e);
    const ctx = { database: "db1" };
    await ok(e, "CREATE STORE sf WITH ('type' = SNOWFLAKE, 'uris' = 'https://a.snowflakecomputing.com', 'snowflake.account_id' = 'a', 'snowflake.cloud.region' = 'AWS_US_EAST_1', 'snowflake.warehouse_name' = 'w', 'snowflake.role_name' = 'r', 'snowflake.username' = 'u', 'snowflake.client.key_file' = '@keyfile')", {}, { attachments: { "@keyfile": "KEY" } });
    await settle(e);
    await fails(e, "CREATE TABLE t_on_kafka (a INT) WITH ('store' = 'kafka1')", "0A000", ctx);
    await ok(e, "CREATE TABLE home_views WITH ('store' = 'sf', 'snowflake.db.name' = 'DB', 'snowflake.schema.name' = 'PUBLIC') AS SELECT userid, viewtime FROM pageviews WHERE pageid = 'home'", ctx);
    const app = "BEGIN APPLICATION app1\n  CREATE STREAM carts AS SELECT userid FROM pageviews WHERE pageid = 'cart';\n  CREATE STREAM pays AS SELECT userid FROM pageviews WHERE pageid = 'pay';\nEND APPLICATION;";
    const plan = await ok(e, `DESCRIBE ${app}`, ctx);
    expect(plan[0][0]).to.equal("APPLICATION");
    expect(JSON.parse(plan[0][1]!).sinks.map((s: any) => s.name)).to.deep.equal(["carts", "pays"]);
    const made = await ok(e, app, ctx);
    const appId = made.find((r) => r[0] === "query")![1]!;
    await settle(e);
    await produce(e, "kafka1", "pageviews", [
      { value: { viewtime: 1, userid: "u1", pageid: "home" } },
      { value: { viewtime: 2, userid: "u2", pageid: "cart" } },
      { value: { viewtime: 3, userid: "u3", pageid: "pay" } },
    ]);
    await settle(e, 0);
    expect(await ok(e, "SELECT * FROM home_views", ctx)).to.deep.equal([["u1", "1"]]);
    expect(await ok(e, "SELECT * FROM carts", ctx)).to.deep.equal([["u2"]]);
    expect(await ok(e, "SELECT * FROM pays", ctx)).to.deep.equal([["u3"]]);
    await ok(e, `TERMINATE QUERY ${appId}`);
    await settle(e);
    expect(await ok(e, `SELECT DISTINCT current_state FROM deltastream.sys."queries" WHERE application_name = 'app1'`)).to.deep.equal([["terminated"]]);
    // a changelog upserts by key; a null value (tombstone) deletes the key
    await ok(e, "CREATE CHANGELOG users (uid VARCHAR, name VARCHAR, PRIMARY KEY(uid)) WITH ('topic' = 'users', 'topic.partitions' = 1, 'value.format' = 'json')", ctx);
    await produce(e, "kafka1", "users", [
      { key: { uid: "u1" }, value: { uid: "u1", name: "Ada" } },
      { key: { uid: "u2" }, value: { uid: "u2", name: "Bob" } },
      { key: { uid: "u1" }, value: { uid: "u1", name: "Ada L." } },
      { key: { uid: "u2" }, value: null },
    ]);
    await settle(e, 0);
    expect(await ok(e, "SELECT * FROM users", ctx)).to.deep.equal([["u1", "Ada L."]]);
    // a join of a stream with a changelog, recomputed
    await ok(e, "CREATE STREAM named AS SELECT p.pageid, u.name, UPPER(p.pageid) AS page FROM pageviews p JOIN users u ON p.userid = u.uid", ctx);
    await settle(e);
    expect(await ok(e, "SELECT * FROM named", ctx)).to.deep.equal([["home", "Ada L.", "HOME"]]);
    // function sources: the attached file, downloadable
    await ok(e, "CREATE FUNCTION_SOURCE udfs WITH ('file' = 'udfs.jar', 'description' = 'my udfs')", {}, { attachments: { "udfs.jar": Buffer.from([0, 1, 2, 255]) } });
    const orgId = (await ok(e, "LIST ORGANIZATIONS"))[0][0]!;
    const res = await request(`${e.h.url}${C.DELTASTREAM_PATHS.download("function_source", orgId, "udfs")}`, { headers: { authorization: `Bearer ${e.h.settings.apiToken}` } });
    expect(res.statusCode).to.equal(200);
    expect(Buffer.from(await res.body.arrayBuffer())).to.deep.equal(Buffer.from([0, 1, 2, 255]));
    expect((await http(e, "GET", C.DELTASTREAM_PATHS.download("function_source", orgId, "nope"))).status).to.equal(404);
    expect((await http(e, "GET", "/v2/download/widgets/x/y")).status).to.equal(400);
  });

  it("keeps everything across a restart: catalogue, relation rows, running queries, statement results", async () => {
    const dir = e.h.stateDir;
    await baseline(e);
    await ok(e, "CREATE CHANGELOG totals AS SELECT userid, COUNT(*) AS n FROM pageviews GROUP BY userid", { database: "db1" });
    await settle(e);
    await produce(e, "kafka1", "pageviews", [{ value: { viewtime: 1, userid: "a", pageid: "x" } }]);
    await settle(e, 0);
    const r = await submit(e, `SELECT name FROM deltastream.sys."databases"`);
    expect(fs.existsSync(path.join(dir, "deltastream.duckdb"))).to.equal(true);
    expect(checkContract(e.answers)).to.deep.equal([]);
    await e.h.stop();
    e = await start(dir, e.clock);
    expect(await ok(e, "SELECT * FROM totals", { database: "db1" })).to.deep.equal([["a", "1"]]);
    expect(await ok(e, `SELECT current_state FROM deltastream.sys."queries"`)).to.deep.equal([["running"]]);
    const old = await http(e, "GET", C.DELTASTREAM_PATHS.statement(r.body.statementID));
    expect(old.body.data).to.deep.equal([["db1"]]);
    // the query still runs after the restart
    await produce(e, "kafka1", "pageviews", [{ value: { viewtime: 2, userid: "a", pageid: "y" } }]);
    await settle(e, 0);
    expect(await ok(e, "SELECT * FROM totals", { database: "db1" })).to.deep.equal([["a", "2"]]);
    // an admin reset empties the catalogue (built-in roles stay)
    expect((await http(e, "POST", "/_emulator/reset", { token: null })).status).to.equal(204);
    expect(await ok(e, `SELECT count(*) FROM deltastream.sys."databases"`)).to.deep.equal([["0"]]);
    expect(await ok(e, `SELECT count(*) FROM deltastream.sys."queries"`)).to.deep.equal([["0"]]);
    expect(await ok(e, `SELECT name FROM deltastream.sys."roles" ORDER BY name`)).to.deep.equal([["orgadmin"], ["public"], ["securityadmin"], ["sysadmin"], ["useradmin"]]);
  });

  it("injects faults: a 503 answered {message} changes nothing; a connection dropped after handling has applied the statement", async () => {
    e.h.faults({ rules: [{ method: "POST", path: "^/v2/statements$", status: 503 }] });
    const r = await submit(e, "CREATE DATABASE f1");
    expect(r.status).to.equal(503);
    expect(r.body.message).to.contain("503");
    expect(await ok(e, `SELECT count(*) FROM deltastream.sys."databases"`)).to.deep.equal([["0"]]);
    e.h.faults({ rules: [{ method: "POST", path: "^/v2/statements$", drop: "after" }] });
    const dropped = await submit(e, "CREATE DATABASE f2").then(() => "answered", () => "dropped");
    expect(dropped).to.equal("dropped");
    expect(await ok(e, `SELECT name FROM deltastream.sys."databases"`)).to.deep.equal([["f2"]]);
    await fails(e, "CREATE DATABASE f2", "42P04");
  });

  it("logs requests with the token and the credentials inside SQL redacted", async () => {
    await ok(e, "CREATE STORE k WITH ('type' = KAFKA, 'uris' = 'b:9092', 'kafka.sasl.hash_function' = PLAIN, 'kafka.sasl.username' = 'svc', 'kafka.sasl.password' = 'pw-do-not-log')");
    const log = (await http(e, "GET", "/_emulator/requests", { token: null })).text;
    expect(log).to.contain("kafka.sasl.username");
    expect(log).to.not.contain("pw-do-not-log");
    expect(log).to.not.contain(e.h.settings.apiToken);
    await e.h.stop();
    const file = fs.readFileSync(path.join(e.h.stateDir, "deltastream.requests.jsonl"), "utf8");
    expect(file).to.contain("[REDACTED]");
    expect(file).to.not.contain("pw-do-not-log");
    expect(file).to.not.contain(e.h.settings.apiToken);
    e = await start(e.h.stateDir, e.clock); // for afterEach
  });
});
