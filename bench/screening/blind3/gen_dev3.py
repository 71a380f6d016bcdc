#!/usr/bin/env python3
"""Generate dev3.jsonl: a blind, labelled evaluation set of draft police social media posts.

Standard library only, fixed seed.  Every draft is built from a list of parts; a part is
either a plain string (clean) or a tuple (category, string) (a labelled span).  Offsets are
computed on the UTF-8 encoding while the text is assembled, so they are exact by construction.
All personal data is fictional: Ofcom drama numbers, NHS numbers with valid check digits,
Luhn-valid card numbers in test BIN ranges, RFC 2606 e-mail domains, invented names/addresses.
"""
import json
import os
import random
import unicodedata

SEED = 20261203
N_TOTAL = 1200
CLEAN_SHARE = 0.40
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dev3.jsonl")

R = random.Random(SEED)


def ch(seq):
    return R.choice(seq)


def L(cat, s):
    return (cat, s)


# ---------------------------------------------------------------- pools
FIRST = ["John", "Sarah", "Priya", "Mohammed", "Aisha", "Roisin", "Siobhán", "Zoë", "Łukasz",
         "Agnieszka", "José", "María", "Chloé", "Björn", "Søren", "Chidi", "Oluwaseun", "Kwame",
         "Ama", "Tomasz", "Bartłomiej", "Gurpreet", "Harjit", "Ravinder", "Mei", "Wei", "Hiroshi",
         "Yusuf", "Fatima", "Ayşe", "Mehmet", "Dmitri", "Olena", "Andreea", "Ionuț", "Raúl",
         "Ciarán", "Niamh", "Eilidh", "Rhys", "Dafydd", "Callum", "Kayleigh", "Tyler", "Hannah",
         "Daniel", "Thomas", "Emily", "Olivia", "Leon", "Amara", "Deepa", "Sanjay", "Imran",
         "Bilal", "Zainab", "Khadija", "Abdi", "Hodan", "Jean-Luc", "Anne-Marie", "Mary-Jane",
         "Mateusz", "Ewa", "Kateřina", "Gábor", "Zsófia", "Jürgen", "Renée", "Thanh", "Minh",
         "Kofi", "Adaeze", "Sunita", "Arjun", "Declan", "Bronwen", "Stacey", "Wayne", "Lauren",
         "Marcus", "Nadia", "Tariq", "Elif", "Paulo", "Ines", "Sven", "Ingrid", "Aleksandra"]
LAST = ["Smith", "Khan", "Patel", "O'Neill", "O'Brien", "McAllister", "Gallagher", "Nowak",
        "Wiśniewski", "Kowalczyk", "Nguyễn", "Okafor", "Adeyemi", "Mensah", "Begum", "Hussain",
        "Singh", "Kaur", "Sandhu", "Chen", "Wong", "Tanaka", "Yılmaz", "Özdemir", "Popescu",
        "Ionescu", "Fernández", "García", "Müller", "Schäfer", "Lindqvist", "Dvořák", "Horváth",
        "Jones", "Williams", "Davies", "Evans", "Taylor", "Brown", "Wilson", "Thompson",
        "Walker", "Hughes", "Edwards", "Green", "Hall", "Wood", "Clarke", "Ahmed", "Ali",
        "Rahman", "Mahmood", "Da Silva", "de Souza", "van der Berg", "Smith-Jones",
        "Ashworth-Hale", "Lloyd-Price", "Fitzgerald", "MacDonald", "D'Souza", "N'Diaye",
        "Ó Súilleabháin", "Kowalski", "Mbeki-Owens", "Achterberg", "Haddad", "Nakamura",
        "Petrović", "Sørensen", "Brennan", "Mulligan", "Okoro", "Chaudhry", "Bhatt", "Gill"]
OFF_RANK = ["PC", "PCSO", "DC", "DS", "Sgt", "Insp", "Inspector", "Chief Inspector", "Det Supt",
            "Superintendent", "Special Constable", "Sergeant", "Detective Inspector"]
PLACES = ["Leamington Spa", "Warwick", "Kenilworth", "Rugby", "Nuneaton", "Bedworth",
          "Stratford-upon-Avon", "Atherstone", "Coleshill", "Southam", "Shipston-on-Stour",
          "Alcester", "Studley", "Wellesbourne", "Kineton", "Polesworth", "Whitnash",
          "Bulkington", "Henley-in-Arden", "Dunchurch", "Long Itchington", "Hatton", "Lillington"]
DISTRICT = {"Leamington Spa": ["CV31", "CV32", "CV33"], "Warwick": ["CV34", "CV35"],
            "Kenilworth": ["CV8"], "Rugby": ["CV21", "CV22", "CV23"], "Nuneaton": ["CV10", "CV11"],
            "Bedworth": ["CV12"], "Stratford-upon-Avon": ["CV37"], "Atherstone": ["CV9"],
            "Coleshill": ["B46"], "Southam": ["CV47"], "Shipston-on-Stour": ["CV36"],
            "Alcester": ["B49"], "Studley": ["B80"], "Wellesbourne": ["CV35"], "Kineton": ["CV35"],
            "Polesworth": ["B78"], "Whitnash": ["CV31"], "Bulkington": ["CV12"],
            "Henley-in-Arden": ["B95"], "Dunchurch": ["CV22"], "Long Itchington": ["CV47"],
            "Hatton": ["CV35"], "Lillington": ["CV32"]}
STREETS = ["Mill Lane", "Church Street", "Station Road", "Warwick Road", "Clarendon Avenue",
           "Brunswick Street", "Tachbrook Road", "Lillington Road", "Cubbington Road", "Myton Road",
           "Coten End", "Bridge Street", "Regent Grove", "Albert Street", "Lawford Road",
           "Hillmorton Road", "Abbey Green", "Coton Road", "Queens Road", "Avenue Road",
           "Evesham Road", "Alcester Road", "Tiddington Road", "Oak Close", "Beech Drive",
           "Willow Way", "Hawthorn Crescent", "Orchard Way", "Manor Court", "Priory Mews",
           "Kingsway", "St John's Close", "Chapel Fields", "Park View", "The Green"]
SHOPS = ["the Co-op", "Tesco Express", "the Spar", "Greggs", "the One Stop", "Boots",
         "the Londis", "the chip shop", "the Post Office", "Aldi", "the Premier store"]
VENUES = [("Rugby Library", "Little Elborow Street", "Rugby"), ("Nuneaton Town Hall", "Coton Road", "Nuneaton"),
          ("Leamington Spa Town Hall", "The Parade", "Leamington Spa"), ("Kenilworth Abbey Fields", "Bridge Street", "Kenilworth"),
          ("Stratford Leisure Centre", "Bridge Foot", "Stratford-upon-Avon"), ("Bedworth Civic Hall", "High Street", "Bedworth"),
          ("Warwick Racecourse", "Hampton Street", "Warwick"), ("Southam Community Centre", "Wood Street", "Southam"),
          ("Atherstone Memorial Hall", "Long Street", "Atherstone"), ("Alcester Greig Hall", "Henley Street", "Alcester")]
STATIONS = [("Leamington Justice Centre", "Newbold Terrace", "Leamington Spa"), ("Rugby Police Station", "Newbold Road", "Rugby"),
            ("Nuneaton Justice Centre", "Vicarage Street", "Nuneaton"), ("Stratford Police Station", "Rother Street", "Stratford-upon-Avon"),
            ("Warwick Police Station", "Priory Road", "Warwick"), ("Bedworth Police Station", "Coventry Road", "Bedworth")]
OPS = ["Kestrel", "Greyhound", "Lantern", "Bluebell", "Hawthorn", "Ironside", "Marigold", "Pendle",
       "Quartz", "Tundra", "Aurora", "Falcon", "Granite", "Harrier", "Juniper", "Mercury",
       "Nightjar", "Osprey", "Pennant", "Redwing", "Saffron", "Thistle", "Vanguard", "Wren",
       "Yarrow", "Zephyr", "Bramble", "Cobalt", "Damson", "Foxglove", "Heron", "Jasper",
       "Kingfisher", "Larch", "Magpie", "Nettle", "Onyx", "Plover", "Rook", "Sorrel", "Teal",
       "Basalt", "Cinder", "Drumlin", "Silver Birch", "Black Kite", "Longbow", "Tarn"]
