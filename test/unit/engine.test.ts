/** The framework's operations on a fake in-memory API: pure logic, no HTTP. */
import { expect } from "chai";
import { z } from "zod";
import { buildHandlers, UNKNOWN, observedOf } from "../../provider/framework/engine";
import { defineResource } from "../../provider/framework/spec";
import { WarehouseApiError } from "../../provider/http/errors";
import { virtualWarehouse } from "../../provider/bytehouse/virtualWarehouse";
import { database } from "../../provider/bytehouse/database";

interface Thing {
  name: string;
  size: string;
  color: string;
  serial: number;
}

class FakeApi {
  things = new Map<string, Thing>();
  calls: string[] = [];
  failCreate?: "ambiguous-applied" | "ambiguous-not-applied" | "after-create";
  serial = 0;
}

const thing = defineResource({
  vendor: "bytehouse",
  kind: "Thing",
  description: "test kind",
  inputs: z.object({
    name: z.string().regex(/^[a-z]+$/, "must be lower-case letters"),
    size: z.enum(["s", "m"]).default("s"),
    color: z.string().default("red"),
    secretish: z.string().optional(),
  }),
  replaceOn: ["name", "size"],
  uniqueBy: "name",
  secretInputs: ["secretish"],
  normalize: { color: (v) => String(v).toLowerCase() },
  outputs: { serial: "server id" },
  async create(ctx, inputs) {
    const api = ctx.api as FakeApi;
    api.calls.push("create");
    if (api.failCreate === "ambiguous-not-applied") {
      api.failCreate = undefined;
      throw new WarehouseApiError("ambiguous", "Fake POST /things", "socket hang up");
    }
    const t = { name: inputs.name, size: inputs.size, color: inputs.color.toUpperCase(), serial: ++api.serial };
    api.things.set(t.name, t);
    if (api.failCreate === "ambiguous-applied") {
      api.failCreate = undefined;
      throw new WarehouseApiError("ambiguous", "Fake POST /things", "socket hang up");
    }
    ctx.created(t.name);
    if (api.failCreate === "after-create") throw new Error("read-back failed");
    return { id: t.name, raw: t };
  },
  async find(api, inputs) {
    const t = (api as FakeApi).things.get(inputs.name);
    return t && { id: t.name, raw: t };
  },
  async read(api, id) {
    return (api as FakeApi).things.get(id);
  },
  observe: (raw: Thing) => ({ name: raw.name, size: raw.size as "s" | "m", color: raw.color }),
  computed: (raw: Thing) => ({ serial: raw.serial }),
  async update(ctx, id, _olds, news, changed) {
    (ctx.api as FakeApi).calls.push(`update:${changed.join(",")}`);
    const t = (ctx.api as FakeApi).things.get(id)!;
    t.color = news.color.toUpperCase();
    return t;
  },
  async delete(api, id) {
    if (!(api as FakeApi).things.delete(id)) throw new WarehouseApiError("not_found", "Fake DELETE", "gone");
  },
});

