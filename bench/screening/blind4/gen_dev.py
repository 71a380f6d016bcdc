#!/usr/bin/env python3
"""Generator for the DEV half (dev4.jsonl). Python 3.11, stdlib only, fixed seed.
Merges the hand-written drafts (hand_dev_*.txt) with generated drafts from the frames below,
shuffles, assigns ids b4d-0001.. and writes dev4.jsonl."""
import glob, json, os, random, re, unicodedata
from markup import render, load_hand

SEED = 4104
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "dev4.jsonl")
PREFIX = "b4d-"
TARGET = {"marking": 92, "personal.phone": 92, "personal.email": 92, "personal.postcode": 92,
          "personal.nino": 88, "personal.nhs": 88, "personal.card": 88, "personal.bank": 88,
          "personal.vehicle": 92, "personal.dob": 92, "personal.name": 240, "personal.address": 92,
          "investigation.reference": 90, "investigation.operation": 90, "covert": 132}

# ---------------- lists (dev only) ----------------
FIRST = ["Declan", "Saoirse", "Owain", "Ffion", "Catriona", "Alasdair", "Harpreet", "Rajesh", "Sunita",
         "Przemysław", "Grażyna", "Oluwaseun", "Chinonso", "Wanjiru", "Kiplagat", "Thu Trang", "Jia Hui",
         "Takumi", "Soo-ah", "Ruairí", "Máire", "Bethan", "Glenn", "Kayleigh", "Brandon", "Courtney",
         "Mehmet", "Zeynep", "Ilona", "Vytautas", "Dovilė", "Tendai", "Kwabena", "Ama", "Farhan",
         "Rukhsana", "Somchai", "Ewa", "Florin", "Luminița", "Lewis", "Abigail", "Gráinne", "Iestyn"]
SURNAME = ["Gallacher", "Moriarty", "Bevan", "Prosser", "Mackintosh", "Urquhart", "Sidhu", "Malhotra",
           "Chaudhry", "Kowalski", "Szymańska", "Adegoke", "Nwachukwu", "Kamau", "Otieno", "Nguyen",
           "Lim", "Watanabe", "Yoon", "Ó Conaill", "Ní Dhuibhir", "Thickett", "Rowbotham", "Hadley",
           "Yılmaz", "Demir", "Kovács", "Jankauskas", "Petrauskaitė", "Moyo", "Owusu", "Ofori-Atta",
           "Rahman", "Begum-Ali", "Srisuk", "Dąbrowska", "Stan", "Popa", "Whitehouse", "Cheema", "Coyle"]
TOWNS = ["Leamington", "Warwick", "Kenilworth", "Nuneaton", "Bedworth", "Rugby", "Stratford-upon-Avon",
         "Atherstone", "Coleshill", "Alcester", "Southam", "Shipston-on-Stour", "Wellesbourne", "Polesworth"]
STREETS = ["Willes Road", "Northumberland Road", "Cross Road", "Gulson Road", "Bond End", "Orchard Way",
           "Hawkesbury Lane", "Dunnose Close", "Arden Road", "Bishops Close", "Manor Park Road", "Grange Road",
           "Holly Walk", "Beverley Road", "Ansell Way", "Riverside Walk", "Seymour Road", "Brookside Avenue"]
PC_AREAS = ["CV31", "CV32", "CV34", "CV8", "CV10", "CV11", "CV12", "CV21", "CV22", "CV37", "CV9", "B46", "B49", "CV47"]
OPS = ["Operation Thornbury", "Op Millrace", "Operation Quarryman", "Operation Bracken", "Op Lodestar",
       "Operation Fieldfare", "Op Harrowgate", "Operation Saddleback", "OPERATION KINGFISHER BAY", "Op Tarn",
       "Operation Ribbonweed", "Op Bellwether", "Operation Ashgrove", "Operation Flintlock"]
