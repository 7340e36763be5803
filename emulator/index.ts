import { createByteHouseEmulator, ByteHouseEmulatorOptions } from "./bytehouse";
import { createAltertableEmulator, AltertableEmulatorOptions } from "./altertable";
import { EmulatorServer } from "./framework/server";

export { EmulatorServer, FaultConfig, FaultRule } from "./framework/server";
export { createByteHouseEmulator, DEFAULT_BYTEHOUSE_API_KEY } from "./bytehouse";
export { createAltertableEmulator, DEFAULT_ALTERTABLE_CREDENTIALS, DEFAULT_ALTERTABLE_USERNAME, DEFAULT_ALTERTABLE_PASSWORD } from "./altertable";

/** Options every emulator factory accepts (each one uses the fields that apply to its vendor). */
export type EmulatorFactoryOptions = ByteHouseEmulatorOptions & AltertableEmulatorOptions;

export const EMULATORS: Record<string, (opts: EmulatorFactoryOptions) => EmulatorServer<any>> = {
  bytehouse: createByteHouseEmulator,
  altertable: createAltertableEmulator,
};
