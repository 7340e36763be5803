/**
 * End to end: the `pulumi-warehouse export` round trip (test/helpers/exportRoundTrip.ts) for CARTO,
 * on an estate made as a user would, through the emulator's SQL API (`/api/v2/sql`) and Auth API
 * (`/api/v3/api_keys`): a table with a geometry column, indexes and defaults, a cartodbfied dataset,
 * a view, a materialized view, a regular API key, a grant to the key's role on the view and one to
 * the public user on the dataset. A table, and a grant on it, outside the filter are left out; so
 * are the account's Master and Default public keys and PostGIS's own tables and views.
 */
import { expect } from "chai";
import { exportRoundTrip } from "../helpers/exportRoundTrip";
import type { EmulatorHarness } from "../../emulator/framework/definition";

function basic(emu: EmulatorHarness<any>, key = emu.settings.apiKey): string {
  return "Basic " + Buffer.from(`${emu.settings.user}:${key}`).toString("base64");
}

async function cartoCall(emu: EmulatorHarness<any>, method: string, path: string, body: unknown, key?: string): Promise<any> {
  const res = await fetch(`${emu.url}${path}`, { method, headers: { authorization: basic(emu, key), "content-type": "application/json" }, body: JSON.stringify(body) });
  const text = await res.text();
  expect(res.status, `${method} ${path}: ${text}`).to.be.oneOf([200, 201]);
  return JSON.parse(text);
}

const sqlApi = (emu: EmulatorHarness<any>, q: string, key?: string) => cartoCall(emu, "POST", "/api/v2/sql", { q, format: "json" }, key);

/** Whether SQL sent to the SQL API holds a statement that writes (string literals and quoted names set aside). */
function writes(q: unknown): boolean {
  const text = String(q ?? "").replace(/'(?:[^']|'')*'/g, "''").replace(/"(?:[^"]|"")*"/g, '""');
  return text.split(";").some((st) => /^\s*(CREATE|ALTER|DROP|GRANT|REVOKE|COMMENT|INSERT|UPDATE|DELETE|TRUNCATE|REFRESH|COPY)\b/i.test(st) || /\bCDB_CartodbfyTable\b/i.test(st));
}

/** The reader key's PostgreSQL role, learnt as a user would (SELECT current_user with the key). */
let readerRole = "";

exportRoundTrip({
  vendor: "carto",
  async seed(emu) {
    for (const q of [
      "CREATE TABLE public.stores (id serial PRIMARY KEY, name varchar(80) NOT NULL, kind text DEFAULT 'retail', opened date, geom geometry(Point,4326))",
      "CREATE INDEX stores_geom_idx ON public.stores USING gist (geom)",
      "CREATE UNIQUE INDEX stores_name_key ON public.stores (name)",
      "COMMENT ON TABLE public.stores IS 'Our stores'",
      "COMMENT ON COLUMN public.stores.name IS 'display name'",
      "INSERT INTO public.stores (name, opened, geom) VALUES ('Main', '2020-01-01', ST_SetSRID(ST_MakePoint(2.35, 48.85), 4326))",
      "CREATE TABLE public.parcels (label text, area numeric(12,2))",
      "SELECT CDB_CartodbfyTable('public', 'public.parcels'::regclass)",
      "CREATE VIEW public.retail_stores AS SELECT id, name, geom FROM public.stores WHERE kind = 'retail'",
      "COMMENT ON VIEW public.retail_stores IS 'Retail only'",
      "CREATE MATERIALIZED VIEW public.store_kinds AS SELECT kind, count(*) AS n FROM public.stores GROUP BY kind",
      "GRANT SELECT ON public.parcels TO carto_publicuser",
      "CREATE TABLE public.scratch (x text)",
      "GRANT SELECT ON public.scratch TO carto_publicuser",
    ])
      await sqlApi(emu, q);
    const key = await cartoCall(emu, "POST", "/api/v3/api_keys", {
      name: "reader",
      grants: [
        { type: "apis", apis: ["sql"] },
        { type: "database", tables: [{ schema: "public", name: "stores", permissions: ["select"] }] },
      ],
    });
    readerRole = String((await sqlApi(emu, "SELECT current_user AS role", key.token)).rows[0].role);
    await sqlApi(emu, `GRANT SELECT ON public.retail_stores TO ${readerRole}`);
    // The predicate below sees the statements a request carries: the seed's 15 writes are all seen.
    expect(emu.requests().filter((r) => r.path === "/api/v2/sql" && writes((r.body as { q?: unknown } | undefined)?.q)).length).to.equal(15);
  },
  // Everything but the scratch table and its grant (a grant's name is its table's). The filter also
  // lets through the names of the account's own keys and PostGIS's table and views, and the reader
  // key's own grant on stores: the export must leave them out by itself.
  filter: ["--name", "stores,parcels,retail_stores,store_kinds,reader,Master,Default public,spatial_ref_sys,geometry_columns,geography_columns"],
  get expected() {
    expect(readerRole, "the reader key's role").to.match(/^\w+$/);
    return [
      "carto:Table public.stores",
      "carto:Table public.parcels",
      "carto:View public.retail_stores",
      "carto:MaterializedView public.store_kinds",
      "carto:ApiKey reader",
      `carto:Grant public.retail_stores.${readerRole}`,
      "carto:Grant public.parcels.carto_publicuser",
    ];
  },
  // Statements that write (the SQL API is POST for reads too: a statement's first word tells), and every Auth API write.
  isCreate: (r) =>
    (r.method === "POST" && /^\/api\/v2\/sql\/?$/.test(r.path) && writes((r.body as { q?: unknown } | undefined)?.q)) ||
    (r.method !== "GET" && r.path.startsWith("/api/v3/api_keys")) ||
    r.path.startsWith("/api/v2/sql/job") ||
    r.path.startsWith("/api/v2/sql/copyfrom"),
  // A grant's table is the exported view; its grantee the exported key's role.
  reference: /table: view_public_retail_stores\.name,\n\s+role: apiKey_reader\.role,/,
});