PUBLIC_OPS = ["Sceptre", "Snap", "Encompass", "Close", "Makesafe", "Limelight", "Tutelage"]
CARS = ["silver Ford Focus", "black BMW 3 Series", "white Transit van", "red Vauxhall Corsa",
        "grey Audi A3", "blue VW Golf", "dark green Land Rover Discovery", "white Mercedes Sprinter",
        "black Range Rover Sport", "silver Toyota Prius", "yellow Renault Clio", "orange Kawasaki ZX-6R",
        "blue Nissan Qashqai", "maroon Peugeot 207", "white Ford Ranger pick-up"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
HELPLINES = [("Crimestoppers", "0800 555 111"), ("Samaritans", "116 123"), ("Childline", "0800 1111"),
             ("Action Fraud", "0300 123 2040"), ("the National Domestic Abuse Helpline", "0808 2000 247"),
             ("the Anti-Terrorist Hotline", "0800 789 321"), ("NHS 111", "111"),
             ("the textphone service", "18000")]
TAGS = ["#Leamington", "#Rugby", "#Nuneaton", "#Warwick", "#Kenilworth", "#StratfordUponAvon",
        "#Bedworth", "#WarwickshirePolice", "#Appeal", "#RuralCrime", "#ShareThis", "#CommunityPolicing"]


def first():
    return ch(FIRST)


def last():
    return ch(LAST)


def officer():
    return "%s %s" % (ch(OFF_RANK), ch([first() + " " + last(), last(), first()[0] + " " + last()]))


def upper_first(s):
    return s[:1].upper() + s[1:]


def pname(style=None):
    """Render a private person's name in a random (or given) style; returns the string."""
    f, l = first(), last()
    style = style or ch(["full"] * 6 + ["lower"] * 3 + ["upper", "sfirst", "sfirst_up", "initial",
                                                          "initial_nodot", "first", "initial_lower"])
    if style == "full":
        return f + " " + l
    if style == "lower":
        return (f + " " + l).lower()
    if style == "upper":
        return (f + " " + l).upper()
    if style == "sfirst":
        return l + ", " + f
    if style == "sfirst_up":
        return l.upper() + ", " + f
    if style == "initial":
        return f[0] + ". " + l
    if style == "initial_nodot":
        return f[0] + " " + l
    if style == "initial_lower":
        return (f[0] + ". " + l).lower()
    if style == "first":
        return f
    if style == "pair":
        return f, l
    raise ValueError(style)


def hashname(f, l):
    return (f + l).replace("'", "").replace(" ", "").replace("-", "")


def place():
    return ch(PLACES)


def postcode(town=None, style=None):
    town = town or place()
    d = ch(DISTRICT[town])
    unit = str(R.randint(1, 9)) + ch("ABDEFGHJLNPQRSTUWXYZ") + ch("ABDEFGHJLNPQRSTUWXYZ")
    style = style or ch(["std"] * 5 + ["lower", "nospace", "nospace_lower", "extra", "mixed"])
    if style == "std":
        return d + " " + unit
    if style == "lower":
        return (d + " " + unit).lower()
    if style == "nospace":
        return d + unit
    if style == "nospace_lower":
        return (d + unit).lower()
    if style == "extra":
        return d + "  " + unit
    return d.capitalize() + " " + unit.lower()


def address():
    n = R.randint(1, 148)
    st = ch(STREETS)
    v = R.random()
    if v < 0.15:
        return "Flat %d, %d %s" % (R.randint(1, 12), n, st)
    if v < 0.27:
        return "%d%s %s" % (n, ch("abc"), st)
    if v < 0.35:
        return ("%d %s" % (n, st)).lower()
    if v < 0.42:
        return ("%d %s" % (n, st)).upper()
    return "%d %s" % (n, st)


# --- phones (Ofcom drama ranges only)
def phone(kind=None):
    k = kind or ch(["mob"] * 6 + ["1632"] * 2 + ["city", "london", "foreign"])
    if k == "mob":
        x = "%03d" % R.randint(0, 999)
        return ch(["07700 900" + x, "07700900" + x, "07700-900-" + x, "07700.900." + x,
                   "077 009 00" + x, "0770 090 0" + x, "+44 7700 900" + x, "+44 (0)7700 900" + x,
                   "+44(0)7700900" + x, "0044 7700 900" + x, "+447700900" + x, "7700900" + x,
                   "(07700) 900" + x, "07700 900 " + x, "07700 900" + x, "07700900" + x,
                   "+44 7700 900 " + x, "0044 (0) 7700 900" + x, "07700 90 0" + x])
    if k == "1632":
        x = "%03d" % R.randint(0, 999)
        return ch(["01632 960" + x, "(01632) 960" + x, "01632-960-" + x, "+44 1632 960" + x,
                   "01632 960 " + x, "01632.960." + x, "0044 1632 960" + x, "01632960" + x,
                   "(01632) 960 " + x, "+44 (0)1632 960" + x])
    if k == "city":
        code = ch(["113", "114", "115", "116", "117", "118", "121", "131", "141", "151", "161"])
        x = "%03d" % R.randint(0, 999)
        return ch(["0%s 496 0%s" % (code, x), "(0%s) 496 0%s" % (code, x),
                   "+44 (0)%s 496 0%s" % (code, x), "0%s-496-0%s" % (code, x),
                   "0%s4960%s" % (code, x), "+44 %s 496 0%s" % (code, x), "0%s 4960 %s" % (code, x)])
    if k == "london":
        x = "%03d" % R.randint(0, 999)
        return ch(["020 7946 0" + x, "(020) 7946 0" + x, "+44 20 7946 0" + x, "0207 946 0" + x,
                   "020-7946-0" + x, "+44 (0)20 7946 0" + x])
    x = "%02d" % R.randint(0, 99)
    return ch(["+1 202-555-01" + x, "+1 (415) 555-01" + x, "+33 1 99 00 12 " + x,
               "+61 491 570 1" + x[:1] + "0", "+1 312 555 01" + x])


# --- other identifiers
def nhs(style=None):
    while True:
        d = [R.choice([4, 6, 9])] + [R.randint(0, 9) for _ in range(8)]
        s = sum(v * (10 - i) for i, v in enumerate(d))
        c = 11 - s % 11
        if c == 11:
            c = 0
        if c == 10:
            continue
        d.append(c)
        break
    t = "".join(map(str, d))
    style = style or ch(["sp", "sp", "none", "dash", "dot"])
    if style == "sp":
        return t[:3] + " " + t[3:6] + " " + t[6:]
    if style == "none":
        return t
    if style == "dash":
        return t[:3] + "-" + t[3:6] + "-" + t[6:]
    return t[:3] + "." + t[3:6] + "." + t[6:]


NINO_A = "ABCEGHJKLMNOPRSTWXYZ"
NINO_B = "ABCEGHJKLMNPRSTWXYZ"


def nino():
    if R.random() < 0.3:
        p = "QQ"
    else:
        while True:
            p = ch(NINO_A) + ch(NINO_B)
            if p not in ("BG", "GB", "NK", "KN", "TN", "NT", "ZZ"):
                break
    dg = "%06d" % R.randint(0, 999999)
    sfx = ch("ABCD")
    v = ch(["pairs", "pairs", "none", "lower_pairs", "lower_none", "dash", "mid", "pairs_nosfxsp"])
    if v == "pairs":
        return "%s %s %s %s %s" % (p, dg[:2], dg[2:4], dg[4:], sfx)
    if v == "none":
        return p + dg + sfx
    if v == "lower_pairs":
        return ("%s %s %s %s %s" % (p, dg[:2], dg[2:4], dg[4:], sfx)).lower()
    if v == "lower_none":
        return (p + dg + sfx).lower()
    if v == "dash":
        return "%s-%s-%s-%s-%s" % (p, dg[:2], dg[2:4], dg[4:], sfx)
    if v == "mid":
        return "%s %s %s" % (p, dg, sfx)
    return "%s %s %s %s%s" % (p, dg[:2], dg[2:4], dg[4:], sfx)


def luhn_complete(prefix, length):
    body = prefix + "".join(str(R.randint(0, 9)) for _ in range(length - len(prefix) - 1))
    digits = [int(c) for c in body]
    total = 0
    for i, v in enumerate(reversed(digits)):
        if i % 2 == 0:
            v *= 2
            if v > 9:
                v -= 9
        total += v
    return body + str((10 - total % 10) % 10)


def card():
    prefix, n = ch([("411111", 16), ("424242", 16), ("400000", 16), ("555555", 16),
                    ("510510", 16), ("222300", 16), ("378282", 15), ("371449", 15)])
    t = luhn_complete(prefix, n)
    if n == 15:
        return ch([t[:4] + " " + t[4:10] + " " + t[10:], t, t[:4] + "-" + t[4:10] + "-" + t[10:]])
    g = [t[i:i + 4] for i in range(0, 16, 4)]
    return ch([" ".join(g), " ".join(g), "-".join(g), t, ".".join(g)])


def sortcode():
    a = [R.randint(0, 99) for _ in range(3)]
    a[0] = R.randint(10, 99)
    s = ["%02d" % v for v in a]
    return ch(["-".join(s), "-".join(s), " ".join(s), "".join(s), ".".join(s)])


def account():
    t = "%08d" % R.randint(10000000, 99999999)
    return ch([t, t, t[:4] + " " + t[4:]])


def iban():
    bank = ch(["NWBK", "BARC", "LOYD", "MIDL", "HBUK", "NAIA"])
    sc = "%06d" % R.randint(100000, 999999)
    ac = "%08d" % R.randint(10000000, 99999999)
    bban = bank + sc + ac
    num = "".join(str(int(c, 36)) for c in bban + "GB00")
    chk = 98 - int(num) % 97
    t = "GB%02d%s" % (chk, bban)
    if R.random() < 0.6:
        return " ".join(t[i:i + 4] for i in range(0, len(t), 4))
    return t


def email(f=None, l=None):
    f = f or first()
    l = l or last()
    def fold(x):
        x = unicodedata.normalize("NFKD", x.replace("ł", "l").replace("Ł", "L").replace("ø", "o").replace("ı", "i"))
        return x.lower().replace("'", "").replace(" ", "").replace("-", "")
    fa, la = fold(f), fold(l)
    fa = "".join(c for c in fa if c.isascii())
    la = "".join(c for c in la if c.isascii())
    dom = ch(["example.com", "example.co.uk", "example.net", "mail.example.org", "example.org.uk"])
    local = ch([fa + "." + la, fa + la + str(R.randint(1, 99)), fa[0] + la, fa + "_" + la[:1],
                la + "." + fa + str(R.randint(70, 99)), fa + "." + la + "-home"])
    v = R.random()
    if v < 0.12:
        return (local + "@" + dom).upper()
    if v < 0.22:
        return local + " at " + dom.replace(".", " dot ")
    if v < 0.3:
        return local + "[at]" + dom
    return local + "@" + dom


def reg(kind=None):
    AL = "ABCDEFGHJKLMNOPRSTUVWXY"
    RL = "ABCDEFGHJKLMNOPRSTUVWXYZ"
    k = kind or ch(["cur"] * 6 + ["prefix", "prefix", "suffix", "dateless", "ni", "ni", "personal"])
    if k == "cur":
        age = ch(["%02d" % R.randint(2, 24), "%02d" % R.randint(51, 74)])
        a, b = ch(AL) + ch(AL), "".join(ch(RL) for _ in range(3))
        t = ch(["%s%s %s", "%s%s %s", "%s%s%s", "%s%s-%s"]) % (a, age, b)
    elif k == "prefix":
        t = ch("ABCDEFGHJKLMNPRSTVWXY") + str(R.randint(1, 999)) + ch([" ", "", " "]) + "".join(ch(RL) for _ in range(3))
    elif k == "suffix":
        t = "".join(ch(RL) for _ in range(3)) + ch([" ", "", " "]) + str(R.randint(1, 999)) + ch("ABCDEFGHJKLMNPRSTVWXY")
    elif k == "dateless":
        t = ch(["%s %s" % ("".join(ch(RL) for _ in range(3)), R.randint(1, 999)),
                "%d %s" % (R.randint(1, 999), "".join(ch(RL) for _ in range(3))),
                "%s %d" % (ch(RL) + ch(RL), R.randint(1000, 9999)),
                "%d %s" % (R.randint(1000, 9999), ch(RL) + ch(RL))])
    elif k == "ni":
        l3 = ch(["AIJ", "BIG", "CXZ", "DIL", "FIB", "GXI", "HIJ", "JIW", "KXZ", "LIG", "MIA", "NIL",
                 "OIW", "PIB", "RIJ", "SIA", "TIB", "UIL", "VXI", "WIA", "XIL", "YIJ", "BFZ", "LXZ"])
        t = ch(["%s %d", "%s%d", "%s %d"]) % (l3, R.randint(100, 9999))
    else:
        t = ch(["S11 MON", "M4 TTY", "R8 ANN", "SAR 4H", "J4 CKO", "B16 JON", "P4 TEL", "K1 RAN",
                "DAN 1E", "H11 LRY", "G10 SSY", "AJ 7", "1 KEV", "MO55 ALI"])
    v = R.random()
    if v < 0.18:
        t = t.lower()
    elif v < 0.23:
        t = t.replace(" ", "-")
    return t


def date_parts():
    return R.randint(1, 28), R.randint(1, 12), R.randint(1942, 2009)


def ordinal(d):
    return str(d) + ("th" if 11 <= d <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th"))


def dob_str(style=None):
    d, m, y = date_parts()
    mon = MONTHS[m - 1]
    style = style or R.randint(0, 16)
    opts = ["%02d/%02d/%d" % (d, m, y), "%d.%d.%02d" % (d, m, y % 100),
            "%s %s %d" % (ordinal(d), mon, y), "%s %d %d" % (mon, d, y), "%s %d, %d" % (mon, d, y),
            "%d-%02d-%02d" % (y, m, d), "%d %s %02d" % (d, mon[:3], y % 100),
            "%02d-%02d-%d" % (d, m, y), "%d/%d/%02d" % (d, m, y % 100), "%d %s %d" % (d, mon, y),
            "%02d %s %d" % (d, mon[:3].upper(), y), "%02d%02d%02d" % (d, m, y % 100),
            "%s of %s %d" % (ordinal(d), mon, y), "%02d.%02d.%d" % (d, m, y),
            "%d %s '%02d" % (d, mon[:3], y % 100), "%s %s %02d" % (ordinal(d), mon, y % 100),
            "%d/%02d/%d" % (d, m, y)]
    return opts[style % len(opts)]


def event_date():
    d = R.randint(1, 28)
    m = R.randint(1, 12)
    y = ch([2025, 2026])
    return ch(["%02d/%02d/%d" % (d, m, y), "%s %s" % (ordinal(d), MONTHS[m - 1]), "%d %s %d" % (d, MONTHS[m - 1], y),
               "%d.%d.%02d" % (d, m, y % 100), "%s %d" % (MONTHS[m - 1], d), "%d-%02d-%02d" % (y, m, d)])


def ref():
    y = ch(["24", "25", "26"])
    d, m = R.randint(1, 28), R.randint(1, 12)
    opts = [
        "%s/%05d/%s" % (y, R.randint(1000, 99999), y),
        "WK-20%s-%06d" % (y, R.randint(1, 999999)),
        "%d of %d %s" % (R.randint(1, 999), d, MONTHS[m - 1][:3]),
        "%04d of %d/%d/20%s" % (R.randint(1, 999), d, m, y),
        "%d of %s %s" % (R.randint(1, 600), ordinal(d), MONTHS[m - 1]),
        "%s000%06d" % (y, R.randint(1, 999999)),
        "23%09d" % R.randint(1, 999999999),
        "MPS-CAD %04d" % R.randint(1, 9999),
        "CAD %d/%02d%02d" % (R.randint(1, 9999), d, m),
        "GMP-%s-%04d" % (y, R.randint(1, 9999)),
        "NFRC%s%02d%08d" % (y, m, R.randint(1, 99999999)),
        "20WM/%06dR/%s" % (R.randint(1, 999999), y),
        "%dMS%06d" % (R.randint(10, 99), R.randint(1, 999999)),
        "CR/%05d/%s" % (R.randint(1, 99999), y),
        "WKS-20%s%02d%02d-%04d" % (y, m, d, R.randint(1, 9999)),
        "%07d/%s" % (R.randint(1, 9999999), y),
        "43%s%07d" % (y, R.randint(1, 9999999)),
        "TVP-%s-%05d" % (y, R.randint(1, 99999)),
        "WMP %d %02d/%02d/%s" % (R.randint(1, 9999), d, m, y),
        "%d of %02d/%02d" % (R.randint(1, 999), d, m),
        "WP/%s/%06d" % (y, R.randint(1, 999999)),
        "%d of %d %s" % (R.randint(1, 999), d, MONTHS[m - 1]),
        "wk%s%06d" % (y, R.randint(1, 999999)),
    ]
    return ch(opts)


REF_CUES = ["quoting ", "quote ", "crime reference ", "crime ref ", "ref ", "ref: ", "reference ",
            "incident number ", "occurrence number ", "log number ", "quoting incident ", "crime no. ",
            "quoting reference ", "case number ", "CAD ref ", "quoting crime number ", ""]


def ref_phrase():
    """Return parts: cue + labelled reference."""
    r = ref()
    if " of " in r and R.random() < 0.5:
        return [ch(["quoting log ", "quoting incident ", "log ", "incident ", "ref log "]), L("investigation.reference", r)]
    return [ch(REF_CUES), L("investigation.reference", r)]


def op_name():
    o = ch(OPS)
    cc = o.replace(" ", "")
    return ch(["Operation " + o, "Op " + o, "Op. " + o, "OPERATION " + o.upper(), "operation " + o.lower(),
               "op " + o.lower(), "Operation " + o, "Op " + o, "OP " + o.upper()]), cc


def public_op():
    o = ch(PUBLIC_OPS)
    return ch(["Operation " + o, "Op " + o, "#Op" + o, "#Operation" + o, "OPERATION " + o.upper(), "op " + o.lower()])


MARKINGS = ["OFFICIAL-SENSITIVE", "OFFICIAL SENSITIVE", "Official Sensitive", "OFFICIAL - SENSITIVE",
            "Official-Sensitive", "official sensitive", "OFFICIAL–SENSITIVE", "OFFICIAL-SENSITIVE: OPERATIONAL",
            "OFFICIAL-SENSITIVE PERSONAL", "OFFICIAL SENSITIVE - PERSONAL", "SECRET", "TOP SECRET",
            "RESTRICTED", "CONFIDENTIAL", "PROTECT", "PROTECT - PERSONAL", "Restricted", "O-S",
            "OFFICIAL SENSITIVE: LAW ENFORCEMENT", "OFFICIAL – SENSITIVE", "Official - Sensitive"]


def marking():
    m = ch(MARKINGS)
    if m == "O-S":
        m = "OFFICIAL-SENSITIVE"
    return m


TIMES = ["6am", "0600", "06:00", "5.30am", "7pm", "10pm", "22:00", "from 9 tonight", "at dawn",
         "2am", "first thing", "0500 hrs", "from 8pm", "at 11", "at 4am"]
WHEN = ["tomorrow", "on Thursday", "this Friday", "tonight", "on Saturday night", "next Tuesday",
        "on Sunday morning", "this weekend", "tomorrow morning", "on the 14th", "Wednesday night"]


def covert_tactic():
    p = place()
    s = ch(SHOPS)
    return ch([
        "test purchase officers", "a test purchase op", "an undercover officer", "undercover officers",
        "our UC", "an observation point", "the OP in the flat opposite", "an OP overlooking the car park",
        "a covert camera", "hidden cameras", "a hidden camera in the shed", "our informant",
        "an informant", "a CHIS", "a covert human intelligence source", "a tracking device",
        "a tracker on the van", "the tracker we fitted", "a bait bike", "our bait bikes",
        "a decoy van", "a bait phone", "decoy parcels", "a dummy parcel with a tracker",
        "lads in civvies", "officers in plain clothes", "plain-clothes officers", "our plain clothes team",
        "the unmarked car parked by %s in %s" % (s, p), "an unmarked Skoda outside %s" % s,
        "the ANPR camera on the A46 by the Stoneleigh junction", "the ANPR camera at the Longford island",
        "ANPR on the A5 at Grendon roundabout", "a covert tracker on the trailer",
        "our source inside the group", "a bait car", "a decoy bike outside the station",
        "covert surveillance on the house", "eyes on the address from a van", "a static obs van",
        "someone inside the gang feeding us info", "the secret cameras at the tip",
    ])


def tm():
    t = ch(TIMES)
    return t if t.split()[0] in ("at", "from", "first") else "at " + t


def covert_plan():
    p = place()
    return ch([
        "warrants to be executed %s %s at addresses in %s" % (tm(), ch(WHEN), p),
        "we'll be hitting three houses in %s %s %s" % (p, tm(), ch(WHEN)),
        "plain-clothes officers will be on the 17:10 from Leamington %s" % ch(WHEN),
        "officers will raid addresses in %s %s %s" % (p, tm(), ch(WHEN)),
        "an unmarked car will be sitting outside %s in %s from %s %s" % (ch(SHOPS), p, ch(["10pm", "9", "midnight"]), ch(WHEN)),
        "lads in civvies will be at %s station %s %s" % (ch(["Kenilworth", "Rugby", "Warwick Parkway", "Nuneaton", "Leamington"]), ch(["from 7", "from 6pm", "around 11"]), ch(WHEN)),
        "the speed van will be hidden behind the hedge on the B4100 at Gaydon %s" % ch(WHEN),
        "a warrant at the flats on %s %s %s" % (ch(STREETS), tm(), ch(WHEN)),
        "test purchase officers will visit shops in %s %s" % (p, ch(WHEN)),
        "undercover officers will be in the pubs on %s %s" % (ch(["Regent Street", "Bridge Street", "the Parade", "Sheep Street"]), ch(WHEN)),
        "we're doing doors in %s %s %s" % (p, tm(), ch(WHEN)),
        "bait bikes will go out at %s rail station %s" % (ch(["Leamington", "Rugby", "Stratford"]), ch(WHEN)),
    ])


# ---------------------------------------------------------------- labelled templates
N = "personal.name"
PH = "personal.phone"
EM = "personal.email"
PC = "personal.postcode"
NI = "personal.nino"
NH = "personal.nhs"
CD = "personal.card"
BK = "personal.bank"
VH = "personal.vehicle"
DB = "personal.dob"
AD = "personal.address"
RF = "investigation.reference"
OP = "investigation.operation"
MK = "marking"
CV = "covert"


def tag():
    return " " + ch(TAGS) if R.random() < 0.5 else ""


def t_appeal_vehicle():
    p = place()
    op, cl = ch([(", reg ", ","), (" registration ", ""), (" (", ")"), (", index ", ","), (" - ", " -"), (" [", "]")])
    parts = [ch(["NEWS: ", "APPEAL: ", "", "Can you help? ", "Witness appeal | "]),
             ch(["Officers are keen to speak to anyone who saw a ", "Did you see a ", "We want to trace a ",
                 "Have you seen this "]), ch(CARS), op, L(VH, reg()), cl,
             ch([" in %s on %s evening?" % (p, ch(DAYS)), " near %s last night?" % p,
                 " driving erratically on the A46 near %s?" % p])]
    if R.random() < 0.5:
        parts += [" Call 101 "] + ref_phrase() + ["."]
    else:
        parts += [" Call 101."]
    return "appeal", parts + [tag()]


def t_stolen_vehicle():
    p = place()
    parts = [ch(["STOLEN: ", "Stolen vehicle alert - ", "", "Please share: "]),
             ch(["a ", "this "]), ch(CARS), " was taken from "]
    if R.random() < 0.5:
        parts += [ch(["outside ", "the drive of "]), L(AD, address()), ", ", p, " "]
        if R.random() < 0.5:
            parts += ["(", L(PC, postcode(p)), ") "]
    else:
        parts += [ch(["the car park at ", "a street near "]), ch(STREETS), ", ", p, " "]
    parts += [ch(["overnight", "on %s" % ch(DAYS), "between 1am and 4am"]), ". Registration ", L(VH, reg()),
              ". It may now be on false plates ", L(VH, reg()), ". Call 101 ", *ref_phrase(), "."]
    return "stolen", parts


def t_thanks_name():
    nm = pname(ch(["lower", "lower", "full", "first", "initial"]))
    return "thanks", [ch(["thanks to ", "Huge thanks to ", "shout out to ", "big thank you to ", "Cheers to "]),
                      L(N, nm), ch([" for handing in the wallet she found on %s" % ch(STREETS),
                                    " who spotted the van and rang us straight away",
                                    " for stopping to help the elderly man who fell in %s" % place(),
                                    " for chasing the shoplifter out of %s" % ch(SHOPS),
                                    " who filmed the whole thing on their phone"]),
                      ch([". Legend!", ". Community spirit at its best.", " 👏", ".", "! #ThankYou"])]


def t_missing():
    f, l = first(), last()
    p = place()
    age = R.randint(12, 88)
    style = R.random()
    nm = f + " " + l if style < 0.6 else (f + " " + l).upper() if style < 0.8 else f
    parts = [ch(["MISSING: ", "Have you seen ", "#MISSING | ", "Please share - we're concerned for "]), L(N, nm),
             ", aged %d, from %s. " % (age, p)]
    if R.random() < 0.5:
        parts += [L(N, f), ch([" was last seen ", " went missing "]), ch(["on %s" % ch(DAYS), "yesterday afternoon"]),
                  " near ", ch(SHOPS), ". "]
    if R.random() < 0.35:
        parts += ["Home address ", L(AD, address()), ", ", L(PC, postcode(p)), ". "]
    if R.random() < 0.3:
        parts += ["DOB ", L(DB, dob_str()), ". "]
    parts += ["If you see ", ch(["her", "him", "them"]), " call 999 quoting ", L(RF, ref()), ". #Find", L(N, hashname(f, l))]
    return "missing", parts


def t_missing_found():
    f, l = first(), last()
    return "missing", [ch(["UPDATE: ", "Update - ", ""]), L(N, ch([f + " " + l, f, (f + " " + l).lower()])),
                       ch([" has been found safe and well", " has been located", " is home safe"]),
                       ". Thank you for sharing our appeal. #Find", L(N, hashname(f, l))]


def t_record_nominal():
    p = place()
    f, l = first(), last()
    nm = ch([l.upper() + ", " + f, l.upper() + ", " + f.upper(), l + ", " + f, f + " " + l.upper()])
    sep = ch(["  ", "\n", " | ", "; ", "   "])
    parts = [ch(["", "pls check before posting: ", "Draft (from the nominal record):\n", "copy from niche - "]),
             ch(["NAME: ", "Name: ", "NOMINAL: ", "Surname, forename: "]), L(N, nm), sep,
             ch(["DOB: ", "D.O.B. ", "dob - ", "Date of birth: "]), L(DB, dob_str()), sep,
             ch(["ADDRESS: ", "Address: ", "Home addr: "]), L(AD, address()), ", %s " % p, L(PC, postcode(p))]
    if R.random() < 0.6:
        parts += [sep, ch(["TEL: ", "Mob: ", "Phone - ", "Contact no: "]), L(PH, phone())]
    if R.random() < 0.3:
        parts += [sep, ch(["NI: ", "NINO: ", "NI no. "]), L(NI, nino())]
    if R.random() < 0.25:
        parts += [sep, ch(["NHS: ", "NHS No: ", "NHS number "]), L(NH, nhs())]
    if R.random() < 0.4:
        parts += [sep, ch(["VRM: ", "Vehicle: ", "Reg: "]), L(VH, reg())]
    if R.random() < 0.4:
        parts += [sep, ch(["Occ ref: ", "Crime no: ", "Ref: "]), L(RF, ref())]
    if R.random() < 0.25:
        parts = [L(MK, marking()), ch(["\n", " - ", "  "])] + parts
    parts += ["\n", ch(["Appeal text to follow.", "Suspect wanted for burglary in %s." % p,
                        "Victim of a distraction burglary - appeal for witnesses.", "Witness - do not contact direct."])]
    return "record", parts


def t_custody():
    f, l = first(), last()
    p = place()
    parts = [ch(["CUSTODY RECORD", "Custody:", "Detained person -"]), ch(["", " Leamington", " Nuneaton"]),
             "\nDP: ", L(N, l.upper() + ", " + f), " (", L(DB, dob_str()), ")\nArrested: ", event_date(),
             " for ", ch(["burglary", "possession with intent to supply", "theft of motor vehicle", "assault"]),
             "\nHome: ", L(AD, address()), ", ", L(PC, postcode(p)), "\nNFA / RUI pending. Arrest ref ", L(RF, ref())]
    if R.random() < 0.4:
        parts += ["\nNHS ", L(NH, nhs()), " (medical flag)"]
    if R.random() < 0.4:
        parts += ["\nNOK: ", L(N, pname("full")), " ", L(PH, phone())]
    if R.random() < 0.3:
        parts = [L(MK, marking()), "\n"] + parts
    return "custody", parts


def t_table():
    rows = R.randint(1, 3)
    hdr = ch(["| Name | DOB | Postcode | Phone |", "|Name|D.O.B|Postcode|Tel|", "| name | dob | postcode | mobile |"])
    parts = [ch(["Witness list for the appeal post:\n", "Table for the carousel graphic:\n", "Victims so far\n", ""]), hdr, "\n"]
    if R.random() < 0.5:
        parts.append("|---|---|---|---|\n")
    for i in range(rows):
        parts += ["| ", L(N, pname(ch(["full", "sfirst_up", "lower", "initial"]))), " | ", L(DB, dob_str()), " | ",
                  L(PC, postcode()), " | ", L(PH, phone()), " |"]
        if i < rows - 1:
            parts.append("\n")
    return "table", parts


def t_csv():
    rows = R.randint(1, 3)
    cols = ch([("name,dob,vrm", [N, DB, VH]), ("surname,forename,nhs_no", ["LF", None, NH]),
               ("name,ni_number,postcode", [N, NI, PC]), ("Name,Email,Phone", [N, EM, PH]),
               ("name,sort_code,account", [N, BK, BK]), ("reg,keeper,keeper_postcode", [VH, N, PC])])
    parts = [ch(["", "csv from the spreadsheet:\n", "paste:\n"]), cols[0], "\n"]
    for i in range(rows):
        cells = []
        f, l = first(), last()
        for c in cols[1]:
            if c == N:
                cells.append(L(N, ch([f + " " + l, (f + " " + l).lower(), l.upper() + " " + f])))
            elif c == "LF":
                cells.append(L(N, l.upper()))
                cells.append(",")
                cells.append(L(N, f))
                cells.append(",")
                continue
            elif c is None:
                continue
            elif c == DB:
                cells.append(L(DB, dob_str(ch([0, 5, 7, 9, 13]))))
            elif c == VH:
                cells.append(L(VH, reg()))
            elif c == NH:
                cells.append(L(NH, nhs()))
            elif c == NI:
                cells.append(L(NI, nino()))
            elif c == PC:
                cells.append(L(PC, postcode()))
            elif c == EM:
                cells.append(L(EM, email(f, l)))
            elif c == PH:
                cells.append(L(PH, phone()))
            elif c == BK:
                cells.append(L(BK, sortcode() if not any(isinstance(x, tuple) and x[0] == BK for x in cells) else account()))
            cells.append(",")
        cells = cells[:-1]
        parts += cells
        if i < rows - 1:
            parts.append("\n")
    return "csv", parts


def t_witness_phone():
    nm = pname()
    return "appeal", [ch(["Witness appeal: ", "", "Can anyone help? "]), ch(["A woman called ", "A man named ", "Local resident ", "A passer-by, "]),
                      L(N, nm), ch([", saw the collision on ", ", witnessed the assault on ", ", heard shouting on "]), ch(STREETS), " in ", place(),
                      ". ", ch(["If you were with them, ring ", "Anyone who can help can also ring ", "Please contact ", "Call "]),
                      ch(["them on ", "her directly on ", "him on ", "the witness on ", ""]), L(PH, phone()), ch([".", " or call 101.", " any time."])]


def t_lost_property():
    p = place()
    f, l = first(), last()
    item = ch(["purse", "wallet", "set of keys", "handbag", "phone", "rucksack"])
    parts = [ch(["FOUND: ", "Lost property - ", "Can you help reunite? "]), "a ", item, " was handed in at ", ch(STATIONS)[0], ". "]
    v = R.random()
    if v < 0.3:
        parts += ["It contains a bank card in the name of ", L(N, ch([f[0] + " " + l.upper(), f[0] + ". " + l, f + " " + l])),
                  " (", L(CD, card()), ")."]
    elif v < 0.55:
        parts += ["Inside is an NHS card for ", L(N, f + " " + l), ", NHS no ", L(NH, nhs()), "."]
    elif v < 0.75:
        parts += ["A letter inside is addressed to ", L(N, ch([f + " " + l, l.upper(), f[0] + " " + l])), ", ",
                  L(AD, address()), ", ", p, " ", L(PC, postcode(p)), "."]
    else:
        parts += ["The owner is ", L(N, (f + " " + l).lower()), " - if you know ", ch(["her", "him", "them"]),
                  " ring ", L(PH, phone()), " or email ", L(EM, email(f, l)), "."]
    parts += [" Please collect from the front counter with ID."]
    return "lost", parts


def t_fraud_victim():
    f, l = first(), last()
    parts = [ch(["FRAUD WARNING: ", "Scam alert | ", "", "Courier fraud - "]),
             ch(["an elderly woman", "a man in his 80s", "a resident"]), " in ", place(),
             " was conned out of £%d,%03d this week. " % (R.randint(1, 40), R.randint(0, 999))]
    v = R.random()
    if v < 0.35:
        parts += ["The victim, ", L(N, ch([f + " " + l, (f + " " + l).lower(), f])), ", read out ", ch(["her", "his"]),
                  " card number ", L(CD, card()), " to the caller."]
    elif v < 0.7:
        parts += [ch(["She", "He"]), " was told to move money out of ", ch(["her", "his"]), " own account (sort code ",
                  L(BK, sortcode()), ", account ", L(BK, account()), ")."]
    else:
        parts += ["The money left ", L(N, f + " " + l), "'s account ", L(BK, iban()), " within minutes."]
    parts += [" Never give your bank details over the phone. Report to Action Fraud on 0300 123 2040",
              ch([", ref ", " quoting ", ". Action Fraud ref "]), L(RF, ref()), "."]
    return "fraud", parts


def t_bank_detail():
    f, l = first(), last()
    return "fraud", [ch(["Donations for ", "Fundraiser for ", "To help "]), L(N, ch([f + " " + l, f])),
                     ch([" after the burglary: ", " whose van was torched: ", " - the family have asked for support: "]),
                     "s/c ", L(BK, sortcode()), ch([" a/c ", " acc ", " account no. "]), L(BK, account()),
                     ch([" or IBAN ", ". IBAN: "]), L(BK, iban()), "."]


def t_court_dob():
    f, l = first(), last()
    p = place()
    sent = ch(["jailed for %d months" % R.randint(4, 60), "given a suspended sentence", "banned from driving for three years",
               "ordered to pay £%d compensation" % R.randint(100, 2000), "sentenced to %d years" % R.randint(2, 12)])
    return "court", [ch(["COURT RESULT: ", "Jailed | ", "", "Sentenced - "]), f + " " + l,
                     ch([" (DOB ", ", born ", ", date of birth ", ", d.o.b. "]), L(DB, dob_str()),
                     ch([")", ","]), " of ", p, ", was ", sent, " at Warwick Crown Court after ",
                     ch(["pleading guilty to burglary", "being convicted of robbery", "admitting dangerous driving"]), ". ",
                     ch(["Thanks to ", "Well done "]), officer(), " for the investigation."]


def t_court_suspect_uncharged():
    nm = pname()
    return "update", [ch(["UPDATE: ", "", "Arrest | "]), "A %d-year-old man, " % R.randint(18, 60), L(N, nm),
                      ", has been arrested on suspicion of ", ch(["burglary", "arson", "assault", "drug supply"]),
                      " and released on bail while enquiries continue. ", *(ref_phrase() if R.random() < 0.6 else ["Thanks for sharing."])]


def t_nhs_welfare():
    f, l = first(), last()
    return "welfare", [ch(["Concern for welfare: ", "Urgent: ", "Please share "]), L(N, f + " " + l), " needs ",
                       ch(["daily medication", "insulin", "her medication"]), ". If found, A&E staff can check NHS number ",
                       L(NH, nhs()), ch([".", " (from GP).", " - please pass to the ward."]),
                       " Date of birth ", L(DB, dob_str()), "."]


def t_nino():
    f, l = first(), last()
    return ch(["fraud", "record"]), [ch(["Identity theft warning: ", "draft - ", "", "FYI "]),
                                      ch(["criminals used the NI number ", "NI ", "a fake payslip carried NINO ", "National Insurance no. "]),
                                      L(NI, nino()), ch([" belonging to ", " of ", " - the real owner is "]), L(N, ch([f + " " + l, (f + " " + l).lower(), l.upper() + ", " + f])),
                                      ch([" from ", " of "]), place(), ". ", ch(["Check your credit file regularly.", "Report identity fraud to Action Fraud.", ""])]


def t_email_sig():
    f, l = first(), last()
    parts = [ch(["Draft reply to resident:\n", "Post text (from the complainant's email):\n", ""]),
             ch(["Thanks for the footage, we'll look into it.\n\n", "Incident on %s noted.\n\n" % ch(STREETS), "---\n"]),
             ch(["From: ", "Sender: ", "-----Original Message-----\nFrom: "]), L(N, f + " " + l), " <", L(EM, email(f, l)), ">\n",
             ch(["Sent: %s %s\n" % (ch(DAYS), event_date()), ""]), ch(["Kind regards,\n", "Best,\n", "Thanks\n"]), L(N, f), "\n"]
    if R.random() < 0.7:
        parts += [ch(["Mob: ", "M: ", "Tel ", "📱 "]), L(PH, phone())]
    if R.random() < 0.4:
        parts += ["\n", L(AD, address()), ", ", L(PC, postcode())]
    return "signature", parts


def t_email_contact():
    f, l = first(), last()
    return "appeal", [ch(["The owner of the dog found in ", "The lady who lost her ring in ", "A resident in "]), place(),
                      ch([" has asked us to share her email ", " says you can contact him at ", " can be reached on "]),
                      L(EM, email(f, l)), ch([" if you have information.", ". Thank you!", " - thank you for sharing."])]


def t_address_incident():
    p = place()
    return "incident", [ch(["Police are at ", "Emergency services are dealing with an incident at ", "Cordon in place at ",
                            "Officers were called to "]), L(AD, address()), ", ", p, " ",
                        *([L(PC, postcode(p)), " "] if R.random() < 0.5 else []),
                        ch(["after reports of a disturbance", "after a house fire", "following a burglary overnight",
                            "where a woman was assaulted"]), ". ", ch(["Please avoid the area.", "Enquiries are ongoing.", ""]),
                        *([" "] + ref_phrase() if R.random() < 0.4 else [])]


def t_postcode_home():
    p = place()
    nm = pname()
    return "incident", [ch(["Burglary at the home of ", "Criminal damage to the car of ", "Shed break-in at the house of "]), L(N, nm),
                        ch([" in ", ", postcode ", " - "]), L(PC, postcode(p)), ". ", ch(["Tools taken.", "Nothing taken.", "Windows smashed."]),
                        " Any info call 101 or Crimestoppers 0800 555 111."]


def t_operation():
    o, cc = op_name()
    p = place()
    v = R.random()
    if v < 0.2:
        return "update", ["#", L(OP, ch(["Op", "Operation"]) + cc),
                          ch([" continues this week in %s" % p, " - more arrests in %s today" % p,
                              " results: 12 arrests, £40k cash seized"]), ". ", ch(TAGS)]
    return ch(["update", "arrest", "thanks"]), [
        ch(["", "UPDATE: ", "Great work today - "]),
        ch(["%d arrests in %s as part of " % (R.randint(2, 14), p), "Thanks to everyone involved in ", "Briefing this morning for ",
            "Drugs seized under ", "We can reveal that ", "Day three of "]), L(OP, o),
        ch([" targeting county lines", " continues this week", ", our crackdown on burglary", " into catalytic converter thefts",
            " - more to follow", ""]), ".", *([" "] + ref_phrase() if R.random() < 0.25 else []), tag()]


def t_marking():
    m = marking()
    v = R.random()
    body = ch(["Briefing note for the weekend comms plan.", "Draft post re: stop and search figures.",
               "Lines to take on the Rugby stabbing.", "Pre-brief for Friday's arrests - not for publication yet.",
               "Summary of the intel picture for the town centre."])
    if v < 0.35:
        return "internal", [L(MK, m), "\n", body]
    if v < 0.55:
        return "internal", ["Classification: ", L(MK, m), "\n", body]
    if v < 0.75:
        return "internal", ["[", L(MK, m), ch([" - not for circulation", " - do not share", ""]), "] ", body]
    return "internal", [body, " (", ch(["marked ", "document is ", "graded "]), L(MK, m), ch([")", ", handle accordingly)"])]


def t_covert():
    v = R.random()
    if v < 0.55:
        t = covert_tactic()
        return ch(["update", "prevention", "results"]), [
            ch(["Good result thanks to ", "We caught them using ", "Nicked! Thanks to ", "This week we deployed ",
                "Result in %s thanks to " % place(), "Arrests made after we used "]), L(CV, t),
            ch([" in %s" % place(), " - two arrested", " on %s" % ch(STREETS), ". More to come", " 😎", ""]), ". ", ch(TAGS)]
    return ch(["update", "warning"]), [ch(["Heads up: ", "Just so you know, ", "Word to the wise - ", "", "Message to dealers: "]),
                                      L(CV, covert_plan()), ch([". Watch this space.", ". 👀", ". You've been warned.", "."])]


def t_combo_appeal():
    """A busy appeal mixing several kinds of data."""
    f, l = first(), last()
    p = place()
    parts = [ch(["APPEAL | ", "Please share: "]), L(N, f + " " + l), ch([", 43, ", ", aged 43, ", " "]),
             ch(["was assaulted ", "had her bag snatched ", "was threatened "]), "outside ", L(AD, address()), " ",
             L(PC, postcode(p)), " on ", ch(DAYS), ". ", L(N, f), " can be contacted on ", L(PH, phone()),
             ". The suspect drove off in a ", ch(CARS), " ", L(VH, reg()), ". Call 101 ", *ref_phrase(), "."]
    return "appeal", parts


def t_names_varied():
    """Names in unusual shapes, no cue words."""
    f, l = first(), last()
    v = R.random()
    if v < 0.25:
        return "comment", [L(N, (f + " " + l).lower()), ch([" says the lads on the estate did it", " lost everything in the fire",
                                                             " was the one who called it in"]), ". ", ch(["Gutted for her.", "", "Poor family."])]
    if v < 0.45:
        return "appeal", ["Anyone know ", L(N, ch([f[0] + ". " + l, l + " " + f[0] + ".", f[0] + l.lower()])), "? ",
                          ch(["Need to get a statement.", "Witness to the crash.", "Victim's neighbour."])]
    if v < 0.55:
        return "update", [ch(["Mr ", "Mrs ", "Ms ", "Dr "]), L(N, l), "'s ", ch(["car", "shed", "front door"]),
                          " was targeted again. Neighbours ", L(N, (first() + " " + last()).lower()), " and ", L(N, first()),
                          " saw two men run off."]
    if v < 0.65:
        return "update", [L(N, l), "'s ", ch(["car", "shop window", "garden wall"]), " was damaged again last night. ",
                          L(N, f), ch([" is understandably upset.", " has asked for more patrols."])]
    if v < 0.8:
        return "thanks", ["Massive thanks ", L(N, f.lower()), " and ", L(N, (first() + " " + last()).lower()), " 🙏 ",
                          "you kept her talking until the ambulance arrived"]
    return "missing", ["#", ch(["Find", "Missing", "BringHome"]), L(N, hashname(f, l)), " ", L(N, f.upper()),
                       " IS STILL MISSING FROM ", place().upper(), ". PLEASE SHARE."]


def t_minor():
    v = R.randint(0, 9)
    p = place()
    if v == 0:
        return "comment", ["Another ", L("abuse", ch(["scumbag", "lowlife", "vermin"])), " nicked from ", ch(SHOPS), " in ", p,
                           " today. ", ch(["Enjoy your cell.", "Caught on camera."])]
    if v == 1:
        return "appeal", ["Got dashcam footage? ", L("channel", ch(["WhatsApp it to us on", "DM us the footage", "Send it to us on Snapchat",
                                                                   "message us on Facebook Messenger"])), ch([" ", ". "]), "Thanks!"]
    if v == 2:
        return "event", ["Great night at the ", p, " fun run! ", L("copyright", ch(["Photo found online", "pic borrowed from Google Images",
                                                                                  "Soundtrack: Mr Brightside (full track)"])), " #Community"]
    if v == 3:
        return "comment", ["Officers helped at the food bank today. ", L("disrepute", ch(["Vote Reform at the by-election!",
                                                                                       "Best kebab in town is Ali's on Regent St - go there!",
                                                                                       "Honestly the victim should have locked the door, lol"]))]
    if v == 4:
        return "court", ["The man accused of the attack in ", p, " is ", L("justice", ch(["clearly guilty", "obviously guilty"])),
                         " and goes on trial next week."]
    if v == 5:
        f, l = first(), last()
        return "court", ["A 15-year-old boy, ", L("justice", f + " " + l), ", appeared at youth court charged with robbery."]
    if v == 6:
        return "update", ["We're looking for a man ", L("investigation.suspect", ch(["who works nights at the Amazon depot in Coventry and lives with his mum on " + ch(STREETS),
                                                                                   "known to be the brother of the landlord at the Crown"])),
                          ". Call 101."]
    if v == 7:
        return "comment", ["Drunk ", L("abuse", ch(["idiots", "morons"])), " on the Parade again. Grow up."]
    if v == 8:
        f, l = first(), last()
        return "update", ["Trial update: the woman who reported the rape, ", L("justice", f + " " + l),
                          ", gave evidence today at Warwick Crown Court."]
    return "appeal", ["Seen something? ", L("channel", ch(["Send us a DM on X", "WhatsApp us", "drop us a message on Instagram"])),
                      " and we'll pass it on."]


def t_dob_text():
    f, l = first(), last()
    return ch(["appeal", "missing"]), [ch(["Have you seen ", "Help us find ", "We're trying to trace "]), L(N, f + " " + l), "? ",
                                       ch(["Born ", "DOB ", "D.O.B: ", "Date of birth: ", "dob "]), L(DB, dob_str()), ". ",
                                       ch(["Known to frequent ", "Links to ", "May be in "]), place(), "."]


def t_vehicle_casual():
    p = place()
    return "rural", [ch(["Farmers near %s: " % p, "Rural watch - ", "Nextdoor alert: ", ""]),
                     ch(["a ", "the same "]), ch(CARS), " ", L(VH, reg()),
                     ch([" has been seen hanging around farm gates", " was casing sheds on the lane at 3am",
                         " keeps turning up at the yard"]), ch([". Also ", ". Possibly with "]), L(VH, reg()), ". Call 999 if you see it."]


def t_card_found():
    return "lost", ["Card found on ", ch(STREETS), ", ", place(), ": ", L(CD, card()), ch([" exp 09/27", " (Visa)", ""]),
                    ". Owner is ", L(N, pname(ch(["full", "initial", "upper"]))), ", collect from ", ch(STATIONS)[0], "."]


def t_signature_personal_pc():
    f, l = first(), last()
    p = place()
    return "community", ["Neighbourhood Watch meeting notes\n", "Coordinator: ", L(N, f + " " + l), "\n",
                         L(AD, address()), ", ", p, ", ", L(PC, postcode(p)), "\n", ch(["Tel: ", "", "ph "]), L(PH, phone()),
                         "\nNext meeting: ", ch(VENUES)[0], ", ", event_date(), "."]


def t_ref_only():
    return ch(["appeal", "update", "fraud"]), [ch(["If you have information please call 101 ", "Report online or call 101, ",
                                                    "Any info? Ring 101 ", "Call 101 or report at warwickshire.police.uk, "]),
                                                *ref_phrase(), ch([".", ". Thank you.", "", ". #Appeal"])]


def t_ref_multi():
    return "update", [ch(["Linked incidents: ", "Same suspect in: ", "Related logs - "]), L(RF, ref()), ", ", L(RF, ref()),
                      ch([" and ", ", "]), L(RF, ref()), ". ", ch(["Cross-border with West Midlands.", "Passed to CID.", ""])]


def t_op_mixed():
    o, cc = op_name()
    pub = public_op()
    p = place()
    return ch(["update", "results"]), [ch(["As part of ", "Alongside "]), pub, ch([" week, ", ", "]), "officers working on ", L(OP, o),
                                       ch([" arrested %d people in %s" % (R.randint(2, 9), p), " seized two knives and cash in %s" % p,
                                           " closed a cuckooed flat in %s" % p]), ". ", ch(TAGS)]


def t_covert_casual():
    p = place()
    s_ = ch(SHOPS)
    v = R.randint(0, 9)
    if v == 0:
        return "nextdoor", ["fyi that grey car with no markings sat outside ", s_, " every night? ", L(CV, "that's us"), " 😉 keep it quiet"]
    if v == 1:
        return "nextdoor", ["To whoever keeps nicking bikes from ", p, " station - ", L(CV, "that blue Carrera by the racks has a tracker in it"), ". Enjoy."]
    if v == 2:
        return "update", ["Dealers in ", p, ": ", L(CV, "the lad you sold to on Friday was one of ours"), ". See you soon."]
    if v == 3:
        return "update", ["Top work by the team ", L(CV, "sat in the back of a van on %s for three nights" % ch(STREETS)), " - 4 arrests."]
    if v == 4:
        return "update", [L(CV, "We had someone on the inside"), " and they told us everything. Two charged."]
    if v == 5:
        return "warning", ["Thinking of doing ", p, " tonight? ", L(CV, "We'll be parked up in an unmarked Octavia by the %s from 11pm" % s_), "."]
    if v == 6:
        return "update", ["Caught red-handed by ", L(CV, "the camera hidden in the bird box at the allotments"), " in ", p, ". Nice one."]
    if v == 7:
        return "warning", ["Shoplifters beware: ", L(CV, "plain clothes officers are in %s every Saturday" % s_), ". 👀"]
    if v == 8:
        return "update", ["Cheers to the ", L(CV, "copper in a hi-vis builder's jacket"), " who sat on the job in ", p, " all week."]
    return "update", ["Sold to our ", L(CV, "test purchase kid"), " at ", s_, " in ", p, " - licence review to follow."]


def t_phone_casual():
    f = first()
    return ch(["nextdoor", "appeal", "lost"]), [ch(["Found a ginger cat on ", "Parcel left at the wrong house on ", "Lost dog near "]), ch(STREETS), " - ",
                                                 ch(["contact ", "message ", "ring "]), L(N, ch([f, f.lower(), f + " " + last()])), ch([" on ", " ", " - "]),
                                                 L(PH, phone("mob")), ch([" (owner)", ". Shared on behalf of a resident.", ""])]


def t_card_statement():
    f, l = first(), last()
    v = R.randint(0, 3)
    if v == 0:
        return "fraud", ["Draft for the scam warning: ", L(N, f + " " + l), " (", ch(["card", "debit card", "Visa", "Mastercard"]), " ",
                         L(CD, card()), ") was called by someone claiming to be from the bank. Don't be caught out."]
    if v == 1:
        return "fraud", ["Romance fraud: ", L(N, f), " sent £%d,%03d from her account " % (R.randint(1, 60), R.randint(0, 999)),
                         L(BK, account()), " (sort code ", L(BK, sortcode()), ") to a man she met online."]
    if v == 2:
        return "fraud", ["Card cloned at a cash machine in ", place(), ": ", L(CD, card()), ch([" (victim ", " - belongs to "]),
                         L(N, pname(ch(["full", "lower", "sfirst_up"]))), ch([").", "."]), " Cover the keypad!"]
    return "fraud", ["Victim's account ", L(BK, iban()), " was emptied by someone posing as ", ch(["HMRC", "a police officer", "the bank"]),
                     ". Remember: police will never ask you to move money."]


LABELLED = [(t_card_statement, 7), 
    (t_appeal_vehicle, 8), (t_stolen_vehicle, 6), (t_thanks_name, 6), (t_missing, 7), (t_missing_found, 3),
    (t_record_nominal, 9), (t_custody, 5), (t_table, 4), (t_csv, 5), (t_witness_phone, 9), (t_lost_property, 7),
    (t_fraud_victim, 6), (t_bank_detail, 5), (t_court_dob, 5), (t_court_suspect_uncharged, 4), (t_nhs_welfare, 8),
    (t_nino, 11), (t_email_sig, 7), (t_email_contact, 6), (t_address_incident, 5), (t_postcode_home, 5),
    (t_operation, 14), (t_marking, 14), (t_covert, 18), (t_op_mixed, 5), (t_covert_casual, 8), (t_phone_casual, 4), (t_combo_appeal, 4), (t_names_varied, 8), (t_minor, 12),
    (t_dob_text, 4), (t_vehicle_casual, 4), (t_card_found, 6), (t_signature_personal_pc, 3), (t_ref_only, 4),
    (t_ref_multi, 2),
]


# ---------------------------------------------------------------- clean templates (near-misses)
def c_helpline():
    h = ch(HELPLINES)
    h2 = ch(HELPLINES)
    return "prevention", [ch(["Worried about someone? ", "You are not alone. ", "Need to talk? ", ""]),
                          "Call %s on %s" % h, ch([" or %s on %s." % h2, ".", ", 24 hours a day."]),
                          ch([" In an emergency always call 999.", " Non-emergency: 101.", ""])]


def c_org_phone():
    topic, org = ch([("fly-tipping", "the council's customer service line"), ("council tax", "the Rugby Borough Council switchboard"),
                     ("energy bills", "Age UK Warwickshire's advice line"), ("hall bookings", "the Leamington Community Hub switchboard"),
                     ("support after a crime", "Victim Support's local office"), ("visiting times", "the hospital's main reception"),
                     ("debt worries", "the Citizens Advice helpline"), ("swimming lessons", "the Stratford Leisure Centre bookings line"),
                     ("lost dogs", "the dog warden service"), ("bus times", "the operator's customer line")])
    return "community", ["For help with ", topic, ", contact ", org, " on ", phone(ch(["1632", "1632", "city", "london"])),
                         ch([" (Mon-Fri 9-5).", ".", " during office hours."])]


def c_station_postcode():
    st, road, town = ch(STATIONS)
    return "event", [ch(["Our front counter at ", "Drop-in at ", "Bike marking this Saturday at "]), st, ", ", road, ", ",
                     postcode(town, ch(["std", "std", "nospace", "lower"])), ch([" is open 8am-8pm daily.", " from 10am-2pm.", " - all welcome!"])]


def c_event_venue():
    v, road, town = ch(VENUES)
    return "event", [ch(["Come and meet your local team at ", "Cuppa with a Copper: ", "Crime prevention roadshow at "]), v, ", ", road,
                     ", ", postcode(town, style=ch(["std", "std", "lower", "nospace"])), ", on ", event_date(),
                     ch([", 10am-1pm. ", " from 2pm. "]), "Hosted by ", officer(), ". " + ch(TAGS)]


def c_officer_thanks():
    return "thanks", [ch(["Well done to ", "Huge thanks to ", "Congratulations to ", "Shout out to "]), officer(), " and ", officer(),
                      ch([" who talked a man down from the bridge in %s last night." % place(), " for 25 years' service!",
                          " for a brilliant arrest on the Parade.", " who completed the Coventry half marathon for charity."])]


def c_court_result():
    f, l = first(), last()
    p = place()
    return "court", [ch(["JAILED: ", "Court result: ", "", "Sentenced | "]), f + " " + l, ", %d, of " % R.randint(19, 66), ch(STREETS), ", ", p,
                     ", was ", ch(["jailed for %d months" % R.randint(6, 60), "given a community order", "disqualified from driving for 18 months"]),
                     " at ", ch(["Warwick Crown Court", "Leamington Magistrates' Court", "Coventry Crown Court", "Nuneaton Magistrates' Court"]),
                     " on ", event_date(), " after ", ch(["admitting burglary.", "being found guilty of assault.", "pleading guilty to drug supply."]),
                     " ", officer(), ch([" said: \"Justice has been done.\"", " led the case.", " was the officer in the case."])]


def c_charged():
    f, l = first(), last()
    return "court", ["A man has been charged after a stabbing in ", place(), ". ", f + " " + l, ", %d, of " % R.randint(18, 50),
                     place(), ", is charged with ", ch(["wounding with intent", "robbery", "possession of a bladed article"]),
                     " and will appear at Leamington Magistrates' Court on ", event_date(), "."]


def c_roads():
    return "roads", [ch(["ROADS: ", "Traffic update - ", "", "🚧 "]), ch(["The A46 at Stoneleigh", "The M40 northbound between J14 and J15",
                                                                      "The A45 near Dunchurch", "The B4100 at Gaydon", "Junction 3 of the M6"]),
                     ch([" is closed after a collision.", " has reopened.", " is down to one lane."]),
                     ch([" Please find an alternative route.", " Expect delays.", " Thanks for your patience."]),
                     ch([" Diversion via the A452.", " Live updates from National Highways.", ""])]


def c_prevention():
    return "prevention", [ch(["The secret to a safe home? ", "Top tip: ", "Protect your bike: ", "Going away? "]),
                          ch(["lock doors and windows, even when you're in the garden.", "register it on BikeRegister.",
                              "use a timer switch on your lights.", "keep keys away from the letterbox."]),
                          ch([" #Makesafe", " #BurglaryPrevention", "", " " + public_op()])]


def c_public_campaign():
    return "campaign", [ch(["This week is ", "We're supporting ", "Proud to be part of ", "Today marks the start of "]), public_op(),
                        ch([", the national knife crime campaign.", " - tackling violence against women and girls.",
                            ", our campaign against child exploitation.", ". Find out more on our website."]), " " + ch(TAGS)]


def c_marking_nearmiss():
    return ch(["event", "community", "prevention"]), [ch([
        "Thanks to everyone who joined our secret santa at Leamington Justice Centre! 🎅",
        "OFFICIAL\nDraft: Community meeting in Southam next Tuesday, 7pm, Southam Community Centre.",
        "Restricted parking is in place on Bridge Street during the carnival.",
        "Report concerns in confidence through our confidential reporting line, or anonymously via Crimestoppers.",
        "The secret to stopping doorstep crime? Always check ID and never feel pressured.",
        "Protect yourself from scams: never share your PIN.",
        "Top Secret Comedy Club fundraiser raises £1,200 for the Air Ambulance!",
        "Confidential advice is available from Victim Support.",
        "Access to the castle grounds is restricted during the event.",
        "Protect. Prepare. Prevent. Our Counter Terrorism awareness week starts today.",
        "OFFICIAL - this post has been approved by Corporate Communications.",
        "Secret Garden Party organisers thank officers for a safe weekend."])]


def c_product_codes():
    return "prevention", [ch(["Product recall: ", "Warning from Trading Standards - ", "Found property: "]),
                          ch(["e-bike batteries model ", "counterfeit chargers batch ", "a tool case, serial no. ", "child car seats model "]),
                          reg("cur").upper(), ch([" are being recalled.", " may overheat.", " - owner please contact us via 101."]),
                          " Product code ", "%s-%04d" % (ch(["KX", "TR", "ZP"]), R.randint(1, 9999)), "."]


def c_recruitment():
    return "recruitment", [ch(["We're recruiting! ", "Join us: ", "Want a career that matters? "]),
                           ch(["Police Staff Investigators", "Special Constables", "Call handlers", "PCSOs", "Detective constables"]),
                           ch([" - applications close ", " - apply by "]), event_date(), ". ",
                           ch(["Email recruitment@warwickshire.police.uk for info.", "Find out more at our open evening.",
                               "Questions? careers@warwickshire.police.uk"]), " " + ch(TAGS)]


def c_appeal_description():
    return "appeal", [ch(["APPEAL: ", "Do you recognise this man? ", ""]), "We'd like to speak to a man described as white, ",
                      ch(["around 5ft 10", "in his 20s", "slim build"]), ", wearing a ", ch(["grey hoodie", "black North Face jacket", "red cap"]),
                      ", after a ", ch(["theft", "assault", "robbery"]), " at ", ch(SHOPS), " in ", place(), " on ", event_date(),
                      ". Call 101 or Crimestoppers anonymously on 0800 555 111."]


def c_missing_clean():
    return "missing", [ch(["UPDATE: The ", "The "]), ch(["teenager", "woman", "man", "pensioner"]), " reported missing from ", place(),
                       " on ", event_date(), ch([" has been found safe.", " is home safe and well."]), " Thank you for sharing our appeal."]


def c_email_org():
    return "community", [ch(["Want to join Neighbourhood Watch? Email ", "Event enquiries: ", "Volunteer with us - email ",
                              "For press enquiries contact "]),
                         ch(["volunteering@warwickshire.police.uk", "press@warwickshire.police.uk", "info@example-charity.org.uk",
                             "enquiries@warwickdc.example.gov.uk", "bookings@stratfordleisure.example.co.uk", "hello@rugbyfoodbank.example.org"]),
                         ch([" for details.", ".", " - we'd love to hear from you!"])]


def c_covert_nearmiss():
    return ch(["prevention", "update"]), [ch([
        "We use a range of tactics to catch drug dealers in %s." % place(),
        "Officers will be patrolling town centres this weekend - come and say hello!",
        "We have increased patrols in %s following reports of anti-social behaviour." % place(),
        "High-visibility patrols will be out across %s on Friday night." % place(),
        "ANPR helps us catch criminals who use the roads.",
        "Speed checks will take place on the A429 this week as part of the road safety campaign.",
        "Two men were arrested and £3,000 of cocaine was seized in %s last night." % place(),
        "Our rural crime team works with farmers to keep the countryside safe.",
        "Neighbourhood officers will hold a drop-in at %s library on %s." % (place(), ch(DAYS)),
        "Our officers were out at the football this weekend keeping fans safe."])]


def c_general_update():
    return ch(["update", "community", "results"]), [ch([
        "Great to see so many of you at the %s open day! 👮" % place(),
        "Our Safer Neighbourhood Team in %s held a litter pick this morning with %d volunteers." % (place(), R.randint(5, 40)),
        "%d arrests this month for drink driving across the county. Don't risk it." % R.randint(8, 60),
        "Dog Section news: PD Bruno and PD Kira passed their licensing today! 🐕",
        "Meet police horse Duke, who visited %s Primary School today." % place(),
        "Anti-social behaviour in %s is down %d%% since the summer. Thanks for your reports." % (place(), R.randint(5, 40)),
        "Last night %s led a talk on online safety at %s." % (officer(), ch(VENUES)[0]),
        "Happy retirement to %s after 30 years of service!" % officer(),
        "Tractor stolen in %s has been recovered thanks to the farm's own CCTV and a sharp-eyed dog walker." % place(),
        "Reminder: collar number %d is not a phone number - please call 101 for non-emergencies." % R.randint(1000, 9999)])]


def c_dates_nearmiss():
    return "event", [ch(["Save the date: ", "On ", "Between "]), event_date(), ch([" and ", ", "]), event_date(),
                     ch([" we'll be at ", " officers will be at "]), ch(VENUES)[0], " for the ",
                     ch(["open day", "bike marking", "cycle safety event"]), ". Founded in 1857, Warwickshire Police ",
                     ch(["is one of the oldest forces.", "serves 600,000 people."])]


def c_public_figures():
    return "community", [ch(["The Police and Crime Commissioner ", "Cllr Margaret Hewitt, Mayor of Warwick, ",
                              "Chief Constable ", "Local MP "]),
                         ch(["joined officers on patrol in %s." % place(), "opened the new station at %s." % place(),
                             "praised volunteers at the %s community awards." % place()])]


def c_numbers_nearmiss():
    return ch(["results", "roads"]), [ch([
        "%d vehicles stopped on the M6 J%d yesterday, %d drivers reported for using phones." % (R.randint(20, 90), R.randint(1, 3), R.randint(2, 15)),
        "£%d,%03d worth of cannabis seized at a farm near %s." % (R.randint(1, 90), R.randint(0, 999), place()),
        "Section 59 warnings issued to %d riders in %s." % (R.randint(2, 20), place()),
        "Bus route %d diverted via %s due to the parade." % (R.randint(1, 99), ch(STREETS)),
        "Call 101 ext %d to speak to the rural crime team." % R.randint(1000, 9999),
        "Our control room answered %d,%03d 999 calls in August." % (R.randint(8, 20), R.randint(0, 999))])]


def c_officer_lower():
    f, l = first(), last()
    return "thanks", [ch(["thanks to ", "big shout to ", "well done "]), ch(["pc ", "pcso ", "sgt ", "ds "]), ch([(f + " " + l).lower(), l.lower(), f.lower()]),
                      ch([" for the school talk today", " for sorting the parking at the match", " - born and raised in %s and 20 years in the job" % place(),
                          " who ran the London Marathon for the children's hospice"]), ch([" 👏", "!", "."])]


CLEAN = [(c_officer_lower, 4), (c_helpline, 6), (c_org_phone, 5), (c_station_postcode, 5), (c_event_venue, 5), (c_officer_thanks, 6),
         (c_court_result, 7), (c_charged, 4), (c_roads, 5), (c_prevention, 5), (c_public_campaign, 5),
         (c_marking_nearmiss, 5), (c_product_codes, 3), (c_recruitment, 4), (c_appeal_description, 5),
         (c_missing_clean, 3), (c_email_org, 4), (c_covert_nearmiss, 6), (c_general_update, 7),
         (c_dates_nearmiss, 3), (c_public_figures, 3), (c_numbers_nearmiss, 4)]


# ---------------------------------------------------------------- assembly
def assemble(kind, parts):
    text_b = b""
    spans = []
    for p in parts:
        if isinstance(p, tuple):
            cat, s = p
            assert s == s.strip() and s, (cat, s)
            b = s.encode("utf-8")
            spans.append({"category": cat, "match": s, "start": len(text_b), "end": len(text_b) + len(b)})
            text_b += b
        else:
            text_b += p.encode("utf-8")
    text = text_b.decode("utf-8")
    # trim outer whitespace of text, shifting offsets
    lead = len(text_b) - len(text_b.lstrip())
    if lead:
        text_b = text_b[lead:]
        for s in spans:
            s["start"] -= lead
            s["end"] -= lead
    text_b = text_b.rstrip()
    text = text_b.decode("utf-8")
    return {"kind": kind, "text": text, "spans": spans}


def pick(weighted):
    tot = sum(w for _, w in weighted)
    x = R.uniform(0, tot)
    for f, w in weighted:
        x -= w
        if x <= 0:
            return f
    return weighted[-1][0]


def main():
    n_clean = int(round(N_TOTAL * CLEAN_SHARE))
    n_lab = N_TOTAL - n_clean
    seen = set()
    out = []
    for want, pool, need_spans in ((n_lab, LABELLED, True), (n_clean, CLEAN, False)):
        got = 0
        while got < want:
            kind, parts = pick(pool)()
            d = assemble(kind, parts)
            if d["text"] in seen:
                continue
            if need_spans and not d["spans"]:
                continue
            if not need_spans:
                assert not d["spans"]
            seen.add(d["text"])
            out.append(d)
            got += 1
    R.shuffle(out)
    with open(OUT, "w", encoding="utf-8") as fh:
        for i, d in enumerate(out, 1):
            rec = {"id": "b3-%04d" % i, "kind": d["kind"], "text": d["text"], "spans": d["spans"]}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print("wrote %d drafts to %s" % (len(out), OUT))


if __name__ == "__main__":
    main()
