/**
 * The emulator registry, derived from the one vendor list (provider/vendors.ts): each name's
 * `emulator/<name>/index.ts` exports `emulator` (an EmulatorDefinition). Nothing here names a vendor.
 */
import "../provider/framework/zod-locales"; // first: zod then loads without its 64 locale files
import { VENDORS } from "../provider/vendors";
import type { EmulatorDefinition } from "./framework/definition";

export { EmulatorServer, EmulatorContext, FaultConfig, FaultRule, HttpError } from "./framework/server";
export { EmulatorDefinition, EmulatorHarness, HarnessOptions, EmulatorOptionSpec, CommonEmulatorOptions, defineEmulator } from "./framework/definition";
export { settingsToConfig, settingsToConfigMap, settingsToEnv, ConfigEntry } from "./framework/settings";

function load(name: string): EmulatorDefinition {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(`./${name}`) as { emulator?: EmulatorDefinition };
  if (!mod.emulator || mod.emulator.vendor !== name) throw new Error(`emulator/${name}/index.ts must export \`emulator\` (defineEmulator({ vendor: "${name}", … }))`);
  return mod.emulator;
}

/** Every registered emulator, by vendor name, in the order of provider/vendors.ts. */
export const EMULATORS: Record<string, EmulatorDefinition> = Object.fromEntries(VENDORS.map((name) => [name, load(name)]));

export function emulatorFor(vendor: string): EmulatorDefinition {
  const def = EMULATORS[vendor];
  if (!def) throw new Error(`no emulator for vendor "${vendor}" (known: ${Object.keys(EMULATORS).join(", ")})`);
  return def;
}
