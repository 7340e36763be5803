/**
 * ClickHouse types for ByteHouse tables, and the one PATCH body that applies a column plan
 * (the classification itself is provider/framework/columns.ts).
 */
import { ColumnSpec, ColumnDiff, NormalColumn, TypeSystem, diffColumns, normalizeColumn as normalizeWith } from "../framework/columns";
import { WireColumn, WireColumnRename, WireTableUpdate } from "./wire";

export { ColumnSpec, ColumnChange, NormalColumn } from "../framework/columns";

const ALIASES: Record<string, string> = {
  int: "Int32",
  integer: "Int32",
  bigint: "Int64",
  smallint: "Int16",
  tinyint: "Int8",
  float: "Float32",
  double: "Float64",
  text: "String",
  varchar: "String",
  string: "String",
  bool: "Bool",
  boolean: "Bool",
  date: "Date",
  datetime: "DateTime",
  uuid: "UUID",
};

/** Canonical ClickHouse type plus nullability: "nullable(int)" → { type: "Int32", nullable: true }. */
export function canonicalType(raw: string): { type: string; nullable: boolean } {
  let t = raw.trim();
  let nullable = false;
  let m: RegExpExecArray | null;
  while ((m = /^(Nullable|LowCardinality)\s*\((.*)\)$/i.exec(t))) {
    if (m[1].toLowerCase() === "nullable") nullable = true;
    t = m[2].trim();
  }
  const alias = ALIASES[t.toLowerCase()];
  if (alias) return { type: alias, nullable };
  // Known families keep their parameters, with canonical capitalisation of the family.
  const fam = /^([A-Za-z0-9]+)(\(.*\))?$/.exec(t);
  if (fam) {
    const families = ["Int8", "Int16", "Int32", "Int64", "Int128", "Int256", "UInt8", "UInt16", "UInt32", "UInt64", "UInt128", "UInt256", "Float32", "Float64", "Decimal", "Date", "Date32", "DateTime", "DateTime64", "FixedString", "String", "UUID", "Bool", "Array", "Map", "Tuple", "Enum8", "Enum16", "IPv4", "IPv6", "JSON"];
    const hit = families.find((f) => f.toLowerCase() === fam[1].toLowerCase());
    if (hit) return { type: hit + (fam[2] ? fam[2].replace(/\s+/g, "") : ""), nullable };
  }
  return { type: t, nullable };
}

const INT_BITS: Record<string, [signed: boolean, bits: number]> = {
  Int8: [true, 8], Int16: [true, 16], Int32: [true, 32], Int64: [true, 64], Int128: [true, 128], Int256: [true, 256],
  UInt8: [false, 8], UInt16: [false, 16], UInt32: [false, 32], UInt64: [false, 64], UInt128: [false, 128], UInt256: [false, 256],
};

/** True when every value of `from` fits `to` exactly. */
export function isWidening(from: string, to: string): boolean {
  if (from === to) return true;
  const a = INT_BITS[from];
  const b = INT_BITS[to];
  if (a && b) return a[0] === b[0] ? b[1] >= a[1] : !a[0] && b[0] && b[1] > a[1];
  if (a && (to === "Float64" || to === "Float32")) return a[1] <= (to === "Float64" ? 32 : 16);
  if (from === "Float32" && to === "Float64") return true;
  if (from === "Date" && (to === "Date32" || to === "DateTime" || to === "DateTime64")) return true;
  if (from === "DateTime" && /^DateTime64/.test(to)) return true;
  const dec = (t: string) => /^Decimal\((\d+),(\d+)\)$/.exec(t);
  const da = dec(from);
  const db = dec(to);
  if (da && db) return Number(db[2]) >= Number(da[2]) && Number(db[1]) - Number(db[2]) >= Number(da[1]) - Number(da[2]);
  if (/^FixedString\(\d+\)$/.test(from) && to === "String") return true;
  if (to === "String" && (a || from === "UUID" || from === "Date" || from === "Bool")) return true;
  return false;
}

export const CLICKHOUSE_TYPES: TypeSystem = { canonical: canonicalType, isWidening };

export function normalizeColumn(c: ColumnSpec): NormalColumn {
  return normalizeWith(c, CLICKHOUSE_TYPES);
}

export interface ColumnPlan extends ColumnDiff {
  /** The one PATCH body that applies every change (undefined fields omitted). */
  patch: WireTableUpdate;
}

function toWire(c: NormalColumn): WireColumn {
  return {
    name: c.name,
    type: c.type,
    nullable: c.nullable,
    ...(c.defaultValue !== null ? { defaultValue: c.defaultValue } : {}),
    ...(c.comment !== "" ? { comment: c.comment } : {}),
  };
}

/** Plans the change of a ByteHouse table's columns from `olds` (as last known) to `news` (the program). */
export function planColumns(olds: ColumnSpec[], news: ColumnSpec[]): ColumnPlan {
  const diff = diffColumns(olds, news, CLICKHOUSE_TYPES);
  const patch: WireTableUpdate = {};
  if (diff.add.length) patch.addColumns = diff.add.map(toWire);
  if (diff.drop.length) patch.dropColumns = diff.drop;
  if (diff.modify.length) patch.modifyColumns = diff.modify.map((m) => toWire(m.column));
  if (diff.renames.length) patch.renameColumns = diff.renames as WireColumnRename[];
  return { ...diff, patch };
}
