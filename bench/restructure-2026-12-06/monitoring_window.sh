#!/usr/bin/env bash
# One timed window of the monitoring draw benchmark (250,000 people, 1,000 areas; each invocation
# draws and verifies 10 times), BEFORE (a) and AFTER (b) alternating. Through bench/quiet.sh.
#
#   bench/quiet.sh bench/restructure-2026-12-06/monitoring_window.sh BEFORE_BIN AFTER_BIN ROUNDS
set -euo pipefail
. "$(dirname "$0")/window.sh"
A=$1
B=$2
run() {
  echo "== round $1 $2"
  /usr/bin/time -f "round $1 $2: %e s wall, %U+%S s cpu, %M KB peak RSS" "$3"
}
alternate 1 "${3:-2}" run
window_end
