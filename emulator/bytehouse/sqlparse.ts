/**
 * A small translator from the ClickHouse SQL the vendor's users write to DuckDB SQL.
 *
 * Covered: several statements separated by `;`, `USE db`, `CREATE/DROP DATABASE`,
 * `CREATE TABLE … (cols) ENGINE = … ORDER BY … PARTITION BY …` (clauses after the column list are
 * recorded as table metadata, not sent to DuckDB), `ALTER TABLE t ADD/DROP/MODIFY/RENAME/COMMENT COLUMN …`
 * (several actions per statement, applied atomically), `ALTER TABLE t DELETE WHERE` / `UPDATE … WHERE`,
 * `RENAME TABLE a TO b`, `SHOW DATABASES`, `SHOW TABLES [FROM db]`, `DESCRIBE TABLE t`; ClickHouse type names
 * anywhere (CAST, ::) are mapped (types.ts); backquoted identifiers become double-quoted; `'it\'s'` escapes
 * become `'it''s'`. Everything else is passed to DuckDB as is.
 */
import { WirePartitionKey } from "../../provider/bytehouse/contract";
import { qi, ql } from "./engine";
import { CLICKHOUSE_DIALECT, SqlError, Tok, significant, tokenize as tokenizeSql } from "../framework/sql";
import { CH_SQL_TYPE_WORDS, MappedType, implicitDefault, mapChType } from "./types";

export { Tok, SqlError, splitStatements } from "../framework/sql";

/** ClickHouse's lexical rules (backslash escapes, backquoted identifiers) on the emulators' one tokenizer. */
export const tokenize = (sql: string): Tok[] => tokenizeSql(sql, CLICKHOUSE_DIALECT);

const sig = significant;

/** Significant tokens only (comments and whitespace dropped). */
const compact = (toks: Tok[]) => toks.filter(sig);

function renderTok(t: Tok): string {
  switch (t.k) {
    case "str":
      return ql(t.v);
    case "id":
      return qi(t.v);
    case "cmt":
      return " ";
    default:
      return t.v;
  }
}

/** Index of the parenthesis closing the one at `open`. */
function closing(toks: Tok[], open: number): number {
  let depth = 0;
  for (let i = open; i < toks.length; i++) {
    if (toks[i].k !== "p") continue;
    if (toks[i].v === "(" || toks[i].v === "[") depth++;
    else if (toks[i].v === ")" || toks[i].v === "]") {
      depth--;
      if (depth === 0) return i;
    }
  }
  throw new SqlError("Syntax error: unbalanced parentheses");
}

const PARAMETRIC = new Set(["Nullable", "LowCardinality", "Array", "FixedString", "DateTime64", "DateTime", "Decimal32", "Decimal64", "Decimal128"]);

/** Renders tokens as DuckDB SQL, mapping ClickHouse type names. Tokens may include whitespace. */
export function gen(toks: Tok[]): string {
  let out = "";
  const nextSig = (i: number) => {
    while (i < toks.length && !sig(toks[i])) i++;
    return i;
  };
  let prev: Tok | undefined;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.k === "word" && CH_SQL_TYPE_WORDS.has(t.v) && !(prev?.k === "p" && prev.v === ".")) {
      const j = nextSig(i + 1);
      const paren = j < toks.length && toks[j].k === "p" && toks[j].v === "(";
      if (paren && PARAMETRIC.has(t.v)) {
        const end = closing(toks, j);
        const text = toks.slice(i, end + 1).map(renderTok).join("");
        try {
          out += mapChType(text).duck;
          i = end;
          prev = toks[end];
          continue;
        } catch {
          /* not a type: leave as is */
        }
      } else if (!paren) {
        out += mapChType(t.v).duck;
        prev = t;
        continue;
      }
    }
    out += renderTok(t);
    if (sig(t)) prev = t;
  }
  return out;
}

// ------------------------------------------------------------------ cursor over significant tokens

