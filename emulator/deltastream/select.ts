/**
 * DeltaStream SELECTs on DuckDB: relation names after FROM / JOIN (1 to 3 parts, resolved against
 * the request's database and schema) become the relation's DuckDB table (`data.r_<id>`, without
 * its `__ds_seq` column), a source's `WITH ( … )` options are dropped, and `deltastream.sys.…`
 * stays as written. For continuous queries the sources can read only rows past a watermark
 * (placeholders `{{LO:<id>}}` / `{{HI:<id>}}` filled at each tick).
 */
import { Tok, significant, tokenize } from "../framework/sql";
import { quoteIdent } from "../framework/duckdb";
import { SqlStateError, rawLength, syntaxError } from "./parser";
import { relationTable } from "./catalog";

export interface RelationRef {
  id: string;
  database_name: string;
  schema_name: string;
  name: string;
  relation_type: string;
  state: string;
  store_name: string | null;
}

export interface Rewritten {
  sql: string;
  sources: RelationRef[];
  /** GROUP BY or an aggregate function: the query is recomputed, and what changed is emitted. */
  aggregate: boolean;
  /** The plain column names of GROUP BY (a changelog sink's primary key). */
  groupBy: string[];
  /** The query touches only deltastream.sys tables. */
  sysOnly: boolean;
}

