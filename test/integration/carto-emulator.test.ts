/**
 * The CARTO emulator speaks the SQL API v2 and the Auth API the way the vendor's server does
 * (CartoDB/CartoDB-SQL-API; notes §3), over real HTTP, on a real PostgreSQL with PostGIS (pglite).
 * One emulator serves the whole file (PostGIS takes ~15 s to load); a second one, on the same
 * state directory, checks that state survives a restart.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { request } from "undici";
import { rawCall, Reply, startEmulator } from "../helpers/emulators";
import type { EmulatorHarness } from "../../emulator/framework/definition";
import type { CartoState } from "../../emulator/carto";
import { touchesSystemTables } from "../../emulator/carto";
import * as C from "../../provider/carto/contract";
import type { ObservedAnswer } from "../../emulator/framework/server";

type Auth = { basic?: [string, string]; key?: string; none?: true };

describe("CARTO emulator", function () {
  this.timeout(300_000); // PostGIS loads in ~15 s, far longer on a loaded machine
  let h: EmulatorHarness<CartoState>;
  let master: string;
  let user: string;

  async function call(method: string, p: string, opts: { json?: unknown; form?: Record<string, string>; raw?: string | Buffer | Readable; headers?: Record<string, string>; auth?: Auth } = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const auth = opts.auth ?? { basic: [user, master] };
    if (auth.basic) headers.authorization = `Basic ${Buffer.from(`${auth.basic[0]}:${auth.basic[1]}`).toString("base64")}`;
    let url = h.url + p;
    if (auth.key) url += `${p.includes("?") ? "&" : "?"}api_key=${encodeURIComponent(auth.key)}`;
    if (opts.json === undefined && opts.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      return rawCall(url, method, { raw: new URLSearchParams(opts.form).toString(), headers });
    }
    return rawCall(url, method, { json: opts.json, raw: opts.raw, headers });
  }

  const q = (sql: string, auth?: Auth, extra = "") => call("GET", `/api/v2/sql?q=${encodeURIComponent(sql)}${extra}`, { auth });
  const ok = async (sql: string) => {
    const r = await q(sql);
    expect(r.status, `${sql}: ${r.text}`).to.equal(200);
    expect(r.body.error, sql).to.equal(undefined);
    return r.body;
  };
  const waitJob = async (id: string, final = ["done", "failed", "cancelled"]) => {
    for (let i = 0; i < 400; i++) {
      const r = await call("GET", `/api/v2/sql/job/${id}`);
      expect(r.status, r.text).to.equal(200);
      if (final.includes(r.body.status)) return r.body;
      await new Promise((res) => setTimeout(res, 25));
    }
    throw new Error(`job ${id} did not finish`);
  };

  const answers: ObservedAnswer[] = [];

  before(async () => {
    h = await startEmulator<CartoState>("carto");
    h.server.observe((a) => answers.push(a));
    master = h.settings.apiKey;
    user = h.settings.user;
    await ok(
      "CREATE TABLE cities (cartodb_id serial PRIMARY KEY, name text, population int8, founded date, the_geom geometry(Point, 4326), tags text[]);" +
        "INSERT INTO cities (name, population, founded, the_geom, tags) VALUES ('Madrid', 3223000, '0852-01-01', ST_SetSRID(ST_MakePoint(-3.70, 40.41), 4326), '{capital,big}'), ('Paris', 2161000, NULL, ST_SetSRID(ST_MakePoint(2.35, 48.85), 4326), '{}')",
    );
  });
  after(async () => h?.stop());
  afterEach(() => {
    h.server.state.config.rateLimits = {};
    h.server.state.config.statementTimeoutMs = 25_000;
  });

  describe("/api/v2/sql", () => {
    it("answers JSON with rows, time, CARTO-typed fields (geometry with wkbtype, dims, srid) and total_rows", async () => {
      const b = await ok("SELECT name, population, founded, the_geom, tags, 1.5::numeric AS n, true AS b, now() AS t FROM cities ORDER BY name");
      expect(C.SqlResult.safeParse(b).success).to.equal(true);
      expect(b.total_rows).to.equal(2);
      expect(b.rows[0]).to.include({ name: "Madrid", population: 3223000, founded: "0852-01-01T00:00:00Z", n: 1.5, b: true });
      expect(b.rows[0].tags).to.deep.equal(["capital", "big"]);
      expect(b.rows[0].the_geom).to.match(/^0101000020E6100000/);
      expect(b.fields.the_geom).to.deep.equal({ type: "geometry", wkbtype: "Point", dims: 2, srid: 4326 });
      expect(b.fields.name).to.deep.equal({ type: "string", pgtype: "text" });
      expect(b.fields.population).to.deep.equal({ type: "number", pgtype: "int8" });
      expect(b.fields.founded).to.deep.equal({ type: "date", pgtype: "date" });
      expect(b.fields.tags).to.deep.equal({ type: "string[]", pgtype: "_text" });
      expect(b.fields.b).to.deep.equal({ type: "boolean", pgtype: "bool" });
      expect(b.time).to.be.a("number");
    });

    it("takes q by POST as JSON or form, and api_key in the query string or the body (never a header)", async () => {
      const json = await call("POST", "/api/v2/sql", { json: { q: "SELECT count(*) FROM cities", api_key: master }, auth: { none: true } });
      expect(json.status, json.text).to.equal(200);
      expect(json.body.rows).to.deep.equal([{ count: 2 }]);
      const form = await call("POST", "/api/v2/sql", { form: { q: "SELECT 1 AS one", api_key: master }, auth: { none: true } });
      expect(form.body.rows).to.deep.equal([{ one: 1 }]);
      const qs = await q("SELECT 2 AS two", { key: master });
      expect(qs.body.rows).to.deep.equal([{ two: 2 }]);
      // an api_key header is not a credential: the request runs as the default public key, which cannot read the table
      const hdr = await call("GET", `/api/v2/sql?q=${encodeURIComponent("SELECT * FROM cities")}`, { headers: { api_key: master }, auth: { none: true } });
      expect(hdr.status).to.equal(403);
      expect(hdr.body.error[0]).to.match(/permission denied/);
    });

    it("serves the account-in-path form /user/<user>/api/v2/sql, and 404s another user", async () => {
      const r = await call("GET", `/user/${user}/api/v2/sql?q=SELECT+1+AS+x`);
      expect(r.body.rows).to.deep.equal([{ x: 1 }]);
      const other = await call("GET", "/user/someone-else/api/v2/sql?q=SELECT+1", { auth: { key: master } });
      expect(other.status).to.equal(404);
      expect(other.body.error[0]).to.contain("Sorry, we can't find CARTO user 'someone-else'");
    });

    it("refuses bad credentials the server's way: unknown key 401, Basic user of another account 403", async () => {
      const bad = await q("SELECT 1", { key: "not-a-key" });
      expect(bad.status).to.equal(401);
      expect(bad.body).to.deep.equal({ error: ["Unauthorized"] });
      const other = await q("SELECT 1", { basic: ["mallory", master] });
      expect(other.status).to.equal(403);
      expect(other.body.error).to.deep.equal(["permission denied"]);
    });

    it("refuses system tables with 403: pg_* tables to non-master keys; the whole list to every key with validatePGEntitiesAccess", async () => {
      // the server's shipped configs leave validatePGEntitiesAccess off: the master key reads the catalog
      const cat = await q("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'cities' ORDER BY ordinal_position");
      expect(cat.status, cat.text).to.equal(200);
      expect(cat.body.rows[0]).to.deep.equal({ column_name: "cartodb_id", data_type: "integer" });
      expect((await q("SELECT count(*) FROM pg_catalog.pg_class")).status).to.equal(200);
      const pub = await q("SELECT * FROM pg_roles", { none: true });
      expect(pub.status).to.equal(403);
      expect(pub.body.error).to.deep.equal(["system tables are forbidden"]);
      h.server.state.config.validatePGEntitiesAccess = true;
      try {
        for (const sql of ["SELECT * FROM pg_catalog.pg_class", "SELECT * FROM pg_roles", "SELECT * FROM information_schema.tables", "SELECT * FROM cartodb.cdb_conf"]) {
          const r = await q(sql);
          expect(r.status, sql).to.equal(403);
          expect(r.body.error).to.deep.equal(["system tables are forbidden"]);
        }
      } finally {
        h.server.state.config.validatePGEntitiesAccess = false;
      }
      expect(touchesSystemTables("SELECT pg_sleep(0), name FROM cities", false, true)).to.equal(false);
      expect(touchesSystemTables("SELECT 'pg_class' AS x", false, true)).to.equal(false);
    });

    it("reports SQL errors as {error:[…]} 400 with the hint, and 'permission denied' as 403", async () => {
      const r = await q("SELECT ST_Buffer(the_geom) FROM cities");
      expect(r.status).to.equal(400);
      expect(C.ErrorResponse.safeParse(r.body).success).to.equal(true);
      expect(r.body.error[0]).to.match(/function st_buffer\(geometry\) does not exist/);
      expect(r.body.hint).to.match(/No function matches/);
      const missing = await call("GET", "/api/v2/sql");
      expect(missing.status).to.equal(400);
      expect(missing.body.error).to.deep.equal(["You must indicate a sql query"]);
    });

    it("appends an error raised after rows streamed to a 200 answer, as the vendor does", async () => {
      const r = await q("SELECT 1 / (3 - n) AS v FROM generate_series(1, 5) n");
      expect(r.status).to.equal(200);
      expect(r.body.rows).to.deep.equal([{ v: 0 }, { v: 1 }]);
      expect(r.body.error).to.deep.equal(["division by zero"]);
      expect(r.text.indexOf('"error"')).to.be.greaterThan(r.text.indexOf('"total_rows"'));
    });

    it("pages a SELECT with rows_per_page and page (0-based)", async () => {
      const r = await q("SELECT n FROM generate_series(1, 10) n ORDER BY n", undefined, "&rows_per_page=3&page=1");
      expect(r.body.rows).to.deep.equal([{ n: 4 }, { n: 5 }, { n: 6 }]);
      expect(r.body.total_rows).to.equal(3);
    });

    it("reports notices and warnings by severity", async () => {
      const b = await ok("DO $$BEGIN RAISE NOTICE 'hello'; RAISE WARNING 'careful'; END$$");
      expect(b.notices).to.deep.equal(["hello"]);
      expect(b.warnings).to.deep.equal(["careful"]);
    });

    it("answers writes with total_rows = rows affected, and runs several statements answering the last", async () => {
      const b = await ok("CREATE TABLE scratch (a int); INSERT INTO scratch VALUES (1), (2), (3)");
      expect(b.total_rows).to.equal(3);
      expect(b.rows).to.deep.equal([]);
      const failed = await q("INSERT INTO scratch VALUES (4); SELECT * FROM nowhere");
      expect(failed.status).to.equal(400);
      expect((await ok("SELECT count(*) AS n FROM scratch")).rows).to.deep.equal([{ n: 3 }]); // the whole request rolled back
    });

    it("has CDB_CartodbfyTable: cartodb_id, the_geom and the_geom_webmercator kept in sync", async () => {
      await ok("CREATE TABLE plain_places (name text)");
      await ok("SELECT CDB_CartodbfyTable('public', 'plain_places')");
      await ok("INSERT INTO plain_places (name, the_geom) VALUES ('origin', ST_SetSRID(ST_MakePoint(0, 0), 4326)), ('east', ST_SetSRID(ST_MakePoint(1, 0), 4326))");
      const b = await ok("SELECT cartodb_id, name, ST_X(the_geom_webmercator)::int AS x FROM plain_places ORDER BY cartodb_id");
      expect(b.rows).to.deep.equal([{ cartodb_id: 1, name: "origin", x: 0 }, { cartodb_id: 2, name: "east", x: 111319 }]);
      const f = await ok("SELECT the_geom, the_geom_webmercator FROM plain_places LIMIT 0");
      expect(f.fields.the_geom_webmercator).to.deep.equal({ type: "geometry", wkbtype: "Unknown", dims: 2, srid: 3857 });
    });

    it("renders GeoJSON and CSV, honours skipfields and filename, and refuses other formats naming them", async () => {
      const g = await q("SELECT name, the_geom FROM cities ORDER BY name", undefined, "&format=GeoJSON&filename=cities");
      expect(g.status, g.text).to.equal(200);
      expect(g.body.type).to.equal("FeatureCollection");
      expect(g.body.features[0]).to.deep.equal({ type: "Feature", geometry: { type: "Point", coordinates: [-3.7, 40.41] }, properties: { name: "Madrid" } });
      expect(g.headers["content-disposition"]).to.match(/^attachment; filename=cities\.geojson;/);
      const csv = await q("SELECT cartodb_id, name, population FROM cities ORDER BY name", undefined, "&format=csv&skipfields=cartodb_id");
      expect(csv.status).to.equal(200);
      expect(csv.headers["content-type"]).to.match(/^text\/csv/);
      expect(csv.text).to.equal("name,population\r\nMadrid,3223000\r\nParis,2161000\r\n");
      const sk = await ok("SELECT cartodb_id, name FROM cities ORDER BY name LIMIT 1");
      const skipped = await q("SELECT cartodb_id, name FROM cities ORDER BY name LIMIT 1", undefined, "&skipfields=cartodb_id");
      expect(Object.keys(sk.fields)).to.deep.equal(["cartodb_id", "name"]);
      expect(skipped.body.rows).to.deep.equal([{ name: "Madrid" }]);
      expect(Object.keys(skipped.body.fields)).to.deep.equal(["name"]);
      const shp = await q("SELECT 1", undefined, "&format=shp");
      expect(shp.status).to.equal(400);
      expect(shp.body.error[0]).to.contain("shp");
      const nope = await q("SELECT 1", undefined, "&format=xlsx");
      expect(nope.body.error).to.deep.equal(["Invalid format: xlsx"]);
    });

    it("answers a statement past the user's timeout with 429 detail 'datasource' and rolls it back", async () => {
      await ok("CREATE TABLE slow_target (a int)");
      h.server.state.config.statementTimeoutMs = 50;
      const r = await q("INSERT INTO slow_target SELECT 1 FROM pg_sleep(0.2)");
      expect(r.status).to.equal(429);
      expect(r.body).to.deep.equal({ error: [C.CARTO_MESSAGES.timeout], context: "limit", detail: "datasource" });
      expect(r.headers["retry-after"]).to.equal(undefined);
      h.server.state.config.statementTimeoutMs = 0;
      expect((await ok("SELECT count(*) AS n FROM slow_target")).rows).to.deep.equal([{ n: 0 }]);
    });

    it("rate-limits per endpoint group: Carto-Rate-Limit-* headers, then 429 'rate-limit' with Retry-After", async () => {
      h.server.state.config.rateLimits = { query: { limit: 2, periodSeconds: 60 } };
      const a = await q("SELECT 1");
      expect(a.headers["carto-rate-limit-limit"]).to.equal("2");
      expect(a.headers["carto-rate-limit-remaining"]).to.equal("1");
      await q("SELECT 1");
      const blocked = await q("SELECT 1");
      expect(blocked.status).to.equal(429);
      expect(blocked.body).to.deep.equal({ error: [C.CARTO_MESSAGES.rateLimit], context: "limit", detail: "rate-limit" });
      expect(Number(blocked.headers["retry-after"])).to.be.greaterThan(0);
      expect(blocked.headers["carto-rate-limit-remaining"]).to.equal("0");
      // another group has its own budget
      const job = await call("GET", "/api/v2/sql/job/00000000-0000-0000-0000-000000000000");
      expect(job.status).to.equal(404);
    });
  });

  describe("API keys (/api/v3/api_keys) backed by PostgreSQL roles", () => {
    it("creates a regular key with grants (201), whose role can read only what it was granted", async () => {
      await ok("CREATE TABLE secret_stuff (x int); INSERT INTO secret_stuff VALUES (42)");
      const grants = [
        { type: "apis", apis: ["sql"] },
        { type: "database", tables: [{ schema: "public", name: "cities", permissions: ["select"] }] },
      ];
      const created = await call("POST", "/api/v3/api_keys", { json: { name: "reader", grants } });
      expect(created.status, created.text).to.equal(201);
      expect(C.ApiKey.safeParse(created.body).success).to.equal(true);
      expect(created.body).to.include({ name: "reader", type: "regular" });
      const token = created.body.token;
      const read = await q("SELECT name FROM cities ORDER BY name", { key: token });
      expect(read.status).to.equal(200);
      expect(read.body.rows.length).to.equal(2);
      const denied = await q("SELECT * FROM secret_stuff", { key: token });
      expect(denied.status).to.equal(403);
      expect(denied.body.error[0]).to.equal("permission denied for table secret_stuff");
      const write = await q("DELETE FROM cities", { basic: [user, token] });
      expect(write.status).to.equal(403);
      const pgTables = await q("SELECT * FROM pg_stat_activity", { key: token });
      expect(pgTables.status).to.equal(403);
      // a regular key cannot use the Auth API or batch jobs
      expect((await call("GET", "/api/v3/api_keys", { auth: { key: token } })).status).to.equal(403);
      expect((await call("POST", "/api/v2/sql/job", { json: { query: "SELECT 1" }, auth: { key: token } })).status).to.equal(403);

      const list = await call("GET", "/api/v3/api_keys?per_page=2");
      expect(C.ApiKeyList.safeParse(list.body).success).to.equal(true);
      expect(list.body.total).to.equal(3);
      expect(list.body.count).to.equal(2);
      const got = await call("GET", "/api/v3/api_keys/reader");
      expect(got.body.grants).to.deep.equal(grants);

      const regen = await call("POST", "/api/v3/api_keys/reader/token/regenerate");
      expect(regen.status).to.equal(200);
      expect(regen.body.token).to.not.equal(token);
      expect((await q("SELECT 1", { key: token })).status).to.equal(401);
      expect((await q("SELECT count(*) FROM cities", { key: regen.body.token })).status).to.equal(200);

      const del = await call("DELETE", "/api/v3/api_keys/reader");
      expect(del.status).to.equal(200);
      expect((await call("GET", "/api/v3/api_keys/reader")).status).to.equal(404);
      expect((await q("SELECT 1", { key: regen.body.token })).status).to.equal(401);
      expect((await call("DELETE", `/api/v3/api_keys/${encodeURIComponent("Master")}`)).status).to.equal(422);
    });

    it("refuses bad grants with 422 (unknown permission, missing table) and needs the master key", async () => {
      const bad = await call("POST", "/api/v3/api_keys", { json: { name: "bad", grants: [{ type: "apis", apis: ["sql"] }, { type: "database", tables: [{ schema: "public", name: "cities", permissions: ["drop"] }] }] } });
      expect(bad.status).to.equal(422);
      const missing = await call("POST", "/api/v3/api_keys", { json: { name: "bad2", grants: [{ type: "apis", apis: ["sql"] }, { type: "database", tables: [{ schema: "public", name: "no_such_table", permissions: ["select"] }] }] } });
      expect(missing.status).to.equal(422);
      expect(JSON.stringify(missing.body)).to.contain("no_such_table");
      expect((await call("GET", "/api/v3/api_keys/bad2")).status).to.equal(404);
      const unauth = await call("GET", "/api/v3/api_keys", { auth: { key: "nope" } });
      expect(unauth.status).to.equal(401);
    });
  });

  describe("batch jobs (/api/v2/sql/job)", () => {
    it("creates a job with 201 and runs it asynchronously to done", async () => {
      await ok("CREATE TABLE nasdaq (company text, price text); INSERT INTO nasdaq VALUES ('CARTO', '$1.00')");
      const r = await call("POST", "/api/v2/sql/job", { json: { query: "UPDATE nasdaq SET price = '$101.00' WHERE company = 'CARTO'" } });
      expect(r.status, r.text).to.equal(201);
      expect(C.Job.safeParse(r.body).success).to.equal(true);
      expect(r.body).to.include({ user, status: "pending", query: "UPDATE nasdaq SET price = '$101.00' WHERE company = 'CARTO'" });
      const done = await waitJob(r.body.job_id);
      expect(done.status).to.equal("done");
      expect((await ok("SELECT price FROM nasdaq")).rows).to.deep.equal([{ price: "$101.00" }]);
    });

    it("fails a job with failed_reason; a multi-query job marks each query", async () => {
      const r = await call("POST", "/api/v2/sql/job", { json: { query: ["UPDATE nasdaq SET price = 'x'", "SELECT * FROM wrong_table", "UPDATE nasdaq SET price = 'never'"] } });
      const j = await waitJob(r.body.job_id);
      expect(j.status).to.equal("failed");
      expect(j.failed_reason).to.equal('relation "wrong_table" does not exist');
      expect(j.query.map((x: any) => x.status)).to.deep.equal(["done", "failed", "pending"]);
      expect(j.query[1].failed_reason).to.equal('relation "wrong_table" does not exist');
      expect((await ok("SELECT price FROM nasdaq")).rows).to.deep.equal([{ price: "x" }]);
    });

    it("runs fallbacks with the <%= job_id %> and <%= error_message %> templates", async () => {
      await ok("CREATE TABLE errors_log (job_id text, error_message text, date timestamptz); CREATE TABLE market_status (table_name text, status text)");
      const body = {
        query: {
          query: [
            { query: "UPDATE wrong_table SET price = '$100.00'", onerror: "INSERT INTO errors_log (job_id, error_message, date) VALUES ('<%= job_id %>', '<%= error_message %>', NOW())" },
            { query: "SELECT 1", onsuccess: "SELECT 2" },
          ],
          onsuccess: "INSERT INTO market_status VALUES ('all', 'updated')",
          onerror: "INSERT INTO market_status VALUES ('all', 'outdated')",
        },
      };
      const r = await call("POST", "/api/v2/sql/job", { json: body });
      expect(r.status).to.equal(201);
      const j = await waitJob(r.body.job_id);
      expect(j.status).to.equal("failed");
      expect(j.fallback_status).to.equal("done");
      expect(j.query.query[0]).to.include({ status: "failed", fallback_status: "done" });
      expect(j.query.query[1]).to.include({ status: "skipped", fallback_status: "skipped" });
      const log = await ok("SELECT job_id, error_message FROM errors_log");
      expect(log.rows).to.deep.equal([{ job_id: r.body.job_id, error_message: 'relation "wrong_table" does not exist' }]);
      expect((await ok("SELECT status FROM market_status")).rows).to.deep.equal([{ status: "outdated" }]);
    });

    it("fails a query that runs past its own timeout, rolling it back", async () => {
      await ok("CREATE TABLE job_timeout (a int)");
      const r = await call("POST", "/api/v2/sql/job", { json: { query: { query: [{ query: "INSERT INTO job_timeout SELECT 1 FROM pg_sleep(0.2)", timeout: 50 }] } } });
      const j = await waitJob(r.body.job_id);
      expect(j.status).to.equal("failed");
      expect(j.failed_reason).to.equal("canceling statement due to statement timeout");
      expect((await ok("SELECT count(*) AS n FROM job_timeout")).rows).to.deep.equal([{ n: 0 }]);
    });

    it("cancels a pending job (status 'cancelled'); a finished job cannot be cancelled", async () => {
      h.server.state.config.jobStartDelayMs = 2_000; // jobs stay pending long enough to be cancelled
      const slow = await call("POST", "/api/v2/sql/job", { json: { query: "SELECT pg_sleep(0.1)" } });
      const queued = await call("POST", "/api/v2/sql/job", { json: { query: "UPDATE nasdaq SET price = 'cancelled?'" } });
      const del = await call("DELETE", `/api/v2/sql/job/${queued.body.job_id}`);
      h.server.state.config.jobStartDelayMs = 10;
      expect(del.status, del.text).to.equal(200);
      expect(del.body.status).to.equal("cancelled");
      await waitJob(slow.body.job_id);
      expect((await call("GET", `/api/v2/sql/job/${queued.body.job_id}`)).body.status).to.equal("cancelled");
      expect((await ok("SELECT price FROM nasdaq")).rows).to.deep.equal([{ price: "x" }]);
      const again = await call("DELETE", `/api/v2/sql/job/${slow.body.job_id}`);
      expect(again.status).to.equal(400);
      expect(again.body.error).to.deep.equal(["Cannot set status from done to cancelled"]);
    });

    it("enforces the 16 KB payload and the queued-jobs limits, and refuses bodies without a query", async () => {
      const big = await call("POST", "/api/v2/sql/job", { json: { query: `SELECT '${"x".repeat(17_000)}'` } });
      expect(big.status).to.equal(400);
      expect(big.body.error[0]).to.match(/^Your payload is too large: \d+ bytes\. Max size allowed is 16384 bytes \(16kb\)/);
      const none = await call("POST", "/api/v2/sql/job", { json: { q: "SELECT 1" } });
      expect(none.status).to.equal(400);
      expect(none.body.error).to.deep.equal(["You must indicate a valid SQL"]);
      h.server.state.config.maxQueuedJobs = 1;
      h.server.state.config.jobStartDelayMs = 2_000;
      try {
        const first = await call("POST", "/api/v2/sql/job", { json: { query: "SELECT 1" } });
        expect(first.status).to.equal(201);
        const refused = await call("POST", "/api/v2/sql/job", { json: { query: "SELECT 2" } });
        expect(refused.status).to.equal(400);
        expect(refused.body.error).to.deep.equal(["Max number of jobs (1) queued reached"]);
        h.server.state.config.jobStartDelayMs = 10;
        await waitJob(first.body.job_id);
      } finally {
        h.server.state.config.maxQueuedJobs = C.JOB_LIMITS.maxQueuedJobs;
        h.server.state.config.jobStartDelayMs = 10;
      }
    });

    it("forgets finished jobs after the TTL (then 404 'Job with id … not found')", async () => {
      const r = await call("POST", "/api/v2/sql/job", { json: { query: "SELECT 1" } });
      await waitJob(r.body.job_id);
      h.server.state.config.jobTtlMs = 1;
      await new Promise((res) => setTimeout(res, 5));
      try {
        const gone = await call("GET", `/api/v2/sql/job/${r.body.job_id}`);
        expect(gone.status).to.equal(404);
        expect(gone.body.error).to.deep.equal([`Job with id ${r.body.job_id} not found`]);
      } finally {
        h.server.state.config.jobTtlMs = C.JOB_LIMITS.finishedTtlMs;
      }
    });
  });

  describe("COPY (/api/v2/sql/copyfrom, /copyto)", () => {
    before(async () => ok("CREATE TABLE upload_example (the_geom geometry, name text, age int)"));

    const copyFrom = (sql: string, raw: string | Buffer | Readable, headers: Record<string, string> = {}) =>
      call("POST", `/api/v2/sql/copyfrom?q=${encodeURIComponent(sql)}`, { raw, headers: { "content-type": "application/octet-stream", ...headers } });

    it("streams a chunked CSV body in and answers {time, total_rows}", async () => {
      const lines = ["the_geom,name,age", ...Array.from({ length: 5000 }, (_v, i) => `SRID=4326;POINT(${i % 180} 1),"name, ${i}",${i % 90}`)];
      const body = Readable.from((function* () {
        for (let i = 0; i < lines.length; i += 700) yield Buffer.from(lines.slice(i, i + 700).join("\n") + "\n");
      })());
      const r = await copyFrom("COPY upload_example (the_geom, name, age) FROM STDIN WITH (FORMAT csv, HEADER true)", body);
      expect(r.status, r.text).to.equal(200);
      expect(C.CopyFromResult.safeParse(r.body).success).to.equal(true);
      expect(r.body.total_rows).to.equal(5000);
      expect((await ok("SELECT count(*) AS n, max(age) AS a FROM upload_example")).rows).to.deep.equal([{ n: 5000, a: 89 }]);
    });

    it("splits a large body into several COPY batches without losing or duplicating rows (quoted newlines kept)", async () => {
      await ok("CREATE TABLE big_copy (id int, note text)");
      const row = (i: number) => `${i},"line one\nline two ${"y".repeat(200)}"\n`;
      const body = Readable.from((function* () {
        let chunk = "id,note\n";
        for (let i = 0; i < 30_000; i++) {
          chunk += row(i);
          if (chunk.length > 64 * 1024) {
            yield Buffer.from(chunk);
            chunk = "";
          }
        }
        yield Buffer.from(chunk);
      })());
      const r = await copyFrom("COPY big_copy FROM STDIN WITH (FORMAT csv, HEADER true)", body);
      expect(r.status, r.text).to.equal(200);
      expect(r.body.total_rows).to.equal(30_000);
      expect((await ok("SELECT count(*) AS n, count(DISTINCT id) AS d, min(id) AS lo, max(id) AS hi FROM big_copy WHERE note LIKE 'line one%'")).rows).to.deep.equal([{ n: 30_000, d: 30_000, lo: 0, hi: 29_999 }]);
    });

    it("accepts a gzip body; refuses broken gzip, zero rows, non-COPY SQL, and rolls back a failing batch", async () => {
      const gz = gzipSync(Buffer.from("the_geom,name,age\nSRID=4326;POINT(1 1),gz,7\n"));
      const r = await copyFrom("COPY upload_example (the_geom, name, age) FROM STDIN WITH (FORMAT csv, HEADER true)", gz, { "content-encoding": "gzip" });
      expect(r.status, r.text).to.equal(200);
      expect(r.body.total_rows).to.equal(1);
      const broken = await copyFrom("COPY upload_example (name) FROM STDIN WITH (FORMAT csv)", Buffer.from("not gzip at all"), { "content-encoding": "gzip" });
      expect(broken.status).to.equal(400);
      expect(broken.body.error[0]).to.match(/^Error while gunzipping: /);
      const empty = await copyFrom("COPY upload_example (name) FROM STDIN WITH (FORMAT csv, HEADER true)", "name\n");
      expect(empty.status).to.equal(400);
      expect(empty.body.error).to.deep.equal(["No rows copied"]);
      const notCopy = await copyFrom("SELECT 1", "x\n");
      expect(notCopy.body.error).to.deep.equal(["SQL must start with COPY"]);
      const noSql = await call("POST", "/api/v2/sql/copyfrom", { raw: "x" });
      expect(noSql.body.error).to.deep.equal(["SQL is missing"]);
      const before = (await ok("SELECT count(*) AS n FROM upload_example")).rows[0].n;
      const bad = await copyFrom("COPY upload_example (name, age) FROM STDIN WITH (FORMAT csv)", "a,1\nb,not-a-number\n");
      expect(bad.status).to.equal(400);
      expect(bad.body.error[0]).to.match(/invalid input syntax for type integer/);
      expect((await ok("SELECT count(*) AS n FROM upload_example")).rows[0].n).to.equal(before);
    });

    it("refuses COPY FROM over the database quota", async () => {
      h.server.state.config.quotaBytes = 1;
      try {
        const r = await copyFrom("COPY upload_example (name) FROM STDIN WITH (FORMAT csv)", "q\n");
        expect(r.status).to.equal(400);
        expect(r.body.error).to.deep.equal(["DB Quota exceeded"]);
      } finally {
        h.server.state.config.quotaBytes = 0;
      }
    });

    it("streams COPY TO out with Content-Disposition (GET and POST)", async () => {
      const sql = "COPY (SELECT name, age FROM upload_example WHERE name = 'gz') TO stdout WITH (FORMAT csv, HEADER true)";
      const r = await call("GET", `/api/v2/sql/copyto?q=${encodeURIComponent(sql)}&filename=out.csv`);
      expect(r.status).to.equal(200);
      expect(r.headers["content-type"]).to.equal("application/octet-stream");
      expect(r.headers["content-disposition"]).to.equal("attachment; filename=out.csv");
      expect(r.text).to.equal("name,age\ngz,7\n");
      const p = await call("POST", "/api/v2/sql/copyto", { json: { q: sql } });
      expect(p.headers["content-disposition"]).to.equal(`attachment; filename=${C.COPYTO_DEFAULT_FILENAME}`);
      expect(p.text).to.equal("name,age\ngz,7\n");
    });
  });

  describe("the vendor's own examples, unchanged but for the host", () => {
    const exec = promisify(execFile);
    const run = async (cmd: string) => (await exec("bash", ["-c", cmd.replace(/https:\/\/\{?username\}?\.carto\.com/g, h.url).replace(/\{api_key\}/g, master)], { cwd: tmp })).stdout;
    let tmp: string;
    before(async () => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), "carto-curl-"));
      fs.writeFileSync(path.join(tmp, "upload_example.csv"), "the_geom,name,age\nSRID=4326;POINT(-126 54),North West,89\nSRID=4326;POINT(-96 34),South East,99\n");
      fs.writeFileSync(path.join(tmp, "upload_example.csv.gz"), gzipSync(fs.readFileSync(path.join(tmp, "upload_example.csv"))));
      await ok("GRANT SELECT ON cities TO carto_publicuser"); // a public dataset: the OpenAPI's samples send no key
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("OpenAPI: GET and POST /sql (count of cities, with filename)", async () => {
      const get = JSON.parse(await run(`curl -s -X GET "https://username.carto.com/api/v2/sql?q=SELECT%20count(*)%20FROM%20cities"`));
      expect(get.rows).to.deep.equal([{ count: 2 }]);
      const post = await exec("bash", ["-c", `curl -s -i -X POST -H "Content-Type: application/json" -d '{ "q": "SELECT count(*) FROM cities", "filename": "number_of_cities.json" }' "${h.url}/api/v2/sql"`]);
      expect(post.stdout).to.match(/content-disposition: attachment; filename=number_of_cities\.json/i);
      expect(post.stdout).to.contain('"rows":[{"count":2}]');
    });

    it("COPY guide: chunked upload, gzip upload and the --compressed download", async () => {
      const plain = JSON.parse(
        await run(`curl -s -X POST -H "Transfer-Encoding: chunked" -H "Content-Type: application/octet-stream" --data-binary @upload_example.csv "https://{username}.carto.com/api/v2/sql/copyfrom?api_key={api_key}&q=COPY+upload_example+(the_geom,+name,+age)+FROM+STDIN+WITH+(FORMAT+csv,+HEADER+true)"`),
      );
      expect(plain.total_rows).to.equal(2);
      const gz = JSON.parse(
        await run(`curl -s -X POST -H "Content-Encoding: gzip" -H "Transfer-Encoding: chunked" -H "Content-Type: application/octet-stream" --data-binary @upload_example.csv.gz "https://{username}.carto.com/api/v2/sql/copyfrom?api_key={api_key}&q=COPY+upload_example+(the_geom,+name,+age)+FROM+STDIN+WITH+(FORMAT+csv,+HEADER+true)"`),
      );
      expect(gz.total_rows).to.equal(2);
      await run(`curl -s --output upload_example_dl.csv --compressed "https://{username}.carto.com/api/v2/sql/copyto?q=COPY+upload_example+(the_geom,name,age)+TO+stdout+WITH(FORMAT+csv,HEADER+true)&api_key={api_key}"`);
      const dl = fs.readFileSync(path.join(tmp, "upload_example_dl.csv"), "utf8");
      expect(dl.split("\n")[0]).to.equal("the_geom,name,age");
      expect(dl.match(/North West,89/g)?.length).to.equal(2);
    });

    it("Batch guide: create with the master key, read and cancel by id", async () => {
      const created = JSON.parse(await run(`curl -s -X POST -H "Content-Type: application/json" -d '{
  "query": "UPDATE nasdaq SET price = 1"
}' "https://{username}.carto.com/api/v2/sql/job?api_key={api_key}"`));
      expect(created.status).to.equal("pending");
      const got = JSON.parse(await run(`curl -s -X GET "https://{username}.carto.com/api/v2/sql/job/${created.job_id}?api_key={api_key}"`));
      expect(got.job_id).to.equal(created.job_id);
      const del = JSON.parse(await run(`curl -s -X DELETE "https://{username}.carto.com/api/v2/sql/job/${created.job_id}?api_key={api_key}"`));
      expect(["cancelled", "done"]).to.include(del.status === undefined ? "done" : del.status);
    });
  });

  describe("wire contract and faults", () => {
    it("every JSON answer seen in this file parses with the contract's schema for its route", () => {
      const problems: string[] = [];
      let checked = 0;
      for (const a of answers) {
        let body: any;
        try {
          body = a.text ? JSON.parse(a.text) : undefined;
        } catch {
          continue; // CSV
        }
        const p = (a.pattern ?? a.path).replace(/^\/user\/:user/, "");
        const auth = p.startsWith("/api/v3/");
        let schema: { safeParse(v: unknown): { success: boolean; error?: unknown } } | undefined;
        if (a.status >= 400) schema = auth ? C.AuthApiError : C.ErrorResponse;
        else if (p === C.CARTO_ROUTES.sql) schema = body?.type === "FeatureCollection" ? undefined : C.SqlResult;
        else if (p === C.CARTO_ROUTES.jobs || p === C.CARTO_ROUTES.job) schema = C.Job;
        else if (p === C.CARTO_ROUTES.copyFrom) schema = C.CopyFromResult;
        else if (p === C.CARTO_ROUTES.apiKeys) schema = a.method === "GET" ? C.ApiKeyList : C.ApiKey;
        else if (p === C.CARTO_ROUTES.apiKey || p === C.CARTO_ROUTES.apiKeyRegenerate) schema = C.ApiKey;
        if (!schema) continue;
        checked++;
        const r = schema.safeParse(body);
        if (!r.success) problems.push(`${a.method} ${p} → ${a.status}: ${a.text.slice(0, 200)}`);
      }
      expect(problems).to.deep.equal([]);
      expect(checked).to.be.greaterThan(50);
    });

    it("injects faults through the framework: a 503 in the vendor's error shape, a connection dropped after a job was created", async () => {
      h.faults({ rules: [{ method: "GET", path: "^/api/v2/sql$", status: 503, times: 1 }] });
      const r = await q("SELECT 1");
      expect(r.status).to.equal(503);
      expect(r.body.error[0]).to.contain("503");
      expect((await q("SELECT 1")).status).to.equal(200);
      const before = Object.keys(h.server.state.jobs).length;
      h.faults({ rules: [{ method: "POST", path: "^/api/v2/sql/job$", drop: "after", times: 1 }] });
      const dropped = await call("POST", "/api/v2/sql/job", { json: { query: "SELECT 1" } }).catch((e: Error) => e);
      expect(dropped).to.be.instanceOf(Error);
      expect(Object.keys(h.server.state.jobs).length).to.equal(before + 1);
      h.faults({});
    });
  });

  describe("request log, state and restart", () => {
    it("redacts the key in Basic auth, in api_key of the query string and of the body", async () => {
      await q("SELECT 1", { key: master });
      await call("POST", "/api/v2/sql", { json: { q: "SELECT 1", api_key: master }, auth: { none: true } });
      const log = JSON.stringify(h.server.log);
      expect(log).to.not.contain(master);
      expect(log).to.contain("api_key=%5BREDACTED%5D");
      await h.server.close().catch(() => undefined);
      const file = fs.readFileSync(path.join(h.stateDir, "carto.requests.jsonl"), "utf8");
      expect(file).to.not.contain(master);
      expect(file.length).to.be.greaterThan(0);
    });

    it("keeps tables, keys and jobs across a restart on the same state directory", async () => {
      const again = await startEmulator<CartoState>("carto", { stateDir: h.stateDir });
      try {
        const r = await request(`${again.url}/api/v2/sql?q=${encodeURIComponent("SELECT count(*) AS n FROM cities")}&api_key=${master}`);
        expect(JSON.parse(await r.body.text()).rows).to.deep.equal([{ n: 2 }]);
        expect(Object.keys(again.server.state.jobs).length).to.be.greaterThan(0);
        expect(Object.values(again.server.state.jobs).every((j) => j.status !== "running")).to.equal(true);
      } finally {
        await again.stop();
      }
    });
  });
});
