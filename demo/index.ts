import { bytehouse } from "../sdk";
const db = new bytehouse.Database("analytics", { name: "analytics", description: "demo" });
export const uuid = db.uuid;
