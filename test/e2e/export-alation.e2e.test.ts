/**
 * End to end: the `pulumi-warehouse export` round trip (test/helpers/exportRoundTrip.ts) for Alation,
 * on queries made as a user would, through the emulator's own API (an access token minted from the
 * refresh token, then POST /integration/v1/query/). alation.Query is create-only: `adopt: true` on
 * an identical declaration takes the query over, so the adopting up creates nothing. Left out: the
 * query on the other data source (the filter), and the older of two queries sharing a title on one
 * data source (adoption finds a query by its title and could not tell them apart).
 */
import { expect } from "chai";
import { exportRoundTrip } from "../helpers/exportRoundTrip";
import type { EmulatorHarness } from "../../emulator/framework/definition";

async function alationCall(emu: EmulatorHarness<any>, path: string, body: unknown, token?: string): Promise<any> {
  const res = await fetch(`${emu.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...(token ? { token } : {}) }, body: JSON.stringify(body) });
  const text = await res.text();
  expect(res.status, `POST ${path}: ${text}`).to.equal(201);
  return JSON.parse(text);
}

/** The ids Alation gave the seeded queries (the exported resources' logical names). */
const ids: Record<string, number> = {};

exportRoundTrip({
  vendor: "alation",
  async seed(emu) {
    const minted = await alationCall(emu, "/integration/v1/createAPIAccessToken/", { refresh_token: emu.settings.refreshToken, user_id: Number(emu.settings.userId) });
    const token = String(minted.api_access_token);
    const create = async (key: string, body: Record<string, unknown>) => (ids[key] = (await alationCall(emu, "/integration/v1/query/", body, token)).id);
    await create("revenue", {
      datasource_id: 1,
      title: "Revenue by country",
      description: "Orders per country; then the top ten.",
      content: "SELECT country, count(*) AS n FROM users GROUP BY country;\nSELECT * FROM orders ORDER BY id LIMIT 10",
      saved: true,
      published: true,
      tag_names: ["finance", "@kpi"],
      domain_ids: [2, 1],
    });
    await create("draft", { datasource_id: 1, title: "Draft: users", content: "SELECT * FROM users", saved: false });
    await create("dailyOld", { datasource_id: 1, title: "Daily orders", content: "SELECT 1", saved: true });
    await create("daily", { datasource_id: 1, title: "Daily orders", content: "SELECT count(*) FROM orders", saved: true, published: true });
    await create("sandbox", { datasource_id: 2, title: "Sandbox check", content: "SELECT 1" });
  },
  // The queries on the first data source (the data source is what --database filters on).
  filter: ["--database", "Emulator warehouse"],
  get expected() {
    return [`alation:Query ${ids.revenue}`, `alation:Query ${ids.draft}`, `alation:Query ${ids.daily}`];
  },
  isCreate: (r) => r.method === "POST" && /^\/integration\/v1\/query\/?$/.test(r.path),
  // No Alation kind names another exported object: the data source is named by its id.
  reference: /\n  datasourceId: 1,\n  title: "Revenue by country",\n/,
});
