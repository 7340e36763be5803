/** Per-dialect idempotency tables, DEFAULT expressions, and the one engine-error mapper. */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { CLICKHOUSE, DELTASTREAM, DUCKDB, Dialect, POSTGRES } from "../../provider/sql/dialect";
import { kindForSqlState } from "../../provider/sql/errors";
import { parseOpaqueDefault } from "../../provider/sql/defaults";

function idem(d: Dialect, sql: string): boolean {
  return d.classify(sql).idempotent;
}

describe("SQL idempotency tables", () => {
  const common: [string, boolean][] = [
    ["SELECT 1", true],
    ["  -- leading comment\n select * from t", true],
    ["WITH a AS (SELECT 1) SELECT * FROM a", true],
    ["SHOW TABLES", true],
    ["DESCRIBE t", true],
    ["EXPLAIN SELECT 1", true],
    ["DROP TABLE IF EXISTS a.b.c", true],
    ["DROP VIEW IF EXISTS v", true],
    ["DROP TABLE a", false],
    ["CREATE OR REPLACE VIEW v AS SELECT 1", true],
    ["CREATE TABLE IF NOT EXISTS t (a INT)", true],
    ["CREATE SCHEMA IF NOT EXISTS s", true],
    ["CREATE TABLE t (a INT)", false],
    ["CREATE VIEW v AS SELECT 1", false],
    ["COMMENT ON TABLE t IS 'x'", true],
    ["INSERT INTO t VALUES (1)", false],
    ["DELETE FROM t", false],
    ["UPDATE t SET a = 1", false],
    ["TRUNCATE t", true],
    ["GRANT SELECT ON t TO r", true],
    ["BEGIN; CREATE OR REPLACE VIEW v AS SELECT 1; COMMENT ON VIEW v IS NULL; COMMIT", true],
    ["BEGIN TRANSACTION; CREATE TABLE t (a INT); COMMIT", false],
    ["SELECT 1; DELETE FROM t", false],
    ["DROP TABLE \"if\"", false],
  ];
  for (const d of [DUCKDB, POSTGRES, CLICKHOUSE, DELTASTREAM]) {
    it(`${d.name}: reads, IF [NOT] EXISTS, OR REPLACE and COMMENT are idempotent; CREATE, DROP, INSERT, DELETE are not`, () => {
      for (const [sql, want] of common) expect(idem(d, sql), `${d.name}: ${sql}`).to.equal(want);
    });
  }

  it("PostgreSQL family ALTER TABLE: SET/DROP DEFAULT, NOT NULL and TYPE are; ADD/DROP/RENAME COLUMN are not", () => {
    for (const d of [DUCKDB, POSTGRES]) {
      expect(idem(d, `ALTER TABLE "a"."b"."c" ALTER COLUMN "x" SET DEFAULT 1`)).to.equal(true);
      expect(idem(d, "ALTER TABLE t ALTER x DROP DEFAULT")).to.equal(true);
      expect(idem(d, "ALTER TABLE t ALTER COLUMN x SET NOT NULL")).to.equal(true);
      expect(idem(d, "ALTER TABLE t ALTER COLUMN x TYPE BIGINT")).to.equal(true);
      expect(idem(d, "ALTER TABLE t ALTER COLUMN x SET DATA TYPE BIGINT")).to.equal(true);
      expect(idem(d, "ALTER TABLE t ADD COLUMN IF NOT EXISTS x INT")).to.equal(true);
      expect(idem(d, "ALTER TABLE t DROP COLUMN IF EXISTS x")).to.equal(true);
      expect(idem(d, "ALTER TABLE t ADD COLUMN x INT")).to.equal(false);
      expect(idem(d, "ALTER TABLE t DROP COLUMN x")).to.equal(false);
      expect(idem(d, "ALTER TABLE t RENAME COLUMN x TO y")).to.equal(false);
      expect(idem(d, "ALTER TABLE t ALTER x SET NOT NULL, ALTER y DROP DEFAULT")).to.equal(true);
      expect(idem(d, "ALTER TABLE t ALTER x SET NOT NULL, ADD z INT")).to.equal(false);
    }
  });

  it("DuckDB extras: FROM-first reads, PRAGMA, ATTACH IF NOT EXISTS; EXPLAIN ANALYZE is what it runs", () => {
    expect(idem(DUCKDB, "FROM t")).to.equal(true);
    expect(idem(DUCKDB, "PRAGMA table_info('t')")).to.equal(true);
    expect(idem(DUCKDB, "ATTACH IF NOT EXISTS 'x.db' AS x")).to.equal(true);
    expect(idem(DUCKDB, "ATTACH 'x.db' AS x")).to.equal(false);
    expect(idem(DUCKDB, "EXPLAIN ANALYZE SELECT 1")).to.equal(true);
    expect(idem(DUCKDB, "EXPLAIN ANALYZE DELETE FROM t")).to.equal(false);
    expect(idem(POSTGRES, "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d")).to.equal(false);
  });

  it("ClickHouse ALTER: MODIFY and COMMENT COLUMN are; ADD/DROP/DELETE are not", () => {
    expect(idem(CLICKHOUSE, "ALTER TABLE db.t MODIFY COLUMN x Int64")).to.equal(true);
    expect(idem(CLICKHOUSE, "ALTER TABLE `db`.`t` COMMENT COLUMN x 'c'")).to.equal(true);
    expect(idem(CLICKHOUSE, "ALTER TABLE db.t ADD COLUMN IF NOT EXISTS x Int64")).to.equal(true);
    expect(idem(CLICKHOUSE, "ALTER TABLE db.t ADD COLUMN x Int64")).to.equal(false);
    expect(idem(CLICKHOUSE, "ALTER TABLE db.t DELETE WHERE 1")).to.equal(false);
    expect(idem(CLICKHOUSE, "EXISTS TABLE db.t")).to.equal(true);
    expect(idem(CLICKHOUSE, "OPTIMIZE TABLE db.t FINAL")).to.equal(true);
  });

  it("DeltaStream: LIST/PRINT are reads, UPDATE STORE sets properties, TERMINATE is not repeatable", () => {
    expect(idem(DELTASTREAM, "LIST STREAMS")).to.equal(true);
    expect(idem(DELTASTREAM, "UPDATE STORE s WITH ('x' = 1)")).to.equal(true);
    expect(idem(DELTASTREAM, "TERMINATE QUERY q")).to.equal(false);
    expect(idem(DELTASTREAM, "CREATE STREAM s (a INT) WITH ('topic' = 't')")).to.equal(false);
  });

  it("says why", () => {
    expect(DUCKDB.classify("DROP TABLE IF EXISTS t").reasons).to.deep.equal(["DROP … IF EXISTS"]);
    expect(DUCKDB.classify("FROBNICATE t").reasons[0]).to.contain("not known to be repeatable");
    expect(DUCKDB.classify("SELECT 'open")).to.deep.equal({ idempotent: false, reasons: ["does not tokenize (unterminated string starting at character 8): not retried"] });
  });
});

