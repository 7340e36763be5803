/** Pagination helpers, parameterised by each vendor's rules (defaults, clamps, error rendering). */
import { HttpError } from "./errors";

export interface OffsetRules {
  /** Page size when the request gives none. */
  defaultLimit: number;
  /** Larger requested sizes are clamped to this. */
  maxLimit: number;
  /** Query parameter names (default `limit` / `offset`). */
  limitParam?: string;
  offsetParam?: string;
}

/** Offset pagination: `{page, meta: {offset, limit, total}}`; `bad` renders a 400 the vendor's way. */
export function paginate<T>(items: T[], query: URLSearchParams, rules: OffsetRules, bad: (msg: string) => HttpError) {
  const limitParam = rules.limitParam ?? "limit";
  const offsetParam = rules.offsetParam ?? "offset";
  const rawLimit = query.get(limitParam);
  const rawOffset = query.get(offsetParam);
  const limit = rawLimit === null || rawLimit === "" ? rules.defaultLimit : Number(rawLimit);
  const offset = rawOffset === null || rawOffset === "" ? 0 : Number(rawOffset);
  if (!Number.isInteger(limit) || limit < 0) throw bad(`${limitParam} should be an integer >= 0`);
  if (!Number.isInteger(offset) || offset < 0) throw bad(`${offsetParam} should be an integer >= 0`);
  const clamped = Math.min(limit, rules.maxLimit);
  return { page: items.slice(offset, offset + clamped), meta: { offset, limit: clamped, total: items.length } };
}

/** A paginator bound to one vendor's rules and error rendering. */
export const offsetPaginator = (rules: OffsetRules, bad: (msg: string) => HttpError) => <T>(items: T[], query: URLSearchParams) => paginate(items, query, rules, bad);
