/** The shared HTTP client against a scripted loopback server. */
import { expect } from "chai";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { HttpClient } from "../../provider/http/client";
import { WarehouseApiError } from "../../provider/http/errors";

type Step = { status: number; body?: unknown; raw?: string; headers?: Record<string, string> } | "reset";

describe("HttpClient", () => {
  let server: http.Server;
  let url: string;
  let script: Step[];
  let seen: { method: string; auth?: string; body: string }[];
  let sleeps: number[];
  const KEY = "sk-very-secret-key-123";

  before(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        seen.push({ method: req.method!, auth: req.headers.authorization, body });
        const step = script.shift() ?? { status: 200, body: { ok: true } };
        if (step === "reset") return req.socket.destroy();
        const text = step.raw ?? (step.body === undefined ? "" : JSON.stringify(step.body));
        res.writeHead(step.status, { "content-type": "application/json", ...step.headers });
        res.end(text);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  function client(): HttpClient {
    return new HttpClient({
      vendor: "TestVendor",
      baseUrl: url,
      authHeaders: () => ({ authorization: `Bearer ${KEY}` }),
      secrets: [KEY],
      parseError: (b: any) => ({ message: b?.error?.message, code: b?.error?.code }),
      retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 4 },
      sleep: async (ms) => void sleeps.push(ms),
    });
  }

  beforeEach(() => {
    script = [];
    seen = [];
    sleeps = [];
  });

  it("sends the auth header and parses JSON", async () => {
    script = [{ status: 200, raw: '{"data":{"id":12345678901234567890}}' }];
    const r = await client().request<any>({ method: "GET", path: "/x", query: { a: 1, b: undefined } });
    expect(r.data.data.id).to.equal("12345678901234567890");
    expect(seen[0].auth).to.equal(`Bearer ${KEY}`);
  });

  it("honours Retry-After on 429, for POST too (a 429 was never applied)", async () => {
    script = [{ status: 429, headers: { "retry-after": "2" }, body: {} }, { status: 200, body: { ok: 1 } }];
    const r = await client().request({ method: "POST", path: "/things", body: { a: 1 } });
    expect(r.status).to.equal(200);
    expect(sleeps).to.deep.equal([2000]);
    expect(seen.map((s) => s.body)).to.deep.equal(['{"a":1}', '{"a":1}']);
  });

  it("retries idempotent requests on 5xx with growing backoff", async () => {
    script = [{ status: 503, body: {} }, { status: 502, body: {} }, { status: 200, body: { ok: 1 } }];
    await client().request({ method: "GET", path: "/x" });
    expect(seen).to.have.length(3);
    expect(sleeps).to.have.length(2);
  });

  it("retries idempotent requests after a dropped connection", async () => {
    script = ["reset", { status: 200, body: {} }];
    await client().request({ method: "DELETE", path: "/x" });
    expect(seen).to.have.length(2);
  });

  it("never re-sends a POST after a 5xx or a dropped connection: it is ambiguous", async () => {
    script = [{ status: 500, body: { error: { message: "boom" } } }];
    const e1 = await client().request({ method: "POST", path: "/things", body: {} }).catch((e) => e);
    expect(e1).to.be.instanceOf(WarehouseApiError);
    expect(e1.kind).to.equal("ambiguous");
    script = ["reset"];
    const e2 = await client().request({ method: "POST", path: "/things", body: {} }).catch((e) => e);
    expect(e2.kind).to.equal("ambiguous");
    expect(seen).to.have.length(2);
  });

  it("gives up after the configured attempts with a server error naming the call", async () => {
    script = [500, 500, 500, 500].map((status) => ({ status, body: { error: { message: "down" } } }));
    const e = await client().request({ method: "GET", path: "/v1/things/a" }).catch((e) => e);
    expect(e.kind).to.equal("server");
    expect(e.message).to.match(/^TestVendor GET \/v1\/things\/a failed \(HTTP 500\) after 4 attempts in [\d.]+ m?s: down$/);
    expect(seen).to.have.length(4);
  });

  it("types errors and redacts credentials the vendor echoes back", async () => {
    script = [{ status: 403, body: { error: { code: "AUTHENTICATION_FAILED", message: `bad key ${KEY}` } } }];
    const e = await client().request({ method: "GET", path: "/x" }).catch((e) => e);
    expect(e.name).to.equal("AuthError");
    expect(e.message).to.contain("bad key [REDACTED]");
    expect(e.message).not.to.contain(KEY);
    script = [{ status: 404, body: {} }, { status: 422, body: { error: { code: "VW_ALREADY_EXISTS", message: "exists" } } }];
    expect((await client().request({ method: "GET", path: "/x" }).catch((e) => e)).kind).to.equal("not_found");
    expect((await client().request({ method: "POST", path: "/x" }).catch((e) => e)).kind).to.equal("conflict");
  });

  it("caps concurrency per client", async () => {
    const c = new HttpClient({ vendor: "T", baseUrl: url, authHeaders: () => ({}), secrets: [], concurrency: 2 });
    let inFlight = 0;
    let max = 0;
    const orig = (c as any).send.bind(c);
    (c as any).send = async (r: any) => {
      inFlight++;
      max = Math.max(max, inFlight);
      await new Promise((res) => setTimeout(res, 10));
      try {
        return await orig(r);
      } finally {
        inFlight--;
      }
    };
    await Promise.all(Array.from({ length: 6 }, () => c.request({ method: "GET", path: "/x" })));
    expect(max).to.equal(2);
    await c.close();
  });
});
