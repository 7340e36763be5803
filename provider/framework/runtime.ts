/**
 * The provider runtime, loaded inside Pulumi's dynamic-provider host by the serialised
 * shim (framework/shim.ts). It holds the configuration handed to `configure`, one API
 * client per vendor, and the handlers of every resource kind.
 */
import { allSettings, allSpecs, createApi, resolveSettings, vendorNamed } from "../registry";
import { Journal, NO_JOURNAL, fileJournal } from "./journal";
import { buildHandlers, Handlers, quietHostErrorEcho } from "./engine";
import { captureUrns } from "./host";

// Loaded inside the dynamic-provider host: its stderr copy of each reported error is dropped.
if (!process.env.PULUMI_WAREHOUSE_DEBUG) quietHostErrorEcho();
// …and each request's properties carry its resource's URN, so progress is filed under the resource.
captureUrns();
import { typeToken } from "./spec";
import { ConfigSource } from "../settings";

let config: ConfigSource | undefined;
let configKey: string | undefined;
const apis = new Map<string, unknown>();
const handlers = new Map<string, Handlers>();

/** Called by the shim's `configure`: the stack's config, decrypted, with namespaced keys. */
export function configure(source: ConfigSource | undefined): void {
  // The host configures each kind's provider with the same stack config: keep the clients and
  // their cached reads and checks unless a setting changed (one credential check per process).
  const key = JSON.stringify(Object.values(allSettings()).flatMap((v) => Object.values(v).map((s) => source?.get(s.config) ?? null)));
  if (key === configKey) return;
  configKey = key;
  config = source;
  apis.clear();
  handlers.clear();
  verifications.clear();
}

function apiFor(vendor: string): unknown {
  let api = apis.get(vendor);
  if (!api) {
    api = createApi(vendor, config);
    apis.set(vendor, api);
  }
  return api;
}

const verifications = new Map<string, Promise<void>>();

/** The vendor's credential check, once per process (per configuration). */
function verified(vendor: string): Promise<void> {
  let p = verifications.get(vendor);
  if (!p) {
    const def = vendorNamed(vendor);
    p = (async () => {
      const api = apiFor(vendor); // throws, naming the settings, when the vendor is not configured
      if (def.verify) await def.verify(api);
    })();
    verifications.set(vendor, p);
  }
  return p;
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
  let h = handlers.get(token);
  if (!h) {
    const spec = allSpecs().find((s) => typeToken(s.vendor, s.kind) === token);
    if (!spec) throw new Error(`pulumi-warehouse has no resource kind ${token}`);
    h = buildHandlers(spec, () => apiFor(spec.vendor), undefined, { journal: journalFor(spec.vendor), verifyVendor: () => verified(spec.vendor) });
    handlers.set(token, h);
  }
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
