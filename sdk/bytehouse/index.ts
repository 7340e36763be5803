/** ByteHouse resources. Reference: README.md, "Resource reference". */
import { ArgsOf, resourceClass } from "../framework";
import { database, databaseInputs } from "../../provider/bytehouse/database";
import { virtualWarehouse, virtualWarehouseInputs } from "../../provider/bytehouse/virtualWarehouse";

/** A ByteHouse database. Any change replaces it (the API cannot update databases). */
export const Database = resourceClass(database);
export type Database = InstanceType<typeof Database>;
export type DatabaseArgs = ArgsOf<typeof databaseInputs>;

/** A ByteHouse virtual warehouse. The name forces replacement; everything else updates in place. */
export const VirtualWarehouse = resourceClass(virtualWarehouse);
export type VirtualWarehouse = InstanceType<typeof VirtualWarehouse>;
export type VirtualWarehouseArgs = ArgsOf<typeof virtualWarehouseInputs>;
