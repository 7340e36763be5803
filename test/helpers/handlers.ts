/** Drives provider handlers as the engine does: check (which must pass), then create. */
import { expect } from "chai";
import type { Handlers } from "../../provider/framework/engine";

export async function checkAndCreate(handlers: Handlers, inputs: Record<string, unknown>) {
  const c = await handlers.check({}, inputs);
  expect(c.failures).to.deep.equal([]);
  const r = await handlers.create(c.inputs);
  return { ...r, inputs: c.inputs };
}
