import { createByteHouseEmulator, ByteHouseEmulatorOptions } from "./bytehouse";
import { EmulatorServer } from "./framework/server";

export { EmulatorServer, FaultConfig, FaultRule } from "./framework/server";
export { createByteHouseEmulator, DEFAULT_BYTEHOUSE_API_KEY } from "./bytehouse";

export const EMULATORS: Record<string, (opts: ByteHouseEmulatorOptions) => EmulatorServer<any>> = {
  bytehouse: createByteHouseEmulator,
};