OP_TAGS = ["OpFieldfare", "OpTarn", "OpBellwether", "OperationAshgrove"]
CAMPAIGNS = ["Operation Sceptre", "Op Snap", "Operation Encompass", "Op Close", "Operation Makesafe",
             "Operation Limelight", "Op Tutelage", "#OpSceptre", "#OpSnap"]
MARKINGS = ["OFFICIAL-SENSITIVE", "OFFICIAL SENSITIVE", "Official-Sensitive", "RESTRICTED", "CONFIDENTIAL",
            "SECRET", "PROTECT", "OFFICIAL – SENSITIVE", "TOP SECRET"]
OFFICERS = ["PC Gareth Lowe", "PCSO Aisling Carey", "DC Femi Adeyinka", "Sgt Karen Moult", "Insp Dev Bhatt",
            "DS Joanna Pryce", "PC Tomás Ruane", "Ch Insp Helen Aston"]
DEFENDANTS = ["Connor Blythe", "Nathaniel Rudd", "Gemma Tolley", "Ashley Vickers", "Marius Cojocaru",
              "Jermaine Osei", "Stuart Pagett", "Leigh Hemming"]
DOGS = ["PD Nala", "PD Bear", "PD Ziggy", "PD Storm", "police horse Monty"]
PUBLIC_PLACES = [("Leamington Police Station, Hamilton Terrace", "CV32 4LY"),
                 ("Nuneaton Justice Centre, Vicarage Street", "CV11 4JU"),
                 ("Rugby Police Station, Corporation Street", "CV21 2DW"),
                 ("Stratford Police Station, Rother Street", "CV37 6RD"),
                 ("Warwickshire Police HQ, Leek Wootton", "CV35 7QA"),
                 ("Bedworth Civic Hall, High Street", "CV12 8NF"),
                 ("Kenilworth Library, Smalley Place", "CV8 1QG")]
HELP_SCAM = ["Action Fraud on 0300 123 2040", "101", "Warwickshire Trading Standards via the council on 01926 410410"]
HELP_TALK = ["the National Domestic Abuse Helpline on 0808 2000 247", "Samaritans on 116 123", "Childline on 0800 1111",
             "Crimestoppers on 0800 555 111", "101"]
HELP_REPORT = ["101", "Crimestoppers on 0800 555 111", "999 if a crime is in progress",
               "the anti-terrorist hotline on 0800 789 321 if it looks like terrorism"]
ORG_EMAILS = ["contactus@warwickshire.police.uk", "press@warwickshire.police.uk", "info@wcc-events.org.uk",
              "enquiries@warwickdc.gov.uk", "bookings@leamingtonassembly.co.uk"]
