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
    },
    // Everything but the scratch database and its table: the filter is part of the round trip.
    filter: ["--name", "shop,orders,etl,adhoc"],
    expected: ["bytehouse:Database shop", "bytehouse:Table shop.orders", "bytehouse:VirtualWarehouse etl", "bytehouse:VirtualWarehouse adhoc"],
    isCreate: (r) => r.method === "POST",
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
