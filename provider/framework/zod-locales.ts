/**
 * Zod's entry point loads all of its 64 locale files so that `z.locales` can offer them: about
 * 50 ms at the start of every process that loads zod (the provider host, the Pulumi program, the
 * emulators), half of zod's load time. Its messages are English, which zod loads by itself.
 *
 * Imported first by each entry point (provider/framework/runtime.ts, sdk/framework.ts,
 * emulator/index.ts, cli/index.ts), this puts a stand-in for the locales' index in Node's module
 * cache: the first read of `z.locales.<anything>` loads the real index and answers from it, so
 * nothing changes for a caller that uses them. test/unit/zod-locales.test.ts checks both.
 */
import Module = require("node:module");

const id = require.resolve("zod/v4/locales/index.cjs");
if (!require.cache[id]) {
  let real: object | undefined;
  const load = (): object => {
    if (!real) {
      delete require.cache[id];
      real = require(id) as object; // eslint-disable-line @typescript-eslint/no-require-imports
    }
    return real;
  };
  const standIn = new Proxy(
    {},
    {
      get: (_t, key) => (key === "__esModule" ? true : Reflect.get(load(), key)),
      has: (_t, key) => key === "__esModule" || Reflect.has(load(), key),
      ownKeys: () => Reflect.ownKeys(load()),
      getOwnPropertyDescriptor: (_t, key) => {
        const d = Reflect.getOwnPropertyDescriptor(load(), key);
        return d && { ...d, configurable: true }; // the target has none of them: they may not be reported fixed
      },
    },
  );
  const m = new Module(id, module);
  m.filename = id;
  m.loaded = true;
  m.exports = standIn;
  require.cache[id] = m;
}

export {};
