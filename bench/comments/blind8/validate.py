#!/usr/bin/env python3
"""Validate dev.jsonl and sealed.jsonl. Exit 1 on any error; prints per-label counts per half."""
import csv, json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = ["id", "platform", "account", "post", "author_name", "text", "labels", "target"]
LABELS = ["question", "emergency", "crime_report", "complaint", "abuse_staff", "hate.race", "hate.religion",
          "hate.sexual_orientation", "hate.disability", "hate.transgender", "threat", "doxxing", "spam"]
TARGETED = {"abuse_staff", "threat", "doxxing"} | {l for l in LABELS if l.startswith("hate.")}
PLATFORMS = {"Facebook", "X", "Instagram", "Nextdoor", "YouTube", "TikTok"}
MIN = {l: (25 if l.startswith("hate.") or l == "emergency" else 35) for l in LABELS}
RANKS = {"PC", "PCSO", "PS", "DC", "DS", "Insp"}

errs = []
def err(m):
    errs.append(m)

staff_targets, areas, names = set(), set(), set()
with open(os.path.join(HERE, "staff.csv")) as f:
    rd = csv.reader(f)
    hdr = next(rd)
    if hdr != ["staff_number", "given_name", "family_name", "rank", "collar_number", "business_area"]:
        err("staff.csv header wrong")
    for row in rd:
        num, g, fam, rank, collar, area = row
        if rank:
            if rank not in RANKS or not collar:
                err(f"staff.csv bad officer row {row}")
            staff_targets.add(f"{rank} {g} {fam} ({collar})")
        else:
            if collar:
                err(f"staff.csv staff with collar {row}")
            staff_targets.add(f"{area} {g} {fam}")
        areas.add(area); names.add(f"{g} {fam}")

texts = {}
post_half = {}
counts = {}
sizes = {}
for fname, prefix in (("dev.jsonl", "c8d"), ("sealed.jsonl", "c8s")):
    c = {l: 0 for l in LABELS}; c["(none)"] = 0
    path = os.path.join(HERE, fname)
    raw = open(path, "rb").read()
    try:
        raw.decode("ascii")
    except UnicodeDecodeError:
        err(f"{fname}: non-ASCII bytes")
    n = 0
    for ln, line in enumerate(raw.decode("ascii", "replace").splitlines(), 1):
        o = json.loads(line)
        n += 1
        if list(o.keys()) != KEYS:
            err(f"{fname}:{ln} key order {list(o.keys())}")
        if o["id"] != f"{prefix}-{n:04d}":
            err(f"{fname}:{ln} id {o['id']} expected {prefix}-{n:04d}")
        if o["platform"] not in PLATFORMS:
            err(f"{fname}:{ln} platform {o['platform']}")
        if not str(o["account"]).startswith("@"):
            err(f"{fname}:{ln} account {o['account']}")
        if not re.match(r"^P\d{3} \| .+", o["post"]):
            err(f"{fname}:{ln} post format")
        if not isinstance(o["labels"], list) or len(set(o["labels"])) != len(o["labels"]):
            err(f"{fname}:{ln} labels not list/unique")
        for l in o["labels"]:
            if l not in LABELS:
                err(f"{fname}:{ln} bad label {l}")
            else:
                c[l] += 1
        if not o["labels"]:
            c["(none)"] += 1
        need = bool(set(o["labels"]) & TARGETED)
        t = o["target"]
        if need and not (isinstance(t, str) and t.strip()):
            err(f"{fname}:{ln} missing target")
        if not need and t is not None:
            err(f"{fname}:{ln} target should be null")
        if isinstance(t, str):
            looks_staff = re.match(r"^(PC|PCSO|PS|DC|DS|Insp) \S+ \S+ \(\d+\)$", t) or any(t.startswith(a + " ") for a in areas)
            if looks_staff and t not in staff_targets:
                err(f"{fname}:{ln} staff target not in staff.csv: {t}")
        key = o["text"].strip().lower()
        if key in texts:
            err(f"{fname}:{ln} duplicate text (also {texts[key]})")
        texts[key] = f"{fname}:{ln}"
        pid = o["post"].split(" | ")[0]
        if post_half.setdefault(pid, fname) != fname:
            err(f"post {pid} in both halves")
    counts[fname] = c; sizes[fname] = n

for fname, c in counts.items():
    for l in LABELS:
        if c[l] < MIN[l]:
            err(f"{fname}: {l} has {c[l]} < {MIN[l]}")

print(f"{'label':28s} {'dev':>6s} {'sealed':>7s}")
for l in LABELS + ["(none)"]:
    print(f"{l:28s} {counts['dev.jsonl'][l]:6d} {counts['sealed.jsonl'][l]:7d}")
print(f"{'comments':28s} {sizes['dev.jsonl']:6d} {sizes['sealed.jsonl']:7d}")
print(f"posts: dev {sum(v=='dev.jsonl' for v in post_half.values())}, sealed {sum(v=='sealed.jsonl' for v in post_half.values())}")
if errs:
    print(f"FAIL: {len(errs)} errors")
    for e in errs[:50]:
        print(" ", e)
    sys.exit(1)
print("PASS")
