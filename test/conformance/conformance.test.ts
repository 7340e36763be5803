/**
 * The conformance suite: every kind of every registered vendor, run through the same rules
 * against its emulator over real HTTP, with the samples its spec declares (spec.samples).
 * A kind added later is tested by adding its samples. The rules (after Databricks' qa/ corner
 * cases):
 *   - check rejects each bad input naming the field, with no request reaching the vendor;
 *   - create, then refresh shows no drift;
 *   - an in-place change is an update (no replacement), a replacing change is a replacement;
 *   - a change made by hand is seen on refresh;
 *   - a refresh meeting 5xx/429, an authentication error or a wrong base path fails — the
 *     resource never disappears from state; only a confirmed "not found" removes it;
 *   - a create whose connection drops after the vendor applied it leaves exactly one object;
 *   - delete, then read returns nothing; delete twice succeeds.
 */
import { expect } from "chai";
import { buildHandlers, Handlers } from "../../provider/framework/engine";
import { vendors } from "../../provider/registry";
import { finderOf, type ResourceSpec, type Samples } from "../../provider/framework/spec";
import type { VendorDefinition } from "../../provider/framework/vendor";
import { failsWith, Harness, startHarness } from "./harness";

type Props = Record<string, any>;

function merged(valid: Props, change: Props = {}, unset: string[] = []): Props {
  const out: Props = { ...valid, ...change };
  for (const k of unset) delete out[k];
  return out;
}

