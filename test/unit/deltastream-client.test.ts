/**
 * The DeltaStream statements client against a scripted server: JSON and multipart bodies, 202 then
 * GET polling, SQL errors answered with HTTP 200 mapped to typed errors, string-only rows decoded,
 * partitions fetched, an ambiguous CREATE never resent; and the kinds' local rules (store
 * properties, relation statements, query statements).
 */
import { expect } from "chai";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { DeltaStreamApi, createDeltaStreamHttp, decodeValue, kindForDeltaStreamSqlState, multipartBody } from "../../provider/deltastream/api";
import { storeInputs, storeProps, storeUpdateProps } from "../../provider/deltastream/store";
import { relationInputs, createStatement } from "../../provider/deltastream/relation";
import { queryInputs, applicationInputs, applicationStatement } from "../../provider/deltastream/query";
import { render } from "../../provider/sql/builder";
import { DELTASTREAM } from "../../provider/sql/dialect";
import { ident, sql } from "../../provider/sql/builder";
import { WarehouseApiError } from "../../provider/http/errors";

interface Seen {
  method: string;
  url: string;
  contentType: string;
  body: Buffer;
}

function resultSet(columns: [string, string][], data: (string | null)[][], extra: Record<string, unknown> = {}) {
  return {
    sqlState: "00000",
    statementID: "11111111-2222-3333-4444-555555555555",
    createdOn: 1,
    metadata: { encoding: "json", partitionInfo: [{ rowCount: data.length }], columns: columns.map(([name, type]) => ({ name, type, nullable: true })) },
    data,
    ...extra,
  };
}

async function scripted(answer: (s: Seen, n: number) => { status: number; body?: unknown } | "drop"): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const s = { method: req.method!, url: req.url!, contentType: String(req.headers["content-type"] ?? ""), body: Buffer.concat(chunks) };
      seen.push(s);
      const a = answer(s, seen.length);
      if (a === "drop") return req.socket.destroy();
      res.writeHead(a.status, { "content-type": "application/json" });
      res.end(a.body === undefined ? "" : JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => new Promise((r) => server.close(() => r())) };
}

const apiFor = (url: string) =>
  new DeltaStreamApi(createDeltaStreamHttp({ endpoint: url, apiToken: "tok-123456" }, { retry: { baseDelayMs: 1, maxDelayMs: 2 } }), { organization: "org", role: "sysadmin", apiToken: "tok-123456" });

