/**
 * Conformance, adoption (`adopt: true`, provided by the framework for every kind of every vendor):
 * for each kind with samples, against its emulator over real HTTP —
 *   - an existing object (made through the vendor's API, not by this resource) is adopted: same id,
 *     nothing created, no drift afterwards;
 *   - adopting with a field that differs from the live object brings it to the declared value
 *     with an in-place update (announced as such), never a replacement;
 *   - without `adopt`, creating an object whose name is taken fails, saying `adopt: true`;
 *   - adopting something that does not exist fails at check (preview), naming `adopt`;
 *   - a kind the framework cannot look up by name says so at check instead of creating.
 */
import { expect } from "chai";
import { buildHandlers } from "../../provider/framework/engine";
import { vendors } from "../../provider/registry";
import { finderOf, type ResourceSpec, type Samples } from "../../provider/framework/spec";
import { deepEqual } from "../../provider/framework/equal";
import { failsWith, Harness, startHarness } from "./harness";

type Props = Record<string, any>;

for (const vendor of vendors()) {
  describe(`conformance: ${vendor.name} adoption`, function () {
    this.timeout(120_000);
    let harness: Harness;
    let api: unknown;

    before(async () => {
      harness = await startHarness(vendor.name);
      api = harness.api;
    });
    after(async () => harness?.stop());

    for (const spec of vendor.specs as ResourceSpec<any, any, any>[]) {
      const samples = spec.samples as Samples<Props, unknown> | undefined;
      if (!samples) continue;
      const find = finderOf(spec);
      describe(`${vendor.name}.${spec.kind} adoption`, () => {
        const progress: string[] = [];
        const h = buildHandlers(spec, () => api, (m) => progress.push(m));
        let existing: { id: string; outs: Props } | undefined;
        let declared: Props;

        before(async () => {
          await samples.setup?.(api);
        });
        after(async () => {
          harness.faults({});
          if (existing) await h.delete(existing.id, existing.outs).catch(() => undefined);
        });

        if (!find) {
          it("cannot be looked up by name: adopt fails at check, saying so", async () => {
            const c = await h.check({}, { ...samples.valid, adopt: true });
            expect(c.failures.map((f) => f.reason).join("\n")).to.match(/cannot be adopted/);
          });
          return;
        }

        it("adopts an object that exists at the vendor: same id, nothing created, no drift", async () => {
          // The object is made through the vendor's API by another resource (as by hand).
          const made = await h.check({}, samples.valid);
          expect(made.failures).to.deep.equal([]);
          existing = await h.create(made.inputs);
          const c = await h.check({}, { ...samples.valid, adopt: true });
          expect(c.failures, "check of an adopt of an existing object").to.deep.equal([]);
          declared = c.inputs;
          const before = harness.requests().length;
          const adopted = await h.create(declared);
          expect(adopted.id).to.equal(existing.id);
          const sent = harness.requests().slice(before);
          const req = samples.createRequest;
          if (req?.path || vendor.name === "bytehouse") {
            const creates = sent.filter((r) => r.method === (req?.method ?? "POST") && (!req?.path || new RegExp(req.path).test(r.path)));
            expect(creates, "create requests sent by an adoption").to.deep.equal([]);
          }
          if (samples.readsBack !== false) {
            const r = await h.read(adopted.id, adopted.outs);
            expect(r.id).to.equal(adopted.id);
            const d = await h.diff(adopted.id, r.props!, declared);
            expect(d.changes, "an adopted object equal to the declaration shows changes").to.equal(false);
          }
        });

        if (samples.update) {
          it("adopting with a field that differs applies it as an in-place update, never a replacement", async function () {
            const c = await h.check({}, { ...samples.valid, ...samples.update, adopt: true });
            // A sample whose in-place change is a rename names another object: nothing to adopt (the next case's rule).
            if (c.failures.some((f) => /no such object to adopt/.test(f.reason))) this.skip();
            expect(c.failures).to.deep.equal([]);
            progress.length = 0;
            const adopted = await h.create(c.inputs);
            expect(adopted.id, "the same object, not a new one").to.equal(existing!.id);
            const changed = Object.keys(samples.update!).filter((k) => !deepEqual(c.inputs[k], declared[k]));
            // Only what the vendor shows can differ from the live object (a trigger such as an API key's `regenerate` cannot).
            const shown = Object.keys(spec.observe((await find(api, c.inputs))!.raw) as Props);
            const differing = changed.filter((k) => shown.includes(k));
            if (differing.length > 0) expect(progress.join("\n"), "adoption announces the update").to.match(new RegExp(`adopting .*updating .*${differing[0]}`));
            if (samples.readsBack !== false) {
              const live = await find(api, c.inputs);
              expect(live?.id).to.equal(existing!.id);
              const observed = spec.observe(live!.raw) as Props;
              const norm = (k: string, v: unknown) => ((spec.normalize as Props | undefined)?.[k] && v != null ? (spec.normalize as Props)[k](v) : v);
              for (const k of changed.filter((k) => k in observed)) expect(norm(k, observed[k]), `${k} after adoption`).to.deep.equal(norm(k, c.inputs[k]));
            }
            existing = { id: adopted.id, outs: adopted.outs };
            declared = c.inputs;
          });
        }

        if (samples.createOnly) {
          // A create-only kind (Alation's queries: no update, no delete at the vendor) is
          // idempotent by design: declaring the identical object again takes it over instead of
          // making a duplicate, and what it cannot take over is refused naming adopt.
          it("create-only: declaring the identical object again takes it over, never a duplicate", async () => {
            const before = harness.requests().length;
            const again = await h.create({ ...declared, adopt: undefined });
            expect(again.id).to.equal(existing!.id);
            const posts = harness.requests().slice(before).filter((r) => r.method === "POST" && (!samples.createRequest?.path || new RegExp(samples.createRequest.path).test(r.path)));
            expect(posts, "create requests").to.deep.equal([]);
          });
          it("create-only: adopting an object that does not exist fails at check (preview), naming adopt", async () => {
            const c = await h.check({}, { ...samples.valid, ...samples.createOnly!.fresh, adopt: true });
            expect(c.failures.filter((f) => (f as { field?: string }).field === "adopt").map((f) => f.reason).join("\n"), JSON.stringify(c.failures)).to.match(/no such object to adopt/);
          });
          return;
        }

        it("without adopt, creating an object whose name is taken fails and names adopt: true", async () => {
          const e = await failsWith(h.create(declared ? { ...declared, adopt: undefined } : samples.valid));
          expect(e.message).to.contain("adopt: true");
        });

        it("adopting an object that does not exist fails at check (preview), naming adopt", async () => {
          await h.delete(existing!.id, existing!.outs);
          existing = undefined;
          const c = await h.check({}, { ...samples.valid, adopt: true });
          const adoptFailures = c.failures.filter((f) => (f as { field?: string }).field === "adopt");
          expect(adoptFailures.map((f) => f.reason).join("\n"), JSON.stringify(c.failures)).to.match(/no such object to adopt/);
          expect(await find(api, c.inputs)).to.equal(undefined);
        });
      });
    }
  });
}
