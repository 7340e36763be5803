/**
 * A ByteHouse estate that breaks every rule of the policy pack in policies/. Preview only:
 *   pulumi stack init prod
 *   pulumi preview --policy-pack ../../policies      # fails on the mandatory rules
 * Each resource below names the rule it breaks. (It cannot be deployed anyway: ByteHouse
 * allows 2 API keys per user and this declares 3.)
 */
import { bytehouse } from "../../sdk";

// description-required (advisory): no description.
const raw = new bytehouse.Database("raw", { name: "raw" });

// no-destructive-table-changes-in-production: allowDataLoss / allowReplace in a prod stack.
// description-required (advisory): no description.
new bytehouse.Table(
  "events",
  {
    database: "raw",
    name: "events",
    columns: [
      { name: "id", type: "Int64" },
      { name: "payload", type: "String" },
    ],
    orderByKeys: ["id"],
    allowDataLoss: true,
    allowReplace: true,
  },
  { dependsOn: raw },
);

// warehouse-auto-suspend: never suspends (autoSuspend 0). warehouse-size-allowed: XL.
new bytehouse.VirtualWarehouse("adhoc", { name: "adhoc", size: "XL", autoSuspend: 0 });

// api-key-expiry: a key that never expires, and one that lives a year.
// api-key-limit: three keys for one user (ByteHouse allows 2).
new bytehouse.ApiKey("forever", { comment: "never rotated", noExpiry: true });
new bytehouse.ApiKey("yearly", { comment: "rotated yearly", expiryDays: 365 });
new bytehouse.ApiKey("ci", { comment: "CI deploys", expiryDays: 30 });

// no-admin-grants: an admin role to a user, and a grant option.
new bytehouse.RoleAssignment("ops-admin", { userId: 1336688750, roleName: "AccountAdmin" });
new bytehouse.RolePermission("analyst-regrant", { roleName: "Analyst", resourceId: "raw", objectType: "DATABASE", action: "SELECT", grantOption: true });

// no-duplicate-grants: two resources manage the same permission.
new bytehouse.RolePermission("readonly-raw", { roleName: "ReadOnly", resourceId: "raw", objectType: "DATABASE", action: "SELECT" });
new bytehouse.RolePermission("readonly-raw-again", { roleName: "ReadOnly", resourceId: "raw", objectType: "DATABASE", action: "SELECT" });

// no-overwrite-loads-in-production: an import job that overwrites its target table.
new bytehouse.ImportJob("reload-events", {
  name: "reload-events",
  connectionId: 0,
  configuration: {
    source: { format: "CSV", properties: {} },
    sink: { database: "raw", table: "events", mode: "OVERWRITE" },
  },
});
