#!/usr/bin/env python3
"""Generator for blind evaluation set dev2 (seeded, reproducible).
Frames contain {slot} placeholders; each slot generator returns (text, category|None).
Category None = clean filler. Offsets are UTF-8 byte offsets."""
import json, random, re, sys
SEED = 20261202
rng = random.Random(SEED)
R = lambda xs: rng.choice(xs)

# ---------------- filler lists ----------------
FIRST = ["Roisin","Amira","Tomasz","Kwame","Siobhan","Priya","Callum","Zainab","Dmitri","Aoife","Oluwaseun","Mei","Hamza","Bethany",
 "Gurpreet","Ewa","Jamal","Niamh","Luca","Fatima","Connor","Ayesha","Kacper","Chiamaka","Rhys","Sana","Bogdan","Megan","Imran","Ioana",
 "Dylan","Nkechi","Harvey","Yusuf","Keeley","Arjun","Marta","Declan","Leila","Ravi","Shannon","Mohammed","Agnieszka","Tyrone","Xin",
 "Paddy","Jolene","Sven","Kirsty","Ahmed","Lorna","Nikolai","Precious","Ruairi","Simran","Gavin","Tamsin","Abdullahi","Elif","Wojciech"]
LAST = ["Gallagher","Khan","Nowak","Mensah","O'Donnell","Patel","McAllister","Hussain","Volkov","Byrne","Adeyemi","Zhang","Chaudhry",
 "Whitmore","Sandhu","Kowalczyk","Bakr","Doherty","Romano","Begum","Pritchard","Malik","Wisniewski","Okafor","Llewellyn","Iqbal",
 "Popescu","Hughes","Rahman","Dumitru","Evans","Nwosu","Tranter","Yilmaz","Bains","Ferreira","Kavanagh","Haddad","Sharma","Cartwright",
 "Ali","Lewandowski","Campbell","Li","Fitzgerald","Danquah","Ashworth","Mahmood","Novak","Greaves","Abubakar","Ozturk","Szymanski","Reid"]
DOUBLE = ["Fox-Templeton","Ahmed-Clarke","Hughes-Nowak","Vaughan-Jones","Bell-Okoro","St John-Smythe","Lloyd-Patel","Ross-Adebayo"]
NICK = [("Daniel","Danny"),("Robert","Bobby"),("Margaret","Peggy"),("Anthony","Tony"),("Oluwaseun","Seun"),("Aleksander","Olek"),
        ("Elizabeth","Lizzie"),("Mohammed","Mo"),("Christopher","Kit"),("Patrick","Paddy")]
OFFICERS = ["PC Hannah Jones","DS Amira Khan","Sgt Lee Dawson","DC Tom Price","Inspector Raj Bassi","Ch Insp Claire Morton","PCSO Ollie Grant",
 "DI Sarah Wheeler","Superintendent Mark Ellis","Detective Sergeant Fiona Dunne","PC 2231 Kerry Walsh","Chief Constable Alex Franklin",
 "PCSO Bal Sidhu","Sergeant Joe Pearce","DCI Helen Okoro","Insp. Gary Tate"]
TOWNS = ["Leamington","Nuneaton","Rugby","Warwick","Stratford","Bedworth","Kenilworth","Atherstone","Alcester","Coleshill","Southam",
 "Shipston","Wellesbourne","Polesworth","Studley","Bulkington","Henley-in-Arden","Whitnash","Hartshill","Dordon"]
STREETS = ["Mill Lane","Clarendon Avenue","Tachbrook Road","Queens Road","Lawford Road","Church Street","Coventry Road","Hollis Road",
 "Bridge Street","Priory Road","Newbold Road","Weddington Road","Birmingham Road","Avenue Road","Windmill Close","Hawthorn Way",
 "Orchard Crescent","Station Approach","Parkfield Drive","Kingfisher Grove"]
SHOPS = ["the Co-op on Parade","Tesco Express","the Nag's Head","the Royal Oak","Greggs","Warwick Hospital","George Eliot Hospital",
 "the Bear & Ragged Staff","Boots","Lidl","the Jolly Farmer","Sainsbury's Local","the Black Horse"]
DOGS = ["PD Blaze","police dog Tilly","PD Rocco","our dog Kaiser","PD Nell","police horse Duke"]
OPS = ["Kestrel","Greyhound","Lantern","Halberd","Mistral","Bramble","Corvid","Anvil","Tundra","Juniper","Falconer","Quarry","Osprey",
 "Marigold","Thunderbolt","Saltire","Vesper","Hazel","Redwing","Copperfield","Nightjar","Garnet","Palisade","Wolfsbane"]
PUBLIC_OPS = ["Sceptre","Snap","Encompass","Close","Makesafe","Limelight","Tutelage"]
DEFENDANTS = ["Wayne Barker","Leon Fairclough","Stacey Hollins","Jordan Mbeki","Kieran Slater","Aleksandra Marek","Dean Whitlock",
 "Nathan Oyelaran","Craig Pountney","Lewis Danaher","Shabir Akhtar","Ryan McGuigan"]
MONTHS = ["January","February","March","April","May","June","July","August","September","October","November","December"]
MON3 = [m[:3] for m in MONTHS]
ITEMS = ["a grey Hyundai i30","a black Audi A3","a white Transit van","a red Ford Fiesta","a silver VW Golf","a blue Nissan Qashqai",
 "a green Land Rover Defender","a Vauxhall Corsa","a black Range Rover Evoque","a white Ford Ranger pickup"]

# ---------------- slot generators ----------------
def g_phone():
    d = lambda n: "".join(str(rng.randint(0,9)) for _ in range(n))
    m = "7" + d(9)
    a = d(6); std = R(["1926","24","1788","121","1789","2476","1827","1675","1295"])
    forms = [
      "0"+m, "0%s %s"%(m[:4],m[4:]), "0%s %s %s"%(m[:4],m[4:7],m[7:]), "+44 %s %s"%(m[:4],m[4:]), "+44 (0)%s %s"%(m[:4],m[4:]),
      "0044 %s %s %s"%(m[:4],m[4:7],m[7:]), "+44%s"%m, "0%s-%s-%s"%(m[:4],m[4:7],m[7:]), "0%s.%s.%s"%(m[:4],m[4:7],m[7:]),
      "(0%s) %s"%(m[:4],m[4:]), "0%s %s"%(m[:5],m[5:]), "07 %s %s %s"%(m[1:4],m[4:7],m[7:]),
      "(01926) %s"%a, "01926 %s"%a, "01788-%s"%a, "(0%s) %s %s"%(std,d(3),d(4)) if len(std)==2 else "(0%s) %s"%(std,d(6)),
      "024 76%s %s"%(d(2),d(4)), "0121 %s %s"%(d(3),d(4)), "+44 1926 %s"%a, "01827 %s"%a, "01926%s"%a,
      "+353 87 %s %s"%(d(3),d(4)), "+48 %s %s %s"%(d(3),d(3),d(3)), "+1 (415) %s-%s"%(d(3),d(4)), "+40 7%s %s %s"%(d(2),d(3),d(3)),
      "+91 98%s %s"%(d(3),d(5)), "00353 86 %s %s"%(d(3),d(4)), "+33 6 %s %s %s %s"%(d(2),d(2),d(2),d(2)),
      "0%s %s %s"%(m[:3],m[3:6],m[6:]), "o7%s"%m[1:] if False else "0%s %s"%(m[:6],m[6:]),
    ]
    return R(forms)
