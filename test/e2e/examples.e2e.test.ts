/** Every example in examples/ runs against the emulators with the real CLI: up, no-op preview, destroy. */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pulumiBin } from "../helpers/pulumi";

const REPO = path.resolve(__dirname, "../../..");
/** Examples that exist to be previewed, not deployed (they break rules on purpose; see test/e2e/policies.e2e.test.ts). */
const PREVIEW_ONLY = new Set(["policy-violating"]);
const examples = fs
  .readdirSync(path.join(REPO, "examples"))
  .filter((d) => fs.existsSync(path.join(REPO, "examples", d, "Pulumi.yaml")) && !PREVIEW_ONLY.has(d));

describe("e2e: examples", function () {
  this.timeout(300_000);
  it("has examples", () => expect(examples).to.not.be.empty);
  for (const name of examples) {
    it(`examples/${name} comes up, is stable, and is destroyed`, () => {
      const r = spawnSync("bash", [path.join(REPO, "scripts/example.sh"), name], {
        cwd: REPO,
        encoding: "utf8",
        env: { ...process.env, PULUMI_WAREHOUSE_PULUMI_BIN: pulumiBin() },
      });
      expect(r.status, `${r.stdout}\n${r.stderr}`).to.equal(0);
      expect(r.stdout).to.match(/Resources:\s+\+ \d+ created/).and.match(/deleted/);
    });
  }
});
