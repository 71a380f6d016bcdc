#!/usr/bin/env python3
"""Generator for the SEALED half (sealed4.jsonl). Python 3.11, stdlib only, fixed seed.
Merges the hand-written drafts (hand_sealed_*.txt) with generated drafts from the frames below,
shuffles, assigns ids b4d-0001.. and writes sealed4.jsonl."""
import glob, json, os, random, re, unicodedata
from markup import render, load_hand

SEED = 9377215
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "sealed4.jsonl")
PREFIX = "b4s-"
TARGET = {"marking": 92, "personal.phone": 92, "personal.email": 92, "personal.postcode": 92,
          "personal.nino": 88, "personal.nhs": 88, "personal.card": 88, "personal.bank": 88,
          "personal.vehicle": 92, "personal.dob": 92, "personal.name": 240, "personal.address": 92,
          "investigation.reference": 90, "investigation.operation": 90, "covert": 132}

# ---------------- lists (sealed only) ----------------
FIRST = ["Fionnuala", "Cian", "Rhiannon", "Llŷr", "Isla", "Euan", "Manpreet", "Vikas", "Leela", "Jarosław",
         "Bożena", "Tunde", "Ifeoma", "Njeri", "Baraka", "Quang", "Xinyi", "Kenji", "Ha-eun", "Donncha",
         "Clodagh", "Nerys", "Darrell", "Jade", "Kieron", "Tia", "Emre", "Elif", "Réka", "Mindaugas", "Rasa",
         "Tatenda", "Yaw", "Akosua", "Shahid", "Parveen", "Anan", "Halina", "Costel", "Ionela", "Gordon", "Phoebe"]
SURNAME = ["Lavery", "Cunningham", "Pryce-Evans", "Tudor", "MacKinnon", "Lamont", "Grewal", "Bhardwaj", "Nair",
           "Wiśniewski", "Krawczyk", "Okoro", "Eze-Williams", "Wanjiku", "Mutua", "Pham", "Zhou", "Kobayashi",
           "Jung", "Ó Dochartaigh", "Nic Giolla", "Pennington", "Slater", "Ashby", "Aydın", "Çelik", "Szabó",
           "Kazlauskas", "Vaitkutė", "Chikwanha", "Asamoah", "Boakye", "Iqbal", "Khatun", "Boonmee", "Wójtowicz",
           "Dumitrescu", "Lungu", "Fairclough", "Rudd-Marsh", "Toal"]
TOWNS = ["Leamington Spa", "Warwick", "Kenilworth", "Nuneaton", "Bedworth", "Rugby", "Stratford",
         "Atherstone", "Coleshill", "Studley", "Kineton", "Bidford-on-Avon", "Henley-in-Arden", "Dunchurch"]
STREETS = ["Tachbrook Street", "Plymouth Place", "Lower Avenue", "Hollis Road", "Kingsway Road",
           "Coventry Street", "Ashlawn Road", "Gloucester Street", "Bawnmore Road", "Cymbeline Way", "Rowley Road",
           "Tiverton Drive", "Rosefield Street", "Ansley Road", "Lindsey Crescent", "Avon Road", "Kipling Road",
           "Ettington Road"]
PC_AREAS = ["CV31", "CV32", "CV33", "CV35", "CV8", "CV10", "CV11", "CV12", "CV21", "CV22", "CV23", "CV37", "B50", "B80", "B95"]
OPS = ["Operation Tamarisk", "Op Whinchat", "Operation Juniper", "Op Saltire", "OPERATION HALYARD",
       "op. cobble", "Operation Greywether", "Op Ironbridge", "Operation Haybarn", "Operation Blackthorn Gate",
       "Op Velocette", "Operation Sandpiper", "Op Carrowmore", "Operation Redwing"]
