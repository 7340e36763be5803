/**
 * How a warehouse resource kind is declared. One object per kind, one file per kind
 * (see provider/bytehouse/*.ts). The zod schema is the single source of truth for the
 * inputs: their types (sdk/), their validation (check), and their docs (README reference).
 * `replaceOn` is the single table of fields whose change forces a replacement.
 */
import { z } from "zod";
import type { IdCodec } from "./ids";
import type { PollOptions } from "./poll";


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
  /**
   * Waits for asynchronous work (framework/poll.ts) with the resource's timeout: its
   * `timeoutSeconds` input when it has one, else `timeoutMs`, else 10 minutes; progress goes
   * to the resource.
   */
  poll<T>(o: Omit<PollOptions<T>, "timeoutMs" | "progress"> & { timeoutMs?: number }): Promise<T>;
}

export interface Found<Raw> {
  id: string;
  raw: Raw;
}

/** What create returns: the id, and the live object when the create's answer has it (else the engine reads it back). */
export interface Created<Raw> {
  id: string;
  raw?: Raw;
}

/**
 * Inputs for the conformance suite (test/conformance/): every kind of every vendor is run
 * through the same rules with these. Values are program inputs (before defaults).
 */
export interface Samples<I, Api> {
  /** Creates what the sample needs first (a database for a table, …) through the vendor API. */
  setup?(api: Api): Promise<void>;
  /** A valid object. */
  valid: Partial<I> & Record<string, unknown>;
  /** A change applied in place (merged onto `valid`). */
  update?: Partial<I> & Record<string, unknown>;
  /** A change that replaces the object (merged onto `valid`), with its opt-in if it needs one. */
  replace?: Partial<I> & Record<string, unknown>;
  /** Bad inputs (each merged onto `valid`; `unset` removes fields) and the field check must name. */
  invalid: { inputs: Record<string, unknown>; unset?: string[]; field: string }[];
  /** A change made by hand at the vendor, which refresh must show in `field`. */
  outOfBand?: { field: string; apply(api: Api, id: string): Promise<void> };
  /** False for a kind the vendor cannot read back (no drift detection): read-based cases are skipped. */
  readsBack?: boolean;
  /**
   * The request that applies `update` (method, path pattern). The suite drops the connection after
   * the vendor applied it: the engine must verify by reading back, never send a change twice.
   */
  updateRequest?: { method: string; path?: string; /** A repeatable request the client may itself resend. */ idempotent?: boolean };
  /** The request that creates the object (for the "connection dropped after the vendor applied it" case). Default: the first POST. */
  createRequest?: { method?: string; path?: string };
  /**
   * A kind the vendor can create but never delete (e.g. Alation's queries): delete only removes it
   * from the stack. The suite then checks that delete leaves the object at the vendor, and runs the
   * dropped-connection case on a second object, `fresh` merged onto `valid` (the first one stays).
   */
  createOnly?: { fresh: Partial<I> & Record<string, unknown> };
}

/** One object a kind's exporter found at the vendor (`pulumi-warehouse export`). */
export interface Listed<Raw> {
  id: string;
  raw: Raw;
  /** Its unique name (what `--name` filters on). */
  name: string;
  /** The database (or catalog) it lives in, or its own name for a database (what `--database` filters on). */
  database?: string;
  /** The schema it lives in, or its own name for a schema (what `--schema` filters on). */
  schema?: string;
  /**
   * Why the object cannot be declared exactly (e.g. it was made with a file the vendor never
   * returns): export leaves it out of the program and says so, naming it, on stderr.
   */
  skip?: string;
}

/**
 * How `pulumi-warehouse export` reads a kind's existing objects and declares them in a program
 * (each with `adopt: true`). Optional: a kind without one is not exported.
 */
export interface Exporter<S extends z.ZodObject, Api, Raw> {
  /** Every object of the kind at the vendor. */
  list(api: Api): Promise<Listed<Raw>[]>;
  /** The program inputs declaring the object; default: `observe(raw)` restricted to the inputs. */
  inputs?(raw: Raw): Partial<InputsOf<S>>;
  /**
   * Inputs that name another kind's object: written as a reference to that resource's output
   * `output` when it is exported too (so the program orders them), else as the literal value.
   * `match` maps the other kind's input fields (or non-secret computed outputs, e.g. an API key's
   * role) to this kind's fields that identify it. Several entries may share a field (a grant's table
   * may be a table or a view): the first that matches an exported object is used. `when`, if given,
   * limits an entry to the objects whose inputs it accepts (a permission's resource is a database
   * only when its objectType is DATABASE).
   */
  references?: {
    field: keyof InputsOf<S> & string;
    kind: string;
    match: Record<string, keyof InputsOf<S> & string>;
    output: string;
    when?(inputs: Partial<InputsOf<S>>): boolean;
  }[];
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
   * The vendor's create does not refuse an object that already exists: it silently takes it over
   * (a GRANT applied again) or makes a second one (two identical continuous queries). The engine
   * then looks the object up before creating it, and refuses a taken one as it refuses a vendor
   * conflict, naming `adopt: true`. Costs one read per create; leave unset where the vendor
   * answers "already exists" itself.
   */
  createTakesOver?: boolean;
  /**
   * Conditions for `replaceOn` fields that replace only in some cases (e.g. an API key's
   * expiry can be extended in place but not shortened). Absent means "always replaces".
   */
  replaceWhen?: Partial<Record<keyof InputsOf<S> & string, (oldValue: any, newValue: any) => boolean>>;
  /** For the reference: when each `replaceWhen` field replaces, in words ("a shorter expiry replaces"). */
  replaceWhenDoc?: Partial<Record<keyof InputsOf<S> & string, string>>;
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

