/**
 * One Dialect per engine: how it quotes identifiers and literals, how it lexes, its type system,
 * which statements are idempotent (one table), and how its errors map to typed kinds.
 *
 *   DUCKDB      Altertable          "ident", 'string' (quotes doubled), $tag$ strings
 *   CLICKHOUSE  ByteHouse SQL       `ident`, 'string' with backslash escapes
 *   POSTGRES    CARTO (next)        "ident", 'string' (E'…' when it holds a backslash), $tag$ strings
 *   DELTASTREAM DeltaStream (next)  "ident" always (unquoted names are lower-cased), 'string'
 */
import { TypeSystem } from "../framework/columns";
import { WarehouseApiError } from "../http/errors";
import { ParsedDefault, parseDefault } from "./defaults";
import { CLICKHOUSE_ERROR_RULES, DUCKDB_ERROR_RULES, EngineErrorInput, MessageRules, POSTGRES_ERROR_RULES, engineError } from "./errors";
import { COMMON_RULES, Idempotency, IdempotencyRule, IdempotencyTable, PG_ALTER_RULES } from "./idempotency";
import { LexOptions, SqlSyntaxError, significant, singleStatement } from "./tokenizer";
import { CLICKHOUSE_LEX, CLICKHOUSE_TYPES, clickHouseSpelling } from "./types/clickhouse";
import { DUCKDB_LEX, DUCKDB_TYPES } from "./types/duckdb";
import { POSTGRES_LEX, POSTGRES_TYPES } from "./types/postgres";

export type Literal = string | number | bigint | boolean | null;

export class SqlBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SqlBuildError";
  }
}

export interface Dialect {
  name: "DuckDB" | "ClickHouse" | "PostgreSQL" | "DeltaStream";
  lex: LexOptions;
  /** Its column types; absent until a resource kind needs them. */
  types?: TypeSystem;
  quoteIdent(name: string): string;
  quoteString(value: string): string;
  literal(value: Literal): string;
  /** A column type as written in DDL (ClickHouse puts nullability in the type). */
  renderType(raw: string, nullable?: boolean): string;
  parseDefault(text: string): ParsedDefault;
  readonly idempotency: IdempotencyTable;
  classify(sql: string): Idempotency;
  /** The typed error for an engine message. */
  error(input: EngineErrorInput): WarehouseApiError;
  /** Whether a statement's first words make it a query (what a view may hold). */
  isQuery(sql: string): boolean;
}

function noNul(s: string, what: string): string {
  if (typeof s !== "string") throw new SqlBuildError(`${what} must be a string (got ${typeof s})`);
  if (s.includes("\0")) throw new SqlBuildError(`${what} must not contain a NUL character`);
  return s;
}

const doubleQuoted = (name: string) => `"${noNul(name, "an identifier").replace(/"/g, '""')}"`;
const singleQuoted = (value: string) => `'${noNul(value, "a string literal").replace(/'/g, "''")}'`;

function literalWith(quoteString: (s: string) => string) {
  return (value: Literal): string => {
    if (value === null) return "NULL";
    if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
    if (typeof value === "bigint") return value.toString();
    if (typeof value === "number") {
      if (!Number.isFinite(value)) throw new SqlBuildError(`a number literal must be finite (got ${value})`);
      return String(value);
    }
    if (typeof value === "string") return quoteString(value);
    throw new SqlBuildError(`cannot render ${typeof value} as a SQL literal`);
  };
}

interface DialectSpec {
  name: Dialect["name"];
  lex: LexOptions;
  types?: TypeSystem;
  quoteIdent(name: string): string;
  quoteString(value: string): string;
  rules: IdempotencyRule[];
  errors: { sqlstate?: boolean; clickhouse?: boolean; rules: MessageRules };
  queryWords: string[];
  renderType?(types: TypeSystem, raw: string, nullable: boolean): string;
}

function makeDialect(spec: DialectSpec): Dialect {
  const table = new IdempotencyTable(spec.rules, spec.lex);
  const self: Dialect = {
    name: spec.name,
    lex: spec.lex,
    types: spec.types,
    quoteIdent: spec.quoteIdent,
    quoteString: spec.quoteString,
    literal: literalWith(spec.quoteString),
    renderType(raw, nullable = false) {
      const types = spec.types;
      if (!types) throw new SqlBuildError(`${spec.name} has no type system yet`);
      const p = types.parse(raw);
      if (!p.ok) throw new SqlBuildError(`${JSON.stringify(raw)} is not a ${types.name} type: ${p.error}`);
      return spec.renderType ? spec.renderType(types, p.type, nullable || p.nullable) : p.type;
    },
    parseDefault(text) {
      if (!spec.types) return { ok: false, error: `${spec.name} has no type system yet` };
      return parseDefault(text, spec.lex, spec.types);
    },
    idempotency: table,
    classify: (sql) => table.classify(sql),
    error: (input) => engineError(input, { ...spec.errors, engine: spec.name }),
    isQuery(sql) {
      try {
        const toks = significant(singleStatement(sql, spec.lex).tokens);
        const first = toks[0];
        if (!first) return false;
        if (first.text === "(") return true;
        if (first.kind !== "word" || !spec.queryWords.includes(first.text.toUpperCase())) return false;
        return !(first.text.toUpperCase() === "WITH" && toks.some((t) => t.kind === "word" && /^(INSERT|UPDATE|DELETE|MERGE)$/i.test(t.text)));
      } catch (e) {
        if (e instanceof SqlSyntaxError) return false;
        throw e;
      }
    },
  };
  return self;
}

