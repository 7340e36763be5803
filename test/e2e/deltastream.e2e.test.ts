/**
 * End to end with the real CLI against the DeltaStream emulator, deploying the estate of
 * examples/deltastream-streaming (a Kafka store, database and schema, a source stream and a
 * changelog counted by a running query on a compute pool, a role with grants) plus a secret — create, no-op second up, events produced into the source arriving counted in the
 * sink, out-of-band UPDATE STORE / owner change / DROP / TERMINATE seen on refresh and repaired by
 * up, a changed query replaced with the old one terminated first, bad input and a data-losing change
 * refused at preview with no write reaching the emulator, no secret in the state, destroy leaving
 * the emulator's catalog empty.
 */
import { expect } from "chai";
import { request } from "undici";
import { startEmulator, settingsToConfigMap } from "../helpers/emulators";
import { inlineStack, TestStack, appendOutputOnFailure } from "../helpers/pulumi";
import type { EmulatorHarness } from "../../emulator/framework/definition";
import { DeltaStreamApi, createDeltaStreamHttp } from "../../provider/deltastream/api";
import { ident, name, sql } from "../../provider/sql/builder";
import { poll } from "../../provider/framework/poll";
import { deltastream } from "../../sdk";
import { COUNT_VIEWS_SQL, estate } from "../../examples/deltastream-streaming/estate";

const KAFKA_PASSWORD = "e2e-kafka-password-7f3a";
const SECRET_VALUE = "e2e-secret-value-91c2";

interface Desired {
  querySql: string;
  allowReplace: boolean;
  /** Extra column on the source stream (a change that drops and recreates it). */
  extraColumn: boolean;
  /** A broken store input (refused at preview). */
  brokenStore: boolean;
}

const COUNT_SQL_FILTERED = COUNT_VIEWS_SQL.replace(' GROUP BY', ' WHERE "pageid" <> \'/health\' GROUP BY');

/** The example's estate (examples/deltastream-streaming/estate.ts), plus a secret. */
function program(d: Desired) {
  return async () => {
    estate({
      kafkaPassword: KAFKA_PASSWORD,
      omitKafkaPassword: d.brokenStore,
      databaseOwner: "sysadmin",
      querySql: d.querySql,
      allowQueryReplace: d.allowReplace,
      extraSourceColumn: d.extraColumn,
    });
    new deltastream.Secret("webhook", { name: "webhook_token", value: SECRET_VALUE, description: "for the alerting webhook" });
  };
}

