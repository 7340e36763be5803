/**
 * How a vendor's emulator registers: `emulator/<vendor>/index.ts` exports
 * `emulator: EmulatorDefinition` (made with `defineEmulator`), and emulator/index.ts loads one
 * per name of provider/vendors.ts. A definition carries the vendor's own CLI options (for
 * `node:util` parseArgs, with help), an async factory, the provider settings that point a
 * program at a running instance, and (added by defineEmulator) a test harness.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { EmulatorServer } from "./server";
import type { FaultConfig } from "./faults";

/** One vendor-specific CLI option (`--<name>`), in node:util parseArgs terms plus help. */
export interface EmulatorOptionSpec {
  type: "string" | "boolean";
  /** Repeatable (values collected into an array). */
  multiple?: boolean;
  /** Placeholder shown in --help, e.g. "KEY" or "USER:PASS". */
  value?: string;
  help: string;
}

/** Values of the vendor's CLI options as parseArgs returns them, by option name. */
export type CliValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Options every emulator takes (the CLI's common options; the harness's temp dir). */
export interface CommonEmulatorOptions {
  /** Directory for `<vendor>.json` (+ journal), `<vendor>.requests.jsonl` and any database files; omitted = in memory. */
  stateDir?: string;
  faults?: FaultConfig;
}

/** A running emulator started by a definition's harness. */
export interface EmulatorHarness<S = any> {
  url: string;
  server: EmulatorServer<S>;
  stateDir: string;
  /** Provider settings by setting name (provider/<vendor>/index.ts `vendor.settings`), e.g. {endpoint, apiKey}. */
  settings: Record<string, string>;
  /** Vendor requests seen (admin calls excluded), with the request body as logged (credentials redacted). */
  requests(): { method: string; path: string; status: number; body?: unknown }[];
  faults(f: FaultConfig): void;
  stop(): Promise<void>;
}

export interface HarnessOptions<O> {
  /** Reuse a directory (a "restart"); default a new temp dir. */
  stateDir?: string;
  /** Keep the state in memory (the harness still reports a stateDir, unused). */
  inMemory?: boolean;
  faults?: FaultConfig;
  /** Vendor options (default: the vendor's defaults). */
  options?: Partial<O>;
}

export interface EmulatorDefinition<S = any, O = any> {
  /** The vendor's name, as in provider/vendors.ts. */
  vendor: string;
  /** The vendor's own CLI options, by long name (without `--`). */
  cliOptions: Record<string, EmulatorOptionSpec>;
  /** Vendor options from parsed CLI values (validates them; throws Error with a usage message). */
  fromCli(values: CliValues): O;
  /** Vendor options with fresh random credentials (the CLI's --random-credentials). */
  randomCredentials(): Partial<O>;
  /** Builds the emulator and opens it (state loaded, backend open); call `listen` to serve. */
  create(common: CommonEmulatorOptions, options: Partial<O>): Promise<EmulatorServer<S>>;
  /** The provider settings (by setting name) for an instance listening at `url`, made with `options`. */
  settings(url: string, options: Partial<O>): Record<string, string>;
  /** Starts in-process on a free loopback port with a temp state dir and defaults. */
  harness(opts?: HarnessOptions<O>): Promise<EmulatorHarness<S>>;
}

export function defineEmulator<S, O>(def: Omit<EmulatorDefinition<S, O>, "harness">): EmulatorDefinition<S, O> {
  return {
    ...def,
    harness: async (h: HarnessOptions<O> = {}) => {
      const stateDir = h.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), `${def.vendor}-emu-`));
      const options = (h.options ?? {}) as Partial<O>;
      const server = await def.create({ stateDir: h.inMemory ? undefined : stateDir, faults: h.faults }, options);
      const url = await server.listen(0, "127.0.0.1");
      return {
        url,
        server,
        stateDir,
        settings: def.settings(url, options),
        requests: () => server.log.map((r) => ({ method: r.method, path: r.path, status: r.status, ...(r.body !== undefined ? { body: r.body } : {}) })),
        faults: (f) => void server.setFaults(f),
        stop: () => server.close(),
      };
    },
  };
}

/** The state and log files of a vendor in a state dir. */
export function stateFiles(vendor: string, stateDir: string | undefined): { stateFile?: string; logFile?: string } {
  if (!stateDir) return {};
  return { stateFile: path.join(stateDir, `${vendor}.json`), logFile: path.join(stateDir, `${vendor}.requests.jsonl`) };
}

/** Random URL-safe text for generated credentials. */
export function randomToken(prefix: string): string {
  return `${prefix}-${randomBytes(12).toString("hex")}`;
}
