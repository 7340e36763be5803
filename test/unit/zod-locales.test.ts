/**
 * provider/framework/zod-locales.ts: each entry point loads zod without its 64 locale files, and
 * `z.locales` still answers (loading them then). Run in fresh processes: this one has loaded zod.
 */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { REPO } from "../helpers/project";

const DIST = path.join(REPO, "dist");

/** Runs `code` in a fresh Node process from the repository and returns what it prints (JSON). */
function fresh(code: string): any {
  return JSON.parse(execFileSync(process.execPath, ["-e", code], { cwd: REPO, encoding: "utf8" }));
}

const localesLoaded = `Object.keys(require.cache).filter((k) => /zod[\\\\/]v4[\\\\/]locales[\\\\/](?!en\\.cjs|index\\.cjs)[^\\\\/]+\\.cjs$/.test(k)).length`;

describe("zod without its locale files", () => {
  const entries: [string, string][] = [
    ["the provider runtime (provider host)", `require(${JSON.stringify(path.join(DIST, "provider/framework/runtime.js"))}).handlersFor("pulumi-nodejs:dynamic/bytehouse:VirtualWarehouse")`],
    ["the SDK (Pulumi program)", `require(${JSON.stringify(path.join(DIST, "sdk/index.js"))}).bytehouse.VirtualWarehouse`],
    ["the emulators", `require(${JSON.stringify(path.join(DIST, "emulator/index.js"))})`],
  ];
  for (const [name, load] of entries) {
    it(`${name}: zod is loaded, its locales are not`, () => {
      const out = fresh(`${load}; console.log(JSON.stringify({ zod: Object.keys(require.cache).some((k) => /zod[\\\\/]v4[\\\\/]core[\\\\/]schemas\\.cjs$/.test(k)), locales: ${localesLoaded} }))`);
      expect(out.zod, "zod loaded").to.equal(true);
      expect(out.locales, "locale files loaded").to.equal(0);
    });
  }

  it("z.locales still answers: the real locales load on first use and work", () => {
    const out = fresh(
      `require(${JSON.stringify(path.join(DIST, "provider/framework/zod-locales.js"))}); const { z } = require("zod"); const before = ${localesLoaded};` +
        ` const fr = z.locales.fr; const keys = Object.keys(z.locales); z.config(fr()); const message = z.string().safeParse(1).error.issues[0].message; z.config(z.locales.en());` +
        ` console.log(JSON.stringify({ before, after: ${localesLoaded}, fr: typeof fr, keys: keys.length, has: "de" in z.locales, message, english: z.string().safeParse(1).error.issues[0].message }))`,
    );
    expect(out.before).to.equal(0);
    expect(out.after).to.be.greaterThan(50);
    expect(out.fr).to.equal("function");
    expect(out.keys).to.be.greaterThan(50);
    expect(out.has).to.equal(true);
    expect(out.message).to.match(/attendu|Entrée/i);
    expect(out.english).to.match(/expected string/i);
  });
});
