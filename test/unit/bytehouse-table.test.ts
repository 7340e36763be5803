import { expect } from "chai";
import { canonicalType, isWidening, planColumns } from "../../provider/bytehouse/columns";
import { buildHandlers } from "../../provider/framework/engine";
import { table } from "../../provider/bytehouse/table";
import { apiKey } from "../../provider/bytehouse/apiKey";

const base = [
  { name: "id", type: "Int32" },
  { name: "name", type: "String", comment: "who" },
  { name: "day", type: "Date" },
];

describe("ByteHouse column evolution", () => {
  it("canonicalises type names and nullability", () => {
    expect(canonicalType("int")).to.deep.equal({ type: "Int32", nullable: false });
    expect(canonicalType("Nullable(string)")).to.deep.equal({ type: "String", nullable: true });
    // LowCardinality is kept (the table is created with it); its nullability comes out of the type, and changing it is safe.
    expect(canonicalType("LowCardinality(Nullable(String))")).to.deep.equal({ type: "LowCardinality(String)", nullable: true });
    expect(isWidening("LowCardinality(String)", "String")).to.equal(true);
    expect(isWidening("String", "LowCardinality(String)")).to.equal(true);
    expect(canonicalType("decimal(18, 2)")).to.deep.equal({ type: "Decimal(18,2)", nullable: false });
  });

  it("knows widening from narrowing", () => {
    expect(isWidening("Int32", "Int64")).to.equal(true);
    expect(isWidening("UInt32", "Int64")).to.equal(true);
    expect(isWidening("UInt32", "Int32")).to.equal(false);
    expect(isWidening("Int64", "Int32")).to.equal(false);
    expect(isWidening("Float32", "Float64")).to.equal(true);
    expect(isWidening("Int64", "Float64")).to.equal(false);
    expect(isWidening("Decimal(10,2)", "Decimal(12,2)")).to.equal(true);
    expect(isWidening("Decimal(10,2)", "Decimal(10,4)")).to.equal(false);
    expect(isWidening("String", "Int64")).to.equal(false);
  });

  it("classifies add, comment, widen and nullable as safe, in one patch", () => {
    const plan = planColumns(base, [
      { name: "id", type: "Int64" },
      { name: "name", type: "Nullable(String)", comment: "customer name" },
      { name: "day", type: "Date" },
      { name: "amount", type: "Float64", defaultValue: "0" },
    ]);
    expect(plan.changes.map((c) => [c.kind, c.class])).to.deep.equal([
      ["type", "safe"],
      ["nullable", "safe"],
      ["comment", "safe"],
      ["add", "safe"],
    ]);
    expect(plan.patch).to.deep.equal({
      addColumns: [{ name: "amount", type: "Float64", nullable: false, defaultValue: "0" }],
      modifyColumns: [
        { name: "id", type: "Int64", nullable: false },
        { name: "name", type: "String", nullable: true, comment: "customer name" },
      ],
    });
  });

  it("classifies drop, narrowing and NOT NULL as unsafe, saying what is lost", () => {
    const plan = planColumns(base, [
      { name: "id", type: "Int16" },
      { name: "name", type: "String", comment: "who" },
    ]);
    expect(plan.changes.map((c) => [c.kind, c.class])).to.deep.equal([
      ["type", "unsafe"],
      ["drop", "unsafe"],
    ]);
    expect(plan.changes[1].detail).to.equal("drop column day and all its data");
    expect(plan.patch.dropColumns).to.deep.equal(["day"]);
  });

  it("turns a declared rename into a rename, never a drop plus an add", () => {
    const plan = planColumns(base, [
      { name: "id", type: "Int32" },
      { name: "customer", type: "String", comment: "who", previousName: "name" },
      { name: "day", type: "Date" },
    ]);
    expect(plan.changes).to.have.length(1);
    expect(plan.changes[0]).to.include({ kind: "rename", class: "safe" });
    expect(plan.patch).to.deep.equal({ renameColumns: [{ oldName: "name", newName: "customer" }] });
  });

  it("treats a rename already applied (previousName no longer present) as no change", () => {
    const after = [{ name: "id", type: "Int32" }, { name: "customer", type: "String", comment: "who" }, { name: "day", type: "Date" }];
    expect(planColumns(after, [{ name: "id", type: "Int32" }, { name: "customer", type: "String", comment: "who", previousName: "name" }, { name: "day", type: "Date" }]).changes).to.deep.equal([]);
  });
});

