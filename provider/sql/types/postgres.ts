/**
 * PostgreSQL types (CARTO), parsed by the type grammar. The canonical spelling is PostgreSQL's
 * own `format_type` output (integer, bigint, numeric(10,2), character varying(20),
 * timestamp with time zone, integer[], geometry(Point,4326)), so `int4` vs `integer` never diffs.
 */
import { ParsedType, TypeSystem, typeSystem } from "../../framework/columns";
import { LexOptions } from "../tokenizer";
import { TypeNode, TypeParseError, parseTypeSyntax } from "./grammar";

export const POSTGRES_LEX: LexOptions = { dollarQuotes: true, escapeStrings: true, nestedComments: true };

const SCALARS: Record<string, string> = {
  smallint: "smallint", int2: "smallint", smallserial: "smallint", serial2: "smallint",
  integer: "integer", int: "integer", int4: "integer", serial: "integer", serial4: "integer",
  bigint: "bigint", int8: "bigint", bigserial: "bigint", serial8: "bigint",
  real: "real", float4: "real",
  "double precision": "double precision", float8: "double precision",
  text: "text", boolean: "boolean", bool: "boolean",
  date: "date", bytea: "bytea", uuid: "uuid", json: "json", jsonb: "jsonb", money: "money",
  inet: "inet", cidr: "cidr", macaddr: "macaddr", macaddr8: "macaddr8", xml: "xml", tsvector: "tsvector", tsquery: "tsquery",
  interval: "interval", oid: "oid", name: "name", point: "point", box: "box", line: "line", lseg: "lseg", path: "path", polygon: "polygon", circle: "circle",
  int4range: "int4range", int8range: "int8range", numrange: "numrange", tsrange: "tsrange", tstzrange: "tstzrange", daterange: "daterange",
  timestamp: "timestamp without time zone", "timestamp without time zone": "timestamp without time zone",
  timestamptz: "timestamp with time zone", "timestamp with time zone": "timestamp with time zone",
  time: "time without time zone", "time without time zone": "time without time zone",
  timetz: "time with time zone", "time with time zone": "time with time zone",
  varchar: "character varying", "character varying": "character varying",
  char: "character", character: "character", bpchar: "character",
  numeric: "numeric", decimal: "numeric",
  // Object identifier aliases: what a serial column's default casts to (nextval('t_id_seq'::regclass), as pg_get_expr reads it).
  regclass: "regclass", regtype: "regtype", regproc: "regproc", regprocedure: "regprocedure", regnamespace: "regnamespace", regrole: "regrole", regconfig: "regconfig",
};

/** Geometry subtypes PostGIS accepts in geometry(subtype, srid). */
const GEOMETRY_SUBTYPES = ["Geometry", "Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection", "CircularString", "CompoundCurve", "CurvePolygon", "MultiCurve", "MultiSurface", "PolyhedralSurface", "Triangle", "Tin"];