class Cur {
  i = 0;
  constructor(readonly t: Tok[]) {}
  get done() {
    return this.i >= this.t.length;
  }
  peek(k = 0): Tok | undefined {
    return this.t[this.i + k];
  }
  isWord(...words: string[]): boolean {
    const p = this.peek();
    return !!p && p.k === "word" && words.includes(p.v.toUpperCase());
  }
  isP(v: string): boolean {
    const p = this.peek();
    return !!p && p.k === "p" && p.v === v;
  }
  eat(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) {
      const p = this.peek(k);
      if (!p || p.k !== "word" || p.v.toUpperCase() !== words[k]) return false;
    }
    this.i += words.length;
    return true;
  }
  expect(...words: string[]): void {
    if (!this.eat(...words)) throw new SqlError(`Syntax error: expected ${words.join(" ")} near ${this.near()}`);
  }
  near(): string {
    return this.done ? "end of query" : `'${this.t.slice(this.i, this.i + 3).map(renderTok).join(" ")}'`;
  }
  ident(): string {
    const p = this.peek();
    if (!p || (p.k !== "word" && p.k !== "id")) throw new SqlError(`Syntax error: expected an identifier near ${this.near()}`);
    this.i++;
    return p.v;
  }
  /** db.table or table */
  qname(): QName {
    const a = this.ident();
    if (this.isP(".")) {
      this.i++;
      return { db: a, name: this.ident() };
    }
    return { name: a };
  }
  /** Tokens up to (not including) one of the stop words at depth 0, or the end. */
  until(stops: Set<string>, stopAtComma = false): Tok[] {
    const start = this.i;
    while (!this.done) {
      const p = this.peek()!;
      if (p.k === "word" && stops.has(p.v.toUpperCase())) break;
      if (stopAtComma && p.k === "p" && p.v === ",") break;
      if (p.k === "p" && (p.v === "(" || p.v === "[")) {
        this.i = closing(this.t, this.i) + 1;
        continue;
      }
      this.i++;
    }
    return this.t.slice(start, this.i);
  }
  rest(): Tok[] {
    const r = this.t.slice(this.i);
    this.i = this.t.length;
    return r;
  }
}

/** Splits significant tokens at top-level commas. */
function splitCommas(toks: Tok[]): Tok[][] {
  const out: Tok[][] = [];
  let cur: Tok[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.k === "p" && (t.v === "(" || t.v === "[")) {
      const end = closing(toks, i);
      cur.push(...toks.slice(i, end + 1));
      i = end;
    } else if (t.k === "p" && t.v === ",") {
      out.push(cur);
      cur = [];
    } else cur.push(t);
  }
  if (cur.length) out.push(cur);
  return out;
}

/** Renders significant tokens (whitespace dropped) with sensible spacing. */
function joinToks(toks: Tok[]): string {
  const out: Tok[] = [];
  toks.forEach((t, i) => {
    const prev = toks[i - 1];
    const tight =
      i === 0 ||
      (t.k === "p" && [".", ")", "]", ",", ":"].includes(t.v)) ||
      (prev.k === "p" && [".", "(", "[", ":"].includes(prev.v)) ||
      (t.k === "p" && (t.v === "(" || t.v === "[") && (prev.k === "word" || prev.k === "id"));
    if (!tight) out.push({ k: "ws", v: " " });
    out.push(t);
  });
  return gen(out);
}

export interface QName {
  db?: string;
  name: string;
}
const renderQ = (q: QName) => (q.db ? `${qi(q.db)}.${qi(q.name)}` : qi(q.name));

// ------------------------------------------------------------------ column definitions

export interface ColDef {
  name: string;
  typeText: string;
  /** DuckDB type, when a type was given. */
  duck?: string;
  mapped?: MappedType;
  explicitNull?: boolean;
  defaultSql?: string;
  comment?: string | null;
  removeDefault?: boolean;
  ifExists?: boolean;
}

const COL_STOPS = new Set(["NULL", "NOT", "DEFAULT", "COMMENT", "CODEC", "TTL", "MATERIALIZED", "ALIAS", "EPHEMERAL", "PRIMARY", "FIRST", "AFTER", "SETTINGS", "REMOVE"]);
const DEFAULT_STOPS = new Set(["COMMENT", "CODEC", "TTL", "FIRST", "AFTER", "SETTINGS"]);

