/**
 * Starts vendor emulators (node:util parseArgs; every vendor registered in provider/vendors.ts):
 *
 *   node dist/emulator/cli.js <vendor> [common options] [vendor options]
 *   node dist/emulator/cli.js all --state-dir DIR [common options] [any vendor's options]
 *   node dist/emulator/cli.js --help
 *
 * Once listening it prints, per vendor, lines of the form (one per line, fields separated by
 * one space, the value being the rest of the line; `#` lines are comments for people):
 *
 *   # <vendor> emulator listening on <url> (state: <dir>)
 *   emulator <vendor> <url>
 *   config <stack config key> <value>     e.g. config warehouse:bytehouseEndpoint http://127.0.0.1:41234
 *   secret <stack config key> <value>     a setting to set with `pulumi config set --secret`
 *   env <VARIABLE> <value>                the same settings as environment variables
 *
 * and, when every emulator is up, a last line `ready`. Runs until SIGINT/SIGTERM.
 */
import * as path from "node:path";
import { parseArgs, ParseArgsConfig } from "node:util";
import { EMULATORS } from "./index";
import type { CliValues, EmulatorDefinition } from "./framework/definition";
import type { EmulatorServer } from "./framework/server";
import type { FaultConfig } from "./framework/faults";
import { settingsToConfig, settingsToEnv } from "./framework/settings";

const COMMON: Record<string, { type: "string" | "boolean"; value?: string; help: string; short?: string }> = {
  port: { type: "string", value: "N", help: "port to listen on (one vendor only; default 0 = a free port)" },
  host: { type: "string", value: "ADDR", help: "address to listen on (default 127.0.0.1)" },
  "state-dir": { type: "string", value: "DIR", help: "where state, journal, request log and database files live (default .emulator-state; with `all`, one sub-directory per vendor)" },
  "in-memory": { type: "boolean", help: "keep no state on disk" },
  "latency-ms": { type: "string", value: "N", help: "delay every vendor request by N ms" },
  faults: { type: "string", value: "JSON", help: "fault rules at start: a JSON array of rules, or {latencyMs?, seed?, rules}" },
  "fault-seed": { type: "string", value: "N", help: "seed of the PRNG behind rules' `probability` (default 1)" },
  "random-credentials": { type: "boolean", help: "accept freshly generated credentials (printed as settings) instead of the defaults, for vendors given none" },
  help: { type: "boolean", short: "h", help: "print this help and exit" },
};

function usage(): string {
  const line = (name: string, o: { type: string; value?: string; multiple?: boolean; help: string }) =>
    `  --${name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`.padEnd(34) + o.help;
  const out = [
    "usage: node dist/emulator/cli.js <vendor>|all [options]",
    "",
    `vendors: ${Object.keys(EMULATORS).join(", ")}; \`all\` starts every one in this process, each on a free port`,
    "",
    "common options:",
    ...Object.entries(COMMON).map(([n, o]) => line(n, o)),
  ];
  for (const def of Object.values(EMULATORS)) {
    out.push("", `${def.vendor} options:`);
    const entries = Object.entries(def.cliOptions);
    if (!entries.length) out.push("  (none)");
    for (const [n, o] of entries) out.push(line(n, o));
  }
  out.push(
    "",
    "output, once listening (per vendor; then a last line `ready`):",
    "  emulator <vendor> <url>",
    "  config <stack config key> <value>   (secret <key> <value> for secret settings)",
    "  env <VARIABLE> <value>",
  );
  return out.join("\n");
}

function optionsFor(defs: EmulatorDefinition[]): ParseArgsConfig["options"] {
  const options: NonNullable<ParseArgsConfig["options"]> = {};
  for (const [n, o] of Object.entries(COMMON)) options[n] = { type: o.type, ...(o.short ? { short: o.short } : {}) };
  for (const def of defs) {
    for (const [n, o] of Object.entries(def.cliOptions)) {
      const prev = options[n];
      if (prev && (prev.type !== o.type || Boolean(prev.multiple) !== Boolean(o.multiple))) throw new Error(`option --${n} is declared differently by two emulators`);
      options[n] = { type: o.type, ...(o.multiple ? { multiple: true } : {}) };
    }
  }
  return options;
}

function faultsFrom(values: CliValues): FaultConfig {
  const raw = typeof values.faults === "string" ? JSON.parse(values.faults) : undefined;
  const cfg: FaultConfig = Array.isArray(raw) ? { rules: raw } : (raw ?? {});
  if (typeof values["latency-ms"] === "string") cfg.latencyMs = Number(values["latency-ms"]);
  if (typeof values["fault-seed"] === "string") cfg.seed = Number(values["fault-seed"]);
  return cfg;
}

async function main(argv: string[]): Promise<void> {
  if (!argv.length || argv[0] === "--help" || argv[0] === "-h") {
    console.log(usage());
    process.exit(argv.length ? 0 : 2);
  }
  const target = argv[0];
  const defs = target === "all" ? Object.values(EMULATORS) : EMULATORS[target] ? [EMULATORS[target]] : undefined;
  if (!defs) {
    console.error(`unknown vendor "${target}" (known: ${Object.keys(EMULATORS).join(", ")}, all)\n\n${usage()}`);
    process.exit(2);
  }
  let values: CliValues;
  try {
    values = parseArgs({ args: argv.slice(1), options: optionsFor(defs), strict: true, allowPositionals: false }).values as CliValues;
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${usage()}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(usage());
    process.exit(0);
  }
  if (target === "all" && values.port !== undefined && values.port !== "0") {
    console.error("--port applies to one vendor; `all` listens on free ports");
    process.exit(2);
  }
  const root = path.resolve(typeof values["state-dir"] === "string" ? values["state-dir"] : ".emulator-state");
  const host = typeof values.host === "string" ? values.host : "127.0.0.1";
  const faults = faultsFrom(values);
  const servers: EmulatorServer<unknown>[] = [];
  const stop = () => void Promise.allSettled(servers.map((s) => s.close())).then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  for (const def of defs) {
    let options: Record<string, unknown>;
    try {
      options = def.fromCli(values) as Record<string, unknown>;
    } catch (e) {
      console.error((e as Error).message);
      process.exit(2);
    }
    if (values["random-credentials"]) options = { ...def.randomCredentials(), ...options };
    const stateDir = values["in-memory"] ? undefined : target === "all" ? path.join(root, def.vendor) : root;
    const server = await def.create({ stateDir, faults }, options);
    servers.push(server);
    const url = await server.listen(target === "all" ? 0 : Number(values.port ?? 0), host);
    const settings = def.settings(url, options);
    const lines = [`# ${def.vendor} emulator listening on ${url} (state: ${stateDir ?? "in memory"})`, `emulator ${def.vendor} ${url}`];
    for (const c of settingsToConfig(def.vendor, settings)) lines.push(`${c.secret ? "secret" : "config"} ${c.key} ${c.value}`);
    for (const [k, v] of Object.entries(settingsToEnv(def.vendor, settings))) lines.push(`env ${k} ${v}`);
    console.log(lines.join("\n"));
  }
  console.log("ready");
}

main(process.argv.slice(2)).catch((e) => {
  console.error(`emulator failed to start: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
