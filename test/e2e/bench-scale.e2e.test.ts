/**
 * End to end, bench/scale's quick path at a tiny N: the real CLI runs the floor and the
 * VirtualWarehouse estate through every operation against the ByteHouse emulator, and the
 * benchmark prints its tables. Asserts only that it completes and prints a ratio per operation,
 * the requests and the state sizes — never a timing.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { pulumiBin } from "../helpers/pulumi";

const run = promisify(execFile);
const REPO = path.resolve(__dirname, "../../..");

describe("e2e: bench/scale quick mode at a tiny N", function () {
  this.timeout(600_000);

  it("runs up, preview, no-op up, refresh, update one and destroy against the floor and prints the ratios", async () => {
    const { stdout } = await run(process.execPath, [path.join(REPO, "dist/bench/scale.js"), "--n", "3", "--small", "3", "--rounds", "1", "--latency", "5", "--estates", "vw"], {
      env: { ...process.env, PULUMI_WAREHOUSE_PULUMI_BIN: pulumiBin() },
      maxBuffer: 16 * 1024 * 1024,
    });
    for (const op of ["up", "preview", "no-op up", "refresh", "update one", "destroy"]) {
      expect(stdout, op).to.match(new RegExp(`^\\| ${op} \\| [\\d.]+ \\([\\d.–]+\\) \\| [\\d.]+ \\([\\d.–]+\\) \\| \\*\\*[\\d.]+×\\*\\*`, "m"));
    }
    // every create was sent once; destroy deleted each warehouse once
    expect(stdout).to.match(/^ {2}up +POST \/v1\/virtual-warehouses 3 /m);
    expect(stdout).to.match(/^ {2}destroy +DELETE \/v1\/virtual-warehouses\/\{name\} 3 /m);
    expect(stdout).to.match(/^\| 3 \| vw \| \d+ \| \d+ \| \d+ \| \d+ \| [\d.]+× \|$/m);
  });
});
