/**
 * A realistic ByteHouse estate:
 *   - a `sales` database with an `orders` table (partitioned by day, TTL two years) and a
 *     `customers` table;
 *   - compute for loads and for BI, sized by name;
 *   - an API key for CI (expires in 30 days; its secret is a stack output, encrypted);
 *   - an analyst role assignment and read permissions;
 *   - a LOCAL-files connection and an import job that loads data/*.csv into `orders` and waits
 *     for the rows to land.
 *
 *   npm run example -- bytehouse-platform
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { bytehouse } from "../../sdk";

// The sample files sit next to this program's source (this file runs from dist/).
const dataDir = path.resolve(__dirname, "../../../examples/bytehouse-platform/data");

const sales = new bytehouse.Database("sales", { name: "sales", description: "Orders and customers" });

const orders = new bytehouse.Table("orders", {
  database: sales.name,
  name: "orders",
  description: "One row per order",
  columns: [
    { name: "order_id", type: "Int64", comment: "order number" },
    { name: "customer_id", type: "Int64" },
    { name: "amount", type: "Decimal(18,2)" },
    { name: "order_date", type: "Date" },
  ],
  orderByKeys: ["order_id"],
  partitionKeys: [{ column: "order_date", granularity: "day" }],
  ttl: { column: "order_date", interval: 2, unit: "YEAR" },
});

new bytehouse.Table("customers", {
  database: sales.name,
  name: "customers",
  description: "Customer master data",
  columns: [
    { name: "customer_id", type: "Int64" },
    { name: "name", type: "String" },
    { name: "country", type: "Nullable(String)", comment: "ISO 3166 code" },
  ],
  orderByKeys: ["customer_id"],
  primaryKeys: ["customer_id"],
});

const loads = new bytehouse.VirtualWarehouse("loads", { name: "loads", size: "S", autoSuspend: 5, autoResume: true, description: "Import jobs" });
new bytehouse.VirtualWarehouse("bi", { name: "bi", size: "M", autoSuspend: 10, autoResume: true, description: "Dashboards" });

const ciKey = new bytehouse.ApiKey("ci", { comment: "CI pipeline", expiryDays: 30 });

const analyst = 1336688750; // a ByteHouse user id
new bytehouse.RoleAssignment("analyst-role", { userId: analyst, roleName: "Analyst" });
new bytehouse.RolePermission("analyst-reads-sales", { roleName: "Analyst", resourceId: "sales", objectType: "DATABASE", action: "SELECT" });

const files = new bytehouse.Connection("sample-files", { name: "sample-files", type: "LOCAL", data: { path: dataDir } });

const load = new bytehouse.ImportJob(
  "load-orders",
  {
    name: "load-orders",
    description: "Loads the sample order files",
    connectionId: files.connectionId,
    configuration: {
      source: { format: "CSV", properties: { fileNames: "orders.csv,orders-late.csv", delimiter: ",", header: true } },
      sink: { database: "sales", table: "orders", mode: "APPEND" },
    },
    run: { args: { "source.properties.fileNames": "orders.csv,orders-late.csv" } },
  },
  { dependsOn: [orders, loads] },
);

export const loadsWarehouse = loads.vwId;
export const ciApiKey = pulumi.secret(ciKey.key);
export const rowsLoaded = load.lastExecution.apply((e: { rowsLoaded?: number } | undefined) => e?.rowsLoaded);
