/** Refresh reads answered from one listing (provider/framework/batch-read.ts), and the engine's use of it. */
import { expect } from "chai";
import { z } from "zod";
import { BatchReader } from "../../provider/framework/batch-read";
import { buildHandlers } from "../../provider/framework/engine";
import { defineResource } from "../../provider/framework/spec";
import { WarehouseApiError } from "../../provider/http/errors";

const OPTIONS = { threshold: 4, windowMs: 1_000, ttlMs: 10_000 };

describe("batch reads", () => {
  let clock: number;
  let listings: number;
  let items: Map<string, string>;
  let fail: boolean;
  let reader: BatchReader<string>;
  beforeEach(() => {
    clock = 0;
    listings = 0;
    fail = false;
    items = new Map([["a", "A"], ["b", "B"], ["c", "C"], ["d", "D"], ["e", "E"]]);
    reader = new BatchReader(
      async () => {
        listings++;
        if (fail) throw new Error("list failed");
        return new Map(items);
      },
      OPTIONS,
      () => clock,
    );
  });

  it("reads alone until a burst of reads, then answers from one listing", async () => {
    const got = await Promise.all(["a", "b", "c", "d", "e"].map((id) => reader.lookup(id)));
    expect(got).to.deep.equal([undefined, undefined, undefined, "D", "E"]);
    expect(listings).to.equal(1);
  });

  it("reads spread out in time never list", async () => {
    for (const id of ["a", "b", "c", "d", "e"]) {
      expect(await reader.lookup(id)).to.equal(undefined);
      clock += 1_500;
    }
    expect(listings).to.equal(0);
  });

  it("an object the listing lacks is left to its own read", async () => {
    await Promise.all(["a", "b", "c", "d"].map((id) => reader.lookup(id)));
    expect(await reader.lookup("gone")).to.equal(undefined);
    expect(listings).to.equal(1);
  });

  it("a write discards the listing, and one under way while it was listed", async () => {
    await Promise.all(["a", "b", "c", "d"].map((id) => reader.lookup(id)));
    reader.wrote();
    items.set("a", "A2");
    expect(await reader.lookup("a")).to.equal("A2");
    expect(listings).to.equal(2);
    const pending = reader.lookup("b"); // same burst: served by the current listing
    reader.wrote();
    expect(await pending).to.equal(undefined); // the listing predates the write: read it alone
  });

  it("a listing expires after ttlMs", async () => {
    await Promise.all(["a", "b", "c", "d"].map((id) => reader.lookup(id)));
    clock += 10_001;
    expect(await reader.lookup("a")).to.equal(undefined); // a new window: below the threshold again
    expect(listings).to.equal(1);
  });

  it("a failed listing sends every read back to its own read, and is tried again later", async () => {
    fail = true;
    const got = await Promise.all(["a", "b", "c", "d", "e"].map((id) => reader.lookup(id)));
    expect(got).to.deep.equal([undefined, undefined, undefined, undefined, undefined]);
    fail = false;
    expect(await reader.lookup("a")).to.equal("A");
    expect(listings).to.equal(2);
  });

  describe("in the engine's read", () => {
    interface Widget {
      name: string;
      color: string;
    }
    const calls: string[] = [];
    const live = new Map<string, Widget>();
    const widget = defineResource({
      vendor: "bytehouse",
      kind: "Widget",
      description: "test kind",
      inputs: z.object({ name: z.string(), color: z.string() }),
      replaceOn: ["name"],
      uniqueBy: "name",
      outputs: {},
      async create(_ctx, inputs) {
        live.set(inputs.name, { ...inputs });
        return { id: inputs.name, raw: { ...inputs } };
      },
      async read(_api, id) {
        calls.push(`read ${id}`);
        return live.get(id) && { ...live.get(id)! };
      },
      async readAll() {
        calls.push("list");
        return new Map([...live].map(([k, v]) => [k, { ...v }]));
      },
      observe: (raw: Widget) => raw,
      async update(_ctx, id, _o, news) {
        live.set(id, { ...news });
        return { ...news };
      },
      async delete(_api, id) {
        if (!live.delete(id)) throw new WarehouseApiError("not_found", "Fake DELETE", "gone");
      },
    });

    it("40 reads at once: one listing, the same answers as reading each, and a missing object confirmed by its own read", async () => {
      const h = buildHandlers(widget, () => ({}));
      const made = await Promise.all(Array.from({ length: 40 }, (_, i) => h.create({ name: `w${i}`, color: "red" })));
      live.get("w7")!.color = "blue"; // changed by hand
      live.delete("w9"); // deleted by hand
      calls.length = 0;
      const reads = await Promise.all(made.map((m) => h.read(m.id, m.outs)));
      expect(calls.filter((c) => c === "list")).to.have.length(1);
      expect(calls.filter((c) => c.startsWith("read")).length).to.be.lessThan(40 / 2);
      expect(calls).to.include("read w9"); // not in the listing: read alone before it leaves state
      expect(reads[9]).to.deep.equal({});
      expect(reads[7].props!.color).to.equal("blue");
      // the same as one read each
      const alone = buildHandlers(widget, () => ({}));
      for (const i of [0, 7, 39]) expect(reads[i]).to.deep.equal(await alone.read(made[i].id, made[i].outs));
    });

    it("a write through the provider discards the listing: the next read sees it", async () => {
      const h = buildHandlers(widget, () => ({}));
      const made = await Promise.all(Array.from({ length: 20 }, (_, i) => h.create({ name: `v${i}`, color: "red" })));
      await Promise.all(made.map((m) => h.read(m.id, m.outs)));
      await h.update("v3", made[3].outs, { name: "v3", color: "green" });
      expect((await h.read("v3", made[3].outs)).props!.color).to.equal("green");
    });
  });
});
