/**
 * The per-vendor concurrency cap is a provider setting (`warehouse:<vendor>MaxConcurrency`, else
 * `$<VENDOR>_MAX_CONCURRENCY`): the API client the runtime builds from the settings never has
 * more requests in flight than it says (8 when unset), and a bad value is refused naming it.
 */
import { expect } from "chai";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { createApi } from "../../provider/registry";
import type { ByteHouseApi } from "../../provider/bytehouse/api";

describe("per-vendor concurrency cap (warehouse:<vendor>MaxConcurrency)", () => {
  let server: http.Server;
  let url = "";
  let inFlight = 0;
  let most = 0;
  const waiting: (() => void)[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      // Answer only when the test releases the queue: how many arrive at once is what is measured.
      waiting.push(() => {
        inFlight--;
        const name = decodeURIComponent(req.url!.split("/").pop()!);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ id: `vw-1-${name}`, name, description: "", configID: 1, status: "up", autoSuspend: 0, autoResume: false, createdAt: "2026-01-01T00:00:00Z", message: "Success", error: {} }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  /**
   * Sends `calls` reads at once and answers them in batches of `cap` (held until that many are in
   * flight, so no timing is involved); returns the most requests the server saw in flight together.
   */
  async function peak(settings: Record<string, string>, calls: number, cap: number): Promise<number> {
    inFlight = 0;
    most = 0;
    const api = createApi("bytehouse", { get: (k) => ({ "warehouse:bytehouseEndpoint": url, "warehouse:bytehouseApiKey": "k", ...settings })[k] }) as ByteHouseApi;
    const all = Promise.all(Array.from({ length: calls }, (_, i) => api.getVirtualWarehouse(`vw${i}`)));
    for (let answered = 0; answered < calls; ) {
      await new Promise((r) => setImmediate(r));
      if (waiting.length < Math.min(cap, calls - answered)) continue;
      for (const release of waiting.splice(0)) {
        release();
        answered++;
      }
    }
    const got = await all;
    expect(got.map((v) => v?.name)).to.deep.equal(Array.from({ length: calls }, (_, i) => `vw${i}`));
    return most;
  }

  it("caps the requests in flight at the setting", async () => {
    expect(await peak({ "warehouse:bytehouseMaxConcurrency": "2" }, 6, 2)).to.equal(2);
  });

  it("is 8 when unset", async () => {
    expect(await peak({}, 12, 8)).to.equal(8);
  });

  it("refuses a value that is not a whole number > 0, naming the setting", () => {
    expect(() => createApi("bytehouse", { get: (k) => ({ "warehouse:bytehouseEndpoint": url, "warehouse:bytehouseApiKey": "k", "warehouse:bytehouseMaxConcurrency": "0" })[k] })).to.throw(
      "warehouse:bytehouseMaxConcurrency must be a whole number > 0",
    );
  });
});
