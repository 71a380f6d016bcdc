#!/usr/bin/env bash
# Set-up for apps_window.sh (untimed; run it niced): each build writes its own fixture (its own
# schema) with `apps_eval build`: N devices with K installed apps each, as bench/apps_eval.sh.
#
#   bench/restructure-2026-12-06/apps_prep.sh BEFORE_BIN AFTER_BIN DIR [N] [K]
set -euo pipefail
A=$1
B=$2
W=$3
N=${4:-100000}
K=${5:-40}
mkdir -p "$W"
rm -f "$W"/apps-*.db*
"$A" build "$W/apps-a.db" "$N" "$K"
"$B" build "$W/apps-b.db" "$N" "$K"
ls -l "$W"/apps-*.db
