/**
 * DuckDB types (Altertable's engine), parsed by the type grammar. The canonical spelling is the
 * one DuckDB itself reports in `duckdb_columns().data_type` (INTEGER, VARCHAR, DECIMAL(18,2),
 * TIMESTAMP WITH TIME ZONE, INTEGER[], STRUCT(a INTEGER, b VARCHAR), MAP(VARCHAR, INTEGER),
 * ENUM('a', 'b')), so a declared alias never shows as drift.
 */
import { ParsedType, TypeSystem, typeSystem } from "../../framework/columns";
import { LexOptions } from "../tokenizer";
import { TypeNode, TypeParseError, parseTypeSyntax, typeString, upperName } from "./grammar";

export const DUCKDB_LEX: LexOptions = { dollarQuotes: true, escapeStrings: true, nestedComments: true };

/** Every scalar spelling DuckDB accepts (upper case) → its canonical name. */
const SCALARS: Record<string, string> = {
  TINYINT: "TINYINT", INT1: "TINYINT",
  SMALLINT: "SMALLINT", INT2: "SMALLINT", SHORT: "SMALLINT",
  INTEGER: "INTEGER", INT: "INTEGER", INT4: "INTEGER", SIGNED: "INTEGER",
  BIGINT: "BIGINT", INT8: "BIGINT", LONG: "BIGINT",
  HUGEINT: "HUGEINT", INT128: "HUGEINT",
  UTINYINT: "UTINYINT", UINT8: "UTINYINT",
  USMALLINT: "USMALLINT", UINT16: "USMALLINT",
  UINTEGER: "UINTEGER", UINT32: "UINTEGER",
  UBIGINT: "UBIGINT", UINT64: "UBIGINT",
  UHUGEINT: "UHUGEINT", UINT128: "UHUGEINT",
  VARINT: "VARINT", BIGNUM: "BIGNUM",
  FLOAT: "FLOAT", FLOAT4: "FLOAT", REAL: "FLOAT",
  DOUBLE: "DOUBLE", FLOAT8: "DOUBLE", "DOUBLE PRECISION": "DOUBLE",
  VARCHAR: "VARCHAR", CHAR: "VARCHAR", BPCHAR: "VARCHAR", TEXT: "VARCHAR", STRING: "VARCHAR", "CHARACTER VARYING": "VARCHAR", CHARACTER: "VARCHAR", NVARCHAR: "VARCHAR",
  BOOLEAN: "BOOLEAN", BOOL: "BOOLEAN", LOGICAL: "BOOLEAN",
  DATE: "DATE",
  TIME: "TIME", "TIME WITHOUT TIME ZONE": "TIME", "TIME WITH TIME ZONE": "TIME WITH TIME ZONE", TIMETZ: "TIME WITH TIME ZONE",
  TIMESTAMP: "TIMESTAMP", DATETIME: "TIMESTAMP", "TIMESTAMP WITHOUT TIME ZONE": "TIMESTAMP",
  "TIMESTAMP WITH TIME ZONE": "TIMESTAMP WITH TIME ZONE", TIMESTAMPTZ: "TIMESTAMP WITH TIME ZONE",
  TIMESTAMP_S: "TIMESTAMP_S", TIMESTAMP_MS: "TIMESTAMP_MS", TIMESTAMP_NS: "TIMESTAMP_NS", TIMESTAMP_US: "TIMESTAMP",
  INTERVAL: "INTERVAL", UUID: "UUID", JSON: "JSON",
  BLOB: "BLOB", BYTEA: "BLOB", BINARY: "BLOB", VARBINARY: "BLOB",
  BIT: "BIT", BITSTRING: "BIT",
};

const STRING_NAMES = new Set(["VARCHAR", "CHAR", "BPCHAR", "TEXT", "STRING", "CHARACTER VARYING", "CHARACTER", "NVARCHAR"]);

