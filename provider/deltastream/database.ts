/** deltastream.Database — a database (CREATE DATABASE); read back from `deltastream.sys."databases"`. */
import { z } from "zod";
import { defineDeltaStreamResource, DeltaStreamApi, Row } from "./api";
import { alterOwner, asOwner, handOver, dropRelations, dsName, ownerField, str, sysRow, sysRows, waitGone } from "./common";
import { ident, sql } from "../sql/builder";
import { WarehouseApiError } from "../http/errors";

export const databaseInputs = z.object({
  name: dsName("Database name (case kept: it is always quoted). Changing it replaces the database."),
  owner: ownerField(),
  forceDestroy: z
    .boolean()
    .default(false)
    .describe("Drop the database on destroy even when its schemas still hold relations (their rows are lost). Off: such a delete fails, naming them, and nothing is dropped."),
});

const read = (api: DeltaStreamApi, name: string) => sysRow(api, "databases", { name });

export const database = defineDeltaStreamResource({
  kind: "Database",
  description: "A DeltaStream database. DeltaStream creates its `public` schema with it. The name replaces it; the owner changes in place (ALTER DATABASE … OWNER TO).",
  inputs: databaseInputs,
  replaceOn: ["name"],
  uniqueBy: "name",
  outputs: { createdAt: "When DeltaStream created the database." },

  async create(ctx, inputs) {
    await ctx.api.statement(sql`CREATE DATABASE ${ident(inputs.name)}`, { context: asOwner(inputs.owner) });
    ctx.created(inputs.name);
    await handOver(ctx.api, "DATABASE", ident(inputs.name), inputs.owner);
    return { id: inputs.name };
  },

  async find(api, inputs) {
    const raw = await read(api, inputs.name);
    return raw ? { id: inputs.name, raw } : undefined;
  },

  read: (api, id) => read(api, id),

  observe: (raw: Row) => ({ name: str(raw.name), owner: str(raw.owner) }),
  computed: (raw: Row) => ({ createdAt: str(raw.created_at) }),

  async update(ctx, id, _olds, news, changed) {
    if (changed.includes("owner") && news.owner) await ctx.api.statement(alterOwner("DATABASE", ident(id), news.owner));
  },

  exporter: {
    async list(api) {
      return (await sysRows(api, "databases", {})).map((raw) => ({ id: String(raw.name), raw, name: String(raw.name), database: String(raw.name) }));
    },
  },

  async delete(api, id, state) {
    if (!state.forceDestroy) {
      const relations = await sysRows(api, "relations", { database_name: id });
      if (relations.length > 0) {
        throw new WarehouseApiError(
          "validation",
          `DeltaStream DROP DATABASE ${id}`,
          `deltastream.Database ${id} still holds ${relations.map((r) => `${r.schema_name}.${r.name}`).join(", ")}; dropping it would lose their rows, so nothing was dropped. ` +
            `Set forceDestroy: true on the database (and run pulumi up) to drop it with everything in it.`,
        );
      }
    }
    else await dropRelations(api, await sysRows(api, "relations", { database_name: id }));
    await api.statement(sql`DROP DATABASE ${ident(id)}`);
    await waitGone(`database ${id}`, async () => (await read(api, id)) !== undefined);
  },
});
