/** The engine's small tools: id codec, poll helper, creates journal, one-line messages. */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { idCodec } from "../../provider/framework/ids";
import { poll, PollTimeoutError } from "../../provider/framework/poll";
import { FORGET_DELAY_MS, fileJournal } from "../../provider/framework/journal";
import { oneLine, show } from "../../provider/framework/values";

describe("framework tools", () => {
  it("id codec: plain names read as themselves; any character round-trips; a wrong shape fails", () => {
    const id = idCodec("database", "name");
    expect(id.encode({ database: "sales", name: "orders" })).to.equal("sales.orders");
    const odd = { database: "a.b%c", name: "x.y" };
    expect(id.decode(id.encode(odd))).to.deep.equal(odd);
    expect(() => id.decode("only")).to.throw('"only" is not an id of the form database.name');
    expect(() => id.encode({ database: "", name: "x" })).to.throw("database is empty");
  });

  it("poll: returns the final state, reports changes, times out naming what it waited for", async () => {
    let n = 0;
    const lines: string[] = [];
    let clock = 0;
    const common = { sleep: async (ms: number) => void (clock += ms), now: () => clock, progress: (l: string) => lines.push(l) };
    const done = await poll({ what: "job 7", check: async () => ++n, until: (x) => x >= 3, describe: (x) => `step ${x}`, timeoutMs: 60_000, ...common });
    expect(done).to.equal(3);
    expect(lines).to.deep.equal(["job 7: step 1 (0 s)", "job 7: step 2 (0 s)"]);
    const e = await poll({ what: "task t", check: async () => "pending", until: () => false, describe: (x) => x, timeoutMs: 5_000, ...common }).catch((x) => x);
    expect(e).to.be.instanceOf(PollTimeoutError);
    expect(e.message).to.contain("task t did not finish within 5 s (last seen: pending)").and.contain("timeoutSeconds");
  });

  it("journal: owns what it intended until forgotten; scopes do not mix", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-journal-"));
    const a = fileJournal("bytehouse endpoint=http://a", dir);
    const b = fileJournal("bytehouse endpoint=http://b", dir);
    expect(a.owns("t", "etl")).to.equal(false);
    a.intend("t", "etl");
    expect(a.owns("t", "etl")).to.equal(true);
    expect(fileJournal("bytehouse endpoint=http://a", dir).owns("t", "etl"), "survives a new process").to.equal(true);
    expect(b.owns("t", "etl")).to.equal(false);
    a.forget("t", "etl");
    expect(a.owns("t", "etl")).to.equal(false);
    await new Promise((r) => setTimeout(r, 3 * FORGET_DELAY_MS));
    expect(fileJournal("bytehouse endpoint=http://a", dir).owns("t", "etl"), "the forget was written").to.equal(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("journal: a create's line is written at once; forgets leave together, before any later create's line", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-journal-"));
    const scope = "bytehouse endpoint=http://c";
    const a = fileJournal(scope, dir);
    const nodeFs = require("node:fs") as { appendFileSync: (...args: unknown[]) => void }; // eslint-disable-line @typescript-eslint/no-require-imports
    const original = nodeFs.appendFileSync;
    let writes = 0;
    nodeFs.appendFileSync = (...args: unknown[]) => {
      writes++;
      original(...args);
    };
    try {
      for (let i = 0; i < 50; i++) a.intend("t", `k${i}`);
      expect(writes, "one write per create, before it is sent").to.equal(50);
      for (let i = 0; i < 50; i++) a.forget("t", `k${i}`);
      expect(writes, "forgets wait").to.equal(50);
      await new Promise((r) => setTimeout(r, 3 * FORGET_DELAY_MS));
      expect(writes, "and leave in one write").to.equal(51);
      expect(fileJournal(scope, dir).owns("t", "k49")).to.equal(false);
      a.intend("t", "k1");
      a.forget("t", "k2"); // pending…
      a.forget("t", "k3");
      a.intend("t", "k3"); // …written before this create's line: k3 is owned again
      expect(writes).to.equal(53);
    } finally {
      nodeFs.appendFileSync = original;
    }
    const next = fileJournal(scope, dir);
    expect(next.owns("t", "k1")).to.equal(true);
    expect(next.owns("t", "k3")).to.equal(true);
    expect(next.owns("t", "k0")).to.equal(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("journal: pending forgets are written when the process is stopped with SIGINT, which still ends it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-journal-"));
    const script = `
      const { fileJournal } = require(${JSON.stringify(require.resolve("../../provider/framework/journal"))});
      const j = fileJournal("s", ${JSON.stringify(dir)});
      j.intend("t", "a"); j.intend("t", "b"); j.forget("t", "a");
      setInterval(() => {}, 1000); // alive until stopped, as a provider host is
      process.kill(process.pid, "SIGINT");`;
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 20_000 });
    expect(r.signal, r.stderr).to.equal("SIGINT");
    const j = fileJournal("s", dir);
    expect(j.owns("t", "a")).to.equal(false);
    expect(j.owns("t", "b")).to.equal(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("messages: one line, secrets redacted in every encoding, long values cut, NaN named", () => {
    const secret = "s3cr\"et/value";
    const msg = oneLine(`bad ${secret}\n and ${JSON.stringify(secret)} and ${encodeURIComponent(secret)}`, [secret]);
    expect(msg).to.not.contain("s3cr").and.not.contain("\n");
    expect(show(NaN)).to.equal("NaN");
    expect(show("x".repeat(10_000)).length).to.be.lessThan(400);
  });
});