describe("DEFAULT expressions", () => {
  const ok = ["0", "-1.5", "'x'", "TRUE", "NULL", "now()", "current_timestamp", "nextval('seq')", "CAST('1' AS INTEGER)", "1::BIGINT", "1 + 2 * (3 - 1)", "DATE '2020-01-01'", "INTERVAL '1 day'", "[1, 2]", "'a' || 'b'", "gen_random_uuid()", "main.my_fn(1, 'a')"];
  const bad: [string, RegExp][] = [
    ["0); DROP TABLE lakehouse.main.canary; --", /one expression, not statements/],
    ["0 -- comment", /comment/],
    ["(SELECT max(id) FROM t)", /must not contain SELECT/],
    ["other_column", /must not refer to other_column/],
    ['"other_column"', /must not refer to/],
    ["1, 2", /more than one expression/],
    ["(1", /unbalanced/],
    ["1)", /unbalanced/],
    ["1 +", /ends with an operator/],
    ["1::NOPE", /not a DuckDB type/],
    ["CAST(1 AS INTEGER); DROP TABLE x", /not statements/],
    ["1 = 1", /must not contain "="/],
    ["", /empty/],
  ];
  it("accepts literals, constants, calls, casts and arithmetic", () => {
    for (const d of ok) expect(DUCKDB.parseDefault(d), d).to.deep.equal({ ok: true, text: d });
  });
  it("refuses statements, comments, sub-queries, references and unbalanced parentheses", () => {
    for (const [d, re] of bad) {
      const p = DUCKDB.parseDefault(d);
      expect(p.ok, d).to.equal(false);
      expect((p as { error: string }).error, d).to.match(re);
    }
  });
});

describe("ByteHouse defaults (taken as is by the REST API)", () => {
  it("accept any value but a statement separator, a comment or an open quote", () => {
    for (const d of ["defaultValue", "2019-01-01", "0", "'a;b'", "now()"]) expect(parseOpaqueDefault(d, CLICKHOUSE.lex), d).to.deep.equal({ ok: true, text: d });
    expect(parseOpaqueDefault("0); DROP TABLE sales.canary; --", CLICKHOUSE.lex)).to.deep.equal({ ok: false, error: 'must be one value, not statements (found ";")' });
    expect(parseOpaqueDefault("0 -- x", CLICKHOUSE.lex).ok).to.equal(false);
    expect(parseOpaqueDefault("it's", CLICKHOUSE.lex).ok).to.equal(false);
  });
});

