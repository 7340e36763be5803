/**
 * The DeltaStream emulator's embedded engine: one DuckDB database whose catalog is named
 * `deltastream` (the file `deltastream.duckdb` next to the JSON state; in memory without one), so
 * the vendor's read-back statements — `SELECT "owner", created_at FROM deltastream.sys."stores"
 * WHERE name = '…'` — run as written. Schemas:
 *   sys       the catalogue the vendor's providers read (snake_case columns, one row per object)
 *   data      one table per relation (stream, changelog, table), named r_<id>, plus `__ds_seq`
 *   topics    one table per entity (topic) of a store: (seq, key, value, produced_at)
 *   internal  what the emulator keeps for itself (store properties with their secrets, offsets)
 */
import { randomUUID } from "node:crypto";
import { DuckDb, all, quoteIdent } from "../framework/duckdb";
import type { DuckDBConnection } from "../framework/duckdb";

const TS = "TIMESTAMP";

/** `deltastream.sys` tables: name → columns (DuckDB DDL). */
export const SYS_TABLES: Record<string, string> = {
  organizations: `id VARCHAR, name VARCHAR, description VARCHAR, created_at ${TS}`,
  databases: `id VARCHAR, name VARCHAR, "owner" VARCHAR, is_default BOOLEAN, created_at ${TS}, updated_at ${TS}`,
  schemas: `id VARCHAR, database_name VARCHAR, name VARCHAR, "owner" VARCHAR, is_default BOOLEAN, created_at ${TS}, updated_at ${TS}`,
  stores: `id VARCHAR, name VARCHAR, type VARCHAR, status VARCHAR, status_message VARCHAR, uris VARCHAR, schema_registry_name VARCHAR, properties VARCHAR, is_default BOOLEAN, "owner" VARCHAR, created_at ${TS}, updated_at ${TS}`,
  entities: `id VARCHAR, store_name VARCHAR, name VARCHAR, path VARCHAR, partitions INTEGER, replicas INTEGER, shards INTEGER, configs VARCHAR, key_descriptor VARCHAR, value_descriptor VARCHAR, "owner" VARCHAR, created_at ${TS}, updated_at ${TS}`,
  secrets: `id VARCHAR, name VARCHAR, type VARCHAR, description VARCHAR, status VARCHAR, status_message VARCHAR, "owner" VARCHAR, created_at ${TS}, updated_at ${TS}`,
  schema_registries: `id VARCHAR, name VARCHAR, type VARCHAR, status VARCHAR, status_message VARCHAR, uris VARCHAR, "owner" VARCHAR, created_at ${TS}, updated_at ${TS}`,
  relations: `id VARCHAR, database_name VARCHAR, schema_name VARCHAR, name VARCHAR, fqn VARCHAR, relation_type VARCHAR, "state" VARCHAR, store_name VARCHAR, entity_name VARCHAR, value_format VARCHAR, key_format VARCHAR, primary_key VARCHAR, columns VARCHAR, properties VARCHAR, "sql" VARCHAR, "owner" VARCHAR, created_at ${TS}, updated_at ${TS}`,
  queries: `id VARCHAR, name VARCHAR, "version" INTEGER, "sql" VARCHAR, intended_state VARCHAR, current_state VARCHAR, error_message VARCHAR, sink VARCHAR, sources VARCHAR, application_name VARCHAR, compute_pool_name VARCHAR, "owner" VARCHAR, created_at ${TS}, updated_at ${TS}`,
  compute_pools: `id VARCHAR, name VARCHAR, size VARCHAR, timeout_min INTEGER, intended_state VARCHAR, status VARCHAR, status_message VARCHAR, "owner" VARCHAR, created_at ${TS}, updated_at ${TS}`,
  roles: `id VARCHAR, name VARCHAR, is_builtin BOOLEAN, "owner" VARCHAR, created_at ${TS}, updated_at ${TS}`,
  role_members: `role_name VARCHAR, member_role_name VARCHAR, created_at ${TS}`,
  grants: `privilege VARCHAR, object_type VARCHAR, object_name VARCHAR, grantee_role VARCHAR, with_grant_option BOOLEAN, granted_by VARCHAR, created_at ${TS}`,
  api_tokens: `id VARCHAR, name VARCHAR, role_name VARCHAR, "owner" VARCHAR, expires_at ${TS}, created_at ${TS}, updated_at ${TS}`,
};

