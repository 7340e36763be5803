/** The statement builder: placeholders only, quoting per dialect. */
import { expect } from "chai";
import { defaultExpr, ident, list, literal, name, query, raw, render, sql, transaction, type } from "../../provider/sql/builder";
import { CLICKHOUSE, DELTASTREAM, DUCKDB, POSTGRES } from "../../provider/sql/dialect";

describe("SQL builder", () => {
  it("refuses to interpolate anything that is not a placeholder", () => {
    const table = "t; DROP TABLE x";
    expect(() => sql`SELECT * FROM ${table as unknown as ReturnType<typeof ident>}`).to.throw(/value 1 \(the string "t; DROP TABLE x"\) is not a placeholder/);
    expect(() => sql`SELECT ${42 as never}`).to.throw(/not a placeholder/);
    expect(() => sql`SELECT ${undefined as never}`).to.throw(/not a placeholder/);
    expect(() => list(["a" as never])).to.throw(/item 1/);
    expect(() => raw("x", "")).to.throw(/reason/);
  });

  it("refuses to be used as a string (no concatenation around the builder)", () => {
    const s = sql`SELECT 1`;
    expect(() => `${s}`).to.throw(/render it with render\(dialect\)/);
    expect(() => String(s)).to.throw(/render/);
  });

  it("quotes identifiers and literals per dialect: \" ' ` and unicode", () => {
    const s = sql`SELECT ${ident('we"ird')}, ${literal("it's")}, ${ident("a`b")}, ${literal("zürich ✓")}, ${ident("naïve")} FROM ${name("cat", "sch", "tab")}`;
    expect(render(s, DUCKDB)).to.equal(`SELECT "we""ird", 'it''s', "a\`b", 'zürich ✓', "naïve" FROM "cat"."sch"."tab"`);
    expect(render(s, POSTGRES)).to.equal(render(s, DUCKDB));
    expect(render(s, DELTASTREAM)).to.equal(render(s, DUCKDB));
    expect(render(s, CLICKHOUSE)).to.equal("SELECT `we\"ird`, 'it\\'s', `a\\`b`, 'zürich ✓', `naïve` FROM `cat`.`sch`.`tab`");
    expect(render(sql`SELECT ${literal("a\\b'")}`, CLICKHOUSE)).to.equal("SELECT 'a\\\\b\\''");
    expect(render(sql`SELECT ${literal("a\\b'")}`, POSTGRES)).to.equal("SELECT E'a\\\\b'''");
    expect(render(sql`SELECT ${literal("a\\b'")}`, DUCKDB)).to.equal("SELECT 'a\\b'''");
  });

  it("renders numbers, booleans, null and bigints; refuses NaN and NUL", () => {
    expect(render(sql`SELECT ${literal(1.5)}, ${literal(true)}, ${literal(null)}, ${literal(12345678901234567890n)}`, DUCKDB)).to.equal("SELECT 1.5, TRUE, NULL, 12345678901234567890");
    expect(() => render(sql`SELECT ${literal(NaN)}`, DUCKDB)).to.throw(/finite/);
    expect(() => render(sql`SELECT ${ident("a\0b")}`, DUCKDB)).to.throw(/NUL/);
    expect(() => literal({} as never)).to.throw(/not a literal/);
  });

  it("qualified names from an object, lists and nested fragments", () => {
    const ref = { catalog: "lakehouse", schema: "main", name: "users" };
    const cols = list([ident("a"), ident("b")]);
    const s = sql`INSERT INTO ${name(ref)} (${cols}) ${sql`VALUES (${list([literal(1), literal("x")])})`}`;
    expect(render(s, DUCKDB)).to.equal(`INSERT INTO "lakehouse"."main"."users" ("a", "b") VALUES (1, 'x')`);
    expect(render(sql`SELECT 1 FROM ${name({ database: "db", table: "t" })}`, CLICKHOUSE)).to.equal("SELECT 1 FROM `db`.`t`");
  });

  it("parses types and defaults when rendering, refusing injections", () => {
    const add = (t: string, d?: string) => sql`ALTER TABLE ${name("t")} ADD COLUMN ${ident("c")} ${type(t)}${d ? sql` DEFAULT ${defaultExpr(d)}` : sql``}`;
    expect(render(add("int", "now()"), DUCKDB)).to.equal(`ALTER TABLE "t" ADD COLUMN "c" INTEGER DEFAULT now()`);
    expect(() => render(add("INTEGER); DROP TABLE lakehouse.main.canary; --"), DUCKDB)).to.throw(/is not a DuckDB type/);
    expect(() => render(add("INTEGER", "0; DROP TABLE x"), DUCKDB)).to.throw(/one expression/);
    expect(render(sql`${type("String", true)}`, CLICKHOUSE)).to.equal("Nullable(String)");
    expect(render(sql`${type("LowCardinality(String)", true)}`, CLICKHOUSE)).to.equal("LowCardinality(Nullable(String))");
    expect(() => render(sql`${type("Decimal(1,2)); DROP TABLE x; --")}`, CLICKHOUSE)).to.throw(/not a ClickHouse type/);
  });

  it("takes a user's query as exactly one SELECT, without its trailing comment", () => {
    const v = (q: string) => render(sql`CREATE VIEW ${ident("v")} AS ${query(q)}`, DUCKDB);
    expect(v("SELECT 1 AS one; -- trailing\n")).to.equal(`CREATE VIEW "v" AS SELECT 1 AS one`);
    expect(v("SELECT 1 -- a\n + 1")).to.equal(`CREATE VIEW "v" AS SELECT 1 -- a\n + 1`);
    expect(() => v("SELECT 1 AS one; DROP TABLE lakehouse.main.canary")).to.throw(/exactly one statement; found 2/);
    expect(() => v("DROP TABLE x")).to.throw(/must be a SELECT \(or WITH … SELECT\) query/);
  });

  it("wraps statements in one transaction", () => {
    const t = transaction([sql`CREATE OR REPLACE VIEW ${ident("v")} AS ${query("SELECT 1 -- c")}`, sql`COMMENT ON VIEW ${ident("v")} IS ${literal(null)}`]);
    const text = render(t, DUCKDB);
    expect(text).to.equal(`BEGIN TRANSACTION;\nCREATE OR REPLACE VIEW "v" AS SELECT 1;\nCOMMENT ON VIEW "v" IS NULL;\nCOMMIT`);
    expect(DUCKDB.classify(text).idempotent).to.equal(true);
  });
});