function render(node: TypeNode): string {
  if (node.words.some((w) => w.quoted)) throw new TypeParseError("a type name is not quoted");
  const name = node.words.map((w) => w.text.toLowerCase()).join(" ");
  const args = node.args;
  const suffix = node.suffix.map((w) => w.text.toLowerCase()).join(" ");
  const nums = (what: string, min: number, max: number, count: [number, number]): number[] => {
    if (!args || args.length < count[0] || args.length > count[1]) throw new TypeParseError(`${what} takes ${count[0] === count[1] ? count[0] : `${count[0]}-${count[1]}`} number(s)`);
    return args.map((a) => {
      if (a.kind !== "number" || !Number.isInteger(a.value) || a.value < min || a.value > max) throw new TypeParseError(`${what} arguments must be whole numbers between ${min} and ${max}`);
      return a.value;
    });
  };
  let out: string;
  if (suffix && !((name === "timestamp" || name === "time") && /^with(out)? time zone$/.test(suffix))) throw new TypeParseError(`unexpected "${suffix}" after ${name}(…)`);
  if (args && (name === "numeric" || name === "decimal")) {
    const [p, s = 0] = nums("numeric(p, s)", 0, 1000, [1, 2]);
    if (p < 1) throw new TypeParseError("numeric precision must be between 1 and 1000");
    if (s > p) throw new TypeParseError(`numeric scale must be between 0 and the precision ${p} (got ${s})`);
    out = `numeric(${p},${s})`;
  } else if (args && ["varchar", "character varying", "char", "character", "bpchar"].includes(name)) {
    const [n] = nums(`${name}(n)`, 1, 10485760, [1, 1]);
    out = `${SCALARS[name]}(${n})`;
  } else if (args && (name === "timestamp" || name === "time" || name === "timestamptz" || name === "timetz" || name === "interval")) {
    const [p] = nums(`${name}(p)`, 0, 6, [1, 1]);
    const zone = suffix ? suffix : name.endsWith("tz") ? "with time zone" : "without time zone";
    out = name === "interval" ? `interval(${p})` : `${name.replace(/tz$/, "")}(${p}) ${zone}`;
  } else if (name === "geometry" || name === "geography") {
    if (!args || args.length === 0) out = name;
    else {
      const sub = args[0];
      if (sub.kind !== "type" || sub.type.words.length !== 1 || sub.type.args || sub.type.arrays.length) throw new TypeParseError(`${name}(subtype[, srid]) takes a geometry subtype such as Point`);
      const raw = sub.type.words[0].text.replace(/(ZM|Z|M)$/i, "");
      const dims = sub.type.words[0].text.slice(raw.length).toUpperCase();
      const known = GEOMETRY_SUBTYPES.find((g) => g.toLowerCase() === raw.toLowerCase());
      if (!known) throw new TypeParseError(`${sub.type.words[0].text} is not a geometry subtype (${GEOMETRY_SUBTYPES.join(", ")})`);
      if (args.length > 2) throw new TypeParseError(`${name}(subtype, srid) takes at most two arguments`);
      let srid = "";
      if (args.length === 2) {
        const s = args[1];
        if (s.kind !== "number" || !Number.isInteger(s.value) || s.value < 0 || s.value > 999999) throw new TypeParseError(`${name} SRID must be a whole number between 0 and 999999`);
        srid = `,${s.value}`;
      }
      out = `${name}(${known}${dims}${srid})`;
    }
  } else {
    const canonical = SCALARS[name];
    if (!canonical) throw new TypeParseError(`unknown type name ${name}`);
    if (args) throw new TypeParseError(`${name} takes no arguments`);
    out = canonical;
  }
  for (const size of node.arrays) {
    if (size !== null && (!Number.isInteger(size) || size < 1)) throw new TypeParseError(`array size must be a positive whole number (got ${size})`);
  }
  return out + "[]".repeat(node.arrays.length); // PostgreSQL ignores declared array sizes
}

export function parsePostgresType(raw: string): ParsedType {
  try {
    if (typeof raw !== "string" || raw.trim() === "") throw new TypeParseError("is empty");
    return { ok: true, type: render(parseTypeSyntax(raw, POSTGRES_LEX)), nullable: false };
  } catch (e) {
    if (e instanceof TypeParseError) return { ok: false, error: e.message };
    throw e;
  }
}

export const POSTGRES_TYPES: TypeSystem = typeSystem({
  name: "PostgreSQL",
  parse: parsePostgresType,
  integers: { smallint: [true, 16], integer: [true, 32], bigint: [true, 64] },
  floats: { real: 24, "double precision": 53 },
  decimal(t) {
    const m = /^numeric\((\d+),(\d+)\)$/.exec(t);
    return m ? { precision: Number(m[1]), scale: Number(m[2]) } : undefined;
  },
  extraWidening(from, to) {
    if (to === "numeric" && (from === "smallint" || from === "integer" || from === "bigint" || /^numeric\(/.test(from))) return true;
    if (to === "text" && (/^character( varying)?(\(\d+\))?$/.test(from) || from === "character varying")) return true;
    const len = (t: string) => /^character varying\((\d+)\)$/.exec(t);
    const a = len(from);
    if (a && (to === "character varying" || (len(to) && Number(len(to)![1]) >= Number(a[1])))) return true;
    if (from === "date" && (to === "timestamp without time zone" || to === "timestamp with time zone")) return true;
    if (from === "json" && to === "jsonb") return false;
    return false;
  },
});
