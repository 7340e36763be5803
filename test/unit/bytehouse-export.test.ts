/**
 * `pulumi-warehouse export` for ByteHouse's grants, connections and import jobs: where permissions
 * are looked for, logical names, and the references the program gets (a permission's database or
 * warehouse chosen by its objectType, a job's connection by its id), on a fake API.
 */
import { expect } from "chai";
import { readEstate, renderProgram } from "../../cli/export";
import { vendorNamed } from "../../provider/registry";
import { permissionDatabase, permissionTargets } from "../../provider/bytehouse/grants";
import { uniqueNames } from "../../provider/bytehouse/connection";

const AT = "2026-01-01T00:00:00Z";

/** An account where a database and a warehouse are both called etl. */
function fakeApi() {
  const perms = [
    { RoleName: "Analyst", ByteHouseResourceID: "etl", SecureObjectTypeName: "DATABASE", ActionName: "SELECT", GrantOption: false },
    { RoleName: "Analyst", ByteHouseResourceID: "etl", SecureObjectTypeName: "VIRTUAL_WAREHOUSE", ActionName: "USAGE", GrantOption: true },
    { RoleName: "ReadOnly", ByteHouseResourceID: "*", SecureObjectTypeName: "TABLE", ActionName: "SELECT", GrantOption: false },
  ];
  const asked: string[] = [];
  const api = {
    listDatabases: async () => [{ name: "etl", description: "", createdAt: AT }],
    listVirtualWarehouses: async () => [{ name: "etl", id: "vw-1-etl", configID: 123456, status: "up", autoSuspend: 0, autoResume: false, description: "", createdAt: AT }],
    listVirtualWarehouseConfigs: async () => [{ id: 123456, name: "XS" }],
    listTables: async () => [],
    listRoles: async () => [{ name: "Analyst" }, { name: "ReadOnly" }],
    listPermissions: async (q: { RoleName: string; ByteHouseResourceID: string; SecureObjectTypeName: string }) => {
      asked.push(`${q.RoleName}|${q.SecureObjectTypeName}|${q.ByteHouseResourceID}`);
      return perms.filter((p) => p.RoleName === q.RoleName && p.ByteHouseResourceID === q.ByteHouseResourceID && p.SecureObjectTypeName === q.SecureObjectTypeName);
    },
    listAssignments: async (userId?: number) => (userId === undefined ? [{ UserID: 7, RoleName: "Analyst" }] : []),
    listConnections: async () => [{ id: 4, name: "files", type: "LOCAL", data: { path: "/data", token: "******" }, createdAt: AT, updatedAt: AT }],
    listImportJobs: async () => [
      { id: 1, name: "load", description: "d", connectionID: 4, configuration: { sink: { database: "etl", table: "t" } }, sourceSchema: {}, state: "PUBLISHED", createdAt: AT, updatedAt: AT, lastExecutionID: "x" },
      { id: 2, name: "internal", description: "", connectionID: 0, configuration: { sink: { database: "etl", table: "t" } }, sourceSchema: {}, state: "DRAFT", createdAt: AT, updatedAt: AT, lastExecutionID: null },
    ],
  };
  return { api, asked };
}

describe("bytehouse: export of grants, connections and import jobs", () => {
  it("looks for permissions on every database, table and warehouse, and on * of each type", () => {
    expect(permissionTargets(["shop"], [{ database: "shop", name: "orders" }], ["etl"])).to.deep.equal([
      { objectType: "DATABASE", resourceId: "*" },
      { objectType: "DATABASE", resourceId: "shop" },
      { objectType: "TABLE", resourceId: "*" },
      { objectType: "TABLE", resourceId: "shop.*" },
      { objectType: "TABLE", resourceId: "shop.orders" },
      { objectType: "VIRTUAL_WAREHOUSE", resourceId: "*" },
      { objectType: "VIRTUAL_WAREHOUSE", resourceId: "etl" },
    ]);
    expect(permissionDatabase("DATABASE", "shop")).to.equal("shop");
    expect(permissionDatabase("TABLE", "shop.orders")).to.equal("shop");
    expect(permissionDatabase("TABLE", "*")).to.equal(undefined);
    expect(permissionDatabase("VIRTUAL_WAREHOUSE", "etl"), "a warehouse is in no database").to.equal(undefined);
  });

  it("names connections and jobs by their name, and a name listed twice by name-id", () => {
    expect(uniqueNames([{ id: 1, name: "a" }, { id: 2, name: "b" }, { id: 3, name: "a" }]).map((x) => x.id)).to.deep.equal(["a-1", "b", "a-3"]);
  });

  it("declares them with references chosen by objectType and by the connection's id; job runs and connection data stay out", async () => {
    const { api, asked } = fakeApi();
    const estate = await readEstate(vendorNamed("bytehouse"), api, {});
    expect(estate.map((r) => `${r.kind} ${r.name}`)).to.have.members([
      "Database etl",
      "VirtualWarehouse etl",
      "RoleAssignment 7:Analyst",
      "RolePermission Analyst|DATABASE|etl|SELECT",
      "RolePermission Analyst|VIRTUAL_WAREHOUSE|etl|USAGE",
      "RolePermission ReadOnly|TABLE|*|SELECT",
      "Connection files",
      "ImportJob load",
      "ImportJob internal",
    ]);
    expect(asked, "2 roles × 6 places: DATABASE * and etl, TABLE * and etl.*, VIRTUAL_WAREHOUSE * and etl").to.have.length(12);
    const perm = estate.find((r) => r.name === "Analyst|VIRTUAL_WAREHOUSE|etl|USAGE")!;
    expect(perm.inputs).to.deep.equal({ roleName: "Analyst", resourceId: "etl", objectType: "VIRTUAL_WAREHOUSE", action: "USAGE", grantOption: true });
    const job = estate.find((r) => r.name === "load")!;
    expect(job.inputs, "the job as defined, no run").to.deep.equal({
      name: "load",
      description: "d",
      connectionId: 4,
      configuration: { sink: { database: "etl", table: "t" } },
      sourceSchema: {},
      state: "PUBLISHED",
    });

    const { text, secretConfig } = renderProgram(estate);
    const block = (name: string) => text.slice(text.indexOf(`("${name}"`), text.indexOf("});", text.indexOf(`("${name}"`)));
    expect(block("Analyst|DATABASE|etl|SELECT")).to.contain("resourceId: database_etl.name,");
    expect(block("Analyst|VIRTUAL_WAREHOUSE|etl|USAGE"), "a warehouse grant refers to the warehouse, not the database of the same name").to.contain(
      "resourceId: virtualWarehouse_etl.name,",
    );
    expect(block("ReadOnly|TABLE|*|SELECT")).to.contain('resourceId: "*",');
    expect(block("load")).to.contain("connectionId: connection_files.connectionId,");
    expect(block("internal"), "0 is a ByteHouse source, not a connection").to.contain("connectionId: 0,");
    expect(block("files")).to.contain('data: config.requireSecretObject<any>("files-data")');
    expect(text).not.to.contain("/data");
    expect(secretConfig.map((s) => s.key)).to.deep.equal(["files-data"]);
    expect(text.indexOf("connection_files =")).to.be.lessThan(text.indexOf("importJob_load ="));
  });
});
