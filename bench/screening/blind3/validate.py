#!/usr/bin/env python3
"""Validate dev3.jsonl: format, UTF-8 byte offsets, overlaps, ids; print counts per category."""
import collections
import json
import re
import sys

ALLOWED = {"marking", "personal.phone", "personal.email", "personal.postcode", "personal.nino", "personal.nhs",
           "personal.card", "personal.bank", "personal.vehicle", "personal.dob", "personal.name",
           "personal.address", "investigation.reference", "investigation.operation", "investigation.suspect",
           "covert", "justice", "abuse", "channel", "copyright", "disrepute"}


def main(path):
    errors = []
    cats = collections.Counter()
    kinds = collections.Counter()
    ids = set()
    texts = set()
    n = clean = 0
    with open(path, encoding="utf-8") as fh:
        for ln, line in enumerate(fh, 1):
            try:
                d = json.loads(line)
            except ValueError as e:
                errors.append("line %d: bad JSON %s" % (ln, e))
                continue
            n += 1
            if list(d.keys()) != ["id", "kind", "text", "spans"]:
                errors.append("line %d: keys %s" % (ln, list(d.keys())))
            want = "b3-%04d" % ln
            if d.get("id") != want:
                errors.append("line %d: id %r, expected %s" % (ln, d.get("id"), want))
            if d.get("id") in ids:
                errors.append("line %d: duplicate id" % ln)
            ids.add(d.get("id"))
            if not isinstance(d.get("kind"), str) or not re.fullmatch(r"[a-z][a-z_-]*", d["kind"]):
                errors.append("line %d: bad kind %r" % (ln, d.get("kind")))
            kinds[d.get("kind")] += 1
            t = d.get("text")
            if not isinstance(t, str) or not t.strip() or t != t.strip():
                errors.append("line %d: empty or unstripped text" % ln)
                continue
            if t in texts:
                errors.append("line %d: duplicate text" % ln)
            texts.add(t)
            b = t.encode("utf-8")
            spans = d.get("spans")
            if not isinstance(spans, list):
                errors.append("line %d: spans not a list" % ln)
                continue
            if not spans:
                clean += 1
            prev_end = -1
            for s in sorted(spans, key=lambda s: (s.get("start", 0), s.get("end", 0))):
                if set(s.keys()) != {"category", "match", "start", "end"}:
                    errors.append("line %d: span keys %s" % (ln, sorted(s.keys())))
                    continue
                if s["category"] not in ALLOWED:
                    errors.append("line %d: unknown category %s" % (ln, s["category"]))
                st, en = s["start"], s["end"]
                if not (isinstance(st, int) and isinstance(en, int) and 0 <= st < en <= len(b)):
                    errors.append("line %d: bad offsets %r" % (ln, s))
                    continue
                try:
                    m = b[st:en].decode("utf-8")
                except UnicodeDecodeError:
                    errors.append("line %d: offsets split a UTF-8 character %r" % (ln, s))
                    continue
                if m != s["match"]:
                    errors.append("line %d: match %r != text %r" % (ln, s["match"], m))
                if m != m.strip():
                    errors.append("line %d: span with leading/trailing blank %r" % (ln, m))
                if st < prev_end:
                    errors.append("line %d: overlapping spans at %d" % (ln, st))
                prev_end = max(prev_end, en)
                cats[s["category"]] += 1
            if spans != sorted(spans, key=lambda s: s["start"]):
                errors.append("line %d: spans not in text order" % ln)
    print("drafts: %d   clean: %d (%.1f%%)   with spans: %d" % (n, clean, 100.0 * clean / max(n, 1), n - clean))
    print("spans per category:")
    for c, k in sorted(cats.items(), key=lambda x: (-x[1], x[0])):
        print("  %-26s %5d" % (c, k))
    print("  %-26s %5d" % ("TOTAL", sum(cats.values())))
    print("drafts with a category:")
    per_doc = collections.Counter()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            for c in {s["category"] for s in json.loads(line)["spans"]}:
                per_doc[c] += 1
    for c, k in sorted(per_doc.items(), key=lambda x: (-x[1], x[0])):
        print("  %-26s %5d" % (c, k))
    print("kinds:", ", ".join("%s=%d" % kv for kv in sorted(kinds.items(), key=lambda x: -x[1])))
    if errors:
        print("ERRORS (%d):" % len(errors))
        for e in errors[:50]:
            print("  " + e)
        return 1
    print("OK: no errors")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else __file__.rsplit("/", 1)[0] + "/dev3.jsonl"))