PHONE_CUES = ["on","tel:","Tel.","mob.","mobile","Mob:","call her on","ring him on","his number is","contact no.","ph:","m:",
              "reachable on","number:","tel","landline"]
def g_email():
    f=R(FIRST).lower().replace("'",""); l=R(LAST).lower().replace("'","").replace(" ","")
    dom=R(["gmail.com","hotmail.co.uk","yahoo.co.uk","outlook.com","btinternet.com","icloud.com","live.co.uk","sky.com","wp.pl","protonmail.com"])
    return R([f"{f}.{l}@{dom}", f"{f}{rng.randint(1,99)}@{dom}", f"{f[0]}{l}{rng.randint(80,99)}@{dom}", f"{l}_{f}@{dom}",
              f"{f.capitalize()}.{l.capitalize()}@{dom}", f"{f}-{l}@{dom}", f"bigdave{rng.randint(10,999)}@{dom}"])
def g_pc():
    area=R(["CV","CV","B","LE","OX","GL","WR","NN"]); dist=rng.randint(1,47)
    inward=f"{rng.randint(0,9)}{R('ABDEFGHJLNPQRSTUWXYZ')}{R('ABDEFGHJLNPQRSTUWXYZ')}"
    s=f"{area}{dist}"
    return R([f"{s} {inward}", f"{s}{inward}", f"{s} {inward}".lower(), f"{s}  {inward}", f"{s}{inward}".lower(), f"{s} {inward}"])
def g_nino():
    p=R(["AB","JT","NP","ZR","WK","CE","TN","SH","OP"]).replace("O","P"); n=[str(rng.randint(0,9)) for _ in range(6)]; s=R("ABCD")
    n="".join(n)
    return R([f"{p}{n}{s}", f"{p} {n[:2]} {n[2:4]} {n[4:]} {s}", f"{p.lower()}{n}{s.lower()}", f"{p}-{n[:2]}-{n[2:4]}-{n[4:]}-{s}", f"{p} {n} {s}"])
def g_nhs():
    n="".join(str(rng.randint(0,9)) for _ in range(10))
    return R([f"{n[:3]} {n[3:6]} {n[6:]}", n, f"{n[:3]}-{n[3:6]}-{n[6:]}", f"{n[:3]}.{n[3:6]}.{n[6:]}", f"{n[:3]} {n[3:6]}{n[6:]}"])
def g_card():
    n="4"+"".join(str(rng.randint(0,9)) for _ in range(15)); n2="5"+n[1:]
    x=R([n,n2])
    return R([x, " ".join(x[i:i+4] for i in range(0,16,4)), "-".join(x[i:i+4] for i in range(0,16,4)),
              "3"+R("47")+"".join(str(rng.randint(0,9)) for _ in range(13)), x[:4]+"  "+x[4:8]+"  "+x[8:12]+"  "+x[12:]])
def g_sort():
    a=[f"{rng.randint(0,99):02d}" for _ in range(3)]
    return R(["-".join(a), " ".join(a), "".join(a), ".".join(a)])
def g_acct():
    return "".join(str(rng.randint(0,9)) for _ in range(8))
def g_iban():
    b=R(["NWBK","BARC","LOYD","HBUK","MIDL"]); s="".join(str(rng.randint(0,9)) for _ in range(14)); c=f"{rng.randint(10,99)}"
    r=f"GB{c}{b}{s}"
    return R([r, " ".join(r[i:i+4] for i in range(0,len(r),4)), r.lower() if rng.random()<0.2 else r])
L="ABCDEFGHJKLMNOPRSTUVWXY"
def g_vrm():
    a=lambda n:"".join(R(L) for _ in range(n)); y=R(["12","15","18","19","21","23","24","66","68","70","71","73","74","62","07","58"])
    cur=a(2)+y; rest=a(3)
    forms=[f"{cur} {rest}", f"{cur}{rest}", f"{cur} {rest}".lower(), f"{cur}{rest}".lower(), f"{cur[:2]}.{cur[2:]}.{rest}",
           f"{R(L)}{rng.randint(1,999)} {a(3)}", f"{R(L)}{rng.randint(1,999)}{a(3)}", f"{a(3)} {rng.randint(1,999)}{R(L)}",
           f"{a(3)}{rng.randint(10,999)}{R(L)}".lower(), f"{a(3)} {rng.randint(1,9999)}", f"{cur}-{rest}", f"{cur} {rest}"]
    return R(forms)
def g_dob():
    d=rng.randint(1,28); mi=rng.randint(1,12); y=rng.randint(1942,2011); M=MONTHS[mi-1]
    suf="th" if 11<=d<=13 else {1:"st",2:"nd",3:"rd"}.get(d%10,"th")
    return R([f"{d:02d}/{mi:02d}/{y}", f"{d}/{mi}/{str(y)[2:]}", f"{d} {M} {y}", f"{d}{suf} {M} {y}", f"{y}-{mi:02d}-{d:02d}",
              f"{d:02d}.{mi:02d}.{y}", f"{d}-{MON3[mi-1]}-{y}", f"{M} {d}, {y}", f"{d}{suf} {M[:3]} '{str(y)[2:]}", f"{d:02d}{mi:02d}{y}",
              f"{d:02d}-{mi:02d}-{str(y)[2:]}", f"{d} {MON3[mi-1].upper()} {y}", f"{d}{suf} of {M} {y}"])
def g_addr():
    return R([f"{rng.randint(1,140)} {R(STREETS)}", f"Flat {rng.randint(1,12)}, {rng.randint(2,60)} {R(STREETS)}",
              f"{rng.randint(1,90)}{R('ab')} {R(STREETS)}", f"{rng.randint(1,60)} {R(STREETS).lower()}"])
def g_ref():
    y=R(["23","24","25"]); Y="20"+y; d=lambda n:"".join(str(rng.randint(0,9)) for _ in range(n))
    dd=rng.randint(1,28); mm=rng.randint(1,12)
    return R([f"23/{d(5)}/{y}", f"{d(2)}/{d(6)}/{y}", f"WK-{Y}-{d(6)}", f"{d(4)} of {dd} {R(MONTHS)}", f"{d(4)} of {dd}/{mm}/{Y}",
              f"{Y}{d(7)}", f"{y}{d(9)}", f"MPS-CAD {d(4)}", f"GMP-{y}-{d(4)}", f"CAD{d(4)}/{dd:02d}{mm:02d}{y}", f"WMP-{d(8)}",
              f"{d(4)}-{dd:02d}{mm:02d}{y}", f"OIS {d(6)}/{y}", f"NFRC{y}{d(8)}", f"43/{d(6)}/{Y}", f"CRI/{Y}/{d(5)}", f"{d(3)} of {dd}.{mm}.{y}",
              f"WMP 20/{d(6)}/{y}", f"TVP-{Y}-{d(5)}", f"{d(5)}/{y}", f"STORM {d(4)}", f"athena {d(2)}WK{d(6)}{y}".split(" ",1)[1], f"{d(2)}WK/{d(6)}/{y}",
              f"LE-{d(6)}-{y}", f"#{d(4)}-{dd}{R(MON3)}", f"{dd:02d}/{mm:02d}/{y} - {d(4)}"])
def g_op():
    o=R(OPS)
    return R([f"Operation {o}", f"Op {o}", f"Op. {o}", f"Operation {o.upper()}", f"op {o.lower()}", f"#Op{o}", f"OP {o.upper()}",
              f"Operation '{o}'", f"Operation “{o}”", f"#Operation{o}", f"Op{o}", f"OPERATION {o.upper()}"])
