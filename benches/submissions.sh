#!/usr/bin/env bash
# Form submissions under 64 concurrent clients, against the ceiling (one plain INSERT per
# request on the same database) in the same run. Counts answers afterwards: none lost, none
# duplicated.
#
#   benches/submissions.sh sqlite            # or: benches/submissions.sh postgres
# Needs: wrk (Debian package), a release build (cargo build --release), PostgreSQL for the
# postgres run (127.0.0.1:5432, trust auth).
set -euo pipefail
backend=${1:-sqlite}
people=${PEOPLE:-4000}
duration=${DURATION:-10s}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$here"
[ -n "${SKIP_BUILD:-}" ] || cargo build --release --quiet
[ -n "${SKIP_BUILD:-}" ] || cargo bench --bench insert_ceiling --no-run --quiet 2>/dev/null
ceiling=$(ls -t target/release/deps/insert_ceiling-* | grep -v '\.d$' | head -n1)
# TANDEM_BIN: measure another build (e.g. the one before a change) in the same run.
T=${TANDEM_BIN:-target/release/tandem}

case "$backend" in
  sqlite)
    export DATABASE_URL="sqlite://$work/tandem.db"
    ceiling_url="sqlite://$work/ceiling.db" ;;
  postgres)
    db="tandem_bench_$$"
    psql -q -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE $db" -c "CREATE DATABASE ${db}_c"
    trap 'kill $(jobs -p) 2>/dev/null || true; psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "DROP DATABASE IF EXISTS ${db}_c WITH (FORCE)"; rm -rf "$work"' EXIT
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
    ceiling_url="postgres://postgres@127.0.0.1:5432/${db}_c" ;;
  *) echo "backend must be sqlite or postgres" >&2; exit 2 ;;
esac
export TANDEM_DATA_DIR="$work/data" TANDEM_LOG=warn TANDEM_PUBLIC_URL=http://127.0.0.1:18081

id=$($T partnership create --name Bench --customer "Acme" --supplier "Bolt" | tail -n1)
python3 - "$people" > "$work/roster.csv" <<'PY'
import sys
n = int(sys.argv[1])
print("email,name,side,level,function,region,roles")
for i in range(n):
    side = "customer" if i % 2 == 0 else "supplier"
    print(f"p{i}@{side}.example,Person {i},{side},staff,sales,EU,")
PY
$T roster import --partnership "$id" "$work/roster.csv" >/dev/null
$T wave open --partnership "$id" >/dev/null
$T tick >/dev/null   # writes the invitations to $work/data/mail as .eml files
grep -ho 'http://127.0.0.1:18081/s/[A-Za-z0-9_-]\{32\}' "$work"/data/mail/*.eml | sed 's#.*/s/##' | sort -u > "$work/tokens.txt"
echo "tokens: $(wc -l < "$work/tokens.txt")"

cat > "$work/submit.lua" <<LUA
local tokens = {}
for line in io.lines("$work/tokens.txt") do tokens[#tokens + 1] = line end
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"answers":{"win_win":4,"shares_rewards":3,"trust":5,"dependable_people":"dont_know","holds_up_end":2,"common_objectives":4,"does_homework":3,"decides_and_sticks":4}}'
request = function()
  n = n + 1
  return wrk.format(nil, "/api/responses/" .. tokens[(n % #tokens) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT req/s=%.0f p50=%.2fms p99=%.2fms errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
LUA
cat > "$work/ceiling.lua" <<'LUA'
wrk.method = "POST"
wrk.body = "x"
done = function(summary, latency, requests)
  io.write(string.format("RESULT req/s=%.0f p50=%.2fms p99=%.2fms errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
LUA

wait_up() { for _ in $(seq 1 100); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "not up: $1" >&2; exit 1; }

TANDEM_POOL_SIZE=${POOL:-$(nproc | awk "{n=2*\$1; print (n<4?4:n)}")} $T serve --bind 127.0.0.1:18081 2> "$work/serve.log" & serve=$!
wait_up http://127.0.0.1:18081/readyz
echo "== tandem: POST /api/responses/{token} ($backend, 64 connections, $duration)"
# PROFILE=file.data: also sample the server with perf during the run (perf report -i file.data).
[ -z "${PROFILE:-}" ] || { perf record -q -F 499 ${PERF_OPTS:--g} -p "$serve" -o "$PROFILE" -- sleep 8 2>/dev/null & }
wrk -t2 -c64 -d"$duration" -s "$work/submit.lua" http://127.0.0.1:18081 | grep RESULT
[ -z "${PROFILE:-}" ] || wait $(jobs -p | grep -v "^$serve$") 2>/dev/null || true
kill "$serve"; wait "$serve" 2>/dev/null || true
echo "server errors logged: $(grep -c -i 'error' "$work/serve.log" || true)"; grep -i -m3 'error' "$work/serve.log" || true

"$ceiling" "$ceiling_url" 18082 2>/dev/null & ceil=$!
for _ in $(seq 1 100); do curl -sf -X POST -d x http://127.0.0.1:18082/insert >/dev/null 2>&1 && break; sleep 0.1; done
echo "== ceiling: one INSERT per request ($backend, 64 connections, $duration)"
wrk -t2 -c64 -d"$duration" -s "$work/ceiling.lua" http://127.0.0.1:18082/insert | grep RESULT
kill "$ceil"; wait "$ceil" 2>/dev/null || true

# No lost or duplicated answer: every token submitted at least once has exactly one response
# of exactly eight answers.
$T wave status --partnership "$id" --json | python3 -c '
import json, sys
w = json.load(sys.stdin)[0]
print("responses stored:", w["responded"], "of", w["invited"], "invitations")'
case "$backend" in
  sqlite) q() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$work/tandem.db" "$1"; } ;;
  postgres) q() { psql -tA -h 127.0.0.1 -U postgres -d "$db" -c "$1"; } ;;
esac
echo "answers: $(q 'SELECT COUNT(*) FROM answers'), responses: $(q 'SELECT COUNT(*) FROM responses'), responses without exactly 8 answers: $(q 'SELECT COUNT(*) FROM (SELECT response_id FROM answers GROUP BY response_id HAVING COUNT(*) <> 8) x'), duplicate responses per invitation: $(q 'SELECT COUNT(*) FROM (SELECT invitation_id FROM responses GROUP BY invitation_id HAVING COUNT(*) > 1) x'), answers not as sent: $(q "SELECT COUNT(*) FROM answers WHERE COALESCE(value, 0) <> CASE item_id WHEN 'win_win' THEN 4 WHEN 'shares_rewards' THEN 3 WHEN 'trust' THEN 5 WHEN 'dependable_people' THEN 0 WHEN 'holds_up_end' THEN 2 WHEN 'common_objectives' THEN 4 WHEN 'does_homework' THEN 3 WHEN 'decides_and_sticks' THEN 4 END")"