for (const vendor of vendors()) {
  describe(`conformance: ${vendor.name}`, function () {
    this.timeout(120_000);
    let harness: Harness;
    let api: unknown;
    const progress: string[] = [];

    before(async () => {
      harness = await startHarness(vendor.name);
      api = harness.api;
    });
    after(async () => harness?.stop());

    for (const spec of vendor.specs as ResourceSpec<any, any, any>[]) {
      const samples = spec.samples as Samples<Props, unknown> | undefined;
      describe(`${vendor.name}.${spec.kind}`, () => {
        it("declares conformance samples", () => {
          expect(samples, `${vendor.name}.${spec.kind} has no samples: add them to its spec`).to.not.equal(undefined);
        });
        if (!samples) return;

        let h: Handlers;
        let inputs: Props;
        let created: { id: string; outs: Props } | undefined;
        const readsBack = samples.readsBack !== false;

        before(async () => {
          h = buildHandlers(spec, () => api, (m) => progress.push(m));
          await samples.setup?.(api);
        });
        after(async () => {
          harness.faults({});
          if (created) await h.delete(created.id, created.outs).catch(() => undefined);
        });

        it("check rejects each bad input naming the field, and nothing reaches the vendor", async () => {
          expect(samples.invalid.length, "at least one bad input").to.be.greaterThan(0);
          for (const bad of samples.invalid) {
            const before = harness.requests().length;
            const r = await h.check({}, merged(samples.valid, bad.inputs, bad.unset));
            const named = r.failures.filter((f) => (f as { field?: string }).field?.startsWith(bad.field) || f.reason.includes(` ${bad.field}`));
            expect(named, `${JSON.stringify(bad)} → ${JSON.stringify(r.failures)}`).to.not.be.empty;
            expect(harness.requests().length - before, `requests sent while checking ${JSON.stringify(bad)}`).to.equal(0);
          }
        });

        it("creates the valid sample; a refresh shows no drift", async () => {
          const c = await h.check({}, samples.valid);
          expect(c.failures).to.deep.equal([]);
          inputs = c.inputs;
          created = await h.create(inputs);
          expect(created.id).to.be.a("string").and.not.equal("");
          const r = await h.read(created.id, created.outs);
          expect(r.id).to.equal(created.id);
          // Inputs come back only when a field drifted; otherwise the engine keeps the state's. Either way they are the program's.
          const after = r.inputs ?? inputs;
          if (r.inputs !== undefined) for (const [k, v] of Object.entries(inputs)) expect(r.inputs[k], `input ${k} after refresh`).to.deep.equal(v);
          for (const [k, v] of Object.entries(inputs)) if (k in created.outs) expect(r.props![k], `output ${k} after refresh`).to.deep.equal(after[k] ?? v);
          const d = await h.diff(created.id, r.props!, inputs);
          expect(d.changes, "a refresh right after create reports changes").to.equal(false);
        });

        if (samples.update) {
          it(`applies the in-place change as an update, never a replacement${samples.updateRequest ? ", verified by reading back when its answer is lost" : ""}`, async () => {
            const c = await h.check(inputs, merged(samples.valid, samples.update));
            expect(c.failures).to.deep.equal([]);
            const d = await h.diff(created!.id, created!.outs, c.inputs);
            expect(d).to.include({ changes: true });
            expect(d.replaces).to.deep.equal([]);
            // The vendor applies the update but its answer is lost: the engine must read back, not resend.
            const req = samples.updateRequest;
            const before = harness.requests().length;
            if (req) harness.faults({ rules: [{ method: req.method, ...(req.path ? { path: req.path } : {}), drop: "after", times: 1 }] });
            const u = await h.update(created!.id, created!.outs, c.inputs);
            harness.faults({});
            if (req && !req.idempotent && req.method !== "POST") {
              const sent = harness.requests().slice(before).filter((r) => r.method === req.method && (!req.path || new RegExp(req.path).test(r.path)));
              expect(sent.length, `${req.method} requests for one update whose answer was lost`).to.equal(1);
            }
            created = { id: created!.id, outs: u.outs };
            if (readsBack) {
              const r = await h.read(created.id, created.outs);
              const after = await h.diff(created.id, r.props!, c.inputs);
              expect(after.changes, "the update did not reach the vendor").to.equal(false);
            }
            inputs = c.inputs;
          });
        }

        if (samples.replace) {
          it("plans the replacing change as a replacement", async () => {
            const c = await h.check(inputs, merged(samples.valid, { ...samples.update, ...samples.replace }));
            expect(c.failures).to.deep.equal([]);
            const d = await h.diff(created!.id, created!.outs, c.inputs);
            expect(d.replaces).to.not.be.empty;
          });
        }

        if (samples.outOfBand && readsBack) {
          it(`sees a change made by hand (${samples.outOfBand.field})`, async () => {
            await samples.outOfBand!.apply(api, created!.id);
            const r = await h.read(created!.id, created!.outs);
            const d = await h.diff(created!.id, r.props!, inputs);
            expect(d.changes, "drift was not seen").to.equal(true);
            expect(r.props![samples.outOfBand!.field]).to.not.deep.equal(created!.outs[samples.outOfBand!.field]);
            // put it back for the next cases
            const u = await h.update(created!.id, r.props!, inputs);
            created = { id: created!.id, outs: u.outs };
          });
        }

        if (readsBack) {
          it("a refresh meeting 5xx and 429 fails; the resource stays in state", async () => {
            for (const status of [503, 500, 429]) {
              harness.faults({ rules: [{ status, times: 1000, ...(status === 429 ? { retryAfter: 0 } : {}) }] });
              const e = await failsWith(h.read(created!.id, created!.outs));
              expect(e.message).to.match(new RegExp(String(status)));
            }
            harness.faults({});
            expect((await h.read(created!.id, created!.outs)).id).to.equal(created!.id);
          });

          it("a refresh with a refused credential or a wrong base path fails; the resource stays in state", async () => {
            const wrongKey = buildHandlers(spec, () => (vendor as VendorDefinition).createApi(harness.badCredentials as any), () => undefined);
            await failsWith(wrongKey.read(created!.id, created!.outs));
            const wrongPath = buildHandlers(spec, () => (vendor as VendorDefinition).createApi({ ...harness.settings, endpoint: `${harness.url}/not-the-api` } as any), () => undefined);
            await failsWith(wrongPath.read(created!.id, created!.outs));
          });
        }

        if (samples.createOnly) {
          it("delete removes it from the stack only: the vendor keeps it, no DELETE is sent; a second delete succeeds", async () => {
            const before = harness.requests().length;
            await h.delete(created!.id, created!.outs);
            expect(harness.requests().slice(before).filter((r) => r.method === "DELETE"), "DELETE requests").to.deep.equal([]);
            expect((await h.read(created!.id, created!.outs)).id, "the object is still at the vendor").to.equal(created!.id);
            await h.delete(created!.id, created!.outs);
            created = undefined;
          });
        } else {
          it("deletes; a read then returns nothing; a second delete succeeds", async () => {
            await h.delete(created!.id, created!.outs);
            if (readsBack) expect((await h.read(created!.id, created!.outs)).id).to.equal(undefined);
            await h.delete(created!.id, created!.outs);
            created = undefined;
          });
        }

        const find = finderOf(spec);
        if (find && samples.createOnly) {
          it("a create whose connection drops after the vendor applied it leaves exactly one object (create-only: a second object)", async () => {
            const req = samples.createRequest ?? {};
            const c = await h.check({}, merged(samples.valid, samples.createOnly!.fresh));
            expect(c.failures).to.deep.equal([]);
            const fresh = c.inputs;
            expect(await find(api, fresh), "the fresh sample must not exist yet").to.equal(undefined);
            const before = harness.requests().length;
            harness.faults({ rules: [{ method: req.method ?? "POST", ...(req.path ? { path: req.path } : {}), drop: "after", times: 1 }] });
            created = await h.create(fresh);
            harness.faults({});
            const creates = harness.requests().slice(before).filter((r) => r.method === (req.method ?? "POST") && (!req.path || new RegExp(req.path).test(r.path)));
            expect(creates.length, "create requests sent").to.equal(1);
            const found = await find(api, fresh);
            expect(found?.id).to.equal(created.id);
            await h.delete(created.id, created.outs);
            created = undefined;
          });
        } else if (find) {
          it("a create whose connection drops after the vendor applied it leaves exactly one object", async () => {
            const req = samples.createRequest ?? {};
            harness.faults({ rules: [{ method: req.method ?? "POST", ...(req.path ? { path: req.path } : {}), drop: "after", times: 1 }] });
            created = await h.create(inputs);
            harness.faults({});
            const found = await find(api, inputs);
            expect(found?.id).to.equal(created.id);
            await h.delete(created.id, created.outs);
            created = undefined;
            expect(await find(api, inputs)).to.equal(undefined);
          });
        }
      });
    }
  });
}
