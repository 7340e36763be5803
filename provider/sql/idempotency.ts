/**
 * Whether a statement may be sent again after a failure that leaves its outcome unknown (a 5xx,
 * a reset connection): decided from its parsed leading tokens by one table per dialect.
 *
 * A rule is a pattern over the statement's significant tokens, matched as a prefix:
 *   KEYWORD    that word (case-insensitive)
 *   A|B        one of the words
 *   ?KEYWORD   an optional word
 *   $id        an identifier, bare or quoted, possibly qualified (a.b."c")
 *   ~N         up to N tokens of anything (DROP ~2 IF EXISTS: DROP MATERIALIZED VIEW IF EXISTS)
 *   *          any one token
 * The first rule that matches decides; a statement no rule knows is not idempotent. An ALTER
 * with several comma-separated actions is idempotent only when every action is. A script
 * (BEGIN; …; COMMIT) is idempotent only when every statement in it is.
 */
import { LexOptions, Token, significant, splitStatements } from "./tokenizer";

/** true: repeat freely; false: never resend blindly; "inner": decided by what follows the match; "control": BEGIN/COMMIT. */
export type Verdict = boolean | "inner" | "control" | "read-unless-dml";

export interface IdempotencyRule {
  pattern: string;
  verdict: Verdict;
  /** Why, in a few words (shown in tests and logs). */
  why: string;
}

export interface Idempotency {
  idempotent: boolean;
  /** The rule that decided (or why none did), per statement. */
  reasons: string[];
}

function isIdent(t: Token | undefined): boolean {
  return !!t && (t.kind === "word" || t.kind === "quoted");
}

/** Matches `pattern` at the start of `toks`; returns how many tokens it consumed, or -1. */
function matchPrefix(pattern: string[], toks: Token[], pi = 0, ti = 0): number {
  if (pi === pattern.length) return ti;
  const p = pattern[pi];
  const t = toks[ti];
  if (p.startsWith("~")) {
    const max = Number(p.slice(1));
    for (let skip = 0; skip <= max && ti + skip <= toks.length; skip++) {
      const r = matchPrefix(pattern, toks, pi + 1, ti + skip);
      if (r >= 0) return r;
    }
    return -1;
  }
  if (p === "*") return t ? matchPrefix(pattern, toks, pi + 1, ti + 1) : -1;
  if (p === "$id") {
    if (!isIdent(t)) return -1;
    let j = ti + 1;
    while (toks[j]?.text === "." && isIdent(toks[j + 1])) j += 2;
    return matchPrefix(pattern, toks, pi + 1, j);
  }
  const optional = p.startsWith("?");
  const words = (optional ? p.slice(1) : p).split("|");
  if (t?.kind === "word" && words.includes(t.text.toUpperCase())) {
    const r = matchPrefix(pattern, toks, pi + 1, ti + 1);
    if (r >= 0 || !optional) return r;
  }
  return optional ? matchPrefix(pattern, toks, pi + 1, ti) : -1;
}

export class IdempotencyTable {
  private readonly compiled: { words: string[]; rule: IdempotencyRule }[];

  constructor(readonly rules: readonly IdempotencyRule[], private readonly lex: LexOptions, private readonly alterPrefix = "ALTER TABLE ?IF ?EXISTS $id") {
    this.compiled = rules.map((rule) => ({ words: rule.pattern.trim().split(/\s+/), rule }));
  }

  private decide(toks: Token[], depth = 0): { idempotent: boolean | "control"; why: string } {
    if (toks.length === 0) return { idempotent: "control", why: "empty" };
    // ALTER TABLE x a, b, c: every action must be idempotent.
    const prefixLen = matchPrefix(this.alterPrefix.split(/\s+/), toks);
    if (prefixLen > 0 && prefixLen < toks.length) {
      const actions: Token[][] = [[]];
      let level = 0;
      for (const t of toks.slice(prefixLen)) {
        if (t.text === "(" || t.text === "[") level++;
        if (t.text === ")" || t.text === "]") level--;
        if (t.text === "," && level === 0) actions.push([]);
        else actions[actions.length - 1].push(t);
      }
      if (actions.length > 1) {
        const each = actions.map((a) => this.decideOne([...toks.slice(0, prefixLen), ...a], depth));
        const bad = each.find((e) => e.idempotent !== true);
        return bad ?? { idempotent: true, why: each.map((e) => e.why).join(", ") };
      }
    }
    return this.decideOne(toks, depth);
  }

