#!/usr/bin/env python3
"""Blind evaluation corpus generator for police social-media comment triage.

Written from WP034 (sections 6.7, 8.2) and LABELS.md only.  Python 3 standard
library only.  Fixed seed: running twice gives byte-identical dev.jsonl and
sealed.jsonl.

The two halves are built from DISJOINT template families: every template,
filler pool (officer names, streets, schools, rant fillers, descriptive
references) and noise profile below is owned by exactly one half (DEV_* or
SEA_*).  Only neutral infrastructure (towns, platforms, accounts, author
names, postcode districts, number formats) is shared.

All people, addresses, phone numbers (Ofcom drama ranges 07700 900xxx and
01632 960xxx), registrations and e-mail addresses (example.com /
example.co.uk) are fictional.  Slurs only appear obfuscated.
"""
import json
import os
import random
import re
import sys

SEED = 34_0607_0802
OUT = os.path.dirname(os.path.abspath(__file__))

LABELS = ["abuse_staff", "complaint", "crime_report", "doxxing", "emergency",
          "hate.disability", "hate.race", "hate.religion",
          "hate.sexual_orientation", "hate.transgender", "question", "spam",
          "threat"]

# ---------------------------------------------------------------- shared infra
PLATFORMS = ["facebook", "facebook", "facebook", "x", "x", "instagram",
             "nextdoor", "nextdoor", "youtube"]
ACCOUNTS = ["@WarksPolice", "@WarksPolice", "@WarksPolice", "@WarksRural",
            "@NuneatonSNT", "@BedworthSNT", "@RugbySNT", "@LeamingtonSNT",
            "@WarwickSNT", "@StratfordSNT", "@KenilworthSNT", "@AtherstoneSNT",
            "@ColeshillSNT", "@SouthamSNT", "@AlcesterSNT", "@WarksRoadsPolicing",
            "@WarksDogUnit", "@WarksCyberCrime", "@WarksPoliceCadets",
            "@WarksPCC", "@WarksDrones"]
TOWNS = ["Nuneaton", "Bedworth", "Rugby", "Leamington", "Warwick", "Stratford",
         "Kenilworth", "Atherstone", "Coleshill", "Alcester", "Southam",
         "Shipston", "Polesworth", "Wellesbourne", "Studley", "Hartshill",
         "Kingsbury", "Henley", "Whitnash", "Bulkington", "Dordon", "Long Itchington",
         "Water Orton", "Bidford", "Keresley", "Brinklow", "Wolston", "Harbury"]
DISTRICTS = ["CV7", "CV8", "CV9", "CV10", "CV11", "CV12", "CV21", "CV22", "CV23",
             "CV31", "CV32", "CV33", "CV34", "CV35", "CV36", "CV37", "CV47",
             "B46", "B49", "B78", "B80", "B95"]
PC_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
REG_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXY"
FIRST = ["Aisha", "Ben", "Chloe", "Dariusz", "Emeka", "Fatima", "Gareth", "Harpreet",
         "Ioana", "Jamal", "Kerry", "Liam", "Mei", "Nadia", "Owen", "Priya", "Quentin",
         "Rhiannon", "Sanjay", "Tomasz", "Ugo", "Valentina", "Wayne", "Xin", "Yusuf",
         "Zoe", "Bernadette", "Callum", "Deepa", "Eilidh", "Femi", "Grazyna", "Hamza",
         "Ifeoma", "Jasmine", "Kwame", "Lorraine", "Mohammed", "Niamh", "Olu",
         "Patrice", "Rukhsana", "Siobhan", "Tariq", "Usha", "Vikram", "Wendy",
         "Yasmin", "Zbigniew", "Dawn", "Trevor", "Shaz", "Kev", "Bev", "Dean",
         "Leanne", "Stacey", "Mick", "Pauline", "Gurdeep", "Amarjit", "Chidi",
         "Agnieszka", "Keisha", "Ravi", "Sophie", "Nathan", "Hollie", "Rory"]
LAST = ["Adeyemi", "Bhatt", "Collins", "Dabrowski", "Evans", "Farouk", "Green",
        "Hussain", "Ionescu", "Jones", "Khan", "Lewandowska", "McAllister", "Nwosu",
        "O'Brien", "Patel", "Quinn", "Rahman", "Singh", "Thompson", "Usman", "Vasquez",
        "Walsh", "Xu", "Yilmaz", "Zielinski", "Barker", "Chaudhry", "Doherty",
        "Eze", "Fitzgerald", "Gill", "Hughes", "Iqbal", "Jackson", "Kowalczyk",
        "Lloyd", "Mensah", "Nowak", "Okonkwo", "Price", "Rees", "Sandhu", "Tait",
        "Wong", "Begum", "Murphy", "Sidhu", "Bailey", "Moss", "Pearce", "Kaur",
        "Duffy", "Asante", "Horvath", "Costa", "Morgan", "Ahmed", "Clarke"]


class Ctx:
    """Per-comment fill context (caches placeholders, remembers target)."""

    def __init__(self, rng, P):
        self.rng = rng
        self.P = P
        self.cache = {}
        self.target = None
        self.gender = None


def postcode(rng):
    return "%s %d%s%s" % (rng.choice(DISTRICTS), rng.randint(1, 9),
                          rng.choice(PC_LETTERS), rng.choice(PC_LETTERS))


def phone(rng):
    if rng.random() < 0.7:
        n = "07700 900%03d" % rng.randint(0, 999)
        return n if rng.random() < 0.8 else n.replace(" ", "")
    return "01632 960%03d" % rng.randint(0, 999)


def reg(rng):
    age = rng.choice(list(range(2, 26)) + list(range(51, 76)))
    s = "%s%s%02d %s%s%s" % (rng.choice(REG_LETTERS), rng.choice(REG_LETTERS), age,
                             rng.choice(REG_LETTERS), rng.choice(REG_LETTERS),
                             rng.choice(REG_LETTERS))
    return s if rng.random() < 0.75 else s.replace(" ", "")


def gender(ctx):
    if ctx.gender is None:
        ctx.gender = ctx.rng.choice("mf")
    return ctx.gender


GENDERED = {"he": ("he", "she"), "He": ("He", "She"), "his": ("his", "her"),
            "him": ("him", "her"),
            "gi": (["prick", "knob", "twat", "tosser", "plank"], ["cow", "slag", "witch", "bitch"])}


def officer(ctx):
    rng, P = ctx.rng, ctx.P
    g = gender(ctx)
    fn, ln = rng.choice(P["off_first_" + g]), rng.choice(P["off_last"])
    collar = str(rng.randint(1000, 9999))
    forms = P["off_forms"]
    form = rng.choice(forms)
    if form == "rank_full":
        rank = rng.choice(P["ranks"])
        return "%s %s %s" % (rank, fn, ln), "%s %s" % (fn, ln)
    if form == "rank_last":
        rank = rng.choice(P["ranks"])
        return "%s %s" % (rank, ln), ln
    if form == "full":
        return "%s %s" % (fn, ln), "%s %s" % (fn, ln)
    if form == "collar":
        return rng.choice(P["collar_fmt"]) % collar, collar
    if form == "rank_collar":
        return "%s %s %s" % (rng.choice(P["ranks"]), ln, collar), collar
    if form == "handle":
        h = rng.choice(["PC", "Sgt", "PCSO"]) + ln + rng.choice(["", "_WP", "Warks"])
        return "@" + h, h
    if form == "staff":
        role = rng.choice(P["staff_roles"])
        return "%s %s" % (fn, role), fn
    raise ValueError(form)


