/** Conformance samples for the Altertable kinds (test/conformance/): valid, changed and bad inputs. */
import * as path from "node:path";
import type { Samples } from "../framework/spec";
import type { AltertableApi } from "./api";
import { name, raw, sql } from "../sql";
import { idCodec } from "../framework/ids";

const objectId = idCodec("catalog", "schema", "name");

type S = Samples<Record<string, any>, AltertableApi>;

/** A CSV of the altertable-lakehouse example (this file runs from dist/provider/altertable/). */
const productsCsv = path.resolve(__dirname, "../../../examples/altertable-lakehouse/data/products.csv");

export const ALTERTABLE_SAMPLES: Record<string, S> = {
  Schema: {
    valid: { catalog: "lakehouse", name: "conf_schema" },
    replace: { name: "conf_schema_two" },
    invalid: [
      { inputs: { name: "bad name" }, field: "name" },
      { inputs: { catalog: "" }, field: "catalog" },
      { inputs: { forceDestroy: 1 }, field: "forceDestroy" },
    ],
  },
  Table: {
    valid: { catalog: "lakehouse", schema: "main", name: "conf_table", columns: [{ name: "id", type: "BIGINT", nullable: false }, { name: "note", type: "VARCHAR" }], primaryKey: ["id"] },
    update: { columns: [{ name: "id", type: "BIGINT", nullable: false }, { name: "note", type: "VARCHAR" }, { name: "extra", type: "INTEGER" }], comment: "changed" },
    updateRequest: { method: "POST", path: "^/query$" },
    replace: { primaryKey: ["id", "note"], allowReplace: true },
    invalid: [
      { inputs: { columns: [{ name: "id", type: "BIGINT" }, { name: "ID", type: "VARCHAR" }] }, field: "columns.1.name" },
      { inputs: { primaryKey: ["missing"] }, field: "primaryKey.0" },
      { inputs: { columns: [{ name: "id", type: "BIGINTT" }] }, field: "columns.0.type" },
      { inputs: { columns: [{ name: "id", type: "INTEGER); DROP TABLE lakehouse.main.canary; --" }] }, field: "columns.0.type" },
      { inputs: { columns: [{ name: "id", type: "INTEGER", defaultValue: "1); DROP TABLE lakehouse.main.canary; --" }] }, field: "columns.0.defaultValue" },
    ],
    outOfBand: { field: "columns", apply: (api, id) => api.query(sql`ALTER TABLE ${name(objectId.decode(id))} ADD COLUMN added_by_hand INTEGER`).then(() => undefined) },
  },
  View: {
    valid: { catalog: "lakehouse", schema: "main", name: "conf_view", sql: "SELECT 1 AS one" },
    update: { sql: "SELECT 2 AS two", comment: "changed" },
    updateRequest: { method: "POST", path: "^/query$" },
    replace: { name: "conf_view_two" },
    invalid: [
      { inputs: { sql: "" }, field: "sql" },
      { inputs: { name: "bad name" }, field: "name" },
      { inputs: { sql: "SELECT 1 AS one; DROP TABLE lakehouse.main.canary" }, field: "sql" },
    ],
    outOfBand: { field: "sql", apply: (api, id) => api.query(sql`CREATE OR REPLACE VIEW ${name(objectId.decode(id))} AS ${raw("SELECT 3 AS three", "a fixed test query")}`).then(() => undefined) },
  },
  AppendedRecords: {
    valid: { catalog: "lakehouse", schema: "main", table: "conf_events", records: [{ event: "signup", user_id: 1 }, { event: "login", user_id: 1 }], deleteOnDestroy: true },
    invalid: [
      { inputs: { records: [] }, field: "records" },
      { inputs: { batchColumn: "bad column" }, field: "batchColumn" },
      { inputs: { table: "" }, field: "table" },
    ],
  },
  LoadedData: {
    valid: { catalog: "lakehouse", schema: "main", table: "conf_products", file: productsCsv, mode: "upsert", primaryKey: ["sku"], onDestroy: "truncate" },
    update: { onDestroy: "drop" },
    replace: { table: "conf_products_two" },
    invalid: [
      { inputs: { mode: "merge" }, field: "mode" },
      { inputs: { primaryKey: undefined }, unset: ["primaryKey"], field: "primaryKey" },
      { inputs: { onDestroy: "explode" }, field: "onDestroy" },
      { inputs: { file: "" }, field: "file" },
    ],
    outOfBand: { field: "contentHash", apply: (api) => {
        const t = name("lakehouse", "main", "conf_products");
        return api.query(sql`DELETE FROM ${t} WHERE sku IN (SELECT sku FROM ${t} LIMIT 1)`).then(() => undefined);
      },
    },
  },
};
