// Makes `require("pulumi-warehouse/...")` resolve inside this repository, as it does in a
// project that installed the package. Pulumi's dynamic-provider host loads the provider
// runtime by package name (see provider/framework/shim.ts). Run by `prepare` (scripts/prepare.js)
// and scripts/lib.sh; does nothing where the package sits inside a node_modules folder. It is not
// shipped and not an install script: installing the package as a dependency runs nothing.
const fs = require("node:fs");
const path = require("node:path");

function linkSelf() {
  const root = path.resolve(__dirname, "..");
  if (root.split(path.sep).includes("node_modules")) return;
  const link = path.join(root, "node_modules", "pulumi-warehouse");
  fs.mkdirSync(path.dirname(link), { recursive: true });
  try {
    if (fs.readlinkSync(link) === "..") return;
    fs.rmSync(link, { recursive: true, force: true });
  } catch {}
  fs.symlinkSync("..", link, "dir");
}

linkSelf();
