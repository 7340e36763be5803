/**
 * Starts an emulator as its own process (`node dist/emulator/cli.js <vendor> --port 0 …`) and
 * resolves with its URL once it prints its `emulator <vendor> <url>` line (emulator/cli.ts). For measurements that must not count
 * the emulator's memory in the caller's (bench/), and tests that need the same.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";

export async function spawnEmulator(vendor: string, stateDir: string, timeoutMs = 30_000): Promise<{ child: ChildProcess; url: string }> {
  const cli = path.join(__dirname, "cli.js");
  const child = spawn(process.execPath, [cli, vendor, "--port", "0", "--state-dir", stateDir], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${vendor} emulator did not start in ${timeoutMs / 1000}s: ${out}`)), timeoutMs);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = new RegExp(`^emulator ${vendor} (http://\\S+)$`, "m").exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${vendor} emulator exited (${code}): ${out}`));
    });
  });
  return { child, url };
}
