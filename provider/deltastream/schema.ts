/**
 * deltastream.Schema — a schema of a database (`CREATE SCHEMA … IN DATABASE …`); read back from
 * `deltastream.sys."schemas"`. DeltaStream creates `public` with every database: declaring it
 * takes it over (nothing is created) and destroying it leaves it to its database.
 */
import { z } from "zod";
import { defineDeltaStreamResource, DeltaStreamApi, Row } from "./api";
import { alterOwner, asOwner, handOver, dropRelations, dsName, ownerField, str, sysRow, sysRows, waitGone } from "./common";
import { name, sql } from "../sql/builder";
import { idCodec } from "../framework/ids";
import { WarehouseApiError } from "../http/errors";

export const schemaInputs = z.object({
  database: dsName("The database. Changing it replaces the schema."),
  name: dsName("Schema name. `public` is the schema DeltaStream makes with every database: declaring it manages that one (no CREATE, no DROP). Changing it replaces the schema."),
  owner: ownerField(),
  forceDestroy: z
    .boolean()
    .default(false)
    .describe("Drop the schema on destroy even when it still holds relations (their rows are lost). Off: such a delete fails, naming them, and nothing is dropped."),
});

export const SCHEMA_ID = idCodec("database", "name");
const AUTO_SCHEMA = "public";

const read = (api: DeltaStreamApi, database: string, schema: string) => sysRow(api, "schemas", { database_name: database, name: schema });

export const schema = defineDeltaStreamResource({
  kind: "Schema",
  description:
    "A schema of a DeltaStream database. The `public` schema every database comes with is taken over rather than created (no false diff, never dropped on its own). Database and name replace it; the owner changes in place.",
  inputs: schemaInputs,
  id: SCHEMA_ID,
  replaceOn: ["database", "name"],
  uniqueBy: "name",
  outputs: { createdAt: "When DeltaStream created the schema." },

  async create(ctx, inputs) {
    const id = SCHEMA_ID.encode(inputs);
    if (inputs.name === AUTO_SCHEMA) {
      const existing = await read(ctx.api, inputs.database, inputs.name);
      if (existing) {
        ctx.created(id);
        if (inputs.owner && str(existing.owner) !== inputs.owner) await ctx.api.statement(alterOwner("SCHEMA", name(inputs.database, inputs.name), inputs.owner));
        return { id };
      }
    }
    await ctx.api.statement(sql`CREATE SCHEMA ${name(inputs.name)} IN DATABASE ${name(inputs.database)}`, { context: asOwner(inputs.owner) });
    ctx.created(id);
    await handOver(ctx.api, "SCHEMA", name(inputs.database, inputs.name), inputs.owner);
    return { id };
  },

  read: (api, id) => {
    const { database, name: schemaName } = SCHEMA_ID.decode(id);
    return read(api, database, schemaName);
  },

  observe: (raw: Row) => ({ database: str(raw.database_name), name: str(raw.name), owner: str(raw.owner) }),
  computed: (raw: Row) => ({ createdAt: str(raw.created_at) }),

  async update(ctx, id, _olds, news, changed) {
    if (changed.includes("owner") && news.owner) await ctx.api.statement(alterOwner("SCHEMA", name(news.database, news.name), news.owner));
  },

  exporter: {
    // Every schema, `public` included (adopting it takes over the one its database came with).
    async list(api) {
      return (await sysRows(api, "schemas", {})).map((raw) => {
        const ref = { database: String(raw.database_name), name: String(raw.name) };
        return { id: SCHEMA_ID.encode(ref), raw, name: ref.name, database: ref.database, schema: ref.name };
      });
    },
    references: [{ field: "database", kind: "Database", match: { name: "database" }, output: "name" }],
  },

  async delete(api, id, state) {
    const { database, name: schemaName } = SCHEMA_ID.decode(id);
    const relations = await sysRows(api, "relations", { database_name: database, schema_name: schemaName });
    if (relations.length > 0 && !state.forceDestroy) {
      throw new WarehouseApiError(
        "validation",
        `DeltaStream DROP SCHEMA ${id}`,
        `deltastream.Schema ${id} still holds ${relations.map((r) => r.name).join(", ")}; dropping it would lose their rows, so nothing was dropped. Set forceDestroy: true on the schema (and run pulumi up) to allow it.`,
      );
    }
    await dropRelations(api, relations);
    if (schemaName === AUTO_SCHEMA) return; // it belongs to its database
    await api.statement(sql`DROP SCHEMA ${name(database, schemaName)}`);
    await waitGone(`schema ${id}`, async () => (await read(api, database, schemaName)) !== undefined);
  },
});
