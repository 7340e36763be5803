/**
 * What the DeltaStream kinds share: name and owner fields, the `WITH ( … )` property list, reads of
 * the `deltastream.sys` catalogue, the owner change, and the wait for a dropped object's row to go.
 */
import { z } from "zod";
import { DeltaStreamApi, Row, StatementContext } from "./api";
import { SqlPart, ident, list, literal, name, raw, sql } from "../sql/builder";
import type { OpContext } from "../framework/spec";
import { poll } from "../framework/poll";
import { deepEqual } from "../framework/equal";

/** The keys whose values differ between olds and news, compared as the engine does (structurally, after `normalize`). */
export function differing(keys: readonly string[], olds: Record<string, unknown>, news: Record<string, unknown>, normalize: Record<string, (v: unknown) => unknown> = {}): string[] {
  const n = (k: string, v: unknown) => (normalize[k] && v !== undefined && v !== null ? normalize[k](v) : v);
  return keys.filter((k) => !deepEqual(n(k, olds[k]), n(k, news[k])));
}

/** DeltaStream names: quoted always, so case is kept; the vendor's limit is 128 characters (42622 above). */
export const DS_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;
export const DS_NAME_RULE = "must be 1-128 letters, digits, '_' or '-', starting with a letter or '_'";

export const dsName = (doc: string) => z.string().regex(DS_NAME, DS_NAME_RULE).describe(doc);

export const ownerField = () =>
  z
    .string()
    .regex(DS_NAME, DS_NAME_RULE)
    .optional()
    .describe("The role that owns the object. It is created with this role; a change is applied in place with ALTER … OWNER TO. Unset: the provider's role (warehouse:deltastreamRole) owns it and owner is not managed.");

export const timeoutField = () =>
  z.number().int().positive().max(86_400).optional().describe("Seconds to wait for the object to become ready (or to go) before failing (default 600).");

/** A property value of a WITH ( … ) list: literals, or a word from a closed list sent unquoted (`'type' = KAFKA`). */
export type PropValue = string | number | boolean | null | { word: string };

/** An unquoted enum word; only ever a value a zod enum let through. */
export const word = (w: string): { word: string } => ({ word: w });

function propValue(v: PropValue): SqlPart {
  if (v !== null && typeof v === "object") {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(v.word)) throw new Error(`not a DeltaStream enum word: ${JSON.stringify(v.word)}`);
    return raw(v.word, "an enum word checked by the kind's zod schema and the pattern above");
  }
  return literal(v);
}

/** `('k' = v, …)`, without the undefined entries; undefined when nothing is left. */
export function withProps(props: Record<string, PropValue | undefined>): SqlPart | undefined {
  const entries = Object.entries(props).filter(([, v]) => v !== undefined) as [string, PropValue][];
  if (entries.length === 0) return undefined;
  return sql`(${list(entries.map(([k, v]) => sql`${literal(k)} = ${propValue(v)}`))})`;
}

/** `deltastream.sys."<table>"`. */
export const sys = (table: string): SqlPart => sql`deltastream.sys.${ident(table)}`;

/** The rows of a sys table matching `where` (column = value pairs, all literals). */
export async function sysRows(api: DeltaStreamApi, table: string, where: Record<string, string>, columns = "*"): Promise<Row[]> {
  const conds = Object.entries(where).map(([k, v]) => sql`${ident(k)} = ${literal(v)}`);
  const cols = columns === "*" ? sql`*` : list(columns.split(",").map((c) => ident(c.trim())));
  return api.rows(conds.length ? sql`SELECT ${cols} FROM ${sys(table)} WHERE ${list(conds, " AND ")}` : sql`SELECT ${cols} FROM ${sys(table)}`);
}

export async function sysRow(api: DeltaStreamApi, table: string, where: Record<string, string>): Promise<Row | undefined> {
  return (await sysRows(api, table, where))[0];
}

export const str = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));

/** ALTER <what> <name> OWNER TO "role". */
export function alterOwner(what: string, target: SqlPart, owner: string): SqlPart {
  return sql`ALTER ${raw(what, "an object kind word fixed by the calling kind")} ${target} OWNER TO ${ident(owner)}`;
}

/**
 * Where a create runs. Objects are created by the provider's role (which holds the privileges to
 * create them) and handed to their declared owner right after with ALTER … OWNER TO (`handOver`),
 * so an owner role needs no CREATE privilege of its own.
 */
export const asOwner = (_owner: string | undefined, extra: StatementContext = {}): StatementContext => ({ ...extra });

/** Gives a just-created object to its declared owner (see asOwner). */
export async function handOver(api: DeltaStreamApi, what: string, target: SqlPart, owner: string | undefined): Promise<void> {
  if (owner) await api.statement(alterOwner(what, target, owner));
}

/** Waits until `exists` says the object is gone (after a DROP), through the poll helper. */
export async function waitGone(what: string, exists: () => Promise<boolean>, timeoutMs = 600_000, progress?: (m: string) => void): Promise<void> {
  await poll({ what, check: exists, until: (e) => !e, timeoutMs, intervalMs: 100, maxIntervalMs: 2_000, describe: () => "still there", progress });
}

/** Waits until a status column is no longer pending; returns the last row (or undefined when gone). */
export async function waitReady(
  ctx: Pick<OpContext<DeltaStreamApi>, "poll">,
  what: string,
  read: () => Promise<Row | undefined>,
  column: string,
  pending: readonly string[],
): Promise<Row | undefined> {
  return ctx.poll({
    what,
    check: read,
    until: (r) => !r || !pending.includes(String(r[column] ?? "").toLowerCase()),
    intervalMs: 100,
    maxIntervalMs: 2_000,
    describe: (r) => (r ? String(r[column]) : "gone"),
  });
}

/** An object's qualified name for SQL. */
export const qname = (...parts: string[]): SqlPart => name(...parts);

/** Drops relations (rows of `deltastream.sys."relations"`) — only ever after the program opted in (forceDestroy). */
export async function dropRelations(api: DeltaStreamApi, relations: Row[]): Promise<void> {
  for (const r of relations) {
    await api
      .statement(sql`DROP RELATION ${name(String(r.database_name), String(r.schema_name), String(r.name))}`)
      .catch((e) => ((e as { kind?: string }).kind === "not_found" ? undefined : Promise.reject(e)));
  }
}
