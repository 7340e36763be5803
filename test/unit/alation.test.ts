/** Alation's small parts: cron schedules, the list filters, CSV, the abandoned-queries ledger, the Query schema's rules. */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { nextRun, parseCron } from "../../emulator/alation/cron";
import { applyFilters, applyOrdering, page, Fields } from "../../emulator/alation/filters";
import { toCsv } from "../../emulator/alation";
import { parseCsv } from "../../sdk/alation/lookups";
import { AbandonedLedger, checkAlationSettings } from "../../provider/alation/api";
import { queryInputs } from "../../provider/alation/query";
import { HttpError } from "../../emulator/framework/errors";

describe("alation: cron", () => {
  it("finds the next run of each field form, in UTC", () => {
    const at = new Date("2024-03-10T10:07:30Z");
    expect(nextRun("*/15 * * * *", at)!.toISOString()).to.equal("2024-03-10T10:15:00.000Z");
    expect(nextRun("17 1 * * *", at)!.toISOString()).to.equal("2024-03-11T01:17:00.000Z");
    expect(nextRun("0 9-17/4 * * *", at)!.toISOString()).to.equal("2024-03-10T13:00:00.000Z");
    expect(nextRun("0 0 1 * *", at)!.toISOString()).to.equal("2024-04-01T00:00:00.000Z");
    expect(nextRun("30 6 * * 1,7", at)!.toISOString()).to.equal("2024-03-11T06:30:00.000Z"); // Monday (the 10th is a Sunday, already past 06:30)
    expect(nextRun("0 0 31 2 *", at)).to.equal(undefined);
  });

  it("refuses malformed expressions", () => {
    for (const bad of ["* * * *", "60 * * * *", "a * * * *", "*/0 * * * *", "5-1 * * * *"]) expect(() => parseCron(bad), bad).to.throw();
  });
});

describe("alation: list filters", () => {
  interface Row {
    id: number;
    title: string;
    ok: boolean;
    at: string | null;
    tags: number[];
  }
  const rows: Row[] = [
    { id: 1, title: "Q1 Results", ok: true, at: "2018-03-30T10:00:00.000000Z", tags: [1, 2] },
    { id: 2, title: "q2 churn", ok: false, at: null, tags: [] },
    { id: 3, title: "Revenue", ok: true, at: "2019-01-01T00:00:00.000000Z", tags: [2] },
  ];
  const fields: Fields<Row> = {
    id: { type: "number", get: (r) => r.id },
    title: { type: "string", get: (r) => r.title },
    ok: { type: "boolean", get: (r) => r.ok },
    at: { type: "date", get: (r) => r.at },
    tag: { type: "number", get: (r) => r.tags },
    kind: { type: { enum: ["A", "B"] }, get: () => "A" },
  };
  const ids = (qs: string) => applyFilters(rows, new URLSearchParams(qs), fields).map((r) => r.id);

  it("applies each operator to its type; arrays match on any element", () => {
    expect(ids("title__istartswith=q")).to.deep.equal([1, 2]);
    expect(ids("title__regex=^Q")).to.deep.equal([1]);
    expect(ids("id__in=1,3")).to.deep.equal([1, 3]);
    expect(ids("id__gte=2&ok=true")).to.deep.equal([3]);
    expect(ids("at__isnull=true")).to.deep.equal([2]);
    expect(ids("at__year=2018&at__month=3&at__day=30")).to.deep.equal([1]);
    expect(ids("at__lt=2019-01-01")).to.deep.equal([1]);
    expect(ids("tag=2")).to.deep.equal([1, 3]);
    expect(ids("kind=A")).to.deep.equal([1, 2, 3]);
    expect(ids("nonsense=1")).to.deep.equal([1, 2, 3]);
  });

  it("refuses a value of the wrong type with the documented message", () => {
    for (const [qs, param, value] of [["ok=yes", "ok", "yes"], ["id__gt=x", "id__gt", "x"], ["kind=C", "kind", "C"], ["at=tomorrow", "at", "tomorrow"]]) {
      try {
        ids(qs);
        expect.fail(qs);
      } catch (e) {
        expect((e as HttpError).status, qs).to.equal(400);
        expect((e as HttpError).body).to.deep.equal({ error: `Invalid value(s) ['${value}'] for URL parameter '${param}'` });
      }
    }
  });

  it("orders (a leading - reverses) and pages", () => {
    const by = (qs: string) => applyOrdering(rows, new URLSearchParams(qs), ["id", "title"], (r, k) => (r as any)[k], "id").map((r) => r.id);
    expect(by("order_by=-id")).to.deep.equal([3, 2, 1]);
    expect(by("order_by=title")).to.deep.equal([1, 3, 2]);
    expect(() => by("order_by=ok")).to.throw();
    expect(page(rows, new URLSearchParams("limit=1&skip=1")).map((r) => r.id)).to.deep.equal([2]);
  });
});

