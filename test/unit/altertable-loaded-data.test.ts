/** altertable.LoadedData: local file inspection and input rules (no vendor). */
import { expect } from "chai";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { csvHeader, firstJsonKeys, formatBytes, formatFromExtension, hashFile, loadedData, loadedDataInputs, sniffFormat } from "../../provider/altertable/loadedData";
import { buildHandlers } from "../../provider/framework/engine";

describe("altertable.LoadedData (unit)", () => {
  it("reads CSV headers: quotes, BOM, CRLF and other delimiters", () => {
    expect(csvHeader(Buffer.from('\uFEFFid,"full name","a ""quoted"" col"\r\n1,x,y\r\n'))).to.deep.equal(["id", "full name", 'a "quoted" col']);
    expect(csvHeader(Buffer.from("id;name;amount\n1;x;2\n"))).to.deep.equal(["id", "name", "amount"]);
    expect(csvHeader(Buffer.from("id\tname\n"))).to.deep.equal(["id", "name"]);
    expect(csvHeader(Buffer.from("only_header_no_newline"))).to.deep.equal(["only_header_no_newline"]);
  });

  it("finds the keys of the first JSON record (array or lines), ignoring braces in strings", () => {
    expect(firstJsonKeys(Buffer.from('[\n {"id": 1, "note": "a } brace", "tags": [1, {"x": 2}]},\n {"other": 1}]'))).to.deep.equal(["id", "note", "tags"]);
    expect(firstJsonKeys(Buffer.from('{"a": "\\"}"}\n{"b": 2}\n'))).to.deep.equal(["a"]);
    expect(firstJsonKeys(Buffer.from('[{"id": 1, "cut'))).to.equal(undefined);
  });

  it("tells formats from extensions and from the first bytes", () => {
    expect(formatFromExtension("a/b/EVENTS.NDJSON")).to.equal("jsonl");
    expect(formatFromExtension("x.jsonl")).to.equal("jsonl");
    expect(formatFromExtension("x.json")).to.equal("json");
    expect(formatFromExtension("x.pq")).to.equal("parquet");
    expect(formatFromExtension("x.txt")).to.equal(undefined);
    expect(sniffFormat(Buffer.from("PAR1\0\0"))).to.equal("parquet");
    expect(sniffFormat(Buffer.from("\uFEFF  \n[{}]"))).to.equal("json");
    expect(sniffFormat(Buffer.from('{"a":1}\n'))).to.equal("jsonl");
    expect(sniffFormat(Buffer.from("a,b\n"))).to.equal("csv");
  });

  it("hashes a file by streaming it (sha256 hex, same as hashing it whole)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-unit-"));
    try {
      const f = path.join(dir, "x.bin");
      const data = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
      fs.writeFileSync(f, data);
      expect(await hashFile(f)).to.equal(createHash("sha256").update(data).digest("hex"));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("formats sizes for progress lines", () => {
    expect(formatBytes(512 * 1024 * 1024)).to.equal("512 MiB");
    expect(formatBytes(2 * 1024 * 1024 * 1024)).to.equal("2.0 GiB");
    expect(formatBytes(900)).to.equal("900 B");
  });

  it("input rules: defaults, upsert needs a key, identifiers, documented fields", () => {
    const ok = loadedDataInputs.parse({ catalog: "lakehouse", table: "t", file: "a.csv", primaryKey: ["id"] });
    expect(ok).to.include({ schema: "main", mode: "upsert", onDestroy: "keep" });
    expect(loadedDataInputs.safeParse({ catalog: "lakehouse", table: "t", file: "a.csv" }).success).to.equal(false);
    expect(loadedDataInputs.safeParse({ catalog: "lakehouse", table: "t", file: "a.csv", primaryKey: [] }).success).to.equal(false);
    expect(loadedDataInputs.safeParse({ catalog: "lakehouse", table: "t", file: "a.csv", mode: "append" }).success).to.equal(true);
    expect(loadedDataInputs.safeParse({ catalog: "lakehouse", table: "bad name", file: "a.csv", mode: "append" }).success).to.equal(false);
    for (const [key, field] of Object.entries(loadedDataInputs.shape)) expect((field as { description?: string }).description, key).to.be.a("string").and.not.equal("");
    expect(loadedData.replaceOn).to.deep.equal(["catalog", "schema", "table"]);
  });

  it("check fails on a local problem without calling the vendor", async () => {
    const h = buildHandlers(loadedData, () => {
      throw new Error("the vendor must not be called");
    });
    const c = await h.check({}, { catalog: "lakehouse", table: "t", file: "/nonexistent/dir/x.csv", mode: "append" });
    expect(c.failures).to.have.length(1);
    expect(c.failures[0]).to.include({ property: "file" });
    expect(c.failures[0].reason).to.match(/cannot read \/nonexistent\/dir\/x\.csv: no such file/);
    const d = await h.check({}, { catalog: "lakehouse", table: "t", file: "x.csv", mode: "bulk" });
    expect(d.failures.map((f) => f.property)).to.deep.equal(["mode"]);
  });
});
