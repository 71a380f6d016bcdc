#!/usr/bin/env python3
"""Generator for the DEV half of the blind evaluation set (ids bd-0001...).

Frames are hand-written. Slots {SLOT} or {SLOT#tag} are filled from filler functions;
[[category|text]] marks a literal labelled span inside a frame. A filler returns a
fragment which may itself contain [[...]] markup and is rendered recursively.
Offsets are UTF-8 byte offsets. Seeded, reproducible.
"""
import json, random, re, sys
from collections import Counter

SEED = 20261202
rng = random.Random(SEED)
OUT = "/work/blind-out/dev.jsonl"
PREFIX = "bd-"
N_MIN = 1120

# ---------------------------------------------------------------- fillers (DEV lists)
FIRST = ["Roisin", "Callum", "Priya", "Tomasz", "Ngozi", "Kieran", "Aisha", "Dariusz", "Mei", "Olumide",
         "Siobhan", "Harpreet", "Bethany", "Mihai", "Zainab", "Connor", "Yusuf", "Lucja", "Chidi", "Imogen",
         "Rhys", "Farah", "Jakub", "Keeley", "Ravinder", "Amara", "Declan", "Suleiman", "Agnieszka", "Tyrone",
         "Zoë", "Łukasz", "Siân", "José", "Nikhil", "Chloe", "Abdi", "Hollie", "Gurpreet", "Ewa",
         "Marcus", "Fatima", "Liam", "Anjali", "Kwame", "Tegan", "Ionut", "Shauna", "Bilal", "Lorna",
         "Jaden", "Nadia", "Ellis", "Ayesha", "Dawid", "Kerry-Ann", "Oisín", "Precious", "Hamza", "Leanne"]
LAST = ["Gallagher", "McBride", "Sharma", "Nowak", "Okafor", "Doherty", "Rahman", "Wiśniewski", "Zhang", "Adeyemi",
        "Brennan", "Sandhu", "Whitehouse", "Popescu", "Hussain", "Fitzgerald", "Ali", "Kowalczyk", "Eze", "Pritchard",
        "Llewellyn", "Qureshi", "Dąbrowski", "Hadley", "Bains", "Mensah", "O'Rourke", "Warsame", "Zielińska", "Campbell",
        "Harrington", "Lewandowski", "Jenkins", "García", "Patel", "Thornton", "Osman", "Baxter", "Kaur", "Nguyen",
        "Ashworth", "Boateng", "Cartwright", "Dhillon", "Evans-Smith", "Farrell", "Greenaway", "Horvath", "Iqbal", "Jablonski"]
OFF_FIRST = ["Gemma", "Stuart", "Amira", "Neil", "Kelly", "Rob", "Sunita", "Gareth", "Joanne", "Paul", "Hannah", "Dean"]
OFF_LAST = ["Roberts", "Khan", "Blackwell", "Mistry", "Holloway", "Price", "Turnbull", "Chana", "Webster", "Lomax", "Yates", "Field"]
RANKS = ["PC", "PCSO", "DC", "DS", "Sergeant", "Inspector", "Chief Inspector", "Superintendent", "Detective Inspector", "Sgt", "Insp", "Ch Supt"]
DEF_FIRST = ["Craig", "Shane", "Leon", "Jordan", "Kyle", "Nathan", "Ashley", "Danny", "Arjun", "Reece", "Stacey", "Vlad"]
DEF_LAST = ["Mullins", "Starkey", "Drummond", "Venables", "Cooke", "Ridley", "Birch", "Tranter", "Gill", "Hobbs", "Yardley", "Ionescu"]
TOWNS = ["Leamington Spa", "Nuneaton", "Rugby", "Stratford-upon-Avon", "Warwick", "Bedworth", "Kenilworth", "Atherstone",
         "Coleshill", "Alcester", "Southam", "Shipston-on-Stour", "Polesworth", "Whitnash", "Studley", "Bulkington",
         "Wellesbourne", "Kineton", "Dordon", "Hartshill"]
STREETS = ["Clarendon Avenue", "Regent Street", "Abbey Street", "Church Street", "Queens Road", "Manor Court Avenue",
           "Lawford Road", "Arden Street", "Birmingham Road", "Coventry Road", "Tachbrook Road", "Hinckley Road",
           "Lillington Avenue", "Long Street", "Warwick Street", "Bridge Street", "Avenue Road", "Myton Road"]
PRIV_STREETS = ["Lime Grove", "Foxglove Close", "Beech Walk", "Holly Lane", "Sandpiper Way", "Orchard Rise", "Kingfisher Drive",
                "Meadow Croft", "Larch Close", "Tamworth Crescent", "Poppy Road", "Heron Way", "Brook End", "Swallow Court"]
ROADS = ["A46", "A45", "A5", "M40", "M6", "A452", "A423", "A444", "A3400", "A429", "B4035", "A47", "M69", "A4189"]
LANDMARKS = ["Jephson Gardens", "Pingles Leisure Centre", "Riversley Park", "Caldecott Park", "the Bancroft Gardens",
             "St Nicholas Park", "Abbey Fields", "Victoria Park", "the Royal Priors shopping centre", "Ropewalk shopping centre",
             "Miners Welfare Park", "the Clock Towers", "Bermuda Park station", "Kenilworth station"]
HOSP = ["George Eliot Hospital", "Warwick Hospital", "Hospital of St Cross", "University Hospital Coventry", "Stratford Hospital"]
SHOPS = ["Marks & Spencer", "Boots", "Greggs", "the Co-op", "Aldi", "Sainsbury's", "Poundland", "Halfords", "Screwfix", "Lidl"]
PUBS = ["The Bear", "The Duke of Wellington", "The Black Horse", "The Queen Victoria", "The Saxon Mill", "The Fat Pug",
        "The Jack and Jill", "The Mary Arden"]
DOGS = ["PD Bruno", "PD Rocco", "PD Nala", "PD Ziggy", "PD Hector", "police dog Jet", "PD Luna", "PD Murphy"]
HORSES = ["police horse Ferdinand", "police horse Clover"]
OPS = ["Kestrel", "Greyhound", "Lantern", "Falconer", "Nightjar", "Moorhen", "Cormorant", "Sparrowhawk", "Bittern",
       "Harrier", "Wagtail", "Plover", "Goldcrest", "Redstart", "Linnet", "Osprey", "Curlew", "Dunnock", "Merlin", "Skylark",
       "Brambling", "Shrike", "Peregrine", "Fieldfare"]
