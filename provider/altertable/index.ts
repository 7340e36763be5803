/** Altertable: the vendor's registration (settings, API client, resource kinds). */
import { defineVendor, withSamples } from "../framework/vendor";
import { httpOptionsFrom } from "../http/settings";
import { ALTERTABLE_SAMPLES } from "./samples";
import { AltertableApi, createAltertableHttp } from "./api";
import { schema } from "./schema";
import { altertableTable } from "./table";
import { view } from "./view";
import { appendedRecords } from "./appendedRecords";
import { loadedData } from "./loadedData";

export const vendor = defineVendor({
  name: "altertable",
  title: "Altertable",
  settings: {
    endpoint: { config: "warehouse:altertableEndpoint", env: "ALTERTABLE_ENDPOINT", required: true, secret: false, doc: "Base URL of the Altertable lakehouse API (https://api.altertable.ai, or the emulator)." },
    username: { config: "warehouse:altertableUsername", env: "ALTERTABLE_LAKEHOUSE_USERNAME", required: true, secret: false, doc: "Lakehouse username (HTTP Basic auth)." },
    password: { config: "warehouse:altertablePassword", env: "ALTERTABLE_LAKEHOUSE_PASSWORD", required: true, secret: true, doc: "Lakehouse password. Set it as a secret." },
  },
  createApi: (s) =>
    new AltertableApi(
      createAltertableHttp(s, {
        ...httpOptionsFrom(s, "altertable"),
        // A refused credential or an unreachable host names the settings to fix.
        endpointSetting: "warehouse:altertableEndpoint",
        credentialHint: "the lakehouse credentials in warehouse:altertableUsername and warehouse:altertablePassword (or $ALTERTABLE_LAKEHOUSE_USERNAME / $ALTERTABLE_LAKEHOUSE_PASSWORD)",
      }),
    ),
  // One authenticated read per provider process: a trivial query through /query.
  verify: async (api) => {
    await api.query("SELECT 1");
  },
  specs: withSamples([schema, altertableTable, view, appendedRecords, loadedData], ALTERTABLE_SAMPLES),
});
