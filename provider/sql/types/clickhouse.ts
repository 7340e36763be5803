/**
 * ClickHouse types (ByteHouse), parsed by the type grammar. The canonical spelling carries
 * nullability apart: `Nullable(String)` is { type: "String", nullable: true }, so it compares
 * equal to `{type: "String", nullable: true}`, and LowCardinality(Nullable(String)) is
 * { type: "LowCardinality(String)", nullable: true }. LowCardinality is kept (it is what the table
 * is created with) but a change to or from it is safe: the values are the same. Arguments are written without spaces
 * (`Decimal(18,2)`, `Map(String,UInt64)`); DecimalN(S) is Decimal(P,S).
 */
import { ParsedType, TypeSystem, typeSystem } from "../../framework/columns";
import { LexOptions } from "../tokenizer";
import { TypeArg, TypeNode, TypeParseError, parseTypeSyntax } from "./grammar";

export const CLICKHOUSE_LEX: LexOptions = { backtickIdentifiers: true, backslashEscapes: true };

const INTS: Record<string, readonly [boolean, number]> = {
  Int8: [true, 8], Int16: [true, 16], Int32: [true, 32], Int64: [true, 64], Int128: [true, 128], Int256: [true, 256],
  UInt8: [false, 8], UInt16: [false, 16], UInt32: [false, 32], UInt64: [false, 64], UInt128: [false, 128], UInt256: [false, 256],
};

/** Families without arguments, by their canonical spelling. */
const SIMPLE = [...Object.keys(INTS), "Float32", "Float64", "BFloat16", "String", "UUID", "Bool", "Date", "Date32", "IPv4", "IPv6", "JSON", "Point", "Ring", "Polygon", "MultiPolygon", "LineString", "MultiLineString", "Nothing", "Dynamic"];

/** SQL-standard aliases ClickHouse accepts (case-insensitive) → family. */
const ALIASES: Record<string, string> = {
  TINYINT: "Int8", INT1: "Int8", BYTE: "Int8",
  SMALLINT: "Int16", INT2: "Int16",
  INT: "Int32", INTEGER: "Int32", INT4: "Int32", MEDIUMINT: "Int32",
  BIGINT: "Int64",
  FLOAT: "Float32", REAL: "Float32", SINGLE: "Float32",
  DOUBLE: "Float64", "DOUBLE PRECISION": "Float64",
  TEXT: "String", VARCHAR: "String", CHAR: "String", CHARACTER: "String", "CHARACTER VARYING": "String", CLOB: "String", BLOB: "String", BINARY: "String", VARBINARY: "String", NVARCHAR: "String", LONGTEXT: "String", MEDIUMTEXT: "String", TINYTEXT: "String",
  BOOLEAN: "Bool",
  DATETIME: "DateTime", TIMESTAMP: "DateTime",
  DECIMAL: "Decimal", NUMERIC: "Decimal", DEC: "Decimal",
};

const FAMILIES = [...SIMPLE, "Decimal", "Decimal32", "Decimal64", "Decimal128", "Decimal256", "DateTime", "DateTime64", "FixedString", "Enum", "Enum8", "Enum16", "Array", "Map", "Tuple", "Nested", "Nullable", "LowCardinality", "Variant"];
const BY_LOWER = new Map(FAMILIES.map((f) => [f.toLowerCase(), f]));

const STRING_ALIASES = new Set(["TEXT", "VARCHAR", "CHAR", "CHARACTER", "CHARACTER VARYING", "NVARCHAR", "BINARY", "VARBINARY"]);

