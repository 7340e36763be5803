/**
 * The DeltaStream exporters' mappings (`pulumi-warehouse export`): a store's `deltastream.sys` row
 * becomes inputs that would create it with the same properties (credentials declared as keys only),
 * the sys type names (ConfluentKafka, Postgres) read as the input's, stores made with a file left out
 * saying why; a relation declared by columns or by its own statement; an application's statements
 * split back out of its BEGIN … END APPLICATION text; a query's sink and sources as plain names;
 * grants grouped per role and object; built-in roles not exported.
 */
import { expect } from "chai";
import { store, storeExportInputs, storeInputs, storeProps } from "../../provider/deltastream/store";
import { storeTypeFromSys } from "../../provider/deltastream/contract";
import { relationExportInputs, relationInputs } from "../../provider/deltastream/relation";
import { applicationInputs, applicationStatement, applicationStatements, queryExportInputs, queryInputs } from "../../provider/deltastream/query";
import { listGrants } from "../../provider/deltastream/grant";
import { role } from "../../provider/deltastream/role";
import type { DeltaStreamApi, Row } from "../../provider/deltastream/api";
import { readEstate } from "../../cli/export";
import { vendor } from "../../provider/deltastream";
import { render } from "../../provider/sql/builder";
import { DELTASTREAM } from "../../provider/sql/dialect";

const storeRow = (type: string, properties: Record<string, string | null>, extra: Row = {}): Row => ({
  name: "s1",
  type,
  uris: "broker:9092",
  owner: "sysadmin",
  properties: JSON.stringify(properties),
  ...extra,
});

/** Fills the credential placeholders (the program reads them from config) and parses as check would. */
function declared(inputs: Record<string, unknown>) {
  const creds = inputs.credentials as Record<string, string> | undefined;
  const filled = creds ? { ...inputs, credentials: Object.fromEntries(Object.keys(creds).map((k) => [k, `v-${k}`])) } : inputs;
  return storeInputs.parse(filled);
}

/** A fake client answering each sys table's SELECT with the given rows. */
function fakeApi(tables: Record<string, Row[]>): DeltaStreamApi {
  return {
    rows: async (statement: unknown) => {
      const text = render(statement as any, DELTASTREAM);
      const table = Object.keys(tables).find((t) => text.includes(`deltastream.sys."${t}"`));
      if (!table) throw new Error(`unexpected statement ${text}`);
      return tables[table];
    },
  } as unknown as DeltaStreamApi;
}

