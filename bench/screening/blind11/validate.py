#!/usr/bin/env python3
"""Validate dev11.jsonl and sealed11.jsonl against the CATEGORIES.md format."""
import json, os, sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
CATS = ["marking", "personal.phone", "personal.email", "personal.postcode", "personal.nino",
        "personal.nhs", "personal.card", "personal.bank", "personal.vehicle", "personal.dob",
        "personal.name", "personal.address", "investigation.reference",
        "investigation.operation", "covert", "investigation.suspect", "justice", "abuse",
        "channel", "copyright", "disrepute"]
errors = []
ids, texts = set(), {}
counts, drafts, clean = {}, Counter(), Counter()
for fn in ("dev11.jsonl", "sealed11.jsonl"):
    c = Counter()
    counts[fn] = c
    with open(os.path.join(HERE, fn), encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            where = f"{fn}:{ln}"
            try:
                r = json.loads(line)
            except Exception as e:
                errors.append(f"{where}: bad json {e}"); continue
            if set(r) != {"id", "kind", "text", "spans"}:
                errors.append(f"{where}: keys {sorted(r)}")
            if not isinstance(r.get("id"), str) or not isinstance(r.get("kind"), str) or not r["kind"]:
                errors.append(f"{where}: id/kind")
            exp = "b11d-" if fn.startswith("dev") else "b11s-"
            if not r["id"].startswith(exp):
                errors.append(f"{where}: id prefix {r['id']}")
            if r["id"] in ids:
                errors.append(f"{where}: duplicate id {r['id']}")
            ids.add(r["id"])
            t = r["text"]
            if not isinstance(t, str) or not t.strip():
                errors.append(f"{where}: empty text")
            key = t.strip().lower()
            if key in texts:
                errors.append(f"{where}: duplicate text (also {texts[key]})")
            texts[key] = where
            b = t.encode("utf-8")
            drafts[fn] += 1
            if not r["spans"]:
                clean[fn] += 1
            prev = []
            for s in r["spans"]:
                if set(s) != {"category", "match", "start", "end"}:
                    errors.append(f"{where}: span keys {sorted(s)}")
                    continue
                if s["category"] not in CATS:
                    errors.append(f"{where}: unknown category {s['category']}")
                st, en = s["start"], s["end"]
                if not (isinstance(st, int) and isinstance(en, int) and 0 <= st < en <= len(b)):
                    errors.append(f"{where}: bad offsets {st},{en}")
                    continue
                if b[st:en] != s["match"].encode("utf-8"):
                    errors.append(f"{where}: bytes[{st}:{en}]={b[st:en]!r} != match {s['match']!r}")
                for (a, z) in prev:
                    if st < z and a < en:
                        errors.append(f"{where}: overlapping spans")
                prev.append((st, en))
                c[s["category"]] += 1
print(f"{'category':26s} {'dev11':>6s} {'sealed11':>9s}")
for cat in CATS:
    print(f"{cat:26s} {counts['dev11.jsonl'][cat]:6d} {counts['sealed11.jsonl'][cat]:9d}")
print(f"{'drafts':26s} {drafts['dev11.jsonl']:6d} {drafts['sealed11.jsonl']:9d}")
print(f"{'clean drafts':26s} {clean['dev11.jsonl']:6d} {clean['sealed11.jsonl']:9d}")
if errors:
    print(f"{len(errors)} ERRORS")
    for e in errors[:50]:
        print("  " + e)
    sys.exit(1)
print("OK: all records valid")
