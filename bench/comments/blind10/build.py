#!/usr/bin/env python3
"""Build dev.jsonl and sealed.jsonl from scratch/ (standard library only, fixed seed).

scratch/posts.txt   key|platform|account|description ; P001-P085 -> dev, P086-P170 -> sealed
scratch/hand_*.txt  hand-typed batches: '## Pnnn' header lines, then  labels|target|author|text
scratch/gen.py      small seeded generator -> scratch/generated.txt (same format)
labels: comma-separated short codes (see CODES); target: s:/p:/g: prefixes -> staff:/person:/group:
empty author -> a display name drawn from a seeded pool.
"""
import glob, json, os, random, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
S = os.path.join(HERE, "scratch")
SEED = 20261207
ORDER = ["question", "emergency", "crime_report", "complaint", "abuse_staff", "hate.race",
         "hate.religion", "hate.sexual_orientation", "hate.disability", "hate.transgender",
         "threat", "doxxing", "spam"]
CODES = {"q": "question", "e": "emergency", "cr": "crime_report", "c": "complaint",
         "a": "abuse_staff", "hr": "hate.race", "hrel": "hate.religion",
         "hso": "hate.sexual_orientation", "hd": "hate.disability", "ht": "hate.transgender",
         "t": "threat", "d": "doxxing", "s": "spam"}
TPFX = {"s": "staff:", "p": "person:", "g": "group:"}

GIVEN = ["Sharon", "Dave", "Karen", "Mick", "Jo", "Steve", "Tracey", "Gaz", "Lisa", "Paul", "Amy",
         "Rob", "Nicola", "Wayne", "Kelly", "Jas", "Sunita", "Marek", "Agnieszka", "Tom", "Hannah",
         "Bev", "Terry", "Lorraine", "Dean", "Shaz", "Raj", "Kulvinder", "Ade", "Femi", "Siobhan",
         "Colin", "Janet", "Craig", "Becky", "Liam", "Sophie", "Pete", "Mandy", "Yusuf", "Aleks",
         "Denise", "Kev", "Gemma", "Ian", "Pauline", "Lee", "Chantelle", "Tariq", "Oksana"]
FAMILY = ["Bolton", "Whitehouse", "Parkes", "Gill", "Sandhu", "Nowak", "Pritchard", "Cooper",
          "Haynes", "Bird", "Lloyd", "Adebayo", "Kaur", "Hollis", "Daly", "Mansell", "Rowley",
          "Jukes", "Tonks", "Beasley", "Malik", "Kowal", "Fenton", "Slater", "Hodgkins", "Aston",
          "Mahal", "Oakes", "Ridley", "Yates", "Bhatti", "Greenway", "Doyle", "Price", "Sadler"]

def rng_for(*parts):
    return random.Random("%d|%s" % (SEED, "|".join(parts)))

def post_id(key, platform):
    r = rng_for("post", key)
    if platform == "facebook":
        return "pfbid0" + "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz123456789") for _ in range(30))
    if platform == "x":
        return str(r.randint(1700000000000000000, 1869999999999999999))
    if platform == "instagram":
        return "C" + "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") for _ in range(10))
    if platform == "youtube":
        return "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") for _ in range(11))
    return "nd" + str(r.randint(100000000, 999999999))  # nextdoor

HANDLE = {"facebook": lambda a: "Warks" + a if not a.startswith("Warks") else a,
          "x": lambda a: "@" + a, "instagram": lambda a: a.lower(),
          "youtube": lambda a: "@" + a, "nextdoor": lambda a: a + "-Nextdoor"}

def author(r, style):
    g, f = r.choice(GIVEN), r.choice(FAMILY)
    if style == "facebook" or style == "nextdoor":
        return "%s %s" % (g, f) if r.random() < 0.85 else "%s %s." % (g, f[0])
    if style == "x":
        return r.choice(["%s%s%d" % (g.lower(), f.lower(), r.randint(1, 99)), "%s_%s" % (g, f), "%s%s" % (g, f[0])])
    if style == "instagram":
        return r.choice(["%s.%s" % (g.lower(), f.lower()), "%s_%s%d" % (g.lower(), f.lower(), r.randint(70, 99))])
    return r.choice(["%s %s" % (g, f), "%s%s%d" % (g, f, r.randint(1, 999))])

def load_posts():
    posts = {}
    for line in open(os.path.join(S, "posts.txt"), encoding="utf-8"):
        if not line.strip() or line.startswith("#"):
            continue
        key, platform, acc, desc = line.rstrip("\n").split("|", 3)
        posts[key] = dict(platform=platform, account=HANDLE[platform](acc), post=post_id(key, platform),
                          half="dev" if int(key[1:]) <= 85 else "sealed")
    return posts

def parse(path, origin):
    out, cur = [], None
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("# "):
            continue
        if line.startswith("## "):
            cur = line[3:].strip(); continue
        lab, tgt, au, text = line.split("|", 3)
        labs = [CODES[c.strip()] for c in lab.split(",") if c.strip()]
        labs = [l for l in ORDER if l in labs]
        tgt = tgt.strip()
        if tgt:
            tgt = TPFX[tgt[0]] + tgt[2:]
        out.append(dict(post=cur, labels=labs, target=tgt, author=au.strip(), text=text.strip(),
                        origin=origin, where="%s:%d" % (os.path.basename(path), n)))
    return out

def main():
    subprocess.run([sys.executable, os.path.join(S, "gen.py")], check=True)
    posts = load_posts()
    items = []
    for p in sorted(glob.glob(os.path.join(S, "hand_*.txt"))):
        items += parse(p, "hand")
    items += parse(os.path.join(S, "generated.txt"), "generated")
    seen, bad = {}, 0
    for it in items:
        k = " ".join(it["text"].lower().split())
        if k in seen:
            print("DUPLICATE", it["where"], "=", seen[k], it["text"][:60]); bad += 1
        seen[k] = it["where"]
        if it["post"] not in posts:
            print("UNKNOWN POST", it["where"]); bad += 1
    if bad:
        sys.exit("fix %d problems" % bad)
    r = random.Random(SEED)
    halves = {"dev": [], "sealed": []}
    for it in items:
        halves[posts[it["post"]]["half"]].append(it)
    stats = {}
    for half, lst in halves.items():
        # order: by post, comments shuffled within post with the fixed seed
        lst.sort(key=lambda i: (i["post"], i["where"]))
        byp = {}
        for it in lst:
            byp.setdefault(it["post"], []).append(it)
        prefix = "c10d-" if half == "dev" else "c10s-"
        n = 0
        with open(os.path.join(HERE, half + ".jsonl"), "w", encoding="utf-8") as fh:
            for key in sorted(byp):
                group = byp[key]; r.shuffle(group)
                P = posts[key]
                for it in group:
                    n += 1
                    ar = rng_for("author", half, str(n))
                    rec = {"id": "%s%04d" % (prefix, n), "platform": P["platform"], "account": P["account"],
                           "post": P["post"], "author_name": it["author"] or author(ar, P["platform"]),
                           "text": it["text"], "labels": it["labels"], "target": it["target"]}
                    fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        hand = sum(1 for i in lst if i["origin"] == "hand")
        stats[half] = (n, hand)
    tot = sum(v[0] for v in stats.values()); th = sum(v[1] for v in stats.values())
    for half, (n, h) in stats.items():
        print("%s: %d comments, %d hand-typed (%.1f%%)" % (half, n, h, 100.0 * h / n))
    print("total %d, hand-typed %d (%.1f%%)" % (tot, th, 100.0 * th / tot))

if __name__ == "__main__":
    main()