export const DUCKDB: Dialect = makeDialect({
  name: "DuckDB",
  lex: DUCKDB_LEX,
  types: DUCKDB_TYPES,
  quoteIdent: doubleQuoted,
  quoteString: singleQuoted,
  rules: [
    { pattern: "FROM", verdict: true, why: "read (FROM-first query)" },
    { pattern: "TABLE", verdict: true, why: "read" },
    { pattern: "SUMMARIZE", verdict: true, why: "read" },
    { pattern: "PRAGMA", verdict: true, why: "reads or sets a setting" },
    { pattern: "CHECKPOINT|FORCE", verdict: true, why: "checkpoint" },
    { pattern: "INSTALL|LOAD", verdict: true, why: "an extension installed twice is the same" },
    { pattern: "ATTACH ?DATABASE IF NOT EXISTS", verdict: true, why: "ATTACH IF NOT EXISTS" },
    { pattern: "DETACH ?DATABASE IF EXISTS", verdict: true, why: "DETACH IF EXISTS" },
    { pattern: "ATTACH|DETACH|EXPORT|IMPORT", verdict: false, why: "fails or duplicates the second time" },
    ...PG_ALTER_RULES,
    ...COMMON_RULES,
  ],
  errors: { rules: DUCKDB_ERROR_RULES },
  queryWords: ["SELECT", "WITH", "FROM", "VALUES", "TABLE"],
});

export const CLICKHOUSE: Dialect = makeDialect({
  name: "ClickHouse",
  lex: CLICKHOUSE_LEX,
  types: CLICKHOUSE_TYPES,
  quoteIdent: (name) => `\`${noNul(name, "an identifier").replace(/\\/g, "\\\\").replace(/`/g, "\\`")}\``,
  quoteString: (value) => `'${noNul(value, "a string literal").replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`,
  rules: [
    { pattern: "EXISTS", verdict: true, why: "read" },
    { pattern: "CHECK TABLE", verdict: true, why: "read" },
    { pattern: "OPTIMIZE", verdict: true, why: "merges parts (same data)" },
    { pattern: "SYSTEM", verdict: false, why: "SYSTEM commands vary" },
    { pattern: "ALTER TABLE ?IF ?EXISTS $id MODIFY", verdict: true, why: "MODIFY sets a definition" },
    { pattern: "ALTER TABLE ?IF ?EXISTS $id COMMENT COLUMN", verdict: true, why: "sets a comment" },
    { pattern: "ALTER TABLE ?IF ?EXISTS $id REMOVE TTL", verdict: true, why: "removes the TTL" },
    { pattern: "ALTER TABLE ?IF ?EXISTS $id ADD COLUMN IF NOT EXISTS", verdict: true, why: "ADD COLUMN IF NOT EXISTS" },
    { pattern: "ALTER TABLE ?IF ?EXISTS $id DROP COLUMN IF EXISTS", verdict: true, why: "DROP COLUMN IF EXISTS" },
    { pattern: "ALTER TABLE ?IF ?EXISTS $id RENAME COLUMN IF EXISTS", verdict: true, why: "RENAME COLUMN IF EXISTS" },
    { pattern: "ALTER TABLE ?IF ?EXISTS $id ADD|DROP|RENAME|DELETE|UPDATE|CLEAR", verdict: false, why: "fails or applies twice" },
    { pattern: "RENAME|EXCHANGE|ATTACH|DETACH", verdict: false, why: "fails the second time" },
    ...COMMON_RULES,
  ],
  errors: { clickhouse: true, rules: CLICKHOUSE_ERROR_RULES },
  queryWords: ["SELECT", "WITH"],
  renderType: (_types, type, nullable) => clickHouseSpelling(type, nullable),
});

export const POSTGRES: Dialect = makeDialect({
  name: "PostgreSQL",
  lex: POSTGRES_LEX,
  types: POSTGRES_TYPES,
  quoteIdent: doubleQuoted,
  quoteString: (value) => (noNul(value, "a string literal").includes("\\") ? `E'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'` : singleQuoted(value)),
  rules: [
    { pattern: "TABLE", verdict: true, why: "read" },
    { pattern: "ANALYZE|ANALYSE|VACUUM", verdict: true, why: "maintenance" },
    { pattern: "REFRESH MATERIALIZED VIEW", verdict: true, why: "recomputes the same view" },
    { pattern: "LOCK", verdict: true, why: "lock (inside a transaction)" },
    { pattern: "DO", verdict: false, why: "anonymous code block" },
    ...PG_ALTER_RULES,
    ...COMMON_RULES,
  ],
  errors: { sqlstate: true, rules: POSTGRES_ERROR_RULES },
  queryWords: ["SELECT", "WITH", "VALUES", "TABLE"],
});

export const DELTASTREAM: Dialect = makeDialect({
  name: "DeltaStream",
  lex: { dollarQuotes: false },
  quoteIdent: doubleQuoted,
  quoteString: singleQuoted,
  rules: [
    { pattern: "LIST", verdict: true, why: "read" },
    { pattern: "PRINT", verdict: true, why: "read" },
    { pattern: "UPDATE STORE|ENTITY|SCHEMA_REGISTRY|DATABASE|FUNCTION_SOURCE", verdict: true, why: "sets properties" },
    { pattern: "TERMINATE|RESTART", verdict: false, why: "query lifecycle" },
    { pattern: "ALTER", verdict: false, why: "not known to be repeatable" },
    ...COMMON_RULES,
  ],
  errors: { sqlstate: true, rules: POSTGRES_ERROR_RULES },
  queryWords: ["SELECT", "WITH"],
});

export const DIALECTS = { duckdb: DUCKDB, clickhouse: CLICKHOUSE, postgres: POSTGRES, deltastream: DELTASTREAM } as const;
