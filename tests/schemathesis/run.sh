#!/usr/bin/env bash
# Property-based fuzzing of the JSON API with schemathesis, against `tandem demo` on a fresh
# data folder, every operation, every check, authenticated with the admin token.
# Needs: a built `tandem` (debug or release) and `pip install schemathesis` (4.32 used).
#   tests/schemathesis/run.sh [max examples per operation, default 100] [seed, default 2026]
# Exit status is schemathesis's: 0 when no check failed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
examples="${1:-100}"
seed="${2:-2026}"
command -v st >/dev/null || { echo "schemathesis is not installed: pip install schemathesis" >&2; exit 2; }
port="${TANDEM_ST_PORT:-18080}"
. "$here/../demo-server.sh"
start_demo "$port"
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
