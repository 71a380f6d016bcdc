"""Consistency lint for hand-written files (author aid, not part of the data)."""
import re, sys
from markup import load_hand
PUBLIC = {"sceptre","snap","encompass","close","makesafe","limelight","tutelage"}
for path in sys.argv[1:]:
    for i, r in enumerate(load_hand(path)):
        t = r["text"]; b = t.encode()
        cov = [(s["start"], s["end"]) for s in r["spans"]]
        def covered(cs, ce):
            return any(s <= cs and ce <= e for s, e in cov)
        def bpos(m):
            return len(t[:m.start()].encode()), len(t[:m.end()].encode())
        toks = set()
        for s in r["spans"]:
            if s["category"] == "personal.name":
                for tok in re.findall(r"[^\W\d_]{3,}", s["match"]):
                    toks.add(tok.lower())
        for tok in toks:
            for m in re.finditer(r"(?i)(?<![^\W\d_])" + re.escape(tok) + r"(?![^\W\d_])", t):
                if not covered(*bpos(m)):
                    print(f"{path}#{i} unlabelled name '{tok}': {t[:90]!r}")
        for m in re.finditer(r"(?:Operation|OPERATION|operation|Op\.?|OP|op)\s?([A-Z][A-Za-z]+)", t):
            if m.group(1).lower() not in PUBLIC and not covered(*bpos(m)):
                print(f"{path}#{i} operation? {m.group(0)!r}: {t[:90]!r}")
        for m in re.finditer(r"OFFICIAL[- ]*SENSITIVE|Official[- ]*Sensitive|\bSECRET\b|RESTRICTED|CONFIDENTIAL|\bPROTECT\b", t):
            if not covered(*bpos(m)):
                print(f"{path}#{i} marking? {m.group(0)!r}: {t[:90]!r}")