describe("deltastream client", () => {
  it("maps every sqlState family to one error kind", () => {
    for (const c of ["3D000", "3D002", "3D006", "3D019", "3D020", "3D023", "3D026"]) expect(kindForDeltaStreamSqlState(c), c).to.equal("not_found");
    expect(kindForDeltaStreamSqlState("3D021")).to.equal("validation");
    for (const c of ["42710", "42P04", "42P05", "42P017", "42P019", "2BP01"]) expect(kindForDeltaStreamSqlState(c), c).to.equal("conflict");
    for (const c of ["3E001", "3E004", "57014", "XX000"]) expect(kindForDeltaStreamSqlState(c), c).to.equal("server");
    expect(kindForDeltaStreamSqlState("42501")).to.equal("auth");
    for (const c of ["42601", "42622", "53000", "0A000", "42P001"]) expect(kindForDeltaStreamSqlState(c), c).to.equal("validation");
  });

  it("decodes string values by column type", () => {
    expect(decodeValue("42", "BIGINT")).to.equal(42);
    expect(decodeValue("1.5", "DOUBLE")).to.equal(1.5);
    expect(decodeValue("12345678901234567890", "BIGINT")).to.equal("12345678901234567890");
    expect(decodeValue("10.10", "DECIMAL(10,2)")).to.equal("10.10");
    expect(decodeValue("true", "BOOLEAN")).to.equal(true);
    expect(decodeValue(null, "VARCHAR")).to.equal(null);
    expect(decodeValue("2023-12-30 03:37:45Z", "TIMESTAMP_LTZ")).to.equal("2023-12-30 03:37:45Z");
  });

  it("sends JSON without attachments, multipart with them (filenames as the SQL names them)", async () => {
    const srv = await scripted(() => ({ status: 200, body: resultSet([], []) }));
    try {
      const api = apiFor(srv.url);
      await api.statement(sql`CREATE DATABASE ${ident("d")}`, { context: { database: "x" } });
      await api.statement(sql`CREATE STORE ${ident("s")} WITH ('tls.ca_cert_file' = '@cacert')`, { attachments: [{ name: "@cacert", content: "-----BEGIN CERTIFICATE-----\nabc\n" }] });
      expect(srv.seen[0].contentType).to.match(/^application\/json/);
      expect(JSON.parse(srv.seen[0].body.toString())).to.deep.equal({ statement: 'CREATE DATABASE "d"', organization: "org", role: "sysadmin", database: "x" });
      expect(srv.seen[1].contentType).to.match(/^multipart\/form-data; boundary=/);
      const text = srv.seen[1].body.toString();
      expect(text).to.include('name="request"').and.include('name="attachments"; filename="@cacert"').and.include("-----BEGIN CERTIFICATE-----\nabc\n");
      expect(text).to.include(`"statement":"CREATE STORE \\"s\\" WITH ('tls.ca_cert_file' = '@cacert')"`);
    } finally {
      await srv.close();
    }
  });

  it("polls a 202 with GET until the answer, and throws a SQL error answered with HTTP 200 typed", async () => {
    const srv = await scripted((s, n) => {
      if (s.method === "POST" && n === 1) return { status: 202, body: { sqlState: "03000", statementID: "abc", createdOn: 1 } };
      if (s.method === "GET" && n < 4) return { status: 202, body: { sqlState: "03000", statementID: "abc", createdOn: 1 } };
      if (s.method === "GET") return { status: 200, body: resultSet([["n", "INTEGER"], ["name", "VARCHAR"]], [["7", "x"]]) };
      return { status: 200, body: { ...resultSet([], []), sqlState: "3D002", message: 'database "nope" not found' } };
    });
    try {
      const api = apiFor(srv.url);
      const rows = await api.rows(sql`CREATE STORE ${ident("s")}`);
      expect(rows).to.deep.equal([{ n: 7, name: "x" }]);
      expect(srv.seen.filter((s) => s.method === "GET").map((s) => s.url)).to.deep.equal(["/v2/statements/abc", "/v2/statements/abc", "/v2/statements/abc"]);
      const e = await api.statement(sql`DROP DATABASE ${ident("nope")}`).then(() => undefined, (x) => x as WarehouseApiError);
      expect(e?.kind).to.equal("not_found");
      expect(e?.code).to.equal("3D002");
      expect(e?.message).to.include('database "nope" not found');
    } finally {
      await srv.close();
    }
  });

  it("fetches result partitions after the first; never resends a CREATE whose answer was lost", async () => {
    let creates = 0;
    const srv = await scripted((s) => {
      if (s.method === "GET") return { status: 200, body: resultSet([["name", "VARCHAR"]], [["b"]]) };
      if (s.body.toString().includes("CREATE")) return creates++ === 0 ? "drop" : { status: 200, body: resultSet([], []) };
      return { status: 200, body: { ...resultSet([["name", "VARCHAR"]], [["a"]]), metadata: { encoding: "json", partitionInfo: [{ rowCount: 1 }, { rowCount: 1 }], columns: [{ name: "name", type: "VARCHAR", nullable: false }] } } };
    });
    try {
      const api = apiFor(srv.url);
      expect(await api.rows(sql`SELECT name FROM t`)).to.deep.equal([{ name: "a" }, { name: "b" }]);
      expect(srv.seen.some((s) => s.url.includes("partitionID=1"))).to.equal(true);
      const e = await api.statement(sql`CREATE DATABASE ${ident("d")}`).then(() => undefined, (x) => x as WarehouseApiError);
      expect(e?.kind).to.equal("ambiguous");
      expect(creates).to.equal(1);
    } finally {
      await srv.close();
    }
  });

  it("redacts statement secrets and the token from errors", async () => {
    const srv = await scripted(() => ({ status: 200, body: { ...resultSet([], []), sqlState: "42601", message: "syntax error near 'pw-very-secret' with tok-123456" } }));
    try {
      const e = await apiFor(srv.url).statement(sql`CREATE STORE ${ident("s")}`, { secrets: ["pw-very-secret"] }).then(() => undefined, (x) => x as Error);
      expect(e?.message).to.include("42601").and.include("syntax error near");
      expect(e?.message).to.not.include("pw-very-secret");
      expect(e?.message).to.not.include("tok-123456");
    } finally {
      await srv.close();
    }
  });

  it("builds multipart parts exactly", () => {
    const mp = multipartBody({ statement: "x" }, [{ name: "@keyfile", content: Buffer.from([1, 2, 3]) }], "B");
    expect(mp.contentType).to.equal("multipart/form-data; boundary=B");
    expect(mp.body.toString("latin1")).to.equal(
      '--B\r\nContent-Disposition: form-data; name="request"\r\nContent-Type: application/json\r\n\r\n{"statement":"x"}\r\n' +
        '--B\r\nContent-Disposition: form-data; name="attachments"; filename="@keyfile"\r\nContent-Type: application/octet-stream\r\n\r\n\u0001\u0002\u0003\r\n--B--\r\n',
    );
  });
});

