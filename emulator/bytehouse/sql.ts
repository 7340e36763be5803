/**
 * Queries: POST /v1/sql/sync and the async family. Statements are translated from ClickHouse SQL
 * (sqlparse.ts) and run on DuckDB; DDL keeps the table metadata in step with DuckDB's catalog.
 */
import { randomUUID } from "node:crypto";
import type { DuckDBConnection } from "@duckdb/node-api";
import { HttpError, Route } from "../framework/server";
import { BYTEHOUSE_ROUTES as R } from "../../provider/bytehouse/contract";
import { AsyncQuery, BhContext } from "./context";
import { engineMessage, qi, query, rowsOf } from "./engine";
import { bad, fail, isObject, now } from "./common";
import { ByteHouseState } from "./state";
import { SqlError, Translated, splitStatements, tokenize, translate } from "./sqlparse";
import { defaultMeta, keyColumns, metaOf, reconcileTables } from "./tables";

const sqlError = (message: string) => fail(400, message, "SQL_ERROR");

/** Runs a (multi-statement) query; returns the rows of the last statement. */
export async function executeSql(conn: DuckDBConnection, catalog: string, s: ByteHouseState, text: string, mode: string): Promise<Record<string, unknown>[]> {
  let stmts;
  try {
    stmts = splitStatements(tokenize(text));
  } catch (e) {
    throw sqlError((e as Error).message);
  }
  if (!stmts.length) throw sqlError("Empty query");
  let currentDb: string | undefined;
  let rows: Record<string, unknown>[] = [];
  let ddl = false;
  const dbOf = (q?: { db?: string }) => q?.db ?? currentDb;

  const run = async (tr: Translated): Promise<Record<string, unknown>[]> => {
    switch (tr.kind) {
      case "use":
        if (!s.databases[tr.db!]) throw new SqlError(`Database ${tr.db} does not exist`);
        await conn.run(`USE ${qi(catalog)}.${qi(tr.db!)}`);
        currentDb = tr.db;
        return [];
      case "createDb": {
        if (s.databases[tr.db!]) {
          if (tr.ifExists) return [];
          throw new SqlError(`Database ${tr.db} already exists`);
        }
        await conn.run(`CREATE SCHEMA IF NOT EXISTS ${qi(catalog)}.${qi(tr.db!)}`);
        s.databases[tr.db!] = { uuid: randomUUID(), name: tr.db!, description: "", createdAt: now(), createdBy: { id: s.userId, type: "VOLCANO_MAIN_ACCOUNT" } };
        ddl = true;
        return [];
      }
      case "dropDb": {
        if (!s.databases[tr.db!]) {
          if (tr.ifExists) return [];
          throw new SqlError(`Database ${tr.db} does not exist`);
        }
        if (currentDb === tr.db) {
          await conn.run(`USE ${qi(catalog)}.main`);
          currentDb = undefined;
        }
        await conn.run(`DROP SCHEMA IF EXISTS ${qi(catalog)}.${qi(tr.db!)} CASCADE`);
        delete s.databases[tr.db!];
        delete s.tables[tr.db!];
        ddl = true;
        return [];
      }
      case "showDatabases":
        return Object.keys(s.databases)
          .sort()
          .map((name) => ({ name }));
      case "showTables": {
        const db = tr.db ?? currentDb;
        if (!db || !s.databases[db]) throw new SqlError(`Database ${db ?? "(none)"} does not exist`);
        return query(conn, "SELECT table_name AS name FROM duckdb_tables() WHERE database_name = $1 AND schema_name = $2 UNION ALL SELECT view_name FROM duckdb_views() WHERE database_name = $1 AND schema_name = $2 AND NOT internal ORDER BY 1", [catalog, db]);
      }
    }
    if (tr.kind === "alter" && tr.table) {
      const db = dbOf(tr.table);
      if (db && s.databases[db]) {
        const keys = keyColumns(metaOf(s, db, tr.table.name));
        for (const c of [...(tr.drops ?? []), ...(tr.columnRenames ?? []).map(([a]) => a)])
          if (keys.has(c)) throw new SqlError(`Trying to ALTER key column ${c} of table ${db}.${tr.table.name}; key columns cannot be dropped or renamed`);
      }
    }
    let last: Record<string, unknown>[] = [];
    if (tr.atomic && tr.sql.length > 1) {
      await conn.run("BEGIN TRANSACTION");
      try {
        for (const st of tr.sql) last = rowsOf(await conn.runAndReadAll(st));
        await conn.run("COMMIT");
      } catch (e) {
        await conn.run("ROLLBACK").catch(() => undefined);
        throw e;
      }
    } else for (const st of tr.sql) last = rowsOf(await conn.runAndReadAll(st));
    if (tr.kind === "createTable" || tr.kind === "alter" || tr.kind === "renameTables" || tr.kind === "ddl") ddl = true;
    applyMetadata(s, tr, dbOf);
    return tr.returnsRows ? last : [];
  };

  try {
    for (const st of stmts) {
      const tr = translate(st, mode);
      rows = await run(tr);
    }
  } catch (e) {
    if (e instanceof HttpError) throw e;
    throw sqlError(e instanceof SqlError ? e.message : engineMessage(e));
  } finally {
    if (currentDb) await conn.run(`USE ${qi(catalog)}.main`).catch(() => undefined);
    if (ddl) await reconcileTables(conn, catalog, s).catch(() => undefined);
  }
  return rows;
}

