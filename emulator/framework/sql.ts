/**
 * The one SQL tokenizer of the emulators, parameterised by dialect: whitespace, comments
 * (`--`, `/* *\/`), string literals (with `''`, and backslash escapes where the dialect has
 * them), quoted identifiers (`"…"`, and backquotes where the dialect has them), words, numbers
 * and punctuation, each with its offset. Plus statement splitting on `;` and helpers on tokens.
 * ByteHouse's ClickHouse→DuckDB translation (emulator/bytehouse/sqlparse.ts) is built on it;
 * Altertable (DuckDB's dialect) uses it to find statement boundaries.
 */
export type TokKind = "ws" | "cmt" | "str" | "id" | "word" | "num" | "p";

export interface Tok {
  k: TokKind;
  /** The token's value: a string literal unescaped, an identifier unquoted, anything else as written. */
  v: string;
  /** Offset of the token in the source. */
  at?: number;
}

export interface SqlDialect {
  /** `'it\'s'` and `\n` escapes inside string literals (ClickHouse, MySQL). */
  backslashEscapes: boolean;
  /** Backquoted identifiers (ClickHouse, MySQL). */
  backquoteIdents: boolean;
}

export const CLICKHOUSE_DIALECT: SqlDialect = { backslashEscapes: true, backquoteIdents: true };
export const DUCKDB_DIALECT: SqlDialect = { backslashEscapes: false, backquoteIdents: false };

export class SqlError extends Error {}

export function tokenize(sql: string, dialect: SqlDialect = DUCKDB_DIALECT): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    const at = i;
    if (/\s/.test(c)) {
      let j = i;
      while (j < n && /\s/.test(sql[j])) j++;
      out.push({ k: "ws", v: sql.slice(i, j), at });
      i = j;
    } else if (c === "-" && sql[i + 1] === "-") {
      let j = i;
      while (j < n && sql[j] !== "\n") j++;
      out.push({ k: "cmt", v: sql.slice(i, j), at });
      i = j;
    } else if (c === "/" && sql[i + 1] === "*") {
      const j = sql.indexOf("*/", i + 2);
      if (j < 0) throw new SqlError("Syntax error: unterminated comment");
      out.push({ k: "cmt", v: sql.slice(i, j + 2), at });
      i = j + 2;
    } else if (c === "'") {
      let j = i + 1;
      let v = "";
      for (;;) {
        if (j >= n) throw new SqlError("Syntax error: unterminated string literal");
        const d = sql[j];
        if (dialect.backslashEscapes && d === "\\" && j + 1 < n) {
          const e = sql[j + 1];
          v += e === "n" ? "\n" : e === "t" ? "\t" : e === "r" ? "\r" : e === "0" ? "\0" : e;
          j += 2;
        } else if (d === "'" && sql[j + 1] === "'") {
          v += "'";
          j += 2;
        } else if (d === "'") {
          j++;
          break;
        } else {
          v += d;
          j++;
        }
      }
      out.push({ k: "str", v, at });
      i = j;
    } else if (c === '"' || (c === "`" && dialect.backquoteIdents)) {
      let j = i + 1;
      let v = "";
      for (;;) {
        if (j >= n) throw new SqlError("Syntax error: unterminated quoted identifier");
        if (sql[j] === c && sql[j + 1] === c) {
          v += c;
          j += 2;
        } else if (sql[j] === "\\" && c === "`" && j + 1 < n) {
          v += sql[j + 1];
          j += 2;
        } else if (sql[j] === c) {
          j++;
          break;
        } else v += sql[j++];
      }
      out.push({ k: "id", v, at });
      i = j;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < n && /[A-Za-z0-9_$]/.test(sql[j])) j++;
      out.push({ k: "word", v: sql.slice(i, j), at });
      i = j;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?/.exec(sql.slice(i))!;
      out.push({ k: "num", v: m[0], at });
      i += m[0].length;
    } else {
      out.push({ k: "p", v: c, at });
      i++;
    }
  }
  return out;
}

/** A token that is neither whitespace nor a comment. */
export const significant = (t: Tok | undefined): t is Tok => !!t && t.k !== "ws" && t.k !== "cmt";

/** Statements separated by `;` (empty ones dropped). */
export function splitStatements(toks: Tok[]): Tok[][] {
  const out: Tok[][] = [];
  let cur: Tok[] = [];
  for (const t of toks) {
    if (t.k === "p" && t.v === ";") {
      if (cur.some(significant)) out.push(cur);
      cur = [];
    } else cur.push(t);
  }
  if (cur.some(significant)) out.push(cur);
  return out;
}

/**
 * The source without what follows its last significant token other than `;` (trailing
 * semicolons, comments, whitespace), for wrapping a statement in a subquery. Unparseable text
 * (an unterminated literal) is returned trimmed, for the engine to report.
 */
export function trimStatementEnd(sql: string, dialect: SqlDialect = DUCKDB_DIALECT): string {
  let toks: Tok[];
  try {
    toks = tokenize(sql, dialect);
  } catch {
    return sql.trim();
  }
  for (let i = toks.length - 1; i >= 0; i--) {
    const t = toks[i];
    if (!significant(t) || (t.k === "p" && t.v === ";")) continue;
    const next = toks[i + 1];
    return sql.slice(0, next?.at ?? sql.length).trim();
  }
  return "";
}
