/** Type systems parsed by a grammar: canonical spellings, server spellings, errors for injections and typos. */
import { expect } from "chai";
import { DUCKDB_TYPES } from "../../provider/sql/types/duckdb";
import { CLICKHOUSE_TYPES } from "../../provider/sql/types/clickhouse";
import { POSTGRES_TYPES } from "../../provider/sql/types/postgres";
import { TypeSystem } from "../../provider/framework/columns";

const INJECTIONS = [
  "INTEGER); DROP TABLE lakehouse.main.canary; --",
  "Decimal(1,2)); DROP TABLE db.canary; --",
  "INTEGER -- comment",
  "INTEGER /* x */",
  "INTEGER DEFAULT 1",
  "VARCHAR, evil INTEGER",
  "INTEGER)",
  "",
];

function canon(types: TypeSystem, raw: string): string {
  const p = types.parse(raw);
  if (!p.ok) throw new Error(`${raw}: ${p.error}`);
  return p.nullable ? `${p.type}?` : p.type;
}

function refused(types: TypeSystem, raw: string): string {
  const p = types.parse(raw);
  expect(p.ok, `${types.name} should refuse ${JSON.stringify(raw)}`).to.equal(false);
  return (p as { error: string }).error;
}

describe("DuckDB types", () => {
  it("canonical spellings are DuckDB's own (aliases, parameters, nesting)", () => {
    const cases: [string, string][] = [
      ["int", "INTEGER"], ["INT4", "INTEGER"], ["integer", "INTEGER"], ["int8", "BIGINT"], ["long", "BIGINT"], ["smallint", "SMALLINT"],
      ["text", "VARCHAR"], ["varchar(255)", "VARCHAR"], ["string", "VARCHAR"], ["bool", "BOOLEAN"], ["float8", "DOUBLE"], ["real", "FLOAT"],
      ["numeric", "DECIMAL(18,3)"], ["decimal(10)", "DECIMAL(10,0)"], ["DECIMAL( 18 , 2 )", "DECIMAL(18,2)"],
      ["timestamptz", "TIMESTAMP WITH TIME ZONE"], ["timestamp with time zone", "TIMESTAMP WITH TIME ZONE"], ["datetime", "TIMESTAMP"],
      ["int[]", "INTEGER[]"], ["varchar[][]", "VARCHAR[][]"], ["INTEGER[3]", "INTEGER[3]"],
      ["struct(a int, b varchar[])", "STRUCT(a INTEGER, b VARCHAR[])"], ['STRUCT("my field" INT)', 'STRUCT("my field" INTEGER)'],
      ["map(varchar, int)", "MAP(VARCHAR, INTEGER)"], ["union(n int, s text)", "UNION(n INTEGER, s VARCHAR)"],
      ["enum('a', 'b''c')", "ENUM('a', 'b''c')"], ["json", "JSON"], ["uuid", "UUID"], ["blob", "BLOB"],
    ];
    for (const [raw, want] of cases) expect(canon(DUCKDB_TYPES, raw), raw).to.equal(want);
  });

  it("reads DuckDB's server spellings back unchanged", () => {
    for (const t of ["INTEGER", "BIGINT", "VARCHAR", "DOUBLE", "DECIMAL(18,3)", "TIMESTAMP WITH TIME ZONE", "INTEGER[]", "STRUCT(a INTEGER, b VARCHAR)", "MAP(VARCHAR, INTEGER)"]) {
      expect(canon(DUCKDB_TYPES, t)).to.equal(t);
    }
  });

  it("refuses typos, bad parameters and injections with the problem named", () => {
    expect(refused(DUCKDB_TYPES, "BIGINTT")).to.equal("unknown type name BIGINTT");
    expect(refused(DUCKDB_TYPES, "DECIMAL(40,2)")).to.contain("precision must be between 1 and 38");
    expect(refused(DUCKDB_TYPES, "DECIMAL(5,6)")).to.contain("scale must be between 0 and the precision 5");
    expect(refused(DUCKDB_TYPES, "VARCHAR(0)")).to.contain("positive length");
    expect(refused(DUCKDB_TYPES, "ENUM('a','a')")).to.contain("repeated");
    expect(refused(DUCKDB_TYPES, "INTEGER); DROP TABLE lakehouse.main.canary; --")).to.contain('must not contain ";"');
    for (const raw of INJECTIONS) refused(DUCKDB_TYPES, raw);
  });

  it("widening: integers, floats, decimals, dates, strings", () => {
    const w = DUCKDB_TYPES.isWidening;
    expect(w("INTEGER", "BIGINT")).to.equal(true);
    expect(w("BIGINT", "INTEGER")).to.equal(false);
    expect(w("UINTEGER", "BIGINT")).to.equal(true);
    expect(w("UINTEGER", "INTEGER")).to.equal(false);
    expect(w("INTEGER", "DOUBLE")).to.equal(true);
    expect(w("BIGINT", "DOUBLE")).to.equal(false);
    expect(w("DECIMAL(10,2)", "DECIMAL(12,2)")).to.equal(true);
    expect(w("DECIMAL(10,2)", "DECIMAL(10,4)")).to.equal(false);
    expect(w("INTEGER", "DECIMAL(12,2)")).to.equal(true);
    expect(w("DATE", "TIMESTAMP")).to.equal(true);
    expect(w("INTEGER", "VARCHAR")).to.equal(true);
    expect(w("VARCHAR", "INTEGER")).to.equal(false);
  });
});