function parseColDef(c: Cur): ColDef {
  const name = c.ident();
  const typeToks = c.until(COL_STOPS);
  const def: ColDef = { name, typeText: typeToks.map(renderTok).join("") };
  if (typeToks.length) {
    try {
      def.mapped = mapChType(typeToks.map((t) => (t.k === "str" ? `'${t.v}'` : renderTok(t))).join(" ").replace(/\s*([(),])\s*/g, "$1"));
      def.duck = def.mapped.duck;
    } catch {
      def.duck = joinToks(typeToks); // a DuckDB/ANSI type: let DuckDB judge it
    }
  }
  while (!c.done) {
    if (c.eat("NOT", "NULL")) def.explicitNull = false;
    else if (c.eat("NULL")) def.explicitNull = true;
    else if (c.eat("DEFAULT")) def.defaultSql = joinToks(c.until(DEFAULT_STOPS));
    else if (c.eat("COMMENT")) {
      const p = c.peek();
      if (!p || p.k !== "str") throw new SqlError(`Syntax error: expected a string after COMMENT near ${c.near()}`);
      c.i++;
      def.comment = p.v;
    } else if (c.eat("CODEC")) {
      if (c.isP("(")) c.i = closing(c.t, c.i) + 1;
    } else if (c.eat("TTL")) c.until(DEFAULT_STOPS);
    else if (c.eat("FIRST")) continue;
    else if (c.eat("AFTER")) c.ident();
    else if (c.eat("REMOVE", "DEFAULT")) def.removeDefault = true;
    else if (c.eat("REMOVE", "COMMENT")) def.comment = null;
    else if (c.eat("PRIMARY", "KEY")) continue;
    else if (c.isWord("MATERIALIZED", "ALIAS", "EPHEMERAL")) throw new SqlError(`${c.peek()!.v.toUpperCase()} columns are not supported by the emulator`);
    else throw new SqlError(`Syntax error near ${c.near()}`);
  }
  return def;
}

/** Whether a column is NOT NULL: ClickHouse types are non-Nullable unless wrapped (clickhouse_sql mode). */
function notNull(def: ColDef, chMode: boolean): boolean {
  if (def.explicitNull !== undefined) return !def.explicitNull;
  return !!def.mapped && !def.mapped.nullable && chMode;
}

// ------------------------------------------------------------------ statements

export interface TableInfo {
  declared: Record<string, { ch: string; duck: string }>;
  orderByKeys: string[];
  primaryKeys: string[];
  partitionKeys: WirePartitionKey[];
  samplingKey: string | null;
  description: string;
}

export interface Translated {
  kind: "use" | "createDb" | "dropDb" | "showDatabases" | "showTables" | "createTable" | "alter" | "renameTables" | "ddl" | "write" | "query";
  sql: string[];
  atomic?: boolean;
  returnsRows: boolean;
  db?: string;
  ifExists?: boolean;
  table?: QName;
  created?: TableInfo;
  /** ALTER effects, for metadata: */
  declared?: Record<string, { ch: string; duck: string } | null>;
  columnRenames?: [string, string][];
  drops?: string[];
  tableRenames?: [QName, QName][];
}

