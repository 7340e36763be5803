/** DuckDB types (Altertable's engine) for the column planner: the type system lives in the SQL layer. */
import { DUCKDB_TYPES, parseDuckType } from "../sql/types/duckdb";

export { DUCKDB_TYPES, parseDuckType };

/** Canonical DuckDB spelling (aliases resolved); a spelling that does not parse comes back trimmed. */
export const canonicalDuckType = (raw: string) => DUCKDB_TYPES.canonical(raw);
export const isDuckWidening = (from: string, to: string) => DUCKDB_TYPES.isWidening(from, to);
