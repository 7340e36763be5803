/** Conformance samples for the Alation kinds (test/conformance/): valid, changed and bad inputs. */
import type { Samples } from "../framework/spec";
import type { AlationApi } from "./api";

type S = Samples<Record<string, any>, AlationApi>;

export const ALATION_SAMPLES: Record<string, S> = {
  Query: {
    valid: {
      datasourceId: 1,
      title: "Conformance: users per country",
      description: "Counts users; then lists them.",
      content: "SELECT country, count(*) AS n FROM users GROUP BY country;\nSELECT * FROM users ORDER BY id",
      published: true,
      tags: ["@conformance"],
      domains: [1],
    },
    // Alation cannot change a query: every change is a new query, with its opt-in.
    replace: { content: "SELECT 1 AS one", allowReplace: true },
    invalid: [
      { inputs: { title: "" }, field: "title" },
      { inputs: { content: "SELECT 'unterminated" }, field: "content" },
      { inputs: { content: " ;; -- nothing" }, field: "content" },
      { inputs: { datasourceId: -1 }, field: "datasourceId" },
      { inputs: {}, unset: ["datasourceId"], field: "datasourceId" },
      { inputs: { tags: ["a", "a"] }, field: "tags" },
      { inputs: { domains: [1.5] }, field: "domains.0" },
      { inputs: { author: {} }, field: "author" },
      { inputs: { allowReplace: "yes" }, field: "allowReplace" },
    ],
    // An edit made in the UI (the emulator's stand-in for it).
    outOfBand: {
      field: "title",
      apply: async (api, id) => {
        await api.http.request({ method: "PATCH", path: `/_alation/query/${id}`, body: { title: "Conformance: renamed in the UI" } });
      },
    },
    createRequest: { method: "POST", path: "^/integration/v1/query/$" },
    createOnly: { fresh: { title: "Conformance: users per country (second)" } },
  },
  AbandonedQueries: {
    valid: { queries: [{ id: 1, url: "http://alation.invalid/query/1/", title: "one" }] },
    update: { queries: [] },
    // The report is not an object at Alation: nothing to read back, drift or delete there.
    readsBack: false,
    invalid: [
      { inputs: { queries: [{ id: -1 }] }, field: "queries.0.id" },
      { inputs: { queries: [{ id: 1 }, { id: 1 }] }, field: "queries" },
      { inputs: { queries: "all" }, field: "queries" },
    ],
  },
};
