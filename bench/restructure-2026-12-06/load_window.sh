#!/usr/bin/env bash
# One timed window of the device list API under load (bench/register_load.sh's requests), for one
# build, on a copy of the database load_prep.sh made for it. Run it through bench/quiet.sh, not
# niced; alternate the builds window by window (a b, then b a).
#
#   bench/quiet.sh bench/restructure-2026-12-06/load_window.sh a|b BIN DIR [RATE] [SECONDS]
#
# Why not bench/register_load.sh itself: it runs target/release/custodian of the checkout it sits
# in, and imports the register inside the run. Here the build is an argument, the register was
# imported beforehand (load_prep.sh; the imports are timed by register_window.sh), and one window
# holds one build's seven oha runs (about two minutes at 15 s each). The requests, the rate and
# oha's flags are register_load.sh's. `3595498` has no `after=` keyset cursor: it ignores the
# parameter and answers page 1.
set -euo pipefail
SIDE=$1
BIN=$2
W=$3
RATE=${4:-500}
SECS=${5:-15}
PORT=${PORT:-18414}
OHA=${OHA:-$(command -v oha || echo /work/tools/bin/oha)}
T=$(mktemp -d)
cp -r "$W/load-$SIDE/." "$T/"
export CUSTODIAN_DATA_DIR="$T/data"
TOKEN=$(cat "$T/token.txt")
echo "load window: side $SIDE ($BIN), $(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$BIN" --database-url "sqlite:$T/custodian.db" serve --bind 127.0.0.1:$PORT >"$T/serve.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.2; done
run() {
  local name=$1 url=$2
  shift 2
  echo "== $SIDE $name at $RATE req/s for ${SECS}s"
  "$OHA" --no-tui -z "${SECS}s" -q "$RATE" -c 32 --latency-correction "$@" "$url" \
    | grep -E "Requests/sec|Success rate|50.00%|90.00%|99.00%|99.90%|Slowest|\[200\]|\[4|\[5"
}
B=http://127.0.0.1:$PORT
run "/healthz" "$B/healthz"
run "/api/v1/devices (page 1 of 200, 50 per page)" "$B/api/v1/devices?per_page=50" -H "Authorization: Bearer $TOKEN"
run "/api/v1/devices?q=BM-0042 (search)" "$B/api/v1/devices?q=BM-0042" -H "Authorization: Bearer $TOKEN"
run "/api/v1/devices?page=150 (deep page)" "$B/api/v1/devices?per_page=50&page=150" -H "Authorization: Bearer $TOKEN"
run "/api/v1/devices?after=BM-007450 (deep page by keyset cursor)" "$B/api/v1/devices?per_page=50&after=BM-007450" -H "Authorization: Bearer $TOKEN"
run "/api/v1/devices?q=Model1 (search, many matches)" "$B/api/v1/devices?per_page=50&q=Model1" -H "Authorization: Bearer $TOKEN"
echo "== $SIDE capacity: /api/v1/devices with 32 connections, no rate limit, ${SECS}s"
"$OHA" --no-tui -z "${SECS}s" -c 32 -H "Authorization: Bearer $TOKEN" "$B/api/v1/devices?per_page=50" | grep -E "Requests/sec|50.00%|99.00%"
echo "window end $(date -u +%H:%M:%S) UTC"
