/** Hygiene rules (advisory by default): tables and databases say what they hold. */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { DESCRIBED_TYPES } from "./tokens";
import { UNKNOWN, cfg, known, subject } from "./common";

export const descriptionRequired: ResourceValidationPolicy = {
  name: "description-required",
  description: "Tables and databases must carry a description.",
  enforcementLevel: "advisory",
  severity: "low",
  configSchema: {
    properties: {
      minLength: { type: "integer", minimum: 1, default: 1, description: "The shortest acceptable description, in characters (surrounding spaces ignored)." },
    },
  },
  validateResource: (args, reportViolation) => {
    if (!DESCRIBED_TYPES.includes(args.type)) return;
    const minLength = cfg(args.getConfig<{ minLength?: number }>(), "minLength", 1);
    const description = known(() => args.props.description);
    if (description === UNKNOWN) return;
    const text = typeof description === "string" ? description.trim() : "";
    if (text.length < minLength) {
      reportViolation(
        `${subject(args.type, args.name)} has ${text ? `a description shorter than ${minLength} characters` : "no description"}. ` +
          `Set description to a sentence saying what it holds and who owns it.`,
      );
    }
  },
};
