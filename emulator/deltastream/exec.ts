/**
 * The DeltaStream statements the emulator executes, on its DuckDB catalogue (catalog.ts). One
 * function per statement family; each returns the vendor's result rows, whether the vendor
 * answers it asynchronously (202 + poll), and any context change (USE …).
 *
 * Identifiers follow the vendor's rules: `"Quoted"` kept exactly, unquoted lower-cased; string
 * literals `'…'` with `''`. Errors are SqlStateError(sqlState, message) — the HTTP layer turns
 * them into HTTP 200 answers carrying that sqlState, as the vendor does.
 */
import { createHash, randomBytes } from "node:crypto";
import type { DuckDBConnection } from "../framework/duckdb";
import { all, quoteIdent, quoteLiteral } from "../framework/duckdb";
import { Cursor, PropValue, Props, SqlStateError, Stmt, propText, quoteIdent as dsQuote, rawLength, syntaxError } from "./parser";
import { BUILTIN_ROLES, cryptoId, relationTable, topicTable } from "./catalog";
import { Column, Result, col, dsTypeOf, duckTypeOf, empty, resultOf } from "./types";
import { RelationRef, rewriteSelect } from "./select";
import { tokenize } from "../framework/sql";

export interface EngineOptions {
  /** Delay before a 202 statement's result is available (ms). */
  asyncStatementMs: number;
  /** Delay before a store / schema registry / secret / compute pool leaves its transitional state (ms). */
  readyMs: number;
  /** Delay before a query goes starting → running, and terminate_requested → terminated (ms). */
  queryStartMs: number;
  /** URIs matching this pattern are unreachable: the store or schema registry ends `errored`. */
  unreachableUris: RegExp;
  /** Limits (53000 when exceeded). */
  maxComputePools: number;
  maxQueries: number;
  maxApiTokens: number;
}

export interface SessionContext {
  organizationID: string;
  /** The organization as the request named it (name or ID); the planner's fqn prefix. */
  organization: string;
  role: string;
  database?: string;
  schema?: string;
  store?: string;
  computePool?: string;
}

export interface Env {
  ctx: SessionContext;
  attachments: Map<string, Buffer>;
  now: Date;
  opts: EngineOptions;
  /** Registers an API token's hash (auth of later requests). */
  onToken?: (name: string, hash: string | null) => void;
}

export interface Outcome {
  result: Result;
  async: boolean;
  context?: Partial<SessionContext>;
  /** An interactive SELECT over relations (the vendor serves its rows from the data plane). */
  interactive?: boolean;
}

type Row = Record<string, unknown>;

const ARTIFACT_COLUMNS: Column[] = [col("type"), col("name"), col("command"), col("summary", "VARCHAR", true), col("path")];

const STORE_TYPE_NAMES: Record<string, string> = {
  KAFKA: "Kafka",
  CONFLUENT_KAFKA: "ConfluentKafka",
  KINESIS: "Kinesis",
  POSTGRESQL: "Postgres",
  SNOWFLAKE: "Snowflake",
  DATABRICKS: "Databricks",
};
const STREAMING_STORES = new Set(["Kafka", "ConfluentKafka", "Kinesis"]);

const COMMON_STORE_PROPS = ["type", "uris", "access_region", "tls.disabled", "tls.verify_server_hostname", "tls.ca_cert_file", "tls.client.cert_file", "tls.client.key_file", "schema_registry.name", "kafka.schema_registry_name", "properties.file"];
const STORE_PROPS: Record<string, { allowed: string[]; required: string[] }> = {
  KAFKA: { allowed: ["kafka.sasl.hash_function", "kafka.sasl.username", "kafka.sasl.password", "kafka.msk.iam_role_arn", "kafka.msk.aws_region", "kafka.sasl.secret_id"], required: ["uris"] },
  CONFLUENT_KAFKA: { allowed: ["kafka.sasl.hash_function", "kafka.sasl.username", "kafka.sasl.password", "confluent_kafka.sasl.hash_function", "confluent_kafka.sasl.username", "confluent_kafka.sasl.password"], required: ["uris"] },
  KINESIS: { allowed: ["kinesis.account.id", "kinesis.account_id", "kinesis.access_key_id", "kinesis.secret_access_key", "kinesis.iam_role_arn"], required: ["uris"] },
  POSTGRESQL: { allowed: ["postgres.username", "postgres.password"], required: ["uris", "postgres.username", "postgres.password"] },
  SNOWFLAKE: {
    allowed: ["snowflake.account_id", "snowflake.cloud.region", "snowflake.warehouse_name", "snowflake.role_name", "snowflake.username", "snowflake.client.key_file", "snowflake.client.key_passphrase"],
    required: ["uris", "snowflake.account_id", "snowflake.cloud.region", "snowflake.warehouse_name", "snowflake.role_name", "snowflake.username", "snowflake.client.key_file"],
  },
  DATABRICKS: {
    allowed: ["databricks.app_token", "databricks.warehouse_id", "databricks.warehouse_port", "aws.access_key_id", "aws.secret_access_key", "databricks.cloud.s3.bucket", "databricks.cloud.region"],
    required: ["uris", "databricks.app_token", "databricks.warehouse_id", "aws.access_key_id", "aws.secret_access_key", "databricks.cloud.s3.bucket", "databricks.cloud.region"],
  },
};
const SASL = ["PLAIN", "SHA256", "SHA512", "AWS_MSK_IAM", "NONE"];
/** Property names whose values are credentials (kept out of sys tables and DESCRIBE). */
export const SECRET_PROP = /password|secret|token|passphrase|key_file|access_key|secret_string|cert_file/i;

const ORG_PRIVILEGES = ["CREATE_COMPUTE_POOL", "CREATE_DATABASE", "CREATE_STORE", "CREATE_SCHEMA_REGISTRY", "CREATE_DESCRIPTOR_SOURCE", "CREATE_FUNCTION_SOURCE", "CREATE_FUNCTION", "CREATE_QUERY", "CREATE_SECRET", "CREATE_API_TOKEN", "MANAGE_MEMBERS", "MANAGE_GRANTS", "ALL"];
const OBJECT_PRIVILEGES = ["USAGE", "CREATE", "SELECT", "INSERT", "DROP", "ALTER", "ALL"];
const GRANT_OBJECTS = ["ORGANIZATION", "DATABASE", "SCHEMA", "STORE", "SCHEMA_REGISTRY", "SECRET", "COMPUTE_POOL", "RELATION", "STREAM", "CHANGELOG", "TABLE", "QUERY"];

const iso = (d: Date) => d.toISOString().replace("T", " ").replace("Z", "");
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const notFound = (code: string, what: string, name: string) => new SqlStateError(code, `${what} "${name}" does not exist`);
const dup = (code: string, what: string, name: string) => new SqlStateError(code, `${what} "${name}" already exists`);
const fqnOf = (db: string, s: string, n: string) => `${dsQuote(db)}.${dsQuote(s)}.${dsQuote(n)}`;

function checkName(name: string): void {
  if (name.length > 255) throw new SqlStateError("42622", `name "${name.slice(0, 32)}…" is too long (at most 255 characters)`);
}

export class Executor {
  /**
   * `app`: the application whose statements this executor runs. An application is one query of
   * `deltastream.sys."queries"`; the queries of its statements run under it, unlisted.
   */
  constructor(private readonly c: DuckDBConnection, private readonly env: Env, private readonly app: { id: string; name: string } | null = null) {}

  private q(sql: string, params?: (string | number | boolean | null)[]): Promise<Row[]> {
    return all(this.c, sql, params);
  }
  private async run(sql: string, params?: (string | number | boolean | null)[]): Promise<void> {
    await this.c.run(sql, params as any);
  }
  private get now(): string {
    return iso(this.env.now);
  }
  private dueIn(ms: number): number {
    return this.env.now.getTime() + ms;
  }
  private async timer(kind: string, name: string, ms: number, next: string, message: string | null = null): Promise<void> {
    await this.run("DELETE FROM internal.timers WHERE kind = $1 AND name = $2", [kind, name]);
    await this.run("INSERT INTO internal.timers VALUES ($1, $2, $3, $4, $5)", [kind, name, this.dueIn(ms), next, message]);
  }
  private artifact(type: string, name: string, command: string, path: string[], summary: string | null = null): Result {
    return { columns: ARTIFACT_COLUMNS, rows: [[type, name, command, summary, JSON.stringify(path)]] };
  }

  // ------------------------------------------------------------------ roles and privileges

  /** The request's role and every role it holds (recursively). */
  private async effectiveRoles(role = this.env.ctx.role, withPublic = true): Promise<Set<string>> {
    const seen = new Set<string>(withPublic ? [role, "public"] : [role]);
    const queue = [role];
    while (queue.length) {
      const r = queue.pop()!;
      for (const row of await this.q("SELECT role_name FROM sys.role_members WHERE member_role_name = $1", [r])) {
        const n = String(row.role_name);
        if (!seen.has(n)) {
          seen.add(n);
          queue.push(n);
        }
      }
    }
    return seen;
  }
  private async isAdmin(): Promise<boolean> {
    const roles = await this.effectiveRoles();
    return roles.has("sysadmin") || roles.has("orgadmin");
  }
  private async hasPrivilege(privilege: string, objectType: string, objectName: string): Promise<boolean> {
    if (await this.isAdmin()) return true;
    const roles = [...(await this.effectiveRoles())].map((r) => quoteLiteral(r)).join(", ");
    const rows = await this.q(`SELECT 1 FROM sys.grants WHERE grantee_role IN (${roles}) AND object_type = $1 AND object_name = $2 AND (privilege = $3 OR privilege = 'ALL')`, [objectType, objectName, privilege]);
    return rows.length > 0;
  }
  private async requireOrgPrivilege(privilege: string): Promise<void> {
    if (!(await this.hasPrivilege(privilege, "ORGANIZATION", this.env.ctx.organizationID))) {
      throw new SqlStateError("42501", `role "${this.env.ctx.role}" does not have the ${privilege} privilege on the organization`);
    }
  }
  /** Owner (or a role holding it), an admin, or a grant of `privilege` on the object. */
  private async requireOwnerOr(owner: string, privilege: string, objectType: string, objectName: string, what: string): Promise<void> {
    const roles = await this.effectiveRoles();
    if (roles.has(owner) || (await this.hasPrivilege(privilege, objectType, objectName))) return;
    throw new SqlStateError("42501", `role "${this.env.ctx.role}" does not have the ${privilege} privilege on ${what}`);
  }
  private async requireRole(name: string): Promise<void> {
    if (!(await this.q("SELECT 1 FROM sys.roles WHERE name = $1", [name])).length) throw notFound("3D001", "role", name);
  }

  // ------------------------------------------------------------------ lookups

  private async database(name: string): Promise<Row> {
    const r = await this.q("SELECT * FROM sys.databases WHERE name = $1", [name]);
    if (!r.length) throw notFound("3D002", "database", name);
    return r[0];
  }
  private async schema(db: string, name: string): Promise<Row> {
    await this.database(db);
    const r = await this.q("SELECT * FROM sys.schemas WHERE database_name = $1 AND name = $2", [db, name]);
    if (!r.length) throw notFound("3D003", "schema", `${db}.${name}`);
    return r[0];
  }
  private async store(name: string): Promise<Row> {
    const r = await this.q("SELECT * FROM sys.stores WHERE name = $1", [name]);
    if (!r.length) throw notFound("3D006", "store", name);
    return r[0];
  }
  private async computePool(name: string): Promise<Row> {
    const r = await this.q("SELECT * FROM sys.compute_pools WHERE name = $1", [name]);
    if (!r.length) throw notFound("3D023", "compute pool", name);
    return r[0];
  }
  /** The context database (request's, else the default one). */
  private async contextDatabase(): Promise<string> {
    if (this.env.ctx.database) return this.env.ctx.database;
    const r = await this.q("SELECT name FROM sys.databases WHERE is_default ORDER BY created_at LIMIT 1");
    if (!r.length) throw new SqlStateError("3D002", "no database is selected: name one in the statement or in the request's `database`");
    return String(r[0].name);
  }
  private contextSchema(): string {
    return this.env.ctx.schema ?? "public";
  }
  private async contextStore(): Promise<string> {
    if (this.env.ctx.store) return this.env.ctx.store;
    const r = await this.q("SELECT name FROM sys.stores WHERE is_default ORDER BY created_at LIMIT 1");
    if (!r.length) throw new SqlStateError("3D006", "no store is selected: name one with 'store' or in the request's `store`");
    return String(r[0].name);
  }
  /** A relation by 1-3 part name, resolved against the context. */
  async relation(parts: string[]): Promise<RelationRef & Row> {
    const [db, s, n] = parts.length === 3 ? parts : parts.length === 2 ? [await this.contextDatabase(), parts[0], parts[1]] : [await this.contextDatabase(), this.contextSchema(), parts[0]];
    const r = await this.q("SELECT * FROM sys.relations WHERE database_name = $1 AND schema_name = $2 AND name = $3", [db, s, n]);
    if (!r.length) throw notFound("3D020", "relation", `${db}.${s}.${n}`);
    return r[0] as RelationRef & Row;
  }
  private async fullName(parts: string[]): Promise<[string, string, string]> {
    if (parts.length === 3) return parts as [string, string, string];
    if (parts.length === 2) return [await this.contextDatabase(), parts[0], parts[1]];
    return [await this.contextDatabase(), this.contextSchema(), parts[0]];
  }

