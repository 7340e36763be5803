/**
 * The estate of examples/deltastream-streaming as a function, so the end-to-end test
 * (test/e2e/deltastream.e2e.test.ts) deploys this very estate, produces events into its source
 * topic and reads the counts from its changelog. `index.ts` calls it with the defaults.
 */
import * as pulumi from "@pulumi/pulumi";
import { deltastream } from "../../sdk";

export const COUNT_VIEWS_SQL =
  'INSERT INTO "shop"."analytics"."views_per_page" SELECT "pageid", COUNT(*) AS "views" FROM "shop"."analytics"."pageviews" GROUP BY "pageid"';

export interface EstateOptions {
  /** The broker's SASL password (a secret). */
  kafkaPassword: pulumi.Input<string>;
  /** Leave the password out (a broken input, refused at preview). */
  omitKafkaPassword?: boolean;
  /** The role that owns the database (unset: the provider's role). */
  databaseOwner?: string;
  /** The counting query's statement (default COUNT_VIEWS_SQL). */
  querySql?: string;
  /** Opt in to replacing the query when its statement changes. */
  allowQueryReplace?: boolean;
  /** An extra column on the source stream (a change that drops and recreates it). */
  extraSourceColumn?: boolean;
}

export function estate(o: EstateOptions) {
  const kafka = new deltastream.Store("kafka", {
    name: "events_kafka",
    type: "KAFKA",
    uris: "kafka-1.example.internal:9092,kafka-2.example.internal:9092",
    kafka: { saslHashFunction: "PLAIN", tlsDisabled: false, tlsVerifyServerHostname: true },
    credentials: o.omitKafkaPassword ? { username: "deltastream" } : pulumi.output(o.kafkaPassword).apply((password) => ({ username: "deltastream", password })),
  });

  const shop = new deltastream.Database("shop", { name: "shop", ...(o.databaseOwner ? { owner: o.databaseOwner } : {}) });
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
      ...(o.extraSourceColumn ? [{ name: "referrer", type: "VARCHAR" }] : []),
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
      sql: o.querySql ?? COUNT_VIEWS_SQL,
      sources: ["shop.analytics.pageviews"],
      sink: "shop.analytics.views_per_page",
      computePool: pool.name,
      allowReplace: o.allowQueryReplace ?? false,
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

  return { kafka, shop, analytics, pool, pageviews, viewsPerPage, counting, analysts };
}
