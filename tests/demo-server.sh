# Sourced by tests/browser/run.sh and tests/schemathesis/run.sh: finds the built `tandem`
# binary and starts `tandem demo` on a fresh data folder with a random admin token, waits until
# it is ready, and stops it and removes the folder on exit. Sets `data`, `token`, `server`.
#   start_demo <port>
start_demo() {
  local port="$1" root bin="${TANDEM_BIN:-}"
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  if [ -z "$bin" ]; then
    for candidate in "${CARGO_TARGET_DIR:-$root/target}/release/tandem" "${CARGO_TARGET_DIR:-$root/target}/debug/tandem"; do
      if [ -x "$candidate" ]; then bin="$candidate"; break; fi
    done
  fi
  [ -n "$bin" ] || { echo "no tandem binary: run cargo build first (or set TANDEM_BIN)" >&2; exit 2; }
  data="$(mktemp -d)"
  token="demo-admin-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  "$bin" demo --bind "127.0.0.1:$port" --data-dir "$data" --admin-token "$token" >"$data/serve.log" 2>&1 &
  server=$!
  trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$data"' EXIT
  local deadline=$((SECONDS + 120))
  until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do
    kill -0 "$server" 2>/dev/null || { cat "$data/serve.log" >&2; exit 1; }
    [ "$SECONDS" -lt "$deadline" ] || { echo "the demo did not become ready in 120 s" >&2; exit 1; }
    sleep 0.5
  done
}
