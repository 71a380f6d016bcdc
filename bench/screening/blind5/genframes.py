"""Small per-half generator. Each half has its own frames and its own name/operation lists."""
import random
from markup import parse

NAMES = {
 'dev': (['Callum','Niamh','Ravinder','Bethany','Oskar','Lacey','Tendai','Ffion','Dominik','Shauna','Imran','Keeley','Bartosz','Maisie','Adebayo','Corinne','Jasmeet','Rhys','Anouska','Lewis'],
         ['Pennington','Okonkwo','Marsh','Sandhu','Whitlock','Kowalczyk','Hebden','Ashdown','Quigley','Rahman','Faulkner','Brannigan','Tierney','Mistry','Dunmore','Ellwood','Garside','Oyelaran','Pryce','Lindqvist']),
 'sealed': (['Declan','Harpreet','Tamsin','Kacper','Precious','Euan','Yasmin','Grzegorz','Leonie','Tobias','Chidi','Morwenna','Arjun','Skye','Florin','Bronwen','Zainab','Kieran','Elodie','Mustafa'],
            ['Ridgeway','Adeyemi','Holt','Bains','Cartwright','Nowicki','Sheridan','Fairbairn','Lomax','Chaudhry','Prendergast','Vickers','Ostrowski','Tallis','Mbeki','Crowther','Ilyas','Hennessy','Darby','Szabo']),
}
OPS = {
 'dev': ['Halyard','Quillon','Marram','Tolsey','Wrenfall','Cobalt Fern','Ashlar','Kittiwake','Glebe','Stannary','Brackenhurst','Vellum','Orrery','Saltire','Peregrine Vale','Ferrule'],
 'sealed': ['Gantry','Lodestar','Moorhen','Tessellate','Carillon','Shingle','Bramling','Corvid','Tarn','Mizzen','Whinchat','Oxbow','Palisade','Trefoil','Sorrel','Jackdaw Moss'],
}
PLACES = {
 'dev': ['Nuneaton','Bedworth','Atherstone','Polesworth','Coleshill','Water Orton','Kingsbury','Hartshill'],
 'sealed': ['Stratford-upon-Avon','Alcester','Shipston-on-Stour','Wellesbourne','Kineton','Southam','Studley','Henley-in-Arden'],
}
STREETS = {
 'dev': ['Hollybush Lane','Marlpit Road','Tuttle Hill','Chaplain Close','Weddington Terrace','Oaston Road','Croft Mead','Boleyn Way'],
 'sealed': ['Evesham Place','Banbury Crescent','Tiddington Gardens','Loxley Close','Arden Rise','Welford Walk','Clopton Mews','Ryon Hill Drive'],
}
MONTHS = ['January','February','March','April','May','June','July','August','September','October','November','December']
MON3 = [m[:3] for m in MONTHS]

