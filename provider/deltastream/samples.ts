/** Conformance samples for the DeltaStream kinds (test/conformance/): valid, changed and bad inputs. */
import type { Samples } from "../framework/spec";
import type { DeltaStreamApi } from "./api";
import { isConflict } from "../http/errors";
import { ident, name, sql } from "../sql/builder";

type S = Samples<Record<string, any>, DeltaStreamApi>;

const ignoreConflict = (e: unknown) => (isConflict(e) ? undefined : Promise.reject(e));
const STATEMENTS = { method: "POST", path: "^/v2/statements$" };

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
};
