/**
 * Every ByteHouse resource kind available so far, with the options that matter.
 *   npm run example -- bytehouse-warehouses
 * runs `pulumi up` of this program against the ByteHouse emulator, a no-op `pulumi preview`,
 * then `pulumi destroy`. Against a real account, set warehouse:bytehouseEndpoint and
 * (as a secret) warehouse:bytehouseApiKey and run `pulumi up` here.
 */
import * as pulumi from "@pulumi/pulumi";
import { bytehouse } from "../../sdk";

// A database. Any change replaces it; forceDestroy lets destroy drop it with its tables.
const marts = new bytehouse.Database("marts", {
  name: "marts",
  description: "Curated marts",
  forceDestroy: false,
});

// Sized by name, suspended after 10 idle minutes, resumed by the next query.
const transform = new bytehouse.VirtualWarehouse("transform", {
  name: "transform",
  description: "dbt runs",
  size: "M",
  autoSuspend: 10,
  autoResume: true,
});

// Sized by configuration id, created suspended; kept at the vendor if removed from the program.
const backfill = new bytehouse.VirtualWarehouse(
  "backfill",
  { name: "backfill", configId: 123460, status: "down", autoSuspend: 5 },
  { retainOnDelete: true },
);

export const martsUuid = marts.uuid;
export const warehouses = pulumi.all([transform.vwId, backfill.vwId]);