/** A string inside a ClickHouse type (a time zone, an Enum label): ClickHouse escapes with backslashes. */
function typeString(s: string): string {
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** The one spelling of a canonical type with its nullability: Nullable(T), or LowCardinality(Nullable(T)). */
export function clickHouseSpelling(type: string, nullable: boolean): string {
  if (!nullable) return type;
  const lc = /^LowCardinality\((.*)\)$/.exec(type);
  return lc ? `LowCardinality(Nullable(${lc[1]}))` : `Nullable(${type})`;
}

interface Rendered {
  type: string;
  nullable: boolean;
  /** Composite types (Array, Map, Tuple, …) cannot be inside Nullable. */
  composite: boolean;
}

function family(node: TypeNode): string {
  if (node.words.some((w) => w.quoted)) throw new TypeParseError(`a type name is not quoted (got "${node.words.map((w) => w.text).join(" ")}")`);
  const spelled = node.words.map((w) => w.text).join(" ");
  const alias = ALIASES[spelled.toUpperCase()];
  if (alias) return alias;
  const f = BY_LOWER.get(spelled.toLowerCase());
  if (!f) {
    const near = /^(U?Int|Float|Decimal|Enum)(\d+)$/i.exec(spelled);
    throw new TypeParseError(near ? `${spelled} is not a ClickHouse type (no ${near[1]} of ${near[2]} bits)` : `unknown type name ${spelled}`);
  }
  return f;
}

const whole = (a: TypeArg | undefined, what: string, min: number, max: number): number => {
  if (!a || a.kind !== "number" || !Number.isInteger(a.value)) throw new TypeParseError(`${what} must be a whole number`);
  if (a.value < min || a.value > max) throw new TypeParseError(`${what} must be between ${min} and ${max} (got ${a.value})`);
  return a.value;
};

const oneType = (node: TypeNode, f: string): TypeNode => {
  if (!node.args || node.args.length !== 1 || node.args[0].kind !== "type") throw new TypeParseError(`${f}(T) takes one type`);
  return node.args[0].type;
};

function render(node: TypeNode, depth = 0): Rendered {
  if (node.arrays.length) throw new TypeParseError("ClickHouse arrays are written Array(T), not T[]");
  if (node.suffix.length) throw new TypeParseError(`unexpected "${node.suffix.map((w) => w.text).join(" ")}" after the type`);
  const f = family(node);
  const args = node.args;
  const plain = (type: string, composite = false): Rendered => ({ type, nullable: false, composite });
  switch (f) {
    case "Nullable": {
      const inner = render(oneType(node, f), depth + 1);
      if (inner.nullable) throw new TypeParseError("Nullable(Nullable(T)) is not a type");
      if (inner.type.startsWith("LowCardinality(")) throw new TypeParseError(`Nullable cannot hold ${inner.type}: write LowCardinality(Nullable(T))`);
      if (inner.composite) throw new TypeParseError(`Nullable cannot hold ${inner.type} (only a plain type: use Array(Nullable(T)) or the like)`);
      return { type: inner.type, nullable: true, composite: false };
    }
    case "LowCardinality": {
      const inner = render(oneType(node, f), depth + 1);
      if (inner.composite || inner.type.startsWith("LowCardinality(")) throw new TypeParseError(`LowCardinality cannot hold ${inner.type}`);
      // Nullability comes out of the type, as for Nullable(T): LowCardinality(Nullable(String)) is LowCardinality(String), nullable.
      return { type: `LowCardinality(${inner.type})`, nullable: inner.nullable, composite: false };
    }
    case "Array": {
      const inner = render(oneType(node, f), depth + 1);
      return plain(`Array(${clickHouseSpelling(inner.type, inner.nullable)})`, true);
    }
    case "Map": {
      if (!args || args.length !== 2 || args.some((a) => a.kind !== "type")) throw new TypeParseError("Map(K,V) takes a key type and a value type");
      const [k, v] = args.map((a) => render((a as { type: TypeNode }).type, depth + 1));
      if (k.nullable || k.composite || /^(Float|Decimal|JSON)/.test(k.type)) throw new TypeParseError(`a Map key cannot be ${k.nullable ? `Nullable(${k.type})` : k.type}`);
      return plain(`Map(${k.type},${clickHouseSpelling(v.type, v.nullable)})`, true);
    }
    case "Tuple":
    case "Nested":
    case "Variant": {
      if (!args || args.length === 0) throw new TypeParseError(`${f}(…) needs at least one type`);
      const parts = args.map((a) => {
        if (a.kind !== "type") throw new TypeParseError(`${f}(…) takes types`);
        const named = f !== "Variant" && a.type.words.length >= 2 && !ALIASES[a.type.words.map((w) => w.text).join(" ").toUpperCase()];
        if (f === "Nested" && !named) throw new TypeParseError("Nested(…) fields are \"name type\" pairs");
        const t = named ? { ...a.type, words: a.type.words.slice(1) } : a.type;
        const r = render(t, depth + 1);
        const spelled = clickHouseSpelling(r.type, r.nullable);
        return named ? `${a.type.words[0].text} ${spelled}` : spelled;
      });
      return plain(`${f}(${parts.join(",")})`, true);
    }
    case "Decimal": {
      if (!args) return plain("Decimal(10,0)");
      if (args.length < 1 || args.length > 2) throw new TypeParseError("Decimal(P,S) takes a precision and a scale");
      const p = whole(args[0], "Decimal precision", 1, 76);
      const s = args.length > 1 ? whole(args[1], "Decimal scale", 0, p) : 0;
      return plain(`Decimal(${p},${s})`);
    }
    case "Decimal32":
    case "Decimal64":
    case "Decimal128":
    case "Decimal256": {
      const p = { Decimal32: 9, Decimal64: 18, Decimal128: 38, Decimal256: 76 }[f];
      if (!args || args.length !== 1) throw new TypeParseError(`${f}(S) takes a scale`);
      return plain(`Decimal(${p},${whole(args[0], `${f} scale`, 0, p)})`);
    }
    case "DateTime": {
      if (!args || args.length === 0) return plain("DateTime");
      if (args.length !== 1 || args[0].kind !== "string" || args[0].enumValue !== undefined) throw new TypeParseError("DateTime('timezone') takes one time zone string");
      return plain(`DateTime(${typeString(args[0].value)})`);
    }
    case "DateTime64": {
      if (!args || args.length < 1 || args.length > 2) throw new TypeParseError("DateTime64(precision[, 'timezone']) takes a precision 0-9");
      const p = whole(args[0], "DateTime64 precision", 0, 9);
      if (args.length === 2 && (args[1].kind !== "string" || args[1].enumValue !== undefined)) throw new TypeParseError("the DateTime64 time zone is a string");
      return plain(args.length === 2 ? `DateTime64(${p},${typeString((args[1] as { value: string }).value)})` : `DateTime64(${p})`);
    }
    case "FixedString": {
      if (!args || args.length !== 1) throw new TypeParseError("FixedString(N) takes a length");
      return plain(`FixedString(${whole(args[0], "FixedString length", 1, 1 << 30)})`);
    }
    case "Enum":
    case "Enum8":
    case "Enum16": {
      if (!args || args.length === 0) throw new TypeParseError(`${f}('a' = 1, …) needs at least one value`);
      const entries = args.map((a, i) => {
        if (a.kind !== "string") throw new TypeParseError(`${f} values are 'label' = number`);
        return { label: a.value, value: a.enumValue ?? i + 1 };
      });
      const labels = entries.map((e) => e.label);
      const values = entries.map((e) => e.value);
      if (labels.some((l, i) => labels.indexOf(l) !== i)) throw new TypeParseError(`${f} labels must be distinct`);
      if (values.some((v, i) => values.indexOf(v) !== i)) throw new TypeParseError(`${f} values must be distinct`);
      if (values.some((v) => !Number.isInteger(v))) throw new TypeParseError(`${f} values must be whole numbers`);
      const fits8 = values.every((v) => v >= -128 && v <= 127);
      const fits16 = values.every((v) => v >= -32768 && v <= 32767);
      const size = f === "Enum8" ? 8 : f === "Enum16" ? 16 : fits8 ? 8 : 16;
      if (size === 8 ? !fits8 : !fits16) throw new TypeParseError(`Enum${size} values must be between ${size === 8 ? "-128 and 127" : "-32768 and 32767"}`);
      return plain(`Enum${size}(${entries.map((e) => `${typeString(e.label)} = ${e.value}`).join(", ")})`);
    }
  }
  const spelled = node.words.map((w) => w.text).join(" ").toUpperCase();
  if (f === "String" && args && STRING_ALIASES.has(spelled)) {
    whole(args[0], `${spelled} length`, 0, Number.MAX_SAFE_INTEGER);
    if (args.length !== 1) throw new TypeParseError(`${spelled}(n) takes one length`);
    return plain("String");
  }
  if (f === "Float32" || f === "Float64") {
    if (args && args.length > 0) throw new TypeParseError(`${f} takes no arguments`);
    return plain(f);
  }
  if (args !== undefined) throw new TypeParseError(`${f} takes no arguments`);
  return plain(f);
}

/** Parses a ClickHouse type; Nullable(T) comes back as T with nullable: true. */
export function parseClickHouseType(raw: string): ParsedType {
  try {
    if (typeof raw !== "string" || raw.trim() === "") throw new TypeParseError("is empty");
    const r = render(parseTypeSyntax(raw, CLICKHOUSE_LEX));
    return { ok: true, type: r.type, nullable: r.nullable };
  } catch (e) {
    if (e instanceof TypeParseError) return { ok: false, error: e.message };
    throw e;
  }
}

export const CLICKHOUSE_TYPES: TypeSystem = typeSystem({
  name: "ClickHouse",
  parse: parseClickHouseType,
  integers: INTS,
  floats: { BFloat16: 8, Float32: 24, Float64: 53 },
  decimal(t) {
    const m = /^Decimal\((\d+),(\d+)\)$/.exec(t);
    return m ? { precision: Number(m[1]), scale: Number(m[2]) } : undefined;
  },
  extraWidening(from, to) {
    // LowCardinality is a storage hint: the values are the same.
    const strip = (t: string) => /^LowCardinality\((.*)\)$/.exec(t)?.[1] ?? t;
    if (strip(from) !== from || strip(to) !== to) return CLICKHOUSE_TYPES.isWidening(strip(from), strip(to));
    if (from === "Date" && (to === "Date32" || to === "DateTime" || /^DateTime64\(/.test(to))) return true;
    if (from === "DateTime" && /^DateTime64\(/.test(to)) return true;
    if (/^FixedString\(\d+\)$/.test(from) && to === "String") return true;
    if (to === "String" && (INTS[from] !== undefined || from === "UUID" || from === "Date" || from === "Bool")) return true;
    return false;
  },
});
