/**
 * The one SQL tokenizer. Every dialect reads SQL through it: strings (with their escape rules),
 * quoted identifiers ("x", and `x` for ClickHouse), $tag$ dollar quotes (PostgreSQL, DuckDB),
 * `--` and `/* *\/` comments (nested for PostgreSQL and DuckDB), numbers, words, operators and
 * semicolons. It never guesses: an unterminated string, identifier or comment is an error.
 */

export type TokenKind = "word" | "quoted" | "string" | "number" | "op" | "punct" | "semicolon" | "comment" | "space";

export interface Token {
  kind: TokenKind;
  /** The exact source text. */
  text: string;
  /** For `quoted` and `string`: the unescaped value. */
  value?: string;
  start: number;
  end: number;
}

export interface LexOptions {
  /** `identifier` quotes as well as "identifier" (ClickHouse). */
  backtickIdentifiers?: boolean;
  /** `$$…$$` and `$tag$…$tag$` strings (PostgreSQL, DuckDB). */
  dollarQuotes?: boolean;
  /** `\'` and `\\` escapes inside every '…' string (ClickHouse). PostgreSQL has them only in E'…'. */
  backslashEscapes?: boolean;
  /** E'…' strings with backslash escapes (PostgreSQL, DuckDB). */
  escapeStrings?: boolean;
  /** Block comments nest (PostgreSQL, DuckDB). */
  nestedComments?: boolean;
}

export class SqlSyntaxError extends Error {
  constructor(message: string, readonly position: number) {
    super(message);
    this.name = "SqlSyntaxError";
  }
}

const WORD_START = /[A-Za-z_\u0080-\uFFFF]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uFFFF]/;
const OPS = ["::", "<=", ">=", "<>", "!=", "||", "->>", "->", "=>", "==", "**"];

function unescapeBackslash(s: string): string {
  return s.replace(/\\(.)/gs, (_m, c: string) => ({ n: "\n", t: "\t", r: "\r", "0": "\0", b: "\b", f: "\f" })[c] ?? c);
}

