/**
 * Inside Pulumi's dynamic-provider host: which resource a call is for, and the engine to tell.
 *
 * The host (`@pulumi/pulumi/cmd/dynamic-provider`) receives every request with its resource's URN
 * but hands the provider only the properties, so progress written to stderr is filed under the
 * stack. `captureUrns()` makes the properties object the host passes carry the request's URN
 * (under a symbol: never serialised, never in state), and `report()` sends a line to the engine's
 * `Log` RPC with that URN, so retries and waits show on the resource they belong to. Anywhere
 * else (unit tests, a host without an engine address) lines go to stderr as before.
 */
const URN = Symbol.for("pulumi-warehouse.urn");

/** The URN of the request these properties came with, when the host's request carried one. */
export function urnOf(props: unknown): string | undefined {
  return props && typeof props === "object" ? ((props as Record<symbol, unknown>)[URN] as string | undefined) : undefined;
}

/** Marks a properties object with its resource's URN (tests; the host hook uses it too). */
export function withUrn<T extends object>(props: T, urn: string): T {
  Object.defineProperty(props, URN, { value: urn, enumerable: false });
  return props;
}

type Loader = (id: string) => any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Whether `script` (the main module's file) is Pulumi's dynamic-provider host (`…/cmd/dynamic-provider/index.js`). */
export function isDynamicProviderHost(script: string | undefined): boolean {
  return /[\\/]cmd[\\/]dynamic-provider([\\/]|$)/.test(script ?? "");
}

/** The host's own module loader, so the proto classes patched are the ones it uses. */
function hostLoader(): { load: Loader; engine?: string } | undefined {
  const main = require.main;
  if (!main || !isDynamicProviderHost(main.filename)) return undefined;
  // Relative ids resolve from the host's file, bare ones through its node_modules.
  return { load: (id) => main.require(id), engine: process.argv[2] };
}

let installed = false;
let engine: { log(request: unknown, callback: (err: unknown) => void): void } | undefined;
let engineProto: { LogRequest: new () => Record<string, (v: unknown) => void>; LogSeverity: Record<string, number> } | undefined;

/** Patches the host's request classes so the properties they yield carry the request's URN. */
export function captureUrns(): void {
  if (installed) return;
  installed = true;
  const host = hostLoader();
  if (!host) return;
  try {
    const pb = host.load("../../proto/provider_pb");
    const getters: Record<string, string[]> = {
      CheckRequest: ["getNews", "getOlds"],
      DiffRequest: ["getNews", "getOlds"],
      CreateRequest: ["getProperties"],
      ReadRequest: ["getProperties"],
      UpdateRequest: ["getNews", "getOlds"],
      DeleteRequest: ["getProperties"],
    };
    for (const [cls, methods] of Object.entries(getters)) {
      const proto = pb[cls]?.prototype;
      if (!proto || typeof proto.getUrn !== "function") continue;
      for (const m of methods) {
        const original = proto[m];
        if (typeof original !== "function") continue;
        proto[m] = function (this: { getUrn(): string }, ...args: unknown[]) {
          const struct = original.apply(this, args);
          const urn = this.getUrn();
          if (!struct || !urn || typeof struct.toJavaScript !== "function") return struct;
          const toJavaScript = struct.toJavaScript;
          struct.toJavaScript = function (this: unknown, ...a: unknown[]) {
            const value = toJavaScript.apply(this, a);
            return value && typeof value === "object" ? withUrn(value, urn) : value;
          };
          return struct;
        };
      }
    }
    if (host.engine) {
      const grpc = host.load("@grpc/grpc-js");
      const rpc = host.load("../../proto/engine_grpc_pb");
      engineProto = host.load("../../proto/engine_pb");
      engine = new rpc.EngineClient(host.engine, grpc.credentials.createInsecure());
    }
  } catch {
    // A host laid out differently: progress stays on stderr, filed under the stack.
  }
}

/** Sends one progress line to the engine, on the resource with this URN; false when it cannot. */
export function report(message: string, urn: string | undefined): boolean {
  if (!urn || !engine || !engineProto) return false;
  try {
    const req = new engineProto.LogRequest();
    req.setSeverity(engineProto.LogSeverity.INFO);
    req.setMessage(message);
    req.setUrn(urn);
    req.setEphemeral(false);
    engine.log(req, () => undefined);
    return true;
  } catch {
    return false;
  }
}

/** The default progress sink: the engine, on the resource, when known; else stderr. */
export function hostProgress(message: string, urn?: string): void {
  if (!report(message, urn)) process.stderr.write(`${message}\n`);
}

/** The V8 flags that keep WebAssembly on V8's baseline compiler (Liftoff): no tier-up, eager or dynamic. */
export const WASM_BASELINE_FLAGS = "--no-wasm-tier-up --no-wasm-dynamic-tiering";

/**
 * undici parses HTTP with llhttp compiled to WebAssembly. A few hundred answers in, V8 recompiles
 * the parser with its optimising compiler on a helper thread: ~0.18 s of CPU and a transient of up
 * to 35 MB, in every provider host. A provider host lives for one Pulumi operation and parses small
 * JSON answers, so the optimised parser never pays that back, and the CPU is taken from the CLI,
 * which shares the machine (bench/scale: destroy of 1,000 objects). So in the dynamic-provider host
 * only, the runtime keeps WebAssembly at the baseline compiler when it loads (before any client).
 * V8 reads these flags whenever a function would tier up, so they hold for the whole process: any
 * other WebAssembly run in that host (another dynamic provider's) stays on the baseline compiler
 * too. `PULUMI_WAREHOUSE_WASM_TIER_UP=1` leaves V8's default. Returns whether the flags were set.
 */
export function keepWasmAtBaseline(script: string | undefined, env: NodeJS.ProcessEnv, setFlags: (flags: string) => void): boolean {
  if (env.PULUMI_WAREHOUSE_WASM_TIER_UP === "1" || !isDynamicProviderHost(script)) return false;
  setFlags(WASM_BASELINE_FLAGS);
  return true;
}
