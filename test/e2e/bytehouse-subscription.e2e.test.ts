/** bytehouse.MetadataSubscription with the real CLI: up subscribes, the token stays encrypted, destroy unsubscribes. */
import { expect } from "chai";
import { startByteHouse, RunningEmulator } from "../helpers/emulators";
import { inlineStack, TestStack } from "../helpers/pulumi";
import { ByteHouseState } from "../../emulator/bytehouse";
import { bytehouse } from "../../sdk";

const TOKEN = "eyJhbGciOiJSUzI1NiJ9.e2e-payload.e2e-signature";

describe("e2e: ByteHouse metadata subscription with the real pulumi CLI", function () {
  this.timeout(300_000);
  let emu: RunningEmulator<ByteHouseState>;
  let ts: TestStack;

  before(async () => {
    emu = await startByteHouse();
    ts = await inlineStack(
      "bytehouse-subscription",
      async () => {
        new bytehouse.MetadataSubscription("metadata", { accountId: "2100042608", userId: "2100042608", token: TOKEN });
      },
      { "warehouse:bytehouseEndpoint": { value: emu.url }, "warehouse:bytehouseApiKey": { value: emu.apiKey, secret: true } },
    );
  });
  after(async () => {
    await ts?.dispose();
    await emu?.stop();
  });

  it("subscribes, is stable, keeps the token encrypted, and unsubscribes on destroy", async () => {
    expect((await ts.stack.up()).summary.resourceChanges).to.deep.equal({ create: 2 });
    expect(emu.server.state.metadataSubscription).to.include({ userId: "2100042608" });
    expect((await ts.stack.up()).summary.resourceChanges).to.deep.equal({ same: 2 });
    expect(ts.backendText()).not.to.contain(TOKEN);
    expect((await ts.stack.destroy()).summary.resourceChanges).to.deep.equal({ delete: 2 });
    expect(emu.server.state.metadataSubscription).to.equal(null);
  });
});
