/** pulumi-warehouse: Pulumi resources for data-warehouse estates. */
export * as bytehouse from "./bytehouse";
export * as altertable from "./altertable";
