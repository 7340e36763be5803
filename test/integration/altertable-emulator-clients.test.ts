/**
 * Real clients against the Altertable emulator: the vendor doc's curl examples, run as written (host replaced),
 * and the vendor's official JS client @altertable/lakehouse.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { request } from "undici";
import { startAltertable, RunningAltertable, makeParquet } from "../helpers/altertable";

const FIXTURES = path.resolve(__dirname, "../../../test/fixtures/altertable");
const CURL = "/usr/bin/curl";
const execFileAsync = promisify(execFile);

/** The curl commands of the vendor doc, line continuations restored (the doc's text flattens `\`+newline into `\-H`). */
function docCurlCommands(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    const at = text.indexOf("curl ", i);
    if (at < 0) break;
    let j = at;
    let quote: string | null = null;
    for (; j < text.length; j++) {
      const ch = text[j];
      if (quote) {
        if (ch === quote) quote = null;
        continue;
      }
      if (ch === "'" || ch === '"') quote = ch;
      else if (ch === "\n" || ch === "#") break;
      else if (j > at && text.startsWith("curl ", j)) break;
    }
    out.push(text.slice(at, j).replace(/\\-/g, " -").replace(/\s*\\\s*$/, "").trim());
    i = j;
  }
  return out;
}

async function raw(emu: RunningAltertable, method: string, p: string, json?: unknown) {
  const res = await request(emu.url + p, {
    method: method as any,
    headers: { authorization: emu.authorization, "content-type": "application/json" },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = await res.body.text();
  return { status: res.statusCode, text };
}

async function sqlRows(emu: RunningAltertable, statement: string): Promise<any[][]> {
  const r = await raw(emu, "POST", "/query", { statement });
  const lines = r.text.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  expect(lines.find((l) => !Array.isArray(l) && l.error), statement).to.equal(undefined);
  return lines.slice(2);
}


describe("Altertable emulator with the vendor doc's curl examples", function () {
  this.timeout(60_000);
  let emu: RunningAltertable;
  let work: string;
  before(function () {
    if (!fs.existsSync(CURL)) this.skip();
  });
  beforeEach(async () => {
    emu = await startAltertable();
    work = fs.mkdtempSync(path.join(os.tmpdir(), "at-curl-"));
    for (const f of ["data.csv", "users.csv", "events.json"]) fs.copyFileSync(path.join(FIXTURES, f), path.join(work, f));
    await makeParquet(path.join(work, "updates.parquet"), "SELECT 2 AS id, 'Robert' AS name, 'robert@example.com' AS email UNION ALL SELECT 4, 'Dora', 'dora@example.com'");
  });
  afterEach(async () => {
    await emu.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("runs every curl example of the doc, in order, with the documented outcome", async () => {
    const commands = docCurlCommands(fs.readFileSync(path.join(FIXTURES, "altertable-http-api.txt"), "utf8"));
    expect(commands).to.have.length(15);
    const ids: Record<string, string> = {};
    const results: { cmd: string; status: number; body: string }[] = [];
    for (const written of commands) {
      let cmd = written.replace(/https:\/\/api\.altertable\.ai/g, emu.url);
      cmd = cmd.replace("<query-uuid>", ids.query ?? "missing").replace("<session-id>", ids.session ?? "missing").replace("<task-uuid>", ids.task ?? "missing");
      // Asynchronously: the emulator runs in this process and must keep serving while curl waits.
      const { stdout: out } = await execFileAsync("bash", ["-c", `${cmd} -s -m 30 -w '\\n%{http_code}'`], {
        cwd: work,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ALTERTABLE_BASIC_AUTH_TOKEN: emu.basicAuthToken },
        encoding: "utf8",
      });
      const cut = out.lastIndexOf("\n");
      const r = { cmd: written, status: Number(out.slice(cut + 1)), body: out.slice(0, cut) };
      results.push(r);
      if (/\/query /.test(cmd + " ") && r.status === 200 && !ids.query) {
        const meta = JSON.parse(r.body.split("\n")[0]);
        ids.query = meta.query_id;
        ids.session = meta.session_id;
      }
      if (/\/append\?/.test(cmd) && r.status === 200) ids.task = JSON.parse(r.body).task_id;
    }
    const [q, create1, create2, appendJson, upsertParquet, appendNoBody, appendOne, appendBatch, evolve1, evolve2, validate, autocomplete, getQuery, cancel, task] = results;

    // POST /query: metadata, columns, rows.
    expect(q.status).to.equal(200);
    const lines = q.body.split("\n").filter(Boolean).map((l) => JSON.parse(l));
    expect(lines[1]).to.deep.equal([
      { name: "event", type: "VARCHAR" },
      { name: "count", type: "BIGINT" },
    ]);
    expect(lines.slice(2).sort()).to.deep.equal([
      ["login", 3],
      ["signup", 2],
    ]);
    // Both CSV examples create my_catalog.public.users: the first succeeds (empty 200), the second hits "fails if table already exists".
    expect([create1.status, create1.body]).to.deep.equal([200, ""]);
    expect(create2.status).to.equal(400);
    expect(create2.body).to.match(/already exists/);
    expect([appendJson.status, appendJson.body]).to.deep.equal([200, ""]);
    expect([upsertParquet.status, upsertParquet.body]).to.deep.equal([200, ""]);
    // Two /append examples have lost their body in the doc; without -d curl sends a GET, which the endpoint does not serve.
    expect(appendNoBody.status).to.equal(405);
    expect(evolve2.status).to.equal(405);
    for (const r of [appendOne, appendBatch, evolve1]) {
      expect(r.status, r.cmd).to.equal(200);
      expect(JSON.parse(r.body)).to.include({ ok: true, error_message: null, error_code: null });
    }
    expect(validate.status).to.equal(200);
    expect(JSON.parse(validate.body)).to.include({ valid: false, statement: "SELECT * FROM non_existent_table" });
    expect(autocomplete.status).to.equal(200);
    const ac = JSON.parse(autocomplete.body);
    expect(ac.suggestions.length).to.be.within(1, 20);
    expect(ac.connections_errors).to.deep.equal({});
    expect(getQuery.status).to.equal(200);
    expect(JSON.parse(getQuery.body)).to.include({ uuid: ids.query, client_interface: "HttpQuery" });
    expect(cancel.status).to.equal(200);
    expect(JSON.parse(cancel.body)).to.deep.equal({ cancelled: true, message: "Query cancelled" });
    expect(task.status).to.equal(200);
    expect(JSON.parse(task.body).task_id).to.equal(ids.task);
    expect(JSON.parse(task.body).status).to.be.oneOf(["pending", "completed"]);

    // What the examples did to the data.
    await new Promise((r) => setTimeout(r, 200));
    expect(await sqlRows(emu, "SELECT id, name FROM my_catalog.public.users WHERE id IS NOT NULL ORDER BY id")).to.deep.equal([
      [1, "Alice"],
      [2, "Robert"],
      [3, "Carol"],
      [4, "Dora"],
    ]);
    expect(await sqlRows(emu, "SELECT name, age FROM my_catalog.public.users WHERE id IS NULL")).to.deep.equal([["Alice", 30]]);
    expect(await sqlRows(emu, "SELECT count(*) FROM my_catalog.public.events")).to.deep.equal([[6]]);
  });
});

describe("Altertable emulator with the official JS client (@altertable/lakehouse)", function () {
  this.timeout(60_000);
  let lib: any;
  let emu: RunningAltertable;
  let client: any;

  before(async () => {
    const load = new Function("s", "return import(s)") as (s: string) => Promise<any>;
    try {
      lib = await load("@altertable/lakehouse");
    } catch {
      // 0.2.2 is published with `exports` pointing at dist/index.js, but its files are in dist/src/.
      lib = await load(pathToFileURL(path.resolve(__dirname, "../../../node_modules/@altertable/lakehouse/dist/src/index.js")).href);
    }
  });
  beforeEach(async () => {
    // The 0.2.x client parses line 2 as names only (the vendor mock's form), so this emulator emits that form.
    emu = await startAltertable({ columnsLine: "names" });
    client = new lib.AltertableLakehouseClient({ baseUrl: emu.url, username: emu.username, password: emu.password, retryPolicy: { maxAttempts: 1 } });
  });
  afterEach(() => emu.stop());

  it("validate", async () => {
    expect(await client.validate({ statement: "SELECT 1" })).to.deep.equal({ valid: true, statement: "SELECT 1", connections_errors: {} });
    const bad = await client.validate({ statement: "SELECT * FROM nope" });
    expect(bad.valid).to.equal(false);
    expect(bad.error).to.match(/nope does not exist/);
  });

  it("upsert (string, Buffer and Parquet bodies) and its 400 as BadRequestError", async () => {
    await client.upsert({ catalog: "lakehouse", schema: "main", table: "people", mode: "create" }, "id,name\n1,Alice\n2,Bob\n");
    await client.upsert({ catalog: "lakehouse", schema: "main", table: "people", primary_key: "id" }, Buffer.from('[{"id":2,"name":"Bobby"},{"id":3,"name":"Cy"}]'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "at-js-"));
    try {
      await makeParquet(path.join(dir, "p.parquet"), "SELECT 4 AS id, 'Dee' AS name");
      await client.upsert({ catalog: "lakehouse", schema: "main", table: "people", mode: "append" }, new Uint8Array(fs.readFileSync(path.join(dir, "p.parquet"))));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(await sqlRows(emu, "SELECT id, name FROM lakehouse.main.people ORDER BY id")).to.deep.equal([
      [1, "Alice"],
      [2, "Bobby"],
      [3, "Cy"],
      [4, "Dee"],
    ]);
    const err = await client.upsert({ catalog: "lakehouse", schema: "main", table: "people", mode: "create" }, "id\n9\n").then(
      () => undefined,
      (e: any) => e,
    );
    expect(err).to.be.instanceOf(lib.BadRequestError);
    expect(err.statusCode).to.equal(400);
    expect(err.message).to.match(/^Bad request: Table lakehouse\.main\.people already exists/);
  });

  it("append (one object and a batch) returns a task id the task endpoint knows", async () => {
    const one = await client.append({ catalog: "lakehouse", schema: "main", table: "events", body: { user_id: 1, action: "signup" } });
    expect(one).to.include({ ok: true, error_code: null, error_message: null });
    const batch = await client.append({ catalog: "lakehouse", schema: "main", table: "events", body: [{ user_id: 2, action: "login" }, { user_id: 3, action: "purchase", amount: 9.5 }] });
    expect(batch.ok).to.equal(true);
    for (let i = 0; i < 200; i++) {
      const t = await raw(emu, "GET", `/tasks/${batch.task_id}`);
      if (JSON.parse(t.text).status === "completed") break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await sqlRows(emu, "SELECT user_id, action, amount FROM lakehouse.main.events ORDER BY user_id")).to.deep.equal([
      [1, "signup", null],
      [2, "login", null],
      [3, "purchase", 9.5],
    ]);
  });

  it("query (streamed) and queryAll, with metadata, rows as objects and the engine's types", async () => {
    const streamed = await client.query({ statement: "SELECT i, i * 2 AS twice FROM range(3) t(i) ORDER BY i", session_id: "js-session" });
    expect(streamed.metadata.session_id).to.equal("js-session");
    expect(streamed.columns).to.deep.equal(["i", "twice"]);
    const got: unknown[] = [];
    for await (const row of streamed.rows) got.push(row);
    expect(got).to.deep.equal([
      { i: 0, twice: 0 },
      { i: 1, twice: 2 },
      { i: 2, twice: 4 },
    ]);
    const all = await client.queryAll({ statement: "SELECT event FROM product_analytics.main.events ORDER BY timestamp", limit: 2 });
    expect(all.metadata.rows_limit).to.equal(2);
    expect(all.rows).to.deep.equal([{ event: "signup" }, { event: "login" }]);
  });

  it("an in-stream engine error surfaces from the client as a ParseError carrying the error line", async () => {
    const res = await client.query({ statement: "SELECT * FROM missing_table" }).then(
      async (r: any) => {
        for await (const _ of r.rows) void _;
        return undefined;
      },
      (e: any) => e,
    );
    expect(res).to.be.instanceOf(lib.ParseError);
    expect(res.rawLine).to.match(/"error":"Catalog Error: Table with name missing_table does not exist/);
  });

  it("getQuery and cancelQuery", async () => {
    const r = await client.queryAll({ statement: "SELECT 1 AS one", session_id: "s-1" });
    const id = r.metadata.query_id;
    const log = await client.getQuery(id);
    expect(log).to.include({ uuid: id, query: "SELECT 1 AS one", session_id: "s-1", client_interface: "HttpQuery", visible: true });
    expect(log.user_agent).to.match(/^altertable-lakehouse-js\//);
    expect(await client.cancelQuery(id, "other")).to.deep.equal({ cancelled: false, message: "Session ID does not match" });
    expect(await client.cancelQuery(id, "s-1")).to.deep.equal({ cancelled: true, message: "Query cancelled" });
    const missing = await client.getQuery("00000000-0000-4000-8000-000000000000").catch((e: any) => e);
    expect(missing).to.be.instanceOf(lib.ApiError);
    expect(missing.statusCode).to.equal(404);
  });

  it("wrong credentials give the client's AuthError", async () => {
    const wrong = new lib.AltertableLakehouseClient({ baseUrl: emu.url, username: "x", password: "y", retryPolicy: { maxAttempts: 1 } });
    const e = await wrong.validate({ statement: "SELECT 1" }).catch((x: any) => x);
    expect(e).to.be.instanceOf(lib.AuthError);
    expect(e.statusCode).to.equal(401);
  });

  it("against the production line-2 format ({name,type}, the emulator's default) the 0.2.x client cannot parse /query", async () => {
    const prod = await startAltertable();
    try {
      const c = new lib.AltertableLakehouseClient({ baseUrl: prod.url, basicAuthToken: prod.basicAuthToken, retryPolicy: { maxAttempts: 1 } });
      const e = await c.queryAll({ statement: "SELECT 1 AS one" }).catch((x: any) => x);
      expect(e).to.be.instanceOf(lib.ParseError);
      expect(e.rawLine).to.equal('[{"name":"one","type":"INTEGER"}]');
      // The other calls do not depend on it.
      expect((await c.validate({ statement: "SELECT 1" })).valid).to.equal(true);
    } finally {
      await prod.stop();
    }
  });
});