describe("ClickHouse types", () => {
  it("canonical spellings carry nullability apart", () => {
    const cases: [string, string][] = [
      ["String", "String"], ["string", "String"], ["int", "Int32"], ["INTEGER", "Int32"], ["bigint", "Int64"], ["UInt8", "UInt8"], ["Float64", "Float64"], ["double", "Float64"],
      ["Nullable(String)", "String?"], ["Nullable(int)", "Int32?"], ["LowCardinality(String)", "LowCardinality(String)"], ["LowCardinality(Nullable(String))", "LowCardinality(String)?"],
      ["decimal(18, 2)", "Decimal(18,2)"], ["Decimal(10)", "Decimal(10,0)"], ["Decimal32(4)", "Decimal(9,4)"], ["Decimal128(2)", "Decimal(38,2)"],
      ["DateTime", "DateTime"], ["DateTime('UTC')", "DateTime('UTC')"], ["DateTime64(3)", "DateTime64(3)"], ["DateTime64(3, 'Asia/Shanghai')", "DateTime64(3,'Asia/Shanghai')"],
      ["FixedString(16)", "FixedString(16)"], ["Array(Nullable(Int32))", "Array(Nullable(Int32))"], ["Array(LowCardinality(Nullable(String)))", "Array(LowCardinality(Nullable(String)))"],
      ["Map(String, UInt64)", "Map(String,UInt64)"], ["Tuple(String, Int32)", "Tuple(String,Int32)"], ["Tuple(a String, b Nullable(Int32))", "Tuple(a String,b Nullable(Int32))"], ["Nested(id UInt32, tag String)", "Nested(id UInt32,tag String)"],
      ["Enum8('a' = 1, 'b' = 2)", "Enum8('a' = 1, 'b' = 2)"], ["Enum('x' = -5)", "Enum8('x' = -5)"], ["Enum16('big' = 1000)", "Enum16('big' = 1000)"],
      ["IPv4", "IPv4"], ["UUID", "UUID"], ["Bool", "Bool"], ["Date32", "Date32"], ["varchar(255)", "String"],
    ];
    for (const [raw, want] of cases) expect(canon(CLICKHOUSE_TYPES, raw), raw).to.equal(want);
    expect(CLICKHOUSE_TYPES.canonical("Nullable(String)")).to.deep.equal({ type: "String", nullable: true });
    // Strings inside types are written back with ClickHouse's backslash escapes.
    expect(canon(CLICKHOUSE_TYPES, "Enum8('it\\'s' = 1, 'a\\\\' = 2)")).to.equal("Enum8('it\\'s' = 1, 'a\\\\' = 2)");
    expect(canon(CLICKHOUSE_TYPES, "Enum8('it''s' = 1)")).to.equal("Enum8('it\\'s' = 1)");
  });

  it("refuses Int33, bad nesting, out-of-range parameters and injections", () => {
    expect(refused(CLICKHOUSE_TYPES, "Int33")).to.equal("Int33 is not a ClickHouse type (no Int of 33 bits)");
    expect(refused(CLICKHOUSE_TYPES, "UInt7")).to.contain("not a ClickHouse type");
    expect(refused(CLICKHOUSE_TYPES, "Strng")).to.equal("unknown type name Strng");
    expect(refused(CLICKHOUSE_TYPES, "Nullable(Array(String))")).to.contain("Nullable cannot hold Array(String)");
    expect(refused(CLICKHOUSE_TYPES, "Nullable(Nullable(String))")).to.contain("Nullable(Nullable(T))");
    expect(refused(CLICKHOUSE_TYPES, "Nullable(LowCardinality(String))")).to.contain("LowCardinality(Nullable(T))");
    expect(refused(CLICKHOUSE_TYPES, "Decimal(77,2)")).to.contain("between 1 and 76");
    expect(refused(CLICKHOUSE_TYPES, "DateTime64(10)")).to.contain("between 0 and 9");
    expect(refused(CLICKHOUSE_TYPES, "Enum8('a' = 300)")).to.contain("-128 and 127");
    expect(refused(CLICKHOUSE_TYPES, "Map(Nullable(String), Int32)")).to.contain("Map key");
    expect(refused(CLICKHOUSE_TYPES, "Map(String)")).to.contain("key type and a value type");
    expect(refused(CLICKHOUSE_TYPES, "String[]")).to.contain("Array(T)");
    expect(refused(CLICKHOUSE_TYPES, "Decimal(1,2)); DROP TABLE db.canary; --")).to.contain('must not contain ";"');
    for (const raw of INJECTIONS) refused(CLICKHOUSE_TYPES, raw);
  });

  it("widening: integers, floats, decimals, dates, LowCardinality", () => {
    const w = CLICKHOUSE_TYPES.isWidening;
    expect(w("Int32", "Int64")).to.equal(true);
    expect(w("UInt32", "Int64")).to.equal(true);
    expect(w("UInt32", "Int32")).to.equal(false);
    expect(w("Int64", "Float64")).to.equal(false);
    expect(w("Int32", "Float64")).to.equal(true);
    expect(w("Decimal(10,2)", "Decimal(12,2)")).to.equal(true);
    expect(w("Date", "DateTime64(3)")).to.equal(true);
    expect(w("LowCardinality(String)", "String")).to.equal(true);
    expect(w("LowCardinality(Int32)", "Int64")).to.equal(true);
    expect(w("String", "Int64")).to.equal(false);
  });
});

