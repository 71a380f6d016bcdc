#!/usr/bin/env python3
"""Validate dev7.jsonl and sealed7.jsonl; print per-category span counts and clean counts."""
import json, sys, collections
CATS = {'marking','personal.phone','personal.email','personal.postcode','personal.nino','personal.nhs',
 'personal.card','personal.bank','personal.vehicle','personal.dob','personal.name','personal.address',
 'investigation.reference','investigation.operation','covert','investigation.suspect','justice',
 'abuse','channel','copyright','disrepute'}
ok = True
def err(m):
    global ok; ok = False; print('ERROR', m)
tables = {}
for fn, pre in (('dev7.jsonl','b7d'),('sealed7.jsonl','b7s')):
    cnt, clean, n, kinds = collections.Counter(), 0, 0, collections.Counter()
    for i, line in enumerate(open(fn, encoding='utf-8'), 1):
        try: d = json.loads(line)
        except Exception as e: err(f'{fn}:{i} bad json {e}'); continue
        n += 1
        if set(d) != {'id','kind','text','spans'}: err(f'{fn}:{i} keys {sorted(d)}')
        if d.get('id') != f'{pre}-{i:04d}': err(f'{fn}:{i} id {d.get("id")}')
        if not isinstance(d.get('kind'), str) or not d['kind'] or d['kind'] in CATS: err(f'{fn}:{i} kind')
        t = d.get('text')
        if not isinstance(t, str) or not t.strip(): err(f'{fn}:{i} text'); continue
        if len(t.encode('utf-8')) != len(t): err(f'{fn}:{i} non-ascii text (byte/char offsets would differ)')
        kinds[d['kind']] += 1
        prev_end = -1
        for s in sorted(d['spans'], key=lambda s: s['start']):
            if set(s) != {'category','match','start','end'}: err(f'{fn}:{i} span keys')
            if s['category'] not in CATS: err(f'{fn}:{i} category {s["category"]}')
            if not (0 <= s['start'] < s['end'] <= len(t)): err(f'{fn}:{i} offsets'); continue
            if t[s['start']:s['end']] != s['match']: err(f'{fn}:{i} match mismatch {s}')
            if s['match'] != s['match'].strip(): err(f'{fn}:{i} untrimmed {s}')
            if s['start'] < prev_end: err(f'{fn}:{i} overlap {s}')
            prev_end = s['end']
            cnt[s['category']] += 1
        if d['spans'] != sorted(d['spans'], key=lambda s: s['start']): err(f'{fn}:{i} spans not sorted')
        if not d['spans']: clean += 1
    tables[fn] = (n, clean, cnt, kinds)
print(f'{"category":26s} {"dev7":>6s} {"sealed7":>8s}')
for c in sorted(CATS):
    print(f'{c:26s} {tables["dev7.jsonl"][2][c]:6d} {tables["sealed7.jsonl"][2][c]:8d}')
for fn,(n,clean,cnt,kinds) in tables.items():
    print(f'{fn}: drafts {n}, clean {clean} ({100*clean/max(n,1):.1f}%), spans {sum(cnt.values())}, kinds {len(kinds)}')
print('OK' if ok else 'FAILED'); sys.exit(0 if ok else 1)
