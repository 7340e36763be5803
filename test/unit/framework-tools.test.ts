/** The engine's small tools: id codec, poll helper, creates journal, one-line messages. */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { idCodec } from "../../provider/framework/ids";
import { poll, PollTimeoutError } from "../../provider/framework/poll";
import { fileJournal } from "../../provider/framework/journal";
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

  it("journal: owns what it intended until forgotten; scopes do not mix", () => {
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
