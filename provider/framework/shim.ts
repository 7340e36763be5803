/**
 * The object Pulumi serialises into every resource's state (`__provider`, twice per resource).
 *
 * Pulumi serialises a dynamic provider by value together with every local module it
 * reaches, so capturing the real implementation would put the whole provider (zod
 * schemas, HTTP client, …) into each resource's state twice. Instead the shim captures one
 * string, the type token, and loads the runtime by package name
 * (`pulumi-warehouse/provider/runtime`, resolvable wherever the package is installed) when the
 * provider host calls it: no machine path and no credential is captured.
 *
 * Every byte here is stored twice per resource and rewritten by the engine with each checkpoint,
 * so it is kept minimal (measure with `node dist/bench/serialized-provider.js`): rest parameters
 * (Pulumi's wrapper of a function lists one placeholder per declared parameter), one function
 * capturing the token that hands every call to the runtime's `call`, and no error wrapping (Node's own "Cannot find module
 * 'pulumi-warehouse/provider/runtime'" names the package to install).
 */
import type * as pulumi from "@pulumi/pulumi";

export function makeShim(token: string): pulumi.dynamic.ResourceProvider {
  const c = (k: string, a: unknown[]) => require("pulumi-warehouse/provider/runtime").call(token, k, a);
  return {
    configure: (...a: any[]) => c("configure", a),
    check: (...a: any[]) => c("check", a),
    diff: (...a: any[]) => c("diff", a),
    create: (...a: any[]) => c("create", a),
    read: (...a: any[]) => c("read", a),
    update: (...a: any[]) => c("update", a),
    delete: (...a: any[]) => c("delete", a),
  } as pulumi.dynamic.ResourceProvider;
}
