#!/usr/bin/env python3
"""Template generator (the <=20% non-hand-written part). Writes scratch/tmpl01.txt in the same
markup as the hand-written batches. Seeded, so the output is reproducible."""
import random
R = random.Random(61)
first = ['Aaliyah','Bartosz','Ciara','Dmitri','Efua','Fionn','Gulnara','Harvinder','Ines','Joachim','Kemi','Leandro',
 'Mairead','Nuno','Oksana','Pranav','Quinn','Rafaela','Selin','Tadhg','Ugo','Valentina','Wiremu','Ximena','Yusra','Zeynep']
last = ['Abernethy','Bhattacharya','Cieslak','Dlamini','Eriksen','Fofana','Grigoryan','Hadley','Ivanova','Jarvis','Kowalski',
 'Lindqvist','Mbeki','Nakashima','Okoro','Pellegrini','Quaye','Rasmussen','Szabo','Thistlethwaite','Umeh','Vasquez','Whelan','Yilmaz']
towns = ['Leamington','Warwick','Rugby','Nuneaton','Bedworth','Stratford','Kenilworth','Atherstone','Southam','Alcester','Coleshill','Shipston']
streets = ['Beech Drive','Clarence Road','Falstaff Close','Hampden Way','Kingsway','Laburnum Grove','Milverton Crescent','Orchard Way','Poplar Road','Tennyson Avenue']
ops = ['Operation Blackcap','Op Chiffchaff','Operation Redpoll','Op Linnet','Operation Stonechat','Op Whinchat','Operation Yellowhammer','Op Hobby','Operation Merlin Blue','Op Dipper']
pcs = ['CV31 2HL','CV34 6AZ','CV21 3QN','CV11 4NB','CV12 9DX','CV37 7LS','CV8 2JG','CV9 1QQ','CV47 0FH','B49 5EP']
def name(): return f'{R.choice(first)} {R.choice(last)}'
def nhs(): d = f'{R.randint(100,999)}{R.randint(100,999)}{R.randint(1000,9999)}'; return R.choice([d, f'{d[:3]} {d[3:6]} {d[6:]}'])
def card(): d = R.choice('45') + ''.join(str(R.randint(0,9)) for _ in range(15)); return R.choice([' '.join(d[i:i+4] for i in range(0,16,4)), d, '-'.join(d[i:i+4] for i in range(0,16,4))])
def nino(): L='ABCEGHJKLMNPRSTWXYZ'; return f'{R.choice(L)}{R.choice(L)} {R.randint(10,99)} {R.randint(10,99)} {R.randint(10,99)} {R.choice("ABCD")}'
def email(n): a,b = n.lower().split(); return f'{a}.{b}{R.randint(1,99)}@{R.choice(["gmail.com","outlook.com","yahoo.co.uk","hotmail.co.uk"])}'
labelled = [
 lambda n=None: f"custody @ Pasted note: DP {{{{n|{(n:=name())}}}}}, NHS {{{{nhs|{nhs()}}}}}, seen by HCP at {R.choice(['Leamington','Nuneaton'])} custody.",
 lambda n=None: f"custody @ Property log for {{{{n|{name()}}}}}: debit card {{{{card|{card()}}}}} and {R.randint(2,90)} pounds cash.",
 lambda n=None: f"intel @ Employment check: {{{{n|{name()}}}}}, NI {{{{ni|{nino()}}}}}, working at a car wash in {R.choice(towns)}.",
 lambda n=None: f"reply @ We'll email the witness, {{{{n|{(n:=name())}}}}}, at {{{{em|{email(n)}}}}} with an update.",
 lambda n=None: f"briefing @ {{{{op|{R.choice(ops)}}}}} update for {R.choice(towns)} team - keep it off social media until the SIO signs it off.",
 lambda n=None: f"update @ {R.choice(towns)} burglary series: {{{{sus|{R.choice(['the suspect is a delivery driver who covers the estate','we think it is the cousin of one of the victims','the main suspect works at the local garage','he is a regular at the pub opposite the victim'])}}}}}.",
 lambda n=None: f"media @ {{{{cp|{R.choice(['Borrowed this photo from a local photographer on Facebook','Here is the clip from BBC Midlands Today','Lyrics from Wonderwall: today is gonna be the day','Found this video on TikTok'])}}}}} - please share!",
 lambda n=None: f"chatter @ {{{{dr|{R.choice(['Go and eat at Luigi on the high street, the best pizza in town, our team swears by it','The victim was an idiot for leaving the door open','Vote for the independent candidate, he backs the police','Another shout at the same flat, what a joke of a family'])}}}}}.",
 lambda n=None: f"rant @ Arrested {{{{ab|{R.choice(['another junkie scrounger','a total waste of space','this brainless thug','some useless layabout'])}}}}} in {R.choice(towns)} tonight.",
 lambda n=None: f"appeal @ Saw the collision in {R.choice(towns)}? {{{{ch|{R.choice(['WhatsApp your footage to PC Dean','DM us on Instagram','Send a Facebook message to our officer','Snapchat the video to us'])}}}}}.",
 lambda n=None: f"intel @ {{{{mk|{R.choice(['OFFICIAL-SENSITIVE','Official - Sensitive','SECRET','RESTRICTED','CONFIDENTIAL'])}}}}} - tasking for {R.choice(towns)} attached, do not publish.",
 lambda n=None: f"custody @ Victim {{{{n|{name()}}}}} lives at {{{{ad|{R.randint(1,120)} {R.choice(streets)}}}}}, {R.choice(towns)}, {{{{pc|{R.choice(pcs)}}}}}.",
 lambda n=None: f"court @ The trial starts today in {R.choice(towns)}. {{{{j|{R.choice(['He is guilty and everyone knows it','The defendant is a liar','No way the jury lets him off'])}}}}}.",
]
clean = [
 lambda: f"event @ Meet your local officers at {R.choice(towns)} library on {R.choice(['Monday','Tuesday','Wednesday','Thursday','Friday'])} from {R.randint(9,11)}am. Free crime prevention advice.",
 lambda: f"roads @ {R.choice(['Road closure','Heads up','Traffic alert'])}: {R.choice(streets)}, {R.choice(towns)}, is closed {R.choice(['for resurfacing','after a collision','for a water leak'])}. Please use an alternative route.",
 lambda: f"snt @ {R.choice(towns)} SNT have {R.choice(['increased patrols','been out on foot patrol','visited local schools'])} this week {R.choice(['after reports of antisocial behaviour','to talk about road safety','ahead of the school holidays'])}.",
 lambda: f"court @ {R.choice(towns)} man {name()}, {R.randint(19,60)}, was jailed for {R.randint(6,60)} months at Warwick Crown Court for {R.choice(['burglary','robbery','supplying cocaine','fraud','assault'])}.",
 lambda: f"appeal @ {R.choice(['Scam warning','Fraud alert'])}: report suspicious calls to Action Fraud on 0300 123 2040. Never give out your bank details.",
 lambda: f"thanks @ Thank you to {R.choice(['the Co-op','Tesco','the Rotary Club','the parish council','the Lions Club'])} in {R.choice(towns)} for supporting our {R.choice(['Christmas appeal','cadets','community day'])}.",
 lambda: f"dogs @ PD {R.choice(['Rolo','Maverick','Pepper','Hunter','Skye','Bear'])} {R.choice(['found a suspect hiding in a garden','tracked a burglar across fields','found a missing man','sniffed out cash during a warrant'])} in {R.choice(towns)}.",
 lambda: f"event @ {R.choice(['Op Sceptre','Operation Snap','Op Encompass','Operation Close','Op Makesafe'])} is one of our public campaigns - find out more on our website.",
]
out = ['# generated by gen_templates.py - NOT hand-written']
seen = set()
def add(pool, k):
    while k:
        x = R.choice(pool)()
        if x in seen: continue
        seen.add(x); out.append(x); k -= 1
add(labelled, 70); add(clean, 70)
body = out[1:]; R.shuffle(body); out = out[:1] + body
open('scratch/tmpl01.txt', 'w').write('\n'.join(out) + '\n')
print(len(out) - 1, 'template drafts')
