/** Every resource kind the provider serves, and how to build each vendor's API client. */
import { ResourceSpec, Vendor } from "./framework/spec";
import { database } from "./bytehouse/database";
import { virtualWarehouse } from "./bytehouse/virtualWarehouse";
import { table } from "./bytehouse/table";
import { apiKey } from "./bytehouse/apiKey";
import { roleAssignment, rolePermission } from "./bytehouse/grants";
import { connection } from "./bytehouse/connection";
import { importJob } from "./bytehouse/importJob";
import { metadataSubscription } from "./bytehouse/metadataSubscription";
import { ByteHouseApi, createByteHouseHttp } from "./bytehouse/api";
import { AltertableApi, createAltertableHttp } from "./altertable/api";
import { schema as altertableSchema } from "./altertable/schema";
import { altertableTable } from "./altertable/table";
import { view as altertableView } from "./altertable/view";
import { appendedRecords } from "./altertable/appendedRecords";
import { loadedData } from "./altertable/loadedData";
import { ConfigSource, resolveSettings } from "./settings";

export const SPECS: readonly ResourceSpec<any, any, any>[] = [
  // ByteHouse
  database,
  virtualWarehouse,
  table,
  apiKey,
  roleAssignment,
  rolePermission,
  connection,
  importJob,
  metadataSubscription,
  // Altertable
  altertableSchema,
  altertableTable,
  altertableView,
  appendedRecords,
  loadedData,
];

export const API_FACTORIES: Record<Vendor, (config: ConfigSource | undefined) => unknown> = {
  bytehouse: (config) => new ByteHouseApi(createByteHouseHttp(resolveSettings("bytehouse", config))),
  altertable: (config) => new AltertableApi(createAltertableHttp(resolveSettings("altertable", config))),
};
