"""Pool comments-score outputs (per-label labelled/found/right) over several files:
python3 pool_sealed.py FILE... -> one table of precision and recall per label."""
import sys
tot = {}
for f in sys.argv[1:]:
    for l in open(f):
        c = [x.strip() for x in l.strip().strip('|').split('|')]
        if len(c) == 7 and c[1].isdigit():
            t = tot.setdefault(c[0], [0, 0, 0])
            t[0] += int(c[1]); t[1] += int(c[2]); t[2] += int(c[3])
print("| label | labelled | precision | recall |\n|---|---:|---:|---:|")
for k, (lab, fd, r) in tot.items():
    print(f"| {k} | {lab} | {r/fd if fd else 0:.3f} | {r/lab if lab else 0:.3f} |")
