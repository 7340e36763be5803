/**
 * deltastream.Store — a connection to a streaming or database system (`CREATE STORE … WITH (…)`),
 * typed per store type with the vendor's property names (notes §1.4). Credentials are one secret
 * input; key and certificate files are read at apply and sent as attachments (`'@cacert'`,
 * `'@keyfile'`), never inlined in the SQL. Everything but the type and the name changes in place
 * with `UPDATE STORE`. Readiness is awaited through the poll helper: a store that ends `errored`
 * fails the update with its `status_message` and stays in state.
 */
import * as fs from "node:fs";
import { z } from "zod";
import { Attachment, defineDeltaStreamResource, DeltaStreamApi, Row } from "./api";
import { PropValue, alterOwner, asOwner, differing, handOver, dsName, ownerField, str, sysRow, sysRows, timeoutField, waitGone, waitReady, withProps, word } from "./common";
import { STORE_TYPES, storeTypeFromSys } from "./contract";
import { ident, sql } from "../sql/builder";
import { WarehouseApiError } from "../http/errors";
import { ResourceError } from "../framework/engine";
import type { OpContext } from "../framework/spec";

const file = (doc: string) => z.string().min(1, "must be a file path").describe(doc);

const kafkaProps = z
  .object({
    saslHashFunction: z.enum(["NONE", "PLAIN", "SHA256", "SHA512", "AWS_MSK_IAM"]).default("NONE").describe("'kafka.sasl.hash_function': how the store authenticates (NONE, PLAIN, SHA256, SHA512, AWS_MSK_IAM)."),
    mskIamRoleArn: z.string().optional().describe("'kafka.msk.iam_role_arn' (AWS_MSK_IAM only)."),
    mskAwsRegion: z.string().optional().describe("'kafka.msk.aws_region' (AWS_MSK_IAM only)."),
    tlsDisabled: z.boolean().optional().describe("'tls.disabled'."),
    tlsVerifyServerHostname: z.boolean().optional().describe("'tls.verify_server_hostname'."),
    tlsCaCertFile: file("Path of a PEM CA certificate, sent as the attachment '@cacert' ('tls.ca_cert_file').").optional(),
    schemaRegistryName: z.string().optional().describe("'schema_registry.name': the schema registry (deltastream.SchemaRegistry) the store decodes with."),
  })
  .strict()
  .describe("Kafka and Confluent Kafka properties.");

const kinesisProps = z
  .object({ accountId: z.string().optional().describe("'kinesis.account.id'.") })
  .strict()
  .describe("Kinesis properties (the keys go in credentials).");

const postgresProps = z
  .object({
    tlsDisabled: z.boolean().optional().describe("'tls.disabled'."),
    tlsVerifyServerHostname: z.boolean().optional().describe("'tls.verify_server_hostname'."),
  })
  .strict()
  .describe("PostgreSQL properties (username and password go in credentials).");

const snowflakeProps = z
  .object({
    accountId: z.string().min(1).describe("'snowflake.account_id'."),
    cloudRegion: z.string().min(1).describe("'snowflake.cloud.region'."),
    warehouseName: z.string().min(1).describe("'snowflake.warehouse_name'."),
    roleName: z.string().min(1).describe("'snowflake.role_name'."),
    username: z.string().min(1).describe("'snowflake.username'."),
    clientKeyFile: file("Path of the PEM private key, sent as the attachment '@keyfile' ('snowflake.client.key_file')."),
  })
  .strict()
  .describe("Snowflake properties (the key passphrase goes in credentials).");

const databricksProps = z
  .object({
    warehouseId: z.string().min(1).describe("'databricks.warehouse_id'."),
    warehousePort: z.number().int().min(1).max(65535).default(443).describe("'databricks.warehouse_port' (default 443)."),
    s3Bucket: z.string().min(1).describe("'databricks.cloud.s3.bucket'."),
    cloudRegion: z.string().min(1).describe("'databricks.cloud.region'."),
  })
  .strict()
  .describe("Databricks properties (the app token and AWS keys go in credentials).");