describe("bytehouse.Table preview guards", () => {
  const h = buildHandlers(table, () => undefined, () => undefined);
  const program = { database: "sales", name: "orders", columns: base, orderByKeys: ["id"] };

  async function checked(p: Record<string, unknown>) {
    const r = await h.check({}, p);
    expect(r.failures).to.deep.equal([]);
    return r.inputs;
  }

  it("refuses a column drop at preview unless allowDataLoss is set", async () => {
    const olds = await checked(program);
    const news = { ...program, columns: base.slice(0, 2) };
    const r = await h.check(olds, news);
    expect(r.failures).to.have.length(1);
    expect(r.failures[0].field).to.equal("columns");
    expect(r.failures[0].reason).to.contain("drop column day and all its data").and.contain("allowDataLoss: true").and.contain("previousName");
    expect((await h.check(olds, { ...news, allowDataLoss: true })).failures).to.deep.equal([]);
  });

  it("refuses a key change (replacement) at preview unless allowReplace is set", async () => {
    const olds = await checked(program);
    const r = await h.check(olds, { ...program, orderByKeys: ["day"] });
    expect(r.failures.map((f) => f.field)).to.deep.equal(["orderByKeys"]);
    expect(r.failures[0].reason).to.contain("all of its rows would be lost").and.contain("allowReplace: true");
    expect((await h.check(olds, { ...program, orderByKeys: ["day"], allowReplace: true })).failures).to.deep.equal([]);
  });

  it("adding a column is an in-place update, never a replace", async () => {
    const olds = await checked(program);
    const news = await checked({ ...program, columns: [...base, { name: "note", type: "String" }] });
    expect((await h.check(olds, news)).failures).to.deep.equal([]);
    expect(await h.diff("sales.orders", olds, news)).to.deep.equal({ changes: true, replaces: [], deleteBeforeReplace: false });
  });

  it("validates keys against declared columns and type names at preview", async () => {
    const r = await h.check({}, { ...program, orderByKeys: ["nope"], columns: [...base, { name: "x", type: "???" }] });
    const props = r.failures.map((f) => f.field);
    expect(props).to.include("columns.3.type");
    const r2 = await h.check({}, { ...program, orderByKeys: ["nope"] });
    expect(r2.failures[0]).to.include({ field: "orderByKeys.0" });
    expect(r2.failures[0].reason).to.contain("must name a declared column");
  });

  it("parses types at preview: Int33 and an injected Decimal fail naming the field", async () => {
    for (const [type, want] of [
      ["Int33", "Int33 is not a ClickHouse type (no Int of 33 bits)"],
      ["Decimal(1,2)); DROP TABLE sales.canary; --", 'is not a ClickHouse type: must not contain ";"'],
      ["Nullable(Array(String))", "Nullable cannot hold Array(String)"],
    ]) {
      const r = await h.check({}, { ...program, columns: [...base, { name: "x", type }] });
      expect(r.failures.map((f) => f.field), type).to.deep.equal(["columns.3.type"]);
      expect(r.failures[0].reason).to.contain(`bytehouse.Table columns.3.type: `).and.contain(want);
    }
  });

  it("check writes columns in one canonical spelling: Nullable(T) is T with nullable: true", async () => {
    const r = await h.check({}, { ...program, columns: [{ name: "id", type: "int" }, { name: "n", type: "Nullable(String)" }, { name: "lc", type: "LowCardinality(Nullable(String))" }] });
    expect(r.failures).to.deep.equal([]);
    expect(r.inputs.columns.map((c: { type: string; nullable: boolean }) => [c.type, c.nullable])).to.deep.equal([
      ["Int32", false],
      ["String", true],
      ["LowCardinality(String)", true],
    ]);
  });

  it("declared types and server spellings compare equal (no false drift)", async () => {
    const olds = await checked({ ...program, columns: [{ name: "id", type: "int" }, { name: "n", type: "Nullable(String)" }] });
    const news = { ...olds, columns: [{ name: "id", type: "Int32", nullable: false, comment: "" }, { name: "n", type: "String", nullable: true, comment: "" }] };
    expect((await h.diff("sales.orders", olds, news)).changes).to.equal(false);
  });
});

describe("bytehouse.ApiKey replacement rules", () => {
  let keys = 1;
  const h = buildHandlers(apiKey, () => ({ listApiKeys: async () => Array.from({ length: keys }) }) as any, () => undefined);
  const olds = { comment: "ci", expiryDays: 30, noExpiry: false, enabled: true };

  it("extends a longer expiry in place, replaces for a shorter one", async () => {
    expect(await h.diff("k", olds, { ...olds, expiryDays: 60 })).to.deep.equal({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect((await h.diff("k", olds, { ...olds, expiryDays: 10 })).replaces).to.deep.equal(["expiryDays"]);
  });

  it("creates the new key first while the 2-key limit leaves room, deletes first when it does not", async () => {
    keys = 1;
    expect(await h.diff("k", olds, { ...olds, comment: "new" })).to.deep.equal({ changes: true, replaces: ["comment"], deleteBeforeReplace: false });
    keys = 2;
    expect(await h.diff("k", olds, { ...olds, comment: "new" })).to.deep.equal({ changes: true, replaces: ["comment"], deleteBeforeReplace: true });
  });
});
