/**
 * A DeltaStream streaming estate (estate.ts):
 *   - a Kafka store (SASL PLAIN; the password is a secret) and a `shop` database with an
 *     `analytics` schema;
 *   - `pageviews`, a stream over the store's `pageviews` topic, declared column by column;
 *   - `views_per_page`, a changelog keyed by page, kept up to date by a continuous query that
 *     counts the page views (INSERT INTO … SELECT … GROUP BY) on the `etl` compute pool;
 *   - an `analysts` role that may use the database, read the changelog and start queries.
 * Events produced into the `pageviews` topic arrive, counted, in `views_per_page`
 * (test/e2e/deltastream.e2e.test.ts deploys this estate and produces some through the emulator).
 *
 *   npm run example -- deltastream-streaming
 */
import * as pulumi from "@pulumi/pulumi";
import { estate } from "./estate";

const config = new pulumi.Config();
// The broker's SASL password: a stack secret in real use; the emulator takes any.
const kafkaPassword = config.getSecret("kafkaPassword") ?? pulumi.secret("example-kafka-password");

const e = estate({ kafkaPassword });

export const storeStatus = e.kafka.status;
export const queryId = e.counting.queryId;
export const queryState = e.counting.state;
export const querySources = e.counting.sourceRelations;
export const querySink = e.counting.sinkRelation;
