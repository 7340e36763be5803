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

# start_emulators DIR [VENDOR]: starts one vendor's emulator, or every registered one (`all`),
# in one background process on free loopback ports, with freshly generated credentials; sets
# EMU_PID and EMU_OUT (its output, in the form documented in emulator/cli.ts). The caller stops
# it (kill "$EMU_PID"). Adding a vendor needs no change here.
start_emulators() {
  local dir="$1" target="${2:-all}"
  mkdir -p "$dir"
  EMU_OUT="$dir/emulators.out"
  node dist/emulator/cli.js "$target" --state-dir "$dir" --random-credentials > "$EMU_OUT" 2>&1 &
  EMU_PID=$!
  # Up to 3 minutes: the CARTO emulator loads PostGIS into its embedded PostgreSQL first (~15 s idle, longer on a busy machine).
  for _ in $(seq 1 1800); do
    grep -qx ready "$EMU_OUT" 2>/dev/null && return 0
    kill -0 "$EMU_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$EMU_OUT" >&2
  return 1
}

# emulator_url VENDOR: the URL the started emulator of VENDOR listens on.
emulator_url() { awk -v v="$1" '$1 == "emulator" && $2 == v { print $3; exit }' "$EMU_OUT"; }

# emulator_env NAME: the value of a provider setting's environment variable (e.g. BYTEHOUSE_API_KEY).
emulator_env() { awk -v n="$1" '$1 == "env" && $2 == n { sub(/^env [^ ]+ /, ""); print; exit }' "$EMU_OUT"; }

# set_emulator_config: sets the current stack's provider config from the started emulators
# (`config KEY VALUE` lines as plain config, `secret KEY VALUE` lines as secrets).
set_emulator_config() {
  local kind key value
  while IFS=' ' read -r kind key value; do
    case "$kind" in
      config) pulumi config set "$key" -- "$value" ;;
      secret) pulumi config set --secret "$key" -- "$value" ;;
    esac
  done < "$EMU_OUT"
}

# offline_pulumi DIR: the Pulumi CLI on PATH, a local file backend and home under DIR,
# passphrase from the environment, no update check, no plugin downloads. metadata=skip: no
# `.attrs` file beside the state, which Pulumi's file backend rewrites in place (a kill at that
# instant leaves it empty and the stack unreadable: "failed to load checkpoint: EOF").
offline_pulumi() {
  local dir="$1"
  mkdir -p "$dir/backend"
  export PATH="$PULUMI_BIN:$PATH"
  export PULUMI_BACKEND_URL="file://$dir/backend?metadata=skip" PULUMI_HOME="$dir/pulumi-home"
  export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-pulumi-warehouse-local}" PULUMI_SKIP_UPDATE_CHECK=true
  export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true PULUMI_DISABLE_CI_DETECTION=true
}
