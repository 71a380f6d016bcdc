#!/usr/bin/env bash
# One timed window of the WP034 4.8 evaluation (`Store::apps_evaluate`), BEFORE (a) and AFTER
# (b) alternating: on a fresh copy of each build's fixture, the first evaluation (opens every
# finding with its audit event), then the full re-evaluation twice. Through bench/quiet.sh.
#
#   bench/quiet.sh bench/restructure-2026-12-06/apps_window.sh BEFORE_BIN AFTER_BIN DIR FIRST LAST
set -euo pipefail
. "$(dirname "$0")/window.sh"
A=$1
B=$2
W=$3
run() {
  local what
  rm -f "$W/work-$2.db"*
  cp "$W/apps-$2.db" "$W/work-$2.db"
  for what in first re-eval re-eval2; do
    /usr/bin/time -f "run $1 $2 $what: %e s wall, %U+%S s cpu, %M KB peak RSS" "$3" custodian "$W/work-$2.db" | tr '\n' ' '
    echo
  done
}
alternate "$4" "$5" run
rm -f "$W"/work-*.db*
window_end
