/**
 * The list endpoints' URL parameters (doc: "Operations with URL Parameters"): Django-style
 * filters `field__operator=value`, typed per field (string, numeric, enumerated, date, boolean),
 * `order_by`, and `limit`/`skip` paging. A value that does not fit its field's type is the
 * documented 400 `{"error": "Invalid value(s) [...] for URL parameter '...'"}`; parameters that
 * are not fields of the endpoint are ignored, as Django filters ignore them.
 */
import { HttpError } from "../framework/errors";
import { ERRORS } from "../../provider/alation/contract";

export type FieldType = "number" | "string" | "boolean" | "date" | { enum: readonly string[] };

/** A filterable field: its type and how to read it from an item (an array matches when any element does). */
export interface Field<T> {
  type: FieldType;
  get(item: T): unknown;
}

export type Fields<T> = Record<string, Field<T>>;

const STRING_OPS = ["exact", "iexact", "contains", "icontains", "startswith", "istartswith", "endswith", "iendswith", "regex", "iregex", "isnull", "in"];
const NUMBER_OPS = ["exact", "gt", "gte", "lt", "lte", "isnull", "in"];
const DATE_OPS = ["exact", "gt", "gte", "lt", "lte", "isnull", "year", "month", "day", "hour", "minute", "date"];
const BOOL_OPS = ["exact", "isnull"];
const ALL_OPS = new Set([...STRING_OPS, ...NUMBER_OPS, ...DATE_OPS, ...BOOL_OPS]);

const bad = (values: string[], param: string) => new HttpError(400, { error: ERRORS.invalidValue(values, param) });

function parseBool(v: string): boolean | undefined {
  if (/^(true|1)$/i.test(v)) return true;
  if (/^(false|0)$/i.test(v)) return false;
  return undefined;
}

function parseDate(v: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(v.trim())) return undefined;
  const iso = v.trim().replace(" ", "T");
  const withZone = /T/.test(iso) && !/(Z|[+-]\d{2}:?\d{2})$/.test(iso) ? `${iso}Z` : /T/.test(iso) ? iso : `${iso}T00:00:00Z`;
  const t = Date.parse(withZone.replace(/(\.\d{3})\d+/, "$1"));
  return Number.isNaN(t) ? undefined : t;
}

function asTime(v: unknown): number | undefined {
  if (typeof v !== "string") return undefined;
  return parseDate(v.replace(/\+00:00$/, "Z"));
}

/** One parsed filter: a predicate on a single (non-array) field value. */
function predicate(type: FieldType, op: string, raw: string, param: string): (v: unknown) => boolean {
  if (op === "isnull") {
    const b = parseBool(raw);
    if (b === undefined) throw bad([raw], param);
    return (v) => (v === null || v === undefined) === b;
  }
  if (op === "in") {
    const parts = raw.split(",");
    const preds = parts.map((p) => predicate(type, "exact", p, param));
    return (v) => preds.some((p) => p(v));
  }
  if (typeof type === "object") {
    if (op !== "exact" && op !== "iexact") throw bad([raw], param);
    const values = raw.split(",");
    const wrong = values.filter((x) => !type.enum.includes(x));
    if (wrong.length) throw bad(wrong, param);
    return (v) => values.includes(String(v));
  }
  switch (type) {
    case "number": {
      const n = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(n)) throw bad([raw], param);
      const cmp: Record<string, (a: number) => boolean> = { exact: (a) => a === n, gt: (a) => a > n, gte: (a) => a >= n, lt: (a) => a < n, lte: (a) => a <= n };
      const f = cmp[op];
      if (!f) throw bad([raw], param);
      return (v) => typeof v === "number" && f(v);
    }
    case "boolean": {
      const b = parseBool(raw);
      if (b === undefined || op !== "exact") throw bad([raw], param);
      return (v) => v === b;
    }
    case "date": {
      if (["year", "month", "day", "hour", "minute"].includes(op)) {
        const n = Number(raw);
        if (!Number.isInteger(n)) throw bad([raw], param);
        const part = (d: Date) =>
          ({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() })[op as "year"];
        return (v) => {
          const t = asTime(v);
          return t !== undefined && part(new Date(t)) === n;
        };
      }
      if (op === "date") {
        const t = parseDate(raw);
        if (t === undefined) throw bad([raw], param);
        const day = new Date(t).toISOString().slice(0, 10);
        return (v) => {
          const x = asTime(v);
          return x !== undefined && new Date(x).toISOString().slice(0, 10) === day;
        };
      }
      const t = parseDate(raw);
      if (t === undefined) throw bad([raw], param);
      const cmp: Record<string, (a: number) => boolean> = { exact: (a) => a === t, gt: (a) => a > t, gte: (a) => a >= t, lt: (a) => a < t, lte: (a) => a <= t };
      const f = cmp[op];
      if (!f) throw bad([raw], param);
      return (v) => {
        const x = asTime(v);
        return x !== undefined && f(x);
      };
    }
    case "string": {
      const s = (v: unknown) => (v === null || v === undefined ? undefined : String(v));
      const low = raw.toLowerCase();
      let re: RegExp | undefined;
      if (op === "regex" || op === "iregex") {
        try {
          re = new RegExp(raw, op === "iregex" ? "i" : "");
        } catch {
          throw bad([raw], param);
        }
      }
      const ops: Record<string, (a: string) => boolean> = {
        exact: (a) => a === raw,
        iexact: (a) => a.toLowerCase() === low,
        contains: (a) => a.includes(raw),
        icontains: (a) => a.toLowerCase().includes(low),
        startswith: (a) => a.startsWith(raw),
        istartswith: (a) => a.toLowerCase().startsWith(low),
        endswith: (a) => a.endsWith(raw),
        iendswith: (a) => a.toLowerCase().endsWith(low),
        regex: (a) => re!.test(a),
        iregex: (a) => re!.test(a),
      };
      const f = ops[op];
      if (!f) throw bad([raw], param);
      return (v) => {
        const a = s(v);
        return a !== undefined && f(a);
      };
    }
  }
}

