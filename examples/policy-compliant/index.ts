/**
 * A ByteHouse estate that passes every rule of the policy pack in policies/, even in a
 * production stack:
 *   pulumi stack init prod
 *   pulumi preview --policy-pack ../../policies
 * It also comes up against the emulator (`npm run example -- policy-compliant`).
 * policy-config.json next to this file lowers the auto-suspend limit to 5 minutes and makes
 * that rule advisory; with it the preview passes with a warning about "transform":
 *   pulumi preview --policy-pack ../../policies --policy-pack-config policy-config.json
 */
import { bytehouse } from "../../sdk";

// Databases and tables say what they hold (description-required).
const marts = new bytehouse.Database("marts", { name: "marts", description: "Curated marts, owned by the analytics team" });

const orders = new bytehouse.Table(
  "orders",
  {
    database: "marts",
    name: "orders",
    description: "One row per order, loaded hourly",
    columns: [
      { name: "id", type: "Int64" },
      { name: "placed_at", type: "DateTime" },
      { name: "amount", type: "Decimal(18,2)" },
    ],
    orderByKeys: ["id"],
    // No allowDataLoss / allowReplace: a production stack refuses them.
  },
  { dependsOn: marts },
);

// An allowed size, suspended after 10 idle minutes, woken by the next query (warehouse-*).
new bytehouse.VirtualWarehouse("transform", { name: "transform", description: "dbt runs", size: "S", autoSuspend: 10, autoResume: true });

// A key that expires within 90 days (api-key-expiry); one key, under the per-user limit of 2.
new bytehouse.ApiKey("ci", { comment: "CI deploys", expiryDays: 30 });

// A non-admin role, no grant option, each grant managed once (no-admin-grants, no-duplicate-grants).
new bytehouse.RoleAssignment("analyst", { userId: 1336688750, roleName: "Analyst" });
new bytehouse.RolePermission("analyst-reads-marts", { roleName: "Analyst", resourceId: "marts", objectType: "DATABASE", action: "SELECT" }, { dependsOn: marts });

export const ordersTable = orders.name;