/** Tokens of `sql`, comments and whitespace included (`significant` drops them). */
export function tokenize(sql: string, opts: LexOptions = {}): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = sql.length;
  const push = (kind: TokenKind, start: number, end: number, value?: string) => out.push({ kind, text: sql.slice(start, end), start, end, ...(value !== undefined ? { value } : {}) });
  while (i < n) {
    const c = sql[i];
    const start = i;
    if (/\s/.test(c)) {
      while (i < n && /\s/.test(sql[i])) i++;
      push("space", start, i);
    } else if (c === "-" && sql[i + 1] === "-") {
      while (i < n && sql[i] !== "\n") i++;
      push("comment", start, i);
    } else if (c === "/" && sql[i + 1] === "*") {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === "*" && sql[i + 1] === "/") {
          depth--;
          i += 2;
        } else if (opts.nestedComments && sql[i] === "/" && sql[i + 1] === "*") {
          depth++;
          i += 2;
        } else i++;
      }
      if (depth > 0) throw new SqlSyntaxError(`unterminated /* comment starting at character ${start + 1}`, start);
      push("comment", start, i);
    } else if (c === "'" || ((c === "E" || c === "e") && sql[i + 1] === "'" && opts.escapeStrings)) {
      const backslash = opts.backslashEscapes || c !== "'";
      i += c === "'" ? 1 : 2;
      let value = "";
      for (;;) {
        if (i >= n) throw new SqlSyntaxError(`unterminated string starting at character ${start + 1}`, start);
        const ch = sql[i];
        if (backslash && ch === "\\" && i + 1 < n) {
          value += unescapeBackslash(sql.slice(i, i + 2));
          i += 2;
        } else if (ch === "'" && sql[i + 1] === "'") {
          value += "'";
          i += 2;
        } else if (ch === "'") {
          i++;
          break;
        } else {
          value += ch;
          i++;
        }
      }
      push("string", start, i, value);
    } else if (c === '"' || (c === "`" && opts.backtickIdentifiers)) {
      i++;
      let value = "";
      for (;;) {
        if (i >= n) throw new SqlSyntaxError(`unterminated quoted identifier starting at character ${start + 1}`, start);
        const ch = sql[i];
        if (ch === c && sql[i + 1] === c) {
          value += c;
          i += 2;
        } else if (ch === c) {
          i++;
          break;
        } else if (opts.backslashEscapes && ch === "\\" && i + 1 < n) {
          value += unescapeBackslash(sql.slice(i, i + 2));
          i += 2;
        } else {
          value += ch;
          i++;
        }
      }
      push("quoted", start, i, value);
    } else if (c === "$" && opts.dollarQuotes && /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.test(sql.slice(i, i + 64))) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64))![0];
      const close = sql.indexOf(tag, i + tag.length);
      if (close < 0) throw new SqlSyntaxError(`unterminated ${tag} string starting at character ${start + 1}`, start);
      i = close + tag.length;
      push("string", start, i, sql.slice(start + tag.length, close));
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(sql[i + 1] ?? ""))) {
      if (c === "0" && /[xX]/.test(sql[i + 1] ?? "")) {
        i += 2;
        while (i < n && /[0-9A-Fa-f_]/.test(sql[i])) i++;
      } else {
        while (i < n && /[0-9_]/.test(sql[i])) i++;
        if (sql[i] === "." && sql[i + 1] !== ".") {
          i++;
          while (i < n && /[0-9_]/.test(sql[i])) i++;
        }
        if (/[eE]/.test(sql[i] ?? "") && /[0-9]/.test(sql[i + 1] === "+" || sql[i + 1] === "-" ? sql[i + 2] ?? "" : sql[i + 1] ?? "")) {
          i += sql[i + 1] === "+" || sql[i + 1] === "-" ? 2 : 1;
          while (i < n && /[0-9]/.test(sql[i])) i++;
        }
      }
      if (i < n && WORD_PART.test(sql[i]) && !/[0-9]/.test(sql[i])) {
        // 1abc is not a number; treat it as a word (DuckDB / ClickHouse allow such identifiers rarely; the parsers refuse it).
        while (i < n && WORD_PART.test(sql[i])) i++;
        push("word", start, i);
      } else push("number", start, i);
    } else if (WORD_START.test(c)) {
      while (i < n && WORD_PART.test(sql[i])) i++;
      push("word", start, i);
    } else if (c === ";") {
      i++;
      push("semicolon", start, i);
    } else if ("(),[]{}.".includes(c)) {
      i++;
      push("punct", start, i);
    } else {
      const op = OPS.find((o) => sql.startsWith(o, i));
      i += op ? op.length : 1;
      push("op", start, i);
    }
  }
  return out;
}

/** Tokens without whitespace and comments. */
export function significant(tokens: Token[]): Token[] {
  return tokens.filter((t) => t.kind !== "space" && t.kind !== "comment");
}

export interface Statement {
  /** The statement's text: leading and trailing whitespace/comments and the semicolon removed. */
  text: string;
  /** Its tokens (whitespace and comments inside kept). */
  tokens: Token[];
}

/** The statements of a script, split on semicolons outside strings, identifiers and comments. Empty statements are dropped. */
export function splitStatements(sql: string, opts: LexOptions = {}): Statement[] {
  const tokens = tokenize(sql, opts);
  const out: Statement[] = [];
  let cur: Token[] = [];
  const flush = () => {
    const sig = cur.map((t, i) => (t.kind === "space" || t.kind === "comment" ? -1 : i)).filter((i) => i >= 0);
    if (sig.length > 0) {
      const body = cur.slice(sig[0], sig[sig.length - 1] + 1);
      out.push({ text: sql.slice(body[0].start, body[body.length - 1].end), tokens: body });
    }
    cur = [];
  };
  for (const t of tokens) {
    if (t.kind === "semicolon") flush();
    else cur.push(t);
  }
  flush();
  return out;
}

/**
 * The one statement of `sql`, without its trailing semicolon and trailing comments (so a
 * caller can wrap it in more SQL safely), or an error saying how many there are.
 */
export function singleStatement(sql: string, opts: LexOptions = {}): Statement {
  const statements = splitStatements(sql, opts);
  if (statements.length !== 1) throw new SqlSyntaxError(`must be exactly one statement; found ${statements.length}`, 0);
  // A comment inside the statement is fine; one at its end was already cut off by splitStatements.
  return statements[0];
}

/** Upper-cased first word of a statement (after leading comments), or "" when it starts otherwise. */
export function leadingWord(tokens: Token[]): string {
  const first = significant(tokens)[0];
  return first?.kind === "word" ? first.text.toUpperCase() : "";
}
