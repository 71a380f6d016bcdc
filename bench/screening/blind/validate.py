#!/usr/bin/env python3
"""Validate dev.jsonl and sealed.jsonl: JSON, ids, byte offsets, overlaps; print per-category counts."""
import json, re, sys
from collections import Counter
PUBLIC = {"Sceptre", "Snap", "Encompass", "Close", "Makesafe", "Limelight", "Tutelage"}
ok = True
allcounts = {}
for fn, prefix in (("dev.jsonl", "bd-"), ("sealed.jsonl", "bs-")):
    ids = set(); cats = Counter(); clean = 0; n = 0; kinds = Counter(); problems = []
    for ln, line in enumerate(open("/work/blind-out/" + fn, encoding="utf-8"), 1):
        r = json.loads(line); n += 1
        assert set(r) == {"id", "kind", "text", "spans"}, r.keys()
        assert r["id"].startswith(prefix) and r["id"] not in ids, r["id"]; ids.add(r["id"])
        b = r["text"].encode("utf-8"); kinds[r["kind"]] += 1
        sp = sorted(r["spans"], key=lambda s: (s["start"], s["end"]))
        for s in sp:
            assert set(s) == {"category", "match", "start", "end"}
            if b[s["start"]:s["end"]].decode("utf-8") != s["match"]:
                problems.append(("offset", r["id"], s)); ok = False
            if s["match"] != s["match"].strip() or not s["match"]:
                problems.append(("whitespace", r["id"], s)); ok = False
            cats[s["category"]] += 1
        for a, c in zip(sp, sp[1:]):
            if c["start"] < a["end"] and not (a["start"] == c["start"] and a["end"] == c["end"]):
                problems.append(("overlap", r["id"], a, c)); ok = False
        if not sp:
            clean += 1
            t = r["text"]
            for m in re.finditer(r"\b(?:Operation|Op)\s*([A-Z][a-z]+)", t):
                if m.group(1) not in PUBLIC: problems.append(("clean-op?", r["id"], m.group(0)))
            if re.search(r"OFFICIAL[- –]+SENSITIVE|\bRESTRICTED\b|\bCONFIDENTIAL\b|\bPROTECT\b", t):
                problems.append(("clean-marking?", r["id"], t[:80]))
    exp = ["%s%04d" % (prefix, i) for i in range(1, n + 1)]
    assert sorted(ids) == exp, "ids not contiguous"
    print(f"{fn}: {n} drafts, {clean} clean ({100*clean/n:.1f}%), {sum(cats.values())} spans")
    for k, v in sorted(cats.items()): print(f"   {k:26s} {v}")
    print("   kinds:", dict(kinds))
    for p in problems[:20]: print("   PROBLEM", p)
    allcounts[fn] = cats
print("VALID" if ok else "INVALID")
