import { expect } from "chai";
import { parseJsonLossless, RawJsonNumber, stringifyWithRawNumbers } from "../../provider/http/json";

describe("lossless JSON", () => {
  it("keeps integers above 2^53 exact, as strings", () => {
    const v = parseJsonLossless('{"createdBy":{"id":4780622283186922001,"type":"X"},"n":42,"f":1.5,"s":"12345678901234567890"}') as any;
    expect(v.createdBy.id).to.equal("4780622283186922001");
    expect(v.n).to.equal(42);
    expect(v.f).to.equal(1.5);
    expect(v.s).to.equal("12345678901234567890");
  });

  it("does not touch digits inside strings, even with escaped quotes", () => {
    const v = parseJsonLossless('{"a":"x\\" 12345678901234567890 ","b":[12345678901234567890]}') as any;
    expect(v.a).to.equal('x" 12345678901234567890 ');
    expect(v.b).to.deep.equal(["12345678901234567890"]);
  });

  it("writes RawJsonNumber unquoted and round-trips through the lossless parser", () => {
    const text = stringifyWithRawNumbers({ id: new RawJsonNumber("4780622283186922000") });
    expect(text).to.equal('{"id":4780622283186922000}');
    expect((parseJsonLossless(text) as any).id).to.equal("4780622283186922000");
  });
});