FR = {
'dev': {
 'personal.name': [
   ('appeal','Have you seen @NAME@? The 15-year-old was last seen in @PLACE@ on Tuesday evening. Call 101.'),
   ('arrest','A man arrested on suspicion of burglary in @PLACE@ has been named locally as @NAME@. He remains in custody.'),
   ('witness','We are keen to speak to @NAME@, who we believe saw the collision on the A5 near @PLACE@.'),
   ('found','UPDATE: @NAME@ has been found safe and well. Thank you for sharing.'),
   ('victim','@NAME@ was walking home along @STREET@ when she was approached by two men.'),
 ],
 'covert': [
   ('sn','Heads up - @COV@.'),
   ('sn','Just so residents know, @COV@ as part of the burglary response.'),
   ('press','Draft for approval: @COV@ following recent thefts.'),
 ],
 'investigation.operation': [
   ('press','@OP@ continues this week across north Warwickshire.'),
   ('thanks','Huge thanks to everyone involved in @OP@ - a brilliant team effort.'),
   ('arrest','Three people were arrested yesterday as part of @OP@, targeting drug supply in @PLACE@.'),
 ],
 'investigation.reference': [
   ('appeal','Anyone with information should call 101 quoting @REF@.'),
   ('appeal','Please report via our website and use reference @REF@.'),
   ('response','Theft from vehicle on @STREET@ last night - logged as @REF@.'),
 ],
 'personal.dob': [
   ('missing','MISSING: @NAME@, DOB @DOB@, last seen in @PLACE@.'),
   ('intel','Subject born @DOB@, known to frequent @PLACE@ town centre.'),
 ],
 'marking': [('intel','@MARK@ - briefing note for the @PLACE@ team, not for onward sharing.'), ('email','Handling: @MARK@. Please see attached tasking.')],
 'personal.phone': [('appeal','The caller, who can be reached on @PHONE@, reported seeing two men near the garages.'), ('response','victim wants a call back on @PHONE@ after 5pm')],
 'personal.email': [('witness','If the witness who emailed from @EMAIL@ could get in touch again that would be great.'), ('response','complainant asked for updates to @EMAIL@')],
 'personal.postcode': [('response','Burglary at a house in @PC@ overnight, entry via rear door.'), ('victim','Elderly resident at @PC@ targeted by rogue traders.')],
 'personal.nino': [('intel','Subject NI number @NINO@ - checks pending.'), ('email','Victim NINO: @NINO@ (for the DWP referral)')],
 'personal.nhs': [('safeguarding','Patient NHS no. @NHS@ transferred to George Eliot.'), ('safeguarding','NHS number @NHS@ - mental health referral made.')],
 'cardbank': [('fraud','Victim\'s card @CARD@ was used at three shops in @PLACE@.'), ('fraud','Funds moved from sort code @SORT@, account @ACC@.')],
 'personal.vehicle': [('roads','Stopped @VRM@ on the M6 near @PLACE@ - no insurance, seized.'), ('appeal','Looking for a silver Focus, reg @VRM@, seen leaving @STREET@.')],
 'personal.address': [('response','Officers attended @ADDR@, @PLACE@, after reports of a disturbance.'), ('victim','Shed broken into at @ADDR@ overnight.')],
},
'sealed': {
 'personal.name': [
   ('missing','Please help us find @NAME@, 34, missing from @PLACE@ since Friday.'),
   ('arrest','@NAME@ was detained by officers in @PLACE@ this morning and is helping with enquiries.'),
   ('witness','Can you help? We would like to hear from @NAME@ about the incident on @STREET@.'),
   ('found','Great news - @NAME@ is home safe. Thanks all for the shares!'),
   ('victim','The victim, @NAME@, suffered a broken wrist in the attack.'),
 ],
 'covert': [
   ('internal','FYI for tonight: @COV@.'),
   ('rural','Farmers - @COV@, so keep it to yourselves.'),
   ('press','Line to take: @COV@.'),
 ],
 'investigation.operation': [
   ('press','Officers working on @OP@ seized £12,000 in cash on Monday.'),
   ('briefing','Briefing for @OP@ at 0600 in the parade room.'),
   ('thanks','Well done to the @PLACE@ team for their work on @OP@.'),
 ],
 'investigation.reference': [
   ('appeal','If you have dashcam footage, please quote @REF@ when you get in touch.'),
   ('court','Case file @REF@ has been passed to the CPS.'),
   ('response','Crime logged - @REF@ - officers to attend tomorrow.'),
 ],
 'personal.dob': [
   ('intel','Nominal: @NAME@ (date of birth @DOB@), PNC checks negative.'),
   ('missing','Mispers details: d.o.b. @DOB@, white female, slim build.'),
 ],
 'marking': [('internal','Classification: @MARK@ - do not forward.'), ('briefing','@MARK@ briefing pack attached for the @PLACE@ SNT.')],
 'personal.phone': [('response','Informant rang in from @PHONE@ - wants to stay anonymous.'), ('witness','Witness number is @PHONE@, she is happy to give a statement.')],
 'personal.email': [('fraud','The victim was contacted from @EMAIL@ asking for her bank details.'), ('response','please reply to the victim on @EMAIL@ not the landline')],
 'personal.postcode': [('response','Concern for welfare call at a flat in @PC@ earlier.'), ('rural','Quad bike stolen from a farmhouse at @PC@ on Sunday night.')],
 'personal.nino': [('fraud','Fraudster used the victim\'s NI number @NINO@ to apply for credit.'), ('intel','NINo @NINO@ linked to both nominals.')],
 'personal.nhs': [('safeguarding','NHS @NHS@ - seen by crisis team, discharged.'), ('custody','DP NHS number: @NHS@')],
 'cardbank': [('fraud','Please cancel card ending in full @CARD@ - victim in @PLACE@.'), ('fraud','She transferred £4,000 to IBAN @IBAN@ believing it was her bank.')],
 'personal.vehicle': [('roads','Driver of @VRM@ reported for speeding at 94mph on the A46.'), ('rural','Pick-up @VRM@ seen hare coursing near @PLACE@ again.')],
 'personal.address': [('victim','The victim lives at @ADDR@ and has been visited by officers.'), ('response','Cannabis factory found at @ADDR@, @PLACE@.')],
},
}
COVP = {
 'dev': ['an unmarked van will be parked opposite the Co-op on @STREET@ all week','plain-clothes officers will be on the @PLACE@ market on Saturday morning',
         'we have a tracker fitted to a bait quad bike in a yard near @PLACE@','the camera on the lamp post at the end of @STREET@ is ours','officers will be sat in a parked car outside the school gates on @STREET@ from 8am',
         'two officers in civvies will be walking the canal towpath at @PLACE@ after dark','a test purchase officer will be visiting shops in @PLACE@ on Friday'],
 'sealed': ['the ANPR camera covering the @PLACE@ bypass is the one by the garden centre','we will be doing warrants in @PLACE@ at 5am on Thursday','a decoy tractor has been left in a field off @STREET@',
            'an informant has told us which barns are next','officers will be hidden in the hedge line near @PLACE@ from midnight','the silver Astra parked on @STREET@ is one of our cars','undercover officers are in the pubs in @PLACE@ on Friday nights'],
}
MARKS = {'dev':['OFFICIAL-SENSITIVE','RESTRICTED','Official Sensitive','SECRET'], 'sealed':['OFFICIAL - SENSITIVE','CONFIDENTIAL','OFFICIAL SENSITIVE','PROTECT']}
CLEAN = {
 'dev': [
  ('event','Come and meet the @PLACE@ Safer Neighbourhood Team at the library on Saturday 14 June, 10am-12pm. Bring your bike for free marking!'),
  ('info','Our front counter at Nuneaton Police Station, Vicarage Street, CV11 4DW, is open 8am-8pm Monday to Saturday.'),
  ('scam','Courier fraud is on the rise. Your bank will never ask you to hand over your card. Report fraud to Action Fraud on 0300 123 2040.'),
  ('patrol','We will be increasing patrols in @PLACE@ town centre over the weekend. Say hello if you see us!'),
  ('court','A man from @PLACE@ has been jailed for two years after admitting burglary at Warwick Crown Court.'),
  ('recruit','Fancy a career with a difference? Applications for Special Constables are now open. Visit our website to find out more.'),
  ('campaign','Operation Sceptre week of action: knife amnesty bins are available at our front counters.'),
  ('info','Non-emergency? Call 101. In an emergency always call 999.'),
  ('dog','Welcome to PD Bramble, our newest search dog, who has just passed her licensing!'),
  ('thanks','Thank you to everyone at @PLACE@ Community Centre for hosting our beat surgery last night.'),
  ('event','Secret Santa at the station raised £230 for the local hospice. Thank you all!'),
  ('info','Serial number checks: register your bikes and tools on Immobilise - it is free.'),
 ],
 'sealed': [
  ('event','Drop in to our cuppa with a copper at the @PLACE@ Methodist Hall, Wednesday 2pm.'),
  ('info','Leamington Police Station front counter, Hamilton Terrace, CV32 4LY, is open from 8am.'),
  ('scam','Had a call saying your computer has a virus? Hang up. Report it to Action Fraud on 0300 123 2040 or online.'),
  ('patrol','You may see more officers around @PLACE@ this week as we continue our patrols. We are here to help.'),
  ('court','Two men were sentenced at Coventry Crown Court yesterday for their part in a string of thefts in @PLACE@.'),
  ('recruit','We are recruiting PCSOs! Join the team that keeps @PLACE@ safe. Closing date 30 September.'),
  ('campaign','Operation Snap lets you upload dashcam footage of bad driving. Thank you to everyone who has sent clips.'),
  ('info','If you are worried about someone, Samaritans are available 24/7 on 116 123.'),
  ('horse','Our mounted section visited @PLACE@ Primary today - the children loved meeting the horses.'),
  ('thanks','Thanks to the staff at Warwick Hospital for their support on a busy night.'),
  ('info','Restricted parking is in place on @STREET@ during the resurfacing works.'),
  ('info','Contact the team at southsnt@warwickshire.police.uk for non-urgent questions.'),
 ],
}

