/** Altertable: the vendor's registration (settings, API client, resource kinds). */
import { defineVendor, withSamples } from "../framework/vendor";
import { httpOptionsFrom } from "../http/settings";
import { ALTERTABLE_SAMPLES } from "./samples";
import { ALTERTABLE_SETTINGS } from "./settings";
import { AltertableApi, createAltertableHttp } from "./api";
import { schema } from "./schema";
import { altertableTable } from "./table";
import { view } from "./view";
import { appendedRecords } from "./appendedRecords";
import { loadedData } from "./loadedData";

export const vendor = defineVendor({
  name: "altertable",
  title: "Altertable",
  settings: ALTERTABLE_SETTINGS,
  createApi: (s) =>
    new AltertableApi(
      createAltertableHttp(s, httpOptionsFrom(s, "altertable")),
    ),
  // One authenticated read per provider process: a trivial query through /query.
  verify: async (api) => {
    await api.query("SELECT 1");
  },
  specs: withSamples([schema, altertableTable, view, appendedRecords, loadedData], ALTERTABLE_SAMPLES),
});