NAMESAKE_PLACES = ["Shakespeare Hospital", "Florence Nightingale Ward", "Winston Churchill Road",
                   "George Eliot Hospital", "Rupert Brooke Road", "Lady Godiva statue", "Mary Ann Evans Hospice"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
LET = "ABCDEFGHJKLMNOPRSTUVWXY"

R = random.Random(SEED)

def m(code, v):
    return "{%s|%s}" % (code, v)

# ---------------- notations (dev) ----------------
def phone():
    n = R.randint(100000, 999999)
    k = R.random()
    if k < 0.45: return m("PH", f"07{R.randint(300,999)} {n}")
    if k < 0.7: return m("PH", f"+44 7{R.randint(300,999)} {n}")
    if k < 0.85: return m("PH", f"01926 {R.randint(300000,899999)}")
    return m("PH", f"(01788) {R.randint(500000,599999)}")

def dob(cue=True):
    y, mo, d = R.randint(1940, 2006), R.randint(1, 12), R.randint(1, 28)
    k = R.random()
    if k < 0.5: return ("DOB " if cue else "") + m("DOB", f"{d:02d}/{mo:02d}/{y}")
    return ("born " if cue else "") + m("DOB", f"{d} {MONTHS[mo-1]} {y}")

def nino():
    a = R.choice("ABCEGHJKLMNPRSTWXYZ"); b = R.choice("ABCEGHJKLMNPRSTWXYZ")
    return m("NI", f"{a}{b} {R.randint(10,99)} {R.randint(10,99)} {R.randint(10,99)} {R.choice('ABCD')}")

def nhs():
    while True:
        d = [R.randint(0, 9) for _ in range(9)]
        c = 11 - sum((10 - i) * x for i, x in enumerate(d)) % 11
        if c == 11: c = 0
        if c != 10: break
    s = "".join(map(str, d + [c]))
    return m("NHS", f"{s[:3]} {s[3:6]} {s[6:]}")

def card():
    while True:
        d = [4] + [R.randint(0, 9) for _ in range(14)]
        tot = 0
        for i, x in enumerate(reversed(d)):
            y = x * 2 if i % 2 == 0 else x
            tot += y - 9 if y > 9 else y
        c = (10 - tot % 10) % 10
        s = "".join(map(str, d + [c]))
        return m("CARD", " ".join(s[i:i+4] for i in range(0, 16, 4)))

def sortcode(): return m("BANK", f"{R.randint(10,99)}-{R.randint(10,99)}-{R.randint(10,99)}")
def account(): return m("BANK", f"{R.randint(10000000,99999999)}")

def vrm():
    s = f"{R.choice(LET)}{R.choice(LET)}{R.choice(['15','16','17','18','19','20','21','22','23','64','65','66','67','68','69','70','71','72','73'])} {''.join(R.choice(LET) for _ in range(3))}"
    return m("VRM", s.lower() if R.random() < 0.12 else s)

def postcode():
    return m("PC", f"{R.choice(PC_AREAS)} {R.randint(1,9)}{R.choice('ABDEFGHJLNPQRSTUWXY')}{R.choice('ABDEFGHJLNPQRSTUWXY')}")

def address():
    k = R.random()
    if k < 0.75: return m("ADDR", f"{R.randint(1,140)} {R.choice(STREETS)}")
    return m("ADDR", f"Flat {R.randint(1,12)}, {R.randint(1,60)} {R.choice(STREETS)}")

def ref():
    k = R.random()
    if k < 0.45: return "crime reference " + m("REF", f"23/{R.randint(10000,99999)}/24")
    if k < 0.75: return "incident " + m("REF", f"{R.randint(1,999):04d} of {R.randint(1,28)}/{R.randint(1,12)}/2024")
    if k < 0.9: return "crime number " + m("REF", f"23WK/{R.randint(1000000,9999999):07d}")
    return "West Mercia ref " + m("REF", f"22/{R.randint(10000,99999)}/24")

def op():
    if R.random() < 0.2: return "#" + m("OP", R.choice(OP_TAGS))
    return m("OP", R.choice(OPS))

def email(f, s):
    u = re.sub(r"[^a-z]", "", unicodedata.normalize("NFKD", f.lower()).encode("ascii", "ignore").decode()) or "user"
    v = re.sub(r"[^a-z]", "", unicodedata.normalize("NFKD", s.lower()).encode("ascii", "ignore").decode()) or "x"
    dom = R.choice(["gmail.com", "hotmail.co.uk", "outlook.com", "yahoo.co.uk", "btinternet.com"])
    return m("EM", R.choice([f"{u}.{v}{R.randint(1,99)}@{dom}", f"{u[0]}{v}@{dom}", f"{u}{v}{R.randint(70,99)}@{dom}"]))

def person():
    f, s = R.choice(FIRST), R.choice(SURNAME)
    return f, s

def slots():
    f, s = person()
    f2, s2 = person()
    while f2 == f: f2, s2 = person()
    place, ppc = R.choice(PUBLIC_PLACES)
    return {
        "NAME": m("N", f"{f} {s}"), "FIRST": m("N", f), "LNAME": m("N", f"{f} {s}".lower()),
        "TAG": m("N", re.sub(r"[\s'-]", "", f + s)), "SURNAME": m("N", s), "UPNAME": m("N", f"{s.upper()}, {f}"),
        "NAME2": m("N", f"{f2} {s2}"), "FIRST2": m("N", f2),
        "PHONE": phone(), "PHONE2": phone(), "EMAIL": email(f, s), "PC": postcode(), "ADDR": address(),
        "DOB": dob(), "DOBV": dob(False), "NINO": nino(), "NHS": nhs(), "CARD": card(), "SORT": sortcode(),
        "ACC": account(), "VRM": vrm(), "VRM2": vrm(), "REF": ref(), "OP": op(), "MARK": m("MARK", R.choice(MARKINGS)),
        "TOWN": R.choice(TOWNS), "STREET": R.choice(STREETS), "AGE": str(R.randint(17, 88)),
        "OFFICER": R.choice(OFFICERS), "DEF": R.choice(DEFENDANTS), "DOG": R.choice(DOGS),
        "PUBPLACE": place, "PUBPC": ppc, "HELP": R.choice(HELP_REPORT), "HELPS": R.choice(HELP_SCAM), "HELPT": R.choice(HELP_TALK), "ORGMAIL": R.choice(ORG_EMAILS),
        "CAMPAIGN": R.choice(CAMPAIGNS), "NAMESAKE": R.choice(NAMESAKE_PLACES),
        "TIME": R.choice(["6am", "05:30", "0600", "7pm", "10pm", "11.30pm", "4am"]),
        "DAY": R.choice(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]),
        "DATE": f"{R.randint(1,28)} {R.choice(MONTHS)}", "NUM": str(R.randint(100000, 99999999)),
        "CARD2": card(), "CARD3": card(), "NHS2": nhs(), "NHS3": nhs(), "NINO2": nino(), "SORT2": sortcode(),
        "ACC2": account(), "OP2": op(), "EMAIL2": email(f2, s2), "PC2": postcode(), "ADDR2": address(),
        "UPNAME2": m("N", f"{s2.upper()}, {f2}"), "DOB2": dob(),
    }

