/**
 * The HTTP client and the ByteHouse client against a scripted loopback server: only a confirmed
 * not-found means "gone", unusable answers are errors naming the call, secrets never leak, long
 * values are cut, failures are said in words, retries are visible and bounded.
 */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { AddressInfo } from "node:net";
import { z } from "zod";
import { HttpClient, RetryEvent } from "../../provider/http/client";
import { WASM_BASELINE_FLAGS, keepWasmAtBaseline } from "../../provider/framework/host";
import { WarehouseApiError, redact, truncate } from "../../provider/http/errors";
import { HTTP_SETTINGS, httpOptionsFrom, httpSettingsFor } from "../../provider/http/settings";
import { ByteHouseApi, createByteHouseHttp, isByteHouseNotFound } from "../../provider/bytehouse/api";
import { connectionSecrets } from "../../provider/bytehouse/connection";

type Step =
  | { status: number; body?: unknown; raw?: string; headers?: Record<string, string> }
  | "reset"
  | ((req: { method: string; path: string; body: string }) => { status: number; raw: string; headers?: Record<string, string> });

const KEY = "bh-api-key-0123456789";

describe("HTTP hardening", () => {
  let server: http.Server;
  let url: string;
  let script: Step[];
  let seen: { method: string; path: string; body: string }[];
  let sleeps: number[];

  before(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const r = { method: req.method!, path: req.url!, body };
        seen.push(r);
        const step = script.shift() ?? { status: 200, body: { data: {} } };
        if (step === "reset") return req.socket.destroy();
        const s = typeof step === "function" ? step(r) : step;
        const text = "raw" in s && s.raw !== undefined ? s.raw : (s as { body?: unknown }).body === undefined ? "" : JSON.stringify((s as { body?: unknown }).body);
        res.writeHead(s.status, { "content-type": "application/json", ...s.headers });
        res.end(text);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  beforeEach(() => {
    script = [];
    seen = [];
    sleeps = [];
  });

  function bh(extra: Parameters<typeof createByteHouseHttp>[1] = {}, endpoint = url): ByteHouseApi {
    return new ByteHouseApi(
      createByteHouseHttp({ endpoint, apiKey: KEY }, { retry: { baseDelayMs: 1, maxDelayMs: 4 }, sleep: async (ms) => void sleeps.push(ms), ...extra }),
    );
  }

  const err = async (p: Promise<unknown>): Promise<WarehouseApiError> => {
    const e = await p.then(
      () => undefined,
      (x) => x,
    );
    expect(e, "expected an error").to.be.instanceOf(Error);
    return e as WarehouseApiError;
  };

  const noStack = (m: string) => expect(m).not.to.match(/\n\s+at /);

  describe("only a confirmed not-found means gone", () => {
    it("reads ByteHouse's own <KIND>_NOT_FOUND 404 as gone", async () => {
      script = [{ status: 404, body: { message: "database x not found", error: { code: "DATABASE_NOT_FOUND", message: "database x not found" } } }];
      expect(await bh().getDatabase("x")).to.equal(undefined);
      script = [{ status: 404, body: { message: "table x.t not found", error: { code: "TABLE_NOT_FOUND", message: "table x.t not found" } } }];
      expect(await bh().getTable("x", "t")).to.equal(undefined);
    });

    it("a 404 from a wrong base path (a router's bare NOT_FOUND) is an error, not gone", async () => {
      script = [{ status: 404, body: { message: "no route for GET /api/v1/databases/x", error: { code: "NOT_FOUND", message: "no route for GET /api/v1/databases/x" } } }];
      const e = await err(bh().getDatabase("x"));
      expect(e.kind).to.equal("unexpected");
      expect(e.name).to.equal("UnexpectedResponseError");
      expect(e.message).to.equal(
        "ByteHouse GET /v1/databases/x failed (HTTP 404): 404 that is not a ByteHouse not-found of this object (NOT_FOUND: no route for GET /api/v1/databases/x) — is warehouse:bytehouseEndpoint right?",
      );
    });

    it("a 404 without ByteHouse's error body is an error naming the call and what came back", async () => {
      script = [{ status: 404, raw: "<html><body><h1>404 Not Found</h1></body></html>", headers: { "content-type": "text/html" } }];
      const e = await err(bh().getConnection(7));
      expect(e.kind).to.equal("unexpected");
      expect(e.message).to.contain("ByteHouse GET /v1/dataloading/connections/7 failed (HTTP 404): 404 with no ByteHouse error body");
      expect(e.message).to.contain("<h1>404 Not Found</h1>");
      expect(e.message).to.contain("is warehouse:bytehouseEndpoint right?");
      script = [{ status: 404, raw: "" }];
      expect((await err(bh().getImportJob(3))).message).to.contain("404 with no ByteHouse error body (empty body)");
    });

    it("a delete against a wrong base path fails instead of counting as already gone", async () => {
      script = [{ status: 404, raw: "Not Found", headers: { "content-type": "text/plain" } }];
      const e = await err(bh().deleteDatabase("sales"));
      expect(e.kind).to.equal("unexpected");
    });

    it("the recogniser wants the vendor's body and a kind-specific code", () => {
      const body = (code: string) => ({ message: "m", error: { code, message: "m" } });
      expect(isByteHouseNotFound(404, body("API_KEY_NOT_FOUND"))).to.equal(true);
      expect(isByteHouseNotFound(404, body("NOT_FOUND"))).to.equal(false);
      expect(isByteHouseNotFound(400, body("ROLE_NOT_FOUND"))).to.equal(false);
      expect(isByteHouseNotFound(404, { message: "x" })).to.equal(false);
      expect(isByteHouseNotFound(404, "Not Found")).to.equal(false);
    });
  });

  describe("a 2xx the client cannot use is an error, never data or 'gone'", () => {
    const html = "<!DOCTYPE html><html><head><title>Sign in</title></head><body>" + "x".repeat(2000) + "</body></html>";

    it("HTML 200 on a read names the call and quotes a short excerpt", async () => {
      script = [{ status: 200, raw: html, headers: { "content-type": "text/html; charset=utf-8" } }];
      const e = await err(bh().getDatabase("sales"));
      expect(e.kind).to.equal("unexpected");
      expect(e.message).to.match(/^ByteHouse GET \/v1\/databases\/sales failed \(HTTP 200\): the answer is not JSON \(text\/html\): "<!DOCTYPE html><html><head><title>Sign in/);
      expect(e.message).to.contain("more characters)");
      expect(e.message.length).to.be.below(500);
      noStack(e.message);
    });

    it("HTML 200 on a list is an error, not an empty list (which refresh would read as 'gone')", async () => {
      script = [{ status: 200, raw: html, headers: { "content-type": "text/html" } }];
      expect((await err(bh().getApiKey("k1"))).kind).to.equal("unexpected");
      script = [{ status: 200, raw: html, headers: { "content-type": "text/html" } }];
      expect((await err(bh().listPermissions({ RoleName: "r", ByteHouseResourceID: "db", SecureObjectTypeName: "DATABASE" }))).kind).to.equal("unexpected");
    });

    it("an empty 200 where JSON is expected", async () => {
      script = [{ status: 200, raw: "" }];
      const e = await err(bh().getTable("sales", "orders"));
      expect(e.message).to.equal("ByteHouse GET /v1/databases/sales/tables/orders failed (HTTP 200): the answer is empty where JSON was expected — is warehouse:bytehouseEndpoint right?");
    });

    it("a JSON 200 of the wrong shape names the call, the field and what came back", async () => {
      script = [{ status: 200, body: { items: [{ name: "sales" }] } }];
      const e = await err(bh().listDatabases());
      expect(e.kind).to.equal("unexpected");
      expect(e.message).to.contain("ByteHouse GET /v1/databases failed (HTTP 200): the answer does not have the expected shape (data:");
      expect(e.message).to.contain('{\\"items\\":[{\\"name\\":\\"sales\\"}]}');
      script = [{ status: 200, body: { data: { uuid: "u" } } }];
      expect((await err(bh().getDatabase("sales"))).message).to.contain("data.name:");
      // never "TypeError: Cannot read properties of undefined"
      script = [{ status: 200, body: { message: "Success", error: {} } }];
      const e2 = await err(bh().createConnection({ name: "c", type: "LOCAL", data: {} }));
      expect(e2).to.be.instanceOf(WarehouseApiError);
      expect(e2.message).to.contain("ByteHouse POST /v1/dataloading/connections failed (HTTP 200): the answer does not have the expected shape (data:");
    });

    it("a non-JSON 200 on a write is an error too", async () => {
      script = [{ status: 200, raw: "OK", headers: { "content-type": "text/plain" } }];
      const e = await err(bh().updateVirtualWarehouse("etl", { autoSuspend: 5 }));
      expect(e.message).to.equal('ByteHouse PATCH /v1/virtual-warehouses/etl failed (HTTP 200): the answer is not JSON (text/plain): "OK" — is warehouse:bytehouseEndpoint right?');
    });

    it("a schema on a plain client parses the answer and types it", async () => {
      const c = new HttpClient({ vendor: "T", baseUrl: url, authHeaders: () => ({}), secrets: [] });
      script = [{ status: 200, body: { n: 1, extra: true } }];
      const r = await c.request({ method: "GET", path: "/n", response: z.object({ n: z.number() }) });
      expect(r.data.n).to.equal(1);
      script = [{ status: 200, raw: "{not json" }];
      expect((await err(c.request({ method: "GET", path: "/n", response: z.object({ n: z.number() }) }))).message).to.equal(
        'T GET /n failed (HTTP 200): the answer is not JSON (application/json): "{not json"',
      );
      // without a schema or requireJson, text stays data (Altertable's NDJSON answers)
      script = [{ status: 200, raw: '{"a":1}\n{"b":2}\n' }];
      expect((await c.request({ method: "POST", path: "/query" })).data).to.equal('{"a":1}\n{"b":2}\n');
      await c.close();
    });

    it("a 200 carrying ByteHouse's error envelope is a failure, not a success", async () => {
      script = [{ status: 200, body: { message: "column n already exists", error: { code: "COLUMN_ALREADY_EXISTS", message: "column n already exists" } } }];
      const e = await err(bh().updateTable("db", "t", { addColumns: [{ name: "n", type: "Int32" }] }));
      expect(e.kind).to.equal("conflict");
      expect(e.message).to.equal("ByteHouse PATCH /v1/databases/db/tables/t failed (HTTP 200): column n already exists (an error answered with HTTP 200)");
      script = [{ status: 200, body: { message: "Success", error: {} } }];
      await bh().updateTable("db", "t", { addColumns: [{ name: "n", type: "Int32" }] });
    });

    it("a redirect is an error naming where it points, never a success", async () => {
      script = [{ status: 302, raw: "", headers: { location: "https://login.example.com/sso?next=/v1" } }];
      const e = await err(bh().deleteDatabase("sales"));
      expect(e.kind).to.equal("unexpected");
      expect(e.message).to.equal(
        "ByteHouse DELETE /v1/databases/sales failed (HTTP 302): a redirect to https://login.example.com/sso?next=/v1, not an answer — is warehouse:bytehouseEndpoint right?",
      );
    });

    it("a new API key in a wrong-shaped answer is never quoted", async () => {
      script = [{ status: 200, body: { data: { id: "k1", status: "ENABLED", secret: "bh_THE_NEW_SECRET_VALUE" } } }];
      const e = await err(bh().createApiKey({ comment: "ci" }));
      expect(e.message).to.contain("(not shown: it may hold a secret)");
      expect(e.message).not.to.contain("bh_THE_NEW_SECRET_VALUE");
    });
  });

  describe("secrets of the request are redacted", () => {
    const secret = 'p@ss "wo\\rd"/x+y z&1';

    it("from an echoed body, in raw, JSON-escaped and URL-encoded forms", async () => {
      script = [
        (req) => {
          const echoed = `bad request: ${req.body} | raw=${secret} | url=${encodeURIComponent(secret)} | form=${encodeURIComponent(secret).replace(/%20/g, "+")}`;
          return { status: 400, raw: JSON.stringify({ message: echoed, error: { code: "BAD_REQUEST", message: echoed } }) };
        },
      ];
      const data = { bucket: "my-bucket", accessKey: "AKIAEXAMPLEKEY", secretKey: secret };
      const e = await err(bh().createConnection({ name: "s3", type: "S3", data }, { secrets: connectionSecrets(data) }));
      expect(e.kind).to.equal("validation");
      for (const form of [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), encodeURIComponent(secret).replace(/%20/g, "+"), "AKIAEXAMPLEKEY"]) {
        expect(e.message).not.to.contain(form);
      }
      expect(e.message).to.contain("[REDACTED]");
      expect(e.message).to.contain("ByteHouse POST /v1/dataloading/connections failed (HTTP 400): bad request:");
    });

    it("from a non-JSON error body and from the log", async () => {
      const lines: string[] = [];
      script = [{ status: 502, raw: `<html>upstream said ${KEY} and ${encodeURIComponent("tok/en+1")}</html>`, headers: { "content-type": "text/html" } }, { status: 200, body: { data: [] } }];
      const api = bh({ log: (l) => lines.push(l) });
      await api.http.request({ method: "GET", path: "/v1/x", secrets: ["tok/en+1"] });
      script = [{ status: 400, raw: `<html>upstream said ${KEY} and ${encodeURIComponent("tok/en+1")}</html>`, headers: { "content-type": "text/html" } }];
      const e = await err(api.http.request({ method: "GET", path: "/v1/x", secrets: ["tok/en+1"] }));
      expect(e.message).to.contain("no ByteHouse error body");
      expect(e.message).not.to.contain(KEY);
      expect(e.message).not.to.contain("tok%2Fen%2B1");
      expect(lines.join("\n")).not.to.contain(KEY);
    });

    it("a secret cut by truncation never leaks its first half", () => {
      const s = "S".repeat(20) + "ECRET";
      const text = "x".repeat(290) + s;
      expect(truncate(redact(text, [s]))).not.to.contain("SSSS");
    });

    it("redact covers nested JSON escaping and skips tiny values", () => {
      const s = 'a"b\\c-secret';
      const nested = JSON.stringify({ message: JSON.stringify({ data: { password: s } }) });
      expect(redact(nested, [s])).not.to.contain("secret");
      expect(redact("the cat", ["cat"])).to.equal("the cat");
    });
  });

  describe("messages", () => {
    it("cap a 10,000-character vendor message", async () => {
      const long = "E".repeat(10_000);
      script = [{ status: 400, body: { message: long, error: { code: "BAD_REQUEST", message: long } } }];
      const e = await err(bh().createDatabase({ name: "x" }));
      expect(e.message.length).to.be.below(450);
      expect(e.message).to.contain(`${"E".repeat(300)}… (9700 more characters)`);
    });

    it("say in one line that the endpoint cannot be reached, and which setting to check", async () => {
      const dead = http.createServer();
      await new Promise<void>((r) => dead.listen(0, "127.0.0.1", r));
      const port = (dead.address() as AddressInfo).port;
      await new Promise<void>((r) => dead.close(() => r()));
      const retries: RetryEvent[] = [];
      const e = await err(bh({ onRetry: (ev) => retries.push(ev), retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } }, `http://127.0.0.1:${port}`).getDatabase("x"));
      expect(e.kind).to.equal("network");
      expect(e.message).to.match(
        new RegExp(`^ByteHouse GET /v1/databases/x failed after 3 attempts in [\\d.]+ m?s: cannot reach ByteHouse at http://127\\.0\\.0\\.1:${port}: connection refused — is warehouse:bytehouseEndpoint right\\?$`),
      );
      expect(e.message.split("\n")).to.have.length(1);
      expect(retries.map((r) => r.message)).to.have.length(2);
      expect(retries[0].message).to.match(/^cannot reach ByteHouse \(connection refused\), retrying in [\d.]+ m?s \(attempt 2 of 3\)$/);
    });

    it("name the credential setting on 401 and 403", async () => {
      script = [{ status: 401, body: { message: "Unauthorized", error: { code: "UNAUTHORIZED", message: "Unauthorized" } } }];
      const e = await err(bh().listRoles());
      expect(e.name).to.equal("AuthError");
      expect(e.message).to.equal("ByteHouse GET /v1/iam/roles failed (HTTP 401): Unauthorized — the API key in warehouse:bytehouseApiKey (or $BYTEHOUSE_API_KEY) was refused");
      script = [{ status: 403, body: { message: "Authentication failed", error: { code: "AUTHENTICATION_FAILED", message: "Authentication failed" } } }];
      expect((await err(bh().listRoles())).message).to.contain("was refused");
      script = [{ status: 403, body: { message: "role Analyst may not grant", error: { code: "PERMISSION_DENIED", message: "role Analyst may not grant" } } }];
      expect((await err(bh().listRoles())).message).to.contain("the API key in warehouse:bytehouseApiKey (or $BYTEHOUSE_API_KEY) is not allowed to do this");
    });

    it("say a read timeout in words", async () => {
      script = [(_r) => ({ status: 200, raw: "" })];
      const slow = http.createServer((_req, _res) => undefined);
      await new Promise<void>((r) => slow.listen(0, "127.0.0.1", r));
      const c = new HttpClient({ vendor: "T", baseUrl: `http://127.0.0.1:${(slow.address() as AddressInfo).port}`, authHeaders: () => ({}), secrets: [], readTimeoutMs: 100 });
      const e = await err(c.request({ method: "POST", path: "/create", body: {} }));
      expect(e.kind).to.equal("ambiguous");
      expect(e.message).to.equal("T POST /create failed: no answer within 0.1 s (read timeout); the request may or may not have been applied");
      await c.close();
      slow.closeAllConnections();
      await new Promise<void>((r) => slow.close(() => r()));
    });
  });

  describe("retries are visible and bounded", () => {
    it("tell onRetry about every retry, with the wait and the attempt", async () => {
      script = [{ status: 429, headers: { "retry-after": "2" }, body: {} }, { status: 503, body: {} }, { status: 200, body: { data: { uuid: "u-1", name: "sales" } } }];
      const events: RetryEvent[] = [];
      const db = await bh({ onRetry: (ev) => events.push(ev), retry: { baseDelayMs: 400, maxDelayMs: 400 } }).getDatabase("sales");
      expect(db?.name).to.equal("sales");
      expect(events.map((e) => [e.reason, e.attempt, e.maxAttempts, e.operation])).to.deep.equal([
        ["429", 2, 5, "ByteHouse GET /v1/databases/sales"],
        ["HTTP 503", 3, 5, "ByteHouse GET /v1/databases/sales"],
      ]);
      expect(events[0].message).to.equal("429 from ByteHouse, retrying in 2 s (attempt 2 of 5)");
      expect(events[1].message).to.match(/^HTTP 503 from ByteHouse, retrying in 0\.[234] s \(attempt 3 of 5\)$/);
      expect(sleeps[0]).to.equal(2000);
    });

    it("stop when the call's wall-time budget would be exceeded, and say so", async () => {
      let clock = 0;
      const api = bh({
        now: () => clock,
        sleep: async (ms) => void (clock += ms),
        retry: { maxAttempts: 10, maxElapsedMs: 5_000 },
      });
      script = Array.from({ length: 10 }, () => ({ status: 429, headers: { "retry-after": "2" }, body: { message: "slow down", error: { code: "TOO_MANY_REQUESTS", message: "slow down" } } }));
      const e = await err(api.listDatabases());
      expect(e.kind).to.equal("rate_limited");
      expect(seen).to.have.length(3);
      expect(e.message).to.equal(
        "ByteHouse GET /v1/databases failed (HTTP 429) after 3 attempts in 4 s (the retry budget of one call is 5 s): slow down (rate limited)",
      );
    });

    it("stop after maxAttempts and say how many", async () => {
      script = [500, 500, 500].map((status) => ({ status, body: { message: "down", error: { code: "INTERNAL_SERVER_ERROR", message: "down" } } }));
      const e = await err(bh({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } }).getDatabase("x"));
      expect(e.message).to.match(/^ByteHouse GET \/v1\/databases\/x failed \(HTTP 500\) after 3 attempts in [\d.]+ m?s: down$/);
    });
  });

  describe("non-idempotent ByteHouse calls are never re-sent after an ambiguous failure", () => {
    const boom = { status: 500, body: { message: "boom", error: { code: "INTERNAL_SERVER_ERROR", message: "boom" } } };
    const cases: [string, (api: ByteHouseApi) => Promise<unknown>][] = [
      ["table PATCH", (api) => api.updateTable("db", "t", { addColumns: [{ name: "c", type: "Int32" }] })],
      ["API key create", (api) => api.createApiKey({ comment: "x" })],
      ["API key expiry extension", (api) => api.extendApiKeyExpiry("k", 10)],
      ["import job start", (api) => api.startImportJob(1, {})],
      ["connection create", (api) => api.createConnection({ name: "c", type: "LOCAL", data: {} })],
      ["role assignment", (api) => api.assignRole({ UserID: 1, RoleName: "Analyst" })],
      ["import job create", (api) => api.createImportJob({ name: "j", connectionID: 0, configuration: {}, sourceSchema: {}, state: "PUBLISHED" })],
    ];
    for (const [what, call] of cases) {
      it(what, async () => {
        script = [boom, { status: 200, body: { data: {} } }];
        const e = await err(call(bh()));
        expect(e.kind).to.equal("ambiguous");
        expect(seen).to.have.length(1);
      });
    }

    it("a grant upserts, so it is retried", async () => {
      script = [boom, { status: 200, body: { message: "Success", error: {}, data: {} } }];
      await bh().grantPermission({ RoleName: "r", ByteHouseResourceID: "db", SecureObjectTypeName: "DATABASE", ActionName: "SELECT", GrantOption: true });
      expect(seen).to.have.length(2);
    });
  });

  describe("HTTP_SETTINGS", () => {
    it("describes connect and read timeouts and attempts, with defaults", () => {
      expect(HTTP_SETTINGS.map((s) => [s.name, s.default])).to.deep.equal([
        ["connectTimeoutSeconds", 10],
        ["readTimeoutSeconds", 60],
        ["maxAttempts", 5],
        ["maxConcurrency", 8],
      ]);
      const specs = httpSettingsFor("bytehouse", "BYTEHOUSE");
      expect(specs.readTimeoutSeconds).to.include({ config: "warehouse:bytehouseReadTimeoutSeconds", env: "BYTEHOUSE_READ_TIMEOUT_SECONDS", required: false, secret: false });
    });

    it("turns setting values into client options, naming a bad one", () => {
      expect(httpOptionsFrom({ connectTimeoutSeconds: "2.5", readTimeoutSeconds: "30", maxAttempts: "3" })).to.deep.equal({
        connectTimeoutMs: 2500,
        readTimeoutMs: 30_000,
        retry: { maxAttempts: 3 },
      });
      expect(httpOptionsFrom({})).to.deep.equal({});
      expect(() => httpOptionsFrom({ maxAttempts: "2.5" }, "bytehouse")).to.throw("warehouse:bytehouseMaxAttempts must be a whole number > 0");
      expect(httpOptionsFrom({ maxConcurrency: "4" })).to.deep.equal({ concurrency: 4 });
      expect(() => httpOptionsFrom({ maxConcurrency: "0" }, "bytehouse")).to.throw("warehouse:bytehouseMaxConcurrency must be a whole number > 0");
    });

    it("the concurrency cap is a setting of every vendor, reaching its client", () => {
      expect(httpSettingsFor("altertable", "ALTERTABLE").maxConcurrency).to.include({ config: "warehouse:altertableMaxConcurrency", env: "ALTERTABLE_MAX_CONCURRENCY", required: false });
    });
  });
});

