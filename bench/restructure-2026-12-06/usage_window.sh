#!/usr/bin/env bash
# One timed window of the usage benchmark, BEFORE (a) and AFTER (b) alternating, on the files
# usage_prep.sh made. Run it through bench/quiet.sh, not niced. Each run, as in
# bench/usage_ab.sh: the dry run, an import into a fresh copy of the register, the same file
# again. Odd runs go a then b, even runs b then a.
#
#   bench/quiet.sh bench/restructure-2026-12-06/usage_window.sh BEFORE AFTER DIR FIRST LAST
set -euo pipefail
. "$(dirname "$0")/window.sh"
A=$1
B=$2
W=$3
run() {
  local t="%e s wall, %U+%S s cpu, %M KB peak RSS"
  cp "$W/reg-$2.db" "$W/imp-$2.db"
  sync
  /usr/bin/time -f "run $1 $2 check:    $t" "$3" check "sqlite:$W/reg-$2.db" "$W/carrier.csv" "$W/out-$2.csv" >/dev/null
  /usr/bin/time -f "run $1 $2 import:   $t" "$3" import "sqlite:$W/imp-$2.db" "$W/carrier.csv" >/dev/null
  /usr/bin/time -f "run $1 $2 reimport: $t" "$3" import "sqlite:$W/imp-$2.db" "$W/carrier.csv" >/dev/null
  rm -f "$W/imp-$2.db"*
}
alternate "$4" "$5" run
if cmp -s <(sort "$W/out-a.csv") <(sort "$W/out-b.csv"); then
  echo "dry-run answers: identical ($(wc -l <"$W/out-a.csv") lines)"
else
  echo "dry-run answers: DIFFER ($(wc -l <"$W/out-a.csv") vs $(wc -l <"$W/out-b.csv") lines)"
fi
window_end