def placeholder(ctx, name):
    rng, P = ctx.rng, ctx.P
    if name in ctx.cache:
        return ctx.cache[name]
    if name == "off":
        surf, tgt = officer(ctx)
        ctx.target = tgt
        val = surf
    elif name in GENDERED:
        v = GENDERED[name][0 if gender(ctx) == "m" else 1]
        val = rng.choice(v) if isinstance(v, list) else v
        return val  # gendered insults vary; pronouns are fixed by ctx.gender
    elif name == "offdesc":
        surf, g = rng.choice(P["offdesc"])
        if g and ctx.gender is None:
            ctx.gender = g
        ctx.target = re.sub(r"^(the|that) ", "", surf)
        val = surf
    elif name == "town":
        val = rng.choice(TOWNS)
    elif name == "town2":
        val = rng.choice(TOWNS)
    elif name == "street":
        val = rng.choice(P["streets"])
    elif name == "street2":
        val = rng.choice(P["streets"])
    elif name == "pc":
        val = postcode(rng)
    elif name == "num":
        val = str(rng.choice([rng.randint(1, 40), rng.randint(1, 140)]))
    elif name == "addr":
        val = "%d %s, %s %s" % (rng.randint(1, 180), rng.choice(P["streets"]),
                               rng.choice(TOWNS), postcode(rng))
    elif name == "addr_short":
        val = "%d %s" % (rng.randint(1, 180), rng.choice(P["streets"]))
    elif name == "phone":
        val = phone(rng)
    elif name == "forcephone":
        val = "01632 960%03d" % rng.randint(0, 999)
    elif name == "reg":
        val = reg(rng)
    elif name == "email":
        val = "%s.%s%d@%s" % (rng.choice(FIRST).lower(), rng.choice(LAST).lower().replace("'", ""),
                              rng.randint(1, 99), rng.choice(["example.com", "example.co.uk"]))
    elif name == "name":
        val = "%s %s" % (rng.choice(P["pub_first"]), rng.choice(P["pub_last"]))
    elif name == "first":
        val = rng.choice(P["pub_first"])
    elif name == "school":
        val = rng.choice(P["schools"])
    elif name == "shop":
        val = rng.choice(P["shops"])
    elif name == "road":
        val = rng.choice(["A46", "A45", "M6", "M40", "A5", "A444", "A423", "A429",
                          "A3400", "B4100", "A452", "M42", "A47", "A4177", "B4114"])
    elif name == "day":
        val = rng.choice(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                          "Saturday", "Sunday", "last night", "yesterday", "this morning"])
    elif name == "time":
        val = rng.choice(["2am", "half 11", "3.30", "about 9pm", "10ish", "7:15",
                          "gone midnight", "teatime", "4 in the morning", "lunchtime"])
    elif name == "n":
        val = str(rng.randint(2, 9))
    elif name == "nn":
        val = str(rng.randint(11, 95))
    elif name == "money":
        val = rng.choice(["£250", "£400", "£1,200", "£3k", "£750", "£5,000", "£180"])
    elif name == "collar":
        val = str(rng.randint(1000, 9999))
    elif name == "yr":
        val = str(rng.choice([2023, 2024, 2025, 2026]))
    elif name == "pct":
        val = str(rng.randint(3, 31))
    elif name == "newsurl":
        val = rng.choice(P["newsurl"]) % rng.randint(10000000, 99999999)
    elif name == "spamurl":
        val = rng.choice(P["spamurl"]) % "".join(
            rng.choice("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
            for _ in range(rng.randint(5, 8)))
    elif name == "spamhandle":
        val = "@" + rng.choice(P["spamhandles"]) + str(rng.randint(1, 999))
    elif name in P:
        val = rng.choice(P[name])
    else:
        raise KeyError(name)
    ctx.cache[name] = val
    return val


BRACE = re.compile(r"\{([^{}]*)\}")


def fill(template, ctx):
    s = template
    for _ in range(30):
        m = BRACE.search(s)
        if not m:
            break
        body = m.group(1)
        if "|" in body:
            rep = ctx.rng.choice(body.split("|"))
        else:
            rep = placeholder(ctx, body)
        s = s[:m.start()] + rep + s[m.end():]
    return s


# ---------------------------------------------------------------- obfuscation
LEET = {"a": ["4", "@"], "e": ["3"], "i": ["1", "!"], "o": ["0"], "s": ["5", "$"],
        "t": ["7"], "u": ["v"], "g": ["9"]}


def obfuscate(word, rng, methods):
    m = rng.choice(methods)
    if len(word) < 3:
        return word
    if m == "star_mid":
        return word[0] + "*" * (len(word) - 2) + word[-1]
    if m == "star_one":
        vs = [i for i, c in enumerate(word) if c.lower() in "aeiou" and 0 < i]
        if not vs:
            return word[0] + "*" + word[2:]
        i = rng.choice(vs)
        return word[:i] + "*" + word[i + 1:]
    if m == "star_tail":
        return word[0] + "*" * (len(word) - 1)
    if m == "leet":
        out = []
        for c in word:
            if c.lower() in LEET and rng.random() < 0.6:
                out.append(rng.choice(LEET[c.lower()]))
            else:
                out.append(c)
        s = "".join(out)
        if s == word:
            s = word[0] + "*" + word[2:]
        return s
    if m == "spaced":
        return " ".join(word)
    if m == "dotted":
        return ".".join(word)
    if m == "double":
        i = rng.randrange(1, len(word))
        return word[:i] + word[i] + word[i:]
    if m == "mixed":
        w = list(word)
        for i in range(1, len(w) - 1):
            r = rng.random()
            if r < 0.3 and w[i].lower() in LEET:
                w[i] = LEET[w[i].lower()][0]
            elif r < 0.45:
                w[i] = "*"
        s = "".join(w)
        return s if s != word else word[0] + "*" + word[2:]
    if m == "underscore":
        return "_".join(word)
    return word


MUST = re.compile(r"\[\[([^\[\]]+)\]\]")
MAY = re.compile(r"<<([^<>]+)>>")


def apply_obfuscation(s, rng, prof):
    def must_one(w):
        o = obfuscate(w, rng, prof["must_methods"])
        wl = w.lower()
        if any(tok in wl and len(tok) >= max(3, 0.6 * len(wl))
               for tok in re.findall(r"[a-z]+", o.lower())):
            o = obfuscate(w, rng, ["star_mid"])
        return o

    def must(m):
        return " ".join(must_one(w) for w in m.group(1).split(" "))

    def may(m):
        w = m.group(1)
        if rng.random() < prof["may_p"]:
            return " ".join(obfuscate(x, rng, prof["may_methods"]) for x in w.split(" "))
        return w
    s = MUST.sub(must, s)
    s = MAY.sub(may, s)
    return s


# ---------------------------------------------------------------- noise
SPEAK = {"you": ["u"], "your": ["ur", "yr"], "you're": ["ur", "youre"],
         "are": ["r"], "because": ["cos", "coz", "bc"], "people": ["ppl"],
         "tonight": ["2nite", "tonite"], "please": ["pls", "plz"],
         "thanks": ["thx", "ta", "thnx"], "to": ["2"], "for": ["4"],
         "before": ["b4"], "really": ["rly", "rlly"], "don't": ["dont", "dnt"],
         "probably": ["prob", "prolly"], "what": ["wat", "wot"],
         "going": ["goin"], "nothing": ["nowt", "nothin"], "something": ["summat"],
         "message": ["msg"], "tomorrow": ["tmrw", "2moz"], "should": ["shud"],
         "with": ["wiv", "w/"], "know": ["kno"], "someone": ["some1"], "I'm": ["im", "Im"],
         "can't": ["cant"], "isn't": ["isnt"], "that's": ["thats"], "it's": ["its"]}
WORD = re.compile(r"[A-Za-z']+")
PROTECT = re.compile(r"(https?://\S+|www\.\S+|\S+@\S+|\b\d[\d ]{5,}\d\b|[A-Z]{2}\d{2} ?[A-Z]{3})")


def typo(word, rng):
    i = rng.randrange(1, len(word) - 1)
    r = rng.random()
    if r < 0.4:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if r < 0.7:
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


def noise(s, rng, prof):
    # protect URLs, emails, phone numbers and registrations from noise
    protected = []

    def keep(m):
        protected.append(m.group(0))
        return "\x00%d\x00" % (len(protected) - 1)
    s = PROTECT.sub(keep, s)

    def sp(m):
        w = m.group(0)
        if w in SPEAK and rng.random() < prof["speak_p"]:
            return rng.choice(SPEAK[w])
        low = w.lower()
        if low in SPEAK and w[0].isupper() and rng.random() < prof["speak_p"] / 2:
            return rng.choice(SPEAK[low])
        if (len(w) >= 5 and w.isalpha() and w.islower() and rng.random() < prof["typo_p"]):
            return typo(w, rng)
        return w
    s = WORD.sub(sp, s)
    r = rng.random()
    if r < prof["lower_p"]:
        s = s.lower()
        s = s.replace(" i ", " i ")
    elif r < prof["lower_p"] + prof["caps_p"]:
        s = s.upper()
    if rng.random() < prof["nopunct_p"]:
        s = re.sub(r"[.,;:](?=\s|$)", "", s)
        s = re.sub(r"(?<=[A-Za-z])'(?=[a-z])", "", s)
    if rng.random() < prof["bang_p"]:
        s = re.sub(r"([!?])(?=\s*$)", lambda m: m.group(1) * rng.randint(2, 5), s)
    for i, p in enumerate(protected):
        s = s.replace("\x00%d\x00" % i, p)
    return s


def add_emoji(s, rng, mood, prof):
    if rng.random() >= prof["emoji_p"]:
        return s
    pools = {"pos": ["👍", "🙏", "👏", "❤️", "💙", "😊", "👮‍♂️", "🥰", "🙌", "😂"],
             "neg": ["🤬", "😡", "🙄", "😒", "💀", "😤", "👎", "😠"],
             "hostile": ["🤬", "😡", "🖕", "🤮", "💀", "👎", "🤡", "🐷", "🔥", "😈"],
             "neu": ["🤔", "👀", "😬", "🤷", "😂", "😅", "🚔", "😳"],
             "urgent": ["🚨", "😱", "🆘", "‼️", "😭"],
             "spam": ["💰", "🔥", "💯", "🚀", "📈", "✅", "👉", "💸"]}
    e = "".join(rng.choice(pools[mood]) for _ in range(rng.choice([1, 1, 1, 2, 3])))
    if rng.random() < 0.15:
        return e + " " + s
    return s.rstrip() + (" " if rng.random() < 0.7 else "") + e


# ============================================================================
# DEV HALF: pools, noise profile and template families (not used by sealed)
# ============================================================================
DEV_P = {
    "off_first_m": ["Marcus", "Aaron", "Craig", "Declan", "Stuart", "Wojciech", "Rajinder",
                    "Tom", "Karl", "Tunde"],
    "off_first_f": ["Hannah", "Joanne", "Shabana", "Becky", "Samira", "Lucy", "Gemma", "Efua"],
    "off_last": ["Okafor", "Brennan", "Whitlock", "Mistry", "Pawlak", "Hargreaves",
                 "Kaur-Bains", "Ellery", "Foxley", "Oduya", "Tranter", "Greaves",
                 "Malik", "Rushton", "Quigley", "Adebayo"],
    "off_forms": ["rank_full", "rank_last", "rank_last", "collar", "collar", "rank_collar"],
    "ranks": ["PC", "PC", "PC", "PCSO", "Sgt", "DC"],
    "collar_fmt": ["PC %s", "officer %s", "collar number %s", "PC%s"],
    "staff_roles": ["on the front desk"],
    "offdesc": [("the officer in the photo", None), ("the copper on the left", None),
                ("the bald one in the video", "m"), ("the PCSO in the picture", None),
                ("the sergeant in the clip", None), ("the one holding the sign", None)],
    "streets": ["Manor Court Road", "Queens Road", "Lutterworth Road", "Abbey Green",
                "Clifton Road", "Warwick New Road", "Tavern Lane", "Mill Street",
                "Coventry Road", "Bridge Street", "Holly Lane", "Greenmoor Road",
                "Church Road", "Leicester Road", "Willow Way", "Station Avenue",
                "Kingsway", "Cherry Tree Close", "Hawthorn Drive", "Oakfield Road"],
    "pub_first": ["Gary", "Tracey", "Ahmed", "Jordan", "Kelly", "Luke", "Shannon", "Dale",
                  "Reece", "Amina", "Craig", "Nikki"],
    "pub_last": ["Fenwick", "Boulton", "Sharif", "Cartwright", "Lane", "Mahmood",
                 "Dunne", "Heslop", "Platt", "Rowley"],
    "schools": ["St Anne's Primary", "Oakfield Juniors", "Riverside Academy",
                "Milby Infants", "Park Lane Primary", "Castle Hill School"],
    "shops": ["Tesco", "the Co-op", "Greggs", "Wetherspoons", "Aldi", "the Spar",
              "Lidl", "the chippy", "Morrisons", "the Londis"],
    "newsurl": ["https://www.bbc.co.uk/news/articles/c%d", "https://www.coventrytelegraph.net/news/local-news/%d",
                "https://www.leamingtonobserver.co.uk/news/%d", "https://www.nuneatonnews.co.uk/news/%d"],
    "spamurl": ["https://bit.ly/%s", "www.fastcashhub.example/%s", "https://tinyurl.com/%s",
                "cryptoearn-uk.example/?ref=%s"],
    "spamhandles": ["crypto_queen_", "investwithsarah", "forex.mike", "cheaptrainersuk_", "hotdeals"],
}
DEV_PROF = {"speak_p": 0.35, "typo_p": 0.04, "lower_p": 0.25, "caps_p": 0.05,
            "nopunct_p": 0.2, "bang_p": 0.3, "emoji_p": 0.25,
            "must_methods": ["star_mid", "star_one", "leet", "star_one"],
            "may_methods": ["star_mid", "star_one", "leet", "star_tail"], "may_p": 0.5,
            "rant_p": 0.12}
DEV_RANT_PRE = ["Not being funny but", "Honestly.", "Been saying this for years.",
                "Right, here goes.", "I've lived in {town2} all my life.",
                "Sorry for the long post.", "Just seen this.", "Ok so"]
DEV_RANT_POST = ["Rant over.", "Just saying.", "Share this.",
                 "Thats all.", "Think about it.", "Mark my words.", "End of.", "Anyway."]

DEV = {
# ---------------------------------------------------------------- negatives
"neg_thanks": ([], "pos", [
    "Thank you to the officers who helped my {mum|dad|nan|grandad} {day}, {absolutely brilliant|so kind|couldn't have asked for more}",
    "{Great|Brilliant|Fantastic} work {as always|again|team}, {town} is lucky to have you",
    "Well done {all|everyone involved|lads and lasses}, {nice to see|good to see} some {good news|results} for once",
    "{Massive|Huge|Big} thanks to {off} for {sorting my lost wallet|getting my bike back|being so patient with my son}",
    "Thank you for {coming to|visiting} {school} today, the kids {loved it|haven't stopped talking about it}",
    "Stay safe out there {tonight|this weekend|over Christmas} everyone",
    "{Good result|Result}! {Lock him up|Hope he gets a long stretch|Justice done}",
    "Proud of {our|my} {daughter|son|brother|sister} who {passed out|joined} as a {PC|PCSO|special} this week",
    "Cheers {for the update|for letting us know|for the heads up}",
    "Thank you for {closing the road quickly|keeping us informed|the quick response} {day}",
    "{Lovely|Gorgeous} dog, {what's his name|give him a treat from me}",
    "Just want to say the {call handler|lady on 101|officer on the phone} {day} was {brilliant|really reassuring|so calm}",
]),
"neg_chat": ([], "neu", [
    "{Haha|Lol|😂} {the dog|that horse|the duck} is the real hero here",
    "{Tagging|@} {first} {this is|isn't this} your road",
    "{Blimey|Wow}, {I drive past there every day|that's near my mum's}",
    "{Happy|Merry} {Christmas|New Year|Easter} to all the {officers|staff|team} working {today|over the holidays}",
    "Wish I could {come|make it} to the {coffee with a cop|community meeting} but I'm {working|at work}",
    "{That|This} {road|junction} has always been {dangerous|a nightmare}",
    "{first} look {who it is|it's your cousin} in the photo",
    "{yes|yep|ok|lol|nice|👍|agreed|same|👏|fair enough}",
    "Weather's {shocking|grim|lovely} in {town} today",
    "{My lad|My little girl} wants to be a police officer when {he|she} grows up",
    "Is that the new {car|van|drone}? {Looks smart|Very nice}",
    "Don't forget the clocks go back this weekend folks",
]),
"neg_idiom": ([], "neu", [
    "I could {murder|kill for} a {pint|bacon sandwich|cup of tea|curry} after {that|today}",
    "{My mum|My wife|The missus|My boss} will {kill|murder} me if I'm late {again|tonight}",
    "I'll kill {him|my brother|the dog} if he eats my chips again {lol|haha|😂}",
    "{The dog unit|The roads team|The cadets} are {killing it|smashing it} this year",
    "This heat is {killing me|murder}, {stay hydrated|keep the dogs inside} folks",
    "{Dying|I'm dying} to know what happened {here|on {street}}",
    "{Knock 'em dead|Break a leg} at the {charity match|fun run} {tomorrow|Saturday}",
    "{That photo|Your caption} {slays|is a killer} {haha|😂}",
    "My feet are {killing me|dead} after the {fun run|5k}, {well done|great event}",
    "I'd {kill|shoot myself} for {weather like this|a day off} haha",
    "{My kids|The twins} are going to {kill each other|murder each other} before the holidays end",
    "That {quiz|pub quiz} {slaughtered|destroyed} us, {never again|rematch}",
    "Traffic on the {road} is {murder|a killer} every {Friday|morning}",
]),
"neg_criticism": ([], "neg", [
    "{This is|That's} {a disgrace|a joke|pathetic}, {the whole country's going downhill|nobody respects the law anymore}",
    "{Police|Coppers} {these days|nowadays} {are more interested in|care more about} {speed cameras|tweets|hurt feelings} than {real crime|burglaries}",
    "{More|Less} {PR|photo ops|tweeting} and {more|less} {policing|patrols} would be nice",
    "{Defund|Scrap} the lot of them {and start again|tbh}",
    "{ACAB|All cops are the same}, {always have been|nothing changes}",
    "The Home Office has {gutted|starved} policing for {years|a decade}, {no wonder|that's why} response times are {awful|shocking}",
    "{Typical|Classic}. {Lovely post|Nice photo} while {town} goes to {pot|the dogs}",
    "{Tax|Council tax} goes up every year and we see {fewer|less} officers",
    "Don't agree with this {decision|policy} at all, {seems|it's} {heavy handed|a waste of money}",
    "{Speed cameras|Fines} are just a {cash cow|money grab}, {everyone knows|change my mind}",
]),
"neg_swear": ([], "neg", [
    "{Fucking|Bloody|F***ing} hell, {that's|this is} {awful|terrifying}, {hope they're ok|thoughts with the family}",
    "{What a shit|Shit} {week|year|day} {for everyone|in {town}}",
    "Holy <<shit>> {that's|thats} {my road|round the corner from me}",
    "{Bollocks|Oh ffs|FFS}, {not again|that road again}",
    "Hope you {catch|find} the <<bastards>> {who did this|responsible}",
    "This {weather|traffic} is <<shit>> {today|again}",
    "{Damn|Dammit|Bugger}, {I was there an hour before|missed it by minutes}",
    "{Lmao|Pmsl} {that driver|the state of that parking} {what a dick move|is taking the piss}",
]),
"neg_hatecondemn": ([], "neg", [
    "Someone {shouted|yelled} \"[[paki]]\" at my {neighbour|friend} {last year|years ago} and {you lot|the police} {were brilliant|took it seriously}. {Thank you|Glad this is being talked about}",
    "{Disgusting|Vile} that {people|some people} still use words like \"[[faggot]]\" in {{yr}|this day and age}. Well done for {charging|prosecuting} {him|them}",
    "Hate crime {reports|figures} in Warwickshire {up|rose} {pct}% {last year|in {yr}}, {mostly|majority} race-related according to the {report|stats}. {Worrying|Shocking}",
    "Good to see {the force|you} taking {disability|transgender|religious} hate crime seriously, it's {under-reported|hugely under reported}",
    "Calling someone a [[retard]] isn't banter, it's {hate|abuse}. {Glad|Good} he got {convicted|charged}",
    "{Interesting|Worth reading} {stats|figures}: {sexual orientation|religious|disability} hate crime makes up about {pct}% of {recorded|reported} hate crime {nationally|in {yr}}",
    "Racism has no place in {town}. {Full stop|Period|End of}.",
    "Been reading how the Home Office Counting Rules decide what counts as a hate crime, {it's all about perception|it's perception based}, {interesting stuff|eye opening}",
    "{Anyone|Whoever} daubing \"{[[tr*nnies]]|[[fags]]} out\" on {walls|the underpass} {is a coward|needs locking up}, glad it's been {painted over|cleaned}",
]),
"neg_identity": ([], "pos", [
    "{Lovely|Great} to see officers at the {Diwali|Vaisakhi|Eid|Christmas|Hanukkah} {celebrations|event} in {town}",
    "My son is {autistic|deaf|a wheelchair user} and {off} was {brilliant|so understanding} with him",
    "As a {gay|bi|trans} {man|woman} in {town} I {feel|felt} {safe|listened to} when I {reported|spoke to you}",
    "{Eid Mubarak|Happy Diwali|Happy Vaisakhi|Merry Christmas|Happy Hanukkah} to {everyone|all our neighbours} {celebrating|in {town}}",
    "{Nice|Good} to see {the rainbow|the pride} {car|lanyards} at {town} Pride {again|this year}",
    "{Great|Good} {turnout|event} at the {mosque|gurdwara|church|synagogue} open day, thanks for coming",
    "My {nan|grandad} is {blind|disabled} and the {PCSOs|officers} {always stop for a chat|pop in regularly}, {thank you|means a lot}",
    "Really {positive|good} {session|meeting} with the {Polish|Romanian|Somali|Bangladeshi} community group, more of this please",
    "{Good|Great} to see {more|a} {Black|Asian|female|Sikh} officers {joining|in the force} {these days|now}",
]),
"neg_info": ([], "neu", [
    "{Non emergency|Non-emergency} is 101, {emergency|emergencies} 999. {Not that hard|Pinned at the top|Just saying}",
    "{Ring|Call} 101 {or|and} report online {on the force website|at warwickshire.police.uk}, {that's|thats} what they told me",
    "{town} station front desk {number is|is} {forcephone} {if that helps|apparently}",
    "You can hand it in at the {town} {police station|station} on {street}, {they were helpful|open till 5 I think}",
    "The {community|SNT} {surgery|drop in} is at the library on {street} {every|first} {Tuesday|Thursday}",
    "{Text relay|If you're deaf} it's 18000 for emergencies {btw|FYI}",
    "{Crimestoppers|Crime stoppers} is anonymous {0800 555 111|if people are worried}",
    "{The Red Lion|The Co-op|Costa} on {street} is {doing a charity quiz|collecting for the food bank} {Friday|this week} if anyone fancies it",
]),
"neg_news": ([], "neu", [
    "{Story here|More details|It's in the paper} {newsurl}",
    "{Full article|Coverage} {in the Telegraph|on the news}: {newsurl}",
    "{newsurl} {shocking|sad news|good result}",
    "Was on {the news|local radio} {this morning|earlier}, {newsurl}",
]),
"neg_rhetorical": ([], "neg", [
    "{And who pays for all this?|Who's paying for this?} {Us|The taxpayer} {as usual|obviously}",
    "{Where were you|Where was this energy} when my {car|van|shed} got {done|broken into}? {Exactly|Thought so}",
    "{Is this a joke|Are you having a laugh|Seriously}?",
    "{How is this|Since when is this} a priority {lol|🙄}",
    "{Why|How come} you can {find|catch} {speeders|motorists} but not {burglars|shoplifters}? {Funny that|Makes you think}",
    "{What's the point|Whats the point} {in reporting anything|of 101} {anymore|these days}?",
]),
"neg_suspect": ([], "neg", [
    "What a {scumbag|lowlife|waste of space}, {lock him up|throw away the key}",
    "{He looks|She looks|They look} {exactly|just} like {a wrong un|trouble}, {hope he rots|good riddance}",
    "{Absolute|Utter} <<scum>> {whoever|the people who} {nick|steal} from {charity shops|pensioners}",
    "{Hope|I hope} the <<idiots>> who {set fire to|trashed} the {park|play area} are {caught|found} soon",
    "That driver {in the video|doing 110} is a {moron|danger to everyone}, {ban him|take his licence}",
]),
"neg_past": ([], "neu", [
    "There was {a fight|an accident|loads of police} on {street} {last night|yesterday} {too|as well}, {must be a full moon|never a dull moment round here}",
    "I worry about {knife crime|the kids} in {town} {these days|to be honest}",
    "My {car|house} got {broken into|burgled} {years ago|in {yr}} and it still {shakes|bothers} me",
    "{Scary|Frightening} {times|stuff}, {lock your doors|keep your cars locked} everyone",
    "{Same|Similar} happened {to us|on our estate} {last summer|a few years ago}, {reported it|they caught him eventually}",
]),
# ---------------------------------------------------------------- question
"q": (["question"], "neu", [
    "What time does {town} {police station|front desk} open {on Saturdays|tomorrow|on bank holidays}?",
    "How do I report {a crime|someone driving with no insurance|fly tipping|a scam} online?",
    "Is the {road} {still closed|back open|reopened yet} {near {town}|at {town}}?",
    "Any update on the {missing|vulnerable} {man|woman|teenager} from {town}?",
    "What happened on {street} {last night|earlier}? {Loads of|Five} {police cars|vans} {there|outside}",
    "Where do I hand in {a found wallet|a lost phone|a set of keys} {in {town}|near {town}}?",
    "{Do you still|Are you still going to} do {bike marking|the coffee with a cop} {sessions|events} in {town}?",
    "How long does it take to get a crime reference number {after reporting online|usually}?",
    "Can I {report|send} dashcam footage {online|through the website} or do I need to {come in|ring 101}?",
    "Is there a {drop in|surgery} in {town} {this month|this week}? {Would like to speak to the PCSO|Got some concerns}",
    "{Hi|Hello}, how do I get my {property|phone|bike} back {after|now} the case {is closed|has finished}?",
    "{Why|How come} {was there|is there} a helicopter over {town} {last night|at {time}}?",
    "Who is our {local|ward} {PCSO|beat officer} {for|in} {town} {now|these days}?",
    "{Are|Is} the {road} closures {for the bike race|for the event} {on Sunday|this weekend} {all day|just the morning}?",
]),
"q_complaint": (["complaint", "question"], "neg", [
    "I was told someone would call me back on {day} about my {burglary|stolen car}. Nobody did. {Who do I speak to|How do I make a complaint}?",
    "{The officer|{off}} who came out was {rude|dismissive|laughing at us} and {didn't take a statement|never followed up}. How do I {complain|make a formal complaint}?",
    "{Waited|Sat} {nn} minutes on 101 then got cut off {twice|again}. Is there {any point|a better number} {or not|to actually get through}?",
    "Reported {my shed|a break in} {three|two|six} weeks ago and {heard nothing|no one has been in touch}. What's the {complaints process|complaints procedure}?",
]),
"q_crime": (["crime_report", "question"], "neg", [
    "Someone has been {stealing parcels|taking parcels} off doorsteps on {street}, {should|do} I report {online|on the website} or ring 101?",
    "My {catalytic converter|number plates|bike} got {nicked|stolen} from outside my house on {street} {day}. {What's|Whats} the best way to report it?",
    "{Lads|Kids} on {mopeds|scramblers} {been|are} {smashing|trying} car {windows|doors} on {street} {every night|again}. Who do I {send|give} the {doorbell|ring} footage to?",
]),
# ---------------------------------------------------------------- emergency
"emergency": (["emergency"], "urgent", [
    "{There's|Theres} a {man|lad|bloke} with a {knife|machete|blade} outside {shop} on {street} {right now|now}, {he's threatening people|waving it at people}",
    "{Help|HELP|Please help}, someone is {breaking into|kicking in the door of} the house next door {right now|as I type}, {they're inside|I can hear them}",
    "{My|Our} {son|daughter} is {nn} and {hasn't come home|has gone missing}, {last seen|was last seen} by the canal {an hour ago|at {time}}, {he's|she's} {autistic|diabetic|vulnerable}",
    "{Car|A car} has {gone into|crashed into} the river {by|near} {street}, {people still inside|I can see someone in it}",
    "There's {a man|a woman|a lad|someone} on the bridge over the {road}, {looks like|I think} they're going to jump, {someone|please} come {now|quick}",
    "{Massive|Huge} fight {with bottles|with weapons} outside {shop} in {town} {right now|now}, {someone's|a lads} bleeding {badly|on the floor}",
    "{My neighbours|The} house on {street} is on fire and {I can hear kids|there's someone still inside}",
    "Someone is {trying to get into|following} my {car|house} {right now|now} {on|at} {street}, {I'm scared|I'm hiding in the bathroom|I'm on my own}",
    "Just seen a {man|bloke} {drag|pull} a {woman|girl} into a {van|car} on {street} {right now|2 mins ago} she was screaming",
    "{My dad|My grandad|My mum|My nan|Our nan} has dementia and walked out {an hour ago|at {time}} in {slippers|a dressing gown} and it's freezing, {town}, {please help|please share}",
]),
# ---------------------------------------------------------------- crime report
"crime": (["crime_report"], "neg", [
    "{Someone|Somebody} tried {car doors|all the car doors} on {street} {last night|at {time}}, caught on {ring doorbell|my camera}",
    "{My|Our} shed was broken into on {street} {day}, {two bikes|all the tools} gone. {Reference to follow|Have reported it but posting here too}",
    "{Drug dealing|Dealing} {every evening|every night} {at|in} the park on {street}, same {car|lads} {every time|each night}",
    "{Been|I've been} getting {scam calls|calls} from someone {claiming|pretending} to be {HMRC|my bank|Amazon} {all week|every day}, they {knew my address|wanted my card details}",
    "Car {parked up|sitting} on {street} for {hours|three nights} with {two lads|people} {watching houses|in it}, {very suspicious|feels dodgy}",
    "{My daughter|My son} {is getting|has been getting} {threatening|nasty} messages from {an older lad|someone at college}, {we've kept screenshots|got screenshots}",
    "{Fly tipping|Someone dumped a mattress and rubble} on {street} {again|day}, {saw the van|it was a white van}, {got the reg|have the reg} will {send it via|put it on} the online form",
    "{Kids|Youths} {throwing stones|smashing windows} {at|on} {street} {every evening|every night} {after school|this week}",
    "Someone stole {money} from my {nan|mum} {on the doorstep|pretending to be a roofer} {day} in {town}",
    "{A scammer|Some fake seller} {selling tickets|selling puppies} on {Facebook|marketplace} {took|took my} {money}, {lots of|other} people {in {town}|round here} {been|got} done too",
]),
"crime_hatevictim": (["crime_report"], "neg", [
    "I was {racially abused|called a [[paki]]} on the bus {in|through} {town} {day}, a man told me to go {back home|back where I came from}. I want to report it",
    "{My|Our} {mosque|gurdwara|church} {had|has had} {graffiti|a brick through the window} {day}. {We have CCTV|There's CCTV}",
    "Me and my {boyfriend|husband} were {called|shouted at} \"[[fags]]\" and {spat at|followed} outside {shop} {day}, {how|can you} {look into this|please investigate}",
    "{My brother|My son} {has learning disabilities|is disabled} and {lads|some kids} keep {calling him|shouting} \"[[retard]]\" {and taking his money|outside our house}. {I'm reporting it|Want this logged}",
    "{Someone|A neighbour} {wrote|sprayed} \"{[[tr*nny]]|freak}\" on my {car|door} {day} because I'm trans, {it's on camera|I have photos}",
]),
# ---------------------------------------------------------------- complaint
"complaint": (["complaint"], "neg", [
    "{I|We} reported {a burglary|my burglary|a break in} {nn} days ago and {no one|nobody} has been {in touch|out}. {Absolutely|Simply} not good enough",
    "{The officer|{off}} who attended {day} was {rude|dismissive|condescending} and {didn't even get out of the car|told us it wasn't worth reporting}",
    "{Waited|Been waiting} {n} hours for someone to come out {after|for} a {break in|domestic}. Still {waiting|nothing}. {Shocking|Appalling} service",
    "{Your|The} {patrol car|officers} parked {on double yellows|in a disabled bay|across my drive} outside {shop} {day} to {get a meal deal|buy coffee}. {Rules for thee|One rule for you}",
    "{I|We} {gave|sent} you {clear|doorbell} footage {and|but} {no one|nobody} {even looked|has looked at it}. {Case closed|Filed} {in|after} {n} days",
    "{Rang|Called} 101 {n} times {day}, {on hold|waited} {nn} minutes each time. {Not acceptable|Useless}",
    "{off} {shouted at|swore at} my {son|husband} {day} for {nothing|asking a question}. {Very|Completely} unprofessional",
    "My {stolen|recovered} {bike|car} {sat|was left} at the {pound|station} for {weeks|months} and {nobody told me|I was never told}. {Disgraceful|Poor}",
    "{Reported|I reported} {drug dealing|the dealing} on {street} {n} times {this year|since summer} and {nothing's changed|you never turn up}",
]),
# ---------------------------------------------------------------- abuse_staff
"abuse": (["abuse_staff"], "neg", [
    "{off} is a {fat|useless|lazy} <<prick>> {and everyone knows it|lol}",
    "{Look at the state of|Look at} {offdesc}, {absolute|total} <<wanker>>",
    "{off} {you're|youre} a {pathetic|thick|ugly} {excuse for a copper|<<{gi}>>} {get a real job|nobody likes you}",
    "{offdesc} {looks like|is} a {thick|smug|gormless} <<twat>> {haha|lol|tbh}",
    "{off} is a {bent|corrupt|lying} {piece of shit|<<bastard>>} and {he} knows it",
    "{Imagine|Can't believe} being as {thick|stupid|ugly} as {offdesc} {lmao|😂}",
    "{off} {you|u} <<dickhead>>, {shut up|do one|nobody asked}",
]),
"abuse_threat": (["abuse_staff", "threat"], "neg", [
    "{off} you {fat|useless} <<prick>>, {watch your back|you'll get what's coming} {when you're off duty|next time}",
    "{offdesc} is a <<twat>> and {someone's going to|I'm going to} {smash {his} face in|give {him} a kicking} {one day|soon}",
    "{off} {you|u} <<{gi}>>, {I'll|ill} {be waiting for you|find you} after your shift",
]),
"abuse_threat_dox": (["abuse_staff", "doxxing", "threat"], "neg", [
    "{off} {you|u} <<scumbag>>, {we know|I know} you live at {addr}, {see you soon|expect a visit}",
    "{off} is a {bent|corrupt} <<bastard>>, {his} car is a {black|silver|white} {Golf|Focus|Qashqai} reg {reg}, {let's see|see how} {it looks|{he} likes it} with no windows",
    "{off} {thick|ugly} <<{gi}>>, {his} kids go to {school}, {wouldn't want anything to happen|shame if anything happened}",
]),
"abuse_dox": (["abuse_staff", "doxxing"], "neg", [
    "{off} is a {lazy|useless} <<prick>>, {lives|{he} lives} {on|at} {addr_short} {if anyone wants to tell him|for anyone interested}",
    "That <<wanker>> {off} {drives|has} a {grey|blue} {Audi|BMW} {reg}, {spotted|seen} it at {shop}",
]),
"abuse_complaint": (["abuse_staff", "complaint"], "neg", [
    "{off} was {rude|arrogant} to {my mum when she|my dad when he} reported {the break in|a stolen car}, {what a|absolute} <<twat>>. {Never followed up|Never rang back}",
    "{off} {refused to|wouldn't} take my statement {day}, {smug|lazy} <<prick>>. {I want this looked at|Not acceptable}",
]),
# ---------------------------------------------------------------- hate
"hate.race": (["hate.race"], "neg", [
    "{Send|Deport} {them all|the lot of them} back where they came from, {town} used to be English",
    "{Bet|Guarantee} it was {one of the|another} [[pakis]] {again|lol}, {always is|no surprise}",
    "{Foreigners|Immigrants|These foreigners} {ruining|have ruined} {town}, {can't|you can't} walk down {street} and hear a word of English",
    "{Bunch of|More} {p1keys|[[pikeys]]|[[gypos]]} {nicking|robbing} {everything|stuff} {again|as usual}, {move them on|they're all thieves}",
    "{Black|Brown} {lads|youths} {again|as usual}, {it's in their blood|they're all the same}",
    "{Romanians|Poles|Albanians} {are|all} {criminals|thieves} {every single one|the lot of them}, {shut the borders|close the borders}",
    "{Keep {town} white|Keep Warwickshire white|Keep Britain white}, {no more asylum seekers|not one more migrant} in {town}",
    "{Go back to|Get back to} {Africa|Pakistan|your own country} {you lot|if you don't like it} {🤮|}",
]),
"hate.religion": (["hate.religion"], "neg", [
    "{Islam is a|The Muslim lot are a} {cancer|disease} {on this country|in {town}}, {ban it|get rid}",
    "{Ban|No more} {mosques|minarets} in {town}, {these [[muzzies]]|these people} {want sharia|are taking over}",
    "{Bet he's|Must be} a [[muzzie]], {they're all|always} {terrorists|the same}",
    "{Jews|The synagogue lot} {run everything|control the banks|own the media}, {wake up|do your research} people",
    "{Christians|Bible bashers|Religious nutters} are {brainwashed idiots|mental cases} who {shouldn't|should not} be allowed near {kids|schools}",
    "{Sikhs|Hindus} {and their|with their} {stupid|filthy} {turbans|temples} {don't belong here|should go home}",
    "{Burn|Bin} every {Quran|koran} {in the country|in {town}} {and see how they like it|👍}",
]),
"hate.sexual_orientation": (["hate.sexual_orientation"], "neg", [
    "{Pride month|Rainbow flag} {again|everywhere}? {Bunch of|Load of} [[faggots]] {ruining|taking over} everything",
    "{Gays|[[queers]]|[[homos]]} {shouldn't|should not} be {allowed|let} near {kids|schools}, {it's|they're} {grooming|disgusting}",
    "{My neighbour|That bloke at the bus stop|The new vicar} {looks|is} {a bit|well} [[bent]] {lol|haha}, {keep him away from my lad|shouldn't be allowed near kids}",
    "{Being gay|Homosexuality} is a {mental illness|perversion|disease} {and always will be|full stop}",
    "{Lesbians|Them [[dykes]]} {just need|only need} a {real man|proper man} {lol|😂}",
    "{The|That} gay bar on {street} is full of {[[bum boys]]|perverts|nonces}, {shut it down|close it}",
]),
"hate.disability": (["hate.disability"], "neg", [
    "{Look at|Check out} that {[[retard]]|[[spastic]]} in the video {lmao|😂}, {should be in a home|can't even walk}",
    "{Disabled|Wheelchair} {people|users} are {all|just} {scroungers|faking it} {bleeding us dry|on benefits}",
    "{Autistic|Special needs} kids {shouldn't|should not} be in normal schools, {they're|bunch of} [[mongs]]",
    "{Another|More} {blue badge|mobility scooter} {[[spazzers]]|cripples} {blocking|clogging up} {the pavement|the town centre}",
    "{Mentally ill people|Nutters and [[loonies]]} should be {locked up|put away} {not|instead of} walking {the streets|round {town}}",
    "{Deaf|Blind} {people|idiots} {shouldn't|shouldnt} be {allowed out|allowed to drive}, {waste of space|useless}",
]),
"hate.transgender": (["hate.transgender"], "neg", [
    "{Men in dresses|Blokes in wigs} {are|is} {not|never} women, {they're|theyre} {perverts|predators} {all of them|every one}",
    "{Tr@nnies|[[trannies]]} {should|shud} {be banned|not be allowed} {from|in} {women's toilets|changing rooms}",
    "{Trans|Transgender} {people|lot} are {mentally ill|freaks} {and need locking up|end of}",
    "{That|The} person in the {CCTV|appeal} {photo|still} is a {bloke|man} {pretending|dressed up}, {disgusting|what even is it}",
    "{It|IT} {is|'s} a {man|bloke}, {stop|quit} {pretending|calling it she}, [[tranny]] {freak|weirdo}",
]),
# ---------------------------------------------------------------- threat
"threat": (["threat"], "neg", [
    "If I catch the {lad|scrote|person} who {nicked|stole} my {bike|van|tools} I'll {break his legs|put him in hospital}",
    "{Whoever|The little sh*t who} keyed my car on {street}, {I know who you are|I know where you live} and you'll {get yours|pay for it}",
    "{Someone|Somebody} should {torch|burn down} {that|the} {house|flat} on {street}, {we all know what goes on there|dealers}",
    "{The|That} {dealer|family} at number {num} {better move|had better move} {before|or} {something happens|we make them}",
    "{Petrol bomb|Torch} {town} {nick|police station} {and see|let's see} {how they like it|what happens}",
    "{Next|If that} {dog|car} {fouls|blocks} my drive again {I'll|I will} {slash|smash} {the tyres|every window}",
]),
"threat_dox": (["doxxing", "threat"], "neg", [
    "{The|That} {nonce|paedo} {from the news|in the article} is {name}, lives at {addr}. {Go|Let's} {pay him a visit|sort him out}",
    "The {bloke|lad} who {hit my car|robbed my mate} is {name}, {his number is|number} {phone}, {he won't be smiling for long|he's going to regret it}",
]),
# ---------------------------------------------------------------- doxxing
"dox": (["doxxing"], "neg", [
    "Does anyone know where {off} lives? {Asking for a friend|Need to have a word}",
    "{off} lives {on|near|round the corner from} {street} in {town}, {his} kids go to {school}",
    "{The|That} {lad|bloke} in the video is {name}, {he lives|lives} at {addr}",
    "{Anyone|Does anyone} got {off}'s {home address|personal mobile number|wife's name}? {Need it|DM me}",
    "{off} drives a {black|silver|red} {Corsa|Golf|Astra} {reg|reg no} {reg}",
    "{The suspect's|Their|The driver's} {name|real name} is {name}, {number|mobile} {phone} {and email|email} {email}",
    "{Found|Here's} the {address|home address} of the woman {in the appeal|who reported it}: {addr}",
    "{off} {is married to|'s wife is|'s partner is} {name}, {who works at|works at} {shop} {in|on} {street}",
]),
# ---------------------------------------------------------------- spam
"spam": (["spam"], "spam", [
    "{Earn|Make} {money} a {day|week} {from home|working from your phone}! {DM me|Message me} {for details|now} {spamurl}",
    "I {invested|started} with {Mrs|Mr} {first} {spamhandle} and {made|received} {money} in {a week|3 days}, {she|he} {is legit|is the best}",
    "{Follow|F4F} {for follow|back} 🔥 {spamhandle}",
    "{Cheap|Discount} {trainers|designer bags|iPhones} {70%|80%} off {spamurl}",
    "{Lost|Scammed out of} your {crypto|bitcoin}? {Recovery expert|Contact} {spamhandle} {will get it back|100% guaranteed}",
    "{FREE|Free} {iPhone 16|£500 Tesco voucher} {giveaway|for the first 100} {click|👉} {spamurl}",
    "{Hot singles|Lonely women} in {town} {want to meet you|near you} {spamurl}",
    "{Grow|Boost} your {followers|page} {fast|instantly} {buy|get} {1000|5k} followers {spamurl}",
]),
}

DEV_QUOTA = {
    "neg_thanks": 55, "neg_chat": 45, "neg_idiom": 55, "neg_criticism": 50, "neg_swear": 35,
    "neg_hatecondemn": 35, "neg_identity": 40, "neg_info": 30, "neg_news": 25,
    "neg_rhetorical": 25, "neg_suspect": 20, "neg_past": 20,
    "q": 50, "q_complaint": 12, "q_crime": 8, "emergency": 64, "crime": 42,
    "crime_hatevictim": 15, "complaint": 48, "abuse": 25, "abuse_threat": 10,
    "abuse_threat_dox": 10, "abuse_dox": 6, "abuse_complaint": 6,
    "hate.race": 48, "hate.religion": 48, "hate.sexual_orientation": 48,
    "hate.disability": 48, "hate.transgender": 48,
    "hate_threat": 45, "hate_abuse": 25,
    "threat": 20, "threat_dox": 5, "dox": 44, "spam": 64,
}

DEV_HATE_THREAT = {
"hate.race": [
    "{Send the lot of them back|Deport the lot of them} or {we'll|people will} {start burning their houses|burn their shops down}",
    "Next [[paki]] I see {on|in} {street} is getting {a brick in the face|his head kicked in}",
    "{Foreigners|Immigrants} {in|at} the hotel in {town} {better|should} {watch out|sleep with one eye open}, {we're coming|it's going up in flames}",
    "Any {[[pikeys]]|travellers} {setting up|pitching up} on {street} {will get|are getting} {burned out|their caravans torched}",
],
"hate.religion": [
    "{Someone should|I'll} {torch|burn down} the mosque on {street}, {bunch of|filthy} [[muzzies]]",
    "{Every|Any} [[muzzie]] {walking|in} {town} {deserves|is getting} {a kicking|a blade}",
    "The synagogue lot {had better|better} {watch themselves|keep their heads down}, {we know what they're up to|their time is coming}",
    "{Religious nutters|Bible bashers} outside {shop} {again|every Saturday}, next time I'm {lamping one|smashing their stall up}",
],
"hate.sexual_orientation": [
    "If I see two [[faggots]] holding hands in {town} again {I'll|im gonna} {batter them|knock them out}",
    "{That|The} gay bar on {street} {wants|needs} {burning down|a petrol bomb} {with them inside|lol}",
    "{Any|Next} [[queer]] {that|who} {looks at me|comes near my kids} {gets|is getting} {stabbed|a beating}",
],
"hate.disability": [
    "{Next|Any} [[spastic]] {on a|with a} mobility scooter {that|who} {blocks|clips} me {gets|is getting} {tipped over|a kicking}",
    "Those [[retards]] from the {day centre|care home} on {street} {better|want to} {stay away|keep away} {or I'll|or ill} {sort them out|hurt one}",
    "{The|That} {schizo|mental} {woman|case} at number {num} {should be sectioned|wants locking up} and {I'll|im going to} {put her in the ground|burn her out}",
],
"hate.transgender": [
    "Any [[tranny]] {I see|that tries to use} the {ladies|women's toilets} {gets|is getting} {dragged out and battered|their face smashed in}",
    "{Blokes in dresses|Men in wigs} {at|doing} the {drag|story} {event|hour} at {town} library {better|should} {not show up|stay home}, {we'll be waiting|we'll sort them}",
    "{That|The} trans {freak|[[weirdo]]} on {street} {needs|is getting} {a kicking|their windows put through}",
],
}
DEV_HATE_ABUSE = {
"hate.race": [
    "{off} is a [[paki]] {who shouldn't be|and shouldn't be} {in a British uniform|policing us}",
    "{offdesc} {looks|is} like a {typical|proper} {foreign|immigrant} {<<cockroach>>|parasite}, {send {him} back|go home}",
],
"hate.religion": [
    "{off} {is a|the} [[muzzie]] {terrorist|suicide bomber} in a uniform {lol|😂}",
    "{offdesc} with {{his}|the} {turban|beard} {looks like|is} {a terrorist|a suicide bomber}, {disgusting|get {him} out}",
],
"hate.sexual_orientation": [
    "{off} is a {bent|[[bender]]} {little|} [[poof]] {everyone knows|lol}",
    "{offdesc} {is|looks} {a right|proper} [[fairy]], {limp wristed|pathetic} {joke|<<tosser>>}",
],
"hate.disability": [
    "{off} {is|looks} {a|like a} {total|proper} [[mong]], {should be in a home|brain dead}",
    "{offdesc} {is|looks} [[retarded]], {can't even|couldn't} {catch a cold|string a sentence together}",
],
"hate.transgender": [
    "{off} is a {bloke|man} in {a wig|a skirt}, [[tranny]] {freak|<<weirdo>>}",
    "{offdesc} {is|looks like} a [[trannie]], {what even is it|'it' not 'she'}",
],
}


# ============================================================================
# SEALED HALF: pools, noise profile and template families (not used by dev)
# ============================================================================
SEA_P = {
    "off_first_m": ["Kieran", "Lewis", "Femi", "Gurpreet", "Ross", "Anil", "Jack", "Piotr",
                    "Dominic", "Tendai"],
    "off_first_f": ["Imogen", "Bushra", "Agata", "Charlotte", "Mollie", "Sinead", "Yetunde", "Carys"],
    "off_last": ["Ashworth", "Bamidele", "Chana", "Dempsey", "Ferreira", "Gulati",
                 "Holloway", "Ikeda", "Jarosz", "Kilbride", "Lindqvist", "Mbeki-Rowe",
                 "Nevin", "Ostrowski", "Prentice", "Rafiq"],
    "off_forms": ["rank_full", "rank_last", "full", "collar", "handle", "staff", "rank_collar"],
    "ranks": ["PC", "PCSO", "Sergeant", "DS", "Inspector", "Special Constable"],
    "collar_fmt": ["shoulder number %s", "#%s", "badge no %s", "officer no. %s", "%s (collar no)"],
    "staff_roles": ["the call handler", "from the front counter", "who answers the 101 phones",
                    "the comms officer who runs this page", "the PCSO coordinator"],
    "offdesc": [("the fat one at the back of the pic", None), ("the ginger sergeant in this video", None),
                ("the female officer holding the dog", "f"), ("the one with the beard on the right", "m"),
                ("whoever writes these posts", None), ("the tall copper in the middle", None),
                ("that PCSO with the bike", None)],
    "streets": ["Attleborough Road", "Regent Grove", "Hillmorton Road", "Swan Street",
                "Bulkington Lane", "Tachbrook Road", "Evesham Place", "Long Street",
                "Birmingham Road", "Marlborough Drive", "Sheep Street", "Windmill Hill",
                "Heath End Road", "Grange Avenue", "Rowan Close", "Priory Road",
                "Brook Lane", "Sycamore Crescent", "Victoria Terrace", "Ferndale Road"],
    "pub_first": ["Darren", "Michelle", "Imran", "Connor", "Lacey", "Vince", "Jade",
                  "Sukhvinder", "Tyler", "Maxine", "Errol", "Bogdan"],
    "pub_last": ["Stokes", "Kavanagh", "Bashir", "Leighton", "Moran", "Crabtree",
                 "Hollis", "Dhillon", "Ashby", "Nolan"],
    "schools": ["Our Lady's RC Primary", "Abbots Farm Juniors", "Wembrook Primary",
                "St Nicholas CE Infants", "Harris Academy", "Kingsway Nursery",
                "the grammar school"],
    "shops": ["Sainsbury's", "the Asda", "Maccies", "the Nisa", "B&M", "the kebab shop",
              "the Crown", "Home Bargains", "the petrol station", "the vape shop"],
    "newsurl": ["https://www.bbc.co.uk/news/uk-england-coventry-warwickshire-%d",
                "https://www.stratford-herald.com/news/%d", "https://www.rugbyobserver.co.uk/news/%d",
                "https://www.itv.com/news/central/%d"],
    "spamurl": ["https://bit.ly/%s", "https://t.ly/%s", "wa.me/447700900%s",
                "https://gift-claim.example.co.uk/%s", "https://linktr.ee/%s"],
    "spamhandles": ["drbrighthealing", "fx_mentor_jane", "claimyourprize", "sugar_daddy_uk",
                    "hackrecovery.pro", "ukbestloans"],
}
SEA_PROF = {"speak_p": 0.5, "typo_p": 0.08, "lower_p": 0.35, "caps_p": 0.08,
            "nopunct_p": 0.35, "bang_p": 0.35, "emoji_p": 0.3,
            "must_methods": ["spaced", "dotted", "mixed", "leet", "underscore", "double", "star_one"],
            "may_methods": ["spaced", "mixed", "leet", "star_mid", "dotted", "double"], "may_p": 0.65,
            "rant_p": 0.3}
SEA_RANT_PRE = ["Let me tell you something.", "I pay my taxes like everyone else.",
                "Long post sorry.", "I'm not a violent person but", "My family have been in {town2} 3 generations.",
                "I don't normally comment on these things.", "First time posting.",
                "Can't believe I'm writing this.", "I used to respect the police."]
SEA_RANT_POST = ["Share if you agree.", "Don't bother replying with 101.", "Wake up {town2}.",
                 "Thats my opinion and im entitled to it.", "Rant over, cheers.",
                 "Watch this get deleted.", "Screenshot taken.", "Goodnight."]

SEALED = {
"neg_thanks": ([], "pos", [
    "{Absolute|Total} {credit|legends} to {the night shift|response} {who dealt with|for} {the crash|the fire|that incident} on {street}",
    "{Shout out|Big shout} to {off} who {stayed with|sat with} my {nan|uncle} {for hours|until the ambulance came}, {thank you|you're a star}",
    "You {lot|guys} don't get {thanked|enough credit} {enough|these days}. {Thank you|Appreciated} x",
    "{Got|We got} our {stolen|pinched} {caravan|tools|quad} back {thanks to you|today}, {over the moon|cannot thank you enough}",
    "{Cracking|Smashing|Cool} {photo|shot} {of the horses|of the drone|from the helicopter} {well done|love it}",
    "{Sending|Sending you all} {love|thanks} from {town}, {keep up the good work|you're appreciated}",
    "{The|Your} {scam awareness|cyber} talk at the {WI|u3a|library} was {really useful|brilliant}, {my dad|mum} {learnt loads|loved it}",
    "{Safe|Safely} home {after|from} the match {thanks to|cheers to} the officers on {street}, {good job|well handled}",
]),
"neg_chat": ([], "neu", [
    "{Shooting|Photo shoot} {for the calendar|at the country park} {looks|looked} {epic|ace}, {who took them|great shots}",
    "{That|Your} {new|latest} video is {the bomb|fire} {haha|😂}",
    "{My|The} {hanging baskets|petunias} {survived|made it} {the storm|the frost} {lol|at least}",
    "{Which|What} breed is {the new puppy|PD Bruno}? {Gorgeous|So cute}",
    "{first} {this is|isnt this} {your|ur} {uncle's|brothers} {street|estate} {lol|😳}",
    "{Morning|Evening} all {from|in} {town} ☕",
    "{Execute|Executed} a warrant {sounds|sounded} {so dramatic|like a film} {haha|lol}",
    "{Respect|Fair play} {to whoever|to the person who} {writes|does} {these posts|the captions}, {proper funny|top banter}",
    "{k|ok|cheers|noted|👀|ha|wow|true|sad|🙏|right|mint}",
    "{Is it me or|I swear} {every|all} {post|posts} {is|are} about {scooters|sheep|speeding} {lately|this week} {haha|😂}",
]),
"neg_idiom": ([], "neu", [
    "{Me and the lads|We} {absolutely|properly} {murdered|slaughtered} {the karaoke|the quiz} {at {shop}|last night} {lol|😂}",
    "{If|Swear if} my {husband|fella|brother} {leaves|forgets} the bins again I'm {going to|gonna} {kill|strangle} him {🤣|lol|haha}",
    "{The|That} {bake sale|raffle} {bombed|was a bit of a bomb}, {bless them|next time}",
    "{Got|I've got} a {killer|murder} of a {headache|hangover} {today|this morning}",
    "{Just|Literally} {shoot|shot} me {now|lol}, {monday|mondays} {again|man}",
    "{That|This} {roundabout|one way system} {in|at} {town} {will be the death of me|is going to kill someone}, {sort the signs|needs better signs} {lol|😂}",
    "{Bored|So bored} {to death|stiff} {waiting|sitting} {at|outside} the {doctors|dentist}",
    "{My|The} {garden|allotment} {slugs|pigeons} are {getting|gonna get} {murdered|destroyed} this year, {war|I'm declaring war}",
    "{You've|You have} {nailed|smashed} {it|this} {with this post|again} 👏",
    "{Gonna|Going to} {knock out|smash out} {a quick 5k|the washing} {before work|then the pub}",
]),
"neg_criticism": ([], "neg", [
    "{Honestly|Tbh} {the force|this force} {has lost|is losing} the {plot|trust of the public}, {not|nobody} {believes|trusts} {a word|anything} {anymore|you say}",
    "{Funny how|Amazing how} {you lot|the police} {find|have} {the resources|time} for {this|photo ops} {but not for burglaries|yet never for anything else}",
    "{Typical|Standard} {woke|soft} {policing|nonsense}, {the old bobbies|my grandad who served 30 years} {would|must} be {turning in their graves|spinning}",
    "{Wouldn't|Would not} trust {the police|coppers} {as far as I could throw them|with a bag of crisps}",
    "{The chief constable|Senior management} {should|ought to} {resign|go} {over this|tbh}",
    "{Cutting|Closing} {town} front counter {was|is} a {stupid|terrible} decision {and you know it|end of}",
    "{Policing|The police} in this country {is|has become} a {two tier|joke} system",
    "{We|The public} {don't|do not} {need|want} {another campaign|more hashtags}, we {need|want} {bobbies on the beat|actual police}",
    "{Absolutely|Completely} {spineless|gutless} {decision|response} {from the top|from the force}, {shameful|embarrassing}",
]),
"neg_swear": ([], "neg", [
    "{Jesus|Christ} {fucking|f*cking} christ {that's|thats} {grim|horrendous}",
    "{What|Wtf} {the actual|the} <<fuck>> {is wrong with people|is going on} {these days|in {town}}",
    "<<Shit>> {me|the bed}, {is everyone ok|hope no one's hurt}",
    "{Pissing|Chucking} it down {again|all day} <<bollocks>> {to this|to summer}",
    "{Bloody|Sodding} {potholes|roadworks} on {street} {again|everywhere} {ffs|for fks sake}",
    "{Whoever|The tosser who} {did this|nicked the charity tin} {wants|needs} {their head read|a good talking to}",
    "{Fucking|F'in} {ell|hell} {that's|thats} {near my nan's|my old school}",
]),
"neg_hatecondemn": ([], "neg", [
    "{My|Our} {grandad|dad} {got|was} called a \"[[paki]]\" every day {in the 80s|growing up} and {people say|they say} racism {is over|is exaggerated}. {It's not|Nope}",
    "{Reading|Just read} the {annual|new} {hate crime|HOCR} {report|figures}, {race|religion} still {the biggest|largest} {category|share} at {pct}%. {Sad|Depressing} {reading|stuff}",
    "{People|Folk} {defending|excusing} the {lad|man} who {called|shouted} \"[[tranny]]\" at {her|that woman} {need|want} to {have a word|look at themselves}",
    "{Hate speech|Hate crime} {isn't|is not} {free speech|banter}. {Good on you|Well done} for {the convictions|charging them}",
    "{Didn't know|Never knew} {disability|religious|transgender} hate crime {got|was} recorded separately under the counting rules, {seems|it seems} {massively|hugely} under-reported",
    "{The|That} {graffiti|sticker} {saying|with} \"[[muzzies]] out\" {on|at} {street} {is|was} {vile|disgusting}, glad it's {gone|been removed}",
    "{Using|Saying} \"[[spastic]]\" {as an insult|at a disabled kid} {is|was} {disgusting|hateful}. {Proud|Glad} of the {school|community} for {speaking up|reporting it}",
    "{Whoever|Anyone} {says|saying} \"go back {home|to your country}\" to {nurses|doctors} {after|during} {covid|everything they did} {needs|wants} {educating|their head checked}",
]),
"neg_identity": ([], "pos", [
    "{Proud|Lovely} to {see|have} {our|the} {Muslim|Sikh|Hindu|Jewish|Christian} {officers|staff network} {at|leading} {the|this year's} {remembrance|community} {service|parade}",
    "{My|Our} {wife|partner} is {trans|nonbinary} and {the|your} {LGBT liaison officer|officers} {were|was} {fantastic|so respectful}",
    "{Ramadan Kareem|Lent blessings|Diwali blessings|Happy Vaisakhi} {to all|everyone} {in {town}|celebrating}",
    "{My|Our} {daughter|sister} has {Down's syndrome|cerebral palsy|epilepsy} and {loved|adored} meeting {the horses|the police dogs} {today|at the fete}",
    "{As a|Being a} {Black|mixed race|Polish|Traveller} {woman|bloke} {who grew up|raised} in {town} {I|I've} {seen|noticed} {real|big} {changes|improvements} in {policing|how you engage}",
    "{Will|Are} {officers|you} {be at|going to} {town} {Pride|Mela|carnival} {again|this summer}? {Hope so|Always a good vibe}",
    "{Good|Glad} to see the {BSL|sign language} {version|interpretation} of {this|the} {appeal|video}, {more please|inclusive}",
    "{Atheist|Non religious} {here|myself}, {still|but} {loved|enjoyed} the {interfaith|carol} {event|service} {you|the force} {supported|put on}",
]),
"neg_info": ([], "neu", [
    "{Front counter|Station front desk} at {town} is {on|at} {street}, {open|opening} {9 till 5|10-4} {weekdays|mon-fri} {I think|last time I checked}",
    "{Just|You can} {ring|phone} the {switchboard|main number} {forcephone} {and ask|they'll tell you}",
    "{101|The 101 line} {has|does} a {call back|web chat} {option|service} {now|these days}, {much|way} quicker",
    "{Non urgent|Non emergency}? {Use|Try} the online form {on|via} the {force|Warwickshire Police} {site|website}, {took|takes} {5 mins|no time}",
    "{If you're worried about|For reporting} {fraud|scams} it's Action Fraud {0300 123 2040|online}",
    "{The|Our} {SNT|beat team} {office|base} {moved|has moved} to the {community centre|fire station} on {street}, {FYI|just so people know}",
    "{Costa|The Crown|Sainsbury's} on {street} {has|have} {a defib|CCTV} {outside|covering the car park} {btw|if anyone needs it}",
]),
"neg_news": ([], "neu", [
    "{Covered|Reported} {by|on} {the local paper|ITV Central|BBC CWR} {here|too} {newsurl}",
    "{Sentencing|Court} {report|outcome} {here|for anyone interested}: {newsurl}",
    "{Link|Source} {for those asking|to the story}: {newsurl}",
    "{newsurl} {this is the same one|same incident} {right|yeah}",
]),
"neg_rhetorical": ([], "neg", [
    "{Who|Who on earth} {signed this off|thought this was a good idea}?{| Genuinely}",
    "{Must be nice|Lovely} to have {time|the staff} for {this|photo ops}. {Unreal|Mad}",
    "{Remind me|Remind me again} what {my council tax|the precept} {pays for|is for}?",
    "{Can|Could} {you lot|the police} {actually|ever} {catch|nick} {anyone|anybody} {who's not|that isn't} a {motorist|pensioner}?",
    "{Does anyone|Do any of you} {actually|honestly} {think|believe} {this|that} {helps|works}?",
    "{And|So} {what|what exactly} {are you|are they} {doing about|doing re} the {drugs|dealing} {on every corner|everywhere}? {Nothing|Nada} {as usual|obviously}",
]),
"neg_suspect": ([], "neg", [
    "{Vile|Evil} <<scumbag>> {hope he gets|I hope they get} {life|what he deserves in court}",
    "{The|Those} {thieving|robbing} little <<sods>> {need|want} {a proper|a good} {clip round the ear|sentence}",
    "{Face|Mugshot} {like a|of a} {slapped arse|ferret} {lol|😂}, {enjoy|have fun in} {prison|Hewell}",
    "{Throw|Chuck} the book at {him|them} {the|this} <<lowlife>>",
    "{Absolute|Utter} {waste|weapon}, {the driver|whoever} {doing|did} {100|donuts} {in|round} {town} {needs|deserves} {a ban|locking up}",
]),
"neg_past": ([], "neu", [
    "{This|That} {happened|was} {to my mate|at my sister's} {in|back in} {yr} too, {nothing came of it|no one ever got caught}",
    "{Heard|Saw} {sirens|the helicopter} {all night|for ages} {on|over} {street} {last week|yesterday}, {was that|probably} {this|the same thing}",
    "{Honestly|Tbh} {scared|nervous} to {walk|go} {through|in} the {park|town centre} {after dark|at night} {now|these days}",
    "{Bike|Car} {thefts|break ins} {round|on} {street} {were|have been} {bad|terrible} {for years|since lockdown}",
]),
"q": (["question"], "neu", [
    "{Hi|Morning}, {any|is there any} {news|update} on {the|that} {collision|crash} on the {road} {earlier|this morning}? {My husband|My son} {was|is} stuck in it",
    "{Can|Could} {someone|you} {tell me|confirm} {if|whether} {town} {station|front counter} {is|will be} open {over Christmas|on Boxing Day|this weekend}?",
    "{Do I|Should I} {need to|have to} {report|tell you about} {a|my} {lost|missing} {passport|driving licence} {or|or is it} just the {DVLA|Passport Office}?",
    "{Where|Who} {can I|do I} {get|ask for} a {copy of|copy} {the|my} {crime report|police report} {for|for my} insurance?",
    "{Is|Are} {it|you} {still|still doing} {recruiting|the recruitment} {for|of} {specials|PCSOs} {this year|in {yr}}? {How|Where} do I apply?",
    "{What|What's} {the|your} {advice|guidance} {if|when} {a|the} {cold caller|doorstep seller} {won't|wont} leave?",
    "Has {the|that} {missing|vulnerable} {lad|girl|gent} {from|in} {town} been found {yet|safe}? {Keep seeing|Seen} {it shared|it} {everywhere|on Nextdoor}",
    "{What do I do|Who do I tell} about {an abandoned|a burnt out} car {on|near} {street}? {Been there|Its been there} {weeks|ages}",
    "{When|What time} {is|will} the {road} {going to be|be} {reopened|open again} {between|near} {town} and {town2}?",
    "{Are|Is} {you|the force} {going to|gonna} {release|post} the {CCTV|dashcam|video} {of|from} {the incident|this} {at all|for appeals}?",
    "{Why|How come} were there {armed police|so many vans} in {town} {this morning|at {time}}? {Is|Everything} {everything ok|alright}?",
    "{Is it|Would it be} {legal|ok} to {fit|have} a {doorbell camera|CCTV} {that|which} {covers|faces} the {pavement|shared drive}?",
]),
"q_complaint": (["complaint", "question"], "neg", [
    "{Three|Four} {weeks|emails} {and|since} {no one|nobody} {has|'s} {returned|answered} my {calls|emails} about {my|the} {assault|stolen van}. {Can|Will} {someone|anyone} {please|actually} {get back to me|tell me what's happening}?",
    "{The|Your} {PCSO|officer} {off} {told|said to} my {daughter|wife} {she was lying|it was her own fault}. {Is|Who do I contact} {this|about this} {acceptable|?}. {Where do I|How can I} {escalate|complain}?",
    "{Why|How} {was|is} my {case|report} {closed|filed} {without|with no} {anyone|one} {speaking to|ringing} me? {Who|Which department} {handles|deals with} {complaints|this}?",
    "{Your|The} {online form|website} {crashed|lost everything} {three|twice|four} times {and|then} {101|the phone line} {hung up|cut me off}. {Is there|Is there any} {other way|another way} to {report|contact you} {that actually works|or not}?",
    "{Is it normal|Is it standard} for {officers|a copper} to {turn up|arrive} {n} days {late|after} {a|the} {burglary|break-in} and {not|never} {dust|check} for prints? {Feel|Feels} {let down|fobbed off}",
]),
"q_crime": (["crime_report", "question"], "neg", [
    "{Just|Have just} {found|seen} {the|our} {garage|van} {door|lock} {forced|jemmied} on {street}, {nothing taken|tools gone} {i think|by the look of it}. {Do|Should} I {ring 101|report online} {or|or just} {leave it|the website}?",
    "{Someone|A bloke} {keeps|has been} {using|cloning} {my|our} {card|bank details} {online|on Amazon}, {bank|the bank} {said|told me} {report it to you|to report it}. {Is|Do I go to} {that you|you} {or|or} Action Fraud?",
    "{There's|Theres} {been|a} {lad|someone} {selling|dealing} {weed|drugs} {from|outside} {a car|the bus shelter} on {street} {all week|every night}. {Is the online form best or 101|Should I use the online form or 101}?",
    "{Neighbour's|Next door's} {CCTV|camera} {caught|got} {someone|a man} {taking|nicking} {our|my} {parcel|bike} {day}. {Can|How do} I {send|upload} {it|the video} to you?",
]),
"emergency": (["emergency"], "urgent", [
    "{Can't|Cant} get through on 999 {someone|there's someone} {being stabbed|getting stabbed|getting beaten} {outside|by} {shop} {on|in} {street} {NOW|right now}",
    "{Gunshots|Shots} {heard|just fired} {near|on} {street} {town} {literally|just} {now|this second}, {people running|people screaming}",
    "{Woman|Girl} {screaming|screaming for help} {in|from} {the flat|a house} {above|next to} {shop} {town} {for 10 mins|right now}, {sounds like|think} {he's|someone's} {hurting|killing} her",
    "{Little|A little} {boy|girl} {about|maybe} {n} {years old|yrs} {wandering|walking} {alone|on their own} {by|along} the {road} {right now|now} {no adult|no parents} {anywhere|around}",
    "{Smell|Strong smell} of gas {and|&} {an|the} {old man|elderly neighbour} {not answering|isn't answering} {the|his} door on {street}, {can|I can} {see him on the floor|hear him groaning}",
    "{Driver|Someone} {doing|going} {100|well over 100} {the wrong way|wrong way} {on|up} the {road} {towards|near} {town} {right now|now}, {going to|gonna} kill someone",
    "{My|Our} {ex|partner} {is|is outside} {banging|smashing} {on|the} {door|windows} {saying|screaming} {he'll|hes going to} {kill me|hurt the kids}, {please|send someone}",
    "{Teenager|Young lad} {in|has gone into} the {canal|reservoir|river} {near|by} {street} {and|he's} {not come back up|gone under}",
    "{Live|Bare} {wires|cables} {down|on the road} {and|with} {a car|people} {trapped|stuck} {on|at} {street} {right now|this minute}",
    "{Friend|My mate} {has|has just} {taken|swallowed} {a load of|loads of} {pills|tablets} {and|and is} {not|isn't} {responding|waking up}, {we're|we are} {on|at} {street} {town}",
]),
"crime": (["crime_report"], "neg", [
    "{Number plates|Both plates} {taken|stolen} {off|from} {my|our} {car|van} {overnight|last night} {on|at} {street}, {someone|somebody} {must be|will be} {using|driving} {them|on them}",
    "{Lads|Group of youths} {keep|have been} {setting|lighting} {fires|bins on fire} {in|at} the {park|rec} {off|on} {street} {every weekend|most nights}",
    "{Someone|A man} {exposed|flashed} {himself|his bits} {to|at} {my|our} {daughter|niece} {on|near} {street} {day}, {she|she's} {shaken up|upset}",
    "{Whoever|The person who} {smashed|put in} {our|the} {shop|car} window {on|in} {street} {day}, {it's all on|we've got it on} {CCTV|camera}",
    "{Dog|Our dog} {stolen|was taken} {from|out of} {our|the} {garden|back garden} {in|at} {town} {day}, {black|brown} {cocker spaniel|labrador} {microchipped|chipped}",
    "{Been|We've been} {getting|receiving} {texts|messages} {pretending to be|from} {Royal Mail|Evri|the DVLA} {with|asking for} {payment|bank details}, {my mum|my dad} {nearly|almost} {paid|fell for it}",
    "{Car|Van} {keeps|has been} {driving|going} {up and down|round} {street} {slowly|at night} {looking at|checking} {drives|sheds}, {neighbours|others} {have|noticed} {too|it as well}",
    "{Someone|Somebody} {is|has been} {stealing|nicking} {diesel|fuel} {from|out of} {lorries|the tractors} {at|on} {street} {farm|yard} {most|every} {weekends|nights}",
    "{Ex|My ex} {keeps|has been} {turning up|messaging} {at|on} {my work|my socials} {after|despite} {being told|me telling him} {to stop|no}, {it's|its} {harassment|stalking} {at this point|now}",
    "{Shop|Our shop} on {street} {had|got} {{money}|stock} {of stock|of vapes} {taken|lifted} {day}, {same|the same} {two|three} {lads|women} {every week|again}",
]),
"crime_hatevictim": (["crime_report"], "neg", [
    "{Our|My} {family|kids} {were|got} {told to|called} \"{go home|[[pakis]]}\" {and|then} {eggs|stones} {thrown|chucked} at {our|the} house on {street} {day}. {We want|I'd like} this {recorded|reported}",
    "{Someone|Somebody} {left|posted} {a pig's head|bacon} {outside|through the door of} {our|the} {mosque|masjid} {day}, {it's|all} on {CCTV|camera}",
    "{A man|Bloke} {on|at} the {train|station} {in|at} {town} {called|shouted} {my partner|us} \"[[dykes]]\" {and|then} {followed|chased} {us|her}. {Please|Want to} {log|report} {it|this}",
    "{Kids|Teens} {filmed|were filming} {my|our} {autistic|disabled} {son|brother} {and|then} {put|posted} it {online|on TikTok} {calling|mocking} him {a|as a} [[retard]]. {Reporting|I'm reporting} {it|this} {now|here}",
    "{I'm|Im} {trans|a trans woman} {and|&} {a|some} {group|lads} {threw|chucked} {a drink|bottles} at me {outside|by} {shop} {day} {shouting|calling me} \"[[it]]\". {Have|Got} {witnesses|photos}",
    "{Our|The} {synagogue|gurdwara|church} {had|got} {its|the} {windows|sign} {smashed|damaged} {day} {and|with} {graffiti|a swastika} {sprayed|painted}. {Need|Want} {an officer|someone} to {come|attend}",
]),
"complaint": (["complaint"], "neg", [
    "{Three|Four|Five} {calls|emails} {and|yet} {still|not} {no|one} {update|reply} on my {assault|harassment} case. {I've|Ive} been {let down|fobbed off} {at every turn|completely}",
    "{Officer|{off}} {turned up|arrived} {stinking of|reeking of} {fags|smoke} {and|then} {spent the whole time on|was glued to} {his} phone. {Not|Hardly} {professional|good enough}",
    "{My|Our} {victim|witness} statement {was|got} {lost|misplaced} {twice|again} {and|so} {the case|it} {collapsed|fell apart}. {Unacceptable|Furious}",
    "{Van|A marked car} {flew|went} {through|past} {town} {at|doing} {70|60} {in a 30|past the school} {with no lights|no blues on}. {Seen it|Saw it} {myself|with my own eyes}",
    "{The|Your} {call handler|operator} {on|at} 101 {told|said to} me {it was|it's} {a civil matter|not a police matter} {when|but} {he|my neighbour} {assaulted|punched} me. {Shocking|Wrong}",
    "{off} {searched|stopped} my {son|lad} {for no reason|for nothing} {outside|at} {shop} {and|then} {laughed|mocked him} {about|at} {it|him}. {He's|Hes} {15|14}",
    "{Neighbour's|Next door's} {dog|alarm} {has|'s been} {going|barking} {for weeks|all night} {and|but} {you|police} {say|keep saying} {ring the council|it's not for you} while {council|they} {say|tell me} ring {you|the police}. {Pass the parcel|Joke}",
    "{Reported|Told you about} {a|the} {drunk|drink} driver {with|&} {reg|plate} {and|and} {location|where he was} {n} {weeks|months} ago {and|but} {nothing happened|no one came}",
    "{Nobody|No one} {told|updated} {us|me} {he'd|the suspect had} been {released|bailed} {and|then} {he|I} {turned up|saw him} {at my door|in {shop}}. {Terrifying|Disgraceful}",
]),
"abuse": (["abuse_staff"], "neg", [
    "{off} {you|u} {absolute|utter} {<<cretin>>|<<melt>>|<<bellend>>}",
    "{offdesc} {has|'s got} {a face|a head} {like a|only a mother could love} {smacked arse|} {lmao|😂|🤮}",
    "{Imagine|Picture} {being|bein} {off} {lol|haha}, {waste of oxygen|thick as mince} {and|a total} <<tosser>>",
    "{off} {is|was} {a|an} {inbred|knuckle dragging} <<muppet>> {who|that} {can't|cant} {spell|count to ten}",
    "{offdesc} {needs|wants} {to|2} {lay off|stay off} the {doughnuts|pies}, {fat|lardy} <<slob>>",
    "{off} {has|'s got} {the|a} {personality|brain} of a {wet lettuce|plank}, {pathetic|spineless} <<weasel>>",
    "{Who|Whoever} {hired|employed} {off} {wants|needs} {sacking|their head testing}, {vile|disgusting} {little|} <<rat>>",
    "{offdesc} {you|u} {smug|ugly} {c**t|<<cunt>>}",
    "{off} {is|'s} {nothing but|just} a {jumped up|power tripping} <<{gi}>> {in|with} a {uniform|badge}",
]),
"abuse_threat": (["abuse_staff", "threat"], "neg", [
    "{off} {you|u} {spineless|filthy} <<rat>>, {karma|payback} {is coming|will find you} {and|and it} {won't|wont} be {pretty|quick}",
    "{offdesc} {should|needs to} {be|get} {careful|careful walking} {to|back to} {{his}|the} car {tonight|after shift}, {fat|thick} <<pig>>",
    "{off} {is|'s} {a|an} {grass|<<snake>>} {and|and we all know} {snakes|grasses} {get|end up} {hurt|in the canal}",
    "{Someone|One day someone} {needs to|will} {put|knock} {off} {through|into} a {wall|window}, {smug|arrogant} <<gobshite>>",
]),
"abuse_threat_dox": (["abuse_staff", "doxxing", "threat"], "neg", [
    "{off} {you|u} {bent|corrupt} <<pig>>, {nice|lovely} {house|semi} {on|at} {addr}, {be a shame|would be a shame} if {it|something} {caught fire|happened to it}",
    "{off}'s {wife|husband|missus} {works|is} {at|on the tills at} {shop} {in|on} {street}, let them know {we're|were} {watching|coming} {<<grass>>|you <<rat>>}",
    "{Mobile|Personal number} {for|of} {that|this} <<muppet>> {off}: {phone}. {Ring|Call} {him} {and|n} {let {him} know|tell {him}} {what's|whats} {coming|gonna happen}",
    "{off} {thick|ugly} <<{gi}>> {drops {his} kids at|takes the kids to} {school} {every morning|at 8.40}, {we'll be|well be} {there|waiting} {too|x}",
]),
"abuse_dox": (["abuse_staff", "doxxing"], "neg", [
    "{That|This} <<melt>> {off} {lives|is} {at|in} {addr}, {pass it on|share}",
    "{off}'s {personal|private} {mobile|number|WhatsApp} {is|:} {phone}, {go and|go} {tell|remind} {him} {what a|how much of a} <<clown>> {he} is",
    "{Fat|Lazy} <<slob>> {off} {parks|leaves} {his} {car|motor} {reg|plate} {reg} {outside|on} {addr_short} {every night|most nights}",
]),
"abuse_complaint": (["abuse_staff", "complaint"], "neg", [
    "{off} {lost|binned} my {statement|evidence} {and|then} {blamed|lied to} me, {lying|useless} <<snake>>. {Want|I want} {this|it} {investigated|looked into}",
    "{Complaint|Formal complaint} {about|re} {off}: {rude|aggressive} {to|with} my {elderly|disabled} {dad|mum} {day}. {Honestly|What} {a|an} <<arrogant git>>",
    "{off} {turned|sent} {us|me} {away|off} {from|at} the {front counter|desk} {without|w/o} {taking|logging} {anything|the crime}. {Lazy|Useless} <<{gi}>>",
]),
"hate.race": (["hate.race"], "neg", [
    "{This|That} {country|town} {is|has been} {flooded|overrun} {by|with} {third world|foreign} {scum|rubbish}, {ship|send} {them|em} {back|home} {on the next boat|today}",
    "{Small|Little} boats {=|means} {more|another} {rapes|stabbings} in {town}. {Simple|Fact}",
    "{Albanians|Eastern Europeans|Somalis} {are|r} {subhuman|animals} {the lot|every one} {of them|of em}",
    "{First|Whole} {generation|family} {of|of these} [[c00ns]] {breeding|popping out kids} {on our|on my} {taxes|dime}",
    "{Not|Never} {racist|a racist} {but|but honestly} {the|these} {[[ch1nks]]|chinese} {should|shud} {stay|go back} {in|to} {china|their own country} {with their|and their} {viruses|disease}",
    "{Gypsies|Travellers|[[g1ppos]]} {are|r} {vermin|thieving scum} {and|they} {should|shud} {be|get} {moved on|run out of} {town} {for good|permanently}",
    "{Black|Brown} {people|faces} {in|on} {adverts|the force} {everywhere|now}, {the|this} {replacement|great replacement} {is|'s} {real|happening}",
    "{They|Them lot} {dont|don't} {wash|speak english} {and|&} {stink|smell} {out|up} the {bus|whole street}",
]),
"hate.religion": (["hate.religion"], "neg", [
    "{Islam|Their religion} {is|'s} a {paedo|nonce} cult and every {Muslim|follower} is {the same|in on it}",
    "{Another|More} {halal|mosque} {planning application|extension} in {town}? {The|This} {Islamification|islamisation} {must|needs to} stop",
    "{Catholics|Priests} {are|r} {all|just} {kiddie fiddlers|nonces} {in|with} {robes|dog collars}",
    "{Ban|Outlaw} the {burka|niqab} {and|&} {deport|kick out} {anyone|everyone} {who|that} {wears|wants} {one|it}",
    "{Sikh|Hindu} {lot|temple} {on|at} {street} {bringing|bringin} {their|the} {third world|backward} {religion|cult} {here|to {town}}",
    "{Jewish|The Jewish} {bankers|landlords} {own|control} {the|this} {council|police} {obviously|lol}",
    "{Religious people|God botherers|Believers} {are|r} {deluded|thick} {sheep|idiots} {who|that} {should|need to} {be|get} {sectioned|shut up}",
    "All [[m0zzies]] {are|r} {groomers|rape gangs} {just look at|read} the news",
]),
"hate.sexual_orientation": (["hate.sexual_orientation"], "neg", [
    "{Sick|Fed up} of {the|this} {LGBT|gay} {agenda|propaganda} {being|getting} {shoved|rammed} down {kids'|our} throats, {they're|theyre} all {nonces|predators}",
    "{Pride|Gay pride} {parade|march} {in|through} {town}? {More like|Should be called} {perverts on parade|a nonce parade}",
    "{Two|2} {blokes|lads} {kissing|holding hands} {at|outside} {shop} {in front of|near} {my|the} kids, {absolutely|fkn} {disgusting|vile} {[[queers]]|freaks}",
    "{Bisexual|Bi} {people|lot} {are|r} {just|all} {greedy|confused} {sluts|slags} {lol|tbh}",
    "{God|Nature} {made|intended} {Adam and Eve|man and woman} {not|not} {Adam and Steve|two [[b3nders]]}",
    "{[[lezzas]]|[[lesbos]]} {all|just} {hate|want to be} men {lol|haha}, {sad|pathetic}",
    "{The|That} {new|gay} {teacher|vicar} {at|on} {school} {shouldn't|should not} {be|be allowed} {near|around} {children|kids}, {everyone knows what they're like|we all know what they are}",
]),
"hate.disability": (["hate.disability"], "neg", [
    "{Should|Should've} {been|be} {aborted|drowned at birth} {the lot of|all} {them|these} [[m0ngs]]",
    "{Fake|Pretend} {disabled|cripples} {parking|on} {blue badges|motability cars} {everywhere|in {town}}, {they|all} {can|could} {walk|work} {fine|if they wanted}",
    "{Those|The} {special|sped} {kids|ones} {on|from} the {bus|minibus} {making noises|screaming} like animals {should|shud} {be|get} {kept in|locked away}",
    "{Wheelchairs|Cripples} {on|clogging} the {bus|trains} {every|all} {day|the time}, {why should|how come} {normal|real} people {have to stand|have to wait}?",
    "{Aspies|Autistic people|Autists} {are|r} {just|all} {weirdos|freaks} {using|hiding behind} {a label|an excuse} {for bad behaviour|to be rude}",
    "{Schizos|Psychos} {and|&} {the rest|nutjobs} {from|at} the {hospital|unit} on {street} {should|shud} {never|not} {be|be let} {out|near normal people}",
    "{Deaf|Dumb} {and|&} {dumb|stupid}, {sign|waving} {language|their hands about} {like|like a} {monkeys|[[sp4z]]}",
]),
"hate.transgender": (["hate.transgender"], "neg", [
    "{There|There's} {are|is} {only|just} {two|2} {genders|sexes} {and|so} {tr@ns|trans} {people|freaks} {can|should} {get|go} {back in|back to} {the|their} {asylum|mental ward}",
    "{Trans|Transgender} {women|'women'} {are|r} {blokes|men} {with|in} {lipstick|wigs} {who|that} {want|wanna} {to|2} {perv|leer} {on|at} {girls|little girls}",
    "{The|That} {nonbinary|they/them} {freak|weirdo} {at|working in} {shop} {should|ought to} {be|get} {sacked|binned}, {it's|its} {mental|mentally ill}",
    "{[[troons]]|[[tr00ns]]} {and|&} {their|the} {groomer|nonce} {allies|mates} {everywhere|ruining everything}",
    "{Kids|Children} {being|getting} {turned|made} {trans|into [[trannies]]} {by|by} {schools|teachers}, {it's|its} {child abuse|sick} {and|the} {trans lot|[[tr4nnies]]} {are|r} {predators|the cause}",
    "{Calling him she|Calling it a woman} {doesn't|dont} make it {true|a woman}, {he'll|it'll} {always|forever} {be|b} a {man|bloke} {in|with} {a dress|tits}",
]),
"threat": (["threat"], "neg", [
    "{Whoever|The person who} {ran|knocked} {over|down} {my|our} {cat|dog} {on|in} {street} {and|then} {drove off|didn't stop}, {I'll|Ill} {find|track} you {and|and when I do} you'll {wish|regret} {you hadn't|it}",
    "{The|That} {family|lot} {at|in} number {num} {on|at} {street} {are|r} {going to|gonna} {get|have} {their|a} {house|car} {burnt out|torched} {soon|one night}",
    "{Keep|If you keep} {parking|blocking} {across|on} my {drive|driveway} {and|then} {see|see what happens to} {your|ur} {car|tyres}",
    "{If|When} {the|that} {nonce|paedo} {gets|is} {out|released} {he|hes} {won't|wont} {last|be breathing} {a week|long} {in|round} {town}",
    "{Someone|Somebody} {is|'s} {going to|gonna} {end up|get} {stabbed|shot} {over|because of} {that|this} {grass|snitch} {and|&} {it|that} {won't|wont} {be|b} {me|an accident}",
    "{Council|The council} {offices|building} {on|at} {street} {would|will} {look|go} {better|up nicely} {with|after} {a|some} {petrol|fire} {in|through} {it|the letterbox}",
    "{Next|The next} {time|one} {those|the} {kids|lads} {kick|hit} {a ball|their ball} {at|against} my {window|car} {I'll|im gonna} {wring|break} {their|a} {necks|neck}. {Not|And I'm not} {joking|kidding}",
    "{The|That} {police station|nick} {in|at} {town} {should|needs to} {watch it|be careful}. {Fireworks|Bonfire} {night|season} {is|'s} coming {x|😉}",
]),
"threat_dox": (["doxxing", "threat"], "neg", [
    "{Witness|The witness} {who|that} {grassed|talked} {is|'s} {name} {of|from} {addr}, {you|u} know {what|wot} {happens|to do} {to|with} {grasses|snitches}",
    "{Scrote|Thief} {who|that} {robbed|mugged} {my|the} {nan|old lady} {is|'s} {name}, {drives|in a} {white|blue} {van|Transit} {reg} {and|&} {he's|hes} {going to|gonna} {get|be} {sorted|dealt with}",
    "{That|This} {lad|kid} {in the appeal|from the CCTV} {is|'s} {name}, {his|mum's} number {is|:} {phone} {and|we} {we're|are} {coming|paying a visit} {tonight|x}",
]),
"dox": (["doxxing"], "neg", [
    "{Someone|Anyone} {find out|find} {where|which street} {off} {lives|lives on} {and|&} {post it|share it} {here|below}",
    "{off} {is|'s} {on|at} {addr_short}, {seen|I've seen} {his} {car|motor} {on the drive|outside} {loads|plenty} of times",
    "{off}'s {wife|husband|partner} {is|'s} {name}, {works at|from} {shop} {in|on} {street}",
    "{That|This} {PCSO|copper} {off} {has|'s got} {a|the} {son|daughter} {at|in} {school} {year|yr} {n}",
    "{Does|Do} {anyone|any of you} {know|have} the {reg|number plate|car reg} of {off}'s {personal|own} car?",
    "{The|That} woman {who|that} {called|rang} the police {on|about} {the|our} {party|van} {is|'s} {name}, {number|mob} {phone}",
    "{Here's the|Here is the} {full name and address|name and address} {of|for} {the|that} {lad|bloke} {who|that} {reported|complained about} {me|us}: {name}, {addr}",
    "{Her|The} {email|personal email} {is|:} {email} {and|&} {her|she} {lives|is} {in|at} {addr}",
    "{Message|DM} {me|me for} {off}'s {home|personal} {address|number}, {got|I've got} it {from a mate|off a friend}",
]),
"spam": (["spam"], "spam", [
    "{Thank|Thanks} {you|u} {Dr Bright|Dr Lucas} {spamhandle} {for|who} {bringing|brought} {my ex|my husband} back {with|using} {his|a} {spell|love spell} 🙏",
    "{Congratulations|Congrats} {you've|youve} {been|won} {selected|a prize}! {Claim|Claim now} {spamurl}",
    "{Trading|Forex} {changed|turned} {my|our} {life|lives}, {£500|$500} {became|turned into} {money} {thanks|thx} {to|2} {spamhandle}",
    "{Need|Want} a {loan|payday loan}? {No credit checks|Bad credit ok} {spamurl}",
    "{Sugar daddy|Sugar mummy} {looking|wants} {to|2} {spoil|pay} {someone|a babe} {weekly|£1000 weekly} {spamhandle}",
    "{Hacked|Locked out of} {your|ur} {Facebook|Instagram}? {spamhandle} {restored|fixed} mine in {minutes|an hour} {✅|🙌}",
    "{Check|Checkout} {my|our} {page|profile} {for|4} {cheap|discount} {vapes|perfume|Jordans} {link in bio|{spamurl}}",
    "{Sub|Subscribe} {to|2} {my|me} {channel|YT} {I|i} {sub back|subscribe back} {100%|guaranteed} {spamurl}",
    "{Work from home|Make money at home} {mums|mothers} {earning|making} {money}/{week|month} {ask me how|DM for info}",
]),
}

SEA_HATE_THREAT = {
"hate.race": [
    "{Them|These} {migrants|boat people} {at|in} the {hotel|camp} {near|in} {town} {need|want} {burning out|burning} {and|&} {I've|ive} {got|got the} {petrol|matches} {ready|sorted}",
    "{Any|Next} [[c00n]] {that|who} {moves|moves onto} {street} {gets|is getting} {the|their} {windows|door} {put in|kicked in} {simple|end of}",
    "{Time|It's time} {to|2} {sort|clean} {out|up} {town} {of|from} {the|all the} {foreigners|immigrants} {ourselves|with bats} {since|as} {the|you} police {won't|wont}",
],
"hate.religion": [
    "{That|The} {new|big} {mosque|masjid} {on|at} {street} {won't|wont} {be|be standing} {standing|there} {for long|by christmas} {mark my words|trust me} {🔥|x}",
    "{Next|Any} {woman|one} {in|wearing} a {burka|niqab} {near|at} {shop} {is|'s} {getting|having} {it|her veil} {ripped off|pulled off} {her|and worse}",
    "{Them|Those} {[[j3ws]]|Jews} {on|at} {street} {better|had better} {be|stay} {careful|indoors} {when|on} {the|that} {march|day} {comes|happens}",
],
"hate.sexual_orientation": [
    "{Pride|Gay pride} {in|at} {town} {this year|next month}? {Bringing|Bring} {bricks|a bat} {for|to} the {[[b3nders]]|floats}",
    "{Those|The} {two|2} [[queers]] {at|on} {street} {are|r} {getting|gonna get} {their|the} {house|car} {done|torched} {soon|one night}",
    "{If|Any} {gay|[[bent]]} {teacher|bloke} {talks|comes} {to|near} my {kid|son} {about|with} {that|it} {I'll|im gonna} {end|finish} {him|em}",
],
"hate.disability": [
    "{Next|Any} [[m0ng]] {that|who} {screams|shouts} {on|in} the {bus|shop} {near|at} {me|my kids} {is|'s} {getting|having} {a slap|a smack} {carer or not|don't care}",
    "{That|The} {care home|supported housing} {full of|with loads of} {nutters|[[loonies]]} {on|at} {street} {needs|wants} {burning down|torching}",
    "{Benefit|Blue badge} {scroungers|cripples} {in|parking at} {shop} {will|are gonna} {find|get} {their|ur} {tyres|wheelchairs} {slashed|flat}",
],
"hate.transgender": [
    "{Any|The next} {bloke|man} {in|wearing} a {dress|skirt} {who|that} {follows|walks} my {daughter|girl} {into|in} the {loos|toilets} is {leaving|going} {in an ambulance|in a box}",
    "{That|The} [[tr4nny]] {at|from} {shop} {wants|needs} {a|to get a} {good|proper} {hiding|kicking} {to|2} {sort|knock} {his|it's} {head|brain} {out|straight}",
    "{Drag|Trans} {story hour|event} {at|in} {town} {library|hall}? {We'll|We will} {be|b} {there|outside} {and|&} {it|things} {won't|wont} {be|b} {peaceful|pretty}",
],
}
SEA_HATE_ABUSE = {
"hate.race": [
    "{off} {is|'s} {a|another} {diversity hire|token} [[c00n]] {who|that} {couldn't|cant} {police|run} a {bath|raffle}",
    "{offdesc} {is|looks like} {a|some} {fresh off the boat|imported} {<<parasite>>|scrounger}, {should|shud} {be|get} {deported|shipped back}",
],
"hate.religion": [
    "{off} {is|'s} {a|one of} {them|those} {halal|sharia} {cops|coppers}, {typical|bloody} {[[muzz1e]]|islamist} {<<rat>>|scum}",
    "{offdesc} {with|and} {{his}|that} {skullcap|kippah|turban} {can|should} {go|go back} {back to|to} {{his}|the} {cave|desert}",
],
"hate.sexual_orientation": [
    "{off} {is|'s} {a|such a} {limp|limp-wristed} {[[b3nder]]|[[p00f]]}, {no wonder|that's why} {he} {can't|cant} {catch|nick} anyone",
    "{offdesc} {is|'s} {defo|obviously} one of {them|the} [[lezzers]], {butch|manly} {<<{gi}>>|troll}",
],
"hate.disability": [
    "{off} {is|'s} {clearly|obviously} {a|some} {sp3cial|[[window-licking]]} {<<cretin>>|[[m0ng]]}, {should|shud} wear a {helmet|bib}",
    "{offdesc} {looks|is} {like|as thick as} {a|some} [[r3tard]] {off|from} {a|the} {short bus|special school}",
],
"hate.transgender": [
    "{off} {is|'s} {a|some} {bloke|geezer} {in|with} {a|a bad} {wig|dress}, {it|IT} {needs|wants} {sectioning|to get back in the asylum}",
    "{offdesc} {is|'s} {a|one of them} [[tr00n]], {you can tell|look at the hands} {lmao|🤮}",
],
}

SEA_QUOTA = {
    "neg_thanks": 48, "neg_chat": 50, "neg_idiom": 62, "neg_criticism": 52, "neg_swear": 40,
    "neg_hatecondemn": 42, "neg_identity": 40, "neg_info": 30, "neg_news": 22,
    "neg_rhetorical": 28, "neg_suspect": 22, "neg_past": 18,
    "q": 48, "q_complaint": 16, "q_crime": 10, "emergency": 64, "crime": 40,
    "crime_hatevictim": 16, "complaint": 46, "abuse": 24, "abuse_threat": 12,
    "abuse_threat_dox": 12, "abuse_dox": 8, "abuse_complaint": 6,
    "hate.race": 47, "hate.religion": 47, "hate.sexual_orientation": 47,
    "hate.disability": 47, "hate.transgender": 47,
    "hate_threat": 50, "hate_abuse": 25,
    "threat": 20, "threat_dox": 6, "dox": 42, "spam": 62,
}



# ---------------------------------------------------------------- more DEV families
DEV_MORE = {
"neg_thanks": [
    "{off} is an absolute {legend|star}, {sorted|helped with} {my mum's scam|our stolen van} {so quickly|no fuss}",
    "Thanks for the {quick|speedy} response {day}, {officers were there in minutes|felt really reassured}",
    "{Cheers|Thanks} to the {roads|traffic} officers on the {road} {day}, {horrible|awful} {crash|job} to deal with",
    "{Love|Loved} seeing the {horses|dogs|bikes} in {town} {today|at the weekend}, {kids were made up|great to see}",
    "Thank you {off} for {talking|speaking} to the {year 6s|cubs|scouts} about {online safety|staying safe}",
],
"neg_chat": [
    "{Ha|Lol} {proper|classic} {Warwickshire|{town}} {that|this}",
    "{Who|Whoever} {names|named} these {police dogs|horses} {deserves a raise|is a genius} 😂",
    "{Lovely|Nice} {sunset|photo} {over|of} {town} {there|in the background}",
    "{Bet|I bet} {the|that} {sheep|cows} {were|was} {causing chaos|having a laugh} {again|on the {road}}",
    "{first} {we drove past this|we were there} {day}",
    "{Nice one|Good shout|Fair play|Top job}",
],
"neg_idiom": [
    "{Our|The} {darts|netball|pub} team {got|were} {murdered|slaughtered|annihilated} {on|last} {Thursday|night} {lol|haha}",
    "{My|The} {phone|battery} is {dying|dead} {so|but} {quick one|I'll be quick}: {great work|well done}",
    "{I'm|Im} {going to|gonna} {strangle|throttle} the {printer|sat nav} {one day|I swear} {lol|😂}",
    "{Those|These} {cakes|brownies} at the {open day|fete} were {to die for|a killer}",
    "{That|This} {pothole|speed bump} {on|at} {street} {nearly|almost} {killed|murdered} my {suspension|exhaust} {haha|lol}",
    "{My|Our} {kids|boys} {would|will} {kill|murder} for {a ride|a go} in the {police car|van} {lol|x}",
],
"neg_criticism": [
    "{Not sure I agree with|Disagree with} {off}'s {comments|quote} in the {paper|article}, but fair play for {fronting up|explaining it}",
    "{Police|The police} {used to|once} {know|knew} {everyone|every kid} on the estate. {Not anymore|Those days are gone}",
    "{Lots|Plenty} of {talk|words} {and|but} {no action|nothing changes}. {Same old|Same as ever}",
    "{Another|Yet another} {awareness|safety} {week|campaign}. {Groundbreaking|Wow} 🙄",
    "Honestly {the|this} {whole|entire} {justice|court} system is {broken|a farce}, {not just|and not only} {the police|you lot}",
],
"neg_swear": [
    "{Shit|Crap}, {that's|thats} {awful|horrible}, {hope|I hope} {the driver's|everyone's} ok",
    "{Fucking|F***ing} {brilliant|class|ace} {news|result}",
    "{Oh|Ah} <<bollocks>>, {I've|i've} {left|lost} my {umbrella|keys} {at the fete|on the bus} {lol|anyone seen it}",
    "{Arse|Bum}, {missed|I missed} the {open day|meeting} {again|damn it}",
],
"neg_hatecondemn": [
    "{Thank you|Thanks} for {catching|charging} the man who called my {mum|dad} a [[paki]] {last year|in {yr}}, {justice|he got what he deserved}",
    "Please {stop|don't} using \"[[retarded]]\" {as an insult|to describe things} {in the comments|on here}, my {brother|cousin} has {learning disabilities|Down's syndrome}",
    "{If|When} {people|folk} {comment|write} \"{[[muzzies]]|[[pikeys]]}\" on {here|your posts} {please|I hope you} {report them|refer them}. {Zero tolerance|No excuses}",
    "{The|Your} {hate crime|HOCR} {stats|numbers} {for|in} {yr} {were|are} {interesting|eye opening}, {religion|disability} {offences|reports} {up|down} {pct}%",
],
"neg_identity": [
    "{Nice|Great} to see {the|a} {Polish|Punjabi|Urdu|Romanian} {translation|version} of the {appeal|leaflet}",
    "{My|Our} {neighbours|friends} {at|from} the {mosque|gurdwara|Hindu temple} {did|organised} a {litter pick|food bank drive} {with|alongside} the {PCSOs|SNT}, {lovely|proper community}",
    "Happy {Pride|Black History Month|Disability History Month} {everyone|from {town}}",
    "My {wife|husband|partner} and I are {gay|a same sex couple} and {we've always felt supported by|we've never had any bother from} {our|the} local {team|officers}",
],
"neg_info": [
    "{If|For} {anyone|people} {asking|wondering}: {999|999 in an emergency}, {101|101 otherwise}, or the {website|online form}",
    "{The|Our} SNT {email|team email} is {town}snt@example.co.uk {if|for} {non urgent|non-emergency} stuff",
    "{Bike marking|Property marking} {is|was} {at|outside} {shop} on {street} {Saturday|every month}, {free|it's free}",
],
"neg_news": [
    "{Good|Great} {write up|report} {here|on this} {newsurl}",
    "{Same|Similar} {thing|story} {in the paper|on the news} {newsurl}",
],
"neg_rhetorical": [
    "{Why|What} {do|does} {we|anyone} {bother|pay tax}? {Honestly|Seriously}",
    "{Anyone|Does anyone} {else|actually} {remember|recall} {when|what} {bobbies|police} {walked the beat|were visible}? {No|Nope}",
    "{Priorities|Priorities eh}? 🙄",
],
"neg_suspect": [
    "{Bring back|Should bring back} {hanging|the birch|national service} {for the likes of him|honestly}",
    "{Hope|I hope} {he|this} {rots|gets what's coming in court}, {evil|vile} <<scumbag>>",
    "{Thick as|Dumb as} {mince|a brick}, {who|whoever} {steals|nicks} from {their|a} {nan|church} {and posts it online|then brags}",
],
"neg_past": [
    "{We|I} had {our|my} {van|car|shed} {done|broken into} {last year|in {yr}} too, {insurance paid out|never got anything back}",
    "{Used|I used} to {live|work} on {street}, {always|it was always} {rough|lively} {at night|at weekends}",
],
"q": [
    "{Was|Were} {anyone|people} {killed|badly hurt} in the {crash|collision} on the {road} {day}?",
    "{Do|Does} {you|the force} {need|want} {witnesses|dashcam footage} {for|from} the {crash|incident} {on|at} {street} {day}?",
    "How do I {get|apply for} a {firearms|shotgun} {licence|certificate} renewal? {Website is confusing|Can't find it}",
    "{What|Which} number do I {ring|call} {if|when} {it's not|it isn't} an emergency?",
    "{Can|Is it possible to} {get|book} {a|the} {PCSO|officer} to {come|speak} {to|at} our {residents' meeting|school assembly}?",
    "{Is|Are} {it|there} {legal|allowed} to {ride|use} an {e-scooter|electric scooter} on the {road|pavement} in {town}?",
],
"q_complaint": [
    "{Why|How come} {has|is} {no one|nobody} {been|come} {out|round} {about|for} {our|my} {burglary|assault} {after|in} {n} {days|weeks}? {Is this normal?|Who do I speak to about this?}",
    "{off} {was|seemed} {rude|dismissive} {on the phone|at the door}, {is|where is} there {a|the} {complaints form|way to complain} {online|I can fill in}?",
],
"q_crime": [
    "{My|Our} {wheelie bin|garden furniture} {keeps|keep} {getting|being} {set on fire|nicked} {on|at} {street}, is this {worth reporting|something I should report} {online|to 101}?",
    "{Someone|Somebody} {used|has used} my {details|identity} to {open|take out} a {loan|phone contract} {day}, {do|should} I report {this|it} to you or {the bank|Action Fraud}?",
],
"emergency": [
    "{Ring|Calling} 999 {now|as well} but {posting|putting} here {too|in case} {there's|theres} a {lad|man} {collapsed|unconscious} {and|&} {not breathing|blue} {outside|by} {shop} {in|on} {street}",
    "{There's|Theres} a {dog|dogs} {attacking|mauling} a {child|kid} {in|on} the {park|field} {off|by} {street} {now|right now}",
    "{Someone|A lad} {has|'s} {just|literally just} {been|got} {stabbed|knifed} {outside|by} {shop} {town} {he's|hes} {bleeding|losing blood} {everywhere|loads}",
    "{Old|Elderly} {lady|man} {fallen|collapsed} {in|into} the {road|gutter} on {street} {and|&} {cars|lorries} {are|keep} {swerving|driving} {round|past} {her|him} {now|right now}",
    "{House|Flat} {alarm|smoke alarm} {going|screaming} {and|&} {smoke|flames} {coming out|pouring out} {of|from} {number {num}|the upstairs window} on {street} {now|right now}",
],
"crime": [
    "{Someone|Somebody} {has|'s} {smashed|put through} {the|our} {car|van} {window|windscreen} on {street} {day} {and|then} {took|nicked} {the|a} {sat nav|laptop bag}",
    "{Man|Bloke} {going|knocking} {door to door|on doors} {on|along} {street} {claiming|saying} {he's|to be} from the {water board|council} {and|but} {has no ID|wouldn't show ID}",
    "{Quad|Tractor|Trailer} {stolen|taken} {from|off} {our|a} {farm|yard} {near|outside} {town} {day}, {chained|was chained} up {too|and everything}",
    "{Kids|Teenagers} {dealing|selling} {vapes|weed} {to|outside} {year 7s|school kids} {at the bus stop on|by the gates on} {street} {after school|every day}",
],
"crime_hatevictim": [
    "{A|Some} {man|woman} {told|screamed at} my {mum|wife} to {take off|remove} her {headscarf|hijab} {and|then} {spat|pushed her} {in|at} {shop} {day}. {We'd like to report it|Please can someone contact us}",
    "{Someone|A neighbour} {keeps|has been} {posting|putting} {notes|letters} {through|in} {our|my} {door|letterbox} {calling|saying} {us|we're} \"{[[pikeys]]|[[gypos]]}\" {since|after} we {moved in|arrived}. {Reporting|Logging} {it|this} {here|now}",
],
"complaint": [
    "{off} {turned|was} up {n} hours late, {didn't apologise|no apology} and {left|went} after {five|ten} minutes. {Not|Nowhere near} good enough",
    "{Your|The} {online|website} {report|form} {keeps|kept} {crashing|timing out} {and|so} I {gave up|had to start again} {n} times. {Shambles|Sort it}",
    "{We|I} were {promised|told} {an officer|a call back} {within 24 hours|the same day}. {It's been|That was} {n} {days|weeks} {ago|now}",
    "The {officer|PC} who came to {our|my} {house|door} {didn't leave|never gave us} {a crime number|any details} and never wrote anything down. {Pointless|Useless} visit",
],
"abuse": [
    "{off} {you|u} {gormless|brainless} <<{gi}>>, {how|how on earth} did {you|u} {pass|get through} {training|vetting}",
    "{Every|Each} {time|post} {I|we} see {off} {I|we} {want|wanna} {to|2} {be sick|puke}, {vile|ugly} <<{gi}>>",
    "{offdesc} {looks|is} {like|as thick as} {a|two short} {planks|potatoes} {lol|😂}, {useless|gormless} <<twat>>",
],
"abuse_threat": [
    "{off} {you|u} <<{gi}>>, {we'll|we will} see how {brave|hard} {you|u} {are|r} without {the|your} uniform",
],
"abuse_threat_dox": [
    "{Everyone|Lads} {go|get} round {to|2} {addr} {tonight|tomorrow}, {that's|thats} where {off} {lives|sleeps}, {the|that} <<{gi}>> {needs|wants} {a lesson|sorting}",
],
"abuse_dox": [
    "{off} {is|'s} {a|an} {useless|smug} <<{gi}>>, {{his}|their} {number|mobile} is {phone} {if you|for anyone who} {want to|wants to} {tell {him}|let {him} know}",
],
"hate.race": [
    "{Typical|Classic} {Romanian|Albanian|Somali} {scum|vermin}, {deport|ship} {the lot|them all} {now|today}",
    "{{town}|This town} is more {foreign|Pakistani} than {Pakistan|Bangladesh} {these days|lol}, {not|no longer} {our|my} country",
    "{Those|The} {immigrants|asylum seekers} {in|at} the {hotel|barracks} {are|r} {animals|parasites} {and|&} {everyone knows it|you know it}",
],
"hate.religion": [
    "{Muslims|Muslim men} {are|r} {all|just} {groomers|rapists} {look at|read} the news",
    "{Halal|The halal} {meat|shop} {on|at} {street} {is|'s} {funding terror|barbaric}, {close|shut} {it|them} {down|all down}",
    "{Atheists|Non believers} {are|r} {godless|soulless} {scum|filth} {who|and} {will|deserve to} burn",
],
"hate.sexual_orientation": [
    "{It|That} {should|ought} {to|2} {be|still be} {illegal|a crime} {to|2} {be|be gay}, {sick|disgusting} {perverts|[[poofs]]}",
    "{Gay|Same sex} {couples|parents} {adopting|raising kids} {is|=} {child abuse|grooming}, {simple as|end of}",
],
"hate.disability": [
    "[[mongs]] {and|&} {[[spastics]]|cripples} {get|getting} {everything|free cars} {for|4} {free|nothing} {while|whilst} {we|real people} {pay|work}",
    "{Autistic|Adhd} {is|'s} {just|only} {an excuse|a made up word} {for|4} {badly behaved|thick} kids, {[[retards]]|idiots} {the lot|all of them}",
],
"hate.transgender": [
    "{Trans|Transgender} {is|'s} {a|just a} {fetish|mental illness}, {they're|theyre} {all|just} {perverts|sick in the head}",
    "{No|NO} {such thing|such thing as} {as|} {a|} {trans|transgender} {kid|child}, {the|their} {parents|teachers} {should|shud} {be|get} {locked up|jailed}",
],
"threat": [
    "{That|The} {lad|kid} {who|that} {bullied|hit} my {son|daughter} {at|outside} {school} {is|'s} {going to|gonna} {get|have} {hurt|his head caved in} {if it happens again|next time}",
    "{I'll|Ill} {burn|torch} {next door's|the neighbours'} {fence|shed} if they play that music {again tonight|one more time}. {Not joking|Seriously}",
    "{Wait|Just wait} {till|until} {I|we} get hold of the {scrote|scumbag} {who|that} {burgled|robbed} {my|our} {house|nan}, {he's|they're} {dead|finished}",
],
"threat_dox": [
    "{Dealer|The dealer} {on|at} {street} {is|'s} {name}, drives {reg}, {let's|lets} pay {him|them} a visit {tonight|he won't forget}",
],
"dox": [
    "{Does anyone know|Anyone got any idea} {which school|what school} {off}'s kids go to?",
    "{Found|Got} {off}'s {wedding photos|family pics} {on Facebook|online}, {wife's|husband's} name is {name}, {they live|lives} {near|off} {street}",
    "{Number|Phone number} {for|of} the {woman|girl} who {made|gave} the {statement|complaint}: {phone}",
    "{The|That} {mum|dad} {in|from} the {appeal|news story} {is|'s} {name}, {works|she works} {at|in} {shop} {town} {and|&} {lives|is} {at|on} {addr_short}",
],
"spam": [
    "{Looking|Need} {for|} {a|an} {ambassador|brand rep} {for|4} {our|my} {skincare|fitness} {brand|range}! {DM|Message} {spamhandle} 💕",
    "{Earn|Earning} {passive income|£££} {with|using} {AI|our bot} {trading|signals} {spamurl}",
    "{Win|WIN} {a PS5|an iPad|some AirPods} {just|simply} {like|like and share} {and|&} {click|visit} {spamurl}",
],
}
for _k, _v in DEV_MORE.items():
    DEV[_k][2].extend(_v)

# ---------------------------------------------------------------- more SEALED families
SEA_MORE = {
"neg_thanks": [
    "{Respect|Huge respect} {to|for} {off}, {dealt with|handled} {a|the} {kicking off|kick off} {at|outside} {shop} {like a pro|brilliantly}",
    "{Didn't|Never} {think|thought} I'd {say|be saying} this but {thank you|cheers} {lot|you lot}, {you were|ur} {spot on|brilliant} {day}",
    "{Top|Proper} {bloke|lad|lass} {off}, {knows|remembers} {everyone|every kid} {round|on} {the estate|{street}}",
    "{Ta|Thanks} {for|4} {returning|bringing back} {my|our} {dog|cat} {who|that} {escaped|got out} {day} 🐶",
    "{Fair play|Credit where it's due}, {that|this} {was|is} a {quick|proper} {arrest|result}",
],
"neg_chat": [
    "{Just here for|Only here for} the {comments|drama} 🍿",
    "{My|Our} {nan|grandad} {was|used to be} a {special|bobby} in {town} {in the 70s|back in the day}, {different times|proper old school}",
    "{Sausage|The sausage dog} {in|from} {the|that} {photo|video} {tho|though} 😍",
    "{Anyone|Does anyone} {else|} {think|reckon} {the|that} {drone|helicopter} {sounds like|is louder than} a {hairdryer|lawnmower}? {lol|😂}",
    "{Sheep|Cows|Geese} {on|blocking} the {road} {again|lol}, {classic|only in} {town}",
    "{Grim|Pants} {weather|day} {for|4} {it|the parade} {but|still} {good turnout|people came}",
],
"neg_idiom": [
    "{Literally|Honestly} {dead|dying|crying} {at|over} {that|the} {caption|video} 💀",
    "{My|The} {mother in law|nan} {will|is going to} {have|skin} {my guts for garters|me alive} {if|when} {she sees|she hears about} this {lol|haha}",
    "{Gonna|Going to} {shoot|pop} {over|down} to {shop} {after|later}, {anyone|does anyone} want anything",
    "{My phone|The group chat} {blew up|has blown up} {all night|all day} {over|with} this {lol|haha}",
    "{Hit|Smashed} {my|the} {step|10k step} {target|goal} {walking|doing} the {beat|charity walk} {with|alongside} the {PCSOs|cadets}",
    "{I'd|Would} {throttle|kill} {someone|anyone} {for|4} a {decent|proper} {coffee|bacon bap} {in|round} {town} {tbh|honestly}",
    "{This|That} {heatwave|cold snap} {is|has been} {brutal|savage}, {check|look in} on {elderly|older} {neighbours|folk}",
],
"neg_criticism": [
    "{off} {was|is} {wrong|mistaken} {about|over} {the|this} {parking|dispersal} order {in my opinion|imo}, {but|and} {I|i} {respect|get} {the|their} {reasons|job}",
    "{Absolute|What a} {farce|shambles}. {Nobody|No one} {gets|is} {punished|locked up} {for|4} {anything|owt} {anymore|nowadays}",
    "{Tired|Sick} of {hearing|reading} {about|that} {cuts|budgets}, {find|sort} {the|a} {money|way} {or|then} {get out|step aside}",
    "How many more years of this {rubbish|nonsense} from {the|our} {force|leadership}?! {Embarrassing|Joke}",
    "{Policing|The force} by {Twitter|Facebook}, {that|this} {is|'s} what it's {come to|become}",
],
"neg_swear": [
    "{Fuck|F**k} {me|sake}, {{town}|this town} {has|'s} {gone|going} {downhill|to the dogs}",
    "{Shite|Sh*te} {news|day} {for|4} {everyone|the family}, {RIP|rest easy}",
    "{Bastard|B*stard} {roadworks|traffic lights} {again|on {street}} {I'm|im} {so|well} {late|fed up}",
],
"neg_hatecondemn": [
    "{My|Our} {daughter|son} {got|was} {called|told} \"[[tr4nny]]\" {at|in} {school|college} {last term|years ago}, {school|the head} {dealt|sorted} {it|with it} {brilliantly|well}. {Education|Kindness} {matters|works}",
    "{Anyone|People} {who|that} {thinks|think} \"[[p00f]]\" {is|'s} {banter|a joke} {in|for} {yr} {needs|wants} {to|2} {grow up|get a grip}",
    "{Hate|Hate-motivated} {crime|incidents} {against|towards} {disabled|trans} {people|folk} {is|are} {massively|hugely} {under|under-}reported {according to|per} {the|this} {report|survey} {newsurl}",
    "{Shocked|Gutted} {reading|to read} {the|some of the} {comments|replies} {on|under} {this|the last} post. {Some|Certain} {people|folk} {need|want} {reporting|to have a word with themselves}",
],
"neg_identity": [
    "{Our|My} {local|community} {imam|rabbi|vicar|granthi} {speaks|spoke} {really|so} {highly|well} {of|about} {off}",
    "{Neurodivergent|ADHD} {mum|dad} {here|myself}, {thank|thanks} {you|u} {for|4} {the|your} {quiet|sensory friendly} {open day|station visit}",
    "{Hindu|Jewish|Muslim|Sikh} {and|&} {proud|British}, {lovely|great} {to see|seeing} {the|our} {diversity|mix} {in|of} {the|our} {force|officers}",
    "{My|Our} {son|lad} {came out|is gay} {and|&} {was|felt} {nervous|scared} {about|of} {reporting|telling anyone}, {off} {was|has been} {amazing|brilliant} {with him|thank you}",
],
"neg_info": [
    "{Emergency|In an emergency} {text|SMS} {service|option} {for|4} {deaf|hearing impaired} {people|folk} {is|-} {register|you need to register} first {btw|FYI}",
    "{off} {is|'s} {the|our} {new|current} {beat manager|ward officer} {for|in} {town}, {contact|reach} {via|through} {the|the force} {website|switchboard}",
    "{Station|Front desk} {phone|number} {is|:} {forcephone}, {or|else} 101, {999|or 999} {if|in an} {emergency|it's urgent}",
],
"neg_news": [
    "{Court|Trial} {coverage|report} {from|by} {the|a} {Herald|Observer} {journo|reporter}: {newsurl}",
    "{Fuller|Longer|Better} {version|story} {here|in the link} {newsurl} {for those asking|fyi}",
],
"neg_rhetorical": [
    "{Who|Who exactly} {is|are} {this|these posts} {for|aimed at}? {Genuinely|Honestly} {baffled|lost}",
    "Where were all {these|the} {officers|police} {when|while} {we|people} {needed|actually needed} {them|you}? {Hmm|Funny that}",
    "Since when did {you|the police} {care|give a toss} what {people in {town}|the public|we} think?",
],
"neg_suspect": [
    "{Thieving|Robbing} <<gits>>, {should|they should} {have|get} {their|the} {hands|cars} {crushed|taken off them}",
    "{Give|Hand} {him|em} {to|2} {the|us} {locals|mums} {for|4} {five minutes|an hour} {lol|😂}",
    "{Evil|Vile} {woman|man}, {no|zero} {sympathy|mercy}, {throw|chuck} {away|out} the key",
],
"neg_past": [
    "{Back|Way back} in {the 90s|{yr}} {we|my dad} {had|got} {the|his} {car|shop} {torched|done} {on|at} {street} {too|as well}, {never|nobody ever} {caught|got} {anyone|them}",
    "Round {street} it used to be {bad|rough} with {joyriders|bikes} {years|ages} ago",
],
"q": [
    "{Were there any|Have there been any} {deaths|fatalities|casualties} {in|from} {the|that} {crash|pile up} {on|near} the {road}? {Praying|Thinking of them}",
    "{What|Where} {is|'s} the {best|right} {way|place} {to|2} {hand in|surrender} {an old|my grandad's} {air rifle|shotgun} {safely|legally}?",
    "Does {the|your} {drone|helicopter} {record|film} {people's|our} {gardens|houses}? {Who|Where} {can|do} I {ask|find out} about {that|data}?",
    "{If|When} {someone|a neighbour} {parks|keeps parking} {across|on} my {drive|dropped kerb} {is|, is} {that|it} {a police|your} {matter|job} or {the council|council}?",
    "{Who|Which team} {do I|should I} {contact|talk to} {about|re} {getting|a} {Clare's Law|domestic abuse disclosure} {request|check}?",
],
"q_complaint": [
    "{Honestly|Seriously} {why|how} {does|did} it {take|took} {n} {hours|days} {for|4} {someone|a car} {to|2} {turn up|come} {to|for} {a|my} {break in|assault}? {And|So} {who|where} {do I|can I} {raise|take} {this|that} {with|up}?",
],
"q_crime": [
    "{Large|Big} {group|lot} {of|of lads} {on|riding} {off road|quad} bikes {tearing|ripping} up the {field|rec} {off|behind} {street} {every|each} {evening|Sunday}, {can|could} {this|it} be {reported|logged} {online|on the website}?",
],
"emergency": [
    "{Someone|A man} {has|'s} {just|literally just} {driven|ploughed} {into|through} {people|the crowd} {outside|by} {shop} {in|on} {street} {town} {people|bodies} {on the ground|everywhere}",
    "{Baby|A baby} {left|locked} {in|inside} a {car|hot car} {in|at} {shop} car park {town} {for|over} {ages|30 mins} {and|it's} {not moving|screaming} {now|right now}",
    "{Just|I just} {watched|saw} {a|some} {lads|blokes} {drag|pull} {a|some} {man|bloke} {out of|from} {his|a} car {and|&} {start|are} {kicking|stamping on} {him|his head} on {street} {NOW|right now}",
    "{Woman|Girl} {in|on} the {canal|river} {towpath|bank} {by|near} {street} {is|seems} {unconscious|passed out} {and|&} {half in|in} the water {help|please}",
],
"crime": [
    "{Catalytic|Cat} {converters|converter} {sawn|cut} {off|from} {two|3|four} {cars|Prius} on {street} {overnight|last night}, {heard|we heard} {the|an} {angle grinder|saw} {at|about} {time}",
    "{Bloke|Man} {in|on} {a|his} {car|van} {keeps|has been} {trying to|trying} {talk|chat} to {kids|girls} {outside|by} {school} {after|at} {school|home time}, {parents|mums} {are|getting} {worried|nervous}",
    "{Somebody|Someone} {has|'s} {been|started} {fly|illegally} tipping {builders|trade} {waste|rubble} {down|on} {the|our} {lane|track} {off|near} {street} {every|most} {week|weekends}",
    "{Our|My} {elderly|old} {neighbour|aunt} {has|'s} {been|got} {conned|scammed} out of {money} {by|from} a {fake|bogus} {builder|gardener} {who|that} {came|knocked} {round|on} {day}",
],
"crime_hatevictim": [
    "{Got|Was} called \"[[p4ki]]\" {and|then} {punched|shoved} {in|at} the {taxi rank|kebab shop} {in|on} {street} {day} {because|just because} I'm {Asian|brown}. {Want|I want} {this|it} {recorded|on record}",
],
"complaint": [
    "{Custody|The custody} {staff|sergeant} {kept|held} {my|our} {son|lad} {n} {hours|extra hours} without {his medication|his inhaler} {despite us telling them|even though we told everyone}. {Disgraceful|Not on}",
    "{Asked|I asked} {for|about} {an update|updates} {five|six|n} times. {Each|Every} {time|call} {a|I get a} different {person|officer} {who|that} {knows|knew} nothing. {Shambolic|Embarrassing}",
    "{Your|The} {officers|team} {walked|tramped} {mud|dirt} {all|right} through {our|my} {house|nan's} {during|on} {the|a} {search|visit} {and|&} {left the door open|didn't even shut the gate}. {Zero|No} {respect|manners}",
    "{Reported|Told you about} {a|the} {scam|fraud} {with|and gave} {full|all the} {details|evidence} {and|but} {got|received} {a|an} {automated|copy and paste} {email|letter} {saying|that said} {no further action|NFA}. {Pathetic|Unbelievable}",
],
"abuse": [
    "{off} {honestly|genuinely} {the|most} {thickest|dimmest} {person|specimen} {I've|ive} {ever|} {met|dealt with}, {brain|head} {like|full of} {cotton wool|air}, {absolute|utter} <<{gi}>>",
    "{Whoever|Who ever} {writes these posts|runs this page} {is|'s} a {cringey|tragic} <<melt>> {lol|haha}. {Yes|Yeah} {you|u} {off}",
    "{off} {stinks|smells} {like|of} {a|an} {ashtray|wet dog}, {grim|rank} <<{gi}>> {lmao|😂}",
    "{offdesc} {is|'s} {a|one} {bellend|weapon}, {look at|check} {the|that} {smirk|face} {lol|😂}",
],
"abuse_threat": [
    "{offdesc} {better|had better} {pray|hope} {I|we} {don't|never} {see|bump into} {{him}|them} {in|down} {the pub|town}, <<{gi}>>",
    "{off} {you|u} {grass|<<rat>>}, {your|ur} {days|card} {are|is} {numbered|marked} {round here|in {town}}",
],
"abuse_threat_dox": [
    "{off} {lives|sleeps} {above|behind} {shop} {on|in} {street}, {flat|door} {n}. {Worthless|Vile} <<{gi}>> {won't|wont} {feel|be} {safe|so brave} {at|in} {home|bed} {now|tonight}",
],
"abuse_dox": [
    "{off}'s {Tinder|Hinge} {profile|bio} {says|shows} {he} lives {on|in} {street} {and|&} {his} {number|mobile} {is|:} {phone}. {Desperate|Sad} <<{gi}>>",
],
"hate.race": [
    "{They|Them lot} {breed|multiply} {like|faster than} {rats|rabbits} {and|while} {we|the English} {pay|foot the bill}",
    "{Not one|Not a single one} of {these|the} {Eastern Europeans|East Euros} {on|in} {street} {works|pays tax}, {all|bunch of} {thieves|beggars}",
    "{Go|GO} {back|home} {to|2} {your|ur} {mud hut|village} {you|u} {lot|people}",
    "{White|British} {people|kids} {are|r} {a|the} {minority|second class} {in|round} {town} {now|thanks to them}, {it's|its} {an|a} {invasion|takeover}",
],
"hate.religion": [
    "{Muslims|Islam} {and|&} {democracy|Britain} {don't|can't} {mix|go together}, {every|all} {last|} {one|of them} {should|shud} {be|get} {deported|sent back}",
    "{Hindus|Sikhs} {worship|pray to} {cows|statues} {lol|like idiots}, {backward|primitive} {lot|people}",
    "{The|Those} {Jehovah's Witnesses|Mormons|happy clappers} {are|r} {brainwashed|a cult of} {freaks|nutters} {who|that} {should|need to} {be|get} {banned|locked up}",
    "{Jews|The Jewish lobby} {are|r} {behind|funding} {all the wars|every war} {and|&} {the|this} {migrant|immigration} {crisis|flood} {wake up|look it up}",
],
"hate.sexual_orientation": [
    "{Gay|Homo} marriage was {the beginning of the end|when this country started going downhill}, {disgusting|unnatural} {perverts|[[queers]]}",
    "{The|That} {LGBT|rainbow} {club|group} {at|in} {school} {is|'s} {just|a} {recruiting|grooming} {kids|children} {into|for} {the|those} {[[p00fs]]|perverts}",
    "Every {gay|bi} {bloke|man} is a {nonce|predator} in waiting, {fact|facts}",
],
"hate.disability": [
    "{Disabled|Handicapped} {kids|children} {are|r} {just|only} {a|a massive} {burden|drain} {on society|on the NHS}, {should|shud} never {have|of} been born",
    "{Special|Sped} {needs|ed} {lot|lot at} {on|} the {bus|minibus} {are|r} {like|basically} {animals|zoo animals}, {should|shud} {be|get} {caged|locked in}",
    "{Mental health|Mental illness} {is|'s} {just|only} {weakness|an excuse}, {[[psychos]]|loons} {and|&} {snowflakes|[[nutjobs]]} {the lot|all of them}",
],
"hate.transgender": [
    "{It|That thing} {in|at} the {paper|video} {is|'s} a {man|bloke} {and|&} {always will be|nothing will change that}, {disgusting|sick} {[[tr4nny]]|freak}",
    "{Trans|Transgender} {is|'s} {a|just a} {trend|phase} {and|&} {they're|theyre} {all|every one} {attention seeking|sick} {weirdos|[[troons]]}",
    "{He|HE} {is|'s} {not|NOT} a {she|woman} no matter how many {pills|operations} {he has|it takes}, {mutilated|sick} freak",
],
"threat": [
    "{Grass|Snitch} {who|that} {rang|called} {you|the police} {on|about} {our|my} {party|barbecue} {on|at} {street} {better|had better} {move|sleep with one eye open}. {We|We'll} {know|find out} who it was",
    "{That|This} {farmer|landowner} {who|that} {blocked|fenced off} the {footpath|bridleway} {near|by} {town} {will|is gonna} {get|be getting} {his|a} {barn|tractor} {torched|burnt}",
    "{Any|Next} {cyclist|cyclists} {on|riding on} {the|my} {road|lane} {two|2} {abreast|side by side} {gets|is getting} {knocked|run} {off|over}, {I'm|im} {not|NOT} {joking|messing}",
],
"threat_dox": [
    "{The|That} {landlord|letting agent} {who|that} {evicted|kicked out} {us|my mum} {is|'s} {name}, {{phone}|{email}}, {lives|home is} {at|in} {addr_short}. {He'll|He will} {regret|pay for} {it|this}",
],
"dox": [
    "{off} {posts|puts} all {his} {kids' pics|family photos} on {Insta|Facebook}, {they go to|kids are at} {school}, {badge|logo} {clearly|is} visible {lol|in every pic}",
    "{Reg|Plate} {of|for} {the|that} {copper|officer} {off}'s {private|own} car {is|:} {reg}, {lives|is} {in|near} {town2}",
    "{Address|Home address} {for|of} {that|the} {witness|victim} {woman|lady} {from|in} the {case|trial}: {addr}",
    "{The|That} {girl|lad} {who|that} {reported|complained about} {our|the} {party|shop} {is|'s} {name}, {mum's|her mum's} {number|mobile} {phone}",
],
"spam": [
    "{I|We} {have|got} {a|the} {secret|method} {to|2} {earn|make} {money} {a|per} {day|week} {using|with} {just|only} {your|ur} phone {spamhandle}",
    "{Good|Hi} {morning|evening} {sir|dear}, {please|kindly} {check|view} {my|this} {profile|offer} {spamurl}",
    "{Private|Personal} {account|number} {manager|mentor} {available|here} {on|via} {WhatsApp|Telegram} {spamurl}",
],
}
for _k, _v in SEA_MORE.items():
    SEALED[_k][2].extend(_v)



# ---------------------------------------------------------------- extra depth (dev)
for _k, _v in {
"hate.sexual_orientation": [
    "{Rainbow|Pride} {lanyards|laces} on {coppers|police}? {Bunch of|Load of} {[[benders]]|[[homos]]} {running|in charge of} the force now",
    "{Keep|Get} {your|ur} {gay|homo} {rubbish|filth} away from {my kids|our schools}, {sick|twisted} {perverts|lot}",
    "{Gay|Queer} {people|blokes} {spread|carry} {disease|diseases}, {always have|it's a fact}",
    "{Lesbian|Gay} {couple|pair} {moved in|living} {on|at} {street}, {property prices|the street} {will go|going} {down the pan|downhill} {now|lol}",
],
"hate.disability": [
    "{Special schools|Care homes} {full of|are just} {[[retards]]|[[mongs]]} {costing|wasting} {us|taxpayers} {millions|a fortune}",
    "{Watching|Saw} {a|some} {[[spacker]]|[[spaz]]} {trying|try} {to|2} {cross|get across} the road {lmao|😂} {took|taking} {ages|forever}",
    "{Dwarfs|[[Midgets]]} {should|shud} {be|stay} in {the circus|panto} where they belong {lol|haha}",
],
"hate.transgender": [
    "{Trans women|[[Trannies]]} {aren't|are not} women {and|&} {never|never will} be, {men|blokes} in {frocks|make up} {the lot|every one}, [[freaks]] {the lot|of nature}",
    "{Pronouns|Preferred pronouns} in {your|ur} bio? {Mentally ill|Deranged} {trans|tr@ns} {weirdo|nutcase} {confirmed|spotted}",
    "{Puberty blockers|Sex changes} {for|on} kids {and|&} the {trans|tr@nny} {lobby|cult} {wants|want} {to|2} {groom|mutilate} them",
    "{It's|Its} a {bloke|geezer}. {Look at|Check} the {hands|adam's apple}. {Trans|Tr@ns} {women|'women'} {are|r} {frauds|fakes}",
],
"spam": [
    "{Thanks|Thank you} {to|2} {spamhandle} {I|i} {paid|cleared} {off|} my {mortgage|debts} {in|within} {weeks|3 months}",
    "{Do|Did} {you|u} {know|knw} {you|u} {can|could} {claim|get} {money} {back|refund} {on|for} {car finance|PPI}? {spamurl}",
    "{Selling|Got} {cheap|discount} {Sky|Netflix|firestick} {packages|boxes} {DM|inbox} {me|now}",
    "{Part time|Remote} {job|work} {offer|available}: {money} {per day|daily}, {no experience|no interview} {needed|required}. {spamhandle}",
],
}.items():
    DEV[_k][2].extend(_v)

# ---------------------------------------------------------------- extra depth (sealed)
for _k, _v in {
"hate.transgender": [
    "{Non binary|Enby} {is|'s} {made up|fake} {nonsense|rubbish}, {they're|theyre} {just|all} {attention seeking|confused} {freaks|[[trannys]]}",
    "{Give|Giving} {a|that} {man|bloke} {in|with} {a|a bad} {wig|frock} {a|the} {women's|ladies} {prize|trophy}? {Cheating|Cheat} {[[tr00n]]|pervert}",
    "{Trans|Transgender} {people|lot} {shouldn't|should not} {be|be allowed} {near|around} {children|kids} {or|or in} {schools|toilets}, {predators|nonces} {in|with} {lipstick|make up}",
],
"spam": [
    "{Interested|Intrested} in {crypto|BTC}? {Text|WhatsApp} {me|my mentor} on {spamurl} {✅|💯}",
    "{Need|Want} {cheap|discount} {driving lessons|MOT}? {Visit|Check} {spamurl} {promo code|use code} POLICE20",
    "{Lonely|Single}? {Meet|Chat to} {local|real} {women|girls} {tonight|now} {spamurl} 😘",
    "{Get|Claim} {your|ur} {free|FREE} {energy|council tax} {rebate|refund} {now|today}, {only|just} {need|enter} {your|ur} bank {details|info} {spamurl}",
],
"hate.race": [
    "{Gypsy|Traveller|Romany} {camp|site} {near|by} {town}? {Lock|Hide} {up|away} {your|ur} {tools|kids|dogs}, {thieving|dirty} {[[gyppos]]|lot}",
],
}.items():
    SEALED[_k][2].extend(_v)



# ---------------------------------------------------------------- hard cases (own contact details, quoted slurs in emergencies, rhetorical hate)
DEV["neg_info"][2].extend([
    "Found a {wallet|set of car keys|phone} on {street} {this morning|earlier}, {ring|text} me on {phone} {and describe it|if it's yours}",
    "{Handed|I've handed} a {purse|bank card} in at {town} {station|front desk} {day}, {anyone lost one|hope the owner gets it back}",
])
SEALED["neg_info"][2].extend([
    "{Lost|Missing} our {cat|collie|spaniel} near {street} {day}, if {anyone|you} {sees|spot} {him|her} {please|pls} {call|ring} me on {phone} x",
    "{Selling|Giving away} a {child seat|bike lock} {if anyone needs|for anyone who wants} one, {message me|my number's} {on|} {phone}",
])
SEALED["emergency"][2].extend([
    "{Gang|Group of lads} outside the {mosque|gurdwara|temple} on {street} {right now|NOW} smashing {windows|the doors} and shouting \"[[p4kis]]\", {people|families} {trapped|still} inside",
    "{Bloke|Man} {chasing|running after} {a|two} {lad|lads} {down|along} {street} with a {knife|bat} {right now|now} screaming \"[[f4ggots]]\" at them",
])
SEALED["hate.religion"][2].extend([
    "Why do you lot {protect|bend over for} the [[m0zzies]] {and not us|but arrest us}? {Two tier|Disgrace}",
])
SEALED["hate.race"][2].extend([
    "How many more {migrants|foreigners} do we have to put up with before {you lot|the police} admit they're all {criminals|rapists}?",
])


# ============================================================================
# builder
# ============================================================================
STRANDS = ["hate.race", "hate.religion", "hate.sexual_orientation",
           "hate.disability", "hate.transgender"]
TARGETED = {"abuse_staff", "threat", "doxxing"}
NO_RANT = {"spam", "neg_news", "neg_chat", "neg_info"}
HALVES = {
    "dev": dict(P=DEV_P, PROF=DEV_PROF, BANK=DEV, QUOTA=DEV_QUOTA, HT=DEV_HATE_THREAT,
                HA=DEV_HATE_ABUSE, PRE=DEV_RANT_PRE, POST=DEV_RANT_POST, prefix="cd", salt=1),
    "sealed": dict(P=SEA_P, PROF=SEA_PROF, BANK=SEALED, QUOTA=SEA_QUOTA, HT=SEA_HATE_THREAT,
                   HA=SEA_HATE_ABUSE, PRE=SEA_RANT_PRE, POST=SEA_RANT_POST, prefix="cs", salt=2),
}


def norm_key(t):
    return re.sub(r"[^a-z0-9]", "", t.lower())


def author(rng):
    f, l = rng.choice(FIRST), rng.choice(LAST)
    r = rng.random()
    if r < 0.55:
        return "%s %s" % (f, l)
    if r < 0.7:
        return "%s %s" % (f, l[0])
    if r < 0.85:
        return "%s%s%d" % (f.lower(), l.lower().replace("'", ""), rng.randint(1, 99))
    return "%s_%s" % (f.lower(), rng.choice(["x", "uk", "warks", "cv", "88", "official", "xo"]))


def join_post(text):
    text = text.rstrip()
    if text[-1:] in "?!":
        return text + " "
    return text.rstrip(".") + ". "


def make_one(rng, H, kind, strand):
    P, PROF = H["P"], H["PROF"]
    if kind == "hate_threat":
        labels, mood, temps = [strand, "threat"], "hostile", H["HT"][strand]
    elif kind == "hate_abuse":
        labels, mood, temps = [strand, "abuse_staff"], "hostile", H["HA"][strand]
    else:
        labels, mood, temps = H["BANK"][kind]
        if kind.startswith(("abuse", "hate", "threat", "dox")):
            mood = "hostile"
    ctx = Ctx(rng, P)
    text = fill(rng.choice(temps), ctx)
    if (kind not in NO_RANT and kind != "emergency" and mood in ("neg", "neu", "hostile")
            and rng.random() < PROF["rant_p"]):
        r = rng.random()
        if r < 0.4:
            text = fill(rng.choice(H["PRE"]), ctx) + " " + text
        elif r < 0.75:
            text = join_post(text) + fill(rng.choice(H["POST"]), ctx)
        else:
            text = (fill(rng.choice(H["PRE"]), ctx) + " " + join_post(text)
                    + fill(rng.choice(H["POST"]), ctx))
    text = apply_obfuscation(text, rng, PROF)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r" ([,.?!])", r"\1", text)
    text = text.replace(" 's ", "'s ")
    text = noise(text, rng, PROF)
    text = add_emoji(text, rng, mood, PROF)
    labels = sorted(set(labels))
    target = ctx.target if TARGETED & set(labels) else None
    if target and target.lower() not in text.lower():
        return None
    return text, labels, target


