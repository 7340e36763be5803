/**
 * Column DEFAULT expressions, parsed by the tokenizer and limited to safe shapes: literals
 * (strings, numbers, TRUE/FALSE/NULL, typed literals such as DATE '2020-01-01' and
 * INTERVAL '1 day'), constants such as CURRENT_TIMESTAMP, function calls (now(),
 * nextval('seq')), casts (CAST(x AS T), x::T, with T checked by the vendor's type system),
 * arithmetic, parentheses and array brackets. Never a second statement, a comment, a
 * sub-query, a column reference or unbalanced parentheses.
 */
import { TypeSystem } from "../framework/columns";
import { LexOptions, SqlSyntaxError, Token, tokenize } from "./tokenizer";

export type ParsedDefault = { ok: true; text: string } | { ok: false; error: string };

/** Words that stand alone as values. */
const CONSTANTS = new Set(["TRUE", "FALSE", "NULL", "CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME", "LOCALTIMESTAMP", "LOCALTIME", "CURRENT_USER", "CURRENT_ROLE", "SESSION_USER"]);
/** Words that prefix a string literal: DATE '2020-01-01'. */
const TYPED_LITERALS = new Set(["DATE", "TIME", "TIMESTAMP", "TIMESTAMPTZ", "INTERVAL", "UUID", "JSON"]);
/** Words that never start a function call in a default (statements, sub-queries). */
const NEVER = new Set(["SELECT", "WITH", "INSERT", "UPDATE", "DELETE", "DROP", "CREATE", "ALTER", "ATTACH", "DETACH", "COPY", "EXPORT", "IMPORT", "PRAGMA", "CALL", "EXECUTE", "SET", "TRUNCATE", "GRANT", "REVOKE", "INSTALL", "LOAD", "FROM", "VALUES", "TABLE"]);
const OPERATORS = new Set(["+", "-", "*", "/", "%", "||"]);
const INTERVAL_UNITS = new Set(["YEAR", "YEARS", "MONTH", "MONTHS", "DAY", "DAYS", "HOUR", "HOURS", "MINUTE", "MINUTES", "SECOND", "SECONDS"]);

class DefaultError extends Error {}

