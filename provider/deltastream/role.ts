/**
 * deltastream.Role — a role, with the roles it is granted (its parents: `IN ROLE`) and the roles
 * granted it (its members: `ROLE`). Membership changes in place with GRANT ROLE / REVOKE ROLE;
 * read back from `deltastream.sys."roles"` and `deltastream.sys."role_members"` (role_name is
 * granted to member_role_name).
 */
import { z } from "zod";
import { defineDeltaStreamResource, DeltaStreamApi, Row } from "./api";
import { DS_NAME, DS_NAME_RULE, dsName, str, sysRow, sysRows, waitGone } from "./common";
import { SqlPart, ident, list, sql } from "../sql/builder";

const roleList = (doc: string) => z.array(z.string().regex(DS_NAME, DS_NAME_RULE)).default([]).describe(doc);

export const roleInputs = z.object({
  name: dsName("Role name. Changing it replaces the role."),
  parentRoles: roleList("Roles this role is granted (it inherits their privileges): IN ROLE (…). Changes in place (GRANT / REVOKE ROLE)."),
  memberRoles: roleList("Roles granted this role (they inherit its privileges): ROLE (…). Changes in place (GRANT / REVOKE ROLE)."),
});

export interface RoleRaw {
  row: Row;
  parents: string[];
  members: string[];
}

async function read(api: DeltaStreamApi, name: string): Promise<RoleRaw | undefined> {
  const row = await sysRow(api, "roles", { name });
  if (!row) return undefined;
  const parents = (await sysRows(api, "role_members", { member_role_name: name })).map((r) => String(r.role_name));
  const members = (await sysRows(api, "role_members", { role_name: name })).map((r) => String(r.member_role_name));
  return { row, parents: parents.sort(), members: members.sort() };
}

const grantRole = (role: string, to: string): SqlPart => sql`GRANT ROLE ${ident(role)} TO ROLE ${ident(to)}`;
const revokeRole = (role: string, from: string): SqlPart => sql`REVOKE ROLE ${ident(role)} FROM ROLE ${ident(from)}`;
const sorted = (v: unknown) => [...((v as string[]) ?? [])].sort();

export const role = defineDeltaStreamResource({
  kind: "Role",
  description: "A DeltaStream role with its parent roles (whose privileges it inherits) and member roles. Membership changes in place; the name replaces it.",
  inputs: roleInputs,
  replaceOn: ["name"],
  uniqueBy: "name",
  normalize: { parentRoles: sorted, memberRoles: sorted },
  outputs: { createdAt: "When DeltaStream created the role." },

  async create(ctx, inputs) {
    const parts: SqlPart[] = [];
    if (inputs.parentRoles.length) parts.push(sql`IN ROLE (${list(inputs.parentRoles.map(ident))})`);
    if (inputs.memberRoles.length) parts.push(sql`ROLE (${list(inputs.memberRoles.map(ident))})`);
    await ctx.api.statement(parts.length ? sql`CREATE ROLE ${ident(inputs.name)} WITH (${list(parts)})` : sql`CREATE ROLE ${ident(inputs.name)}`);
    ctx.created(inputs.name);
    return { id: inputs.name };
  },

  async find(api, inputs) {
    const raw = await read(api, inputs.name);
    return raw ? { id: inputs.name, raw } : undefined;
  },
  read: (api, id) => read(api, id),
  observe: (raw: RoleRaw) => ({ name: str(raw.row.name), parentRoles: raw.parents, memberRoles: raw.members }),
  computed: (raw: RoleRaw) => ({ createdAt: str(raw.row.created_at) }),

  async update(ctx, id, olds, news, changed) {
    const diff = (a: string[], b: string[]) => a.filter((x) => !b.includes(x));
    if (changed.includes("parentRoles")) {
      for (const p of diff(news.parentRoles, olds.parentRoles)) await ctx.api.statement(grantRole(p, id));
      for (const p of diff(olds.parentRoles, news.parentRoles)) await ctx.api.statement(revokeRole(p, id));
    }
    if (changed.includes("memberRoles")) {
      for (const m of diff(news.memberRoles, olds.memberRoles)) await ctx.api.statement(grantRole(id, m));
      for (const m of diff(olds.memberRoles, news.memberRoles)) await ctx.api.statement(revokeRole(id, m));
    }
  },

  exporter: {
    // The roles the organization was made with (sysadmin, public, …) are not declared.
    async list(api) {
      const members = await sysRows(api, "role_members", {});
      return (await sysRows(api, "roles", {}))
        .filter((row) => row.is_builtin !== true)
        .map((row) => {
          const n = String(row.name);
          const raw: RoleRaw = {
            row,
            parents: members.filter((m) => m.member_role_name === n).map((m) => String(m.role_name)).sort(),
            members: members.filter((m) => m.role_name === n).map((m) => String(m.member_role_name)).sort(),
          };
          return { id: n, raw, name: n };
        });
    },
  },

  async delete(api, id) {
    await api.statement(sql`DROP ROLE ${ident(id)}`);
    await waitGone(`role ${id}`, async () => (await sysRow(api, "roles", { name: id })) !== undefined);
  },
});
