/** ByteHouse resources and lookups. Reference: README.md, "Resource reference". */
import { ArgsOf, resourceClass } from "../framework";
import { database, databaseInputs } from "../../provider/bytehouse/database";
import { virtualWarehouse, virtualWarehouseInputs } from "../../provider/bytehouse/virtualWarehouse";
import { table, tableInputs } from "../../provider/bytehouse/table";
import { apiKey, apiKeyInputs } from "../../provider/bytehouse/apiKey";
import { roleAssignment, roleAssignmentInputs, rolePermission, rolePermissionInputs } from "../../provider/bytehouse/grants";
import { connection, connectionInputs } from "../../provider/bytehouse/connection";
import { importJob, importJobInputs } from "../../provider/bytehouse/importJob";

export {
  getVirtualWarehouseConfig,
  getVirtualWarehouseConfigs,
  getRoles,
  getPartitions,
  deletePartitions,
  getMaterializedViews,
  getMaterializedView,
  deleteDictionary,
  getClusterStatus,
  getSyncStatus,
  getQueryObjects,
  getSqlDialects,
  getAccountStatus,
  getStorageUsage,
  getVirtualWarehouseUsage,
  query,
} from "./lookups";
import { metadataSubscription, metadataSubscriptionInputs } from "../../provider/bytehouse/metadataSubscription";

/** A ByteHouse database. Any change replaces it (the API cannot update databases). */
export const Database = resourceClass(database);
export type Database = InstanceType<typeof Database>;
export type DatabaseArgs = ArgsOf<typeof databaseInputs>;

/** A ByteHouse virtual warehouse. The name forces replacement; everything else updates in place. */
export const VirtualWarehouse = resourceClass(virtualWarehouse);
export type VirtualWarehouse = InstanceType<typeof VirtualWarehouse>;
export type VirtualWarehouseArgs = ArgsOf<typeof virtualWarehouseInputs>;

/** A ByteHouse table with safe column evolution (allowDataLoss / allowReplace opt-ins). */
export const Table = resourceClass(table);
export type Table = InstanceType<typeof Table>;
export type TableArgs = ArgsOf<typeof tableInputs>;

/** An API key of the provider's user; the secret is the output `key`, known only from creation. */
export const ApiKey = resourceClass(apiKey);
export type ApiKey = InstanceType<typeof ApiKey>;
export type ApiKeyArgs = ArgsOf<typeof apiKeyInputs>;

/** Assigns a role to a user. */
export const RoleAssignment = resourceClass(roleAssignment);
export type RoleAssignment = InstanceType<typeof RoleAssignment>;
export type RoleAssignmentArgs = ArgsOf<typeof roleAssignmentInputs>;

/** Grants a role one action on one object. */
export const RolePermission = resourceClass(rolePermission);
export type RolePermission = InstanceType<typeof RolePermission>;
export type RolePermissionArgs = ArgsOf<typeof rolePermissionInputs>;

/** A data-loading connection; `data` is a secret. */
export const Connection = resourceClass(connection);
export type Connection = InstanceType<typeof Connection>;
export type ConnectionArgs = ArgsOf<typeof connectionInputs>;

/** A data-loading job, optionally run after create or change. */
export const ImportJob = resourceClass(importJob);
export type ImportJob = InstanceType<typeof ImportJob>;
export type ImportJobArgs = ArgsOf<typeof importJobInputs>;

/** The account's metadata subscription (X-Bytehouse-Token is a secret). */
export const MetadataSubscription = resourceClass(metadataSubscription);
export type MetadataSubscription = InstanceType<typeof MetadataSubscription>;
export type MetadataSubscriptionArgs = ArgsOf<typeof metadataSubscriptionInputs>;
