/**
 * HTTP client settings every vendor can offer: timeouts, attempt count and the concurrency cap. A vendor adds them to
 * its settings with `httpSettingsFor` and turns the resolved values into client options with
 * `httpOptionsFrom`:
 *
 *   settings: { endpoint: …, apiKey: …, ...httpSettingsFor("bytehouse", "BYTEHOUSE") },
 *   createApi: (s) => new ByteHouseApi(createByteHouseHttp(s, httpOptionsFrom(s, "bytehouse"))),
 *
 * gives `warehouse:bytehouseConnectTimeoutSeconds` / `$BYTEHOUSE_CONNECT_TIMEOUT_SECONDS`, and so on.
 */
import type { SettingSpec } from "../framework/vendor";
import type { HttpClientOptions } from "./client";
import { HTTP_DEFAULTS } from "./client";

export interface HttpSetting {
  /** Setting name in a vendor's settings (and in `httpOptionsFrom`'s input). */
  name: "connectTimeoutSeconds" | "readTimeoutSeconds" | "maxAttempts" | "maxConcurrency";
  /** Appended to the vendor's config prefix: `warehouse:<vendor><suffix>`. */
  configSuffix: string;
  /** Appended to the vendor's environment prefix: `<VENDOR>_<envSuffix>`. */
  envSuffix: string;
  /** The value used when the setting is not given. */
  default: number;
  doc: string;
}

export const HTTP_SETTINGS: readonly HttpSetting[] = [
  {
    name: "connectTimeoutSeconds",
    configSuffix: "ConnectTimeoutSeconds",
    envSuffix: "CONNECT_TIMEOUT_SECONDS",
    default: HTTP_DEFAULTS.connectTimeoutMs / 1000,
    doc: `Seconds to wait for a connection to the vendor before the attempt fails (default ${HTTP_DEFAULTS.connectTimeoutMs / 1000}).`,
  },
  {
    name: "readTimeoutSeconds",
    configSuffix: "ReadTimeoutSeconds",
    envSuffix: "READ_TIMEOUT_SECONDS",
    default: HTTP_DEFAULTS.readTimeoutMs / 1000,
    doc: `Seconds to wait for an answer (and between parts of it) before the attempt fails (default ${HTTP_DEFAULTS.readTimeoutMs / 1000}).`,
  },
  {
    name: "maxAttempts",
    configSuffix: "MaxAttempts",
    envSuffix: "MAX_ATTEMPTS",
    default: HTTP_DEFAULTS.retry.maxAttempts,
    doc:
      `Attempts per call, the first included, on 429, 5xx and connection errors (default ${HTTP_DEFAULTS.retry.maxAttempts}); ` +
      `the retries of one call never run longer than ${HTTP_DEFAULTS.retry.maxElapsedMs / 1000} s in all.`,
  },
  {
    name: "maxConcurrency",
    configSuffix: "MaxConcurrency",
    envSuffix: "MAX_CONCURRENCY",
    default: HTTP_DEFAULTS.concurrency,
    doc:
      `Requests to the vendor in flight at once from one provider process (default ${HTTP_DEFAULTS.concurrency}); further calls queue. ` +
      "Lower it for a vendor that rate-limits; `pulumi up --parallel` bounds the resource operations the engine runs at once (README: Large estates).",
  },
];

/** The HTTP settings as a vendor's SettingSpecs: `warehouse:<configPrefix><Suffix>` or `$<ENVPREFIX>_<SUFFIX>`. */
export function httpSettingsFor(configPrefix: string, envPrefix: string): Record<HttpSetting["name"], SettingSpec> {
  return Object.fromEntries(
    HTTP_SETTINGS.map((s) => [s.name, { config: `warehouse:${configPrefix}${s.configSuffix}`, env: `${envPrefix}_${s.envSuffix}`, required: false, secret: false, doc: s.doc }]),
  ) as Record<HttpSetting["name"], SettingSpec>;
}

/**
 * Client options from resolved setting values (strings, or absent for the default). A value that
 * is not a positive number fails, naming the setting.
 */
export function httpOptionsFrom(values: Partial<Record<string, string | undefined>>, configPrefix?: string): Partial<HttpClientOptions> {
  const num = (s: HttpSetting, integer: boolean): number | undefined => {
    const raw = values[s.name];
    if (raw === undefined || raw === "") return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
      const where = configPrefix ? `warehouse:${configPrefix}${s.configSuffix}` : s.name;
      throw new Error(`${where} must be a ${integer ? "whole number" : "number"} > 0 (got ${JSON.stringify(raw.slice(0, 40))})`);
    }
    return n;
  };
  const [connect, read, attempts, concurrency] = HTTP_SETTINGS.map((s) => num(s, s.name === "maxAttempts" || s.name === "maxConcurrency"));
  return {
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(connect !== undefined ? { connectTimeoutMs: Math.round(connect * 1000) } : {}),
    ...(read !== undefined ? { readTimeoutMs: Math.round(read * 1000) } : {}),
    ...(attempts !== undefined ? { retry: { maxAttempts: attempts } } : {}),
  };
}
