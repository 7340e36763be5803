/**
 * The serialised shim (provider/framework/shim.ts): stored twice in every resource's state, so its
 * size is guarded; it captures the type token and nothing of this machine; and the runtime's one
 * entry point, `call`, routes each of the host's calls to the kind's handlers.
 */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { makeShim } from "../../provider/framework/shim";
import { call } from "../../provider/framework/runtime";

const TOKEN = "pulumi-nodejs:dynamic/bytehouse:VirtualWarehouse";

describe("serialised shim", function () {
  this.timeout(30_000); // Pulumi's closure serialiser inspects functions through the inspector
  it("stays small (it is stored twice per resource) and captures only the token and the package name", async () => {
    const provider = makeShim(TOKEN);
    const serialised = (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })).text;
    expect(Buffer.byteLength(serialised), "bytes per copy (was 2,630 before it was shrunk)").to.be.below(2_200);
    expect(serialised).to.contain(TOKEN).and.to.contain('require("pulumi-warehouse/provider/runtime")');
    expect(serialised).not.to.contain(process.cwd());
    for (const op of ["configure", "check", "diff", "create", "read", "update", "delete"]) expect(serialised).to.contain(`c("${op}", a)`);
  });

  it("runtime.call hands each operation to the kind's handlers with the host's arguments", async () => {
    call(TOKEN, "configure", [{ config: { get: () => undefined } }]);
    const olds = { name: "etl", description: "", size: "XS", status: "up", autoSuspend: 0, autoResume: false };
    const same = (await call(TOKEN, "diff", ["etl", olds, { ...olds }])) as { changes: boolean };
    expect(same.changes).to.equal(false);
    const renamed = (await call(TOKEN, "diff", ["etl", olds, { ...olds, name: "etl2" }])) as { replaces: string[] };
    expect(renamed.replaces).to.deep.equal(["name"]);
    expect(() => call("pulumi-nodejs:dynamic/bytehouse:Nope", "diff", [])).to.throw("no resource kind");
  });
});
