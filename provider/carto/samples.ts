/** Conformance samples for the CARTO kinds (test/conformance/): valid, changed and bad inputs, changes made by hand. */
import * as path from "node:path";
import type { Samples } from "../framework/spec";
import type { CartoApi } from "./api";
import { ident, literal, name, raw, script, sql } from "../sql";
import { OBJECT_ID } from "./names";

type S = Samples<Record<string, any>, CartoApi>;

/** The CSV of the carto-geo example (this file runs from dist/provider/carto/). */
const stationsCsv = path.resolve(__dirname, "../../../examples/carto-geo/data/stations.csv");

const table = (n: string) => name("public", n);

/** A table made by hand for the kinds that need one. */
async function makeTable(api: CartoApi, n: string): Promise<void> {
  await api.sql(sql`CREATE TABLE IF NOT EXISTS ${table(n)} (name text, kind text, capacity integer, the_geom geometry(Point,4326))`);
}

/** The role of a regular key made for the Grant sample (its name is known only once the key exists). */
async function keyRole(api: CartoApi, keyName: string, tableName: string): Promise<string> {
  await makeTable(api, tableName);
  const key = (await api.getApiKey(keyName)) ?? (await api.createApiKey({ name: keyName, grants: [{ type: "apis", apis: ["sql"] }, { type: "database", tables: [{ schema: "public", name: tableName, permissions: ["select"] }] }] }));
  const asKey = api.withKey(key.token);
  try {
    return String((await asKey.rows(sql`SELECT current_user AS role`))[0].role);
  } finally {
    await asKey.http.close();
  }
}

const grant: S = {
  async setup(api) {
    await makeTable(api, "conf_grant_t2");
    await makeTable(api, "conf_grant_t");
    // The key's own grant is on another table: a Grant never takes over privileges it did not make.
    grant.valid.role = await keyRole(api, "conf-grant-key", "conf_grant_k");
  },
  valid: { table: "conf_grant_t", role: "(set by setup)", privileges: ["select"] },
  update: { privileges: ["select", "insert"] },
  updateRequest: { method: "POST", path: "^/api/v2/sql$" },
  replace: { table: "conf_grant_t2" },
  invalid: [
    { inputs: { privileges: ["explode"] }, field: "privileges.0" },
    { inputs: { privileges: [] }, field: "privileges" },
    { inputs: { table: "Bad Name" }, field: "table" },
  ],
  outOfBand: {
    field: "privileges",
    apply: (api, id) => {
      const role = id.split(".").slice(2).join(".");
      return api.sql(sql`REVOKE INSERT ON ${table("conf_grant_t")} FROM ${ident(role)}`).then(() => undefined);
    },
  },
};

