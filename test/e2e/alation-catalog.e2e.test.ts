/**
 * The alation-catalog example with the real CLI against the Alation emulator: it comes up with
 * its three published queries (one of two statements), one of them is run through the emulator's
 * admin endpoint (Compose's stand-in), and getQueryResult reads the cached result back as rows.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { offlineEnv, pulumiBin } from "../helpers/pulumi";
import { startAlation, RunningAlation } from "../helpers/alation";
import { setEnv, settingsToEnv } from "../helpers/emulators";
import * as lookups from "../../sdk/alation/lookups";

const run = promisify(execFile);
const EXAMPLE = path.resolve(__dirname, "../../../examples/alation-catalog");
const STACK = "alation-catalog-e2e";

describe("e2e: examples/alation-catalog, one query run and read back with getQueryResult", function () {
  this.timeout(600_000);
  let a: RunningAlation;
  let stateDir: string;
  let env: NodeJS.ProcessEnv;
  const pulumi = async (args: string[]) => {
    try {
      return await run(path.join(pulumiBin(), "pulumi"), [...args, "--stack", STACK], { cwd: EXAMPLE, env, maxBuffer: 64 * 1024 * 1024 });
    } catch (e) {
      const x = e as Error & { stdout?: string; stderr?: string };
      x.message = `pulumi ${args.join(" ")} failed:\n${x.stdout ?? ""}\n${x.stderr ?? ""}`;
      throw x;
    }
  };

  before(async () => {
    a = await startAlation();
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-alation-catalog-"));
    env = { ...process.env, ...offlineEnv(stateDir), PATH: `${pulumiBin()}:${process.env.PATH}`, PULUMI_HOME: path.join(stateDir, ".home") };
    await run(path.join(pulumiBin(), "pulumi"), ["stack", "init", STACK, "--non-interactive"], { cwd: EXAMPLE, env });
    await pulumi(["config", "set", "warehouse:alationEndpoint", a.url]);
    await pulumi(["config", "set", "--secret", "warehouse:alationRefreshToken", a.settings.refreshToken]);
    await pulumi(["config", "set", "warehouse:alationUserId", a.settings.userId]);
  });
  after(async () => {
    await pulumi(["destroy", "--yes", "--non-interactive"]).catch(() => undefined);
    await a?.stop();
    fs.rmSync(path.join(EXAMPLE, `Pulumi.${STACK}.yaml`), { force: true });
    if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it("comes up; the two-statement query, run, reads back through getQueryResult", async () => {
    const up = await pulumi(["up", "--yes", "--non-interactive"]);
    expect(up.stdout).to.match(/\+ 5 created/);
    const out = JSON.parse((await pulumi(["stack", "output", "--json"])).stdout);
    const id = out.queries.shippedRevenue.id as number;
    const q = a.emu.state.queries[String(id)];
    expect(q).to.include({ title: "Shipped revenue by user", published: true });
    expect(q.domain_ids).to.deep.equal([1]);
    expect(Object.values(a.emu.state.queries).map((x) => x.title).sort()).to.deep.equal(["Pending orders", "Shipped revenue by user", "Users by country"]);
    const r = await a.call("POST", `/_alation/query/${id}/execute`);
    expect(r.body.errors).to.deep.equal([null, null]);
    const restoreEnv = setEnv(settingsToEnv("alation", a.settings));
    try {
      const res = await lookups.getQueryResult({ queryId: id });
      expect(res.columns).to.deep.equal(["name", "revenue"]);
      expect(res.rows.map((row) => `${row.name} ${row.revenue}`)).to.deep.equal(["Alan Turing 310.00", "Ada Lovelace 120.50", "Edsger Dijkstra 88.80", "Grace Hopper 75.00"]);
    } finally {
      restoreEnv();
    }
    expect(out.abandoned).to.deep.equal([]);
  });
});