const STOP = new Set(["WHERE", "GROUP", "ORDER", "LIMIT", "JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "ON", "USING", "UNION", "EXCEPT", "INTERSECT", "HAVING", "WINDOW", "WITH", "QUALIFY", "EMIT", "OFFSET", "NATURAL", "AS"]);
const AGGREGATES = new Set(["COUNT", "SUM", "AVG", "MIN", "MAX", "ARRAY_AGG", "LISTAGG", "STRING_AGG", "COLLECT"]);

export type Resolve = (parts: string[]) => Promise<RelationRef>;

/**
 * Rewrites `sql` (a SELECT, or what follows `AS` / `INSERT INTO x`). `incremental`: sources read
 * only rows between the watermark placeholders.
 */
export async function rewriteSelect(sql: string, resolve: Resolve, incremental = false): Promise<Rewritten> {
  let toks: Tok[];
  try {
    toks = tokenize(sql);
  } catch (e) {
    throw syntaxError(`parse error: ${(e as Error).message}`);
  }
  const raw = (t: Tok) => (t.at === undefined ? t.v : sql.slice(t.at, t.at + rawLength(sql, t)));
  const sig: number[] = toks.map((t, i) => (significant(t) ? i : -1)).filter((i) => i >= 0);
  const W = (k: number) => (k < sig.length && toks[sig[k]].k === "word" ? toks[sig[k]].v.toUpperCase() : "");
  const P = (k: number, p: string) => k < sig.length && toks[sig[k]].k === "p" && toks[sig[k]].v === p;
  if (!sig.length || !["SELECT", "WITH"].includes(W(0))) throw syntaxError(`parse error: expected SELECT ${sig.length ? `at '${toks[sig[0]].v}'` : "at end of input"}`);

  // CTE names are not relations
  const ctes = new Set<string>();
  if (W(0) === "WITH") {
    for (let k = 1; k < sig.length; k++) {
      const t = toks[sig[k]];
      if ((t.k === "word" || t.k === "id") && W(k + 1) === "AS" && P(k + 2, "(")) ctes.add(t.k === "id" ? t.v : t.v.toLowerCase());
    }
  }

  const out: string[] = [];
  const sources: RelationRef[] = [];
  let aggregate = false;
  let sysOnly = true;
  const groupBy: string[] = [];
  let depth = 0;
  /** Depths at which a FROM list is open (a `,` there starts another table reference). */
  const fromDepths = new Set<number>();
  let pos = 0; // next token index (all tokens) to copy
  const copyTo = (i: number) => {
    for (; pos < i; pos++) out.push(raw(toks[pos]));
  };

  for (let k = 0; k < sig.length; k++) {
    const t = toks[sig[k]];
    if (t.k === "p" && t.v === "(") depth++;
    if (t.k === "p" && t.v === ")") {
      fromDepths.delete(depth);
      depth--;
    }
    const w = W(k);
    if (["WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "UNION", "EXCEPT", "INTERSECT", "QUALIFY", "WINDOW", "SELECT"].includes(w)) fromDepths.delete(depth);
    const listComma = t.k === "p" && t.v === "," && fromDepths.has(depth);
    if (AGGREGATES.has(w) && P(k + 1, "(")) aggregate = true;
    if (w === "GROUP" && W(k + 1) === "BY") {
      aggregate = true;
      if (depth === 0) {
        let j = k + 2;
        let cur: Tok[] = [];
        let d = 0;
        const flush = () => {
          const names = cur.filter((x) => x.k === "word" || x.k === "id");
          if (cur.every((x) => x.k === "word" || x.k === "id" || (x.k === "p" && x.v === ".")) && names.length) {
            const last = names[names.length - 1];
            groupBy.push(last.k === "id" ? last.v : last.v.toLowerCase());
          }
          cur = [];
        };
        for (; j < sig.length; j++) {
          const x = toks[sig[j]];
          if (x.k === "p" && x.v === "(") d++;
          if (x.k === "p" && x.v === ")") {
            if (d === 0) break;
            d--;
          }
          if (d === 0 && x.k === "word" && ["HAVING", "ORDER", "LIMIT", "WINDOW", "QUALIFY", "UNION", "EMIT"].includes(x.v.toUpperCase())) break;
          if (d === 0 && x.k === "p" && x.v === ",") flush();
          else cur.push(x);
        }
        flush();
      }
    }
    if (w === "FROM") fromDepths.add(depth);
    if ((w === "FROM" || w === "JOIN" || listComma) && !P(k + 1, "(")) {
      let j = k + 1;
      for (;;) {
        // a table reference: a dotted name
        const start = j;
        const parts: string[] = [];
        for (;;) {
          const x = toks[sig[j]];
          if (!x || (x.k !== "word" && x.k !== "id")) break;
          parts.push(x.k === "id" ? x.v : x.v.toLowerCase());
          j++;
          if (P(j, ".")) j++;
          else break;
        }
        if (!parts.length) break;
        copyTo(sig[start]);
        pos = sig[j - 1] + 1;
        let alias: string | undefined;
        let replacement: string;
        if (parts.length === 3 && parts[0] === "deltastream" && parts[1] === "sys") {
          replacement = `deltastream.sys.${quoteIdent(parts[2])}`;
        } else if (parts.length === 1 && ctes.has(parts[0])) {
          replacement = quoteIdent(parts[0]);
        } else {
          sysOnly = false;
          if (P(j, "(")) {
            const fn = parts.join(".").toUpperCase();
            if (["TUMBLE", "HOP", "CUMULATE", "SESSION"].includes(fn)) throw new SqlStateError("0A000", `windowed aggregation (${fn}) is not supported by the emulator's engine`);
            throw new SqlStateError("0A000", `table function ${parts.join(".")}(…) is not supported: FROM takes relations`);
          }
          const rel = await resolve(parts);
          if (!sources.some((s) => s.id === rel.id)) sources.push(rel);
          const filter = incremental ? ` WHERE __ds_seq > {{LO:${rel.id}}} AND __ds_seq <= {{HI:${rel.id}}}` : "";
          replacement = `(SELECT * EXCLUDE (__ds_seq) FROM ${relationTable(rel.id)}${filter})`;
          alias = parts[parts.length - 1];
        }
        // drop a source's WITH ( … ) options, before or after its alias
        const skipWith = () => {
          if (W(j) === "WITH" && P(j + 1, "(")) {
            copyTo(sig[j]);
            let d = 0;
            let m = j + 1;
            for (; m < sig.length; m++) {
              if (P(m, "(")) d++;
              else if (P(m, ")") && --d === 0) break;
            }
            if (m >= sig.length) throw syntaxError("parse error: unbalanced parentheses in WITH");
            pos = sig[m] + 1;
            j = m + 1;
            return true;
          }
          return false;
        };
        out.push(replacement);
        if (skipWith()) out.push(" ");
        const x = toks[sig[j]];
        const explicitAlias = W(j) === "AS" || (x && (x.k === "id" || (x.k === "word" && !STOP.has(x.v.toUpperCase()))));
        if (!explicitAlias && alias !== undefined) out.push(` AS ${quoteIdent(alias)}`);
        if (explicitAlias) {
          j += W(j) === "AS" ? 2 : 1;
          if (skipWith()) out.push(" ");
        }
        if (P(j, ",") && (w === "FROM" || listComma)) {
          j++;
          continue;
        }
        break;
      }
      k = j - 1;
    }
  }
  copyTo(toks.length);
  if (depth !== 0) throw syntaxError("parse error: unbalanced parentheses");
  return { sql: out.join(""), sources, aggregate, groupBy, sysOnly };
}

/** Fills the watermark placeholders. */
export function withWatermarks(sql: string, marks: Record<string, { lo: number; hi: number }>): string {
  return sql.replace(/\{\{(LO|HI):([0-9a-f-]+)\}\}/g, (_m, which: string, id: string) => {
    const w = marks[id];
    if (!w) throw new SqlStateError("XX000", `no watermark for relation ${id}`);
    return String(which === "LO" ? w.lo : w.hi);
  });
}
