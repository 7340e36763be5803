import type { EmulatorResponse } from "./server";

/**
 * Thrown by handlers to answer with an error. `body` is sent as JSON, except a string body
 * with a text/plain content-type header, which is sent as is; `undefined` sends an empty body.
 */
export class HttpError extends Error {
  constructor(readonly status: number, readonly body: unknown, readonly headers: Record<string, string> = {}) {
    super(typeof body === "string" ? body : JSON.stringify(body));
  }

  toResponse(): EmulatorResponse {
    const plain = typeof this.body === "string" && /text\/plain/.test(this.headers["content-type"] ?? "");
    return plain ? { status: this.status, text: this.body as string, headers: this.headers } : { status: this.status, body: this.body, headers: this.headers };
  }
}
