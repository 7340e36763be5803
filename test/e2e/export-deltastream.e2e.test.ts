/**
 * End to end: the `pulumi-warehouse export` round trip (test/helpers/exportRoundTrip.ts) for
 * DeltaStream, on an estate made as a user's SQL client would make it — statements sent to the
 * emulator's `POST /v2/statements` (202 answers polled with `GET /v2/statements/{id}`), not through
 * the provider. One estate holds every kind that has an exporter: SASL Kafka, Confluent Kafka and
 * PostgreSQL stores (credentials from secret config), a Confluent Cloud schema registry, a secret, a database with a second schema,
 * topics with configs, a stream and a changelog, a compute pool, a running query on it, an
 * application, two roles (one inside the other) and grants on the organization, a database and a
 * relation. A compute pool left out by the `--name` filter shows the filter is part of the trip.
 */
import { expect } from "chai";
import { exportRoundTrip } from "../helpers/exportRoundTrip";
import type { EmulatorHarness } from "../../emulator/framework/definition";

const WRITE = /^\s*(CREATE|DROP|ALTER|UPDATE|INSERT|TERMINATE|RESTART|GRANT|REVOKE|START|STOP|BEGIN)\b/i;

interface Answer {
  sqlState: string;
  message?: string;
  statementID?: string;
  metadata?: { columns?: { name: string }[] };
  data?: (string | null)[][];
}

/** One statement as a SQL client sends it: JSON, Bearer token, a 202 polled until answered; fails on any sqlState but 00000. */
async function statement(emu: EmulatorHarness<any>, text: string, context: Record<string, string> = {}): Promise<Record<string, string | null>[]> {
  const headers = { authorization: `Bearer ${emu.settings.apiToken}`, "content-type": "application/json" };
  let res = await fetch(`${emu.url}/v2/statements`, { method: "POST", headers, body: JSON.stringify({ statement: text, organization: emu.settings.organization, ...context }) });
  let body = (await res.json()) as Answer;
  while (res.status === 202) {
    await new Promise((r) => setTimeout(r, 100));
    res = await fetch(`${emu.url}/v2/statements/${body.statementID}`, { headers });
    body = (await res.json()) as Answer;
  }
  expect(res.status, text).to.equal(200);
  expect(body.sqlState, `${text}: ${body.message}`).to.equal("00000");
  const cols = (body.metadata?.columns ?? []).map((c) => c.name);
  return (body.data ?? []).map((row) => Object.fromEntries(cols.map((c, i) => [c, row[i]])));
}

