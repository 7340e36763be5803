#!/usr/bin/env bash
# Builds the Pulumi CLI (`pulumi`) and the Node.js language host (`pulumi-language-nodejs`)
# from Pulumi's Go modules through the Go module proxy, stamps the version in, and writes
# the `pulumi-resource-pulumi-nodejs` launcher next to them.
#
# Output, reused by later runs (outside the work tree):
#   ${PULUMI_WAREHOUSE_CACHE:-$HOME/.cache/pulumi-warehouse}/pulumi-v3.259.0/bin
# The bin directory is printed as the last line of stdout; progress goes to stderr.
#
# Versions (the module proxy this project can reach decides them):
# - CLI: github.com/pulumi/pulumi/pkg/v3 v3.259.0, the newest pkg/v3 whose module zip the
#   proxy serves (v3.260.0 answers "403 This module version is not available" for its .zip).
#   @pulumi/pulumi is pinned to the same 3.259.0 in package.json.
# - Language host: since v3.69.0 it is its own untagged module
#   (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3), and the proxy
#   refuses every version of it, pseudo-versions of the v3.259.0 commits included (403).
#   The newest host the proxy serves is the one inside github.com/pulumi/pulumi/sdk/v3
#   v3.68.0, the last release that shipped it as a package of sdk/v3. It speaks the same
#   language-host protocol and runs @pulumi/pulumi 3.259.0's own `cmd/run`. Its RunPlugin
#   (how the CLI starts Node policy packs since v3.221) is replaced by
#   scripts/language-host/runplugin.go.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"

PULUMI_VERSION="v3.259.0"
LANGUAGE_HOST_SDK_VERSION="v3.68.0"
CLIPBOARD_FORK="github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e"
TEXT_PIN="golang.org/x/text@v0.39.0"

[ -n "${HOME:-}" ] || export HOME="$(getent passwd "$(id -u)" | cut -d: -f6)"
CACHE_ROOT="${PULUMI_WAREHOUSE_CACHE:-$HOME/.cache/pulumi-warehouse}"
OUT="$CACHE_ROOT/pulumi-$PULUMI_VERSION"
BIN="$OUT/bin"

log() { echo "[build-pulumi] $*" >&2; }

complete() {
  [ -x "$BIN/pulumi" ] && [ -x "$BIN/pulumi-language-nodejs" ] && [ -x "$BIN/pulumi-resource-pulumi-nodejs" ] \
    && [ "$("$BIN/pulumi" version 2>/dev/null)" = "$PULUMI_VERSION" ] \
    && grep -q "kind analyzer" "$BIN/pulumi-language-nodejs"   # a host with our RunPlugin
}

if complete; then echo "$BIN"; exit 0; fi
# A build without the host's RunPlugin (or none): rebuild; the Go caches make it quick.
rm -f "$BIN/pulumi"

command -v go >/dev/null || { [ -x /usr/local/go/bin/go ] && export PATH="$PATH:/usr/local/go/bin"; }
command -v go >/dev/null || { log "Go >= 1.25.11 is required to build the Pulumi CLI (it is not on PATH)"; exit 1; }
start=$(date +%s)
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
mkdir -p "$BIN"
LDFLAGS_BASE="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"
TAGS="osusergo,grpcnotrace"   # as Pulumi's release build (.goreleaser.yml)

# A throwaway main module per binary: Go ignores replace directives of dependencies, so
# the two non-local replaces of Pulumi's own go.mod are copied in by hand.
wrapper() {
  local dir="$1"
  rm -rf "$dir"; mkdir -p "$dir"
  (cd "$dir" && go mod init local/pulumibuild >/dev/null 2>&1 \
     && go mod edit -replace "github.com/atotto/clipboard=$CLIPBOARD_FORK" -replace "golang.org/x/text=$TEXT_PIN")
}

log "building pulumi $PULUMI_VERSION (the first build downloads ~1.5 GB of Go modules and takes several minutes)"
wrapper "$OUT/build-cli"
(cd "$OUT/build-cli" \
  && go get "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" >&2 \
  && go build -trimpath -tags "$TAGS" -ldflags "$LDFLAGS_BASE=$PULUMI_VERSION" -o "$BIN/pulumi.tmp" \
       github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2)

log "building pulumi-language-nodejs from sdk/v3 $LANGUAGE_HOST_SDK_VERSION (with RunPlugin for policy packs)"
wrapper "$OUT/build-host"
# The v3.68 host's RunPlugin answers "not supported", but since v3.221 the CLI starts Node
# policy packs through it. The host is built from its own source in the module cache with
# that one method replaced by scripts/language-host/runplugin.go (this repo's code).
(cd "$OUT/build-host" \
  && go get "github.com/pulumi/pulumi/sdk/v3@$LANGUAGE_HOST_SDK_VERSION" >&2 \
  && SRC="$(go env GOMODCACHE)/github.com/pulumi/pulumi/sdk/v3@$LANGUAGE_HOST_SDK_VERSION/nodejs/cmd/pulumi-language-nodejs" \
  && cp "$SRC/main.go" "$SRC/proxy.go" "$SRC/proxy_unix.go" . && chmod u+w ./*.go \
  && sed -i '/^func (host \*nodeLanguageHost) RunPlugin(/,/^}/d' main.go \
  && cp "$HERE/language-host/runplugin.go" . \
  && go build -trimpath -tags "$TAGS" -ldflags "$LDFLAGS_BASE=$LANGUAGE_HOST_SDK_VERSION" -o "$BIN/pulumi-language-nodejs" . >&2)

# The dynamic-provider plugin: a launcher for @pulumi/pulumi's provider host, resolved from
# the program directory (as sdk/nodejs/dist/pulumi-resource-pulumi-nodejs in Pulumi's release).
cat > "$BIN/pulumi-resource-pulumi-nodejs" <<'SH'
#!/bin/sh
PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH=$(node -e "console.log(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))")
if [ ! -z "$PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH" ]; then
    node "$PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH" "$@"
fi
SH
chmod +x "$BIN/pulumi-resource-pulumi-nodejs" "$BIN/pulumi-language-nodejs" "$BIN/pulumi.tmp"
mv "$BIN/pulumi.tmp" "$BIN/pulumi"   # last: a complete build is marked by `pulumi version`
rm -rf "$OUT/build-cli" "$OUT/build-host"
log "built $("$BIN/pulumi" version) in $(( $(date +%s) - start ))s into $BIN"
echo "$BIN"
