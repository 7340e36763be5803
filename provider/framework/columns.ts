/**
 * Column evolution, classified the SnowDDL way, for any vendor's type system:
 *   safe    — applied in place, always: add a column, change a comment or default, widen a
 *             type, make a column nullable, rename a column declared with its previous name;
 *   unsafe  — applied in place only with `allowDataLoss: true`: drop a column, narrow or
 *             otherwise convert a type, make a column NOT NULL;
 *   replace — the table must be dropped and recreated (keys, name, …): only with
 *             `allowReplace: true` (each table kind owns that list).
 * A rename is never a drop plus an add: it is declared with `previousName`.
 */
import { z } from "zod";
import { identifier } from "./identifiers";

export interface ColumnSpec {
  name: string;
  type: string;
  nullable?: boolean;
  defaultValue?: string | null;
  comment?: string | null;
  /** The column's name before a rename: the column keeps its data under the new name. */
  previousName?: string;
}

/** A type spelling, parsed: its canonical spelling, or what is wrong with it. */
export type ParsedType = { ok: true; type: string; nullable: boolean } | { ok: false; error: string };

/** What the planner needs to know about a vendor's types. */
export interface TypeSystem {
  /** The engine's name, for messages ("DuckDB", "ClickHouse", "PostgreSQL"). */
  name: string;
  /** Parses a spelling by the vendor's type grammar: the canonical form, or the problem (never a guess). */
  parse(raw: string): ParsedType;
  /**
   * Canonical spelling plus nullability carried in the type (e.g. ClickHouse Nullable(T)).
   * A spelling that does not parse comes back trimmed, as written (old state is never rejected here).
   */
  canonical(raw: string): { type: string; nullable: boolean };
  /** True when every value of `from` fits `to` exactly (both canonical). */
  isWidening(from: string, to: string): boolean;
}

/**
 * The facts a vendor supplies about its types; the widening rules built on them are shared
 * (integers by sign and width, integers and floats by mantissa, decimals by digits).
 */
export interface TypeFacts {
  name: string;
  parse(raw: string): ParsedType;
  /** Canonical integer type → [signed, bits]. */
  integers: Record<string, readonly [signed: boolean, bits: number]>;
  /** Canonical floating-point type → mantissa bits (24 for a 32-bit float, 53 for a double). */
  floats: Record<string, number>;
  /** Precision and scale of a canonical decimal type, or undefined. */
  decimal(type: string): { precision: number; scale: number } | undefined;
  /** Vendor-specific widenings (dates, strings, …) on top of the shared ones. */
  extraWidening?(from: string, to: string): boolean;
}

/** True when every value of integer `a` fits integer `b`. */
export function integerFits(a: readonly [boolean, number], b: readonly [boolean, number]): boolean {
  return a[0] === b[0] ? b[1] >= a[1] : !a[0] && b[0] && b[1] > a[1];
}

/** Decimal digits needed for the magnitude of an integer type. */
export function integerDigits(t: readonly [boolean, number]): number {
  return Math.ceil((t[0] ? t[1] - 1 : t[1]) * Math.log10(2));
}

/** The shared widening rule over a vendor's facts. */
export function wideningFrom(facts: TypeFacts): (from: string, to: string) => boolean {
  return (from, to) => {
    if (from === to) return true;
    const a = facts.integers[from];
    const b = facts.integers[to];
    if (a && b) return integerFits(a, b);
    const fa = facts.floats[from];
    const fb = facts.floats[to];
    if (a && fb !== undefined) return (a[0] ? a[1] - 1 : a[1]) <= fb;
    if (fa !== undefined && fb !== undefined) return fb >= fa;
    const da = facts.decimal(from);
    const db = facts.decimal(to);
    if (da && db) return db.scale >= da.scale && db.precision - db.scale >= da.precision - da.scale;
    if (a && db) return db.precision - db.scale >= integerDigits(a);
    return facts.extraWidening?.(from, to) ?? false;
  };
}

