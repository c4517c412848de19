#!/usr/bin/env bash
# Issue 16: alternating before/after runs of wrk on GET /healthz and GET /s/{token} (the
# form page, a database read) against two release binaries; SQLite, TANDEM_LOG=info with
# stderr discarded (both builds write one access line per request).
#   benches/observe_overhead.sh /tmp/tandem-before target/release/tandem 3
# Needs: wrk, curl.
set -euo pipefail
before=$1; after=$2; pairs=${3:-3}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
export TANDEM_LOG=info TANDEM_PUBLIC_URL=http://127.0.0.1:18090
run() {
  local label=$1 bin=$2 n=$3
  local dir="$work/$label-$n"
  mkdir -p "$dir"
  export DATABASE_URL="sqlite://$dir/tandem.db" TANDEM_DATA_DIR="$dir/data"
  id=$($bin partnership create --name Bench --customer Acme --supplier Bolt | tail -n1)
  printf 'email,name,side,level,function,region,roles\na@c.example,A,customer,staff,sales,EU,\nb@s.example,B,supplier,staff,sales,EU,\n' > "$dir/roster.csv"
  $bin roster import --partnership "$id" "$dir/roster.csv" >/dev/null
  $bin wave open --partnership "$id" >/dev/null
  $bin tick >/dev/null
  token=$(grep -ho 'http://127.0.0.1:18090/s/[A-Za-z0-9_-]\{32\}' "$dir"/data/mail/*.eml | head -n1 | sed 's#.*/s/##')
  $bin serve --bind 127.0.0.1:18090 2>/dev/null &
  pid=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:18090/healthz >/dev/null && break; sleep 0.1; done
  for path in /healthz "/s/$token"; do
    out=$(wrk -t2 -c64 -d10s --latency "http://127.0.0.1:18090$path")
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1=="50%" {print $2}')
    p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    name=$path; [ "$path" = /healthz ] || name=/s/{token}
    echo "$label $n $name rps=$rps p50=$p50 p99=$p99"
  done
  kill $pid; wait $pid 2>/dev/null || true
}
for n in $(seq "$pairs"); do
  run before "$before" "$n"
  run after "$after" "$n"
done
