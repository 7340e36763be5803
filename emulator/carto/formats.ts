/**
 * How the CARTO SQL API renders a result (CartoDB-SQL-API lib/models/formats): JSON (rows, time,
 * fields typed the vendor's way, total_rows, notices by severity, an error tail), GeoJSON (a
 * FeatureCollection of the first geometry column) and CSV. Values arrive in PostgreSQL's text
 * format and are parsed as the vendor's driver parses them.
 */
import type { PgField, PgNotice, PgStatement } from "./engine";

/** PostGIS geometry types by lwtype (liblwgeom), as the vendor's driver names them. */
const WKB_TYPES = ["Unknown", "Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection", "CircularString", "CompoundCurve", "CurvePolygon", "MultiCurvePolygon", "PolyhedralSurface", "Triangle", "TIN"];

/** Geometry type, dims and SRID from a geometry/geography column's type modifier (as cartodb-psql's typeModInfo). */
export function typeModInfo(typmod: number): { wkbtype?: string; dims: number; srid: number } {
  const srid = ((typmod & 0x0fffff00) - (typmod & 0x10000000)) >> 8;
  const lwtype = (typmod & 0x000000fc) >> 2;
  const hasZ = (typmod & 0x00000002) >> 1;
  const hasM = typmod & 0x00000001;
  return { wkbtype: WKB_TYPES[lwtype], dims: 2 + hasZ + hasM, srid };
}

/** CARTO's type name for a PostgreSQL type name (lib/models/formats/pg/json.js). */
export function cartoType(pgName: string | undefined, oid: number): string {
  if (!pgName) return `unknown(${oid})`;
  let t: string;
  if (/bool/.test(pgName)) t = "boolean";
  else if (/int|float|numeric/.test(pgName)) t = "number";
  else if (/text|char|unknown/.test(pgName)) t = "string";
  else if (/date|time/.test(pgName)) t = "date";
  else t = pgName;
  if (pgName.startsWith("_")) t += "[]";
  return t;
}

export type FieldInfo = { type: string; pgtype: string } | { type: string; wkbtype?: string; dims: number; srid: number };

export function fieldInfo(f: PgField, pgName: string | undefined): FieldInfo {
  const type = cartoType(pgName, f.typeId);
  if (pgName === "geometry" || pgName === "geography" || pgName === "raster") return { type, ...typeModInfo(f.typmod) };
  return { type, pgtype: pgName ?? `unknown(${f.typeId})` };
}

const pad = (n: number) => (n < 10 ? `0${n}` : String(n));
/** A Date as the vendor's server writes it (no milliseconds; UTC with "Z"). */
const dateJson = (d: Date): string => (isNaN(d.getTime()) ? "Invalid Date" : `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}Z`);

function parseNumber(s: string): number | string {
  if (s === "NaN" || s === "Infinity" || s === "-Infinity") return s;
  const n = Number(s);
  return Number.isFinite(n) ? n : s;
}

/** A PostgreSQL array literal (`{1,2,"a b",NULL}`, nested) parsed with `item` for its elements. */
export function parseArray(s: string, item: (v: string) => unknown): unknown[] {
  let i = 0;
  const parse = (): unknown[] => {
    const out: unknown[] = [];
    i++; // {
    while (i < s.length) {
      const c = s[i];
      if (c === "}") {
        i++;
        return out;
      }
      if (c === ",") {
        i++;
        continue;
      }
      if (c === "{") {
        out.push(parse());
        continue;
      }
      if (c === '"') {
        let v = "";
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === "\\") i++;
          v += s[i++];
        }
        i++;
        out.push(item(v));
        continue;
      }
      let j = i;
      while (j < s.length && s[j] !== "," && s[j] !== "}") j++;
      const raw = s.slice(i, j);
      i = j;
      out.push(raw === "NULL" ? null : item(raw));
    }
    return out;
  };
  // skip an explicit dimension decoration such as [1:2]={…}
  const eq = s.indexOf("=");
  if (s[0] === "[" && eq > 0) i = eq + 1;
  return s[i] === "{" ? parse() : [];
}