CLEAN['dev'] += [
  ('sn','PCSO drop-in at @PLACE@ library this Tuesday, 3-5pm. Come and tell us what matters to you.'),
  ('roads','Collision on the A5 near @PLACE@ now cleared. Thanks for your patience.'),
  ('scam','Door-step callers in @PLACE@ offering cheap roof repairs? Say no and call 101.'),
  ('thanks','Thank you to the staff at @PLACE@ Co-op for the brews on a cold night shift.'),
  ('court','A @PLACE@ man was sentenced to 14 months yesterday after admitting theft of catalytic converters.'),
  ('rural','Farmers in @PLACE@: lock up your quads and fit immobilisers. Register for Rural Watch.'),
  ('info','Remember to mark your tools with your postcode - free UV pens at the @PLACE@ SNT surgery.'),
  ('patrol','Officers will be visible around @STREET@ and the town centre this week. Come and chat.'),
  ('dog','PD Juno had a busy night in @PLACE@ - two suspects tracked and found. Good girl!'),
  ('campaign','Operation Encompass: @PLACE@ schools now get notified after domestic abuse incidents.'),
  ('event','Join us for a family fun day at @PLACE@ Memorial Park on Sunday 20 July, 11am-3pm.'),
  ('info','Lost property handed in at @PLACE@? Call 101 or visit the front counter.'),
]
CLEAN['sealed'] += [
  ('sn','Beat surgery at @PLACE@ Co-op car park, Friday 10am. Pop by for a chat.'),
  ('roads','The A46 near @PLACE@ is closed due to a collision. Diversions are in place.'),
  ('scam','Investment scam warning for @PLACE@ residents: check the FCA register first.'),
  ('thanks','Huge thanks to @PLACE@ Town Council for funding new CCTV in the high street.'),
  ('court','Two @PLACE@ men were jailed at Warwick Crown Court today for a string of burglaries.'),
  ('rural','Horse owners in @PLACE@: tack theft is on the rise. Mark your saddles and lock tack rooms.'),
  ('info','You can report non-urgent crime online 24/7 at warwickshire.police.uk.'),
  ('patrol','You will see officers on foot along @STREET@ this week - we are here to listen.'),
  ('horse','Our police horses will be at @PLACE@ Show this weekend. Come and say hello!'),
  ('campaign','Sceptre: knife surrender bins are available at @PLACE@ until the end of the month.'),
  ('event','Remembrance parade in @PLACE@ on Sunday - roads closed 10am-12pm.'),
  ('recruit','Special Constables are volunteers with full police powers. @PLACE@ needs you!'),
]

