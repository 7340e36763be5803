/**
 * Lookups: plain async functions that read from ByteHouse in the program (not resources).
 * Settings come from the stack config (`warehouse:bytehouseEndpoint`, secret
 * `warehouse:bytehouseApiKey`) or the environment, as for the provider.
 */
import * as pulumi from "@pulumi/pulumi";
import { ByteHouseApi, ByteHouseVwConfig, createByteHouseHttp } from "../../provider/bytehouse/api";
import { WireRole } from "../../provider/bytehouse/wire";
import { resolveSettings } from "../../provider/settings";

async function withApi<T>(f: (api: ByteHouseApi) => Promise<T>): Promise<T> {
  // Full keys ("warehouse:bytehouseApiKey"), read raw: no secret-access warning, same source as the provider.
  const source = { get: (key: string) => pulumi.runtime.getConfig(key) };
  const api = new ByteHouseApi(createByteHouseHttp(resolveSettings("bytehouse", source)));
  try {
    return await f(api);
  } finally {
    await api.http.close();
  }
}

/** Every virtual warehouse configuration (size) of the account. */
export function getVirtualWarehouseConfigs(): Promise<ByteHouseVwConfig[]> {
  return withApi((api) => api.listVirtualWarehouseConfigs());
}

/** The virtual warehouse configuration with this size name (XS, S, M, L, XL); fails if there is none. */
export async function getVirtualWarehouseConfig(args: { size: string }): Promise<ByteHouseVwConfig> {
  const configs = await getVirtualWarehouseConfigs();
  const hit = configs.find((c) => c.name.toLowerCase() === args.size.toLowerCase());
  if (!hit) throw new Error(`bytehouse.getVirtualWarehouseConfig: no configuration named "${args.size}"; available: ${configs.map((c) => c.name).join(", ")}`);
  return hit;
}

/** The roles of the account. */
export function getRoles(): Promise<WireRole[]> {
  return withApi((api) => api.listRoles());
}
