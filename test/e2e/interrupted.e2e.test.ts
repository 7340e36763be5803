/**
 * End to end: `kill -9` of the whole `pulumi up` (CLI, language host and provider) while creates
 * are in flight, with latency injected so that some objects exist at the vendor but not in the
 * state. The next `pulumi up` must converge with no manual step: exactly the declared objects,
 * no duplicate, no orphan, no "already exists" failure; a preview after it is a no-op; destroy
 * leaves nothing. The provider's creates journal (provider/framework/journal.ts) is what lets it
 * prove the orphans are its own.
 */
import { expect } from "chai";
import { ChildProcess, execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { startByteHouse, RunningEmulator } from "../helpers/emulators";
import { offlineEnv, pulumiBin } from "../helpers/pulumi";
import { ByteHouseState } from "../../emulator/bytehouse";

const run = promisify(execFile);
const REPO = path.resolve(__dirname, "../../..");
const VWS = 8;
const DBS = 4;

const PROGRAM = `
const { bytehouse } = require("pulumi-warehouse");
for (let i = 0; i < ${VWS}; i++) new bytehouse.VirtualWarehouse("vw" + i, { name: "kill_vw_" + i, size: "XS", autoSuspend: 5 });
for (let i = 0; i < ${DBS}; i++) new bytehouse.Database("db" + i, { name: "kill_db_" + i, description: "interrupted" });
`;

describe("e2e: an up killed with -9 mid-create converges on the next up", function () {
  this.timeout(600_000);
  let emu: RunningEmulator<ByteHouseState>;
  let dir: string;
  let stateDir: string;
  let env: NodeJS.ProcessEnv;

  const pulumi = (args: string[]) => run(path.join(pulumiBin(), "pulumi"), args, { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 });
  const live = () => ({ vws: Object.keys(emu.server.state.virtualWarehouses).sort(), dbs: Object.keys(emu.server.state.databases).sort() });
  const creates = () => emu.requests().filter((r) => r.method === "POST" && /^\/v1\/(virtual-warehouses|databases)$/.test(r.path)).length;

  before(async () => {
    emu = await startByteHouse();
    fs.mkdirSync(path.join(REPO, ".pulumi-work"), { recursive: true });
    dir = fs.mkdtempSync(path.join(REPO, ".pulumi-work", "kill-"));
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-kill-state-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: pw-kill\nruntime: nodejs\nmain: index.js\n");
    fs.writeFileSync(path.join(dir, "index.js"), PROGRAM);
    env = { ...process.env, ...offlineEnv(stateDir), PATH: `${pulumiBin()}:${process.env.PATH}`, PULUMI_HOME: path.join(stateDir, ".home") };
    await pulumi(["stack", "init", "test", "--non-interactive"]);
    await pulumi(["config", "set", "warehouse:bytehouseEndpoint", emu.url]);
    await pulumi(["config", "set", "--secret", "warehouse:bytehouseApiKey", emu.apiKey]);
  });

  after(async () => {
    // The killed CLI's plugins (language host, provider host) run on in their own sessions: end them.
    for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
      try {
        if (fs.readlinkSync(`/proc/${pid}/cwd`).startsWith(dir)) process.kill(Number(pid), "SIGKILL");
      } catch {
        // gone, or not ours to read
      }
    }
    await emu?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it("leaves objects at the vendor that the state does not have when killed", async () => {
    emu.faults({ latencyMs: 700 });
    const child: ChildProcess = spawn(path.join(pulumiBin(), "pulumi"), ["up", "--yes", "--non-interactive", "--skip-preview", "--parallel", "6"], { cwd: dir, env, detached: true, stdio: ["ignore", fs.openSync(path.join(stateDir, "up.log"), "w"), fs.openSync(path.join(stateDir, "up.log"), "a")] });
    const started = Date.now();
    while (creates() < 4 && child.exitCode === null && Date.now() - started < 120_000) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300)); // some creates applied, their answers still on the wire
    const log = fs.readFileSync(path.join(stateDir, "up.log"), "utf8");
    expect(creates(), `creates seen before the kill; pulumi up said: ${log}`).to.be.at.least(4);
    process.kill(-child.pid!, "SIGKILL");
    await new Promise((r) => child.once("exit", r));
    emu.faults({});
    await new Promise((r) => setTimeout(r, 1500)); // in-flight requests land at the vendor
    const made = live().vws.length + live().dbs.length;
    expect(made, "objects created before the kill").to.be.greaterThan(0);
    const exported = JSON.parse((await pulumi(["stack", "export"])).stdout);
    const inState = (exported.deployment.resources ?? []).filter((r: { type: string }) => r.type.startsWith("pulumi-nodejs:dynamic/bytehouse")).length;
    expect(inState, "the kill left orphans (objects not in state)").to.be.lessThan(made);
  });

  it("the next pulumi up converges: exactly the declared objects, no duplicate, no failure", async () => {
    // The killed CLI left Pulumi's own stack lock behind: its documented removal is the one step.
    await pulumi(["cancel", "--yes", "--non-interactive"]);
    const r = await pulumi(["up", "--yes", "--non-interactive", "--skip-preview"]);
    expect(r.stdout).to.not.match(/already exists/);
    expect(live().vws).to.deep.equal([...Array(VWS).keys()].map((i) => `kill_vw_${i}`).sort());
    expect(live().dbs).to.deep.equal([...Array(DBS).keys()].map((i) => `kill_db_${i}`).sort());
    const created = emu.requests().filter((q) => q.method === "POST" && /^\/v1\/(virtual-warehouses|databases)$/.test(q.path) && q.status < 300).length;
    expect(created, "successful create requests in total (one per object)").to.equal(VWS + DBS);
    await pulumi(["preview", "--expect-no-changes", "--non-interactive"]);
  });

  it("destroy leaves nothing", async () => {
    await pulumi(["destroy", "--yes", "--non-interactive", "--skip-preview"]);
    expect(live()).to.deep.equal({ vws: [], dbs: [] });
  });
});
