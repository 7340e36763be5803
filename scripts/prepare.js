// npm's `prepare` (after `npm install`/`npm ci` in a clone, and for a git dependency): links the
// package to itself (scripts/link-self.js) and builds what the package ships (tsconfig.build.json).
// `npm pack`/`npm publish` also run `prepare`, right after `prepack` has built: no second build.
const { execSync } = require("node:child_process");
const path = require("node:path");
require("./link-self.js");
if (["pack", "publish"].includes(process.env.npm_command)) process.exit(0);
execSync("npm run build:package", { cwd: path.resolve(__dirname, ".."), stdio: "inherit" });
