/** CARTO resources. Reference: README.md, "Resource reference". */
import { ArgsOf, resourceClass } from "../framework";
import { cartoTable, cartoTableInputs } from "../../provider/carto/table";
import { cartoView, cartoViewInputs, cartoMaterializedView, cartoMaterializedViewInputs } from "../../provider/carto/view";
import { cartoGrant, cartoGrantInputs } from "../../provider/carto/grant";
import { cartoApiKey, cartoApiKeyInputs } from "../../provider/carto/apiKey";
import { cartoBatchJob, cartoBatchJobInputs } from "../../provider/carto/batchJob";
import { cartoLoadedData, cartoLoadedDataInputs } from "../../provider/carto/loadedData";

/** A PostgreSQL/PostGIS table (geometry columns, indexes, optionally a CARTO dataset) with safe column evolution. */
export const Table = resourceClass(cartoTable);
export type Table = InstanceType<typeof Table>;
export type TableArgs = ArgsOf<typeof cartoTableInputs>;

/** A view; its query is checked with EXPLAIN through the SQL API at preview. */
export const View = resourceClass(cartoView);
export type View = InstanceType<typeof View>;
export type ViewArgs = ArgsOf<typeof cartoViewInputs>;

/** A materialized view, rebuilt when its query changes and refreshed when refreshTrigger changes. */
export const MaterializedView = resourceClass(cartoMaterializedView);
export type MaterializedView = InstanceType<typeof MaterializedView>;
export type MaterializedViewArgs = ArgsOf<typeof cartoMaterializedViewInputs>;

/** Table privileges granted to a role (e.g. an API key's role). */
export const Grant = resourceClass(cartoGrant);
export type Grant = InstanceType<typeof Grant>;
export type GrantArgs = ArgsOf<typeof cartoGrantInputs>;

/** A regular API key (Auth API); its token is a secret output; any grant change replaces it. */
export const ApiKey = resourceClass(cartoApiKey);
export type ApiKey = InstanceType<typeof ApiKey>;
export type ApiKeyArgs = ArgsOf<typeof cartoApiKeyInputs>;

/** SQL statements run as a batch job, waited for, never sent twice for one change. */
export const BatchJob = resourceClass(cartoBatchJob);
export type BatchJob = InstanceType<typeof BatchJob>;
export type BatchJobArgs = ArgsOf<typeof cartoBatchJobInputs>;

/** A local CSV (or gzip CSV) streamed into a table through COPY FROM; re-sent only when it changes. */
export const LoadedData = resourceClass(cartoLoadedData);
export type LoadedData = InstanceType<typeof LoadedData>;
export type LoadedDataArgs = ArgsOf<typeof cartoLoadedDataInputs>;
