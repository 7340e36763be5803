/**
 * End to end: the `pulumi-warehouse export` round trip (test/helpers/exportRoundTrip.ts) for
 * ByteHouse and Altertable, on estates made through the emulators' own APIs.
 */
import { expect } from "chai";
import { bhCall, settingsToEnv } from "../helpers/emulators";
import { exportRoundTrip, ExportCase } from "../helpers/exportRoundTrip";
import type { EmulatorHarness } from "../../emulator/framework/definition";

async function altertableSql(emu: EmulatorHarness<any>, statement: string): Promise<void> {
  const env = settingsToEnv("altertable", emu.settings);
  const auth = "Basic " + Buffer.from(`${env.ALTERTABLE_LAKEHOUSE_USERNAME}:${env.ALTERTABLE_LAKEHOUSE_PASSWORD}`).toString("base64");
  const res = await fetch(`${emu.url}/query`, { method: "POST", headers: { authorization: auth, "content-type": "application/json" }, body: JSON.stringify({ statement }) });
  const text = await res.text();
  expect(res.status, text).to.equal(200);
  expect(text, statement).not.to.match(/"error"\s*:\s*"/);
}

const LOCAL_DATA = { path: "/tmp/pulumi-warehouse-export-files" };
const S3_DATA = { bucket: "landing", region: "eu-west-1", accessKeyId: "AKIAEXPORT", secretAccessKey: "s3-secret-never-in-the-program" };

const CASES: ExportCase[] = [
  {
    vendor: "bytehouse",
    async seed(emu) {
      const e = { url: emu.url, apiKey: emu.settings.apiKey };
      const ok = async (p: Promise<{ status: number; text: string }>) => {
        const r = await p;
        expect(r.status, r.text).to.equal(200);
      };
      await ok(bhCall(e, "POST", "/v1/databases", { name: "shop", description: "Shop data" }));
      await ok(bhCall(e, "POST", "/v1/databases", { name: "scratch", description: "" }));
      await ok(bhCall(e, "POST", "/v1/virtual-warehouses", { name: "etl", configID: 123457, autoSuspend: 10, autoResume: true, status: "up", description: "loads" }));
      await ok(bhCall(e, "POST", "/v1/virtual-warehouses", { name: "adhoc", configID: 123456, autoSuspend: 0, autoResume: false, status: "down" }));
      await ok(
        bhCall(e, "POST", "/v1/databases/shop/tables", {
          name: "orders",
          description: "orders",
          columns: [
            { name: "id", type: "UInt64" },
            { name: "amount", type: "Decimal(18,2)", nullable: true, comment: "total" },
            { name: "placed", type: "DateTime" },
            { name: "channel", type: "String", defaultValue: "'web'" },
          ],
          orderByKeys: ["id"],
          partitionKeys: [{ column: "placed", granularity: "month" }],
        }),
      );
      await ok(bhCall(e, "POST", "/v1/databases/scratch/tables", { name: "tmp", columns: [{ name: "x", type: "String" }], orderByKeys: ["x"] }));
      // Grants: on a database, a table (with the grant option), a warehouse; one on scratch (filtered out).
      const grant = (RoleName: string, SecureObjectTypeName: string, ByteHouseResourceID: string, ActionName: string, GrantOption = false) =>
        ok(bhCall(e, "POST", "/v1/iam/permissions", { RoleName, SecureObjectTypeName, ByteHouseResourceID, ActionName, GrantOption }));
      await grant("Analyst", "DATABASE", "shop", "SELECT");
      await grant("DataAdmin", "TABLE", "shop.orders", "INSERT", true);
      await grant("Analyst", "VIRTUAL_WAREHOUSE", "etl", "USAGE");
      await grant("Analyst", "DATABASE", "scratch", "SELECT");
      // The calling user's assignment is exported; another user's cannot be listed (no list of users),
      // so it is not, though the filter (*:*) would let it through.
      await ok(bhCall(e, "POST", "/v1/iam/assignments", { UserID: 1336688750, RoleName: "Analyst" }));
      await ok(bhCall(e, "POST", "/v1/iam/assignments", { UserID: 42, RoleName: "ReadOnly" }));
      // Connections (ids 1 and 2): LOCAL has nothing masked; S3's credentials come back masked.
      await ok(bhCall(e, "POST", "/v1/dataloading/connections", { name: "local-files", type: "LOCAL", data: LOCAL_DATA }));
      await ok(bhCall(e, "POST", "/v1/dataloading/connections", { name: "s3-landing", type: "S3", data: S3_DATA }));
      await ok(
        bhCall(e, "POST", "/v1/dataloading/jobs", {
          name: "load-orders",
          description: "orders from files",
          connectionID: 1,
          configuration: { source: { format: "CSV", properties: { fileNames: "orders.csv", header: true } }, sink: { database: "shop", table: "orders", mode: "APPEND" } },
          state: "PUBLISHED",
        }),
      );
      await ok(bhCall(e, "POST", "/v1/dataloading/jobs", { name: "landing", connectionID: 2, configuration: { sink: { database: "shop", table: "orders" } }, state: "DRAFT" }));
      // A run is a one-shot load, not part of the job: it must not make the job differ.
      await ok(bhCall(e, "POST", "/v1/dataloading/jobs/1/start", {}));
    },
    // Everything but the scratch database, its table and its grant: the filter is part of the round trip.
    filter: ["--name", "shop,orders,etl,adhoc,*|shop|*,*|shop.*|*,*|etl|*,*:*,local-files,s3-landing,load-orders,landing"],
    expected: [
      "bytehouse:Database shop",
      "bytehouse:Table shop.orders",
      "bytehouse:VirtualWarehouse etl",
      "bytehouse:VirtualWarehouse adhoc",
      "bytehouse:RolePermission Analyst|DATABASE|shop|SELECT",
      "bytehouse:RolePermission DataAdmin|TABLE|shop.orders|INSERT",
      "bytehouse:RolePermission Analyst|VIRTUAL_WAREHOUSE|etl|USAGE",
      "bytehouse:RoleAssignment 1336688750:Analyst",
      "bytehouse:Connection local-files",
      "bytehouse:Connection s3-landing",
      "bytehouse:ImportJob load-orders",
      "bytehouse:ImportJob landing",
    ],
    secrets: { "local-files-data": JSON.stringify(LOCAL_DATA), "s3-landing-data": JSON.stringify(S3_DATA) },
    // References: a table's database, a grant's database and warehouse, a job's connection; and no
    // connection data in the program (it is a config placeholder).
    reference: new RegExp(
      "^(?![\\s\\S]*(eu-west-1|AKIAEXPORT|s3-secret))" +
      ["database: database_shop\\.name,", "resourceId: database_shop\\.name,", "resourceId: virtualWarehouse_etl\\.name,", "connectionId: connection_local_files\\.connectionId,", "connectionId: connection_s3_landing\\.connectionId,"]
        .map((x) => `(?=[\\s\\S]*${x})`)
        .join(""),
    ),
    // Nothing is written, but for one PUT: S3's credentials come back masked, so adopting it cannot
    // compare them and sends the declared data (here the same values) once.
    isCreate: (r) => r.method !== "GET" && !(r.method === "PUT" && r.path === "/v1/dataloading/connections/2"),
  },
  {
    vendor: "altertable",
    async seed(emu) {
      for (const q of [
        "CREATE SCHEMA lakehouse.sales",
        "CREATE TABLE lakehouse.sales.orders (id BIGINT PRIMARY KEY, amount DECIMAL(18,2), note VARCHAR DEFAULT 'none' NOT NULL)",
        "COMMENT ON TABLE lakehouse.sales.orders IS 'Orders'",
        "COMMENT ON COLUMN lakehouse.sales.orders.amount IS 'total'",
        "CREATE VIEW lakehouse.sales.big_orders AS SELECT id, amount FROM lakehouse.sales.orders WHERE amount > 100",
        "CREATE SCHEMA lakehouse.staging",
        "CREATE TABLE lakehouse.staging.raw (line VARCHAR)",
      ])
        await altertableSql(emu, q);
    },
    filter: ["--database", "lakehouse", "--schema", "sales"],
    expected: ["altertable:Schema lakehouse.sales", "altertable:Table lakehouse.sales.orders", "altertable:View lakehouse.sales.big_orders"],
    isCreate: (r) => r.method === "POST" && r.path === "/query" && /\bCREATE\b|\bALTER\b|\bDROP\b/i.test(JSON.stringify(r.body ?? "")),
  },
];

for (const c of CASES) exportRoundTrip(c);