PUBLIC_OPS = ["Sceptre", "Snap", "Encompass", "Close", "Makesafe", "Limelight", "Tutelage"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
MON3 = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
EMAIL_DOMAINS = ["gmail.com", "hotmail.co.uk", "yahoo.co.uk", "outlook.com", "icloud.com", "btinternet.com", "live.co.uk", "aol.com"]
ORGS = [("Warwickshire County Council", "01926 410410", "contactus@warwickshire.gov.uk"),
        ("Nuneaton and Bedworth Borough Council", "024 7637 6376", "enquiries@nuneatonandbedworth.gov.uk"),
        ("Rugby Borough Council", "01788 533533", "customer.services@rugby.gov.uk"),
        ("Warwick District Council", "01926 450000", "contact@warwickdc.gov.uk"),
        ("Refuge Warwickshire", "0800 408 1552", "info@refugewarks.org.uk"),
        ("Safeline", "01926 402498", "info@safeline.org.uk"),
        ("Victim Support", "0808 168 9111", "enquiries@victimsupport.example.org"),
        ("Warwickshire Fire and Rescue", "01926 423231", "press@warwickshirefire.gov.uk"),
        ("the Shakespeare Hospice", "01789 266852", "fundraising@theshakespearehospice.org.uk")]
HELPLINES = ["Crimestoppers anonymously on 0800 555 111", "Samaritans on 116 123", "Childline on 0800 1111",
             "Action Fraud on 0300 123 2040", "the National Domestic Abuse Helpline on 0808 2000 247",
             "the anti-terrorist hotline on 0800 789 321", "101", "999", "111", "18000 (textphone)", "112",
             "Crimestoppers on 0800 555 111"]
ITEMS = ["a red Trek mountain bike", "two quad bikes", "a John Deere ride-on mower", "power tools", "a catalytic converter",
         "a Honda CRF 250", "diesel from a farm tank", "a horsebox", "jewellery and cash", "a Ring doorbell", "sheep from a field",
         "a Land Rover Defender", "a trailer", "a Stihl chainsaw", "a GPS unit from a tractor", "lead from a church roof"]
VEHDESC = ["a silver Ford Focus", "a black Audi A3", "a white Transit van", "a grey Vauxhall Corsa", "a blue BMW 1 Series",
           "a dark green Land Rover Discovery", "a red Nissan Qashqai", "a white Mercedes Sprinter", "a black VW Golf",
           "a silver Toyota Prius", "a maroon Skoda Octavia"]
CRIMES = ["burglary", "robbery", "assault", "theft", "criminal damage", "possession of a bladed article",
          "possession with intent to supply class A drugs", "dangerous driving", "fraud by false representation",
          "wounding with intent", "affray", "stalking"]

def pick(x): return rng.choice(x)

def person(ctx, tag, pool=("priv",)):
    k = ("person", pool, tag)
    if k not in ctx:
        if pool == ("def",):
            ctx[k] = (pick(DEF_FIRST), pick(DEF_LAST))
        elif pool == ("off",):
            ctx[k] = (pick(RANKS), pick(OFF_FIRST), pick(OFF_LAST))
        else:
            ctx[k] = (pick(FIRST), pick(LAST))
    return ctx[k]

def L(cat, v): return "[[%s|%s]]" % (cat, v)

def f_PN(c, t): f, l = person(c, t); return L("personal.name", f"{f} {l}")
def f_PF(c, t): f, l = person(c, t); return L("personal.name", f)
def f_PS(c, t): f, l = person(c, t); return L("personal.name", l)
def f_PLC(c, t): f, l = person(c, t); return L("personal.name", f"{f} {l}".lower())
def f_PUP(c, t): f, l = person(c, t); return L("personal.name", f"{f} {l}".upper())
def f_PCAM(c, t): f, l = person(c, t); return L("personal.name", (f + l).replace(" ", "").replace("'", "").replace("-", ""))
def f_PINIT(c, t): f, l = person(c, t); return L("personal.name", f"{f[0]}. {l}")
def f_DN(c, t): f, l = person(c, t, ("def",)); return f"{f} {l}"
def f_OFF(c, t): r, f, l = person(c, t, ("off",)); return f"{r} {f} {l}"
def f_OFFS(c, t): r, f, l = person(c, t, ("off",)); return f"{r} {l}"
def f_OFFEMAIL(c, t): r, f, l = person(c, t, ("off",)); return f"{f.lower()}.{l.lower()}@warwickshire.police.uk"

def digits(n): return "".join(str(rng.randint(0, 9)) for _ in range(n))

def f_PHONE(c, t):
    k = rng.randint(0, 9)
    m = "7" + str(rng.choice([4, 5, 7, 8, 9])) + digits(8)
    if k == 0: v = "0" + m[:4] + " " + m[4:]
    elif k == 1: v = "0" + m
    elif k == 2: v = "+44 " + m[:4] + " " + m[4:]
    elif k == 3: v = "0044 " + m[:4] + " " + m[4:7] + " " + m[7:]
    elif k == 4: v = "(01926) " + digits(6)
    elif k == 5: v = "01788 " + digits(6)
    elif k == 6: v = "024 76" + digits(2) + " " + digits(4)
    elif k == 7: v = "+48 5" + digits(2) + " " + digits(3) + " " + digits(3)
    elif k == 8: v = "0" + m[:3] + "-" + m[3:6] + "-" + m[6:]
    else: v = "+447" + m[1:]
    return L("personal.phone", v)

def f_EMAIL(c, t):
    f, l = person(c, t)
    base = rng.choice([f"{f}.{l}", f"{f}{l}{rng.randint(70, 99)}", f"{f[0]}{l}", f"{f}_{l[:3]}", f"{l}{f[0]}{rng.randint(1, 9)}"])
    base = base.lower().replace("'", "").replace(" ", "")
    for a, b in (("ł", "l"), ("ś", "s"), ("ą", "a"), ("ń", "n"), ("é", "e"), ("ë", "e"), ("â", "a"), ("í", "i"), ("ó", "o")):
        base = base.replace(a, b)
    return L("personal.email", base + "@" + pick(EMAIL_DOMAINS))

PC_AREAS = ["CV34", "CV32", "CV31", "CV21", "CV22", "CV11", "CV10", "CV12", "CV37", "CV8", "CV47", "B49", "B46", "CV9", "B78", "CV23"]
def postcode(): return pick(PC_AREAS) + " " + str(rng.randint(1, 9)) + rng.choice("ABDEFGHJLNPQRSTUWXYZ") + rng.choice("ABDEFGHJLNPQRSTUWXYZ")
def f_PCODE(c, t):
    v = postcode()
    if rng.random() < 0.12: v = v.replace(" ", "")
    return L("personal.postcode", v)
def f_PUBPC(c, t): return postcode()
def f_DIST(c, t): return pick(PC_AREAS)

def f_NINO(c, t):
    p = rng.choice(["AB", "JK", "NP", "SR", "TW", "YZ", "CE", "HL", "PN", "WR"])
    d = digits(6); s = rng.choice("ABCD")
    v = rng.choice([f"{p}{d}{s}", f"{p} {d[:2]} {d[2:4]} {d[4:]} {s}", f"{p}-{d[:2]}-{d[2:4]}-{d[4:]}-{s}", f"{p.lower()}{d}{s.lower()}"])
    return L("personal.nino", v)

def f_NHS(c, t):
    d = digits(10)
    v = rng.choice([f"{d[:3]} {d[3:6]} {d[6:]}", d, f"{d[:3]}-{d[3:6]}-{d[6:]}"])
    return L("personal.nhs", v)

def f_CARD(c, t):
    d = rng.choice(["4", "5"]) + digits(15)
    v = rng.choice([" ".join(d[i:i + 4] for i in range(0, 16, 4)), d, "-".join(d[i:i + 4] for i in range(0, 16, 4))])
    return L("personal.card", v)
def f_SORT(c, t): return L("personal.bank", f"{digits(2)}-{digits(2)}-{digits(2)}")
def f_ACCT(c, t): return L("personal.bank", digits(8))
def f_IBAN(c, t): return L("personal.bank", f"GB{digits(2)} {rng.choice(['NWBK','BARC','LOYD','HBUK','MIDL'])} {digits(4)} {digits(4)} {digits(4)} {digits(2)}")

LET = "ABCDEFGHJKLMNOPRSTUVWXYZ"
def vrm():
    k = rng.randint(0, 5)
    a = lambda n: "".join(rng.choice(LET) for _ in range(n))
    if k <= 2: v = f"{a(2)}{rng.randint(10, 74):02d} {a(3)}"
    elif k == 3: v = f"{rng.choice('ABCDEFGHJKLMNPRSTVWXY')}{rng.randint(1, 999)} {a(3)}"
    elif k == 4: v = f"{a(3)} {rng.randint(1, 999)}{rng.choice('ABCDEFGHJKLMNPRSTVWXY')}"
    else: v = f"{a(3)} {rng.randint(1, 999)}"
    if rng.random() < 0.2: v = v.replace(" ", "")
    return v
def f_VRM(c, t): return L("personal.vehicle", vrm())

def f_DOBD(c, t):
    y = rng.randint(1948, 2009); m = rng.randint(1, 12); d = rng.randint(1, 28)
    suf = "th" if 10 <= d <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")
    v = rng.choice([f"{d:02d}/{m:02d}/{y}", f"{d}/{m}/{y}", f"{d} {MONTHS[m-1]} {y}", f"{d}{suf} {MONTHS[m-1]} {y}",
                    f"{y}-{m:02d}-{d:02d}", f"{d:02d}.{m:02d}.{str(y)[2:]}", f"{d}{suf} {MONTHS[m-1]} {str(y)[2:]}",
                    f"{d} {MON3[m-1]} {y}", f"{d:02d}-{m:02d}-{y}", f"{MONTHS[m-1]} {d}, {y}"])
    return L("personal.dob", v)
def f_DOB(c, t):
    cue = rng.choice(["born ", "DOB ", "DOB: ", "d.o.b. ", "date of birth ", "date of birth: ", "D.O.B ", "dob "])
    return cue + f_DOBD(c, t)

def f_DATE(c, t):
    m = rng.randint(1, 12); d = rng.randint(1, 28)
    return rng.choice([f"{d} {MONTHS[m-1]}", f"{d}/{m}/2025", f"Saturday {d} {MONTHS[m-1]}", f"{d:02d}/{m:02d}/2026", f"{MONTHS[m-1]} {d}"])
def f_DAY(c, t): return pick(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])
def f_TIME(c, t): return pick(["6am", "7.30pm", "11.15pm", "around 2am", "09:40", "14:20", "shortly after midnight", "5.45pm", "10pm", "3.10am"])
def f_AGE(c, t): return str(rng.randint(17, 78))
def f_KAGE(c, t): return str(rng.randint(11, 16))
def f_TOWN(c, t):
    k = ("town", t)
    if t and k in c: return c[k]
    v = pick(TOWNS)
    if t: c[k] = v
    return v
def f_TTAG(c, t): return f_TOWN(c, t).replace(" ", "").replace("-", "")
def f_STREET(c, t): return pick(STREETS)
def f_ADDR(c, t): return L("personal.address", f"{rng.randint(1, 140)} {pick(PRIV_STREETS)}")
def f_ROAD(c, t): return pick(ROADS)
def f_LAND(c, t): return pick(LANDMARKS)
def f_HOSP(c, t): return pick(HOSP)
def f_SHOP(c, t): return pick(SHOPS)
def f_PUB(c, t): return pick(PUBS)
def f_DOG(c, t): return pick(DOGS)
def f_HORSE(c, t): return pick(HORSES)
def f_ITEM(c, t): return pick(ITEMS)
def f_VEH(c, t): return pick(VEHDESC)
def f_CRIME(c, t): return pick(CRIMES)
def f_HELP(c, t): return pick(HELPLINES)
def f_ORG(c, t):
    k = ("org", t)
    if k not in c: c[k] = pick(ORGS)
    return c[k][0]
def f_ORGPHONE(c, t): f_ORG(c, t); return c[("org", t)][1]
def f_ORGMAIL(c, t): f_ORG(c, t); return c[("org", t)][2]
def f_PUBOP(c, t): return rng.choice(["Operation ", "Op ", "Operation ", "#Op"]) + pick(PUBLIC_OPS)

def f_OPN(c, t):
    k = ("op", t)
    if k not in c: c[k] = pick(OPS)
    return c[k]
def f_OP(c, t):
    n = f_OPN(c, t)
    v = rng.choice([f"Operation {n}", f"Op {n}", f"Operation {n}", f"OPERATION {n.upper()}", f"Op. {n}", f"operation {n.lower()}"])
    return L("investigation.operation", v)
def f_OPTAG(c, t): return L("investigation.operation", "#Op" + f_OPN(c, t))

def refid():
    k = rng.randint(0, 9)
    y = rng.randint(22, 26)
    if k == 0: return f"{y}/{digits(5)}/{y}"
    if k == 1: return f"WK-20{y}-{digits(6)}"
    if k == 2: return f"{rng.randint(1, 2400):04d} of {rng.randint(1, 28)} {pick(MONTHS)}"
    if k == 3: return f"{rng.randint(1, 999):04d} of {rng.randint(1, 28)}/{rng.randint(1, 12)}/20{y}"
    if k == 4: return f"{y}000{digits(6)}"
    if k == 5: return f"MPS-CAD {digits(4)}"
    if k == 6: return f"GMP-{y}-{digits(4)}"
    if k == 7: return f"WMP/{y}/{digits(6)}"
    if k == 8: return f"23/{digits(6)}/{y}"
    return f"{rng.randint(100, 999)} of {rng.randint(1, 28)} {rng.choice(MON3)}"
def f_REFID(c, t): return L("investigation.reference", refid())
def f_REF(c, t):
    cue = rng.choice(["crime reference ", "crime ref ", "ref ", "reference ", "incident ", "incident number ", "log ",
                      "occurrence number ", "case number ", "CAD ", "crime number "])
    return cue + f_REFID(c, t)

def f_MARK(c, t):
    return L("marking", pick(["OFFICIAL-SENSITIVE", "OFFICIAL SENSITIVE", "Official Sensitive", "OFFICIAL - SENSITIVE",
                              "Official-Sensitive", "RESTRICTED", "CONFIDENTIAL", "SECRET", "PROTECT", "OFFICIAL-SENSITIVE: OPERATIONAL",
                              "OFFICIAL–SENSITIVE", "official sensitive", "TOP SECRET"]))

