/**
 * The object Pulumi serialises into every resource's state (`__provider`).
 *
 * Pulumi serialises a dynamic provider by value together with every local module it
 * reaches, so capturing the real implementation would put the whole provider (zod
 * schemas, HTTP client, …) into each resource's state twice. Instead the shim captures one
 * string, the type token, and loads the runtime by package name
 * (`pulumi-warehouse/provider/runtime`, resolvable wherever the package is installed) when the
 * provider host calls it: no machine path and no credential is captured.
 */
import type * as pulumi from "@pulumi/pulumi";

export function makeShim(token: string): pulumi.dynamic.ResourceProvider {
  const runtime = (): any => {
    try {
      return require("pulumi-warehouse/provider/runtime");
    } catch (e) {
      throw new Error(`install pulumi-warehouse in the program's project: ${(e as Error).message}`);
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
