/**
 * End to end with the real CLI against the CARTO emulator (one emulator for the file: PostGIS
 * takes a while to load): a dataset table loaded from CSV, a view, an API key limited to it, a
 * grant to the key's role and a batch job — create, no-op, a column added by hand through the SQL
 * API seen and reverted, a narrowing refused at preview with the rows untouched, a key's grant
 * changed → replaced, a batch job failure reported with its reason, an interrupted up not running
 * a job twice, no secret in the state, destroy leaving no table, role or key.
 */
import { expect } from "chai";
import { ChildProcess, execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { startEmulator } from "../helpers/emulators";
import { inlineStack, offlineEnv, pulumiBin, TestStack, appendOutputOnFailure } from "../helpers/pulumi";
import type { EmulatorHarness } from "../../emulator/framework/definition";
import { CartoApi, createCartoHttp } from "../../provider/carto/api";
import { carto } from "../../sdk";

const run = promisify(execFile);
const REPO = path.resolve(__dirname, "../../..");

interface Desired {
  capacityType: string;
  keyPermissions: string[];
  jobQuery: string;
  allowDataLoss: boolean;
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "carto-e2e-"));
const stationsCsv = path.join(dataDir, "stations.csv");
const JOB_OK = "INSERT INTO public.e2e_summary SELECT kind, count(*) FROM public.e2e_stations GROUP BY kind";

function program(d: Desired) {
  return async () => {
    const stations = new carto.Table("stations", {
      name: "e2e_stations",
      dataset: true,
      allowDataLoss: d.allowDataLoss,
      columns: [
        { name: "name", type: "text", nullable: false },
        { name: "kind", type: "text" },
        { name: "capacity", type: d.capacityType },
      ],
    });
    const load = new carto.LoadedData("stations-csv", { table: "e2e_stations", file: stationsCsv }, { dependsOn: [stations] });
    const view = new carto.View("rail", { name: "e2e_rail", sql: "SELECT cartodb_id, name, the_geom FROM public.e2e_stations WHERE kind = 'rail'" }, { dependsOn: [stations] });
    const key = new carto.ApiKey("viewer", { name: "e2e-viewer", tables: [{ name: "e2e_rail", permissions: d.keyPermissions as ("select" | "insert")[] }] }, { dependsOn: [view] });
    new carto.Grant("viewer-stations", { table: "e2e_stations", role: key.role, privileges: ["select"] });
    const summary = new carto.Table("summary", { name: "e2e_summary", columns: [{ name: "kind", type: "text" }, { name: "n", type: "bigint" }] });
    new carto.BatchJob("build", { name: "e2e-build", queries: [{ query: "TRUNCATE public.e2e_summary" }, { query: d.jobQuery }], timeoutSeconds: 120 }, { dependsOn: [load, summary] });
  };
}

