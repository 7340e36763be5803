/** Conformance samples for the DeltaStream kinds (test/conformance/): valid, changed and bad inputs. */
import type { Samples } from "../framework/spec";
import type { DeltaStreamApi } from "./api";
import { isConflict } from "../http/errors";
import { poll } from "../framework/poll";
import { sysRow } from "./common";
import { ident, literal, name, raw, sql } from "../sql/builder";

type S = Samples<Record<string, any>, DeltaStreamApi>;

const ignoreConflict = (e: unknown) => (isConflict(e) ? undefined : Promise.reject(e));
const STATEMENTS = { method: "POST", path: "^/v2/statements$" };
const ensureOwner = async (api: DeltaStreamApi) => api.statement(sql`CREATE ROLE ${ident("conf_owner")}`).then(() => undefined, ignoreConflict);
/** A Kafka store for the kinds that live in one, awaited until ready. */
const ensureStore = (storeName: string) => async (api: DeltaStreamApi) => {
  await api.statement(sql`CREATE STORE ${ident(storeName)} WITH ('type' = KAFKA, 'uris' = 'broker.conformance.test:9092', 'kafka.sasl.hash_function' = NONE)`).catch(ignoreConflict);
  await poll({ what: `store ${storeName}`, check: () => sysRow(api, "stores", { name: storeName }), until: (r) => String(r?.status) === "ready", timeoutMs: 60_000 });
};