/** Internal tables (not visible as `deltastream.sys`). */
const INTERNAL_TABLES: Record<string, string> = {
  store_secrets: "store_name VARCHAR, properties VARCHAR",
  secret_values: "secret_name VARCHAR, properties VARCHAR",
  /** A relation's position in its entity's topic (the last seq it ingested). */
  relation_offsets: "relation_id VARCHAR, topic_seq BIGINT",
  /** A query's position in each source relation (the last __ds_seq it processed). */
  query_offsets: "query_id VARCHAR, relation_id VARCHAR, seq BIGINT",
  /** Files attached to CREATE FUNCTION_SOURCE / DESCRIPTOR_SOURCE (base64; served by /v2/download). */
  downloads: "resource_type VARCHAR, name VARCHAR, content VARCHAR",
  /** How a continuous query runs: its DuckDB SELECT (with watermark placeholders), sink and sources. */
  query_plans: "query_id VARCHAR, mode VARCHAR, duck_sql VARCHAR, sink_relation_id VARCHAR, source_relation_ids VARCHAR, output_columns VARCHAR, app_id VARCHAR",
  /** Readiness and state-change deadlines (epoch ms). */
  timers: "kind VARCHAR, name VARCHAR, due BIGINT, next_state VARCHAR, message VARCHAR",
};

export const BUILTIN_ROLES = ["orgadmin", "sysadmin", "securityadmin", "useradmin", "public"];

/** The DuckDB engine of one emulator. */
export class Catalog {
  readonly db: DuckDb;
  private fileBacked: boolean;

  constructor(file: string | undefined) {
    this.fileBacked = !!file;
    this.db = new DuckDb({ file, config: { threads: "1" } });
  }

  /** Creates the schemas and tables (idempotent), seeds the organization and built-in roles. */
  async init(org: { id: string; name: string }, now: string): Promise<void> {
    await this.db.exclusive(async (c) => {
      if (!this.fileBacked) {
        await c.run("ATTACH IF NOT EXISTS ':memory:' AS deltastream");
        await c.run("USE deltastream");
      }
      const cat = String((await all(c, "SELECT current_database() AS c"))[0].c);
      if (cat !== "deltastream") throw new Error(`the DeltaStream emulator's DuckDB catalog must be named deltastream (got ${cat})`);
      for (const s of ["sys", "data", "topics", "internal"]) await c.run(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      for (const [t, cols] of Object.entries(SYS_TABLES)) await c.run(`CREATE TABLE IF NOT EXISTS sys.${quoteIdent(t)} (${cols})`);
      for (const [t, cols] of Object.entries(INTERNAL_TABLES)) await c.run(`CREATE TABLE IF NOT EXISTS internal.${quoteIdent(t)} (${cols})`);
      // files written by an earlier version of the emulator
      await c.run("ALTER TABLE internal.query_plans ADD COLUMN IF NOT EXISTS app_id VARCHAR");
      // statements run SELECTs written by clients: no file, network or extension access from SQL
      await c.run("SET enable_external_access = false");
      await c.run("SET lock_configuration = true");
      const orgs = await all(c, "SELECT id FROM sys.organizations");
      if (!orgs.length) await c.run("INSERT INTO sys.organizations VALUES ($1, $2, '', $3)", [org.id, org.name, now]);
      for (const r of BUILTIN_ROLES) {
        const have = await all(c, "SELECT 1 FROM sys.roles WHERE name = $1", [r]);
        if (!have.length) await c.run("INSERT INTO sys.roles VALUES ($1, $2, TRUE, 'orgadmin', $3, $3)", [cryptoId(), r, now]);
      }
      // built-in hierarchy: orgadmin holds sysadmin and securityadmin; securityadmin holds useradmin; everyone has public
      for (const [role, member] of [["sysadmin", "orgadmin"], ["securityadmin", "orgadmin"], ["useradmin", "securityadmin"]]) {
        const have = await all(c, "SELECT 1 FROM sys.role_members WHERE role_name = $1 AND member_role_name = $2", [role, member]);
        if (!have.length) await c.run("INSERT INTO sys.role_members VALUES ($1, $2, $3)", [role, member, now]);
      }
    });
  }

  /** Runs `fn` alone on the shared connection. */
  exclusive<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.db.exclusive(fn);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

/** A random UUID (v4). */
export const cryptoId = (): string => randomUUID();

/** The DuckDB table of a relation / of an entity's topic. */
export const relationTable = (id: string) => `data.${quoteIdent("r_" + id.replace(/-/g, ""))}`;
export const topicTable = (id: string) => `topics.${quoteIdent("t_" + id.replace(/-/g, ""))}`;