# ---------------- frames (dev only) ----------------
DIRTY = [
    ("appeal", "Witness appeal: <NAME>, <AGE>, was assaulted on <STREET>, <TOWN>, on <DAY> night. <FIRST> needed hospital treatment. Call 101 quoting <REF>."),
    ("appeal", "Burglary at <ADDR>, <TOWN> <PC>. The homeowner, <NAME>, returned to find the back door forced. Call 101 quoting <REF>."),
    ("appeal", "Can you help? A car, <VRM>, was stolen from outside <NAME>'s home on <STREET> overnight. Ref: <REF>."),
    ("appeal", "we need ur help!! <LNAME> had her purse taken on <STREET> in <TOWN> – anyone see anything pls call 101 ref <REF>"),
    ("missing", "MISSING: <NAME>, <AGE>, from <TOWN>. <FIRST> was last seen on <STREET> on <DAY>. Please call 999 quoting <REF>. #Find<TAG>"),
    ("missing", "Please share 🙏 We are concerned for <NAME>. <FIRST> may be driving a black Vauxhall, <VRM>. If you see <FIRST>, call 999."),
    ("missing", "#Missing <TAG> — <FIRST>, <AGE>, has not been seen since <DAY>. Family contact: <PHONE>."),
    ("arrest", "A man has been arrested in <TOWN> on suspicion of burglary. <NAME>, <AGE>, of <ADDR>, remains in custody."),
    ("arrest", "Arrested today as part of <OP>: <NAME> and <NAME2>. Both have been released on bail."),
    ("arrest", "<OP> update: one arrest in <TOWN> this morning, <VRM> seized."),
    ("roads", "Vehicle <VRM> was stopped on the A46 near <TOWN> — no insurance. Driver <NAME> reported and car seized."),
    ("roads", "Collision on <STREET>, <TOWN>. Driver of <VRM>, <NAME>, taken to hospital. Other car: <VRM2>."),
    ("scam", "Fraud victim <NAME> (<AGE>) from <TOWN> was tricked into giving card <CARD> to a caller posing as their bank."),
    ("scam", "<NAME> lost £<NUM> after moving savings from sort code <SORT>, account <ACC> to a fraudster's account. Please warn older relatives."),
    ("scam", "Victim details for the courier fraud file: <NAME>, <DOB>, card <CARD>, sort code <SORT> account <ACC>."),
    ("intel_paste", "<MARK>\nSubject: <UPNAME>\n<DOB>\nNINO <NINO>\nAddress: <ADDR>, <TOWN> <PC>\nTel: <PHONE>\nVehicle: <VRM>"),
    ("intel_paste", "<MARK> – Intelligence: <NAME> believed to be supplying from <ADDR>, <PC>. Mobile <PHONE>. Associate <NAME2>."),
    ("intel_paste", "[<MARK>] <OP>: target <NAME> uses <VRM> and <EMAIL>. {COV|Observation point in the flat opposite} from <DAY>."),
    ("nominal_paste", "Nominal record\nName: <UPNAME>\n<DOB>\nNI: <NINO>\nNHS: <NHS>\nEmail: <EMAIL>\nPhone: <PHONE>"),
    ("nominal_paste", "<NAME> | <DOBV> | <NINO> | <NHS> | <ADDR> <PC>"),
    ("nominal_paste", "Custody record extract: <UPNAME>, <DOB>, NHS <NHS>, next of kin <NAME2> on <PHONE2>."),
    ("email_fwd", "---------- Forwarded message ----------\nFrom: <EMAIL>\nSubject: my stolen bike\nHi, it's <FIRST> again. My number is <PHONE>. Crime ref <REF>."),
    ("email_fwd", "FW: appeal draft — victim <NAME> (<DOB>) happy for first name only. Email <EMAIL>, tel <PHONE>. Ta, <OFFICER>"),
    ("email_fwd", "From: <OFFICER>\nSubject: <MARK> – <OP> briefing\nPlease don't circulate. {COV|Covert cameras go up on <STREET> on <DAY>}."),
    ("safeguarding", "<MARK>\nVictim <NAME>, <DOB>, NHS <NHS>, lives at <ADDR> <PC>. Risk: high. Contact via <PHONE> only."),
    ("safeguarding", "Referral re <NAME> (NINO <NINO>), concerns about financial abuse by <NAME2>. Email <EMAIL>."),
    ("planned_ops", "Team: <OP> — {COV|warrants at <TIME> on <DAY> at addresses on <STREET>, <TOWN>}. Kit up at <TOWN> station."),
    ("planned_ops", "<MARK> <OP> – {COV|plain-clothes officers on the <TOWN> train at <TIME> <DAY>}."),
    ("planned_ops", "{COV|Unmarked cars will be parked on <STREET>, <TOWN> from <TIME> on <DAY>} to catch the cruisers. 😎"),
    ("planned_ops", "Heads up <TOWN>: {COV|we'll be raiding an address on <STREET> at <TIME> <DAY>}. Watch this space."),
    ("covert_casual", "Our {COV|test purchase officers} visited shops in <TOWN> today as part of <OP>."),
    ("covert_casual", "The {COV|bait van on <STREET>} got broken into again — one arrest. <OP> strikes again!"),
    ("covert_casual", "Shoutout to the {COV|undercover officers} working <OP> in <TOWN> this week."),
    ("covert_casual", "{COV|ANPR camera on <STREET> in <TOWN>} flagged <VRM> at 2am. Driver arrested."),
    ("covert_casual", "Thanks to {COV|the informant} the stolen tools were found. <OP> continues."),
    ("other_force", "Our colleagues need your help: man wanted by another force may be in <TOWN>. Quote <REF>."),
    ("csv_paste", "name,dob,phone,email\n<NAME>,<DOBV>,<PHONE>,<EMAIL>\n<NAME2>,<DOBV>,<PHONE2>,"),
    ("csv_paste", "VRM\tKeeper\tPostcode\n<VRM>\t<NAME>\t<PC>\n<VRM2>\t<NAME2>\t<PC>"),
    ("thanks", "Thank you to <NAME> who stopped to help after the crash on <STREET>. <FIRST>, you were brilliant."),
    ("thanks", "Thanks to everyone who supported <OP> — the team made 11 arrests in <TOWN>."),
    ("neighbourhood", "Closure order granted for <ADDR>, <TOWN> <PC>. Occupier <NAME> must leave by <DAY>."),
    ("marking", "<MARK> — briefing note for <TOWN> SNT: shoplifting hotspots this week."),
    ("csv_paste", "Cards found in the glovebox of <VRM> (<OP>):\n<CARD>\n<CARD2>\n<CARD3>\nOwners being traced."),
    ("scam", "Skimmer victims so far (do not publish): <NAME> <CARD>; <NAME2> <CARD2>. Account <SORT> <ACC>."),
    ("nominal_paste", "<MARK> custody list <DAY>\n1. <UPNAME> <DOB> NHS <NHS> NI <NINO>\n2. <UPNAME2> <DOB2> NHS <NHS2> NI <NINO2>"),
    ("safeguarding", "Hospital liaison: patients <NAME> (NHS <NHS>) and <NAME2> (NHS <NHS2>) discharged to <ADDR>, <PC>. Third casualty NHS <NHS3>."),
    ("scam", "Mule accounts identified: <SORT> <ACC> (<NAME>) and <SORT2> <ACC2> (<NAME2>). Email <EMAIL>."),
    ("email_fwd", "From: <OFFICER>\nSubject: <MARK> <OP> / <OP2> deconfliction\n{COV|Surveillance on <STREET> from <TIME> <DAY>}; {COV|tracker} fitted to <VRM>."),
    ("intel_paste", "<MARK>\nLinked nominals: <NAME> (<EMAIL>, <PC>) and <NAME2> (<EMAIL2>, <PC2>). Both on <OP2>."),
    ("planned_ops", "<OP> and <OP2> joint day of action: {COV|entry teams at <TIME>} at <ADDR2>, {COV|dog unit hidden at the rear on <STREET>}."),
    ("marking", "Classification: <MARK>. Do not share outside the neighbourhood team."),
]
CLEAN = [
    ("event", "Meet your local team at <PUBPLACE>, <PUBPC> on <DAY> <DATE>, 10am-12pm."),
    ("event", "Bike marking at <PUBPLACE>, <PUBPC>. Bring proof of ownership! 🚲"),
    ("event", "Say hello to <DOG> at the <TOWN> summer fete on <DATE>! 🐕"),
    ("scam", "Think you've been scammed? Call <HELPS>. Never move money to a 'safe account'."),
    ("scam", "Courier fraud warning for <TOWN>: police will never collect your cash or card. Report it to <HELPS>."),
    ("safeguarding", "If you're worried about someone, call <HELPT>. You don't have to give your name."),
    ("knife", "<CAMPAIGN> week in <TOWN>: knife surrender bins at <PUBPLACE>, <PUBPC>."),
    ("knife", "Thanks to everyone who supported <CAMPAIGN> this month. Together we're tackling knife crime."),
    ("press", "Our officers were at <NAMESAKE> in <TOWN> today for a community event."),
    ("roads", "Road closure on <STREET>, <TOWN> on <DATE> for resurfacing. Diversions in place."),
    ("roads", "Collision on <STREET>, <TOWN>: the road has now reopened. Thanks for your patience."),
    ("recruitment", "Want to join us? Email <ORGMAIL> for an application pack. Applications close <DATE>."),
    ("recruitment", "Open evening at <PUBPLACE>, <PUBPC>, <DAY> 6pm. Meet <OFFICER> and the team."),
    ("thanks", "Thank you to <OFFICER> and <DOG> for finding a missing man near <TOWN> last night. 🐾"),
    ("thanks", "Congratulations to <OFFICER> on 25 years' service! 🎉"),
    ("court", "<DEF>, <AGE>, of <TOWN>, was jailed for burglary at Warwick Crown Court on <DATE>."),
    ("court", "Sentenced: <DEF> of <STREET>, <TOWN>, given a suspended sentence for shoplifting."),
    ("neighbourhood", "<TOWN> SNT have increased patrols around <STREET> after residents' concerns about ASB."),
    ("neighbourhood", "Officers will be patrolling <TOWN> town centre this weekend. Come and say hello!"),
    ("neighbourhood", "Our <TOWN> team visited <NAMESAKE> to chat to staff about security."),
    ("press", "Media enquiries: please contact <ORGMAIL>. We can't comment on ongoing investigations."),
    ("community", "Happy Diwali from the <TOWN> team! 🪔 Stall at <PUBPLACE> on <DATE>."),
    ("marking", "Our secret Santa raised £<NUM> for charity in <TOWN>. Well done all 🎅"),
    ("marking", "Restricted parking on <STREET>, <TOWN> on <DATE> for the carnival."),
    ("marking", "Classification: OFFICIAL — public information about the <TOWN> drink-drive campaign."),
    ("appeal", "Property found in <TOWN>: lost item number <NUM> is a bike frame number, not a crime reference. Call 101 to claim."),
    ("appeal", "The incident happened on <DATE> on <STREET>, <TOWN>. Anyone with dashcam footage, call <HELP>."),
    ("rural", "Farm watch meeting at <PUBPLACE>, <PUBPC> on <DATE>. All welcome 🚜"),
    ("rural", "Rural crime team patrols continue around <TOWN>. Report anything suspicious to <HELP>."),
]

