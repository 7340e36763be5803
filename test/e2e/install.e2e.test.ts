/**
 * End to end, the user's path: `npm pack` of this repository, a fresh Pulumi project outside it
 * (a temp dir with its own package.json), `npm install` of the tarball and @pulumi/pulumi, a
 * plain JavaScript program with a ByteHouse database and warehouse, and `pulumi preview`, `up`
 * and `destroy` with the real CLI against the ByteHouse emulator. The objects appear and
 * disappear at the vendor, and the serialised provider in state names no path of this machine.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { startByteHouse, RunningEmulator } from "../helpers/emulators";
import { offlineEnv, pulumiBin } from "../helpers/pulumi";
import { ByteHouseState } from "../../emulator/bytehouse";

const run = promisify(execFile);
const REPO = path.resolve(__dirname, "../../..");
const PULUMI_VERSION: string = JSON.parse(fs.readFileSync(path.join(REPO, "node_modules/@pulumi/pulumi/package.json"), "utf8")).version;

const PROGRAM = `"use strict";
const { bytehouse } = require("pulumi-warehouse");
const db = new bytehouse.Database("sales", { name: "install_sales", description: "installed from a tarball" });
const vw = new bytehouse.VirtualWarehouse("etl", { name: "install_etl", size: "XS", autoSuspend: 5, autoResume: true });
exports.uuid = db.uuid;
exports.vwId = vw.vwId;
`;

describe("e2e: installed from an npm pack tarball into a project outside the repository", function () {
  this.timeout(900_000);
  let emu: RunningEmulator<ByteHouseState>;
  let tmp: string;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  const pulumi = (args: string[]) => run(path.join(pulumiBin(), "pulumi"), args, { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 });
  const npm = (args: string[], cwd: string) => run("npm", args, { cwd, env: { ...process.env, npm_config_update_notifier: "false" }, maxBuffer: 64 * 1024 * 1024 });

  before(async () => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "pw-install-")));
    const packed = JSON.parse((await npm(["pack", "--json", "--pack-destination", tmp], REPO)).stdout);
    const tarball = path.join(tmp, packed[0].filename);
    const files: string[] = packed[0].files.map((f: { path: string }) => f.path);
    expect(files.filter((f) => /^(test|examples|bench|demo|policies|scripts)\/|^dist\/(test|examples|bench|demo|policies|scripts)\/|\.map$/.test(f)), "shipped files a program does not need").to.deep.equal([]);
    expect(files).to.include.members(["dist/sdk/index.js", "dist/sdk/index.d.ts", "dist/provider/framework/runtime.js", "README.md", "package.json"]);

    dir = path.join(tmp, "project");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "installed-estate", private: true, main: "index.js" }, null, 2));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: installed-estate\nruntime: nodejs\nmain: index.js\n");
    fs.writeFileSync(path.join(dir, "index.js"), PROGRAM);
    await npm(["install", "--prefer-offline", "--no-audit", "--no-fund", tarball, `@pulumi/pulumi@${PULUMI_VERSION}`], dir);
    expect(fs.lstatSync(path.join(dir, "node_modules/pulumi-warehouse")).isSymbolicLink(), "a copy, not a link to the clone").to.equal(false);

    emu = await startByteHouse();
    const stateDir = path.join(tmp, "backend");
    fs.mkdirSync(stateDir);
    env = { ...process.env, ...offlineEnv(stateDir), PATH: `${pulumiBin()}:${process.env.PATH}`, PULUMI_HOME: path.join(tmp, "home") };
    delete env.NODE_PATH;
    await pulumi(["stack", "init", "test", "--non-interactive"]);
    await pulumi(["config", "set", "warehouse:bytehouseEndpoint", emu.url]);
    await pulumi(["config", "set", "--secret", "warehouse:bytehouseApiKey", emu.apiKey]);
  });

  after(async () => {
    await emu?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("previews, creates and destroys the estate with the real CLI", async () => {
    const preview = await pulumi(["preview", "--non-interactive"]);
    expect(preview.stdout).to.match(/\+ 3 to create/); // the stack and the two objects
    expect(Object.keys(emu.server.state.databases)).to.not.include("install_sales");

    await pulumi(["up", "--yes", "--non-interactive"]);
    expect(Object.keys(emu.server.state.databases)).to.include("install_sales");
    expect(Object.keys(emu.server.state.virtualWarehouses)).to.include("install_etl");

    const exported = JSON.parse((await pulumi(["stack", "export"])).stdout);
    const providers: string[] = exported.deployment.resources
      .filter((r: { type: string }) => r.type.startsWith("pulumi-nodejs:dynamic/bytehouse"))
      .map((r: { inputs: { __provider: string } }) => r.inputs.__provider);
    expect(providers).to.have.length(2);
    for (const p of providers) {
      for (const local of [REPO, tmp, os.tmpdir(), os.homedir()]) expect(p, `__provider holds ${local}`).to.not.include(local);
      expect(p).to.not.include(emu.apiKey);
    }

    await pulumi(["preview", "--non-interactive", "--expect-no-changes"]);
    await pulumi(["destroy", "--yes", "--non-interactive"]);
    expect(Object.keys(emu.server.state.databases)).to.not.include("install_sales");
    expect(Object.keys(emu.server.state.virtualWarehouses)).to.not.include("install_etl");
  });
});