/** An identifier inside a type (STRUCT field): bare when it can be, quoted otherwise. */
function fieldName(name: string): string {
  return /^[a-z_][a-z0-9_]*$/i.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

function render(node: TypeNode, depth = 0): string {
  const name = upperName(node.words);
  const args = node.args;
  let out: string;
  const noArgs = () => {
    if (args !== undefined) throw new TypeParseError(`${name} takes no arguments`);
  };
  const fields = (what: string): string => {
    if (!args || args.length === 0) throw new TypeParseError(`${what}(…) needs at least one "name type" field`);
    return args
      .map((a) => {
        if (a.kind !== "type" || a.type.words.length < 2) throw new TypeParseError(`${what} fields are "name type" pairs`);
        const [first, ...rest] = a.type.words;
        return `${fieldName(first.text)} ${render({ ...a.type, words: rest }, depth + 1)}`;
      })
      .join(", ");
  };
  if (node.suffix.length) {
    const full = `${name} ${upperName(node.suffix)}`.replace(/^(TIMESTAMP|TIME) (WITH|WITHOUT)/, "$1 $2");
    if (!/^(TIMESTAMP|TIME) WITH(OUT)? TIME ZONE$/.test(full)) throw new TypeParseError(`unexpected "${upperName(node.suffix)}" after ${name}(…)`);
  }
  if (name === "DECIMAL" || name === "NUMERIC" || name === "DEC") {
    let p = 18;
    let s = 3;
    if (args && args.length > 0) {
      if (args.length > 2 || args.some((a) => a.kind !== "number" || !Number.isInteger(a.value))) throw new TypeParseError(`${name}(precision[, scale]) takes whole numbers`);
      p = (args[0] as { value: number }).value;
      s = args.length > 1 ? (args[1] as { value: number }).value : 0;
      if (p < 1 || p > 38) throw new TypeParseError(`DECIMAL precision must be between 1 and 38 (got ${p})`);
      if (s < 0 || s > p) throw new TypeParseError(`DECIMAL scale must be between 0 and the precision ${p} (got ${s})`);
    } else if (args) throw new TypeParseError(`${name}() needs a precision`);
    out = `DECIMAL(${p},${s})`;
  } else if (STRING_NAMES.has(name) && args) {
    if (args.length !== 1 || args[0].kind !== "number" || !Number.isInteger(args[0].value) || args[0].value < 1) throw new TypeParseError(`${name}(n) takes one positive length`);
    out = "VARCHAR"; // DuckDB keeps no length
  } else if ((name === "TIMESTAMP" || name === "TIME") && args) {
    if (args.length !== 1 || args[0].kind !== "number" || args[0].value < 0 || args[0].value > 9) throw new TypeParseError(`${name}(p) takes one precision 0-9`);
    out = node.suffix.length && upperName(node.suffix) === "WITH TIME ZONE" ? `${name} WITH TIME ZONE` : name;
  } else if (name === "STRUCT" || name === "ROW") {
    out = `STRUCT(${fields("STRUCT")})`;
  } else if (name === "UNION") {
    out = `UNION(${fields("UNION")})`;
  } else if (name === "MAP") {
    if (!args || args.length !== 2 || args.some((a) => a.kind !== "type")) throw new TypeParseError("MAP(key type, value type) takes two types");
    out = `MAP(${args.map((a) => render((a as { type: TypeNode }).type, depth + 1)).join(", ")})`;
  } else if (name === "LIST") {
    if (!args || args.length !== 1 || args[0].kind !== "type") throw new TypeParseError("LIST(type) takes one type");
    out = `${render(args[0].type, depth + 1)}[]`;
  } else if (name === "ENUM") {
    if (!args || args.length === 0 || args.some((a) => a.kind !== "string" || a.enumValue !== undefined)) throw new TypeParseError("ENUM('a', 'b', …) takes string labels");
    const labels = args.map((a) => (a as { value: string }).value);
    const dup = labels.find((l, i) => labels.indexOf(l) !== i);
    if (dup !== undefined) throw new TypeParseError(`ENUM label ${typeString(dup)} is repeated`);
    out = `ENUM(${labels.map(typeString).join(", ")})`;
  } else {
    const canonical = SCALARS[name];
    if (!canonical || node.words.some((w) => w.quoted)) throw new TypeParseError(`unknown type name ${name}`);
    noArgs();
    out = canonical;
  }
  for (const size of node.arrays) {
    if (size !== null && (!Number.isInteger(size) || size < 1)) throw new TypeParseError(`array size must be a positive whole number (got ${size})`);
    out += size === null ? "[]" : `[${size}]`;
  }
  return out;
}

export function parseDuckType(raw: string): ParsedType {
  try {
    if (typeof raw !== "string" || raw.trim() === "") throw new TypeParseError("is empty");
    return { ok: true, type: render(parseTypeSyntax(raw, DUCKDB_LEX)), nullable: false };
  } catch (e) {
    if (e instanceof TypeParseError) return { ok: false, error: e.message };
    throw e;
  }
}

const INTS: Record<string, readonly [boolean, number]> = {
  TINYINT: [true, 8], SMALLINT: [true, 16], INTEGER: [true, 32], BIGINT: [true, 64], HUGEINT: [true, 128],
  UTINYINT: [false, 8], USMALLINT: [false, 16], UINTEGER: [false, 32], UBIGINT: [false, 64], UHUGEINT: [false, 128],
};

export const DUCKDB_TYPES: TypeSystem = typeSystem({
  name: "DuckDB",
  parse: parseDuckType,
  integers: INTS,
  floats: { FLOAT: 24, DOUBLE: 53 },
  decimal(t) {
    const m = /^DECIMAL\((\d+),(\d+)\)$/.exec(t);
    return m ? { precision: Number(m[1]), scale: Number(m[2]) } : undefined;
  },
  extraWidening(from, to) {
    if (from === "DATE" && (to === "TIMESTAMP" || to === "TIMESTAMP WITH TIME ZONE")) return true;
    if (to === "VARCHAR" && !/[\]]$/.test(from) && !/^(STRUCT|MAP|UNION)\(/.test(from)) return true;
    return false;
  },
});
