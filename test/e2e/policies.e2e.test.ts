/**
 * The policy pack with the real CLI: `pulumi preview --policy-pack policies` on
 * examples/policy-compliant and examples/policy-violating, as a pull request would run it
 * (the previews only read the emulator; nothing is created).
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startByteHouse, RunningEmulator } from "../helpers/emulators";
import { policyPreview, PreviewResult } from "../helpers/policy";
import { pulumiBin } from "../helpers/pulumi";
import { ByteHouseState } from "../../emulator/bytehouse";

const REPO = path.resolve(__dirname, "../../..");

/** The lines Pulumi prints for one violation: `- [level] ... <policy> (<type>: <name>)` and its message lines. */
function violation(out: string, policy: string, name: string): { level: string; text: string } | undefined {
  const lines = out.split("\n");
  const i = lines.findIndex((l) => l.includes(`  ${policy}  (`) && l.includes(`: ${name})`));
  if (i < 0) return undefined;
  const level = /\[(mandatory|advisory)\]/.exec(lines[i])?.[1] ?? "";
  return { level, text: lines.slice(i, i + 3).join("\n") };
}

describe("e2e: policy pack with the real pulumi CLI", function () {
  this.timeout(600_000);
  let emu: RunningEmulator<ByteHouseState>;
  const preview = (example: string, stack: string, policyConfig?: string): Promise<PreviewResult> =>
    policyPreview({ example, stack, endpoint: emu.url, apiKey: emu.apiKey, policyConfig });

  before(async () => {
    pulumiBin(); // the CLI build (once), before the timed tests
    emu = await startByteHouse();
  });
  after(async () => emu?.stop());

  it("a compliant estate passes in a production stack", async () => {
    const r = await preview("policy-compliant", "prod");
    expect(r.code, r.output).to.equal(0);
    expect(r.output).to.match(/✅ pulumi-warehouse@v0\.1\.0/);
    expect(r.output).to.not.match(/\[(mandatory|advisory)\]/);
    expect(emu.server.state.virtualWarehouses).to.deep.equal({});
  });

  describe("a violating estate in a production stack", () => {
    let r: PreviewResult;
    before(async () => (r = await preview("policy-violating", "prod")));

    it("fails the preview", () => {
      expect(r.code, r.output).to.not.equal(0);
      expect(r.output).to.contain("❌ pulumi-warehouse@v0.1.0");
    });

    const mandatory: [string, string, string[]][] = [
      ["warehouse-auto-suspend", "adhoc", ['bytehouse:VirtualWarehouse "adhoc" never suspends', "Set autoSuspend to a number of minutes between 1 and 60"]],
      ["warehouse-size-allowed", "adhoc", ['uses size "XL"', 'Set size to one of "XS", "S", "M"']],
      ["api-key-expiry", "forever", ['bytehouse:ApiKey "forever" never expires (noExpiry: true)', "set expiryDays to 90 or fewer"]],
      ["api-key-expiry", "yearly", ['bytehouse:ApiKey "yearly" expires after 365 days', "Set expiryDays to 90 or fewer"]],
      ["no-admin-grants", "ops-admin", ['bytehouse:RoleAssignment "ops-admin" assigns the admin role "AccountAdmin"', "Set roleName to a non-admin role"]],
      ["no-admin-grants", "analyst-regrant", ['bytehouse:RolePermission "analyst-regrant" gives role "Analyst" the grant option', "Set grantOption to false"]],
      ["no-destructive-table-changes-in-production", "events", ['bytehouse:Table "events" sets allowDataLoss: true in production stack "prod"', "Remove allowDataLoss"]],
      ["no-overwrite-loads-in-production", "reload-events", ['bytehouse:ImportJob "reload-events" loads in overwrite mode', 'set configuration.sink.mode to "APPEND"']],
    ];
    for (const [policy, name, parts] of mandatory) {
      it(`mandatory ${policy} names ${name} and the fix`, () => {
        const v = violation(r.output, policy, name);
        expect(v, r.output).to.exist;
        expect(v!.level).to.equal("mandatory");
        for (const p of parts) expect(v!.text).to.contain(p);
      });
    }

    it("allowReplace is reported too", () => {
      expect(r.output).to.contain('bytehouse:Table "events" sets allowReplace: true in production stack "prod"');
    });

    it("stack rules: duplicate grants and too many API keys, naming the resources", () => {
      expect(r.output).to.match(/\[mandatory\].*no-duplicate-grants/);
      expect(r.output).to.contain('2 resources manage the same grant (role ReadOnly may SELECT on DATABASE raw)').and.contain('"readonly-raw-again"');
      expect(r.output).to.match(/\[mandatory\].*api-key-limit/);
      expect(r.output).to.contain("3 bytehouse:ApiKey resources belong to the same user, more than the 2 allowed by the vendor").and.contain("Remove 1 of them");
    });

    it("advisory description-required warns on the database and the table", () => {
      for (const name of ["raw", "events"]) {
        const v = violation(r.output, "description-required", name);
        expect(v, r.output).to.exist;
        expect(v!.level).to.equal("advisory");
        expect(v!.text).to.contain("has no description").and.contain("Set description");
      }
    });
  });

  it("outside production stacks the data-safety rules stay quiet", async () => {
    const r = await preview("policy-violating", "dev");
    expect(r.code).to.not.equal(0); // the other mandatory rules still fail it
    expect(r.output).to.contain("warehouse-auto-suspend");
    expect(r.output).to.not.contain("no-destructive-table-changes-in-production").and.not.contain("no-overwrite-loads-in-production");
  });

  it("a config file changes a threshold and a level: advisory rules warn without failing", async () => {
    // examples/policy-compliant/policy-config.json: auto-suspend limit 5 minutes, advisory.
    const r = await preview("policy-compliant", "prod", path.join(REPO, "examples/policy-compliant/policy-config.json"));
    expect(r.code, r.output).to.equal(0);
    const v = violation(r.output, "warehouse-auto-suspend", "transform");
    expect(v, r.output).to.exist;
    expect(v!.level).to.equal("advisory");
    expect(v!.text).to.contain('bytehouse:VirtualWarehouse "transform" suspends only after 10 idle minutes, more than the allowed 5');
  });

  it("a config file can make a threshold stricter and a rule mandatory", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-policy-config-"));
    const file = path.join(dir, "policy-config.json");
    fs.writeFileSync(file, JSON.stringify({ "api-key-expiry": { maxExpiryDays: 14 }, "description-required": { enforcementLevel: "mandatory", minLength: 40 } }));
    try {
      const r = await preview("policy-compliant", "prod", file);
      expect(r.code, r.output).to.not.equal(0);
      const key = violation(r.output, "api-key-expiry", "ci");
      expect(key?.level, r.output).to.equal("mandatory");
      expect(key!.text).to.contain("expires after 30 days").and.contain("Set expiryDays to 14 or fewer");
      const desc = violation(r.output, "description-required", "orders");
      expect(desc?.level, r.output).to.equal("mandatory");
      expect(desc!.text).to.contain("shorter than 40 characters");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
