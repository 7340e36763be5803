/**
 * The demo estate (root Pulumi.yaml): a small ByteHouse platform. `npm run demo` runs it
 * against the ByteHouse emulator, changes a warehouse by hand, shows the drift and repairs it.
 * Point it at a real ByteHouse account by configuration alone (README, "Using a real account").
 */
import { bytehouse } from "../sdk";

const analytics = new bytehouse.Database("analytics", {
  name: "analytics",
  description: "Curated marts for BI",
});

const rawEvents = new bytehouse.Database("raw-events", {
  name: "raw_events",
  description: "Landing zone for event streams",
});

const etl = new bytehouse.VirtualWarehouse("etl", {
  name: "etl",
  description: "Nightly loads and transformations",
  size: "S",
  autoSuspend: 10,
  autoResume: true,
});

const bi = new bytehouse.VirtualWarehouse("bi", {
  name: "bi",
  description: "Dashboards",
  size: "M",
  autoSuspend: 5,
  autoResume: true,
});

const adhoc = new bytehouse.VirtualWarehouse("adhoc", {
  name: "adhoc",
  description: "Analysts' scratch compute, started on demand",
  size: "XS",
  status: "down",
  autoSuspend: 15,
  autoResume: true,
});

export const databases = { analytics: analytics.uuid, rawEvents: rawEvents.uuid };
export const warehouses = { etl: etl.vwId, bi: bi.vwId, adhoc: adhoc.vwId };
