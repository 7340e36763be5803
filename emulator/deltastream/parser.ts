/**
 * DeltaStream SQL, read the way the vendor reads it: a cursor over one statement's significant
 * tokens (the emulators' tokenizer, DuckDB's quoting rules: `"ident"` with `""`, `'string'` with
 * `''`), identifiers (quoted ones kept exactly, unquoted ones lower-cased), dotted names and
 * `WITH ( 'key' = value, … )` property lists whose values are strings, numbers, bare words
 * (`KAFKA`, `TRUE`, `NULL`), quoted identifiers or parenthesised lists.
 */
import { Tok, significant, tokenize, splitStatements, SqlError } from "../framework/sql";

/** A SQL error with the vendor's sqlState. */
export class SqlStateError extends Error {
  constructor(readonly sqlState: string, message: string) {
    super(message);
  }
}

export const syntaxError = (msg: string) => new SqlStateError("42601", msg);

/** A property value of a WITH list. */
export type PropValue =
  | { kind: "string"; value: string }
  | { kind: "number"; value: string }
  | { kind: "word"; value: string }
  | { kind: "ident"; value: string }
  | { kind: "null" }
  | { kind: "list"; items: string[] };

export type Props = Map<string, PropValue>;

/** One statement: its tokens and its text. */
export interface Stmt {
  text: string;
  toks: Tok[];
}

/** Splits a request's SQL into statements (a BEGIN APPLICATION … END APPLICATION block stays one). */
export function splitSql(sql: string): Stmt[] {
  let toks: Tok[];
  try {
    toks = tokenize(sql);
  } catch (e) {
    throw syntaxError(`parse error: ${(e as SqlError).message}`);
  }
  const parts = splitStatements(toks);
  const out: Stmt[] = [];
  let app: Tok[][] | undefined;
  const words = (p: Tok[]) => p.filter(significant).slice(0, 3).map((t) => (t.k === "word" ? t.v.toUpperCase() : ""));
  for (const p of parts) {
    const [a, b, c] = words(p);
    if (!app && ((a === "BEGIN" && b === "APPLICATION") || (a === "DESCRIBE" && b === "BEGIN" && c === "APPLICATION"))) app = [p];
    else if (app) {
      app.push(p);
      if (a === "END" && b === "APPLICATION") {
        const all = app.flatMap((x, i) => (i ? [{ k: "p", v: ";" } as Tok, ...x] : x));
        out.push({ text: textOf(sql, all), toks: all });
        app = undefined;
      }
    } else out.push({ text: textOf(sql, p), toks: p });
  }
  if (app) throw syntaxError("parse error: BEGIN APPLICATION without END APPLICATION");
  return out;
}

function textOf(sql: string, toks: Tok[]): string {
  const sig = toks.filter((t) => significant(t) && t.at !== undefined);
  if (!sig.length) return "";
  const last = sig[sig.length - 1];
  return sql.slice(sig[0].at!, last.at! + rawLength(sql, last)).trim();
}

/** The length of a token as written (string and identifier values are unescaped). */
export function rawLength(sql: string, t: Tok): number {
  if (t.k === "str" || t.k === "id") {
    const q = t.k === "str" ? "'" : '"';
    let j = t.at! + 1;
    for (;;) {
      if (j >= sql.length) return j - t.at!;
      if (sql[j] === q && sql[j + 1] === q) j += 2;
      else if (sql[j] === q) return j + 1 - t.at!;
      else j++;
    }
  }
  return t.v.length;
}

export class Cursor {
  readonly toks: Tok[];
  i = 0;
  constructor(readonly stmt: Stmt) {
    this.toks = stmt.toks.filter(significant);
  }

