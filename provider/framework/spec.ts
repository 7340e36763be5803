/**
 * How a warehouse resource kind is declared. One object per kind, one file per kind
 * (see provider/bytehouse/*.ts). The zod schema is the single source of truth for the
 * inputs: their types (sdk/), their validation (check), and their docs (README reference).
 * `replaceOn` is the single table of fields whose change forces a replacement.
 */
import { z } from "zod";


/** The inputs a schema describes, after defaults. */
export type InputsOf<S extends z.ZodObject> = z.output<S>;

/** What a spec's operations get: the vendor API, and a way to say "the object now exists". */
export interface OpContext<Api> {
  api: Api;
  /**
   * Call as soon as the vendor has created the object. If a later step of `create`
   * fails, the object is still recorded in state (a partial create), never orphaned.
   */
  created(id: string): void;
  /** Progress lines shown by the engine (provider stderr). */
  progress(message: string): void;
}

export interface Found<Raw> {
  id: string;
  raw: Raw;
}

export interface ResourceSpec<S extends z.ZodObject = z.ZodObject, Api = unknown, Raw = unknown, Out extends string = string> {
  /** The vendor's name (provider/vendors.ts), set by the vendor's define helper. */
  vendor: string;
  /** Type name: the token is `pulumi-nodejs:dynamic/<vendor>:<kind>`. */
  kind: string;
  /** One paragraph for the docs. */
  description: string;
  /** Inputs: types, validation (check) and docs in one place. */
  inputs: S;
  /** The fields the vendor cannot change in place: a change replaces the object. */
  replaceOn: readonly (keyof InputsOf<S> & string)[];
  /**
   * The field that must be unique at the vendor (usually the name). A replacement that
   * keeps it deletes the old object first; one that changes it creates the new one first.
   */
  uniqueBy?: keyof InputsOf<S> & string;
  /**
   * Conditions for `replaceOn` fields that replace only in some cases (e.g. an API key's
   * expiry can be extended in place but not shortened). Absent means "always replaces".
   */
  replaceWhen?: Partial<Record<keyof InputsOf<S> & string, (oldValue: any, newValue: any) => boolean>>;
  /**
   * Decides at diff time whether a replacement must delete first (e.g. a vendor limit leaves
   * no room for the new object). Overrides the `uniqueBy` rule when given.
   */
  deleteBeforeReplace?(api: Api, olds: InputsOf<S>, news: InputsOf<S>): Promise<boolean>;
  /**
   * An input that opts in to replacements. Without it set, check refuses at preview every change
   * that would replace the object (its data would be lost), saying so; `what` names the object.
   */
  replaceOptIn?: { field: keyof InputsOf<S> & string; what: (olds: InputsOf<S>) => string };
  /**
   * Rules on a change from `olds` to `news`, run by check at preview, before any API call
   * (e.g. "dropping a column needs allowDataLoss"). Each problem names its property.
   */
  validateChange?(olds: InputsOf<S>, news: InputsOf<S>): { property: string; reason: string }[];
  /**
   * Local work done by check after validation, before any API call: values derived from the
   * inputs that belong in them (e.g. the content hash of a file to load). May throw to fail
   * the preview with a message. Optionally validates against the vendor (read-only calls).
   * `olds` are the resource's previous inputs when it already exists (an update's preview).
   */
  prepare?(inputs: InputsOf<S>, vendor: () => Api, olds?: InputsOf<S>): Promise<Partial<InputsOf<S>> | { property: string; reason: string }[]>;
  /** Output-only properties with their docs. */
  outputs: Record<Out, string>;
  /** Outputs that are always Pulumi secrets. */
  secretOutputs?: readonly string[];
  /** Input fields that hold credentials: never echoed in messages, always Pulumi secrets in state. */
  secretInputs?: readonly (keyof InputsOf<S> & string)[];
  /** Per-field comparison normalisers (e.g. case-insensitive type names). */
  normalize?: Partial<Record<keyof InputsOf<S> & string, (v: unknown) => unknown>>;

  create(ctx: OpContext<Api>, inputs: InputsOf<S>): Promise<Found<Raw>>;
  /** Looks the object up by its unique name: used after a create failed ambiguously. */
  find?(api: Api, inputs: InputsOf<S>): Promise<Found<Raw> | undefined>;
  /** The live object, or undefined when it no longer exists. */
  read(api: Api, id: string, state: InputsOf<S>): Promise<Raw | undefined>;
  /** The live object in input shape: what drift is judged on. */
  observe(raw: Raw): Partial<InputsOf<S>>;
  /** Server-computed outputs (ids, timestamps). */
  computed?(raw: Raw): Record<string, unknown>;
  /** Applies `changed` (never a `replaceOn` field) with the fewest calls; returns the live object. */
  update?(ctx: OpContext<Api>, id: string, olds: InputsOf<S>, news: InputsOf<S>, changed: (keyof InputsOf<S> & string)[]): Promise<Raw>;
  /** Deletes the object; a "not found" from the vendor counts as success. */
  delete(api: Api, id: string, state: InputsOf<S>): Promise<void>;
}

/** Identity helper that keeps the generic types of a spec literal. */
export function defineResource<S extends z.ZodObject, Api, Raw, Out extends string>(spec: ResourceSpec<S, Api, Raw, Out>): ResourceSpec<S, Api, Raw, Out> {
  return spec;
}

export function typeToken(vendor: string, kind: string): string {
  return `pulumi-nodejs:dynamic/${vendor}:${kind}`;
}
