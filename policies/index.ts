/**
 * The pulumi-warehouse policy pack. Run it with `pulumi preview --policy-pack policies`
 * (see policies/README.md). Rules live in ./rules so tests import them without a server.
 */
import { PolicyPack } from "@pulumi/policy";
import { POLICY_PACK_NAME, policies } from "./rules";

new PolicyPack(POLICY_PACK_NAME, {
  description: "Guardrails for warehouse estates: cost, access, data safety and hygiene.",
  policies,
});
