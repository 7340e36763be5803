/** Alation: the vendor's registration (settings, API client, resource kinds). */
import { defineVendor, withSamples } from "../framework/vendor";
import { httpOptionsFrom } from "../http/settings";
import { ALATION_SAMPLES } from "./samples";
import { ALATION_SETTINGS } from "./settings";
import { AlationApi } from "./api";
import { query } from "./query";
import { abandonedQueries } from "./abandonedQueries";

export const vendor = defineVendor({
  name: "alation",
  title: "Alation",
  settings: ALATION_SETTINGS,
  createApi: (s) => new AlationApi(s, httpOptionsFrom(s, "alation")),
  // One authenticated read per provider process (minting an access token first when configured
  // with a refresh token): the data sources, which the queries' checks use anyway.
  verify: async (api) => {
    await api.datasources();
  },
  specs: withSamples([query, abandonedQueries], ALATION_SAMPLES),
});
