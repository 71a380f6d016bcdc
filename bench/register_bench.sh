#!/usr/bin/env bash
# People and device register imports at a force's scale, on SQLite and PostgreSQL, for one or
# more release binaries side by side (issue 18: 50,000 people in under 10 s on both).
#
#   bench/register_bench.sh [PEOPLE] [DEVICES] [LABEL=BINARY ...]
#
# Defaults: 50,000 people, 100,000 devices, LABEL "this"=target/release/custodian. For each
# binary and backend: a fresh database, `import people`, `import devices`, then both files again
# (nothing changes: the idempotent re-import). Each line is wall time, CPU (user+sys) and peak
# RSS of the custodian process. PostgreSQL is the server at $PGURL_BASE (default
# postgres://postgres@127.0.0.1:5432), in a database made and dropped per run. Set
# ALLOCATED_FROM=1 to give every allocated device an allocated_from date, and TIMEOUT (seconds,
# default 1800) to stop one import that takes too long (reported as "timeout").
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE=${1:-50000}
DEVICES=${2:-100000}
shift $(( $# > 2 ? 2 : $# ))
BINS=("$@")
[ ${#BINS[@]} -eq 0 ] && BINS=("this=target/release/custodian")
PGURL_BASE=${PGURL_BASE:-postgres://postgres@127.0.0.1:5432}
TIMEOUT=${TIMEOUT:-1800}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
python3 bench/gen_register.py "$DIR" "$PEOPLE" "$DEVICES" ${ALLOCATED_FROM:+--allocated-from}
echo "register: $PEOPLE people, $DEVICES devices${ALLOCATED_FROM:+ (with allocated_from)}; $(nproc) cores; $(uptime | sed 's/.*load/load/')"

timed() { # label, then the command
  local label=$1 rc=0
  shift
  /usr/bin/time -f "%e %U %S %M" -o "$DIR/time" timeout "$TIMEOUT" "$@" >"$DIR/out" 2>"$DIR/err" || rc=$?
  if [ "$rc" = 124 ]; then
    printf "  %-30s timeout after %s s\n" "$label" "$TIMEOUT"
  elif [ "$rc" != 0 ]; then
    printf "  %-30s FAILED (%s): %s\n" "$label" "$rc" "$(head -c 300 "$DIR/err" | tr '\n' ' ')"
  else
    read -r wall user sys rss <"$DIR/time"
    printf "  %-30s %8.2f s wall %8.2f s CPU %6d MB peak   %s\n" "$label" "$wall" "$(echo "$user + $sys" | bc)" \
      "$((rss / 1024))" "$(tail -n 1 "$DIR/out")"
  fi
}

for spec in "${BINS[@]}"; do
  label=${spec%%=*}
  bin=${spec#*=}
  # Every command's data folder (the audit signing key) is the run's own, never the checkout's.
  export CUSTODIAN_DATA_DIR="$DIR"
  for backend in sqlite postgres; do
    if [ "$backend" = sqlite ]; then
      rm -f "$DIR"/custodian.db*
      url="sqlite:$DIR/custodian.db"
      "$bin" --database-url "$url" migrate --create >/dev/null
    else
      name="custodian_regbench_$$"
      psql "$PGURL_BASE/postgres" -qc "DROP DATABASE IF EXISTS $name" >/dev/null
      psql "$PGURL_BASE/postgres" -qc "CREATE DATABASE $name" >/dev/null
      url="$PGURL_BASE/$name"
      "$bin" --database-url "$url" migrate >/dev/null
    fi
    echo "== $label on $backend"
    timed "import people ($PEOPLE)" "$bin" --database-url "$url" import people "$DIR/people.csv"
    timed "import devices ($DEVICES)" "$bin" --database-url "$url" import devices "$DIR/devices.csv"
    timed "people again (unchanged)" "$bin" --database-url "$url" import people "$DIR/people.csv"
    timed "devices again (unchanged)" "$bin" --database-url "$url" import devices "$DIR/devices.csv"
    if [ "$backend" = postgres ]; then
      psql "$PGURL_BASE/postgres" -qc "DROP DATABASE IF EXISTS $name" >/dev/null
    fi
  done
done
