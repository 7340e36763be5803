/** Alation resources and lookups. Reference: README.md, "Resource reference" and "## Alation". */
import * as pulumi from "@pulumi/pulumi";
import { ArgsOf, resourceClass } from "../framework";
import { query, queryInputs } from "../../provider/alation/query";
import { abandonedQueries, abandonedQueriesInputs } from "../../provider/alation/abandonedQueries";

export * from "./lookups";

/** A saved query; create-only (changes need allowReplace and make a new query; delete leaves it in Alation). */
export const Query = resourceClass(query);
export type Query = InstanceType<typeof Query>;
export type QueryArgs = ArgsOf<typeof queryInputs>;

/** The report of the stack's queries that were replaced or removed and still exist in Alation. */
export const AbandonedQueries = resourceClass(abandonedQueries);
export type AbandonedQueries = InstanceType<typeof AbandonedQueries>;
export type AbandonedQueriesArgs = ArgsOf<typeof abandonedQueriesInputs>;

/**
 * An AbandonedQueries report over these Query resources: pass every alation.Query of the stack
 * (a query left out counts as abandoned). Export its `abandoned` output.
 */
export function abandonedQueriesReport(name: string, queries: Query[], opts?: pulumi.CustomResourceOptions): AbandonedQueries {
  const live = queries.map((q) => pulumi.all([q.queryId, q.url, q.title]).apply(([id, url, title]) => ({ id: Number(id), url: String(url), title: String(title) })));
  return new AbandonedQueries(name, { queries: pulumi.all(live) }, opts);
}
