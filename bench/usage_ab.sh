#!/usr/bin/env bash
# Two builds of the usage benchmark side by side, alternating, on the same files: for checking
# that a change (a refactor, a new index) keeps the import and the dry run as fast as before.
#
#   bench/usage_ab.sh BIN_A BIN_B [ROWS] [DEVICES] [RUNS]
#
# BIN_A and BIN_B are `usage_bench` examples built from the two commits, e.g.
#   git worktree add /tmp/a COMMIT_A && (cd /tmp/a && cargo build --release -p custodian-store --example usage_bench)
# Each run: the dry run (usage::check), then a fresh SQLite copy of the register importing the
# carrier file, then the same file again (all duplicates). Wall time and peak RSS from time(1).
# USAGE_GEN_OPTS passes options to bench/usage_gen.py (e.g. "--realistic" for the realistic bill).
set -euo pipefail
A=$1
B=$2
ROWS=${3:-1000000}
DEVICES=${4:-3000}
RUNS=${5:-3}
HERE=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d /tmp/custodian-usage-ab.XXXXXX)
trap 'rm -rf "$W"' EXIT
# shellcheck disable=SC2086
python3 "$HERE/bench/usage_gen.py" "$W" "$DEVICES" "$ROWS" ${USAGE_GEN_OPTS:-} >/dev/null
REG=("$W/people.csv" "$W/devices.csv")
if [[ -f $W/devices_handover.csv ]]; then REG+=("$W/devices_handover.csv"); else REG+=(--at 2026-11-30T00:00:00Z); fi
# One register for both sides (allocations start when the register is loaded, so two loads a
# moment apart would attribute a few records differently). REGISTER_BIN loads it (default BIN_B,
# whose `register` knows the handover file and --at).
"${REGISTER_BIN:-$B}" register "sqlite:$W/reg-a.db" "${REG[@]}" >/dev/null
cp "$W/reg-a.db" "$W/reg-b.db"
echo "rows $ROWS, devices $DEVICES, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$RUNS"); do
  for side in a b; do
    if [[ $side == a ]]; then X=$A; else X=$B; fi
    /usr/bin/time -f "run $i $side check:    %e s wall, %M KB peak RSS" "$X" check "sqlite:$W/reg-$side.db" "$W/carrier.csv" "$W/out-$side.csv" >/dev/null
    cp "$W/reg-$side.db" "$W/imp-$side.db"
    /usr/bin/time -f "run $i $side import:   %e s wall, %M KB peak RSS" "$X" import "sqlite:$W/imp-$side.db" "$W/carrier.csv" >/dev/null
    /usr/bin/time -f "run $i $side reimport: %e s wall, %M KB peak RSS" "$X" import "sqlite:$W/imp-$side.db" "$W/carrier.csv" >/dev/null
    rm -f "$W/imp-$side.db"*
  done
done
if cmp -s <(sort "$W/out-a.csv") <(sort "$W/out-b.csv"); then
  echo "dry-run answers: identical ($(wc -l <"$W/out-a.csv") lines)"
else
  echo "dry-run answers: DIFFER"
fi