describe("deltastream kinds: local rules", () => {
  it("store properties use the vendor's names; key files go as attachments; updates send only changes and NULL for removed ones", () => {
    const s = storeInputs.parse({ name: "k", type: "KAFKA", uris: "b:9092", kafka: { saslHashFunction: "PLAIN", tlsCaCertFile: "/ca.pem" }, credentials: { username: "u", password: "p" } });
    const { props, attachments } = storeProps(s, () => Buffer.from("PEM"));
    expect(props).to.include({ uris: "b:9092", "kafka.sasl.username": "u", "kafka.sasl.password": "p", "tls.ca_cert_file": "@cacert" });
    expect(props["kafka.sasl.hash_function"]).to.deep.equal({ word: "PLAIN" });
    expect(attachments).to.deep.equal([{ name: "@cacert", content: Buffer.from("PEM") }]);
    const n = storeInputs.parse({ name: "k", type: "KAFKA", uris: "b:9092,c:9092", kafka: { saslHashFunction: "NONE", tlsCaCertFile: "/ca.pem" } });
    const u = storeUpdateProps(s, n, () => Buffer.from("PEM"));
    expect(u.props).to.deep.equal({ uris: "b:9092,c:9092", "kafka.sasl.hash_function": { word: "NONE" }, "kafka.sasl.username": null, "kafka.sasl.password": null });
    expect(u.attachments).to.deep.equal([]);
    expect(storeInputs.safeParse({ name: "k", type: "SNOWFLAKE", uris: "https://x" }).success).to.equal(false);
  });

  it("Snowflake sends its key file as '@keyfile'; Kinesis and Databricks take their keys from credentials; credentials are checked against the type", () => {
    const sf = storeInputs.parse({
      name: "sf",
      type: "SNOWFLAKE",
      uris: "https://acme.snowflakecomputing.com",
      snowflake: { accountId: "acme", cloudRegion: "AWS us-east-1", warehouseName: "wh", roleName: "r", username: "u", clientKeyFile: "/k.pem" },
      credentials: { clientKeyPassphrase: "pass-phrase" },
    });
    const p = storeProps(sf, () => Buffer.from("KEY"));
    expect(p.props).to.include({ "snowflake.client.key_file": "@keyfile", "snowflake.client.key_passphrase": "pass-phrase", "snowflake.account_id": "acme" });
    expect(p.attachments).to.deep.equal([{ name: "@keyfile", content: Buffer.from("KEY") }]);
    const kin = storeInputs.parse({ name: "k", type: "KINESIS", uris: "https://kinesis.us-east-1.amazonaws.com", kinesis: { accountId: "123" }, credentials: { accessKeyId: "AK", secretAccessKey: "SK" } });
    expect(storeProps(kin).props).to.include({ "kinesis.account.id": "123", "kinesis.access_key_id": "AK", "kinesis.secret_access_key": "SK" });
    const db = storeInputs.parse({ name: "d", type: "DATABRICKS", uris: "https://x.cloud.databricks.com", databricks: { warehouseId: "w", s3Bucket: "b", cloudRegion: "us-east-1" }, credentials: { appToken: "t", accessKeyId: "AK", secretAccessKey: "SK" } });
    expect(storeProps(db).props).to.include({ "databricks.app_token": "t", "databricks.warehouse_port": 443, "aws.secret_access_key": "SK" });
    const wrong = storeInputs.safeParse({ name: "k", type: "KINESIS", uris: "x", credentials: { password: "p" } });
    expect(JSON.stringify(wrong.error?.issues)).to.include("is not a credential of a KINESIS store");
  });

  it("a relation from columns renders one CREATE with quoted names; a relation's sql must be a CREATE of its type", () => {
    const r = relationInputs.parse({ database: "db", name: "clicks", type: "changelog", store: "k", columns: [{ name: "id", type: "bigint", nullable: false }, { name: "n", type: "INTEGER" }], primaryKey: ["id"] });
    expect(render(createStatement(r), DELTASTREAM)).to.equal(
      `CREATE CHANGELOG "db"."public"."clicks" ("id" BIGINT NOT NULL, "n" INTEGER, PRIMARY KEY ("id")) WITH ('topic' = 'clicks', 'value.format' = 'json', 'store' = 'k')`,
    );
    const bad = relationInputs.safeParse({ database: "db", name: "x", type: "stream", sql: "CREATE TABLE x (a VARCHAR)" });
    expect(bad.success).to.equal(false);
    expect(JSON.stringify(bad.error?.issues)).to.include("creates a table, but type is stream");
    expect(relationInputs.safeParse({ database: "db", name: "x", type: "stream", sql: "CREATE STREAM x (a VARCHAR); DROP DATABASE db" }).success).to.equal(false);
  });

  it("a query must be one INSERT INTO … SELECT or CREATE … AS SELECT; an application renders one block", () => {
    expect(queryInputs.safeParse({ sql: "INSERT INTO a SELECT * FROM b" }).success).to.equal(true);
    expect(queryInputs.safeParse({ sql: "CREATE STREAM a AS SELECT * FROM b" }).success).to.equal(true);
    expect(queryInputs.safeParse({ sql: "SELECT * FROM b" }).success).to.equal(false);
    expect(queryInputs.safeParse({ sql: "INSERT INTO a SELECT * FROM b; TERMINATE QUERY x" }).success).to.equal(false);
    const a = applicationInputs.parse({ name: "app", statements: ["INSERT INTO a SELECT * FROM b;", "INSERT INTO c SELECT * FROM b"] });
    expect(render(applicationStatement(a), DELTASTREAM)).to.equal('BEGIN APPLICATION "app"\nINSERT INTO a SELECT * FROM b;\nINSERT INTO c SELECT * FROM b;\nEND APPLICATION');
  });
});
