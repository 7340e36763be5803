/** `pulumi-warehouse export`'s program generator (cli/export.ts): filters, references, secrets as config placeholders. */
import { expect } from "chai";
import { z } from "zod";
import { globMatcher, matches, readEstate, renderProgram, literal } from "../../cli/export";
import { defineResource } from "../../provider/framework/spec";
import type { VendorDefinition } from "../../provider/framework/vendor";

const db = defineResource({
  vendor: "fake",
  kind: "Db",
  description: "d",
  inputs: z.object({ name: z.string().describe("n") }),
  replaceOn: ["name"],
  outputs: {},
  create: async () => ({ id: "x" }),
  read: async () => undefined,
  observe: (raw: { name: string }) => ({ name: raw.name }),
  delete: async () => undefined,
  exporter: { list: async () => [{ id: "sales", name: "sales", database: "sales", raw: { name: "sales" } }, { id: "tmp", name: "tmp", database: "tmp", raw: { name: "tmp" } }] },
});
const conn = defineResource({
  vendor: "fake",
  kind: "Conn",
  description: "c",
  inputs: z.object({ db: z.string().describe("d"), name: z.string().describe("n"), password: z.string().describe("p"), opts: z.object({ "a-b": z.number().describe("x") }).optional().describe("o") }),
  replaceOn: [],
  secretInputs: ["password"],
  outputs: {},
  create: async () => ({ id: "x" }),
  read: async () => undefined,
  observe: (raw: { db: string; name: string }) => ({ db: raw.db, name: raw.name, password: "masked-by-vendor", opts: { "a-b": 1 }, notAnInput: 5 }) as any,
  delete: async () => undefined,
  exporter: {
    list: async () => [
      { id: "sales/ingest", name: "ingest", database: "sales", raw: { db: "sales", name: "ingest" } },
      { id: "other/x", name: "x", database: "other", raw: { db: "other", name: "x" } },
    ],
    references: [{ field: "db", kind: "Db", match: { name: "db" }, output: "name" }],
  },
});
// Listed dependents first: the generator must still declare the referenced kind first.
const vendor = { name: "fake", title: "Fake", settings: {}, createApi: () => ({}), specs: [conn, db] } as unknown as VendorDefinition;

describe("gitops: export program generator", () => {
  it("glob filters: * and ?, comma-separated alternatives, whole-name match; a missing field never matches", () => {
    expect(globMatcher("sa*")("sales")).to.equal(true);
    expect(globMatcher("sa*")("xsales")).to.equal(false);
    expect(globMatcher("t?p,other")("tmp")).to.equal(true);
    expect(globMatcher("t?p,other")("other")).to.equal(true);
    expect(globMatcher("a.b")("axb"), "a dot is literal").to.equal(false);
    expect(globMatcher(undefined)(undefined)).to.equal(true);
    expect(matches({ name: "etl" }, { database: "*" }), "no database, a database filter").to.equal(false);
  });

  it("declares each object with adopt: true, references an exported dependency, never writes a secret value", async () => {
    const estate = await readEstate(vendor, {}, {});
    expect(estate.map((r) => `${r.kind} ${r.name}`)).to.deep.equal(["Db sales", "Db tmp", "Conn sales/ingest", "Conn other/x"]);
    expect(estate[2].inputs, "only inputs are exported").not.to.have.property("notAnInput");
    const { text, secretConfig } = renderProgram(estate, ["header"]);
    expect(text).to.contain("// header").and.contain('import { fake } from "pulumi-warehouse";');
    expect(text).to.contain('export const db_sales = new fake.Db("sales", {\n  adopt: true,\n  name: "sales",\n});');
    expect(text).to.contain("  db: db_sales.name,");
    expect(text, "a dependency not exported stays a literal").to.contain('  db: "other",');
    expect(text).not.to.contain("masked-by-vendor");
    expect(text).to.contain('password: config.requireSecret("sales-ingest-password")').and.contain("const config = new pulumi.Config();");
    expect(secretConfig.map((s) => s.key)).to.deep.equal(["sales-ingest-password", "other-x-password"]);
    expect(text, "non-identifier keys are quoted").to.contain('"a-b": 1');
    expect(text.indexOf("db_sales =")).to.be.lessThan(text.indexOf("conn_sales_ingest ="));
  });

  it("filters by database and name", async () => {
    const estate = await readEstate(vendor, {}, { database: "sales", name: "ingest,sales" });
    expect(estate.map((r) => r.id)).to.deep.equal(["sales", "sales/ingest"]);
    const kinds = await readEstate(vendor, {}, { kinds: ["db"] });
    expect(kinds.map((r) => r.id)).to.deep.equal(["sales", "tmp"]);
  });

  it("a reference may match another object's non-secret computed output, and a field may reference one of several kinds", async () => {
    const base = { vendor: "fake", description: "k", replaceOn: [], outputs: {}, create: async () => ({ id: "x" }), read: async () => undefined, delete: async () => undefined };
    const key = defineResource({
      ...base,
      kind: "Key",
      inputs: z.object({ name: z.string().describe("n") }),
      secretOutputs: ["token"],
      observe: (raw: { name: string; role: string; token: string }) => ({ name: raw.name }),
      computed: (raw: { name: string; role: string; token: string }) => ({ role: raw.role, token: raw.token }),
      exporter: { list: async () => [{ id: "k1", name: "k1", raw: { name: "k1", role: "role_k1", token: "tok_secret" } }] },
    });
    const view = defineResource({
      ...base,
      kind: "View",
      inputs: z.object({ name: z.string().describe("n") }),
      observe: (raw: { name: string }) => raw,
      exporter: { list: async () => [{ id: "v1", name: "v1", raw: { name: "v1" } }] },
    });
    const grant = defineResource({
      ...base,
      kind: "Grant",
      inputs: z.object({ table: z.string().describe("t"), role: z.string().describe("r") }),
      observe: (raw: { table: string; role: string }) => raw,
      exporter: {
        list: async () => [
          { id: "g1", name: "g1", raw: { table: "v1", role: "role_k1" } },
          { id: "g2", name: "g2", raw: { table: "other", role: "tok_secret" } },
        ],
        references: [
          { field: "table", kind: "Db", match: { name: "table" }, output: "name" },
          { field: "table", kind: "View", match: { name: "table" }, output: "name" },
          { field: "role", kind: "Key", match: { role: "role" }, output: "role" },
          { field: "role", kind: "Key", match: { token: "role" }, output: "token" },
        ],
      },
    });
    const v = { name: "fake", title: "Fake", settings: {}, createApi: () => ({}), specs: [grant, key, view, db] } as unknown as VendorDefinition;
    const estate = await readEstate(v, {}, {});
    expect(estate.find((r) => r.kind === "Key")?.outputs, "a secret output is never kept").to.deep.equal({ role: "role_k1" });
    const { text } = renderProgram(estate);
    expect(text).to.contain("  table: view_v1.name,\n  role: key_k1.role,");
    expect(text, "no match on a secret output").to.contain('  table: "other",\n  role: "tok_secret",');
  });

  it("literals are valid TypeScript for nested values", () => {
    const v = { a: [1, "x"], b: [{ c: null }], "d e": {} };
    // eslint-disable-next-line no-new-func
    expect(new Function(`return ${literal(v)};`)()).to.deep.equal(v);
  });
});
