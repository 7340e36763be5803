/**
 * The streaming engine inside the DeltaStream emulator. One pass (`tick`, run on a timer and on
 * demand through the admin API):
 *   1. due state changes: stores / schema registries / secrets pending → ready | errored,
 *      compute pools starting → running, queries starting → running, terminate_requested → terminated;
 *   2. ingestion: every relation backed by an entity (topic) reads the messages produced since its
 *      offset — JSON values, fields matched to columns by name, values cast with TRY_CAST — a
 *      stream appends them, a changelog upserts them by primary key (a null value deletes the key);
 *   3. every running query runs its SELECT: a filter / projection over one stream reads only the
 *      source rows it has not seen (a watermark per source); anything else (GROUP BY, aggregates,
 *      changelog sources, joins) is recomputed over the whole sources and only the rows that differ
 *      from the sink's current content are emitted. Results are produced into the sink's topic as
 *      JSON (keyed by the primary key for changelogs), or written straight into a table sink;
 *      a query whose SELECT fails at run time ends `errored` with the engine's message;
 *   4. ingestion again, so one pass carries an event from a source topic into a sink relation.
 */
import type { DuckDBConnection } from "../framework/duckdb";
import { all, quoteIdent, quoteLiteral } from "../framework/duckdb";
import { relationTable, topicTable } from "./catalog";
import { duckTypeOf } from "./types";
import { withWatermarks } from "./select";
import { SqlStateError } from "./parser";

type Row = Record<string, unknown>;

const iso = (d: Date) => d.toISOString().replace("T", " ").replace("Z", "");

export interface ProduceRecord {
  key?: unknown;
  /** A JSON object (or JSON text); null is a tombstone (deletes the key of a changelog). */
  value: unknown;
  partition?: number;
}

/** Appends records to an entity's topic; returns their offsets. */
export async function produce(c: DuckDBConnection, store: string, entity: string, records: ProduceRecord[], now: Date): Promise<number[]> {
  const e = await all(c, "SELECT id, partitions FROM sys.entities WHERE store_name = $1 AND name = $2", [store, entity]);
  if (!e.length) throw new SqlStateError("3D007", `entity "${entity}" does not exist in store "${store}"`);
  const table = topicTable(String(e[0].id));
  let seq = Number((await all(c, `SELECT coalesce(max(seq), 0) AS s FROM ${table}`))[0].s);
  const out: number[] = [];
  for (const r of records) {
    seq++;
    const text = (v: unknown) => (v === undefined || v === null ? null : typeof v === "string" ? v : JSON.stringify(v));
    await c.run(`INSERT INTO ${table} VALUES ($1, $2, $3, $4, $5)`, [seq, r.partition ?? 0, text(r.key), text(r.value), iso(now)] as any);
    out.push(seq);
  }
  return out;
}

/** Messages of an entity's topic after `after`. */
export async function consume(c: DuckDBConnection, store: string, entity: string, after = 0): Promise<Row[]> {
  const e = await all(c, "SELECT id FROM sys.entities WHERE store_name = $1 AND name = $2", [store, entity]);
  if (!e.length) throw new SqlStateError("3D007", `entity "${entity}" does not exist in store "${store}"`);
  return all(c, `SELECT seq AS "offset", "partition", "key", "value", CAST(produced_at AS VARCHAR) AS produced_at FROM ${topicTable(String(e[0].id))} WHERE seq > $1 ORDER BY seq`, [after]);
}

/** One pass of the engine. */
export async function tick(c: DuckDBConnection, now: Date): Promise<void> {
  await applyTimers(c, now);
  await ingestAll(c);
  const queries = await all(
    c,
    // an application's statements run under its query (app_id): its state is theirs
    "SELECT p.query_id AS id, q.id AS state_id, p.mode, p.duck_sql, p.sink_relation_id, p.source_relation_ids, p.output_columns FROM internal.query_plans p JOIN sys.queries q ON q.id = coalesce(p.app_id, p.query_id) WHERE q.current_state = 'running' ORDER BY q.created_at, p.query_id",
  );
  if (!queries.length) return;
  for (const q of queries) await runQuery(c, q, now);
  await ingestAll(c);
}

