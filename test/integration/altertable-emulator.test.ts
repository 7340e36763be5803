/** The Altertable emulator speaks the lakehouse HTTP API of the vendor doc (and notes §2.3) over real HTTP, on a real DuckDB. */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Readable } from "node:stream";
import { request } from "undici";
import { startAltertable, RunningAltertable, makeParquet } from "../helpers/altertable";
import { rawCall, Reply } from "../helpers/emulators";

async function call(emu: RunningAltertable, method: string, p: string, opts: { json?: unknown; raw?: string | Buffer | Readable; headers?: Record<string, string>; auth?: string | null } = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.auth !== null) headers.authorization = opts.auth ?? emu.authorization;
  return rawCall(emu.url + p, method, { json: opts.json, raw: opts.raw, headers });
}

/** POST /query and split the NDJSON lines. */
async function query(emu: RunningAltertable, statement: string | Record<string, unknown>) {
  const r = await call(emu, "POST", "/query", { json: typeof statement === "string" ? { statement } : statement });
  const lines = r.status === 200 ? r.text.split("\n").filter((l) => l.length).map((l) => JSON.parse(l)) : [];
  return { ...r, lines, meta: lines[0], columns: lines[1], rows: lines.slice(2) };
}

/** The rows of a query that must succeed. */
async function rows(emu: RunningAltertable, statement: string): Promise<any[][]> {
  const q = await query(emu, statement);
  expect(q.status).to.equal(200);
  const err = q.lines.find((l) => l && !Array.isArray(l) && "error" in l);
  expect(err, statement).to.equal(undefined);
  return q.rows;
}

const up = (emu: RunningAltertable, qs: string, raw: string | Buffer | Readable, contentType?: string) =>
  call(emu, "POST", `/upsert?${qs}`, { raw, headers: contentType ? { "content-type": contentType } : {} });