const credentials = z
  .object({
    username: z.string().min(1).optional().describe("SASL (Kafka) or PostgreSQL user name."),
    password: z.string().min(1).optional().describe("SASL (Kafka) or PostgreSQL password."),
    accessKeyId: z.string().min(1).optional().describe("AWS access key id (Kinesis, Databricks)."),
    secretAccessKey: z.string().min(1).optional().describe("AWS secret access key (Kinesis, Databricks)."),
    clientKeyPassphrase: z.string().min(1).optional().describe("Passphrase of the Snowflake key file."),
    appToken: z.string().min(1).optional().describe("Databricks app token."),
  })
  .strict()
  .describe("Credentials: always a Pulumi secret, never read back (a change is sent with UPDATE STORE). Which ones a type takes: KAFKA/CONFLUENT_KAFKA username+password (SASL); KINESIS accessKeyId+secretAccessKey; POSTGRESQL username+password; SNOWFLAKE clientKeyPassphrase; DATABRICKS appToken+accessKeyId+secretAccessKey.");

const CREDENTIALS_BY_TYPE: Record<string, string[]> = {
  KAFKA: ["username", "password"],
  CONFLUENT_KAFKA: ["username", "password"],
  KINESIS: ["accessKeyId", "secretAccessKey"],
  POSTGRESQL: ["username", "password"],
  SNOWFLAKE: ["clientKeyPassphrase"],
  DATABRICKS: ["appToken", "accessKeyId", "secretAccessKey"],
};

const BLOCK_BY_TYPE: Record<string, string> = { KAFKA: "kafka", CONFLUENT_KAFKA: "kafka", KINESIS: "kinesis", POSTGRESQL: "postgres", SNOWFLAKE: "snowflake", DATABRICKS: "databricks" };
const BLOCKS = ["kafka", "kinesis", "postgres", "snowflake", "databricks"] as const;

export const storeInputs = z
  .object({
    name: dsName("Store name. Changing it replaces the store (needs allowReplace)."),
    type: z.enum(STORE_TYPES).describe("Store type: KAFKA, CONFLUENT_KAFKA, KINESIS, POSTGRESQL, SNOWFLAKE or DATABRICKS. Changing it replaces the store (needs allowReplace)."),
    uris: z.string().min(1, "must list at least one URI").describe("'uris': comma-separated endpoints (Kafka brokers host:port, a Kinesis or Snowflake URL, a PostgreSQL URI). Changes in place."),
    kafka: kafkaProps.optional().describe("Properties of a KAFKA or CONFLUENT_KAFKA store."),
    kinesis: kinesisProps.optional().describe("Properties of a KINESIS store."),
    postgres: postgresProps.optional().describe("Properties of a POSTGRESQL store."),
    snowflake: snowflakeProps.optional().describe("Properties of a SNOWFLAKE store (required for one)."),
    databricks: databricksProps.optional().describe("Properties of a DATABRICKS store (required for one)."),
    credentials: credentials.optional().describe(credentials.description!),
    owner: ownerField(),
    allowReplace: z
      .boolean()
      .default(false)
      .describe("Opt in to replacing the store (type or name change) and to destroying it while relations read from it: their queries lose their source. Off: refused at preview (replace) or at delete."),
    timeoutSeconds: timeoutField(),
  })
  .superRefine((s, ctx) => {
    const block = BLOCK_BY_TYPE[s.type];
    for (const b of BLOCKS) {
      if (b !== block && s[b] !== undefined) ctx.addIssue({ code: "custom", path: [b], message: `is for another store type; a ${s.type} store takes ${block}` });
    }
    if ((s.type === "SNOWFLAKE" || s.type === "DATABRICKS") && s[block as "snowflake"] === undefined) ctx.addIssue({ code: "custom", path: [block], message: `is required for a ${s.type} store` });
    const allowed = CREDENTIALS_BY_TYPE[s.type];
    for (const k of Object.keys(s.credentials ?? {})) {
      if (!allowed.includes(k)) ctx.addIssue({ code: "custom", path: ["credentials", k], message: `is not a credential of a ${s.type} store (it takes ${allowed.join(", ")})` });
    }
    const hash = s.kafka?.saslHashFunction ?? "NONE";
    if (block === "kafka" && ["PLAIN", "SHA256", "SHA512"].includes(hash) && !(s.credentials?.username && s.credentials?.password)) {
      ctx.addIssue({ code: "custom", path: ["credentials"], message: `needs username and password for kafka.saslHashFunction ${hash}` });
    }
    if (block === "kafka" && hash === "AWS_MSK_IAM" && !(s.kafka?.mskIamRoleArn && s.kafka?.mskAwsRegion)) {
      ctx.addIssue({ code: "custom", path: ["kafka", "mskIamRoleArn"], message: "mskIamRoleArn and mskAwsRegion are required for AWS_MSK_IAM" });
    }
  });

