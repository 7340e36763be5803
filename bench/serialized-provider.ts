/**
 * Bytes of `__provider` per resource in the state file, measured with Pulumi's own closure
 * serialiser (the one dynamic.Resource uses), against two baselines from the same run:
 *   - minimal:   the smallest possible dynamic provider (one no-op create), the floor;
 *   - by-value:  a provider that calls the runtime directly, which makes Pulumi inline the
 *                whole provider (framework, HTTP client, schemas) into every resource.
 * Pulumi stores `__provider` twice per resource (inputs and outputs).
 *
 *   node dist/bench/serialized-provider.js
 */
import * as pulumi from "@pulumi/pulumi";
import { makeShim } from "../provider/framework/shim";
import { handlersFor } from "../provider/framework/runtime";

async function size(provider: object): Promise<number> {
  const s = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  return Buffer.byteLength(s.text);
}

async function main(): Promise<void> {
  const token = "pulumi-nodejs:dynamic/bytehouse:VirtualWarehouse";
  const minimal = await size({ create: async () => ({ id: "x" }) });
  const shim = await size(makeShim(token));
  const byValue = await size({
    create: (inputs: any) => handlersFor(token).create(inputs),
    read: (id: string, props: any) => handlersFor(token).read(id, props),
  }).catch((e: Error) => e);
  const row = (name: string, bytes: number) =>
    console.log(`${name.padEnd(10)} ${String(bytes).padStart(8)} B/copy  ${String(2 * bytes).padStart(8)} B/resource  ${(bytes / minimal).toFixed(2)}x minimal`);
  row("minimal", minimal);
  row("shim", shim);
  if (byValue instanceof Error) {
    console.log(`by-value   cannot be serialised: ${byValue.message.split("\n")[0]}`);
  } else {
    row("by-value", byValue);
    console.log(`shim / by-value: ${(shim / byValue).toFixed(3)}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
