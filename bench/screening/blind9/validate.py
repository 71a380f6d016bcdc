#!/usr/bin/env python3
import json, os, sys
HERE = os.path.dirname(os.path.abspath(__file__))
CATS = ['marking','personal.phone','personal.email','personal.postcode','personal.nino','personal.nhs',
 'personal.card','personal.bank','personal.vehicle','personal.dob','personal.name','personal.address',
 'investigation.reference','investigation.operation','covert',
 'investigation.suspect','justice','abuse','channel','copyright','disrepute']
LOW = {'personal.nino','personal.nhs','personal.card','personal.bank'}
OBJ = CATS[:15]
errs = []; stats = {}
texts = {}
for name, pre in (('dev9.jsonl','b9d'),('sealed9.jsonl','b9s')):
    c = {k: 0 for k in CATS}; clean = n = 0
    for ln, line in enumerate(open(os.path.join(HERE, name), encoding='utf-8'), 1):
        o = json.loads(line); n += 1
        if set(o) != {'id','kind','text','spans'}: errs.append(f'{name}:{ln} keys {set(o)}')
        if o['id'] != f'{pre}-{ln:04d}': errs.append(f'{name}:{ln} id {o["id"]}')
        if not o['kind'] or not o['text'].strip(): errs.append(f'{name}:{ln} empty kind/text')
        if o['text'] in texts: errs.append(f'{name}:{ln} duplicate text of {texts[o["text"]]}')
        texts[o['text']] = o['id']
        b = o['text'].encode('utf-8'); last = 0
        if not o['spans']: clean += 1
        for s in o['spans']:
            if s['category'] not in CATS: errs.append(f'{o["id"]} bad cat {s["category"]}')
            else: c[s['category']] += 1
            if b[s['start']:s['end']].decode('utf-8', 'replace') != s['match']: errs.append(f'{o["id"]} mismatch {s}')
            if s['match'] != s['match'].strip() or not s['match']: errs.append(f'{o["id"]} untrimmed {s}')
            if s['start'] < last: errs.append(f'{o["id"]} unsorted/overlap {s}')
            last = s['end']
    stats[name] = (n, clean, c)
print(f'{"category":26s} {"dev9":>6s} {"sealed9":>8s}')
for k in CATS:
    a, b_ = stats['dev9.jsonl'][2][k], stats['sealed9.jsonl'][2][k]
    flag = ''
    if k in OBJ and min(a, b_) < (8 if k in LOW else 35): flag = '  <-- below minimum'; errs.append(f'{k} below minimum')
    print(f'{k:26s} {a:6d} {b_:8d}{flag}')
for name in stats:
    n, clean, _ = stats[name]; print(f'{name}: drafts={n} clean={clean} ({clean/n:.1%})')
if errs:
    print('FAIL'); [print(' ', e) for e in errs[:40]]; sys.exit(1)
print('PASS')