/** Table metadata effects of DDL run through SQL. */
function applyMetadata(s: ByteHouseState, tr: Translated, dbOf: (q?: { db?: string }) => string | undefined): void {
  const db = dbOf(tr.table);
  if (tr.kind === "createTable" && tr.table && db && s.databases[db] && tr.created) {
    const existing = s.tables[db]?.[tr.table.name] as { uuid?: string } | undefined;
    if (!existing?.uuid) (s.tables[db] ??= {})[tr.table.name] = { ...defaultMeta(db, tr.table.name), ...tr.created };
  }
  if (tr.kind === "alter" && tr.table && db && s.databases[db]) {
    const meta = metaOf(s, db, tr.table.name);
    const declared = { ...meta.declared };
    for (const [a, b] of tr.columnRenames ?? []) {
      if (declared[a]) declared[b] = declared[a];
      delete declared[a];
    }
    for (const [c, d] of Object.entries(tr.declared ?? {})) {
      if (d) declared[c] = d;
      else delete declared[c];
    }
    for (const c of tr.drops ?? []) delete declared[c];
    (s.tables[db] ??= {})[tr.table.name] = { ...meta, declared };
  }
  if (tr.kind === "renameTables") {
    for (const [from, to] of tr.tableRenames ?? []) {
      const fdb = dbOf(from);
      if (!fdb || !s.tables[fdb]?.[from.name]) continue;
      const meta = metaOf(s, fdb, from.name);
      delete s.tables[fdb][from.name];
      s.tables[fdb][to.name] = { ...meta, name: to.name };
    }
  }
}

function validateQuery(body: any): { query: string; mode: string; queryID?: string; maxRows: number } {
  if (!isObject(body)) throw bad("a JSON body is required");
  if (typeof body.query !== "string" || !body.query.trim()) throw bad("query is required");
  if (body.mode !== "ansi_sql" && body.mode !== "clickhouse_sql") throw bad('mode is required and must be "ansi_sql" or "clickhouse_sql"');
  if (body.queryID !== undefined && body.queryID !== null && (typeof body.queryID !== "string" || !body.queryID)) throw bad("queryID must be a non-empty string");
  const m = body.maxRowsReturn;
  if (m !== undefined && m !== null && (!Number.isInteger(m) || m < 0)) throw bad("maxRowsReturn must be an integer >= 0");
  return { query: body.query, mode: body.mode, queryID: body.queryID ?? undefined, maxRows: m ?? 0 };
}

const limitRows = (rows: Record<string, unknown>[], max: number) => (max > 0 ? rows.slice(0, max) : rows);

