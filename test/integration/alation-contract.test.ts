/**
 * Alation's wire contract (provider/alation/contract.ts): every answer the emulator gives while the
 * provider's client and the doc's endpoints are driven parses with the contract's response schema
 * for its route (errors with the contract's error shapes).
 */
import { expect } from "chai";
import type { ZodType } from "zod";
import { z } from "zod";
import * as C from "../../provider/alation/contract";
import { ALATION_ROUTES as R } from "../../provider/alation/contract";
import { AlationApi } from "../../provider/alation/api";
import type { ObservedAnswer } from "../../emulator/framework/server";
import { startAlation } from "../helpers/alation";

const SCHEMAS: Record<string, ZodType> = {
  [`POST ${R.queries}`]: C.Query,
  [`GET ${R.queries}`]: C.QueryList,
  [`GET ${R.query}`]: C.Query,
  [`GET ${R.queryLatestResult}`]: C.LatestResult,
  [`GET ${R.sessions}`]: C.ExecutionSessionList,
  [`GET ${R.querySessions}`]: C.ExecutionSessionList,
  [`GET ${R.session}`]: C.ExecutionSession,
  [`GET ${R.batches}`]: C.ExecutionBatchList,
  [`GET ${R.queryBatches}`]: C.ExecutionBatchList,
  [`GET ${R.batch}`]: C.ExecutionBatch,
  [`GET ${R.events}`]: C.ExecutionEventList,
  [`GET ${R.queryEvents}`]: C.ExecutionEventList,
  [`GET ${R.event}`]: C.ExecutionEvent,
  [`GET ${R.scheduledRuns}`]: C.ScheduledRunList,
  [`GET ${R.queryScheduledRuns}`]: C.ScheduledRunList,
  [`GET ${R.datasources}`]: C.NativeDatasourceList,
  [`POST ${R.createAccessToken}`]: C.AccessToken,
  [`POST ${R.validateAccessToken}`]: C.AccessToken,
  [`POST ${R.validateRefreshToken}`]: C.RefreshTokenInfo,
  [`POST ${R.revokeAccessTokens}`]: C.RevokeResponse,
  // text answers
  [`GET ${R.querySql}`]: z.string(),
  [`GET ${R.resultCsv}`]: z.string(),
};
const ERROR = z.union([C.DetailError, C.ListError, C.FieldErrors]);

describe("wire contract: Alation", function () {
  this.timeout(60_000);

  it("every answer to the client's and the doc's calls parses with the contract's schema for its route", async () => {
    const a = await startAlation();
    const seen: ObservedAnswer[] = [];
    const stop = a.server.observe((x) => seen.push(x));
    const api = new AlationApi(a.settings as any);
    try {
      await api.datasources();
      const q = await api.createQuery({ datasource_id: 1, content: "SELECT 1 AS one;\nSELECT name FROM users ORDER BY id", title: "contract", tag_names: ["@c"], domain_ids: [2] });
      await api.getQuery(q.id);
      await api.getQuery(999);
      await api.listQueries({ title__icontains: "contr" });
      await api.getLatestResult(q.id);
      await a.call("PUT", `/_alation/query/${q.id}/schedule`, { json: { cron_expression: "0 * * * *" } });
      await a.call("PUT", "/_alation/config", { json: { scheduledRunDetails: true } });
      await a.call("POST", "/_alation/clock", { json: { advanceSeconds: 3700 } });
      await a.call("POST", `/_alation/query/${q.id}/execute`);
      await api.getQuery(q.id);
      const latest = await api.getLatestResult(q.id);
      await api.getResultCsv(latest!.id);
      await api.getQuerySql(q.id);
      const sessions = await api.listSessions(q.id);
      await api.listSessions();
      const batches = await api.listBatches(q.id);
      await api.listBatches();
      const events = await api.listEvents(q.id);
      await api.listEvents(undefined, { execution_error__isnull: true });
      await api.getEvent(events[0].id);
      await api.listScheduledRuns();
      await api.listScheduledRuns(q.id);
      const token = await a.token();
      await a.call("GET", C.ALATION_PATHS.session(sessions[0].id), { token });
      await a.call("GET", C.ALATION_PATHS.batch(batches[0].id), { token });
      await a.call("GET", `${C.ALATION_PATHS.queries()}?published=maybe`, { token });
      await a.call("GET", `${C.ALATION_PATHS.queries()}?order_by=title&schedule_enabled=true`, { token });
      await a.call("GET", C.ALATION_PATHS.queries(), { token: "nope" });
      await a.call("GET", C.ALATION_PATHS.queries());
      await a.call("POST", C.ALATION_PATHS.queries(), { token, json: { datasource_id: 1 } });
      await a.call("POST", C.ALATION_PATHS.validateAccessToken(), { json: { api_access_token: token, user_id: 1 } });
      await a.call("POST", C.ALATION_PATHS.validateRefreshToken(), { json: { refresh_token: a.settings.refreshToken, user_id: 1 } });
      await a.call("POST", C.ALATION_PATHS.revokeAccessTokens(), { json: { refresh_token: a.settings.refreshToken, user_id: 1 } });
      await a.call("POST", C.ALATION_PATHS.createAccessToken(), { json: { refresh_token: "wrong", user_id: 1 } });
    } finally {
      stop();
      await api.close();
      await a.stop();
    }
    const vendor = seen.filter((x) => !x.path.startsWith("/_alation/"));
    const problems: string[] = [];
    for (const x of vendor) {
      const where = `${x.method} ${x.pattern ?? x.path} → ${x.status}`;
      const schema = x.status >= 400 ? ERROR : SCHEMAS[`${x.method} ${x.pattern}`];
      if (!schema) {
        problems.push(`${where}: no schema in the contract`);
        continue;
      }
      const text = x.pattern === R.querySql || x.pattern === R.resultCsv ? JSON.stringify(x.text) : x.text;
      const r = schema.safeParse(JSON.parse(text));
      if (!r.success) problems.push(`${where}: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")} in ${x.text.slice(0, 200)}`);
    }
    expect(problems).to.deep.equal([]);
    const statuses = new Set(vendor.map((x) => x.status));
    for (const s of [200, 201, 400, 401, 403, 404]) expect(statuses.has(s), `an answer with status ${s} was checked`).to.equal(true);
    expect(new Set(vendor.map((x) => x.pattern)).size).to.be.greaterThan(18);
  });
});