def g_marking():
    return R(["OFFICIAL-SENSITIVE","OFFICIAL SENSITIVE","Official Sensitive","OFFICIAL - SENSITIVE","official-sensitive",
              "SECRET","TOP SECRET","RESTRICTED","CONFIDENTIAL","PROTECT","OFFICIAL–SENSITIVE","Official-Sensitive",
              "Top Secret","OFFICIAL [SENSITIVE]"])
def name_parts():
    r=rng.random()
    if r<0.12: f,n=R(NICK); return f, R(LAST), n
    if r<0.22: return R(FIRST), R(DOUBLE), None
    return R(FIRST), R(LAST), None
def g_name():
    f,l,n=name_parts()
    forms=[f"{f} {l}", f"{f} {l}", f"{l.upper()}, {f}", f"{f[0]}. {l}", f"{f[0]} {l}", f"{f.lower()} {l.lower()}",
           f"{l.upper()} {f}", f"{f} {R('ABCDEFGHJKLMNPRSTW')}. {l}", f"{f} {l.upper()}", f"{l}, {f}"]
    if n: forms += [f"{f} '{n}' {l}", f"{f} “{n}” {l}", f"{n} {l}"]*3
    return R(forms)
def g_first(): return R(FIRST)
def g_tag():
    f,l,n=name_parts(); return R([f"#Find{f}", f"#{f}{l.replace(' ','').replace(chr(39),'').replace('-','')}", f"#JusticeFor{f}", f"#Missing{f}", f"#{f.lower()}"])
def covert_tactic():
    t=R(TOWNS); s=R(STREETS)
    return R([f"an observation point in the flat above the bookies on {s}", f"test purchase officers in {t}",
              f"an undercover officer who has been buying from the group in {t}", f"a CHIS inside the {t} crew",
              f"our informant at the car wash on {s}", f"a tracker fitted to the suspect's van", f"a tracking device on the silver Golf",
              f"the ANPR camera on the A46 southbound by the {t} turn", f"ANPR on {s} just past the lights", f"a bait bike locked up outside the station in {t}",
              f"a decoy vehicle parked on {s}", f"a bait phone left in the {t} gym changing rooms", f"hidden cameras in the sheds on the {t} allotments",
              f"plain-clothes officers in {t} town centre", f"officers in civvies at the {t} skate park", f"an unmarked BMW parked up on {s}",
              f"unmarked cars at the Tesco car park in {t}", f"the OP in the church tower overlooking {s}", f"a covert camera on the lamp post outside number {rng.randint(1,80)}",
              f"a dummy parcel with a GPS tag on {s}", f"a source who's been feeding us the drop times", f"covert officers posing as buyers on Facebook Marketplace",
              f"an officer posing as a 14-year-old in the chatroom", f"a drone up over the {t} farms every night from 10pm", f"a camera hidden in the bird box by the gate",
              f"the trail cam in the hedge at the {t} lay-by", f"our UC in {t}", f"officers dressed as cyclists on the {t} towpath",
              f"a listening device in the {t} flat", f"the SmartWater-marked catalytic converters left on {s}", f"test purchases at the off-licence on {s}"])
def covert_planned():
    t=R(TOWNS); s=R(STREETS); tm=R(["at 6am tomorrow","at 5am on Thursday","first thing Tuesday","at 04:30 on Friday","tonight at 11","at 0600hrs Wednesday",
       "at dawn on the 14th","from 7pm Saturday","before the school run tomorrow","at 5.45am tomorrow","at half five tomorrow morning","on Sunday from 2am","this Friday night"])
    return R([f"officers will raid addresses in {t} {tm}", f"we're hitting three houses on {s} {tm}",
              f"plain-clothes officers will be on the 17:10 from {t} tonight", f"warrants will be executed in {t} {tm}",
              
              f"we'll be parked up in an unmarked car on {s} {tm}", f"the team goes through the door on {s} {tm}",
              f"a plain-clothes patrol will be in {t} Memorial Park {tm}", f"officers will be checking vans at the {t} lay-by {tm}",
              f"we'll stop every car leaving the {t} estate {tm}", f"ANPR intercept team on the M6 J3 slip {tm}",
              f"spotters will be on the bridge over {s} {tm}"])
ABUSE=["scumbag","lowlife","thick as mince","vermin","scrote","oxygen thief","absolute waste of space","animals"]
CHANNEL=["send it to us on WhatsApp","DM us the footage","message us on Snapchat","drop us a Facebook Messenger message",
         "WhatsApp it to PC Jones on","slide into our DMs with the video","send the clips via Messenger","inbox us on Instagram"]
COPY=["photo found online","(picture: Getty Images, grabbed off Google)","lyrics from Mr Brightside","clip from Line of Duty",
      "borrowed this pic from the Coventry Telegraph","♪ Don't stop me now ♪ (Queen)","image taken from someone's Instagram"]
DISREP=["vote Reform on Thursday","get your car valeted at Shine Bros, best in town","she should have known better walking home at that time",
        "he had it coming tbh","honestly the Labour council are useless","Use code POLICE10 at Dave's Gym","to be fair what did they expect leaving the keys in"]
JUSTICE=["guilty as sin","who we all know did it","he'll be going down for a long time","who clearly did it","this monster","bang to rights","we all know he's guilty"]
SUSPECT=["who works nights at the Amazon depot in Coventry","the lad who lives above the chip shop","his brother runs the tyre place on Lawford Road",
         "the ex-boyfriend of the woman at number 9","a supply teacher at a school in Rugby","drives for Uber out of Kenilworth"]

# clean fillers
HELP=["999","101","111","18000","112","Crimestoppers on 0800 555 111","Samaritans on 116 123","Childline on 0800 1111","Action Fraud on 0300 123 2040",
      "the National Domestic Abuse Helpline on 0808 2000 247","the anti-terrorist hotline on 0800 789 321","0800 789 321","0800 783 0137",
      "Warwickshire County Council on 01926 410410","NHS 111","Action Fraud (0300 123 2040)","Crimestoppers anonymously on 0800 555 111",
      "Victim Support on 0808 168 9111","Citizens Advice on 0800 144 8848","the Age UK advice line on 0800 678 1602","Refuge on 0808 2000 247"]
ORGMAIL=["enquiries@warwickshire.police.uk","press@warwickshire.gov.uk","recruitment@warwickshire.police.uk","info@rugbyfoodbank.org.uk",
         "bookings@kenilworthcastle.org.uk","contact@police.uk","enquiries@nuneatonandbedworth.gov.uk","volunteers@warwickshire.police.uk",
         "press.office@warwickshire.police.uk","info@stratfordshopwatch.co.uk"]
PUBPC=["CV34 4DE","CV21 2DH","CV11 5TW","CV37 6HJ","cv32 4lx","CV8 1QJ","CV12 8NF","B46 3BH","CV31 1XN","CV9 1BP"]
PUBVENUE=["Leamington Justice Centre","Nuneaton police station front counter","Rugby Library","the Kenilworth community centre",
          "Stratford Leisure Centre","Bedworth Civic Hall","Warwick Racecourse","Atherstone Memorial Hall","the Coleshill Parish Rooms"]
PRODUCT=["BS EN 1303 grade 6","SKU KX12 BRT","model GT40","part no. CV35-XL","the new LT23 range","code AA19 ZZZ on the box","BS 3621 lock","TS007 3-star cylinder"]
EVERYDAY=["the secret to a safe home","Secret Santa","restricted parking","our confidential reporting line","top secret recipe","protect your bike",
          "access is restricted","confidential advice","it's no secret","protected characteristics","OFFICIAL"]
