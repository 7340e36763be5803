/** Every resource kind the provider serves, and how to build each vendor's API client. */
import { ResourceSpec, Vendor } from "./framework/spec";
import { database } from "./bytehouse/database";
import { virtualWarehouse } from "./bytehouse/virtualWarehouse";
import { ByteHouseApi, createByteHouseHttp } from "./bytehouse/api";
import { ConfigSource, resolveSettings } from "./settings";

export const SPECS: readonly ResourceSpec<any, any, any>[] = [database, virtualWarehouse];

export const API_FACTORIES: Record<Vendor, (config: ConfigSource | undefined) => unknown> = {
  bytehouse: (config) => new ByteHouseApi(createByteHouseHttp(resolveSettings("bytehouse", config))),
};
