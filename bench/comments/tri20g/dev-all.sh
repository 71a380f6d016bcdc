#!/bin/sh
# Score every development half (never a sealed one) with one pack and binaries:
#   bench/comments/tri20g/dev-all.sh PACK OUTDIR [extra comments-score options, e.g. --misses]
# Writes OUTDIR/CORPUS-dev.txt for the nine corpora and OUTDIR/pooled.txt.
set -e
pack=$1; out=$2; shift 2
bin=${BIN:-target/release/examples}
mkdir -p "$out"
for c in blind blind2 blind3 blind4 blind5 blind6 blind7 blind8 blind9; do
  case $c in
    blind5|blind6|blind7|blind8) s=bench/comments/$c/staff.csv ;;
    blind9) s=bench/comments/blind9/staff-register.csv ;;
    *) s=bench/comments/staff/$c-dev.csv ;;
  esac
  nice -n 19 "$bin/comments-score" "bench/comments/$c/dev.jsonl" --pack "$pack" --staff "$s" "$@" > "$out/$c-dev.txt"
done
python3 bench/comments/loco/pool.py "$out"/*-dev.txt > "$out/pooled.txt"