def g_date():
    return R([f"{rng.randint(1,28)} {R(MONTHS)}", f"{rng.randint(1,28)}/{rng.randint(1,12)}/2025", f"Saturday {rng.randint(1,28)} {R(MONTHS)}",
              f"{rng.randint(1,28)}th {R(MON3)}", f"2025-{rng.randint(1,12):02d}-{rng.randint(1,28):02d}", f"{R(MONTHS)} {rng.randint(1,28)}"])
def g_age(): return str(rng.randint(14,88))
def g_time(): return R(["10am","2.30pm","14:00","between 9pm and 11pm","around 3.15am","at about 8 in the evening","midnight","17:45"])

SLOTS={
 "phone":(g_phone,"personal.phone"),"pcue":(lambda:R(PHONE_CUES),None),"email":(g_email,"personal.email"),"pc":(g_pc,"personal.postcode"),
 "nino":(g_nino,"personal.nino"),"nhs":(g_nhs,"personal.nhs"),"card":(g_card,"personal.card"),"sort":(g_sort,"personal.bank"),
 "acct":(g_acct,"personal.bank"),"iban":(g_iban,"personal.bank"),"vrm":(g_vrm,"personal.vehicle"),"dob":(g_dob,"personal.dob"),
 "name":(g_name,"personal.name"),"name2":(g_name,"personal.name"),"first":(g_first,"personal.name"),"tag":(g_tag,"personal.name"),
 "addr":(g_addr,"personal.address"),"ref":(g_ref,"investigation.reference"),"op":(g_op,"investigation.operation"),
 "mark":(g_marking,"marking"),"ctac":(covert_tactic,"covert"),"cplan":(covert_planned,"covert"),
 "abuse":(lambda:R(ABUSE),"abuse"),"chan":(lambda:R(CHANNEL),"channel"),"copy":(lambda:R(COPY),"copyright"),"disrep":(lambda:R(DISREP),"disrepute"),
 "just":(lambda:R(JUSTICE),"justice"),"jname":(lambda:R(FIRST)+" "+R(LAST),"justice"),"susp":(lambda:R(SUSPECT),"investigation.suspect"),
 # clean
 "officer":(lambda:R(OFFICERS),None),"town":(lambda:R(TOWNS),None),"street":(lambda:R(STREETS),None),"shop":(lambda:R(SHOPS),None),
 "dog":(lambda:R(DOGS),None),"pubop":(lambda:R(PUBLIC_OPS),None),"defendant":(lambda:R(DEFENDANTS),None),"help":(lambda:R(HELP),None),
 "orgmail":(lambda:R(ORGMAIL),None),"pubpc":(lambda:R(PUBPC),None),"venue":(lambda:R(PUBVENUE),None),"product":(lambda:R(PRODUCT),None),
 "everyday":(lambda:R(EVERYDAY),None),"date":(g_date,None),"age":(g_age,None),"time":(g_time,None),"item":(lambda:R(ITEMS),None),
 "district":(lambda:R(["CV34","CV21 area","CV11","B49","CV37","CV8 area","CV12"]),None),
}