describe("reportingRetriesTo", () => {
  async function flakyServer(): Promise<{ url: string; close: () => Promise<void> }> {
    let calls = 0;
    const server = http.createServer((_req, res) => {
      calls++;
      res.writeHead(calls % 2 === 1 ? 503 : 200, { "content-type": "application/json" });
      res.end("{}");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
  }
  const client = (baseUrl: string) =>
    new HttpClient({ vendor: "T", baseUrl, authHeaders: () => ({}), secrets: [], concurrency: 1, retry: { baseDelayMs: 1, maxDelayMs: 2 } });

  it("reports the retries of each operation's requests to its own sink, even those queued behind the concurrency cap", async () => {
    const { reportingRetriesTo } = await import("../../provider/http/progress");
    const server = await flakyServer();
    const c = client(server.url);
    const a: string[] = [];
    const b: string[] = [];
    const all: string[] = [];
    (c as unknown as { opts: { onRetry: (e: { message: string }) => void } }).opts.onRetry = (e) => all.push(e.message);
    await Promise.all([
      reportingRetriesTo(c, (e) => a.push(e.message)).request({ method: "GET", path: "/a" }),
      reportingRetriesTo(c, (e) => b.push(e.message)).request({ method: "GET", path: "/b" }),
    ]);
    expect(a).to.have.length(1);
    expect(b).to.have.length(1);
    expect(a[0]).to.match(/^HTTP 503 from T, retrying in [\d.]+ m?s \(attempt 2 of 5\)$/);
    expect(all, "the client's own onRetry still hears every retry").to.have.length(2);
    await c.request({ method: "GET", path: "/c" }); // the client itself reports to no operation
    expect(a.length + b.length).to.equal(2);
    await c.close();
    await server.close();
  });

  it("gives an API object's methods a view whose clients report to the sink, while what they cache lands on the shared object", async () => {
    const { reportingRetriesTo } = await import("../../provider/http/progress");
    const server = await flakyServer();
    class Api {
      cache?: Promise<unknown>;
      constructor(readonly http: HttpClient) {}
      list(): Promise<unknown> {
        return (this.cache ??= this.http.request({ method: "GET", path: "/list" }));
      }
    }
    const api = new Api(client(server.url));
    const seen: string[] = [];
    const view = reportingRetriesTo(api, (e) => seen.push(e.message));
    expect(view.http).to.not.equal(api.http);
    expect(view.http, "one view of a client per operation").to.equal(view.http);
    await view.list();
    expect(seen).to.have.length(1);
    expect(api.cache, "the cached listing is on the shared API object").to.be.a("promise");
    expect(reportingRetriesTo(undefined, () => undefined)).to.equal(undefined);
    await api.http.close();
    await server.close();
  });
});

describe("WebAssembly kept at the baseline compiler in the provider host", () => {
  const host = "/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js";

  it("sets the flags in the dynamic provider host only, and not when PULUMI_WAREHOUSE_WASM_TIER_UP=1", () => {
    const set: string[] = [];
    const run = (script: string | undefined, env: NodeJS.ProcessEnv = {}) => keepWasmAtBaseline(script, env, (f) => set.push(f));
    expect(run(host)).to.equal(true);
    expect(run("C:\\p\\node_modules\\@pulumi\\pulumi\\cmd\\dynamic-provider")).to.equal(true);
    expect(run(host, { PULUMI_WAREHOUSE_WASM_TIER_UP: "1" })).to.equal(false);
    expect(run("/p/node_modules/mocha/bin/mocha.js")).to.equal(false);
    expect(run("/p/dist/demo/index.js")).to.equal(false);
    expect(run("/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider-other/x.js")).to.equal(false);
    expect(run(undefined)).to.equal(false);
    expect(set).to.deep.equal([WASM_BASELINE_FLAGS, WASM_BASELINE_FLAGS]);
  });

  // setFlagsFromString ignores a flag V8 does not know, so this checks the effect: a hot
  // WebAssembly function (undici's own HTTP parser) is optimised in a plain process, and stays on
  // the baseline compiler in a process whose script is the dynamic provider host's.
  it("in a host, a hot WebAssembly function stays on the baseline compiler (and is optimised elsewhere)", function () {
    this.timeout(60_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wasm-baseline-"));
    try {
      const script = path.join(dir, "node_modules", "@pulumi", "pulumi", "cmd", "dynamic-provider", "index.js");
      fs.mkdirSync(path.dirname(script), { recursive: true });
      const runtime = require.resolve("../../provider/framework/runtime");
      const wasm = require.resolve("undici/lib/llhttp/llhttp-wasm.js");
      fs.writeFileSync(
        script,
        `require(${JSON.stringify(runtime)}); // what the serialised provider loads in a host
const env = {};
for (const k of ["url", "status", "message_begin", "header_field", "header_value", "headers_complete", "body", "message_complete"]) env["wasm_on_" + k] = () => 0;
const e = new WebAssembly.Instance(new WebAssembly.Module(require(${JSON.stringify(wasm)})), { env }).exports;
const msg = Buffer.from("HTTP/1.1 200 OK\\r\\ncontent-type: application/json\\r\\ncontent-length: 2\\r\\n\\r\\n{}");
const hot = () => { for (let i = 0; i < 200000; i++) { const p = e.llhttp_alloc(1); const m = e.malloc(msg.length); new Uint8Array(e.memory.buffer, m, msg.length).set(msg); e.llhttp_execute(p, m, msg.length); e.free(m); e.llhttp_free(p); } };
// optimisation runs on a helper thread: look again for up to 3 s
const until = Date.now() + 3000;
const look = () => {
  hot();
  const optimised = %IsTurboFanFunction(e.llhttp_execute);
  if (optimised || Date.now() > until) console.log(JSON.stringify({ optimised, baseline: %IsLiftoffFunction(e.llhttp_execute) }));
  else setTimeout(look, 100);
};
look();
`,
      );
      const run = (env: NodeJS.ProcessEnv) =>
        JSON.parse(execFileSync(process.execPath, ["--allow-natives-syntax", script], { env: { ...process.env, ...env }, encoding: "utf8" }).trim()) as { optimised: boolean; baseline: boolean };
      expect(run({ PULUMI_WAREHOUSE_WASM_TIER_UP: "" })).to.deep.equal({ optimised: false, baseline: true });
      expect(run({ PULUMI_WAREHOUSE_WASM_TIER_UP: "1" })).to.deep.equal({ optimised: true, baseline: false });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