class Gen:
    def __init__(self, half, seed, banned):
        self.h = half; self.r = random.Random(seed); self.banned = banned
    def ch(self, xs): return self.r.choice(xs)
    def name(self):
        while True:
            f, l = NAMES[self.h]
            s = self.r.random()
            n = self.ch(f) + ' ' + self.ch(l) if s < .85 else self.ch(f)
            if n.lower() not in self.banned: return n
    def op(self):
        while True:
            o = self.ch(OPS[self.h])
            form = self.ch(['Operation %s','Op %s','Operation %s','OPERATION %s']) if self.h=='dev' else self.ch(['Operation %s','Op. %s','Op %s','operation %s'])
            if ('Operation '+o).lower() not in self.banned and ('op '+o).lower() not in self.banned:
                return form % o
    def ref(self):
        r = self.r; d = lambda n: ''.join(str(r.randint(0,9)) for _ in range(n))
        if self.h == 'dev':
            return self.ch(['23/%s/%s' % (d(5), self.ch(['24','25'])), 'WK-%s-%s' % (self.ch(['2024','2025']), d(6)), 'incident %s of %d/%d/2025' % (d(4), r.randint(1,28), r.randint(1,12)), '%s of %d %s' % (d(4), r.randint(1,28), self.ch(MONTHS)), 'OCC%s' % d(11)])
        return self.ch(['CRN %s' % d(8), '%s-%s-%s' % (self.ch(['WMP','TVP','WMP']), d(2), d(6)), 'log %s of %s/%s/25' % (d(3), d(2), '0%d' % r.randint(1,9)), '%s/%s/%s' % (d(2), d(6), d(2)), 'CAD %s' % d(5)])
    def dob(self):
        r = self.r; y = r.randint(1948, 2011); m = r.randint(1,12); dd = r.randint(1,28)
        if self.h == 'dev':
            return self.ch(['%02d/%02d/%d' % (dd,m,y), '%d %s %d' % (dd, MONTHS[m-1], y), '%d-%02d-%02d' % (y,m,dd), '%d.%d.%02d' % (dd,m,y%100)])
        sfx = 'th' if 4 <= dd <= 20 or dd > 23 else {1:'st',2:'nd',3:'rd',21:'st',22:'nd',23:'rd'}[dd]
        return self.ch(['%d%s %s %d' % (dd,sfx,MONTHS[m-1],y), '%02d-%s-%d' % (dd, MON3[m-1].upper(), y), '%s %d, %d' % (MONTHS[m-1], dd, y), '%02d%02d%d' % (dd,m,y)])
    def phone(self):
        r = self.r; d = lambda n: ''.join(str(r.randint(0,9)) for _ in range(n))
        if self.h == 'dev': return self.ch(['07%s %s' % (d(3), d(6)), '+44 7%s %s %s' % (d(3), d(3), d(3)), '024 76%s %s' % (d(2), d(4)), '(01827) %s' % d(6)])
        return self.ch(['07%s-%s-%s' % (d(3),d(3),d(3)), '0044 7%s%s' % (d(3), d(6)), '01789 %s' % d(6), '+48 %s %s %s' % (d(3),d(3),d(3))])
    def email(self):
        f, l = NAMES[self.h]; a = self.ch(f).lower(); b = self.ch(l).lower(); n = self.r.randint(1,99)
        if self.h == 'dev': return self.ch(['%s.%s%d@gmail.com' % (a,b,n), '%s%s@hotmail.co.uk' % (a[0],b), '%s_%d@yahoo.com' % (a,n)])
        return self.ch(['%s%s%d@outlook.com' % (a,b,n), '%s.%s@icloud.com' % (a[:3],b), '%s-%s@btinternet.com' % (b,a)])
    def postcode(self):
        r = self.r; L = 'ABDEFGHJLNPQRSTUWXYZ'
        area = self.ch(['CV10','CV11','CV12','CV9','B46','B78']) if self.h=='dev' else self.ch(['CV37','CV35','CV36','B49','B80','CV47'])
        return '%s %d%s%s' % (area, r.randint(0,9), self.ch(L), self.ch(L))
    def nino(self):
        r = self.r; p = self.ch(['AB','JK','NP','SR','TW','HL','CE','PX','WM','ZR','KA','RN'])
        dg = '%06d' % r.randint(0,999999); s = self.ch('ABCD')
        return self.ch(['%s%s%s' % (p,dg,s), '%s %s %s %s %s' % (p,dg[:2],dg[2:4],dg[4:],s)]) if self.h=='dev' else self.ch(['%s %s%s' % (p,dg,s), '%s-%s-%s-%s-%s' % (p,dg[:2],dg[2:4],dg[4:],s)])
    def nhs(self):
        d = ''.join(str(self.r.randint(0,9)) for _ in range(10))
        return self.ch(['%s %s %s' % (d[:3],d[3:6],d[6:]), d]) if self.h=='dev' else self.ch(['%s-%s-%s' % (d[:3],d[3:6],d[6:]), '%s %s %s' % (d[:3],d[3:6],d[6:])])
    def card(self):
        d = ''.join(str(self.r.randint(0,9)) for _ in range(12))
        first = self.ch(['4929','5412','4658','5186'])
        return ' '.join([first, d[:4], d[4:8], d[8:]]) if self.h=='dev' else '-'.join([first, d[:4], d[4:8], d[8:]])
    def sort(self):
        r = self.r; return '%02d-%02d-%02d' % (r.randint(10,99), r.randint(0,99), r.randint(0,99))
    def acc(self): return '%08d' % self.r.randint(10000000, 99999999)
    def iban(self):
        r = self.r; return 'GB%02d %s %s %s %s' % (r.randint(10,99), self.ch(['NWBK','BARC','LOYD','HBUK']), '%04d' % r.randint(0,9999), '%04d' % r.randint(0,9999), '%02d' % r.randint(0,99))
    def vrm(self):
        r = self.r; L = 'ABCDEFGHJKLMNOPRSTUVWXY'
        l = lambda n: ''.join(self.ch(L) for _ in range(n))
        if self.h == 'dev': return self.ch(['%s%02d %s' % (l(2), r.randint(51,74), l(3)), '%s%02d%s' % (l(2), r.randint(10,25), l(3)), '%s%d %s' % (l(1), r.randint(1,999), l(3))])
        return self.ch(['%s %d%s' % (l(3), r.randint(1,999), l(1)), '%s%02d %s' % (l(2), r.randint(15,25), l(3)), '%s %d' % (l(3), r.randint(100,9999))])
    def refm(self):
        r = self.ref(); w = r.split(' ', 1)
        if w[0] in ('incident', 'log', 'CRN') and len(w) == 2:
            return w[0] + ' {r|' + w[1] + '}'
        return '{r|' + r + '}'
    def addr(self): return '%d %s' % (self.r.randint(1,140), self.ch(STREETS[self.h]))
    def fill(self, frame):
        subs = {'@NAME@': lambda: '{n|%s}' % self.name(), '@OP@': lambda: '{o|%s}' % self.op(), '@REF@': lambda: self.refm(),
                '@DOB@': lambda: '{d|%s}' % self.dob(), '@MARK@': lambda: '{m|%s}' % self.ch(MARKS[self.h]), '@PHONE@': lambda: '{p|%s}' % self.phone(),
                '@EMAIL@': lambda: '{e|%s}' % self.email(), '@PC@': lambda: '{pc|%s}' % self.postcode(), '@NINO@': lambda: '{ni|%s}' % self.nino(),
                '@NHS@': lambda: '{nhs|%s}' % self.nhs(), '@CARD@': lambda: '{cd|%s}' % self.card(), '@SORT@': lambda: '{bk|%s}' % self.sort(),
                '@ACC@': lambda: '{bk|%s}' % self.acc(), '@IBAN@': lambda: '{bk|%s}' % self.iban(), '@VRM@': lambda: '{v|%s}' % self.vrm(),
                '@ADDR@': lambda: '{a|%s}' % self.addr(), '@COV@': lambda: '{c|%s}' % self.ch(COVP[self.h])}
        for k, f in subs.items():
            while k in frame: frame = frame.replace(k, f(), 1)
        frame = frame.replace('@PLACE@', self.ch(PLACES[self.h])).replace('@STREET@', self.ch(STREETS[self.h]))
        return frame
    def labelled(self, cat):
        kind, frame = self.ch(FR[self.h][cat])
        t, sp = parse(self.fill(frame))
        return ('gen-'+kind, t, sp)
    def clean(self):
        kind, frame = self.ch(CLEAN[self.h])
        t, sp = parse(self.fill(frame))
        extra = self.ch(['', ' #Warwickshire', ' #SaferTogether', ' Please share.', '', ' Thanks!', ' #' + self.ch(PLACES[self.h]).replace('-','').replace(' ','')])
        return ('gen-'+kind, t + extra, sp)

