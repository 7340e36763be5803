/**
 * The rest of the vendor doc: metadata (un)subscription, materialized views (list, get),
 * dictionaries (delete), cluster and sync status, SQL helpers (objects, dialects), account
 * status and usage. Materialized views and dictionaries are made by SQL at the vendor; the
 * emulator's SQL engine has neither, so they live in the state (tests seed them there).
 */
import { Route, paginate } from "../framework/server";
import { BYTEHOUSE_PAGE, BYTEHOUSE_ROUTES as R } from "../../provider/bytehouse/contract";
import { WireClusterStatus, WireStorageUsage, WireVwUsage } from "../../provider/bytehouse/contract";
import { BhContext } from "./context";
import { ByteHouseState } from "./state";
import { bad, fail, now, ok, parseTime } from "./common";
import { describeTable } from "./tables";

const needDb = (s: ByteHouseState, db: string) => {
  if (!s.databases[db]) throw fail(404, `database ${db} not found`, "DATABASE_NOT_FOUND");
};

function timeframe(q: URLSearchParams): { startTime: string; endTime: string } {
  const startTime = q.get("startTime");
  const endTime = q.get("endTime");
  if (!startTime || !endTime) throw bad("startTime and endTime are required (RFC 3339, e.g. 2021-11-23T09:23:55.840932013Z)");
  if (Number.isNaN(parseTime(startTime)) || Number.isNaN(parseTime(endTime))) throw bad("startTime and endTime must be RFC 3339 timestamps");
  if (parseTime(startTime) > parseTime(endTime)) throw bad("startTime must not be after endTime");
  return { startTime, endTime };
}

/** The subscription headers of the vendor doc: X-Account-ID (this account), X-User-ID, X-Bytehouse-Token. */
function subscriptionHeaders(headers: Record<string, string | string[] | undefined>, s: ByteHouseState): { userId: string } {
  const h = (k: string) => (Array.isArray(headers[k]) ? (headers[k] as string[])[0] : (headers[k] as string | undefined)) ?? "";
  if (!h("x-account-id") || !h("x-user-id") || !h("x-bytehouse-token")) throw bad("X-Account-ID, X-User-ID and X-Bytehouse-Token headers are required");
  if (h("x-account-id") !== s.accountId) throw fail(403, `X-Account-ID ${h("x-account-id")} is not this account`, "AUTHENTICATION_FAILED");
  if (!/^[A-Za-z0-9_-]+\.?[A-Za-z0-9_.-]*$/.test(h("x-bytehouse-token"))) throw fail(403, "X-Bytehouse-Token is not a valid token", "AUTHENTICATION_FAILED");
  return { userId: h("x-user-id") };
}