async function applyTimers(c: DuckDBConnection, now: Date): Promise<void> {
  const due = await all(c, "SELECT * FROM internal.timers WHERE due <= $1", [now.getTime()]);
  for (const t of due) {
    const [kind, name, next, message] = [String(t.kind), String(t.name), String(t.next_state), (t.message as string | null) ?? null];
    const at = iso(now);
    if (kind === "store") await c.run("UPDATE sys.stores SET status = $2, status_message = $3, updated_at = $4 WHERE name = $1 AND status = 'pending'", [name, next, message, at]);
    else if (kind === "schema_registry") await c.run("UPDATE sys.schema_registries SET status = $2, status_message = $3, updated_at = $4 WHERE name = $1 AND status = 'pending'", [name, next, message, at]);
    else if (kind === "secret") await c.run("UPDATE sys.secrets SET status = $2, status_message = $3, updated_at = $4 WHERE name = $1 AND status = 'pending'", [name, next, message, at]);
    else if (kind === "compute_pool") await c.run("UPDATE sys.compute_pools SET status = $2, updated_at = $3 WHERE name = $1 AND intended_state = $2", [name, next, at]);
    else if (kind === "query") {
      const from = next === "running" ? "starting" : "terminate_requested";
      await c.run("UPDATE sys.queries SET current_state = $2, updated_at = $3 WHERE id = $1 AND current_state = $4", [name, next, at, from]);
    }
    await c.run("DELETE FROM internal.timers WHERE kind = $1 AND name = $2 AND due = $3", [kind, name, Number(t.due)]);
  }
}

interface RelInfo {
  id: string;
  relation_type: string;
  columns: { name: string; type: string }[];
  primaryKey: string[];
  topic: string | null;
}

async function relInfo(c: DuckDBConnection, id: string): Promise<RelInfo | undefined> {
  const r = await all(
    c,
    "SELECT r.id, r.relation_type, r.columns, r.primary_key, e.id AS entity_id FROM sys.relations r LEFT JOIN sys.entities e ON e.store_name = r.store_name AND e.name = r.entity_name WHERE r.id = $1",
    [id],
  );
  if (!r.length) return undefined;
  return {
    id,
    relation_type: String(r[0].relation_type),
    columns: JSON.parse(String(r[0].columns)),
    primaryKey: r[0].primary_key ? JSON.parse(String(r[0].primary_key)) : [],
    topic: r[0].entity_id ? String(r[0].entity_id) : null,
  };
}

/** Every relation reads what its topic received since its offset. */
async function ingestAll(c: DuckDBConnection): Promise<void> {
  const rels = await all(c, "SELECT relation_id, topic_seq FROM internal.relation_offsets");
  for (const r of rels) {
    const info = await relInfo(c, String(r.relation_id));
    if (!info?.topic) continue;
    const topic = topicTable(info.topic);
    const exists = await all(c, "SELECT 1 FROM duckdb_tables() WHERE database_name = 'deltastream' AND schema_name = 'topics' AND table_name = $1", [`t_${info.topic.replace(/-/g, "")}`]);
    if (!exists.length) continue;
    const lo = Number(r.topic_seq);
    const hi = Number((await all(c, `SELECT coalesce(max(seq), 0) AS s FROM ${topic}`))[0].s);
    if (hi <= lo) continue;
    const extract = (src: string, col: { name: string; type: string }) => {
      const duck = duckTypeOf(col.type);
      const path = quoteLiteral(`$.${JSON.stringify(col.name)}`);
      if (duck === "VARCHAR" && /^(ARRAY|MAP|STRUCT)/i.test(col.type)) return `CAST(json_extract(${src}, ${path}) AS VARCHAR)`;
      return `TRY_CAST(json_extract_string(${src}, ${path}) AS ${duck})`;
    };
    const target = relationTable(info.id);
    const names = info.columns.map((x) => quoteIdent(x.name)).join(", ");
    const values = info.columns.map((x) => extract('"value"', x)).join(", ");
    const range = `seq > ${lo} AND seq <= ${hi} AND (json_valid("value") OR "value" IS NULL)`;
    if (info.relation_type === "changelog" && info.primaryKey.length) {
      const pkCols = info.columns.filter((x) => info.primaryKey.includes(x.name));
      const keyOf = pkCols.map((x) => `${extract('coalesce("value", "key")', x)} AS ${quoteIdent(x.name)}`).join(", ");
      const match = pkCols.map((x) => `${target}.${quoteIdent(x.name)} IS NOT DISTINCT FROM n.${quoteIdent(x.name)}`).join(" AND ");
      await c.run(`DELETE FROM ${target} USING (SELECT ${keyOf} FROM ${topic} WHERE ${range}) n WHERE ${match}`);
      // the last message per key wins; a tombstone (null value) leaves the key deleted
      await c.run(
        `INSERT INTO ${target} (${names}, __ds_seq) SELECT ${values}, seq FROM (SELECT * FROM ${topic} WHERE ${range} QUALIFY row_number() OVER (PARTITION BY ${pkCols.map((x) => extract('coalesce("value", "key")', x)).join(", ")} ORDER BY seq DESC) = 1) WHERE "value" IS NOT NULL`,
      );
    } else {
      await c.run(`INSERT INTO ${target} (${names}, __ds_seq) SELECT ${values}, seq FROM ${topic} WHERE ${range} AND "value" IS NOT NULL ORDER BY seq`);
    }
    await c.run("UPDATE internal.relation_offsets SET topic_seq = $2 WHERE relation_id = $1", [info.id, hi]);
  }
}