type Inputs = z.output<typeof storeInputs>;

/** The vendor's properties for the inputs, and the files they attach. */
export function storeProps(s: Inputs, readFile = (p: string) => fs.readFileSync(p)): { props: Record<string, PropValue | undefined>; attachments: Attachment[] } {
  const c = s.credentials ?? {};
  const attachments: Attachment[] = [];
  const props: Record<string, PropValue | undefined> = { uris: s.uris };
  const bool = (v: boolean | undefined) => v;
  if (s.type === "KAFKA" || s.type === "CONFLUENT_KAFKA") {
    const k = s.kafka ?? { saslHashFunction: "NONE" as const };
    Object.assign(props, {
      "kafka.sasl.hash_function": word(k.saslHashFunction),
      "kafka.sasl.username": c.username,
      "kafka.sasl.password": c.password,
      "kafka.msk.iam_role_arn": k.mskIamRoleArn,
      "kafka.msk.aws_region": k.mskAwsRegion,
      "tls.disabled": bool(k.tlsDisabled),
      "tls.verify_server_hostname": bool(k.tlsVerifyServerHostname),
      "schema_registry.name": k.schemaRegistryName,
    });
    if (k.tlsCaCertFile) {
      props["tls.ca_cert_file"] = "@cacert";
      attachments.push({ name: "@cacert", content: readFile(k.tlsCaCertFile) });
    }
  } else if (s.type === "KINESIS") {
    Object.assign(props, { "kinesis.account.id": s.kinesis?.accountId, "kinesis.access_key_id": c.accessKeyId, "kinesis.secret_access_key": c.secretAccessKey });
  } else if (s.type === "POSTGRESQL") {
    Object.assign(props, { "postgres.username": c.username, "postgres.password": c.password, "tls.disabled": s.postgres?.tlsDisabled, "tls.verify_server_hostname": s.postgres?.tlsVerifyServerHostname });
  } else if (s.type === "SNOWFLAKE") {
    const f = s.snowflake!;
    Object.assign(props, {
      "snowflake.account_id": f.accountId,
      "snowflake.cloud.region": f.cloudRegion,
      "snowflake.warehouse_name": f.warehouseName,
      "snowflake.role_name": f.roleName,
      "snowflake.username": f.username,
      "snowflake.client.key_file": "@keyfile",
      "snowflake.client.key_passphrase": c.clientKeyPassphrase,
    });
    attachments.push({ name: "@keyfile", content: readFile(f.clientKeyFile) });
  } else if (s.type === "DATABRICKS") {
    const d = s.databricks!;
    Object.assign(props, {
      "databricks.app_token": c.appToken,
      "databricks.warehouse_id": d.warehouseId,
      "databricks.warehouse_port": d.warehousePort,
      "aws.access_key_id": c.accessKeyId,
      "aws.secret_access_key": c.secretAccessKey,
      "databricks.cloud.s3.bucket": d.s3Bucket,
      "databricks.cloud.region": d.cloudRegion,
    });
  }
  return { props, attachments };
}

/** What UPDATE STORE sends: the properties that changed (NULL for those no longer set), and a key file whose path changed. */
export function storeUpdateProps(olds: Inputs, news: Inputs, readFile = (p: string) => fs.readFileSync(p)): { props: Record<string, PropValue | undefined>; attachments: Attachment[] } {
  const before = storeProps(olds, () => Buffer.alloc(0)).props;
  const after = storeProps(news, readFile);
  const props: Record<string, PropValue | undefined> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after.props)])) {
    const a = before[key];
    const b = after.props[key];
    if (JSON.stringify(a) !== JSON.stringify(b)) props[key] = b === undefined ? null : b;
  }
  const fileChanged = olds.kafka?.tlsCaCertFile !== news.kafka?.tlsCaCertFile || olds.snowflake?.clientKeyFile !== news.snowflake?.clientKeyFile;
  const attachments = fileChanged ? after.attachments : [];
  for (const f of attachments) props[f.name === "@cacert" ? "tls.ca_cert_file" : "snowflake.client.key_file"] = f.name;
  return { props, attachments };
}

