/**
 * What `pulumi-warehouse export` lists in a CARTO account: the user's own relations and the
 * privileges granted on them, read from the catalog with the master key. CARTO's and PostgreSQL's
 * own objects are never listed: the system schemas (pg_catalog, information_schema, pg_toast,
 * cartodb, carto, topology, tiger, …), anything an extension owns (PostGIS's spatial_ref_sys,
 * geometry_columns, geography_columns, raster_columns, …) and `pg_*` names.
 */
import { list, literal, sql } from "../sql/builder";
import { CartoApi } from "./api";
import { ObjectRef } from "./names";

/** Schemas that hold CARTO's or PostgreSQL's own objects, never the user's. */
export const SYSTEM_SCHEMAS = ["pg_catalog", "information_schema", "pg_toast", "cartodb", "carto", "cdb_importer", "cdb_dataservices_client", "topology", "tiger", "tiger_data", "aggregation"] as const;

/** Relations PostGIS or CARTO put in the user's schema (also caught as extension members where the extension says so). */
export const SYSTEM_RELATIONS = ["spatial_ref_sys", "geometry_columns", "geography_columns", "raster_columns", "raster_overviews", "cdb_tablemetadata", "cdb_analysis_catalog", "cdb_conf"] as const;

/** True for a schema or relation name the export never lists. */
export function isSystemObject(schema: string, name: string): boolean {
  return (
    (SYSTEM_SCHEMAS as readonly string[]).includes(schema) ||
    schema.startsWith("pg_") ||
    (SYSTEM_RELATIONS as readonly string[]).includes(name) ||
    name.startsWith("pg_")
  );
}

const FORBIDDEN = /system tables are forbidden/i;

/** Runs a catalog read for the export, saying what is needed when the account refuses catalog tables. */
async function catalogRows(api: CartoApi, statement: Parameters<CartoApi["rows"]>[0]): Promise<Record<string, unknown>[]> {
  try {
    return await api.rows(statement);
  } catch (e) {
    if (FORBIDDEN.test((e as Error).message)) {
      (e as Error).message += ". pulumi-warehouse export lists a CARTO account's objects from the PostgreSQL catalog (pg_class), which this account refuses even to the master key";
    }
    throw e;
  }
}

/** The user's relations of these kinds (r table, p partitioned table, v view, m materialized view), by schema and name. */
export async function listRelations(api: CartoApi, relkinds: readonly ("r" | "p" | "v" | "m")[]): Promise<(ObjectRef & { relkind: string })[]> {
  const rows = await catalogRows(
    api,
    sql`SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN (${list(relkinds.map((k) => literal(k)))})
  AND n.nspname NOT IN (${list(SYSTEM_SCHEMAS.map((s) => literal(s)))}) AND n.nspname NOT LIKE 'pg\\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY n.nspname, c.relname`,
  );
  return rows
    .map((r) => ({ schema: String(r.schema), name: String(r.name), relkind: String(r.relkind) }))
    .filter((r) => !isSystemObject(r.schema, r.name));
}

/**
 * Every (relation, role) pair with privileges granted explicitly on a user's table, view or
 * materialized view — not the owner's own, not PUBLIC's — with the privileges the ACL names.
 */
export async function listGrantees(api: CartoApi): Promise<{ schema: string; table: string; role: string; privileges: string[] }[]> {
  const rows = await catalogRows(
    api,
    sql`SELECT n.nspname AS schema, c.relname AS table, a.grantee::regrole::text AS role, json_agg(lower(a.privilege_type) ORDER BY a.privilege_type) AS privileges
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a
WHERE c.relkind IN ('r', 'p', 'v', 'm') AND a.grantee <> 0 AND a.grantee <> c.relowner
  AND n.nspname NOT IN (${list(SYSTEM_SCHEMAS.map((s) => literal(s)))}) AND n.nspname NOT LIKE 'pg\\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3`,
  );
  return rows
    .map((r) => ({
      schema: String(r.schema),
      table: String(r.table),
      // regrole::text quotes a name that needs it; a role name is compared unquoted
      role: String(r.role).replace(/^"(.*)"$/, "$1").replace(/""/g, '"'),
      privileges: (typeof r.privileges === "string" ? JSON.parse(r.privileges) : (r.privileges as string[] | null)) ?? [],
    }))
    .filter((r) => !isSystemObject(r.schema, r.table));
}
