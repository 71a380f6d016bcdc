"""Convert hand-written compact batch files scratch/batch_NN.txt into scratch/batch_NN.jsonl.
Format:  #POST <key> | <platform code> | <account> | <post description>
         <key>|<platform code or ->|<author>|<labels comma sep or ->[@target]|<text>
Label codes: q question, e emergency, c crime_report, k complaint, a abuse_staff,
 hr hate.race, hg hate.religion, hs hate.sexual_orientation, hd hate.disability,
 ht hate.transgender, t threat, d doxxing, s spam."""
import json, glob, os, sys, re
P = {"fb":"facebook","x":"x","ig":"instagram","nd":"nextdoor","yt":"youtube","tt":"tiktok"}
L = {"q":"question","e":"emergency","c":"crime_report","k":"complaint","a":"abuse_staff",
     "hr":"hate.race","hg":"hate.religion","hs":"hate.sexual_orientation","hd":"hate.disability",
     "ht":"hate.transgender","t":"threat","d":"doxxing","s":"spam"}
DEF = {"hate.race":"people from ethnic minorities","hate.religion":"people of a faith group",
       "hate.sexual_orientation":"gay, lesbian and bisexual people","hate.disability":"disabled people",
       "hate.transgender":"transgender people"}
here = os.path.dirname(os.path.abspath(__file__))
bad = 0
for f in sorted(glob.glob(os.path.join(here, "scratch", "batch_*.txt"))):
    posts, rows = {}, []
    bn = os.path.basename(f)[6:-4]
    for ln, line in enumerate(open(f, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("//"):
            continue
        if line.startswith("#POST"):
            k, pl, acc, desc = [x.strip() for x in line[5:].split("|", 3)]
            posts[k] = (P[pl], acc, desc); continue
        try:
            k, pl, au, lab, txt = line.split("|", 4)
            plat, acc, desc = posts[k.strip()]
            if pl.strip() not in ("-", ""):
                plat = P[pl.strip()]
            lab = lab.strip(); tgt = None
            m = re.search(r"(?<=\S)@([^@|]+)$", txt.strip())
            if m and "@" not in lab and lab not in ("-", ""):
                lab = lab + "@" + m.group(1); txt = txt.strip()[:m.start()]
            if "@" in lab:
                lab, tgt = lab.split("@", 1); tgt = tgt.strip()
            labs = [] if lab.strip() in ("-", "") else [L[c.strip()] for c in lab.split(",")]
            if tgt is None:
                for l in labs:
                    if l in DEF: tgt = DEF[l]; break
            if any(l in ("abuse_staff","threat","doxxing") for l in labs) and tgt is None:
                print("warn: no target", f, ln, file=sys.stderr)
            rows.append({"id": f"b{bn}-{len(rows)+1:03d}", "platform": plat, "account": acc, "post": desc,
                         "author_name": au.strip(), "text": txt.strip(), "labels": labs, "target": tgt})
        except Exception as ex:
            bad += 1; print("ERR", f, ln, repr(ex), line[:80], file=sys.stderr)
    with open(f[:-4] + ".jsonl", "w", encoding="utf-8") as o:
        for r in rows: o.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(os.path.basename(f), len(rows))
print("errors", bad)