def build(half, seen):
    H = HALVES[half]
    rng = random.Random(SEED * 10 + H["salt"])
    slots = []
    for kind, n in H["QUOTA"].items():
        for i in range(n):
            slots.append((kind, STRANDS[i % 5] if kind in ("hate_threat", "hate_abuse") else None))
    recs = []
    for kind, strand in slots:
        for attempt in range(500):
            got = make_one(rng, H, kind, strand)
            if got is None:
                continue
            text, labels, target = got
            k = norm_key(text)
            if k and k not in seen:
                seen.add(k)
                break
        else:
            raise SystemExit("could not make a unique %s comment for %s" % (kind, half))
        recs.append((text, labels, target))
    rng.shuffle(recs)
    out = []
    for i, (text, labels, target) in enumerate(recs, 1):
        out.append({"id": "%s-%04d" % (H["prefix"], i),
                    "platform": rng.choice(PLATFORMS),
                    "account": rng.choice(ACCOUNTS),
                    "author_name": author(rng),
                    "text": text, "labels": labels, "target": target})
    return out


def main():
    seen = set()
    for half, fname in (("dev", "dev.jsonl"), ("sealed", "sealed.jsonl")):
        recs = build(half, seen)
        with open(os.path.join(OUT, fname), "w", encoding="utf-8", newline="\n") as fh:
            for r in recs:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        print("%s: %d comments -> %s" % (half, len(recs), fname))


if __name__ == "__main__":
    main()
