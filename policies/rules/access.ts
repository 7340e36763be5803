/** Access rules: API keys expire; nobody gets an admin role or a grant option unless allowed. */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { API_KEY_TYPES, ROLE_ASSIGNMENT_TYPES, ROLE_PERMISSION_TYPES } from "./tokens";
import { UNKNOWN, cfg, known, subject } from "./common";

export const DEFAULT_MAX_EXPIRY_DAYS = 90;
/** The provider's default expiry (provider/bytehouse/apiKey.ts) when expiryDays is omitted. */
const PROVIDER_DEFAULT_EXPIRY_DAYS = 90;
export const DEFAULT_ADMIN_ROLES = ["AccountAdmin", "SystemAdmin"];

export const apiKeyExpiry: ResourceValidationPolicy = {
  name: "api-key-expiry",
  description: "API keys must expire, within a maximum number of days.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: {
    properties: {
      maxExpiryDays: { type: "integer", minimum: 1, default: DEFAULT_MAX_EXPIRY_DAYS, description: "The longest lifetime, in days, an API key may have." },
    },
  },
  validateResource: (args, reportViolation) => {
    if (!API_KEY_TYPES.includes(args.type)) return;
    const max = cfg(args.getConfig<{ maxExpiryDays?: number }>(), "maxExpiryDays", DEFAULT_MAX_EXPIRY_DAYS);
    const noExpiry = known(() => args.props.noExpiry);
    const expiryDays = known(() => args.props.expiryDays);
    const who = subject(args.type, args.name);
    const fix = `Remove noExpiry (or set it to false) and set expiryDays to ${max} or fewer.`;
    if (noExpiry === true) {
      reportViolation(`${who} never expires (noExpiry: true). ${fix}`);
      return;
    }
    if (noExpiry === UNKNOWN || expiryDays === UNKNOWN) return;
    const days = typeof expiryDays === "number" ? expiryDays : PROVIDER_DEFAULT_EXPIRY_DAYS;
    if (days > max) {
      const given = typeof expiryDays === "number" ? `expiryDays: ${days}` : `expiryDays unset, so the default ${days}`;
      reportViolation(`${who} expires after ${days} days (${given}), more than the allowed ${max}. Set expiryDays to ${max} or fewer.`);
    }
  },
};

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export const noAdminGrants: ResourceValidationPolicy = {
  name: "no-admin-grants",
  description: "No role assignment or permission may grant an admin role or a grant option, unless the role or principal is on the allow-list.",
  enforcementLevel: "mandatory",
  severity: "critical",
  configSchema: {
    properties: {
      adminRoles: {
        type: "array",
        items: { type: "string" },
        default: DEFAULT_ADMIN_ROLES,
        description: "Roles treated as admin roles (compared case-insensitively).",
      },
      allowedPrincipals: {
        type: "array",
        items: { type: ["string", "integer"] },
        default: [],
        description: "Who may still receive them: user ids (RoleAssignment userId) and role names (RolePermission roleName, or an admin role itself).",
      },
    },
  },
  validateResource: (args, reportViolation) => {
    const isAssignment = ROLE_ASSIGNMENT_TYPES.includes(args.type);
    const isPermission = ROLE_PERMISSION_TYPES.includes(args.type);
    if (!isAssignment && !isPermission) return;
    const config = args.getConfig<{ adminRoles?: string[]; allowedPrincipals?: (string | number)[] }>();
    const adminRoles = cfg(config, "adminRoles", DEFAULT_ADMIN_ROLES);
    const allowed = cfg<(string | number)[]>(config, "allowedPrincipals", []).map((p) => String(p));
    const isAllowed = (p: unknown) => p !== undefined && allowed.some((a) => sameName(a, String(p)));
    const isAdmin = (role: unknown) => typeof role === "string" && adminRoles.some((r) => sameName(r, role));
    const who = subject(args.type, args.name);
    const allowHint = "or, if this is intended, add the principal to no-admin-grants.allowedPrincipals in the policy config";

    if (isAssignment) {
      const roleName = known(() => args.props.roleName);
      const userId = known(() => args.props.userId);
      if (roleName === UNKNOWN || !isAdmin(roleName)) return;
      if (isAllowed(roleName) || (userId !== UNKNOWN && isAllowed(userId))) return;
      reportViolation(
        `${who} assigns the admin role "${roleName}" to user ${userId === UNKNOWN ? "(unknown at preview)" : userId}. ` +
          `Set roleName to a non-admin role (not ${adminRoles.join(", ")}), ${allowHint}.`,
      );
      return;
    }

    const roleName = known(() => args.props.roleName);
    const grantOption = known(() => args.props.grantOption);
    const objectType = known(() => args.props.objectType);
    const resourceId = known(() => args.props.resourceId);
    if (roleName !== UNKNOWN && isAllowed(roleName)) return;
    const grantee = roleName === UNKNOWN ? "a role unknown at preview" : `role "${roleName}"`;
    if (grantOption === true) {
      reportViolation(`${who} gives ${grantee} the grant option (grantOption: true), so it can pass the permission on. Set grantOption to false, ${allowHint}.`);
    }
    if (typeof objectType === "string" && objectType.toUpperCase() === "ROLE" && isAdmin(resourceId) && !isAllowed(resourceId)) {
      reportViolation(`${who} grants ${grantee} a permission on the admin role "${String(resourceId)}". Grant a non-admin role instead, ${allowHint}.`);
    }
  },
};
