/** CARTO provider, without a vendor: the client's error handling against a scripted server, the kinds' rules and statements. */
import { expect } from "chai";
import * as fs from "node:fs";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { CartoApi, cartoBaseUrl, createCartoHttp } from "../../provider/carto/api";
import { alterStatements, cartoTableInputs, convertsInPlace, createStatements, typeChangesNeedingReplace } from "../../provider/carto/table";
import { cartoBatchJobInputs, jobQuery, runHash, runMarker } from "../../provider/carto/batchJob";
import { cartoApiKeyInputs, grantsBody, grantsOf } from "../../provider/carto/apiKey";
import { cartoLoadedDataInputs } from "../../provider/carto/loadedData";
import { cartoTable } from "../../provider/carto/table";
import { cartoLoadedData } from "../../provider/carto/loadedData";
import { buildHandlers } from "../../provider/framework/engine";
import { gunzipHead, csvHeader } from "../../provider/framework/loaded-data";
import { POSTGRES, render, sql } from "../../provider/sql";

type Reply = { status: number; body: unknown; headers?: Record<string, string> };

/** A scripted CARTO: answers each request with the next reply, recording what came. */
async function scripted(replies: Reply[]) {
  const seen: { method: string; url: string; auth?: string; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
      const r = replies.shift() ?? { status: 500, body: { error: ["no more replies"] } };
      res.writeHead(r.status, { "content-type": "application/json", ...(r.headers ?? {}) });
      res.end(JSON.stringify(r.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const settings = { user: "alice", endpoint: url, apiKey: "master-key-1234" };
  const api = new CartoApi(createCartoHttp(settings, { retry: { baseDelayMs: 1, maxDelayMs: 2 } }), settings);
  return { api, seen, close: async () => { await api.http.close(); server.close(); } };
}

async function failure(p: Promise<unknown>): Promise<Error & { kind?: string; status?: number }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { kind?: string };
  }
  throw new Error("expected a failure");
}

describe("carto client (scripted server)", () => {
  it("sends the key by Basic auth only (never in the URL or the body) and the statement as q with format json", async () => {
    const s = await scripted([{ status: 200, body: { rows: [{ n: 1 }], time: 0.001, fields: { n: { type: "number", pgtype: "int4" } }, total_rows: 1 } }]);
    try {
      const rows = await s.api.rows(sql`SELECT 1 AS n`);
      expect(rows).to.deep.equal([{ n: 1 }]);
      expect(s.seen[0].auth).to.equal(`Basic ${Buffer.from("alice:master-key-1234").toString("base64")}`);
      expect(s.seen[0].url).to.equal("/api/v2/sql");
      expect(JSON.parse(s.seen[0].body)).to.deep.equal({ q: "SELECT 1 AS n", format: "json" });
    } finally {
      await s.close();
    }
  });

  it("an error appended after streamed rows (HTTP 200) fails the call, typed by the PostgreSQL mapping", async () => {
    const s = await scripted([{ status: 200, body: { rows: [{ a: 1 }], time: 0.1, fields: {}, total_rows: 1, error: ['relation "gone" does not exist'] } }]);
    try {
      const e = await failure(s.api.rows(sql`SELECT a FROM gone`));
      expect(e.kind).to.equal("not_found");
      expect(e.message).to.contain("HTTP 200").and.contain("does not exist");
    } finally {
      await s.close();
    }
  });

  it("a 400 engine error is typed (duplicate → conflict, syntax → validation) and carries the hint", async () => {
    const s = await scripted([
      { status: 400, body: { error: ['relation "t" already exists'] } },
      { status: 400, body: { error: ["function st_buffer(geometry) does not exist"], hint: "No function matches the given name and argument types." } },
    ]);
    try {
      expect((await failure(s.api.sql(sql`CREATE TABLE t (a int)`))).kind).to.equal("conflict");
      const e = await failure(s.api.sql(sql`SELECT 1`));
      expect(e.message).to.contain("st_buffer").and.contain("hint: No function matches");
    } finally {
      await s.close();
    }
  });

  it("a statement timeout (429, detail datasource) fails at once, saying to use a batch job; a rate limit (detail rate-limit) is retried after Retry-After", async () => {
    const timeout = { status: 429, body: { error: ["You are over platform's limits: SQL query timeout error."], context: "limit", detail: "datasource" } };
    const limited = { status: 429, body: { error: ["You are over platform's limits. Please contact us to know more details"], context: "limit", detail: "rate-limit" }, headers: { "retry-after": "0" } };
    const ok = { status: 200, body: { rows: [], time: 0, fields: {}, total_rows: 0 } };
    const s = await scripted([timeout, limited, ok]);
    try {
      const e = await failure(s.api.sql(sql`SELECT pg_sleep(100)`));
      expect(e.kind).to.equal("rate_limited");
      expect(e.message).to.contain("statement timeout").and.contain("carto.BatchJob");
      expect(s.seen.length, "the timeout is not retried").to.equal(1);
      await s.api.sql(sql`SELECT 1`);
      expect(s.seen.length, "the rate limit is retried once").to.equal(3);
    } finally {
      await s.close();
    }
  });

  it("only the vendor's own not-found is 'gone': a missing job or key yes, an unknown user no; the key never shows in errors", async () => {
    const s = await scripted([
      { status: 404, body: { error: ["Job with id 42 not found"] } },
      { status: 404, body: { errors: "Not found" } },
      { status: 404, body: { error: ["Sorry, we can't find CARTO user 'alice'. Please check that you have entered the correct domain."] } },
      { status: 401, body: { error: ["Unauthorized master-key-1234"] } },
    ]);
    try {
      expect(await s.api.getJob("42")).to.equal(undefined);
      expect(await s.api.getApiKey("k")).to.equal(undefined);
      const wrongUser = await failure(s.api.getJob("43"));
      expect(wrongUser.kind).to.equal("unexpected");
      const refused = await failure(s.api.sql(sql`SELECT 1`));
      expect(refused.kind).to.equal("auth");
      expect(refused.message).to.contain("warehouse:cartoApiKey").and.not.contain("master-key-1234");
    } finally {
      await s.close();
    }
  });

  it("the base URL defaults to https://<user>.carto.com; an endpoint (on premise, emulator) replaces it", () => {
    expect(cartoBaseUrl({ user: "alice" })).to.equal("https://alice.carto.com");
    expect(cartoBaseUrl({ user: "alice", endpoint: "https://maps.example.org/user/alice/" })).to.equal("https://maps.example.org/user/alice");
  });
});

describe("carto.Table (unit)", () => {
  const base = { name: "t", columns: [{ name: "id", type: "int4", nullable: false }, { name: "g", type: "geometry(point,4326)" }], primaryKey: ["id"] };

  it("canonical PostgreSQL spellings (int4 → integer, geometry subtypes) and defaults", () => {
    const t = cartoTableInputs.parse(base);
    expect(t.schema).to.equal("public");
    expect(t.columns.map((c) => c.type)).to.deep.equal(["integer", "geometry(Point,4326)"]);
  });

  it("type changes: widening and same-family conversions in place, casts needing USING or another SRID replace", () => {
    expect(convertsInPlace("integer", "bigint")).to.equal(true);
    expect(convertsInPlace("bigint", "integer")).to.equal(true); // narrowing: in place, but data-losing
    expect(convertsInPlace("text", "integer")).to.equal(false);
    expect(convertsInPlace("geometry(Point,4326)", "geometry(Geometry,4326)")).to.equal(true);
    expect(convertsInPlace("geometry(Point,4326)", "geometry(Point,3857)")).to.equal(false);
    expect(typeChangesNeedingReplace([{ name: "a", type: "text" }], [{ name: "a", type: "integer" }])).to.deep.equal(["a text → integer"]);
    expect(typeChangesNeedingReplace([{ name: "a", type: "integer" }], [{ name: "a", type: "bigint" }, { name: "b", type: "text" }])).to.deep.equal([]);
  });

  it("creates a dataset with CARTO's columns and GiST indexes; refuses a dataset column declared by hand", () => {
    const t = cartoTableInputs.parse({ name: "places", dataset: true, columns: [{ name: "name", type: "text" }] });
    const text = createStatements(t).map((s) => render(s, POSTGRES)).join(";\n");
    expect(text).to.contain("cartodb_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
    expect(text).to.contain("the_geom_webmercator geometry(Geometry,3857) GENERATED ALWAYS AS (ST_Transform(the_geom, 3857)) STORED");
    expect(text).to.contain('CREATE INDEX "places_the_geom_idx" ON "public"."places" USING gist ("the_geom")');
    const bad = cartoTableInputs.safeParse({ name: "places", dataset: true, columns: [{ name: "the_geom", type: "geometry" }] });
    expect(bad.success).to.equal(false);
  });

  it("alter statements: add, widen, comment, index changes; in one script", () => {
    const olds = cartoTableInputs.parse(base);
    const news = cartoTableInputs.parse({ ...base, columns: [...base.columns, { name: "n", type: "text", comment: "new" }], indexes: [{ name: "t_g", columns: ["g"], method: "gist" }] });
    const text = alterStatements(olds, news).map((s) => render(s, POSTGRES));
    expect(text).to.deep.equal([
      'ALTER TABLE "public"."t" ADD COLUMN "n" text',
      `COMMENT ON COLUMN "public"."t"."n" IS 'new'`,
      'CREATE INDEX "t_g" ON "public"."t" USING gist ("g")',
    ]);
  });

  it("check refuses a narrowing without allowDataLoss and a text → integer change without allowReplace, at preview, without calling CARTO", async () => {
    const h = buildHandlers(cartoTable, () => {
      throw new Error("CARTO must not be called");
    });
    const olds = (await h.check({}, { ...base, columns: [{ name: "id", type: "bigint", nullable: false }, { name: "label", type: "text" }] })).inputs;
    const narrow = await h.check(olds, { ...base, columns: [{ name: "id", type: "integer", nullable: false }, { name: "label", type: "text" }] });
    expect(narrow.failures.map((f) => f.reason).join(" ")).to.contain("this change would lose data").and.contain("allowDataLoss");
    const convert = await h.check(olds, { ...base, allowDataLoss: true, columns: [{ name: "id", type: "bigint", nullable: false }, { name: "label", type: "integer" }] });
    expect(convert.failures.map((f) => f.reason).join(" ")).to.contain("allowReplace: true");
    const dropped = await h.check(olds, { ...base, columns: [{ name: "id", type: "bigint", nullable: false }] });
    expect(dropped.failures.map((f) => f.reason).join(" ")).to.contain("drop column label and all its data");
  });
});

describe("carto.BatchJob, carto.ApiKey, carto.LoadedData (unit)", () => {
  it("marks the job's first query with the run id, keeps fallbacks, and hashes what runs (not the wait)", () => {
    const i = cartoBatchJobInputs.parse({ name: "j", queries: [{ query: "UPDATE t SET a = 1", onerror: "INSERT INTO log VALUES ('<%= error_message %>')" }, { query: "ANALYZE t" }], onsuccess: "SELECT 1" });
    const q = jobQuery(i, "7c9e6679-7425-40de-944b-e07fc1f90ae7");
    expect(q.query[0].query).to.equal(`${runMarker("7c9e6679-7425-40de-944b-e07fc1f90ae7")} UPDATE t SET a = 1`);
    expect(q.query[0].onerror).to.contain("<%= error_message %>");
    expect(q.query[1].query).to.equal("ANALYZE t");
    expect(q.onsuccess).to.equal("SELECT 1");
    expect(runHash(i)).to.equal(runHash({ ...i, timeoutSeconds: 5 } as typeof i));
    expect(runHash(i)).to.not.equal(runHash({ ...i, trigger: "x" }));
  });

  it("refuses a job over CARTO's 16 KB and error_message outside onerror", () => {
    const big = cartoBatchJobInputs.safeParse({ name: "j", queries: [{ query: `SELECT '${"x".repeat(17_000)}'` }] });
    expect(big.success).to.equal(false);
    expect(JSON.stringify(big.error?.issues)).to.contain("16 KB");
    expect(cartoBatchJobInputs.safeParse({ name: "j", queries: [{ query: "SELECT '<%= error_message %>'" }] }).success).to.equal(false);
  });

  it("API key grants round-trip through the Auth API's shape", () => {
    const i = cartoApiKeyInputs.parse({ name: "k", tables: [{ name: "places", permissions: ["select"] }], dataservices: ["geocoding"] });
    const body = grantsBody(i);
    expect(body).to.deep.equal([
      { type: "apis", apis: ["sql"] },
      { type: "database", tables: [{ schema: "public", name: "places", permissions: ["select"] }] },
      { type: "dataservices", services: ["geocoding"] },
    ]);
    const back = grantsOf({ name: "k", type: "regular", token: "t", grants: body as never, created_at: "", updated_at: "" });
    expect(back).to.deep.equal({ apis: ["sql"], tables: [{ schema: "public", name: "places", permissions: ["select"] }], schemas: [], dataservices: ["geocoding"] });
  });

  it("reads the header of a gzip CSV from its first bytes; a file with only a header fails at preview without calling CARTO", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "carto-unit-"));
    try {
      const gz = zlib.gzipSync(Buffer.from("name;kind\n" + "a;b\n".repeat(100_000)));
      expect(csvHeader(gunzipHead(gz.subarray(0, 200)))).to.deep.equal(["name", "kind"]);
      const empty = path.join(dir, "empty.csv");
      fs.writeFileSync(empty, "name,kind\n");
      const h = buildHandlers(cartoLoadedData, () => {
        throw new Error("CARTO must not be called");
      });
      const c = await h.check({}, { table: "t", file: empty });
      expect(c.failures.map((f) => f.reason).join(" ")).to.contain("No rows copied");
      expect(cartoLoadedDataInputs.safeParse({ table: "t", file: "x.csv", header: false }).success).to.equal(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("carto: what export never lists (provider/carto/catalog.ts)", () => {
  it("CARTO's and PostgreSQL's own schemas and relations are system objects; a user's are not", async () => {
    const { isSystemObject } = await import("../../provider/carto/catalog");
    for (const [schema, name] of [["cartodb", "cdb_conf"], ["information_schema", "tables"], ["pg_catalog", "pg_class"], ["pg_temp_3", "t"], ["public", "spatial_ref_sys"], ["public", "geometry_columns"], ["public", "pg_stats_x"], ["topology", "layer"]]) {
      expect(isSystemObject(schema, name), `${schema}.${name}`).to.equal(true);
    }
    for (const [schema, name] of [["public", "stores"], ["analyst", "parcels"], ["public", "cartodb_export"]]) expect(isSystemObject(schema, name), `${schema}.${name}`).to.equal(false);
  });

  it("a serial column's default as the catalog reads it (what export declares) passes check", () => {
    const t = cartoTableInputs.safeParse({ name: "events", columns: [{ name: "id", type: "bigint", nullable: false, defaultValue: "nextval('events_id_seq'::regclass)" }], primaryKey: ["id"] });
    expect(t.success, JSON.stringify(t.error?.issues)).to.equal(true);
  });
});
