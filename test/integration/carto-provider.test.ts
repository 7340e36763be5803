/**
 * The CARTO provider against the emulator over real HTTP (one emulator for the file: PostGIS loads
 * once): what the conformance suite does not cover — the credential check, a statement timeout
 * (429 datasource) failing at once, a dataset's geometry kept in sync, a view rejected at preview by
 * EXPLAIN, an API key limited to what it was granted, a gzip CSV loaded and its drift seen, a
 * batch job's failure with its reason, and a job sent by an interrupted run followed, not re-sent.
 */
import { expect } from "chai";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { startEmulator } from "../helpers/emulators";
import type { EmulatorHarness } from "../../emulator/framework/definition";
import { buildHandlers } from "../../provider/framework/engine";
import { vendorNamed } from "../../provider/registry";
import { CartoApi } from "../../provider/carto/api";
import { cartoTable } from "../../provider/carto/table";
import { cartoView } from "../../provider/carto/view";
import { cartoApiKey } from "../../provider/carto/apiKey";
import { cartoGrant } from "../../provider/carto/grant";
import { cartoLoadedData } from "../../provider/carto/loadedData";
import { cartoBatchJob, runHash } from "../../provider/carto/batchJob";
import { DRIFT_MARKER } from "../../provider/framework/loaded-data";
import { checkAndCreate } from "../helpers/handlers";