  // ------------------------------------------------------------------ dispatch

  async execute(stmt: Stmt): Promise<Outcome> {
    const k = new Cursor(stmt);
    const w0 = k.word();
    const sync = (result: Result, context?: Partial<SessionContext>): Outcome => ({ result, async: false, context });
    switch (w0) {
      case "SELECT":
      case "WITH": {
        const { result, interactive } = await this.select(stmt.text);
        return { result, async: false, interactive };
      }
      case "LIST":
      case "SHOW":
        k.i++;
        return sync(await this.list(k));
      case "DESCRIBE":
        k.i++;
        return sync(await this.describe(k));
      case "CREATE":
        k.i++;
        return this.create(k);
      case "DROP":
        k.i++;
        return this.drop(k);
      case "UPDATE":
        k.i++;
        return this.update(k);
      case "ALTER":
        k.i++;
        return sync(await this.alterOwner(k));
      case "INSERT":
        return this.insertInto(k, stmt);
      case "BEGIN":
        return this.application(k, stmt);
      case "TERMINATE":
      case "RESTART":
        k.i++;
        return this.queryControl(k, w0);
      case "START":
      case "STOP":
        k.i++;
        return this.poolControl(k, w0);
      case "GRANT":
      case "REVOKE":
        k.i++;
        return sync(await this.grant(k, w0 === "GRANT"));
      case "USE":
        k.i++;
        return this.use(k);
      case "PRINT":
        k.i++;
        return sync(await this.print(k));
      case "CAN":
        k.i++;
        return sync(await this.canI(k));
      default:
        if (!w0) throw syntaxError(`parse error: no viable alternative at input '${k.peek()?.v ?? ""}'`);
        throw syntaxError(`parse error: mismatched input '${k.peek()!.v}' expecting a statement`);
    }
  }

  // ------------------------------------------------------------------ SELECT

  private async select(sql: string): Promise<{ result: Result; interactive: boolean }> {
    const rw = await rewriteSelect(sql.replace(/;\s*$/, ""), (parts) => this.relation(parts));
    try {
      return { result: await resultOf(this.c, rw.sql, undefined, { ltz: rw.sysOnly }), interactive: !rw.sysOnly };
    } catch (e) {
      if (e instanceof SqlStateError) throw e;
      throw engineError(e);
    }
  }

  // ------------------------------------------------------------------ LIST / SHOW

  private async list(k: Cursor): Promise<Result> {
    const what = k.word();
    k.i++;
    const ltz = { ltz: true };
    switch (what) {
      case "ORGANIZATIONS":
        k.end();
        return resultOf(this.c, `SELECT id AS "ID", name AS "Name", description AS "Description", NULL::VARCHAR AS "ProfileImageURI", created_at AS "CreatedAt" FROM sys.organizations`, [], ltz);
      case "DATABASES":
        k.end();
        return resultOf(this.c, `SELECT name AS "Name", is_default AS "IsDefault", "owner" AS "Owner", created_at AS "CreatedAt", updated_at AS "UpdatedAt" FROM sys.databases ORDER BY name`, [], ltz);
      case "SCHEMAS": {
        const db = k.accept("IN", "DATABASE") || k.accept("IN") ? k.ident() : await this.contextDatabase();
        k.end();
        await this.database(db);
        return resultOf(this.c, `SELECT name AS "Name", is_default AS "IsDefault", "owner" AS "Owner", created_at AS "CreatedAt", updated_at AS "UpdatedAt" FROM sys.schemas WHERE database_name = $1 ORDER BY name`, [db], ltz);
      }
      case "STORES":
        k.end();
        return resultOf(this.c, `SELECT name AS "Name", type AS "Type", status AS "State", status_message AS "Message", is_default AS "IsDefault", "owner" AS "Owner", created_at AS "CreatedAt", updated_at AS "UpdatedAt" FROM sys.stores ORDER BY name`, [], ltz);
      case "SECRETS":
        k.end();
        return resultOf(this.c, `SELECT name AS "Name", type AS "Type", description AS "Description", status AS "Status", "owner" AS "Owner", created_at AS "CreatedAt", updated_at AS "UpdatedAt" FROM sys.secrets ORDER BY name`, [], ltz);
      case "SCHEMA_REGISTRIES":
        k.end();
        return resultOf(this.c, `SELECT name AS "Name", type AS "Type", status AS "State", "owner" AS "Owner", created_at AS "CreatedAt", updated_at AS "UpdatedAt" FROM sys.schema_registries ORDER BY name`, [], ltz);
      case "ENTITIES": {
        let prefix: string[] = [];
        if (k.isWord("IN") && !k.isWord("STORE", 1)) {
          k.i++;
          prefix = k.name(5);
        }
        const store = k.accept("IN", "STORE") ? k.ident() : await this.contextStore();
        k.end();
        await this.store(store);
        const rows = await this.q("SELECT name FROM sys.entities WHERE store_name = $1 ORDER BY name", [store]);
        const p = prefix.join(".");
        const names = rows.map((r) => String(r.name)).filter((n) => !p || n.startsWith(p + "."));
        return { columns: [col("Name"), col("IsLeaf", "BOOLEAN")], rows: names.map((n) => [p ? n.slice(p.length + 1) : n, "true"]) };
      }
      case "RELATIONS":
      case "STREAMS":
      case "CHANGELOGS":
      case "TABLES": {
        let db: string | undefined;
        let schema: string | undefined;
        if (k.accept("IN", "SCHEMA") || k.accept("IN")) {
          const parts = k.name(2);
          [db, schema] = parts.length === 2 ? parts : [await this.contextDatabase(), parts[0]];
        } else {
          db = await this.contextDatabase();
          schema = this.contextSchema();
        }
        k.end();
        const type = what === "RELATIONS" ? null : what.slice(0, -1).toLowerCase();
        return resultOf(
          this.c,
          `SELECT name AS "Name", relation_type AS "Type", "state" AS "State", "owner" AS "Owner", created_at AS "CreatedAt", updated_at AS "UpdatedAt" FROM sys.relations WHERE database_name = $1 AND schema_name = $2 AND ($3::VARCHAR IS NULL OR relation_type = $3) ORDER BY name`,
          [db, schema, type],
          ltz,
        );
      }
      case "QUERIES":
        k.end();
        return resultOf(this.c, `SELECT id AS "ID", name AS "Name", "version" AS "Version", intended_state AS "IntendedState", current_state AS "ActualState", "sql" AS "Query", error_message AS "ErrorMessages", "owner" AS "Owner", created_at AS "CreatedAt", updated_at AS "UpdatedAt" FROM sys.queries ORDER BY created_at`, [], ltz);
      case "COMPUTE_POOLS":
        k.end();
        return resultOf(this.c, `SELECT name AS "Name", size AS "Size", timeout_min AS "TimeoutMinutes", status AS "State", intended_state AS "IntendedState", "owner" AS "Owner", created_at AS "CreatedAt", updated_at AS "UpdatedAt" FROM sys.compute_pools ORDER BY name`, [], ltz);
      case "ROLES":
        k.end();
        return resultOf(this.c, `SELECT name AS "Name", is_builtin AS "IsBuiltin", "owner" AS "Owner", created_at AS "CreatedAt" FROM sys.roles ORDER BY name`, [], ltz);
      case "API_TOKENS":
        k.end();
        return resultOf(this.c, `SELECT name AS "Name", role_name AS "Role", "owner" AS "Owner", expires_at AS "ExpiresAt", created_at AS "CreatedAt" FROM sys.api_tokens ORDER BY name`, [], ltz);
      case "GRANTS": {
        const role = k.accept("TO", "ROLE") || k.accept("OF", "ROLE") ? k.ident() : null;
        k.end();
        return resultOf(this.c, `SELECT privilege AS "Privilege", object_type AS "ObjectType", object_name AS "ObjectName", grantee_role AS "Role", with_grant_option AS "GrantOption" FROM sys.grants WHERE $1::VARCHAR IS NULL OR grantee_role = $1 ORDER BY 4, 2, 3, 1`, [role], ltz);
      }
      case "FUNCTION_SOURCES":
      case "DESCRIPTOR_SOURCES": {
        k.end();
        const t = what === "FUNCTION_SOURCES" ? "function_source" : "descriptor_source";
        return resultOf(this.c, `SELECT name AS "Name", CAST(floor(length(content) * 3 / 4) AS BIGINT) AS "Size" FROM internal.downloads WHERE resource_type = $1 ORDER BY name`, [t]);
      }
      default:
        throw syntaxError(`parse error: mismatched input '${what || k.peek()?.v || ""}' expecting an object type to list`);
    }
  }

  // ------------------------------------------------------------------ DESCRIBE

  private async describe(k: Cursor): Promise<Result> {
    const w = k.word();
    // DESCRIBE <statement>: the planner's view, without running it
    if (w === "CREATE" && ["STREAM", "CHANGELOG", "TABLE"].includes(k.word(1))) return this.plan(k);
    if (w === "INSERT" || w === "BEGIN") return this.plan(k);
    k.i++;
    const ltz = { ltz: true };
    switch (w) {
      case "DATABASE": {
        const n = k.ident();
        k.end();
        await this.database(n);
        return resultOf(this.c, `SELECT name AS "Name", is_default AS "IsDefault", "owner" AS "Owner", created_at AS "CreatedAt" FROM sys.databases WHERE name = $1`, [n], ltz);
      }
      case "SCHEMA": {
        const p = k.name(2);
        k.end();
        const [db, s] = p.length === 2 ? p : [await this.contextDatabase(), p[0]];
        await this.schema(db, s);
        return resultOf(this.c, `SELECT name AS "Name", database_name AS "Database", "owner" AS "Owner", created_at AS "CreatedAt" FROM sys.schemas WHERE database_name = $1 AND name = $2`, [db, s], ltz);
      }
      case "STORE": {
        const n = k.ident();
        k.end();
        await this.store(n);
        return resultOf(this.c, `SELECT name AS "Name", type AS "Type", status AS "State", status_message AS "Message", uris AS "Uris", schema_registry_name AS "SchemaRegistry", properties AS "Properties", is_default AS "IsDefault", "owner" AS "Owner", created_at AS "CreatedAt", updated_at AS "UpdatedAt" FROM sys.stores WHERE name = $1`, [n], ltz);
      }
      case "ENTITY": {
        const { store, name, e } = await this.entityAt(k);
        if (store.type === "Kinesis") return { columns: [col("Name"), col("Shards", "INTEGER"), col("Descriptor", "VARCHAR", true)], rows: [[name, String(e.shards ?? 1), (e.value_descriptor as string) ?? null]] };
        if (STREAMING_STORES.has(String(store.type))) {
          return {
            columns: [col("Name"), col("IsLeaf", "BOOLEAN"), col("Partitions", "INTEGER"), col("Replicas", "INTEGER"), col("KeyDescriptor", "VARCHAR", true), col("ValueDescriptor", "VARCHAR", true), col("Configs")],
            rows: [[name, "true", String(e.partitions ?? 1), String(e.replicas ?? 1), (e.key_descriptor as string) ?? null, (e.value_descriptor as string) ?? null, String(e.configs ?? "{}")]],
          };
        }
        return { columns: [col("Name"), col("IsLeaf", "BOOLEAN")], rows: [[name, "true"]] };
      }
      case "SECRET": {
        const n = k.ident();
        k.end();
        if (!(await this.q("SELECT 1 FROM sys.secrets WHERE name = $1", [n])).length) throw notFound("3D016", "secret", n);
        return resultOf(this.c, `SELECT name AS "Name", type AS "Type", description AS "Description", status AS "Status", status_message AS "Message", "owner" AS "Owner", created_at AS "CreatedAt", updated_at AS "UpdatedAt" FROM sys.secrets WHERE name = $1`, [n], ltz);
      }
      case "SCHEMA_REGISTRY": {
        const n = k.ident();
        k.end();
        if (!(await this.q("SELECT 1 FROM sys.schema_registries WHERE name = $1", [n])).length) throw notFound("3D009", "schema registry", n);
        return resultOf(this.c, `SELECT name AS "Name", type AS "Type", status AS "State", status_message AS "Message", uris AS "Uris", "owner" AS "Owner", created_at AS "CreatedAt", updated_at AS "UpdatedAt" FROM sys.schema_registries WHERE name = $1`, [n], ltz);
      }
      case "COMPUTE_POOL": {
        const n = k.ident();
        k.end();
        await this.computePool(n);
        return resultOf(this.c, `SELECT name AS "Name", size AS "Size", timeout_min AS "TimeoutMinutes", status AS "State", intended_state AS "IntendedState", "owner" AS "Owner", created_at AS "CreatedAt", updated_at AS "UpdatedAt" FROM sys.compute_pools WHERE name = $1`, [n], ltz);
      }
      case "ROLE": {
        const n = k.ident();
        k.end();
        await this.requireRole(n);
        const granted = (await this.q("SELECT role_name FROM sys.role_members WHERE member_role_name = $1 ORDER BY 1", [n])).map((r) => String(r.role_name));
        const members = (await this.q("SELECT member_role_name FROM sys.role_members WHERE role_name = $1 ORDER BY 1", [n])).map((r) => String(r.member_role_name));
        const privs = await this.q("SELECT privilege, object_type, object_name, with_grant_option FROM sys.grants WHERE grantee_role = $1 ORDER BY 2, 3, 1", [n]);
        const role = (await this.q("SELECT * FROM sys.roles WHERE name = $1", [n]))[0];
        return {
          columns: [col("Name"), col("Owner"), col("GrantedRoles"), col("MemberRoles"), col("Privileges")],
          rows: [[n, String(role.owner), JSON.stringify(granted), JSON.stringify(members), JSON.stringify(privs.map((p) => ({ privilege: p.privilege, objectType: p.object_type, objectName: p.object_name, withGrantOption: p.with_grant_option })))]],
        };
      }
      case "RELATION":
      case "STREAM":
      case "CHANGELOG":
      case "TABLE": {
        const columns = k.accept("COLUMNS");
        const rel = await this.relation(k.name(3));
        k.end();
        if (columns) {
          const cols = JSON.parse(String(rel.columns)) as { name: string; type: string; nullable: boolean }[];
          return { columns: [col("Name"), col("Type"), col("Nullable", "BOOLEAN")], rows: cols.map((c) => [c.name, c.type, String(c.nullable)]) };
        }
        return resultOf(
          this.c,
          `SELECT name AS "Name", fqn AS "FQN", relation_type AS "Type", "state" AS "State", store_name AS "Store", entity_name AS "Entity", value_format AS "ValueFormat", primary_key AS "PrimaryKey", properties AS "Properties", "owner" AS "Owner", created_at AS "CreatedAt", updated_at AS "UpdatedAt" FROM sys.relations WHERE id = $1`,
          [String(rel.id)],
          ltz,
        );
      }
      case "QUERY": {
        const id = k.queryId();
        k.end();
        const r = await this.q("SELECT 1 FROM sys.queries WHERE id = $1", [id]);
        if (!r.length) throw notFound("3D019", "query", id);
        return resultOf(this.c, `SELECT id AS "ID", name AS "Name", "version" AS "Version", intended_state AS "IntendedState", current_state AS "ActualState", error_message AS "ErrorMessages", "sql" AS "Query", sink AS "Sink", sources AS "Sources", "owner" AS "Owner", created_at AS "CreatedAt", updated_at AS "UpdatedAt" FROM sys.queries WHERE id = $1`, [id], ltz);
      }
      default:
        throw syntaxError(`parse error: mismatched input '${w || k.peek()?.v || ""}' expecting an object type or a statement to describe`);
    }
  }