  get done(): boolean {
    return this.i >= this.toks.length;
  }
  peek(o = 0): Tok | undefined {
    return this.toks[this.i + o];
  }
  isWord(w: string, o = 0): boolean {
    const t = this.peek(o);
    return !!t && t.k === "word" && t.v.toUpperCase() === w;
  }
  isP(p: string, o = 0): boolean {
    const t = this.peek(o);
    return !!t && t.k === "p" && t.v === p;
  }
  /** Consumes the words if they come next. */
  accept(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) if (!this.isWord(words[k], k)) return false;
    this.i += words.length;
    return true;
  }
  expect(...words: string[]): void {
    if (!this.accept(...words)) throw syntaxError(`parse error: expected ${words.join(" ")} ${this.near()}`);
  }
  acceptP(p: string): boolean {
    if (!this.isP(p)) return false;
    this.i++;
    return true;
  }
  expectP(p: string): void {
    if (!this.acceptP(p)) throw syntaxError(`parse error: expected '${p}' ${this.near()}`);
  }
  near(): string {
    const t = this.peek();
    return t ? `at '${t.v}'` : "at end of input";
  }
  /** The next word, upper-cased (not consumed), or "". */
  word(o = 0): string {
    const t = this.peek(o);
    return t && t.k === "word" ? t.v.toUpperCase() : "";
  }
  /** An identifier: quoted kept as is, unquoted lower-cased. */
  ident(what = "identifier"): string {
    const t = this.peek();
    if (!t || (t.k !== "id" && t.k !== "word")) throw syntaxError(`parse error: expected ${what} ${this.near()}`);
    this.i++;
    if (t.k === "id") {
      if (t.v === "") throw syntaxError("parse error: zero-length delimited identifier");
      return t.v;
    }
    return t.v.toLowerCase();
  }
  /** A dotted name of 1..max parts. */
  name(max = 3, what = "name"): string[] {
    const parts = [this.ident(what)];
    while (parts.length < max && this.isP(".")) {
      this.i++;
      parts.push(this.ident(what));
    }
    return parts;
  }
  /** An identifier or a string literal (API token names, query ids). */
  identOrString(what = "name"): string {
    const t = this.peek();
    if (t?.k === "str") {
      this.i++;
      return t.v;
    }
    return this.ident(what);
  }
  /** A query id: a UUID as written (`TERMINATE QUERY 8f05…-…;`), quoted, or a string. */
  queryId(): string {
    const t = this.peek();
    if (!t) throw syntaxError("parse error: expected a query id at end of input");
    if (t.k === "str" || t.k === "id") {
      this.i++;
      return t.v;
    }
    let out = "";
    let end: number | undefined;
    while (!this.done) {
      const x = this.peek()!;
      if (end !== undefined && x.at !== end) break;
      if (!(x.k === "word" || x.k === "num" || (x.k === "p" && x.v === "-"))) break;
      out += x.v;
      end = x.at === undefined ? undefined : x.at + x.v.length;
      this.i++;
      if (end === undefined) break;
    }
    if (!out) throw syntaxError(`parse error: expected a query id ${this.near()}`);
    return out.toLowerCase();
  }

  /** `WITH ( … )` if present. */
  withProps(): Props {
    if (!this.isWord("WITH") || !this.isP("(", 1)) return new Map();
    this.i++;
    return this.props();
  }
  /** `( 'k' = v, … )` */
  props(): Props {
    this.expectP("(");
    const out: Props = new Map();
    if (this.acceptP(")")) return out;
    for (;;) {
      const k = this.peek();
      if (!k || (k.k !== "str" && k.k !== "id" && k.k !== "word")) throw syntaxError(`parse error: expected a property name ${this.near()}`);
      this.i++;
      const key = k.k === "word" ? k.v.toLowerCase() : k.v;
      if (this.acceptP("=")) out.set(key, this.value());
      else out.set(key, { kind: "word", value: "TRUE" }); // a flag: WITH ('from_beginning')
      if (this.acceptP(")")) return out;
      this.expectP(",");
    }
  }
  private value(): PropValue {
    const t = this.peek();
    if (!t) throw syntaxError("parse error: expected a value at end of input");
    this.i++;
    if (t.k === "str") return { kind: "string", value: t.v };
    if (t.k === "num") return { kind: "number", value: t.v };
    if (t.k === "p" && t.v === "-" && this.peek()?.k === "num") return { kind: "number", value: "-" + this.toks[this.i++].v };
    if (t.k === "id") return { kind: "ident", value: t.v };
    if (t.k === "word") return t.v.toUpperCase() === "NULL" ? { kind: "null" } : { kind: "word", value: t.v };
    if (t.k === "p" && t.v === "(") {
      const items: string[] = [];
      if (this.acceptP(")")) return { kind: "list", items };
      for (;;) {
        items.push(this.identOrString());
        if (this.acceptP(")")) return { kind: "list", items };
        this.expectP(",");
      }
    }
    throw syntaxError(`parse error: no viable alternative at input '${t.v}'`);
  }
  /** The source text from the current token to the end. */
  rest(): string {
    const t = this.peek();
    if (!t || t.at === undefined) return "";
    return this.stmt.text.slice(t.at - this.toks[0].at!).trim();
  }
  end(): void {
    if (!this.done) throw syntaxError(`parse error: extraneous input '${this.peek()!.v}' expecting {<EOF>, ';'}`);
  }
}

/** A property's value as text (`NULL` → null; lists joined by commas). */
export function propText(v: PropValue | undefined): string | null | undefined {
  if (v === undefined) return undefined;
  if (v.kind === "null") return null;
  if (v.kind === "list") return v.items.join(",");
  return v.value;
}

/** Quotes an identifier the vendor's way (`"` doubled). */
export const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;
