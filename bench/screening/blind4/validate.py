#!/usr/bin/env python3
"""Validate dev4.jsonl and sealed4.jsonl: JSON, key set, ids, UTF-8 byte offsets, overlaps, categories,
thresholds; print counts per category per half; check the halves share no text, no labelled name token
and no operation name."""
import json, os, re, sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = [("dev", "dev4.jsonl", "b4d-"), ("sealed", "sealed4.jsonl", "b4s-")]
KEYS = {"id", "kind", "text", "spans"}
SPAN_KEYS = {"category", "match", "start", "end"}
CATS = ["marking", "personal.phone", "personal.email", "personal.postcode", "personal.nino", "personal.nhs",
        "personal.card", "personal.bank", "personal.vehicle", "personal.dob", "personal.name", "personal.address",
        "investigation.reference", "investigation.operation", "covert",
        "investigation.suspect", "justice", "abuse", "channel", "copyright", "disrepute"]
MIN = {c: 80 for c in CATS[:15]}
MIN["personal.name"] = 200
MIN["covert"] = 120

def check(path, prefix):
    errs, rows = [], []
    with open(path, encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            try:
                r = json.loads(line)
            except Exception as e:
                errs.append(f"{path}:{ln} bad JSON {e}"); continue
            rows.append(r)
            if set(r) != KEYS:
                errs.append(f"{path}:{ln} keys {sorted(r)}"); continue
            if r["id"] != f"{prefix}{ln:04d}":
                errs.append(f"{path}:{ln} id {r['id']} expected {prefix}{ln:04d}")
            if not isinstance(r["kind"], str) or not r["kind"] or not isinstance(r["text"], str):
                errs.append(f"{path}:{ln} kind/text type")
            b = r["text"].encode("utf-8")
            prev_end = -1
            for s in sorted(r["spans"], key=lambda s: (s.get("start", 0), s.get("end", 0))):
                if set(s) != SPAN_KEYS:
                    errs.append(f"{path}:{ln} span keys {sorted(s)}"); continue
                if s["category"] not in CATS:
                    errs.append(f"{path}:{ln} unknown category {s['category']}")
                st, en = s["start"], s["end"]
                if not (isinstance(st, int) and isinstance(en, int) and 0 <= st < en <= len(b)):
                    errs.append(f"{path}:{ln} bad offsets {st}-{en}"); continue
                try:
                    got = b[st:en].decode("utf-8")
                except UnicodeDecodeError:
                    errs.append(f"{path}:{ln} offsets split a UTF-8 character {st}-{en}"); continue
                if got != s["match"]:
                    errs.append(f"{path}:{ln} match mismatch {got!r} != {s['match']!r}")
                if s["match"] != s["match"].strip():
                    errs.append(f"{path}:{ln} span has leading/trailing whitespace {s['match']!r}")
                if st < prev_end:
                    errs.append(f"{path}:{ln} overlapping spans at {st}")
                prev_end = max(prev_end, en)
    return rows, errs

def main():
    ok = True
    data = {}
    for half, fn, prefix in FILES:
        rows, errs = check(os.path.join(HERE, fn), prefix)
        data[half] = rows
        for e in errs[:50]:
            print("ERROR", e)
        ok &= not errs
        ids = [r["id"] for r in rows]
        if len(set(ids)) != len(ids):
            print("ERROR duplicate ids in", fn); ok = False
        n = len(rows); clean = sum(1 for r in rows if not r["spans"])
        if n < 1000:
            print(f"ERROR {fn}: only {n} drafts"); ok = False
        if clean / n < 0.40:
            print(f"ERROR {fn}: clean share {clean/n:.1%}"); ok = False
    counts = {h: Counter(s["category"] for r in data[h] for s in r["spans"]) for h in data}
    print(f"{'category':26s} {'dev':>6s} {'sealed':>7s}")
    for c in CATS:
        print(f"{c:26s} {counts['dev'][c]:6d} {counts['sealed'][c]:7d}")
        for h in data:
            if c in MIN and counts[h][c] < MIN[c]:
                print(f"ERROR {h}: {c} has {counts[h][c]} < {MIN[c]}"); ok = False
    for h in data:
        n = len(data[h]); clean = sum(1 for r in data[h] if not r["spans"])
        print(f"{h}: {n} drafts, {clean} clean ({clean/n:.1%}), {sum(len(r['spans']) for r in data[h])} spans")
    # cross-half disjointness
    texts = {h: {r["text"] for r in data[h]} for h in data}
    shared = texts["dev"] & texts["sealed"]
    if shared:
        print(f"ERROR {len(shared)} identical texts in both halves, e.g. {next(iter(shared))[:80]!r}"); ok = False
    def name_tokens(h):
        return {t.lower() for r in data[h] for s in r["spans"] if s["category"] == "personal.name"
                for t in re.findall(r"[^\W\d_]{3,}", s["match"])}
    common = name_tokens("dev") & name_tokens("sealed")
    if common:
        print("ERROR name tokens labelled in both halves:", sorted(common)); ok = False
    def ops(h):
        return {re.sub(r"^(operation|op\.?)\s*", "", s["match"].lower()).strip() for r in data[h]
                for s in r["spans"] if s["category"] == "investigation.operation"}
    if ops("dev") & ops("sealed"):
        print("ERROR operation names in both halves:", sorted(ops("dev") & ops("sealed"))); ok = False
    print("OK" if ok else "FAILED")
    return 0 if ok else 1

if __name__ == "__main__":
    sys.exit(main())
