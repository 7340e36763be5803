/** The one SQL tokenizer: strings, quoted identifiers, dollar quotes, comments, statements. */
import { expect } from "chai";
import { significant, singleStatement, splitStatements, tokenize } from "../../provider/sql/tokenizer";
import { checkQuery } from "../../provider/sql/builder";
import { CLICKHOUSE, DUCKDB, POSTGRES } from "../../provider/sql/dialect";

const kinds = (sql: string, lex = DUCKDB.lex) => significant(tokenize(sql, lex)).map((t) => `${t.kind}:${t.text}`);

describe("SQL tokenizer", () => {
  it("reads strings with doubled quotes and keeps ; inside them", () => {
    expect(kinds("SELECT 'a;b''c' AS x;")).to.deep.equal(["word:SELECT", "string:'a;b''c'", "word:AS", "word:x", "semicolon:;"]);
    expect(tokenize("'it''s'", DUCKDB.lex)[0].value).to.equal("it's");
  });

  it("reads quoted identifiers, and backticks and backslash escapes for ClickHouse only", () => {
    expect(kinds('SELECT "a;""b"')).to.deep.equal(["word:SELECT", 'quoted:"a;""b"']);
    expect(tokenize('"a;""b"', DUCKDB.lex)[0].value).to.equal('a;"b');
    expect(kinds("SELECT `a;b`, 'x\\';y'", CLICKHOUSE.lex)).to.deep.equal(["word:SELECT", "quoted:`a;b`", "punct:,", "string:'x\\';y'"]);
    expect(tokenize("'x\\';y'", CLICKHOUSE.lex)[0].value).to.equal("x';y");
    // Without backslash escapes (DuckDB), \' ends the string: the rest is more SQL.
    expect(splitStatements("SELECT 'x\\'; SELECT 1", DUCKDB.lex)).to.have.length(2);
    expect(splitStatements("SELECT 'x\\'; SELECT 1'", CLICKHOUSE.lex)).to.have.length(1);
  });

  it("reads $tag$ dollar quotes (PostgreSQL) with ; and quotes inside", () => {
    const s = "SELECT $fn$ a; 'b' $$ c $fn$, $$;$$";
    expect(kinds(s, POSTGRES.lex)).to.deep.equal(["word:SELECT", "string:$fn$ a; 'b' $$ c $fn$", "punct:,", "string:$$;$$"]);
    expect(splitStatements(s, POSTGRES.lex)).to.have.length(1);
  });

  it("reads -- and /* */ comments (nested where the dialect nests them)", () => {
    expect(tokenize("SELECT 1 -- x; y\n", DUCKDB.lex).filter((t) => t.kind === "comment").map((t) => t.text)).to.deep.equal(["-- x; y"]);
    expect(splitStatements("SELECT /* ; /* ; */ ; */ 1", POSTGRES.lex).map((s) => s.text)).to.deep.equal(["SELECT /* ; /* ; */ ; */ 1"]);
    expect(() => tokenize("SELECT /* open", DUCKDB.lex)).to.throw(/unterminated \/\* comment/);
    expect(() => tokenize("SELECT 'open", DUCKDB.lex)).to.throw(/unterminated string/);
    expect(() => tokenize('SELECT "open', DUCKDB.lex)).to.throw(/unterminated quoted identifier/);
  });

  it("splits statements on semicolons outside strings, identifiers and comments", () => {
    const parts = splitStatements("SELECT ';'; -- c;\n SELECT \"x;\" ; ; /* ; */", DUCKDB.lex).map((s) => s.text);
    expect(parts).to.deep.equal(["SELECT ';'", 'SELECT "x;"']);
  });

  it("singleStatement: one statement without its trailing semicolon and comments, or how many there are", () => {
    expect(singleStatement("  SELECT 1 ; -- done\n", DUCKDB.lex).text).to.equal("SELECT 1");
    expect(singleStatement("/* head */ SELECT 1 /* tail */", DUCKDB.lex).text).to.equal("SELECT 1");
    expect(singleStatement("SELECT 1 -- the end", DUCKDB.lex).text).to.equal("SELECT 1");
    expect(() => singleStatement("SELECT 1 AS one; DROP TABLE lakehouse.main.canary", DUCKDB.lex)).to.throw("must be exactly one statement; found 2");
    expect(() => singleStatement(" ; -- nothing", DUCKDB.lex)).to.throw("must be exactly one statement; found 0");
  });

  it("view checks: exactly one SELECT (or WITH … SELECT)", () => {
    expect(checkQuery("SELECT 1 AS one -- comment", DUCKDB)).to.deep.equal({ ok: true, text: "SELECT 1 AS one" });
    expect(checkQuery("WITH a AS (SELECT 1) SELECT * FROM a;", DUCKDB)).to.deep.equal({ ok: true, text: "WITH a AS (SELECT 1) SELECT * FROM a" });
    expect(checkQuery("SELECT 1 AS one; DROP TABLE x", DUCKDB)).to.deep.equal({ ok: false, error: "must be exactly one statement; found 2" });
    expect(checkQuery("DELETE FROM x", DUCKDB)).to.deep.include({ ok: false, error: "must be a SELECT (or WITH … SELECT) query; it starts with DELETE" });
    expect(checkQuery("WITH d AS (DELETE FROM x RETURNING *) SELECT * FROM d", POSTGRES).ok).to.equal(false);
    expect(checkQuery("SELECT 'unterminated", DUCKDB)).to.deep.include({ ok: false });
  });
});