async function runQuery(c: DuckDBConnection, q: Row, now: Date): Promise<void> {
  const id = String(q.id);
  const stateId = String(q.state_id);
  const sink = await relInfo(c, String(q.sink_relation_id));
  if (!sink) {
    await fail(c, stateId, "the sink relation no longer exists", now);
    return;
  }
  const outCols = JSON.parse(String(q.output_columns)) as string[];
  const sourceIds = JSON.parse(String(q.source_relation_ids)) as string[];
  try {
    let sql: string;
    const marks: Record<string, { lo: number; hi: number }> = {};
    if (q.mode === "incremental") {
      let any = false;
      for (const s of sourceIds) {
        const lo = Number((await all(c, "SELECT seq FROM internal.query_offsets WHERE query_id = $1 AND relation_id = $2", [id, s]))[0]?.seq ?? 0);
        const hi = Number((await all(c, `SELECT coalesce(max(__ds_seq), 0) AS s FROM ${relationTable(s)}`))[0].s);
        marks[s] = { lo, hi };
        if (hi > lo) any = true;
      }
      if (!any) return;
      sql = withWatermarks(String(q.duck_sql), marks);
    } else {
      // recompute only when a source changed since the last run
      let any = false;
      for (const s of sourceIds) {
        const lo = Number((await all(c, "SELECT seq FROM internal.query_offsets WHERE query_id = $1 AND relation_id = $2", [id, s]))[0]?.seq ?? 0);
        const hi = Number((await all(c, `SELECT coalesce(max(__ds_seq), 0) AS s FROM ${relationTable(s)}`))[0].s);
        marks[s] = { lo, hi };
        if (hi !== lo) any = true;
      }
      if (!any) return;
      const sinkCols = sink.columns.map((x) => quoteIdent(x.name)).join(", ");
      sql = `SELECT * FROM (${String(q.duck_sql)}) EXCEPT SELECT ${sinkCols} FROM ${relationTable(sink.id)}`;
    }
    const reader = await c.runAndReadAll(sql);
    const rows = reader.getRowsJson();
    const names = sink.columns.map((x) => x.name);
    // JSON numbers for numeric columns (DuckDB's JSON rows carry 64-bit integers as strings)
    const numeric = sink.columns.map((x) => /^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|FLOAT|REAL|DOUBLE|DECIMAL)/i.test(x.type));
    const asJson = (v: unknown, i: number) => (numeric[i] && typeof v === "string" && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v) && Number.isSafeInteger(Math.trunc(Number(v))) ? Number(v) : v);
    const objects = rows.map((r) => Object.fromEntries(r.map((v, i) => [names[i] ?? outCols[i], asJson(v, i)])));
    if (sink.topic) {
      const table = topicTable(sink.topic);
      let seq = Number((await all(c, `SELECT coalesce(max(seq), 0) AS s FROM ${table}`))[0].s);
      for (const o of objects) {
        seq++;
        const key = sink.primaryKey.length ? JSON.stringify(Object.fromEntries(sink.primaryKey.map((k) => [k, o[k]]))) : null;
        await c.run(`INSERT INTO ${table} VALUES ($1, 0, $2, $3, $4)`, [seq, key, JSON.stringify(o), iso(now)] as any);
      }
    } else if (objects.length) {
      // a table sink (no topic): written directly, upserted by primary key
      const target = relationTable(sink.id);
      let seq = Number((await all(c, `SELECT coalesce(max(__ds_seq), 0) AS s FROM ${target}`))[0].s);
      for (const o of objects) {
        seq++;
        if (sink.primaryKey.length) {
          await c.run(`DELETE FROM ${target} WHERE ${sink.primaryKey.map((k, i) => `${quoteIdent(k)} IS NOT DISTINCT FROM $${i + 1}`).join(" AND ")}`, sink.primaryKey.map((k) => (o[k] as any) ?? null));
        }
        const vals = names.map((n) => o[n]);
        await c.run(`INSERT INTO ${target} (${names.map(quoteIdent).join(", ")}, __ds_seq) VALUES (${names.map((_n, i) => `TRY_CAST($${i + 1} AS ${duckTypeOf(sink.columns[i].type)})`).join(", ")}, ${seq})`, vals.map((v) => (v === null || v === undefined ? null : typeof v === "object" ? JSON.stringify(v) : String(v))) as any);
      }
    }
    for (const [s, m] of Object.entries(marks)) await c.run("UPDATE internal.query_offsets SET seq = $3 WHERE query_id = $1 AND relation_id = $2", [id, s, m.hi]);
  } catch (e) {
    await fail(c, stateId, (e instanceof Error ? e.message : String(e)).split("\n")[0], now);
  }
}

async function fail(c: DuckDBConnection, id: string, message: string, now: Date): Promise<void> {
  await c.run("UPDATE sys.queries SET current_state = 'errored', error_message = $2, updated_at = $3 WHERE id = $1", [id, message, iso(now)]);
}
