/**
 * A CARTO geo estate:
 *   - `stations`, a CARTO dataset (cartodb_id, the_geom, the_geom_webmercator kept in sync) with
 *     its own columns and a btree index, filled from a CSV through COPY FROM (the_geom as EWKT);
 *   - `rail_stations`, a view over it, checked with EXPLAIN at preview;
 *   - `map-viewer`, a regular API key that may only read that view (its token a secret output);
 *   - `kind_summary`, a table a batch job fills from the stations (re-run only when its SQL changes);
 *   - a grant of SELECT on the summary to the key's own PostgreSQL role.
 *
 *   npm run example -- carto-geo
 */
import * as path from "node:path";
import { carto } from "../../sdk";

// The data files sit next to this program's source (this file runs from dist/).
const data = (file: string) => path.resolve(__dirname, "../../../examples/carto-geo/data", file);

const stations = new carto.Table("stations", {
  name: "stations",
  dataset: true,
  comment: "Paris rail and metro stations",
  columns: [
    { name: "name", type: "text", nullable: false },
    { name: "kind", type: "varchar(16)", comment: "rail or metro" },
    { name: "capacity", type: "int4", defaultValue: "0" },
  ],
  indexes: [{ name: "stations_kind_idx", columns: ["kind"] }],
});

const load = new carto.LoadedData(
  "stations-csv",
  { table: "stations", file: data("stations.csv"), mode: "overwrite", onDestroy: "truncate" },
  { dependsOn: [stations] },
);

const rail = new carto.View(
  "rail-stations",
  {
    name: "rail_stations",
    comment: "Rail stations only, for the public map",
    sql: "SELECT cartodb_id, name, capacity, the_geom, the_geom_webmercator FROM public.stations WHERE kind = 'rail'",
  },
  { dependsOn: [stations] },
);

const viewer = new carto.ApiKey(
  "map-viewer",
  { name: "map-viewer", apis: ["sql", "maps"], tables: [{ name: "rail_stations", permissions: ["select"] }] },
  { dependsOn: [rail] },
);

const summary = new carto.Table("kind-summary", {
  name: "kind_summary",
  columns: [
    { name: "kind", type: "varchar(16)", nullable: false },
    { name: "stations", type: "bigint" },
    { name: "capacity", type: "bigint" },
    { name: "extent", type: "geometry(Geometry,4326)" },
  ],
  primaryKey: ["kind"],
});

const build = new carto.BatchJob(
  "build-summary",
  {
    name: "build-kind-summary",
    queries: [
      { query: "TRUNCATE public.kind_summary" },
      { query: "INSERT INTO public.kind_summary SELECT kind, count(*), sum(capacity), ST_Envelope(ST_Collect(the_geom)) FROM public.stations GROUP BY kind" },
    ],
    onsuccess: "ANALYZE public.kind_summary",
    // Build again whenever the loaded file changes.
    trigger: load.loadedContentHash,
  },
  { dependsOn: [load, summary] },
);

new carto.Grant("viewer-reads-summary", { table: "kind_summary", role: viewer.role, privileges: ["select"] }, { dependsOn: [build] });

export const stationRows = load.rowCount;
export const viewerRole = viewer.role;
export const viewerToken = viewer.token; // a secret
export const summaryJob = build.jobId;