OP_TAGS = ["OpMarlstone", "OpSandpiper", "OperationRedwing", "opcarrowmore"]
CAMPAIGNS = ["Op Sceptre", "Operation Snap", "Op Encompass", "Operation Close", "Op Makesafe",
             "Op Limelight", "Operation Tutelage", "#OperationSceptre", "#OpEncompass", "#OpLimelight"]
MARKINGS = ["OFFICIAL-SENSITIVE", "OFFICIAL - SENSITIVE", "Official Sensitive", "Restricted", "RESTRICTED",
            "Confidential", "CONFIDENTIAL", "SECRET", "Protect", "Official-Sensitive"]
OFFICERS = ["PC Bethany Orme", "PCSO Rafiq Chowdhury", "DC Lorna Buckley", "Sgt Ade Olatunji", "Insp Meera Kapoor",
            "DS Grant Pollitt", "PC Niall Devlin", "Supt Fiona Haworth"]
DEFENDANTS = ["Jordan Pettifer", "Kyle Ensor", "Sasha Dyer", "Mitchell Haynes", "Gheorghe Stoica",
              "Tyrone Quaye", "Neil Boswell", "Dale Cuthbert"]
DOGS = ["PD Tilly", "PD Odin", "PD Jax", "PD Willow", "police horse Sovereign"]
PUBLIC_PLACES = [("Leamington Police Station front counter, Hamilton Terrace", "CV32 4LY"),
                 ("the Nuneaton Justice Centre front desk, Vicarage Street", "CV11 4JU"),
                 ("Rugby Police Station, Corporation Street", "CV21 2DW"),
                 ("Stratford Police Station, Rother Street", "CV37 6RD"),
                 ("Stratford Library, Henley Street", "CV37 6PZ"),
                 ("Rugby Town Hall, Evreux Way", "CV21 2RR"),
                 ("Atherstone Memorial Hall, Long Street", "CV9 1AX")]
HELP_SCAM = ["Action Fraud (0300 123 2040)", "101", "Citizens Advice consumer helpline, 0808 223 1133"]
HELP_TALK = ["the 24-hour National Domestic Abuse Helpline, 0808 2000 247", "Samaritans (116 123)",
             "Childline (0800 1111)", "Victim Support on 0808 168 9111", "NHS 111 (option 2 for mental health)"]
HELP_REPORT = ["101", "999 in an emergency", "Crimestoppers anonymously on 0800 555 111",
               "the anti-terrorist hotline, 0800 789 321, for anything terror-related", "Warwick District Council on 01926 450000 for fly-tipping"]
ORG_EMAILS = ["enquiries@warwickshire.police.uk", "positiveaction@warwickshire.police.uk",
              "info@rugbyfoodbank.org.uk", "press@stratford-dc.gov.uk", "bookings@kenilworthcentre.co.uk"]
