/**
 * ByteHouse REST paths: the ONE place they are written down, shared by the provider's
 * client and the emulator.
 *
 * The vendor doc (shared/vendor-docs/bytehouse-public-api.txt) documents operations but not
 * their URL paths; only /v1/sql/sync is documented. Everything else follows the proposal in
 * shared/notes/bytehouse-and-altertable.md §1.3. If the real paths turn out different,
 * change them here and both sides follow.
 */
const seg = (s: string | number) => encodeURIComponent(String(s));

export const BYTEHOUSE_PATHS = {
  databases: () => "/v1/databases",
  database: (db: string) => `/v1/databases/${seg(db)}`,
  virtualWarehouses: () => "/v1/virtual-warehouses",
  virtualWarehouse: (name: string) => `/v1/virtual-warehouses/${seg(name)}`,
  virtualWarehouseConfigs: () => "/v1/virtual-warehouse-configs",
} as const;

/** Route patterns for the emulator's router, derived from the same table. */
export const BYTEHOUSE_ROUTES = {
  databases: BYTEHOUSE_PATHS.databases(),
  database: BYTEHOUSE_PATHS.database(":db_name").replace("%3A", ":"),
  virtualWarehouses: BYTEHOUSE_PATHS.virtualWarehouses(),
  virtualWarehouse: BYTEHOUSE_PATHS.virtualWarehouse(":name").replace("%3A", ":"),
  virtualWarehouseConfigs: BYTEHOUSE_PATHS.virtualWarehouseConfigs(),
} as const;

/** Offset pagination: `limit` defaults to 10 and is clamped at 100 (vendor doc). */
export const BYTEHOUSE_PAGE = { defaultLimit: 10, maxLimit: 100 } as const;

/** Virtual-warehouse name rule (vendor doc, "VWName"). */
export const VW_NAME_PATTERN = /^[a-z](?:[a-z0-9_]{0,29}[a-z0-9])?$/;
export const VW_NAME_RULE =
  "must be 1-31 characters of lower-case letters, digits and '_', start with a lower-case letter and end with a letter or digit";
