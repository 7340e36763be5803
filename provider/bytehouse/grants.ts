/**
 * Role assignments and role permissions. An assignment is an immutable tuple: every change
 * replaces it. A permission's (role, object type, object, action) is its identity: a change there
 * replaces it, granting the new permission before revoking the old one (the engine creates first
 * because the id changes); a grantOption change is made in place by granting again (ByteHouse's
 * grant sets the option of an existing permission), so the role never loses the permission.
 * Refresh detects an unassign or a revoke done by hand (the object disappears from state,
 * and the next up puts it back).
 */
import { z } from "zod";
import pLimit from "p-limit";
import { ByteHouseApi, defineByteHouseResource } from "./api";
import { WireAssignment, WirePermission } from "./wire";
import { WarehouseApiError } from "../http/errors";

const roleName = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,127}$/, "must be a role name such as AccountAdmin or Analyst");

/**
 * Preview check (read-only, one cached role list per provider process): the role exists in the
 * account. The provider manages no roles, so a missing one cannot appear during the update.
 */
async function checkRole(api: ByteHouseApi, role: string): Promise<{ property: string; reason: string }[]> {
  const roles = (await api.listRolesOnce()).map((r) => r.name);
  if (roles.includes(role)) return [];
  return [{ property: "roleName", reason: `role "${role}" does not exist in the ByteHouse account; existing roles: ${roles.join(", ") || "(none)"}. Create it in ByteHouse first, or fix roleName.` }];
}

export const roleAssignmentInputs = z.object({
  userId: z.number().int("must be a whole number").positive("must be a ByteHouse user id (> 0)").describe("The ByteHouse user id (UserID)."),
  roleName: roleName.describe("The role to assign (must exist in the account)."),
});

export const roleAssignment = defineByteHouseResource({
  kind: "RoleAssignment",
  description: "Assigns a role to a user. Every change replaces the assignment.",
  inputs: roleAssignmentInputs,
  replaceOn: ["userId", "roleName"],
  prepare: (inputs, vendor) => checkRole(vendor(), inputs.roleName),
  outputs: {},

  async create(ctx, inputs) {
    const body: WireAssignment = { UserID: inputs.userId, RoleName: inputs.roleName };
    await ctx.api.assignRole(body);
    return { id: `${inputs.userId}:${inputs.roleName}`, raw: body };
  },

  async find(api, inputs) {
    const hit = (await api.listAssignments(inputs.userId)).find((a) => a.RoleName === inputs.roleName);
    return hit && { id: `${inputs.userId}:${inputs.roleName}`, raw: hit };
  },

  async read(api, _id, state) {
    return (await api.listAssignments(state.userId)).find((a) => a.RoleName === state.roleName);
  },

  observe: (raw: WireAssignment) => ({ userId: Number(raw.UserID), roleName: raw.RoleName }),

  exporter: {
    // ByteHouse lists assignments one user at a time and has no list of users: the calling user's.
    async list(api) {
      return (await api.listAssignments()).map((raw) => {
        const id = `${raw.UserID}:${raw.RoleName}`;
        return { id, raw, name: id };
      });
    },
  },

  delete: (api, _id, state) => api.unassignRole({ UserID: state.userId, RoleName: state.roleName }),
});

export const rolePermissionInputs = z.object({
  roleName: roleName.describe("The role that receives the permission."),
  resourceId: z.string().min(1, "must name a resource (e.g. a database, db.table, or *)").describe("ByteHouseResourceID: the object, e.g. \"sales\", \"sales.orders\" or \"*\"."),
  objectType: z
    .string()
    .regex(/^[A-Z][A-Z_]*$/, "must be an upper-case object type such as DATABASE, TABLE or VIRTUAL_WAREHOUSE")
    .describe("SecureObjectTypeName: DATABASE, TABLE, VIRTUAL_WAREHOUSE, …"),
  action: z.string().regex(/^[A-Z][A-Z_]*$/, "must be an upper-case action such as SELECT, INSERT, USAGE or ALL").describe("ActionName: SELECT, INSERT, ALTER, USAGE, ALL, …"),
  grantOption: z.boolean().default(false).describe("Whether the role may grant this permission onwards. Changes in place (the role keeps the permission throughout)."),
});

type PermissionInputs = z.output<typeof rolePermissionInputs>;

const permissionId = (p: PermissionInputs) => [p.roleName, p.objectType, p.resourceId, p.action].join("|");

async function findPermission(api: Parameters<typeof roleAssignment.read>[0], p: PermissionInputs): Promise<WirePermission | undefined> {
  const list = await api.listPermissions({ RoleName: p.roleName, ByteHouseResourceID: p.resourceId, SecureObjectTypeName: p.objectType });
  return list.find((x) => x.ActionName === p.action);
}

const observePermission = (raw: WirePermission): PermissionInputs => ({
  roleName: raw.RoleName,
  resourceId: raw.ByteHouseResourceID,
  objectType: raw.SecureObjectTypeName,
  action: raw.ActionName,
  grantOption: Boolean(raw.GrantOption),
});

/**
 * Where `export` looks for permissions: every database, table (db.table, and db.* per database) and
 * virtual warehouse of the account, and * of each type. The API has no "all permissions of a role"
 * call: it answers for one (role, object type, object) at a time, so permissions on other object
 * types, or on objects the account does not list, are not found.
 */
