/**
 * ClickHouse column types ↔ DuckDB types, for the table API and the SQL translator.
 *
 * A ClickHouse type is parsed (case-insensitively, so the vendor doc's "int" works) into the
 * DuckDB type that stores it and a nullability flag: Nullable(T) → T and nullable;
 * LowCardinality(T) → T; Array(T) → T[].
 */

export interface MappedType {
  /** The declared type without Nullable( ), as the API reports it (e.g. "String", "int"). */
  ch: string;
  /** The DuckDB type (e.g. "VARCHAR"). */
  duck: string;
  nullable: boolean;
}

interface Node {
  name: string;
  args: (Node | string)[];
  parens: boolean;
}

export class TypeError_ extends Error {}

function parse(text: string): Node {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const node = (): Node => {
    ws();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (!m) throw new TypeError_(`cannot parse type "${text}"`);
    i += m[0].length;
    ws();
    const n: Node = { name: m[0], args: [], parens: false };
    if (text[i] === "(") {
      n.parens = true;
      i++;
      ws();
      if (text[i] === ")") {
        i++;
        return n;
      }
      for (;;) {
        ws();
        const lit = /^(-?\d+|'(?:[^'\\]|\\.)*')/.exec(text.slice(i));
        if (lit) {
          n.args.push(lit[0]);
          i += lit[0].length;
        } else n.args.push(node());
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === ")") {
          i++;
          break;
        }
        throw new TypeError_(`cannot parse type "${text}"`);
      }
    }
    return n;
  };
  const n = node();
  ws();
  if (i !== text.length) throw new TypeError_(`cannot parse type "${text}"`);
  return n;
}

const SIMPLE: Record<string, string> = {
  string: "VARCHAR",
  text: "VARCHAR",
  varchar: "VARCHAR",
  int8: "TINYINT",
  tinyint: "TINYINT",
  int16: "SMALLINT",
  smallint: "SMALLINT",
  int32: "INTEGER",
  int: "INTEGER",
  integer: "INTEGER",
  int64: "BIGINT",
  bigint: "BIGINT",
  int128: "HUGEINT",
  uint8: "UTINYINT",
  uint16: "USMALLINT",
  uint32: "UINTEGER",
  uint64: "UBIGINT",
  float32: "FLOAT",
  float: "FLOAT",
  float64: "DOUBLE",
  double: "DOUBLE",
  date: "DATE",
  date32: "DATE",
  datetime: "TIMESTAMP",
  timestamp: "TIMESTAMP",
  bool: "BOOLEAN",
  boolean: "BOOLEAN",
  uuid: "UUID",
};

const num = (a: Node | string | undefined, what: string, text: string): number => {
  if (typeof a !== "string" || !/^\d+$/.test(a)) throw new TypeError_(`${what} of "${text}" must be an integer`);
  return Number(a);
};

function toDuck(n: Node, text: string): { duck: string; nullable: boolean } {
  const name = n.name.toLowerCase();
  const inner = () => {
    const a = n.args[0];
    if (n.args.length !== 1 || typeof a === "string") throw new TypeError_(`${n.name}( ) takes one type in "${text}"`);
    return toDuck(a, text);
  };
  switch (name) {
    case "nullable":
      return { duck: inner().duck, nullable: true };
    case "lowcardinality":
      return inner();
    case "array":
      return { duck: `${inner().duck}[]`, nullable: false };
    case "fixedstring":
      num(n.args[0], "the length", text);
      return { duck: "VARCHAR", nullable: false };
    case "datetime64":
    case "datetime":
      return { duck: "TIMESTAMP", nullable: false };
    case "decimal": {
      const p = n.args.length ? num(n.args[0], "the precision", text) : 10;
      const s = n.args.length > 1 ? num(n.args[1], "the scale", text) : 0;
      if (p < 1 || p > 38 || s > p) throw new TypeError_(`invalid precision/scale in "${text}"`);
      return { duck: `DECIMAL(${p},${s})`, nullable: false };
    }
    case "decimal32":
    case "decimal64":
    case "decimal128": {
      const s = num(n.args[0], "the scale", text);
      const p = name === "decimal32" ? 9 : name === "decimal64" ? 18 : 38;
      return { duck: `DECIMAL(${p},${s})`, nullable: false };
    }
  }
  const simple = SIMPLE[name];
  if (!simple || (n.parens && n.args.length)) throw new TypeError_(`unknown type "${text}"`);
  return { duck: simple, nullable: false };
}

