/**
 * A vendor is a folder: a fake vendor with one kind, registered in one call (what the one line in
 * provider/vendors.ts does for a real one), is served by the runtime, resolves its settings, shows
 * in the reference docs and gets an SDK class — with no other file naming it.
 */
import { expect } from "chai";
import { z } from "zod";
import { defineVendor } from "../../provider/framework/vendor";
import { resourceDefiner } from "../../provider/framework/spec";
import { allSettings, allSpecs, registerVendor, resolveSettings, vendorNamed } from "../../provider/registry";
import { configure, handlersFor } from "../../provider/framework/runtime";
import { renderReference, renderSettings } from "../../provider/framework/reference";
import { resourceClass } from "../../sdk/framework";
import { VENDORS } from "../../provider/vendors";

class WidgetApi {
  constructor(readonly endpoint: string) {}
  widgets = new Map<string, { name: string; size: number }>();
}

const defineFake = resourceDefiner<WidgetApi>("fakevendor");

const widget = defineFake({
  kind: "Widget",
  description: "A widget of the fake vendor.",
  inputs: z.object({ name: z.string().regex(/^[a-z]+$/, "must be lower-case letters"), size: z.number().int().default(1) }),
  replaceOn: ["name"],
  uniqueBy: "name",
  outputs: {},
  async create(ctx, inputs) {
    ctx.api.widgets.set(inputs.name, { ...inputs });
    return { id: inputs.name };
  },
  async find(api, inputs) {
    const w = api.widgets.get(inputs.name);
    return w && { id: w.name, raw: w };
  },
  read: async (api, id) => api.widgets.get(id),
  observe: (raw: { name: string; size: number }) => raw,
  async update(ctx, id, _o, news) {
    ctx.api.widgets.set(id, { name: id, size: news.size });
  },
  async delete(api, id) {
    api.widgets.delete(id);
  },
});

let shared: WidgetApi | undefined;
const fake = defineVendor({
  name: "fakevendor",
  title: "Fake Vendor",
  settings: {
    endpoint: { config: "warehouse:fakevendorEndpoint", env: "FAKEVENDOR_ENDPOINT", required: true, secret: false, doc: "Where the fake vendor is." },
  },
  createApi: (s) => (shared ??= new WidgetApi(s.endpoint)),
  specs: [widget],
});

describe("registering a vendor", () => {
  before(() => registerVendor(fake));

  it("the one list names every built-in vendor, and each loads from its folder", () => {
    for (const name of VENDORS) expect(vendorNamed(name).name).to.equal(name);
  });

  it("the runtime serves the new vendor's kind by its token, with settings from config", async () => {
    configure({ get: (k) => (k === "warehouse:fakevendorEndpoint" ? "http://fake" : undefined) });
    const h = handlersFor("pulumi-nodejs:dynamic/fakevendor:Widget");
    const c = await h.check({}, { name: "gear" });
    expect(c.failures).to.deep.equal([]);
    const made = await h.create(c.inputs);
    expect(made).to.deep.include({ id: "gear" });
    expect(made.outs).to.include({ name: "gear", size: 1 });
    expect(shared!.endpoint).to.equal("http://fake");
    const r = await h.read("gear", made.outs);
    expect(r.id).to.equal("gear");
    const bad = await h.check({}, { name: "Gear" });
    expect(bad.failures[0].reason).to.contain("fakevendor.Widget name: must be lower-case letters");
  });

  it("its settings resolve and are documented; a missing one is named", () => {
    expect(allSettings().fakevendor.endpoint.config).to.equal("warehouse:fakevendorEndpoint");
    expect(() => resolveSettings("fakevendor", undefined, {})).to.throw("warehouse:fakevendorEndpoint or $FAKEVENDOR_ENDPOINT");
    expect(renderSettings(allSettings())).to.contain("`warehouse:fakevendorEndpoint`");
  });

  it("its kind is in the reference docs and gets an SDK class", () => {
    expect(allSpecs().map((s) => `${s.vendor}.${s.kind}`)).to.include("fakevendor.Widget");
    expect(renderReference([widget])).to.contain("### fakevendor.Widget").and.contain("`adopt`").and.contain("`observed`");
    expect(resourceClass(widget).__pulumiType).to.equal("pulumi-nodejs:dynamic/fakevendor:Widget");
  });
});
