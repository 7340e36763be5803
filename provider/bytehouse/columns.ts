/**
 * ClickHouse types for ByteHouse tables, and the one PATCH body that applies a column plan
 * (the classification itself is provider/framework/columns.ts).
 */
import { ColumnSpec, ColumnDiff, NormalColumn, diffColumns, normalizeColumn as normalizeWith } from "../framework/columns";
import { CLICKHOUSE_TYPES, clickHouseSpelling } from "../sql/types/clickhouse";
import { WireColumn, WireColumnRename, WireTableUpdate } from "./wire";

export { ColumnSpec, ColumnChange, NormalColumn } from "../framework/columns";

/** Canonical ClickHouse type plus nullability: "Nullable(int)" → { type: "Int32", nullable: true } (parsed by the SQL layer's grammar). */
export function canonicalType(raw: string): { type: string; nullable: boolean } {
  return CLICKHOUSE_TYPES.canonical(raw);
}

/** True when every value of `from` fits `to` exactly. */
export function isWidening(from: string, to: string): boolean {
  return CLICKHOUSE_TYPES.isWidening(from, to);
}

export { CLICKHOUSE_TYPES };


export function normalizeColumn(c: ColumnSpec): NormalColumn {
  return normalizeWith(c, CLICKHOUSE_TYPES);
}

export interface ColumnPlan extends ColumnDiff {
  /** The one PATCH body that applies every change (undefined fields omitted). */
  patch: WireTableUpdate;
}

/**
 * A column as the REST API takes it: the canonical type with `nullable` beside it, except that a
 * nullable LowCardinality column spells its nullability inside (LowCardinality(Nullable(T))),
 * the only way ClickHouse has to write it.
 */
export function toWire(c: { name: string; type: string; nullable: boolean; defaultValue?: string | null; comment?: string | null }): WireColumn {
  return {
    name: c.name,
    type: c.nullable && c.type.startsWith("LowCardinality(") ? clickHouseSpelling(c.type, true) : c.type,
    nullable: c.nullable,
    ...(c.defaultValue !== null && c.defaultValue !== undefined ? { defaultValue: c.defaultValue } : {}),
    ...(c.comment ? { comment: c.comment } : {}),
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
