#!/usr/bin/env bash
# bench/quiet.sh CMD [ARG...]: run CMD in a quiet window. Every process with a nice value of 1 or
# more (builds and other jobs started with `nice`) is stopped with SIGSTOP for the length of CMD and
# resumed with SIGCONT afterwards, whatever way CMD ends. CMD itself must not be niced.
#
# On a shared 2-core machine this is how the benchmarks in BENCHMARKS.md were timed side by side:
# start background work with `nice -n 19`, time through this script, and keep each window short
# (a few minutes) so that the stopped work is not held up for long. It needs the right to signal
# those processes (the same user, or root).
set -u
pids=$(ps -eo pid=,ni= | awk -v self=$$ '$2 >= 1 && $1 != self {print $1}')
for p in $pids; do kill -STOP "$p" 2>/dev/null; done
trap 'for p in $pids; do kill -CONT "$p" 2>/dev/null; done' EXIT
"$@"
