/**
 * The policy pack's violations as SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/),
 * so code hosts show them on the pull request. Pure: takes the violations Pulumi reported (its
 * policy events) and the rules' metadata, returns the SARIF log. Used by `pulumi-warehouse
 * policy-report` (cli/policyReport.ts). It lives with the commands (shipped in the package), not in policies/.
 */

export interface Violation {
  policyName: string;
  policyPackName: string;
  policyPackVersion?: string;
  /** "mandatory" or "warning" (advisory) as Pulumi reports it. */
  enforcementLevel: string;
  message: string;
  resourceUrn?: string;
}

export interface RuleInfo {
  name: string;
  description: string;
  enforcementLevel?: string;
}

export interface SourceLocation {
  /** Path of the program file, relative to the repository root (forward slashes). */
  uri: string;
  /** 1-based line, when the resource's declaration was found. */
  line?: number;
}

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

function level(enforcement: string): "error" | "warning" {
  return enforcement === "mandatory" ? "error" : "warning";
}

/** Pulumi's policy messages carry ANSI colour codes and the description again: plain text only. */
export function plainMessage(m: string): string {
  // eslint-disable-next-line no-control-regex
  return m.replace(/\u001b\[[0-9;]*m/g, "").replace(/<\{%[a-z]*%\}>/g, "").trim();
}

export function toSarif(violations: Violation[], rules: RuleInfo[], locate: (v: Violation) => SourceLocation | undefined, tool = { name: "pulumi-warehouse policy pack", version: "0.1.0", informationUri: "https://github.com/pulumi-warehouse" }): object {
  const ruleNames = [...new Set([...rules.map((r) => r.name), ...violations.map((v) => v.policyName)])];
  const info = new Map(rules.map((r) => [r.name, r]));
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: tool.name,
            version: tool.version,
            informationUri: tool.informationUri,
            rules: ruleNames.map((name) => {
              const r = info.get(name);
              return {
                id: name,
                name,
                shortDescription: { text: r?.description ?? name },
                fullDescription: { text: r?.description ?? name },
                defaultConfiguration: { level: level(r?.enforcementLevel ?? "mandatory") },
              };
            }),
          },
        },
        results: violations.map((v) => {
          const loc = locate(v);
          return {
            ruleId: v.policyName,
            ruleIndex: ruleNames.indexOf(v.policyName),
            level: level(v.enforcementLevel),
            message: { text: plainMessage(v.message) },
            ...(loc
              ? { locations: [{ physicalLocation: { artifactLocation: { uri: loc.uri }, ...(loc.line ? { region: { startLine: loc.line } } : {}) }, ...(v.resourceUrn ? { logicalLocations: [{ fullyQualifiedName: v.resourceUrn, kind: "resource" }] } : {}) }] }
              : {}),
            properties: { policyPack: v.policyPackName, enforcementLevel: v.enforcementLevel, ...(v.resourceUrn ? { resourceUrn: v.resourceUrn } : {}) },
          };
        }),
      },
    ],
  };
}
