/**
 * The program's own DeltaStream statements (a relation's CREATE, a query's INSERT INTO … SELECT):
 * checked locally to be one statement of the right kind, then planned by DeltaStream's
 * `DESCRIBE <statement>` (notes §1.4), whose row is (statement kind, plan JSON
 * `{ddl?, sink?, sources?}`) — so a statement aimed at another database, schema or store is refused
 * at preview, naming the field.
 */
import { DeltaStreamApi, StatementContext } from "./api";
import { DELTASTREAM_DIALECT } from "./api";
import { SqlPart, raw, sql } from "../sql/builder";
import { SqlSyntaxError, significant, singleStatement, splitStatements } from "../sql/tokenizer";

export interface PlannedRelation {
  fqn?: string;
  type?: string;
  db_name?: string;
  schema_name?: string;
  name?: string;
  store_name?: string;
}

export interface Plan {
  kind: string;
  ddl?: PlannedRelation;
  sink?: PlannedRelation;
  sources?: PlannedRelation[];
}

/** The leading words of one statement, upper-cased, or an error saying why it is not one statement. */
export function leadingWords(text: string, n = 4): { ok: true; words: string[]; text: string } | { ok: false; error: string } {
  try {
    const s = singleStatement(text, DELTASTREAM_DIALECT.lex);
    const words = significant(s.tokens)
      .slice(0, n)
      .map((t) => (t.kind === "word" ? t.text.toUpperCase() : t.text));
    return { ok: true, words, text: s.text };
  } catch (e) {
    if (e instanceof SqlSyntaxError) return { ok: false, error: e.message };
    throw e;
  }
}

/** Statements of a list, each checked to be one statement. */
export function eachStatement(texts: string[]): string[] {
  return texts.map((t) => {
    const s = splitStatements(t, DELTASTREAM_DIALECT.lex).filter((x) => significant(x.tokens).length > 0);
    if (s.length !== 1) throw new Error("must be exactly one statement");
    return s[0].text;
  });
}

/** The program's statement, sent as written once checked (one statement, of the kind its field allows). */
export function programStatement(text: string): SqlPart {
  const w = leadingWords(text);
  if (!w.ok) throw new Error(w.error);
  return raw(w.text, "the program's own DeltaStream statement, checked to be exactly one statement of the field's kind and planned by DESCRIBE at preview");
}

function parsePlan(value: unknown): Omit<Plan, "kind"> {
  if (value && typeof value === "object") return value as Omit<Plan, "kind">;
  try {
    return JSON.parse(String(value)) as Omit<Plan, "kind">;
  } catch {
    return {};
  }
}

/** `DESCRIBE <statement>`: the statement kind and its plan. */
export async function describe(api: DeltaStreamApi, statement: SqlPart, context: StatementContext): Promise<Plan> {
  const r = await api.statement(sql`DESCRIBE ${statement}`, { context });
  const row = r.rows[0];
  if (!row) return { kind: "" };
  const cols = r.columns.map((c) => c.name);
  const kindCol = cols.find((c) => /kind|type|statement/i.test(c)) ?? cols[0];
  const planCol = cols.find((c) => /plan|json|description/i.test(c)) ?? cols[1];
  return { kind: String(row[kindCol] ?? "").toUpperCase(), ...parsePlan(row[planCol]) };
}

/** `db.schema.name` of a planned relation (without an organization prefix). */
export function fqnOf(r: PlannedRelation | undefined): string | undefined {
  if (!r) return undefined;
  if (r.db_name && r.schema_name && r.name) return `${r.db_name}.${r.schema_name}.${r.name}`;
  return r.fqn?.split(".").slice(-3).map((p) => p.replace(/^"|"$/g, "")).join(".");
}
