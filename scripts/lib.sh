# Shared by scripts/test.sh and scripts/demo.sh: installs what the project needs.
# Sourced, not run. Sets PULUMI_BIN to the directory holding the Pulumi CLI.

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

ensure_toolchains() {
  # Go, npm and the cache need a home directory even where the environment has none.
  [ -n "${HOME:-}" ] || export HOME="$(getent passwd "$(id -u)" | cut -d: -f6)"
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
  node scripts/gen-sdk-index.js
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

# start_emulator VENDOR DIR [API_KEY] [USER:PASS]: starts an emulator on a free loopback port
# in the background; sets EMU_PID and EMU_URL. The caller stops it (kill "$EMU_PID").
start_emulator() {
  local vendor="$1" dir="$2" key="${3:-}" credential="${4:-}"
  mkdir -p "$dir"
  node dist/emulator/cli.js "$vendor" --port 0 --state-dir "$dir" ${key:+--api-key "$key"} ${credential:+--credential "$credential"} > "$dir/emulator.out" 2>&1 &
  EMU_PID=$!
  for _ in $(seq 1 100); do grep -q "listening on" "$dir/emulator.out" 2>/dev/null && break; sleep 0.1; done
  EMU_URL="$(grep -o 'http://[0-9.:]*' "$dir/emulator.out" | head -n 1)"
  [ -n "$EMU_URL" ] || { cat "$dir/emulator.out" >&2; return 1; }
}

# offline_pulumi DIR: the Pulumi CLI on PATH, a local file backend and home under DIR,
# passphrase from the environment, no update check, no plugin downloads.
offline_pulumi() {
  local dir="$1"
  mkdir -p "$dir/backend"
  export PATH="$PULUMI_BIN:$PATH"
  export PULUMI_BACKEND_URL="file://$dir/backend" PULUMI_HOME="$dir/pulumi-home"
  export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-pulumi-warehouse-local}" PULUMI_SKIP_UPDATE_CHECK=true
  export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true PULUMI_DISABLE_CI_DETECTION=true
}
