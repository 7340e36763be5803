/**
 * The Alation provider against its emulator over HTTP: the token flow (mint, reuse, renew before
 * expiry, renew once on "Invalid API token", never echoed), and the create-only Query: datasource
 * by title, idempotent create (identical adopted, different refused naming it), changes refused
 * at preview without allowReplace, replacement with the old query reported by AbandonedQueries,
 * drift of UI edits, unsaved edits as outputs; and the SDK lookups.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AlationApi } from "../../provider/alation/api";
import { query } from "../../provider/alation/query";
import { abandonedQueries } from "../../provider/alation/abandonedQueries";
import { buildHandlers, Handlers } from "../../provider/framework/engine";
import { checkAndCreate } from "../helpers/handlers";
import { startAlation, RunningAlation } from "../helpers/alation";
import { DEFAULT_ALATION_REFRESH_TOKEN } from "../../emulator/alation";
import { setEnv, settingsToEnv } from "../helpers/emulators";
import * as lookups from "../../sdk/alation/lookups";

async function fails(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a failure");
}

describe("Alation provider", function () {
  this.timeout(60_000);
  let a: RunningAlation;
  let ledgerDir: string;
  const apis: AlationApi[] = [];
  const api = (extra: Partial<ConstructorParameters<typeof AlationApi>[1]> = {}, settings: Record<string, string> = a.settings) => {
    const x = new AlationApi(settings as any, { ledgerDir, ...extra });
    apis.push(x);
    return x;
  };
  const mints = () => a.requests().filter((r) => r.path === "/integration/v1/createAPIAccessToken/").length;

  before(async () => {
    a = await startAlation();
    ledgerDir = fs.mkdtempSync(path.join(os.tmpdir(), "alation-ledger-"));
  });
  after(async () => {
    for (const x of apis) await x.close();
    await a?.stop();
  });

  describe("tokens", () => {
    it("mints one access token from the refresh token and reuses it", async () => {
      const before = mints();
      const c = api();
      await c.datasources();
      await c.listQueries();
      await c.listQueries({ published: true });
      expect(mints() - before).to.equal(1);
    });

    it("renews the access token before it expires (client clock)", async () => {
      await a.call("PUT", "/_alation/config", { json: { accessTokenLifetimeSeconds: 100 } });
      let now = Date.now();
      const c = api({ clock: () => now });
      await c.listQueries();
      const before = mints();
      now += 50_000;
      await c.listQueries();
      expect(mints() - before, "half-way: the same token").to.equal(0);
      now += 45_000; // 95 s of 100: inside the renewal margin
      const forbidden = a.requests().filter((r) => r.status === 403).length;
      await c.listQueries();
      expect(mints() - before, "renewed before it expired").to.equal(1);
      expect(a.requests().filter((r) => r.status === 403).length, "no call was refused").to.equal(forbidden);
      await a.call("PUT", "/_alation/config", { json: { accessTokenLifetimeSeconds: 86400 } });
    });

    it("renews once when Alation answers 403 Invalid API token (expired early, or revoked)", async () => {
      const c = api();
      await c.listQueries();
      await a.call("POST", "/integration/v1/revokeAPIAccessTokens/", { json: { refresh_token: DEFAULT_ALATION_REFRESH_TOKEN, user_id: 1 } });
      const before = a.requests().length;
      const list = await c.listQueries();
      expect(list).to.be.an("array");
      const seen = a.requests().slice(before).map((r) => `${r.status} ${r.path}`);
      expect(seen).to.deep.equal(["403 /integration/v1/query/", "201 /integration/v1/createAPIAccessToken/", "200 /integration/v1/query/"]);
    });

    it("a refused refresh token fails naming the settings, never echoing it", async () => {
      const c = api({}, { ...a.settings, refreshToken: "not-the-refresh-token-123" });
      const e = await fails(c.listQueries());
      expect(e.message).to.match(/warehouse:alationRefreshToken/);
      expect(e.message).to.match(/Refresh token provided is invalid/);
      expect(e.message).to.not.include("not-the-refresh-token-123");
    });

    it("uses a configured access token as is; missing settings name what to set", async () => {
      const token = await a.token();
      const c = api({}, { endpoint: a.url, accessToken: token });
      const before = mints();
      await c.listQueries();
      expect(mints()).to.equal(before);
      expect(() => new AlationApi({ endpoint: a.url } as any)).to.throw(/warehouse:alationRefreshToken.*warehouse:alationUserId.*warehouse:alationAccessToken/);
      expect(() => new AlationApi({ endpoint: a.url, refreshToken: "x" } as any)).to.throw(/warehouse:alationUserId/);
    });

    it("never logs a token", async () => {
      const lines: string[] = [];
      await a.call("PUT", "/_alation/config", { json: { accessTokenLifetimeSeconds: 100 } });
      const c = api({ log: (l) => lines.push(l), retry: { baseDelayMs: 1, maxDelayMs: 2 } });
      a.faults({ rules: [{ method: "GET", status: 503, times: 2 }] });
      await c.listQueries();
      a.faults({});
      await a.call("PUT", "/_alation/config", { json: { accessTokenLifetimeSeconds: 86400 } });
      expect(lines.length).to.be.greaterThan(0);
      const text = lines.join("\n");
      expect(text).to.not.include(DEFAULT_ALATION_REFRESH_TOKEN);
      const minted = a.emu.state.accessTokens; // hashes only
      expect(Object.keys(minted).length).to.be.greaterThan(0);
    });
  });

  describe("Query", () => {
    let h: Handlers;
    let report: Handlers;
    const base = { datasource: "Emulator warehouse", title: "Revenue by user", content: "SELECT user_id, sum(amount) AS revenue FROM orders GROUP BY user_id ORDER BY user_id", tags: ["@finance"], domains: [1], published: true };
    let first: { id: string; outs: Record<string, any>; inputs: Record<string, any> };

    before(() => {
      const c = api();
      h = buildHandlers(query, () => c, () => undefined);
      report = buildHandlers(abandonedQueries, () => c, () => undefined);
    });

    it("resolves the data source by title at preview; an unknown title lists the data sources", async () => {
      const ok = await h.check({}, base);
      expect(ok.failures).to.deep.equal([]);
      expect(ok.inputs.datasourceId).to.equal(1);
      const bad = await h.check({}, { ...base, datasource: "Nope" });
      expect(bad.failures[0].reason).to.match(/no data source is titled "Nope"; the data sources are "Emulator warehouse" \(1\), "Analytics sandbox" \(2\)/);
      const badId = await h.check({}, { ...base, datasource: undefined, datasourceId: 7 });
      expect(badId.failures[0].reason).to.match(/no data source has id 7/);
    });

    it("creates once; an identical create adopts it instead of duplicating", async () => {
      first = await checkAndCreate(h, base);
      expect(first.outs.queryId).to.equal(Number(first.id));
      expect(first.outs.url).to.equal(`${a.url}/query/${first.id}/`);
      expect(first.outs.hasUnsavedChanges).to.equal(false);
      const posts = () => a.requests().filter((r) => r.method === "POST" && r.path === "/integration/v1/query/").length;
      const before = posts();
      const again = await checkAndCreate(h, base);
      expect(again.id).to.equal(first.id);
      expect(posts()).to.equal(before);
    });

    it("a different query with the same title is refused at preview, naming it; nothing is created", async () => {
      const before = a.requests().filter((r) => r.method === "POST").length;
      const c = await h.check({}, { ...base, content: "SELECT 1" });
      expect(c.failures).to.have.length(1);
      expect(c.failures[0].reason).to.include(`query ${first.id} titled "Revenue by user" on data source 1 (${a.url}/query/${first.id}/)`);
      expect(c.failures[0].reason).to.include("differs from the declared one in content");
      const e = await fails(h.create({ ...first.inputs, content: "SELECT 1" }));
      expect(e.message).to.include(`query ${first.id}`);
      expect(a.requests().filter((r) => r.method === "POST").length).to.equal(before);
    });

    it("shows a title edited in the UI on refresh; unsaved edits are outputs, never drift", async () => {
      await a.call("PATCH", `/_alation/query/${first.id}`, { json: { autosave_content: "SELECT 'draft'" } });
      const r1 = await h.read(first.id, first.outs);
      expect(r1.props!.hasUnsavedChanges).to.equal(true);
      expect(r1.props!.unsavedContent).to.equal("SELECT 'draft'");
      expect((await h.diff(first.id, r1.props!, first.inputs)).changes, "an unsaved edit is not drift").to.equal(false);
      await a.call("PATCH", `/_alation/query/${first.id}`, { json: { title: "Revenue by user (edited)" } });
      const r2 = await h.read(first.id, r1.props!);
      expect(r2.inputs!.title).to.equal("Revenue by user (edited)");
      const d = await h.diff(first.id, r2.props!, first.inputs);
      expect(d.changes).to.equal(true);
      // Putting the title back is a change Alation cannot make in place: refused at preview.
      const c = await h.check(r2.inputs!, first.inputs);
      expect(c.failures.map((f) => f.field)).to.deep.equal(["title"]);
      expect(c.failures[0].reason).to.include(`query ${first.id} (${a.url}/query/${first.id}/) would stay in Alation`);
      expect(c.failures[0].reason).to.include("set allowReplace: true");
      await a.call("PATCH", `/_alation/query/${first.id}`, { json: { title: "Revenue by user", autosave_content: base.content } });
      first.outs = (await h.read(first.id, r2.props!)).props!;
    });

    it("with allowReplace, a change makes a new query; the old one is forgotten and listed as abandoned", async () => {
      const live = (o: Record<string, any>) => ({ queries: [{ id: o.queryId, url: o.url, title: o.title }] });
      const rep = await checkAndCreate(report, live(first.outs));
      expect(rep.outs.abandoned).to.deep.equal([]);
      const changed = { ...base, content: `${base.content};\nSELECT count(*) FROM orders`, allowReplace: true };
      const c = await h.check(first.inputs, changed);
      expect(c.failures).to.deep.equal([]);
      const d = await h.diff(first.id, first.outs, c.inputs);
      expect(d.replaces).to.include("content");
      expect(d.deleteBeforeReplace).to.equal(true);
      await h.delete(first.id, first.outs); // the engine forgets the old one first
      const second = await h.create(c.inputs);
      expect(second.id).to.not.equal(first.id);
      expect((await a.call("GET", `/integration/v1/query/${first.id}/`, { token: await a.token() })).status, "the old query still exists").to.equal(200);
      const u = await report.update(rep.id, rep.outs, { ...rep.inputs, ...live(second.outs) });
      expect(u.outs.abandoned).to.have.length(1);
      expect(u.outs.abandoned[0]).to.include({ id: Number(first.id), url: `${a.url}/query/${first.id}/`, title: "Revenue by user" });
      expect(u.outs.count).to.equal(1);
      // A catalog admin deletes it in the UI; refresh drops it from the report.
      await a.call("DELETE", `/_alation/query/${first.id}`);
      const r = await report.read(rep.id, u.outs);
      expect(r.props!.abandoned).to.deep.equal([]);
      // The new query's create did not take the abandoned one for itself even though the title is the same.
      const again = await checkAndCreate(h, { ...base, content: changed.content });
      expect(again.id).to.equal(second.id);
    });
  });

  describe("SDK lookups", () => {
    let restoreEnv = () => {};
    before(() => (restoreEnv = setEnv(settingsToEnv("alation", a.settings))));
    after(() => restoreEnv());

    it("reads data sources, a query, its latest result as rows, its sessions, batches and events, and scheduled runs", async () => {
      expect((await lookups.getDatasources()).map((d) => d.id)).to.deep.equal([1, 2]);
      expect((await lookups.getDatasource({ title: "Analytics sandbox" })).id).to.equal(2);
      await fails(lookups.getDatasource({ title: "missing" }));
      const token = await a.token();
      const q = (await a.call("POST", "/integration/v1/query/", { token, json: { datasource_id: 2, title: "Countries", content: "SELECT country, count(*) AS n FROM users GROUP BY country ORDER BY country" } })).body;
      expect((await lookups.getQuery({ id: q.id })).title).to.equal("Countries");
      await fails(lookups.getQueryResult({ queryId: q.id }));
      await a.call("POST", `/_alation/query/${q.id}/execute`);
      const res = await lookups.getQueryResult({ queryId: q.id });
      expect(res.columns).to.deep.equal(["country", "n"]);
      expect(res.rows).to.deep.equal([
        { country: "GB", n: "2" },
        { country: "NL", n: "1" },
        { country: "US", n: "2" },
      ]);
      expect(res.executionEvent.execution_error).to.equal(null);
      expect((await lookups.getExecutionSessions({ queryId: q.id })).length).to.equal(1);
      expect((await lookups.getExecutionBatches({ queryId: q.id })).length).to.equal(1);
      expect((await lookups.getExecutionEvents({ queryId: q.id, filters: { index_in_batch: 0 } })).length).to.equal(1);
      expect(await lookups.getScheduledRuns({ queryId: q.id })).to.deep.equal([]);
      expect((await lookups.getQueries({ filters: { title__icontains: "countr" } })).map((x) => x.id)).to.deep.equal([q.id]);
    });
  });
});
