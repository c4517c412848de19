#!/usr/bin/env bash
# The portfolio overview (/portfolio) with PARTNERSHIPS partnerships (default 200), each with
# a generated history (6 closed waves × 2 firms × 12 people × 8 items, imported with the
# CLI), under 32 concurrent signed-in ombudsmen who see every partnership: wrk with 32
# connections, each request carrying one of 32 session cookies (signed in through the real
# /login form). Also the first (uncached: 200 reports) and second page loads with curl, and
# the floor GET /healthz in the same run.
#
#   benches/portfolio.sh postgres            # or: benches/portfolio.sh sqlite
# Env: PARTNERSHIPS (200), DURATION (15s), POOL (4), SKIP_BUILD=1, TANDEM_BIN (another build),
# PERF=<file> (a perf profile of the server under load).
set -euo pipefail
backend=${1:-postgres}
count=${PARTNERSHIPS:-200}
duration=${DURATION:-15s}
users=32
port=18092
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$here"
[ -n "${SKIP_BUILD:-}" ] || cargo build --release --quiet
T=${TANDEM_BIN:-target/release/tandem}

case "$backend" in
  sqlite) export DATABASE_URL="sqlite://$work/tandem.db" ;;
  postgres)
    db="tandem_portfolio_$$"
    psql -q -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE $db"
    trap 'kill $(jobs -p) 2>/dev/null || true; psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"; rm -rf "$work"' EXIT
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db" ;;
  *) echo "backend must be sqlite or postgres" >&2; exit 2 ;;
esac
export TANDEM_DATA_DIR="$work/data" TANDEM_LOG=warn TANDEM_PUBLIC_URL="http://127.0.0.1:$port"

echo "== data: $count partnerships x 6 waves x 2 firms x 12 people ($backend)"
python3 - "$work" "$count" <<'PY'
import random, sys
work, count = sys.argv[1], int(sys.argv[2])
items = ["win_win", "shares_rewards", "trust", "dependable_people", "holds_up_end",
         "common_objectives", "does_homework", "decides_and_sticks"]
for p in range(count):
    rnd = random.Random(p)
    base = {f: rnd.uniform(2.5, 4.3) for f in ("customer", "supplier")}
    drift = rnd.uniform(-0.15, 0.1)
    with open(f"{work}/h{p}.csv", "w") as out:
        out.write("wave,firm,respondent,level,function,item,value\n")
        for wave in range(1, 7):
            for firm in ("customer", "supplier"):
                answering = 12 if rnd.random() > 0.1 else rnd.randint(3, 8)
                for r in range(answering):
                    level = ("executive", "manager", "staff")[r % 3]
                    function = ("ops", "sales")[r % 2]
                    for item in items:
                        v = round(base[firm] + drift * wave + rnd.gauss(0, 0.8))
                        out.write(f"{wave},{firm},{firm[0]}{r},{level},{function},{item},{min(5, max(1, v))}\n")
PY
for p in $(seq 0 $((count - 1))); do
  id=$($T partnership create --name "Partnership $p" --customer "Customer $p" --supplier "Supplier $p" | tail -n1)
  $T responses import --partnership "$id" "$work/h$p.csv" >/dev/null
done
for i in $(seq 1 $users); do
  printf 'bench-password-%02d\n' "$i" | $T user add --email "o$i@bench.example" --role ombudsman \
    --all-partnerships --password-stdin >/dev/null
done

wait_up() { for _ in $(seq 1 200); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "not up: $1" >&2; exit 1; }
TANDEM_POOL_SIZE=${POOL:-4} $T serve --bind "127.0.0.1:$port" 2> "$work/serve.log" & serve=$!
wait_up "http://127.0.0.1:$port/readyz"

: > "$work/cookies.txt"
for i in $(seq 1 $users); do
  jar="$work/jar$i"
  csrf=$(curl -s -c "$jar" "http://127.0.0.1:$port/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n1)
  curl -s -b "$jar" -c "$jar" -o /dev/null \
    --data-urlencode "email=o$i@bench.example" --data-urlencode "password=$(printf 'bench-password-%02d' "$i")" \
    --data-urlencode "csrf=$csrf" --data-urlencode "next=/" "http://127.0.0.1:$port/login"
  awk '$6 == "tandem_session" { print $7 }' "$jar" >> "$work/cookies.txt"
done
echo "signed in: $(wc -l < "$work/cookies.txt") ombudsmen"

first=$(head -n1 "$work/cookies.txt")
echo "== first load (builds $count summaries): $(curl -s -o "$work/page.html" -w '%{time_total}' -b "tandem_session=$first" "http://127.0.0.1:$port/portfolio") s, $(wc -c < "$work/page.html") bytes"
echo "== second load (cached): $(curl -s -o /dev/null -w '%{time_total}' -b "tandem_session=$first" "http://127.0.0.1:$port/portfolio") s"
rows=$(grep -c '<th scope="row">' "$work/page.html" || true)
[ "$rows" -eq "$count" ] || { echo "the page lists $rows partnerships, not $count" >&2; exit 1; }

cat > "$work/report.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("RESULT req/s=%.0f p50=%.2fms p99=%.2fms max=%.2fms errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
LUA
cat > "$work/page.lua" <<LUA
local cookies = {}
for line in io.lines("$work/cookies.txt") do cookies[#cookies + 1] = line end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/portfolio", { Cookie = "tandem_session=" .. cookies[(n % #cookies) + 1] })
end
LUA
cat "$work/report.lua" >> "$work/page.lua"
echo "== GET /portfolio, $users signed-in ombudsmen, $count partnerships ($backend, 32 connections, $duration)"
# PERF=<file>: also record a CPU profile of the server during the run (perf record -g).
[ -z "${PERF:-}" ] || perf record -q -g -p "$serve" -o "$PERF" -- sleep 8 2>/dev/null &
wrk -t2 -c32 -d"$duration" --latency -s "$work/page.lua" "http://127.0.0.1:$port" | grep RESULT
wait $(jobs -p | grep -v "^$serve$") 2>/dev/null || true
echo "== floor: GET /healthz ($backend, 32 connections, $duration)"
wrk -t2 -c32 -d"$duration" -s "$work/report.lua" "http://127.0.0.1:$port/healthz" | grep RESULT
kill "$serve"; wait "$serve" 2>/dev/null || true
echo "server errors logged: $(grep -c -i 'error' "$work/serve.log" || true)"
