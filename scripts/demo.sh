#!/usr/bin/env bash
# The demo (README: `npm run demo`): starts the ByteHouse emulator, runs `pulumi up` of the
# estate in demo/index.ts (root Pulumi.yaml), changes a virtual warehouse by hand through the
# emulator's API, reports it with `pulumi-warehouse drift` (exit code 2, state untouched), shows it with
# `pulumi refresh` and `pulumi preview --diff`, repairs it
# with `pulumi up`, prints what happened and stops the emulator. Installs what it needs.
# Set DEMO_KEEP=1 to keep the state directory (emulator state, request log, Pulumi backend).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_toolchains
ensure_node_modules
# Compile only when the sources the demo runs changed since the last compile: a hash of them is
# kept in dist/.demo-sources.sha1 (a second `npm run demo` starts at once).
node scripts/gen-sdk-index.js
src_hash="$( { find provider sdk emulator demo policies cli -type f -name '*.ts' -print0 | sort -z | xargs -0 sha1sum; sha1sum tsconfig.json package-lock.json; } | sha1sum | cut -d' ' -f1)"
if [ -f dist/demo/index.js ] && [ -f dist/policies/index.js ] && [ -f dist/cli/index.js ] && [ "$(cat dist/.demo-sources.sha1 2>/dev/null)" = "$src_hash" ]; then
  echo "[setup] sources unchanged since the last build; not compiling" >&2
else
  build_ts
  echo "$src_hash" > dist/.demo-sources.sha1
fi
ensure_pulumi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/pulumi-warehouse-demo.XXXXXX")"
EMU_PID=""
cleanup() {
  [ -n "$EMU_PID" ] && kill "$EMU_PID" 2>/dev/null && wait "$EMU_PID" 2>/dev/null || true
  rm -f Pulumi.demo.yaml
  if [ "${DEMO_KEEP:-}" = 1 ]; then echo "state kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

banner() { printf '\n\033[1m=== %s\033[0m\n' "$*"; }

banner "Starting the ByteHouse emulator"
start_emulators "$WORK/emulator" bytehouse
ENDPOINT="$(emulator_url bytehouse)"
API_KEY="$(emulator_env BYTEHOUSE_API_KEY)"
echo "ByteHouse emulator on $ENDPOINT (state and request log in $WORK/emulator)"

offline_pulumi "$WORK"
pulumi version >/dev/null

banner "Creating the stack; credentials go into stack config as a secret"
pulumi stack init demo --non-interactive
set_emulator_config

banner "pulumi preview --policy-pack policies: the estate passes the project's policy pack"
pulumi preview --non-interactive --policy-pack policies | tee "$WORK/policy.out"

banner "pulumi up: create the estate"
pulumi up --yes --non-interactive

bh() { curl -sS -H "Authorization: Bearer $API_KEY" -H 'Content-Type: application/json' "$@"; }

banner "Someone resizes warehouse 'etl' to XL and turns off auto-suspend by hand (ByteHouse API)"
bh -X PATCH "$ENDPOINT/v1/virtual-warehouses/etl" -d '{"configID":123460,"autoSuspend":0}'
echo

banner "pulumi-warehouse drift: what a scheduled pipeline job sees (exit code 2 = drift; state is not written)"
state_before="$(cat "$WORK"/backend/.pulumi/stacks/*/demo.json | sha1sum)"
set +e
PULUMI_WAREHOUSE_PULUMI_BIN="$PULUMI_BIN" node dist/cli/index.js drift --stack demo --json-file "$WORK/drift.json" --markdown-file "$WORK/drift.md" | tee "$WORK/drift.out"
drift_code=${PIPESTATUS[0]}
set -e
[ "$drift_code" = 2 ] || { echo "pulumi-warehouse drift exited $drift_code, expected 2 (drift)" >&2; exit 1; }
[ "$(cat "$WORK"/backend/.pulumi/stacks/*/demo.json | sha1sum)" = "$state_before" ] || { echo "pulumi-warehouse drift changed the state file" >&2; exit 1; }
drifted_fields="$(node -e 'const r=require(process.argv[1]); console.log(r.stacks.flatMap(s=>s.resources).filter(x=>x.status!=="in-sync").map(x=>x.name+": "+x.fields.map(f=>f.field+" "+JSON.stringify(f.lastApplied)+" -> "+JSON.stringify(f.live)).join(", ")).join("; "))' "$WORK/drift.json")"

banner "pulumi refresh: the drift shows up"
pulumi refresh --yes --non-interactive | tee "$WORK/refresh.out"

banner "pulumi preview --diff: what up will change back, and why"
pulumi preview --diff --non-interactive

banner "pulumi up: repair"
pulumi up --yes --non-interactive | tee "$WORK/repair.out"

banner "pulumi preview: nothing left to do"
pulumi preview --non-interactive --expect-no-changes | tail -n 4

banner "pulumi-warehouse drift: in sync again (exit code 0)"
PULUMI_WAREHOUSE_PULUMI_BIN="$PULUMI_BIN" node dist/cli/index.js drift --stack demo --quiet

live="$(bh "$ENDPOINT/v1/virtual-warehouses/etl")"
repaired="$(node -e 'const v=JSON.parse(process.argv[1]); console.log(v.configID===123457 && v.autoSuspend===10 ? "yes" : "no")' "$live")"
[ "$repaired" = yes ] || { echo "repair failed: etl is $live" >&2; exit 1; }
banner "What happened"
cat <<SUMMARY
1. pulumi up created 2 databases and 3 virtual warehouses in the emulator at $ENDPOINT.
2. Out of band, 'etl' was set to configID 123460 (XL) with autoSuspend=0.
3. pulumi-warehouse drift reported it before anything was written (exit code 2; JSON and Markdown
   reports drift.json and drift.md, kept with DEMO_KEEP=1): $drifted_fields
   pulumi refresh then recorded it: $(grep -o '\[diff: [^]]*\]' "$WORK/refresh.out" | head -n 1)
4. pulumi up put it back with one PATCH: 'etl' is again configID 123457 (S) with autoSuspend=10, as declared.
5. Before any change, pulumi preview --policy-pack policies ran the project's policy pack over the estate:
   it passed (a mandatory violation would have stopped the demo there) with $(grep -c '\[advisory\]' "$WORK/policy.out" || true) advisory warning(s).
6. A final preview reports no changes and pulumi-warehouse drift exits 0. The API key lives only in stack config, encrypted:
   $(grep -c "$API_KEY" "$WORK"/backend/.pulumi/stacks/*/*.json 2>/dev/null | awk -F: '{s+=$NF} END {print s+0}') plaintext occurrence(s) in the state files.
SUMMARY