COVERT_TACTICS = ["an observation point", "test purchase officers", "an undercover officer", "a covert human intelligence source",
                  "a registered informant", "a tracking device", "a bait bike", "a decoy vehicle", "hidden cameras",
                  "plain-clothes officers", "officers in civvies", "a bait phone", "covert cameras", "a CHIS",
                  "an unmarked car", "a covert OP", "a tracker", "UC officers", "a decoy parcel fitted with a tracker"]
def f_COV(c, t): return L("covert", pick(COVERT_TACTICS))
def f_PRODCODE(c, t):
    a = lambda n: "".join(rng.choice(LET) for _ in range(n))
    return f"{a(2)}{rng.randint(10, 70)} {a(3)}"

def f_HFRAUD(c, t): return pick(["Action Fraud on 0300 123 2040", "Action Fraud online or on 0300 123 2040"])
def f_HDA(c, t): return pick(["the National Domestic Abuse Helpline on 0808 2000 247", "the free National Domestic Abuse Helpline (0808 2000 247)"])
def f_HTERROR(c, t): return pick(["the anti-terrorist hotline on 0800 789 321", "999"])
def f_HTALK(c, t): return pick(["Samaritans on 116 123", "Childline on 0800 1111", "111"])
def f_HCRIME(c, t): return pick(["Crimestoppers anonymously on 0800 555 111", "Crimestoppers on 0800 555 111", "101", "18000 (textphone)", "999 in an emergency"])

FILL = {k[2:]: v for k, v in globals().items() if k.startswith("f_")}

# ---------------------------------------------------------------- frames (DEV)
# Each body: (kind, closer_group, frame)
BODIES = []
def B(kind, group, *frames):
    for f in frames: BODIES.append((kind, group, f))