  /** DESCRIBE <CREATE STREAM|CHANGELOG|TABLE … | INSERT INTO … | BEGIN APPLICATION …>: (kind, plan JSON). */
  private async plan(k: Cursor): Promise<Result> {
    const planned = await this.planStatement(k);
    return { columns: [col("type"), col("description")], rows: [[planned.kind, JSON.stringify(planned.plan)]] };
  }

  private planRel(r: { db: string; schema: string; name: string; type: string; store: string | null; virtual?: boolean }) {
    return {
      fqn: `${dsQuote(this.env.ctx.organization)}.${fqnOf(r.db, r.schema, r.name)}`,
      type: r.type,
      db_name: r.db,
      schema_name: r.schema,
      name: r.name,
      store_name: r.store ?? "",
      ...(r.virtual !== undefined ? { is_virtual: r.virtual } : {}),
    };
  }

  private async planStatement(k: Cursor): Promise<{ kind: string; plan: unknown }> {
    const start = k.i;
    const text = k.rest();
    if (k.isWord("CREATE")) {
      const parsed = await this.parseCreateRelation(k, text, true);
      const ddl = this.planRel({ db: parsed.db, schema: parsed.schema, name: parsed.name, type: parsed.type, store: parsed.store });
      const sources = parsed.select ? parsed.select.sources.map((s) => this.planRel({ db: s.database_name, schema: s.schema_name, name: s.name, type: s.relation_type, store: s.store_name })) : undefined;
      return { kind: `CREATE_${parsed.type.toUpperCase()}`, plan: { ddl, ...(sources ? { sink: ddl, sources } : {}) } };
    }
    if (k.isWord("INSERT")) {
      const parsed = await this.parseInsert(k);
      const sink = this.planRel({ db: String(parsed.sink.database_name), schema: String(parsed.sink.schema_name), name: String(parsed.sink.name), type: String(parsed.sink.relation_type), store: parsed.sink.store_name });
      return { kind: "INSERT_INTO", plan: { sink, sources: parsed.select.sources.map((s) => this.planRel({ db: s.database_name, schema: s.schema_name, name: s.name, type: s.relation_type, store: s.store_name })) } };
    }
    if (k.isWord("BEGIN")) {
      const app = await this.parseApplication(k);
      return {
        kind: "APPLICATION",
        plan: {
          ddls: app.ddls.map((d) => this.planRel({ ...d, virtual: d.virtual })),
          statements: app.statements,
          sources: app.sources.map((s) => this.planRel({ db: s.database_name, schema: s.schema_name, name: s.name, type: s.relation_type, store: s.store_name, virtual: false })),
          sinks: app.sinks.map((s) => this.planRel({ ...s, virtual: s.virtual })),
        },
      };
    }
    k.i = start;
    throw syntaxError(`parse error: DESCRIBE of '${k.peek()?.v ?? ""}' statements is not supported`);
  }

  // ------------------------------------------------------------------ CREATE

  private async create(k: Cursor): Promise<Outcome> {
    const w = k.word();
    const sync = (result: Result): Outcome => ({ result, async: false });
    if (w === "STREAM" || w === "CHANGELOG" || w === "TABLE") return this.createRelation(k);
    k.i++;
    const ifNotExists = k.accept("IF", "NOT", "EXISTS");
    switch (w) {
      case "DATABASE":
        return sync(await this.createDatabase(k, ifNotExists));
      case "SCHEMA":
        return sync(await this.createSchema(k, ifNotExists));
      case "STORE":
        return this.createStore(k, ifNotExists);
      case "ENTITY":
        return sync(await this.createEntity(k, ifNotExists));
      case "SCHEMA_REGISTRY":
        return this.createReadyObject(k, ifNotExists, "schema_registries", "schema registry", "3D009", "42P018");
      case "SECRET":
        return this.createReadyObject(k, ifNotExists, "secrets", "secret", "3D016", "42P014");
      case "COMPUTE_POOL":
        return this.createComputePool(k, ifNotExists);
      case "ROLE":
        return sync(await this.createRole(k, ifNotExists));
      case "API_TOKEN":
        return sync(await this.createApiToken(k, ifNotExists));
      case "FUNCTION_SOURCE":
      case "DESCRIPTOR_SOURCE":
        return sync(await this.createSource(k, w.toLowerCase()));
      default:
        throw syntaxError(`parse error: mismatched input '${w || k.peek()?.v || ""}' expecting an object type to create`);
    }
  }

  private async createDatabase(k: Cursor, ifNotExists: boolean): Promise<Result> {
    const name = k.ident("database name");
    k.end();
    checkName(name);
    await this.requireOrgPrivilege("CREATE_DATABASE");
    if ((await this.q("SELECT 1 FROM sys.databases WHERE name = $1", [name])).length) {
      if (ifNotExists) return this.artifact("database", name, "NONE", [name], "already exists");
      throw dup("42P04", "database", name);
    }
    const isDefault = !(await this.q("SELECT 1 FROM sys.databases WHERE is_default")).length;
    await this.run("INSERT INTO sys.databases VALUES ($1, $2, $3, $4, $5, $5)", [cryptoId(), name, this.env.ctx.role, isDefault, this.now]);
    // every database gets a `public` schema
    await this.run("INSERT INTO sys.schemas VALUES ($1, $2, 'public', $3, TRUE, $4, $4)", [cryptoId(), name, this.env.ctx.role, this.now]);
    return this.artifact("database", name, "CREATE", [name]);
  }

  private async createSchema(k: Cursor, ifNotExists: boolean): Promise<Result> {
    const parts = k.name(2, "schema name");
    let db: string;
    let name: string;
    if (parts.length === 2) [db, name] = parts;
    else {
      name = parts[0];
      db = k.accept("IN", "DATABASE") ? k.ident("database name") : await this.contextDatabase();
    }
    k.end();
    checkName(name);
    const d = await this.database(db);
    await this.requireOwnerOr(String(d.owner), "CREATE", "DATABASE", db, `database "${db}"`);
    if ((await this.q("SELECT 1 FROM sys.schemas WHERE database_name = $1 AND name = $2", [db, name])).length) {
      if (ifNotExists) return this.artifact("schema", name, "NONE", [db, name], "already exists");
      throw dup("42P06", "schema", `${db}.${name}`);
    }
    await this.run("INSERT INTO sys.schemas VALUES ($1, $2, $3, $4, FALSE, $5, $5)", [cryptoId(), db, name, this.env.ctx.role, this.now]);
    return this.artifact("schema", name, "CREATE", [db, name]);
  }

  /** Attachments the properties reference (`'@name'`) must have been sent, under that exact name. */
  private checkAttachments(props: Props): void {
    for (const [key, v] of props) {
      const s = propText(v);
      if (typeof s === "string" && /(_file|\.file)$/.test(key)) {
        if (!this.env.attachments.has(s)) {
          throw new SqlStateError("3D021", `attachment "${s}" referenced by '${key}' was not sent with the statement (attached: ${[...this.env.attachments.keys()].map((a) => `"${a}"`).join(", ") || "none"})`);
        }
      }
    }
  }

  private storeStatus(uris: string | null): { status: string; message: string | null } {
    if (uris && this.env.opts.unreachableUris.test(uris)) return { status: "errored", message: `unable to connect to ${uris}: connection refused` };
    return { status: "ready", message: null };
  }

  private validateStoreProps(type: string, props: Props, creating: boolean): void {
    const spec = STORE_PROPS[type];
    for (const key of props.keys()) {
      if (!COMMON_STORE_PROPS.includes(key) && !spec.allowed.includes(key)) throw new SqlStateError("42601", `invalid property '${key}' for store type ${type}`);
    }
    if (creating) for (const r of spec.required) if (props.get(r) === undefined || props.get(r)!.kind === "null") throw new SqlStateError("3D021", `missing required property '${r}' for store type ${type}`);
    const hash = propText(props.get("kafka.sasl.hash_function"));
    if (hash !== undefined && hash !== null && !SASL.includes(hash.toUpperCase())) throw new SqlStateError("42601", `invalid value '${hash}' for 'kafka.sasl.hash_function': expected one of ${SASL.join(", ")}`);
    for (const b of ["tls.disabled", "tls.verify_server_hostname"]) {
      const v = propText(props.get(b));
      if (v !== undefined && v !== null && !/^(true|false)$/i.test(v)) throw new SqlStateError("42601", `invalid value '${v}' for '${b}': expected TRUE or FALSE`);
    }
    if (creating && (type === "KAFKA" || type === "CONFLUENT_KAFKA")) {
      const h = (hash ?? (type === "CONFLUENT_KAFKA" ? "PLAIN" : "NONE")).toUpperCase();
      if (["PLAIN", "SHA256", "SHA512"].includes(h) && (!props.get("kafka.sasl.username") || !props.get("kafka.sasl.password"))) {
        throw new SqlStateError("3D021", `'kafka.sasl.username' and 'kafka.sasl.password' are required when 'kafka.sasl.hash_function' is ${h}`);
      }
      if (h === "AWS_MSK_IAM" && (!props.get("kafka.msk.iam_role_arn") || !props.get("kafka.msk.aws_region"))) {
        throw new SqlStateError("3D021", "'kafka.msk.iam_role_arn' and 'kafka.msk.aws_region' are required when 'kafka.sasl.hash_function' is AWS_MSK_IAM");
      }
    }
  }

