/** CARTO: the vendor's registration (settings, API client, resource kinds). */
import { defineVendor, withSamples } from "../framework/vendor";
import { httpOptionsFrom } from "../http/settings";
import { sql } from "../sql/builder";
import { CartoApi, createCartoHttp } from "./api";
import { cartoApiKey } from "./apiKey";
import { cartoBatchJob } from "./batchJob";
import { cartoGrant } from "./grant";
import { cartoLoadedData } from "./loadedData";
import { CARTO_SAMPLES } from "./samples";
import { CARTO_SETTINGS } from "./settings";
import { cartoTable } from "./table";
import { cartoMaterializedView, cartoView } from "./view";

export const vendor = defineVendor({
  name: "carto",
  title: "CARTO",
  settings: CARTO_SETTINGS,
  createApi: (s) => {
    const settings = { user: s.user, endpoint: s.endpoint, apiKey: s.apiKey };
    const extra = httpOptionsFrom(s, "carto");
    return new CartoApi(createCartoHttp(settings, extra), settings, extra);
  },
  // One authenticated read per provider process: a trivial statement through the SQL API.
  verify: async (api) => {
    await api.sql(sql`SELECT 1 AS ok`);
  },
  specs: withSamples([cartoTable, cartoView, cartoMaterializedView, cartoGrant, cartoApiKey, cartoBatchJob, cartoLoadedData], CARTO_SAMPLES),
});
