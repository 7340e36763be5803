/**
 * End to end with the real pulumi CLI against the Alation emulator, configured with a refresh
 * token: create, a no-op up, a query run through the emulator's admin endpoint read back with
 * getQueryResult, a title edited in the UI shown on refresh, a content change refused at preview
 * without allowReplace and, with it, a new query whose predecessor is listed as abandoned, bad
 * input refused at preview before any query request, no token in the state, `kill -9` of an up
 * mid-create followed by an up that adopts instead of duplicating, and at every step no query at
 * the vendor that the stack does not know about (in state or in the abandoned list).
 */
import { expect } from "chai";
import { ChildProcess, execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { offlineEnv, pulumiBin } from "../helpers/pulumi";
import { startAlation, RunningAlation } from "../helpers/alation";
import { setEnv, settingsToEnv } from "../helpers/emulators";
import * as lookups from "../../sdk/alation/lookups";

const run = promisify(execFile);
const REPO = path.resolve(__dirname, "../../..");

const PROGRAM = `
const fs = require("node:fs");
const { alation } = require("pulumi-warehouse");
const d = JSON.parse(fs.readFileSync(__dirname + "/desired.json", "utf8"));
const qs = d.queries.map((q) => new alation.Query(q.name, q.args));
const report = alation.abandonedQueriesReport("report", qs);
exports.ids = qs.map((q) => q.queryId);
exports.abandoned = report.abandoned;
`;

interface Q {
  name: string;
  args: Record<string, unknown>;
}

const base = (): Q[] => [
  { name: "countries", args: { datasource: "Emulator warehouse", title: "Users by country", content: "SELECT country, count(*) AS users FROM users GROUP BY country ORDER BY country", published: true, tags: ["@e2e"], domains: [1] } },
  {
    name: "revenue",
    args: {
      datasourceId: 1,
      title: "Shipped revenue",
      description: "two statements",
      content: "CREATE OR REPLACE TEMP TABLE shipped AS SELECT * FROM orders WHERE status = 'shipped';\nSELECT user_id, sum(amount) AS revenue FROM shipped GROUP BY user_id ORDER BY user_id",
      published: true,
      tags: ["@e2e", "@finance"],
      domains: [1, 2],
    },
  },
];

describe("e2e: Alation with the real pulumi CLI", function () {
  this.timeout(600_000);
  let a: RunningAlation;
  let dir: string;
  let stateDir: string;
  let env: NodeJS.ProcessEnv;
  let desired: Q[];
  let admin: string;

  const pulumi = async (args: string[]) => {
    try {
      return await run(path.join(pulumiBin(), "pulumi"), args, { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 });
    } catch (e) {
      const x = e as Error & { stdout?: string; stderr?: string };
      x.message = `pulumi ${args.join(" ")} failed:\n${x.stdout ?? ""}\n${x.stderr ?? ""}`;
      throw x;
    }
  };
  const failing = async (args: string[]): Promise<string> => {
    try {
      await pulumi(args);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error(`pulumi ${args.join(" ")} succeeded; it should have failed`);
  };
  const write = (qs: Q[]) => fs.writeFileSync(path.join(dir, "desired.json"), JSON.stringify({ queries: (desired = qs) }));
  const outputs = async () => JSON.parse((await pulumi(["stack", "output", "--json", "--show-secrets"])).stdout) as { ids: number[]; abandoned: { id: number; url: string; title: string }[] };
  const backendText = (d = stateDir): string =>
    fs
      .readdirSync(d, { withFileTypes: true })
      .map((e) => (e.isDirectory() ? backendText(path.join(d, e.name)) : e.isFile() ? fs.readFileSync(path.join(d, e.name), "utf8") : ""))
      .join("");
  const vendorIds = () => Object.keys(a.emu.state.queries).map(Number).sort((x, y) => x - y);
  const queryPosts = () => a.requests().filter((r) => r.method === "POST" && r.path === "/integration/v1/query/").length;

  /** Every query at the vendor is in the stack's state or in its abandoned list. */
  async function nothingUnknown(): Promise<void> {
    const o = await outputs();
    const known = new Set([...o.ids, ...(o.abandoned ?? []).map((x) => x.id)]);
    expect(vendorIds().filter((id) => !known.has(id)), "queries at Alation the stack does not know about").to.deep.equal([]);
  }

  before(async () => {
    a = await startAlation();
    admin = await a.token();
    fs.mkdirSync(path.join(REPO, ".pulumi-work"), { recursive: true });
    dir = fs.mkdtempSync(path.join(REPO, ".pulumi-work", "alation-"));
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-alation-state-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: pw-alation\nruntime: nodejs\nmain: index.js\n");
    fs.writeFileSync(path.join(dir, "index.js"), PROGRAM);
    write(base());
    env = { ...process.env, ...offlineEnv(stateDir), PATH: `${pulumiBin()}:${process.env.PATH}`, PULUMI_HOME: path.join(stateDir, ".home") };
    await pulumi(["stack", "init", "test", "--non-interactive"]);
    await pulumi(["config", "set", "warehouse:alationEndpoint", a.url]);
    await pulumi(["config", "set", "--secret", "warehouse:alationRefreshToken", a.settings.refreshToken]);
    await pulumi(["config", "set", "warehouse:alationUserId", a.settings.userId]);
  });

  after(async () => {
    for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
      try {
        if (fs.readlinkSync(`/proc/${pid}/cwd`).startsWith(dir)) process.kill(Number(pid), "SIGKILL");
      } catch {
        // gone, or not ours
      }
    }
    await a?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it("creates the queries; a second up changes nothing", async () => {
    const up = await pulumi(["up", "--yes", "--non-interactive"]);
    expect(up.stdout, up.stdout).to.match(/\+ 4 created/);
    const o = await outputs();
    expect(o.ids).to.have.length(2);
    expect(vendorIds()).to.deep.equal([...o.ids].sort((x, y) => x - y));
    const revenue = a.emu.state.queries[String(o.ids[1])];
    expect(revenue.content.split(";\n")).to.have.length(2);
    expect(o.abandoned).to.deep.equal([]);
    const posts = queryPosts();
    const again = await pulumi(["up", "--yes", "--non-interactive"]);
    expect(again.stdout).to.match(/4 unchanged/);
    await pulumi(["preview", "--expect-no-changes", "--non-interactive"]);
    expect(queryPosts()).to.equal(posts);
  });

  it("a query run through the emulator's admin endpoint is read back with getQueryResult", async () => {
    const { ids } = await outputs();
    const r = await a.call("POST", `/_alation/query/${ids[1]}/execute`);
    expect(r.body.errors).to.deep.equal([null, null]);
    const restoreEnv = setEnv(settingsToEnv("alation", a.settings));
    try {
      const res = await lookups.getQueryResult({ queryId: ids[1] });
      expect(res.columns).to.deep.equal(["user_id", "revenue"]);
      expect(res.rows).to.deep.equal([
        { user_id: "1", revenue: "120.50" },
        { user_id: "2", revenue: "75.00" },
        { user_id: "3", revenue: "310.00" },
        { user_id: "5", revenue: "88.80" },
      ]);
      expect(res.executionEvent.execution_error).to.equal(null);
      expect((await lookups.getExecutionEvents({ queryId: ids[1] })).map((e) => e.index_in_batch)).to.deep.equal([0, 1]);
    } finally {
      restoreEnv();
    }
  });

  it("shows a title edited in the UI on refresh; putting it back is refused at preview", async () => {
    const { ids } = await outputs();
    await a.call("PATCH", `/_alation/query/${ids[0]}`, { json: { title: "Users per country (UI)", autosave_content: "SELECT 'unsaved'" } });
    const refresh = await pulumi(["refresh", "--yes", "--non-interactive", "--diff"]);
    expect(refresh.stdout).to.include("Users per country (UI)");
    const state = JSON.parse((await pulumi(["stack", "export", "--show-secrets"])).stdout);
    const q = state.deployment.resources.find((r: any) => r.id === String(ids[0]));
    expect(q.outputs.title).to.equal("Users per country (UI)");
    expect(q.outputs.hasUnsavedChanges).to.equal(true);
    expect(q.outputs.unsavedContent).to.equal("SELECT 'unsaved'");
    expect(q.inputs.title, "the refreshed inputs carry the UI's title").to.equal("Users per country (UI)");
    const msg = await failing(["preview", "--non-interactive"]);
    expect(msg).to.include("Alation cannot change a query in place");
    expect(msg).to.include(`query ${ids[0]} (${a.url}/query/${ids[0]}/) would stay in Alation`);
    // The edit is undone in the UI: refresh, and the stack is in step again (no false diff from the unsaved edit).
    await a.call("PATCH", `/_alation/query/${ids[0]}`, { json: { title: "Users by country" } });
    await pulumi(["refresh", "--yes", "--non-interactive"]);
    await pulumi(["preview", "--expect-no-changes", "--non-interactive"]);
  });

  it("refuses a content change at preview without allowReplace; with it, makes a new query and lists the old one as abandoned", async () => {
    const before = await outputs();
    const changed = base();
    changed[1].args.content = "SELECT user_id, sum(amount) AS revenue FROM orders GROUP BY user_id ORDER BY user_id";
    write(changed);
    const posts = queryPosts();
    const msg = await failing(["preview", "--non-interactive"]);
    expect(msg).to.include("content").and.include("set allowReplace: true");
    expect(msg).to.include(`query ${before.ids[1]} (${a.url}/query/${before.ids[1]}/)`);
    expect(queryPosts(), "nothing was created").to.equal(posts);
    changed[1].args.allowReplace = true;
    write(changed);
    const up = await pulumi(["up", "--yes", "--non-interactive"]);
    expect(up.stdout).to.match(/\+-1 replaced|1 replaced/);
    const after = await outputs();
    expect(after.ids[0]).to.equal(before.ids[0]);
    expect(after.ids[1]).to.not.equal(before.ids[1]);
    expect(a.emu.state.queries[String(before.ids[1])], "the old query is still in Alation").to.not.equal(undefined);
    expect(after.abandoned).to.have.length(1);
    expect(after.abandoned[0]).to.include({ id: before.ids[1], url: `${a.url}/query/${before.ids[1]}/`, title: "Shipped revenue" });
    await nothingUnknown();
  });

  it("refuses bad input at preview before any query request", async () => {
    const bad = [...desired, { name: "broken", args: { datasourceId: 1, title: "Broken", content: "SELECT 'unterminated", tags: ["x", "x"] } }];
    write(bad);
    const before = a.requests().length;
    const msg = await failing(["preview", "--non-interactive"]);
    expect(msg).to.include("alation.Query content").and.include("alation.Query tags");
    const sent = a.requests().slice(before).filter((r) => r.path.startsWith("/integration/v1/query/"));
    expect(sent, "requests about queries").to.deep.equal([]);
    write(desired.slice(0, 2));
  });

  it("keeps no token in the state", async () => {
    const text = backendText();
    expect(text).to.not.include(a.settings.refreshToken);
    expect(text).to.not.include(admin);
    const minted = new Set(Object.keys(a.emu.state.accessTokens));
    expect(minted.size).to.be.greaterThan(0);
    const leaked = [...new Set(text.match(/[A-Za-z0-9_-]{32}/g) ?? [])].filter((t) => minted.has(createHash("sha256").update(t).digest("hex")));
    expect(leaked, "access tokens minted by the provider found in the state").to.deep.equal([]);
  });

  it("an up killed with -9 mid-create is followed by an up that adopts instead of duplicating", async () => {
    const more = [...desired];
    for (let i = 0; i < 4; i++) more.push({ name: `extra-${i}`, args: { datasourceId: 2, title: `Extra ${i}`, content: `SELECT ${i} AS n` } });
    write(more);
    a.faults({ latencyMs: 500 });
    const log = path.join(stateDir, "up.log");
    const child: ChildProcess = spawn(path.join(pulumiBin(), "pulumi"), ["up", "--yes", "--non-interactive", "--skip-preview", "--parallel", "4"], {
      cwd: dir,
      env,
      detached: true,
      stdio: ["ignore", fs.openSync(log, "w"), fs.openSync(log, "a")],
    });
    const posts = queryPosts();
    const started = Date.now();
    while (queryPosts() - posts < 2 && child.exitCode === null && Date.now() - started < 120_000) await new Promise((r) => setTimeout(r, 50));
    expect(queryPosts() - posts, fs.readFileSync(log, "utf8")).to.be.at.least(2);
    process.kill(-child.pid!, "SIGKILL");
    await new Promise((r) => child.once("exit", r));
    // The backend keeps no `.attrs` sidecar that a kill can leave empty (fileBackendUrl).
    const sidecars = fs.readdirSync(stateDir, { recursive: true }).map(String).filter((f) => f.endsWith(".attrs"));
    expect(sidecars, "sidecar files in the file backend").to.deep.equal([]);
    a.faults({});
    await new Promise((r) => setTimeout(r, 1500)); // requests in flight land
    await pulumi(["cancel", "--yes", "--non-interactive"]).catch(() => undefined);
    const madeBefore = vendorIds().length;
    await pulumi(["up", "--yes", "--non-interactive"]);
    const o = await outputs();
    expect(o.ids).to.have.length(6);
    const extras = Object.values(a.emu.state.queries).filter((q) => q.title.startsWith("Extra "));
    expect(extras.map((q) => q.title).sort(), "one query per title: nothing duplicated").to.deep.equal(["Extra 0", "Extra 1", "Extra 2", "Extra 3"]);
    expect(vendorIds().length - madeBefore).to.be.at.most(4);
    await nothingUnknown();
    await pulumi(["preview", "--expect-no-changes", "--non-interactive"]);
  });

  it("removing queries from the program lists them as abandoned; they are still in Alation", async () => {
    const before = await outputs();
    write(desired.slice(0, 2));
    const up = await pulumi(["up", "--yes", "--non-interactive"]);
    expect(up.stdout + up.stderr).to.match(/still exists in Alation/);
    const o = await outputs();
    expect(o.ids).to.deep.equal(before.ids.slice(0, 2));
    expect(o.abandoned.map((x) => x.id).sort((x, y) => x - y)).to.deep.equal([before.abandoned[0].id, ...before.ids.slice(2)].sort((x, y) => x - y));
    await nothingUnknown();
  });
});
