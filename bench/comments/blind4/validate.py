#!/usr/bin/env python3
"""Validate /work/cblind4/dev.jsonl and sealed.jsonl; print counts per label per half."""
import json, re, sys
from collections import Counter
LABELS = ["question","emergency","crime_report","complaint","abuse_staff","hate.race","hate.religion",
          "hate.sexual_orientation","hate.disability","hate.transgender","threat","doxxing","spam"]
KEYS = {"id","platform","account","post","author_name","text","labels","target"}
PLATFORMS = {"facebook","x","instagram","nextdoor","tiktok","youtube"}
TARGETED = {"abuse_staff","threat","doxxing"}
errors = []
def check(path, prefix):
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                r = json.loads(line)
            except Exception as e:
                errors.append(f"{path}:{n} bad JSON {e}"); continue
            if set(r) != KEYS: errors.append(f"{path}:{n} keys {sorted(r)}")
            if r.get("id") != f"{prefix}-{n:04d}": errors.append(f"{path}:{n} id {r.get('id')}")
            if r.get("platform") not in PLATFORMS: errors.append(f"{path}:{n} platform {r.get('platform')}")
            for k in ("account","post","author_name","text"):
                if not isinstance(r.get(k), str) or not r[k].strip(): errors.append(f"{path}:{n} empty {k}")
            if not str(r.get("account","")).startswith("@"): errors.append(f"{path}:{n} account")
            labs = r.get("labels")
            if not isinstance(labs, list) or any(l not in LABELS for l in labs) or len(set(labs)) != len(labs):
                errors.append(f"{path}:{n} labels {labs}")
            else:
                needs = any(l in TARGETED or l.startswith("hate.") for l in labs)
                t = r.get("target")
                if needs and not (isinstance(t, str) and t.strip()): errors.append(f"{path}:{n} missing target")
                if not needs and t is not None: errors.append(f"{path}:{n} target should be null")
            rows.append(r)
    return rows
dev = check("/work/cblind4/dev.jsonl", "c4d")
sealed = check("/work/cblind4/sealed.jsonl", "c4s")
texts = Counter(r["text"] for r in dev + sealed)
dups = [t for t, c in texts.items() if c > 1]
if dups: errors.append(f"{len(dups)} duplicate texts")
if errors:
    print("ERRORS:"); print("\n".join(errors[:50])); sys.exit(1)
cd = Counter(l for r in dev for l in r["labels"]); cs = Counter(l for r in sealed for l in r["labels"])
print(f"{'label':26s}{'dev':>6s}{'sealed':>8s}{'total':>7s}")
for l in LABELS: print(f"{l:26s}{cd[l]:6d}{cs[l]:8d}{cd[l]+cs[l]:7d}")
for name, rs in (("dev", dev), ("sealed", sealed)):
    un = sum(1 for r in rs if not r["labels"]); mu = sum(1 for r in rs if len(r["labels"]) > 1)
    print(f"{name}: rows={len(rs)} unlabelled={un} ({100*un/len(rs):.1f}%) multi-label={mu}")
print(f"total rows={len(dev)+len(sealed)}  OK")
