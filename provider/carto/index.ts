/** CARTO: the vendor's registration (settings, API client, resource kinds). The kinds arrive with the provider side. */
import { defineVendor } from "../framework/vendor";
import { CARTO_SETTINGS } from "./settings";

export const vendor = defineVendor({
  name: "carto",
  title: "CARTO",
  settings: CARTO_SETTINGS,
  createApi: (s) => ({ settings: s }),
  specs: [],
});
