/**
 * The provider runtime, loaded inside Pulumi's dynamic-provider host by the serialised
 * shim (framework/shim.ts). It holds the configuration handed to `configure`, one API
 * client per vendor, and the handlers of every resource kind.
 */
import "./zod-locales"; // first: zod then loads without its 64 locale files
import { createApi, resolveSettings, specOfToken, vendorNamed } from "../registry";
import { Journal, NO_JOURNAL, fileJournal } from "./journal";
import { buildHandlers, Handlers, quietHostErrorEcho } from "./engine";
import { setFlagsFromString } from "node:v8";
import { captureUrns, keepWasmAtBaseline } from "./host";

// Loaded inside the dynamic-provider host: its stderr copy of each reported error is dropped.
if (!process.env.PULUMI_WAREHOUSE_DEBUG) quietHostErrorEcho();
// …and each request's properties carry its resource's URN, so progress is filed under the resource.
captureUrns();
// …and undici's WebAssembly HTTP parser is not recompiled by V8's optimising compiler mid-run.
keepWasmAtBaseline(require.main?.filename, process.env, setFlagsFromString);
import { ConfigSource } from "../settings";

/**
 * What the runtime keeps per vendor for one set of its settings: the API client (with its cached
 * reads), the credential check's result (one per process) and the kinds' handlers. Only the
 * vendors whose kinds are called are loaded (provider/registry.ts loads a vendor when named).
 */
interface VendorState {
  key: string;
  api?: unknown;
  verification?: Promise<void>;
  journal?: Journal;
}

let config: ConfigSource | undefined;
const states = new Map<string, VendorState>();
/** Vendors whose state was checked against the settings given at the last `configure`. */
const current = new Set<string>();
const handlers = new Map<string, { vendor: string; state: VendorState; handlers: Handlers }>();

/** Called by the shim's `configure`: the stack's config, decrypted, with namespaced keys. */
export function configure(source: ConfigSource | undefined): void {
  // The host configures each kind's provider with the same stack config: a vendor keeps its
  // client and its cached reads and checks unless one of its settings changed (one credential
  // check per vendor per process). Compared when the vendor is next used.
  config = source;
  current.clear();
}

function stateOf(vendor: string): VendorState {
  let state = states.get(vendor);
  if (state && current.has(vendor)) return state;
  const key = JSON.stringify(Object.values(vendorNamed(vendor).settings).map((s) => config?.get(s.config) ?? null));
  if (!state || state.key !== key) {
    state = { key };
    states.set(vendor, state);
  }
  current.add(vendor);
  return state;
}

function apiFor(vendor: string): unknown {
  const state = stateOf(vendor);
  return (state.api ??= createApi(vendor, config)); // throws, naming the settings, when the vendor is not configured
}

/** The vendor's credential check, once per process (per configuration). */
function verified(vendor: string): Promise<void> {
  const state = stateOf(vendor);
  return (state.verification ??= (async () => {
    const api = apiFor(vendor);
    const def = vendorNamed(vendor);
    if (def.verify) await def.verify(api);
  })());
}

/** The creates journal of a vendor, scoped by its non-secret settings (endpoint, account, user). */
function journalFor(vendor: string): Journal {
  try {
    const settings = resolveSettings(vendor, config);
    const specs = vendorNamed(vendor).settings;
    const scope = Object.entries(settings).filter(([k]) => !specs[k]?.secret).sort().map(([k, v]) => `${k}=${v}`);
    return fileJournal([vendor, ...scope].join(" "));
  } catch {
    return NO_JOURNAL; // not configured: every call fails anyway, saying what to set
  }
}

export function handlersFor(token: string): Handlers {
  const cached = handlers.get(token);
  if (cached && current.has(cached.vendor) && states.get(cached.vendor) === cached.state) return cached.handlers;
  const spec = specOfToken(token);
  if (!spec) throw new Error(`pulumi-warehouse has no resource kind ${token}`);
  const state = stateOf(spec.vendor);
  if (cached && cached.state === state) return cached.handlers;
  const h = buildHandlers(spec, () => apiFor(spec.vendor), undefined, { journal: (state.journal ??= journalFor(spec.vendor)), verifyVendor: () => verified(spec.vendor) });
  handlers.set(token, { vendor: spec.vendor, state, handlers: h });
  return h;
}

type Op = "check" | "diff" | "create" | "read" | "update" | "delete";

/**
 * The serialised shim's one entry point (framework/shim.ts): `configure` with the host's config
 * request, or one of the six operations of the kind `token`.
 */
export function call(token: string, op: "configure" | Op, args: any[]): Promise<unknown> | void {
  if (op === "configure") return configure(args[0]?.config);
  const h = handlersFor(token) as unknown as Record<Op, (...a: any[]) => Promise<unknown>>;
  return h[op](...args);
}
