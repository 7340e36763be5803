/** Stack-level rules: they see every resource of the stack at once (props are outputs). */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { API_KEY_LIMITS, ROLE_ASSIGNMENT_TYPES, ROLE_PERMISSION_TYPES, shortType } from "./tokens";
import { UNKNOWN, cfg, known } from "./common";

function label(r: PolicyResource): string {
  return `${shortType(r.type)} "${r.name}" (${r.urn})`;
}

/** The grant a resource manages, as a key; undefined when a part is unknown at preview. */
function grantKey(r: PolicyResource): string | undefined {
  if (ROLE_ASSIGNMENT_TYPES.includes(r.type)) {
    const userId = known(() => r.props.userId);
    const roleName = known(() => r.props.roleName);
    if (userId === UNKNOWN || roleName === UNKNOWN || userId === undefined || roleName === undefined) return undefined;
    return `${r.type}|user ${userId} has role ${roleName}`;
  }
  if (ROLE_PERMISSION_TYPES.includes(r.type)) {
    const parts = (["roleName", "objectType", "resourceId", "action"] as const).map((k) => known(() => r.props[k]));
    if (parts.some((p) => p === UNKNOWN || p === undefined)) return undefined;
    const [roleName, objectType, resourceId, action] = parts as string[];
    return `${r.type}|role ${roleName} may ${action} on ${objectType} ${resourceId}`;
  }
  return undefined;
}

export const noDuplicateGrants: StackValidationPolicy = {
  name: "no-duplicate-grants",
  description: "No two resources may manage the same role assignment or permission (deleting one would revoke the other's grant).",
  enforcementLevel: "mandatory",
  severity: "high",
  validateStack: (args, reportViolation) => {
    const groups = new Map<string, PolicyResource[]>();
    for (const r of args.resources) {
      const key = grantKey(r);
      if (key) groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    for (const [key, rs] of groups) {
      if (rs.length < 2) continue;
      const what = key.slice(key.indexOf("|") + 1);
      reportViolation(
        `${rs.length} resources manage the same grant (${what}): ${rs.map(label).join(", ")}. ` +
          `Keep one of them and remove the others (or change their roleName/userId/resourceId/action).`,
        rs[1].urn,
      );
    }
  },
};

export const apiKeyLimit: StackValidationPolicy = {
  name: "api-key-limit",
  description: "A stack may not declare more API keys for its user than the vendor allows (ByteHouse: 2 per user).",
  enforcementLevel: "mandatory",
  severity: "medium",
  configSchema: {
    properties: {
      maxKeysPerUser: {
        type: "integer",
        minimum: 0,
        description: "Lower the per-user limit below the vendor's (ByteHouse: 2), e.g. to leave room for a key used by hand. Unset: the vendor's limit.",
      },
    },
  },
  validateStack: (args, reportViolation) => {
    const override = cfg<number | undefined>(args.getConfig<{ maxKeysPerUser?: number }>(), "maxKeysPerUser", undefined);
    // ApiKeys belong to the user the provider authenticates as: one user per provider
    // configuration, so count per kind and provider.
    const groups = new Map<string, PolicyResource[]>();
    for (const r of args.resources) {
      if (!(r.type in API_KEY_LIMITS)) continue;
      const key = `${r.type}|${r.provider?.urn ?? "default"}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    for (const [key, rs] of groups) {
      const type = key.slice(0, key.indexOf("|"));
      const vendorLimit = API_KEY_LIMITS[type];
      const limit = override === undefined ? vendorLimit : Math.min(override, vendorLimit);
      if (rs.length <= limit) continue;
      reportViolation(
        `${rs.length} ${shortType(type)} resources belong to the same user, more than the ${limit} allowed` +
          `${limit === vendorLimit ? " by the vendor" : ""}: ${rs.map(label).join(", ")}. ` +
          `Remove ${rs.length - limit} of them (rotate keys by replacing one, not by adding another).`,
      );
    }
  },
};
