#!/usr/bin/env bash
# The whole test suite (README: `npm test`; .ci/run calls the same). Installs what it needs:
# npm dependencies, the compiled TypeScript, and the Pulumi CLI built from Go modules.
# Extra arguments go to mocha (e.g. `npm test -- --grep drift`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
setup_all
export PULUMI_WAREHOUSE_PULUMI_BIN="$PULUMI_BIN"
rm -rf .pulumi-work
exec npx --no-install mocha --reporter ./dist/test/helpers/reporter.js 'dist/test/**/*.test.js' "$@"