const ROWS = new Set(["SELECT", "WITH", "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "FROM", "VALUES", "PRAGMA", "SUMMARIZE", "CALL", "TABLE"]);
const WRITES = new Set(["INSERT", "UPDATE", "DELETE", "TRUNCATE", "COPY"]);
const TABLE_CLAUSES = new Set(["ENGINE", "ORDER", "PARTITION", "PRIMARY", "SAMPLE", "TTL", "SETTINGS", "COMMENT", "AS", "UNIQUE", "CLUSTER"]);

/** A simple column list from `(a, b)`, `a`, `tuple()`; non-column expressions are skipped. */
function columnList(toks: Tok[]): string[] {
  let t = toks;
  if (t.length && t[0].k === "word" && t[0].v.toLowerCase() === "tuple") t = t.slice(1);
  if (t.length >= 2 && t[0].v === "(" && t[t.length - 1].v === ")") t = t.slice(1, -1);
  return splitCommas(t)
    .filter((p) => p.length === 1 && (p[0].k === "word" || p[0].k === "id"))
    .map((p) => p[0].v);
}

function partitionFrom(toks: Tok[]): WirePartitionKey[] {
  let t = toks;
  if (t.length >= 2 && t[0].v === "(" && t[t.length - 1].v === ")") t = t.slice(1, -1);
  const out: WirePartitionKey[] = [];
  for (const part of splitCommas(t)) {
    const expression = part.map(renderTok).join("");
    if (part.length === 1 && (part[0].k === "word" || part[0].k === "id")) out.push({ column: part[0].v, granularity: null, expression: part[0].v });
    else if (part.length === 4 && part[0].k === "word" && part[1].v === "(" && (part[2].k === "word" || part[2].k === "id") && part[3].v === ")") {
      const f = part[0].v.toLowerCase();
      const granularity = f === "toyyyymmdd" || f === "tostartofday" || f === "todate" ? "day" : f === "toyyyymm" || f === "tostartofmonth" ? "month" : null;
      out.push({ column: part[2].v, granularity, expression });
    }
  }
  return out;
}

function createTable(c: Cur, chMode: boolean): Translated {
  c.eat("OR", "REPLACE");
  const temp = c.eat("TEMPORARY") || c.eat("TEMP");
  c.expect("TABLE");
  const ifNotExists = c.eat("IF", "NOT", "EXISTS");
  const table = c.qname();
  if (c.eat("ON", "CLUSTER")) c.ident();
  const head = `CREATE ${temp ? "TEMP " : ""}TABLE ${ifNotExists ? "IF NOT EXISTS " : ""}${renderQ(table)}`;
  const info: TableInfo = { declared: {}, orderByKeys: [], primaryKeys: [], partitionKeys: [], samplingKey: null, description: "" };
  const sql: string[] = [];
  const comments: string[] = [];
  if (c.isP("(")) {
    const end = closing(c.t, c.i);
    const inner = c.t.slice(c.i + 1, end);
    c.i = end + 1;
    const cols: string[] = [];
    for (const item of splitCommas(inner)) {
      const ic = new Cur(item);
      if (ic.isWord("INDEX", "PROJECTION", "CONSTRAINT")) continue;
      if (ic.eat("PRIMARY", "KEY")) {
        info.primaryKeys = columnList(ic.rest());
        continue;
      }
      const def = parseColDef(ic);
      if (!def.duck) throw new SqlError(`Syntax error: column ${def.name} has no type`);
      if (def.mapped) info.declared[def.name] = { ch: def.mapped.ch, duck: def.mapped.duck };
      cols.push(`${qi(def.name)} ${def.duck}${notNull(def, chMode) ? " NOT NULL" : ""}${def.defaultSql ? ` DEFAULT ${def.defaultSql}` : ""}`);
      if (def.comment) comments.push(`COMMENT ON COLUMN ${renderQ(table)}.${qi(def.name)} IS ${ql(def.comment)}`);
    }
    sql.push(`${head} (${cols.join(", ")})`);
  }
  // ClickHouse table clauses: recorded, not executed
  while (!c.done) {
    if (c.eat("ENGINE")) {
      if (c.isP("=")) c.i++;
      c.until(TABLE_CLAUSES);
    } else if (c.eat("ORDER", "BY")) info.orderByKeys = columnList(c.until(TABLE_CLAUSES));
    else if (c.eat("PRIMARY", "KEY")) info.primaryKeys = columnList(c.until(TABLE_CLAUSES));
    else if (c.eat("PARTITION", "BY")) info.partitionKeys = partitionFrom(c.until(TABLE_CLAUSES));
    else if (c.eat("SAMPLE", "BY")) info.samplingKey = columnList(c.until(TABLE_CLAUSES))[0] ?? null;
    else if (c.eat("UNIQUE", "KEY") || c.eat("CLUSTER", "BY") || c.eat("TTL") || c.eat("SETTINGS")) c.until(TABLE_CLAUSES);
    else if (c.eat("COMMENT")) {
      const p = c.peek();
      if (p?.k === "str") info.description = p.v;
      c.i++;
    } else if (c.eat("AS")) {
      if (sql.length) throw new SqlError("CREATE TABLE with both a column list and AS SELECT is not supported by the emulator");
      sql.push(`${head} AS ${joinToks(c.rest())}`);
    } else throw new SqlError(`Syntax error near ${c.near()}`);
  }
  if (!sql.length) throw new SqlError("CREATE TABLE needs a column list or AS SELECT");
  return { kind: "createTable", sql: [...sql, ...comments], atomic: comments.length > 0, returnsRows: false, table, created: info };
}

function alterTable(c: Cur, chMode: boolean, whole: Tok[]): Translated {
  c.expect("TABLE");
  const table = c.qname();
  if (c.eat("ON", "CLUSTER")) c.ident();
  const T = renderQ(table);
  const actions = splitCommas(c.rest());
  const out: Translated = { kind: "alter", sql: [], atomic: true, returnsRows: false, table, declared: {}, columnRenames: [], drops: [] };
  for (const action of actions) {
    const a = new Cur(action);
    if (a.eat("ADD", "COLUMN")) {
      const ine = a.eat("IF", "NOT", "EXISTS");
      const def = parseColDef(a);
      if (!def.duck) throw new SqlError(`Syntax error: column ${def.name} has no type`);
      const nn = notNull(def, chMode);
      const dflt = def.defaultSql ?? (nn ? implicitDefault(def.duck) : undefined);
      out.sql.push(`ALTER TABLE ${T} ADD COLUMN ${ine ? "IF NOT EXISTS " : ""}${qi(def.name)} ${def.duck}${dflt ? ` DEFAULT ${dflt}` : ""}`);
      if (nn) out.sql.push(`ALTER TABLE ${T} ALTER COLUMN ${qi(def.name)} SET NOT NULL`);
      if (nn && def.defaultSql === undefined) out.sql.push(`ALTER TABLE ${T} ALTER COLUMN ${qi(def.name)} DROP DEFAULT`);
      if (def.comment) out.sql.push(`COMMENT ON COLUMN ${T}.${qi(def.name)} IS ${ql(def.comment)}`);
      out.declared![def.name] = def.mapped ? { ch: def.mapped.ch, duck: def.mapped.duck } : null;
    } else if (a.eat("DROP", "COLUMN")) {
      const ie = a.eat("IF", "EXISTS");
      const name = a.ident();
      out.sql.push(`ALTER TABLE ${T} DROP COLUMN ${ie ? "IF EXISTS " : ""}${qi(name)}`);
      out.drops!.push(name);
    } else if (a.eat("MODIFY", "COLUMN")) {
      a.eat("IF", "EXISTS");
      const def = parseColDef(a);
      const C = `ALTER TABLE ${T} ALTER COLUMN ${qi(def.name)}`;
      if (def.duck) {
        out.sql.push(`${C} TYPE ${def.duck}`);
        out.declared![def.name] = def.mapped ? { ch: def.mapped.ch, duck: def.mapped.duck } : null;
      }
      if (def.explicitNull !== undefined || def.mapped) out.sql.push(`${C} ${notNull(def, true) ? "SET" : "DROP"} NOT NULL`);
      if (def.defaultSql !== undefined) out.sql.push(`${C} SET DEFAULT ${def.defaultSql}`);
      if (def.removeDefault) out.sql.push(`${C} DROP DEFAULT`);
      if (def.comment !== undefined) out.sql.push(`COMMENT ON COLUMN ${T}.${qi(def.name)} IS ${def.comment === null ? "NULL" : ql(def.comment)}`);
    } else if (a.eat("RENAME", "COLUMN")) {
      a.eat("IF", "EXISTS");
      const from = a.ident();
      a.expect("TO");
      const to = a.ident();
      out.sql.push(`ALTER TABLE ${T} RENAME COLUMN ${qi(from)} TO ${qi(to)}`);
      out.columnRenames!.push([from, to]);
    } else if (a.eat("COMMENT", "COLUMN")) {
      a.eat("IF", "EXISTS");
      const name = a.ident();
      const p = a.peek();
      if (!p || p.k !== "str") throw new SqlError(`Syntax error: expected a string near ${a.near()}`);
      a.i++;
      out.sql.push(`COMMENT ON COLUMN ${T}.${qi(name)} IS ${ql(p.v)}`);
    } else if (actions.length === 1 && a.eat("DELETE", "WHERE")) {
      return { kind: "write", sql: [`DELETE FROM ${T} WHERE ${joinToks(a.rest())}`], returnsRows: false };
    } else if (actions.length === 1 && a.eat("UPDATE")) {
      const rest = a.rest();
      const w = rest.findIndex((t) => t.k === "word" && t.v.toUpperCase() === "WHERE");
      const set = w < 0 ? rest : rest.slice(0, w);
      return { kind: "write", sql: [`UPDATE ${T} SET ${joinToks(set)}${w < 0 ? "" : ` WHERE ${joinToks(rest.slice(w + 1))}`}`], returnsRows: false };
    } else if (actions.length === 1) {
      // DuckDB's own ALTER forms (ALTER COLUMN …, RENAME TO …)
      return { kind: "ddl", sql: [gen(whole)], returnsRows: false, table };
    } else throw new SqlError(`ALTER action not supported by the emulator near ${a.near()}`);
    if (!a.done) throw new SqlError(`Syntax error near ${a.near()}`);
  }
  return out;
}

export function translate(stmt: Tok[], mode: string): Translated {
  const c = new Cur(compact(stmt));
  const chMode = mode === "clickhouse_sql";
  const first = c.peek()?.v.toUpperCase() ?? "";
  if (c.eat("USE")) {
    const db = c.ident();
    if (!c.done) throw new SqlError(`Syntax error near ${c.near()}`);
    return { kind: "use", sql: [], returnsRows: false, db };
  }
  if (c.eat("CREATE", "DATABASE") || c.eat("CREATE", "SCHEMA")) {
    const ine = c.eat("IF", "NOT", "EXISTS");
    return { kind: "createDb", sql: [], returnsRows: false, db: c.ident(), ifExists: ine };
  }
  if (c.eat("DROP", "DATABASE") || c.eat("DROP", "SCHEMA")) {
    const ie = c.eat("IF", "EXISTS");
    return { kind: "dropDb", sql: [], returnsRows: false, db: c.ident(), ifExists: ie };
  }
  if (c.eat("SHOW", "DATABASES")) return { kind: "showDatabases", sql: [], returnsRows: true };
  if (c.eat("SHOW", "TABLES")) {
    const db = c.eat("FROM") || c.eat("IN") ? c.ident() : undefined;
    return { kind: "showTables", sql: [], returnsRows: true, db };
  }
  if ((first === "DESCRIBE" || first === "DESC") && c.peek(1)?.k === "word" && c.peek(1)!.v.toUpperCase() === "TABLE") {
    c.i += 2;
    return { kind: "query", sql: [`DESCRIBE ${renderQ(c.qname())}`], returnsRows: true };
  }
  if (first === "CREATE" && (c.peek(1)?.v.toUpperCase() === "TABLE" || c.peek(1)?.v.toUpperCase() === "TEMPORARY" || c.peek(1)?.v.toUpperCase() === "OR")) {
    c.i++;
    if (c.isWord("OR") && !(c.peek(2)?.v.toUpperCase() === "TABLE")) return { kind: "ddl", sql: [gen(stmt)], returnsRows: false };
    return createTable(c, chMode);
  }
  if (c.eat("ALTER")) {
    if (!c.isWord("TABLE")) return { kind: "ddl", sql: [gen(stmt)], returnsRows: false };
    return alterTable(c, chMode, stmt);
  }
  if (c.eat("RENAME", "TABLE")) {
    const pairs: [QName, QName][] = [];
    for (const part of splitCommas(c.rest())) {
      const p = new Cur(part);
      const from = p.qname();
      p.expect("TO");
      const to = p.qname();
      if (to.db && to.db !== (from.db ?? to.db)) throw new SqlError("RENAME TABLE across databases is not supported by the emulator");
      pairs.push([from, to]);
    }
    return { kind: "renameTables", sql: pairs.map(([f, t]) => `ALTER TABLE ${renderQ(f)} RENAME TO ${qi(t.name)}`), atomic: pairs.length > 1, returnsRows: false, tableRenames: pairs };
  }
  if (first === "DROP" || first === "CREATE") {
    const text = gen(stmt).replace(/\s+(SYNC|NO\s+DELAY)\s*$/i, "");
    return { kind: "ddl", sql: [text], returnsRows: false };
  }
  if (WRITES.has(first)) return { kind: "write", sql: [gen(stmt)], returnsRows: false };
  return { kind: "query", sql: [gen(stmt)], returnsRows: ROWS.has(first) || !first };
}
