/**
 * The rules of the pulumi-warehouse policy pack, importable without starting the policy
 * server (the pack entry, policies/index.ts, is the only place that calls `new PolicyPack`).
 */
import { Policies } from "@pulumi/policy";
import { warehouseAutoSuspend, warehouseSizeAllowed } from "./cost";
import { apiKeyExpiry, noAdminGrants } from "./access";
import { noDestructiveTableChangesInProduction, noOverwriteLoadsInProduction } from "./dataSafety";
import { descriptionRequired } from "./hygiene";
import { apiKeyLimit, noDuplicateGrants } from "./stack";

export * from "./tokens";
export { warehouseAutoSuspend, warehouseSizeAllowed, apiKeyExpiry, noAdminGrants, noDestructiveTableChangesInProduction, noOverwriteLoadsInProduction, descriptionRequired, noDuplicateGrants, apiKeyLimit };

export const POLICY_PACK_NAME = "pulumi-warehouse";

export const policies: Policies = [
  warehouseAutoSuspend,
  warehouseSizeAllowed,
  apiKeyExpiry,
  noAdminGrants,
  noDestructiveTableChangesInProduction,
  noOverwriteLoadsInProduction,
  descriptionRequired,
  noDuplicateGrants,
  apiKeyLimit,
];