  private splitProps(props: Props): { visible: Record<string, string | null>; secret: Record<string, string | null> } {
    const visible: Record<string, string | null> = {};
    const secret: Record<string, string | null> = {};
    for (const [k, v] of props) {
      const t = propText(v) ?? null;
      if (SECRET_PROP.test(k)) secret[k] = t;
      else visible[k] = t;
    }
    return { visible, secret };
  }

  private async createStore(k: Cursor, ifNotExists: boolean): Promise<Outcome> {
    const name = k.ident("store name");
    const props = k.withProps();
    k.end();
    checkName(name);
    const typeRaw = propText(props.get("type"));
    if (!typeRaw) throw new SqlStateError("3D021", "missing required property 'type' (one of " + Object.keys(STORE_PROPS).join(", ") + ")");
    const type = typeRaw.toUpperCase();
    if (!STORE_PROPS[type]) throw new SqlStateError("42601", `invalid store type '${typeRaw}': expected one of ${Object.keys(STORE_PROPS).join(", ")}`);
    await this.requireOrgPrivilege("CREATE_STORE");
    if ((await this.q("SELECT 1 FROM sys.stores WHERE name = $1", [name])).length) {
      if (ifNotExists) return { result: this.artifact("store", name, "NONE", [name], "already exists"), async: false };
      throw dup("42P05", "store", name);
    }
    this.validateStoreProps(type, props, true);
    this.checkAttachments(props);
    const sr = propText(props.get("schema_registry.name") ?? props.get("kafka.schema_registry_name")) ?? null;
    if (sr && !(await this.q("SELECT 1 FROM sys.schema_registries WHERE name = $1", [sr])).length) throw notFound("3D009", "schema registry", sr);
    const uris = propText(props.get("uris")) ?? null;
    const { visible, secret } = this.splitProps(props);
    const isDefault = !(await this.q("SELECT 1 FROM sys.stores WHERE is_default")).length;
    await this.run("INSERT INTO sys.stores VALUES ($1, $2, $3, 'pending', NULL, $4, $5, $6, $7, $8, $9, $9)", [cryptoId(), name, STORE_TYPE_NAMES[type], uris, sr, JSON.stringify(visible), isDefault, this.env.ctx.role, this.now]);
    await this.run("INSERT INTO internal.store_secrets VALUES ($1, $2)", [name, JSON.stringify(secret)]);
    const s = this.storeStatus(uris);
    await this.timer("store", name, this.env.opts.readyMs, s.status, s.message);
    return { result: this.artifact("store", name, "CREATE", [name]), async: true };
  }

  private async createEntity(k: Cursor, ifNotExists: boolean): Promise<Result> {
    const path = k.name(5, "entity name");
    const storeName = k.accept("IN", "STORE") ? k.ident("store name") : await this.contextStore();
    const props = k.withProps();
    k.end();
    const name = path.join(".");
    checkName(name);
    const store = await this.store(storeName);
    await this.requireOwnerOr(String(store.owner), "USAGE", "STORE", storeName, `store "${storeName}"`);
    if (store.status !== "ready") throw new SqlStateError("3E001", `store "${storeName}" is not ready (status ${store.status})`);
    if ((await this.q("SELECT 1 FROM sys.entities WHERE store_name = $1 AND name = $2", [storeName, name])).length) {
      if (ifNotExists) return this.artifact("entity", name, "NONE", [storeName, ...path], "already exists");
      throw dup("42710", "entity", name);
    }
    await this.insertEntity(String(store.type), storeName, name, props);
    return this.artifact("entity", name, "CREATE", [storeName, ...path]);
  }

  private entityProps(type: string, props: Props, current?: Row): { partitions: number | null; replicas: number | null; shards: number | null; configs: Record<string, string> } {
    const int = (key: string, min: number): number | null => {
      const v = propText(props.get(key));
      if (v === undefined || v === null) return null;
      if (!/^\d+$/.test(v) || Number(v) < min) throw new SqlStateError("42601", `invalid value '${v}' for '${key}': expected an integer >= ${min}`);
      return Number(v);
    };
    const configs: Record<string, string> = current ? JSON.parse(String(current.configs ?? "{}")) : {};
    for (const [key, v] of props) {
      if (key.startsWith("kafka.topic.")) {
        const t = propText(v);
        if (t === null) delete configs[key.slice("kafka.topic.".length)];
        else configs[key.slice("kafka.topic.".length)] = String(t);
      } else if (!["kafka.partitions", "kafka.replicas", "kinesis.shards", "key.descriptor", "value.descriptor", "postgres.table", "snowflake.table"].includes(key)) {
        throw new SqlStateError("42601", `invalid property '${key}' for an entity of a ${type} store`);
      }
    }
    const kafka = type === "Kafka" || type === "ConfluentKafka";
    return {
      partitions: kafka ? (int("kafka.partitions", 1) ?? (current ? Number(current.partitions) : 1)) : null,
      replicas: kafka ? (int("kafka.replicas", 1) ?? (current ? Number(current.replicas) : 1)) : null,
      shards: type === "Kinesis" ? (int("kinesis.shards", 1) ?? (current ? Number(current.shards) : 1)) : null,
      configs,
    };
  }

  /** Creates an entity (and its topic table). */
  async insertEntity(storeType: string, storeName: string, name: string, props: Props): Promise<string> {
    const p = this.entityProps(storeType, props);
    const id = cryptoId();
    await this.run("INSERT INTO sys.entities VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL, $9, $10, $10)", [
      id,
      storeName,
      name,
      JSON.stringify([storeName, ...name.split(".")]),
      p.partitions,
      p.replicas,
      p.shards,
      JSON.stringify(p.configs),
      this.env.ctx.role,
      this.now,
    ]);
    await this.run(`CREATE TABLE IF NOT EXISTS ${topicTable(id)} (seq BIGINT, "partition" INTEGER, "key" VARCHAR, "value" VARCHAR, produced_at TIMESTAMP)`);
    return id;
  }

  /** CREATE SCHEMA_REGISTRY / CREATE SECRET: pending → ready (or errored). */
  private async createReadyObject(k: Cursor, ifNotExists: boolean, table: "schema_registries" | "secrets", what: string, _nf: string, dupCode: string): Promise<Outcome> {
    const name = k.ident(`${what} name`);
    const props = k.withProps();
    k.end();
    checkName(name);
    if (table === "schema_registries") await this.requireOrgPrivilege("CREATE_SCHEMA_REGISTRY");
    else await this.requireOrgPrivilege("CREATE_SECRET");
    if ((await this.q(`SELECT 1 FROM sys.${table} WHERE name = $1`, [name])).length) {
      if (ifNotExists) return { result: this.artifact(what.replace(" ", "_"), name, "NONE", [name], "already exists"), async: false };
      throw dup(dupCode, what, name);
    }
    const type = propText(props.get("type"));
    if (!type) throw new SqlStateError("3D021", `missing required property 'type' for ${what} "${name}"`);
    this.checkAttachments(props);
    const kind = table === "schema_registries" ? "schema_registry" : "secret";
    if (table === "schema_registries") {
      const t = type.toUpperCase();
      if (!["CONFLUENT", "CONFLUENT_CLOUD"].includes(t)) throw new SqlStateError("42601", `invalid schema registry type '${type}': expected CONFLUENT or CONFLUENT_CLOUD`);
      const uris = propText(props.get("uris")) ?? null;
      if (!uris) throw new SqlStateError("3D021", "missing required property 'uris'");
      await this.run("INSERT INTO sys.schema_registries VALUES ($1, $2, $3, 'pending', NULL, $4, $5, $6, $6)", [cryptoId(), name, t, uris, this.env.ctx.role, this.now]);
      const s = this.storeStatus(uris);
      await this.timer(kind, name, this.env.opts.readyMs, s.status, s.message);
    } else {
      const description = propText(props.get("description")) ?? null;
      await this.run("INSERT INTO sys.secrets VALUES ($1, $2, $3, $4, 'pending', NULL, $5, $6, $6)", [cryptoId(), name, type.toLowerCase(), description, this.env.ctx.role, this.now]);
      await this.run("INSERT INTO internal.secret_values VALUES ($1, $2)", [name, JSON.stringify(this.splitProps(props).secret)]);
      await this.timer(kind, name, this.env.opts.readyMs, "ready");
    }
    return { result: this.artifact(kind, name, "CREATE", [name]), async: table === "schema_registries" };
  }

  private async createComputePool(k: Cursor, ifNotExists: boolean): Promise<Outcome> {
    const name = k.ident("compute pool name");
    const props = k.withProps();
    k.end();
    checkName(name);
    await this.requireOrgPrivilege("CREATE_COMPUTE_POOL");
    if ((await this.q("SELECT 1 FROM sys.compute_pools WHERE name = $1", [name])).length) {
      if (ifNotExists) return { result: this.artifact("compute_pool", name, "NONE", [name], "already exists"), async: false };
      throw dup("42P019", "compute pool", name);
    }
    const count = Number((await this.q("SELECT count(*) AS n FROM sys.compute_pools"))[0].n);
    if (count >= this.env.opts.maxComputePools) throw new SqlStateError("53000", `configuration limit exceeded: the organization may have at most ${this.env.opts.maxComputePools} compute pools`);
    const { size, timeout } = this.poolProps(props, { size: "small", timeout: 60 });
    await this.run("INSERT INTO sys.compute_pools VALUES ($1, $2, $3, $4, 'running', 'starting', NULL, $5, $6, $6)", [cryptoId(), name, size, timeout, this.env.ctx.role, this.now]);
    await this.timer("compute_pool", name, this.env.opts.readyMs, "running");
    return { result: this.artifact("compute_pool", name, "CREATE", [name]), async: true };
  }

  private poolProps(props: Props, current: { size: string; timeout: number }): { size: string; timeout: number } {
    let { size, timeout } = current;
    for (const [key, v] of props) {
      const t = propText(v);
      if (key === "compute_pool.size" || key === "size") {
        if (!t || !["small", "medium", "large"].includes(t.toLowerCase())) throw new SqlStateError("42601", `invalid value '${t}' for '${key}': expected small, medium or large`);
        size = t.toLowerCase();
      } else if (key === "compute_pool.timeout_min" || key === "timeout_min") {
        if (!t || !/^\d+$/.test(t) || Number(t) < 1 || Number(t) > 1440) throw new SqlStateError("42601", `invalid value '${t}' for '${key}': expected minutes between 1 and 1440`);
        timeout = Number(t);
      } else throw new SqlStateError("42601", `invalid property '${key}' for a compute pool`);
    }
    return { size, timeout };
  }

  private async createRole(k: Cursor, ifNotExists: boolean): Promise<Result> {
    const name = k.ident("role name");
    const parents: string[] = [];
    const members: string[] = [];
    if (k.accept("WITH")) {
      k.expectP("(");
      for (;;) {
        const inRole = k.accept("IN", "ROLE");
        if (!inRole) k.expect("ROLE");
        k.expectP("(");
        const list = inRole ? parents : members;
        for (;;) {
          list.push(k.ident("role name"));
          if (k.acceptP(")")) break;
          k.expectP(",");
        }
        if (k.acceptP(")")) break;
        k.expectP(",");
      }
    }
    k.end();
    checkName(name);
    await this.requireOrgPrivilege("MANAGE_MEMBERS").catch(async (e) => {
      const roles = await this.effectiveRoles();
      if (!roles.has("useradmin") && !roles.has("securityadmin")) throw e;
    });
    if ((await this.q("SELECT 1 FROM sys.roles WHERE name = $1", [name])).length) {
      if (ifNotExists) return this.artifact("role", name, "NONE", [name], "already exists");
      throw dup("42P011", "role", name);
    }
    for (const r of [...parents, ...members]) await this.requireRole(r);
    await this.run("INSERT INTO sys.roles VALUES ($1, $2, FALSE, $3, $4, $4)", [cryptoId(), name, this.env.ctx.role, this.now]);
    for (const p of parents) await this.addMember(p, name);
    for (const m of members) await this.addMember(name, m);
    return this.artifact("role", name, "CREATE", [name]);
  }

  private async addMember(role: string, member: string): Promise<void> {
    if (role === member || (await this.effectiveRoles(role, false)).has(member)) throw new SqlStateError("0LP01", `granting role "${role}" to "${member}" would create a cycle`);
    if (!(await this.q("SELECT 1 FROM sys.role_members WHERE role_name = $1 AND member_role_name = $2", [role, member])).length) {
      await this.run("INSERT INTO sys.role_members VALUES ($1, $2, $3)", [role, member, this.now]);
    }
  }