describe("e2e: CARTO with the real pulumi CLI", function () {
  this.timeout(600_000);
  let emu: EmulatorHarness<unknown>;
  let api: CartoApi;
  let ts: TestStack;
  let out = "";
  const desired: Desired = { capacityType: "integer", keyPermissions: ["select"], jobQuery: JOB_OK, allowDataLoss: false };
  const collect = (s: string) => (out += s);
  const use = (d: Partial<Desired>) => (ts.stack.workspace.program = program(Object.assign(desired, d)));
  const one = async (q: string) => (await api.rows(q))[0];
  const jobPosts = () => emu.requests().filter((r) => r.method === "POST" && r.path === "/api/v2/sql/job").length;

  before(async () => {
    fs.writeFileSync(stationsCsv, fs.readFileSync(path.join(REPO, "examples/carto-geo/data/stations.csv")));
    emu = await startEmulator("carto");
    api = new CartoApi(createCartoHttp(emu.settings as never), emu.settings as never);
    ts = await inlineStack("carto", program(desired), {
      "warehouse:cartoEndpoint": { value: emu.settings.endpoint },
      "warehouse:cartoUser": { value: emu.settings.user },
      "warehouse:cartoApiKey": { value: emu.settings.apiKey, secret: true },
    });
  });
  after(async () => {
    await ts?.dispose();
    await api?.http.close();
    await emu?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => (out = ""));
  appendOutputOnFailure(() => out);

  it("up creates everything; a second up and a refresh change nothing", async () => {
    const r = await ts.stack.up({ onOutput: collect });
    expect(r.summary.resourceChanges).to.deep.equal({ create: 8 });
    expect(Number((await one("SELECT count(*) AS n FROM public.e2e_stations")).n)).to.equal(8);
    expect(Number((await one("SELECT count(*) AS n FROM public.e2e_summary")).n)).to.equal(2);
    expect(Number((await one("SELECT count(*) AS n FROM public.e2e_stations WHERE the_geom_webmercator IS NOT NULL")).n), "the_geom_webmercator in sync").to.equal(8);
    expect((await ts.stack.up({ onOutput: collect })).summary.resourceChanges).to.deep.equal({ same: 8 });
    expect((await ts.stack.refresh({ onOutput: collect })).summary.resourceChanges).to.deep.equal({ same: 8 });
    expect(jobPosts(), "the job ran once").to.equal(1);
  });

  it("a column added by hand through the SQL API shows on refresh; up refuses to drop it without allowDataLoss, and reverts it with it", async () => {
    await api.sql("ALTER TABLE public.e2e_stations ADD COLUMN added_by_hand integer");
    const r = await ts.stack.refresh({ onOutput: collect });
    expect(r.summary.resourceChanges?.update, "the table (and the load, whose row checksum covers the new column)").to.be.at.least(1);
    const err = await ts.stack.preview({ onOutput: collect }).catch((e) => e);
    expect(`${err?.message}\n${out}`).to.contain("drop column added_by_hand").and.contain("allowDataLoss");
    use({ allowDataLoss: true });
    await ts.stack.up({ onOutput: collect });
    expect(Object.keys((await api.sql("SELECT * FROM public.e2e_stations LIMIT 0")).fields)).to.not.include("added_by_hand");
    use({ allowDataLoss: false });
    await ts.stack.up({ onOutput: collect });
  });

  it("a narrowing (integer → smallint) is refused at preview, and the rows are untouched", async () => {
    const before = await one("SELECT count(*) AS n, sum(capacity) AS s FROM public.e2e_stations");
    use({ capacityType: "smallint" });
    const err = await ts.stack.preview({ onOutput: collect }).catch((e) => e);
    expect(`${err?.message}\n${out}`).to.contain("convert column capacity from integer to smallint").and.contain("allowDataLoss: true");
    const after = await api.sql("SELECT count(*) AS n, sum(capacity) AS s, min(capacity) AS capacity FROM public.e2e_stations");
    expect([Number(after.rows[0].n), Number(after.rows[0].s)]).to.deep.equal([Number(before.n), Number(before.s)]);
    expect((await api.sql("SELECT capacity FROM public.e2e_stations LIMIT 0")).fields.capacity).to.deep.include({ pgtype: "int4" });
    use({ capacityType: "integer" });
  });

  it("changing a key's grants replaces the key (CARTO cannot change one); the grant to its role follows", async () => {
    const old = (await api.getApiKey("e2e-viewer"))!;
    use({ keyPermissions: ["select", "insert"] });
    const p = await ts.stack.preview({ onOutput: collect, diff: true });
    expect(p.changeSummary.replace, JSON.stringify(p.changeSummary)).to.be.at.least(1);
    await ts.stack.up({ onOutput: collect });
    const now = (await api.getApiKey("e2e-viewer"))!;
    expect(now.token).to.not.equal(old.token);
    expect(JSON.stringify(now.grants)).to.contain("insert");
    expect((await ts.stack.preview({ onOutput: collect })).changeSummary).to.deep.equal({ same: 8 });
  });

  it("a failing batch job fails the update with CARTO's failed_reason; fixing the SQL runs it again", async () => {
    use({ jobQuery: "INSERT INTO public.e2e_nowhere VALUES (1)" });
    const err = await ts.stack.up({ onOutput: collect }).catch((e) => e);
    expect(`${err?.message}\n${out}`).to.match(/batch job e2e-build \([^)]+\) failed/).and.contain("e2e_nowhere");
    // The state still holds the last run that succeeded: a fixed query (a change) runs the job again.
    use({ jobQuery: `${JOB_OK} HAVING count(*) > 0` });
    await ts.stack.up({ onOutput: collect });
    expect(Number((await one("SELECT count(*) AS n FROM public.e2e_summary")).n)).to.equal(2);
  });

  it("no secret in the state (master key, the key's token); destroy leaves no table, role or key", async () => {
    const key = (await api.getApiKey("e2e-viewer"))!;
    const text = ts.backendText();
    expect(text).not.to.contain(emu.settings.apiKey);
    expect(text).not.to.contain(key.token);
    const keyRole = (await api.withKey(key.token).rows("SELECT current_user AS r"))[0].r as string;
    const d = await ts.stack.destroy({ onOutput: collect });
    expect(d.summary.resourceChanges).to.deep.equal({ delete: 8 });
    for (const t of ["e2e_stations", "e2e_rail", "e2e_summary"]) expect((await one(`SELECT to_regclass('public.${t}') AS t`)).t, t).to.equal(null);
    expect((await api.listApiKeys()).filter((k) => k.type === "regular")).to.deep.equal([]);
    expect((await one(`SELECT to_regrole('${keyRole.replace(/'/g, "''")}') AS r`)).r, "the key's role").to.equal(null);
  });

  describe("an up killed with -9 while a batch job runs", () => {
    let dir: string;
    let stateDir: string;
    let env: NodeJS.ProcessEnv;
    const pulumi = (args: string[]) => run(path.join(pulumiBin(), "pulumi"), args, { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 });

    before(async () => {
      fs.mkdirSync(path.join(REPO, ".pulumi-work"), { recursive: true });
      dir = fs.mkdtempSync(path.join(REPO, ".pulumi-work", "carto-kill-"));
      stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-carto-kill-"));
      fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: pw-carto-kill\nruntime: nodejs\nmain: index.js\n");
      fs.writeFileSync(
        path.join(dir, "index.js"),
        `const { carto } = require("pulumi-warehouse");
new carto.BatchJob("slow", { name: "e2e-kill-job", queries: [{ query: "CREATE TABLE IF NOT EXISTS public.e2e_kill AS SELECT 1 AS one" }, { query: "INSERT INTO public.e2e_kill VALUES (2)" }] });
`,
      );
      env = { ...process.env, ...offlineEnv(stateDir), PATH: `${pulumiBin()}:${process.env.PATH}`, PULUMI_HOME: path.join(stateDir, ".home") };
      await pulumi(["stack", "init", "test", "--non-interactive"]);
      await pulumi(["config", "set", "warehouse:cartoEndpoint", emu.settings.endpoint]);
      await pulumi(["config", "set", "warehouse:cartoUser", emu.settings.user]);
      await pulumi(["config", "set", "--secret", "warehouse:cartoApiKey", emu.settings.apiKey]);
    });
    after(async () => {
      for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
        try {
          if (fs.readlinkSync(`/proc/${pid}/cwd`).startsWith(dir)) process.kill(Number(pid), "SIGKILL");
        } catch {
          // gone, or not ours
        }
      }
      emu.faults({});
      await api.sql("DROP TABLE IF EXISTS public.e2e_kill").catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(stateDir, { recursive: true, force: true });
    });

    it("the next up follows the job it sent instead of sending it again", async () => {
      const posts = jobPosts();
      const log = path.join(stateDir, "up.log");
      const child: ChildProcess = spawn(path.join(pulumiBin(), "pulumi"), ["up", "--yes", "--non-interactive", "--skip-preview"], { cwd: dir, env, detached: true, stdio: ["ignore", fs.openSync(log, "w"), fs.openSync(log, "a")] });
      const started = Date.now();
      // Every answer takes 1.5 s, so the kill lands while the provider waits for its first poll of the job
      // (it records the job id in its run journal as soon as the create is answered).
      emu.faults({ latencyMs: 1500 });
      while (jobPosts() === posts && child.exitCode === null && Date.now() - started < 180_000) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 700));
      expect(jobPosts(), `the job was sent; pulumi up said: ${fs.readFileSync(log, "utf8")}`).to.equal(posts + 1);
      process.kill(-child.pid!, "SIGKILL");
      await new Promise((r) => child.once("exit", r));
      emu.faults({});
      const exported = JSON.parse((await pulumi(["stack", "export"])).stdout);
      expect((exported.deployment.resources ?? []).filter((r: { type: string }) => r.type.includes("carto:BatchJob")), "the kill left the job out of the state").to.deep.equal([]);

      await pulumi(["cancel", "--yes", "--non-interactive"]);
      const r = await pulumi(["up", "--yes", "--non-interactive", "--skip-preview"]);
      const journal = fs.readdirSync(path.join(dir, ".pulumi-warehouse", "journal")).map((f) => fs.readFileSync(path.join(dir, ".pulumi-warehouse", "journal", f), "utf8")).join("");
      expect(r.stdout, journal).to.not.contain("failed");
      expect(r.stdout).to.match(/(following|keeping) it instead of sending it again/);
      expect(jobPosts(), `no second job for the same change; journal: ${journal}; up said: ${r.stdout}`).to.equal(posts + 1);
      expect(Number((await one("SELECT count(*) AS n FROM public.e2e_kill")).n), "the job's statements ran once").to.equal(2);
      await pulumi(["preview", "--expect-no-changes", "--non-interactive"]);
      await pulumi(["destroy", "--yes", "--non-interactive", "--skip-preview"]);
    });
  });
});
