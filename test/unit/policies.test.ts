/** Unit tests of every policy rule, passing and violating, without the policy server. */
import { expect } from "chai";
import {
  TYPES,
  OVERWRITE_LOADS,
  apiKeyExpiry,
  apiKeyLimit,
  descriptionRequired,
  noAdminGrants,
  noDestructiveTableChangesInProduction,
  noDuplicateGrants,
  noOverwriteLoadsInProduction,
  policies,
  warehouseAutoSuspend,
  warehouseSizeAllowed,
} from "../../policies/rules";
import { bytehouse } from "../../sdk";
import { checkResource, checkStack } from "../helpers/policy";

// What @pulumi/policy hands a validator for inputs unknown at preview (internal API, so untyped).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxy = require("@pulumi/policy/proxy") as { unknownCheckingProxy<T>(o: T): T; unknownNumberValue: string; unknownStringValue: string };
const { unknownCheckingProxy, unknownNumberValue, unknownStringValue } = proxy;

const VW = TYPES.bytehouseVirtualWarehouse;

describe("policies: pack shape", () => {
  it("every rule has a unique name, a description, a default level; levels match the README", () => {
    const levels = Object.fromEntries(policies.map((p) => [p.name, p.enforcementLevel]));
    expect(levels).to.deep.equal({
      "warehouse-auto-suspend": "mandatory",
      "warehouse-size-allowed": "mandatory",
      "api-key-expiry": "mandatory",
      "no-admin-grants": "mandatory",
      "no-destructive-table-changes-in-production": "mandatory",
      "no-overwrite-loads-in-production": "mandatory",
      "description-required": "advisory",
      "no-duplicate-grants": "mandatory",
      "api-key-limit": "mandatory",
    });
    for (const p of policies) expect(p.description, p.name).to.be.a("string").and.not.empty;
  });
  it("config schemas never declare enforcementLevel, and thresholds have defaults", () => {
    for (const p of policies) expect(Object.keys(p.configSchema?.properties ?? {})).to.not.include("enforcementLevel");
    expect((warehouseAutoSuspend.configSchema!.properties as any).maxAutoSuspendMinutes.default).to.equal(60);
    expect((apiKeyExpiry.configSchema!.properties as any).maxExpiryDays.default).to.equal(90);
  });
  it("tokens come from the SDK classes and the typeToken helper", () => {
    expect(TYPES.bytehouseVirtualWarehouse).to.equal(bytehouse.VirtualWarehouse.__pulumiType).and.equal("pulumi-nodejs:dynamic/bytehouse:VirtualWarehouse");
    expect(Object.keys(OVERWRITE_LOADS)).to.have.members(["pulumi-nodejs:dynamic/bytehouse:ImportJob", "pulumi-nodejs:dynamic/altertable:LoadedData"]);
  });
});

describe("policies: warehouse-auto-suspend", () => {
  it("passes a warehouse that suspends within the limit", async () => {
    expect(await checkResource(warehouseAutoSuspend, { type: VW, props: { name: "etl", size: "S", autoSuspend: 10 } })).to.deep.equal([]);
  });
  it("flags autoSuspend 0 and unset (= never), naming the resource and the fix", async () => {
    const [zero] = await checkResource(warehouseAutoSuspend, { type: VW, name: "etl", props: { autoSuspend: 0 } });
    expect(zero).to.contain('bytehouse:VirtualWarehouse "etl"').and.contain("never suspends").and.contain("Set autoSuspend to a number of minutes between 1 and 60");
    expect(await checkResource(warehouseAutoSuspend, { type: VW, props: {} })).to.have.length(1);
  });
  it("flags more minutes than the configured maximum", async () => {
    expect(await checkResource(warehouseAutoSuspend, { type: VW, props: { autoSuspend: 61 } })).to.have.length(1);
    const [m] = await checkResource(warehouseAutoSuspend, { type: VW, props: { autoSuspend: 10 }, config: { maxAutoSuspendMinutes: 5 } });
    expect(m).to.contain("10 idle minutes, more than the allowed 5");
  });
  it("ignores other kinds, and values unknown at preview", async () => {
    expect(await checkResource(warehouseAutoSuspend, { type: TYPES.bytehouseDatabase, props: { autoSuspend: 0 } })).to.deep.equal([]);
    expect(await checkResource(warehouseAutoSuspend, { type: VW, props: unknownCheckingProxy({ autoSuspend: unknownNumberValue }) })).to.deep.equal([]);
  });
});

