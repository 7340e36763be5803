/**
 * The type tokens the rules match on, in one place. Tokens come from the resource classes'
 * static `__pulumiType` (sdk/) or, for kinds not shipped yet, from the same `typeToken`
 * helper the SDK uses: `pulumi-nodejs:dynamic/<vendor>:<Kind>`. Never from property shapes.
 */
import { bytehouse } from "../../sdk";
import { typeToken } from "../../provider/framework/spec";
import { API_KEYS_PER_USER } from "../../provider/bytehouse/paths";

export const TYPES = {
  bytehouseDatabase: bytehouse.Database.__pulumiType,
  bytehouseVirtualWarehouse: bytehouse.VirtualWarehouse.__pulumiType,
  bytehouseTable: bytehouse.Table.__pulumiType,
  bytehouseApiKey: bytehouse.ApiKey.__pulumiType,
  bytehouseRoleAssignment: bytehouse.RoleAssignment.__pulumiType,
  bytehouseRolePermission: bytehouse.RolePermission.__pulumiType,
  bytehouseConnection: bytehouse.Connection.__pulumiType,
  bytehouseImportJob: bytehouse.ImportJob.__pulumiType,
  /** Coming: Altertable LoadedData (input `mode`: create | append | upsert | overwrite). */
  altertableLoadedData: typeToken("altertable", "LoadedData"),
} as const;

/** Compute that bills while running: must auto-suspend. */
export const WAREHOUSE_TYPES: readonly string[] = [TYPES.bytehouseVirtualWarehouse];
/** Kinds sized by a `size` configuration name (or a `configId`). */
export const SIZED_WAREHOUSE_TYPES: readonly string[] = [TYPES.bytehouseVirtualWarehouse];
/** API keys: `expiryDays` / `noExpiry`. */
export const API_KEY_TYPES: readonly string[] = [TYPES.bytehouseApiKey];
/** Tables with the data-loss / replacement opt-ins `allowDataLoss` / `allowReplace`. */
export const GUARDED_TABLE_TYPES: readonly string[] = [TYPES.bytehouseTable];
/** Kinds that must carry a non-empty `description`. */
export const DESCRIBED_TYPES: readonly string[] = [TYPES.bytehouseDatabase, TYPES.bytehouseTable];
/** Role assignments (userId gets roleName). */
export const ROLE_ASSIGNMENT_TYPES: readonly string[] = [TYPES.bytehouseRoleAssignment];
/** Role permissions (roleName gets action on objectType/resourceId, maybe with grantOption). */
export const ROLE_PERMISSION_TYPES: readonly string[] = [TYPES.bytehouseRolePermission];

/**
 * Data loads, and where each kind says it overwrites: returns the mode as written (for the
 * message) when it overwrites, undefined otherwise. The one list the overwrite rule reads.
 */
export const OVERWRITE_LOADS: Readonly<Record<string, { property: string; fix: string; overwriteMode(props: any): string | undefined }>> = {
  [TYPES.bytehouseImportJob]: {
    property: "configuration.sink.mode",
    fix: 'set configuration.sink.mode to "APPEND" (or remove it)',
    overwriteMode: (props) => {
      const mode = props?.configuration?.sink?.mode;
      return typeof mode === "string" && mode.toUpperCase() === "OVERWRITE" ? mode : undefined;
    },
  },
  [TYPES.altertableLoadedData]: {
    property: "mode",
    fix: 'set mode to "append", "upsert" or "create"',
    overwriteMode: (props) => {
      const mode = props?.mode;
      return typeof mode === "string" && mode.toLowerCase() === "overwrite" ? mode : undefined;
    },
  },
};

/** How many API keys the vendor lets one user hold, per API-key kind. */
export const API_KEY_LIMITS: Readonly<Record<string, number>> = {
  [TYPES.bytehouseApiKey]: API_KEYS_PER_USER,
};

/** `pulumi-nodejs:dynamic/bytehouse:Table` → `bytehouse:Table`, as `pulumi preview` lists it. */
export function shortType(token: string): string {
  const m = /^pulumi-nodejs:dynamic\/([^:]+):(.+)$/.exec(token);
  return m ? `${m[1]}:${m[2]}` : token;
}
