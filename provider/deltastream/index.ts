/** DeltaStream: the vendor's registration (settings, API client, resource kinds). */
import { defineVendor, withSamples } from "../framework/vendor";
import { httpOptionsFrom } from "../http/settings";
import { DELTASTREAM_SETTINGS } from "./settings";
import { DeltaStreamApi, createDeltaStreamHttp } from "./api";
import { DELTASTREAM_SAMPLES } from "./samples";
import { sql } from "../sql/builder";
import { database } from "./database";
import { schema } from "./schema";
import { store } from "./store";
import { schemaRegistry } from "./schemaRegistry";
import { secret } from "./secret";
import { entity } from "./entity";
import { relation } from "./relation";
import { query, application } from "./query";
import { computePool } from "./computePool";
import { role } from "./role";
import { grant } from "./grant";
import { apiToken } from "./apiToken";

export const vendor = defineVendor({
  name: "deltastream",
  title: "DeltaStream",
  settings: DELTASTREAM_SETTINGS,
  createApi: (s) => new DeltaStreamApi(createDeltaStreamHttp(s, httpOptionsFrom(s, "deltastream")), { organization: s.organization, role: s.role, apiToken: s.apiToken }),
  // One authenticated read per provider process: the databases the token's role can see.
  verify: async (api) => {
    await api.statement(sql`LIST DATABASES`);
  },
  specs: withSamples([database, schema, store, schemaRegistry, secret, entity, relation, query, application, computePool, role, grant, apiToken], DELTASTREAM_SAMPLES),
});
