/**
 * End to end: progress lines (retries, waits) are filed under the resource they belong to, not
 * under the stack. The dynamic-provider host does not hand the provider a resource's URN; the
 * runtime recovers it from the host's request (provider/framework/host.ts) and sends each line to
 * the engine's Log RPC with that URN.
 */
import { expect } from "chai";
import { startByteHouse, RunningEmulator } from "../helpers/emulators";
import { inlineStack, TestStack } from "../helpers/pulumi";
import { ByteHouseState } from "../../emulator/bytehouse";
import { bytehouse } from "../../sdk";

describe("e2e: progress on the resource", function () {
  this.timeout(300_000);
  let emu: RunningEmulator<ByteHouseState>;
  let ts: TestStack;

  before(async () => {
    emu = await startByteHouse();
    ts = await inlineStack(
      "progress",
      async () => {
        for (const n of ["slow_a", "slow_b", "slow_c"]) new bytehouse.Database(n, { name: n });
      },
      { "warehouse:bytehouseEndpoint": { value: emu.url }, "warehouse:bytehouseApiKey": { value: emu.apiKey, secret: true } },
    );
  });
  after(async () => {
    await ts?.stack.destroy().catch(() => undefined);
    await ts?.dispose();
    await emu?.stop();
  });

  // The host loads the provider inside its first request, after that request's properties were
  // read: that one call's lines still go to stderr (filed under the stack); all others carry a URN.
  it("a 429 answered to a read shows as a retry line on that resource", async () => {
    await ts.stack.up();
    // The reads of the databases are refused with 429 and Retry-After: 1, six times in all.
    emu.faults({ rules: [{ method: "GET", path: "^/v1/databases", status: 429, retryAfter: 1, times: 6 }] });
    const diags: { urn?: string; message: string }[] = [];
    let text = "";
    await ts.stack.refresh({
      onOutput: (s) => (text += s),
      onEvent: (e) => {
        if (e.diagnosticEvent) diags.push({ urn: e.diagnosticEvent.urn, message: e.diagnosticEvent.message });
      },
    });
    emu.faults({});
    const retries = diags.filter((d) => /429 from ByteHouse, retrying/.test(d.message));
    const dump = `${text}\n${JSON.stringify(diags, null, 1)}`;
    const filed = retries.filter((d) => d.urn && /dynamic\/bytehouse:Database::/.test(d.urn));
    expect(filed, dump).to.not.be.empty;
    // Each line is filed under the resource it names.
    for (const d of filed) expect(d.message, dump).to.contain(`[bytehouse.Database ${d.urn!.split("::").pop()}]`);
  });
});