describe("DeltaStream export: stores", () => {
  it("reads the sys type names as the input's (no false type change when adopting a Confluent Kafka or PostgreSQL store)", () => {
    const sys: Record<string, string> = { Kafka: "KAFKA", ConfluentKafka: "CONFLUENT_KAFKA", Kinesis: "KINESIS", Postgres: "POSTGRESQL", Snowflake: "SNOWFLAKE", Databricks: "DATABRICKS" };
    for (const [name, type] of Object.entries(sys)) {
      expect(storeTypeFromSys(name)).to.equal(type);
      expect(storeTypeFromSys(type)).to.equal(type);
      expect(store.observe(storeRow(name, {})).type).to.equal(type);
    }
    expect(storeTypeFromSys("Mongo")).to.equal(undefined);
  });

  it("a SASL Kafka store: its properties back, credentials declared as keys, and the same properties on create", () => {
    const props = { uris: "broker:9092", "kafka.sasl.hash_function": "SHA512", "kafka.sasl.username": "svc", "tls.verify_server_hostname": "false", "schema_registry.name": "sr1" };
    const inputs = storeExportInputs(storeRow("Kafka", props)) as Record<string, unknown>;
    expect(inputs).to.deep.include({ name: "s1", type: "KAFKA", uris: "broker:9092", owner: "sysadmin" });
    expect(inputs.kafka).to.deep.equal({ saslHashFunction: "SHA512", tlsVerifyServerHostname: false, schemaRegistryName: "sr1" });
    expect(Object.keys(inputs.credentials as object)).to.deep.equal(["username", "password"]);
    const made = storeProps(declared(inputs)).props;
    const visible = Object.fromEntries(Object.entries(made).filter(([k, v]) => v !== undefined && !/password|username/.test(k)).map(([k, v]) => [k, typeof v === "object" && v ? v.word : String(v)]));
    expect(visible).to.deep.equal({ uris: "broker:9092", "kafka.sasl.hash_function": "SHA512", "tls.verify_server_hostname": "false", "schema_registry.name": "sr1" });
  });

  it("a Confluent Kafka store without a hash function authenticates with PLAIN; a plain Kafka store needs no credentials", () => {
    const confluent = storeExportInputs(storeRow("ConfluentKafka", { "kafka.sasl.username": "ck" })) as Record<string, any>;
    expect(confluent.type).to.equal("CONFLUENT_KAFKA");
    expect(confluent.kafka.saslHashFunction).to.equal("PLAIN");
    expect(declared(confluent).credentials).to.have.keys("username", "password");
    const open = storeExportInputs(storeRow("Kafka", {})) as Record<string, any>;
    expect(open.kafka).to.deep.equal({ saslHashFunction: "NONE" });
    expect(open).not.to.have.property("credentials");
    expect(() => declared(open)).not.to.throw();
  });

  it("PostgreSQL, Kinesis and Databricks stores: their blocks and the credentials each type takes", () => {
    const pg = storeExportInputs(storeRow("Postgres", { "postgres.username": "r", "tls.disabled": "true" })) as Record<string, any>;
    expect(pg).to.deep.include({ type: "POSTGRESQL", postgres: { tlsDisabled: true } });
    expect(declared(pg).credentials).to.have.keys("username", "password");
    const kinesis = storeExportInputs(storeRow("Kinesis", { "kinesis.account.id": "1234" })) as Record<string, any>;
    expect(kinesis.kinesis).to.deep.equal({ accountId: "1234" });
    expect(declared(kinesis).credentials).to.have.keys("accessKeyId", "secretAccessKey");
    const db = storeExportInputs(storeRow("Databricks", { "databricks.warehouse_id": "w1", "databricks.warehouse_port": "8443", "databricks.cloud.s3.bucket": "b", "databricks.cloud.region": "us-east-1" })) as Record<string, any>;
    expect(db.databricks).to.deep.equal({ warehouseId: "w1", warehousePort: 8443, s3Bucket: "b", cloudRegion: "us-east-1" });
    expect(declared(db).credentials).to.have.keys("appToken", "accessKeyId", "secretAccessKey");
  });

  it("a store made with a file DeltaStream never returns (Snowflake key, Kafka CA certificate) is left out, saying why", () => {
    expect(storeExportInputs(storeRow("Snowflake", { "snowflake.account_id": "a" }))).to.match(/client key is a file/);
    expect(storeExportInputs(storeRow("Kafka", { "tls.ca_cert_file": "@cacert" }))).to.match(/CA certificate is a file/);
    expect(storeExportInputs(storeRow("Kafka", { "kafka.sasl.secret_id": "x" }))).to.match(/secret_id/);
    expect(storeExportInputs(storeRow("Kinesis", { "kinesis.iam_role_arn": "arn:x" }))).to.match(/made with 'kinesis.iam_role_arn', which this kind does not declare/);
    expect(storeExportInputs(storeRow("Postgres", { "postgres.username": "u", "access_region": "AWS us-east-1" }))).to.match(/'access_region'/);
    expect(storeExportInputs(storeRow("Mongo", {}))).to.match(/not one this kind declares/);
  });
});