# ---- appeals (dirty)
B("appeal", "appeal",
  "We're appealing for witnesses after {PN#a} was assaulted outside {PUB} in {TOWN} at {TIME} on {DAY}. {PF#a} suffered a broken cheekbone.",
  "Can you help? {PN#a}, {AGE}, had her handbag snatched on {STREET}, {TOWN}. If you saw anything please call {PF#a}'s family liaison or ring 101.",
  "Witness appeal: a {AGE}-year-old man, {PN#a}, was knocked off his bike on the {ROAD} near {TOWN}. Anyone with dashcam footage please get in touch.",
  "Did you see the collision on {STREET} in {TOWN}? The driver of {VEH}, registration {VRM}, failed to stop.",
  "We want to trace the driver of {VEH} ({VRM}) seen driving erratically on the {ROAD} near {TOWN} at {TIME}.",
  "Officers are keen to speak to anyone who saw {VEH}, reg {VRM}, in {TOWN} on {DAY} evening.",
  "Stolen: {ITEM} taken from a driveway on {STREET}, {TOWN}. The owner, {PN#a}, is devastated. If you're offered it, call {HCRIME}.",
  "Witnesses to the burglary at {ADDR}, {TOWN} are asked to call 101 quoting {REF}.",
  "The victim, {PN#a} from {TOWN}, was walking home when she was approached by two men. Call 101 with any information.",
  "Please share: {PN#a}'s mobility scooter was taken from outside {SHOP} in {TOWN}. Anyone who knows where it is can call {PF#a} directly on {PHONE}.",
  "If you found a brown leather wallet on {STREET} please call its owner {PN#a} on {PHONE} – there's a reward.",
  "Anyone with information on the attack on {PN#a} should call us on 101, or ring {PF#a}'s sister on {PHONE}.",
  "Footage wanted: a man was punched near {LAND} at {TIME}. The victim, {PN#a}, has asked us to thank everyone sharing this.",
  "A car was stolen from {ADDR} overnight. The registration is {VRM}. Please call 101 if you see it.",
  "Can you help find the owner? A lady called {PN#a} handed in a purse at {TOWN} station and would like a thank you: email her at {EMAIL#a}.",
  "Appeal for witnesses following a robbery at a home on {PRIV} in {TOWN}, postcode {PCODE}. Two men forced their way in.".replace("{PRIV}", "Foxglove Close"),
  "A pensioner, {PN#a}, lost £4,000 after being conned at her home in {PCODE}. Her relative {PN#b} says she is heartbroken.",
  "Officers are trying to trace {PN#a} who we believe witnessed a fight near {LAND}. {PF#a}, you're not in trouble – please call us.",
  "We'd like to speak to {PN#a} as a witness to the incident on {STREET}. If that's you, call 101 quoting {REF}.",
  "Were you on {STREET} in {TOWN} at {TIME}? A man was stabbed and {PN#a}, who helped him, would like to find the other first-aider.",
  "Hit and run on the {ROAD}: a motorcyclist, {PN#a}, {AGE}, was seriously injured. The other vehicle was {VEH}, partial plate {VRM}.",
  "ATTEMPTED abduction – a girl was approached by a man in {VEH} registration {VRM} near {LAND}. Parents, please talk to your children.",
  "Dashcam footage wanted after {VEH} ({VRM}) was seen tailgating and brake-checking on the {ROAD}.",
  "A woman was sexually assaulted in {LAND} last night. Anyone who was in the area between 10pm and midnight please call 101 quoting {REF}.",
  "Two men were seen trying car door handles on {STREET}, {TOWN}. One car, {VRM}, was broken into and a laptop stolen.",
  "thanks to everyone who shared our appeal for {PLC#a} – {PF#a} has now spoken to officers and the investigation continues.",
  "The family of {PN#a}, who was hurt in the crash on the {ROAD}, have asked for privacy. Witnesses please contact 101 quoting {REF}.",
  "Please RT. Pedestrian {PN#a} was hit by {VEH} ({VRM}) which drove off towards {TOWN}.",
  "{PN#a} was threatened with a knife at the bus stop on {STREET}. Officers want to hear from anyone who was on the number 16 bus at {TIME}.",
  "We're investigating racially aggravated abuse towards {PN#a}, a taxi driver, on {STREET} in {TOWN}. Please call 101.",
  "Can you help identify the man in these images? We'd like to speak to him about a theft from {PN#a}'s car on {STREET}.",
  "Victim {PN#a} ({PHONE}) has asked that anyone who saw the incident contacts her directly.",
  "Witness appeal - road rage incident on the {ROAD}. The victim's car was a grey Kia, {VRM}. The suspect vehicle was {VEH}.",
)
B("appeal", "appeal_clean",
  "We're appealing for witnesses after a man in his 40s was assaulted outside {PUB} in {TOWN} at {TIME} on {DAY}. Please call 101.",
  "Can you help? A {AGE}-year-old woman had her bag snatched on {STREET}, {TOWN}, on {DATE}. Call 101 or {HCRIME}.",
  "Did you see the collision on {STREET} in {TOWN}? The driver of {VEH} failed to stop. Call 101 or report online.",
  "{ITEM} was stolen from a farm near {TOWN} between {DATE} and {DATE}. If you're offered it, call {HCRIME}.",
  "We're keen to speak to the man pictured in connection with a theft from {SHOP} in {TOWN}. Recognise him? Call 101.",
  "Witnesses sought after a window was smashed at {SHOP} on {STREET}, {TOWN}, at {TIME} on {DATE}.",
  "Was your car parked on {STREET} in {TOWN} overnight on {DATE}? Several were damaged and we'd like to hear from owners.",
  "A man was taken to {HOSP} with serious injuries after a fight on {STREET}. Officers would like to hear from anyone with phone footage.",
  "Do you know this man? He's wanted in connection with a burglary in the {DIST} area of {TOWN}. Please don't approach him – call 999.",
  "The incident happened on {DATE} at {TIME} near {LAND}. The victim, aged {AGE}, was not seriously hurt.",
  "Have you seen {ITEM}? It was taken from a yard near {TOWN}. It has a unique serial plate, model {PRODCODE}, on the frame.",
  "Appeal following a collision on the {ROAD} near {TOWN} on {DATE}. The road was closed for six hours while investigators worked at the scene.",
  "We'd like to thank the member of the public who performed CPR on a man near {LAND}. You know who you are – please get in touch via 101.",
  "Reports of a man exposing himself near {LAND} on {DATE}. He's described as white, about 5ft 10in, wearing a grey hoodie. Call 101 or {HCRIME}.",
  "Can you help us trace the owner of this bike found near {LAND}? It's a Carrera with frame stamp {PRODCODE}. Call 101 with proof of ownership.",
  "Dashcam or doorbell footage? A car was set alight on {STREET}, {TOWN}, at {TIME}. Upload it through our online portal.",
)
# ---- missing people
B("missing", "missing",
  "MISSING: Have you seen {PN#a}? The {AGE}-year-old was last seen in {TOWN} on {DATE}. {PF#a} is around 5ft 6in with short dark hair.",
  "We're concerned for {PN#a}, {KAGE}, who has not been seen since leaving school in {TOWN}. If you see {PF#a} please call 999.",
  "#Find{PCAM#a} – please share. {PF#a} was last seen near {LAND} wearing a black North Face coat.",
  "Missing {TOWN} man {PN#a} may have travelled to Birmingham. {PF#a}'s family are desperate for news.",
  "UPDATE: {PN#a} has been found safe and well. Thanks for sharing. #Missing{PCAM#a}",
  "Can you help find {PLC#a}? last seen {DAY} near {LAND}, {TOWN}. please call 101 quoting {REF}.",
  "{PN#a} ({AGE}) is missing from {TOWN}. She may be driving {VEH}, registration {VRM}.",
  "Concern is growing for missing teenager {PN#a}. {PF#a}, if you see this, you're not in trouble – just let someone know you're safe.",
  "MISSING | {PUP#a} | {AGE} | last seen {TOWN} {DATE}. Call 101 quoting {REF}.",
  "Have you seen {PF#a}? The {KAGE}-year-old from {TOWN} is missing. {PF#a} has links to Coventry and Nuneaton.",
  "Missing person {PN#a}, born {DOBD}, was last seen leaving {HOSP}. Please call 999 if you see him.",
  "We are looking for {PN#a} (DOB {DOBD}) who is missing from his home in {TOWN}. {PF#a} uses a wheelchair.",
  "Missing: {PN#a}. Her family say it's out of character. She lives at {ADDR}, {TOWN} and was last seen getting into {VEH}.",
  "Please keep sharing our appeal for {PN#a} and {PN#b}, two friends missing from {TOWN} since {DATE}.",
  "{PN#a}'s mum has asked us to share this: 'Please come home, we just want to know you're OK.' {PF#a} was last seen in {TOWN}.",
  "We're still looking for {PN#a}. Anyone who has seen him since {DAY} should call 101. If you're reading this {PF#a}, please get in touch.",
  "Found safe: {PN#a}, reported missing from {TOWN} yesterday, has been located. Thank you for your help.",
  "Missing from {TOWN}: {PINIT#a}, {AGE}. Last seen on {STREET} at {TIME}.",
  "missing: {PLC#a} (pictured) from {TOWN}. {PF#a} may be in the {DIST} area. please call 999 if seen.",
)
B("missing", "missing_clean",
  "UPDATE: The woman we appealed for earlier has been found safe and well. Thank you for sharing.",
  "We have removed the earlier missing person appeal as the man has now been found. Thanks to everyone who shared.",
  "Thank you to {DOG} and the drone team who located a vulnerable missing man in woodland near {TOWN} last night.",
  "Missing person appeals work because you share them. Tonight a {AGE}-year-old from {TOWN} is home safe because of you.",
  "A missing {AGE}-year-old man has been found safe in {TOWN}. We'd like to thank Lowland Rescue and our partners at {ORG}.",
  "Our missing from home team deal with hundreds of reports a year. If someone you care about is missing, call 101 or 999 if they're at risk.",
)
# ---- court results (defendants named after charge: clean unless other data)
B("court", "court_clean",
  "{DN#a}, {AGE}, of {TOWN}, has been jailed for four years after admitting {CRIME} at Warwick Crown Court.",
  "CHARGED: {DN#a}, {AGE}, from {TOWN}, has been charged with {CRIME} and will appear at Nuneaton Magistrates' Court on {DATE}.",
  "{DN#a} was sentenced to 18 months after {OFF} found drugs in his car on the {ROAD}.",
  "Jailed: {DN#a} and {DN#b}, both of {TOWN}, were sentenced at Coventry Crown Court for a series of burglaries.",
  "A man has been charged after a stabbing in {TOWN}. {DN#a}, {AGE}, of no fixed abode, has been remanded in custody.",
  "{DN#a}, {AGE}, was found guilty of {CRIME} following a five-day trial. {OFF} said: 'I hope this brings some closure.'",
  "Court result: {DN#a} of {STREET}, {TOWN}, was fined £660 and banned from driving for 12 months.",
  "{DN#a} ({AGE}) pleaded guilty to {CRIME} and will be sentenced on {DATE}.",
  "Drug dealer {DN#a} has been jailed for six years. He was arrested after officers stopped {VEH} in {TOWN}.",
  "A {AGE}-year-old man has been charged with {CRIME} following an incident in {TOWN} on {DATE}.",
  "Two men have been charged after {ITEM} was stolen from a farm near {TOWN}. They will appear in court on {DATE}.",
  "Sentenced: a {TOWN} woman was given a community order after admitting {CRIME}. {OFF} welcomed the result.",
  "{DN#a} has been given a Criminal Behaviour Order banning him from {TOWN} town centre for three years.",
  "A man who threatened staff at {SHOP} with a knife has been jailed. {DN#a}, {AGE}, was sentenced to 3 years.",
  "Following an investigation led by {OFF}, {DN#a} and {DN#b} were convicted of conspiracy to commit burglary.",
  "Jailed for life: {DN#a}, {AGE}, was convicted of murder at Birmingham Crown Court today.",
  "{DN#a}, 31, was jailed after a victim-led prosecution. {OFF} praised the victim's courage.",
  "Remanded: {DN#a}, {AGE}, charged with {CRIME}, appeared before magistrates and was remanded until {DATE}.",
)
B("court", "court",
  "{DN#a}, {AGE}, of {TOWN}, has been jailed. The victim, {PN#b}, said in a statement she can finally move on.",
  "{DN#a} (DOB {DOBD}) was sentenced at Warwick Crown Court to 30 months for {CRIME}.",
  "CHARGED: {DN#a}, born {DOBD}, of {TOWN}, will appear at Coventry Magistrates' Court on {DATE}.",
  "{DN#a} was jailed for stalking {PN#b}, who bravely gave evidence against him.",
  "[[abuse|Scumbag]] {DN#a} got what he deserved today – 4 years behind bars.",
  "{DN#a}, who denies {CRIME}, [[justice|is clearly guilty]] and the jury will see that when the trial starts on {DATE}.",
  "{DN#a} appeared in court charged with burglary. A second man, {PN#b}, {AGE}, was arrested and released on bail pending further enquiries.",
  "Jailed: {DN#a}, {AGE}, whose victim's bank card, {CARD}, was used 40 times in {SHOP}.",
  "{DN#a} was sentenced today. The case was investigated under {OP}, which continues.",
)
# ---- arrests (suspects not charged -> names labelled)
B("arrest", "appeal",
  "ARRESTED: {PN#a}, {AGE}, of {TOWN}, was arrested on suspicion of {CRIME} and has been released on bail.",
  "We've arrested {PN#a} in connection with the burglary on {STREET}. He remains in custody.",
  "Two men, {PN#a} and {PN#b}, were arrested after a pursuit on the {ROAD} in {VEH}, registration {VRM}.",
  "Officers arrested a woman, {PN#a}, on suspicion of drink driving in {TOWN} last night. She's been released under investigation.",
  "Great work by {OFF} who arrested {PN#a} at {LAND} after he was found with a knife.",
  "{PN#a}, {AGE}, has been arrested on suspicion of fraud after victims across {TOWN} lost thousands.",
  "Arrest made! {OFF} and {DOG} tracked {PN#a} across fields near {TOWN} after the break-in.",
  "We arrested 12 people this week as part of {OP}, including {PN#a} from {TOWN}.",
  "A man has been arrested after officers stopped {VEH} ({VRM}) on the {ROAD}. Cannabis worth £8,000 was found.",
  "Warrant executed at {ADDR}, {TOWN} this morning. {PN#a} was arrested and cash and drugs seized.",
  "A 34-year-old man was arrested at his home in {PCODE} on suspicion of {CRIME}.",
  "{OFF} arrested {PN#a} and {PN#b} on suspicion of theft from {SHOP}. Both were bailed.",
  "#{PCAM#a} was arrested today on suspicion of burglary – great work by our team.",
)
B("arrest", "arrest_clean",
  "ARRESTED: A {AGE}-year-old man from {TOWN} was arrested on suspicion of {CRIME} and has been released on bail.",
  "Two teenagers were arrested after {ITEM} was stolen from a garage in {TOWN}. They've been released under investigation.",
  "Great work by {OFF} and {DOG}, who tracked a suspected burglar across gardens in {TOWN} last night.",
  "A woman was arrested on suspicion of drink driving on the {ROAD} after a member of the public called 999.",
  "Officers arrested a man in {TOWN} town centre last night on suspicion of possession of a bladed article. He remains in custody.",
  "{HORSE} and {DOG} were out in {TOWN} on {DAY} night – three arrests for public order offences.",
)
# ---- roads
B("roads", "roads_clean",
  "ROAD CLOSED: The {ROAD} is closed in both directions between {TOWN} and {TOWN#b} following a collision. Please avoid the area.",
  "The {ROAD} has now reopened. Thank you for your patience while our collision investigators worked at the scene.",
  "Collision on {STREET}, {TOWN}. Emergency services are at the scene. Expect delays.",
  "Overnight closure of the {ROAD} from 8pm on {DATE} for resurfacing. Diversions signed via {TOWN}.",
  "Serious collision on the {ROAD} near {TOWN}. A man has been taken to {HOSP}. Our Serious Collision Investigation Unit is appealing for dashcam footage.",
  "Heavy traffic on {STREET} in {TOWN} because of a broken-down lorry. Officers are on scene managing traffic.",
  "Fatal 4: seatbelts, speeding, drink and drug driving, mobile phones. We'll be out across Warwickshire this week reminding drivers.",
  "Today our road safety officers were at {LAND} with {ORG} giving free tyre checks.",
  "A reminder that {STREET} in {TOWN} has restricted parking during the Christmas market. Please use the park and ride.",
  "Stopped on the {ROAD}: no insurance, no licence. Vehicle seized and driver reported. #Fatal4",
  "The {ROAD} southbound is closed at the junction with {STREET} after a lorry shed its load. Recovery is on its way.",
  "Sadly a motorcyclist has died following a collision on the {ROAD} near {TOWN} on {DATE}. Our thoughts are with their family.",
  "Speed checks on {STREET}, {TOWN}, after concerns raised at the last community meeting. 14 drivers reported.",
  "Driver reported for doing 112mph on the {ROAD}. Please slow down.",
  "Road closures for the {TOWN} carnival on {DATE}: {STREET} will be shut from 10am to 5pm.",
)
B("roads", "roads",
  "Stopped on the {ROAD}: {VEH}, {VRM}, no insurance. Driver {PN#a} reported and car seized.",
  "Collision on {STREET} involving {VRM} and a cyclist. The cyclist, {PN#a}, has been taken to {HOSP}.",
  "This car – {VEH} ({VRM}) – was clocked at 97mph in a 50 zone near {TOWN}. The driver will be in court.",
  "Seized! {VRM} stopped in {TOWN} with bald tyres and no MOT.",
  "The {ROAD} is closed after a collision. The car involved, {VRM}, belongs to a local woman who was taken to {HOSP}.",
  "Our roads policing unit will be running a speed enforcement operation on the {ROAD} at Barford between 7am and 9am tomorrow, with an unmarked car in the lay-by.".replace("with an unmarked car in the lay-by", "[[covert|with an unmarked car in the lay-by]]"),
  "We're appealing for the driver of {VRM} to come forward following a collision with a pedestrian on {STREET}.",
  "ANPR hit on {VRM} in {TOWN} – vehicle linked to burglaries. Stopped by {OFF}.",
  "Heads-up: the [[covert|ANPR camera on the A46 at the Longbridge island]] picked up the stolen car within minutes.",
  "Seized in {TOWN}: {VEH}, plate {VRM}, driven by a 17-year-old with no licence.",
)
# ---- events / surgeries (clean with public postcodes)
B("event", "event_clean",
  "Join your Safer Neighbourhood Team at our police surgery at {LAND} on {DATE} from 10am to 12pm.",
  "Bike marking event! Bring your bike to {TOWN} Police Station, {STREET}, {PUBPC}, on {DATE} and we'll mark it for free.",
  "Coffee with a Cop at {SHOP} café in {TOWN} on {DATE}, 2pm–4pm. Come and tell us what matters to you.",
  "Community meeting at {TOWN} Community Centre, {PUBPC}, on {DATE} at 7pm. All welcome.",
  "Our front counter at {TOWN} Police Station ({PUBPC}) is open Monday to Friday, 9am to 5pm.",
  "{DOG} will be visiting {LAND} on {DATE} – come and say hello to our four-legged officers!",
  "Drop off unwanted knives at the amnesty bin at {TOWN} Police Station, {STREET}, {PUBPC}. No questions asked.",
  "Our cadets are holding a bag pack at {SHOP} in {TOWN} on {DATE} to raise money for {ORG}.",
  "Meet {OFF} at the {TOWN} Farmers' Market on {DATE} – free property marking kits while stocks last.",
  "Secret Santa at the station today – thanks to {OFF} for organising and to everyone who brought a gift for {ORG}'s toy appeal.",
  "Cyber safety talk for older people at {TOWN} Library ({PUBPC}) on {DATE}. Book by calling the library on 01926 412345.",
  "The venue for next week's rural crime forum is {LAND}, {PUBPC}. Doors open at 6.30pm.",
  "Pop-up police station in {TOWN} market square this {DAY}. Come and chat to {OFF} and the team.",
  "Catalytic converter marking at {SHOP} car park in {TOWN}, {PUBPC}, on {DATE}. Free while stocks last.",
  "Our Open Day is on {DATE} at Leek Wootton HQ (CV35 7QB). Meet {DOG}, the drone unit and the firearms team.",
  "Ward surgery: {OFF} will be at the Co-op on {STREET}, {TOWN}, on {DAY} between 2 and 3pm.",
)
# ---- recruitment
B("recruit", "recruit_clean",
  "We're recruiting! Become a police officer in Warwickshire – applications close on {DATE}.",
  "Ever thought about being a Special Constable? {OFF} joined at {AGE} and says it's the best thing she's done.",
  "Our PCSO recruitment window is now open. Questions? Email recruitment@warwickshire.police.uk.",
  "Meet {OFF}, one of our detectives. 'No two days are the same,' she says. Could you be next?",
  "We're looking for 999 call handlers to join our Operations Communications Centre. Apply by {DATE}.",
  "Police staff vacancies: digital forensic investigator, HR adviser and fleet technician. Find out more on our website.",
  "Come and meet us at the careers fair at {LAND} on {DATE}. We'll be there with {DOG}!",
  "Volunteer police cadets aged 13 to 17 wanted in {TOWN}. Enquiries to cadets@warwickshire.police.uk.",
  "The secret to a great career? Find out at our recruitment webinar on {DATE}.",
  "Retired officers: we're recruiting investigators. Contact {OFF#a} on {OFFEMAIL#a} to find out more.",
)
# ---- thank-yous
B("thanks", "thanks_clean",
  "A huge thank you to {OFF} and {OFF#b} who went above and beyond for a vulnerable man in {TOWN} last night.",
  "Thanks to the staff at {SHOP} in {TOWN} who helped us catch a shoplifter today.",
  "Congratulations to {OFF} who received a Chief Constable's commendation today for her work on a child abuse investigation.",
  "Thank you to everyone who came to our open day! Special mention to {DOG} who was the star of the show.",
  "Thanks to {ORG} for hosting our surgery at {LAND} this week.",
  "Retirement day for {OFF} after 30 years' service. Enjoy it, you've earned it!",
  "Thank you to the public for your support during {PUBOP}. Every knife handed in is one less on our streets.",
  "Shout-out to {OFF} who stopped on her way home to help a driver in a collision on the {ROAD}.",
  "Thank you {TOWN}! More than 200 people came to our community day at {LAND}.",
  "Well done to the {TOWN} team who have cut burglary by 30% this year.",
)
B("thanks", "thanks",
  "A massive thank you to {OFF} and the team on {OP} – a brilliant week's work.",
  "Thanks to everyone involved in {OP}. The briefing was at 5am and you all turned up smiling.",
  "Thank you to the response teams who supported {OP} in {TOWN} this week.",
  "{OP} continues this week. Thanks to {OFF} and the Neighbourhood teams for their hard work.",
  "Huge thanks to our partners at {ORG} for their support on {OP}. #TeamWarwickshire",
  "Great to see {OFF} recognised for her leadership of {OP}.",
  "thanks to {PLC#a} who flagged down officers and helped detain a shoplifter in {TOWN}.",
  "Thanks to {PN#a}, the witness who followed the stolen car and kept us updated on 999.",
  "Special thanks to {PN#a} and {PN#b}, the two neighbours who chased off the burglars on {STREET}.",
  "Thank you {PF#a}! The {AGE}-year-old victim of the robbery on {STREET} came in to thank the officers who caught the men.",
  "Thank you to the team working on {OPTAG} – the results speak for themselves.",
  "Well done to all on {OP} – 6 arrests and 2kg of cocaine seized.",
  "A thank you from {OFF} to the plain-clothes team who worked {OP} over the weekend.".replace("plain-clothes team", "[[covert|plain-clothes team]]"),
)
# ---- crime prevention / scam warnings
B("prevention", "prev_clean",
  "Lock it or lose it! Most vehicle crime in {TOWN} is from unlocked cars. Don't leave valuables on show.",
  "Doorstep criminals are targeting older people in {TOWN}. Never let anyone in unless you're sure who they are. Call 101 to check.",
  "SCAM WARNING: Fraudsters are calling people pretending to be from their bank. Your bank will never ask you to move money. Report to {HFRAUD}.",
  "If you receive a suspicious text, forward it to 7726. Report fraud to {HFRAUD}.",
  "Courier fraud is on the rise. Police officers will never ask you to withdraw cash or hand over your card.",
  "The secret to a safe home this winter? Timer switches, good locks and a neighbour who keeps an eye out.",
  "Keep your shed locked and mark your tools. Free property marking kits are available from {TOWN} Police Station.",
  "Romance fraud: if someone you've never met asks for money, stop and talk to someone you trust. Call {HFRAUD}.",
  "If you are worried about domestic abuse, call {HDA}, or contact {ORG#o} on {ORGPHONE#o}.",
  "Holiday season tip: don't post that you're away on social media until you're home.",
  "Rogue traders are offering to clean driveways in the {DIST} area. Check with Trading Standards via {ORGPHONE#o} ({ORG#o}) before agreeing to any work.",
  "The confidential reporting line for concerns about modern slavery is 08000 121 700.",
  "Fake parking fine texts are circulating. Don't click the link. Check with {ORG#o} on {ORGPHONE#o}.",
  "Never give your card PIN to anyone. The bank will never send a courier to collect your card.",
  "Got a new phone for Christmas? Register it on Immobilise and note the IMEI.",
  "Seen something that could be terrorism-related? Trust your instincts and call {HTERROR}, or report online at gov.uk/ACT.",
  "Feeling low this winter? You don't have to cope alone – call {HTALK}. In an emergency dial 999 or 112.",
  "Protect your catalytic converter: park close to a wall, fit a cage and mark it. Ask at {SHOP} for a marking kit.",
  "Worried about a loved one's safety? Ask about Clare's Law. Find out more at warwickshire.police.uk.",
  "If someone is in immediate danger call 999. If you can't speak, press 55 when prompted.",
  "Knife crime destroys lives. If you know someone carrying a knife, tell {HCRIME}. You don't have to give your name.",
  "Sextortion is on the rise. If you're being blackmailed, don't pay. Talk to someone and report it on 101 or via {HTALK}.",
  "Cold callers claiming to be from 'Warwickshire Police Fraud Team' are asking for bank details. We'll never do this. Check on 101.",
  "Scam alert: texts saying 'Hi Mum, my phone is broken, can you send money?' Always call the number you already have.",
  "Secure your bike with a D-lock and register it on BikeRegister. The scheme's info address is info@bikeregister.com.",
  "Spiking is a crime. If you think you've been spiked, tell bar staff, call 101 or go to {HOSP} A&E.",
)
B("prevention", "prev",
  "Scam warning: a victim in {TOWN}, {PN#a}, lost £12,000 after giving her card number {CARD} to a caller pretending to be her bank.",
  "Courier fraud victim {PN#a}, {AGE}, handed over her card and PIN. Sort code {SORT} and account {ACCT} were drained within an hour.",
  "This week a {TOWN} man lost his savings. The fraudsters talked him into reading out his own IBAN, {IBAN}, and his security codes.",
  "Fraudsters used {PN#a}'s National Insurance number ({NINO}) to open credit accounts. Shred documents!",
  "Rogue trader warning: the man calls himself 'Dave' and drives {VEH}, registration {VRM}. If he calls, ring 101.",
  "A {TOWN} woman, {PN#a}, has asked us to share her story after losing £40,000 to a romance scam.",
  "Ticket scam: {PN#a}'s account (sort code {SORT}, account {ACCT}) was emptied after she clicked a link.",
  "We'll be placing [[covert|plain-clothes officers]] in {TOWN} town centre this Christmas to catch pickpockets – so keep your purse zipped!",
  "Bike theft: we've deployed [[covert|bait bikes fitted with trackers]] around {LAND}. Thieves beware!",
)
# ---- neighbourhood updates
B("neighbourhood", "nb_clean",
  "Neighbourhood update for {TOWN}: this week we dealt with reports of anti-social behaviour near {LAND} and carried out extra patrols.",
  "Your priorities for {TOWN} this quarter are drug dealing, speeding on {STREET} and anti-social behaviour around {LAND}.",
  "Following concerns from residents, officers have increased patrols around {LAND}.",
  "Officers will be patrolling {TOWN} town centre this weekend. If you need us, just stop us for a chat.",
  "We use a range of tactics to tackle drug dealing in {TOWN}, and your information makes a difference. Report via {HCRIME}.",
  "{OFF} has joined the {TOWN} Safer Neighbourhood Team. Say hello if you see her on patrol!",
  "Dispersal order in place for {TOWN} town centre from 6pm {DAY} to 6am {DAY#b} after recent disorder.",
  "This week in {TOWN}: 3 arrests for shoplifting, 1 for drug driving and a stolen van recovered on {STREET}.",
  "Thanks to residents of {STREET} for coming to our street meeting. We'll be back next month.",
  "Public Spaces Protection Order consultation for {TOWN} is open until {DATE}. Have your say on the council's website.",
  "Abandoned car on {STREET}? Report it to {ORG#o} on {ORGPHONE#o} – it's a council matter unless it's stolen.",
  "Hate crime can be reported to us on 101, online or through third-party reporting centres such as {ORG}.",
  "We've had a quieter week in {TOWN}, but please keep reporting anything suspicious.",
  "Operation Sceptre week: officers have been visiting schools in {TOWN} to talk about the dangers of carrying knives.",
  "Our #OpSnap portal lets you upload dashcam footage of dangerous driving. Over 400 submissions this month!",
  "Neighbourhood Watch coordinators: the next meeting is at {LAND} on {DATE}. Email {ORGMAIL#o} for details.",
  "We know residents of {STREET} have concerns about speeding. We'll be carrying out speed checks over the coming weeks.",
  "The {TOWN} team will be on high-visibility patrol around the schools at home time this week.",
  "Operation Encompass means schools are told, before the next school day, when a child has been affected by domestic abuse.",
  "Clare's Law and Operation Limelight: two ways we work to protect people from abuse and exploitation.",
  "This week {OFF} spoke at {TOWN} High School about Operation Makesafe and how hotels can spot exploitation.",
  "Operation Close is our approach to tackling speeding on rural roads – find out more on our website.",
  "As part of Operation Tutelage, we've written to the parents of young people stopped in {TOWN} this month.",
)
B("neighbourhood", "nb",
  "Neighbourhood update: {OP} continues this week in {TOWN}, targeting drug dealing around {LAND}.",
  "We're running {OP} in {TOWN} from Monday – expect to see more of us.",
  "Update from the {TOWN} team: {OP} has now entered its third week.",
  "Drug dealing on {STREET}? We know. We've had [[covert|an observation point]] on the street for the last fortnight.",
  "Residents of {STREET} – the man in the blue hoodie you've reported is {PN#a}. We're aware of him.",
  "We received a complaint from {PN#a} of {ADDR} about noise. We've spoken to the neighbours.",
  "Anti-social behaviour in {TOWN}: {PN#a} and {PN#b} have been given Community Protection Warnings.",
  "Thanks for the reports about {STREET}. We've fitted [[covert|hidden cameras]] to catch the fly-tippers in the act.",
  "Heads up {TOWN}! [[covert|Officers in plain clothes will be at the station car park from 7am tomorrow]] looking for catalytic converter thieves.",
  "This week [[covert|test purchase officers]] visited 12 shops in {TOWN} selling knives. Two sold to under-18s.",
  "A local man, {PN#a}, reported being threatened on {STREET}. He lives at {ADDR} and is now getting support.",
  "Thanks to {PN#a} ({EMAIL#a}) for sending us the footage.",
  "Email from a resident, {PN#a}: 'Please do something about the bikes on {STREET}'. We will, and you can contact her on {PHONE} if you want to join the residents' group.",
)
# ---- rural crime
B("rural", "rural_clean",
  "Rural crime update: 2 quad bikes recovered near {TOWN} after a tip-off from a farmer. Thank you!",
  "Farmers: lock up fuel tanks, mark your machinery and join Rural Watch. Contact the Rural Crime Team at ruralcrime@warwickshire.police.uk.",
  "Hare coursing is illegal. If you see it happening, call 999 with the location and vehicle description.",
  "Sheep worrying is a crime. Keep dogs on leads near livestock. The farmer near {TOWN} lost 7 ewes this week.",
  "Our Rural Crime Team was at the {TOWN} Show today talking to farmers about GPS theft.",
  "Fly-tipping near {TOWN}? Report it to {ORG#o} on {ORGPHONE#o}.",
  "The Rural Crime Team has recovered {ITEM} stolen from a farm near {TOWN}. Owner traced thanks to CESAR marking.",
  "Poaching reported on farmland near {TOWN}. We've increased patrols in the area.",
  "Thefts of GPS units from tractors are up. The units carry serials like {PRODCODE} – note yours and keep them locked away.",
)
B("rural", "rural",
  "Rural crime: {ITEM} stolen from {PN#a}'s farm at {ADDR}, {TOWN}. Call 101 quoting {REF}.",
  "Hare coursers in {VEH}, {VRM}, were seen near {TOWN}. Please report sightings on 999.",
  "We've placed [[covert|trail cameras]] in the gateways of farms around {TOWN} where coursers have been active.",
  "Thanks to farmer {PN#a} who blocked the lane with his tractor so the suspects couldn't escape.",
  "Our rural team will be [[covert|running an unmarked Land Rover around Kineton and Butlers Marston from 10pm Saturday]] – coursers, you've been warned.",
  "A trailer stolen from a farm near {TOWN} has been found. Its owner, {PN#a}, can be contacted on {PHONE} by anyone who saw it being taken.",
  "The [[covert|tracking device we hid in a decoy quad bike]] led us straight to a barn near {TOWN}.",
  "{OP} targets rural thieves across the north of the county and starts again this weekend.",
)
# ---- knife crime
B("knife", "knife_clean",
  "Operation Sceptre: 34 knives handed in at our amnesty bins this week. Thank you.",
  "#OpSceptre – we've been in {TOWN} schools talking about the consequences of carrying a knife.",
  "Knife crime: carrying a knife makes you more likely to get hurt. If you're worried, talk to {HTALK}.",
  "This week we carried out weapon sweeps around {LAND} and found nothing. Reassuring!",
  "Knife amnesty bins are at {TOWN} Police Station ({PUBPC}) and Nuneaton Justice Centre. No questions asked.",
  "Retailers in {TOWN} have signed up to the responsible knife retail agreement. Thank you {SHOP}!",
  "A mum who lost her son to knife crime spoke to {TOWN} students today. Incredibly powerful.",
  "{OFF} and the Youth Engagement team delivered 20 knife crime workshops this term.",
)
B("knife", "knife",
  "{OP}: 12 knives seized this week. We'll be [[covert|doing stop and search at the bus station in Nuneaton at 4pm on Friday]].",
  "A {KAGE}-year-old, {PN#a}, was found with a knife outside school in {TOWN}. His parents have been spoken to.",
  "Knife crime: [[covert|test purchase officers]] will be visiting shops in {TOWN} this month to check they won't sell to under-18s.",
  "The teenager stabbed in {TOWN}, {PN#a}, is recovering in {HOSP}.",
  "We've seized a zombie knife from {PN#a}, {AGE}, in {TOWN}. He has been released under investigation.",
)
# ---- weekend results
B("results", "results_clean",
  "Weekend results from {TOWN}: 7 arrests, 2 drink drivers, 1 wanted man located and a stolen car recovered.",
  "Busy Saturday for the night-time economy team in {TOWN}. Thanks to the door staff at {PUB} for their help.",
  "Friday night in {TOWN}: one arrest for assault, one for drunk and disorderly. Otherwise a good-natured night.",
  "Results of this weekend's drink drive campaign: 11 drivers arrested across the county.",
  "Over the weekend our Response team attended 412 incidents. Here's a look at some of them.",
)
B("results", "results",
  "Weekend results: {OP} – 4 arrests, £3,000 cash seized, {VRM} recovered.",
  "Saturday night in {TOWN}: {PN#a} arrested for assault at {PUB}, {PN#b} for criminal damage.",
  "Weekend round-up: drink driver {PN#a}, {AGE}, arrested on the {ROAD}.",
  "Results: stolen car {VRM} recovered in {TOWN}; occupants arrested.",
  "Over the weekend [[covert|plain-clothes officers]] in {TOWN} town centre made three arrests for drug supply.",
)
# ---- paste errors: intelligence, internal e-mails, briefings (dirty)
B("paste_intel", "none",
  "{MARK} – Intelligence report: subject {PN#a} ({DOB#a}) is believed to be dealing from {ADDR}, {TOWN} {PCODE}.",
  "{MARK}. Intel suggests {PN#a} is using {VEH}, {VRM}, to move cash. Do not disclose.",
  "Classification: {MARK}. Subject: {PN#a}. NINO {NINO}. Known associates in {TOWN}.",
  "Briefing note ({MARK}): {OP} – [[covert|warrants to be executed at 0600 on {DAY} at addresses in {TOWN}]].",
  "{MARK} // Intelligence grading B2. {PN#a}, {DOB#a}, frequents {PUB}. Vehicle {VRM}.",
  "From the intel cell: {PN#a} lives at {ADDR} ({PCODE}) and is the main supplier in {TOWN}. {MARK}.",
  "Source reporting indicates {PN#a} stores drugs at {ADDR}. The source is [[covert|a CHIS]] who must not be identified.",
  "{MARK} - not for circulation. {OP} phase 2 begins {DATE}.",
  "Intelligence: {PN#a} (DOB {DOBD}) has a phone number of {PHONE} and uses the email {EMAIL#a}.",
  "Header reads: {MARK}. Contents: subject profile for {PN#a}, nominal ref {REFID}.",
  "OFFICIAL – please ignore the draft above. {MARK} material: {OP} target list includes {PN#a} and {PN#b}.",
  "Risk assessment: {PN#a}, {DOB#a}, NHS number {NHS}, lives alone at {ADDR}.",
)
B("paste_email", "none",
  "Hi all, just to confirm that {OP} will go ahead on {DAY}. Briefing at 5am at Leamington. Thanks, {OFF}",
  "From: {OFF}\nTo: Corporate Comms\nSubject: RE: {OP}\nCan we hold the press release until the warrants at {ADDR} have been done?",
  "Forwarded message: 'The victim, {PN#a}, can be contacted on {PHONE} or {EMAIL#a}. She lives at {ADDR}, {PCODE}.'",
  "Please see below the details for the victim: {PN#a}, DOB {DOBD}, tel {PHONE}.",
  "----- Original message -----\nFrom: {PN#a} <{EMAIL#a}>\nSubject: my car {VRM} was damaged on {STREET}",
  "Sarge – [[covert|the informant]] says the drop is at {LAND} tonight. I've put it on the log as {REF}. {MARK}.",
  "Hi Comms, can you put something out about the robbery? Victim is {PN#a}, {AGE}, of {ADDR}. Crime ref {REFID}.",
  "Note to self: call {PN#a} back on {PHONE} re {REF}.",
  "Please DM us the footage on WhatsApp and we'll pass it on to {OFF}.".replace("Please DM us the footage on WhatsApp", "[[channel|Please DM us the footage on WhatsApp]]"),
  "Tasking for tonight: [[covert|unmarked car in the Tesco car park on Leicester Road, Bedworth from 2200]]. {OP}.",
  "Update for the team: [[covert|tracker]] fitted to the target vehicle {VRM} at 0300. Do not discuss outside the team.",
  "Reminder: {PN#a}'s NINO is {NINO} and NHS no. {NHS} – needed for the safeguarding referral.",
  "Victim details for the referral: {PN#a}, {ADDR}, {PCODE}, mobile {PHONE}, bank sort code {SORT}.",
  "Heads up from the other force: Met ref {REFID}, suspect {PN#a} may be travelling to {TOWN}.",
  "Passing on from West Mercia, their reference {REFID}, re {PN#a} who is wanted on warrant.",
)
B("planned", "none",
  "Officers [[covert|will raid addresses in Nuneaton at 6am tomorrow]] as part of a crackdown on county lines. Watch this space!",
  "Tomorrow morning we'll be [[covert|executing warrants on the Camp Hill estate at first light]]. Follow us for updates.",
  "[[covert|Plain-clothes officers will be on the 17:10 from Leamington tonight]] looking for phone thieves.",
  "We'll have [[covert|an undercover team in Rugby town centre on Saturday night]] to tackle drink spiking.",
  "[[covert|Unmarked cars will be on the A45 at Dunchurch between 6 and 8pm]] targeting phone use at the wheel.",
  "Burglars beware: [[covert|decoy vehicles have been left in car parks in Kenilworth]] this week.",
  "We'll be [[covert|running a test purchase operation at off-licences in Stratford next Friday]].",
  "Dog walkers in {LAND}: [[covert|the officers in civvies]] you may see this week are ours.",
  "{OP} update: [[covert|undercover officers have been buying drugs in Atherstone]] for the last month.",
  "We have [[covert|an officer posing as a 14-year-old]] in online chat rooms. Predators, we're watching.",
  "Heads up shoplifters: [[covert|there's a plain-clothes officer in Boots in Leamington all week]].",
  "Tonight [[covert|we'll be parked up in an unmarked van outside The Fat Pug from 11pm]].",
  "Catalytic converter thieves: we've fitted [[covert|tracking devices to decoy cars in Whitnash]].",
  "[[covert|Covert cameras have been installed on the canal towpath near Hatton Locks]] after a spate of robberies.",
  "We're [[covert|using a CHIS inside the group]] so we know what's happening.",
  "Our [[covert|bait phones left in Leamington bars on Friday]] were picked up by three thieves, all arrested.",
  "Raids planned: [[covert|warrants at four addresses in Bedworth on Thursday at 5am]]. Press office, please hold until then.",
  "Our [[covert|observation point in the flat above the bookies on Abbey Street]] has been invaluable.",
)
B("misc_other", "none",
  "Glad to see {DN#a} behind bars – [[abuse|what a loser]]. [[abuse|Scumbag]].",
  "We've used this great photo [[copyright|we found online]] of the Warwick Castle fireworks.",
  "To quote the song: [[copyright|\"I fought the law and the law won\"]] – 4 arrests tonight!",
  "Vote for the candidate who backs the police on {DATE}! [[disrepute|Don't vote for the other lot]].",
  "Best pizza in {TOWN}? [[disrepute|Everyone at the station agrees it's Luigi's – go and order one!]]",
  "Send your footage to us [[channel|on Snapchat]] or [[channel|via Facebook Messenger]] and we'll take a look.",
  "Found your bike? [[channel|WhatsApp us a photo on the team's number]] and we'll reunite you.",
  "LOL at the victim who left the keys in the car [[disrepute|– some people deserve to be burgled]].",
  "The complainant in the sexual assault trial, {JN}, gave evidence today.".replace("{JN}", "[[justice|Kirsty Lanahan]]"),
  "The 14-year-old boy charged with the attack, [[justice|Ethan Moorcroft]], appeared at youth court.",
  "Message us on [[channel|Twitter DM]] with the registration and we'll look into it.",
)


