#!/usr/bin/env bash
# One timed window of `Store::audit_verify` (what `custodian audit verify` calls), BEFORE (a)
# and AFTER (b) alternating on the databases audit_prep.sh filled. Through bench/quiet.sh.
#
#   bench/quiet.sh bench/restructure-2026-12-06/audit_window.sh BEFORE_BINDIR AFTER_BINDIR DIR FIRST LAST
set -euo pipefail
. "$(dirname "$0")/window.sh"
A=$1
B=$2
W=$3
run() {
  /usr/bin/time -f "run $1 $2 verify: %e s wall, %U+%S s cpu, %M KB peak RSS" "$3/audit_verify_store" verify "$W/audit-$2.db"
}
alternate "$4" "$5" run
window_end
