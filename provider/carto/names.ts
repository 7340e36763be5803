/** Names of CARTO objects: PostgreSQL identifiers, ids `schema.name`, quoted names for the builder. */
import { z } from "zod";
import { idCodec } from "../framework/ids";
import { SqlPart, name } from "../sql/builder";

/** PostgreSQL truncates identifiers past 63 bytes; CARTO names are lower case. */
export const PG_IDENT = /^[a-z_][a-z0-9_]{0,62}$/;
export const PG_IDENT_RULE = "must be 1-63 lower-case letters, digits or '_' and not start with a digit (a PostgreSQL identifier as CARTO names them)";

/** A zod string checked against the PostgreSQL identifier rule. */
export const pgIdent = () => z.string().regex(PG_IDENT, PG_IDENT_RULE);

/** The schema of a single-user CARTO account's tables. */
export const DEFAULT_SCHEMA = "public";

/** The id of a table, view or materialized view: `schema.name`. */
export const OBJECT_ID = idCodec("schema", "name");

export interface ObjectRef {
  schema: string;
  name: string;
}

export function splitId(id: string): ObjectRef {
  return OBJECT_ID.decode(id);
}

/** "schema"."name" for the statement builder. */
export function qualified(o: ObjectRef): SqlPart {
  return name(o.schema, o.name);
}