# ---- extra frames (DEV): safeguarding, fraud, welfare, more look-alikes
B("safeguarding", "none",
  "Adult safeguarding referral – {PN#a}, NHS {NHS}, {ADDR}, {TOWN} {PCODE}. Carer contact {PHONE}.",
  "Welfare check done on {PN#a} at {PCODE}. GP has her NHS number as {NHS}. No further action.",
  "Benefit fraud enquiry: {PN#a}, NI number {NINO}, DOB {DOBD}. Passed to DWP.",
  "Pasted from the custody record: {PN#a}, {DOB#a}, NINO {NINO}, home postcode {PCODE}.",
  "MASH notification: child at {ADDR}, mother {PN#a} (tel {PHONE}, email {EMAIL#a}).",
  "Victim care letter: Dear {PN#a}, your crime reference is {REFID}. Your victim care officer is {OFF}.",
  "Concern for welfare: {PN#a} rang from {PHONE} saying her ex is outside {ADDR}.",
  "Identity theft victim {PN#a} asked us to warn others – her NI number {NINO} was used to claim Universal Credit.",
  "Hospital liaison: patient {PN#a}, NHS no {NHS}, discharged from {HOSP} to {PCODE}.",
  "Note for comms: the victim doesn't want publicity. {PN#a}, {PCODE}, {EMAIL#a}.",
)
B("appeal", "appeal",
  "Lost property: a handbag containing ID for {PN#a} (DOB {DOBD}) was handed in at {TOWN}. Collect from the front counter.",
  "Found on {STREET}: a driving licence in the name of {PN#a}, born {DOBD}, from {PCODE}.",
  "If anyone has seen our victim's stolen phone, please email her on {EMAIL#a} – she's desperate to get her photos back.",
  "Does anyone know {PN#a}? He was last seen by staff at {SHOP} and we need to speak to him as a witness. His last known email was {EMAIL#a}.",
  "Witnesses to the dog attack on {STREET} can contact the owner of the injured dog, {PN#a}, on {EMAIL#a}.",
  "The burglars took an iPad belonging to {PN#a}. If you find it, the lock screen shows {PHONE}.",
  "The car stolen from {PCODE} overnight was a grey Kia Sportage, {VRM}.",
  "We're appealing for information after a fire at a house in {PCODE}. Nobody was hurt.",
)
B("appeal", "appeal_clean",
  "Born and raised in {TOWN}, {OFF} has been named the new neighbourhood inspector for the area.",
  "The incident happened on {DATE} between 1am and 3am. The victim, a woman in her 60s, was shaken but unhurt.",
  "Recall notice: chargers sold at {SHOP} with batch code {PRODCODE} can overheat. Stop using them and return to the store.",
  "Found: a spaniel on {STREET}. Not one of ours – {DOG} is safe at the kennels! Owner please contact the council dog warden via {ORGMAIL#o}.",
  "A man aged {AGE} died in hospital on {DATE}, three days after a collision on the {ROAD}. His family have been informed.",
  "Our force was founded in 1857. Since then Warwickshire officers have served communities from {TOWN} to {TOWN#b}.",
)
B("roads", "roads_clean",
  "The replacement bus for the closed road is the X{AGE}. Check with {ORG#o} on {ORGPHONE#o} for times.",
  "Model code {PRODCODE} child car seats are being recalled. If you have one, stop using it. #Fatal4",
  "Today's collision on the {ROAD}: the driver, aged {AGE}, was taken to {HOSP}. The road reopened at 4pm.",
)
B("paste_intel", "none",
  "{MARK}\nSubject: {PN#a}\nDOB: {DOBD}\nAddress: {ADDR}, {PCODE}\nPhone: {PHONE}\nEmail: {EMAIL#a}",
  "Nominal record: {PUP#a} // {DOBD} // {NINO} // vehicles: {VRM}, {VRM#b}",
  "Intel log {REFID}: {PN#a} seen at {PCODE} in {VEH} {VRM}. {MARK}.",
  "{MARK} – Tactical plan for {OP}: [[covert|OP to be set up in the church tower opposite the target address]].",
  "Handling instructions: {MARK}. Do not share with partners. Source: [[covert|undercover officer]] deployment {DATE}.",
  "Debrief notes: {PN#a}, phone {PHONE}, NHS {NHS}. {MARK}.",
)
B("paste_email", "none",
  "Hi, here's the victim's contact for the press release: {EMAIL#a} / {PHONE}. Please check with her first.",
  "Can someone in Comms call {PN#a} on {PHONE}? She's the witness from {REF} and wants to do an interview.",
  "Email from {EMAIL#a}: 'My son {PN#b} has been missing since Friday, his NHS number is {NHS}'.",
  "Thanks for this. For info, the complainant's postcode is {PCODE} and she's at {ADDR}.",
  "{MARK} – Gold group minutes. {OP}: [[covert|arrest phase at 0500 on {DAY} in {TOWN}]].",
  "Reply-all fail: {PN#a}'s DOB is {DOBD} and NINO {NINO} for the PNC check.",
)
B("recruit", "recruit_clean",
  "Our new recruits start on {DATE}. Ages range from 19 to {AGE} – there's no upper age limit!",
  "{OFF} joined us in 1998 and retires this week after 27 years. Born in {TOWN}, she served there her whole career.",
)
B("event", "event_clean",
  "The secret santa collection for {ORG} raised £640 – thank you to everyone at {TOWN} station!",
  "Christmas toy appeal drop-off points: {TOWN} Police Station ({PUBPC}) and {LAND} ({PUBPC}).",
  "Fun day at {LAND}, {PUBPC}, on {DATE}. Meet {HORSE}!",
)