  private async createApiToken(k: Cursor, ifNotExists: boolean): Promise<Result> {
    const name = k.identOrString("API token name");
    const props = k.withProps();
    k.end();
    checkName(name);
    if ((await this.q("SELECT 1 FROM sys.api_tokens WHERE name = $1", [name])).length) {
      if (ifNotExists) return { columns: [col("Name"), col("Token", "VARCHAR", true)], rows: [[name, null]] };
      throw dup("42P09", "API token", name);
    }
    const n = Number((await this.q("SELECT count(*) AS n FROM sys.api_tokens"))[0].n);
    if (n >= this.env.opts.maxApiTokens) throw new SqlStateError("53000", `configuration limit exceeded: at most ${this.env.opts.maxApiTokens} API tokens`);
    const role = propText(props.get("role")) ?? this.env.ctx.role;
    await this.requireRole(role);
    const ttl = propText(props.get("expires_in_days")) ?? null;
    const expires = ttl ? iso(new Date(this.env.now.getTime() + Number(ttl) * 86_400_000)) : null;
    const token = `dst_${randomBytes(24).toString("base64url")}`;
    await this.run("INSERT INTO sys.api_tokens VALUES ($1, $2, $3, $4, $5, $6, $6)", [cryptoId(), name, role, this.env.ctx.role, expires, this.now]);
    this.env.onToken?.(name, sha256(token));
    return { columns: [col("Name"), col("Token")], rows: [[name, token]] };
  }

  private async createSource(k: Cursor, type: string): Promise<Result> {
    const name = k.ident("name");
    const props = k.withProps();
    k.end();
    const file = propText(props.get("file"));
    if (!file) throw new SqlStateError("3D021", "missing required property 'file'");
    const content = this.env.attachments.get(file);
    if (!content) throw new SqlStateError("3D021", `attachment "${file}" referenced by 'file' was not sent with the statement`);
    if ((await this.q("SELECT 1 FROM internal.downloads WHERE resource_type = $1 AND name = $2", [type, name])).length) throw dup(type === "function_source" ? "42P016" : "42P08", type.replace("_", " "), name);
    await this.run("INSERT INTO internal.downloads VALUES ($1, $2, $3)", [type, name, content.toString("base64")]);
    return this.artifact(type, name, "CREATE", [name]);
  }

  // ------------------------------------------------------------------ relations

  private parseColumns(k: Cursor): { columns: { name: string; type: string; nullable: boolean }[]; primaryKey: string[] } {
    k.expectP("(");
    const columns: { name: string; type: string; nullable: boolean }[] = [];
    const primaryKey: string[] = [];
    for (;;) {
      if (k.accept("PRIMARY", "KEY")) {
        k.expectP("(");
        for (;;) {
          primaryKey.push(k.ident("column name"));
          if (k.acceptP(")")) break;
          k.expectP(",");
        }
      } else {
        const name = k.ident("column name");
        const parts: string[] = [];
        let depth = 0;
        while (!k.done) {
          const t = k.peek()!;
          if (depth === 0 && t.k === "p" && (t.v === "," || t.v === ")")) break;
          if (t.k === "p" && (t.v === "<" || t.v === "(")) depth++;
          if (t.k === "p" && (t.v === ">" || t.v === ")")) depth--;
          parts.push(t.k === "id" ? dsQuote(t.v) : t.v);
          k.i++;
        }
        let type = parts.join(" ").replace(/\s*([<>(),])\s*/g, "$1").replace(/,/g, ", ").toUpperCase();
        let nullable = true;
        if (/\sNOT NULL$/.test(type)) {
          nullable = false;
          type = type.replace(/\sNOT NULL$/, "");
        }
        if (!type) throw syntaxError(`parse error: missing type for column ${name}`);
        duckTypeOf(type);
        if (columns.some((c) => c.name === name)) throw new SqlStateError("42710", `column "${name}" is declared twice`);
        columns.push({ name, type, nullable });
      }
      if (k.acceptP(")")) break;
      k.expectP(",");
    }
    for (const p of primaryKey) if (!columns.some((c) => c.name === p)) throw new SqlStateError("42601", `primary key column "${p}" is not a column of the relation`);
    return { columns, primaryKey };
  }

  /** Parses CREATE STREAM|CHANGELOG|TABLE … (checks names; `dry`: no change). */
  private async parseCreateRelation(k: Cursor, text: string, dry: boolean) {
    k.expect("CREATE");
    const type = k.word().toLowerCase() as "stream" | "changelog" | "table";
    k.i++;
    const ifNotExists = k.accept("IF", "NOT", "EXISTS");
    const [db, schema, name] = await this.fullName(k.name(3, "relation name"));
    checkName(name);
    let columns: { name: string; type: string; nullable: boolean }[] | undefined;
    let primaryKey: string[] = [];
    if (k.isP("(")) ({ columns, primaryKey } = this.parseColumns(k));
    const props = k.withProps();
    let select: Awaited<ReturnType<typeof rewriteSelect>> | undefined;
    let selectText: string | undefined;
    if (k.accept("AS")) {
      selectText = k.rest().replace(/;\s*$/, "");
      select = await rewriteSelect(selectText, (parts) => this.relation(parts));
      k.i = k.toks.length;
    }
    k.end();
    if (!columns && !select) throw syntaxError(`parse error: CREATE ${type.toUpperCase()} needs a column list or AS SELECT`);
    await this.schema(db, schema);
    const storeName = propText(props.get("store")) ?? (await this.contextStore());
    const store = await this.store(storeName);
    if (type === "table" ? STREAMING_STORES.has(String(store.type)) : !STREAMING_STORES.has(String(store.type))) {
      throw new SqlStateError("0A000", `a ${type} cannot be created in store "${storeName}" of type ${store.type}`);
    }
    if (store.status !== "ready") throw new SqlStateError("3E001", `store "${storeName}" is not ready (status ${store.status}${store.status_message ? `: ${store.status_message}` : ""})`);
    if (type !== "table" && !select && !props.get("value.format")) throw new SqlStateError("3D021", "missing required property 'value.format'");
    const fmt = propText(props.get("value.format"))?.toLowerCase() ?? "json";
    if (!["json", "avro", "protobuf", "primitive"].includes(fmt)) throw new SqlStateError("42601", `invalid value '${fmt}' for 'value.format'`);
    if (type === "changelog" && !select && !primaryKey.length) throw new SqlStateError("42601", "a changelog needs a PRIMARY KEY");
    for (const s of select?.sources ?? []) if (s.state !== "created") throw new SqlStateError("3E003", `relation "${s.name}" is not ready`);
    const exists = (await this.q("SELECT 1 FROM sys.relations WHERE database_name = $1 AND schema_name = $2 AND name = $3", [db, schema, name])).length > 0;
    if (exists && !ifNotExists && !dry) throw dup("42P017", "relation", fqnOf(db, schema, name));
    return { type, db, schema, name, columns, primaryKey, props, select, selectText, store: storeName, storeRow: store, fmt, exists, ifNotExists, text };
  }

  private async createRelation(k: Cursor): Promise<Outcome> {
    const text = k.stmt.text;
    k.i--; // back to CREATE
    const p = await this.parseCreateRelation(k, text, false);
    if (p.exists) return { result: this.artifact(p.type, p.name, "NONE", [p.db, p.schema, p.name], "already exists"), async: false };
    const d = await this.database(p.db);
    await this.requireOwnerOr(String(d.owner), "CREATE", "DATABASE", p.db, `database "${p.db}"`);
    if (p.select) await this.requireOrgPrivilege("CREATE_QUERY");
    let columns = p.columns;
    let primaryKey = p.primaryKey;
    if (p.select) {
      columns = await this.describeSelect(p.select.sql);
      if (p.type === "changelog") primaryKey = p.select.groupBy.filter((g) => columns!.some((c) => c.name === g));
      if (p.type === "changelog" && !primaryKey.length) throw new SqlStateError("42601", "a changelog created AS SELECT needs a GROUP BY of plain columns (its primary key)");
    }
    const relId = await this.insertRelation({ ...p, columns: columns!, primaryKey });
    const out: Result = this.artifact(p.type, p.name, "CREATE", [p.db, p.schema, p.name]);
    if (p.select) {
      const q = await this.insertQuery(p.text, relId, p.selectText!, p.select, p.name);
      out.rows.push(["query", q, "CREATE", null, JSON.stringify([])]);
      return { result: out, async: true };
    }
    return { result: out, async: false };
  }

  /** The columns of a SELECT, as DeltaStream types. */
  private async describeSelect(duckSql: string): Promise<{ name: string; type: string; nullable: boolean }[]> {
    try {
      const rows = await this.q(`DESCRIBE ${duckSql.replace(/\{\{(LO|HI):[0-9a-f-]+\}\}/g, "0")}`);
      return rows.map((r) => ({ name: String(r.column_name), type: dsTypeOf(String(r.column_type)), nullable: true }));
    } catch (e) {
      throw engineError(e);
    }
  }

  private async insertRelation(p: {
    type: string;
    db: string;
    schema: string;
    name: string;
    columns: { name: string; type: string; nullable: boolean }[];
    primaryKey: string[];
    props: Props;
    store: string;
    storeRow: Row;
    fmt: string;
    select?: unknown;
    text: string;
  }): Promise<string> {
    const id = cryptoId();
    let entity: string | null = null;
    if (p.type !== "table") {
      entity = propText(p.props.get("topic")) ?? propText(p.props.get("entity")) ?? p.name;
      const has = (await this.q("SELECT 1 FROM sys.entities WHERE store_name = $1 AND name = $2", [p.store, entity])).length > 0;
      if (!has) {
        if (!p.select && !p.props.get("topic.partitions")) throw notFound("3D007", "topic", entity);
        const eprops: Props = new Map();
        const parts = p.props.get("topic.partitions");
        const reps = p.props.get("topic.replicas");
        const kafka = p.storeRow.type !== "Kinesis";
        if (parts) eprops.set(kafka ? "kafka.partitions" : "kinesis.shards", parts);
        if (reps && kafka) eprops.set("kafka.replicas", reps);
        await this.insertEntity(String(p.storeRow.type), p.store, entity, eprops);
      }
    }
    const visible: Record<string, string | null> = {};
    for (const [k, v] of p.props) visible[k] = propText(v) ?? null;
    await this.run("INSERT INTO sys.relations VALUES ($1, $2, $3, $4, $5, $6, 'created', $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)", [
      id,
      p.db,
      p.schema,
      p.name,
      fqnOf(p.db, p.schema, p.name),
      p.type,
      p.store,
      entity,
      p.type === "table" ? null : p.fmt,
      propText(p.props.get("key.format")) ?? null,
      p.primaryKey.length ? JSON.stringify(p.primaryKey) : null,
      JSON.stringify(p.columns),
      JSON.stringify(visible),
      p.text,
      this.env.ctx.role,
      this.now,
    ]);
    const cols = p.columns.map((c) => `${quoteIdent(c.name)} ${duckTypeOf(c.type)}`).join(", ");
    await this.run(`CREATE TABLE ${relationTable(id)} (${cols}${cols ? ", " : ""}__ds_seq BIGINT)`);
    if (entity) {
      // a new relation reads its topic from the beginning
      await this.run("INSERT INTO internal.relation_offsets VALUES ($1, 0)", [id]);
    }
    return id;
  }

  // ------------------------------------------------------------------ queries

  private async parseInsert(k: Cursor) {
    k.expect("INSERT", "INTO");
    const sink = await this.relation(k.name(3, "relation name"));
    k.withProps();
    const selectText = k.rest().replace(/;\s*$/, "");
    const select = await rewriteSelect(selectText, (parts) => this.relation(parts));
    k.i = k.toks.length;
    if (select.sources.some((s) => s.id === sink.id)) throw new SqlStateError("42601", `relation "${sink.name}" cannot be both a source and the sink of a query`);
    return { sink, select, selectText };
  }

  private async insertInto(k: Cursor, stmt: Stmt): Promise<Outcome> {
    const { sink, select, selectText } = await this.parseInsert(k);
    await this.requireOrgPrivilege("CREATE_QUERY");
    for (const s of select.sources) if (s.state !== "created") throw new SqlStateError("3E003", `relation "${s.name}" is not ready`);
    const cols = JSON.parse(String(sink.columns)) as { name: string }[];
    const out = await this.describeSelect(select.sql);
    if (out.length !== cols.length) throw new SqlStateError("42601", `the query produces ${out.length} columns but sink "${sink.name}" has ${cols.length}`);
    const id = await this.insertQuery(stmt.text, String(sink.id), selectText, select, String(sink.name), cols.map((c) => c.name));
    return { result: { columns: ARTIFACT_COLUMNS, rows: [["query", id, "CREATE", null, JSON.stringify([])]] }, async: true };
  }

