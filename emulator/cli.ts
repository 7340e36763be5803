/**
 * Starts one vendor emulator:
 *   node dist/emulator/cli.js bytehouse [--port 18123] [--host 127.0.0.1] [--state-dir .emulator-state]
 *                                       [--api-key KEY]... [--latency-ms N] [--faults '<json rules>']
 *   node dist/emulator/cli.js altertable [--port 15000] [--credential user:pass]... (other flags as above)
 * Prints `<vendor> emulator listening on <url>` and runs until SIGINT/SIGTERM.
 */
import * as path from "node:path";
import { EMULATORS } from "./index";

function main(argv: string[]): void {
  const vendor = argv[0];
  const factory = EMULATORS[vendor];
  if (!factory) {
    console.error(`usage: emulator <${Object.keys(EMULATORS).join("|")}> [--port N] [--state-dir DIR] [--api-key KEY] [--credential USER:PASS] [--latency-ms N] [--faults JSON]`);
    process.exit(2);
  }
  const flags: Record<string, string[]> = {};
  for (let i = 1; i < argv.length; i += 2) (flags[argv[i].replace(/^--/, "")] ??= []).push(argv[i + 1]);
  const one = (k: string) => flags[k]?.[0];
  const stateDir = path.resolve(one("state-dir") ?? ".emulator-state");
  const emulator = factory({
    stateFile: path.join(stateDir, `${vendor}.json`),
    logFile: path.join(stateDir, `${vendor}.requests.jsonl`),
    apiKeys: flags["api-key"],
    credentials: flags["credential"],
    faults: { latencyMs: one("latency-ms") ? Number(one("latency-ms")) : undefined, rules: one("faults") ? JSON.parse(one("faults")!) : [] },
  });
  emulator.listen(Number(one("port") ?? 0), one("host") ?? "127.0.0.1").then((url) => {
    console.log(`${vendor} emulator listening on ${url} (state: ${stateDir})`);
  });
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main(process.argv.slice(2));
