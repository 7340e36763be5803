# Shared by scripts/test.sh and scripts/demo.sh: installs what the project needs.
# Sourced, not run. Sets PULUMI_BIN to the directory holding the Pulumi CLI.

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

ensure_toolchains() {
  command -v go >/dev/null || { [ -x /usr/local/go/bin/go ] && export PATH="$PATH:/usr/local/go/bin"; }
  command -v node >/dev/null || { echo "Node.js >= 20.18 is required (not found on PATH)" >&2; exit 1; }
  command -v go >/dev/null || { echo "Go >= 1.25.11 is required to build the Pulumi CLI (not found on PATH)" >&2; exit 1; }
}

# npm ci when node_modules is missing or older than the lock file.
ensure_node_modules() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "[setup] installing npm dependencies (npm ci)" >&2
    npm ci --no-audit --no-fund >&2
  fi
  node scripts/link-self.js
}

build_ts() {
  echo "[setup] compiling TypeScript" >&2
  npx --no-install tsc -p tsconfig.json >&2
}

ensure_pulumi() {
  PULUMI_BIN="$(bash scripts/build-pulumi.sh | tail -n 1)"
  export PULUMI_BIN
}

setup_all() {
  ensure_toolchains
  ensure_node_modules
  build_ts
  ensure_pulumi
}
