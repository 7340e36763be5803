/** DeltaStream resources. Reference: README.md, "Resource reference". */
import { ArgsOf, resourceClass } from "../framework";
import { database, databaseInputs } from "../../provider/deltastream/database";
import { schema, schemaInputs } from "../../provider/deltastream/schema";
import { store, storeInputs } from "../../provider/deltastream/store";
import { schemaRegistry, schemaRegistryInputs } from "../../provider/deltastream/schemaRegistry";
import { secret, secretInputs } from "../../provider/deltastream/secret";
import { entity, entityInputs } from "../../provider/deltastream/entity";
import { relation, relationInputs } from "../../provider/deltastream/relation";
import { application, applicationInputs, query, queryInputs } from "../../provider/deltastream/query";
import { computePool, computePoolInputs } from "../../provider/deltastream/computePool";
import { role, roleInputs } from "../../provider/deltastream/role";
import { grant, grantInputs } from "../../provider/deltastream/grant";
import { apiToken, apiTokenInputs } from "../../provider/deltastream/apiToken";

/** A database (its `public` schema comes with it). */
export const Database = resourceClass(database);
export type Database = InstanceType<typeof Database>;
export type DatabaseArgs = ArgsOf<typeof databaseInputs>;

/** A schema of a database; `public` is taken over, never created or dropped. */
export const Schema = resourceClass(schema);
export type Schema = InstanceType<typeof Schema>;
export type SchemaArgs = ArgsOf<typeof schemaInputs>;

/** A store (Kafka, Confluent Kafka, Kinesis, PostgreSQL, Snowflake, Databricks); credentials secret. */
export const Store = resourceClass(store);
export type Store = InstanceType<typeof Store>;
export type StoreArgs = ArgsOf<typeof storeInputs>;

/** A Confluent schema registry. */
export const SchemaRegistry = resourceClass(schemaRegistry);
export type SchemaRegistry = InstanceType<typeof SchemaRegistry>;
export type SchemaRegistryArgs = ArgsOf<typeof schemaRegistryInputs>;

/** A secret value (never read back). */
export const Secret = resourceClass(secret);
export type Secret = InstanceType<typeof Secret>;
export type SecretArgs = ArgsOf<typeof secretInputs>;

/** A topic (Kafka) or stream (Kinesis) of a store. */
export const Entity = resourceClass(entity);
export type Entity = InstanceType<typeof Entity>;
export type EntityArgs = ArgsOf<typeof entityInputs>;

/** A stream, changelog or table, planned by DESCRIBE at preview. */
export const Relation = resourceClass(relation);
export type Relation = InstanceType<typeof Relation>;
export type RelationArgs = ArgsOf<typeof relationInputs>;

/** A continuous query (INSERT INTO … SELECT); waits until running, terminated on delete. */
export const Query = resourceClass(query);
export type Query = InstanceType<typeof Query>;
export type QueryArgs = ArgsOf<typeof queryInputs>;

/** Several continuous statements run as one application. */
export const Application = resourceClass(application);
export type Application = InstanceType<typeof Application>;
export type ApplicationArgs = ArgsOf<typeof applicationInputs>;

/** A compute pool: where queries run. */
export const ComputePool = resourceClass(computePool);
export type ComputePool = InstanceType<typeof ComputePool>;
export type ComputePoolArgs = ArgsOf<typeof computePoolInputs>;

/** A role with parent and member roles. */
export const Role = resourceClass(role);
export type Role = InstanceType<typeof Role>;
export type RoleArgs = ArgsOf<typeof roleInputs>;

/** Privileges on the organization or an object, granted to a role. */
export const Grant = resourceClass(grant);
export type Grant = InstanceType<typeof Grant>;
export type GrantArgs = ArgsOf<typeof grantInputs>;

/** An API token; the token is a secret output shown once. */
export const ApiToken = resourceClass(apiToken);
export type ApiToken = InstanceType<typeof ApiToken>;
export type ApiTokenArgs = ArgsOf<typeof apiTokenInputs>;
