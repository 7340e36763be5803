/** Cost rules: warehouses suspend when idle, and only allowed sizes run. */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { SIZED_WAREHOUSE_TYPES, WAREHOUSE_TYPES } from "./tokens";
import { UNKNOWN, cfg, known, subject } from "./common";

export const DEFAULT_MAX_AUTO_SUSPEND_MINUTES = 60;
export const DEFAULT_ALLOWED_SIZES = ["XS", "S", "M"];

export const warehouseAutoSuspend: ResourceValidationPolicy = {
  name: "warehouse-auto-suspend",
  description: "Warehouses must suspend themselves when idle, within a maximum number of minutes (0 = never is not allowed).",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: {
    properties: {
      maxAutoSuspendMinutes: {
        type: "integer",
        minimum: 1,
        default: DEFAULT_MAX_AUTO_SUSPEND_MINUTES,
        description: "The longest idle time, in minutes, a warehouse may run before it suspends.",
      },
    },
  },
  validateResource: (args, reportViolation) => {
    if (!WAREHOUSE_TYPES.includes(args.type)) return;
    const max = cfg(args.getConfig<{ maxAutoSuspendMinutes?: number }>(), "maxAutoSuspendMinutes", DEFAULT_MAX_AUTO_SUSPEND_MINUTES);
    const value = known(() => args.props.autoSuspend);
    if (value === UNKNOWN) return;
    const who = subject(args.type, args.name);
    const fix = `Set autoSuspend to a number of minutes between 1 and ${max} (and autoResume: true so queries wake it).`;
    if (value === undefined || value === null || value === 0) {
      reportViolation(`${who} never suspends (autoSuspend is ${value === undefined ? "unset, which means 0 = never" : "0 = never"}). ${fix}`);
    } else if (typeof value === "number" && value > max) {
      reportViolation(`${who} suspends only after ${value} idle minutes, more than the allowed ${max}. ${fix}`);
    }
  },
};

export const warehouseSizeAllowed: ResourceValidationPolicy = {
  name: "warehouse-size-allowed",
  description: "Warehouse sizes (configurations) must come from the allow-list.",
  enforcementLevel: "mandatory",
  severity: "medium",
  configSchema: {
    properties: {
      allowedSizes: {
        type: "array",
        items: { type: "string" },
        default: DEFAULT_ALLOWED_SIZES,
        description: "Configuration names a warehouse may use (`size`), compared case-insensitively.",
      },
      allowedConfigIds: {
        type: "array",
        items: { type: "integer" },
        default: [],
        description: "Configuration ids a warehouse may use (`configId`). Empty: size warehouses by name.",
      },
    },
  },
  validateResource: (args, reportViolation) => {
    if (!SIZED_WAREHOUSE_TYPES.includes(args.type)) return;
    const config = args.getConfig<{ allowedSizes?: string[]; allowedConfigIds?: number[] }>();
    const sizes = cfg(config, "allowedSizes", DEFAULT_ALLOWED_SIZES);
    const ids = cfg<number[]>(config, "allowedConfigIds", []);
    const size = known(() => args.props.size);
    const configId = known(() => args.props.configId);
    if (size === UNKNOWN || configId === UNKNOWN) return;
    const who = subject(args.type, args.name);
    const choices = `Set size to one of ${sizes.map((s) => `"${s}"`).join(", ") || "(none allowed)"}` + (ids.length ? ` or configId to one of ${ids.join(", ")}` : "");
    if (typeof size === "string") {
      if (!sizes.some((s) => s.toUpperCase() === size.toUpperCase())) reportViolation(`${who} uses size "${size}", which is not allowed. ${choices}.`);
    } else if (configId !== undefined && configId !== null) {
      if (!ids.includes(Number(configId))) {
        reportViolation(`${who} uses configId ${configId}, which is not an allowed configuration. ${choices} (instead of configId).`);
      }
    }
  },
};