# ---------------- frames (hand-written) ----------------
DIRTY = {
"missing":[
 "MISSING: {name} was last seen on {street} in {town} at {time}. If you see her please call 999.",
 "Have you seen {name}? The {age}-year-old hasn't been home since {date}. Her mum is on {phone} if you spot her.",
 "{tag} Please share - {name@1} is missing from {town}. {name@1} was wearing a grey North Face jacket.",
 "Concern is growing for {name}, {age}, from {addr}, {town}. Any sightings call 101.",
 "Update: {name} (DOB {dob}) is still missing. Call 101 quoting {ref}.",
 "missing person {name} dob {dob} last seen getting into {item}, reg {vrm}",
 "We're appealing to find {name}, who was last seen near {shop} in {town}. Family can be reached on {phone}.",
 "{name@1}, {name@1}, please get in touch - you're not in trouble, we just want to know you're safe.",
 "Can you help us find {first}? She was last seen leaving her home in {pc} at around {time}.",
 "Missing from home: {name}, born {dob}. Believed to be travelling in {vrm}.",
 "Thank you for sharing our appeal for {name} who has now been found safe and well.",
 "Found: {tag} has been found. Thanks all for sharing.",
 "Missing teen {name} may have gone to friends in {town} - if she's with you ring her dad on {phone}.",
 "Please RT #Missing {name} from {town}. Ref {ref}.",
 "Still missing: {name@1}. If anyone knows where {name@1} might be, email her sister at {email}.",
 "Police are searching for missing pensioner {name}, who has dementia. He lives at {addr} and may try to walk to {town}.",
 "missing – {name} – medical history on file, NHS no {nhs} – check hospitals",
 "Misper {name} (aka {name2}), DOB: {dob}, home addr {addr} {pc}.",
 "Found safe – {name}, reported missing from {addr} on {date}.",
 "{name} is known to use the alias {name2} and frequents {town} bus station.",
],
"appeal":[
 "We're appealing for witnesses after {name} was assaulted on {street}, {town} at {time}. Call 101 quoting {ref}.",
 "Witness appeal: did you see the collision on the A46 involving {item} ({vrm})? Quote incident {ref}.",
 "If you have dashcam footage of {vrm} on {date} please contact us quoting {ref}.",
 "Can you help? {name} had her handbag snatched outside {shop}. Please call 101, ref {ref}.",
 "Do you recognise this man? We'd like to speak to him about a theft from {shop}. Quote crime ref {ref}.",
 "Burglary at {addr}, {pc} overnight - anyone with doorbell footage please call 101 ref {ref}.",
 "We want to speak to {name} in connection with a burglary in {town}. Do you know where he is?",
 "Suspect in the {town} stabbing is believed to be {name}, {susp}.",
 "Footage wanted: a man was seen trying car door handles on {street}. If you have footage {chan}.",
 "Appeal after criminal damage to a car, reg {vrm}, parked outside {addr}. Owner {name} is devastated.",
 "Officers investigating a robbery want to trace the driver of {item}, registration {vrm}.",
 "A {item} with registration {vrm} was seen leaving the scene at speed. Reference: {ref}.",
 "Witnesses to the fail-to-stop in {town} are asked to quote occurrence number {ref}.",
 "Incident no. {ref} – please reference this when calling 101 or use our online form.",
 "The victim, {name}, was walking her dog when she was approached. Call {officer} on 101 quoting {ref}.",
 "Appeal: sheep worrying at {name}'s farm in {town}. Ref {ref}.",
 "Did you see anything suspicious near {addr} between {time}? Call 101 quoting log {ref}.",
 "We're trying to trace a witness, {name@1}, who helped at the scene. {name@1}, please call us.",
 "Anyone who saw the {vrm} being driven erratically on the M40, please contact us quoting {ref}.",
 "Do you know {name}? He's wanted on recall to prison. Don't approach, call 999.",
 "Have you seen {vrm}? A {item} stolen from {town} overnight. Ref: {ref}",
 "The owner of the stolen tractor, {name} of {addr}, is offering a reward.",
 "Appeal: hare coursing on land near {town}. The vehicle seen was {vrm}. Quote {ref}.",
 "Please send any footage of the disorder to us – {chan} – quoting ref {ref}.",
 "Pictured is the suspect {name}; {susp}.",
],
"court":[
 "{defendant}, of {town}, was jailed for 4 years at Warwick Crown Court. Victim {name} said she could now move on.",
 "Court result: {defendant} pleaded guilty. The victim's address, {addr}, was targeted three times.",
 "Trial of {defendant} begins next week – a man {just}.",
 "{defendant} appears before magistrates today. He's {abuse} and {just}.",
 "Sentenced: {defendant} for burglary at the home of {name} in {town}.",
 "The jury heard that {jname}, the complainant, was 15 at the time.",
 "{defendant} was convicted of assaulting {name}, 34, outside {shop}.",
 "Charged: {defendant} with dangerous driving. The car involved, {vrm}, has been seized.",
 "{defendant} (DOB {dob}) was remanded in custody.",
 "Good result today - {defendant} got 6 years – {abuse}.",
 "The child in the case, {jname}, gave evidence by video link.",
 "Jailed for fraud: {defendant} took £23,000 from {name}'s account ({sort} / {acct}).",
 "Result at Leamington magistrates: {defendant} banned for 18 months. Crime ref {ref}.",
],
"roads":[
 "ROAD CLOSED: A45 at {town} after a collision involving {vrm}. Please avoid the area.",
 "Collision on {street}: driver of {item} ({vrm}) taken to hospital. Road will be closed for several hours.",
 "RTC update – the driver, {name}, {age}, is in a stable condition.",
 "Road reopened. Thanks for your patience. Incident {ref}.",
 "Serious collision on the A5 near {town} – witnesses quote {ref}.",
 "Vehicle {vrm} was stopped on the M6 – no insurance, seized.",
 "Stopped this morning: {vrm}, no MOT, no tax, driver {name} reported.",
 "Our roads team stopped {vrm} doing 112mph on the M40. {abuse}.",
 "Seized! {vrm} – driver had no licence. Well done team.",
 "Drink-driver {name} stopped on {street}, blew 78.",
 "Speeding in {town}? {cplan}.",
 "Heads up drivers: {cplan}.",
],
"intel":[
 "{mark} – Intel suggests {name} is storing drugs at {addr}, {pc}.",
 "INTEL: {name}, DOB {dob}, associates with {name2}. Drives {vrm}.",
 "Source reports: {name@1} dealing from {addr}. {name@1} uses {phone}.",
 "Classification: {mark}. Subject {name}, NINO {nino}.",
 "From: DS Fiona Dunne\nSent: Tuesday 09:14\nSubject: {op} - tomorrow\nTeam, {cplan}. {mark}.",
 "[{mark}] Briefing for {op}: {ctac}.",
 "FW: {op} update – we have {ctac}. Please don't share outside the team.",
 "{mark} Handling: not for circulation. Nominal: {name} ({dob}).",
 "Intel log {ref}: {vrm} seen at {addr} at {time}.",
 "RE: {op} – {name} phone {phone}, email {email}",
 "hi all, quick one, we've got {ctac} so keep your distance",
 "Chat from the team: \"{cplan}\" – lads please don't post this",
 "Custody note: {name}, {dob}, NHS {nhs}, detained under s.136.",
 "Custody record {ref}: detainee {name} d.o.b. {dob}.",
 "Case note: victim {name} at {addr}, {pc} – tel {phone}.",
 "Safeguarding referral – child (DOB {dob}) living at {addr}.",
 "MASH referral ref {ref}: mother's tel {phone}, email {email}.",
 "NINO: {nino} | NHS: {nhs} | DOB: {dob}",
 "Victim details for CPS: {name}, {addr}, {pc}, {phone}, {email}.",
 "Warrant planned under {op}: {cplan}.",
 "{op} briefing 0530 at Leamington. {cplan}.",
 "{mark}\n{op} – Phase 2\n{ctac}",
 "Protective marking: {mark}",
 "{mark} - not for circulation",
 "Marking: {mark} // do not forward",
 "*** {mark} *** Contains personal data",
 "Grade: {mark}. We have {ctac}.",
 "Sent from my iPhone\n\n> {cplan}\n> {mark}",
 "Teams chat: @Sgt Lee Dawson - {ctac}, can you pop over?",
 "Intel from {op}: {name2}'s bank is {iban}.",
 "Card found on the suspect: {card}. Owner {name} informed.",
 "Victim's card {card} was used at {shop} in {town}.",
 "Victim's account no. {acct}, sort code {sort}.",
 "Ref {ref} / {op} / OIC DC Tom Price",
 "CAD {ref} – caller {name} on {phone}, lives {addr}.",
 "Caller: {name} | Tel: {phone} | Addr: {addr}, {pc}",
 "The informant was paid via account {sort} {acct}.",
 "Other force link: {ref} (West Mids) and {ref@2} ours.",
 "Please hold off publishing - {op} goes live {time} tomorrow.",
],
"covert":[
 "Shoplifters beware: we have {ctac}.",
 "Bike thieves in {town}, take note – {ctac}.",
 "Great work by the team, who used {ctac} to catch the burglars.",
 "We've got {ctac}. You have been warned!",
 "This week {ctac} helped us make 6 arrests.",
 "Rural crime update: {ctac} has helped us identify the thieves.",
 "Drug dealers in {town} – {cplan}.",
 "Tonight {cplan}. Stay away, criminals!",
 "Big day tomorrow for the team – {cplan}.",
 "Just so you know, {cplan}.",
 "Thanks to {ctac}, we've recovered three stolen quad bikes.",
 "Catalytic converter thieves: {ctac} – think twice.",
 "Heads up: {ctac}, so if you're up to no good, we will see you.",
 "Our county lines team used {ctac} to identify runners in {town}.",
 "We can't say much but {cplan} 👀",
 "Anyone dealing near the school gates – {ctac}.",
 "Thank you to the residents who let us use their loft for {ctac}.",
 "Results from {op}: 12 arrests after {ctac}.",
 "{op} continues this week in {town}.",
 "Thank you to everyone involved in {op}.",
 "Another arrest under {op} today.",
 "Arrests made as part of {op}, our crackdown on burglary in {town}.",
 "Follow {op} for updates on knife crime in {town}.",
 "Great teamwork on {op} - 4 charged.",
 "We're proud of the officers on {op}; {ctac} made the difference.",
 "The {op} team seized £40k of cannabis today.",
],
"scam":[
 "Scam warning: {name} from {town} lost £4,000 after being told to move money to account {sort} {acct}.",
 "Courier fraud alert – elderly victim {name}, {age}, handed over her card {card}.",
 "Don't be fooled: fraudsters asked {name} for her NI number ({nino}).",
 "A resident in {pc} was targeted by fake police officers. Report it to Action Fraud on 0300 123 2040.",
 "Victim {name} was sent to IBAN {iban} by the caller.",
 "Fraudsters phoned {name} on {phone} pretending to be from her bank.",
 "Romance scam: {name} sent £12,000 to a man calling himself {name2}.",
 "Scam texts from {phone} – the victim {name} lost £300.",
],
"community":[
 "PCSO Bal Sidhu had a great chat with the couple at {addr} about their shed security.",
 "Thanks to the resident in {pc} for hosting our Neighbourhood Watch meeting at her home.",
 "Lovely to meet Mrs W ({age}) today – she's lived at {addr} for 60 years.",
 "Shout out to {name}, who caught the thief himself! You can reach him on {phone} for tips 😂",
 "Neighbourhood update: the cannabis factory at {addr} has been closed. {name} has been arrested.",
 "Weekend results: {name} arrested for drink driving in {vrm}; {name2} arrested for assault.",
 "Anti-social behaviour on {street}: we know it's {name} and his mates – {abuse}.",
 "Our officers spoke to both neighbours about the ongoing dispute at {addr}.",
 "Photo of the team at the fete ({copy}).",
 "Friday feeling! {copy}",
 "Our new recruitment video – soundtrack {copy}.",
 "Proud to support the campaign – {disrep}.",
 "Sad news about the burglary, but {disrep}.",
 "A wallet was recovered after a theft from {shop}. Owner {name}, your card {card} is safe at the front desk.",
 "Thank you to {name} and {name2} for their help after the crash on {street}.",
 "Celebrating with our oldest resident, who turned 100 today (born {dob})!",
 "Rural update: quad bike stolen from {name}'s farm at {pc}. Ref {ref}.",
 "Farm watch: diesel theft at {addr}, {town}. Owner can be contacted on {phone}.",
 "Any info on the theft from {name}'s stables, email {email}.",
 "Happy birthday to our neighbour at {addr}, our oldest Neighbourhood Watch member, born {dob}.",
],
}
# clean look-alikes
CLEAN = {
"appeal":[
 "We're appealing for witnesses after an assault on {street}, {town} at {time}. Call 101 or Crimestoppers on 0800 555 111.",
 "If you have information, call {help} or report online.",
 "Do you recognise this man? We want to speak to him about a theft from {shop}. Call 101.",
 "Witnesses to the collision on {date} are asked to contact us on 101.",
 "Witnesses saw {item} leaving the scene. If you have dashcam footage please upload it via our online portal.",
 "Burglary in the {district} area overnight – check your doorbell footage and call 101.",
 "Can you help? A woman in her {age}s had her bag snatched outside {shop}.",
 "Information can be given anonymously to {help}.",
 "Witnesses can also email {orgmail}.",
 "If you were in {town} town centre on {date} at {time}, we'd like to hear from you.",
 "Please don't share speculation – call 101 with anything you know.",
 "In an emergency always call 999. Deaf or speech-impaired? Text 18000.",
],
"missing":[
 "Thank you for sharing our appeal – the missing man from {town} has been found safe.",
 "If you see a vulnerable person who seems lost, call 999.",
 "Update: the 14-year-old boy reported missing from {town} has been found. Thanks for sharing.",
 "Missing people can call or text the Missing People charity on 116 000 – free and confidential.",
 "Search teams including {dog} have been out in {town} today.",
],
"court":[
 "{defendant}, {age}, of {town}, was jailed for 4 years at Warwick Crown Court on {date}.",
 "Court result: {defendant} pleaded guilty to burglary and will be sentenced on {date}.",
 "{defendant} has been charged with dangerous driving and will appear at Leamington Magistrates' Court on {date}.",
 "Jailed: {defendant} and {defendant@2} were sentenced to a combined 11 years.",
 "{defendant} was found guilty of fraud after a two-week trial. {officer} said: \"This was a callous crime.\"",
 "Sentencing {defendant}, the judge said he had shown no remorse.",
 "{defendant} was remanded in custody and will next appear on {date}.",
 "{defendant}, {age}, of {street}, {town}, admitted causing death by careless driving.",
 "Result: {defendant} banned from driving for 3 years and fined £1,200.",
 "The investigation was led by {officer}, who thanked the victim for her courage.",
],
"roads":[
 "ROAD CLOSED: The A46 at {town} is closed after a collision. Please avoid the area.",
 "The road has now reopened. Thank you for your patience.",
 "Collision on {street} – one person taken to {shop} with minor injuries.",
 "Fatal 4: know the risks of speeding, drink driving, mobile phones and seatbelts.",
 "Our roads policing team stopped 14 vehicles on the M6 this week – 3 seized for no insurance.",
 "Driving home for Christmas? Plan ahead and never drink and drive. #Op{pubop}",
 "Roadworks on {street} from {date}: expect delays.",
 "The driver, a man in his {age}s, was taken to hospital.",
 "There's restricted parking on {street} during the event – please use the park and ride.",
],
"community":[
 "Come and meet your local team at {venue}, {pubpc}, on {date} from 10am.",
 "Bike marking event at {venue} ({pubpc}) – bring your bike and ID.",
 "Drop-off point for the amnesty: {venue}, {pubpc}.",
 "Lost property can be collected from the front counter at {venue}, {pubpc}.",
 "{officer} visited the pupils at a {town} primary school today to talk about online safety.",
 "{dog} found a missing walker in the woods near {town} – good boy!",
 "Thank you to the staff at {shop} for their help.",
 "{officer} and {officer@2} were out with the Neighbourhood Watch in {town} tonight.",
 "Our PCSOs will be holding a surgery at {venue} on {date}.",
 "Our community tea at {shop} was a hit – thanks to the landlady.",
 "Happy retirement to {officer} after 30 years' service!",
 "Congratulations to {officer} on {age} years' service... only joking, it's 20!",
 "Our Secret Santa raised £300 for the children's ward at {shop}.",
 "We've increased patrols in {town} this weekend following reports of anti-social behaviour.",
 "Officers will be patrolling town centres across the county this weekend.",
 "We use a range of tactics, both overt and covert, to tackle drug dealing.",
 "You may see more officers around {town} over the coming weeks.",
 "We'll be out and about in {town} over half-term – come and say hello.",
 "Want to join us? Find out more at warwickshire.police.uk/careers or email {orgmail}.",
 "Recruitment evening at {venue}, {pubpc}, on {date}. Book via {orgmail}.",
 "Weekend results: 11 arrests, 3 vehicles seized and 2 drink-drivers stopped.",
 "This weekend's results: 6 arrested for drug offences across {town}.",
 "Thanks to {officer} for speaking at the {town} parish council meeting.",
 "Community event on {date} at {venue}. Everyone welcome!",
 "Rural crime: lock up quad bikes and mark them – {product} approved locks are recommended.",
 "Keep your tools secure – the secret to a safe van is to empty it overnight.",
 "Our new dog {dog} has passed her licensing!",
 "The {shop} has joined Shopwatch. Call {help} if you need advice.",
 "Proud to be part of {pubop} – tackling knife crime together.",
 "Follow #Op{pubop} for our knife crime work this week.",
 "{officer} says: \"Report it, we'll act on it.\"",
],
"prevention":[
 "Crime prevention tip: mark your bike and register it on BikeRegister.",
 "Lock doors and windows, even when you're at home – {everyday}.",
 "Cold callers? Never hand over your card or PIN. Call {help}.",
 "Worried about a loved one? Call {help}.",
 "Domestic abuse: you are not alone. Call {help}.",
 "If you think you've been scammed, report to {help}.",
 "Banks will never ask you to move money to a 'safe account'. Report scams to Action Fraud on 0300 123 2040.",
 "Fraudsters may spoof real numbers. Hang up and call 159 to reach your bank.",
 "Need someone to talk to? Samaritans are free 24/7 on 116 123.",
 "Children can call Childline on 0800 1111 – it's confidential.",
 "See something suspicious? Report it to the anti-terrorist hotline on 0800 789 321.",
 "Check the code on the box – {product} – before you buy a lock.",
 "Your phone's IMEI can help us return it if stolen – dial *#06# to find it.",
 "Scam texts will often claim to be from Royal Mail or HMRC. Forward them to 7726.",
 "Using our confidential reporting line is safe and anonymous.",
 "{everyday} – here's how we can help.",
 "The age of criminal responsibility is 10.",
 "Contact the council on 01926 410410 about fly-tipping.",
 "Have you been affected? Victim Support can help on 0808 168 9111.",
 "Part of #Op{pubop}: tackling violence against women and girls.",
 "Operation {pubop} is our public campaign on county lines – find out more on our website.",
 "Op {pubop} returns this summer.",
],
"thanks":[
 "Huge thank you to everyone who shared our appeal yesterday.",
 "Thanks to the public for their patience during today's incident in {town}.",
 "A big thank you to the staff at {shop} who helped an elderly lady home.",
 "Thank you to {officer} and the team for their hard work this week.",
 "Well done to {dog} and handler {officer}!",
 "Thanks to everyone who came to {venue} on {date}.",
]}
OPEN=["UPDATE:","⚠️","Please share.","#Warwickshire","#{town}","Morning all,","📢 Appeal","Good evening from the {town} SNT,","Breaking:","PLEASE RT",
      "Hi all","Quick update –","From the {town} team:","🚨","Draft for socials:","Can someone post this for us:","Text for FB/Twitter:"]
