#!/bin/bash
# Custodian's screening against Presidio in one run, on one corpus: the release
# `screening-throughput` (in process, five seconds), then `compare_presidio.py` (Presidio and
# `screen --jsonl` over the same drafts, scored the same way), then `screening-throughput` again.
# The ratio is Custodian's posts per second (before and after) over Presidio's.
#
#   bench/screening/presidio_side_by_side.sh THROUGHPUT_BIN CORPUS.jsonl [PYTHON]
#
# Wrap it in a script that stops the machine's other jobs when the machine is shared.
set -euo pipefail
bin=$1
corpus=$2
python=${3:-/work/venv-bench/bin/python}
here=$(cd "$(dirname "$0")" && pwd)
echo "start: $(date -u) load $(cut -d' ' -f1-3 /proc/loadavg)"
before=$("$bin" "$corpus")
echo "$before"
out=$("$python" "$here/compare_presidio.py" --custodian "$bin" --corpus "$corpus")
echo "$out"
after=$("$bin" "$corpus")
echo "$after"
echo "end: $(date -u) load $(cut -d' ' -f1-3 /proc/loadavg)"
presidio=$(echo "$out" | sed -n 's/^Presidio: .* = \([0-9.]*\) posts\/s.*/\1/p')
rate() { echo "$1" | sed -n 's/.*"posts_per_second": \([0-9.]*\).*/\1/p'; }
awk -v a="$(rate "$before")" -v b="$(rate "$after")" -v p="$presidio" \
    'BEGIN { printf "ratio: Custodian %s and %s posts/s, Presidio %s posts/s: %.0fx and %.0fx\n", a, b, p, a / p, b / p }'
