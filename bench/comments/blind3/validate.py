"""Validate dev.jsonl and sealed.jsonl: JSON per line, exact key set, label names, ids; print counts per label per half."""
import json, os, sys, collections
here = os.path.dirname(os.path.abspath(__file__))
LABELS = ["question","emergency","crime_report","complaint","abuse_staff","hate.race","hate.religion",
          "hate.sexual_orientation","hate.disability","hate.transgender","threat","doxxing","spam"]
KEYS = {"id","platform","account","post","author_name","text","labels","target"}
PLAT = {"facebook","x","instagram","nextdoor","youtube","tiktok"}
errs = 0; counts = {}; totals = {}; seen_text = collections.Counter()
for name, prefix in (("dev.jsonl","c3d"), ("sealed.jsonl","c3s")):
    c = collections.Counter(); n = 0
    with open(os.path.join(here, name), encoding="utf-8") as fh:
        for ln, line in enumerate(fh, 1):
            try:
                r = json.loads(line)
            except Exception as e:
                print(name, ln, "bad json", e); errs += 1; continue
            n += 1
            if set(r) != KEYS: print(name, ln, "keys", sorted(r)); errs += 1
            if r.get("id") != f"{prefix}-{ln:04d}": print(name, ln, "id", r.get("id")); errs += 1
            if r.get("platform") not in PLAT: print(name, ln, "platform", r.get("platform")); errs += 1
            for k in ("account","post","author_name","text"):
                if not isinstance(r.get(k), str) or not r[k].strip(): print(name, ln, "empty", k); errs += 1
            labs = r.get("labels")
            if not isinstance(labs, list) or len(set(labs)) != len(labs) or any(l not in LABELS for l in labs):
                print(name, ln, "labels", labs); errs += 1; labs = []
            if not (r.get("target") is None or isinstance(r.get("target"), str)): print(name, ln, "target"); errs += 1
            c.update(labs); c["(none)"] += not labs; c["(multi)"] += len(labs) > 1
            seen_text[r.get("text")] += 1
    counts[name] = c; totals[name] = n
dups = [t for t, k in seen_text.items() if k > 1]
if dups: print("duplicate texts:", len(dups))
print(f"{'label':26s}{'dev':>6s}{'sealed':>8s}{'total':>7s}")
for l in LABELS + ["(none)", "(multi)"]:
    d, s = counts["dev.jsonl"][l], counts["sealed.jsonl"][l]
    print(f"{l:26s}{d:6d}{s:8d}{d+s:7d}")
print(f"{'rows':26s}{totals['dev.jsonl']:6d}{totals['sealed.jsonl']:8d}{sum(totals.values()):7d}")
print("errors:", errs)
sys.exit(1 if errs else 0)
