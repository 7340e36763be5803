/**
 * IAM: API keys (the secret is returned once, only its hash is kept; at most 2 per user), roles,
 * role assignments and permissions. Envelope family 2: {message: "Success", error: {}, data, meta?}.
 */
import { randomBytes } from "node:crypto";
import { Route } from "../framework/server";
import { API_KEYS_PER_USER, BYTEHOUSE_ROUTES as R } from "../../provider/bytehouse/contract";
import type { WireApiKey, WirePermission } from "../../provider/bytehouse/contract";
import { BhContext } from "./context";
import { bad, fail, isObject, now, ok, parseTime, sha256 } from "./common";
import { BhApiKey, ByteHouseState } from "./state";

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const randomId = (n: number) => Array.from(randomBytes(n), (b) => ALNUM[b % ALNUM.length]).join("");
const DAY = 86_400_000;

const keyJson = (k: BhApiKey): WireApiKey => ({ id: k.id, comment: k.comment, status: k.status, createdAt: k.createdAt, expiresAt: k.expiresAt });

function findKey(s: ByteHouseState, id: string): BhApiKey {
  const k = s.apiKeys[id];
  if (!k) throw fail(404, `API key ${id} not found`, "API_KEY_NOT_FOUND");
  return k;
}

function needRole(s: ByteHouseState, name: unknown): string {
  if (typeof name !== "string" || !name) throw bad("RoleName is required");
  if (!s.roles.some((r) => r.name === name)) throw fail(404, `role ${name} not found`, "ROLE_NOT_FOUND");
  return name;
}

function assignment(s: ByteHouseState, body: any): { UserID: number; RoleName: string } {
  if (!isObject(body)) throw bad("a JSON body is required");
  const uid = body.UserID ?? s.userNumericId;
  if (!Number.isInteger(uid) || uid <= 0) throw bad("UserID must be a positive integer");
  return { UserID: uid, RoleName: needRole(s, body.RoleName) };
}

function permission(s: ByteHouseState, body: any, grant: boolean): Required<WirePermission> {
  if (!isObject(body)) throw bad("a JSON body is required");
  for (const f of ["ByteHouseResourceID", "SecureObjectTypeName", "ActionName"]) if (typeof body[f] !== "string" || !body[f]) throw bad(`${f} is required`);
  if (grant && body.GrantOption !== undefined && body.GrantOption !== null && typeof body.GrantOption !== "boolean") throw bad("GrantOption must be a boolean");
  return {
    RoleName: needRole(s, body.RoleName),
    ByteHouseResourceID: body.ByteHouseResourceID,
    SecureObjectTypeName: String(body.SecureObjectTypeName).toUpperCase(),
    ActionName: String(body.ActionName).toUpperCase(),
    GrantOption: body.GrantOption === true,
  };
}

const samePerm = (a: WirePermission, b: WirePermission) =>
  a.RoleName === b.RoleName && a.ByteHouseResourceID === b.ByteHouseResourceID && a.SecureObjectTypeName === b.SecureObjectTypeName && a.ActionName === b.ActionName;

