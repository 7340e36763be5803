/** bytehouse.Database — a ByteHouse database. ByteHouse has no update call for databases: any change replaces. */
import { z } from "zod";
import { identifier } from "../framework/identifiers";
import { ByteHouseDatabase, defineByteHouseResource } from "./api";
import { WarehouseApiError } from "../http/errors";

export const databaseInputs = z.object({
  name: identifier()
    .describe("Database name, unique in the account. Changing it replaces the database."),
  description: z.string().max(1024, "must be at most 1024 characters").default("").describe("Free-text description. ByteHouse cannot change it in place: changing it replaces the database."),
  forceDestroy: z
    .boolean()
    .default(false)
    .describe(
      "Allow deleting the database while it still holds tables (on destroy or replacement). Without it, deleting a non-empty database fails and nothing is dropped.",
    ),
});

export const database = defineByteHouseResource({
  kind: "Database",
  description: "A ByteHouse database. Any change of name or description replaces it (the API has no update call for databases).",
  inputs: databaseInputs,
  replaceOn: ["name", "description"],
  uniqueBy: "name",
  outputs: {
    uuid: "The database's UUID.",
    createdAt: "Creation time (RFC 3339).",
  },

  async create(ctx, inputs) {
    await ctx.api.createDatabase({ name: inputs.name, description: inputs.description });
    ctx.created(inputs.name);
    return { id: inputs.name }; // the engine reads the object back
  },

  async find(api, inputs) {
    const raw = await api.getDatabase(inputs.name);
    return raw && { id: raw.name, raw };
  },

  read: (api, id) => api.getDatabase(id),

  observe: (raw: ByteHouseDatabase) => ({ name: raw.name, description: raw.description ?? "" }),

  computed: (raw: ByteHouseDatabase) => ({ uuid: raw.uuid, createdAt: raw.createdAt }),

  exporter: {
    async list(api) {
      return (await api.listDatabases()).map((raw) => ({ id: raw.name, raw, name: raw.name, database: raw.name }));
    },
  },

  async delete(api, id, state) {
    if (!state.forceDestroy) {
      const live = await api.getDatabase(id);
      if (live && (live.noOfTables ?? 0) > 0) {
        throw new WarehouseApiError(
          "validation",
          `ByteHouse DELETE database ${id}`,
          `bytehouse.Database ${id} still holds ${live.noOfTables} table(s); nothing was dropped. ` +
            `Set forceDestroy: true on the resource (and run pulumi up) to allow deleting it with its tables.`,
        );
      }
    }
    await api.deleteDatabase(id);
  },
});
