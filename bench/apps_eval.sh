#!/usr/bin/env bash
# WP034 4.8 evaluation: N devices (default 100,000) x K installed apps (default 40) on SQLite.
# Times Custodian's evaluation (`Store::apps_evaluate`: the set-based query, then opening,
# re-opening and closing findings with their audit events) side by side with the same
# evaluation written as ONE SQL query over the same database, each in its own process so each
# peak RSS is its own. The first Custodian run opens every finding; the second is the
# steady-state full re-evaluation (the goal: under 2 s).
#
#   cargo build --release -p custodian-store --example apps_eval
#   bench/apps_eval.sh [N] [K] [PROFILE]      # PROFILE: release (default) or debug
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
K=${2:-40}
PROFILE=${3:-release}
BIN="${CARGO_TARGET_DIR:-target}/$PROFILE/examples/apps_eval"
[ -x "$BIN" ] || { echo "build it first: cargo build --$PROFILE -p custodian-store --example apps_eval" >&2; exit 1; }
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
DB="$DIR/apps.db"
"$BIN" build "$DB" "$N" "$K"
measure() {
  local label=$1; shift
  /usr/bin/time -f "$label: %e s wall, peak RSS %M KB" "$@"
}
measure "custodian, first evaluation (opens the findings)" "$BIN" custodian "$DB"
measure "custodian, full re-evaluation" "$BIN" custodian "$DB"
measure "custodian, full re-evaluation (again)" "$BIN" custodian "$DB"
measure "one SQL query" "$BIN" one-query "$DB"
measure "one SQL query (again)" "$BIN" one-query "$DB"