export const extraRoutes = (ctx: BhContext): Route<ByteHouseState>[] => [
  {
    method: "POST",
    pattern: R.metadataSubscription,
    handler: (req, s) => {
      const { userId } = subscriptionHeaders(req.headers, s);
      s.metadataSubscription = { userId, subscribedAt: now() };
      return { status: 200, body: { message: "Success" } };
    },
  },
  {
    method: "DELETE",
    pattern: R.metadataSubscription,
    handler: (req, s) => {
      subscriptionHeaders(req.headers, s);
      if (!s.metadataSubscription) throw fail(404, "there is no metadata subscription", "SUBSCRIPTION_NOT_FOUND");
      s.metadataSubscription = null;
      return { status: 200, body: { message: "Success" } };
    },
  },
  {
    method: "GET",
    pattern: R.materializedViews,
    handler: (req, s) => {
      needDb(s, req.params.p0);
      const filter = req.query.get("filter") ?? "";
      const all = Object.values(s.materializedViews[req.params.p0] ?? {})
        .filter((m) => m.name.includes(filter))
        .sort((a, b) => a.name.localeCompare(b.name));
      const { page, meta } = paginate(all, req.query, BYTEHOUSE_PAGE, bad);
      return { status: 200, body: { data: page, meta } };
    },
  },
  {
    method: "GET",
    pattern: R.materializedView,
    handler: (req, s) => {
      needDb(s, req.params.p0);
      const mv = s.materializedViews[req.params.p0]?.[req.params.p1];
      if (!mv) throw fail(404, `materialized view ${req.params.p0}.${req.params.p1} not found`, "MATERIALIZED_VIEW_NOT_FOUND");
      return { status: 200, body: { data: mv } };
    },
  },
  {
    method: "DELETE",
    pattern: R.dictionary,
    handler: (req, s) => {
      needDb(s, req.params.p0);
      if (!s.dictionaries[req.params.p0]?.[req.params.p1]) throw fail(404, `dictionary ${req.params.p0}.${req.params.p1} not found`, "DICTIONARY_NOT_FOUND");
      delete s.dictionaries[req.params.p0][req.params.p1];
      return { status: 200, body: {} };
    },
  },
  {
    method: "GET",
    pattern: R.clusterStatus,
    handler: async (req, s) => {
      const [db, t] = [req.params.p0, req.params.p1];
      needDb(s, db);
      const table = await ctx.engine.exclusive(s, (conn, catalog) => describeTable(conn, catalog, s, db, t));
      if (!table) throw fail(404, `table ${db}.${t} not found`, "TABLE_NOT_FOUND");
      const clustered = table.clusterKey !== null;
      const status: WireClusterStatus = { database: db, table: t, clustered, status: clustered ? "FINISHED" : "NOT_CLUSTERED", progress: clustered ? 100 : 0 };
      return ok(status);
    },
  },
  {
    method: "GET",
    pattern: R.syncStatus,
    handler: (req, s) => {
      needDb(s, req.params.p0);
      // Only MaterializedMySQL databases sync; the emulator has none.
      return { status: 200, body: { data: { database: req.params.p0, materializedMySQL: false, status: "NOT_APPLICABLE", tables: [] } } };
    },
  },
  {
    method: "POST",
    pattern: R.sqlObjects,
    handler: (req) => {
      const query = req.body?.query;
      if (typeof query !== "string" || !query.trim()) throw bad("query is required");
      const use = /\bUSE\s+([A-Za-z_][\w]*)/i.exec(query)?.[1];
      const names = new Set<string>();
      for (const m of query.matchAll(/\b(?:FROM|JOIN|INTO|TABLE|UPDATE)\s+([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)?)/gi)) {
        names.add(m[1].includes(".") || !use ? m[1] : `${use}.${m[1]}`);
      }
      return { status: 200, body: { data: { tables: [...names].sort() } } };
    },
  },
  { method: "GET", pattern: R.sqlDialects, handler: () => ({ status: 200, body: { data: ["ansi_sql", "clickhouse_sql"] } }) },
  {
    method: "GET",
    pattern: R.accountStatus,
    handler: (_req, s) => ok({ accountId: s.accountId, status: "ACTIVE", databases: Object.keys(s.databases).length, virtualWarehouses: Object.keys(s.virtualWarehouses).length }),
  },
  {
    method: "GET",
    pattern: R.usageStorage,
    handler: async (req, s) => {
      const frame = timeframe(req.query);
      const dbName = req.query.get("dbName");
      if (dbName) needDb(s, dbName);
      const names = dbName ? [dbName] : Object.keys(s.databases).sort();
      const databases = await ctx.engine.exclusive(s, async (conn, catalog) => {
        const out: WireStorageUsage["databases"] = [];
        for (const db of names) {
          let size = 0;
          let rows = 0;
          for (const t of Object.keys(s.tables[db] ?? {})) {
            const d = await describeTable(conn, catalog, s, db, t);
            size += d?.sizeInBytes ?? 0;
            rows += d?.rowCount ?? 0;
          }
          out.push({ name: db, sizeInBytes: size, rowCount: rows });
        }
        return out;
      });
      const usage: WireStorageUsage = { ...frame, databases };
      return ok(usage);
    },
  },
  {
    method: "GET",
    pattern: R.usageVirtualWarehouses,
    handler: (req, s) => {
      const frame = timeframe(req.query);
      const vwName = req.query.get("vwName");
      if (vwName && !s.virtualWarehouses[vwName]) throw fail(404, `virtual warehouse ${vwName} not found`, "VW_NOT_FOUND");
      const vws = Object.values(s.virtualWarehouses).filter((v) => !vwName || v.name === vwName);
      const usage: WireVwUsage = {
        ...frame,
        virtualWarehouses: vws.map((v) => ({ name: v.name, status: v.status, size: s.vwConfigs.find((c) => c.id === v.configID)?.name ?? null })),
      };
      return ok(usage);
    },
  },
];