  async insertQuery(sqlText: string, sinkId: string, selectText: string, select: { sql: string; sources: RelationRef[]; aggregate: boolean }, sinkName: string, outputNames?: string[]): Promise<string> {
    const app = this.app;
    const running = app ? 0 : Number((await this.q("SELECT count(*) AS n FROM sys.queries WHERE current_state NOT IN ('terminated', 'errored')"))[0].n);
    if (running >= this.env.opts.maxQueries) throw new SqlStateError("53000", `configuration limit exceeded: at most ${this.env.opts.maxQueries} running queries`);
    const pool = this.env.ctx.computePool ?? null;
    if (pool) {
      const p = await this.computePool(pool);
      if (p.status !== "running") throw new SqlStateError("3E004", `compute pool "${pool}" is not ready (status ${p.status})`);
    }
    const id = cryptoId();
    const sink = (await this.q("SELECT fqn FROM sys.relations WHERE id = $1", [sinkId]))[0];
    // incremental (each new source row once) unless the query aggregates or reads a changelog
    const incremental = !select.aggregate && select.sources.length === 1 && select.sources[0].relation_type === "stream";
    let duckSql = select.sql;
    if (incremental) {
      const rw = await rewriteSelect(selectText, (parts) => this.relation(parts), true);
      duckSql = rw.sql;
    }
    const outCols = outputNames ?? (await this.describeSelect(select.sql)).map((c) => c.name);
    if (!app) {
      await this.run("INSERT INTO sys.queries VALUES ($1, $2, 1, $3, 'running', 'starting', NULL, $4, $5, NULL, $6, $7, $8, $8)", [
        id,
        `${sinkName}_${id.slice(0, 8)}`,
        sqlText,
        String(sink.fqn),
        JSON.stringify(select.sources.map((s) => fqnOf(s.database_name, s.schema_name, s.name))),
        pool,
        this.env.ctx.role,
        this.now,
      ]);
      await this.timer("query", id, this.env.opts.queryStartMs, "running");
    }
    await this.run("INSERT INTO internal.query_plans VALUES ($1, $2, $3, $4, $5, $6, $7)", [id, incremental ? "incremental" : "recompute", duckSql, sinkId, JSON.stringify(select.sources.map((s) => s.id)), JSON.stringify(outCols), app?.id ?? null]);
    for (const s of select.sources) await this.run("INSERT INTO internal.query_offsets VALUES ($1, $2, 0)", [id, s.id]);
    return id;
  }

  private async parseApplication(k: Cursor) {
    k.expect("BEGIN", "APPLICATION");
    const appName = k.ident("application name");
    // the statements between: split on the synthetic ';' tokens of splitSql
    const stmts: { text: string; toks: typeof k.toks }[] = [];
    let cur: typeof k.toks = [];
    for (; k.i < k.toks.length; k.i++) {
      const t = k.peek()!;
      if (t.k === "p" && t.v === ";") {
        if (cur.length) stmts.push({ text: "", toks: cur });
        cur = [];
      } else cur.push(t);
    }
    if (cur.length) stmts.push({ text: "", toks: cur });
    const last = stmts.pop();
    if (!last || last.toks[0]?.v.toUpperCase() !== "END") throw syntaxError("parse error: expected END APPLICATION");
    const ddls: { db: string; schema: string; name: string; type: string; store: string | null; virtual: boolean }[] = [];
    const sinks: typeof ddls = [];
    const sources: RelationRef[] = [];
    const statements: string[] = [];
    const source = k.stmt.text;
    const base = k.toks[0].at!;
    for (const s of stmts) {
      const first = s.toks[0];
      const lastTok = s.toks[s.toks.length - 1];
      const text = source.slice(first.at! - base, lastTok.at! - base + rawLength(source, { ...lastTok, at: lastTok.at! - base })).trim();
      statements.push(text);
      const sub = new Cursor({ text, toks: s.toks });
      if (sub.isWord("CREATE") && sub.isWord("VIRTUAL", 1)) {
        sub.i += 2;
        const type = sub.word().toLowerCase();
        sub.i++;
        const [db, schema, name] = await this.fullName(sub.name(3));
        ddls.push({ db, schema, name, type, store: null, virtual: true });
      } else if (sub.isWord("CREATE")) {
        const p = await this.parseCreateRelation(sub, text, true);
        const d = { db: p.db, schema: p.schema, name: p.name, type: p.type, store: p.store, virtual: false };
        ddls.push(d);
        if (p.select) sinks.push(d);
        for (const x of p.select?.sources ?? []) if (!sources.some((y) => y.id === x.id)) sources.push(x);
      } else if (sub.isWord("INSERT")) {
        const p = await this.parseInsert(sub);
        sinks.push({ db: String(p.sink.database_name), schema: String(p.sink.schema_name), name: String(p.sink.name), type: String(p.sink.relation_type), store: p.sink.store_name, virtual: false });
        for (const x of p.select.sources) if (!sources.some((y) => y.id === x.id)) sources.push(x);
      } else throw syntaxError(`parse error: unexpected statement in application: ${text.slice(0, 40)}`);
    }
    return { name: appName, ddls, sinks, sources, statements };
  }

  /** BEGIN APPLICATION name; CREATE …; INSERT INTO …; END APPLICATION: one query per sink, under the application's id. */
  private async application(k: Cursor, stmt: Stmt): Promise<Outcome> {
    const app = await this.parseApplication(k);
    await this.requireOrgPrivilege("CREATE_QUERY");
    if (app.ddls.some((d) => d.virtual)) throw new SqlStateError("0A000", "virtual relations are not supported by the emulator");
    const appId = cryptoId();
    const running = Number((await this.q("SELECT count(*) AS n FROM sys.queries WHERE current_state NOT IN ('terminated', 'errored')"))[0].n);
    if (running >= this.env.opts.maxQueries) throw new SqlStateError("53000", `configuration limit exceeded: at most ${this.env.opts.maxQueries} running queries`);
    const rows: Result["rows"] = [];
    for (const text of app.statements) {
      const sub = new Executor(this.c, this.env, { id: appId, name: app.name });
      const outcome = await sub.execute({ text, toks: tokenize(text) });
      for (const r of outcome.result.rows) if (r[0] !== "query") rows.push(r);
    }
    rows.push(["query", appId, "CREATE", app.name, JSON.stringify([])]);
    await this.run("INSERT INTO sys.queries VALUES ($1, $2, 1, $3, 'running', 'starting', NULL, $4, $5, $2, $6, $7, $8, $8)", [
      appId,
      app.name,
      stmt.text,
      JSON.stringify(app.sinks.map((s) => fqnOf(s.db, s.schema, s.name))),
      JSON.stringify(app.sources.map((s) => fqnOf(s.database_name, s.schema_name, s.name))),
      this.env.ctx.computePool ?? null,
      this.env.ctx.role,
      this.now,
    ]);
    await this.timer("query", appId, this.env.opts.queryStartMs, "running");
    return { result: { columns: ARTIFACT_COLUMNS, rows }, async: true };
  }

  private async queryControl(k: Cursor, verb: string): Promise<Outcome> {
    k.expect("QUERY");
    const id = k.queryId();
    k.end();
    const r = await this.q("SELECT * FROM sys.queries WHERE id = $1", [id]);
    if (!r.length) throw notFound("3D019", "query", id);
    const qrow = r[0];
    await this.requireOwnerOr(String(qrow.owner), "ALTER", "QUERY", id, `query ${id}`);
    for (const q of [id]) {
      if (verb === "TERMINATE") {
        const cur = (await this.q("SELECT current_state FROM sys.queries WHERE id = $1", [q]))[0];
        if (cur.current_state === "terminated") continue;
        await this.run("UPDATE sys.queries SET intended_state = 'terminated', current_state = 'terminate_requested', updated_at = $2 WHERE id = $1", [q, this.now]);
        await this.timer("query", q, this.env.opts.queryStartMs, "terminated");
      } else {
        await this.run("UPDATE sys.queries SET intended_state = 'running', current_state = 'starting', error_message = NULL, \"version\" = \"version\" + 1, updated_at = $2 WHERE id = $1", [q, this.now]);
        await this.timer("query", q, this.env.opts.queryStartMs, "running");
      }
    }
    return { result: { columns: ARTIFACT_COLUMNS, rows: [["query", id, verb, null, JSON.stringify([])]] }, async: true };
  }

  private async poolControl(k: Cursor, verb: string): Promise<Outcome> {
    k.expect("COMPUTE_POOL");
    const name = k.ident("compute pool name");
    k.end();
    const p = await this.computePool(name);
    await this.requireOwnerOr(String(p.owner), "USAGE", "COMPUTE_POOL", name, `compute pool "${name}"`);
    if (verb === "START") {
      if (p.status !== "running") {
        await this.run("UPDATE sys.compute_pools SET intended_state = 'running', status = 'starting', updated_at = $2 WHERE name = $1", [name, this.now]);
        await this.timer("compute_pool", name, this.env.opts.readyMs, "running");
      }
    } else {
      const users = await this.q("SELECT id FROM sys.queries WHERE compute_pool_name = $1 AND current_state NOT IN ('terminated', 'errored')", [name]);
      if (users.length) throw new SqlStateError("2BP01", `compute pool "${name}" is used by ${users.length} running quer${users.length === 1 ? "y" : "ies"} (${users.map((u) => u.id).join(", ")})`);
      if (p.status !== "stopped") {
        await this.run("UPDATE sys.compute_pools SET intended_state = 'stopped', status = 'stopping', updated_at = $2 WHERE name = $1", [name, this.now]);
        await this.timer("compute_pool", name, this.env.opts.readyMs, "stopped");
      }
    }
    return { result: this.artifact("compute_pool", name, verb, [name]), async: true };
  }

  // ------------------------------------------------------------------ UPDATE

  private async update(k: Cursor): Promise<Outcome> {
    const w = k.word();
    k.i++;
    switch (w) {
      case "STORE": {
        const name = k.ident("store name");
        const props = k.withProps();
        k.end();
        const s = await this.store(name);
        await this.requireOwnerOr(String(s.owner), "ALTER", "STORE", name, `store "${name}"`);
        if (props.has("type")) throw new SqlStateError("0A000", "the type of a store cannot be changed");
        const type = Object.entries(STORE_TYPE_NAMES).find(([, v]) => v === s.type)![0];
        this.validateStoreProps(type, props, false);
        this.checkAttachments(props);
        const visible = JSON.parse(String(s.properties ?? "{}")) as Record<string, string | null>;
        const secretRow = (await this.q("SELECT properties FROM internal.store_secrets WHERE store_name = $1", [name]))[0];
        const secret = JSON.parse(String(secretRow?.properties ?? "{}")) as Record<string, string | null>;
        for (const [key, v] of props) {
          const t = propText(v) ?? null;
          const target = SECRET_PROP.test(key) ? secret : visible;
          if (t === null) delete target[key];
          else target[key] = t;
        }
        for (const r of STORE_PROPS[type].required) if (visible[r] === undefined && secret[r] === undefined) throw new SqlStateError("3D021", `missing required property '${r}' for store type ${type}`);
        const sr = visible["schema_registry.name"] ?? visible["kafka.schema_registry_name"] ?? null;
        if (sr && !(await this.q("SELECT 1 FROM sys.schema_registries WHERE name = $1", [sr])).length) throw notFound("3D009", "schema registry", sr);
        const uris = visible.uris ?? null;
        await this.run("UPDATE sys.stores SET properties = $2, uris = $3, schema_registry_name = $4, status = 'pending', status_message = NULL, updated_at = $5 WHERE name = $1", [name, JSON.stringify(visible), uris, sr, this.now]);
        await this.run("UPDATE internal.store_secrets SET properties = $2 WHERE store_name = $1", [name, JSON.stringify(secret)]);
        const st = this.storeStatus(uris);
        await this.timer("store", name, this.env.opts.readyMs, st.status, st.message);
        return { result: this.artifact("store", name, "UPDATE", [name]), async: true };
      }
      case "ENTITY": {
        const { path, storeName, store, name, e, props } = await this.entityAt(k, true);
        const p = this.entityProps(String(store.type), props!, e);
        if (p.replicas !== null && p.replicas !== Number(e.replicas)) throw new SqlStateError("0A000", "the replication factor of a topic cannot be changed");
        if (p.partitions !== null && p.partitions < Number(e.partitions)) throw new SqlStateError("0A000", `the number of partitions of a topic cannot decrease (from ${e.partitions} to ${p.partitions})`);
        await this.run("UPDATE sys.entities SET partitions = $3, shards = $4, configs = $5, updated_at = $6 WHERE store_name = $1 AND name = $2", [storeName, name, p.partitions, p.shards, JSON.stringify(p.configs), this.now]);
        return { result: this.artifact("entity", name, "UPDATE", [storeName, ...path]), async: false };
      }
      case "SCHEMA_REGISTRY":
      case "SECRET": {
        const table = w === "SECRET" ? "secrets" : "schema_registries";
        const name = k.ident();
        const props = k.withProps();
        k.end();
        const r = await this.q(`SELECT * FROM sys.${table} WHERE name = $1`, [name]);
        if (!r.length) throw notFound(w === "SECRET" ? "3D016" : "3D009", w === "SECRET" ? "secret" : "schema registry", name);
        await this.requireOwnerOr(String(r[0].owner), "ALTER", w, name, `${w.toLowerCase()} "${name}"`);
        if (props.has("type")) throw new SqlStateError("0A000", `the type of a ${w.toLowerCase().replace("_", " ")} cannot be changed`);
        this.checkAttachments(props);
        if (w === "SECRET") {
          const desc = props.has("description") ? (propText(props.get("description")) ?? null) : (r[0].description as string | null);
          await this.run("UPDATE sys.secrets SET description = $2, status = 'pending', updated_at = $3 WHERE name = $1", [name, desc, this.now]);
          await this.timer("secret", name, this.env.opts.readyMs, "ready");
        } else {
          const uris = props.has("uris") ? (propText(props.get("uris")) ?? null) : (r[0].uris as string | null);
          await this.run("UPDATE sys.schema_registries SET uris = $2, status = 'pending', status_message = NULL, updated_at = $3 WHERE name = $1", [name, uris, this.now]);
          const st = this.storeStatus(uris);
          await this.timer("schema_registry", name, this.env.opts.readyMs, st.status, st.message);
        }
        return { result: this.artifact(w.toLowerCase(), name, "UPDATE", [name]), async: w !== "SECRET" };
      }
      case "COMPUTE_POOL": {
        const name = k.ident();
        const props = k.withProps();
        k.end();
        const p = await this.computePool(name);
        await this.requireOwnerOr(String(p.owner), "ALTER", "COMPUTE_POOL", name, `compute pool "${name}"`);
        const { size, timeout } = this.poolProps(props, { size: String(p.size), timeout: Number(p.timeout_min) });
        await this.run("UPDATE sys.compute_pools SET size = $2, timeout_min = $3, updated_at = $4 WHERE name = $1", [name, size, timeout, this.now]);
        return { result: this.artifact("compute_pool", name, "UPDATE", [name]), async: true };
      }
      default:
        throw syntaxError(`parse error: mismatched input '${w}' expecting STORE, ENTITY, SCHEMA_REGISTRY, SECRET or COMPUTE_POOL`);
    }
  }