describe("engine errors to typed kinds", () => {
  const op = "Altertable POST /query";
  it("DuckDB: missing objects are not_found, existing ones conflict, parser errors validation", () => {
    const e = DUCKDB.error({ message: "Catalog Error: Table with name nope does not exist!\nDid you mean \"x\"?", operation: op });
    expect(e.kind).to.equal("not_found");
    expect(e.name).to.equal("NotFoundError");
    expect(e.message).to.equal(`${op} failed: Catalog Error: Table with name nope does not exist!\nDid you mean "x"?`);
    expect(DUCKDB.error({ message: "Catalog Error: Schema with name s does not exist!", operation: op }).kind).to.equal("not_found");
    expect(DUCKDB.error({ message: 'Catalog Error: Table with name "t" already exists!', operation: op }).kind).to.equal("conflict");
    expect(DUCKDB.error({ message: 'Parser Error: syntax error at or near "SELEC"', operation: op }).kind).to.equal("validation");
    expect(DUCKDB.error({ message: "Binder Error: column nope not found", operation: op }).kind).to.equal("validation");
    expect(DUCKDB.error({ message: "Constraint Error: Duplicate key \"id: 1\" violates primary key constraint", operation: op }).kind).to.equal("conflict");
    expect(DUCKDB.error({ message: "Dependency Error: Cannot drop entry because there are entries that depend on it", operation: op }).kind).to.equal("conflict");
    expect(DUCKDB.error({ message: "Out of Memory Error: failed to allocate", operation: op }).kind).to.equal("server");
  });

  it("ClickHouse: codes by number or name", () => {
    const e = CLICKHOUSE.error({ message: "Code: 60. DB::Exception: Table db.t doesn't exist. (UNKNOWN_TABLE) (version 23.8)", operation: "ByteHouse POST /query" });
    expect([e.kind, e.code]).to.deep.equal(["not_found", "UNKNOWN_TABLE"]);
    expect(CLICKHOUSE.error({ message: "Code: 81. DB::Exception: Database x doesn't exist", operation: "q" }).kind).to.equal("not_found");
    expect(CLICKHOUSE.error({ message: "Code: 57. DB::Exception: Table db.t already exists. (TABLE_ALREADY_EXISTS)", operation: "q" }).kind).to.equal("conflict");
    expect(CLICKHOUSE.error({ message: "Code: 62. DB::Exception: Syntax error: failed at position 1", operation: "q" }).kind).to.equal("validation");
    expect(CLICKHOUSE.error({ message: "whatever", code: "497", operation: "q" })).to.include({ kind: "auth", code: "ACCESS_DENIED" });
  });

  it("PostgreSQL / DeltaStream: SQLSTATE first, kept in code", () => {
    const cases: [string, string][] = [
      ["42P01", "not_found"], ["3D000", "not_found"], ["3F000", "not_found"], ["42P07", "conflict"], ["42710", "conflict"], ["42P04", "conflict"], ["42P06", "conflict"],
      ["42601", "validation"], ["42501", "auth"], ["2BP01", "conflict"], ["53000", "rate_limited"], ["3E001", "server"], ["40001", "server"], ["28P01", "auth"],
    ];
    for (const [code, kind] of cases) {
      const e = POSTGRES.error({ message: "something", code, operation: "CARTO query" });
      expect([e.kind, e.code], code).to.deep.equal([kind, code]);
      expect(DELTASTREAM.error({ message: "x", code, operation: "DeltaStream" }).kind, code).to.equal(kind);
    }
    expect(kindForSqlState("nope")).to.equal(undefined);
    const fromText = DELTASTREAM.error({ message: "relation not found (SQLSTATE 42P01)", operation: "DeltaStream /v2/statements" });
    expect([fromText.kind, fromText.code]).to.deep.equal(["not_found", "42P01"]);
    expect(POSTGRES.error({ message: 'relation "t" does not exist', operation: "q" }).kind).to.equal("not_found");
  });
});

describe("no SQL outside the builder", () => {
  it("provider/ sends no template string holding SQL that is not a sql`…` statement", () => {
    const root = path.resolve(__dirname, "../../../provider");
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (e.name !== "sql") walk(p);
        } else if (e.name.endsWith(".ts")) {
          fs.readFileSync(p, "utf8").split("\n").forEach((line, i) => {
            if (/^\s*(\*|\/\/)/.test(line)) return; // comments
            for (const m of line.matchAll(/(\w*)`([^`]*)`/g)) {
              if (m[1] === "sql") continue;
              if (/^\s*(SELECT|CREATE|ALTER|DROP|DELETE|INSERT|COMMENT|UPDATE|TRUNCATE|WITH)\b/.test(m[2])) offenders.push(`${path.relative(root, p)}:${i + 1}: ${m[0]}`);
            }
          });
        }
      }
    };
    walk(root);
    expect(offenders).to.deep.equal([]);
  });
});