export function permissionTargets(databases: string[], tables: { database: string; name: string }[], warehouses: string[]): { objectType: string; resourceId: string }[] {
  return [
    ...["*", ...databases].map((resourceId) => ({ objectType: "DATABASE", resourceId })),
    ...["*", ...databases.map((d) => `${d}.*`), ...tables.map((t) => `${t.database}.${t.name}`)].map((resourceId) => ({ objectType: "TABLE", resourceId })),
    ...["*", ...warehouses].map((resourceId) => ({ objectType: "VIRTUAL_WAREHOUSE", resourceId })),
  ];
}

/** The database a permission's object lives in (what `export --database` filters on), if any. */
export function permissionDatabase(objectType: string, resourceId: string): string | undefined {
  if (resourceId === "*") return undefined;
  if (objectType === "DATABASE") return resourceId;
  if (objectType === "TABLE") return resourceId.split(".")[0];
  return undefined;
}

export const rolePermission = defineByteHouseResource({
  kind: "RolePermission",
  description:
    "Grants a role one action on one object. Changing the role, object or action replaces the grant (the new permission is granted before the old one is revoked); changing grantOption updates it in place.",
  inputs: rolePermissionInputs,
  replaceOn: ["roleName", "resourceId", "objectType", "action"],
  prepare: (inputs, vendor) => checkRole(vendor(), inputs.roleName),
  outputs: {},

  async create(ctx, inputs) {
    // ByteHouse answers a grant of an existing permission with success: without this look-up the
    // resource would silently take over a grant it did not make (and revoke it on delete).
    if (await findPermission(ctx.api, inputs)) {
      throw new WarehouseApiError("conflict", "ByteHouse POST permissions", `role ${inputs.roleName} already has ${inputs.action} on ${inputs.objectType} ${inputs.resourceId}`);
    }
    await ctx.api.grantPermission({
      RoleName: inputs.roleName,
      ByteHouseResourceID: inputs.resourceId,
      SecureObjectTypeName: inputs.objectType,
      ActionName: inputs.action,
      GrantOption: inputs.grantOption,
    });
    ctx.created(permissionId(inputs));
    return { id: permissionId(inputs) }; // the engine reads the object back
  },

  async find(api, inputs) {
    const raw = await findPermission(api, inputs);
    return raw && { id: permissionId(inputs), raw };
  },

  read: (api, _id, state) => findPermission(api, state),

  /**
   * Only grantOption changes in place. Granting again with the new option comes first: if it
   * fails, the role still has the permission as it was. Should the vendor keep the old option
   * (a grant that does not update), the option is changed by revoke and grant, and if that
   * grant fails the old permission is granted back before the error is raised.
   */
  async update(ctx, _id, olds, news) {
    const grant = (p: PermissionInputs) =>
      ctx.api.grantPermission({ RoleName: p.roleName, ByteHouseResourceID: p.resourceId, SecureObjectTypeName: p.objectType, ActionName: p.action, GrantOption: p.grantOption });
    await grant(news);
    const after = await findPermission(ctx.api, news);
    if (after && Boolean(after.GrantOption) === news.grantOption) return after;
    ctx.progress(`ByteHouse kept the old grant option of ${permissionId(news)}; revoking and granting it again`);
    await ctx.api.revokePermission({ RoleName: olds.roleName, ByteHouseResourceID: olds.resourceId, SecureObjectTypeName: olds.objectType, ActionName: olds.action });
    try {
      await grant(news);
    } catch (e) {
      const restored = await grant(olds).then(
        () => "the previous permission was granted back",
        (r: Error) => `granting the previous permission back failed too (${r.message}): the role has lost it; run pulumi up again`,
      );
      throw new Error(`changing the grant option of ${permissionId(news)} failed (${(e as Error).message}); ${restored}`);
    }
    return; // the engine reads the object back
  },

  observe: observePermission,

  exporter: {
    async list(api) {
      const [roles, databases, warehouses] = await Promise.all([api.listRoles(), api.listDatabases(), api.listVirtualWarehouses()]);
      const tables = (await Promise.all(databases.map(async (d) => (await api.listTables(d.name)).map((t) => ({ database: d.name, name: t.name }))))).flat();
      const targets = permissionTargets(
        databases.map((d) => d.name),
        tables,
        warehouses.map((w) => w.name),
      );
      const limit = pLimit(8);
      const found = await Promise.all(
        roles.flatMap((role) =>
          targets.map((t) => limit(() => api.listPermissions({ RoleName: role.name, ByteHouseResourceID: t.resourceId, SecureObjectTypeName: t.objectType }))),
        ),
      );
      return found.flat().map((raw) => {
        const id = permissionId(observePermission(raw));
        return { id, raw, name: id, database: permissionDatabase(raw.SecureObjectTypeName, raw.ByteHouseResourceID) };
      });
    },
    // The role is a literal: roles are not a kind (ByteHouse's API only lists them).
    references: [
      { field: "resourceId", kind: "Database", match: { name: "resourceId" }, output: "name", when: (i) => i.objectType === "DATABASE" },
      { field: "resourceId", kind: "VirtualWarehouse", match: { name: "resourceId" }, output: "name", when: (i) => i.objectType === "VIRTUAL_WAREHOUSE" },
    ],
  },

  delete: (api, _id, state) =>
    api.revokePermission({ RoleName: state.roleName, ByteHouseResourceID: state.resourceId, SecureObjectTypeName: state.objectType, ActionName: state.action }),
});