  // ------------------------------------------------------------------ ALTER … OWNER TO

  private async alterOwner(k: Cursor): Promise<Result> {
    const w = k.word();
    k.i++;
    let table: string;
    let where: string;
    let params: string[];
    let label: string;
    let path: string[];
    switch (w) {
      case "DATABASE": {
        const n = k.ident();
        await this.database(n);
        [table, where, params, label, path] = ["databases", "name = $1", [n], `database "${n}"`, [n]];
        break;
      }
      case "SCHEMA": {
        const p = k.name(2);
        const [db, s] = p.length === 2 ? p : [await this.contextDatabase(), p[0]];
        await this.schema(db, s);
        [table, where, params, label, path] = ["schemas", "database_name = $1 AND name = $2", [db, s], `schema "${db}.${s}"`, [db, s]];
        break;
      }
      case "STORE":
      case "SECRET":
      case "SCHEMA_REGISTRY":
      case "COMPUTE_POOL": {
        const n = k.ident();
        table = { STORE: "stores", SECRET: "secrets", SCHEMA_REGISTRY: "schema_registries", COMPUTE_POOL: "compute_pools" }[w];
        if (!(await this.q(`SELECT 1 FROM sys.${table} WHERE name = $1`, [n])).length) throw notFound({ STORE: "3D006", SECRET: "3D016", SCHEMA_REGISTRY: "3D009", COMPUTE_POOL: "3D023" }[w], w.toLowerCase().replace("_", " "), n);
        [where, params, label, path] = ["name = $1", [n], `${w.toLowerCase()} "${n}"`, [n]];
        break;
      }
      case "RELATION":
      case "STREAM":
      case "CHANGELOG":
      case "TABLE": {
        const rel = await this.relation(k.name(3));
        if (w !== "RELATION" && rel.relation_type !== w.toLowerCase()) throw new SqlStateError("42601", `relation "${rel.name}" is a ${rel.relation_type}, not a ${w.toLowerCase()}`);
        [table, where, params, label, path] = ["relations", "id = $1", [String(rel.id)], `relation ${rel.fqn}`, [rel.database_name, rel.schema_name, rel.name]];
        break;
      }
      case "QUERY": {
        const id = k.queryId();
        if (!(await this.q("SELECT 1 FROM sys.queries WHERE id = $1", [id])).length) throw notFound("3D019", "query", id);
        [table, where, params, label, path] = ["queries", "id = $1", [id], `query ${id}`, []];
        break;
      }
      default:
        throw syntaxError(`parse error: mismatched input '${w}' expecting an object type`);
    }
    k.expect("OWNER", "TO");
    k.accept("ROLE");
    const role = k.ident("role name");
    k.end();
    await this.requireRole(role);
    const cur = (await this.q(`SELECT "owner" FROM sys.${table} WHERE ${where}`, params))[0];
    const roles = await this.effectiveRoles();
    if (!roles.has(String(cur.owner)) && !(await this.isAdmin())) throw new SqlStateError("42501", `role "${this.env.ctx.role}" does not own ${label}`);
    await this.run(`UPDATE sys.${table} SET "owner" = $${params.length + 1}, updated_at = $${params.length + 2} WHERE ${where}`, [...params, role, this.now]);
    return this.artifact(w.toLowerCase(), path[path.length - 1] ?? String(params[0]), "ALTER", path);
  }

  // ------------------------------------------------------------------ DROP

  private async drop(k: Cursor): Promise<Outcome> {
    const w = k.word();
    k.i++;
    const ifExists = k.accept("IF", "EXISTS");
    const sync = (r: Result): Outcome => ({ result: r, async: false });
    const missing = <T>(e: unknown, fallback: T): T => {
      if (ifExists && e instanceof SqlStateError && /^3D0/.test(e.sqlState)) return fallback;
      throw e;
    };
    try {
      switch (w) {
        case "DATABASE": {
          const n = k.ident();
          k.end();
          const d = await this.database(n);
          await this.requireOwnerOr(String(d.owner), "DROP", "DATABASE", n, `database "${n}"`);
          const rels = await this.q("SELECT fqn FROM sys.relations WHERE database_name = $1", [n]);
          if (rels.length) throw new SqlStateError("2BP01", `database "${n}" cannot be dropped: it holds relations (${rels.map((r) => r.fqn).join(", ")})`);
          await this.run("DELETE FROM sys.schemas WHERE database_name = $1", [n]);
          await this.run("DELETE FROM sys.databases WHERE name = $1", [n]);
          await this.run("DELETE FROM sys.grants WHERE object_type = 'DATABASE' AND object_name = $1", [n]);
          return sync(this.artifact("database", n, "DROP", [n]));
        }
        case "SCHEMA": {
          const p = k.name(2);
          k.end();
          const [db, s] = p.length === 2 ? p : [await this.contextDatabase(), p[0]];
          const row = await this.schema(db, s);
          await this.requireOwnerOr(String(row.owner), "DROP", "SCHEMA", `${db}.${s}`, `schema "${db}.${s}"`);
          const rels = await this.q("SELECT fqn FROM sys.relations WHERE database_name = $1 AND schema_name = $2", [db, s]);
          if (rels.length) throw new SqlStateError("2BP01", `schema "${db}.${s}" cannot be dropped: it holds relations (${rels.map((r) => r.fqn).join(", ")})`);
          await this.run("DELETE FROM sys.schemas WHERE database_name = $1 AND name = $2", [db, s]);
          return sync(this.artifact("schema", s, "DROP", [db, s]));
        }
        case "STORE": {
          const n = k.ident();
          k.end();
          const s = await this.store(n);
          await this.requireOwnerOr(String(s.owner), "DROP", "STORE", n, `store "${n}"`);
          const rels = await this.q("SELECT fqn FROM sys.relations WHERE store_name = $1", [n]);
          if (rels.length) throw new SqlStateError("2BP01", `store "${n}" cannot be dropped: relations use it (${rels.map((r) => r.fqn).join(", ")})`);
          for (const e of await this.q("SELECT id FROM sys.entities WHERE store_name = $1", [n])) await this.run(`DROP TABLE IF EXISTS ${topicTable(String(e.id))}`);
          await this.run("DELETE FROM sys.entities WHERE store_name = $1", [n]);
          await this.run("DELETE FROM sys.stores WHERE name = $1", [n]);
          await this.run("DELETE FROM internal.store_secrets WHERE store_name = $1", [n]);
          await this.run("DELETE FROM internal.timers WHERE kind = 'store' AND name = $1", [n]);
          return { result: this.artifact("store", n, "DROP", [n]), async: true };
        }
        case "ENTITY": {
          const { path, storeName, store, name, e } = await this.entityAt(k);
          await this.requireOwnerOr(String(store.owner), "USAGE", "STORE", storeName, `store "${storeName}"`);
          const rels = await this.q("SELECT fqn FROM sys.relations WHERE store_name = $1 AND entity_name = $2", [storeName, name]);
          if (rels.length) throw new SqlStateError("2BP01", `entity "${name}" cannot be dropped: relations read it (${rels.map((r) => r.fqn).join(", ")})`);
          await this.run(`DROP TABLE IF EXISTS ${topicTable(String(e.id))}`);
          await this.run("DELETE FROM sys.entities WHERE id = $1", [String(e.id)]);
          return sync(this.artifact("entity", name, "DROP", [storeName, ...path]));
        }
        case "SCHEMA_REGISTRY": {
          const n = k.ident();
          k.end();
          const r = await this.q("SELECT * FROM sys.schema_registries WHERE name = $1", [n]);
          if (!r.length) throw notFound("3D009", "schema registry", n);
          await this.requireOwnerOr(String(r[0].owner), "DROP", "SCHEMA_REGISTRY", n, `schema registry "${n}"`);
          const stores = await this.q("SELECT name FROM sys.stores WHERE schema_registry_name = $1", [n]);
          if (stores.length) throw new SqlStateError("2BP01", `schema registry "${n}" cannot be dropped: stores use it (${stores.map((s) => s.name).join(", ")})`);
          await this.run("DELETE FROM sys.schema_registries WHERE name = $1", [n]);
          return { result: this.artifact("schema_registry", n, "DROP", [n]), async: true };
        }
        case "SECRET": {
          const n = k.ident();
          k.end();
          const r = await this.q("SELECT * FROM sys.secrets WHERE name = $1", [n]);
          if (!r.length) throw notFound("3D016", "secret", n);
          await this.requireOwnerOr(String(r[0].owner), "DROP", "SECRET", n, `secret "${n}"`);
          await this.run("DELETE FROM sys.secrets WHERE name = $1", [n]);
          await this.run("DELETE FROM internal.secret_values WHERE secret_name = $1", [n]);
          return sync(this.artifact("secret", n, "DROP", [n]));
        }
        case "RELATION":
        case "STREAM":
        case "CHANGELOG":
        case "TABLE": {
          const rel = await this.relation(k.name(3));
          k.end();
          if (w !== "RELATION" && rel.relation_type !== w.toLowerCase()) throw new SqlStateError("42601", `relation ${rel.fqn} is a ${rel.relation_type}, not a ${w.toLowerCase()}`);
          await this.requireOwnerOr(String(rel.owner), "DROP", "RELATION", String(rel.fqn), `relation ${rel.fqn}`);
          const users = await this.q(
            `SELECT DISTINCT q.id FROM sys.queries q JOIN internal.query_plans p ON coalesce(p.app_id, p.query_id) = q.id WHERE q.current_state NOT IN ('terminated', 'errored') AND (p.sink_relation_id = $1 OR p.source_relation_ids LIKE '%' || $1 || '%')`,
            [String(rel.id)],
          );
          if (users.length) throw new SqlStateError("2BP01", `relation ${rel.fqn} cannot be dropped: running queries use it (${users.map((u) => u.id).join(", ")})`);
          await this.run(`DROP TABLE IF EXISTS ${relationTable(String(rel.id))}`);
          await this.run("DELETE FROM sys.relations WHERE id = $1", [String(rel.id)]);
          await this.run("DELETE FROM internal.relation_offsets WHERE relation_id = $1", [String(rel.id)]);
          return sync(this.artifact(String(rel.relation_type), String(rel.name), "DROP", [String(rel.database_name), String(rel.schema_name), String(rel.name)]));
        }
        case "COMPUTE_POOL": {
          const n = k.ident();
          k.end();
          const p = await this.computePool(n);
          await this.requireOwnerOr(String(p.owner), "DROP", "COMPUTE_POOL", n, `compute pool "${n}"`);
          const users = await this.q("SELECT id FROM sys.queries WHERE compute_pool_name = $1 AND current_state NOT IN ('terminated', 'errored')", [n]);
          if (users.length) throw new SqlStateError("2BP01", `compute pool "${n}" cannot be dropped: running queries use it (${users.map((u) => u.id).join(", ")})`);
          await this.run("DELETE FROM sys.compute_pools WHERE name = $1", [n]);
          await this.run("DELETE FROM internal.timers WHERE kind = 'compute_pool' AND name = $1", [n]);
          return { result: this.artifact("compute_pool", n, "DROP", [n]), async: true };
        }
        case "ROLE": {
          const n = k.ident();
          k.end();
          await this.requireRole(n);
          if (BUILTIN_ROLES.includes(n)) throw new SqlStateError("42501", `built-in role "${n}" cannot be dropped`);
          const roles = await this.effectiveRoles();
          if (!(await this.isAdmin()) && !roles.has("securityadmin") && !roles.has("useradmin")) throw new SqlStateError("42501", `role "${this.env.ctx.role}" cannot drop roles`);
          const owned: string[] = [];
          for (const t of ["databases", "schemas", "stores", "secrets", "schema_registries", "relations", "queries", "compute_pools", "roles"]) {
            const n2 = Number((await this.q(`SELECT count(*) AS n FROM sys.${t} WHERE "owner" = $1`, [n]))[0].n);
            if (n2) owned.push(`${n2} ${t.replace("_", " ")}`);
          }
          if (owned.length) throw new SqlStateError("2BP01", `role "${n}" cannot be dropped: it owns ${owned.join(", ")}`);
          await this.run("DELETE FROM sys.roles WHERE name = $1", [n]);
          await this.run("DELETE FROM sys.role_members WHERE role_name = $1 OR member_role_name = $1", [n]);
          await this.run("DELETE FROM sys.grants WHERE grantee_role = $1", [n]);
          return sync(this.artifact("role", n, "DROP", [n]));
        }
        case "API_TOKEN": {
          const n = k.identOrString();
          k.end();
          const r = await this.q("SELECT * FROM sys.api_tokens WHERE name = $1", [n]);
          if (!r.length) throw notFound("3D012", "API token", n);
          await this.run("DELETE FROM sys.api_tokens WHERE name = $1", [n]);
          this.env.onToken?.(n, null);
          return sync(this.artifact("api_token", n, "DROP", [n]));
        }
        case "FUNCTION_SOURCE":
        case "DESCRIPTOR_SOURCE": {
          const n = k.ident();
          k.end();
          const t = w.toLowerCase();
          if (!(await this.q("SELECT 1 FROM internal.downloads WHERE resource_type = $1 AND name = $2", [t, n])).length) throw notFound(t === "function_source" ? "3D018" : "3D011", t.replace("_", " "), n);
          await this.run("DELETE FROM internal.downloads WHERE resource_type = $1 AND name = $2", [t, n]);
          return sync(this.artifact(t, n, "DROP", [n]));
        }
        default:
          throw syntaxError(`parse error: mismatched input '${w}' expecting an object type to drop`);
      }
    } catch (e) {
      return missing(e, sync(this.artifact(w.toLowerCase(), "", "NONE", [], "does not exist")));
    }
  }