describe("policies: warehouse-size-allowed", () => {
  it("passes allowed sizes, case-insensitively", async () => {
    expect(await checkResource(warehouseSizeAllowed, { type: VW, props: { size: "m" } })).to.deep.equal([]);
  });
  it("flags a size off the list and names the allowed ones", async () => {
    const [m] = await checkResource(warehouseSizeAllowed, { type: VW, name: "big", props: { size: "XL" } });
    expect(m).to.contain('bytehouse:VirtualWarehouse "big" uses size "XL"').and.contain('Set size to one of "XS", "S", "M"');
  });
  it("uses the configured lists, for size and configId", async () => {
    expect(await checkResource(warehouseSizeAllowed, { type: VW, props: { size: "XL" }, config: { allowedSizes: ["XL"] } })).to.deep.equal([]);
    expect(await checkResource(warehouseSizeAllowed, { type: VW, props: { configId: 123456 } })).to.have.length(1);
    expect(await checkResource(warehouseSizeAllowed, { type: VW, props: { configId: 123456 }, config: { allowedConfigIds: [123456] } })).to.deep.equal([]);
  });
  it("skips a size unknown at preview", async () => {
    expect(await checkResource(warehouseSizeAllowed, { type: VW, props: unknownCheckingProxy({ size: unknownStringValue }) })).to.deep.equal([]);
  });
});

describe("policies: api-key-expiry", () => {
  const KEY = TYPES.bytehouseApiKey;
  it("passes keys that expire in time, including the provider default of 90 days", async () => {
    expect(await checkResource(apiKeyExpiry, { type: KEY, props: { expiryDays: 30 } })).to.deep.equal([]);
    expect(await checkResource(apiKeyExpiry, { type: KEY, props: {} })).to.deep.equal([]);
  });
  it("flags noExpiry and a too-long expiry, with the fix", async () => {
    const [never] = await checkResource(apiKeyExpiry, { type: KEY, name: "ci", props: { noExpiry: true } });
    expect(never).to.contain('bytehouse:ApiKey "ci" never expires (noExpiry: true)').and.contain("set expiryDays to 90 or fewer");
    const [long] = await checkResource(apiKeyExpiry, { type: KEY, props: { expiryDays: 365 } });
    expect(long).to.contain("365 days").and.contain("Set expiryDays to 90 or fewer");
  });
  it("applies the configured maximum, also to the default expiry", async () => {
    expect(await checkResource(apiKeyExpiry, { type: KEY, props: {}, config: { maxExpiryDays: 30 } })).to.have.length(1);
  });
});

describe("policies: no-admin-grants", () => {
  const RA = TYPES.bytehouseRoleAssignment;
  const RP = TYPES.bytehouseRolePermission;
  it("passes non-admin assignments and permissions without grant option", async () => {
    expect(await checkResource(noAdminGrants, { type: RA, props: { userId: 1, roleName: "Analyst" } })).to.deep.equal([]);
    expect(await checkResource(noAdminGrants, { type: RP, props: { roleName: "Analyst", resourceId: "db", objectType: "DATABASE", action: "SELECT", grantOption: false } })).to.deep.equal([]);
  });
  it("flags an admin role assignment (case-insensitive) and a grant option", async () => {
    const [a] = await checkResource(noAdminGrants, { type: RA, name: "ops", props: { userId: 7, roleName: "accountadmin" } });
    expect(a).to.contain('bytehouse:RoleAssignment "ops" assigns the admin role "accountadmin" to user 7').and.contain("Set roleName to a non-admin role");
    const [g] = await checkResource(noAdminGrants, { type: RP, name: "p", props: { roleName: "Analyst", resourceId: "db", objectType: "DATABASE", action: "SELECT", grantOption: true } });
    expect(g).to.contain("grantOption: true").and.contain("Set grantOption to false");
  });
  it("flags a permission on an admin role", async () => {
    expect(await checkResource(noAdminGrants, { type: RP, props: { roleName: "Analyst", resourceId: "SystemAdmin", objectType: "ROLE", action: "USAGE" } })).to.have.length(1);
  });
  it("honours the allow-list of principals and the list of admin roles", async () => {
    expect(await checkResource(noAdminGrants, { type: RA, props: { userId: 7, roleName: "AccountAdmin" }, config: { allowedPrincipals: [7] } })).to.deep.equal([]);
    expect(await checkResource(noAdminGrants, { type: RP, props: { roleName: "DataAdmin", resourceId: "db", objectType: "DATABASE", action: "ALL", grantOption: true }, config: { allowedPrincipals: ["DataAdmin"] } })).to.deep.equal([]);
    expect(await checkResource(noAdminGrants, { type: RA, props: { userId: 7, roleName: "DataAdmin" }, config: { adminRoles: ["DataAdmin"] } })).to.have.length(1);
  });
});

