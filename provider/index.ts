export { HttpClient } from "./http/client";
export * from "./http/errors";
export { SPECS, SETTINGS, resolveSettings, registerVendor, vendors, vendorNamed, allSpecs } from "./registry";
export { buildHandlers } from "./framework/engine";
export { VENDORS, Vendor } from "./vendors";
export { defineVendor, VendorDefinition, SettingSpec } from "./framework/vendor";