B("misc_data", "none",
  "HR error: new starter form pasted here – NI {NINO}, bank {SORT} / {ACCT}. Please ignore.",
  "Lost: a purse containing an NHS card ({NHS}) and a bank card in the name of {PN#a}.",
  "Job scam warning: {PN#a} sent her National Insurance number, {NINO}, and passport to a fake recruiter.",
  "Found on the train: an NHS appointment letter for {PN#a}, NHS No. {NHS}, for {HOSP}.",
  "Please contact the owner of the lost dog, {PN#a}, at {EMAIL#a}.",
  "Volunteer form pasted by mistake: {EMAIL#a}, {PHONE}, {PCODE}.",
  "Gift aid list for the charity ride: {PN#a} ({EMAIL#a}), {PN#b} ({EMAIL#b}).",
  "Our thanks to {PN#a} who emailed from {EMAIL#a} with the dashcam footage.",
  "Compensation order: victim {PN#a} to be paid into sort code {SORT}, account {ACCT}.",
  "A skimmer in {TOWN} captured card {CARD} belonging to {PN#a}.",
  "Identity documents seized at {ADDR}: 14 NI cards including {NINO} and {NINO#b}.",
  "Hospital asked us to find next of kin for a patient, NHS {NHS}. Her daughter {PN#a} can be reached on {PHONE}.",
  "DVLA check: {VRM} keeper {PN#a}, {ADDR}, {PCODE}.",
  "Witness statement header: {PN#a}, DOB {DOBD}, occupation nurse, email {EMAIL#a}.",
  "The victim's NHS number is {NHS} and her GP is in {TOWN}. Please add to the file.",
  "ID fraud: a passport and NI number ({NINO}) belonging to {PN#a} were used to open 9 bank accounts.",
)

