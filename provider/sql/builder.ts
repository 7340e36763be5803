/**
 * The statement builder: every SQL string the provider sends is built here, so quoting cannot be
 * forgotten. A tagged template takes only placeholders that say what they are:
 *
 *   sql`ALTER TABLE ${name(ref)} ADD COLUMN ${ident(c)} ${type(t)} DEFAULT ${defaultExpr(d)}`
 *
 *   ident(x)            one identifier, quoted by the dialect
 *   name(a, b, c)       a qualified name ("a"."b"."c"); name(ref) takes {catalog, schema, name|table}
 *   literal(v)          a string, number, bigint, boolean or null literal
 *   type(t[, nullable]) a column type, parsed by the dialect's type system (an error if it is not one)
 *   defaultExpr(d)      a DEFAULT expression, parsed and limited to safe shapes
 *   query(q[, what])    a user's query (a view's body): exactly one statement, a query (SELECT / WITH …)
 *   raw(text, reason)   explicitly trusted text, with the reason it is safe
 *   list(items[, sep])  fragments joined (", " by default); a nested sql`…` is a fragment too
 *
 * Interpolating anything else (a plain string, a number) throws at once. A fragment becomes text
 * only through `render(dialect)`; using it as a string throws too.
 */
import { Dialect, Literal, SqlBuildError } from "./dialect";
import { SqlSyntaxError, significant, singleStatement } from "./tokenizer";

export { SqlBuildError } from "./dialect";

/** Something that renders to SQL text for a dialect. */
export abstract class SqlPart {
  abstract render(d: Dialect): string;
  toString(): string {
    throw new SqlBuildError("a SQL fragment was used as a string; render it with render(dialect) (or interpolate it into sql`…`)");
  }
}

function describe(v: unknown): string {
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (v === null || v === undefined) return String(v);
  if (typeof v === "object") return `a ${(v as object).constructor?.name ?? "object"}`;
  return `the ${typeof v} ${String(v)}`;
}

/** A statement or a fragment of one. */
export class Sql extends SqlPart {
  constructor(private readonly strings: readonly string[], private readonly values: readonly SqlPart[]) {
    super();
  }
  render(d: Dialect): string {
    let out = this.strings[0];
    this.values.forEach((v, i) => {
      out += v.render(d) + this.strings[i + 1];
    });
    return out;
  }
}

export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  values.forEach((v, i) => {
    if (!(v instanceof SqlPart)) {
      throw new SqlBuildError(
        `sql\`…\`: value ${i + 1} (${describe(v)}) is not a placeholder; wrap it in ident(), name(), literal(), type(), defaultExpr(), query(), raw() or list()`,
      );
    }
  });
  return new Sql([...strings], values as SqlPart[]);
}

class Ident extends SqlPart {
  constructor(private readonly id: string) {
    super();
    if (typeof id !== "string" || id === "") throw new SqlBuildError(`an identifier must be a non-empty string (got ${describe(id)})`);
  }
  render(d: Dialect): string {
    return d.quoteIdent(this.id);
  }
}

export function ident(id: string): SqlPart {
  return new Ident(id);
}

export interface ObjectLike {
  catalog?: string;
  database?: string;
  schema?: string;
  name?: string;
  table?: string;
}

/** A qualified name: name("a", "b") or name({catalog, schema, name | table}). */
export function name(...parts: (string | ObjectLike)[]): SqlPart {
  const flat: string[] = [];
  for (const p of parts) {
    if (typeof p === "string") flat.push(p);
    else if (p && typeof p === "object") {
      for (const k of ["catalog", "database", "schema"] as const) if (p[k] !== undefined) flat.push(p[k]!);
      const last = p.name ?? p.table;
      if (last === undefined) throw new SqlBuildError("name({…}) needs a name or table");
      flat.push(last);
    } else throw new SqlBuildError(`name(): ${describe(p)} is not a name part`);
  }
  if (flat.length === 0) throw new SqlBuildError("name() needs at least one part");
  return list(flat.map(ident), ".");
}

class Lit extends SqlPart {
  constructor(private readonly value: Literal) {
    super();
  }
  render(d: Dialect): string {
    return d.literal(this.value);
  }
}

