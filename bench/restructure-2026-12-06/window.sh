# Sourced by the *_window.sh scripts here. `alternate FIRST LAST RUN` calls `RUN I SIDE BIN` for
# runs FIRST..LAST with the build before (side a, $A) and after (side b, $B) alternating: odd runs
# a then b, even runs b then a, so neither side always runs on a warmer cache.
alternate() {
  local first=$1 last=$2 run=$3 i side
  echo "window runs $first-$last, $(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
  for i in $(seq "$first" "$last"); do
    for side in $( ((i % 2)) && echo a b || echo b a); do
      if [[ $side == a ]]; then "$run" "$i" a "$A"; else "$run" "$i" b "$B"; fi
    done
  done
}

window_end() {
  echo "window end $(date -u +%H:%M:%S) UTC"
}