const scalar = (pgName: string | undefined): ((v: string) => unknown) => {
  switch (pgName) {
    case "bool":
      return (v) => v === "t" || v === "true";
    case "int2":
    case "int4":
    case "int8":
    case "oid":
    case "float4":
    case "float8":
    case "numeric":
      return parseNumber;
    case "json":
    case "jsonb":
      return (v) => JSON.parse(v);
    case "date":
      return (v) => (/^\d{4}-\d\d-\d\d$/.test(v) ? `${v}T00:00:00Z` : v);
    case "timestamp":
      return (v) => dateJson(new Date(v.replace(" ", "T") + "Z"));
    case "timestamptz":
      return (v) => dateJson(new Date(v.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00")));
    default:
      return (v) => v;
  }
};

/** A parser of one column's text values. */
export function valueParser(pgName: string | undefined): (v: string | null) => unknown {
  if (pgName?.startsWith("_")) {
    const item = scalar(pgName.slice(1));
    return (v) => (v === null ? null : parseArray(v, item));
  }
  const p = scalar(pgName);
  return (v) => (v === null ? null : p(v));
}

export interface RenderInput {
  statement: PgStatement;
  typeNames: (string | undefined)[];
  skip: Set<string>;
  notices: PgNotice[];
  elapsedMs: number;
  /** The vendor's error array, appended after the rows (HTTP 200). */
  errorTail?: string[];
}

/** Rows as objects (skipfields dropped). */
export function objects(inp: RenderInput): Record<string, unknown>[] {
  const { statement: st, typeNames, skip } = inp;
  const parsers = st.fields.map((_f, i) => valueParser(typeNames[i]));
  return st.rows.map((r) => {
    const o: Record<string, unknown> = {};
    st.fields.forEach((f, i) => {
      if (!skip.has(f.name)) o[f.name] = parsers[i](r[i]);
    });
    return o;
  });
}

/** Notices grouped the vendor's way: `{"notices": [...], "warnings": [...]}` by severity, lower-cased plus "s". */
export function noticeGroups(notices: PgNotice[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const n of notices) (out[n.severity.toLowerCase() + "s"] ??= []).push(n.message);
  return out;
}

/** The JSON format's text, in the vendor's key order. */
export function renderJson(inp: RenderInput): string {
  const fields: Record<string, FieldInfo> = {};
  inp.statement.fields.forEach((f, i) => {
    if (!inp.skip.has(f.name)) fields[f.name] = fieldInfo(f, inp.typeNames[i]);
  });
  const rows = objects(inp);
  const totalRows = inp.statement.rowCount || rows.length;
  let out = `{"rows":${JSON.stringify(rows)},"time":${JSON.stringify(inp.elapsedMs / 1000)},"fields":${JSON.stringify(fields)},"total_rows":${JSON.stringify(totalRows)}`;
  if (inp.errorTail) out += `,"error":${JSON.stringify(inp.errorTail)}`;
  for (const [k, v] of Object.entries(noticeGroups(inp.notices))) out += `,${JSON.stringify(k)}:${JSON.stringify(v)}`;
  return out + "}";
}

/** The GeoJSON format: the first geometry column (as GeoJSON text from ST_AsGeoJSON, in `geojsonColumn`) and the other columns as properties. */
export function renderGeoJson(inp: RenderInput, geomColumn: string): string {
  const rows = objects(inp);
  const features = rows.map((r) => {
    const geometry = r[geomColumn] === null || r[geomColumn] === undefined ? null : JSON.parse(String(r[geomColumn]));
    const properties: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) if (k !== geomColumn) properties[k] = v;
    return { type: "Feature", geometry, properties };
  });
  return JSON.stringify({ type: "FeatureCollection", features });
}

const csvCell = (v: unknown): string => {
  if (v === null || v === undefined) return "";
  const s = typeof v === "object" ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The CSV format: a header line, then one line per row (the vendor uses CRLF, as ogr2ogr writes it). */
export function renderCsv(st: PgStatement, skip: Set<string>): string {
  const keep = st.fields.map((f, i) => [f, i] as const).filter(([f]) => !skip.has(f.name));
  const lines = [keep.map(([f]) => csvCell(f.name)).join(",")];
  for (const r of st.rows) lines.push(keep.map(([, i]) => csvCell(r[i])).join(","));
  return lines.join("\r\n") + "\r\n";
}
