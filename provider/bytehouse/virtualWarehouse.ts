/** bytehouse.VirtualWarehouse — compute. The name is its key and cannot change; everything else updates in place. */
import { z } from "zod";
import { InputsOf } from "../framework/spec";
import { ByteHouseApi, ByteHouseVirtualWarehouse, ByteHouseVwConfig, VwPatch, defineByteHouseResource } from "./api";
import { VW_NAME_PATTERN, VW_NAME_RULE } from "./paths";

export const virtualWarehouseInputs = z
  .object({
    name: z.string().regex(VW_NAME_PATTERN, VW_NAME_RULE).describe("Warehouse name (1-31 of [a-z0-9_], starts with a letter, ends with a letter or digit). Changing it replaces the warehouse."),
    description: z.string().default("").describe("Free-text description."),
    size: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,32}$/, "must be a configuration name such as XS, S, M, L or XL")
      .optional()
      .describe("Size by configuration name (XS, S, M, L, XL), resolved through the list of VW configurations. Give this or configId."),
    configId: z.number().int("must be a whole number").positive("must be greater than 0").optional().describe("Size by configuration id (from the VW configurations list). Give this or size."),
    status: z.enum(["up", "down"], "must be \"up\" (running) or \"down\" (suspended)").default("up").describe("\"up\" runs or resumes the warehouse, \"down\" suspends it."),
    autoSuspend: z
      .number()
      .int("must be a whole number of minutes")
      .min(0, "must be >= 0 minutes (0 means never suspend)")
      .default(0)
      .describe("Minutes of idleness before the warehouse suspends itself; 0 means never."),
    autoResume: z.boolean().default(false).describe("Resume automatically when a query arrives."),
  })
  .refine((v) => (v.size === undefined) !== (v.configId === undefined), {
    message: "give exactly one of size (e.g. \"XS\") or configId",
    path: ["size"],
  });

type VwInputs = InputsOf<typeof virtualWarehouseInputs>;
type VwRaw = ByteHouseVirtualWarehouse & { size?: string };

/**
 * Preview check (read-only, one cached list per provider process): the size or configId names a
 * configuration the account has. Failures name the field and the configurations to choose from.
 */
export async function checkConfiguration(api: ByteHouseApi, inputs: Pick<VwInputs, "size" | "configId">): Promise<{ property: string; reason: string }[]> {
  const configs = await api.listVirtualWarehouseConfigs();
  const names = configs.map((c) => c.name).join(", ");
  if (inputs.configId !== undefined) {
    if (configs.some((c) => c.id === inputs.configId)) return [];
    return [{ property: "configId", reason: `configId ${inputs.configId} is not a virtual warehouse configuration; available: ${configs.map((c) => `${c.id} (${c.name})`).join(", ")}` }];
  }
  if (inputs.size === undefined || configs.some((c) => c.name.toLowerCase() === String(inputs.size).toLowerCase())) return [];
  return [{ property: "size", reason: `size "${inputs.size}" is not a virtual warehouse configuration; available: ${names}` }];
}

async function resolveConfigId(api: ByteHouseApi, inputs: Pick<VwInputs, "size" | "configId">): Promise<number> {
  if (inputs.configId !== undefined) return inputs.configId;
  const configs = await api.listVirtualWarehouseConfigs();
  const match = configs.find((c) => c.name.toLowerCase() === String(inputs.size).toLowerCase());
  if (!match) {
    throw new Error(`size "${inputs.size}" is not a virtual warehouse configuration; available: ${configs.map((c) => c.name).join(", ")}`);
  }
  return match.id;
}

/** A warehouse as ByteHouse answers it, with its configuration's size name attached. */
function withSize(vw: ByteHouseVirtualWarehouse, configs: ByteHouseVwConfig[]): VwRaw {
  return { ...vw, size: configs.find((c) => c.id === vw.configID)?.name };
}

