import { expect } from "chai";
import { resolveSettings } from "../../provider/registry";

describe("provider settings", () => {
  const config = (values: Record<string, string>) => ({ get: (k: string) => values[k] });

  it("prefers stack config, falls back to environment variables", () => {
    const s = resolveSettings("bytehouse", config({ "warehouse:bytehouseEndpoint": "http://cfg" }), { BYTEHOUSE_ENDPOINT: "http://env", BYTEHOUSE_API_KEY: "k" });
    expect(s).to.deep.equal({ endpoint: "http://cfg", apiKey: "k" });
  });

  it("names every missing setting, both ways to give it, and never a value", () => {
    expect(() => resolveSettings("bytehouse", config({}), { BYTEHOUSE_ACTIVE_ROLE: "AccountAdmin" })).to.throw(
      "bytehouse is not configured: set warehouse:bytehouseEndpoint or $BYTEHOUSE_ENDPOINT, and warehouse:bytehouseApiKey (secret) or $BYTEHOUSE_API_KEY",
    );
  });
});