  private decideOne(toks: Token[], depth: number): { idempotent: boolean | "control"; why: string } {
    for (const { words, rule } of this.compiled) {
      const n = matchPrefix(words, toks);
      if (n < 0) continue;
      if (rule.verdict === "read-unless-dml") {
        const dml = toks.find((t) => t.kind === "word" && /^(INSERT|UPDATE|DELETE|MERGE)$/i.test(t.text));
        return dml ? { idempotent: false, why: `${rule.why}: contains ${dml.text.toUpperCase()}` } : { idempotent: true, why: rule.why };
      }
      if (rule.verdict === "inner") {
        if (depth > 4) return { idempotent: false, why: rule.why };
        const inner = this.decide(toks.slice(n), depth + 1);
        return { idempotent: inner.idempotent === true, why: `${rule.why}: ${inner.why}` };
      }
      return { idempotent: rule.verdict, why: rule.why };
    }
    const lead = toks.slice(0, 2).map((t) => t.text.toUpperCase()).join(" ");
    return { idempotent: false, why: `${lead}: not known to be repeatable` };
  }

  /** Classifies a statement or a script of statements. */
  classify(sql: string): Idempotency {
    let statements;
    try {
      statements = splitStatements(sql, this.lex);
    } catch (e) {
      return { idempotent: false, reasons: [`does not tokenize (${(e as Error).message}): not retried`] };
    }
    const decided = statements.map((s) => this.decide(significant(s.tokens)));
    const real = decided.filter((d) => d.idempotent !== "control");
    return { idempotent: real.length > 0 ? real.every((d) => d.idempotent === true) : true, reasons: decided.map((d) => d.why) };
  }
}

/** Rules most SQL engines share: reads, CREATE OR REPLACE, IF [NOT] EXISTS, COMMENT ON, transactions. */
export const COMMON_RULES: IdempotencyRule[] = [
  { pattern: "BEGIN|START|COMMIT|END|ROLLBACK|ABORT", verdict: "control", why: "transaction control" },
  { pattern: "SELECT", verdict: true, why: "read" },
  { pattern: "WITH", verdict: "read-unless-dml", why: "WITH … SELECT is a read" },
  { pattern: "VALUES", verdict: true, why: "read" },
  { pattern: "SHOW", verdict: true, why: "read" },
  { pattern: "DESCRIBE|DESC", verdict: true, why: "read" },
  { pattern: "EXPLAIN ANALYZE|ANALYSE", verdict: "inner", why: "EXPLAIN ANALYZE runs the statement" },
  { pattern: "EXPLAIN", verdict: true, why: "read (plan only)" },
  { pattern: "SET|RESET|USE", verdict: true, why: "sets a session value" },
  { pattern: "CREATE OR REPLACE", verdict: true, why: "CREATE OR REPLACE" },
  { pattern: "CREATE ~4 IF NOT EXISTS", verdict: true, why: "CREATE … IF NOT EXISTS" },
  { pattern: "CREATE", verdict: false, why: "CREATE fails the second time" },
  { pattern: "DROP ~3 IF EXISTS", verdict: true, why: "DROP … IF EXISTS" },
  { pattern: "DROP", verdict: false, why: "DROP fails the second time" },
  { pattern: "COMMENT ON", verdict: true, why: "sets a comment" },
  { pattern: "TRUNCATE", verdict: true, why: "empties the table (same result twice)" },
  { pattern: "GRANT|REVOKE", verdict: true, why: "grants are sets" },
  { pattern: "INSERT|UPDATE|DELETE|MERGE|UPSERT|REPLACE|COPY|CALL", verdict: false, why: "changes rows: a repeat applies twice" },
];

/** ALTER TABLE actions of the PostgreSQL family (PostgreSQL, DuckDB). */
export const PG_ALTER_RULES: IdempotencyRule[] = [
  { pattern: "ALTER TABLE ?IF ?EXISTS $id ALTER ?COLUMN $id SET|DROP DEFAULT", verdict: true, why: "ALTER COLUMN SET/DROP DEFAULT" },
  { pattern: "ALTER TABLE ?IF ?EXISTS $id ALTER ?COLUMN $id SET|DROP NOT NULL", verdict: true, why: "ALTER COLUMN SET/DROP NOT NULL" },
  { pattern: "ALTER TABLE ?IF ?EXISTS $id ALTER ?COLUMN $id ?SET ?DATA TYPE", verdict: true, why: "ALTER COLUMN TYPE" },
  { pattern: "ALTER TABLE ?IF ?EXISTS $id ADD ?COLUMN IF NOT EXISTS", verdict: true, why: "ADD COLUMN IF NOT EXISTS" },
  { pattern: "ALTER TABLE ?IF ?EXISTS $id DROP ?COLUMN IF EXISTS", verdict: true, why: "DROP COLUMN IF EXISTS" },
  { pattern: "ALTER TABLE ?IF ?EXISTS $id ADD", verdict: false, why: "ADD fails the second time" },
  { pattern: "ALTER TABLE ?IF ?EXISTS $id DROP", verdict: false, why: "DROP fails the second time" },
  { pattern: "ALTER TABLE ?IF ?EXISTS $id RENAME", verdict: false, why: "RENAME fails the second time" },
  { pattern: "ALTER TABLE ?IF ?EXISTS $id SET", verdict: true, why: "sets a property" },
  { pattern: "ALTER TABLE ?IF ?EXISTS $id OWNER TO", verdict: true, why: "sets the owner" },
];
