# Plain converter: compact hand-written batch lines -> JSON rows. No text generation.
# Format: "@P platform|account|post"  then lines "author|codes|target|text"
import json, glob, random, sys
CODES = {"q":"question","e":"emergency","cr":"crime_report","c":"complaint","as":"abuse_staff",
 "hr":"hate.race","hrel":"hate.religion","hso":"hate.sexual_orientation","hd":"hate.disability",
 "ht":"hate.transgender","t":"threat","d":"doxxing","s":"spam"}
rows=[]
for fn in sorted(glob.glob("/work/cblind4/scratch/b*.txt")):
    plat=acct=post=None
    for ln,line in enumerate(open(fn,encoding="utf-8"),1):
        line=line.rstrip("\n")
        if not line.strip() or line.startswith("#"): continue
        if line.startswith("@P "):
            plat,acct,post=[x.strip() for x in line[3:].split("|",2)]; continue
        parts=line.split("|",3)
        if len(parts)!=4: sys.exit(f"{fn}:{ln} bad line: {line}")
        a,codes,tgt,text=parts
        labs=[]
        for c in [x.strip() for x in codes.split(",") if x.strip()]:
            if c not in CODES: sys.exit(f"{fn}:{ln} bad code {c}")
            labs.append(CODES[c])
        rows.append({"platform":plat,"account":acct,"post":post,"author_name":a.strip(),
                     "text":text.strip(),"labels":labs,"target":(tgt.strip() or None),"_src":f"{fn}:{ln}"})
print(len(rows),"rows")
if len(sys.argv)>1 and sys.argv[1]=="split":
    for r in rows: r.pop("_src")
    random.Random(20261206).shuffle(rows)
    n=(len(rows)+1)//2
    with open("/work/cblind4/dev.jsonl","w",encoding="utf-8") as f:
        for i,r in enumerate(rows[:n],1):
            f.write(json.dumps({"id":f"c4d-{i:04d}",**r},ensure_ascii=False)+"\n")
    with open("/work/cblind4/sealed.jsonl","w",encoding="utf-8") as f:
        for i,r in enumerate(rows[n:],1):
            f.write(json.dumps({"id":f"c4s-{i:04d}",**r},ensure_ascii=False)+"\n")
    print("dev",n,"sealed",len(rows)-n)
else:
    from collections import Counter
    c=Counter(l for r in rows for l in r["labels"]); print(sorted(c.items()))
    print("unlabelled",sum(1 for r in rows if not r["labels"]),"multi",sum(1 for r in rows if len(r["labels"])>1))
    for r in rows:
        needs=any(l in r["labels"] for l in ["abuse_staff","threat","doxxing"] ) or any(l.startswith("hate.") for l in r["labels"])
        if needs and not r["target"]: print("NO TARGET",r["_src"])