describe("alation: CSV", () => {
  it("round-trips quotes, commas and line breaks", () => {
    const text = toCsv([{ name: "a" }, { name: "b,c" }], [["x \"y\"", "1\n2"], [null, 3]]);
    expect(parseCsv(text)).to.deep.equal([["a", "b,c"], ['x "y"', "1\n2"], ["", "3"]]);
  });
});

describe("alation: the abandoned-queries ledger", () => {
  it("remembers abandoned queries by id, title and data source, across instances; revive forgets", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "alation-ledger-"));
    const one = new AbandonedLedger("alation endpoint=https://a", dir);
    one.add({ id: 7, url: "https://a/query/7/", title: "T", datasourceId: 1, abandonedAt: "now" });
    const again = new AbandonedLedger("alation endpoint=https://a", dir);
    expect(again.has({ id: 7, title: "T", datasource_id: 1 })).to.equal(true);
    expect(again.has({ id: 7, title: "other", datasource_id: 1 }), "another query with the id (another instance)").to.equal(false);
    expect(new AbandonedLedger("alation endpoint=https://b", dir).has({ id: 7, title: "T", datasource_id: 1 })).to.equal(false);
    again.revive(7);
    expect(new AbandonedLedger("alation endpoint=https://a", dir).has({ id: 7, title: "T", datasource_id: 1 })).to.equal(false);
  });
});

describe("alation: settings and the Query schema", () => {
  it("needs a refresh token with its numeric user id, or an access token", () => {
    expect(() => checkAlationSettings({ endpoint: "x", accessToken: "t" })).to.not.throw();
    expect(() => checkAlationSettings({ endpoint: "x", refreshToken: "r", userId: "12" })).to.not.throw();
    expect(() => checkAlationSettings({ endpoint: "x", refreshToken: "r", userId: "me" })).to.throw(/numeric id/);
    expect(() => checkAlationSettings({ endpoint: "x", refreshToken: "r" })).to.throw(/warehouse:alationUserId/);
    expect(() => checkAlationSettings({ endpoint: "x" })).to.throw(/warehouse:alationRefreshToken/);
  });

  it("defaults, and refuses unreadable SQL, blank titles and a missing data source", () => {
    const ok = queryInputs.parse({ datasourceId: 1, title: "T", content: "SELECT 1; SELECT 2" });
    expect(ok).to.include({ saved: true, published: false, description: "", allowReplace: false });
    expect(queryInputs.safeParse({ datasourceId: 1, title: "T", content: "SELECT 'x" }).success).to.equal(false);
    expect(queryInputs.safeParse({ datasourceId: 1, title: " T", content: "SELECT 1" }).success).to.equal(false);
    expect(queryInputs.safeParse({ title: "T", content: "SELECT 1" }).success).to.equal(false);
    expect(queryInputs.safeParse({ datasource: "DW", title: "T", content: "-- only a comment" }).success).to.equal(false);
  });
});

describe("alation: export of queries (provider/alation/query.ts exporter)", () => {
  it("declares the newest query per title and data source; names the older ones and an undeclarable title as left out; drops abandoned ones", async () => {
    const { query } = await import("../../provider/alation/query");
    const { readEstate } = await import("../../cli/export");
    const q = (id: number, title: string, ds = 1) => ({
      id, datasource_id: ds, title, content: "SELECT 1", autosave_content: "SELECT 1", saved: true, published: false, description: "", url: `/query/${id}/`,
      domains: [], tags: [{ id: 1, name: "b" }, { id: 2, name: "a" }], datasource: { id: ds, title: `ds${ds}` }, ts_last_saved: null, has_unsaved_changes: false,
      catalog_url: `/query/${id}/`, compose_url: `/compose/query/${id}/`, schedules: [],
    });
    const api = {
      endpoint: "http://alation.invalid",
      queryUrl: (x: { id: number }) => `http://alation.invalid/query/${x.id}/`,
      ledger: { has: (x: { id: number }) => x.id === 6 },
      listQueries: async () => [q(1, "Daily"), q(2, "Daily"), q(3, "Daily", 2), q(4, " padded"), q(5, "Weekly"), q(6, "Weekly")],
    };
    const listed = await query.exporter!.list(api as any);
    expect(listed.map((l) => `${l.id}:${l.skip ? "skip" : "keep"}`)).to.deep.equal(["1:skip", "2:keep", "3:keep", "4:skip", "5:keep"]);
    expect(listed[0].skip).to.match(/query 2 .* same title/);
    expect(listed.find((l) => l.id === "3")).to.include({ name: "Daily", database: "ds2" });
    const said: string[] = [];
    const vendor = { name: "alation", title: "Alation", settings: {}, createApi: () => api, specs: [query] } as any;
    const estate = await readEstate(vendor, api, { database: "ds1" }, (m) => said.push(m));
    expect(estate.map((r) => r.name)).to.deep.equal(["2", "5"]);
    expect(estate[0].inputs).to.deep.equal({ datasourceId: 1, title: "Daily", description: "", content: "SELECT 1", saved: true, published: false, tags: ["a", "b"], domains: [] });
    expect(said.filter((m) => / left out /.test(m))).to.have.length(2);
  });
});
