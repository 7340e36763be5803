/** Altertable resources. Reference: README.md, "Resource reference". */
import { ArgsOf, resourceClass } from "../framework";
import { schema, schemaInputs } from "../../provider/altertable/schema";
import { altertableTable, altertableTableInputs } from "../../provider/altertable/table";
import { view, viewInputs } from "../../provider/altertable/view";
import { appendedRecords, appendedRecordsInputs } from "../../provider/altertable/appendedRecords";
import { loadedData, loadedDataInputs } from "../../provider/altertable/loadedData";

/** A schema in a catalog. */
export const Schema = resourceClass(schema);
export type Schema = InstanceType<typeof Schema>;
export type SchemaArgs = ArgsOf<typeof schemaInputs>;

/** A table with safe column evolution (allowDataLoss / allowReplace opt-ins). */
export const Table = resourceClass(altertableTable);
export type Table = InstanceType<typeof Table>;
export type TableArgs = ArgsOf<typeof altertableTableInputs>;

/** A view; its SQL is checked by Altertable's /validate at preview. */
export const View = resourceClass(view);
export type View = InstanceType<typeof View>;
export type ViewArgs = ArgsOf<typeof viewInputs>;

/** Event-style JSON records appended through /append, never twice. */
export const AppendedRecords = resourceClass(appendedRecords);
export type AppendedRecords = InstanceType<typeof AppendedRecords>;
export type AppendedRecordsArgs = ArgsOf<typeof appendedRecordsInputs>;

/** A file (CSV, JSON, JSON lines, Parquet) loaded into a table through /upsert; re-sent only when it changes. */
export const LoadedData = resourceClass(loadedData);
export type LoadedData = InstanceType<typeof LoadedData>;
export type LoadedDataArgs = ArgsOf<typeof loadedDataInputs>;
