#!/usr/bin/env bash
# The manager's dashboard of the report benchmark's partnership (40 closed waves, N
# respondents per side and wave, written by `tandem bench report`) under 32 concurrent
# signed-in managers: wrk with 32 connections, each request carrying one of 32 managers'
# session cookies (signed in through the real /login form). In the same run, the floor:
# GET /healthz under the same load. Also the first (uncached) page load with curl.
#
#   benches/dashboard.sh sqlite            # or: benches/dashboard.sh postgres
# Env: RESPONDENTS (default 2000), DURATION (15s), POOL (database connections, 4 = the
# default on 2 cores),
# SKIP_BUILD=1 to use the current
# target/release/tandem. Needs wrk and curl; PostgreSQL on 127.0.0.1:5432 for postgres.
set -euo pipefail
backend=${1:-sqlite}
n=${RESPONDENTS:-2000}
duration=${DURATION:-15s}
managers=32
port=18091
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$here"
[ -n "${SKIP_BUILD:-}" ] || cargo build --release --quiet
# TANDEM_BIN: measure another build (e.g. the one before a change) in the same run.
T=${TANDEM_BIN:-target/release/tandem}

case "$backend" in
  sqlite) export DATABASE_URL="sqlite://$work/tandem.db" ;;
  postgres)
    db="tandem_dash_$$"
    psql -q -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE $db"
    trap 'kill $(jobs -p) 2>/dev/null || true; psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"; rm -rf "$work"' EXIT
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db" ;;
  *) echo "backend must be sqlite or postgres" >&2; exit 2 ;;
esac
export TANDEM_DATA_DIR="$work/data" TANDEM_LOG=warn TANDEM_PUBLIC_URL="http://127.0.0.1:$port"

echo "== data: 40 waves x 2 firms x $n respondents ($backend)"
$T bench report --respondents "$n" --runs 1 --out-dir "$work/raw" | tail -n 3
id=$($T partnership list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
for i in $(seq 1 $managers); do
  printf 'bench-password-%02d\n' "$i" | $T user add --email "m$i@bench.example" --role manager \
    --partnership "$id" --password-stdin >/dev/null
done

wait_up() { for _ in $(seq 1 200); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "not up: $1" >&2; exit 1; }
TANDEM_POOL_SIZE=${POOL:-4} $T serve --bind "127.0.0.1:$port" 2> "$work/serve.log" & serve=$!
wait_up "http://127.0.0.1:$port/readyz"

# Sign each manager in through the form: the pre-session cookie and its CSRF token, then
# POST /login; keep the session cookie.
: > "$work/cookies.txt"
for i in $(seq 1 $managers); do
  jar="$work/jar$i"
  csrf=$(curl -s -c "$jar" "http://127.0.0.1:$port/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n1)
  curl -s -b "$jar" -c "$jar" -o /dev/null -w '' \
    --data-urlencode "email=m$i@bench.example" --data-urlencode "password=$(printf 'bench-password-%02d' "$i")" \
    --data-urlencode "csrf=$csrf" --data-urlencode "next=/" "http://127.0.0.1:$port/login"
  awk '$6 == "tandem_session" { print $7 }' "$jar" >> "$work/cookies.txt"
done
echo "signed in: $(wc -l < "$work/cookies.txt") managers"

first=$(head -n1 "$work/cookies.txt")
echo "== first page load (builds the report and charts): $(curl -s -o "$work/page.html" -w '%{time_total}' -b "tandem_session=$first" "http://127.0.0.1:$port/partnerships/$id") s, $(wc -c < "$work/page.html") bytes"
echo "== second page load (cached): $(curl -s -o /dev/null -w '%{time_total}' -b "tandem_session=$first" "http://127.0.0.1:$port/partnerships/$id") s"
grep -q "Relationship health" "$work/page.html" || { echo "the page is not the dashboard" >&2; exit 1; }

cat > "$work/dash.lua" <<LUA
local cookies = {}
for line in io.lines("$work/cookies.txt") do cookies[#cookies + 1] = line end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/partnerships/$id", { Cookie = "tandem_session=" .. cookies[(n % #cookies) + 1] })
end
LUA
cat > "$work/report.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("RESULT req/s=%.0f p50=%.2fms p99=%.2fms max=%.2fms errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
LUA
cat "$work/report.lua" >> "$work/dash.lua"

echo "== GET /partnerships/$id, $managers signed-in managers ($backend, 32 connections, $duration)"
wrk -t2 -c32 -d"$duration" --latency -s "$work/dash.lua" "http://127.0.0.1:$port" | grep RESULT
echo "== floor: GET /healthz ($backend, 32 connections, $duration)"
wrk -t2 -c32 -d"$duration" -s "$work/report.lua" "http://127.0.0.1:$port/healthz" | grep RESULT
kill "$serve"; wait "$serve" 2>/dev/null || true
echo "server errors logged: $(grep -c -i 'error' "$work/serve.log" || true)"
