#!/usr/bin/env python3
"""Validate dev6.jsonl / sealed6.jsonl and print per-category span counts per half."""
import json, re, sys
from collections import Counter
CATS = ['marking','personal.phone','personal.email','personal.postcode','personal.nino','personal.nhs',
 'personal.card','personal.bank','personal.vehicle','personal.dob','personal.name','personal.address',
 'investigation.reference','investigation.operation','covert','investigation.suspect','justice',
 'abuse','channel','copyright','disrepute']
def check(path, prefix):
    errs, cnt, kinds, n, clean = [], Counter(), Counter(), 0, 0
    for i, line in enumerate(open(path, encoding='utf-8'), 1):
        try: r = json.loads(line)
        except Exception as e: errs.append(f'{path}:{i} bad json {e}'); continue
        n += 1
        if set(r) != {'id','kind','text','spans'}: errs.append(f'{path}:{i} keys {sorted(r)}')
        if r['id'] != f'{prefix}-{i:04d}': errs.append(f'{path}:{i} id {r["id"]}')
        if not isinstance(r['kind'], str) or not re.fullmatch(r'[a-z]+', r['kind']): errs.append(f'{path}:{i} kind')
        t = r['text']; b = t.encode('utf-8')
        if not t.isascii(): errs.append(f'{path}:{i} non-ascii text (char and byte offsets would differ)')
        kinds[r['kind']] += 1
        if not r['spans']: clean += 1
        prev_end = -1
        for s in sorted(r['spans'], key=lambda s: s['start']):
            if set(s) != {'category','match','start','end'}: errs.append(f'{path}:{i} span keys')
            if s['category'] not in CATS: errs.append(f'{path}:{i} category {s["category"]}')
            if t[s['start']:s['end']] != s['match']: errs.append(f'{path}:{i} char offsets {s}')
            if b[s['start']:s['end']].decode('utf-8','replace') != s['match']: errs.append(f'{path}:{i} byte offsets {s}')
            if s['match'] != s['match'].strip() or not s['match']: errs.append(f'{path}:{i} untrimmed {s}')
            if s['start'] < prev_end: errs.append(f'{path}:{i} overlap {s}')
            prev_end = s['end']
            cnt[s['category']] += 1
    return n, clean, cnt, kinds, errs
if __name__ == '__main__':
    res = {}
    allerr = []
    for path, pre in (('dev6.jsonl','b6d'), ('sealed6.jsonl','b6s')):
        res[path] = check(path, pre); allerr += res[path][4]
    for e in allerr[:50]: print('ERROR', e)
    d, s = res['dev6.jsonl'], res['sealed6.jsonl']
    print(f'drafts: dev {d[0]}  sealed {s[0]}  total {d[0]+s[0]}')
    print(f'clean:  dev {d[1]} ({100*d[1]/max(d[0],1):.0f}%)  sealed {s[1]} ({100*s[1]/max(s[0],1):.0f}%)')
    print(f'| category | dev | sealed | total |\n|---|---:|---:|---:|')
    for c in CATS:
        print(f'| {c} | {d[2][c]} | {s[2][c]} | {d[2][c]+s[2][c]} |')
    print(f'| ALL | {sum(d[2].values())} | {sum(s[2].values())} | {sum(d[2].values())+sum(s[2].values())} |')
    print('kinds:', dict((d[3]+s[3]).most_common()))
    print('OK' if not allerr else f'{len(allerr)} ERRORS')
    sys.exit(1 if allerr else 0)
