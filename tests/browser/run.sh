#!/usr/bin/env bash
# Runs tests/browser/check.mjs — what a person checks in a browser, asserted — against a fresh
# `tandem demo`. Needs Chromium (Debian: apt-get install chromium) and Node with npm; installs
# playwright-core into tests/browser/node_modules on first use (git-ignored).
#   tests/browser/run.sh [screenshot dir, default a new temporary folder]
# Exit status 0 when every check passed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
chromium="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$chromium" ] || { echo "no Chromium at $chromium (apt-get install chromium, or set CHROMIUM)" >&2; exit 2; }
bin="${TANDEM_BIN:-}"
if [ -z "$bin" ]; then
  for candidate in "${CARGO_TARGET_DIR:-$root/target}/release/tandem" "${CARGO_TARGET_DIR:-$root/target}/debug/tandem"; do
    if [ -x "$candidate" ]; then bin="$candidate"; break; fi
  done
fi
[ -n "$bin" ] || { echo "no tandem binary: run cargo build first (or set TANDEM_BIN)" >&2; exit 2; }
if [ ! -d "$here/node_modules/playwright-core" ]; then
  npm install --silent --no-save --no-package-lock --prefix "$here" playwright-core@1 >&2
fi
data="$(mktemp -d)"
port="${TANDEM_BROWSER_PORT:-18100}"
token="browser-admin-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
"$bin" demo --bind "127.0.0.1:$port" --data-dir "$data" --admin-token "$token" >"$data/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$data"' EXIT
deadline=$((SECONDS + 120))
until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do
  kill -0 "$server" 2>/dev/null || { cat "$data/serve.log" >&2; exit 1; }
  [ "$SECONDS" -lt "$deadline" ] || { echo "the demo did not become ready in 120 s" >&2; exit 1; }
  sleep 0.5
done
CHROMIUM="$chromium" node "$here/check.mjs" "http://127.0.0.1:$port" "$data" "$token" "$out"
