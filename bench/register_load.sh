#!/usr/bin/env bash
# Device list API under load: 10,000 devices on SQLite, a release build, oha at a fixed rate,
# side by side with /healthz on the same server. Results go to BENCHMARKS.md by hand.
#
#   cargo build --release -p custodian-cli && cargo install oha --root /work/tools
#   bench/register_load.sh [RATE] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${1:-500}
SECS=${2:-20}
BIN=target/release/custodian
OHA=${OHA:-$(command -v oha || echo /work/tools/bin/oha)}
DIR=$(mktemp -d)
DB="sqlite:$DIR/custodian.db"
export CUSTODIAN_DATA_DIR="$DIR"
python3 bench/gen_register.py "$DIR" 5000 10000
$BIN --database-url "$DB" migrate --create >/dev/null
echo "import people (5,000):";  /usr/bin/time -f "  %e s, %M KB peak" $BIN --database-url "$DB" import people "$DIR/people.csv"
echo "import devices (10,000):"; /usr/bin/time -f "  %e s, %M KB peak" $BIN --database-url "$DB" import devices "$DIR/devices.csv"
echo "correct horse battery staple volt" | $BIN --database-url "$DB" user add --staff-number BENCH1 --name "Bench Digital" \
  --email bench@warwickshire.police.example --business-area "Digital Services" --role digital_services >/dev/null
TOKEN=$($BIN --database-url "$DB" user token BENCH1 --name bench --scope read | tail -n 1)
$BIN --database-url "$DB" serve --bind 127.0.0.1:18080 >"$DIR/serve.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 1 50); do curl -sf http://127.0.0.1:18080/healthz >/dev/null && break; sleep 0.2; done
run() {
  local name=$1 url=$2
  shift 2
  echo "== $name at $RATE req/s for ${SECS}s"
  "$OHA" --no-tui -z "${SECS}s" -q "$RATE" -c 32 --latency-correction "$@" "$url" \
    | grep -E "Requests/sec|Success rate|50.00%|90.00%|99.00%|99.90%|Slowest|\[200\]|\[4|\[5"
}
run "/healthz" "http://127.0.0.1:18080/healthz"
run "/api/v1/devices (page 1 of 200, 50 per page)" "http://127.0.0.1:18080/api/v1/devices?per_page=50" -H "Authorization: Bearer $TOKEN"
run "/api/v1/devices?q=BM-0042 (search)" "http://127.0.0.1:18080/api/v1/devices?q=BM-0042" -H "Authorization: Bearer $TOKEN"
run "/api/v1/devices?page=150 (deep page)" "http://127.0.0.1:18080/api/v1/devices?per_page=50&page=150" -H "Authorization: Bearer $TOKEN"
run "/api/v1/devices?after=BM-007450 (deep page by keyset cursor)" "http://127.0.0.1:18080/api/v1/devices?per_page=50&after=BM-007450" -H "Authorization: Bearer $TOKEN"
run "/api/v1/devices?q=Model1 (search, many matches)" "http://127.0.0.1:18080/api/v1/devices?per_page=50&q=Model1" -H "Authorization: Bearer $TOKEN"
echo "== capacity: /api/v1/devices with 32 connections, no rate limit, ${SECS}s"
"$OHA" --no-tui -z "${SECS}s" -c 32 -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:18080/api/v1/devices?per_page=50" | grep -E "Requests/sec|50.00%|99.00%"