/** A TypeSystem from a vendor's facts. */
export function typeSystem(facts: TypeFacts): TypeSystem {
  return {
    name: facts.name,
    parse: facts.parse,
    canonical(raw) {
      const p = facts.parse(raw);
      return p.ok ? { type: p.type, nullable: p.nullable } : { type: String(raw).trim(), nullable: false };
    },
    isWidening: wideningFrom(facts),
  };
}

export type ChangeClass = "safe" | "unsafe";

export interface ColumnChange {
  column: string;
  kind: "add" | "drop" | "rename" | "type" | "nullable" | "default" | "comment";
  class: ChangeClass;
  /** Human-readable, says what happens to the data. */
  detail: string;
}

export interface NormalColumn {
  name: string;
  type: string;
  nullable: boolean;
  defaultValue: string | null;
  comment: string;
}

export function normalizeColumn(c: ColumnSpec, types: TypeSystem): NormalColumn {
  const t = types.canonical(c.type);
  return {
    name: c.name,
    type: t.type,
    nullable: Boolean(c.nullable) || t.nullable,
    defaultValue: c.defaultValue ?? null,
    comment: c.comment ?? "",
  };
}

/** The changes from `olds` (as last known) to `news` (the program), column by column. */
export interface ColumnDiff {
  changes: ColumnChange[];
  add: NormalColumn[];
  drop: string[];
  /** Columns whose type, nullability, default or comment change (new definition). */
  modify: { column: NormalColumn; before: NormalColumn }[];
  renames: { oldName: string; newName: string }[];
}

