/**
 * Turns a provider ResourceSpec into a Pulumi resource class: typed args from the zod
 * schema, typed outputs, the type token `pulumi-nodejs:dynamic/<vendor>:<Kind>` and a static
 * `__pulumiType` so policy packs can tell kinds apart. One shim instance per kind keeps
 * Pulumi's serialisation cache effective.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { COMMON_OUTPUTS, ResourceSpec, typeToken } from "../provider/framework/spec";
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
} & { readonly [K in Out]: pulumi.Output<any> } & { readonly observed: pulumi.Output<any> };

export interface WarehouseResourceClass<S extends z.ZodObject, Out extends string> {
  new (name: string, args: ArgsOf<S>, opts?: pulumi.CustomResourceOptions): WarehouseResource<S, Out>;
  readonly __pulumiType: string;
}

export function resourceClass<S extends z.ZodObject, Out extends string>(spec: ResourceSpec<S, any, any, Out>): WarehouseResourceClass<S, Out> {
  const token = typeToken(spec.vendor, spec.kind);
  const shim = makeShim(token);
  const outputKeys = [...new Set([...Object.keys(spec.outputs), ...Object.keys(COMMON_OUTPUTS)])];
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
      super(shim, name, props, { ...opts, additionalSecretOutputs }, spec.vendor, spec.kind);
    }
  }
  Object.defineProperty(WarehouseResourceImpl, "name", { value: spec.kind });
  return WarehouseResourceImpl as unknown as WarehouseResourceClass<S, Out>;
}
