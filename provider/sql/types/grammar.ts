/**
 * The grammar every type system parses its type spellings with (on the one tokenizer):
 *
 *   type   := words [ "(" arg { "," arg } ")" ] { words } { "[" [number] "]" }
 *   words  := (word | "quoted identifier") { word }
 *   arg    := string [ "=" signed-number ]   -- an ENUM label, or a label with its value
 *           | signed-number                  -- a precision, a length, …
 *           | type                            -- a nested type, or "name type" for a field
 *
 * The grammar only says what a type looks like; each vendor's system decides which names and
 * arguments exist. Anything left over (a ")", a ";", a comment, a second statement) is an error.
 */
import { LexOptions, SqlSyntaxError, Token, tokenize } from "../tokenizer";

export interface TypeWord {
  text: string;
  /** Written as a quoted identifier ("my field"). */
  quoted: boolean;
}

export interface TypeNode {
  /** The words before the arguments: ["TIMESTAMP"], ["double", "precision"], or a field name then its type name. */
  words: TypeWord[];
  /** Present when the type has a parenthesised argument list (possibly empty). */
  args?: TypeArg[];
  /** Words after the arguments (PostgreSQL `timestamp(3) with time zone`). */
  suffix: TypeWord[];
  /** `[]` dimensions (a number for a fixed-size array). */
  arrays: (number | null)[];
}

export type TypeArg =
  | { kind: "number"; value: number; text: string }
  | { kind: "string"; value: string; enumValue?: number }
  | { kind: "type"; type: TypeNode };

export class TypeParseError extends Error {}

class Cursor {
  private i = 0;
  constructor(private readonly tokens: Token[], private readonly source: string) {}
  peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }
  next(): Token {
    const t = this.tokens[this.i++];
    if (!t) throw new TypeParseError("ends too early");
    return t;
  }
  isPunct(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return !!t && (t.kind === "punct" || t.kind === "op") && t.text === text;
  }
  expect(text: string): void {
    const t = this.peek();
    if (!t || t.text !== text) throw new TypeParseError(t ? `expected "${text}" at "${this.rest()}"` : `expected "${text}" at the end`);
    this.i++;
  }
  done(): boolean {
    return this.i >= this.tokens.length;
  }
  rest(): string {
    const t = this.peek();
    return t ? this.source.slice(t.start).slice(0, 40) : "";
  }
}

function signedNumber(c: Cursor): { value: number; text: string } | undefined {
  const neg = c.isPunct("-");
  const t = c.peek(neg ? 1 : 0);
  if (t?.kind !== "number") return undefined;
  if (neg) c.next();
  c.next();
  const text = (neg ? "-" : "") + t.text;
  return { value: Number(t.text.replace(/_/g, "")) * (neg ? -1 : 1), text };
}

function words(c: Cursor): TypeWord[] {
  const out: TypeWord[] = [];
  for (;;) {
    const t = c.peek();
    if (t?.kind === "word") out.push({ text: t.text, quoted: false });
    else if (t?.kind === "quoted" && out.length === 0) out.push({ text: t.value ?? "", quoted: true });
    else break;
    c.next();
  }
  return out;
}

function parseType(c: Cursor, depth: number): TypeNode {
  if (depth > 32) throw new TypeParseError("is nested too deeply");
  const w = words(c);
  if (w.length === 0) {
    const t = c.peek();
    throw new TypeParseError(t ? `expected a type name at "${c.rest()}"` : "is empty");
  }
  const node: TypeNode = { words: w, suffix: [], arrays: [] };
  if (c.isPunct("(")) {
    c.next();
    node.args = [];
    if (!c.isPunct(")")) {
      for (;;) {
        node.args.push(parseArg(c, depth));
        if (c.isPunct(",")) {
          c.next();
          continue;
        }
        break;
      }
    }
    c.expect(")");
    node.suffix = words(c).filter((x) => !x.quoted);
  }
  while (c.isPunct("[")) {
    c.next();
    const size = signedNumber(c);
    c.expect("]");
    node.arrays.push(size ? size.value : null);
  }
  return node;
}

function parseArg(c: Cursor, depth: number): TypeArg {
  const t = c.peek();
  if (t?.kind === "string") {
    c.next();
    if (c.isPunct("=")) {
      c.next();
      const v = signedNumber(c);
      if (!v) throw new TypeParseError(`expected a number after "${t.text} =" at "${c.rest()}"`);
      return { kind: "string", value: t.value ?? "", enumValue: v.value };
    }
    return { kind: "string", value: t.value ?? "" };
  }
  const num = signedNumber(c);
  if (num) return { kind: "number", ...num };
  return { kind: "type", type: parseType(c, depth + 1) };
}

/** Parses a type spelling; throws TypeParseError naming what is wrong. */
export function parseTypeSyntax(raw: string, lex: LexOptions): TypeNode {
  let tokens: Token[];
  try {
    tokens = tokenize(raw, lex);
  } catch (e) {
    throw new TypeParseError((e as SqlSyntaxError).message);
  }
  if (tokens.some((t) => t.kind === "semicolon")) throw new TypeParseError('must not contain ";" (a type is not a statement)');
  if (tokens.some((t) => t.kind === "comment")) throw new TypeParseError("must not contain a comment");
  const c = new Cursor(tokens.filter((t) => t.kind !== "space"), raw);
  const node = parseType(c, 0);
  if (!c.done()) throw new TypeParseError(`has unexpected text after the type: "${c.rest()}"`);
  return node;
}

/** The words of a node as one upper-case name: "TIMESTAMP WITH TIME ZONE". */
export function upperName(ws: TypeWord[]): string {
  return ws.map((w) => w.text.toUpperCase()).join(" ");
}

/** A string literal in type text ('…', quotes doubled). */
export function typeString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