/** Polls a catalogue SELECT until its first row's `column` is `value` (readiness is asynchronous). */
async function until(emu: EmulatorHarness<any>, select: string, column: string, value: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const rows = await statement(emu, select);
    if (rows[0]?.[column] === value) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${select}: ${column} never became ${value}`);
}

const PAGEVIEWS = `CREATE STREAM "shop"."public"."pageviews" ("pageid" VARCHAR, "viewtime" BIGINT NOT NULL) WITH ('topic' = 'pageviews', 'value.format' = 'json', 'topic.partitions' = 2, 'store' = 'kafka_main', 'timestamp' = 'viewtime')`;
const COUNTS = `CREATE CHANGELOG "shop"."sales"."views_per_page" ("pageid" VARCHAR, "views" BIGINT, PRIMARY KEY ("pageid")) WITH ('topic' = 'views_per_page', 'value.format' = 'json', 'topic.partitions' = 1, 'store' = 'kafka_main')`;
const SLOW = `CREATE STREAM "shop"."public"."slow_views" ("pageid" VARCHAR, "viewtime" BIGINT) WITH ('topic' = 'slow_views', 'value.format' = 'json', 'topic.partitions' = 1, 'store' = 'kafka_main')`;

/** The resources the program must declare; the query's name (sink and id prefix) is added once it runs. */
const expected = [
  "deltastream:Store kafka_main",
  "deltastream:Store confluent",
  "deltastream:Store pg_orders",
  "deltastream:SchemaRegistry sr_cloud",
  "deltastream:Secret webhook",
  "deltastream:Database shop",
  "deltastream:Schema shop.public",
  "deltastream:Schema shop.sales",
  "deltastream:Entity kafka_main.clicks",
  "deltastream:Entity kafka_main.pageviews",
  "deltastream:Entity kafka_main.views_per_page",
  "deltastream:Entity kafka_main.slow_views",
  "deltastream:Relation shop.public.pageviews",
  "deltastream:Relation shop.sales.views_per_page",
  "deltastream:Relation shop.public.slow_views",
  "deltastream:ComputePool pool1",
  "deltastream:Application slow_app",
  "deltastream:Role analyst",
  "deltastream:Role reader",
  "deltastream:Grant analyst.ORGANIZATION.-",
  "deltastream:Grant analyst.DATABASE.shop",
  "deltastream:Grant analyst.RELATION.shop%2Epublic%2Epageviews",
];

exportRoundTrip({
  vendor: "deltastream",
  async seed(emu) {
    const run = (s: string, ctx?: Record<string, string>) => statement(emu, s, ctx);
    await run(`CREATE STORE kafka_main WITH ('type' = KAFKA, 'uris' = 'kafka-1:9092,kafka-2:9092', 'kafka.sasl.hash_function' = SHA512, 'kafka.sasl.username' = 'svc', 'kafka.sasl.password' = 'kafka-pw-3c1e', 'tls.verify_server_hostname' = FALSE)`);
    // deltastream.sys spells these types ConfluentKafka and Postgres; adopting them must not see a type change.
    await run(`CREATE STORE confluent WITH ('type' = CONFLUENT_KAFKA, 'uris' = 'pkc-1.confluent.cloud:9092', 'kafka.sasl.username' = 'ck', 'kafka.sasl.password' = 'ck-pw-5d2a')`);
    await run(`CREATE STORE pg_orders WITH ('type' = POSTGRESQL, 'uris' = 'postgresql://db.example.com:5432/orders', 'postgres.username' = 'reader', 'postgres.password' = 'pg-pw-81b0')`);
    await run(`CREATE SCHEMA_REGISTRY sr_cloud WITH ('type' = CONFLUENT_CLOUD, 'uris' = 'https://sr.example.com', 'confluent_cloud.key' = 'sr-key', 'confluent_cloud.secret' = 'sr-secret-77aa')`);
    await run(`CREATE SECRET webhook WITH ('type' = GENERIC_STRING, 'secret_string' = 'webhook-value-19fe', 'description' = 'for the alerting webhook')`);
    await run(`CREATE COMPUTE_POOL pool1 WITH ('compute_pool.size' = 'medium', 'compute_pool.timeout_min' = 30)`);
    await run(`CREATE COMPUTE_POOL scratch_pool`); // left out by the filter
    await until(emu, `SELECT status FROM deltastream.sys."stores" WHERE name = 'kafka_main'`, "status", "ready");
    await run(`CREATE DATABASE shop`);
    await run(`CREATE SCHEMA sales IN DATABASE shop`);
    await run(`CREATE ENTITY clicks IN STORE kafka_main WITH ('kafka.partitions' = 3, 'kafka.replicas' = 1, 'kafka.topic.retention.ms' = '86400000')`);
    await run(PAGEVIEWS);
    await run(COUNTS);
    await run(SLOW);
    await until(emu, `SELECT status FROM deltastream.sys."compute_pools" WHERE name = 'pool1'`, "status", "running");
    await run(`INSERT INTO "shop"."sales"."views_per_page" SELECT "pageid", COUNT(*) AS "views" FROM "shop"."public"."pageviews" GROUP BY "pageid"`, { computePool: "pool1" });
    await run(`BEGIN APPLICATION slow_app\nINSERT INTO "shop"."public"."slow_views" SELECT "pageid", "viewtime" FROM "shop"."public"."pageviews" WHERE "viewtime" > 1000;\nEND APPLICATION`);
    await run(`CREATE ROLE analyst`);
    await run(`CREATE ROLE reader WITH (IN ROLE (analyst))`);
    await run(`GRANT CREATE_DATABASE, CREATE_QUERY ON ORGANIZATION TO ROLE analyst`);
    await run(`GRANT USAGE, CREATE ON DATABASE shop TO ROLE analyst WITH GRANT OPTION`);
    await run(`GRANT SELECT ON RELATION "shop"."public"."pageviews" TO ROLE analyst`);
    const queries = await run(`SELECT name, current_state FROM deltastream.sys."queries" WHERE application_name IS NULL`);
    expect(queries).to.have.length(1);
    expected.push(`deltastream:Query ${queries[0].name}`);
    await until(emu, `SELECT current_state FROM deltastream.sys."queries" WHERE name = '${queries[0].name}'`, "current_state", "running");
  },
  // Everything but scratch_pool.
  filter: ["--name", "kafka_main,confluent,pg_orders,sr_cloud,webhook,pool1,shop,public,sales,clicks,pageviews,views_per_page,slow_views,views_per_page_*,slow_app,analyst,reader,analyst.*"],
  expected,
  // A statement whose text is not in the log counts as a write, so the check cannot pass by seeing nothing.
  isCreate: (r) => {
    if (r.method !== "POST" || !r.path.startsWith("/v2/statements")) return false;
    const text = (r.body as { statement?: unknown } | undefined)?.statement;
    return typeof text !== "string" || WRITE.test(text);
  },
  secrets: {
    "kafka_main-credentials": JSON.stringify({ username: "svc", password: "kafka-pw-3c1e" }),
    "confluent-credentials": JSON.stringify({ username: "ck", password: "ck-pw-5d2a" }),
    "pg_orders-credentials": JSON.stringify({ username: "reader", password: "pg-pw-81b0" }),
    "sr_cloud-credentials": JSON.stringify({ username: "sr-key", password: "sr-secret-77aa" }),
    "webhook-value": "webhook-value-19fe",
  },
  // A query's compute pool is a reference to the exported pool, as a relation's store is to the store.
  reference: /computePool: computePool_pool1\.name,/,
});
