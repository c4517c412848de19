#!/usr/bin/env bash
# Property-based fuzzing of the JSON API with schemathesis, against `tandem demo` on a fresh
# data folder, every operation, every check, authenticated with the admin token.
# Needs: a built `tandem` (debug or release) and `pip install schemathesis` (4.32 used).
#   tests/schemathesis/run.sh [max examples per operation, default 100] [seed, default 2026]
# Exit status is schemathesis's: 0 when no check failed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
examples="${1:-100}"
seed="${2:-2026}"
bin="${TANDEM_BIN:-}"
if [ -z "$bin" ]; then
  for candidate in "${CARGO_TARGET_DIR:-$root/target}/release/tandem" "${CARGO_TARGET_DIR:-$root/target}/debug/tandem"; do
    if [ -x "$candidate" ]; then bin="$candidate"; break; fi
  done
fi
[ -n "$bin" ] || { echo "no tandem binary: run cargo build first (or set TANDEM_BIN)" >&2; exit 2; }
command -v st >/dev/null || { echo "schemathesis is not installed: pip install schemathesis" >&2; exit 2; }
data="$(mktemp -d)"
port="${TANDEM_ST_PORT:-18080}"
token="st-admin-token-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
"$bin" demo --bind "127.0.0.1:$port" --data-dir "$data" --admin-token "$token" >"$data/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$data"' EXIT
deadline=$((SECONDS + 120))
until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do
  kill -0 "$server" 2>/dev/null || { cat "$data/serve.log" >&2; exit 1; }
  [ "$SECONDS" -lt "$deadline" ] || { echo "the demo did not become ready in 120 s" >&2; exit 1; }
  sleep 0.5
done
set +e
st --config-file "$here/schemathesis.toml" run "http://127.0.0.1:$port/api/openapi.json" \
  -H "Authorization: Bearer $token" --checks all --max-examples "$examples" --seed "$seed"
status=$?
set -e
requests=$(grep -c ' status=' "$data/serve.log" || true)
errors=$(grep -cE ' status=5[0-9]{2}' "$data/serve.log" || true)
echo "server: $requests requests answered, $errors with 5xx"
if [ "$errors" -gt 0 ]; then
  grep -E ' status=5[0-9]{2}' "$data/serve.log" | head >&2
  exit 1
fi
exit "$status"
