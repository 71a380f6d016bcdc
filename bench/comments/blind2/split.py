#!/usr/bin/env python3
"""Split the hand-written comments into dev and sealed halves.

Reads every scratch/batch*.jsonl (sorted by file name, lines in file order),
shuffles them with random.Random(SEED) from the Python standard library,
puts the first half (rounded up) in dev.jsonl and the rest in sealed.jsonl,
and renumbers ids c2d-0001... and c2s-0001....
"""
import glob
import json
import os
import random

SEED = 20261204
HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    rows = []
    for path in sorted(glob.glob(os.path.join(HERE, "scratch", "batch*.jsonl"))):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    rows.append(json.loads(line))
    random.Random(SEED).shuffle(rows)
    half = (len(rows) + 1) // 2
    parts = {"dev.jsonl": ("c2d", rows[:half]), "sealed.jsonl": ("c2s", rows[half:])}
    for name, (prefix, part) in parts.items():
        with open(os.path.join(HERE, name), "w", encoding="utf-8") as out:
            for i, row in enumerate(part, 1):
                row = dict(row)
                row["id"] = f"{prefix}-{i:04d}"
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"{name}: {len(part)} comments")


if __name__ == "__main__":
    main()