export function literal(value: Literal): SqlPart {
  if (!(value === null || ["string", "number", "bigint", "boolean"].includes(typeof value))) throw new SqlBuildError(`literal(): ${describe(value)} is not a literal`);
  return new Lit(value);
}

class TypePart extends SqlPart {
  constructor(private readonly raw: string, private readonly nullable: boolean) {
    super();
  }
  render(d: Dialect): string {
    return d.renderType(this.raw, this.nullable);
  }
}

/** A column type, parsed by the dialect's type system when rendered (ClickHouse: Nullable(T) when `nullable`). */
export function type(raw: string, nullable = false): SqlPart {
  return new TypePart(raw, nullable);
}

class DefaultPart extends SqlPart {
  constructor(private readonly text: string) {
    super();
  }
  render(d: Dialect): string {
    const p = d.parseDefault(this.text);
    if (!p.ok) throw new SqlBuildError(`default ${JSON.stringify(this.text)} ${p.error}`);
    return p.text;
  }
}

export function defaultExpr(text: string): SqlPart {
  return new DefaultPart(text);
}

/** Checks a user's query: exactly one statement and a query (SELECT, WITH … SELECT, …). Returns it without trailing `;` and comments. */
export function checkQuery(text: string, d: Dialect): { ok: true; text: string } | { ok: false; error: string } {
  try {
    const s = singleStatement(text, d.lex);
    if (!d.isQuery(s.text)) {
      const first = significant(s.tokens)[0];
      return { ok: false, error: `must be a SELECT (or WITH … SELECT) query; it starts with ${first ? first.text.toUpperCase() : "nothing"}` };
    }
    return { ok: true, text: s.text };
  } catch (e) {
    if (e instanceof SqlSyntaxError) return { ok: false, error: e.message };
    throw e;
  }
}

class QueryPart extends SqlPart {
  constructor(private readonly text: string) {
    super();
  }
  render(d: Dialect): string {
    const q = checkQuery(this.text, d);
    if (!q.ok) throw new SqlBuildError(`query ${q.error}`);
    // A comment inside the body is ended by a newline, so what follows the body stays SQL.
    return /--[^\n]*$/.test(q.text) ? `${q.text}\n` : q.text;
  }
}

/** A user-written query (a view's body), checked to be exactly one SELECT. */
export function query(text: string): SqlPart {
  return new QueryPart(text);
}

class Raw extends SqlPart {
  constructor(private readonly text: string) {
    super();
  }
  render(): string {
    return this.text;
  }
}

/** Trusted text, with why it is safe to send as is (never user input). */
export function raw(text: string, reason: string): SqlPart {
  if (typeof text !== "string") throw new SqlBuildError(`raw(): ${describe(text)} is not text`);
  if (typeof reason !== "string" || reason.trim().length < 3) throw new SqlBuildError("raw() needs the reason the text is safe");
  return new Raw(text);
}

class List extends SqlPart {
  constructor(private readonly items: readonly SqlPart[], private readonly sep: string) {
    super();
  }
  render(d: Dialect): string {
    return this.items.map((i) => i.render(d)).join(this.sep);
  }
}

/** Fragments joined by `sep` (", " by default). */
export function list(items: readonly SqlPart[], sep = ", "): SqlPart {
  items.forEach((it, i) => {
    if (!(it instanceof SqlPart)) throw new SqlBuildError(`list(): item ${i + 1} (${describe(it)}) is not a placeholder or fragment`);
  });
  return new List(items, sep);
}

/** Statements as one script, each ended by ";" (e.g. a transaction). */
export function script(statements: readonly SqlPart[]): SqlPart {
  return list(statements, ";\n");
}

/** BEGIN TRANSACTION; …; COMMIT — all or nothing in one call. */
export function transaction(statements: readonly SqlPart[]): SqlPart {
  return script([sql`BEGIN TRANSACTION`, ...statements, sql`COMMIT`]);
}

/** The text of a statement for `d`. */
export function render(statement: SqlPart, d: Dialect): string {
  return statement.render(d);
}
