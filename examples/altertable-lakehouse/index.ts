/**
 * An Altertable lakehouse estate:
 *   - `reference` and `shop` schemas in the `lakehouse` catalog;
 *   - a `shop.orders` table declared column by column;
 *   - reference data loaded from files: products from CSV (upsert by sku), countries from
 *     Parquet (overwrite) — each re-sent only when the file changes;
 *   - seed events appended through /append;
 *   - a view over the tables, checked by Altertable's /validate at preview.
 *
 *   npm run example -- altertable-lakehouse
 */
import * as path from "node:path";
import { altertable } from "../../sdk";

// The data files sit next to this program's source (this file runs from dist/).
const data = (file: string) => path.resolve(__dirname, "../../../examples/altertable-lakehouse/data", file);

// forceDestroy: destroying this example drops the schemas with the tables that loads and appends
// created in them (without it, destroy refuses to drop a schema that still holds tables).
const reference = new altertable.Schema("reference", { catalog: "lakehouse", name: "reference", forceDestroy: true });
const shop = new altertable.Schema("shop", { catalog: "lakehouse", name: "shop", forceDestroy: true });

const orders = new altertable.Table("orders", {
  catalog: "lakehouse",
  schema: shop.name,
  name: "orders",
  comment: "One row per order",
  columns: [
    { name: "order_id", type: "BIGINT", nullable: false },
    { name: "sku", type: "VARCHAR", nullable: false },
    { name: "country", type: "VARCHAR", comment: "ISO 3166 code" },
    { name: "amount", type: "DECIMAL(12,2)" },
    { name: "ordered_at", type: "TIMESTAMP" },
  ],
  primaryKey: ["order_id"],
});

const products = new altertable.LoadedData("products", {
  catalog: "lakehouse",
  schema: reference.name,
  table: "products",
  file: data("products.csv"),
  mode: "upsert",
  primaryKey: ["sku"],
});

const countries = new altertable.LoadedData("countries", {
  catalog: "lakehouse",
  schema: reference.name,
  table: "countries",
  file: data("countries.parquet"),
  mode: "overwrite",
  onDestroy: "drop",
});

new altertable.AppendedRecords(
  "seed-events",
  {
    catalog: "lakehouse",
    schema: shop.name,
    table: "events",
    records: [
      { event: "signup", user_id: 1, at: "2026-11-01T09:00:00Z" },
      { event: "first_order", user_id: 1, order_id: 1001, at: "2026-11-01T09:05:00Z" },
      { event: "signup", user_id: 2, at: "2026-11-02T14:30:00Z" },
    ],
  },
  { dependsOn: [shop] },
);

new altertable.View(
  "order-lines",
  {
    catalog: "lakehouse",
    schema: shop.name,
    name: "order_lines",
    comment: "Orders with product and country names",
    sql: `SELECT o.order_id, p.name AS product, c.name AS country, o.amount
          FROM lakehouse.shop.orders o
          JOIN lakehouse.reference.products p ON p.sku = o.sku
          LEFT JOIN lakehouse.reference.countries c ON c.code = o.country`,
  },
  { dependsOn: [orders, products, countries] },
);

export const productRows = products.rowCount;
export const countryRows = countries.rowCount;