export function diffColumns(olds: ColumnSpec[], news: ColumnSpec[], types: TypeSystem): ColumnDiff {
  const before = new Map(olds.map((c) => [c.name, normalizeColumn(c, types)]));
  const out: ColumnDiff = { changes: [], add: [], drop: [], modify: [], renames: [] };
  const kept = new Set<string>();
  for (const raw of news) {
    const col = normalizeColumn(raw, types);
    let old = before.get(col.name);
    if (old) kept.add(col.name);
    else if (raw.previousName && before.has(raw.previousName)) {
      old = before.get(raw.previousName)!;
      kept.add(raw.previousName);
      out.renames.push({ oldName: raw.previousName, newName: col.name });
      out.changes.push({ column: col.name, kind: "rename", class: "safe", detail: `rename column ${raw.previousName} to ${col.name} (data kept)` });
    }
    if (!old) {
      out.add.push(col);
      out.changes.push({ column: col.name, kind: "add", class: "safe", detail: `add column ${col.name} ${col.type}` });
      continue;
    }
    let modified = false;
    if (old.type !== col.type) {
      const safe = types.isWidening(old.type, col.type);
      out.changes.push({
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
      out.changes.push({
        column: col.name,
        kind: "nullable",
        class: col.nullable ? "safe" : "unsafe",
        detail: col.nullable ? `make column ${col.name} nullable` : `make column ${col.name} NOT NULL: its NULL values would be replaced or rejected`,
      });
      modified = true;
    }
    if (old.defaultValue !== col.defaultValue) {
      out.changes.push({ column: col.name, kind: "default", class: "safe", detail: `change the default of ${col.name}` });
      modified = true;
    }
    if (old.comment !== col.comment) {
      out.changes.push({ column: col.name, kind: "comment", class: "safe", detail: `change the comment of ${col.name}` });
      modified = true;
    }
    if (modified) out.modify.push({ column: col, before: old });
  }
  out.drop = [...before.keys()].filter((name) => !kept.has(name));
  for (const name of out.drop) out.changes.push({ column: name, kind: "drop", class: "unsafe", detail: `drop column ${name} and all its data` });
  return out;
}

/** The message of the preview failure for unsafe changes, or undefined when there are none. */
export function dataLossProblem(diff: ColumnDiff, allowDataLoss: boolean): { property: string; reason: string } | undefined {
  const unsafe = diff.changes.filter((c) => c.class === "unsafe");
  if (unsafe.length === 0 || allowDataLoss) return undefined;
  return {
    property: "columns",
    reason:
      `this change would lose data: ${unsafe.map((c) => c.detail).join("; ")}. Nothing was changed. ` +
      `To allow it, set allowDataLoss: true on the table (back up first); to rename a column, keep its data by declaring it with previousName.`,
  };
}

/**
 * The column-list input both table kinds share: names (identifiers, declared once), types parsed
 * by the vendor's type system at check (an injection or a typo fails the preview naming the
 * field), DEFAULT expressions checked when the vendor takes SQL there, and a declared rename.
 * Each column comes out in the vendor's canonical spelling (nullability out of the type), so the
 * program's columns and the columns read back compare, and display, alike.
 */
export interface ColumnListOptions {
  types: TypeSystem;
  /** Whether a column accepts NULL when `nullable` is not given. */
  nullableDefault: boolean;
  /** Checks a DEFAULT expression (vendors that put it into SQL); undefined: taken as the vendor takes it. */
  parseDefault?: (text: string) => { ok: true; text: string } | { ok: false; error: string };
  /** Column names compare case-insensitively (DuckDB). */
  caseInsensitiveNames?: boolean;
  docs: { type: string; nullable: string; defaultValue: string };
}

export function columnListField(opts: ColumnListOptions) {
  const { types } = opts;
  const column = z
    .object({
      name: identifier().describe("Column name."),
      type: z
        .string()
        .min(1, `must name a ${types.name} type`)
        .superRefine((t, ctx) => {
          const p = types.parse(t);
          if (!p.ok) ctx.addIssue({ code: "custom", message: `${JSON.stringify(t)} is not a ${types.name} type: ${p.error}` });
        })
        .describe(opts.docs.type),
      nullable: z.boolean().default(opts.nullableDefault).describe(opts.docs.nullable),
      defaultValue: z
        .string()
        .superRefine((d, ctx) => {
          const p = opts.parseDefault?.(d);
          if (p && !p.ok) ctx.addIssue({ code: "custom", message: `${JSON.stringify(d)} is not a safe DEFAULT expression: it ${p.error}` });
        })
        .optional()
        .describe(opts.docs.defaultValue),
      comment: z.string().default("").describe("Column comment."),
      previousName: identifier().optional().describe("The column's former name: declares a rename (data kept) instead of a drop plus an add."),
    })
    .transform((c) => {
      const p = types.parse(c.type);
      return p.ok ? { ...c, type: p.type, nullable: c.nullable || p.nullable } : c;
    });
  const key = (n: string) => (opts.caseInsensitiveNames ? n.toLowerCase() : n);
  return z
    .array(column)
    .min(1, "must declare at least one column")
    .superRefine((cols, ctx) => {
      const names = cols.map((c) => key(c.name));
      names.forEach((n, i) => {
        if (names.indexOf(n) !== i) ctx.addIssue({ code: "custom", path: [i, "name"], message: `column ${cols[i].name} is declared twice` });
      });
      cols.forEach((c, i) => {
        if (c.previousName !== undefined && key(c.previousName) === key(c.name)) ctx.addIssue({ code: "custom", path: [i, "previousName"], message: "previousName must differ from name" });
      });
    })
    .describe("Columns, in order. Safe changes apply in place; see allowDataLoss.");
}

/** Names of the declared columns (for key checks), compared as the vendor compares them. */
export function declaredColumn(columns: { name: string }[], col: string, caseInsensitive = false): boolean {
  return columns.some((c) => (caseInsensitive ? c.name.toLowerCase() === col.toLowerCase() : c.name === col));
}

/** The data-loss rule both table kinds share: unsafe column changes need allowDataLoss. */
export function columnDataLoss(types: TypeSystem) {
  return (olds: { columns?: ColumnSpec[] }, news: { columns: ColumnSpec[]; allowDataLoss: boolean }): { property: string; reason: string }[] => {
    if (!olds.columns) return [];
    const loss = dataLossProblem(diffColumns(olds.columns, news.columns, types), news.allowDataLoss);
    return loss ? [loss] : [];
  };
}
