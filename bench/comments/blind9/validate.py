#!/usr/bin/env python3
"""Validate dev.jsonl and sealed.jsonl. Exit 1 on any failure; prints counts per label per half."""
import csv, json, os, re, sys
HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = ["question", "emergency", "crime_report", "complaint", "abuse_staff", "hate.race",
          "hate.religion", "hate.sexual_orientation", "hate.disability", "hate.transgender",
          "threat", "doxxing", "spam"]
TARGETED = {"abuse_staff", "threat", "doxxing"}
SMALL = {l for l in LABELS if l.startswith("hate.")} | {"emergency"}
KEYS = ["id", "post_id", "platform", "account", "post_gist", "text", "labels", "targets", "source"]
PLATFORMS = {"facebook", "x", "instagram", "nextdoor", "youtube"}
errs = []
def err(m):
    errs.append(m)

staff = set()
with open(os.path.join(HERE, "staff.csv")) as f:
    r = csv.DictReader(f)
    if r.fieldnames != ["given_name", "family_name", "rank", "collar", "business_area"]:
        err("staff.csv columns %s" % r.fieldnames)
    for row in r:
        if bool(row["rank"]) != bool(row["collar"]):
            err("staff rank/collar mismatch %s" % row)
        staff.add(row["given_name"] + " " + row["family_name"])

halves = {}
for name, prefix in (("dev.jsonl", "c9d"), ("sealed.jsonl", "c9s")):
    rows = []
    raw = open(os.path.join(HERE, name), "rb").read()
    try:
        raw.decode("ascii")
    except UnicodeDecodeError:
        err(name + " not ASCII")
    for i, line in enumerate(raw.decode("ascii", "replace").splitlines(), 1):
        try:
            o = json.loads(line)
        except Exception as e:
            err("%s:%d bad json %s" % (name, i, e)); continue
        if list(o.keys()) != KEYS:
            err("%s:%d keys %s" % (name, i, list(o.keys())))
        if o.get("id") != "%s-%04d" % (prefix, i):
            err("%s:%d id %s" % (name, i, o.get("id")))
        if o.get("platform") not in PLATFORMS:
            err("%s:%d platform" % (name, i))
        if not re.fullmatch(r"P\d{3}", o.get("post_id", "")):
            err("%s:%d post_id" % (name, i))
        if not isinstance(o.get("text"), str) or not o["text"].strip():
            err("%s:%d empty text" % (name, i))
        if o.get("source") not in ("hand", "template"):
            err("%s:%d source" % (name, i))
        labs, tg = o.get("labels", []), o.get("targets", [])
        if not isinstance(labs, list) or len(set(labs)) != len(labs) or any(l not in LABELS for l in labs):
            err("%s:%d labels %s" % (name, i, labs))
        needs = bool(set(labs) & TARGETED)
        if needs != bool(tg):
            err("%s:%d targets present=%s targeted label=%s" % (name, i, bool(tg), needs))
        for t in tg:
            kind, _, val = t.partition(":")
            if kind not in ("staff", "person", "property", "group") or not val:
                err("%s:%d target %s" % (name, i, t))
            if kind == "staff" and val not in staff:
                err("%s:%d staff target not in staff.csv: %s" % (name, i, val))
        if "abuse_staff" in labs and not any(t.startswith("staff:") for t in tg):
            err("%s:%d abuse_staff without staff target" % (name, i))
        rows.append(o)
    halves[name] = rows

d, s = halves["dev.jsonl"], halves["sealed.jsonl"]
for name, rows in halves.items():
    texts = [r["text"].lower() for r in rows]
    if len(set(texts)) != len(texts):
        err(name + " duplicate texts within half")
dup = {r["text"].lower() for r in d} & {r["text"].lower() for r in s}
if dup:
    err("%d texts in both halves, e.g. %s" % (len(dup), sorted(dup)[:3]))
both = {r["post_id"] for r in d} & {r["post_id"] for r in s}
if both:
    err("posts in both halves: %s" % sorted(both))

print("%-26s %6s %6s %6s" % ("label", "dev", "sealed", "total"))
for l in LABELS + ["(none)"]:
    cd = sum(1 for r in d if (l in r["labels"] if l != "(none)" else not r["labels"]))
    cs = sum(1 for r in s if (l in r["labels"] if l != "(none)" else not r["labels"]))
    print("%-26s %6d %6d %6d" % (l, cd, cs, cd + cs))
    if l != "(none)":
        mn = 25 if l in SMALL else 35
        if cd < mn or cs < mn:
            err("minimum %d not met for %s (dev %d, sealed %d)" % (mn, l, cd, cs))
allr = d + s
print("%-26s %6d %6d %6d" % ("comments", len(d), len(s), len(allr)))
print("posts: dev %d, sealed %d" % (len({r['post_id'] for r in d}), len({r['post_id'] for r in s})))
hand = sum(1 for r in allr if r["source"] == "hand")
print("typed by hand: %d of %d (%.1f%%); no label: %.1f%%" % (hand, len(allr), 100.0 * hand / len(allr),
      100.0 * sum(1 for r in allr if not r["labels"]) / len(allr)))
if hand < 0.85 * len(allr):
    err("hand share below 85%")
if errs:
    print("FAIL (%d problems)" % len(errs))
    for e in errs[:40]:
        print(" -", e)
    sys.exit(1)
print("PASS")
