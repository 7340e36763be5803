/**
 * An Alation catalog's curated queries, kept in git:
 *   - three published queries on the data source titled "Emulator warehouse" (looked up by title
 *     at preview), tagged "@catalog-as-code" and in the Finance domain (id 1 in the emulator);
 *   - one of them has two statements (a temporary table, then the report over it);
 *   - the report of abandoned queries: queries this stack replaced or removed, which Alation's API
 *     cannot delete (export `abandoned` and delete them in the Alation UI).
 *
 *   npm run example -- alation-catalog
 *
 * Against a real instance, set warehouse:alationEndpoint, the secret warehouse:alationRefreshToken
 * and warehouse:alationUserId, and alation-catalog:datasource / alation-catalog:domainId.
 */
import * as pulumi from "@pulumi/pulumi";
import { alation } from "../../sdk";

const config = new pulumi.Config();
const datasource = config.get("datasource") ?? "Emulator warehouse";
const domains = [config.getNumber("domainId") ?? 1];
const tags = ["@catalog-as-code", "@finance"];

const usersByCountry = new alation.Query("users-by-country", {
  datasource,
  title: "Users by country",
  description: "How many users each country has.",
  content: "SELECT country, count(*) AS users FROM users GROUP BY country ORDER BY country",
  published: true,
  tags,
  domains,
});

const shippedRevenue = new alation.Query("shipped-revenue", {
  datasource,
  title: "Shipped revenue by user",
  description: "Revenue of shipped orders per user: stages the shipped orders, then sums them.",
  content: [
    "CREATE OR REPLACE TEMP TABLE shipped AS SELECT * FROM orders WHERE status = 'shipped';",
    "SELECT u.name, sum(s.amount) AS revenue FROM shipped s JOIN users u ON u.id = s.user_id GROUP BY u.name ORDER BY revenue DESC;",
  ].join("\n"),
  published: true,
  tags,
  domains,
});

const pendingOrders = new alation.Query("pending-orders", {
  datasource,
  title: "Pending orders",
  description: "Orders not shipped yet, oldest first.",
  content: "SELECT id, user_id, amount, ordered_at FROM orders WHERE status = 'pending' ORDER BY ordered_at",
  published: true,
  tags,
  domains,
});

const report = alation.abandonedQueriesReport("abandoned-queries", [usersByCountry, shippedRevenue, pendingOrders]);

export const queries = {
  usersByCountry: { id: usersByCountry.queryId, url: usersByCountry.url },
  shippedRevenue: { id: shippedRevenue.queryId, url: shippedRevenue.url },
  pendingOrders: { id: pendingOrders.queryId, url: pendingOrders.url },
};
export const abandoned = report.abandoned;