describe("DeltaStream export: relations, queries, applications", () => {
  const base: Row = { database_name: "shop", schema_name: "public", name: "pv", relation_type: "stream", store_name: "k", entity_name: "pv_topic", value_format: "json", owner: "sysadmin" };

  it("a relation made from columns is declared by columns, with the properties it was made with", () => {
    const raw: Row = {
      ...base,
      columns: JSON.stringify([{ name: "id", type: "VARCHAR", nullable: true }, { name: "ts", type: "BIGINT", nullable: false }]),
      properties: JSON.stringify({ topic: "pv_topic", "topic.partitions": "4", "topic.replicas": "2", timestamp: "ts", store: "k" }),
      sql: "CREATE STREAM pv (id VARCHAR, ts BIGINT NOT NULL) WITH ('topic' = 'pv_topic')",
    };
    const inputs = relationExportInputs(raw);
    expect(inputs).to.deep.include({ database: "shop", schema: "public", name: "pv", type: "stream", store: "k", topic: "pv_topic", topicPartitions: 4, topicReplicas: 2, timestamp: "ts", valueFormat: "json" });
    expect(inputs.columns).to.deep.equal([{ name: "id", type: "VARCHAR", nullable: true }, { name: "ts", type: "BIGINT", nullable: false }]);
    expect(inputs).not.to.have.property("sql");
    expect(relationInputs.safeParse(inputs).success).to.equal(true);
  });

  it("a relation made AS SELECT, or with a type the kind does not model, is declared by its own statement", () => {
    const cas = relationExportInputs({ ...base, columns: JSON.stringify([{ name: "id", type: "VARCHAR" }]), sql: "CREATE STREAM pv AS SELECT id FROM src" });
    expect(cas.sql).to.equal("CREATE STREAM pv AS SELECT id FROM src");
    expect(cas).not.to.have.property("columns");
    expect(relationInputs.safeParse(cas).success).to.equal(true);
    const nested = relationExportInputs({ ...base, columns: JSON.stringify([{ name: "s", type: "STRUCT<a INT>" }]), sql: "CREATE STREAM pv (s STRUCT<a INT>)" });
    expect(nested).to.have.property("sql");
    expect(nested).not.to.have.property("columns");
    const keyed = relationExportInputs({ ...base, columns: JSON.stringify([{ name: "id", type: "VARCHAR" }]), properties: JSON.stringify({ topic: "pv_topic", "key.format": "json" }), sql: "CREATE STREAM pv (id VARCHAR) WITH ('topic' = 'pv_topic', 'key.format' = 'json')" });
    expect(keyed.sql, "a property the columns form cannot hold keeps the statement").to.contain("'key.format'");
    expect(keyed).not.to.have.property("columns");
  });

  it("a query: its statement as kept, sink and sources as plain database.schema.name", () => {
    const inputs = queryExportInputs({
      sql: 'INSERT INTO "shop"."public"."b" SELECT * FROM "shop"."public"."a"',
      sink: '"emulator-org"."shop"."public"."b"',
      sources: JSON.stringify(['"shop"."public"."a"', '"shop"."public"."c"']),
      compute_pool_name: "pool1",
      owner: "sysadmin",
    });
    expect(inputs).to.deep.equal({ sql: 'INSERT INTO "shop"."public"."b" SELECT * FROM "shop"."public"."a"', sink: "shop.public.b", sources: ["shop.public.a", "shop.public.c"], computePool: "pool1", owner: "sysadmin" });
    expect(queryInputs.safeParse(inputs).success).to.equal(true);
  });

  it("an application's statements come back out of its BEGIN … END APPLICATION text", () => {
    const statements = ["INSERT INTO b SELECT * FROM a WHERE x = 'semi;colon'", 'CREATE STREAM "c" AS SELECT * FROM a'];
    const text = render(applicationStatement(applicationInputs.parse({ name: "app", statements })), DELTASTREAM);
    expect(applicationStatements(text)).to.deep.equal(statements);
    expect(applicationStatements("BEGIN APPLICATION app;\nINSERT INTO b SELECT * FROM a;\nEND APPLICATION;")).to.deep.equal(["INSERT INTO b SELECT * FROM a"]);
    expect(applicationStatements("INSERT INTO b SELECT * FROM a")).to.equal(undefined);
    expect(applicationStatements("BEGIN APPLICATION app; END APPLICATION")).to.equal(undefined);
  });
});

