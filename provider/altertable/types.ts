/** DuckDB types (Altertable's engine) for the column planner: canonical spelling and widening. */
import { TypeSystem } from "../framework/columns";

const ALIASES: Record<string, string> = {
  INT: "INTEGER", INT4: "INTEGER", SIGNED: "INTEGER", INTEGER: "INTEGER",
  INT8: "BIGINT", LONG: "BIGINT", BIGINT: "BIGINT",
  INT2: "SMALLINT", SHORT: "SMALLINT", SMALLINT: "SMALLINT",
  INT1: "TINYINT", TINYINT: "TINYINT", HUGEINT: "HUGEINT", INT128: "HUGEINT",
  UTINYINT: "UTINYINT", USMALLINT: "USMALLINT", UINTEGER: "UINTEGER", UBIGINT: "UBIGINT", UHUGEINT: "UHUGEINT",
  FLOAT4: "FLOAT", REAL: "FLOAT", FLOAT: "FLOAT", FLOAT8: "DOUBLE", DOUBLE: "DOUBLE",
  STRING: "VARCHAR", TEXT: "VARCHAR", CHAR: "VARCHAR", BPCHAR: "VARCHAR", VARCHAR: "VARCHAR",
  BOOL: "BOOLEAN", LOGICAL: "BOOLEAN", BOOLEAN: "BOOLEAN",
  DATETIME: "TIMESTAMP", TIMESTAMP: "TIMESTAMP", TIMESTAMPTZ: "TIMESTAMP WITH TIME ZONE", "TIMESTAMP WITH TIME ZONE": "TIMESTAMP WITH TIME ZONE",
  DATE: "DATE", TIME: "TIME", UUID: "UUID", JSON: "JSON", BLOB: "BLOB", BYTEA: "BLOB", INTERVAL: "INTERVAL",
};

export function canonicalDuckType(raw: string): { type: string; nullable: boolean } {
  let t = raw.trim().toUpperCase().replace(/\s+/g, " ");
  let list = "";
  while (t.endsWith("[]")) {
    list += "[]";
    t = t.slice(0, -2).trim();
  }
  const param = /^(VARCHAR|CHAR|BPCHAR|STRING|TEXT)\s*\(\s*\d+\s*\)$/.exec(t);
  if (param) t = "VARCHAR"; // DuckDB ignores VARCHAR lengths
  const dec = /^(DECIMAL|NUMERIC)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?$/.exec(t);
  if (dec) t = `DECIMAL(${dec[2] ?? 18},${dec[3] ?? (dec[2] ? 0 : 3)})`;
  return { type: (ALIASES[t] ?? t) + list, nullable: false };
}

const INTS: Record<string, [signed: boolean, bits: number]> = {
  TINYINT: [true, 8], SMALLINT: [true, 16], INTEGER: [true, 32], BIGINT: [true, 64], HUGEINT: [true, 128],
  UTINYINT: [false, 8], USMALLINT: [false, 16], UINTEGER: [false, 32], UBIGINT: [false, 64], UHUGEINT: [false, 128],
};

export function isDuckWidening(from: string, to: string): boolean {
  if (from === to) return true;
  const a = INTS[from];
  const b = INTS[to];
  if (a && b) return a[0] === b[0] ? b[1] >= a[1] : !a[0] && b[0] && b[1] > a[1];
  if (a && to === "DOUBLE") return a[1] <= 32;
  if (a && to === "FLOAT") return a[1] <= 16;
  if (from === "FLOAT" && to === "DOUBLE") return true;
  if (from === "DATE" && (to === "TIMESTAMP" || to === "TIMESTAMP WITH TIME ZONE")) return true;
  const dec = (t: string) => /^DECIMAL\((\d+),(\d+)\)$/.exec(t);
  const da = dec(from);
  const db = dec(to);
  if (da && db) return Number(db[2]) >= Number(da[2]) && Number(db[1]) - Number(db[2]) >= Number(da[1]) - Number(da[2]);
  if (a && db) return Number(db[1]) - Number(db[2]) >= Math.ceil((a[1] * Math.log10(2)) + 1);
  if (to === "VARCHAR" && !from.endsWith("[]")) return true;
  return false;
}

export const DUCKDB_TYPES: TypeSystem = { canonical: canonicalDuckType, isWidening: isDuckWidening };
