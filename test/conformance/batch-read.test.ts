/**
 * Conformance, batch reads: for each kind whose spec lists whole objects (`readAll`), against its
 * emulator over real HTTP — the listing has the object a create made, in the shape `read` gives
 * (what drift is judged on is the same either way), and no longer has it once deleted; and a
 * burst of reads through the engine answers exactly what reading each alone does.
 */
import { expect } from "chai";
import { buildHandlers } from "../../provider/framework/engine";
import { vendors } from "../../provider/registry";
import type { ResourceSpec, Samples } from "../../provider/framework/spec";
import { Harness, startHarness } from "./harness";

type Props = Record<string, any>;

for (const vendor of vendors()) {
  const listed = (vendor.specs as ResourceSpec<any, any, any>[]).filter((s) => s.readAll && s.samples);
  if (listed.length === 0) continue;
  describe(`conformance: ${vendor.name} batch reads`, function () {
    this.timeout(120_000);
    let harness: Harness;
    let api: unknown;
    before(async () => {
      harness = await startHarness(vendor.name);
      api = harness.api;
    });
    after(async () => harness?.stop());

    for (const spec of listed) {
      const samples = spec.samples as Samples<Props, unknown>;
      it(`${vendor.name}.${spec.kind}: the listing holds what read holds; a burst of reads answers as reads one by one do`, async () => {
        await samples.setup?.(api);
        const h = buildHandlers(spec, () => api, () => undefined);
        const c = await h.check({}, samples.valid);
        expect(c.failures).to.deep.equal([]);
        const made = await h.create(c.inputs);
        try {
          const one = await spec.read(api, made.id, c.inputs);
          const all = await spec.readAll!(api);
          expect(all.has(made.id), `${made.id} in the listing`).to.equal(true);
          expect(spec.observe(all.get(made.id)), "observed from the listing").to.deep.equal(spec.observe(one));
          expect(spec.computed?.(all.get(made.id)) ?? {}, "computed from the listing").to.deep.equal(spec.computed?.(one) ?? {});
          const alone = await buildHandlers(spec, () => api, () => undefined).read(made.id, made.outs);
          const before = harness.requests().length;
          const burst = await Promise.all(Array.from({ length: 24 }, () => h.read(made.id, made.outs)));
          for (const r of burst) expect(r).to.deep.equal(alone);
          expect(harness.requests().length - before, "requests for 24 reads of one object").to.be.lessThan(24);
        } finally {
          await h.delete(made.id, made.outs);
        }
        expect((await spec.readAll!(api)).has(made.id), "a deleted object left the listing").to.equal(false);
      });
    }
  });
}
