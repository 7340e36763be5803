#!/usr/bin/env bash
# Runs an example against the emulators: `npm run example -- <name>` (a folder of examples/).
# pulumi up, then a preview that must report no changes, then pulumi destroy.
# Set EXAMPLE_KEEP=1 to skip the destroy and keep the state directory.
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:?usage: npm run example -- <$(ls examples | tr '\n' '|' | sed 's/|$//')>}"
[ -f "examples/$name/Pulumi.yaml" ] || { echo "no example examples/$name" >&2; exit 2; }
source scripts/lib.sh
if [ -n "${PULUMI_WAREHOUSE_PULUMI_BIN:-}" ]; then PULUMI_BIN="$PULUMI_WAREHOUSE_PULUMI_BIN"; else setup_all; fi  # set by npm test

WORK="$(mktemp -d "${TMPDIR:-/tmp}/pulumi-warehouse-example.XXXXXX")"
EMU_PID=""
cleanup() {
  for pid in $EMU_PID; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  rm -f "examples/$name/Pulumi.example.yaml"
  if [ "${EXAMPLE_KEEP:-}" = 1 ]; then echo "state kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

start_emulators "$WORK/emulators"
offline_pulumi "$WORK"
cd "examples/$name"
pulumi stack init example --non-interactive
set_emulator_config
pulumi up --yes --non-interactive
pulumi preview --expect-no-changes --non-interactive
[ "${EXAMPLE_KEEP:-}" = 1 ] || pulumi destroy --yes --non-interactive
