/** Helpers shared by the rules: unknown values at preview, messages, config. */
import * as pulumi from "@pulumi/pulumi";
import { shortType } from "./tokens";

/** Marks a value that is not known yet (an input computed from another resource's output). */
export const UNKNOWN: unique symbol = Symbol("unknown");
export type Maybe<T> = T | typeof UNKNOWN;

/**
 * Reads a property; a value not known at preview (@pulumi/policy throws its UnknownValueError
 * on access) comes back as UNKNOWN, so the rule can skip it instead of failing.
 */
export function known<T>(read: () => T): Maybe<T> {
  try {
    return read();
  } catch (e) {
    if (e instanceof Error && e.constructor?.name === "UnknownValueError") return UNKNOWN;
    throw e;
  }
}

/** How a message names a resource: `bytehouse:VirtualWarehouse "etl"`. */
export function subject(type: string, name: string): string {
  return `${shortType(type)} "${name}"`;
}

/** The stack of a URN (`urn:pulumi:<stack>::<project>::<type>::<name>`). */
export function stackOfUrn(urn: string | undefined): string {
  const m = /^urn:pulumi:([^:]+)::/.exec(urn ?? "");
  return m ? m[1] : "";
}

/**
 * The stack being previewed: the stack part of the resource's URN, which the engine always
 * sets; pulumi.getStack() only when there is no URN. (In a policy pack started through the
 * language host's RunPlugin, as CLI >= v3.221 does, the engine sends the stack only over the
 * ConfigureStack RPC, which @pulumi/policy 1.21 does not pass on, and pulumi.getStack()
 * answers its placeholder "stack".)
 */
export function currentStack(urn: string | undefined): string {
  const fromUrn = stackOfUrn(urn);
  if (fromUrn) return fromUrn;
  try {
    return pulumi.getStack();
  } catch {
    return "";
  }
}

/** A config value with its schema default when the caller (a test, an old CLI) sent none. */
export function cfg<T>(config: Record<string, unknown> | undefined, key: string, fallback: T): T {
  const v = config?.[key];
  return v === undefined || v === null ? fallback : (v as T);
}
