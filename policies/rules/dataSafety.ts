/**
 * Data-safety rules for production stacks: no opt-in to data-losing table changes or
 * replacements, and no overwrite-mode data loads. A stack is "production" when its name
 * matches `productionStackPattern` (case-insensitive).
 */
import { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { GUARDED_TABLE_TYPES, OVERWRITE_LOADS } from "./tokens";
import { UNKNOWN, cfg, currentStack, known, subject } from "./common";

export const DEFAULT_PRODUCTION_STACK_PATTERN = "^(prod|production|prd)([-_.].*)?$";

const productionStackPattern = {
  type: "string" as const,
  default: DEFAULT_PRODUCTION_STACK_PATTERN,
  description: "Regular expression (case-insensitive) for the names of the stacks this rule protects.",
};

/** The stack name when it matches the configured production pattern, otherwise undefined. */
function productionStack(args: ResourceValidationArgs): string | undefined {
  const pattern = cfg(args.getConfig<{ productionStackPattern?: string }>(), "productionStackPattern", DEFAULT_PRODUCTION_STACK_PATTERN);
  const stack = currentStack(args.urn);
  return new RegExp(pattern, "i").test(stack) ? stack : undefined;
}

export const noDestructiveTableChangesInProduction: ResourceValidationPolicy = {
  name: "no-destructive-table-changes-in-production",
  description: "In production stacks, tables may not opt in to data-losing changes (allowDataLoss) or replacements (allowReplace).",
  enforcementLevel: "mandatory",
  severity: "critical",
  configSchema: { properties: { productionStackPattern } },
  validateResource: (args, reportViolation) => {
    if (!GUARDED_TABLE_TYPES.includes(args.type)) return;
    const stack = productionStack(args);
    if (stack === undefined) return;
    const who = subject(args.type, args.name);
    for (const [property, what] of [
      ["allowDataLoss", "data-losing column changes (drops, narrowing)"],
      ["allowReplace", "replacing the table (drop and re-create, losing its rows)"],
    ] as const) {
      const v = known(() => args.props[property]);
      if (v === true) {
        reportViolation(
          `${who} sets ${property}: true in production stack "${stack}", which allows ${what}. ` +
            `Remove ${property} (or set it to false) and make the change in a non-production stack or as a reviewed migration.`,
        );
      }
    }
  },
};

export const noOverwriteLoadsInProduction: ResourceValidationPolicy = {
  name: "no-overwrite-loads-in-production",
  description: "In production stacks, data loads may not use overwrite mode (it replaces the target table's rows).",
  enforcementLevel: "mandatory",
  severity: "critical",
  configSchema: { properties: { productionStackPattern } },
  validateResource: (args, reportViolation) => {
    const load = OVERWRITE_LOADS[args.type];
    if (!load) return;
    const stack = productionStack(args);
    if (stack === undefined) return;
    const mode = known(() => load.overwriteMode(args.props));
    if (mode === UNKNOWN || mode === undefined) return;
    reportViolation(
      `${subject(args.type, args.name)} loads in overwrite mode (${load.property}: "${mode}") in production stack "${stack}", replacing the existing rows. ` +
        `To comply, ${load.fix}.`,
    );
  },
};
