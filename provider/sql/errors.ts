/**
 * The one place engine errors become typed errors. Given the engine's message (and its SQLSTATE
 * where the engine has one: PostgreSQL, DeltaStream), each dialect says which kind of
 * WarehouseApiError it is, so "not found" and "already exists" are typed everywhere.
 */
import { ErrorKind, WarehouseApiError } from "../http/errors";

export interface EngineErrorInput {
  /** The engine's message. */
  message: string;
  /** "Altertable POST /query": the call that failed. */
  operation: string;
  /** SQLSTATE (or the engine's own code) when it gave one. */
  code?: string;
  status?: number;
}

/** SQLSTATE → kind (exact codes first, then the two-character class). */
const SQLSTATE_EXACT: Record<string, ErrorKind> = {
  "42P01": "not_found", // undefined table
  "42704": "not_found", // undefined object
  "42883": "not_found", // undefined function
  "42703": "validation", // undefined column (a mistake in the statement)
  "3D000": "not_found", // invalid catalog (database) name
  "3F000": "not_found", // invalid schema name
  "42P07": "conflict", // duplicate table
  "42710": "conflict", // duplicate object
  "42P04": "conflict", // duplicate database
  "42P06": "conflict", // duplicate schema
  "42701": "conflict", // duplicate column
  "23505": "conflict", // unique violation
  "2BP01": "conflict", // dependent objects still exist
  "42601": "validation", // syntax error
  "42501": "auth", // insufficient privilege
  "53000": "rate_limited", // insufficient resources (a limit)
  "53300": "rate_limited", // too many connections
  "40001": "server", // serialization failure: try again
  "40P01": "server", // deadlock: try again
  "57014": "server", // query canceled
};
const SQLSTATE_CLASS: Record<string, ErrorKind> = {
  "3D": "not_found",
  "3F": "not_found",
  "3E": "server", // not ready yet (DeltaStream): transient
  "08": "network",
  "28": "auth",
  "22": "validation",
  "23": "validation",
  "42": "validation",
  "53": "rate_limited",
  "54": "validation",
  "57": "server",
  "58": "server",
  XX: "server",
};

export function kindForSqlState(code: string): ErrorKind | undefined {
  const c = code.toUpperCase();
  if (!/^[0-9A-Z]{5}$/.test(c)) return undefined;
  return SQLSTATE_EXACT[c] ?? SQLSTATE_CLASS[c.slice(0, 2)];
}

/** Message rules: the first that matches decides. */
export type MessageRules = readonly [RegExp, ErrorKind][];

export const DUCKDB_ERROR_RULES: MessageRules = [
  [/^Catalog Error:.*\b(does not exist|not found)\b/is, "not_found"],
  [/^Catalog Error:.*\balready exists\b/is, "conflict"],
  [/^Dependency Error:/i, "conflict"],
  [/^Constraint Error:.*\b(duplicate key|unique)\b/is, "conflict"],
  [/^TransactionContext Error:.*\bconflict\b/is, "conflict"],
  [/^Permission Error:/i, "auth"],
  [/^(Out of Memory|IO|Internal|Interrupt|Fatal) Error:/i, "server"],
  [/^(Parser|Binder|Conversion|Invalid Input|Not implemented|Constraint|Catalog|Invalid|Syntax|Type|Out of Range|Serialization|Invalid type|Sequence) Error:/i, "validation"],
];

