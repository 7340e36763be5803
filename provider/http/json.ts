/**
 * JSON helpers shared by the client and the emulators.
 *
 * Some vendors send integers above 2^53 (ByteHouse's `createdBy.id`, e.g. 4780622283186922000).
 * `JSON.parse` would silently round them, so `parseJsonLossless` turns every integer literal
 * with more than 15 digits into a string before parsing.
 */
export function parseJsonLossless(text: string): unknown {
  if (text.trim() === "") return undefined;
  // Most answers have no run of 16 digits at all: then JSON.parse alone is exact.
  return JSON.parse(/\d{16}/.test(text) ? quoteBigIntegers(text) : text);
}

function quoteBigIntegers(text: string): string {
  let out = "";
  let i = 0;
  let last = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      // skip a string literal, honouring escapes
      i++;
      while (i < n && text.charCodeAt(i) !== 34) i += text.charCodeAt(i) === 92 /* \ */ ? 2 : 1;
      i++;
      continue;
    }
    if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      const start = i;
      i++;
      while (i < n && /[0-9.eE+-]/.test(text[i])) i++;
      const literal = text.slice(start, i);
      if (/^-?\d{16,}$/.test(literal)) {
        out += text.slice(last, start) + '"' + literal + '"';
        last = i;
      }
      continue;
    }
    i++;
  }
  return last === 0 ? text : out + text.slice(last);
}

/** A number written to JSON exactly as given (for emulating vendors that send integers above 2^53). */
export class RawJsonNumber {
  constructor(readonly digits: string) {}
  toJSON(): string {
    return `\u0000raw:${this.digits}\u0000`;
  }
}

/** `JSON.stringify` that writes `RawJsonNumber` values unquoted. */
export function stringifyWithRawNumbers(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0000raw:(-?\d+)\\u0000"/g, "$1");
}
