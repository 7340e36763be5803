/**
 * A DeltaStream streaming estate:
 *   - a Kafka store (SASL PLAIN; the password is a secret) and a `shop` database with an
 *     `analytics` schema;
 *   - `pageviews`, a stream over the store's `pageviews` topic, declared column by column;
 *   - `views_per_page`, a changelog keyed by page, kept up to date by a continuous query that
 *     counts the page views (INSERT INTO … SELECT … GROUP BY) on the `etl` compute pool;
 *   - an `analysts` role that may use the database and read the changelog.
 * Events produced into the `pageviews` topic arrive, counted, in `views_per_page`
 * (test/e2e/deltastream.e2e.test.ts produces some through the emulator).
 *
 *   npm run example -- deltastream-streaming
 */
import * as pulumi from "@pulumi/pulumi";
import { deltastream } from "../../sdk";

const config = new pulumi.Config();
// The broker's SASL password: a stack secret in real use; the emulator takes any.
const kafkaPassword = config.getSecret("kafkaPassword") ?? pulumi.secret("example-kafka-password");

const kafka = new deltastream.Store("kafka", {
  name: "events_kafka",
  type: "KAFKA",
  uris: "kafka-1.example.internal:9092,kafka-2.example.internal:9092",
  kafka: { saslHashFunction: "PLAIN", tlsDisabled: false, tlsVerifyServerHostname: true },
  credentials: pulumi.output(kafkaPassword).apply((password) => ({ username: "deltastream", password })),
});

const shop = new deltastream.Database("shop", { name: "shop" });
const analytics = new deltastream.Schema("analytics", { database: shop.name, name: "analytics" });

const pool = new deltastream.ComputePool("etl", { name: "etl", size: "small", timeoutMinutes: 15 });

const pageviews = new deltastream.Relation("pageviews", {
  database: shop.name,
  schema: analytics.name,
  name: "pageviews",
  type: "stream",
  store: kafka.name,
  topic: "pageviews",
  topicPartitions: 1,
  columns: [
    { name: "viewtime", type: "BIGINT", nullable: false },
    { name: "userid", type: "VARCHAR" },
    { name: "pageid", type: "VARCHAR", nullable: false },
  ],
  timestamp: "viewtime",
});

const viewsPerPage = new deltastream.Relation("views-per-page", {
  database: shop.name,
  schema: analytics.name,
  name: "views_per_page",
  type: "changelog",
  store: kafka.name,
  topic: "views_per_page",
  topicPartitions: 1,
  columns: [
    { name: "pageid", type: "VARCHAR", nullable: false },
    { name: "views", type: "BIGINT" },
  ],
  primaryKey: ["pageid"],
});

const counting = new deltastream.Query(
  "count-views",
  {
    sql: 'INSERT INTO "shop"."analytics"."views_per_page" SELECT "pageid", COUNT(*) AS "views" FROM "shop"."analytics"."pageviews" GROUP BY "pageid"',
    sources: ["shop.analytics.pageviews"],
    sink: "shop.analytics.views_per_page",
    computePool: pool.name,
  },
  { dependsOn: [pageviews, viewsPerPage] },
);

const analysts = new deltastream.Role("analysts", { name: "analysts" });
new deltastream.Grant("analysts-use-shop", { role: analysts.name, objectType: "DATABASE", objectName: shop.name, privileges: ["USAGE"] });
new deltastream.Grant("analysts-read-views", {
  role: analysts.name,
  objectType: "RELATION",
  objectName: pulumi.interpolate`${viewsPerPage.database}.${viewsPerPage.schema}.${viewsPerPage.name}`,
  privileges: ["SELECT"],
});
new deltastream.Grant("analysts-queries", { role: analysts.name, objectType: "ORGANIZATION", privileges: ["CREATE_QUERY"] });

export const storeStatus = kafka.status;
export const queryId = counting.queryId;
export const queryState = counting.state;
export const querySources = counting.sourceRelations;
export const querySink = counting.sinkRelation;
