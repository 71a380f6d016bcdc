#!/usr/bin/env python3
"""Check dev.jsonl and sealed.jsonl and print per-label counts for each half."""
import collections
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = ["question", "emergency", "crime_report", "complaint", "abuse_staff",
          "hate.race", "hate.religion", "hate.sexual_orientation", "hate.disability",
          "hate.transgender", "threat", "doxxing", "spam"]
PLATFORMS = {"facebook", "x", "instagram", "nextdoor", "youtube", "tiktok"}
FIELDS = {"id", "platform", "account", "post", "author_name", "text", "labels", "target"}
FILES = [("dev.jsonl", "c2d-"), ("sealed.jsonl", "c2s-")]


def main():
    errors = []
    seen = set()
    counts = {}
    totals = {}
    for name, prefix in FILES:
        c = collections.Counter()
        n = 0
        with open(os.path.join(HERE, name), encoding="utf-8") as fh:
            for ln, line in enumerate(fh, 1):
                try:
                    o = json.loads(line)
                except json.JSONDecodeError as e:
                    errors.append(f"{name}:{ln}: invalid JSON ({e})")
                    continue
                n += 1
                if set(o) != FIELDS:
                    errors.append(f"{name}:{ln}: fields {sorted(o)}")
                if not str(o.get("id", "")).startswith(prefix):
                    errors.append(f"{name}:{ln}: id {o.get('id')} lacks prefix {prefix}")
                if o.get("id") in seen:
                    errors.append(f"{name}:{ln}: duplicate id {o.get('id')}")
                seen.add(o.get("id"))
                if o.get("platform") not in PLATFORMS:
                    errors.append(f"{name}:{ln}: unknown platform {o.get('platform')}")
                if not isinstance(o.get("text"), str) or not o["text"].strip():
                    errors.append(f"{name}:{ln}: empty text")
                labs = o.get("labels")
                if not isinstance(labs, list):
                    errors.append(f"{name}:{ln}: labels not a list")
                    continue
                if len(labs) != len(set(labs)):
                    errors.append(f"{name}:{ln}: repeated label")
                for lab in labs:
                    if lab not in LABELS:
                        errors.append(f"{name}:{ln}: unknown label {lab}")
                    c[lab] += 1
                if not labs:
                    c["(none)"] += 1
                if o.get("target") is not None and not isinstance(o["target"], str):
                    errors.append(f"{name}:{ln}: target must be null or a string")
        counts[name] = c
        totals[name] = n
    names = [f for f, _ in FILES]
    print(f"{'label':26}" + "".join(f"{n:>14}" for n in names) + f"{'total':>10}")
    for lab in LABELS + ["(none)"]:
        vals = [counts[n][lab] for n in names]
        print(f"{lab:26}" + "".join(f"{v:>14}" for v in vals) + f"{sum(vals):>10}")
    vals = [totals[n] for n in names]
    print(f"{'comments':26}" + "".join(f"{v:>14}" for v in vals) + f"{sum(vals):>10}")
    if errors:
        print(f"\n{len(errors)} problem(s):")
        for e in errors[:50]:
            print("  " + e)
        sys.exit(1)
    print("\nOK: every line parses, labels are known, ids are unique")


if __name__ == "__main__":
    main()