const read = (api: DeltaStreamApi, name: string) => sysRow(api, "stores", { name });

function secretsOf(s: Inputs): string[] {
  return Object.values(s.credentials ?? {}).filter((v): v is string => typeof v === "string");
}

async function awaitReady(ctx: OpContext<DeltaStreamApi>, s: Inputs): Promise<Row> {
  const row = await waitReady(ctx, `store ${s.name}`, () => read(ctx.api, s.name), "status", ["pending", "creating", "updating"]);
  if (!row) throw new ResourceError(`deltastream.Store ${s.name} disappeared while it was being made ready`);
  if (String(row.status).toLowerCase() === "errored") {
    throw new WarehouseApiError("validation", `DeltaStream store ${s.name}`, `deltastream.Store ${s.name} is errored: ${str(row.status_message) ?? "(no status message)"}. Fix its settings and run pulumi up (it stays in state).`);
  }
  return row;
}

/** Relations reading from the store, and the running queries among their readers: what a drop would cut off. */
export async function storeDependents(api: DeltaStreamApi, storeName: string): Promise<string[]> {
  const relations = await sysRows(api, "relations", { store_name: storeName }).catch(() => [] as Row[]);
  return relations.map((r) => `${r.database_name}.${r.schema_name}.${r.name}`);
}

/** The visible properties (credentials are never shown) each store type's inputs declare: a store made with any other is not exported. */
const KAFKA_EXPORTED = ["kafka.sasl.hash_function", "confluent_kafka.sasl.hash_function", "kafka.sasl.username", "confluent_kafka.sasl.username", "kafka.msk.iam_role_arn", "kafka.msk.aws_region", "tls.disabled", "tls.verify_server_hostname", "schema_registry.name", "kafka.schema_registry_name"];
const EXPORTED_PROPS: Record<Inputs["type"], string[]> = {
  KAFKA: ["type", "uris", ...KAFKA_EXPORTED],
  CONFLUENT_KAFKA: ["type", "uris", ...KAFKA_EXPORTED],
  KINESIS: ["type", "uris", "kinesis.account.id", "kinesis.account_id"],
  POSTGRESQL: ["type", "uris", "postgres.username", "tls.disabled", "tls.verify_server_hostname"],
  SNOWFLAKE: [],
  DATABRICKS: ["type", "uris", "databricks.warehouse_id", "databricks.warehouse_port", "databricks.cloud.s3.bucket", "databricks.cloud.region"],
};

/** A credential-free placeholder the exporter declares (renderProgram turns a secret input into a config read). */
const CREDENTIAL_PLACEHOLDER = "(set in stack config)";

/**
 * The inputs declaring an existing store (`pulumi-warehouse export`), from its `deltastream.sys`
 * row: its `properties` (JSON, credentials left out by the vendor) give the type's block; the
 * credentials a type needs are declared (as keys only: the program reads them from secret config).
 * A string when the store cannot be declared exactly: why (a key or certificate file only its
 * creator had, a property the kind does not model).
 */
