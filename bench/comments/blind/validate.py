#!/usr/bin/env python3
"""Validate dev.jsonl and sealed.jsonl; print label counts per file.

Checks: valid JSON per line, exact key set, id format and sequence, platform
and account shape, unique texts (within and across files, also after
normalising case/punctuation), labels from LABELS.md (sorted, no duplicates),
target rules (abuse_staff always has a target; a target only with
abuse_staff/threat/doxxing; target text occurs in the comment), fictional
data (phones only in Ofcom drama ranges, e-mail only example.com /
example.co.uk), no raw slurs, >=60 positives per label, 35-40% unlabelled.
Exit status 1 on any failure.  Standard library only.
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = ["question", "emergency", "crime_report", "complaint", "abuse_staff",
          "hate.race", "hate.religion", "hate.sexual_orientation", "hate.disability",
          "hate.transgender", "threat", "doxxing", "spam"]
KEYS = ["id", "platform", "account", "author_name", "text", "labels", "target"]
PLATFORMS = {"facebook", "x", "instagram", "nextdoor", "youtube"}
FILES = [("dev.jsonl", "cd"), ("sealed.jsonl", "cs")]
TARGETED = {"abuse_staff", "threat", "doxxing"}
MIN_POS = 60
# raw (unobfuscated) slurs that must never appear in the corpus ("fags" is
# deliberately absent: British slang for cigarettes, used as a hard negative)
RAW_SLURS = ["paki", "pakis", "faggot", "faggots", "retard", "retards", "retarded",
             "spastic", "spastics", "tranny", "trannies", "trannie", "muzzie", "muzzies",
             "pikey", "pikeys", "gypo", "gypos", "coon", "coons", "chinks", "mong", "mongs",
             "dyke", "dykes", "poof", "homos", "queers", "troon", "troons", "bender",
             "benders", "spazzers", "lezzers", "lezzas", "lesbos", "kike", "nigger", "spaz",
             "spacker", "gyppos", "trannys", "midgets", "poofs"]
PHONE = re.compile(r"\b0\d{3,4} ?\d{3} ?\d{3,4}\b|\b07\d{3} ?\d{6}\b")
ALLOWED_PHONE = re.compile(r"^(07700 ?900\d{3}|01632 ?960\d{3}|0800 555 111|0300 123 2040)$")
EMAIL = re.compile(r"[\w.+-]+@([\w-]+\.)+[a-z]{2,}", re.I)


def norm(t):
    return re.sub(r"[^a-z0-9]", "", t.lower())


def main():
    errors = []
    counts = {}
    seen_norm = {}
    for fname, prefix in FILES:
        path = os.path.join(HERE, fname)
        c = {l: 0 for l in LABELS}
        c["(none)"] = 0
        c["(multi)"] = 0
        n = 0
        with open(path, encoding="utf-8") as fh:
            for ln, line in enumerate(fh, 1):
                where = "%s:%d" % (fname, ln)
                try:
                    r = json.loads(line)
                except json.JSONDecodeError as e:
                    errors.append("%s bad JSON %s" % (where, e))
                    continue
                n += 1
                if list(r.keys()) != KEYS:
                    errors.append("%s keys %s" % (where, list(r.keys())))
                    continue
                if r["id"] != "%s-%04d" % (prefix, ln):
                    errors.append("%s id %s" % (where, r["id"]))
                if r["platform"] not in PLATFORMS:
                    errors.append("%s platform %s" % (where, r["platform"]))
                if not re.fullmatch(r"@[A-Za-z]+", r["account"] or ""):
                    errors.append("%s account %s" % (where, r["account"]))
                if not isinstance(r["author_name"], str) or not r["author_name"].strip():
                    errors.append("%s author_name" % where)
                t = r["text"]
                if not isinstance(t, str) or not t.strip():
                    errors.append("%s empty text" % where)
                    continue
                k = norm(t) or t
                if k in seen_norm:
                    errors.append("%s duplicate text of %s" % (where, seen_norm[k]))
                seen_norm[k] = where
                labs = r["labels"]
                if not isinstance(labs, list) or labs != sorted(set(labs)):
                    errors.append("%s labels not a sorted unique list: %s" % (where, labs))
                for l in labs:
                    if l not in LABELS:
                        errors.append("%s unknown label %s" % (where, l))
                    else:
                        c[l] += 1
                if not labs:
                    c["(none)"] += 1
                if len(labs) > 1:
                    c["(multi)"] += 1
                tg = r["target"]
                if "abuse_staff" in labs and not tg:
                    errors.append("%s abuse_staff without target" % where)
                if tg is not None:
                    if not isinstance(tg, str) or not tg.strip():
                        errors.append("%s bad target %r" % (where, tg))
                    elif not TARGETED & set(labs):
                        errors.append("%s target without abuse_staff/threat/doxxing" % where)
                    elif tg.lower() not in t.lower():
                        errors.append("%s target %r not in text" % (where, tg))
                for m in PHONE.finditer(t):
                    if not ALLOWED_PHONE.match(m.group(0)):
                        errors.append("%s non-fictional phone %s" % (where, m.group(0)))
                for m in EMAIL.finditer(t):
                    if not m.group(0).lower().endswith(("@example.com", "@example.co.uk")):
                        errors.append("%s non-example e-mail %s" % (where, m.group(0)))
                if re.search(r"\bn[*]+r\b|n[i1!*]gg", t.lower()):
                    errors.append("%s masked form reads as an unlisted slur" % where)
                words = set(re.findall(r"[a-z]+", t.lower()))
                for s in RAW_SLURS:
                    if s in words:
                        errors.append("%s raw slur %r" % (where, s))
        for l in LABELS:
            if c[l] < MIN_POS:
                errors.append("%s: label %s has only %d positives" % (fname, l, c[l]))
        share = c["(none)"] / max(n, 1)
        if not 0.35 <= share <= 0.40:
            errors.append("%s: unlabelled share %.3f outside 35-40%%" % (fname, share))
        c["(total)"] = n
        counts[fname] = c

    rows = LABELS + ["(none)", "(multi)", "(total)"]
    print("%-26s %9s %12s" % ("label", "dev.jsonl", "sealed.jsonl"))
    for l in rows:
        print("%-26s %9d %12d" % (l, counts.get("dev.jsonl", {}).get(l, 0),
                                 counts.get("sealed.jsonl", {}).get(l, 0)))
    if errors:
        print("\nFAILED (%d problems):" % len(errors))
        for e in errors[:60]:
            print("  " + e)
        sys.exit(1)
    print("\nOK: all checks passed")


if __name__ == "__main__":
    main()