export function iamRoutes(_ctx: BhContext): Route<ByteHouseState>[] {
  return [
    // ---- API keys ----
    {
      method: "POST",
      pattern: R.apiKeys,
      handler: (req, s) => {
        const b = req.body ?? {};
        if (!isObject(b)) throw bad("the body must be a JSON object");
        if (b.noExpiry !== undefined && b.noExpiry !== null && typeof b.noExpiry !== "boolean") throw bad("noExpiry must be a boolean");
        if (b.comment !== undefined && b.comment !== null && typeof b.comment !== "string") throw bad("comment must be a string");
        const noExpiry = b.noExpiry === true;
        const days = b.expiryInDays ?? 90;
        if (!noExpiry && (!Number.isInteger(days) || (days as number) <= 0)) throw bad("expiryInDays must be an integer > 0");
        const mine = Object.values(s.apiKeys).filter((k) => k.userId === s.userNumericId);
        if (mine.length >= API_KEYS_PER_USER) throw fail(422, `The number of API key is limited to ${API_KEYS_PER_USER} per user`, "API_KEY_LIMIT_EXCEEDED");
        let id = randomId(20);
        while (s.apiKeys[id]) id = randomId(20);
        const secret = `bh_${randomBytes(30).toString("base64url")}`;
        const at = new Date();
        const key: BhApiKey = {
          id,
          comment: (b.comment as string | undefined) ?? "",
          status: "ENABLED",
          createdAt: now(at),
          expiresAt: noExpiry ? null : now(new Date(at.getTime() + (days as number) * DAY)),
          userId: s.userNumericId,
          secretHash: sha256(secret),
        };
        s.apiKeys[id] = key;
        return ok({ ...keyJson(key), key: secret });
      },
    },
    {
      method: "GET",
      pattern: R.apiKeys,
      handler: (_req, s) =>
        ok(
          Object.values(s.apiKeys)
            .filter((k) => k.userId === s.userNumericId)
            .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
            .map(keyJson),
        ),
    },
    {
      method: "DELETE",
      pattern: R.apiKey,
      handler: (req, s) => {
        findKey(s, req.params.p0);
        delete s.apiKeys[req.params.p0];
        return ok();
      },
    },
    {
      method: "PATCH",
      pattern: R.apiKeyStatus,
      handler: (req, s) => {
        const k = findKey(s, req.params.p0);
        const status = req.body?.status;
        if (status !== "ENABLED" && status !== "DISABLED") throw bad('status must be "ENABLED" or "DISABLED"');
        k.status = status;
        return ok();
      },
    },
    {
      method: "PATCH",
      pattern: R.apiKeyExpiry,
      handler: (req, s) => {
        const k = findKey(s, req.params.p0);
        const add = req.body?.addExpiryInDays;
        if (!Number.isInteger(add) || add <= 0) throw bad("addExpiryInDays must be an integer > 0");
        if (k.expiresAt === null) throw bad(`API key ${k.id} has no expiry`);
        k.expiresAt = now(new Date(parseTime(k.expiresAt) + add * DAY));
        return ok();
      },
    },
    // ---- roles ----
    {
      method: "GET",
      pattern: R.roles,
      handler: (_req, s) => ok(s.roles, { total: s.roles.length }),
    },
    // ---- assignments ----
    {
      method: "GET",
      pattern: R.assignments,
      handler: (req, s) => {
        const raw = req.query.get("UserID");
        const uid = raw === null || raw === "" ? s.userNumericId : Number(raw);
        if (!Number.isInteger(uid) || uid <= 0) throw bad("UserID must be a positive integer");
        return ok(s.assignments.filter((a) => a.UserID === uid).map((a) => ({ ...a })));
      },
    },
    {
      method: "POST",
      pattern: R.assignments,
      handler: (req, s) => {
        const a = assignment(s, req.body);
        if (s.assignments.some((x) => x.UserID === a.UserID && x.RoleName === a.RoleName))
          throw fail(422, `role ${a.RoleName} is already assigned to user ${a.UserID}`, "ASSIGNMENT_ALREADY_EXISTS");
        s.assignments.push(a);
        return ok({ ...a });
      },
    },
    {
      method: "DELETE",
      pattern: R.assignments,
      handler: (req, s) => {
        const a = assignment(s, req.body);
        const i = s.assignments.findIndex((x) => x.UserID === a.UserID && x.RoleName === a.RoleName);
        if (i < 0) throw fail(404, `role ${a.RoleName} is not assigned to user ${a.UserID}`, "ASSIGNMENT_NOT_FOUND");
        s.assignments.splice(i, 1);
        return ok({ ...a });
      },
    },
    // ---- permissions ----
    {
      method: "GET",
      pattern: R.permissions,
      handler: (req, s) => {
        const q = Object.fromEntries(["RoleName", "ByteHouseResourceID", "SecureObjectTypeName"].map((k) => [k, req.query.get(k)]));
        for (const [k, v] of Object.entries(q)) if (!v) throw bad(`query parameter ${k} is required`);
        needRole(s, q.RoleName);
        return ok(
          s.permissions
            .filter((p) => p.RoleName === q.RoleName && p.ByteHouseResourceID === q.ByteHouseResourceID && p.SecureObjectTypeName === String(q.SecureObjectTypeName).toUpperCase())
            .map((p) => ({ ...p })),
        );
      },
    },
    {
      method: "POST",
      pattern: R.permissions,
      handler: (req, s) => {
        const p = permission(s, req.body, true);
        const existing = s.permissions.find((x) => samePerm(x, p));
        if (existing) existing.GrantOption = p.GrantOption;
        else s.permissions.push(p);
        return ok({ ...p });
      },
    },
    {
      method: "DELETE",
      pattern: R.permissions,
      handler: (req, s) => {
        const p = permission(s, req.body, false);
        const i = s.permissions.findIndex((x) => samePerm(x, p));
        if (i < 0) throw fail(404, `role ${p.RoleName} has no ${p.ActionName} permission on ${p.SecureObjectTypeName} ${p.ByteHouseResourceID}`, "PERMISSION_NOT_FOUND");
        s.permissions.splice(i, 1);
        return ok();
      },
    },
  ];
}
