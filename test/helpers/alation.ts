/** The Alation emulator for tests: started in-process, raw calls with a TOKEN header, access tokens minted from its refresh tokens. */
import { rawCall, Reply, startEmulator } from "./emulators";
import type { EmulatorHarness, HarnessOptions } from "../../emulator/framework/definition";
import type { AlationEmulator, AlationState, AlationEmulatorOptions } from "../../emulator/alation";
import { DEFAULT_ALATION_ANALYST_REFRESH_TOKEN, DEFAULT_ALATION_REFRESH_TOKEN } from "../../emulator/alation";

export type { Reply } from "./emulators";

export interface RunningAlation extends EmulatorHarness<AlationState> {
  emu: AlationEmulator;
  /** Mints an API access token (admin by default) through createAPIAccessToken. */
  token(user?: "admin" | "analyst"): Promise<string>;
  /** One call; `token` goes in the TOKEN header (null: none). */
  call(method: string, path: string, opts?: { token?: string | null; json?: unknown; headers?: Record<string, string> }): Promise<Reply>;
}

export async function startAlation(opts: HarnessOptions<Partial<AlationEmulatorOptions>> = {}): Promise<RunningAlation> {
  const h = await startEmulator<AlationState>("alation", { ...opts, options: { schedulerTickSeconds: 0, ...(opts.options ?? {}) } });
  const call: RunningAlation["call"] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.token) headers.TOKEN = o.token;
    return rawCall(h.url + path, method, { json: o.json, headers });
  };
  const token = async (user: "admin" | "analyst" = "admin") => {
    const r = await call("POST", "/integration/v1/createAPIAccessToken/", {
      json: user === "admin" ? { refresh_token: DEFAULT_ALATION_REFRESH_TOKEN, user_id: 1 } : { refresh_token: DEFAULT_ALATION_ANALYST_REFRESH_TOKEN, user_id: 2 },
    });
    if (r.status !== 201) throw new Error(`createAPIAccessToken: ${r.status} ${r.text}`);
    return r.body.api_access_token as string;
  };
  return { ...h, emu: h.server as AlationEmulator, call, token };
}
