/** Conformance samples for the ByteHouse kinds (test/conformance/): valid, changed and bad inputs. */
import type { Samples } from "../framework/spec";
import type { ByteHouseApi } from "./api";
import { isConflict } from "../http/errors";

type S = Samples<Record<string, any>, ByteHouseApi>;

const ensureDatabase = (name: string) => async (api: ByteHouseApi) => {
  if (!(await api.getDatabase(name))) await api.createDatabase({ name, description: "conformance" }).catch((e) => (isConflict(e) ? undefined : Promise.reject(e)));
};

export const BYTEHOUSE_SAMPLES: Record<string, S> = {
  Database: {
    valid: { name: "conf_db", description: "conformance" },
    replace: { description: "another description" },
    invalid: [
      { inputs: { name: "Bad-Name!" }, field: "name" },
      { inputs: { description: 5 }, field: "description" },
      { inputs: { forceDestroy: "yes" }, field: "forceDestroy" },
      { inputs: { colour: "red" }, field: "colour" },
      { inputs: {}, unset: ["name"], field: "name" },
    ],
  },
  VirtualWarehouse: {
    valid: { name: "conf_vw", size: "XS", autoSuspend: 5, description: "conformance" },
    update: { autoSuspend: 10, description: "changed" },
    updateRequest: { method: "PATCH", idempotent: true },
    replace: { name: "conf_vw_two" },
    invalid: [
      { inputs: { name: "Bad Name" }, field: "name" },
      { inputs: { autoSuspend: -1 }, field: "autoSuspend" },
      { inputs: { autoSuspend: 1.5 }, field: "autoSuspend" },
      { inputs: { status: "paused" }, field: "status" },
      { inputs: { configId: 123456 }, field: "size" },
    ],
    outOfBand: { field: "autoSuspend", apply: (api, id) => api.updateVirtualWarehouse(id, { autoSuspend: 99 }).then(() => undefined) },
  },
  Table: {
    setup: ensureDatabase("conf_tables"),
    valid: { database: "conf_tables", name: "events", columns: [{ name: "id", type: "Int64" }, { name: "note", type: "String", comment: "free text" }], orderByKeys: ["id"] },
    update: { columns: [{ name: "id", type: "Int64" }, { name: "note", type: "String", comment: "free text" }, { name: "extra", type: "Nullable(Int32)" }] },
    updateRequest: { method: "PATCH" },
    replace: { orderByKeys: ["note"], allowReplace: true },
    invalid: [
      { inputs: { columns: [{ name: "id", type: "Int64" }, { name: "id", type: "String" }] }, field: "columns.1.name" },
      { inputs: { orderByKeys: ["missing"] }, field: "orderByKeys.0" },
      { inputs: { columns: [] }, field: "columns" },
      { inputs: { columns: [{ name: "1bad", type: "Int64" }] }, field: "columns.0.name" },
      { inputs: { columns: [{ name: "id", type: "Int33" }] }, field: "columns.0.type" },
      { inputs: { columns: [{ name: "id", type: "Decimal(1,2)); DROP TABLE conf_tables.canary; SELECT (1" }] }, field: "columns.0.type" },
    ],
    outOfBand: {
      field: "columns",
      apply: async (api, id) => {
        const [db, name] = id.split(".");
        await api.updateTable(db, name, { addColumns: [{ name: "added_by_hand", type: "String", nullable: false }] });
      },
    },
  },
  ApiKey: {
    valid: { comment: "conformance key", expiryDays: 30 },
    update: { enabled: false },
    updateRequest: { method: "PATCH", idempotent: true },
    replace: { comment: "another comment" },
    invalid: [
      { inputs: { expiryDays: -1 }, field: "expiryDays" },
      { inputs: { enabled: "no" }, field: "enabled" },
      { inputs: { comment: "x".repeat(300) }, field: "comment" },
    ],
    outOfBand: { field: "enabled", apply: (api, id) => api.setApiKeyStatus(id, "ENABLED").then(() => undefined) },
  },
  RoleAssignment: {
    valid: { userId: 1336688750, roleName: "Analyst" },
    replace: { roleName: "SystemAdmin" },
    invalid: [
      { inputs: { userId: -3 }, field: "userId" },
      { inputs: { roleName: "no spaces allowed" }, field: "roleName" },
    ],
  },
  RolePermission: {
    setup: ensureDatabase("conf_perm"),
    valid: { roleName: "Analyst", resourceId: "conf_perm", objectType: "DATABASE", action: "SELECT" },
    replace: { action: "INSERT" },
    invalid: [
      { inputs: { action: "select" }, field: "action" },
      { inputs: { resourceId: "" }, field: "resourceId" },
    ],
  },
  Connection: {
    valid: { name: "conf_conn", type: "LOCAL", data: { path: "/tmp" } },
    update: { name: "conf_conn_renamed" },
    updateRequest: { method: "PUT", idempotent: true },
    replace: { type: "S3", data: { bucket: "b", region: "r", accessKeyId: "AKIAEXAMPLE", secretAccessKey: "conformance-secret" } },
    invalid: [
      { inputs: { type: "FTP" }, field: "type" },
      { inputs: { name: "" }, field: "name" },
      { inputs: { data: "not-an-object" }, field: "data" },
    ],
    outOfBand: { field: "name", apply: (api, id) => api.updateConnection(Number(id), { name: "renamed_by_hand", data: { path: "/tmp" } }).then(() => undefined) },
  },
  ImportJob: {
    setup: ensureDatabase("conf_jobs"),
    valid: {
      name: "conf_job",
      connectionId: 0,
      configuration: { source: { format: "CSV", properties: { fileNames: "a.csv" } }, sink: { database: "conf_jobs", table: "t", mode: "APPEND" } },
    },
    update: { description: "changed" },
    invalid: [
      { inputs: { name: "" }, field: "name" },
      { inputs: { connectionId: -1 }, field: "connectionId" },
      { inputs: { state: "RUNNING" }, field: "state" },
    ],
  },
  MetadataSubscription: {
    valid: { accountId: "2100042608", userId: "2100000002", token: "conformance-token-123" },
    replace: { userId: "2100000003" },
    invalid: [
      { inputs: { accountId: "abc" }, field: "accountId" },
      { inputs: { token: "short" }, field: "token" },
    ],
    readsBack: false,
  },
};
