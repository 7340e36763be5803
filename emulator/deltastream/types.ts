/**
 * Result sets the vendor's way (every value a string or null, DeltaStream type names) and the
 * mapping between DeltaStream column types and the DuckDB types the engine stores them as.
 */
import type { DuckDBConnection } from "../framework/duckdb";
import type { ResultSetColumnBody } from "../../provider/deltastream/contract";
import { SqlStateError } from "./parser";

export type Column = ResultSetColumnBody;
export type Cell = string | null;
export interface Result {
  columns: Column[];
  rows: Cell[][];
}

export const col = (name: string, type = "VARCHAR", nullable = false): Column => ({ name, type, nullable });
export const empty = (): Result => ({ columns: [], rows: [] });

/** A value as the vendor sends it: a string, or null. */
export function cell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return JSON.stringify(v);
}

/** DeltaStream type name of a DuckDB type (`ltz`: timestamps of the sys catalogue are TIMESTAMP_LTZ). */
export function dsTypeOf(duck: string, ltz = false): string {
  const t = duck.toUpperCase();
  if (t === "TIMESTAMP" || t.startsWith("TIMESTAMP")) return ltz ? "TIMESTAMP_LTZ" : "TIMESTAMP";
  if (t === "HUGEINT" || t === "UBIGINT") return "BIGINT";
  if (t === "UINTEGER") return "BIGINT";
  if (t === "USMALLINT") return "INTEGER";
  if (t === "UTINYINT") return "SMALLINT";
  if (t === "BLOB") return "BYTES";
  if (t.startsWith("DECIMAL")) return t.replace(/,(\S)/, ", $1");
  if (["VARCHAR", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "FLOAT", "DOUBLE", "BOOLEAN", "DATE", "TIME"].includes(t)) return t;
  if (t.endsWith("[]")) return `ARRAY<${dsTypeOf(t.slice(0, -2))}>`;
  return "VARCHAR";
}

/** DuckDB storage type of a DeltaStream column type (complex types kept as JSON text). */
export function duckTypeOf(ds: string): string {
  const t = ds.trim().toUpperCase().replace(/\s+/g, " ");
  const base = t.replace(/\(.*$/, "").replace(/<.*$/, "").trim();
  switch (base) {
    case "VARCHAR":
    case "STRING":
    case "CHAR":
      return "VARCHAR";
    case "TINYINT":
    case "SMALLINT":
    case "INTEGER":
    case "BIGINT":
    case "FLOAT":
    case "DOUBLE":
    case "BOOLEAN":
    case "DATE":
      return base;
    case "INT":
      return "INTEGER";
    case "REAL":
      return "FLOAT";
    case "TIME":
      return "TIME";
    case "TIMESTAMP":
    case "TIMESTAMP_LTZ":
      return "TIMESTAMP";
    case "DECIMAL": {
      const m = /^DECIMAL\s*\(\s*(\d+)\s*(?:,\s*(\d+))?\s*\)$/.exec(t);
      if (!m) return "DECIMAL(10,0)";
      const p = Math.min(38, Number(m[1]));
      return `DECIMAL(${p},${Math.min(p, Number(m[2] ?? 0))})`;
    }
    case "BYTES":
    case "VARBINARY":
      return "BLOB";
    case "ARRAY":
    case "MAP":
    case "STRUCT":
      return "VARCHAR";
    default:
      throw new SqlStateError("42601", `parse error: unknown type ${ds}`);
  }
}

/** Runs a query and returns its rows as the vendor's result set. */
export async function resultOf(c: DuckDBConnection, sql: string, params?: (string | number | boolean | null)[], opts: { ltz?: boolean } = {}): Promise<Result> {
  const reader = await c.runAndReadAll(sql, params as any);
  const names = reader.columnNames();
  const types = reader.columnTypes().map(String);
  const rows = reader.getRowsJson().map((r) =>
    r.map((v, i) => {
      // floating-point values keep a decimal point, as the vendor sends them ("1.0")
      if (typeof v === "number" && Number.isInteger(v) && /^(DOUBLE|FLOAT|REAL)$/i.test(types[i])) return v.toFixed(1);
      const s = cell(v);
      if (s !== null && opts.ltz && types[i].toUpperCase().startsWith("TIMESTAMP")) return s.endsWith("Z") ? s : `${s}Z`;
      return s;
    }),
  );
  const nullable = rows.length === 0 ? names.map(() => true) : names.map((_n, i) => rows.some((r) => r[i] === null));
  return { columns: names.map((n, i) => ({ name: n, type: dsTypeOf(types[i], opts.ltz), nullable: nullable[i] })), rows };
}