CLOSE=["Thanks for your support.","Call 101 or report online.","#KeepingWarwickshireSafe","In an emergency always call 999.","Please share.",
       "Anonymously? Crimestoppers 0800 555 111.","– {officer}","Stay safe.","#{town}","Report online at warwickshire.police.uk",
       "Thanks, the {town} SNT","More info on our website.","👮‍♀️","#RuralCrime","#ScamAware","#OpSceptre"]

EXTRA_DIRTY = {
"internal-paste":[
 "Pls post: victim is {name}, NI {nino}, wants updates by email {email}",
 "Benefit fraud job – subject's NINO {nino}, claims at {addr}.",
 "national insurance no: {nino}",
 "NI number {nino} belongs to the victim, {name}.",
 "Patient {name}, NHS number {nhs}, taken to Warwick Hospital.",
 "nhs no. {nhs} (casualty from the RTC)",
 "Hospital confirm NHS# {nhs} for the injured cyclist.",
 "Medical: NHS No: {nhs}; GP informed.",
 "Stolen card details: {card}, exp 09/27.",
 "card no {card} used fraudulently in {town}",
 "Refund going to s/c {sort} a/c {acct} – victim {name}.",
 "Sort code: {sort}\nAccount: {acct}\nName: {name}",
 "Bank details of the victim: {iban}",
 "Money was transferred to IBAN {iban}.",
 "Contact the witness at {email} or on {phone}.",
 "victims email is {email} - pls reply to her directly",
 "email from the complainant ({email}) attached",
 "Her new address is {addr}, {pc}. Please don't share.",
 "Vulnerable adult lives at {addr} ({pc}), key safe code 1234.",
 "Suspect vehicle {vrm}, keeper lives in {pc}.",
 "PNC check on {vrm} – registered to {name}, {addr}.",
 "{vrm} flagged on ANPR – {ctac}.",
 "VRMs of interest: {vrm}, {vrm@2}.",
 "From the WhatsApp group: \"{cplan}\"",
 "Reminder {op} briefing tomorrow. {cplan}",
 "{mark}\nOperational Order – {op}",
 "Header: {mark}\nFrom: Force Intelligence Bureau",
 "{mark}\nDistribution: SNT only",
 "Doc marked {mark} – page 2 of 4",
 "Please treat as {mark}.",
 "[ {mark} ]",
 "{mark} – {op} – do not forward",
 "This email is marked {mark}. {name} DOB {dob}.",
 "Born {dob}, {name} was reported missing by carers.",
 "DOB {dob} – suspect {name}",
 "d.o.b. {dob}",
 "Date of birth: {dob}",
 "{name} (b. {dob})",
 "{name}, date of birth {dob}, of no fixed abode.",
 "born on {dob} in Coventry, {name} is known to frequent {town}.",
 "Nominal: {name} ({dob}) – tel {phone}.",
 "Our ref {ref}; their ref {ref@2}.",
 "crime no {ref}",
 "Log {ref} refers.",
 "Quote reference {ref} when calling.",
 "Thames Valley have the job under {ref}.",
 "Action Fraud ref {ref}",
 "Occurrence {ref} – allocated to DC Tom Price.",
 "See {ref} for the earlier report.",
 "cad {ref} – domestic at {addr}",
 "ref:{ref}",
],
"chat":[
 "lol this guy {name} again, proper {abuse}",
 "can u post this - {name} {phone} wants her bike back",
 "Sarge says {cplan} so don't put anything out till after",
 "btw {ctac}, dont tweet that lol",
 "{name}'s mum rang again on {phone}",
 "got {vrm} again on {street}, same lad as last week",
 "ok so {op} is go {time} tmrw",
 "fyi the {town} job is {op} now",
 "just spoke to the victim, {name}, she's ok with us posting",
 "{first@1} {first@1}!! come home mate, nobody's angry",
],
}
EXTRA_CLEAN = {
"clean-misc":[
 "PC 4412 Jones and PCSO 6021 Smith were on foot patrol in {town}.",
 "Our dog {dog} and his handler visited the Brownies.",
 "The Royal Oak in {town} is hosting a charity quiz on {date}.",
 "Warwick Hospital staff were brilliant today – thank you.",
 "{age}-year-old man arrested on suspicion of burglary in {town}.",
 "A woman aged {age} has been arrested and released on bail.",
 "Incident closed. No further police action.",
 "Tickets for the open day at {venue} ({pubpc}) are free.",
 "{shop} on {street} has reopened after the break-in.",
 "Reminder: it's Secret Santa time at HQ – £5 limit!",
 "The secret to safer roads? Slow down.",
 "Want to know the secret of a good lock? Check for {product}.",
 "Restricted access to {street} during the carnival.",
 "Confidential advice is available from Citizens Advice on 0800 144 8848.",
 "Protect yourself online – use strong passwords.",
 "Hot weather? Don't leave dogs in cars.",
 "Thanks to Heart of England Community Foundation for the grant.",
 "Leamington Spa Food Bank: info@leamingtonfoodbank.org.uk for donations.",
 "The event runs from {time} on {date} at {venue}.",
 "Drivers born after 1996 can book a free course via the council.",
 "Operation Sceptre knife amnesty bins are at {venue}.",
 "Op Snap: send dashcam footage via the National Dashcam Safety Portal.",
 "Limelight officers were at Birmingham Airport this week raising awareness of FGM.",
 "#OpEncompass – supporting children affected by domestic abuse.",
 "Makesafe training for hotel staff at {venue}.",
 "Tutelage helps parents of children at risk online.",
 "Op Close: safer roads in rural Warwickshire.",
 "{defendant} was charged on {date} and remanded.",
 "{defendant} and {defendant@2} will be sentenced next month.",
 "The inquest into the death of the cyclist opens on {date}.",
 "Our switchboard is 01926 415000 – for non-emergencies use 101.",
 "Warwick District Council's out-of-hours line is 01926 450000.",
 "George Eliot Hospital's main switchboard: 024 7635 1351.",
 "Kenilworth Castle bookings: bookings@kenilworthcastle.org.uk",
 "Part number GX-12 ABC fits most bike locks.",
 "Register serials like SN-AB1234-56 on immobilise.com.",
 "It's been a year since {date} – we still remember.",
 "Sgt Lee Dawson and PC Hannah Jones at the {town} fun run.",
 "Our horses Duke and Monty loved the school visit.",
 "Come and meet DC Tom Price at the fraud roadshow at {venue}.",
],
}
for k,v in EXTRA_DIRTY.items(): DIRTY.setdefault(k,[]).extend(v)
for k,v in EXTRA_CLEAN.items(): CLEAN.setdefault(k,[]).extend(v)

