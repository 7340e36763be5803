#!/usr/bin/env node
/**
 * The package's command (`bin`): `pulumi-warehouse <command> [options]`.
 *   drift          has anything drifted? (exit 0 no drift, 2 drift, 1 error)
 *   export         write a Pulumi program that adopts an existing estate
 *   policy-report  the policy pack's violations as SARIF 2.1.0
 */
import "../provider/framework/zod-locales"; // first: zod then loads without its 64 locale files
import { driftMain } from "./drift";

const USAGE = `usage: pulumi-warehouse <command> [options]   (pulumi-warehouse <command> --help for its options)

commands:
  drift           refresh preview of one or more stacks; reports drift per resource; never writes state
                  (exit 0 no drift, 2 drift, 1 error)
  export          reads an existing estate from a vendor and writes a Pulumi TypeScript program adopting it
  policy-report   runs pulumi preview with the policy pack and writes the violations as SARIF 2.1.0`;

const COMMANDS: Record<string, () => Promise<(argv: string[]) => Promise<number>>> = {
  drift: async () => driftMain,
  export: async () => (await import("./export")).exportMain,
  "policy-report": async () => (await import("./policyReport")).policyReportMain,
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "-h" || command === "--help" || command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 1;
  }
  const load = COMMANDS[command];
  if (!load) {
    process.stderr.write(`pulumi-warehouse: unknown command ${JSON.stringify(command)}\n\n${USAGE}\n`);
    return 1;
  }
  return (await load())(rest);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`pulumi-warehouse: ${(e as Error)?.stack ?? e}\n`);
      process.exitCode = 1;
    },
  );
}
