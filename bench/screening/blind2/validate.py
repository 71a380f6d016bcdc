#!/usr/bin/env python3
"""Validate dev2.jsonl: JSON per line, required fields, unique ids, UTF-8 byte offsets, no overlapping spans, known categories."""
import json, sys, collections
CATS={"marking","personal.phone","personal.email","personal.postcode","personal.nino","personal.nhs","personal.card","personal.bank",
 "personal.vehicle","personal.dob","personal.name","personal.address","investigation.reference","investigation.operation","covert",
 "investigation.suspect","justice","abuse","channel","copyright","disrepute"}
path=sys.argv[1] if len(sys.argv)>1 else "/work/blind-out2/dev2.jsonl"
errs=[]; ids=set(); counts=collections.Counter(); n=0; clean=0
with open(path,encoding="utf-8") as fh:
    for ln,line in enumerate(fh,1):
        try: d=json.loads(line)
        except Exception as e: errs.append(f"line {ln}: bad JSON {e}"); continue
        n+=1
        for k in ("id","kind","text","spans"):
            if k not in d: errs.append(f"line {ln}: missing {k}")
        if d.get("id") in ids: errs.append(f"line {ln}: duplicate id {d.get('id')}")
        ids.add(d.get("id"))
        b=d["text"].encode("utf-8"); prev_end=-1
        if not d["spans"]: clean+=1
        for s in sorted(d["spans"],key=lambda s:(s["start"],s["end"])):
            if s["category"] not in CATS: errs.append(f"{d['id']}: unknown category {s['category']}")
            if not (0<=s["start"]<s["end"]<=len(b)): errs.append(f"{d['id']}: bad range {s}"); continue
            try: got=b[s["start"]:s["end"]].decode("utf-8")
            except UnicodeDecodeError: errs.append(f"{d['id']}: offsets split a character {s}"); continue
            if got!=s["match"]: errs.append(f"{d['id']}: mismatch {got!r} != {s['match']!r}")
            if s["start"]<prev_end: errs.append(f"{d['id']}: overlapping span {s}")
            prev_end=max(prev_end,s["end"]); counts[s["category"]]+=1
print(f"drafts {n}  clean {clean} ({clean/max(n,1):.0%})  spans {sum(counts.values())}")
for c in sorted(counts): print(f"  {c:26s}{counts[c]}")
if errs:
    print(f"{len(errs)} ERRORS"); [print(" ",e) for e in errs[:30]]; sys.exit(1)
print("VALID")