/** The live warehouse, with its configuration's size name attached. */
async function readWarehouse(api: ByteHouseApi, name: string): Promise<VwRaw | undefined> {
  const vw = await api.getVirtualWarehouse(name);
  return vw && withSize(vw, await api.listVirtualWarehouseConfigs());
}

function observeWarehouse(raw: VwRaw) {
  return {
    name: raw.name,
    description: raw.description ?? "",
    configId: raw.configID,
    ...(raw.size !== undefined ? { size: raw.size } : {}),
    status: raw.status,
    autoSuspend: raw.autoSuspend,
    autoResume: raw.autoResume,
  };
}

export const virtualWarehouse = defineByteHouseResource({
  kind: "VirtualWarehouse",
  description:
    "A ByteHouse virtual warehouse (compute). The name is its identity and forces replacement; description, size, status, autoSuspend and autoResume change in place with one PATCH.",
  inputs: virtualWarehouseInputs,
  replaceOn: ["name"],
  uniqueBy: "name",
  normalize: { size: (v) => String(v).toUpperCase() },
  async prepare(inputs, vendor) {
    return checkConfiguration(vendor(), inputs);
  },
  outputs: {
    vwId: "ByteHouse's id for the warehouse (vw-<account>-<name>).",
    createdAt: "Creation time (RFC 3339).",
  },

  async create(ctx, inputs) {
    const configID = await resolveConfigId(ctx.api, inputs);
    await ctx.api.createVirtualWarehouse({
      name: inputs.name,
      configID,
      description: inputs.description,
      status: inputs.status,
      autoSuspend: inputs.autoSuspend,
      autoResume: inputs.autoResume,
    });
    ctx.created(inputs.name);
    // The engine reads the object back: ByteHouse's create answers only {name, vwID, message,
    // error} (the vendor doc's flat VW envelope), without the createdAt output, the status the
    // vendor settled on or the configuration it applied — so no live object is returned here.
    return { id: inputs.name };
  },

  async find(api, inputs) {
    const raw = await readWarehouse(api, inputs.name);
    return raw && { id: raw.name, raw };
  },

  read: (api, id) => readWarehouse(api, id),

  // The list answers whole warehouses (the same object as a read), 100 a page: a refresh of many
  // reads them from it (framework/batch-read.ts).
  async readAll(api) {
    const [vws, configs] = await Promise.all([api.listVirtualWarehouses(), api.listVirtualWarehouseConfigs()]);
    return new Map(vws.map((vw) => [vw.name, withSize(vw, configs)]));
  },

  observe: observeWarehouse,

  computed: (raw: VwRaw) => ({ vwId: raw.id, createdAt: raw.createdAt }),

  async update(ctx, id, _olds, news, changed) {
    const patch: VwPatch = {};
    for (const key of changed) {
      if (key === "description") patch.description = news.description;
      if (key === "status") patch.status = news.status;
      if (key === "autoSuspend") patch.autoSuspend = news.autoSuspend;
      if (key === "autoResume") patch.autoResume = news.autoResume;
      if (key === "size" || key === "configId") patch.configID = await resolveConfigId(ctx.api, news);
    }
    if (Object.keys(patch).length > 0) await ctx.api.updateVirtualWarehouse(id, patch);
    return; // the engine reads the object back: the PATCH answer is only {message, error}
  },

  exporter: {
    async list(api) {
      const configs = await api.listVirtualWarehouseConfigs();
      return (await api.listVirtualWarehouses()).map((vw) => ({ id: vw.name, name: vw.name, raw: { ...vw, size: configs.find((c) => c.id === vw.configID)?.name } }));
    },
    // Sized by name when the configuration has one (size and configId are exclusive inputs).
    inputs(raw) {
      const { configId, ...rest } = observeWarehouse(raw);
      return rest.size !== undefined ? rest : { ...rest, configId };
    },
  },

  delete: (api, id) => api.deleteVirtualWarehouse(id),
});