MORE_DIRTY = {
"other":[
 "If you filmed the fight outside {shop}, {chan}.",
 "Got footage of the crash? {chan} and we'll take a look.",
 "Easiest way to get it to us: {chan}.",
 "Seen anything? {chan} – we're online till 10pm.",
 "Pictured: our officers at the match ({copy}).",
 "Here's the suspect's Facebook profile picture ({copy}).",
 "Monday motivation 💪 {copy}",
 "Great turnout at the rally today – {disrep}!",
 "Don't forget: {disrep}.",
 "Honestly, {disrep}. Anyway, lock your cars.",
 "We've arrested a man, {susp}, in connection with the assault.",
 "The suspect is {susp}, so someone must know him.",
 "We know the man involved is {susp}.",
 "Locals will know who we mean – {susp}.",
 "The woman accused of the attack is {just}.",
 "Ahead of the trial, {defendant} – {just} – remains in custody.",
 "The girl, {jname}, was 13 when the abuse began, the court heard.",
 "We'd like to thank the victim of the sexual assault, {jname}, for her bravery.",
 "The boy, {jname}, 15, is due at youth court next week.",
 "Cheers to the {abuse} who nicked a charity box from {shop} – we'll find you.",
 "To the {abuse} dumping rubbish on {street}: we see you.",
 "Another {abuse} caught speeding outside a school.",
],
"names":[
 "Victims {name}, {name2} and {name@3} all live on {street}.",
 "{name}'s car was broken into for the third time this month.",
 "Both {name} and her partner {name2} were hurt.",
 "Suspects: 1) {name} 2) {name2} 3) {name@3}",
 "Witness statements taken from {name}; {name2}; {name@3}.",
 "The missing woman's name is {name} – please share.",
 "Attacked on the towpath: {name}, 22, who was jogging home.",
 "Sightings of {name} ({tag}) please to 101.",
 "Officers are keen to speak to {name} – wanted for burglary in {town}.",
 "Wanted: {name}, 29, aka '{first}'.",
 "Arrested on suspicion of arson: {name}.",
 "A man named locally as {name} was stabbed on {street} last night.",
 "Have you seen {first@1}? {first@1} is 16 and left home without his phone.",
 "Witness {name} told officers she saw a {item} drive off.",
 "{name} and {name2} were arrested after the disturbance at {shop}.",
],
"covert-more":[
 "For the next fortnight {ctac}.",
 "We're trialling {ctac} – watch this space.",
 "Don't tell anyone but {ctac} 🤫",
 "Lovely to work with the farmers who've agreed to host {ctac}.",
 "Good news: {ctac} is already getting results.",
 "Operational note: {cplan}.",
 "Mark your diaries, criminals: {cplan}.",
 "Reminder to the team: {cplan} – meet at the nick 30 mins before.",
],
}
for k,v in MORE_DIRTY.items(): DIRTY.setdefault(k,[]).extend(v)