NAMESAKE_PLACES = ["George Eliot Hospital", "Shakespeare's Birthplace", "the Rupert Brooke statue",
                   "Queen Elizabeth Road", "Elgar Close", "the Nelson Club", "Dickens Road", "St Peter's Church"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
MON3 = [x[:3] for x in MONTHS]
LET = "ABCDEFGHJKLMNOPRSTUVWXY"

R = random.Random(SEED)

def m(code, v):
    return "{%s|%s}" % (code, v)

def ordinal(d):
    return f"{d}{'th' if 11 <= d <= 13 else {1: 'st', 2: 'nd', 3: 'rd'}.get(d % 10, 'th')}"

# ---------------- notations (sealed) ----------------
def phone():
    k = R.random()
    if k < 0.3: return m("PH", f"0044 7{R.randint(300,999)} {R.randint(100,999)} {R.randint(100,999)}")
    if k < 0.55: return m("PH", f"07{R.randint(300,999)}-{R.randint(100,999)}-{R.randint(100,999)}")
    if k < 0.75: return m("PH", f"07{R.randint(300,999)}{R.randint(100000,999999)}")
    if k < 0.88: return m("PH", f"+48 {R.randint(500,799)} {R.randint(100,999)} {R.randint(100,999)}")
    return m("PH", f"01788-{R.randint(500000,599999)}")

def dob(cue=True):
    y, mo, d = R.randint(1938, 2007), R.randint(1, 12), R.randint(1, 28)
    k = R.random()
    if k < 0.4: return ("d.o.b. " if cue else "") + m("DOB", f"{y}-{mo:02d}-{d:02d}")
    if k < 0.7: return ("date of birth: " if cue else "") + m("DOB", f"{ordinal(d)} {MONTHS[mo-1]} {y % 100:02d}")
    return ("b. " if cue else "") + m("DOB", f"{d:02d}.{mo:02d}.{y % 100:02d}")

def nino():
    a = R.choice("ABCEGHJKLMNPRSTWXYZ"); b = R.choice("ABCEGHJKLMNPRSTWXYZ")
    return m("NI", f"{a}{b}{R.randint(100000,999999)}{R.choice('ABCD')}")

def nhs():
    while True:
        d = [R.randint(0, 9) for _ in range(9)]
        c = 11 - sum((10 - i) * x for i, x in enumerate(d)) % 11
        if c == 11: c = 0
        if c != 10: break
    s = "".join(map(str, d + [c]))
    return m("NHS", s if R.random() < 0.5 else f"{s[:3]}-{s[3:6]}-{s[6:]}")

def card():
    d = [5, R.randint(1, 5)] + [R.randint(0, 9) for _ in range(13)]
    tot = 0
    for i, x in enumerate(reversed(d)):
        y = x * 2 if i % 2 == 0 else x
        tot += y - 9 if y > 9 else y
    s = "".join(map(str, d + [(10 - tot % 10) % 10]))
    return m("CARD", s if R.random() < 0.5 else "-".join(s[i:i+4] for i in range(0, 16, 4)))

def sortcode(): return "s/c " + m("BANK", f"{R.randint(100000,999999)}")
def account(): return "a/c " + m("BANK", f"{R.randint(10000000,99999999)}")
def iban():
    return m("BANK", f"GB{R.randint(10,99)} {R.choice(['NWBK','BARC','LOYD','HBUK','MIDL'])} {R.randint(1000,9999)} {R.randint(1000,9999)} {R.randint(1000,9999)} {R.randint(10,99)}")

def vrm():
    k = R.random()
    if k < 0.45:
        s = f"{R.choice(LET)}{R.choice(LET)}{R.choice(['14','16','18','20','22','24','63','65','67','69','71','73'])}{''.join(R.choice(LET) for _ in range(3))}"
    elif k < 0.7:
        s = f"{R.choice('ABCDEFGHJKLMNPRSTVWXY')}{R.randint(1,999)} {''.join(R.choice(LET) for _ in range(3))}"
    else:
        s = f"{''.join(R.choice(LET) for _ in range(3))} {R.randint(1,999)}{R.choice('ABCDEFGHJKLMNPRSTVWXY')}"
    return m("VRM", s.lower() if R.random() < 0.15 else s)

def postcode():
    p = f"{R.choice(PC_AREAS)}{R.randint(1,9)}{R.choice('ABDEFGHJLNPQRSTUWXY')}{R.choice('ABDEFGHJLNPQRSTUWXY')}"
    return m("PC", p.lower() if R.random() < 0.3 else p)

def address():
    k = R.random()
    if k < 0.7: return m("ADDR", f"{R.randint(1,160)}{R.choice(['', '', 'a', 'b'])} {R.choice(STREETS)}")
    return m("ADDR", f"Apartment {R.randint(1,30)}, {R.choice(['Regency House', 'Mill Court', 'Avon Lodge'])}, {R.choice(STREETS)}")

def ref():
    k = R.random()
    if k < 0.35: return "ref " + m("REF", f"WK-2024-{R.randint(1,999999):06d}")
    if k < 0.6: return "occurrence " + m("REF", f"24000{R.randint(100000,999999)}")
    if k < 0.8: return "log " + m("REF", f"{R.randint(1,999):04d} of {R.randint(1,28)} {R.choice(MON3)}")
    if k < 0.9: return "Met ref " + m("REF", f"MPS-CAD {R.randint(1000,9999)}/{R.randint(1,28)}{R.choice(MON3)}")
    return "GMP log " + m("REF", f"GMP-24-{R.randint(1000,99999)}")

def op():
    if R.random() < 0.2: return "#" + m("OP", R.choice(OP_TAGS))
    return m("OP", R.choice(OPS))

def email(f, s):
    u = re.sub(r"[^a-z]", "", unicodedata.normalize("NFKD", f.lower()).encode("ascii", "ignore").decode()) or "user"
    v = re.sub(r"[^a-z]", "", unicodedata.normalize("NFKD", s.lower()).encode("ascii", "ignore").decode()) or "x"
    dom = R.choice(["icloud.com", "protonmail.com", "sky.com", "yahoo.co.uk", "wp.pl", "aol.com", "live.co.uk"])
    return m("EM", R.choice([f"{u}_{v}@{dom}", f"{v}.{u}{R.randint(1,9)}@{dom}", f"{u[:3]}{v}{R.randint(1950,2006)}@{dom}"]))

def person():
    return R.choice(FIRST), R.choice(SURNAME)

def slots():
    f, s = person()
    f2, s2 = person()
    while f2 == f: f2, s2 = person()
    place, ppc = R.choice(PUBLIC_PLACES)
    return {
        "NAME": m("N", f"{f} {s}"), "FIRST": m("N", f), "LNAME": m("N", f"{f} {s}".lower()),
        "TAG": m("N", re.sub(r"[\s'-]", "", f + s)), "SURNAME": m("N", s), "UPNAME": m("N", f"{s.upper()} {f}"),
        "NAME2": m("N", f"{f2} {s2}"), "FIRST2": m("N", f2), "UPNAME2": m("N", f"{s2.upper()} {f2}"),
        "PHONE": phone(), "PHONE2": phone(), "EMAIL": email(f, s), "EMAIL2": email(f2, s2),
        "PC": postcode(), "PC2": postcode(), "ADDR": address(), "ADDR2": address(),
        "DOB": dob(), "DOB2": dob(), "DOBV": dob(False), "NINO": nino(), "NINO2": nino(), "NHS": nhs(), "NHS2": nhs(),
        "NHS3": nhs(), "CARD": card(), "CARD2": card(), "CARD3": card(), "SORT": sortcode(), "ACC": account(),
        "IBAN": iban(), "IBAN2": iban(), "VRM": vrm(), "VRM2": vrm(), "REF": ref(), "REF2": ref(), "OP": op(), "OP2": op(),
        "MARK": m("MARK", R.choice(MARKINGS)), "TOWN": R.choice(TOWNS), "STREET": R.choice(STREETS),
        "AGE": str(R.randint(16, 91)), "OFFICER": R.choice(OFFICERS), "DEF": R.choice(DEFENDANTS), "DOG": R.choice(DOGS),
        "PUBPLACE": place, "PUBPC": ppc, "HELP": R.choice(HELP_REPORT), "HELPS": R.choice(HELP_SCAM), "HELPT": R.choice(HELP_TALK), "ORGMAIL": R.choice(ORG_EMAILS),
        "CAMPAIGN": R.choice(CAMPAIGNS), "NAMESAKE": R.choice(NAMESAKE_PLACES),
        "TIME": R.choice(["0500", "05:45", "6.30am", "first light", "8pm", "21:00", "midnight"]),
        "DAY": R.choice(["Mon", "Tues", "Weds", "Thurs", "Fri", "Sat", "Sun"]),
        "DATE": f"{ordinal(R.randint(1,28))} {R.choice(MONTHS)}", "NUM": str(R.randint(1000, 9999999)),
        "YEAR": str(R.randint(1850, 2015)),
    }

# ---------------- frames (sealed only) ----------------
DIRTY = [
    ("appeal", "📢 Help us find who attacked <NAME> in <TOWN> on <DAY>. <FIRST> is still in hospital. Info: 101, <REF>."),
    ("appeal", "Break-in reported at <ADDR>, <PC>. Victim <UPNAME> says jewellery was taken. <REF>."),
    ("appeal", "Stolen overnight from <STREET>, <TOWN>: a grey Audi A3, <VRM>, belonging to <NAME>. <REF>."),
    ("appeal", "anyone got doorbell footage from <STREET>?? <LNAME>'s van got done over last night. <REF>"),
    ("missing", "🔴 MISSING 🔴 <NAME> (<AGE>) — <TOWN>. Last contact <DAY>. Family on <PHONE>. <REF>."),
    ("missing", "Still no sign of <FIRST>. If you've seen <NAME> please call 999. #Bring<TAG>Home"),
    ("missing", "Have you seen <FIRST2>? <NAME2>, <AGE>, was last seen getting into <VRM> on <STREET>."),
    ("arrest", "Arrest in <TOWN>: <NAME>, <AGE>, detained this morning under <OP>. Enquiries continue."),
    ("arrest", "<OP>: <NAME> arrested at <ADDR>, <PC>; <NAME2> arrested in <VRM> on the A45."),
    ("arrest", "Day 3 of <OP> — <UPNAME> in custody, <VRM> seized, <REF>."),
    ("roads", "Stopped on the M40: <VRM>, no MOT, no insurance. Keeper <NAME> of <ADDR>, <PC>."),
    ("roads", "Hit and run on <STREET>, <TOWN>. Victim <NAME> (<AGE>). Suspect car <VRM>, also seen <VRM2>. <REF>."),
    ("scam", "Victim <NAME> gave their card details — <CARD> — to a fake 'bank investigator'. <REF>."),
    ("scam", "<NAME> of <TOWN> moved £<NUM> from <SORT> <ACC> after a call from 'the fraud team'."),
    ("scam", "Crypto scam: <NAME> transferred savings out of <IBAN>. Second victim <NAME2>: <IBAN2>."),
    ("scam", "Fraud file (not for release): <UPNAME> — <CARD> / <CARD2> — <SORT> <ACC> — <EMAIL>."),
    ("intel_paste", "<MARK>\nNOMINAL: <UPNAME>\n<DOB>\nNI <NINO>\n<ADDR>, <TOWN>, <PC>\nMOB <PHONE>\nVEH <VRM>"),
    ("intel_paste", "[<MARK>] Intel: <NAME> storing drugs at <ADDR>, <PC>. Contacts: <PHONE>, <EMAIL>. Friend <NAME2>."),
    ("intel_paste", "<MARK> // <OP> // {COV|covert camera on the lamp post outside <STREET> shops} confirms <NAME> visiting daily in <VRM>."),
    ("intel_paste", "<MARK>\nAssociates: <UPNAME> (<EMAIL>, <PC>); <UPNAME2> (<EMAIL2>, <PC2>). Subjects of <OP2>."),
    ("nominal_paste", "PERSON\n> <UPNAME>\n> <DOB>\n> NI: <NINO>\n> NHS: <NHS>\n> <EMAIL>\n> <PHONE>"),
    ("nominal_paste", "<UPNAME> ~ <DOBV> ~ <NINO> ~ <NHS> ~ <ADDR> ~ <PC>"),
    ("nominal_paste", "<MARK> detained persons <DAY>:\n- <UPNAME> <DOB> NHS <NHS> <NINO>\n- <UPNAME2> <DOB2> NHS <NHS2> <NINO2>"),
    ("email_fwd", ">>> Forwarded\nFrom: <EMAIL>\nRe: <REF>\nHello, this is <FIRST>, can someone ring me on <PHONE>?"),
    ("email_fwd", "FWD: witness <NAME> (<DOB>) — <EMAIL> — <PHONE>. Please add to the appeal. Thanks, <OFFICER>"),
    ("email_fwd", "From: <OFFICER>\nRe: <MARK> <OP>\n{COV|Static observation from the church tower on <STREET> from <TIME> <DAY>} — need volunteers."),
    ("email_fwd", "From: <OFFICER>\nRe: <OP> / <OP2>\n{COV|CHIS meeting <DAY> at <TIME>}; {COV|bait phone placed in <TOWN> library}. <MARK>."),
    ("safeguarding", "<MARK> MARAC\nVictim: <NAME>, <DOB>, NHS <NHS>\nAddr: <ADDR>, <PC>\nSafe number: <PHONE>"),
    ("safeguarding", "Adult safeguarding — <NAME> (NI <NINO>) at risk of cuckooing by <NAME2>. Contact <EMAIL>."),
    ("safeguarding", "Hospital discharge list: <UPNAME> NHS <NHS>; <UPNAME2> NHS <NHS2>; unnamed male NHS <NHS3>. Going to <ADDR>, <PC>."),
    ("planned_ops", "<OP>: {COV|doors go in at <TIME> <DAY> on <STREET>, <TOWN>} — briefing at <TOWN> nick 1hr before."),
    ("planned_ops", "<MARK> <OP> — {COV|covert officers on the <TIME> bus from <TOWN> <DAY>}."),
    ("planned_ops", "{COV|Plain car sat at the top of <STREET>, <TOWN> from <TIME> <DAY>} — we know who you are 😉"),
    ("planned_ops", "Just a heads up <TOWN> 🚔 {COV|search warrant on <STREET> at <TIME> <DAY>}. Don't say we didn't warn you."),
    ("planned_ops", "<OP> + <OP2>: {COV|entry at <TIME> <DAY>}, {COV|spotters in the car park behind <STREET>}."),
    ("covert_casual", "Another win for our {COV|undercover test purchasers} in <TOWN> — <OP> is working."),
    ("covert_casual", "{COV|Decoy parcel on <STREET>} snatched at 11am. Thief caught at 11:02. <OP> 💪"),
    ("covert_casual", "Kudos to the {COV|officers in civvies} out on <OP> in <TOWN>."),
    ("covert_casual", "{COV|Number plate camera on <STREET>, <TOWN>} clocked <VRM> — stolen last week."),
    ("covert_casual", "Cheers to {COV|our source inside the <TOWN> group} — <OP> got the guns off the street."),
    ("other_force", "Help another force out: they want to trace a man linked to a burglary who may be in <TOWN>. Quote <REF>."),
    ("csv_paste", "\"name\";\"dob\";\"mobile\";\"email\"\n\"<NAME>\";\"<DOBV>\";\"<PHONE>\";\"<EMAIL>\"\n\"<NAME2>\";\"<DOBV>\";\"<PHONE2>\";\"<EMAIL2>\""),
    ("csv_paste", "reg | keeper | pc\n<VRM> | <UPNAME> | <PC>\n<VRM2> | <UPNAME2> | <PC2>"),
    ("csv_paste", "Cards seized (<OP>) —\n<CARD>\n<CARD2>\n<CARD3>"),
    ("thanks", "Massive thanks to <NAME>, who gave first aid on <STREET> until paramedics arrived. You're a hero, <FIRST>! 🦸"),
    ("thanks", "Thank you to all the partners who made <OP> such a success in <TOWN>."),
    ("neighbourhood", "Partial closure order: <ADDR>, <TOWN>, <PC>. Tenant <NAME> told to leave."),
    ("marking", "<MARK> — staffing plan for the <TOWN> Christmas lights."),
    ("marking", "Protective marking: <MARK>. Internal only — neighbourhood priorities for <TOWN>."),
]
CLEAN = [
    ("event", "Drop-in at <PUBPLACE>, <PUBPC>, <DAY> <DATE>. Tea's on us ☕"),
    ("event", "Free cycle marking at <PUBPLACE> (<PUBPC>) on the <DATE>. 🚲"),
    ("event", "<DOG> will be at the <TOWN> Christmas market on the <DATE> — come and meet them! 🐾"),
    ("scam", "Phone scam? Put the phone down and call <HELPS>."),
    ("scam", "<TOWN> doorstep crime warning: never pay up front. Advice from <HELPS>."),
    ("safeguarding", "Need to talk? Try <HELPT>. You are not alone. 💚"),
    ("knife", "<CAMPAIGN> in <TOWN>: surrender your knives at <PUBPLACE>, <PUBPC>, no questions asked."),
    ("knife", "<CAMPAIGN> results are in — thank you <TOWN>!"),
    ("press", "Our team joined staff at <NAMESAKE> in <TOWN> this afternoon for a safety briefing."),
    ("roads", "<STREET>, <TOWN> closed on the <DATE> for the parade. Plan ahead."),
    ("roads", "<STREET> in <TOWN> has reopened following an earlier collision."),
    ("recruitment", "Join our Specials! Questions? Email <ORGMAIL>. Closing date: <DATE>."),
    ("recruitment", "Careers drop-in at <PUBPLACE>, <PUBPC>. Chat to <OFFICER> about life in policing."),
    ("thanks", "Top work from <OFFICER> and <DOG> tracking a burglar across <TOWN> last night."),
    ("thanks", "Happy retirement <OFFICER> — <NUM> days of service! (we counted) 🎉"),
    ("court", "Jailed: <DEF>, <AGE>, of <TOWN>, for robbery. Sentenced at Warwick Crown Court on the <DATE>."),
    ("court", "Convicted: <DEF> of <STREET>, <TOWN>, found guilty of ABH after trial."),
    ("neighbourhood", "We've stepped up patrols in <TOWN> after your concerns about <STREET>."),
    ("neighbourhood", "You'll see us out and about in <TOWN> this weekend — come and say hi 👋"),
    ("neighbourhood", "The <TOWN> team were at <NAMESAKE> today, talking crime prevention."),
    ("press", "Journalists: please direct enquiries to <ORGMAIL>."),
    ("community", "Celebrating Vaisakhi with the <TOWN> community at <PUBPLACE> on the <DATE> 🙏"),
    ("marking", "Secret Santa at <TOWN> station raised £<NUM> for the food bank. 🎁"),
    ("marking", "Restricted access on <STREET>, <TOWN> on the <DATE> for tree felling."),
    ("marking", "This post is OFFICIAL and fine to share: <TOWN> drink-drive campaign dates announced."),
    ("appeal", "Found: a bike with frame number <NUM> in <TOWN>. That number is the bike's, not a crime reference — call 101 if it's yours."),
    ("appeal", "The collision happened on the <DATE> on <STREET>. Dashcam footage? Call <HELP>."),
    ("rural", "Rural crime surgery at <PUBPLACE>, <PUBPC>, the <DATE>. Farmers welcome 🐄"),
    ("rural", "<TOWN> rural team out on patrol this week. Suspicious activity? Call <HELP>."),
    ("community", "In <YEAR>, <NAMESAKE> opened its doors in <TOWN>. Happy anniversary!"),
]

def fill(frame):
    sl = slots()
    return re.sub(r"<([A-Z0-9]+)>", lambda mo: sl[mo.group(1)], frame)

def cats(frame):
    text, spans = render(fill(frame))
    return {s["category"] for s in spans}

def main():
    hand = [r for f in sorted(glob.glob(os.path.join(HERE, "hand_sealed_*.txt"))) for r in load_hand(f)]
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
