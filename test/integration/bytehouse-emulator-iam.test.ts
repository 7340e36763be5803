/** ByteHouse emulator: IAM (API keys, roles, assignments, permissions). */
import { expect } from "chai";
import { request } from "undici";
import { bhCall, startByteHouse, RunningEmulator } from "../helpers/emulators";
import { ByteHouseState } from "../../emulator/bytehouse";

type Emu = RunningEmulator<ByteHouseState>;

const call = bhCall;

describe("ByteHouse emulator: IAM", () => {
  let emu: Emu;
  beforeEach(async () => (emu = await startByteHouse()));
  afterEach(() => emu.stop());

  it("returns an API key's secret once, never lists it, and keeps only a hash", async () => {
    const c = await call(emu, "POST", "/v1/iam/api-keys", { noExpiry: false, expiryInDays: 90, comment: "string" });
    expect(c.status).to.equal(200);
    expect(c.body).to.include({ message: "Success" });
    expect(c.body.error).to.deep.equal({});
    const k = c.body.data;
    expect(k.id).to.match(/^[A-Za-z0-9]{20}$/);
    expect(k).to.include({ comment: "string", status: "ENABLED" });
    expect(k.key).to.be.a("string").with.length.greaterThan(20);
    const days = (Date.parse(k.expiresAt.replace(/\.(\d{3})\d*Z$/, ".$1Z")) - Date.parse(k.createdAt.replace(/\.(\d{3})\d*Z$/, ".$1Z"))) / 86_400_000;
    expect(days).to.equal(90);
    const list = await call(emu, "GET", "/v1/iam/api-keys");
    expect(list.body.data).to.have.length(1);
    expect(list.body.data[0]).to.deep.equal({ id: k.id, comment: "string", status: "ENABLED", createdAt: k.createdAt, expiresAt: k.expiresAt });
    expect(list.text).not.to.contain(k.key);
    const state = await request(`${emu.url}/_emulator/state`).then((r) => r.body.text());
    expect(state).not.to.contain(k.key);
    const noExp = await call(emu, "POST", "/v1/iam/api-keys", { noExpiry: true, expiryInDays: 5 });
    expect(noExp.body.data.expiresAt).to.equal(null);
  });

  it("allows at most 2 API keys per user (422) and validates the body", async () => {
    expect((await call(emu, "POST", "/v1/iam/api-keys", { expiryInDays: 0 })).status).to.equal(400);
    expect((await call(emu, "POST", "/v1/iam/api-keys", { noExpiry: "yes" })).status).to.equal(400);
    const a = (await call(emu, "POST", "/v1/iam/api-keys", {})).body.data;
    await call(emu, "POST", "/v1/iam/api-keys", { noExpiry: true });
    const third = await call(emu, "POST", "/v1/iam/api-keys", { comment: "3rd" });
    expect(third.status).to.equal(422);
    expect(third.body).to.deep.equal({ message: "The number of API key is limited to 2 per user", error: { code: "API_KEY_LIMIT_EXCEEDED", message: "The number of API key is limited to 2 per user" } });
    expect((await call(emu, "DELETE", `/v1/iam/api-keys/${a.id}`)).body).to.deep.equal({ message: "Success", error: {} });
    expect((await call(emu, "DELETE", `/v1/iam/api-keys/${a.id}`)).status).to.equal(404);
    expect((await call(emu, "POST", "/v1/iam/api-keys", { comment: "3rd" })).status).to.equal(200);
  });

  it("a created key authenticates as a Bearer token while enabled; disabled → 403; expiry can be extended", async () => {
    const k = (await call(emu, "POST", "/v1/iam/api-keys", { expiryInDays: 1 })).body.data;
    expect((await call(emu, "GET", "/v1/databases", undefined, k.key)).status).to.equal(200);
    expect((await call(emu, "PATCH", `/v1/iam/api-keys/${k.id}/status`, { status: "PAUSED" })).status).to.equal(400);
    expect((await call(emu, "PATCH", `/v1/iam/api-keys/${k.id}/status`, { status: "DISABLED" })).body).to.deep.equal({ message: "Success", error: {} });
    const denied = await call(emu, "GET", "/v1/databases", undefined, k.key);
    expect(denied.status).to.equal(403);
    expect(denied.body.error.code).to.equal("AUTHENTICATION_FAILED");
    expect((await call(emu, "GET", "/v1/iam/api-keys")).body.data[0].status).to.equal("DISABLED");
    await call(emu, "PATCH", `/v1/iam/api-keys/${k.id}/status`, { status: "ENABLED" });
    expect((await call(emu, "GET", "/v1/databases", undefined, k.key)).status).to.equal(200);
    expect((await call(emu, "PATCH", `/v1/iam/api-keys/${k.id}/expiry`, { addExpiryInDays: 0 })).status).to.equal(400);
    expect((await call(emu, "PATCH", `/v1/iam/api-keys/${k.id}/expiry`, { addExpiryInDays: 90 })).status).to.equal(200);
    const after = (await call(emu, "GET", "/v1/iam/api-keys")).body.data[0];
    const ms = (s: string) => Date.parse(s.replace(/\.(\d{3})\d*Z$/, ".$1Z"));
    expect((ms(after.expiresAt) - ms(k.expiresAt)) / 86_400_000).to.equal(90);
    const forever = (await call(emu, "POST", "/v1/iam/api-keys", { noExpiry: true })).body.data;
    expect((await call(emu, "PATCH", `/v1/iam/api-keys/${forever.id}/expiry`, { addExpiryInDays: 90 })).status).to.equal(400);
    // an expired key is refused
    emu.server.state.apiKeys[k.id].expiresAt = "2000-01-01T00:00:00.000000000Z";
    expect((await call(emu, "GET", "/v1/databases", undefined, k.key)).status).to.equal(403);
    // deleted keys stop working
    await call(emu, "DELETE", `/v1/iam/api-keys/${forever.id}`);
    expect((await call(emu, "GET", "/v1/databases", undefined, forever.key)).status).to.equal(403);
  });

  it("lists the roles with meta", async () => {
    const r = await call(emu, "GET", "/v1/iam/roles");
    expect(r.body.message).to.equal("Success");
    expect(r.body.data.map((x: any) => x.name)).to.deep.equal(["AccountAdmin", "SystemAdmin", "DataAdmin", "Analyst", "ReadOnly"]);
    expect(r.body.data[0]).to.have.keys("name", "description", "isSystem");
    expect(r.body.meta).to.deep.equal({ total: 5 });
  });

  it("assigns and unassigns roles with the vendor doc's PascalCase body", async () => {
    const a = await call(emu, "POST", "/v1/iam/assignments", { UserID: 1336688750, RoleName: "SystemAdmin" });
    expect(a.status).to.equal(200);
    expect(a.body).to.include({ message: "Success" });
    await call(emu, "POST", "/v1/iam/assignments", { UserID: 42, RoleName: "Analyst" });
    const dup = await call(emu, "POST", "/v1/iam/assignments", { UserID: 1336688750, RoleName: "SystemAdmin" });
    expect(dup.status).to.equal(422);
    expect(dup.body.error.code).to.equal("ASSIGNMENT_ALREADY_EXISTS");
    const noRole = await call(emu, "POST", "/v1/iam/assignments", { UserID: 1, RoleName: "Wizard" });
    expect(noRole.status).to.equal(404);
    expect(noRole.body.error.code).to.equal("ROLE_NOT_FOUND");
    expect((await call(emu, "POST", "/v1/iam/assignments", { UserID: -3, RoleName: "Analyst" })).status).to.equal(400);
    expect((await call(emu, "POST", "/v1/iam/assignments", { UserID: "7", RoleName: "Analyst" })).status).to.equal(400);
    expect((await call(emu, "GET", "/v1/iam/assignments?UserID=1336688750")).body.data).to.deep.equal([{ UserID: 1336688750, RoleName: "SystemAdmin" }]);
    expect((await call(emu, "GET", "/v1/iam/assignments")).body.data, "defaults to the current user").to.deep.equal([{ UserID: 1336688750, RoleName: "SystemAdmin" }]);
    expect((await call(emu, "GET", "/v1/iam/assignments?UserID=42")).body.data).to.deep.equal([{ UserID: 42, RoleName: "Analyst" }]);
    expect((await call(emu, "DELETE", "/v1/iam/assignments", { UserID: 1336688750, RoleName: "SystemAdmin" })).status).to.equal(200);
    const gone = await call(emu, "DELETE", "/v1/iam/assignments", { UserID: 1336688750, RoleName: "SystemAdmin" });
    expect(gone.status).to.equal(404);
    expect(gone.body.error.code).to.equal("ASSIGNMENT_NOT_FOUND");
    expect((await call(emu, "GET", "/v1/iam/assignments?UserID=1336688750")).body.data).to.deep.equal([]);
  });

  it("grants, lists and revokes permissions", async () => {
    const grant = { RoleName: "Analyst", ByteHouseResourceID: "sales.orders", SecureObjectTypeName: "TABLE", ActionName: "SELECT" };
    const g = await call(emu, "POST", "/v1/iam/permissions", grant);
    expect(g.status).to.equal(200);
    expect(g.body.data).to.deep.equal({ ...grant, GrantOption: false });
    await call(emu, "POST", "/v1/iam/permissions", { ...grant, ActionName: "INSERT", GrantOption: true });
    await call(emu, "POST", "/v1/iam/permissions", { ...grant, GrantOption: true }); // same 4-tuple: updates GrantOption
    const q = "/v1/iam/permissions?RoleName=Analyst&ByteHouseResourceID=sales.orders&SecureObjectTypeName=TABLE";
    expect((await call(emu, "GET", q)).body.data).to.deep.equal([
      { ...grant, GrantOption: true },
      { ...grant, ActionName: "INSERT", GrantOption: true },
    ]);
    expect((await call(emu, "GET", "/v1/iam/permissions?RoleName=Analyst&ByteHouseResourceID=sales.orders")).status).to.equal(400);
    expect((await call(emu, "GET", "/v1/iam/permissions?RoleName=Nope&ByteHouseResourceID=x&SecureObjectTypeName=TABLE")).status).to.equal(404);
    expect((await call(emu, "POST", "/v1/iam/permissions", { ...grant, RoleName: "Nope" })).body.error.code).to.equal("ROLE_NOT_FOUND");
    expect((await call(emu, "POST", "/v1/iam/permissions", { ...grant, ActionName: "" })).status).to.equal(400);
    const rv = await call(emu, "DELETE", "/v1/iam/permissions", grant);
    expect(rv.body).to.deep.equal({ message: "Success", error: {} });
    const again = await call(emu, "DELETE", "/v1/iam/permissions", grant);
    expect(again.status).to.equal(404);
    expect(again.body.error.code).to.equal("PERMISSION_NOT_FOUND");
    expect((await call(emu, "GET", q)).body.data.map((p: any) => p.ActionName)).to.deep.equal(["INSERT"]);
  });
});