describe("e2e: DeltaStream with the real pulumi CLI", function () {
  this.timeout(600_000);
  let emu: EmulatorHarness;
  let api: DeltaStreamApi;
  let ts: TestStack;
  let out = "";
  const desired: Desired = { querySql: COUNT_VIEWS_SQL, allowReplace: false, extraColumn: false, brokenStore: false };
  const collect = (s: string) => (out += s);
  const use = (d: Partial<Desired>) => (ts.stack.workspace.program = program(Object.assign(desired, d)));
  const admin = async (method: "GET" | "POST", path: string, body?: unknown) => {
    const res = await request(emu.url + path, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    return (await res.body.json()) as any;
  };
  /** The SQL of every statement the emulator received, in order. */
  const statements = async (): Promise<string[]> =>
    ((await admin("GET", "/_emulator/requests")) as { method: string; path: string; body?: any }[])
      .filter((r) => r.method === "POST" && r.path === "/v2/statements")
      .map((r) => String(r.body?.statement ?? r.body?.request?.statement ?? ""));
  const WRITE = /^\s*(CREATE|DROP|ALTER|UPDATE|INSERT|TERMINATE|GRANT|REVOKE|START|STOP|BEGIN)\b/i;
  const liveQueries = async () => (await api.rows(sql`SELECT id, current_state FROM deltastream.sys.${ident("queries")}`)).filter((q) => q.current_state !== "terminated");

  before(async () => {
    emu = await startEmulator("deltastream");
    api = new DeltaStreamApi(createDeltaStreamHttp(emu.settings as any), { organization: emu.settings.organization, role: emu.settings.role, apiToken: emu.settings.apiToken });
    ts = await inlineStack("deltastream", program(desired), settingsToConfigMap("deltastream", emu.settings));
  });
  after(async () => {
    await ts?.dispose();
    await api?.http.close();
    await emu?.stop();
  });
  beforeEach(() => (out = ""));
  appendOutputOnFailure(() => out);

  it("up creates the estate; a second up and a refresh change nothing", async () => {
    const r = await ts.stack.up({ onOutput: collect });
    expect(r.summary.resourceChanges).to.deep.equal({ create: 13 });
    expect(await liveQueries()).to.have.length(1);
    expect((await ts.stack.up({ onOutput: collect })).summary.resourceChanges).to.deep.equal({ same: 13 });
    expect((await ts.stack.refresh({ onOutput: collect })).summary.resourceChanges).to.deep.equal({ same: 13 });
  });

  it("events produced into the source topic arrive, counted, in the changelog", async () => {
    const records = ["/home", "/home", "/cart", "/health"].map((pageid, i) => ({ value: { viewtime: 1700000000000 + i, userid: `u${i}`, pageid } }));
    await admin("POST", "/_emulator/deltastream/produce", { store: "events_kafka", entity: "pageviews", records });
    const counts = await poll({
      what: "the counts in views_per_page",
      check: async () => {
        await admin("POST", "/_emulator/deltastream/tick");
        const rows = await api.rows(sql`SELECT ${ident("pageid")}, ${ident("views")} FROM ${name("shop", "analytics", "views_per_page")}`);
        return Object.fromEntries(rows.map((r) => [String(r.pageid), Number(r.views)]));
      },
      until: (c) => c["/home"] === 2 && c["/cart"] === 1,
      timeoutMs: 60_000,
    });
    expect(counts).to.deep.equal({ "/home": 2, "/cart": 1, "/health": 1 });
  });

  it("out-of-band UPDATE STORE, owner change, DROP and TERMINATE show on refresh and up repairs them", async () => {
    await api.statement(sql`UPDATE STORE ${ident("events_kafka")} WITH ('uris' = 'changed-by-hand.e2e.test:9092')`);
    await api.statement(sql`ALTER DATABASE ${ident("shop")} OWNER TO ${ident("orgadmin")}`);
    await api.statement(sql`DROP SECRET ${ident("webhook_token")}`);
    const [q] = await liveQueries();
    await api.statement(sql`TERMINATE QUERY ${ident(String(q.id))}`);
    await poll({ what: "the query to terminate", check: liveQueries, until: (l) => l.length === 0, timeoutMs: 60_000 });

    const r = await ts.stack.refresh({ onOutput: collect });
    expect(r.summary.resourceChanges).to.deep.equal({ same: 9, update: 2, delete: 2 });
    const u = await ts.stack.up({ onOutput: collect });
    expect(u.summary.resourceChanges).to.deep.equal({ same: 9, update: 2, create: 2 });
    const store = (await api.rows(sql`SELECT uris, status FROM deltastream.sys.${ident("stores")} WHERE name = 'events_kafka'`))[0];
    expect(store).to.deep.equal({ uris: "kafka-1.example.internal:9092,kafka-2.example.internal:9092", status: "ready" });
    expect((await api.rows(sql`SELECT ${ident("owner")} FROM deltastream.sys.${ident("databases")} WHERE name = 'shop'`))[0].owner).to.equal("sysadmin");
    expect(await api.rows(sql`SELECT name FROM deltastream.sys.${ident("secrets")}`)).to.deep.equal([{ name: "webhook_token" }]);
    const live = await liveQueries();
    expect(live).to.have.length(1);
    expect(live[0].id).to.not.equal(q.id);
    expect((await ts.stack.preview({ onOutput: collect })).changeSummary).to.deep.equal({ same: 13 });
  });

  it("bad input and a data-losing change fail at preview; no write reaches the emulator", async () => {
    const before = (await statements()).length;
    use({ brokenStore: true });
    let err = await ts.stack.preview({ onOutput: collect }).catch((e) => e);
    expect(`${err.message}\n${out}`).to.contain("deltastream.Store").and.contain("credentials").and.contain("needs username and password");
    use({ brokenStore: false, extraColumn: true });
    out = "";
    err = await ts.stack.preview({ onOutput: collect }).catch((e) => e);
    expect(`${err.message}\n${out}`).to.contain("drops and recreates the stream shop.analytics.pageviews").and.contain("allowDataLoss: true");
    const writes = (await statements()).slice(before).filter((s) => WRITE.test(s));
    expect(writes, "statements that write, sent by preview").to.deep.equal([]);
    use({ extraColumn: false });
  });

  it("a changed query needs allowReplace; with it the old query is terminated before the new one starts", async () => {
    use({ querySql: COUNT_SQL_FILTERED });
    const err = await ts.stack.preview({ onOutput: collect }).catch((e) => e);
    expect(`${err.message}\n${out}`).to.contain("terminates the query").and.contain("allowReplace: true");
    const [old] = await liveQueries();
    use({ allowReplace: true });
    const before = (await statements()).length;
    const u = await ts.stack.up({ onOutput: collect });
    expect(u.summary.resourceChanges).to.deep.equal({ same: 12, replace: 1 });
    const sent = (await statements()).slice(before);
    const terminated = sent.findIndex((s) => /^TERMINATE QUERY/i.test(s));
    const started = sent.findIndex((s) => /^INSERT INTO/i.test(s));
    expect(terminated, sent.join("\n")).to.be.greaterThan(-1);
    expect(terminated, "TERMINATE before the new INSERT INTO").to.be.lessThan(started);
    const live = await liveQueries();
    expect(live).to.have.length(1);
    expect(live[0].id).to.not.equal(old.id);
  });

  it("the state holds no credential in plaintext; destroy leaves the emulator's catalog empty", async () => {
    const state = ts.backendText();
    expect(state).not.to.contain(KAFKA_PASSWORD);
    expect(state).not.to.contain(SECRET_VALUE);
    expect(state).not.to.contain(emu.settings.apiToken);
    const d = await ts.stack.destroy({ onOutput: collect });
    expect(d.summary.resourceChanges).to.deep.equal({ delete: 13 });
    for (const table of ["databases", "stores", "relations", "compute_pools", "secrets", "grants"]) {
      const rows = await api.rows(sql`SELECT * FROM deltastream.sys.${ident(table)}`);
      const mine = table === "databases" ? rows.filter((r) => r.is_default !== true) : table === "grants" ? rows.filter((r) => r.grantee_role === "analysts") : rows;
      expect(mine, table).to.deep.equal([]);
    }
    expect(await liveQueries()).to.deep.equal([]);
    expect((await api.rows(sql`SELECT name FROM deltastream.sys.${ident("roles")} WHERE name = 'analysts'`)).length).to.equal(0);
  });
});
