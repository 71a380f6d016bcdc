#!/usr/bin/env bash
# A carrier bill uploaded through the API (`POST /api/v1/usage/imports/carrier`, as the web page
# does), side by side with `custodian usage import carrier` on a copy of the same database (see
# BENCHMARKS.md, "Usage uploads through the API").
#
#   bench/usage_upload.sh ROWS [DEVICES]
#
# Times the whole request (upload into the server's temporary file, then the import) and reads
# the server's peak RSS from /proc.
set -euo pipefail
ROWS=${1:-1000000}
DEVICES=${2:-3000}
PORT=${PORT:-18080}
HERE=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HERE/target}
W=$(mktemp -d /tmp/custodian-usage-upload.XXXXXX)
cd "$HERE"
nice cargo build -q --release -p custodian-cli
X=$CARGO_TARGET_DIR/release/custodian
python3 bench/usage_gen.py "$W" "$DEVICES" "$ROWS"
ls -la "$W/carrier.csv"
export CUSTODIAN_DATABASE_URL="sqlite:$W/api.db"
"$X" migrate --create >/dev/null
"$X" import people "$W/people.csv" >/dev/null
"$X" import devices "$W/devices.csv" >/dev/null
"$X" user grant-role U000011 digital_services >/dev/null
TOKEN=$("$X" user token U000011 --name bench --scope write | tail -n 1)
# The same register for the command-line import.
cp "$W/api.db" "$W/cli.db"

"$X" serve --bind "127.0.0.1:$PORT" >"$W/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$W"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
BEFORE=$(grep VmHWM /proc/$SERVER/status | awk '{print $2}')
echo "== upload through the API"
/usr/bin/time -f "api upload and import: %e s wall" curl -sf -H "Authorization: Bearer $TOKEN" \
  -H "Content-Type: text/csv" --data-binary @"$W/carrier.csv" \
  "http://127.0.0.1:$PORT/api/v1/usage/imports/carrier" -o "$W/api.json"
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print('api:', {k: r[k] for k in ('rows','imported','duplicates','findings_opened')})" "$W/api.json"
echo "server peak RSS: $(grep VmHWM /proc/$SERVER/status | awk '{print $2}') KB (at start: $BEFORE KB)"
kill $SERVER; wait $SERVER 2>/dev/null || true

echo "== the same file with the command line"
/usr/bin/time -f "cli import: %e s wall, %M KB peak RSS" "$X" --database-url "sqlite:$W/cli.db" usage import carrier "$W/carrier.csv" --json >"$W/cli.json"
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print('cli:', {k: r[k] for k in ('rows','imported','duplicates')})" "$W/cli.json"