/** ClickHouse error codes (number and name) → kind. */
const CLICKHOUSE_CODES: Record<string, [number, ErrorKind]> = {
  UNKNOWN_TABLE: [60, "not_found"],
  UNKNOWN_DATABASE: [81, "not_found"],
  NO_SUCH_COLUMN_IN_TABLE: [16, "not_found"],
  UNKNOWN_DICTIONARY: [36, "not_found"],
  UNKNOWN_USER: [192, "not_found"],
  UNKNOWN_ROLE: [511, "not_found"],
  TABLE_ALREADY_EXISTS: [57, "conflict"],
  DATABASE_ALREADY_EXISTS: [82, "conflict"],
  DUPLICATE_COLUMN: [15, "conflict"],
  HAVE_DEPENDENT_OBJECTS: [630, "conflict"],
  SYNTAX_ERROR: [62, "validation"],
  UNKNOWN_TYPE: [50, "validation"],
  UNKNOWN_IDENTIFIER: [47, "validation"],
  UNKNOWN_FUNCTION: [46, "validation"],
  TYPE_MISMATCH: [53, "validation"],
  ILLEGAL_TYPE_OF_ARGUMENT: [43, "validation"],
  ACCESS_DENIED: [497, "auth"],
  AUTHENTICATION_FAILED: [516, "auth"],
  TOO_MANY_SIMULTANEOUS_QUERIES: [202, "rate_limited"],
  TIMEOUT_EXCEEDED: [159, "server"],
  SOCKET_TIMEOUT: [209, "server"],
  MEMORY_LIMIT_EXCEEDED: [241, "server"],
};
const CLICKHOUSE_BY_NUMBER = new Map(Object.entries(CLICKHOUSE_CODES).map(([name, [n, kind]]) => [n, { name, kind }]));

/** The code a ClickHouse message carries ("Code: 60. DB::Exception: … (UNKNOWN_TABLE)"), by name. */
export function clickHouseCode(message: string, code?: string): { name?: string; kind?: ErrorKind } {
  const byName = (n: string) => (CLICKHOUSE_CODES[n] ? { name: n, kind: CLICKHOUSE_CODES[n][1] } : undefined);
  if (code && byName(code)) return byName(code)!;
  if (code && /^\d+$/.test(code) && CLICKHOUSE_BY_NUMBER.get(Number(code))) return CLICKHOUSE_BY_NUMBER.get(Number(code))!;
  const named = /\(([A-Z][A-Z_]+)\)\s*(\(version [^)]*\))?\s*$/.exec(message.trim());
  if (named && byName(named[1])) return byName(named[1])!;
  const num = /\bCode:\s*(\d+)/.exec(message);
  if (num && CLICKHOUSE_BY_NUMBER.get(Number(num[1]))) return CLICKHOUSE_BY_NUMBER.get(Number(num[1]))!;
  return {};
}

export const CLICKHOUSE_ERROR_RULES: MessageRules = [
  [/\b(doesn't|does not) exist\b/i, "not_found"],
  [/\balready exists\b/i, "conflict"],
  [/\bSyntax error\b/i, "validation"],
];

export const POSTGRES_ERROR_RULES: MessageRules = [
  [/\bdoes not exist\b/i, "not_found"],
  [/\balready exists\b/i, "conflict"],
  [/\bpermission denied\b/i, "auth"],
  [/\bsyntax error\b/i, "validation"],
];

/** Builds the typed error: code first (SQLSTATE or engine code), then message rules, else `fallback`. */
export function engineError(input: EngineErrorInput, how: { sqlstate?: boolean; clickhouse?: boolean; rules: MessageRules; fallback?: ErrorKind; engine: string }): WarehouseApiError {
  let kind: ErrorKind | undefined;
  let code = input.code;
  if (how.sqlstate && code) kind = kindForSqlState(code);
  if (!kind && how.sqlstate) {
    const m = /\bSQLSTATE[\s:=[]*([0-9A-Z]{5})\b/i.exec(input.message);
    if (m) {
      kind = kindForSqlState(m[1]);
      code = code ?? m[1].toUpperCase();
    }
  }
  if (!kind && how.clickhouse) {
    const c = clickHouseCode(input.message, code);
    kind = c.kind;
    if (c.name) code = c.name;
  }
  if (!kind) kind = how.rules.find(([re]) => re.test(input.message))?.[1];
  if (!code && how.engine === "DuckDB") code = /^([A-Za-z ]+?) Error:/.exec(input.message)?.[1];
  return new WarehouseApiError(kind ?? how.fallback ?? "validation", input.operation, `${input.operation} failed: ${input.message}`, input.status, code);
}
