"""Read scratch/batch_*.jsonl in name order, shuffle with random.Random(20261205),
write first half (rounded up) to dev.jsonl (c3d-0001...) and the rest to sealed.jsonl (c3s-0001...)."""
import json, glob, os, random
here = os.path.dirname(os.path.abspath(__file__))
rows = []
for f in sorted(glob.glob(os.path.join(here, "scratch", "batch_*.jsonl"))):
    with open(f, encoding="utf-8") as fh:
        rows += [json.loads(l) for l in fh if l.strip()]
random.Random(20261205).shuffle(rows)
half = (len(rows) + 1) // 2
for name, prefix, part in (("dev.jsonl", "c3d", rows[:half]), ("sealed.jsonl", "c3s", rows[half:])):
    with open(os.path.join(here, name), "w", encoding="utf-8") as o:
        for i, r in enumerate(part, 1):
            r = dict(r); r["id"] = f"{prefix}-{i:04d}"
            o.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(name, len(part))
