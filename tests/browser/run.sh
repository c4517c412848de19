#!/usr/bin/env bash
# Runs tests/browser/check.mjs — what a person checks in a browser, asserted — against a fresh
# `tandem demo`. Needs Chromium (Debian: apt-get install chromium) and Node with npm; installs
# playwright-core into tests/browser/node_modules on first use (git-ignored).
#   tests/browser/run.sh [screenshot dir, default a new temporary folder]
# Exit status 0 when every check passed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
chromium="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$chromium" ] || { echo "no Chromium at $chromium (apt-get install chromium, or set CHROMIUM)" >&2; exit 2; }
if [ ! -d "$here/node_modules/playwright-core" ]; then
  npm install --silent --no-save --no-package-lock --prefix "$here" playwright-core@1 >&2
fi
port="${TANDEM_BROWSER_PORT:-18100}"
. "$here/../demo-server.sh"
start_demo "$port"
CHROMIUM="$chromium" node "$here/check.mjs" "http://127.0.0.1:$port" "$data" "$token" "$out"