async function waitFor<T>(fn: () => Promise<T | undefined>, ms = 5_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("Altertable emulator", function () {
  this.timeout(60_000);
  let emu: RunningAltertable;
  beforeEach(async () => (emu = await startAltertable()));
  afterEach(() => emu.stop());

  describe("auth", () => {
    it("answers a missing, malformed or wrong Basic credential with 401 and an empty body", async () => {
      const wrong = Buffer.from("altertable:nope").toString("base64");
      for (const auth of [null, "Bearer abc", `Basic ${wrong}`, "Basic !!!"]) {
        const r = await call(emu, "POST", "/query", { json: { statement: "SELECT 1" }, auth });
        expect(r.status, String(auth)).to.equal(401);
        expect(r.text, String(auth)).to.equal("");
      }
      const upload = await call(emu, "POST", "/upsert?catalog=lakehouse&schema=main&table=t&mode=create", { raw: "a\n1\n", auth: null });
      expect(upload.status).to.equal(401);
      expect(upload.text).to.equal("");
      expect((await query(emu, "SELECT 1")).status).to.equal(200);
    });

    it("accepts the configured credentials only", async () => {
      const other = await startAltertable({ credentials: ["alice:s3cret", { username: "bob", password: "pw:with:colons" }] });
      try {
        expect(other.username).to.equal("alice");
        expect((await query(other, "SELECT 1")).status).to.equal(200);
        const bob = `Basic ${Buffer.from("bob:pw:with:colons").toString("base64")}`;
        expect((await call(other, "POST", "/validate", { json: { statement: "SELECT 1" }, auth: bob })).status).to.equal(200);
        const dflt = `Basic ${Buffer.from("altertable:altertable-emulator").toString("base64")}`;
        expect((await call(other, "POST", "/validate", { json: { statement: "SELECT 1" }, auth: dflt })).status).to.equal(401);
      } finally {
        await other.stop();
      }
    });

    it("redacts the credential in the request log", async () => {
      await query(emu, "SELECT 1");
      const log = await request(`${emu.url}/_emulator/requests`).then((r) => r.body.json() as Promise<any[]>);
      expect(log[0].headers.authorization).to.equal("[REDACTED]");
      expect(JSON.stringify(log)).not.to.contain(emu.basicAuthToken);
    });
  });

  describe("POST /query", () => {
    it("streams NDJSON: metadata, {name,type} columns with DuckDB type names, one array per row", async () => {
      const q = await query(emu, "SELECT 42::BIGINT AS answer, 'x' AS s, [1,2] AS l, {'a': 1} AS st, '{\"k\":[1,true]}'::JSON AS j, 9007199254740993::BIGINT AS big, 1.5::DOUBLE AS d, NULL AS n, DATE '2020-01-02' AS dt");
      expect(q.status).to.equal(200);
      expect(q.headers["content-type"]).to.match(/application\/x-ndjson/);
      expect(q.meta).to.include.all.keys("statement", "rows_limit", "rows_offset", "init_time_ms", "connections_errors", "session_id", "query_id", "worker_slug");
      expect(q.meta.statement).to.match(/^SELECT 42/);
      expect(q.meta.rows_limit).to.equal(null);
      expect(q.meta.connections_errors).to.deep.equal({});
      expect(q.meta.query_id).to.match(/^[0-9a-f-]{36}$/);
      expect(q.columns).to.deep.equal([
        { name: "answer", type: "BIGINT" },
        { name: "s", type: "VARCHAR" },
        { name: "l", type: "INTEGER[]" },
        { name: "st", type: 'STRUCT("a" INTEGER)' },
        { name: "j", type: "JSON" },
        { name: "big", type: "BIGINT" },
        { name: "d", type: "DOUBLE" },
        { name: "n", type: "INTEGER" },
        { name: "dt", type: "DATE" },
      ]);
      expect(q.rows).to.deep.equal([[42, "x", [1, 2], { a: 1 }, { k: [1, true] }, "9007199254740993", 1.5, null, "2020-01-02"]]);
    });

    it("reports an execution error inside the 200, as an error line after the metadata", async () => {
      const q = await query(emu, "SELECT * FROM no_such_table");
      expect(q.status).to.equal(200);
      expect(q.lines).to.have.length(2);
      expect(q.meta.statement).to.equal("SELECT * FROM no_such_table");
      expect(q.lines[1].error).to.match(/^Catalog Error: Table with name no_such_table does not exist/);
      const mid = await query(emu, "SELECT CASE WHEN i < 3000 THEN i ELSE error('boom at ' || i) END AS v FROM range(5000) t(i)");
      expect(mid.status).to.equal(200);
      expect(mid.lines[mid.lines.length - 1].error).to.match(/boom at/);
    });

    it("rejects a request without a statement before streaming (400)", async () => {
      for (const json of [{}, { statement: "" }, { statement: 5 }]) {
        const r = await call(emu, "POST", "/query", { json });
        expect(r.status, JSON.stringify(json)).to.equal(400);
      }
      expect((await call(emu, "POST", "/query", { raw: "not json" })).status).to.equal(400);
      expect((await call(emu, "POST", "/query", { json: { statement: "SELECT 1", limit: -1 } })).status).to.equal(400);
      expect((await call(emu, "POST", "/query", { json: { statement: "SELECT 1", query_id: "nope" } })).status).to.equal(400);
    });

    it("applies limit/offset by wrapping the statement and echoes them", async () => {
      const q = await query(emu, { statement: "SELECT i FROM range(10) t(i) ORDER BY i;", limit: 3, offset: 4 });
      expect(q.meta.rows_limit).to.equal(3);
      expect(q.meta.rows_offset).to.equal(4);
      expect(q.rows).to.deep.equal([[4], [5], [6]]);
    });

    it("uses the catalog/schema of the request and the doc's 3-part names", async () => {
      await rows(emu, "CREATE TABLE my_catalog.public.t1 (x INTEGER); INSERT INTO my_catalog.public.t1 VALUES (7)");
      expect(await rows(emu, "SELECT x FROM my_catalog.public.t1")).to.deep.equal([[7]]);
      const q = await query(emu, { statement: "SELECT x FROM t1", catalog: "my_catalog", schema: "public" });
      expect(q.rows).to.deep.equal([[7]]);
      const dflt = await query(emu, "SELECT current_database(), current_schema()");
      expect(dflt.rows).to.deep.equal([["lakehouse", "main"]]);
      const analytics = await rows(emu, "SELECT event, COUNT(*) AS count FROM product_analytics.main.events GROUP BY event ORDER BY event");
      expect(analytics).to.deep.equal([["login", 3], ["signup", 2]]);
      const ro = await query(emu, "INSERT INTO product_analytics.main.events (event) VALUES ('x')");
      expect(ro.lines[ro.lines.length - 1].error).to.match(/read-only|read only/i);
    });

    it("keeps the supplied session_id and query_id, and logs the query for GET /query/:id", async () => {
      const qid = "0190a5f2-3c4d-7e8f-9a0b-1c2d3e4f5a6b";
      const sent = await call(emu, "POST", "/query", { json: { statement: "SELECT 1 AS one", session_id: "sess-1", query_id: qid, requested_by: "tests" }, headers: { "user-agent": "at-tests/1.0" } });
      const q = { meta: JSON.parse(sent.text.split("\n")[0]) };
      expect(q.meta.session_id).to.equal("sess-1");
      expect(q.meta.query_id).to.equal(qid);
      const log = await call(emu, "GET", `/query/${qid}`);
      expect(log.status).to.equal(200);
      expect(log.body).to.include({ uuid: qid, query: "SELECT 1 AS one", session_id: "sess-1", client_interface: "HttpQuery", error: null, visible: true, requested_by: "tests" });
      expect(log.body.user_agent).to.equal("at-tests/1.0");
      expect(Date.parse(log.body.end_time)).to.be.at.least(Date.parse(log.body.start_time));
      expect(log.body.duration_ms).to.be.a("number");
      expect(log.body.stats.scan.estimated_result_rows).to.equal(1);
      expect((await call(emu, "POST", "/query", { json: { statement: "SELECT 2", query_id: qid } })).status).to.equal(400);

      const failed = await query(emu, "SELECT * FROM nowhere");
      const flog = await call(emu, "GET", `/query/${failed.meta.query_id}`);
      expect(flog.body.error).to.match(/nowhere does not exist/);
      expect((await call(emu, "GET", "/query/00000000-0000-4000-8000-000000000000")).status).to.equal(404);
    });

    it("DELETE /query/:id needs the session: 400 without, 404 unknown, no-op on mismatch, interrupts on match", async () => {
      const done = await query(emu, { statement: "SELECT 1", session_id: "s1" });
      const id = done.meta.query_id;
      expect((await call(emu, "DELETE", `/query/${id}`)).status).to.equal(400);
      expect((await call(emu, "DELETE", `/query/00000000-0000-4000-8000-000000000000?session_id=s1`)).status).to.equal(404);
      const mismatch = await call(emu, "DELETE", `/query/${id}?session_id=other`);
      expect(mismatch.status).to.equal(200);
      expect(mismatch.body).to.deep.equal({ cancelled: false, message: "Session ID does not match" });

      const qid = "0190a5f2-0000-7000-8000-00000000beef";
      const t0 = Date.now();
      const long = query(emu, { statement: "SELECT sum(i) FROM range(100000000000) t(i)", session_id: "s2", query_id: qid });
      await waitFor(async () => ((await call(emu, "GET", `/query/${qid}`)).status === 200 ? true : undefined));
      const running = await call(emu, "GET", `/query/${qid}`);
      expect(running.body.end_time).to.equal(null);
      await new Promise((r) => setTimeout(r, 100));
      const cancel = await call(emu, "DELETE", `/query/${qid}?session_id=s2`);
      expect(cancel.body).to.deep.equal({ cancelled: true, message: "Query cancelled" });
      const res = await long;
      expect(Date.now() - t0).to.be.below(20_000);
      expect(res.lines[res.lines.length - 1].error).to.match(/interrupt/i);
      const after = await call(emu, "GET", `/query/${qid}`);
      expect(after.body.end_time).to.be.a("string");
      expect(after.body.error).to.match(/interrupt/i);
    });
  });

  describe("POST /validate, /autocomplete, /explain", () => {
    it("validate is always 200: valid without error, invalid with the engine's message", async () => {
      const ok = await call(emu, "POST", "/validate", { json: { statement: "SELECT * FROM product_analytics.main.events" } });
      expect(ok.status).to.equal(200);
      expect(ok.body).to.deep.equal({ valid: true, statement: "SELECT * FROM product_analytics.main.events", connections_errors: {} });
      const bad = await call(emu, "POST", "/validate", { json: { statement: "SELECT * FROM non_existent_table" } });
      expect(bad.status).to.equal(200);
      expect(bad.body.valid).to.equal(false);
      expect(bad.body.error).to.match(/Table with name non_existent_table does not exist/);
      const syntax = await call(emu, "POST", "/validate", { json: { statement: "SELEC 1" } });
      expect(syntax.body.valid).to.equal(false);
      expect(syntax.body.error).to.match(/Parser Error/);
      // Validation does not execute.
      const ddl = await call(emu, "POST", "/validate", { json: { statement: "CREATE TABLE lakehouse.main.never (x INT)" } });
      expect(ddl.body.valid).to.equal(true);
      const check = await query(emu, "SELECT * FROM lakehouse.main.never");
      expect(check.lines[1].error).to.match(/does not exist/);
      expect((await call(emu, "POST", "/validate", { json: {} })).status).to.equal(400);
    });

    it("autocomplete returns DuckDB's suggestions, max_suggestions default 20, capped at 200", async () => {
      await rows(emu, "CREATE TABLE my_catalog.public.machines (id INT)");
      const r = await call(emu, "POST", "/autocomplete", { json: { statement: "SELECT ma", catalog: "my_catalog", schema: "public", max_suggestions: 20 } });
      expect(r.status).to.equal(200);
      expect(r.body.statement).to.equal("SELECT ma");
      expect(r.body.connections_errors).to.deep.equal({});
      expect(r.body.suggestions.length).to.be.within(1, 20);
      for (const s of r.body.suggestions) {
        expect(s).to.include.keys("suggestion", "suggestion_start", "suggestion_type", "suggestion_score");
        expect(s.suggestion_start).to.equal(7);
        expect(s.suggestion_score).to.be.a("number");
      }
      const from = await call(emu, "POST", "/autocomplete", { json: { statement: "SELECT * FROM my_catalog.public.mac" } });
      expect(from.body.suggestions.map((s: any) => s.suggestion)).to.include("machines");
      const dflt = await call(emu, "POST", "/autocomplete", { json: { statement: "SELECT " } });
      expect(dflt.body.suggestions).to.have.length(20);
      const capped = await call(emu, "POST", "/autocomplete", { json: { statement: "SELECT ", max_suggestions: 100000 } });
      // DuckDB's sql_auto_complete yields at most 100 suggestions, so the cap of 200 is not reached here.
      expect(capped.body.suggestions.length).to.be.above(20).and.at.most(200);
      expect((await call(emu, "POST", "/autocomplete", { json: {} })).status).to.equal(400);
    });

    it("explain lists the tables read with estimated rows", async () => {
      const r = await call(emu, "POST", "/explain", { json: { statement: "SELECT * FROM product_analytics.main.events", include_plan: true } });
      expect(r.status).to.equal(200);
      expect(r.body.tables).to.have.length(1);
      expect(r.body.tables[0].table_name).to.match(/events/);
      expect(r.body.tables[0].estimated_rows).to.equal(5);
      expect(r.body.plan).to.match(/SCAN/);
      const bad = await call(emu, "POST", "/explain", { json: { statement: "SELECT * FROM nope" } });
      expect(bad.body.error).to.match(/does not exist/);
    });
  });

  describe("POST /upsert and /upload", () => {
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "at-files-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const T = "catalog=lakehouse&schema=main&table=users";

    it("loads CSV, JSON array, JSON lines and Parquet, by Content-Type and by magic bytes", async () => {
      const pq = path.join(dir, "p.parquet");
      await makeParquet(pq, "SELECT 5 AS id, 'Eve' AS name UNION ALL SELECT 6, 'Finn'");
      const parquet = fs.readFileSync(pq);
      const bodies: [string, string | Buffer, string | undefined, any[][]][] = [
        ["csv-ct", "id,name\n1,Alice\n2,Bob\n", "text/csv", [[1, "Alice"], [2, "Bob"]]],
        ["csv-sniff", "id,name\n1,Alice\n", undefined, [[1, "Alice"]]],
        ["json-ct", '[{"id":1,"name":"Alice"},{"id":2,"name":"Bob"}]', "application/json", [[1, "Alice"], [2, "Bob"]]],
        ["json-sniff", '  [{"id":3,"name":"Cy"}]', "application/octet-stream", [[3, "Cy"]]],
        ["jsonl-ct", '{"id":1,"name":"A"}\n{"id":2,"name":"B"}\n', "application/x-ndjson", [[1, "A"], [2, "B"]]],
        ["jsonl-sniff", '{"id":4,"name":"D"}\n{"id":5,"name":"E"}\n', "text/plain", [[4, "D"], [5, "E"]]],
        ["parquet-ct", parquet, "application/parquet", [[5, "Eve"], [6, "Finn"]]],
        ["parquet-sniff", parquet, "application/x-www-form-urlencoded", [[5, "Eve"], [6, "Finn"]]],
      ];
      for (const [table, body, ct, expected] of bodies) {
        const r = await up(emu, `catalog=lakehouse&schema=main&table=${table.replace("-", "_")}&mode=create`, body, ct);
        expect(r.status, `${table}: ${r.text}`).to.equal(200);
        expect(r.text, table).to.equal("");
        expect(await rows(emu, `SELECT id, name FROM lakehouse.main.${table.replace("-", "_")} ORDER BY id`), table).to.deep.equal(expected);
      }
      const types = await rows(emu, "SELECT data_type FROM information_schema.columns WHERE table_name = 'parquet_ct' ORDER BY ordinal_position");
      expect(types).to.deep.equal([["INTEGER"], ["VARCHAR"]]);
    });

    it("create fails on an existing table with 400 text/plain and leaves it untouched", async () => {
      expect((await up(emu, `${T}&mode=create`, "id,name\n1,Alice\n")).status).to.equal(200);
      const again = await up(emu, `${T}&mode=create`, "id,name\n9,Zed\n");
      expect(again.status).to.equal(400);
      expect(again.headers["content-type"]).to.match(/text\/plain/);
      expect(again.text).to.match(/already exists/);
      expect(await rows(emu, "SELECT id, name FROM lakehouse.main.users")).to.deep.equal([[1, "Alice"]]);
    });

    it("append adds rows (creating the table when missing); overwrite replaces table and schema", async () => {
      expect((await up(emu, `${T}&mode=append`, "id,name\n1,Alice\n")).status).to.equal(200);
      expect((await up(emu, `${T}&mode=append`, '[{"id":2,"name":"Bob"}]')).status).to.equal(200);
      expect(await rows(emu, "SELECT id, name FROM lakehouse.main.users ORDER BY id")).to.deep.equal([[1, "Alice"], [2, "Bob"]]);
      expect((await up(emu, `${T}&mode=overwrite`, "id,email\n7,g@x\n")).status).to.equal(200);
      expect(await rows(emu, "SELECT * FROM lakehouse.main.users")).to.deep.equal([[7, "g@x"]]);
      const q = await query(emu, "SELECT name FROM lakehouse.main.users");
      expect(q.lines[1].error).to.match(/name/);
    });

    it("upsert replaces rows by primary key (composite allowed), last duplicate wins, creates the table with the key", async () => {
      const r1 = await up(emu, `${T}&primary_key=id`, "id,name\n1,Alice\n2,Bob\n2,Bobby\n");
      expect(r1.status, r1.text).to.equal(200);
      expect(await rows(emu, "SELECT id, name FROM lakehouse.main.users ORDER BY id")).to.deep.equal([[1, "Alice"], [2, "Bobby"]]);
      const pk = await rows(emu, "SELECT constraint_type FROM duckdb_constraints() WHERE table_name = 'users' AND constraint_type = 'PRIMARY KEY'");
      expect(pk).to.have.length(1);
      const r2 = await up(emu, `${T}&mode=upsert&primary_key=id`, '[{"id":2,"name":"Robert"},{"id":3,"name":"Carol"}]', "application/json");
      expect(r2.status, r2.text).to.equal(200);
      expect(await rows(emu, "SELECT id, name FROM lakehouse.main.users ORDER BY id")).to.deep.equal([[1, "Alice"], [2, "Robert"], [3, "Carol"]]);

      // A table created without a key (mode=create) is merged on the given columns; composite keys.
      expect((await up(emu, "catalog=lakehouse&schema=main&table=scores&mode=create", "team,player,score\na,x,1\na,y,2\nb,x,3\n")).status).to.equal(200);
      expect((await up(emu, "catalog=lakehouse&schema=main&table=scores&primary_key=team,player", "team,player,score\na,y,20\nb,z,30\n")).status).to.equal(200);
      expect(await rows(emu, "SELECT team, player, score FROM lakehouse.main.scores ORDER BY ALL")).to.deep.equal([
        ["a", "x", 1],
        ["a", "y", 20],
        ["b", "x", 3],
        ["b", "z", 30],
      ]);
    });

    it("upsert with cursor_field: the newest cursor wins and a NULL cursor never does", async () => {
      const q = "catalog=lakehouse&schema=main&table=cur&primary_key=id&cursor_field=v";
      expect((await up(emu, q, "id,v,name\n1,5,a\n1,3,b\n2,1,c\n")).status).to.equal(200);
      expect(await rows(emu, "SELECT id, v, name FROM lakehouse.main.cur ORDER BY id")).to.deep.equal([[1, 5, "a"], [2, 1, "c"]]);
      expect((await up(emu, q, "id,v,name\n1,4,old\n2,,nullcursor\n")).status).to.equal(200);
      expect(await rows(emu, "SELECT id, v, name FROM lakehouse.main.cur ORDER BY id")).to.deep.equal([[1, 5, "a"], [2, 1, "c"]]);
      expect((await up(emu, q, "id,v,name\n1,6,new\n")).status).to.equal(200);
      expect(await rows(emu, "SELECT name FROM lakehouse.main.cur WHERE id = 1")).to.deep.equal([["new"]]);
    });

    it("refuses bad requests with 400 text/plain and applies nothing of a failing load", async () => {
      const noKey = await up(emu, T, "id,name\n1,A\n");
      expect(noKey.status).to.equal(400);
      expect(noKey.headers["content-type"]).to.match(/text\/plain/);
      expect(noKey.text).to.match(/primary_key/);
      const unknown = await up(emu, "catalog=nope&schema=main&table=t&mode=create", "a\n1\n");
      expect(unknown.status).to.equal(400);
      expect(unknown.text).to.match(/Catalog "nope" does not exist/);
      expect((await up(emu, "catalog=product_analytics&schema=main&table=t&mode=create", "a\n1\n")).text).to.match(/read-only/);
      expect((await up(emu, `${T}&mode=sideways`, "a\n1\n")).status).to.equal(400);
      expect((await up(emu, "schema=main&table=t&mode=create", "a\n1\n")).status).to.equal(400);
      expect((await up(emu, `${T}&mode=create`, "")).status).to.equal(400);
      expect((await up(emu, `${T}&primary_key=nope`, "id,name\n1,A\n")).text).to.match(/nope/);

      // A type error half-way through: the transaction is rolled back, the existing rows stay.
      expect((await up(emu, "catalog=lakehouse&schema=main&table=nums&mode=create", "n\n1\n2\n")).status).to.equal(200);
      const bad = await up(emu, "catalog=lakehouse&schema=main&table=nums&mode=append", "n\n3\nnot-a-number\n");
      expect(bad.status).to.equal(400);
      expect(bad.text).to.match(/Conversion Error|Could not convert/);
      const badOverwrite = await up(emu, "catalog=lakehouse&schema=main&table=nums&mode=overwrite", "[not json");
      expect(badOverwrite.status).to.equal(400);
      expect(await rows(emu, "SELECT n FROM lakehouse.main.nums ORDER BY n")).to.deep.equal([[1], [2]]);
      // No spooled upload is left behind.
      expect(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("altertable-upload-"))).to.deep.equal([]);
    });

    it("accepts the older and current-spec /upload (mode create|append|overwrite, format parameter, default append)", async () => {
      const r = await call(emu, "POST", "/upload?catalog=lakehouse&schema=analytics&table=ev&format=csv", { raw: '[1]\n[2]\n' });
      expect(r.status, r.text).to.equal(200);
      expect(await rows(emu, "SELECT count(*) FROM lakehouse.analytics.ev")).to.deep.equal([[1]]);
      expect((await call(emu, "POST", "/upload?catalog=lakehouse&schema=analytics&table=ev2&mode=create&format=json", { raw: '[{"a":1}]' })).status).to.equal(200);
      expect((await call(emu, "POST", "/upload?catalog=lakehouse&schema=analytics&table=ev2&mode=create_append", { raw: '[{"a":2}]' })).status).to.equal(200);
      expect(await rows(emu, "SELECT a FROM lakehouse.analytics.ev2 ORDER BY a")).to.deep.equal([[1], [2]]);
      expect((await call(emu, "POST", "/upload?catalog=lakehouse&schema=analytics&table=ev2&format=xml", { raw: "<a/>" })).status).to.equal(400);
    });

    it("streams a 50 MB body to disk without buffering it", async () => {
      const target = 50 * 1024 * 1024;
      let sent = 0;
      let i = 0;
      const pad = "x".repeat(80);
      const body = new Readable({
        read() {
          if (sent >= target) return this.push(null);
          const lines: string[] = i === 0 ? ["id,name,pad"] : [];
          for (let k = 0; k < 2000; k++, i++) lines.push(`${i},name${i},${pad}`);
          const chunk = Buffer.from(lines.join("\n") + "\n");
          sent += chunk.length;
          this.push(chunk);
        },
      });
      const base = process.memoryUsage().arrayBuffers;
      let peak = base;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 10);
      try {
        const r = await up(emu, "catalog=lakehouse&schema=main&table=big&mode=create", body, "text/csv");
        expect(r.status, r.text).to.equal(200);
      } finally {
        clearInterval(sampler);
      }
      expect(sent).to.be.at.least(target);
      expect(await rows(emu, "SELECT count(*), max(id) FROM lakehouse.main.big")).to.deep.equal([[i, i - 1]]);
      // Buffers alive at once stay far below the body size (the body went to a file, not memory).
      expect(peak - base).to.be.below(32 * 1024 * 1024);
    });
  });

  describe("POST /append and GET /tasks/:id", () => {
    it("infers BIGINT, DOUBLE, VARCHAR, BOOLEAN, JSON and TIMESTAMP and creates the table", async () => {
      const r = await call(emu, "POST", "/append?catalog=lakehouse&schema=main&table=ev&sync=true", {
        json: [
          { i: 1, f: 1.5, s: "a", b: true, arr: [1, 2], obj: { k: "v" }, ts: "2025-12-30T10:00:00Z" },
          { i: 2, f: 2, s: "b", b: false, arr: [], obj: {}, ts: "2025-12-30T12:00:00.123456+02:00" },
        ],
      });
      expect(r.status).to.equal(200);
      expect(r.body.ok).to.equal(true);
      expect(r.body.task_id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(r.body).to.include({ error_message: null, error_code: null });
      const types = await rows(emu, "SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = 'lakehouse' AND table_name = 'ev' ORDER BY ordinal_position");
      expect(types).to.deep.equal([
        ["i", "BIGINT"],
        ["f", "DOUBLE"],
        ["s", "VARCHAR"],
        ["b", "BOOLEAN"],
        ["arr", "JSON"],
        ["obj", "JSON"],
        ["ts", "TIMESTAMP"],
      ]);
      expect(await rows(emu, "SELECT i, f, s, b, arr, obj, ts FROM lakehouse.main.ev ORDER BY i")).to.deep.equal([
        [1, 1.5, "a", true, [1, 2], { k: "v" }, "2025-12-30 10:00:00"],
        [2, 2, "b", false, [], {}, "2025-12-30 10:00:00.123456"],
      ]);
    });

    it("adds new columns (old rows NULL) and respects a manual schema, refusing incompatible data", async () => {
      await call(emu, "POST", "/append?catalog=my_catalog&schema=public&table=users&sync=true", { json: { name: "Alice", age: 30 } });
      const r = await call(emu, "POST", "/append?catalog=my_catalog&schema=public&table=users&sync=true", { json: { name: "Bob", age: 31, email: "bob@example.com" } });
      expect(r.body.ok).to.equal(true);
      expect(await rows(emu, "SELECT name, age, email FROM my_catalog.public.users ORDER BY name")).to.deep.equal([
        ["Alice", 30, null],
        ["Bob", 31, "bob@example.com"],
      ]);

      await rows(emu, "CREATE TABLE my_catalog.main.events (event VARCHAR, user_id VARCHAR, created_at TIMESTAMP)");
      const manual = await call(emu, "POST", "/append?catalog=my_catalog&schema=main&table=events&sync=true", {
        json: { event: "signup", user_id: 123, created_at: "2025-12-30T10:00:00Z" },
      });
      expect(manual.body.ok).to.equal(true);
      expect(await rows(emu, "SELECT event, user_id, created_at FROM my_catalog.main.events")).to.deep.equal([["signup", "123", "2025-12-30 10:00:00"]]);
      const types = await rows(emu, "SELECT data_type FROM information_schema.columns WHERE table_catalog = 'my_catalog' AND table_schema = 'main' AND table_name = 'events' ORDER BY ordinal_position");
      expect(types).to.deep.equal([["VARCHAR"], ["VARCHAR"], ["TIMESTAMP"]]);

      await rows(emu, "CREATE TABLE lakehouse.main.strict (n INTEGER)");
      const bad = await call(emu, "POST", "/append?catalog=lakehouse&schema=main&table=strict", { json: [{ n: 1 }, { n: "not a number" }] });
      expect(bad.status).to.equal(200);
      expect(bad.body).to.include({ ok: false, error_code: "incompatible-schema" });
      expect(bad.body.error_message).to.match(/Conversion|convert/i);
      await new Promise((r) => setTimeout(r, 150));
      expect(await rows(emu, "SELECT count(*) FROM lakehouse.main.strict")).to.deep.equal([[0]]);
    });

    it("refuses an unparsable body with 400 invalid-data, and unknown catalogs", async () => {
      for (const raw of ["{not json", "", "42", '[{"a":1}, 3]']) {
        const r = await call(emu, "POST", "/append?catalog=lakehouse&schema=main&table=t", { raw, headers: { "content-type": "application/json" } });
        expect(r.status, raw).to.equal(400);
        expect(r.body, raw).to.include({ ok: false, error_code: "invalid-data" });
        expect(r.body.error_message, raw).to.be.a("string");
      }
      const unknown = await call(emu, "POST", "/append?catalog=nope&schema=main&table=t", { json: { a: 1 } });
      expect(unknown.status).to.equal(400);
      expect(unknown.body.error_message).to.match(/nope/);
    });

    it("is asynchronous: the task is pending, then completed, and the rows appear only then", async () => {
      const slow = await startAltertable({ appendDelayMs: 400 });
      try {
        const r = await call(slow, "POST", "/append?catalog=lakehouse&schema=main&table=later", { json: [{ a: 1 }, { a: 2 }] });
        expect(r.body.ok).to.equal(true);
        const id = r.body.task_id;
        const t1 = await call(slow, "GET", `/tasks/${id}`);
        expect(t1.status).to.equal(200);
        expect(t1.body).to.deep.equal({ task_id: id, status: "pending" });
        const before = await query(slow, "SELECT count(*) FROM lakehouse.main.later");
        expect(before.lines[1].error).to.match(/does not exist/);
        await waitFor(async () => ((await call(slow, "GET", `/tasks/${id}`)).body.status === "completed" ? true : undefined));
        expect(await rows(slow, "SELECT sum(a) FROM lakehouse.main.later")).to.deep.equal([[3]]);

        // sync=true answers only once the rows are in.
        const s = await call(slow, "POST", "/append?catalog=lakehouse&schema=main&table=later&sync=true", { json: { a: 10 } });
        expect((await call(slow, "GET", `/tasks/${s.body.task_id}`)).body.status).to.equal("completed");
        expect(await rows(slow, "SELECT sum(a) FROM lakehouse.main.later")).to.deep.equal([[13]]);
      } finally {
        await slow.stop();
      }
    });

    it("GET /tasks/:id: 400 for a malformed id, 404 for an unknown one", async () => {
      expect((await call(emu, "GET", "/tasks/not-a-uuid")).status).to.equal(400);
      expect((await call(emu, "GET", "/tasks/019d68d4-c4cb-7e40-ad50-fd4b68c2045e")).status).to.equal(404);
    });
  });

  describe("persistence, reset and faults", () => {
    it("keeps tables, the query log and tasks across a restart, and resumes a pending append", async () => {
      expect((await up(emu, "catalog=lakehouse&schema=main&table=kept&mode=create", "id\n1\n2\n")).status).to.equal(200);
      const q = await query(emu, "SELECT count(*) FROM lakehouse.main.kept");
      const done = await call(emu, "POST", "/append?catalog=my_catalog&schema=public&table=ap&sync=true", { json: { v: 1 } });
      // As if the process had died while a query ran.
      const stale = "0190a5f2-0000-7000-8000-00000000dead";
      emu.server.state.queries[stale] = { ...emu.server.state.queries[q.meta.query_id], uuid: stale, end_time: null, duration_ms: null };
      emu.server.save();
      await emu.stop();
      expect(fs.existsSync(path.join(emu.stateDir, "altertable.duckdb"))).to.equal(true);

      // A slow append is accepted, then the emulator stops before running it.
      let again = await startAltertable({ stateDir: emu.stateDir, appendDelayMs: 60_000 });
      const pending = await call(again, "POST", "/append?catalog=my_catalog&schema=public&table=ap", { json: { v: 2 } });
      expect((await call(again, "GET", `/tasks/${pending.body.task_id}`)).body.status).to.equal("pending");
      await again.stop();

      again = await startAltertable({ stateDir: emu.stateDir, appendDelayMs: 10 });
      emu = again;
      expect(await rows(emu, "SELECT id FROM lakehouse.main.kept ORDER BY id")).to.deep.equal([[1], [2]]);
      const log = await call(emu, "GET", `/query/${q.meta.query_id}`);
      expect(log.status).to.equal(200);
      expect(log.body.query).to.equal("SELECT count(*) FROM lakehouse.main.kept");
      expect((await call(emu, "GET", `/tasks/${done.body.task_id}`)).body.status).to.equal("completed");
      const aborted = await call(emu, "GET", `/query/${stale}`);
      expect(aborted.body.end_time).to.be.a("string");
      expect(aborted.body.error).to.match(/aborted/);
      await waitFor(async () => ((await call(emu, "GET", `/tasks/${pending.body.task_id}`)).body.status === "completed" ? true : undefined));
      expect(await rows(emu, "SELECT v FROM my_catalog.public.ap ORDER BY v")).to.deep.equal([[1], [2]]);
    });

    it("admin reset empties the catalogs too", async () => {
      expect((await up(emu, "catalog=lakehouse&schema=main&table=gone&mode=create", "id\n1\n")).status).to.equal(200);
      const reset = await request(`${emu.url}/_emulator/reset`, { method: "POST" });
      expect(reset.statusCode).to.equal(204);
      const q = await query(emu, "SELECT * FROM lakehouse.main.gone");
      expect(q.lines[1].error).to.match(/does not exist/);
      expect(await rows(emu, "SELECT count(*) FROM product_analytics.main.events")).to.deep.equal([[5]]);
    });

    it("runs in memory without a state file", async () => {
      const mem = await startAltertable({ inMemory: true });
      try {
        expect((await up(mem, "catalog=lakehouse&schema=main&table=m&mode=create", "id\n1\n")).status).to.equal(200);
        expect(await rows(mem, "SELECT id FROM lakehouse.main.m")).to.deep.equal([[1]]);
        expect(await rows(mem, "SELECT count(*) FROM product_analytics.main.events")).to.deep.equal([[5]]);
      } finally {
        await mem.stop();
      }
    });

    it("injects faults from the framework", async () => {
      emu.faults({ rules: [{ path: "^/query$", status: 503, retryAfter: 1 }] });
      const r = await call(emu, "POST", "/query", { json: { statement: "SELECT 1" } });
      expect(r.status).to.equal(503);
      expect(r.headers["retry-after"]).to.equal("1");
      expect((await query(emu, "SELECT 1")).rows).to.deep.equal([[1]]);
      expect(emu.requests().map((x) => x.status)).to.deep.equal([503, 200]);
    });
  });
});
