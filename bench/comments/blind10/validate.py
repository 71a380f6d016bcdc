#!/usr/bin/env python3
"""Check dev.jsonl / sealed.jsonl and print counts per label per half (standard library only)."""
import csv, json, os, sys
HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = ["id", "platform", "account", "post", "author_name", "text", "labels", "target"]
ORDER = ["question", "emergency", "crime_report", "complaint", "abuse_staff", "hate.race",
         "hate.religion", "hate.sexual_orientation", "hate.disability", "hate.transgender",
         "threat", "doxxing", "spam"]
PLATFORMS = {"facebook", "x", "instagram", "nextdoor", "youtube"}
errors = []
def err(m): errors.append(m)
staff = list(csv.DictReader(open(os.path.join(HERE, "staff.csv"), encoding="utf-8")))
if list(staff[0].keys()) != ["staff_number", "given_name", "family_name", "rank", "collar_number", "business_area"]:
    err("staff.csv header")
nums = [s["staff_number"] for s in staff]
if len(set(nums)) != len(nums) or not all(n.isdigit() and len(n) == 5 for n in nums): err("staff numbers")
for s in staff:
    if not s["rank"] and s["collar_number"]: err("police staff with collar " + s["staff_number"])
names = {"%s %s" % (s["given_name"], s["family_name"]) for s in staff}
ids, texts, posts = set(), {}, {}
counts = {}
for half, pfx in (("dev", "c10d-"), ("sealed", "c10s-")):
    c = counts[half] = {l: 0 for l in ORDER}; c["(none)"] = 0; c["TOTAL"] = 0
    for n, line in enumerate(open(os.path.join(HERE, half + ".jsonl"), encoding="utf-8"), 1):
        r = json.loads(line)
        if list(r.keys()) != KEYS: err("%s:%d keys %s" % (half, n, list(r.keys())))
        if not r["id"].startswith(pfx) or r["id"] in ids: err("%s:%d id %s" % (half, n, r["id"]))
        ids.add(r["id"])
        if r["platform"] not in PLATFORMS: err("%s:%d platform" % (half, n))
        for k in KEYS:
            if k != "labels" and not isinstance(r[k], str): err("%s:%d %s not str" % (half, n, k))
        if any(l not in ORDER for l in r["labels"]): err("%s:%d unknown label %s" % (half, n, r["labels"]))
        if r["labels"] != [l for l in ORDER if l in r["labels"]]: err("%s:%d label order/dup" % (half, n))
        t = " ".join(r["text"].lower().split())
        if not t: err("%s:%d empty text" % (half, n))
        if t in texts: err("%s:%d duplicate text of %s" % (half, n, texts[t]))
        texts[t] = r["id"]
        if posts.setdefault(r["post"], half) != half: err("post %s in both halves" % r["post"])
        if r["target"].startswith("staff:") and r["target"][6:] not in names and not r["target"][6:].startswith("unnamed"):
            err("%s:%d staff target not in staff.csv: %s" % (half, n, r["target"]))
        if r["target"] and not r["target"].split(":")[0] in ("staff", "person", "group"): err("%s:%d target form" % (half, n))
        for l in r["labels"]: c[l] += 1
        if not r["labels"]: c["(none)"] += 1
        c["TOTAL"] += 1
print("%-26s %8s %8s" % ("label", "dev", "sealed"))
for l in ORDER + ["(none)", "TOTAL"]:
    print("%-26s %8d %8d" % (l, counts["dev"][l], counts["sealed"][l]))
for h in counts:
    print("%s: no-label share %.1f%%, posts %d" % (h, 100.0 * counts[h]["(none)"] / max(1, counts[h]["TOTAL"]),
          len({p for p, hh in posts.items() if hh == h})))
if errors:
    print("\n".join(errors[:50])); print("ERRORS: %d" % len(errors)); sys.exit(1)
print("OK")