describe("framework engine", () => {
  let api: FakeApi;
  let h: ReturnType<typeof buildHandlers>;
  beforeEach(() => {
    api = new FakeApi();
    h = buildHandlers(thing, () => api, () => undefined);
  });

  describe("check", () => {
    it("fills defaults and passes __provider through untouched by validation", async () => {
      const r = await h.check({}, { name: "abc", __provider: "code" });
      expect(r.failures).to.deep.equal([]);
      expect(r.inputs).to.deep.equal({ name: "abc", size: "s", color: "red" });
    });

    it("names the resource kind, the field and the rule", async () => {
      const r = await h.check({}, { name: "ABC", size: "xl" });
      expect(r.failures.map((f) => f.field)).to.have.members(["name", "size"]);
      const name = r.failures.find((f) => f.field === "name")!;
      expect(name.reason).to.contain("bytehouse.Thing name").and.contain("must be lower-case letters").and.contain('"ABC"');
    });

    it("never echoes a secret field's value", async () => {
      const r = await h.check({}, { name: "abc", secretish: 42 });
      expect(r.failures).to.have.length(1);
      expect(r.failures[0].reason).not.to.contain("42");
    });

    it("rejects unknown inputs (typos)", async () => {
      const r = await h.check({}, { name: "abc", colour: "blue" });
      expect(r.failures[0].field).to.equal("colour");
      expect(r.failures[0].reason).to.contain("known inputs");
    });

    it("lets values unknown during preview through", async () => {
      const r = await h.check({}, { name: UNKNOWN });
      expect(r.failures).to.deep.equal([]);
      expect(r.inputs.name).to.equal(UNKNOWN);
    });

    it("runs cross-field rules (virtual warehouse: size or configId)", async () => {
      const vw = buildHandlers(virtualWarehouse, () => undefined, () => undefined);
      const both = await vw.check({}, { name: "etl", size: "XS", configId: 1 });
      expect(both.failures[0].reason).to.contain("exactly one of size");
      const neither = await vw.check({}, { name: "etl" });
      expect(neither.failures[0].reason).to.contain("exactly one of size");
      const bad = await vw.check({}, { name: "Etl-1", size: "XS", autoSuspend: -1 });
      expect(bad.failures.map((f) => f.field)).to.have.members(["name", "autoSuspend"]);
      expect(bad.failures.find((f) => f.field === "autoSuspend")!.reason).to.contain(">= 0");
    });
  });

  describe("diff", () => {
    const olds = { name: "abc", size: "s", color: "red", serial: 1, observed: {}, __provider: "old code" };

    it("ignores __provider and outputs", async () => {
      const d = await h.diff("abc", olds, { name: "abc", size: "s", color: "red", __provider: "new code" });
      expect(d).to.deep.equal({ changes: false, replaces: [], deleteBeforeReplace: false });
    });

    it("updates in place for fields not in the replace table, after normalising", async () => {
      expect((await h.diff("abc", olds, { name: "abc", size: "s", color: "RED" })).changes).to.equal(false);
      const d = await h.diff("abc", olds, { name: "abc", size: "s", color: "blue" });
      expect(d).to.deep.equal({ changes: true, replaces: [], deleteBeforeReplace: false });
    });

    it("replaces for fields in the replace table; deletes first only when the unique name is kept", async () => {
      expect(await h.diff("abc", olds, { name: "abc", size: "m", color: "red" })).to.deep.equal({ changes: true, replaces: ["size"], deleteBeforeReplace: true });
      expect(await h.diff("abc", olds, { name: "xyz", size: "s", color: "red" })).to.deep.equal({ changes: true, replaces: ["name"], deleteBeforeReplace: false });
    });

    it("treats unknown values as changes", async () => {
      expect((await h.diff("abc", olds, { name: "abc", size: "s", color: UNKNOWN })).changes).to.equal(true);
    });

    it("the replace tables of the ByteHouse kinds", () => {
      expect(database.replaceOn).to.deep.equal(["name", "description"]);
      expect(virtualWarehouse.replaceOn).to.deep.equal(["name"]);
    });
  });

  describe("create", () => {
    it("returns the id, inputs, computed outputs and the observed server state", async () => {
      const r = await h.create({ name: "abc", size: "s", color: "red", __provider: "code" });
      expect(r.id).to.equal("abc");
      // observed keeps only what differs from the outputs beside it; observedOf restores the whole
      expect(r.outs).to.deep.equal({ name: "abc", size: "s", color: "red", serial: 1, observed: { color: "RED" } });
      expect(observedOf(r.outs)).to.deep.equal({ name: "abc", size: "s", color: "RED", serial: 1 });
    });

    it("reports a partial create (with id and __provider) when a later step fails", async () => {
      api.failCreate = "after-create";
      const err = await h.create({ name: "abc", size: "s", color: "red", __provider: "code" }).catch((e) => e);
      expect(err.message).to.equal("bytehouse.Thing abc: read-back failed");
      expect(err.id).to.equal("abc");
      expect(err.properties.__provider).to.equal("code");
    });

    it("after an ambiguous failure, adopts the object if the vendor created it (no duplicate)", async () => {
      api.failCreate = "ambiguous-applied";
      const r = await h.create({ name: "abc", size: "s", color: "red" });
      expect(r.id).to.equal("abc");
      expect(api.calls).to.deep.equal(["create"]);
      expect(api.things.size).to.equal(1);
    });

    it("after an ambiguous failure, sends the create again only once the lookup proves it absent", async () => {
      api.failCreate = "ambiguous-not-applied";
      const r = await h.create({ name: "abc", size: "s", color: "red" });
      expect(r.id).to.equal("abc");
      expect(api.calls).to.deep.equal(["create", "create"]);
    });
  });

  describe("read (refresh)", () => {
    it("keeps program values the server merely reformatted (no false drift)", async () => {
      const { outs } = await h.create({ name: "abc", size: "s", color: "red" });
      const r = await h.read("abc", { ...outs, __provider: "p" });
      expect(r.props!.color).to.equal("red");
      // nothing drifted: no new inputs, so the engine keeps the state's (the same values)
      expect(r.inputs).to.equal(undefined);
      expect((await h.diff("abc", r.props!, { name: "abc", size: "s", color: "red" })).changes).to.equal(false);
      expect(r.props!.observed).to.deep.equal({ color: "RED" });
      // …and again on the next refresh, from the stored difference
      const again = await h.read("abc", { ...r.props!, __provider: "p" });
      expect(again.props).to.deep.equal(r.props);
    });

    it("reads a state written with the whole observed snapshot (before it was stored as a difference) the same way", async () => {
      const { outs } = await h.create({ name: "abc", size: "s", color: "red" });
      const whole = { ...outs, observed: { name: "abc", size: "s", color: "RED" } };
      expect((await h.read("abc", whole)).props).to.deep.equal((await h.read("abc", outs)).props);
      api.things.get("abc")!.color = "GREEN";
      expect((await h.read("abc", whole)).props!.color).to.equal("GREEN");
    });

    it("takes the live value when it changed out of band, so diff shows the drift", async () => {
      const { outs } = await h.create({ name: "abc", size: "s", color: "red" });
      api.things.get("abc")!.color = "GREEN";
      const r = await h.read("abc", { ...outs, __provider: "p" });
      expect(r.props!.color).to.equal("GREEN");
      expect(r.inputs).to.deep.equal({ name: "abc", size: "s", color: "GREEN" });
      const d = await h.diff("abc", r.props!, { name: "abc", size: "s", color: "red" });
      expect(d).to.deep.equal({ changes: true, replaces: [], deleteBeforeReplace: false });
    });

    it("returns no id when the object was deleted out of band", async () => {
      const { outs } = await h.create({ name: "abc", size: "s", color: "red" });
      api.things.clear();
      expect(await h.read("abc", outs)).to.deep.equal({});
    });
  });

  describe("update and delete", () => {
    it("passes only the changed in-place fields", async () => {
      const { outs } = await h.create({ name: "abc", size: "s", color: "red" });
      const r = await h.update("abc", outs, { name: "abc", size: "s", color: "blue" });
      expect(api.calls).to.deep.equal(["create", "update:color"]);
      expect(r.outs.color).to.equal("blue");
      expect(r.outs.observed).to.deep.equal({ color: "BLUE" });
    });

    it("treats not-found on delete as already deleted", async () => {
      await h.delete("nothing", { name: "nothing" });
    });
  });
});
