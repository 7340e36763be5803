/** How the commands find the Pulumi CLI: --pulumi-bin, else $PULUMI_WAREHOUSE_PULUMI_BIN, else `pulumi` on PATH. */
import * as path from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation";

export async function pulumiCommand(binDir?: string): Promise<PulumiCommand> {
  const dir = binDir ?? (process.env.PULUMI_WAREHOUSE_PULUMI_BIN || undefined);
  // `root` is the directory whose bin/ holds pulumi (as scripts/build-pulumi.sh lays it out).
  if (dir) return PulumiCommand.get({ root: path.dirname(path.resolve(dir)), skipVersionCheck: true });
  return PulumiCommand.get({ skipVersionCheck: true });
}
