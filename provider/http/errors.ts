/**
 * Typed errors raised by the HTTP client. Every message names the call
 * ("ByteHouse POST /v1/virtual-warehouses") and carries the vendor's own message,
 * with every known credential replaced by "[REDACTED]" and long values cut short.
 */

export type ErrorKind =
  | "not_found"
  | "conflict"
  | "auth"
  | "validation"
  | "rate_limited"
  | "server"
  | "network"
  | "ambiguous"
  /** The vendor answered something the client cannot use: HTML, an empty or wrong-shaped body, a 404 that is not the vendor's own. */
  | "unexpected";

export class WarehouseApiError extends Error {
  readonly kind: ErrorKind;
  /** HTTP status, when the vendor answered. */
  readonly status?: number;
  /** Vendor error code when the body had one (e.g. "VW_ALREADY_EXISTS"). */
  readonly code?: string;
  /** "ByteHouse GET /v1/databases/x": the call that failed. */
  readonly operation: string;

  constructor(kind: ErrorKind, operation: string, message: string, status?: number, code?: string) {
    super(message);
    this.name = ERROR_NAMES[kind];
    this.kind = kind;
    this.operation = operation;
    this.status = status;
    this.code = code;
  }
}

const ERROR_NAMES: Record<ErrorKind, string> = {
  not_found: "NotFoundError",
  conflict: "ConflictError",
  auth: "AuthError",
  validation: "ValidationError",
  rate_limited: "RateLimitedError",
  server: "ServerError",
  network: "NetworkError",
  ambiguous: "AmbiguousRequestError",
  unexpected: "UnexpectedResponseError",
};

/** A not-found the vendor confirmed for the object of the call (see HttpClientOptions.notFound). */
export function isNotFound(e: unknown): boolean {
  return e instanceof WarehouseApiError && e.kind === "not_found";
}

export function isConflict(e: unknown): boolean {
  return e instanceof WarehouseApiError && e.kind === "conflict";
}

/**
 * A non-idempotent request (a create) failed in a way that leaves it unknown whether
 * the vendor acted on it: a timeout, a reset connection, a 5xx. Never re-send it blindly.
 */
export function isAmbiguous(e: unknown): boolean {
  return e instanceof WarehouseApiError && e.kind === "ambiguous";
}

/**
 * Maps an HTTP status (and, where the vendor has one, its error code) to an error kind.
 * A 404 (or a NOT_FOUND code) maps to "not_found" here; the client only keeps that kind when
 * the vendor's recogniser confirms it (HttpClientOptions.notFound), and otherwise reports
 * the answer as "unexpected".
 */
export function kindForStatus(status: number, code?: string): ErrorKind {
  if (code && /ALREADY_EXISTS|DUPLICATE|CONFLICT/i.test(code)) return "conflict";
  if (code && /NOT_FOUND/i.test(code)) return "not_found";
  if (status === 404) return "not_found";
  if (status === 409) return "conflict";
  if (status === 401 || status === 403) return "auth";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "server";
  return "validation";
}

/** The forms a secret can take in a message: as is, JSON-escaped, URL-encoded (both space styles). */
function secretForms(s: string): string[] {
  const forms = new Set<string>([s]);
  forms.add(JSON.stringify(s).slice(1, -1));
  // The JSON-escaped form inside a JSON string that was itself JSON-encoded (an echoed body in a message field).
  forms.add(JSON.stringify(JSON.stringify(s).slice(1, -1)).slice(1, -1));
  try {
    const url = encodeURIComponent(s);
    forms.add(url);
    forms.add(url.replace(/%20/g, "+"));
    // Some encoders leave these reserved characters alone.
    forms.add(url.replace(/%3A/g, ":").replace(/%2F/g, "/").replace(/%40/g, "@"));
  } catch {
    // lone surrogates: no URL form
  }
  return [...forms];
}

/**
 * Replaces every occurrence of every secret in `text` — as is, JSON-escaped or URL-encoded —
 * with "[REDACTED]". Secrets shorter than 4 characters are left alone (they would redact
 * ordinary words); longer secrets are replaced first.
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  const forms = [...new Set(secrets.filter((s): s is string => typeof s === "string" && s.length >= 4).flatMap(secretForms))]
    .filter((f) => f.length >= 4)
    .sort((a, b) => b.length - a.length);
  let out = text;
  for (const f of forms) out = out.split(f).join("[REDACTED]");
  return out;
}

/** Default cap on any value echoed in a message. */
export const MAX_ECHO = 300;

/** Cuts `text` to `max` characters, saying how many were left out. */
export function truncate(text: string, max = MAX_ECHO): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** A body as it can be echoed in a message: whitespace collapsed, cut short. Redact before calling. */
export function excerpt(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat === "" ? "(empty body)" : JSON.stringify(truncate(flat, max));
}

/** Collects the string leaves of a value (e.g. a connection's `data`) as secrets to redact. */
export function stringLeaves(value: unknown, keyFilter?: RegExp): string[] {
  const out: string[] = [];
  const walk = (v: unknown, key: string | undefined, wanted: boolean): void => {
    if (typeof v === "string") {
      if (wanted) out.push(v);
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, key, wanted));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, k, wanted || (keyFilter ? keyFilter.test(k) : true));
  };
  walk(value, undefined, !keyFilter);
  return out;
}
