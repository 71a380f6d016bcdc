#!/bin/bash
# Screen every development file (no sealed file) with a `screening-throughput` binary's
# `--jsonl` mode (the code of `custodian screen --jsonl`) and keep the output, one file per input;
# with two binaries, compare their outputs byte for byte.
#
#   bench/screening/same_output.sh OUTDIR BIN             # write OUTDIR/<name>.out
#   bench/screening/same_output.sh --compare BEFORE_BIN AFTER_BIN
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
files() {
    # The development halves, the holdouts and the in-house corpus; never a sealed file.
    ls "$here"/blind*/dev*.jsonl "$here"/holdout*.jsonl "$root/crates/custodian-screening/corpus.jsonl"
}
run() {
    local out=$1 bin=$2
    mkdir -p "$out"
    for f in $(files); do
        case "$(basename "$f")" in sealed*) continue ;; esac
        name=$(echo "${f#"$root"/}" | tr '/' '_')
        "$bin" --jsonl < "$f" > "$out/$name.out"
    done
}
if [ "${1:-}" = "--compare" ]; then
    tmp=$(mktemp -d)
    run "$tmp/before" "$2"
    run "$tmp/after" "$3"
    n=0
    for f in "$tmp"/before/*.out; do
        b=$(basename "$f")
        if cmp -s "$f" "$tmp/after/$b"; then
            echo "same: $b ($(wc -l < "$f") drafts, $(sha256sum < "$f" | cut -c1-16))"
        else
            echo "DIFFERENT: $b"; n=$((n + 1))
        fi
    done
    rm -rf "$tmp"
    [ "$n" -eq 0 ] && echo "all outputs byte-identical" || { echo "$n files differ"; exit 1; }
else
    run "$1" "$2"
fi