describe("carto provider against the emulator", function () {
  this.timeout(300_000);
  let emu: EmulatorHarness<any>;
  let api: CartoApi;
  let dir: string;
  const progress: string[] = [];
  const make = (settings: Record<string, string>) => vendorNamed("carto").createApi(settings as never) as CartoApi;
  const handlers = (spec: unknown) => buildHandlers(spec as Parameters<typeof buildHandlers>[0], () => api, (m) => progress.push(m));

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "carto-int-"));
    process.env.PULUMI_WAREHOUSE_JOURNAL_DIR = path.join(dir, "journal");
    emu = await startEmulator("carto");
    api = make(emu.settings);
  });
  after(async () => {
    delete process.env.PULUMI_WAREHOUSE_JOURNAL_DIR;
    await api?.http.close();
    await emu?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("verify: a wrong key fails naming the setting; the right one passes", async () => {
    await vendorNamed("carto").verify!(api);
    const wrong = make({ ...emu.settings, apiKey: "not-the-key" });
    const e = await vendorNamed("carto").verify!(wrong).catch((x) => x);
    expect(e.message).to.contain("warehouse:cartoApiKey").and.not.contain("not-the-key");
    await wrong.http.close();
  });

  it("a statement past the account's timeout is a 429 datasource: failed at once, not retried, pointing at BatchJob", async () => {
    const server = emu.server as { state: { config: { statementTimeoutMs: number } } };
    const before = server.state.config.statementTimeoutMs;
    server.state.config.statementTimeoutMs = 1;
    try {
      const sent = emu.requests().length;
      const e = await api.sql("SELECT count(*) FROM generate_series(1, 300000)").catch((x) => x);
      expect(e.kind).to.equal("rate_limited");
      expect(e.message).to.contain("carto.BatchJob");
      expect(emu.requests().length - sent).to.equal(1);
    } finally {
      server.state.config.statementTimeoutMs = before;
    }
  });

  it("a dataset keeps the_geom_webmercator in sync; server spellings never drift", async () => {
    const h = handlers(cartoTable);
    const t = await checkAndCreate(h, { name: "int_places", dataset: true, columns: [{ name: "name", type: "varchar(20)" }, { name: "n", type: "int4" }] });
    await api.sql("INSERT INTO public.int_places (name, n, the_geom) VALUES ('a', 1, 'SRID=4326;POINT(2.35 48.85)')");
    const row = (await api.rows("SELECT cartodb_id, ST_SRID(the_geom_webmercator) AS srid, round(ST_X(the_geom_webmercator)) AS x FROM public.int_places"))[0];
    expect([Number(row.cartodb_id), Number(row.srid), Number(row.x)]).to.deep.equal([1, 3857, 261601]);
    const r = await h.read(t.id, t.outs);
    expect((await h.diff(t.id, r.props!, t.inputs)).changes).to.equal(false);
    await h.delete(t.id, t.outs);
  });

  it("an account that forbids catalog tables even to the master key: tables and views still read (from fields and catalog functions)", async () => {
    const server = emu.server as { state: { config: { validatePGEntitiesAccess: boolean } } };
    server.state.config.validatePGEntitiesAccess = true;
    try {
      expect((await api.sql("SELECT count(*) FROM pg_class").catch((x) => x)).message).to.contain("system tables are forbidden");
      const h = handlers(cartoTable);
      const t = await checkAndCreate(h, { name: "int_hard", columns: [{ name: "id", type: "int8", nullable: false }, { name: "label", type: "varchar(20)" }, { name: "g", type: "geometry(Point,4326)" }] });
      const r = await h.read(t.id, t.outs);
      expect((await h.diff(t.id, r.props!, t.inputs)).changes, "no drift read from fields").to.equal(false);
      await api.sql("ALTER TABLE public.int_hard ADD COLUMN by_hand integer");
      const r2 = await h.read(t.id, r.props!);
      expect((await h.diff(t.id, r2.props!, t.inputs)).changes, "a column added by hand is seen").to.equal(true);
      const v = await checkAndCreate(handlers(cartoView), { name: "int_hard_v", sql: "SELECT id FROM public.int_hard" });
      expect((await handlers(cartoView).read(v.id, v.outs)).id).to.equal(v.id);
      await handlers(cartoView).delete(v.id, v.outs);
      await h.delete(t.id, t.outs);
    } finally {
      server.state.config.validatePGEntitiesAccess = false;
    }
  });

  it("a view whose query the engine rejects fails at preview with PostgreSQL's message; nothing is written", async () => {
    await api.sql("CREATE TABLE public.int_v_base (id integer)");
    const sent = emu.requests().length;
    const c = await handlers(cartoView).check({}, { name: "int_v", sql: "SELECT id, nickname FROM public.int_v_base" });
    expect(c.failures.map((f) => f.reason).join(" ")).to.contain("nickname").and.contain("does not exist");
    const writes = emu.requests().slice(sent).filter((r) => r.method === "POST" && r.path === "/api/v2/sql");
    expect(writes.length, "only the EXPLAIN").to.equal(1);
    await api.sql("DROP TABLE public.int_v_base");
  });

  it("an API key reads what it was granted, is refused the rest; a Grant to its role adds a table", async () => {
    await api.sql("CREATE TABLE public.int_open (a integer); CREATE TABLE public.int_closed (a integer); INSERT INTO public.int_open VALUES (1); INSERT INTO public.int_closed VALUES (2)");
    const k = await checkAndCreate(handlers(cartoApiKey), { name: "int-key", tables: [{ name: "int_open", permissions: ["select"] }] });
    expect(k.outs.token).to.be.a("string").and.not.equal("");
    expect(k.outs.role).to.be.a("string").and.not.equal("");
    const asKey = api.withKey(k.outs.token);
    try {
      expect(await asKey.rows("SELECT a FROM public.int_open")).to.deep.equal([{ a: 1 }]);
      const denied = await asKey.rows("SELECT a FROM public.int_closed").catch((x) => x);
      expect(denied.kind).to.equal("auth");
      expect(denied.message).to.contain("permission denied");
      const g = await checkAndCreate(handlers(cartoGrant), { table: "int_closed", role: k.outs.role, privileges: ["select"] });
      expect(await asKey.rows("SELECT a FROM public.int_closed")).to.deep.equal([{ a: 2 }]);
      await handlers(cartoGrant).delete(g.id, g.outs);
      expect((await asKey.rows("SELECT a FROM public.int_closed").catch((x) => x)).kind).to.equal("auth");
    } finally {
      await asKey.http.close();
    }
    await handlers(cartoApiKey).delete(k.id, k.outs);
    expect(await api.getApiKey("int-key")).to.equal(undefined);
    await api.sql("DROP TABLE public.int_open; DROP TABLE public.int_closed");
  });

  it("loads a gzip CSV through COPY FROM (sent compressed), sees rows deleted by hand, reloads", async () => {
    await api.sql("CREATE TABLE public.int_load (name text, kind text, capacity integer, the_geom geometry(Point,4326))");
    const csv = fs.readFileSync(path.resolve(__dirname, "../../../examples/carto-geo/data/stations.csv"));
    const file = path.join(dir, "stations.csv.gz");
    fs.writeFileSync(file, zlib.gzipSync(csv));
    const h = handlers(cartoLoadedData);
    const l = await checkAndCreate(h, { table: "int_load", file, onDestroy: "drop" });
    expect(l.outs.rowCount).to.equal(8);
    expect(l.outs.contentHash).to.equal(createHash("sha256").update(fs.readFileSync(file)).digest("hex"));
    const copy = emu.requests().filter((r) => r.path === "/api/v2/sql/copyfrom");
    expect(copy.length).to.equal(1);
    await api.sql("DELETE FROM public.int_load WHERE kind = 'metro'");
    const r = await h.read(l.id, l.outs);
    expect(String(r.props!.contentHash)).to.contain(DRIFT_MARKER);
    const u = await h.update(l.id, r.props!, l.inputs);
    expect(u.outs.rowCount).to.equal(8);
    await h.delete(l.id, u.outs);
    expect(await api.rows("SELECT to_regclass('public.int_load') AS t")).to.deep.equal([{ t: null }]);
  });

  it("a failing batch job fails with CARTO's failed_reason; a job sent by an interrupted run is followed, not sent again", async () => {
    const h = handlers(cartoBatchJob);
    const bad = await h.check({}, { name: "int-bad", queries: [{ query: "INSERT INTO public.int_nowhere VALUES (1)" }] });
    const e = await h.create(bad.inputs).catch((x) => x);
    expect(e.message).to.match(/batch job int-bad \(\S+\) failed/).and.contain("int_nowhere");

    // An earlier run sent the job and was killed while waiting: its journal line holds the job id.
    const inputs = (await h.check({}, { name: "int-followed", queries: [{ query: "CREATE TABLE public.int_followed AS SELECT 1 AS one" }] })).inputs;
    const job = await api.createJob({ query: [{ query: "CREATE TABLE public.int_followed AS SELECT 1 AS one" }] });
    const journal = fs.readdirSync(path.join(dir, "journal")).find((f) => f.startsWith("carto-batch-"))!;
    fs.appendFileSync(path.join(dir, "journal", journal), JSON.stringify({ name: "int-followed", runHash: runHash(inputs as never), runId: "x", jobId: job.job_id, state: "sent" }) + "\n");
    const posts = emu.requests().filter((r) => r.method === "POST" && r.path === "/api/v2/sql/job").length;
    const c = await h.create(inputs);
    expect(c.outs.jobId).to.equal(job.job_id);
    expect(emu.requests().filter((r) => r.method === "POST" && r.path === "/api/v2/sql/job").length, "no job sent").to.equal(posts);
    expect(progress.join("\n")).to.contain("following it instead of sending it again");
    await api.sql("DROP TABLE public.int_followed");
  });
});
