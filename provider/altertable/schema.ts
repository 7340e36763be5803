/** altertable.Schema — a schema in a catalog (SQL through /query). Any change replaces it. */
import { z } from "zod";
import { idCodec } from "../framework/ids";
import { IDENT, IDENT_RULE } from "../framework/identifiers";
import { AltertableApi, defineAltertableResource } from "./api";
import { literal, name, sql } from "../sql/builder";
import { WarehouseApiError } from "../http/errors";


export const schemaInputs = z.object({
  catalog: z.string().regex(IDENT, IDENT_RULE).describe("The catalog (e.g. \"lakehouse\"). Changing it replaces the schema."),
  name: z.string().regex(IDENT, IDENT_RULE).describe("Schema name. Changing it replaces the schema."),
  forceDestroy: z
    .boolean()
    .default(false)
    .describe("Drop the schema with everything in it on destroy (CASCADE). Without it, deleting a schema that still holds tables or views fails and nothing is dropped."),
});

interface SchemaRaw {
  catalog: string;
  name: string;
}

async function readSchema(api: AltertableApi, catalog: string, name: string): Promise<SchemaRaw | undefined> {
  const rows = await api.rows(
    sql`SELECT catalog_name, schema_name FROM information_schema.schemata WHERE catalog_name = ${literal(catalog)} AND schema_name = ${literal(name)}`,
  );
  return rows[0] ? { catalog: String(rows[0].catalog_name), name: String(rows[0].schema_name) } : undefined;
}

const SCHEMA_ID = idCodec("catalog", "name");
const split = (id: string): [string, string] => {
  const { catalog, name } = SCHEMA_ID.decode(id);
  return [catalog, name];
};

export const schema = defineAltertableResource({
  kind: "Schema",
  description: "A schema in an Altertable catalog. Any change of catalog or name replaces it; destroy refuses to drop a non-empty schema unless forceDestroy is set.",
  inputs: schemaInputs,
  id: SCHEMA_ID,
  replaceOn: ["catalog", "name"],
  uniqueBy: "name",
  outputs: {},

  async create(ctx, inputs) {
    await ctx.api.query(sql`CREATE SCHEMA ${name(inputs.catalog, inputs.name)}`);
    const id = SCHEMA_ID.encode(inputs);
    ctx.created(id);
    return { id, raw: { catalog: inputs.catalog, name: inputs.name } };
  },

  read: (api, id) => readSchema(api, ...split(id)),

  observe: (raw: SchemaRaw) => ({ catalog: raw.catalog, name: raw.name }),

  async update(_ctx, id) {
    return { catalog: split(id)[0], name: split(id)[1] }; // only forceDestroy changed: nothing to call
  },

  exporter: {
    async list(api) {
      const rows = await api.rows(
        sql`SELECT catalog_name, schema_name FROM information_schema.schemata WHERE schema_name NOT IN ('information_schema', 'pg_catalog', 'main') AND catalog_name NOT IN ('system', 'temp') ORDER BY catalog_name, schema_name`,
      );
      return rows.map((r) => {
        const raw = { catalog: String(r.catalog_name), name: String(r.schema_name) };
        return { id: SCHEMA_ID.encode(raw), raw, name: raw.name, database: raw.catalog, schema: raw.name };
      });
    },
  },

  async delete(api, id, state) {
    const [catalog, schemaName] = split(id);
    if (!(await readSchema(api, catalog, schemaName))) return;
    if (!state.forceDestroy) {
      const objects = await api.rows(
        sql`SELECT table_name FROM information_schema.tables WHERE table_catalog = ${literal(catalog)} AND table_schema = ${literal(schemaName)} ORDER BY table_name`,
      );
      if (objects.length > 0) {
        throw new WarehouseApiError(
          "validation",
          `Altertable DROP SCHEMA ${id}`,
          `altertable.Schema ${id} still holds ${objects.map((o) => o.table_name).join(", ")}; nothing was dropped. ` +
            `Set forceDestroy: true on the schema (and run pulumi up) to drop it with everything in it.`,
        );
      }
    }
    await api.query(state.forceDestroy ? sql`DROP SCHEMA IF EXISTS ${name(catalog, schemaName)} CASCADE` : sql`DROP SCHEMA IF EXISTS ${name(catalog, schemaName)}`);
  },
});