  // ------------------------------------------------------------------ GRANT / REVOKE

  private async grant(k: Cursor, granting: boolean): Promise<Result> {
    const roles = await this.effectiveRoles();
    const canManage = (await this.isAdmin()) || roles.has("securityadmin") || (await this.hasPrivilege("MANAGE_GRANTS", "ORGANIZATION", this.env.ctx.organizationID));
    // role membership: GRANT ROLE a[, b] TO ROLE x / REVOKE ROLE a FROM ROLE x
    if (k.accept("ROLE")) {
      const granted: string[] = [];
      for (;;) {
        granted.push(k.ident("role name"));
        if (!k.acceptP(",")) break;
      }
      k.expect(granting ? "TO" : "FROM");
      k.accept("ROLE");
      const targets = this.roleList(k);
      k.end();
      if (!canManage && !(await this.hasPrivilege("MANAGE_MEMBERS", "ORGANIZATION", this.env.ctx.organizationID)) && !roles.has("useradmin")) {
        throw new SqlStateError("42501", `role "${this.env.ctx.role}" does not have the MANAGE_MEMBERS privilege`);
      }
      for (const r of [...granted, ...targets]) await this.requireRole(r);
      for (const g of granted)
        for (const t of targets) {
          if (granting) await this.addMember(g, t);
          else await this.run("DELETE FROM sys.role_members WHERE role_name = $1 AND member_role_name = $2", [g, t]);
        }
      return this.artifact("role", granted.join(","), granting ? "GRANT" : "REVOKE", targets);
    }
    const privileges: string[] = [];
    if (k.accept("OWNERSHIP")) privileges.push("OWNERSHIP");
    else
      for (;;) {
        if (k.accept("ALL")) {
          k.accept("PRIVILEGES");
          privileges.push("ALL");
        } else {
          const p = k.word();
          if (!p) throw syntaxError(`parse error: expected a privilege ${k.near()}`);
          k.i++;
          privileges.push(p);
        }
        if (!k.acceptP(",")) break;
      }
    k.expect("ON");
    const objectType = k.word();
    if (!GRANT_OBJECTS.includes(objectType)) throw syntaxError(`parse error: mismatched input '${k.peek()?.v ?? ""}' expecting an object type`);
    k.i++;
    let objectName: string;
    switch (objectType) {
      case "ORGANIZATION":
        if (!k.isWord(granting ? "TO" : "FROM")) {
          const o = k.identOrString();
          if (o !== this.env.ctx.organizationID && o !== this.env.ctx.organization) throw notFound("3D004", "organization", o);
        }
        objectName = this.env.ctx.organizationID;
        break;
      case "DATABASE":
        objectName = k.ident();
        await this.database(objectName);
        break;
      case "SCHEMA": {
        const p = k.name(2);
        const [db, s] = p.length === 2 ? p : [await this.contextDatabase(), p[0]];
        await this.schema(db, s);
        objectName = `${db}.${s}`;
        break;
      }
      case "STORE":
        objectName = k.ident();
        await this.store(objectName);
        break;
      case "COMPUTE_POOL":
        objectName = k.ident();
        await this.computePool(objectName);
        break;
      case "SCHEMA_REGISTRY":
      case "SECRET": {
        objectName = k.ident();
        const t = objectType === "SECRET" ? "secrets" : "schema_registries";
        if (!(await this.q(`SELECT 1 FROM sys.${t} WHERE name = $1`, [objectName])).length) throw notFound(objectType === "SECRET" ? "3D016" : "3D009", objectType.toLowerCase().replace("_", " "), objectName);
        break;
      }
      case "QUERY":
        objectName = k.queryId();
        if (!(await this.q("SELECT 1 FROM sys.queries WHERE id = $1", [objectName])).length) throw notFound("3D019", "query", objectName);
        break;
      default: {
        const rel = await this.relation(k.name(3));
        objectName = String(rel.fqn);
      }
    }
    k.expect(granting ? "TO" : "FROM");
    k.accept("ROLE");
    const targets = this.roleList(k);
    const withGrant = granting && k.accept("WITH", "GRANT", "OPTION");
    k.end();
    for (const t of targets) await this.requireRole(t);
    const valid = objectType === "ORGANIZATION" ? ORG_PRIVILEGES : OBJECT_PRIVILEGES;
    for (const p of privileges) if (p !== "OWNERSHIP" && !valid.includes(p)) throw new SqlStateError("0LP01", `privilege ${p} cannot be granted on ${objectType === "ORGANIZATION" ? "the organization" : `a ${objectType.toLowerCase()}`} (valid: ${valid.join(", ")})`);
    if (!canManage) throw new SqlStateError("42501", `role "${this.env.ctx.role}" does not have the MANAGE_GRANTS privilege`);
    const otype = ["STREAM", "CHANGELOG", "TABLE"].includes(objectType) ? "RELATION" : objectType;
    for (const t of targets)
      for (const p of privileges) {
        if (p === "OWNERSHIP") {
          const table = { DATABASE: "databases", STORE: "stores", COMPUTE_POOL: "compute_pools", SECRET: "secrets", SCHEMA_REGISTRY: "schema_registries", QUERY: "queries", RELATION: "relations" }[otype as "DATABASE"];
          if (!table) throw new SqlStateError("0LP01", `ownership of ${otype.toLowerCase()} cannot be granted`);
          const col2 = otype === "QUERY" ? "id" : otype === "RELATION" ? "fqn" : "name";
          await this.run(`UPDATE sys.${table} SET "owner" = $2, updated_at = $3 WHERE ${col2} = $1`, [objectName, t, this.now]);
          continue;
        }
        await this.run("DELETE FROM sys.grants WHERE privilege = $1 AND object_type = $2 AND object_name = $3 AND grantee_role = $4", [p, otype, objectName, t]);
        if (granting) await this.run("INSERT INTO sys.grants VALUES ($1, $2, $3, $4, $5, $6, $7)", [p, otype, objectName, t, withGrant, this.env.ctx.role, this.now]);
      }
    return this.artifact("grant", privileges.join(","), granting ? "GRANT" : "REVOKE", [otype, objectName]);
  }

  private roleList(k: Cursor): string[] {
    const out: string[] = [];
    for (;;) {
      out.push(k.ident("role name"));
      if (!k.acceptP(",")) return out;
      k.accept("ROLE");
    }
  }

  // ------------------------------------------------------------------ USE / PRINT / CAN I

  private async use(k: Cursor): Promise<Outcome> {
    const w = k.word();
    k.i++;
    const ctx: Partial<SessionContext> = {};
    switch (w) {
      case "DATABASE":
        ctx.database = k.ident();
        await this.database(ctx.database);
        ctx.schema = "public";
        break;
      case "SCHEMA": {
        const p = k.name(2);
        const [db, s] = p.length === 2 ? p : [await this.contextDatabase(), p[0]];
        await this.schema(db, s);
        ctx.database = db;
        ctx.schema = s;
        break;
      }
      case "STORE":
        ctx.store = k.ident();
        await this.store(ctx.store);
        break;
      case "COMPUTE_POOL":
        ctx.computePool = k.ident();
        await this.computePool(ctx.computePool);
        break;
      case "ROLE":
        ctx.role = k.ident();
        await this.requireRole(ctx.role);
        if (!(await this.effectiveRoles()).has(ctx.role) && !(await this.isAdmin())) throw new SqlStateError("42501", `role "${ctx.role}" is not granted to the current user`);
        break;
      default:
        throw syntaxError(`parse error: mismatched input '${w}' expecting DATABASE, SCHEMA, STORE, COMPUTE_POOL or ROLE`);
    }
    k.end();
    return { result: empty(), async: false, context: ctx };
  }

  /**
   * `<entity path> [IN STORE <store>] [WITH (…)]` to the end of the statement, and the entity it
   * names in that store (the context's store when none is named); 3D007 when there is none.
   */
  private async entityAt(k: Cursor, withProps = false) {
    const path = k.name(5);
    const storeName = k.accept("IN", "STORE") ? k.ident() : await this.contextStore();
    const props = withProps ? k.withProps() : undefined;
    k.end();
    const store = await this.store(storeName);
    const name = path.join(".");
    const r = await this.q("SELECT * FROM sys.entities WHERE store_name = $1 AND name = $2", [storeName, name]);
    if (!r.length) throw notFound("3D007", "entity", name);
    return { path, storeName, store, name, e: r[0], props };
  }

    private async print(k: Cursor): Promise<Result> {
    k.expect("ENTITY");
    const { e, props } = await this.entityAt(k, true);
    const limit = props!.has("from_beginning") ? 10_000 : 100;
    return resultOf(this.c, `SELECT "partition" AS "Partition", seq AS "Offset", "key" AS "Key", "value" AS "Value", produced_at AS "Timestamp" FROM ${topicTable(String(e.id))} ORDER BY seq LIMIT ${limit}`, [], { ltz: true });
  }

  private async canI(k: Cursor): Promise<Result> {
    k.expect("I");
    const p = k.word();
    k.i++;
    k.end();
    return { columns: [col("Allowed", "BOOLEAN")], rows: [[String(await this.hasPrivilege(p, "ORGANIZATION", this.env.ctx.organizationID))]] };
  }
}

/** A DuckDB error as the vendor's: binder/parser errors are 42601, missing tables 3D020, the rest XX000. */
export function engineError(e: unknown): SqlStateError {
  const msg = (e instanceof Error ? e.message : String(e)).split("\n")[0];
  if (/^(Parser|Binder|Catalog|Conversion|Invalid Input) Error/i.test(msg)) return new SqlStateError("42601", msg.replace(/^\w+ Error: /, ""));
  if (/^Permission Error/i.test(msg)) return new SqlStateError("42501", msg.replace(/^\w+ Error: /, ""));
  if (/^Not implemented Error/i.test(msg)) return new SqlStateError("0A000", msg.replace(/^\w+ \w+ Error: /, ""));
  return new SqlStateError("XX000", msg);
}

export type { PropValue };