describe("policies: data safety in production stacks", () => {
  const TABLE = TYPES.bytehouseTable;
  it("flags allowDataLoss and allowReplace in prod-like stacks only", async () => {
    const props = { database: "d", name: "t", allowDataLoss: true, allowReplace: true };
    const msgs = await checkResource(noDestructiveTableChangesInProduction, { type: TABLE, name: "events", props, stack: "prod" });
    expect(msgs).to.have.length(2);
    expect(msgs[0]).to.contain('bytehouse:Table "events" sets allowDataLoss: true in production stack "prod"').and.contain("Remove allowDataLoss");
    expect(await checkResource(noDestructiveTableChangesInProduction, { type: TABLE, props, stack: "production-eu" })).to.have.length(2);
    expect(await checkResource(noDestructiveTableChangesInProduction, { type: TABLE, props, stack: "PRD" })).to.have.length(2);
    expect(await checkResource(noDestructiveTableChangesInProduction, { type: TABLE, props, stack: "dev" })).to.deep.equal([]);
    expect(await checkResource(noDestructiveTableChangesInProduction, { type: TABLE, props, stack: "products" })).to.deep.equal([]);
  });
  it("passes tables without the opt-ins in prod", async () => {
    expect(await checkResource(noDestructiveTableChangesInProduction, { type: TABLE, props: { allowDataLoss: false }, stack: "prod" })).to.deep.equal([]);
  });
  it("uses the configured stack pattern", async () => {
    const config = { productionStackPattern: "^live$" };
    expect(await checkResource(noDestructiveTableChangesInProduction, { type: TABLE, props: { allowReplace: true }, stack: "live", config })).to.have.length(1);
    expect(await checkResource(noDestructiveTableChangesInProduction, { type: TABLE, props: { allowReplace: true }, stack: "prod", config })).to.deep.equal([]);
  });
  it("flags overwrite loads: ByteHouse ImportJob sink mode and Altertable LoadedData mode", async () => {
    const [m] = await checkResource(noOverwriteLoadsInProduction, {
      type: TYPES.bytehouseImportJob,
      name: "reload",
      props: { configuration: { sink: { database: "d", table: "t", mode: "OVERWRITE" } } },
      stack: "prod",
    });
    expect(m).to.contain('bytehouse:ImportJob "reload" loads in overwrite mode (configuration.sink.mode: "OVERWRITE")').and.contain('set configuration.sink.mode to "APPEND"');
    expect(await checkResource(noOverwriteLoadsInProduction, { type: TYPES.altertableLoadedData, props: { mode: "overwrite" }, stack: "prod" })).to.have.length(1);
    expect(await checkResource(noOverwriteLoadsInProduction, { type: TYPES.altertableLoadedData, props: { mode: "append" }, stack: "prod" })).to.deep.equal([]);
    expect(await checkResource(noOverwriteLoadsInProduction, { type: TYPES.bytehouseImportJob, props: { configuration: { sink: { mode: "APPEND" } } }, stack: "prod" })).to.deep.equal([]);
    expect(await checkResource(noOverwriteLoadsInProduction, { type: TYPES.altertableLoadedData, props: { mode: "overwrite" }, stack: "dev" })).to.deep.equal([]);
  });
  it("skips a mode unknown at preview", async () => {
    expect(await checkResource(noOverwriteLoadsInProduction, { type: TYPES.altertableLoadedData, props: unknownCheckingProxy({ mode: unknownStringValue }), stack: "prod" })).to.deep.equal([]);
  });
});

