/** ByteHouse: the vendor's registration (settings, API client, resource kinds). */
import { defineVendor, withSamples } from "../framework/vendor";
import { httpOptionsFrom } from "../http/settings";
import { BYTEHOUSE_SAMPLES } from "./samples";
import { BYTEHOUSE_SETTINGS } from "./settings";
import { ByteHouseApi, createByteHouseHttp } from "./api";
import { database } from "./database";
import { virtualWarehouse } from "./virtualWarehouse";
import { table } from "./table";
import { apiKey } from "./apiKey";
import { roleAssignment, rolePermission } from "./grants";
import { connection } from "./connection";
import { importJob } from "./importJob";
import { metadataSubscription } from "./metadataSubscription";

export const vendor = defineVendor({
  name: "bytehouse",
  title: "ByteHouse",
  settings: BYTEHOUSE_SETTINGS,
  createApi: (s) => new ByteHouseApi(createByteHouseHttp(s, httpOptionsFrom(s, "bytehouse"))),
  // One authenticated read per provider process: the VW configurations, which the client caches
  // anyway (sizes resolve through them at preview and at apply).
  verify: async (api) => {
    await api.listVirtualWarehouseConfigs();
  },
  specs: withSamples([database, virtualWarehouse, table, apiKey, roleAssignment, rolePermission, connection, importJob, metadataSubscription], BYTEHOUSE_SAMPLES),
});
