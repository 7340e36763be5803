/** Error envelope, status codes and small helpers shared by the ByteHouse emulator's modules. */
import { createHash } from "node:crypto";
import { HttpError } from "../framework/server";

const CODES: Record<number, string> = { 400: "BAD_REQUEST", 403: "AUTHENTICATION_FAILED", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 422: "ILLEGAL_STATE", 429: "TOO_MANY_REQUESTS", 500: "INTERNAL_SERVER_ERROR", 502: "BAD_GATEWAY", 503: "SERVICE_UNAVAILABLE", 504: "GATEWAY_TIMEOUT" };

export function errorBody(status: number, message: string, code = CODES[status] ?? "ERROR") {
  return { message, error: { code, message } };
}

export const fail = (status: number, message: string, code?: string) => new HttpError(status, errorBody(status, message, code));
export const bad = (message: string) => fail(400, message);

/** RFC 3339 with nanoseconds, as the vendor writes timestamps. */
export const now = (d = new Date()) => d.toISOString().replace("Z", "000Z").replace(/\.(\d{3})000Z$/, ".$1000000Z");

export function requireString(body: any, field: string): string {
  if (!body || typeof body[field] !== "string" || body[field] === "") throw bad(`${field} is required`);
  return body[field];
}

export const isObject = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Envelope family 2 (IAM, data loading). */
export const ok = (data?: unknown, meta?: unknown) => ({
  status: 200,
  body: { message: "Success", error: {}, ...(data !== undefined ? { data } : {}), ...(meta !== undefined ? { meta } : {}) },
});

export const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** Parses a timestamp written by `now()` (nanosecond fractions are cut to milliseconds). */
export const parseTime = (s: string) => Date.parse(s.replace(/\.(\d{3})\d*Z$/, ".$1Z"));
