export { HttpClient } from "./http/client";
export * from "./http/errors";
export { SPECS } from "./registry";
export { buildHandlers } from "./framework/engine";
export { SETTINGS, resolveSettings } from "./settings";