describe("DeltaStream export: grants and roles", () => {
  it("groups a role's privileges per object; a privilege set granted WITH GRANT OPTION keeps it; grants this kind cannot declare say why", async () => {
    const api = fakeApi({
      grants: [
        { privilege: "CREATE_DATABASE", object_type: "ORGANIZATION", object_name: "0c6f-org-id", grantee_role: "a", with_grant_option: false },
        { privilege: "CREATE_QUERY", object_type: "ORGANIZATION", object_name: "0c6f-org-id", grantee_role: "a", with_grant_option: false },
        { privilege: "USAGE", object_type: "DATABASE", object_name: "shop", grantee_role: "a", with_grant_option: true },
        { privilege: "ALL", object_type: "DATABASE", object_name: "shop", grantee_role: "b", with_grant_option: true },
        { privilege: "SELECT", object_type: "RELATION", object_name: '"shop"."public"."pv"', grantee_role: "a", with_grant_option: false },
        { privilege: "USAGE", object_type: "QUERY", object_name: "11111111-2222-3333-4444-555555555555", grantee_role: "a", with_grant_option: false },
      ],
    });
    const grants = await listGrants(api);
    const by = Object.fromEntries(grants.map((g) => [g.id, g]));
    expect(Object.keys(by).sort()).to.deep.equal(["a.DATABASE.shop", "a.ORGANIZATION.-", "a.QUERY.11111111-2222-3333-4444-555555555555", "a.RELATION.shop%2Epublic%2Epv", "b.DATABASE.shop"]);
    expect(by["a.ORGANIZATION.-"].raw).to.deep.equal({ role: "a", objectType: "ORGANIZATION", privileges: ["CREATE_DATABASE", "CREATE_QUERY"], withGrantOption: false });
    expect(by["b.DATABASE.shop"].raw).to.deep.include({ privileges: ["ALL_PRIVILEGES"], withGrantOption: true });
    expect(by["a.RELATION.shop%2Epublic%2Epv"].raw.objectName).to.equal("shop.public.pv");
    expect(by["a.QUERY.11111111-2222-3333-4444-555555555555"].skip).to.match(/query/);
    expect(grants.filter((g) => g.skip).length).to.equal(1);
  });

  it("built-in roles are not exported; a role's parents and members come from role_members", async () => {
    const api = fakeApi({
      role_members: [
        { role_name: "sysadmin", member_role_name: "orgadmin" },
        { role_name: "analyst", member_role_name: "reader" },
        { role_name: "public", member_role_name: "analyst" },
      ],
      roles: [
        { name: "sysadmin", is_builtin: true },
        { name: "analyst", is_builtin: false },
        { name: "reader", is_builtin: false },
      ],
    });
    const listed = await role.exporter!.list(api);
    expect(listed.map((l) => l.id)).to.deep.equal(["analyst", "reader"]);
    expect(role.observe(listed[0].raw)).to.deep.equal({ name: "analyst", parentRoles: ["public"], memberRoles: ["reader"] });
    expect(role.observe(listed[1].raw)).to.deep.equal({ name: "reader", parentRoles: ["analyst"], memberRoles: [] });
  });
});

describe("DeltaStream export: objects left out", () => {
  it("readEstate declares the stores it can and names each one left out with why, on the progress stream", async () => {
    const api = fakeApi({
      stores: [storeRow("Kafka", {}, { name: "plain" }), storeRow("Snowflake", { "snowflake.account_id": "a" }, { name: "wh" })],
    });
    const said: string[] = [];
    const estate = await readEstate(vendor, api, { kinds: ["Store"] }, (m) => said.push(m));
    expect(estate.map((r) => r.id)).to.deep.equal(["plain"]);
    expect(said).to.deep.equal(["deltastream.Store: 1 object(s)", "deltastream.Store wh: left out (its client key is a file sent when it was created, which DeltaStream never returns); declare it by hand"]);
  });
});