LAST_DIRTY = {
"notes":[
 "Witness {name}, {pcue} {phone}, happy to give a statement.",
 "Victim contact: {pcue} {phone} (prefers texts after 6pm).",
 "IP is {name}, {pcue} {phone}, lives {addr}.",
 "Neighbour who called it in – {pcue} {phone}.",
 "OIC DC Tom Price. Aggrieved: {name}. Contact {pcue} {phone} / {email}.",
 "Reporting person {name} wants a call back {pcue} {phone}.",
 "Polish-speaking witness {name}, {pcue} {phone}, needs an interpreter.",
 "The complainant can be reached {pcue} {phone}.",
 "Cyclist hit on {street}, {pc}; her husband is {pcue} {phone}.",
 "Victim's mobile in case we need more CCTV: {phone} – she's {name}.",
 "Caller reporting the dog attack – {pcue} {phone}.",
 "Can we add the victim's number {phone} so people can return her bag?",
],
"covert-plain":[
 "{ctac} – three nights of work paid off.",
 "Next month {cplan}.",
 "Watch out, {town}: {cplan} 😉",
 "Note for socials: don't mention that {ctac}.",
 "Lads, {cplan} – keep it off the group chat.",
 "We've put {ctac}. Thieves, you've been warned.",
],
}
for k,v in LAST_DIRTY.items(): DIRTY.setdefault(k,[]).extend(v)

# ---------------- engine ----------------
SLOT_RE = re.compile(r"\{(\w+)(?:@(\d+))?\}")
def render(frame, cache):
    out=b""; spans=[]; pos=0
    for m in SLOT_RE.finditer(frame):
        out += frame[pos:m.start()].encode()
        name, k = m.group(1), m.group(2)
        fn, cat = SLOTS[name]
        if k:
            key=(name,k)
            if key not in cache: cache[key]=fn()
            val=cache[key]
        else:
            val=fn()
        b=val.encode()
        if cat: spans.append({"category":cat,"match":val,"start":len(out),"end":len(out)+len(b)})
        out += b; pos=m.end()
    out += frame[pos:].encode()
    return out, spans
def compose(parts, cache):
    text=b""; spans=[]
    for i,f in enumerate(parts):
        if i: text += (b"\n" if rng.random()<0.3 else b" ")
        t,sp=render(f,cache)
        for s in sp: s["start"]+=len(text); s["end"]+=len(text)
        spans+=sp; text+=t
    return text.decode(), spans
def frame_cats(f):
    return {SLOTS[m.group(1)][1] for m in SLOT_RE.finditer(f)} - {None}
DFR=[(k,f) for k,v in DIRTY.items() for f in v]
CFR=[(k,f) for k,v in CLEAN.items() for f in v]
for k,f in DFR: assert frame_cats(f), f
for k,f in CFR: assert not frame_cats(f), f
TARGET={"marking":60,"personal.phone":70,"personal.email":55,"personal.postcode":60,"personal.nino":55,"personal.nhs":55,"personal.card":55,
        "personal.bank":60,"personal.vehicle":70,"personal.dob":70,"personal.name":170,"personal.address":60,"investigation.reference":80,
        "investigation.operation":70,"covert":100,
        "abuse":20,"channel":20,"copyright":20,"disrepute":20,"investigation.suspect":20,"justice":20}
def main(n=1300, clean_frac=0.41):
    counts={}; drafts=[]
    nclean=int(n*clean_frac); kinds=["d"]*(n-nclean)+["c"]*nclean; rng.shuffle(kinds)
    for i,kd in enumerate(kinds):
        cache={}
        if kd=="c":
            k,f=R(CFR); parts=[f]
            if rng.random()<0.35: parts.append(R(CFR)[1])
        else:
            deficit=[c for c in TARGET if counts.get(c,0)<TARGET[c]]
            if deficit and rng.random()<0.75:
                c=min(deficit,key=lambda c:counts.get(c,0)/TARGET[c])
                k,f=R([x for x in DFR if c in frame_cats(x[1])])
            else:
                k,f=R(DFR)
            parts=[f]
        if rng.random()<0.3: parts.insert(0,R(OPEN))
        if rng.random()<0.35: parts.append(R(CLOSE))
        text,spans=compose(parts,cache)
        for s in spans: counts[s["category"]]=counts.get(s["category"],0)+1
        drafts.append({"id":f"b2-{i+1:04d}","kind":k if kd=="d" else "clean-"+k,"text":text,"spans":spans})
    with open("/work/blind-out2/dev2.jsonl","w",encoding="utf-8") as fh:
        for d in drafts: fh.write(json.dumps(d,ensure_ascii=False)+"\n")
    nfr=len(DFR)+len(CFR)+len(OPEN)+len(CLOSE)
    print("drafts",len(drafts),"clean",sum(1 for d in drafts if not d["spans"]),"frames",nfr)
    for c,v in sorted(counts.items()): print(f"{c:28s}{v}")
if __name__=="__main__": main()
