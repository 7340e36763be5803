// Makes `require("pulumi-warehouse/...")` resolve inside this repository, as it does in a
// project that installed the package from npm. Pulumi's dynamic-provider host loads the
// provider runtime by package name (see provider/framework/shim.ts). No-op when installed
// as a dependency.
const fs = require("node:fs");
const path = require("node:path");
const root = path.resolve(__dirname, "..");
if (root.split(path.sep).includes("node_modules")) process.exit(0);
const link = path.join(root, "node_modules", "pulumi-warehouse");
fs.mkdirSync(path.dirname(link), { recursive: true });
try {
  if (fs.readlinkSync(link) === "..") process.exit(0);
  fs.rmSync(link, { recursive: true, force: true });
} catch {}
fs.symlinkSync("..", link, "dir");
