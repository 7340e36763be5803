/**
 * Column evolution for ByteHouse tables, classified the SnowDDL way:
 *   safe    — applied in place, always: add a column, change a comment or default, widen a
 *             type, make a column nullable, rename a column declared with its previous name;
 *   unsafe  — applied in place only with `allowDataLoss: true`: drop a column, narrow or
 *             otherwise convert a type, make a column NOT NULL;
 *   replace — the table must be dropped and recreated (keys, name, engine-level settings):
 *             only with `allowReplace: true` (see table.ts, which owns that list).
 * A rename is never a drop plus an add: it is declared with `previousName`.
 */
import { WireColumn, WireColumnRename, WireTableUpdate } from "./wire";

export interface ColumnSpec {
  name: string;
  type: string;
  nullable?: boolean;
  defaultValue?: string | null;
  comment?: string | null;
  /** The column's name before a rename: the column keeps its data under the new name. */
  previousName?: string;
}

export type ChangeClass = "safe" | "unsafe";

export interface ColumnChange {
  column: string;
  kind: "add" | "drop" | "rename" | "type" | "nullable" | "default" | "comment";
  class: ChangeClass;
  /** Human-readable, says what happens to the data. */
  detail: string;
}

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

export interface NormalColumn {
  name: string;
  type: string;
  nullable: boolean;
  defaultValue: string | null;
  comment: string;
}

export function normalizeColumn(c: ColumnSpec): NormalColumn {
  const t = canonicalType(c.type);
  return {
    name: c.name,
    type: t.type,
    nullable: Boolean(c.nullable) || t.nullable,
    defaultValue: c.defaultValue ?? null,
    comment: c.comment ?? "",
  };
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

export interface ColumnPlan {
  changes: ColumnChange[];
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

/** Plans the change of a table's columns from `olds` (as last known) to `news` (the program). */
export function planColumns(olds: ColumnSpec[], news: ColumnSpec[]): ColumnPlan {
  const before = new Map(olds.map((c) => [c.name, normalizeColumn(c)]));
  const changes: ColumnChange[] = [];
  const add: WireColumn[] = [];
  const modify: WireColumn[] = [];
  const renames: WireColumnRename[] = [];
  const kept = new Set<string>();

  for (const raw of news) {
    const col = normalizeColumn(raw);
    let old = before.get(col.name);
    if (old) kept.add(col.name);
    else if (raw.previousName && before.has(raw.previousName)) {
      old = before.get(raw.previousName)!;
      kept.add(raw.previousName);
      renames.push({ oldName: raw.previousName, newName: col.name });
      changes.push({ column: col.name, kind: "rename", class: "safe", detail: `rename column ${raw.previousName} to ${col.name} (data kept)` });
    }
    if (!old) {
      add.push(toWire(col));
      changes.push({ column: col.name, kind: "add", class: "safe", detail: `add column ${col.name} ${col.type}` });
      continue;
    }
    let modified = false;
    if (old.type !== col.type) {
      const safe = isWidening(old.type, col.type);
      changes.push({
        column: col.name,
        kind: "type",
        class: safe ? "safe" : "unsafe",
        detail: safe
          ? `widen column ${col.name} from ${old.type} to ${col.type}`
          : `convert column ${col.name} from ${old.type} to ${col.type}: values that do not fit ${col.type} are lost or make the change fail`,
      });
      modified = true;
    }
    if (old.nullable !== col.nullable) {
      changes.push({
        column: col.name,
        kind: "nullable",
        class: col.nullable ? "safe" : "unsafe",
        detail: col.nullable ? `make column ${col.name} nullable` : `make column ${col.name} NOT NULL: its NULL values would be replaced or rejected`,
      });
      modified = true;
    }
    if (old.defaultValue !== col.defaultValue) {
      changes.push({ column: col.name, kind: "default", class: "safe", detail: `change the default of ${col.name}` });
      modified = true;
    }
    if (old.comment !== col.comment) {
      changes.push({ column: col.name, kind: "comment", class: "safe", detail: `change the comment of ${col.name}` });
      modified = true;
    }
    if (modified) modify.push(toWire(col));
  }

  const drop = [...before.keys()].filter((name) => !kept.has(name));
  for (const name of drop) {
    changes.push({ column: name, kind: "drop", class: "unsafe", detail: `drop column ${name} and all its data` });
  }

  const patch: WireTableUpdate = {};
  if (add.length) patch.addColumns = add;
  if (drop.length) patch.dropColumns = drop;
  if (modify.length) patch.modifyColumns = modify;
  if (renames.length) patch.renameColumns = renames;
  return { changes, patch };
}