export function parseDefault(text: string, lex: LexOptions, types: TypeSystem): ParsedDefault {
  try {
    if (typeof text !== "string" || text.trim() === "") throw new DefaultError("is empty");
    let all: Token[];
    try {
      all = tokenize(text, lex);
    } catch (e) {
      throw new DefaultError((e as SqlSyntaxError).message);
    }
    if (all.some((t) => t.kind === "semicolon")) throw new DefaultError('must be one expression, not statements (found ";")');
    if (all.some((t) => t.kind === "comment")) throw new DefaultError("must not contain a comment");
    const toks = all.filter((t) => t.kind !== "space");
    const stack: string[] = [];
    /** Positions inside CAST( … ) whose AS is allowed. */
    const castDepths: number[] = [];
    let expectValue = true;
    const readType = (i: number): number => {
      // A type: words, then one balanced ( … ) group, then [] pairs.
      let j = i;
      while (toks[j]?.kind === "word") j++;
      if (j === i) throw new DefaultError(`expected a type after "${toks[i - 1].text}"`);
      if (toks[j]?.text === "(") {
        let depth = 0;
        for (; j < toks.length; j++) {
          if (toks[j].text === "(") depth++;
          else if (toks[j].text === ")" && --depth === 0) break;
        }
        if (depth !== 0) throw new DefaultError("has unbalanced parentheses");
        j++;
        while (toks[j]?.kind === "word") j++;
      }
      while (toks[j]?.text === "[" && toks[j + 1]?.text === "]") j += 2;
      const spelled = text.slice(toks[i].start, toks[j - 1].end);
      const p = types.parse(spelled);
      if (!p.ok) throw new DefaultError(`casts to "${spelled}", which is not a ${types.name} type: ${p.error}`);
      return j;
    };
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      const up = t.text.toUpperCase();
      const next = toks[i + 1];
      if (t.kind === "string" || t.kind === "number") {
        if (!expectValue) throw new DefaultError(`has a value where an operator belongs at "${t.text}"`);
        expectValue = false;
      } else if (t.kind === "quoted") {
        throw new DefaultError(`must not refer to ${t.text} (a default is a constant expression)`);
      } else if (t.kind === "word") {
        if (up === "AS" && castDepths.length && castDepths[castDepths.length - 1] === stack.length && !expectValue) {
          i = readType(i + 1) - 1;
          expectValue = false;
          continue;
        }
        if (!expectValue) {
          if (INTERVAL_UNITS.has(up) && toks[i - 1]?.kind === "string") continue; // INTERVAL '1' DAY
          throw new DefaultError(`has "${t.text}" where an operator belongs`);
        }
        if (NEVER.has(up)) throw new DefaultError(`must not contain ${up} (a default is one expression, not a query or a statement)`);
        // A function call, possibly qualified: name( or schema.name(
        let j = i;
        while (toks[j + 1]?.text === "." && toks[j + 2]?.kind === "word") j += 2;
        if (toks[j + 1]?.text === "(") {
          if (up === "CAST" || up === "TRY_CAST") castDepths.push(stack.length + 1);
          i = j; // the "(" is handled next
          expectValue = true;
          continue;
        }
        if (j !== i) throw new DefaultError(`must not refer to ${text.slice(t.start, toks[j].end)} (a default is a constant expression)`);
        if (CONSTANTS.has(up)) {
          expectValue = false;
        } else if (TYPED_LITERALS.has(up) && next?.kind === "string") {
          // DATE '…': the string follows
        } else throw new DefaultError(`must not refer to ${t.text} (a default is a literal, a constant such as CURRENT_TIMESTAMP, a function call, a cast or arithmetic)`);
      } else if (t.text === "(" || t.text === "[") {
        stack.push(t.text);
        expectValue = true;
        if (next && ((t.text === "(" && next.text === ")") || (t.text === "[" && next.text === "]"))) expectValue = false;
      } else if (t.text === ")" || t.text === "]") {
        const open = stack.pop();
        if (open !== (t.text === ")" ? "(" : "[")) throw new DefaultError("has unbalanced parentheses");
        if (castDepths.length && castDepths[castDepths.length - 1] === stack.length + 1) castDepths.pop();
        expectValue = false;
      } else if (t.text === ",") {
        if (stack.length === 0) throw new DefaultError('is more than one expression (a "," outside parentheses)');
        expectValue = true;
      } else if (t.text === "::") {
        if (expectValue) throw new DefaultError('has "::" without a value before it');
        i = readType(i + 1) - 1;
        expectValue = false;
      } else if (t.kind === "op" && OPERATORS.has(t.text)) {
        if (expectValue && t.text !== "-" && t.text !== "+") throw new DefaultError(`has "${t.text}" without a value before it`);
        expectValue = true;
      } else {
        throw new DefaultError(`must not contain "${t.text}"`);
      }
    }
    if (stack.length) throw new DefaultError("has unbalanced parentheses");
    if (expectValue) throw new DefaultError("ends with an operator");
    return { ok: true, text: text.trim() };
  } catch (e) {
    if (e instanceof DefaultError) return { ok: false, error: e.message };
    throw e;
  }
}

/**
 * A default the vendor takes as is (ByteHouse's REST API: `defaultValue: "2019-01-01"`), so no
 * shape is imposed; but it must not end a statement, open a comment, or leave a quote open.
 */
export function parseOpaqueDefault(text: string, lex: LexOptions): ParsedDefault {
  let tokens: Token[];
  try {
    tokens = tokenize(text, lex);
  } catch (e) {
    return { ok: false, error: (e as SqlSyntaxError).message };
  }
  if (tokens.some((t) => t.kind === "semicolon")) return { ok: false, error: 'must be one value, not statements (found ";")' };
  if (tokens.some((t) => t.kind === "comment")) return { ok: false, error: "must not contain a comment" };
  return { ok: true, text };
}