describe("policies: description-required", () => {
  it("passes described tables and databases", async () => {
    expect(await checkResource(descriptionRequired, { type: TYPES.bytehouseTable, props: { description: "orders" } })).to.deep.equal([]);
  });
  it("flags a missing or blank description on tables and databases only", async () => {
    const [m] = await checkResource(descriptionRequired, { type: TYPES.bytehouseDatabase, name: "raw", props: { description: "  " } });
    expect(m).to.contain('bytehouse:Database "raw" has no description').and.contain("Set description");
    expect(await checkResource(descriptionRequired, { type: TYPES.bytehouseTable, props: {} })).to.have.length(1);
    expect(await checkResource(descriptionRequired, { type: VW, props: {} })).to.deep.equal([]);
  });
  it("uses the configured minimum length", async () => {
    expect(await checkResource(descriptionRequired, { type: TYPES.bytehouseTable, props: { description: "x" }, config: { minLength: 10 } })).to.have.length(1);
  });
});

describe("policies: no-duplicate-grants (stack)", () => {
  const RP = TYPES.bytehouseRolePermission;
  const RA = TYPES.bytehouseRoleAssignment;
  const perm = { roleName: "ReadOnly", resourceId: "raw", objectType: "DATABASE", action: "SELECT" };
  it("passes distinct grants", async () => {
    expect(await checkStack(noDuplicateGrants, [
      { type: RP, name: "a", props: perm },
      { type: RP, name: "b", props: { ...perm, action: "INSERT" } },
      { type: RA, name: "c", props: { userId: 1, roleName: "Analyst" } },
      { type: RA, name: "d", props: { userId: 2, roleName: "Analyst" } },
    ])).to.deep.equal([]);
  });
  it("flags two resources managing the same permission or assignment, naming both", async () => {
    const v = await checkStack(noDuplicateGrants, [
      { type: RP, name: "a", props: perm },
      { type: RP, name: "b", props: { ...perm, grantOption: true } },
      { type: RA, name: "c", props: { userId: 1, roleName: "Analyst" } },
      { type: RA, name: "d", props: { userId: 1, roleName: "Analyst" } },
    ]);
    expect(v).to.have.length(2);
    expect(v[0].message).to.contain('bytehouse:RolePermission "a"').and.contain('bytehouse:RolePermission "b"').and.contain("Keep one of them");
    expect(v[1].message).to.contain("user 1 has role Analyst");
  });
  it("skips grants with parts unknown at preview", async () => {
    expect(await checkStack(noDuplicateGrants, [
      { type: RA, name: "c", props: unknownCheckingProxy({ userId: unknownNumberValue, roleName: "Analyst" }) },
      { type: RA, name: "d", props: unknownCheckingProxy({ userId: unknownNumberValue, roleName: "Analyst" }) },
    ])).to.deep.equal([]);
  });
});

describe("policies: api-key-limit (stack)", () => {
  const KEY = TYPES.bytehouseApiKey;
  const keys = (n: number) => Array.from({ length: n }, (_, i) => ({ type: KEY, name: `k${i}`, props: { expiryDays: 30 } }));
  it("passes up to the vendor's 2 keys", async () => {
    expect(await checkStack(apiKeyLimit, keys(2))).to.deep.equal([]);
  });
  it("flags a third key, naming the keys and how many to remove", async () => {
    const [v] = await checkStack(apiKeyLimit, keys(3));
    expect(v.message).to.contain("3 bytehouse:ApiKey resources").and.contain("more than the 2 allowed by the vendor").and.contain('"k2"').and.contain("Remove 1 of them");
  });
  it("a configured lower limit applies; a higher one cannot exceed the vendor's", async () => {
    expect(await checkStack(apiKeyLimit, keys(2), { maxKeysPerUser: 1 })).to.have.length(1);
    expect(await checkStack(apiKeyLimit, keys(3), { maxKeysPerUser: 5 })).to.have.length(1);
  });
});