export const DELTASTREAM_SAMPLES: Record<string, S> = {
  Database: {
    valid: { name: "conf_db" },
    update: { owner: "conf_owner" },
    setup: async (api) => api.statement(sql`CREATE ROLE ${ident("conf_owner")}`).then(() => undefined, ignoreConflict),
    updateRequest: STATEMENTS,
    replace: { name: "conf_db_two" },
    invalid: [
      { inputs: { name: "bad name" }, field: "name" },
      { inputs: {}, unset: ["name"], field: "name" },
      { inputs: { colour: "red" }, field: "colour" },
      { inputs: { forceDestroy: "yes" }, field: "forceDestroy" },
    ],
    outOfBand: { field: "owner", apply: (api, id) => api.statement(sql`ALTER DATABASE ${ident(id)} OWNER TO ${ident("sysadmin")}`).then(() => undefined) },
  },
  Schema: {
    setup: async (api) => {
      await api.statement(sql`CREATE DATABASE ${ident("conf_schemas")}`).catch(ignoreConflict);
      await api.statement(sql`CREATE ROLE ${ident("conf_owner")}`).catch(ignoreConflict);
    },
    valid: { database: "conf_schemas", name: "analytics" },
    update: { owner: "conf_owner" },
    updateRequest: STATEMENTS,
    replace: { name: "analytics_two" },
    invalid: [
      { inputs: { name: "a.b" }, field: "name" },
      { inputs: { database: "" }, field: "database" },
    ],
    outOfBand: { field: "owner", apply: (api) => api.statement(sql`ALTER SCHEMA ${name("conf_schemas", "analytics")} OWNER TO ${ident("sysadmin")}`).then(() => undefined) },
  },
  Store: {
    setup: async (api) => api.statement(sql`CREATE ROLE ${ident("conf_owner")}`).then(() => undefined, ignoreConflict),
    valid: { name: "conf_kafka", type: "KAFKA", uris: "broker-1.conformance.test:9092", kafka: { saslHashFunction: "PLAIN", tlsDisabled: true }, credentials: { username: "svc", password: "conf-secret-pw" } },
    update: { uris: "broker-1.conformance.test:9092,broker-2.conformance.test:9092", credentials: { username: "svc", password: "conf-secret-pw-2" } },
    updateRequest: { ...STATEMENTS, idempotent: true },
    replace: { type: "CONFLUENT_KAFKA", allowReplace: true },
    invalid: [
      { inputs: { type: "MYSQL" }, field: "type" },
      { inputs: { uris: "" }, field: "uris" },
      { inputs: { credentials: { username: "svc" } }, field: "credentials" },
      { inputs: { postgres: { tlsDisabled: true } }, field: "postgres" },
      { inputs: { credentials: { username: "svc", password: "x-secret", appToken: "tok" } }, field: "credentials.appToken" },
      { inputs: { kafka: { saslHashFunction: "MD5" } }, field: "kafka.saslHashFunction" },
    ],
    outOfBand: { field: "uris", apply: (api, id) => api.statement(sql`UPDATE STORE ${ident(id)} WITH ('uris' = 'changed-by-hand.test:9092')`).then(() => undefined) },
  },
  SchemaRegistry: {
    valid: { name: "conf_registry", type: "CONFLUENT", uris: "https://registry.conformance.test:8081", credentials: { username: "reg-user", password: "reg-secret-pw" } },
    update: { uris: "https://registry-2.conformance.test:8081" },
    updateRequest: { ...STATEMENTS, idempotent: true },
    replace: { type: "CONFLUENT_CLOUD" },
    invalid: [
      { inputs: { type: "APICURIO" }, field: "type" },
      { inputs: { uris: "" }, field: "uris" },
      { inputs: { credentials: { token: "x" } }, field: "credentials" },
    ],
    outOfBand: { field: "uris", apply: (api, id) => api.statement(sql`UPDATE SCHEMA_REGISTRY ${ident(id)} WITH ('uris' = 'https://by-hand.test:8081')`).then(() => undefined) },
  },
  Secret: {
    setup: ensureOwner,
    valid: { name: "conf_secret", value: "conf-secret-value-1", description: "conformance" },
    update: { value: "conf-secret-value-2", description: "changed" },
    replace: { name: "conf_secret_two" },
    invalid: [
      { inputs: { value: "" }, field: "value" },
      { inputs: { type: "AWS_ACCESS_KEY" }, field: "type" },
      { inputs: { name: "1bad" }, field: "name" },
    ],
    outOfBand: { field: "description", apply: (api, id) => api.statement(sql`UPDATE SECRET ${ident(id)} WITH ('description' = 'by hand')`).then(() => undefined) },
  },
  Entity: {
    setup: ensureStore("conf_entity_store"),
    valid: { store: "conf_entity_store", name: "conf_topic", partitions: 2, replicas: 1, configs: { "retention.ms": "86400000" } },
    update: { partitions: 3, configs: { "retention.ms": "3600000", "cleanup.policy": "delete" } },
    replace: { partitions: 1, allowDataLoss: true },
    invalid: [
      { inputs: { partitions: 0 }, field: "partitions" },
      { inputs: { name: "bad topic!" }, field: "name" },
      { inputs: { configs: { "retention.ms": 5 } }, field: "configs" },
    ],
    outOfBand: { field: "configs", apply: (api) => api.statement(sql`UPDATE ENTITY ${ident("conf_topic")} IN STORE ${ident("conf_entity_store")} WITH ('kafka.topic.retention.ms' = '1')`).then(() => undefined) },
  },
  Relation: {
    setup: async (api) => {
      await ensureOwner(api);
      await ensureStore("conf_rel_store")(api);
      await api.statement(sql`CREATE DATABASE ${ident("conf_rel_db")}`).catch(ignoreConflict);
    },
    valid: {
      database: "conf_rel_db",
      name: "pageviews",
      type: "stream",
      store: "conf_rel_store",
      columns: [{ name: "viewtime", type: "BIGINT" }, { name: "userid", type: "VARCHAR" }, { name: "pageid", type: "VARCHAR" }],
      topic: "pageviews",
      topicPartitions: 1,
    },
    update: { owner: "conf_owner" },
    updateRequest: STATEMENTS,
    replace: { columns: [{ name: "viewtime", type: "BIGINT" }, { name: "userid", type: "VARCHAR" }], allowDataLoss: true },
    invalid: [
      { inputs: { type: "view" }, field: "type" },
      { inputs: { columns: [{ name: "a", type: "TEXTT" }] }, field: "columns.0.type" },
      { inputs: { sql: "CREATE STREAM pageviews (a VARCHAR) WITH ('topic' = 'p')" }, field: "sql" },
      { inputs: { columns: undefined, sql: "DROP STREAM pageviews" }, unset: ["columns"], field: "sql" },
      { inputs: { type: "changelog" }, field: "primaryKey" },
      { inputs: { columns: [{ name: "x", type: "VARCHAR); DROP DATABASE conf_rel_db; --" }] }, field: "columns.0.type" },
    ],
    outOfBand: { field: "owner", apply: (api) => api.statement(sql`ALTER STREAM ${name("conf_rel_db", "public", "pageviews")} OWNER TO ${ident("sysadmin")}`).then(() => undefined) },
  },
  Query: {
    setup: async (api) => {
      await ensureOwner(api);
      await ensureStore("conf_q_store")(api);
      await api.statement(sql`CREATE DATABASE ${ident("conf_q_db")}`).catch(ignoreConflict);
      for (const n of ["q_src", "q_sink"]) {
        await api
          .statement(sql`CREATE STREAM ${name("conf_q_db", "public", n)} (${ident("id")} BIGINT, ${ident("v")} VARCHAR) WITH ('topic' = ${literal(n)}, 'value.format' = 'json', 'store' = 'conf_q_store', 'topic.partitions' = 1)`)
          .catch(ignoreConflict);
      }
    },
    valid: { sql: 'INSERT INTO "conf_q_db"."public"."q_sink" SELECT "id", "v" FROM "conf_q_db"."public"."q_src"', sink: "conf_q_db.public.q_sink", sources: ["conf_q_db.public.q_src"] },
    update: { owner: "conf_owner" },
    updateRequest: STATEMENTS,
    replace: { sql: 'INSERT INTO "conf_q_db"."public"."q_sink" SELECT "id", "v" FROM "conf_q_db"."public"."q_src" WHERE "id" > 0', allowReplace: true },
    invalid: [
      { inputs: { sql: "SELECT 1" }, field: "sql" },
      { inputs: { sql: "DROP DATABASE conf_q_db" }, field: "sql" },
      { inputs: { sink: "not-fqn" }, field: "sink" },
      { inputs: { sql: 'INSERT INTO "conf_q_db"."public"."q_sink" SELECT 1; DROP DATABASE conf_q_db' }, field: "sql" },
    ],
    outOfBand: { field: "owner", apply: async (api, id) => void (await api.statement(sql`ALTER QUERY ${ident(id)} OWNER TO ${ident("sysadmin")}`)) },
  },
  Application: {
    setup: async (api) => {
      await ensureOwner(api);
      await ensureStore("conf_app_store")(api);
      await api.statement(sql`CREATE DATABASE ${ident("conf_app_db")}`).catch(ignoreConflict);
      for (const n of ["a_src", "a_sink1", "a_sink2"]) {
        await api
          .statement(sql`CREATE STREAM ${name("conf_app_db", "public", n)} (${ident("id")} BIGINT, ${ident("v")} VARCHAR) WITH ('topic' = ${literal(n)}, 'value.format' = 'json', 'store' = 'conf_app_store', 'topic.partitions' = 1)`)
          .catch(ignoreConflict);
      }
    },
    valid: {
      name: "conf_app",
      statements: ['INSERT INTO "conf_app_db"."public"."a_sink1" SELECT "id", "v" FROM "conf_app_db"."public"."a_src"', 'INSERT INTO "conf_app_db"."public"."a_sink2" SELECT "id", "v" FROM "conf_app_db"."public"."a_src" WHERE "id" > 10'],
    },
    update: { owner: "conf_owner" },
    updateRequest: STATEMENTS,
    replace: { statements: ['INSERT INTO "conf_app_db"."public"."a_sink1" SELECT "id", "v" FROM "conf_app_db"."public"."a_src"'], allowReplace: true },
    invalid: [
      { inputs: { statements: [] }, field: "statements" },
      { inputs: { statements: ["DROP STREAM x"] }, field: "statements.0" },
      { inputs: { name: "bad name" }, field: "name" },
    ],
  },
  ComputePool: {
    setup: ensureOwner,
    valid: { name: "conf_pool", size: "small", timeoutMinutes: 5 },
    update: { size: "medium", timeoutMinutes: 10 },
    updateRequest: { ...STATEMENTS, idempotent: true },
    replace: { name: "conf_pool_two" },
    invalid: [
      { inputs: { size: "huge" }, field: "size" },
      { inputs: { timeoutMinutes: -1 }, field: "timeoutMinutes" },
      { inputs: { running: "yes" }, field: "running" },
    ],
    outOfBand: { field: "size", apply: (api, id) => api.statement(sql`UPDATE COMPUTE_POOL ${ident(id)} WITH ('compute_pool.size' = 'large')`).then(() => undefined) },
  },
  Role: {
    setup: async (api) => {
      for (const r of ["conf_parent", "conf_member"]) await api.statement(sql`CREATE ROLE ${ident(r)}`).catch(ignoreConflict);
    },
    valid: { name: "conf_role", parentRoles: ["conf_parent"] },
    update: { parentRoles: ["conf_parent", "public"], memberRoles: ["conf_member"] },
    updateRequest: STATEMENTS,
    replace: { name: "conf_role_two" },
    invalid: [
      { inputs: { name: "bad role" }, field: "name" },
      { inputs: { parentRoles: ["x y"] }, field: "parentRoles.0" },
    ],
    outOfBand: { field: "parentRoles", apply: (api, id) => api.statement(sql`REVOKE ROLE ${ident("conf_parent")} FROM ROLE ${ident(id)}`).then(() => undefined) },
  },
  Grant: {
    setup: async (api) => {
      await api.statement(sql`CREATE ROLE ${ident("conf_grantee")}`).catch(ignoreConflict);
      await api.statement(sql`CREATE DATABASE ${ident("conf_grant_db")}`).catch(ignoreConflict);
    },
    valid: { role: "conf_grantee", objectType: "DATABASE", objectName: "conf_grant_db", privileges: ["USAGE"] },
    update: { privileges: ["USAGE", "CREATE"] },
    replace: { objectType: "ORGANIZATION", objectName: undefined, privileges: ["CREATE_DATABASE"] },
    invalid: [
      { inputs: { privileges: [] }, field: "privileges" },
      { inputs: { objectType: "ORGANIZATION" }, field: "objectName" },
      { inputs: { privileges: ["CREATE_DATABASE"] }, field: "privileges.0" },
      { inputs: { objectType: "SCHEMA" }, field: "objectName" },
    ],
    outOfBand: { field: "privileges", apply: (api) => api.statement(sql`REVOKE USAGE ON DATABASE ${ident("conf_grant_db")} FROM ROLE ${ident("conf_grantee")}`).then(() => undefined) },
  },
  ApiToken: {
    setup: async (api) => api.statement(sql`CREATE ROLE ${ident("conf_token_role")}`).then(() => undefined, ignoreConflict),
    valid: { name: "conf_token", role: "conf_token_role" },
    replace: { role: "sysadmin" },
    invalid: [
      { inputs: { name: "" }, field: "name" },
      { inputs: { expiresInDays: 0 }, field: "expiresInDays" },
    ],
  },
};