function render(n: Node | string, dropNullable: boolean): string {
  if (typeof n === "string") return n;
  if (dropNullable && n.name.toLowerCase() === "nullable" && n.args.length === 1) return render(n.args[0], dropNullable);
  return n.parens ? `${n.name}(${n.args.map((a) => render(a, dropNullable)).join(", ")})` : n.name;
}

/** Parses a ClickHouse type; throws TypeError_ for an unknown one. */
export function mapChType(text: string): MappedType {
  const trimmed = String(text ?? "").trim();
  const node = parse(trimmed);
  const { duck, nullable } = toDuck(node, trimmed);
  const ch = /nullable/i.test(trimmed) ? render(node, true) : trimmed;
  return { ch, duck, nullable };
}

const BACK: Record<string, string> = {
  TINYINT: "Int8",
  SMALLINT: "Int16",
  INTEGER: "Int32",
  BIGINT: "Int64",
  HUGEINT: "Int128",
  UTINYINT: "UInt8",
  USMALLINT: "UInt16",
  UINTEGER: "UInt32",
  UBIGINT: "UInt64",
  FLOAT: "Float32",
  DOUBLE: "Float64",
  VARCHAR: "String",
  DATE: "Date",
  TIMESTAMP: "DateTime",
  "TIMESTAMP WITH TIME ZONE": "DateTime",
  TIMESTAMP_NS: "DateTime64(9)",
  TIMESTAMP_MS: "DateTime64(3)",
  BOOLEAN: "Bool",
  UUID: "UUID",
};

/** The ClickHouse name of a DuckDB type (for columns whose type changed through SQL). */
export function duckToCh(duck: string): string {
  const d = duck.trim().toUpperCase();
  if (d.endsWith("[]")) return `Array(${duckToCh(d.slice(0, -2))})`;
  const dec = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(d);
  if (dec) return `Decimal(${dec[1]}, ${dec[2]})`;
  return BACK[d] ?? duck;
}

/** Normalises a DuckDB type name for comparison ("DECIMAL(10, 2)" vs "DECIMAL(10,2)"). */
export const sameDuck = (a: string, b: string) => a.replace(/\s+/g, "").toUpperCase() === b.replace(/\s+/g, "").toUpperCase();

/** The value ClickHouse gives a non-Nullable column when none is supplied (SQL literal). */
export function implicitDefault(duck: string): string {
  const d = duck.toUpperCase();
  if (d.endsWith("[]")) return "[]";
  if (d === "VARCHAR") return "''";
  if (d === "DATE") return "DATE '1970-01-01'";
  if (d.startsWith("TIMESTAMP")) return "TIMESTAMP '1970-01-01 00:00:00'";
  if (d === "BOOLEAN") return "false";
  if (d === "UUID") return "'00000000-0000-0000-0000-000000000000'";
  return "0";
}

/** ClickHouse type names the SQL translator rewrites wherever they appear as bare words (case-sensitive). */
export const CH_SQL_TYPE_WORDS = new Set([
  "String", "FixedString", "Int8", "Int16", "Int32", "Int64", "Int128", "UInt8", "UInt16", "UInt32", "UInt64",
  "Float32", "Float64", "Date32", "DateTime", "DateTime64", "Bool", "Nullable", "LowCardinality", "Array",
  "Decimal32", "Decimal64", "Decimal128",
]);
