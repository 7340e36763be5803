/**
 * The object Pulumi serialises into every resource's state (`__provider`).
 *
 * Pulumi serialises a dynamic provider by value together with every local module it
 * reaches, so capturing the real implementation would put the whole provider (zod
 * schemas, HTTP client, …) into each resource's state twice. Instead the shim captures two
 * strings and loads the runtime with `require` when the provider host calls it:
 * first by package name (`pulumi-warehouse/provider/runtime`, resolvable wherever the
 * package is installed), then by the absolute path it had when the program ran.
 * No credential is captured: they come from `configure` at run time.
 */
import type * as pulumi from "@pulumi/pulumi";

export function makeShim(token: string, runtimePath: string): pulumi.dynamic.ResourceProvider {
  const runtime = (): any => {
    try {
      return require("pulumi-warehouse/provider/runtime");
    } catch {
      return require(runtimePath);
    }
  };
  const h = () => runtime().handlersFor(token);
  return {
    configure: async (req: any) => runtime().configure(req.config),
    check: (olds: any, news: any) => h().check(olds, news),
    diff: (id: any, olds: any, news: any) => h().diff(id, olds, news),
    create: (inputs: any) => h().create(inputs),
    read: (id: any, props: any) => h().read(id, props),
    update: (id: any, olds: any, news: any) => h().update(id, olds, news),
    delete: (id: any, props: any) => h().delete(id, props),
  };
}
