#!/usr/bin/env bash
# One timed window of the register import benchmark (bench/register_bench.sh's four imports),
# BEFORE (a) and AFTER (b) alternating on one backend, on files made once by bench/gen_register.py
# (the same files for both builds). Run it through bench/quiet.sh, not niced.
#
#   bench/quiet.sh bench/restructure-2026-12-06/register_window.sh BEFORE AFTER DIR sqlite|postgres FIRST LAST
#
# Why not bench/register_bench.sh itself: it generates its files and runs every binary on both
# backends in one go. `3595498` imports a row at a time (the bulk import is issue 18, a day later),
# which takes minutes on PostgreSQL at issue 18's scale, so one call would hold the quiet window far
# longer than a few minutes. Here each window is one backend and a few runs, and the data directory
# (DIR/people.csv, DIR/devices.csv) is made once, untimed. Each run: a fresh database, migrated
# (untimed), then `import people`, `import devices`, and both files again (nothing changes), timed
# as register_bench.sh times them (wall, user+sys CPU and peak RSS of the custodian process).
set -euo pipefail
. "$(dirname "$0")/window.sh"
A=$1
B=$2
W=$3
BACKEND=$4
PGURL_BASE=${PGURL_BASE:-postgres://postgres@127.0.0.1:5432}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PEOPLE=$(($(wc -l <"$W/people.csv") - 1))
DEVICES=$(($(wc -l <"$W/devices.csv") - 1))
echo "register window: $BACKEND, $PEOPLE people, $DEVICES devices"

timed() { # tag, then the command; the line is in usage_window.sh's format, which stats.py reads
  local tag=$1 rc=0
  shift
  /usr/bin/time -f "%e s wall, %U+%S s cpu, %M KB peak RSS" -o "$T/time" "$@" >"$T/out" 2>"$T/err" || rc=$?
  if [[ $rc != 0 ]]; then
    printf "%s: FAILED (%s): %s\n" "$tag" "$rc" "$(head -c 300 "$T/err" | tr '\n' ' ')"
  else
    printf "%s: %s   %s\n" "$tag" "$(tail -n 1 "$T/time")" "$(tail -n 1 "$T/out")"
  fi
}

run() {
  local i=$1 side=$2 bin=$3 url name
  export CUSTODIAN_DATA_DIR="$T/data-$side"
  rm -rf "$CUSTODIAN_DATA_DIR"
  mkdir -p "$CUSTODIAN_DATA_DIR"
  if [[ $BACKEND == sqlite ]]; then
    url="sqlite:$T/reg-$side.db"
    rm -f "$T"/reg-"$side".db*
    "$bin" --database-url "$url" migrate --create >/dev/null
  else
    name="custodian_b14g_regwin_$side"
    psql "$PGURL_BASE/postgres" -qc "DROP DATABASE IF EXISTS $name" >/dev/null
    psql "$PGURL_BASE/postgres" -qc "CREATE DATABASE $name" >/dev/null
    url="$PGURL_BASE/$name"
    "$bin" --database-url "$url" migrate >/dev/null
  fi
  sync
  timed "run $i $side $BACKEND-people" "$bin" --database-url "$url" import people "$W/people.csv"
  timed "run $i $side $BACKEND-devices" "$bin" --database-url "$url" import devices "$W/devices.csv"
  timed "run $i $side $BACKEND-people-again" "$bin" --database-url "$url" import people "$W/people.csv"
  timed "run $i $side $BACKEND-devices-again" "$bin" --database-url "$url" import devices "$W/devices.csv"
  if [[ $BACKEND == postgres ]]; then
    psql "$PGURL_BASE/postgres" -qc "DROP DATABASE IF EXISTS $name" >/dev/null
  fi
}
alternate "$5" "$6" run
window_end
