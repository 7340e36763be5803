/**
 * End to end: `pulumi-warehouse export` round trip per vendor, on an estate the provider did not
 * make (created through the emulator's own API): export → the generated TypeScript type-checks
 * against the SDK → `pulumi up` adopts every object (nothing created, nothing changed at the
 * vendor) → the next `pulumi preview` reports no changes → `pulumi-warehouse drift` exits 0.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { startEmulator, bhCall, settingsToConfigMap, settingsToEnv } from "../helpers/emulators";
import { projectStack, ProjectStack } from "../helpers/project";
import type { EmulatorHarness } from "../../emulator/framework/definition";
import { vendorNamed } from "../../provider/registry";

/** Compiles the generated program with the repository's TypeScript (strict, type-checked) to index.js. */
function compile(dir: string): void {
  const file = path.join(dir, "index.ts");
  const program = ts.createProgram([file], { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, strict: true, esModuleInterop: true, skipLibCheck: true, types: [], outDir: dir });
  const emitted = program.emit();
  const diags = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  expect(diags, "the generated program type-checks").to.deep.equal([]);
}

interface Case {
  vendor: string;
  /** Makes the estate through the emulator's API (not the provider). */
  seed(emu: EmulatorHarness<any>): Promise<void>;
  /** Export filter arguments. */
  filter: string[];
  /** Resources the generated program must declare (type and logical name). */
  expected: string[];
  /** Requests that would create an object (none may be sent by the adopting up). */
  isCreate(r: { method: string; path: string; body?: unknown }): boolean;
}

async function altertableSql(emu: EmulatorHarness<any>, statement: string): Promise<void> {
  const env = settingsToEnv("altertable", emu.settings);
  const auth = "Basic " + Buffer.from(`${env.ALTERTABLE_LAKEHOUSE_USERNAME}:${env.ALTERTABLE_LAKEHOUSE_PASSWORD}`).toString("base64");
  const res = await fetch(`${emu.url}/query`, { method: "POST", headers: { authorization: auth, "content-type": "application/json" }, body: JSON.stringify({ statement }) });
  const text = await res.text();
  expect(res.status, text).to.equal(200);
  expect(text, statement).not.to.match(/"error"\s*:\s*"/);
}

const CASES: Case[] = [
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

for (const c of CASES) {
  describe(`e2e: pulumi-warehouse export round trip (${c.vendor})`, function () {
    this.timeout(600_000);
    let emu: EmulatorHarness<any>;
    let p: ProjectStack;

    before(async () => {
      emu = await startEmulator(c.vendor);
      await c.seed(emu);
      p = await projectStack(`export-${c.vendor}`, { "index.js": "" }, settingsToConfigMap(c.vendor, emu.settings));
    });
    after(async () => {
      await p?.dispose();
      await emu?.stop();
    });

    it("exports the filtered estate as a program that adopts every object and type-checks", async () => {
      const r = await p.cli(["export", "--vendor", c.vendor, "--out", p.dir, "--force", ...c.filter], settingsToEnv(c.vendor, emu.settings));
      expect(r.status, r.stderr).to.equal(0);
      const text = fs.readFileSync(path.join(p.dir, "index.ts"), "utf8");
      const declared = [...text.matchAll(/new (\w+)\.(\w+)\("([^"]+)"/g)].map((m) => `${m[1]}:${m[2]} ${m[3]}`);
      expect(declared.sort()).to.deep.equal([...c.expected].sort());
      expect((text.match(/^  adopt: true,$/gm) ?? []).length).to.equal(c.expected.length);
      expect(text, "a dependency is a reference, not a copied name").to.match(/: (database|schema)_\w+\.name,/);
      const spec = vendorNamed(c.vendor).settings;
      for (const [k, v] of Object.entries(emu.settings)) if (spec[k]?.secret) expect(text, "no credential in the program").not.to.contain(v);
      compile(p.dir);
    });

    it("pulumi up adopts them: nothing created or changed at the vendor; the next preview shows no changes", async () => {
      const before = emu.requests().length;
      const up = await p.stack.up();
      expect(up.summary.result).to.equal("succeeded");
      expect(up.summary.resourceChanges).to.deep.equal({ create: c.expected.length + 1 }); // the stack + one adoption per object
      const writes = emu.requests().slice(before).filter((r) => c.isCreate(r as any));
      expect(writes.map((r) => `${r.method} ${r.path}`), "requests that create or change objects").to.deep.equal([]);
      const preview = await p.stack.preview();
      expect(preview.changeSummary).to.deep.equal({ same: c.expected.length + 1 });
    });

    it("pulumi-warehouse drift reports none (exit 0)", async () => {
      const r = await p.cli(["drift", "--json", `${p.dir}#test`]);
      expect(r.status, r.stderr).to.equal(0);
      const report = JSON.parse(r.stdout);
      expect(report.summary).to.deep.include({ resources: c.expected.length, inSync: c.expected.length, drifted: 0, deleted: 0, errors: 0 });
    });
  });
}
