/**
 * Composite ids in one place. An id joins the values of named input fields with "."; each part
 * escapes "%" and "." (as %25 and %2E), so a part may hold any character and a plain identifier
 * reads as itself ("analytics.events").
 */
export interface IdCodec<F extends string = string> {
  readonly fields: readonly F[];
  /** The id of the object these inputs name. */
  encode(values: Record<F, unknown>): string;
  /** The parts of an id, by field; fails on an id of another shape. */
  decode(id: string): Record<F, string>;
}

const escapePart = (s: string) => s.replace(/%/g, "%25").replace(/\./g, "%2E");
const unescapePart = (s: string) => s.replace(/%2E/gi, ".").replace(/%25/g, "%");

export function idCodec<F extends string>(...fields: F[]): IdCodec<F> {
  return {
    fields,
    encode(values) {
      return fields
        .map((f) => {
          const v = values[f];
          if (v === undefined || v === null || v === "") throw new Error(`cannot make an id: ${f} is empty`);
          return escapePart(String(v));
        })
        .join(".");
    },
    decode(id) {
      const parts = id.split(".");
      if (parts.length !== fields.length) {
        throw new Error(`"${id}" is not an id of the form ${fields.join(".")}`);
      }
      return Object.fromEntries(fields.map((f, i) => [f, unescapePart(parts[i])])) as Record<F, string>;
    },
  };
}