/** Splits `a_param__operator` into field and operator (default `exact`). */
function split(param: string): { field: string; op: string } {
  const i = param.lastIndexOf("__");
  if (i > 0 && ALL_OPS.has(param.slice(i + 2))) return { field: param.slice(0, i), op: param.slice(i + 2) };
  return { field: param, op: "exact" };
}

export const RESERVED_PARAMS = new Set(["limit", "skip", "order_by"]);

/** The filter fields named in the query string (for the ordering rule). */
export function filterFields<T>(query: URLSearchParams, fields: Fields<T>): string[] {
  const out: string[] = [];
  for (const key of new Set(query.keys())) {
    if (RESERVED_PARAMS.has(key)) continue;
    const { field } = split(key);
    if (fields[field]) out.push(key);
  }
  return out;
}

/** The items matching every filter of `query`. */
export function applyFilters<T>(items: T[], query: URLSearchParams, fields: Fields<T>): T[] {
  const preds: ((item: T) => boolean)[] = [];
  for (const key of new Set(query.keys())) {
    if (RESERVED_PARAMS.has(key)) continue;
    const { field, op } = split(key);
    const f = fields[field];
    if (!f) continue;
    for (const raw of query.getAll(key)) {
      const p = predicate(f.type, op, raw, key);
      preds.push((item) => {
        const v = f.get(item);
        if (Array.isArray(v)) return op === "isnull" ? p(v.length === 0 ? null : v[0]) : v.some((x) => p(x));
        return p(v);
      });
    }
  }
  return items.filter((item) => preds.every((p) => p(item)));
}

/** Sorts by `order_by` (one of `allowed`, "-" reverses; default `fallback`). */
export function applyOrdering<T>(items: T[], query: URLSearchParams, allowed: readonly string[], get: (item: T, key: string) => unknown, fallback: string): T[] {
  const raw = query.get("order_by");
  const key = raw === null || raw === "" ? fallback : raw;
  const desc = key.startsWith("-");
  const name = desc ? key.slice(1) : key;
  if (!allowed.includes(name)) throw bad([key], "order_by");
  const cmp = (a: unknown, b: unknown): number => {
    if (a === b) return 0;
    if (a === null || a === undefined) return 1;
    if (b === null || b === undefined) return -1;
    if (typeof a === "number" && typeof b === "number") return a - b;
    if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
    return String(a) < String(b) ? -1 : 1;
  };
  return [...items].sort((x, y) => (desc ? -1 : 1) * cmp(get(x, name), get(y, name)));
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

/** `limit` (default 100, at most 1000) and `skip`. */
export function page<T>(items: T[], query: URLSearchParams): T[] {
  const num = (k: string, d: number) => {
    const raw = query.get(k);
    if (raw === null || raw === "") return d;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw bad([raw], k);
    return n;
  };
  const limit = Math.min(num("limit", DEFAULT_LIMIT), MAX_LIMIT);
  const skip = num("skip", 0);
  return items.slice(skip, skip + limit);
}