def fill(frame):
    sl = slots()
    return re.sub(r"<([A-Z0-9]+)>", lambda mo: sl[mo.group(1)], frame)

def cats(frame):
    text, spans = render(fill(frame))
    return {s["category"] for s in spans}

def main():
    hand = [r for f in sorted(glob.glob(os.path.join(HERE, "hand_dev_*.txt"))) for r in load_hand(f)]
    counts = {}
    for r in hand:
        for s in r["spans"]:
            counts[s["category"]] = counts.get(s["category"], 0) + 1
    gen = []
    def add(kind, frame):
        text, spans = render(fill(frame))
        gen.append({"kind": kind, "text": text, "spans": spans, "src": "gen"})
        for s in spans:
            counts[s["category"]] = counts.get(s["category"], 0) + 1
    # every dirty frame at least twice, then top up the least-satisfied categories
    for k, fr in DIRTY * 2:
        add(k, fr)
    frame_cats = [(k, fr, cats(fr)) for k, fr in DIRTY]
    while True:
        short = [c for c, t in TARGET.items() if counts.get(c, 0) < t]
        if not short:
            break
        c = min(short, key=lambda c: counts.get(c, 0) / TARGET[c])
        options = [(len(cs & set(short)) + R.random() * 0.5, k, fr) for k, fr, cs in frame_cats if c in cs]
        best = max(options)
        add(best[1], best[2])
    # clean drafts: each clean frame at least 3 times, then enough for >= 45% clean overall
    for k, fr in CLEAN * 3:
        add(k, fr)
    def clean_share():
        allr = hand + gen
        return sum(1 for r in allr if not r["spans"]) / len(allr)
    while clean_share() < 0.44:
        add(*R.choice(CLEAN))
    print(counts, len(gen))
    assert len(gen) <= len(hand), (len(gen), len(hand))
    rows = hand + gen
    R.shuffle(rows)
    with open(OUT, "w", encoding="utf-8") as f:
        for i, r in enumerate(rows, 1):
            f.write(json.dumps({"id": f"{PREFIX}{i:04d}", "kind": r["kind"], "text": r["text"], "spans": r["spans"]},
                               ensure_ascii=False) + "\n")
    print(f"wrote {OUT}: {len(rows)} drafts ({len(hand)} hand-written, {len(gen)} generated), "
          f"clean {sum(1 for r in rows if not r['spans'])}")

if __name__ == "__main__":
    main()
