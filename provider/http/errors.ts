/**
 * Typed errors raised by the HTTP client. Every message names the call
 * ("ByteHouse POST /v1/virtual-warehouses") and carries the vendor's own message,
 * with every known credential replaced by "[REDACTED]".
 */

export type ErrorKind = "not_found" | "conflict" | "auth" | "validation" | "rate_limited" | "server" | "network" | "ambiguous";

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
};

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

/** Maps an HTTP status (and, where the vendor has one, its error code) to an error kind. */
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

/** Replaces every occurrence of every secret in `text` with "[REDACTED]". */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join("[REDACTED]");
  }
  return out;
}