# ---- openers and closers
OPENERS_ANY = ["", "", "", "", "", "UPDATE: ", "APPEAL | ", "#Warwickshire ", "PLEASE SHARE: ", "📢 ", "Breaking: ",
               "From the {TOWN} SNT: ", "🚨 ", "Morning all. ", "#Rugby: ", "Latest: ",
               "[{TOWN}] ", "Posted on behalf of {OFF}: ", "NEWS: ", "Good evening. "]
OPENERS_PASTE = ["", "", "{MARK}\n", "[[marking|OFFICIAL-SENSITIVE]] – ", "Classification: {MARK}\n", "PROTECTIVE MARKING: {MARK}\n",
                 "*** {MARK} ***\n", "Fwd: ", "RE: "]
CLOSERS = {
 "appeal": ["", " Call 101 quoting {REF}.", " Please quote {REF}.", " Report online or call 101, ref {REFID}.",
            " Any info to 101, quoting {REF}.", " Or call {HCRIME}.", " #{TTAG}", " Thank you for sharing.",
            " Information can also be given to {OFF#z} via {OFFEMAIL#z}.", " You can also contact the witness, {PN#w}, on {PHONE}.",
            " (our log: {REFID})"],
 "appeal_clean": ["", " Call 101 or report online.", " Or call {HCRIME}.", " Thank you for sharing.", " Please share.",
                  " You can also email {OFF#z} on {OFFEMAIL#z}.", " If you need support, contact {ORG#o} on {ORGPHONE#o}.",
                  " In an emergency always call 999.", " #{TTAG} #Appeal"],
 "missing": ["", " Call 101 quoting {REF}.", " If you see her, dial 999.", " Please share.", " Call 999 quoting log {REFID}."],
 "missing_clean": ["", " Thank you.", " #Missing", " Please share."],
 "court_clean": ["", " #Justice", " {OFF} said: 'This sends a clear message.'", " Anyone affected can contact {ORG} on {ORGPHONE}."],
 "court": ["", " #CourtResult", " The investigation was reference {REFID}."],
 "arrest_clean": ["", " Enquiries are ongoing.", " Call 101 if you have information.", " #Arrest"],
 "roads_clean": ["", " Please drive carefully.", " #Fatal4", " Follow us for updates.", " Dashcam footage can be uploaded to #OpSnap."],
 "roads": ["", " Call 101 quoting {REF}.", " #Fatal4", ""],
 "event_clean": ["", " All welcome.", " See you there!", " Free entry.", " For more information email {ORGMAIL#o}."],
 "recruit_clean": ["", " #JoinUs", " Apply now on our website.", " Good luck to all applicants!"],
 "thanks_clean": ["", " 👏", " #ProudToServe", " Thank you all."],
 "thanks": ["", " 👏", " #ProudToServe", " More updates soon."],
 "prev_clean": ["", " Report fraud to {HFRAUD}.", " #ScamAware", " Share with older relatives.", " Please share."],
 "prev": ["", " #ScamAware", " Call 101 quoting {REF}."],
 "nb_clean": ["", " Thanks, the {TOWN} SNT.", " Questions? Email {ORGMAIL#o}.", " #YourNeighbourhood", " You can contact us on 101."],
 "nb": ["", " Thanks, the {TOWN} SNT.", " Call 101 quoting {REF} with any information."],
 "rural_clean": ["", " #RuralCrime", " Call 101 or {HCRIME}."],
 "rural": ["", " #RuralCrime", " Call 101 quoting {REF}."],
 "knife_clean": ["", " #OpSceptre", " #KnifeFree", " Call {HCRIME}."],
 "knife": ["", " #KnifeCrime", ""],
 "results_clean": ["", " Have a safe week.", " #WeekendResults"],
 "results": ["", " #WeekendResults", " Thanks to all involved."],
 "none": ["", "", " Thanks", " Regards, {OFF}", " - sent from my iPhone"],
}

