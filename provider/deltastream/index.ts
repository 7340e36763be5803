/** DeltaStream: the vendor's registration (settings, API client, resource kinds). */
import { defineVendor } from "../framework/vendor";
import { DELTASTREAM_SETTINGS } from "./settings";

export const vendor = defineVendor({
  name: "deltastream",
  title: "DeltaStream",
  settings: DELTASTREAM_SETTINGS,
  // Placeholder until the statements client lands: the resolved settings themselves.
  createApi: (s) => ({ settings: s }),
  specs: [],
});