export function sqlRoutes(ctx: BhContext): Route<ByteHouseState>[] {
  return [
    {
      method: "POST",
      pattern: R.sqlSync,
      handler: async (req, s) => {
        const q = validateQuery(req.body);
        const rows = await ctx.engine.exclusive(s, (conn, catalog) => executeSql(conn, catalog, s, q.query, q.mode));
        return { status: 200, body: { data: limitRows(rows, q.maxRows) } };
      },
    },
    {
      method: "POST",
      pattern: R.sqlAsync,
      handler: async (req, s) => {
        const q = validateQuery(req.body);
        const queryID = q.queryID ?? randomUUID();
        const prev = ctx.asyncQueries.get(queryID);
        if (prev?.status === "RUNNING") throw fail(422, `query ${queryID} is already running`, "QUERY_ALREADY_RUNNING");
        await ctx.engine.exclusive(s, async () => undefined); // open DuckDB and align schemas first
        const { conn, catalog } = await ctx.engine.connect();
        const record: AsyncQuery = { queryID, status: "RUNNING" };
        let done = false;
        let repeat: NodeJS.Timeout | undefined;
        const interrupt = () => {
          try {
            conn.interrupt();
          } catch {
            /* already closed */
          }
        };
        record.kill = () => {
          if (record.status === "RUNNING") {
            record.status = "KILLED";
            record.error = "query was killed";
          }
          if (record.status !== "KILLED" || done) return;
          // an interrupt that lands before the statement starts is lost: repeat until it has stopped
          interrupt();
          repeat ??= setInterval(() => (done ? clearInterval(repeat) : interrupt()), 20);
        };
        ctx.asyncQueries.set(queryID, record);
        ctx.track(
          (async () => {
            try {
              const rows = await executeSql(conn, catalog, s, q.query, q.mode);
              if (record.status === "RUNNING") Object.assign(record, { status: "FINISHED", rows });
            } catch (e) {
              if (record.status === "RUNNING") {
                record.status = "FAILED";
                record.error = e instanceof HttpError ? ((e.body as any)?.message ?? e.message) : engineMessage(e);
              }
            } finally {
              done = true;
              if (repeat) clearInterval(repeat);
              ctx.engine.release(conn);
              if (!ctx.closed) ctx.save();
            }
          })(),
        );
        return { status: 200, body: { data: [{ queryID }] } };
      },
    },
    {
      method: "GET",
      pattern: R.sqlAsyncStatus,
      handler: (req) => {
        const q = ctx.asyncQueries.get(req.params.p0);
        if (!q) throw fail(404, `query ${req.params.p0} not found`, "QUERY_NOT_FOUND");
        return { status: 200, body: { data: { queryID: q.queryID, status: q.status, ...(q.error ? { error: q.error } : {}) } } };
      },
    },
    {
      method: "GET",
      pattern: R.sqlAsyncResult,
      handler: (req) => {
        const q = ctx.asyncQueries.get(req.params.p0);
        if (!q) throw fail(404, `query ${req.params.p0} not found`, "QUERY_NOT_FOUND");
        if (q.status !== "FINISHED") throw fail(422, `query ${q.queryID} is ${q.status}${q.error ? `: ${q.error}` : ""}`, "QUERY_NOT_FINISHED");
        const raw = req.query.get("maxRowsReturn");
        const max = raw === null || raw === "" ? 0 : Number(raw);
        if (!Number.isInteger(max) || max < 0) throw bad("maxRowsReturn must be an integer >= 0");
        return { status: 200, body: { data: limitRows(q.rows ?? [], max) } };
      },
    },
    {
      method: "DELETE",
      pattern: R.sqlAsyncQuery,
      handler: (req) => {
        const q = ctx.asyncQueries.get(req.params.p0);
        if (!q) throw fail(404, `query ${req.params.p0} not found`, "QUERY_NOT_FOUND");
        if (q.status !== "RUNNING") throw fail(422, `query ${q.queryID} is already ${q.status}`, "QUERY_NOT_RUNNING");
        q.kill?.();
        return { status: 200, body: { data: { queryID: q.queryID, status: q.status } } };
      },
    },
  ];
}
