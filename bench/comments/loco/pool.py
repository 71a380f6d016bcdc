#!/usr/bin/env python3
"""Pool comments-score tables (one per held-out corpus) into one per-label table: counts summed."""
import sys
tot = {}
for f in sys.argv[1:]:
    for line in open(f):
        p = [x.strip() for x in line.strip().strip('|').split('|')]
        if len(p) == 7 and p[1].isdigit() and not p[0].startswith('all'):
            g, fd, r = int(p[1]), int(p[2]), int(p[3])
            a = tot.setdefault(p[0], [0, 0, 0])
            a[0] += g; a[1] += fd; a[2] += r
print('| label | labelled | found | right | precision | recall |')
print('|---|---:|---:|---:|---:|---:|')
G = F = R = 0
for k in sorted(tot):
    g, fd, r = tot[k]
    G += g; F += fd; R += r
    print(f'| {k} | {g} | {fd} | {r} | {r/fd if fd else 1:.3f} | {r/g if g else 1:.3f} |')
print(f'| all (micro) | {G} | {F} | {R} | {R/F:.3f} | {R/G:.3f} |')
