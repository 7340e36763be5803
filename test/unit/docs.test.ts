import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { SPECS } from "../../provider/registry";
import { SETTINGS } from "../../provider/registry";
import { referenceFields, renderReference, renderSettings } from "../../provider/framework/reference";

describe("docs", () => {
  it("the README's resource reference is generated from the current zod schemas", () => {
    const readme = fs.readFileSync(path.resolve(__dirname, "../../../README.md"), "utf8");
    expect(readme, "run `npm run build && node dist/scripts/gen-reference.js`").to.contain(renderSettings(SETTINGS) + "\n" + renderReference(SPECS));
  });

  it("every input of every resource kind has a description", () => {
    for (const spec of SPECS) {
      for (const [name, schema] of Object.entries(spec.inputs.shape as Record<string, { description?: string }>)) {
        expect(schema.description, `${spec.vendor}.${spec.kind}.${name}`).to.be.a("string").and.not.empty;
      }
    }
  });

  it("every nested input field has a description too", () => {
    for (const spec of SPECS) for (const f of referenceFields(spec)) expect(f.prop.description, `${spec.vendor}.${spec.kind} ${f.path}`).to.be.a("string").and.not.empty;
  });

  it("README links stay inside the repository", () => {
    const readme = fs.readFileSync(path.resolve(__dirname, "../../../README.md"), "utf8");
    expect(readme.match(/\]\((?:\.\.\/|\/)[^)]*\)/g) ?? [], "markdown links out of the repository").to.deep.equal([]);
    expect(readme.match(/\.\.\/shared\/[^\s`)]*/g) ?? [], "paths outside the repository: name the file in words").to.deep.equal([]);
  });
});
