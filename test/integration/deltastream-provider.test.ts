/**
 * The DeltaStream provider against its emulator over HTTP, for what the conformance suite does not
 * cover: an errored store fails with its status_message and stays tracked; a CA certificate goes as
 * an attachment; the `public` schema is taken over without a create; a relation aimed at another
 * place is refused at preview naming the field; a query that errors fails with its reason; dropping
 * a relation a running query uses is refused; an API token is a secret output shown once.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { request } from "undici";
import { startEmulator } from "../helpers/emulators";
import type { EmulatorHarness } from "../../emulator/framework/definition";
import { buildHandlers } from "../../provider/framework/engine";
import { vendor } from "../../provider/deltastream";
import { DeltaStreamApi } from "../../provider/deltastream/api";
import { store } from "../../provider/deltastream/store";
import { schema } from "../../provider/deltastream/schema";
import { relation } from "../../provider/deltastream/relation";
import { query } from "../../provider/deltastream/query";
import { apiToken } from "../../provider/deltastream/apiToken";
import { ident, literal, sql } from "../../provider/sql/builder";

describe("deltastream provider against the emulator", function () {
  this.timeout(120_000);
  let emu: EmulatorHarness;
  let api: DeltaStreamApi;
  const h = <T>(spec: T) => buildHandlers(spec as any, () => api, () => undefined);
  const statements = async (): Promise<string[]> => {
    const res = await request(`${emu.url}/_emulator/requests`);
    const log = (await res.body.json()) as { method: string; path: string; body?: any }[];
    return log.filter((r) => r.path === "/v2/statements" && r.method === "POST").map((r) => String(r.body?.statement ?? r.body?.request?.statement ?? ""));
  };

  before(async () => {
    emu = await startEmulator("deltastream");
    api = vendor.createApi(emu.settings as any);
    await api.statement(sql`CREATE DATABASE ${ident("it_db")}`);
    await api.statement(sql`CREATE STORE ${ident("it_kafka")} WITH ('type' = KAFKA, 'uris' = 'b.it.test:9092', 'kafka.sasl.hash_function' = NONE)`);
  });
  after(async () => {
    await api?.http.close();
    await emu?.stop();
  });

  it("a store that ends errored fails the create with its status_message and stays tracked", async () => {
    const s = h(store);
    const c = await s.check({}, { name: "it_broken", type: "KAFKA", uris: "broker.unreachable.invalid:9092" });
    expect(c.failures).to.deep.equal([]);
    const err = (await s.create(c.inputs).catch((e) => e)) as Error & { id?: string };
    expect(err.message).to.contain("is errored").and.contain("unable to connect");
    expect(err.id, "a partial create keeps the store in state").to.equal("it_broken");
    const fixed = await s.check(c.inputs, { ...c.inputs, uris: "broker.it.test:9092" });
    const u = await s.update("it_broken", { ...c.inputs, observed: {} }, fixed.inputs);
    expect(u.outs.status).to.equal("ready");
    await s.delete("it_broken", fixed.inputs);
  });

  it("a CA certificate file is sent as the attachment the SQL names", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ds-it-"));
    const ca = path.join(dir, "ca.pem");
    fs.writeFileSync(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    const s = h(store);
    const c = await s.check({}, { name: "it_tls", type: "KAFKA", uris: "b.it.test:9093", kafka: { tlsCaCertFile: ca } });
    expect(c.failures).to.deep.equal([]);
    const r = await s.create(c.inputs);
    expect(r.outs.status).to.equal("ready");
    // The same statement without the attachment is refused: the file did travel with it.
    const bare = await api.statement(sql`CREATE STORE ${ident("it_tls_bare")} WITH ('type' = KAFKA, 'uris' = 'b:1', 'tls.ca_cert_file' = '@cacert')`).catch((e) => e as Error);
    expect(String(bare)).to.contain('attachment "@cacert"');
    await s.delete(r.id, r.outs);
    const missing = await s.check({}, { name: "it_tls2", type: "KAFKA", uris: "b:1", kafka: { tlsCaCertFile: path.join(dir, "nope.pem") } });
    expect(missing.failures.map((f) => f.reason).join()).to.contain("no such file");
  });

  it("the public schema is taken over without a CREATE and never dropped", async () => {
    const s = h(schema);
    const before = (await statements()).length;
    const c = await s.check({}, { database: "it_db", name: "public" });
    const r = await s.create(c.inputs);
    expect(r.id).to.equal("it_db.public");
    expect((await statements()).slice(before).filter((t) => /^CREATE/i.test(t))).to.deep.equal([]);
    await s.delete(r.id, r.outs);
    expect((await api.rows(sql`SELECT name FROM deltastream.sys.${ident("schemas")} WHERE database_name = 'it_db'`)).map((x) => x.name)).to.include("public");
  });

  it("a relation whose statement targets another database is refused at preview, naming the field", async () => {
    await api.statement(sql`CREATE DATABASE ${ident("it_other")}`);
    const r = h(relation);
    const c = await r.check({}, {
      database: "it_db",
      name: "clicks",
      type: "stream",
      store: "it_kafka",
      sql: `CREATE STREAM "it_other"."public"."clicks" ("id" BIGINT) WITH ('topic' = 'clicks', 'value.format' = 'json', 'topic.partitions' = 1)`,
    });
    expect(c.failures.map((f) => f.field)).to.include("database");
    expect(c.failures.map((f) => f.reason).join()).to.contain('creates it in database "it_other"');
  });

  it("dropping a relation a running query uses is refused; a query is terminated on delete", async () => {
    const r = h(relation);
    const base = { database: "it_db", store: "it_kafka", type: "stream", topicPartitions: 1, columns: [{ name: "id", type: "BIGINT" }] };
    const src = await r.create((await r.check({}, { ...base, name: "src", topic: "src" })).inputs);
    const dst = await r.create((await r.check({}, { ...base, name: "dst", topic: "dst" })).inputs);
    const q = h(query);
    const qc = await q.check({}, { sql: 'INSERT INTO "it_db"."public"."dst" SELECT "id" FROM "it_db"."public"."src"', sources: ["it_db.public.src"], sink: "it_db.public.dst" });
    expect(qc.failures).to.deep.equal([]);
    const made = await q.create(qc.inputs);
    expect(made.outs.state).to.equal("running");
    expect(made.outs.sourceRelations).to.deep.equal(["it_db.public.src"]);
    expect(made.outs.sinkRelation).to.equal("it_db.public.dst");
    const refused = (await r.delete(src.id, src.outs).catch((e) => e)) as Error;
    expect(refused?.message, refused?.message).to.contain("used by running query").and.contain("allowDataLoss");
    await q.delete(made.id, made.outs);
    expect((await api.rows(sql`SELECT current_state FROM deltastream.sys.${ident("queries")} WHERE id = ${literal(made.id)}`))[0]?.current_state).to.equal("terminated");
    await r.delete(src.id, src.outs);
    await r.delete(dst.id, dst.outs);
  });

  it("an API token is a secret output, in the create's answer only", async () => {
    const t = h(apiToken);
    const c = await t.check({}, { name: "it_token" });
    const r = await t.create(c.inputs);
    expect(r.outs.token).to.be.a("string").and.not.empty;
    const again = await t.read(r.id, r.outs);
    expect(again.props?.token, "the token is kept from the create").to.equal(r.outs.token);
    expect(apiToken.secretOutputs).to.include("token");
    await t.delete(r.id, r.outs);
  });
});
