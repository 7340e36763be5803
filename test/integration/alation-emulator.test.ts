/**
 * The Alation emulator speaks the Queries API of the vendor doc over real HTTP: every endpoint,
 * its filters, paging and errors, the token flow, executions on a real DuckDB data source,
 * schedules in emulator time, persistence and the redacted request log. Answers are checked
 * against the wire contract (provider/alation/contract.ts).
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import * as C from "../../provider/alation/contract";
import { startAlation, RunningAlation } from "../helpers/alation";
import { DEFAULT_ALATION_REFRESH_TOKEN } from "../../emulator/alation";

const Q = "/integration/v1/query/";

describe("Alation emulator", function () {
  this.timeout(60_000);
  let a: RunningAlation;
  let admin: string;
  let analyst: string;

  before(async () => {
    a = await startAlation();
    admin = await a.token();
    analyst = await a.token("analyst");
  });
  after(async () => a?.stop());

  const create = async (body: Record<string, unknown>, token = admin) => a.call("POST", Q, { token, json: { datasource_id: 1, ...body } });
  const list = async (qs: string, p = Q) => a.call("GET", `${p}${qs ? `?${qs}` : ""}`, { token: admin });
  const ids = (r: { body: { id: number }[] }) => r.body.map((x) => x.id);

  describe("authentication", () => {
    it("refuses a missing token and an unknown one with the documented 403 bodies", async () => {
      const none = await a.call("GET", Q, { token: null });
      expect(none.status).to.equal(403);
      expect(none.body).to.deep.equal({ detail: "Missing API token." });
      const bad = await a.call("GET", Q, { token: "not-a-token" });
      expect(bad.status).to.equal(403);
      expect(bad.body).to.deep.equal({ detail: "Invalid API token." });
    });

    it("reads the TOKEN header in any case", async () => {
      for (const name of ["TOKEN", "Token", "token"]) {
        const r = await a.call("GET", Q, { headers: { [name]: admin } });
        expect(r.status, name).to.equal(200);
      }
    });

    it("mints access tokens from a refresh token, validates them, and refuses a wrong refresh token with 401", async () => {
      const minted = await a.call("POST", "/integration/v1/createAPIAccessToken/", { json: { refresh_token: DEFAULT_ALATION_REFRESH_TOKEN, user_id: 1 } });
      expect(minted.status).to.equal(201);
      C.AccessToken.parse(minted.body);
      expect(minted.body.token_status).to.equal("ACTIVE");
      const life = Date.parse(minted.body.token_expires_at) - Date.parse(minted.body.created_at);
      expect(life).to.equal(24 * 3600 * 1000);
      const v = await a.call("POST", "/integration/v1/validateAPIAccessToken/", { json: { api_access_token: minted.body.api_access_token, user_id: 1 } });
      expect(v.status).to.equal(200);
      expect(v.body.token_status).to.equal("ACTIVE");
      const wrongUser = await a.call("POST", "/integration/v1/createAPIAccessToken/", { json: { refresh_token: DEFAULT_ALATION_REFRESH_TOKEN, user_id: 2 } });
      expect(wrongUser.status).to.equal(401);
      expect(wrongUser.body).to.deep.equal({ detail: "Refresh token provided is invalid.", code: "401000" });
      const missing = await a.call("POST", "/integration/v1/createAPIAccessToken/", { json: { user_id: 1 } });
      expect(missing.status).to.equal(400);
      expect(missing.body.refresh_token).to.deep.equal(["This field is required."]);
      const rt = await a.call("POST", "/integration/v1/validateRefreshToken/", { json: { refresh_token: DEFAULT_ALATION_REFRESH_TOKEN, user_id: 1 } });
      expect(rt.status).to.equal(200);
      C.RefreshTokenInfo.parse(rt.body);
      expect(rt.text).to.not.include(DEFAULT_ALATION_REFRESH_TOKEN);
    });

    it("expires access tokens after the configured lifetime (emulator time), and revokes them", async () => {
      const cfg = await a.call("PUT", "/_alation/config", { json: { accessTokenLifetimeSeconds: 60 } });
      expect(cfg.status).to.equal(200);
      const short = await a.token();
      expect((await a.call("GET", Q, { token: short })).status).to.equal(200);
      await a.call("POST", "/_alation/clock", { json: { advanceSeconds: 61 } });
      const expired = await a.call("GET", Q, { token: short });
      expect(expired.status).to.equal(403);
      expect(expired.body).to.deep.equal({ detail: "Invalid API token." });
      const v = await a.call("POST", "/integration/v1/validateAPIAccessToken/", { json: { api_access_token: short, user_id: 1 } });
      expect(v.body.token_status).to.equal("EXPIRED");
      await a.call("PUT", "/_alation/config", { json: { accessTokenLifetimeSeconds: 86400 } });
      admin = await a.token();
      const victim = await a.token("analyst");
      const revoked = await a.call("POST", "/integration/v1/revokeAPIAccessTokens/", { json: { refresh_token: "alation-emulator-analyst-refresh-token", user_id: 2 } });
      expect(revoked.status).to.equal(200);
      expect(revoked.body.detail).to.match(/^Revoked \d+ API access tokens?\.$/);
      expect((await a.call("GET", Q, { token: victim })).status).to.equal(403);
      expect((await a.call("GET", Q, { token: admin })).status).to.equal(200);
      analyst = await a.token("analyst");
    });
  });

  describe("queries", () => {
    let top: any;

    it("POST /query/ answers 201, the Location header and the full object", async () => {
      const r = await create({
        content: "SELECT count(*) FROM users;\nSELECT * FROM users ORDER BY id LIMIT 10;",
        saved: true,
        published: true,
        title: "Top 10 Users",
        description: "Counts the number of users and gives the top 10 users.",
        tag_names: ["@tag_name"],
        domain_ids: [1],
      });
      expect(r.status).to.equal(201);
      top = C.Query.parse(r.body);
      expect(r.headers.location).to.equal(`/integration/v1/query/${top.id}/`);
      expect(top).to.include({ title: "Top 10 Users", published: true, saved: true, has_unsaved_changes: false, url: `/integration/v1/query/${top.id}/`, catalog_url: `/query/${top.id}/`, compose_url: `/compose/query/${top.id}/` });
      expect(top.autosave_content).to.equal(top.content);
      expect(top.tags.map((t: any) => t.name)).to.deep.equal(["@tag_name"]);
      expect(top.domains).to.deep.equal([{ id: 1, title: "Finance", description: "Revenue, orders and billing." }]);
      expect(top.datasource).to.deep.equal({ id: 1, title: "Emulator warehouse", uri: "duckdb:///alation-ds-1.duckdb", url: "/data/1/" });
      expect(top.schedules).to.deep.equal([]);
    });

    it("defaults saved to true and published to false", async () => {
      const r = await create({ content: "SELECT 1" });
      expect(r.status).to.equal(201);
      expect(r.body).to.include({ saved: true, published: false, title: "", description: "" });
    });

    it("lets only an admin token set the author", async () => {
      const refused = await create({ content: "SELECT 2", title: "by analyst", author: { username: "author" } }, analyst);
      expect(refused.status).to.equal(403);
      expect(refused.body).to.deep.equal({ detail: C.ERRORS.authorNotAdmin });
      const ok = await create({ content: "SELECT 2", title: "for author", author: { username: "author" } });
      expect(ok.status).to.equal(201);
      const noUser = await create({ content: "SELECT 2", author: { email: "nobody@example.com" } });
      expect(noUser.status).to.equal(400);
      expect(noUser.body).to.have.property("author");
      const asAnalyst = await create({ content: "SELECT 3", title: "analyst's own" }, analyst);
      expect(asAnalyst.status).to.equal(201);
    });

    it("refuses bad bodies with field errors and creates nothing", async () => {
      const before = (await list("limit=1000")).body.length;
      const noContent = await create({ title: "x", content: undefined });
      expect(noContent.status).to.equal(400);
      expect(noContent.body.content).to.deep.equal(["This field is required."]);
      const badDs = await create({ content: "SELECT 1", datasource_id: 99 });
      expect(badDs.status).to.equal(400);
      expect(badDs.body.datasource_id[0]).to.match(/Invalid pk "99"/);
      const badDomain = await create({ content: "SELECT 1", domain_ids: [42] });
      expect(badDomain.status).to.equal(400);
      expect(badDomain.body.domain_ids[0]).to.match(/Invalid pk "42"/);
      expect((await list("limit=1000")).body.length).to.equal(before);
    });

    it("GET /query/<id>/, /sql/ and a 404 for an unknown id", async () => {
      const one = await a.call("GET", C.ALATION_PATHS.query(top.id), { token: admin });
      expect(one.status).to.equal(200);
      expect(C.Query.parse(one.body)).to.deep.equal(top);
      const sql = await a.call("GET", C.ALATION_PATHS.querySql(top.id), { token: admin });
      expect(sql.status).to.equal(200);
      expect(String(sql.headers["content-type"])).to.match(/^text\/plain/);
      expect(sql.text).to.equal(top.content);
      for (const p of [C.ALATION_PATHS.query(9999), C.ALATION_PATHS.querySql(9999), C.ALATION_PATHS.queryLatestResult(9999), C.ALATION_PATHS.queryEvents(9999)]) {
        const r = await a.call("GET", p, { token: admin });
        expect(r.status, p).to.equal(404);
        expect(r.body, p).to.deep.equal({ detail: "Not found." });
      }
    });

    it("filters the list with every operator type", async () => {
      await create({ content: "UPDATE orders SET status = 'x' WHERE false", title: "Q1 Revenue Results", published: true });
      await create({ content: "select * from orders", title: "q1 churn", description: "lower-case" });
      const t = async (qs: string) => (await list(qs)).body.map((q: any) => q.title);
      expect(await t("title=Top 10 Users")).to.deep.equal(["Top 10 Users"]);
      expect(await t("title__exact=top 10 users")).to.deep.equal([]);
      expect(await t("title__iexact=top 10 users")).to.deep.equal(["Top 10 Users"]);
      expect(await t("title__contains=Users")).to.deep.equal(["Top 10 Users"]);
      expect(await t("title__icontains=USERS")).to.deep.equal(["Top 10 Users"]);
      expect(await t("title__startswith=Q1")).to.deep.equal(["Q1 Revenue Results"]);
      expect(await t("title__istartswith=Q1")).to.deep.equal(["Q1 Revenue Results", "q1 churn"]);
      expect(await t("title__endswith=Results")).to.deep.equal(["Q1 Revenue Results"]);
      expect(await t("title__iendswith=RESULTS")).to.deep.equal(["Q1 Revenue Results"]);
      expect(await t("content__icontains=update")).to.deep.equal(["Q1 Revenue Results"]);
      expect(await t("content__contains=UPDATE")).to.deep.equal(["Q1 Revenue Results"]);
      expect(await t("content__regex=^select.*orders$")).to.deep.equal(["q1 churn"]);
      expect(await t("content__iregex=^SELECT.*ORDERS$")).to.deep.equal(["q1 churn"]);
      expect(await t(`id=${top.id}`)).to.deep.equal(["Top 10 Users"]);
      expect((await list(`id__gt=${top.id}`)).body.every((q: any) => q.id > top.id)).to.equal(true);
      expect((await list(`id__lte=${top.id}`)).body.every((q: any) => q.id <= top.id)).to.equal(true);
      expect((await list("published=true")).body.every((q: any) => q.published)).to.equal(true);
      expect((await list("has_unsaved_changes=false")).body.length).to.be.greaterThan(0);
      expect((await list("datasource_id=2")).body).to.deep.equal([]);
      expect((await list("datasource_title__iexact=emulator WAREHOUSE")).body.length).to.be.greaterThan(0);
      expect((await list("description__isnull=false&title=q1 churn")).body.length).to.equal(1);
      const year = new Date().getUTCFullYear();
      expect((await list(`ts_last_saved__year=${year}`)).body.length).to.be.greaterThan(0);
      expect((await list(`ts_last_saved__gte=${year}-01-01`)).body.length).to.be.greaterThan(0);
      expect((await list("unknown_param=1&title=q1 churn")).body.length, "unknown parameters are ignored").to.equal(1);
    });

    it("answers the documented 400 for a value of the wrong type", async () => {
      for (const [qs, param, value] of [
        ["published=maybe", "published", "maybe"],
        ["id=abc", "id", "abc"],
        ["ts_last_saved__gte=yesterday", "ts_last_saved__gte", "yesterday"],
        ["limit=-1", "limit", "-1"],
      ]) {
        const r = await list(qs);
        expect(r.status, qs).to.equal(400);
        expect(r.body, qs).to.deep.equal({ error: `Invalid value(s) ['${value}'] for URL parameter '${param}'` });
      }
    });

    it("orders by the documented fields, and refuses ordering with schedule_* filters", async () => {
      const byTitle = (await list("order_by=title&limit=1000")).body.map((q: any) => q.title);
      expect(byTitle).to.deep.equal([...byTitle].sort());
      const desc = ids(await list("order_by=-id&limit=1000"));
      expect(desc).to.deep.equal([...desc].sort((x, y) => y - x));
      const bad = await list("order_by=schedule_enabled");
      expect(bad.status).to.equal(400);
      expect(bad.body.error).to.match(/^Invalid value\(s\) \['schedule_enabled'\] for URL parameter 'order_by'$/);
      const mixed = await list("order_by=title&schedule_enabled=true");
      expect(mixed.status).to.equal(400);
      expect(mixed.body).to.deep.equal({
        error: 'Ordering with "title" may not be used with filtering on "schedule_enabled" You may either remove the filter(s) or remove the ordering parameter.',
      });
      expect((await list("schedule_enabled=true")).status).to.equal(200);
    });

    it("pages with limit and skip", async () => {
      const all = ids(await list("limit=1000"));
      expect(all.length).to.be.greaterThan(4);
      expect(ids(await list("limit=2"))).to.deep.equal(all.slice(0, 2));
      expect(ids(await list("limit=2&skip=2"))).to.deep.equal(all.slice(2, 4));
      expect(ids(await list(`skip=${all.length}`))).to.deep.equal([]);
    });

    it("answers query/import as for a browser without a session: a redirect to the login page", async () => {
      for (const method of ["GET", "POST"]) {
        const r = await a.call(method, "/integration/v1/query/import/?return_to=compose&datasource_id=1&content=SELECT%20*&saved=true");
        expect(r.status, method).to.equal(302);
        expect(String(r.headers.location)).to.match(/^\/login\/\?next=%2Fintegration%2Fv1%2Fquery%2Fimport%2F/);
      }
    });

    it("lists the data sources; an unknown path is not the API's own 404", async () => {
      const ds = await a.call("GET", "/integration/v1/datasource/", { token: admin });
      expect(ds.status).to.equal(200);
      expect(C.NativeDatasourceList.parse(ds.body).map((d) => d.title)).to.deep.equal(["Emulator warehouse", "Analytics sandbox"]);
      const wrong = await a.call("GET", "/integration/v2/nothing/", { token: admin });
      expect(wrong.status).to.equal(404);
      expect(wrong.body).to.not.deep.equal({ detail: "Not found." });
    });
  });

  describe("executions", () => {
    let q: any;
    let run: any;

    it("has no latest result before a run: the documented 404", async () => {
      q = (await create({ title: "Orders by status", content: "CREATE TEMP TABLE s AS SELECT status, count(*) AS n FROM orders GROUP BY status;\nSELECT * FROM s ORDER BY status" })).body;
      const r = await a.call("GET", C.ALATION_PATHS.queryLatestResult(q.id), { token: admin });
      expect(r.status).to.equal(404);
      expect(r.body).to.deep.equal({ detail: `Could not get latest query result ID for query ID ${q.id}` });
    });

    it("runs the saved SQL statement by statement: one session, one batch, one event per statement, a cached result", async () => {
      const r = await a.call("POST", `/_alation/query/${q.id}/execute`);
      expect(r.status).to.equal(200);
      run = r.body;
      expect(run.event_ids).to.have.length(2);
      expect(run.errors).to.deep.equal([null, null]);
      expect(run.result_ids).to.have.length(1);
      const latest = await a.call("GET", C.ALATION_PATHS.queryLatestResult(q.id), { token: admin });
      expect(latest.status).to.equal(200);
      C.LatestResult.parse(latest.body);
      expect(latest.body.id).to.equal(run.result_ids[0]);
      expect(latest.body.execution_event).to.include({ canceled: false, execution_error: null, finished: true });
      expect(latest.body.execution_event.executed_at).to.match(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\+00:00$/);
      const csv = await a.call("GET", C.ALATION_PATHS.resultCsv(latest.body.id), { token: admin });
      expect(csv.status).to.equal(200);
      expect(csv.text.split("\r\n")).to.deep.equal(["status,n", "cancelled,1", "pending,1", "shipped,4", ""]);
      expect((await a.call("GET", C.ALATION_PATHS.resultCsv(9999), { token: admin })).status).to.equal(404);
    });

    it("serves the session, batch and events: lists, by id, by query", async () => {
      const sessions = await a.call("GET", C.ALATION_PATHS.querySessions(q.id), { token: admin });
      expect(C.ExecutionSessionList.parse(sessions.body)).to.have.length(1);
      expect(sessions.body[0]).to.include({ id: run.session_id, query_id: q.id, is_scheduled: false });
      expect(sessions.body[0].batch_ids).to.deep.equal([run.batch_id]);
      const s1 = await a.call("GET", C.ALATION_PATHS.session(run.session_id), { token: admin });
      expect(C.ExecutionSession.parse(s1.body).id).to.equal(run.session_id);
      const batch = await a.call("GET", C.ALATION_PATHS.batch(run.batch_id), { token: admin });
      expect(C.ExecutionBatch.parse(batch.body).events).to.deep.equal([{ id: run.event_ids[0], index_in_batch: 0 }, { id: run.event_ids[1], index_in_batch: 1 }]);
      expect(C.ExecutionBatchList.parse((await a.call("GET", C.ALATION_PATHS.queryBatches(q.id), { token: admin })).body).map((b) => b.id)).to.deep.equal([run.batch_id]);
      const events = C.ExecutionEventList.parse((await a.call("GET", C.ALATION_PATHS.queryEvents(q.id), { token: admin })).body);
      expect(events.map((e) => e.statement_content)).to.deep.equal(["CREATE TEMP TABLE s AS SELECT status, count(*) AS n FROM orders GROUP BY status", "SELECT * FROM s ORDER BY status"]);
      expect(events[0].result).to.equal(null);
      expect(events[1].num_result_rows).to.equal(3);
      expect(events[1].result!.row_count).to.equal(3);
      expect(events[1].result!.storage_status).to.equal("STORED_ALL");
      expect(events[1].result!.data_schema.map((d) => d.name)).to.deep.equal(["status", "n"]);
      const e1 = await a.call("GET", C.ALATION_PATHS.event(run.event_ids[1]), { token: admin });
      expect(C.ExecutionEvent.parse(e1.body).id).to.equal(run.event_ids[1]);
      for (const p of [C.ALATION_PATHS.session(9999), C.ALATION_PATHS.batch(9999), C.ALATION_PATHS.event(9999)]) expect((await a.call("GET", p, { token: admin })).status, p).to.equal(404);
    });

    it("adds a batch to an existing Compose session; stops at a failing statement and records its error", async () => {
      const again = await a.call("POST", `/_alation/query/${q.id}/execute`, { json: { session_id: run.session_id } });
      expect(again.body.session_id).to.equal(run.session_id);
      const s = await a.call("GET", C.ALATION_PATHS.session(run.session_id), { token: admin });
      expect(s.body.batch_ids).to.deep.equal([run.batch_id, again.body.batch_id]);
      const broken = (await create({ title: "Broken", content: "SELECT 1;\nSELECT * FROM no_such_table;\nSELECT 3" })).body;
      const r = await a.call("POST", `/_alation/query/${broken.id}/execute`);
      expect(r.body.event_ids).to.have.length(2);
      expect(r.body.errors[0]).to.equal(null);
      expect(r.body.errors[1]).to.match(/no_such_table/);
      const failed = await list("execution_error__isnull=false", C.ALATION_PATHS.events());
      expect(failed.body.map((e: any) => e.id)).to.deep.equal([r.body.event_ids[1]]);
    });

    it("filters events, batches and sessions", async () => {
      const ev = C.ALATION_PATHS.events();
      expect((await list(`query_id=${q.id}&index_in_batch=1`, ev)).body).to.have.length(2);
      expect((await list("db_username__iexact=ALATION", ev)).body.length).to.be.greaterThan(0);
      expect((await list("result_storage_status=STORED_ALL", ev)).body.every((e: any) => e.result?.storage_status === "STORED_ALL")).to.equal(true);
      const bad = await list("result_storage_status=SOMEWHERE", ev);
      expect(bad.status).to.equal(400);
      expect(bad.body).to.deep.equal({ error: "Invalid value(s) ['SOMEWHERE'] for URL parameter 'result_storage_status'" });
      expect((await list("result_byte_count__lte=500000&result_row_count__gte=3", ev)).body.length).to.be.greaterThan(0);
      expect((await list(`session_is_scheduled=false&query_id=${q.id}`, ev)).body.length).to.equal(4);
      expect((await list("ts_executed__gte=2018-04-13T22:00:00.000001Z", ev)).body.length).to.be.greaterThan(0);
      expect((await list("ts_executed__lt=2018-01-01", ev)).body).to.deep.equal([]);
      expect((await list(`session_id__lt=${run.session_id}`, C.ALATION_PATHS.batches())).body).to.deep.equal([]);
      expect((await list(`session_id__gte=${run.session_id}`, C.ALATION_PATHS.batches())).body.length).to.be.greaterThan(0);
      expect((await list(`event_id=${run.event_ids[1]}`, C.ALATION_PATHS.batches())).body.map((b: any) => b.id)).to.deep.equal([run.batch_id]);
      expect((await list(`query_id__gt=${q.id - 1}&is_scheduled=false`, C.ALATION_PATHS.sessions())).body.length).to.be.greaterThan(0);
      expect((await list(`batch_id=${run.batch_id}`, C.ALATION_PATHS.sessions())).body.map((s: any) => s.id)).to.deep.equal([run.session_id]);
      expect((await list("limit=1&skip=1", ev)).body).to.have.length(1);
    });

    it("runs a schedule on its cron in emulator time; scheduled runs and the query's schedules say so", async () => {
      const set = await a.call("PUT", `/_alation/query/${q.id}/schedule`, { json: { cron_expression: "*/30 * * * *" } });
      expect(set.status).to.equal(200);
      expect(set.body.schedules[0]).to.include({ enabled: true, cron_expression: "*/30 * * * *", ts_last_attempt: null, latest_session: null });
      expect((await list("schedule_enabled=true")).body.map((x: any) => x.id)).to.deep.equal([q.id]);
      expect((await list("schedule_cron_expression__contains=*/30")).body.map((x: any) => x.id)).to.deep.equal([q.id]);
      // Alation emits no session or query for a run unless the feature flag is on.
      const first = await a.call("POST", "/_alation/clock", { json: { advanceSeconds: 31 * 60 } });
      expect(first.body.runs).to.have.length(1);
      const runs = C.ScheduledRunList.parse((await a.call("GET", C.ALATION_PATHS.scheduledRuns(), { token: admin })).body);
      expect(runs).to.have.length(1);
      expect(runs[0]).to.include({ session_id: null, query_id: null, query_title: null });
      await a.call("PUT", "/_alation/config", { json: { scheduledRunDetails: true } });
      const second = await a.call("POST", "/_alation/clock", { json: { advanceSeconds: 30 * 60 } });
      expect(second.body.runs).to.have.length(1);
      const mine = C.ScheduledRunList.parse((await a.call("GET", C.ALATION_PATHS.queryScheduledRuns(q.id), { token: admin })).body);
      expect(mine).to.have.length(1);
      expect(mine[0]).to.include({ query_id: q.id, query_title: "Orders by status", session_id: second.body.runs[0].session_id });
      const sched = (await a.call("GET", C.ALATION_PATHS.query(q.id), { token: admin })).body.schedules[0];
      expect(sched.latest_session.id).to.equal(second.body.runs[0].session_id);
      expect(sched.ts_last_attempt).to.be.a("string");
      const scheduled = await list(`is_scheduled=true&query_id=${q.id}`, C.ALATION_PATHS.sessions());
      expect(scheduled.body.map((s: any) => s.sandbox_id)).to.deep.equal([`schedule-${q.id}`, `schedule-${q.id}`]);
      const sr = C.ALATION_PATHS.scheduledRuns();
      const desc = (await list("order_by=-ts_sent_to_broker", sr)).body.map((r: any) => r.ts_sent_to_broker);
      expect(desc).to.deep.equal([...desc].sort().reverse());
      expect((await list("ts_sent_to_broker__gt=2018-01-01&ts_sent_to_broker__lt=2018-01-02", sr)).body).to.deep.equal([]);
      expect((await list("order_by=query_title", sr)).status).to.equal(400);
      expect((await list(`task_id=${mine[0].task_id}`, sr)).body).to.have.length(1);
      await a.call("DELETE", `/_alation/query/${q.id}/schedule`);
      expect((await a.call("POST", "/_alation/clock", { json: { advanceSeconds: 3600 } })).body.runs).to.deep.equal([]);
    });
  });

  describe("persistence, log and faults", () => {
    it("keeps queries, executions and data across a restart; the log and state hold no token", async () => {
      const q = (await create({ title: "Make table", content: "CREATE TABLE kept AS SELECT 42 AS answer" })).body;
      expect((await a.call("POST", `/_alation/query/${q.id}/execute`)).body.errors).to.deep.equal([null]);
      const dir = a.stateDir;
      await a.stop();
      const log = fs.readFileSync(path.join(dir, "alation.requests.jsonl"), "utf8");
      const state = fs.readFileSync(path.join(dir, "alation.json"), "utf8");
      for (const secret of [admin, analyst, DEFAULT_ALATION_REFRESH_TOKEN]) {
        expect(log, "request log").to.not.include(secret);
        expect(state, "state file").to.not.include(secret);
      }
      expect(log).to.include("[REDACTED]");
      a = await startAlation({ stateDir: dir });
      expect((await a.call("GET", C.ALATION_PATHS.query(q.id), { token: admin })).status, "a token minted before the restart still works").to.equal(200);
      const read = (await create({ title: "Read table", content: "SELECT answer FROM kept" })).body;
      const r = await a.call("POST", `/_alation/query/${read.id}/execute`);
      expect(r.body.errors).to.deep.equal([null]);
      const csv = await a.call("GET", C.ALATION_PATHS.resultCsv(r.body.result_ids[0]), { token: admin });
      expect(csv.text).to.equal("answer\r\n42\r\n");
    });

    it("injects framework faults", async () => {
      a.faults({ rules: [{ method: "GET", path: "^/integration/v1/query/$", status: 503, times: 1 }] });
      expect((await list("")).status).to.equal(503);
      expect((await list("")).status).to.equal(200);
    });
  });
});
