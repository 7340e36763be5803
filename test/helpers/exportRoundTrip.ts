/**
 * The `pulumi-warehouse export` round trip, for one vendor's case (test/e2e/export*.e2e.test.ts):
 * on an estate made through the emulator's own API (not the provider), export → the generated
 * TypeScript type-checks against the SDK → `pulumi up` adopts every object (nothing created,
 * nothing changed at the vendor) → the next `pulumi preview` reports no changes →
 * `pulumi-warehouse drift` exits 0.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { startEmulator, settingsToConfigMap, settingsToEnv } from "./emulators";
import { projectStack, ProjectStack } from "./project";
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

export interface ExportCase {
  vendor: string;
  /** Makes the estate through the emulator's API (not the provider). */
  seed(emu: EmulatorHarness<any>): Promise<void>;
  /** Export filter arguments. */
  filter: string[];
  /** Resources the generated program must declare (type and logical name). */
  expected: string[];
  /** Requests that would create an object (none may be sent by the adopting up). */
  isCreate(r: { method: string; path: string; body?: unknown }): boolean;
  /** The secret config placeholders the program reads, with values to set (key → value) before up. */
  secrets?: Record<string, string>;
  /** What a reference between exported objects looks like in the program (default: a database or schema's name). */
  reference?: RegExp;
}

/** Registers the round-trip tests (export → type-check → adopting up → preview no changes → drift 0) for one vendor's case. */
export function exportRoundTrip(c: ExportCase): void {
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
      expect(text, "a dependency is a reference, not a copied name").to.match(c.reference ?? /: (database|schema)_\w+\.name,/);
      const spec = vendorNamed(c.vendor).settings;
      for (const [k, v] of Object.entries(emu.settings)) if (spec[k]?.secret) expect(text, "no credential in the program").not.to.contain(v);
      compile(p.dir);
    });

    it("pulumi up adopts them: nothing created or changed at the vendor; the next preview shows no changes", async () => {
      for (const [key, value] of Object.entries(c.secrets ?? {})) await p.stack.setConfig(key, { value, secret: true });
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