describe("PostgreSQL types", () => {
  it("canonical spellings are format_type's", () => {
    const cases: [string, string][] = [
      ["int4", "integer"], ["int", "integer"], ["INTEGER", "integer"], ["int2", "smallint"], ["int8", "bigint"], ["serial", "integer"],
      ["float8", "double precision"], ["real", "real"], ["numeric(10, 2)", "numeric(10,2)"], ["decimal(5)", "numeric(5,0)"], ["numeric", "numeric"],
      ["varchar(20)", "character varying(20)"], ["character varying", "character varying"], ["text", "text"], ["bool", "boolean"],
      ["timestamptz", "timestamp with time zone"], ["timestamp", "timestamp without time zone"], ["timestamp(3) with time zone", "timestamp(3) with time zone"],
      ["int4[]", "integer[]"], ["text[3]", "text[]"], ["jsonb", "jsonb"], ["uuid", "uuid"],
      ["geometry", "geometry"], ["geometry(Point, 4326)", "geometry(Point,4326)"], ["geography(point,4326)", "geography(Point,4326)"], ["geometry(MultiPolygonZ)", "geometry(MultiPolygonZ)"],
    ];
    for (const [raw, want] of cases) expect(canon(POSTGRES_TYPES, raw), raw).to.equal(want);
  });

  it("refuses unknown names, bad parameters and injections", () => {
    expect(refused(POSTGRES_TYPES, "int5")).to.equal("unknown type name int5");
    expect(refused(POSTGRES_TYPES, "numeric(5,6)")).to.contain("scale");
    expect(refused(POSTGRES_TYPES, "geometry(Blob, 4326)")).to.contain("not a geometry subtype");
    expect(refused(POSTGRES_TYPES, "varchar(0)")).to.contain("between 1");
    for (const raw of INJECTIONS) refused(POSTGRES_TYPES, raw);
  });

  it("widening", () => {
    const w = POSTGRES_TYPES.isWidening;
    expect(w("integer", "bigint")).to.equal(true);
    expect(w("bigint", "integer")).to.equal(false);
    expect(w("character varying(10)", "character varying(20)")).to.equal(true);
    expect(w("character varying(20)", "character varying(10)")).to.equal(false);
    expect(w("character varying(20)", "text")).to.equal(true);
    expect(w("numeric(10,2)", "numeric(12,2)")).to.equal(true);
  });
});
