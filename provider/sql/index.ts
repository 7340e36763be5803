/** The SQL layer: one tokenizer, a statement builder, a Dialect per engine, type systems, default expressions, idempotency and error mapping. */
export * from "./tokenizer";
export * from "./builder";
export { Dialect, Literal, DUCKDB, CLICKHOUSE, POSTGRES, DELTASTREAM, DIALECTS } from "./dialect";
export { Idempotency, IdempotencyRule, IdempotencyTable } from "./idempotency";
export { engineError, kindForSqlState, clickHouseCode, EngineErrorInput } from "./errors";
export { parseDefault, ParsedDefault } from "./defaults";
export { DUCKDB_TYPES, parseDuckType } from "./types/duckdb";
export { CLICKHOUSE_TYPES, parseClickHouseType } from "./types/clickhouse";
export { POSTGRES_TYPES, parsePostgresType } from "./types/postgres";