export function storeExportInputs(raw: Row): Partial<Inputs> | string {
  const type = storeTypeFromSys(str(raw.type));
  if (!type) return `its type ${JSON.stringify(raw.type)} is not one this kind declares`;
  let props: Record<string, unknown> = {};
  try {
    const p = JSON.parse(String(raw.properties ?? "{}"));
    if (p && typeof p === "object") props = p as Record<string, unknown>;
  } catch {
    return "its properties cannot be read";
  }
  const text = (...keys: string[]) => {
    for (const k of keys) if (props[k] !== undefined && props[k] !== null && props[k] !== "") return String(props[k]);
    return undefined;
  };
  const bool = (k: string) => {
    const v = text(k);
    return v === undefined ? undefined : /^true$/i.test(v) ? true : /^false$/i.test(v) ? false : undefined;
  };
  const defined = <T extends Record<string, unknown>>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  const creds = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, CREDENTIAL_PLACEHOLDER]));
  const base: Partial<Inputs> = defined({ name: str(raw.name), type, uris: str(raw.uris), owner: str(raw.owner) });
  if (text("tls.ca_cert_file") !== undefined) return "its CA certificate is a file sent when it was created, which DeltaStream never returns";
  if (type === "SNOWFLAKE") return "its client key is a file sent when it was created, which DeltaStream never returns";
  const unmodelled = Object.keys(props).filter((k) => props[k] !== null && !EXPORTED_PROPS[type].includes(k));
  if (unmodelled.length) return `it was made with ${unmodelled.map((k) => `'${k}'`).join(", ")}, which this kind does not declare`;
  switch (type) {
    case "KAFKA":
    case "CONFLUENT_KAFKA": {
      // No hash function given: a Confluent Kafka store authenticates with PLAIN, a Kafka store with none.
      const hash = (text("kafka.sasl.hash_function", "confluent_kafka.sasl.hash_function") ?? (type === "CONFLUENT_KAFKA" ? "PLAIN" : "NONE")).toUpperCase();
      if (!["NONE", "PLAIN", "SHA256", "SHA512", "AWS_MSK_IAM"].includes(hash)) return `its kafka.sasl.hash_function ${hash} is not one this kind declares`;
      const kafka = defined({
        saslHashFunction: hash as NonNullable<Inputs["kafka"]>["saslHashFunction"],
        mskIamRoleArn: text("kafka.msk.iam_role_arn"),
        mskAwsRegion: text("kafka.msk.aws_region"),
        tlsDisabled: bool("tls.disabled"),
        tlsVerifyServerHostname: bool("tls.verify_server_hostname"),
        schemaRegistryName: text("schema_registry.name", "kafka.schema_registry_name") ?? str(raw.schema_registry_name),
      });
      const sasl = ["PLAIN", "SHA256", "SHA512"].includes(hash) || text("kafka.sasl.username", "confluent_kafka.sasl.username") !== undefined;
      return { ...base, kafka, ...(sasl ? { credentials: creds(["username", "password"]) } : {}) };
    }
    case "KINESIS":
      return { ...base, kinesis: defined({ accountId: text("kinesis.account.id", "kinesis.account_id") }), credentials: creds(["accessKeyId", "secretAccessKey"]) };
    case "POSTGRESQL": {
      const postgres = defined({ tlsDisabled: bool("tls.disabled"), tlsVerifyServerHostname: bool("tls.verify_server_hostname") });
      return { ...base, ...(Object.keys(postgres).length ? { postgres } : {}), credentials: creds(["username", "password"]) };
    }
    default: {
      // DATABRICKS (a SNOWFLAKE store was left out above)
      const port = text("databricks.warehouse_port");
      const databricks = {
        warehouseId: text("databricks.warehouse_id") ?? "",
        warehousePort: port === undefined ? 443 : Number(port),
        s3Bucket: text("databricks.cloud.s3.bucket") ?? "",
        cloudRegion: text("databricks.cloud.region") ?? "",
      };
      return { ...base, databricks, credentials: creds(["appToken", "accessKeyId", "secretAccessKey"]) };
    }
  }
}