  /** The id scheme (framework/ids.ts) when the id is made of input fields. */
  id?: IdCodec<string>;
  /** Samples for the conformance suite. */
  samples?: Samples<z.input<S>, Api>;

  /**
   * Creates the object. Returns its id, and the live object when the vendor's answer has
   * everything `observe` needs; otherwise the engine reads it back (a create whose object
   * cannot be read back fails, naming it, and stays tracked as a partial create).
   */
  create(ctx: OpContext<Api>, inputs: InputsOf<S>): Promise<Created<Raw>>;
  /** Looks the object up by its unique name: used after a create failed ambiguously. */
  find?(api: Api, inputs: InputsOf<S>): Promise<Found<Raw> | undefined>;
  /** The live object, or undefined when it no longer exists. */
  read(api: Api, id: string, state: InputsOf<S>): Promise<Raw | undefined>;
  /**
   * Every object of the kind, by id, in the shape `read` returns: the vendor's list call. When a
   * refresh reads many objects of the kind at once, the engine answers them from one listing
   * (framework/batch-read.ts) instead of one read each; an object the listing lacks is read on
   * its own before it can leave state. Give it only when the list returns whole objects.
   */
  readAll?(api: Api): Promise<Map<string, Raw>>;
  /** The live object in input shape: what drift is judged on. */
  observe(raw: Raw): Partial<InputsOf<S>>;
  /** Server-computed outputs (ids, timestamps). */
  computed?(raw: Raw): Record<string, unknown>;
  /**
   * Applies `changed` (never a `replaceOn` field) with the fewest calls; returns the live object,
   * or nothing and the engine reads it back. An update whose answer was lost (ambiguous) is
   * verified by the engine by reading the object before anything is sent again.
   */
  update?(ctx: OpContext<Api>, id: string, olds: InputsOf<S>, news: InputsOf<S>, changed: (keyof InputsOf<S> & string)[]): Promise<Raw | void>;
  /** Deletes the object; a "not found" from the vendor counts as success. */
  delete(api: Api, id: string, state: InputsOf<S>): Promise<void>;
  /** How `pulumi-warehouse export` lists and declares existing objects of the kind (optional). */
  exporter?: Exporter<S, Api, Raw>;
}

/**
 * How the engine looks an object up by the inputs that name it (after an ambiguous create, for
 * `adopt`, for the creates journal): the kind's `find`, else — when its id is made of input fields —
 * a read of the id those inputs encode. Undefined when the kind has neither.
 */
export function finderOf<S extends z.ZodObject, Api, Raw>(spec: ResourceSpec<S, Api, Raw, any>): ((api: Api, inputs: InputsOf<S>) => Promise<Found<Raw> | undefined>) | undefined {
  if (spec.find) return spec.find.bind(spec);
  const codec = spec.id;
  if (!codec) return undefined;
  return async (api, inputs) => {
    const id = codec.encode(inputs as Record<string, unknown>);
    const raw = await spec.read(api, id, inputs);
    return raw === undefined ? undefined : { id, raw };
  };
}

/** Identity helper that keeps the generic types of a spec literal. */
export function defineResource<S extends z.ZodObject, Api, Raw, Out extends string>(spec: ResourceSpec<S, Api, Raw, Out>): ResourceSpec<S, Api, Raw, Out> {
  return spec;
}

/** A spec as a vendor writes it: the engine adds `vendor` (and the `observed` output's doc). */
export type KindSpec<S extends z.ZodObject, Api, Raw, Out extends string> = Omit<ResourceSpec<S, Api, Raw, Out>, "vendor"> & { vendor?: string };

/**
 * The one define helper: `const defineX = resourceDefiner<XApi>("x")` in a vendor's folder gives
 * its kinds their vendor and the type of the API their operations receive.
 */
export function resourceDefiner<Api>(vendor: string) {
  return function define<S extends z.ZodObject, Raw, Out extends string>(spec: KindSpec<S, Api, Raw, Out>): ResourceSpec<S, Api, Raw, Out> {
    return { ...spec, vendor } as ResourceSpec<S, Api, Raw, Out>;
  };
}

/** Outputs every kind has, documented once. */
export const COMMON_OUTPUTS: Record<string, string> = {
  observed: "In state only (not a property of the resource object): the object as last read from the vendor, in input shape, kept as the fields whose live value differs from the output of the same name. How drift is told from server formatting.",
};

export function typeToken(vendor: string, kind: string): string {
  return `pulumi-nodejs:dynamic/${vendor}:${kind}`;
}
