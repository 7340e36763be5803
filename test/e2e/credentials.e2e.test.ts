/**
 * End to end: where credentials live and what a rotated key needs. Credentials set in stack
 * config are stored, encrypted, with the default provider in state, and a plain `pulumi refresh`
 * uses the ones saved at the last update: after a rotation it fails, saying so and naming the fix,
 * and never drops a resource; `pulumi refresh --run-program` uses the new key.
 */
import { expect } from "chai";
import { startByteHouse, RunningEmulator, bhCall } from "../helpers/emulators";
import { inlineStack, TestStack } from "../helpers/pulumi";
import { ByteHouseState } from "../../emulator/bytehouse";
import { bytehouse } from "../../sdk";

describe("e2e: a rotated API key", function () {
  this.timeout(300_000);
  let emu: RunningEmulator<ByteHouseState>;
  let ts: TestStack;
  let oldKey: { id: string; key: string };

  before(async () => {
    emu = await startByteHouse();
    oldKey = (await bhCall(emu, "POST", "/v1/iam/api-keys", { comment: "old", expiryInDays: 30 })).body.data;
    ts = await inlineStack(
      "rotate",
      async () => {
        new bytehouse.Database("db", { name: "rotated" });
      },
      { "warehouse:bytehouseEndpoint": { value: emu.url }, "warehouse:bytehouseApiKey": { value: oldKey.key, secret: true } },
    );
    await ts.stack.up();
  });
  after(async () => {
    await ts?.stack.destroy().catch(() => undefined);
    await ts?.dispose();
    await emu?.stop();
  });

  it("config credentials are in state only encrypted", () => {
    expect(ts.backendText()).to.not.contain(oldKey.key);
  });

  it("after a rotation a plain refresh fails naming the fix, and keeps the resource; --run-program uses the new key", async () => {
    const fresh = (await bhCall(emu, "POST", "/v1/iam/api-keys", { comment: "new", expiryInDays: 30 })).body.data;
    await bhCall(emu, "PATCH", `/v1/iam/api-keys/${oldKey.id}/status`, { status: "DISABLED" });
    await ts.stack.setConfig("warehouse:bytehouseApiKey", { value: fresh.key, secret: true });
    let out = "";
    const err = await ts.stack.refresh({ onOutput: (s) => (out += s) }).catch((e: Error) => e);
    expect(err, "plain refresh with the old key saved in state").to.be.instanceOf(Error);
    expect(out + String(err)).to.contain("refresh --run-program").and.not.contain(oldKey.key);
    const state = await ts.stack.exportStack();
    expect(state.deployment.resources.filter((r: { type: string }) => r.type.includes("bytehouse:Database"))).to.have.length(1);
    const ok = await ts.stack.refresh({ runProgram: true });
    expect(ok.summary.result).to.equal("succeeded");
    expect(ok.summary.resourceChanges).to.not.have.property("delete");
    expect(ts.backendText()).to.not.contain(fresh.key);
  });
});