export const store = defineDeltaStreamResource({
  kind: "Store",
  description:
    "A DeltaStream store (Kafka, Confluent Kafka, Kinesis, PostgreSQL, Snowflake, Databricks) with the vendor's property names. Credentials are secret; key and certificate files go as attachments. Everything but type and name changes in place (UPDATE STORE); replacing needs allowReplace. The update fails with the store's status_message when it ends errored, and the store stays in state.",
  inputs: storeInputs,
  replaceOn: ["name", "type"],
  uniqueBy: "name",
  secretInputs: ["credentials"],
  outputs: {
    status: "The store's status (ready, errored, …) when last read.",
    statusMessage: "Why the store is errored, when it is.",
    createdAt: "When DeltaStream created the store.",
    updatedAt: "When the store last changed.",
  },

  validateChange(olds, news) {
    if (news.allowReplace) return [];
    return (["name", "type"] as const)
      .filter((k) => differing([k], olds, news).length > 0)
      .map((k) => ({
        property: k,
        reason: `changing ${k} from ${JSON.stringify(olds[k])} to ${JSON.stringify(news[k])} drops and recreates the store ${olds.name}: the relations and queries reading from it lose their source. Nothing was changed. To allow it, set allowReplace: true on it.`,
      }));
  },

  async prepare(inputs) {
    const problems: { property: string; reason: string }[] = [];
    for (const [field, p] of [["kafka.tlsCaCertFile", inputs.kafka?.tlsCaCertFile], ["snowflake.clientKeyFile", inputs.snowflake?.clientKeyFile]] as const) {
      if (p && !fs.existsSync(p)) problems.push({ property: field, reason: `deltastream.Store ${field}: no such file ${JSON.stringify(p)}` });
    }
    return problems.length ? problems : {};
  },

  async create(ctx, inputs) {
    const { props, attachments } = storeProps(inputs);
    const withList = withProps({ type: word(inputs.type), ...props })!;
    await ctx.api.statement(sql`CREATE STORE ${ident(inputs.name)} WITH ${withList}`, { context: asOwner(inputs.owner), attachments, secrets: secretsOf(inputs), progress: ctx.progress });
    ctx.created(inputs.name);
    await handOver(ctx.api, "STORE", ident(inputs.name), inputs.owner);
    return { id: inputs.name, raw: await awaitReady(ctx, inputs) };
  },

  async find(api, inputs) {
    const raw = await read(api, inputs.name);
    return raw ? { id: inputs.name, raw } : undefined;
  },

  read: (api, id) => read(api, id),

  observe: (raw: Row) => ({
    name: str(raw.name),
    // deltastream.sys spells the types Kafka, ConfluentKafka, Postgres, …: mapped to the input's names.
    type: (storeTypeFromSys(str(raw.type)) ?? str(raw.type)?.toUpperCase()) as Inputs["type"],
    owner: str(raw.owner),
    ...(raw.uris !== undefined && raw.uris !== null ? { uris: str(raw.uris) } : {}),
  }),
  computed: (raw: Row) => ({ status: str(raw.status), statusMessage: str(raw.status_message) ?? "", createdAt: str(raw.created_at), updatedAt: str(raw.updated_at) }),

  async update(ctx, id, olds, news, changed) {
    const { props, attachments } = storeUpdateProps(olds, news);
    const forced = changed.some((k) => !["owner", "allowReplace", "timeoutSeconds"].includes(k));
    if (forced && Object.keys(props).length === 0) Object.assign(props, { uris: news.uris }); // e.g. a drifted field put back
    if (Object.keys(props).length > 0) {
      await ctx.api.statement(sql`UPDATE STORE ${ident(id)} WITH ${withProps(props)!}`, { attachments, secrets: [...secretsOf(olds), ...secretsOf(news)], progress: ctx.progress });
    }
    if (changed.includes("owner") && news.owner) await ctx.api.statement(alterOwner("STORE", ident(id), news.owner));
    return await awaitReady(ctx, news);
  },

  exporter: {
    async list(api) {
      return (await sysRows(api, "stores", {})).map((raw) => {
        const inputs = storeExportInputs(raw);
        return { id: String(raw.name), raw, name: String(raw.name), ...(typeof inputs === "string" ? { skip: inputs } : {}) };
      });
    },
    inputs: (raw) => storeExportInputs(raw) as Partial<Inputs>,
  },

  async delete(api, id, state) {
    if (!state.allowReplace) {
      const dependents = await storeDependents(api, id);
      if (dependents.length > 0) {
        throw new WarehouseApiError(
          "validation",
          `DeltaStream DROP STORE ${id}`,
          `deltastream.Store ${id} still feeds ${dependents.join(", ")}; dropping it would cut them off from their data, so nothing was dropped. Delete them first, or set allowReplace: true on the store (and run pulumi up).`,
        );
      }
    }
    await api.statement(sql`DROP STORE ${ident(id)}`);
    await waitGone(`store ${id}`, async () => (await read(api, id)) !== undefined);
  },
});
