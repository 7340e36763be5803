/** Regenerates the resource reference in README.md from the zod schemas. */
import * as fs from "node:fs";
import * as path from "node:path";
import { SPECS } from "../provider/registry";
import { SETTINGS } from "../provider/registry";
import { REFERENCE_END, REFERENCE_START, renderReference, renderSettings } from "../provider/framework/reference";

const readme = path.resolve(__dirname, "../../README.md");
const text = fs.readFileSync(readme, "utf8");
const start = text.indexOf(REFERENCE_START);
const end = text.indexOf(REFERENCE_END);
if (start < 0 || end < start) throw new Error("README.md has no reference markers");
fs.writeFileSync(readme, text.slice(0, start + REFERENCE_START.length) + "\n\n" + renderSettings(SETTINGS) + "\n" + renderReference(SPECS) + "\n" + text.slice(end));
console.log("README.md reference regenerated");
