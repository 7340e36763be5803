/**
 * Turns a provider ResourceSpec into a Pulumi resource class: typed args from the zod
 * schema, typed outputs, the type token `pulumi-nodejs:dynamic/<vendor>:<Kind>` and a static
 * `__pulumiType` so policy packs can tell kinds apart. One shim instance per kind keeps
 * Pulumi's serialisation cache effective.
 */
import "../provider/framework/zod-locales"; // first: zod then loads without its 64 locale files
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ResourceSpec, typeToken } from "../provider/framework/spec";
import { makeShim } from "../provider/framework/shim";


/** Inputs every kind accepts (provider/framework/values.ts COMMON_INPUTS). */
export interface CommonArgs {
  /** Take over the existing object with the same unique name instead of creating one; its declared values are then applied in place. */
  adopt?: pulumi.Input<boolean>;
}

/** Each input may be a plain value or a Pulumi Input. */
export type ArgsOf<S extends z.ZodObject> = { [K in keyof z.input<S>]: pulumi.Input<z.input<S>[K]> } & CommonArgs;

export type WarehouseResource<S extends z.ZodObject, Out extends string> = pulumi.dynamic.Resource & {
  readonly [K in keyof z.output<S>]-?: pulumi.Output<z.output<S>[K]>;
} & { readonly [K in Out]: pulumi.Output<any> };

export interface WarehouseResourceClass<S extends z.ZodObject, Out extends string> {
  new (name: string, args: ArgsOf<S>, opts?: pulumi.CustomResourceOptions): WarehouseResource<S, Out>;
  readonly __pulumiType: string;
}

/**
 * Pulumi's SDK captures a stack trace (`new Error().stack`, rewritten through source maps) for each
 * of the promises it makes per property of a resource being constructed, only to print it should
 * the promise leak: about 30 per resource, most of the program's CPU at a thousand resources.
 * Our classes construct with traces off; the SDK's own source-position capture sets its own limit,
 * so resources keep their source positions. `PULUMI_DEBUG_PROMISE_LEAKS` (Pulumi's setting for
 * debugging leaks) keeps the traces.
 */
const keepPromiseStacks = !!process.env.PULUMI_DEBUG_PROMISE_LEAKS;

export function resourceClass<S extends z.ZodObject, Out extends string>(spec: ResourceSpec<S, any, any, Out>): WarehouseResourceClass<S, Out> {
  const token = typeToken(spec.vendor, spec.kind);
  const shim = makeShim(token);
  // `observed` (COMMON_OUTPUTS) stays in state for drift detection but is not a property of the
  // object: each declared output costs the program an Output and its promises per resource.
  const outputKeys = Object.keys(spec.outputs);
  const secretOutputs = [...(spec.secretOutputs ?? []), ...(spec.secretInputs ?? [])];
  const secretInputs = [...(spec.secretInputs ?? [])];

  class WarehouseResourceImpl extends pulumi.dynamic.Resource {
    static readonly __pulumiType = token;

    constructor(name: string, args: ArgsOf<S>, opts?: pulumi.CustomResourceOptions) {
      const props: Record<string, unknown> = { ...args };
      // Credentials are secrets in state whether or not the program marked them.
      for (const key of secretInputs) if (props[key] !== undefined) props[key] = pulumi.secret(props[key]);
      for (const key of outputKeys) props[key] = undefined;
      const additionalSecretOutputs = [...(opts?.additionalSecretOutputs ?? []), ...secretOutputs];
      const limit = Error.stackTraceLimit;
      if (!keepPromiseStacks) Error.stackTraceLimit = 0;
      try {
        super(shim, name, props, { ...opts, additionalSecretOutputs }, spec.vendor, spec.kind);
      } catch (e) {
        Error.stackTraceLimit = limit;
        if (e instanceof Error && !keepPromiseStacks) Error.captureStackTrace(e, WarehouseResourceImpl);
        throw e;
      } finally {
        Error.stackTraceLimit = limit;
      }
    }
  }
  Object.defineProperty(WarehouseResourceImpl, "name", { value: spec.kind });
  return WarehouseResourceImpl as unknown as WarehouseResourceClass<S, Out>;
}