export const CARTO_SAMPLES: Record<string, S> = {
  Table: {
    valid: {
      name: "conf_table",
      columns: [
        { name: "id", type: "int8", nullable: false },
        { name: "note", type: "varchar(40)" },
        { name: "geom", type: "geometry(Point,4326)" },
      ],
      primaryKey: ["id"],
      indexes: [{ name: "conf_table_geom_idx", columns: ["geom"], method: "gist" }],
    },
    update: {
      columns: [
        { name: "id", type: "int8", nullable: false },
        { name: "note", type: "text", comment: "widened" },
        { name: "geom", type: "geometry(Point,4326)" },
        { name: "extra", type: "int4", defaultValue: "0" },
      ],
      comment: "changed",
    },
    updateRequest: { method: "POST", path: "^/api/v2/sql$" },
    replace: { primaryKey: ["id", "note"], allowReplace: true },
    invalid: [
      { inputs: { columns: [{ name: "id", type: "bigintt" }] }, field: "columns.0.type" },
      { inputs: { columns: [{ name: "id", type: "integer); DROP TABLE public.canary; --" }] }, field: "columns.0.type" },
      { inputs: { columns: [{ name: "id", type: "integer", defaultValue: "1); DROP TABLE public.canary; --" }] }, field: "columns.0.defaultValue" },
      { inputs: { primaryKey: ["missing"] }, field: "primaryKey.0" },
      { inputs: { dataset: true, primaryKey: [], columns: [{ name: "the_geom", type: "geometry" }] }, field: "columns.0.name" },
      { inputs: { indexes: [{ name: "ix", columns: ["nope"] }] }, field: "indexes.0.columns.0" },
    ],
    outOfBand: { field: "columns", apply: (api, id) => api.sql(sql`ALTER TABLE ${name(OBJECT_ID.decode(id))} ADD COLUMN added_by_hand integer`).then(() => undefined) },
  },
  View: {
    valid: { name: "conf_view", sql: "SELECT 1 AS one" },
    update: { sql: "SELECT 2 AS one", comment: "changed" },
    replace: { name: "conf_view_two" },
    invalid: [
      { inputs: { sql: "" }, field: "sql" },
      { inputs: { name: "bad name" }, field: "name" },
      { inputs: { sql: "SELECT 1 AS one; DROP TABLE public.canary" }, field: "sql" },
    ],
    outOfBand: { field: "sql", apply: (api, id) => api.sql(sql`CREATE OR REPLACE VIEW ${name(OBJECT_ID.decode(id))} AS ${raw("SELECT 3 AS one", "a fixed test query")}`).then(() => undefined) },
  },
  MaterializedView: {
    valid: { name: "conf_matview", sql: "SELECT 1 AS one" },
    update: { sql: "SELECT 2 AS one", comment: "changed" },
    replace: { name: "conf_matview_two" },
    invalid: [
      { inputs: { sql: "DELETE FROM public.canary" }, field: "sql" },
      { inputs: { name: "" }, field: "name" },
    ],
    outOfBand: {
      field: "sql",
      apply: (api, id) => {
        const v = name(OBJECT_ID.decode(id));
        return api.sql(script([sql`DROP MATERIALIZED VIEW ${v}`, sql`CREATE MATERIALIZED VIEW ${v} AS ${raw("SELECT 3 AS one", "a fixed test query")}`])).then(() => undefined);
      },
    },
  },
  Grant: grant,
  ApiKey: {
    setup: (api) => makeTable(api, "conf_key_t"),
    valid: { name: "conf-key", apis: ["sql"], tables: [{ name: "conf_key_t", permissions: ["select"] }] },
    update: { regenerate: "1" },
    replace: { tables: [{ name: "conf_key_t", permissions: ["select", "insert"] }] },
    createRequest: { method: "POST", path: "^/api/v3/api_keys$" },
    invalid: [
      { inputs: { apis: ["ftp"] }, field: "apis.0" },
      { inputs: { name: "" }, field: "name" },
      { inputs: { tables: [{ name: "conf_key_t", permissions: ["drop"] }] }, field: "tables.0.permissions.0" },
    ],
  },
  BatchJob: {
    valid: { name: "conf-job", queries: [{ query: "CREATE TABLE IF NOT EXISTS public.conf_job_t AS SELECT 1 AS one", onsuccess: "COMMENT ON TABLE public.conf_job_t IS 'job <%= job_id %>'" }] },
    update: { trigger: "again" },
    // A finished job stays at CARTO (until it expires) whatever the provider does: there is nothing to read back as gone.
    readsBack: false,
    invalid: [
      { inputs: { queries: [] }, field: "queries" },
      { inputs: { queries: [{ query: "SELECT 'unterminated" }] }, field: "queries.0.query" },
      { inputs: { timeoutSeconds: 0 }, field: "timeoutSeconds" },
      { inputs: { onsuccess: "SELECT '<%= error_message %>'" }, field: "onsuccess" },
    ],
  },
  LoadedData: {
    setup: async (api) => {
      await makeTable(api, "conf_load_t");
      await makeTable(api, "conf_load_t2");
    },
    valid: { table: "conf_load_t", file: stationsCsv, onDestroy: "truncate" },
    update: { onDestroy: "drop" },
    replace: { table: "conf_load_t2" },
    invalid: [
      { inputs: { mode: "merge" }, field: "mode" },
      { inputs: { onDestroy: "explode" }, field: "onDestroy" },
      { inputs: { file: "" }, field: "file" },
      { inputs: { header: false }, field: "columns" },
    ],
    outOfBand: {
      field: "contentHash",
      apply: (api) => api.sql(sql`DELETE FROM ${table("conf_load_t")} WHERE name = ${literal("Nation")}`).then(() => undefined),
    },
  },
};
