#!/bin/sh
# Leave-one-corpus-out: for each of the nine blind corpora, train the model on the other eight
# development halves (gated by this branch's pack), and score the held-out development half with
# this branch's rules and that model, with the held-out corpus's staff register.
#   bench/comments/loco/loco.sh OUTDIR [trainer options...]
# PACK=FILE scores another pack (default policy-pack/comments.toml); BIN=DIR other binaries.
# Run from the repository root after `cargo build --release -p custodian-comments --examples`.
set -e
out=$1; shift
mkdir -p "$out"
bin=${BIN:-${TARGET:-target}/release/examples}
staff_for() {
  case $1 in
    blind5|blind6|blind7|blind8) echo bench/comments/$1/staff.csv ;;
    blind9) echo bench/comments/blind9/staff-register.csv ;;
    *) echo bench/comments/staff/$1-dev.csv ;;
  esac
}
repin() {
  python3 - "$1" <<'PY'
import hashlib,sys,re
d=sys.argv[1]
body=open(d+'/comments-model.tsv','rb').read()
ver=[l.split('\t')[2] for l in body.decode().splitlines() if l.startswith('model\t')][0]
s=hashlib.sha256(body).hexdigest()
t=open(d+'/comments.toml').read()
head,sep,rest=t.partition('[model]\n')
rest=re.sub(r'^version = .*$', 'version = "%s"'%ver, rest, count=1, flags=re.M)
rest=re.sub(r'^sha256 = .*$', 'sha256 = "%s"'%s, rest, count=1, flags=re.M)
open(d+'/comments.toml','w').write(head+sep+rest)
PY
}
# The trainer reads each training file's register (`--staff`) for the rules' labels; NOSTAFF=1
# leaves them out (a trainer from before `--staff`).
for held in ${HELD:-blind blind2 blind3 blind4 blind5 blind6 blind7 blind8 blind9}; do
  d=$out/$held; mkdir -p "$d"
  cp "${PACK:-policy-pack/comments.toml}" "$d/comments.toml"; cp policy-pack/comments-model.tsv "$d/"
  repin "$d"
  train=""
  for c in blind blind2 blind3 blind4 blind5 blind6 blind7 blind8 blind9; do
    [ "$c" = "$held" ] && continue
    [ -n "$NOSTAFF" ] || train="$train --staff $(staff_for $c)"
    train="$train bench/comments/$c/dev.jsonl"
  done
  nice -n 19 "$bin/comments-train" --out "$d/comments-model.tsv.new" --gated "$d/comments.toml" "$@" $train 2> "$d/train.log"
  mv "$d/comments-model.tsv.new" "$d/comments-model.tsv"
  repin "$d"
  nice -n 19 "$bin/comments-score" "bench/comments/$held/dev.jsonl" --pack "$d/comments.toml" --no-examples --staff "$(staff_for $held)" > "$d/score.txt"
  echo "$held: $(grep 'all (micro)' "$d/score.txt")"
done
python3 bench/comments/loco/pool.py "$out"/*/score.txt > "$out/pooled.txt"
python3 bench/comments/loco/pool.py "$out"/blind[2-6]/score.txt > "$out/pooled-2to6.txt"
python3 bench/comments/loco/pool.py "$out"/blind[2-7]/score.txt > "$out/pooled-2to7.txt"
python3 bench/comments/loco/pool.py "$out"/blind[2-8]/score.txt > "$out/pooled-2to8.txt"
python3 bench/comments/loco/pool.py "$out"/blind[2-9]/score.txt > "$out/pooled-2to9.txt"
cat "$out/pooled.txt"