CLAUSE = {
 'dev': {'personal.name':'nominal @NAME@','personal.dob':'DOB @DOB@','personal.nino':'NI @NINO@','personal.nhs':'NHS no @NHS@',
         'personal.phone':'tel @PHONE@','personal.email':'email @EMAIL@','personal.address':'lives @ADDR@','personal.postcode':'postcode @PC@',
         'personal.vehicle':'drives @VRM@','cardbank':'card @CARD@','marking':'@MARK@','investigation.reference':'ref @REF@',
         'investigation.operation':'linked to @OP@','covert':'note: @COV@'},
 'sealed': {'personal.name':'subject @NAME@','personal.dob':'born @DOB@','personal.nino':'NINo @NINO@','personal.nhs':'NHS @NHS@',
         'personal.phone':'mob @PHONE@','personal.email':'e-mail @EMAIL@','personal.address':'home address @ADDR@','personal.postcode':'PC @PC@',
         'personal.vehicle':'VRM @VRM@','cardbank':'account @SORT@ / @ACC@','marking':'@MARK@','investigation.reference':'crime no. @REF@',
         'investigation.operation':'(@OP@)','covert':'FYI @COV@'},
}
HEAD = {'dev': ['Pasted from niche: ','Custody note - ','Tasking: ','intel sub - ','FW: record check ','Fraud report: '],
        'sealed': ['Copied from Athena: ','PNC result // ','briefing sheet: ','re the job earlier: ','DOCUMENT: ','Safeguarding log - ']}
SEP = {'dev': [', ',' | ','; '], 'sealed': [' / ','. ',' - ']}

def _multi(self, needs, k=4):
    cats = [c for c,n in sorted(needs.items(), key=lambda t:-t[1]) if n > 0]
    if not cats: return None
    top = cats[:max(k+2, 1)]
    self.r.shuffle(top)
    pick = top[:k]
    order = [c for c in ['marking','personal.name','personal.dob','personal.nino','personal.nhs','personal.address','personal.postcode','personal.phone','personal.email','personal.vehicle','cardbank','investigation.reference','investigation.operation','covert'] if c in pick]
    sep = self.ch(SEP[self.h])
    body = self.ch(HEAD[self.h]) + sep.join(CLAUSE[self.h][c] for c in order)
    t, sp = parse(self.fill(body))
    return ('gen-record', t, sp)
Gen.multi = _multi
