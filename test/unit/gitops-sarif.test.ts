/** The policy pack's violations as SARIF 2.1.0 (cli/sarif.ts). */
import { expect } from "chai";
import { toSarif, plainMessage } from "../../cli/sarif";
import { policies } from "../../policies/rules";

describe("gitops: SARIF 2.1.0 for the policy pack", () => {
  const urn = "urn:pulumi:prod::estate::pulumi-nodejs:dynamic/bytehouse:VirtualWarehouse::adhoc";
  const log = toSarif(
    [
      { policyName: "warehouse-auto-suspend", policyPackName: "pulumi-warehouse", enforcementLevel: "mandatory", message: "\u001b[31mbytehouse:VirtualWarehouse \"adhoc\" never suspends\u001b[0m", resourceUrn: urn },
      { policyName: "description-required", policyPackName: "pulumi-warehouse", enforcementLevel: "warning", message: "needs a description" },
    ],
    policies.map((p) => ({ name: p.name, description: p.description, enforcementLevel: p.enforcementLevel })),
    (v) => (v.resourceUrn ? { uri: "infra/index.ts", line: 12 } : undefined),
  ) as any;

  it("is a SARIF 2.1.0 log with one rule per policy of the pack", () => {
    expect(log.version).to.equal("2.1.0");
    expect(log.$schema).to.match(/sarif-2\.1\.0/);
    const rules = log.runs[0].tool.driver.rules;
    expect(rules.map((r: any) => r.id)).to.include.members(policies.map((p) => p.name));
    const auto = rules.find((r: any) => r.id === "warehouse-auto-suspend");
    expect(auto.shortDescription.text).to.contain("suspend");
    expect(auto.defaultConfiguration.level).to.equal("error");
  });

  it("a mandatory violation is an error, an advisory one a warning; located in the program, naming the URN", () => {
    const [a, b] = log.runs[0].results;
    expect(a).to.deep.include({ ruleId: "warehouse-auto-suspend", level: "error" });
    expect(a.message.text, "colour codes stripped").to.equal('bytehouse:VirtualWarehouse "adhoc" never suspends');
    expect(a.locations[0].physicalLocation).to.deep.equal({ artifactLocation: { uri: "infra/index.ts" }, region: { startLine: 12 } });
    expect(a.locations[0].logicalLocations[0].fullyQualifiedName).to.equal(urn);
    expect(log.runs[0].tool.driver.rules[a.ruleIndex].id).to.equal("warehouse-auto-suspend");
    expect(b).to.deep.include({ ruleId: "description-required", level: "warning" });
    expect(b).not.to.have.property("locations");
  });

  it("plain messages", () => {
    expect(plainMessage("<{%reset%}>x\u001b[1m y \u001b[0m")).to.equal("x y");
  });
});
