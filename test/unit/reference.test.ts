/** The generated reference documents every input, nested fields included, and what a change does. */
import { expect } from "chai";
import { SPECS } from "../../provider/registry";
import { changeOf, referenceFields, renderReference } from "../../provider/framework/reference";

const spec = (kind: string, vendor = "bytehouse") => SPECS.find((s) => s.kind === kind && s.vendor === vendor)!;

describe("reference", () => {
  it("every field, nested ones included, has a .describe() doc", () => {
    const missing: string[] = [];
    for (const s of SPECS) for (const f of referenceFields(s)) if (!f.prop.description?.trim()) missing.push(`${s.vendor}.${s.kind} ${f.path}`);
    expect(missing, "add .describe() to these fields").to.deep.equal([]);
  });

  it("lists nested fields of lists and objects", () => {
    const paths = (kind: string, vendor?: string) => referenceFields(spec(kind, vendor)).map((f) => f.path);
    expect(paths("Table")).to.include.members(["columns[].name", "columns[].type", "partitionKeys[].column", "clusterKey.bucketCount", "ttl.unit"]);
    expect(paths("ImportJob")).to.include.members(["run.args", "run.timeoutSeconds", "configuration.sink.table", "configuration.source.format"]);
    expect(paths("Table", "altertable")).to.include.members(["columns[].name"]);
  });

  it("says what a change does, for nested fields too", () => {
    const text = renderReference(SPECS);
    expect(text).to.match(/\| `run\.timeoutSeconds` \| integer \| default `600` \| as `run`: update in place \|/);
    expect(text).to.match(/\| `partitionKeys\[\]\.column` \| string \| required \| as `partitionKeys`: \*\*replace\*\*; refused at preview unless `allowReplace: true` \|/);
    expect(changeOf(spec("Table"), "columns")).to.contain("allowDataLoss: true");
  });

  it("every replaceWhen field says when it replaces", () => {
    for (const s of SPECS) {
      for (const key of Object.keys(s.replaceWhen ?? {})) {
        expect((s.replaceWhenDoc as Record<string, string> | undefined)?.[key], `${s.vendor}.${s.kind} ${key}: replaceWhenDoc`).to.be.a("string").and.not.empty;
      }
    }
    expect(changeOf(spec("ApiKey"), "expiryDays")).to.equal("update in place or **replace**: a longer expiry updates in place (the key is extended); a shorter one replaces the key");
  });
});