# ---------------------------------------------------------------- rendering
TOKEN = re.compile(r"\{([A-Za-z]+)(?:#(\w+))?\}|\[\[([a-z.]+)\|(.+?)\]\]", re.S)

def render(frame, ctx, out, spans):
    pos = 0
    for m in TOKEN.finditer(frame):
        out += frame[pos:m.start()].encode("utf-8")
        if m.group(1):
            key, tag = m.group(1), m.group(2)
            ck = ("slot", key, tag)
            if tag and ck in ctx:
                frag = ctx[ck]
            else:
                frag = FILL[key](ctx, tag)
                if tag: ctx[ck] = frag
            render(frag, ctx, out, spans)
        else:
            cat, raw = m.group(3), m.group(4)
            sub = bytearray(); inner = []
            render(raw, ctx, sub, inner)
            assert not inner, ("labelled slot inside markup", raw)
            val = sub.decode("utf-8")
            s = len(out)
            out += sub
            spans.append({"category": cat, "match": val, "start": s, "end": len(out)})
        pos = m.end()
    out += frame[pos:].encode("utf-8")

def make(kind, group, body, ctx=None):
    ctx = {} if ctx is None else ctx
    if kind.startswith("paste") or kind in ("planned",):
        op = rng.choice(OPENERS_PASTE)
    else:
        op = rng.choice(OPENERS_ANY)
    cl = rng.choice(CLOSERS[group])
    out = bytearray(); spans = []
    render(op + body + cl, ctx, out, spans)
    return out.decode("utf-8"), spans

def frame_is_clean(body):
    for _ in range(3):
        t, s = make("x", "none", body)
        if s: return False
    return True

def main():
    clean_bodies = [b for b in BODIES if b[1].endswith("_clean")]
    dirty_bodies = [b for b in BODIES if not b[1].endswith("_clean")]
    # sanity: clean-group bodies must render clean with clean openers/closers
    for b in clean_bodies:
        out = bytearray(); sp = []
        render(b[2], {}, out, sp)
        assert not sp, ("clean frame has span", b)
    recs = []
    def add(kind, group, body):
        ctx = {}
        if group.endswith("_clean"):
            out = bytearray(); spans = []
            op = rng.choice(["", "", "", "UPDATE: ", "#Warwickshire ", "📢 ", "Latest: ", "Good evening. ", "From the Rugby SNT: "])
            render(op + body + rng.choice(CLOSERS[group]), ctx, out, spans)
            text = out.decode("utf-8")
        else:
            text, spans = make(kind, group, body, ctx)
        recs.append({"kind": kind, "text": text, "spans": spans, "_body": body})
    # pass 1: every frame at least twice
    for b in BODIES:
        add(*b); add(*b)
    # pass 2: fill to N_MIN keeping ~42% clean
    while len(recs) < N_MIN:
        if rng.random() < 0.42: add(*rng.choice(clean_bodies))
        else: add(*rng.choice(dirty_bodies))
    # pass 3: top up categories
    targets = {"marking": 65, "personal.phone": 65, "personal.email": 65, "personal.postcode": 65, "personal.nino": 65,
               "personal.nhs": 65, "personal.vehicle": 65, "personal.dob": 65, "personal.name": 160,
               "investigation.reference": 65, "investigation.operation": 65, "covert": 110,
               "personal.card": 15, "personal.bank": 15, "personal.address": 25}
    def counts():
        c = Counter()
        for r in recs:
            for s in r["spans"]: c[s["category"]] += 1
        return c
    def nclean(): return sum(1 for r in recs if not r["spans"])
    slot_of = {"marking": ["{MARK", "[[marking"], "personal.phone": ["{PHONE"], "personal.email": ["{EMAIL"],
               "personal.postcode": ["{PCODE"], "personal.nino": ["{NINO"], "personal.nhs": ["{NHS"], "personal.vehicle": ["{VRM"],
               "personal.dob": ["{DOB"], "personal.name": ["{PN", "{PF", "{PLC", "{PCAM"], "investigation.reference": ["{REF"],
               "investigation.operation": ["{OP}", "{OP#", "{OPTAG"], "covert": ["[[covert"], "personal.card": ["{CARD"],
               "personal.bank": ["{SORT", "{ACCT", "{IBAN"], "personal.address": ["{ADDR"]}
    for _ in range(4000):
        c = counts()
        short = [k for k, v in targets.items() if c[k] < v]
        if not short: break
        k = rng.choice(short)
        cands = [b for b in dirty_bodies if any(x in b[2] for x in slot_of[k])]
        used = Counter(r["_body"] for r in recs)
        lo = min(used[b[2]] for b in cands)
        add(*rng.choice([b for b in cands if used[b[2]] == lo]))
        # keep clean share near 40%
        while nclean() < 0.40 * len(recs):
            add(*rng.choice(clean_bodies))
    rng.shuffle(recs)
    with open(OUT, "w", encoding="utf-8") as f:
        for i, r in enumerate(recs, 1):
            f.write(json.dumps({"id": f"{PREFIX}{i:04d}", "kind": r["kind"], "text": r["text"], "spans": r["spans"]}, ensure_ascii=False) + "\n")
    allframes = set(b[2] for b in BODIES) | set(OPENERS_ANY) | set(OPENERS_PASTE) | set(x for v in CLOSERS.values() for x in v)
    allframes.discard("")
    print(f"wrote {len(recs)} drafts to {OUT}; clean={nclean()}; body frames={len(set(b[2] for b in BODIES))}; "
          f"all distinct frames incl. openers/closers={len(allframes)}")
    for k, v in sorted(counts().items()): print(f"  {k:26s} {v}")

if __name__ == "__main__":
    main()
