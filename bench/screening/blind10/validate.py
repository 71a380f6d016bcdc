#!/usr/bin/env python3
import json, os, re, sys, collections
HERE = os.path.dirname(os.path.abspath(__file__))
CATS = ['marking', 'personal.phone', 'personal.email', 'personal.postcode', 'personal.nino', 'personal.nhs',
        'personal.card', 'personal.bank', 'personal.vehicle', 'personal.dob', 'personal.name', 'personal.address',
        'investigation.reference', 'investigation.operation', 'covert', 'investigation.suspect', 'justice',
        'abuse', 'channel', 'copyright', 'disrepute']
MINS = {c: 35 for c in CATS[:16]}
MINS.update({'personal.nino': 8, 'personal.nhs': 8, 'personal.card': 8, 'personal.bank': 8, 'personal.name': 120,
             'investigation.suspect': 1})
MINS.pop('investigation.suspect')
for c in CATS[15:]:
    MINS[c] = 1
errors = []
texts = set(); counts = {}; ndocs = {}; clean = {}
for half, fn, pref in (('dev', 'dev10.jsonl', 'b10d'), ('sealed', 'sealed10.jsonl', 'b10s')):
    c = collections.Counter(); n = 0; nc = 0
    for i, ln in enumerate(open(os.path.join(HERE, fn), encoding='utf-8'), 1):
        d = json.loads(ln); n += 1
        if set(d) != {'id', 'kind', 'text', 'spans'}: errors.append('%s:%d keys %s' % (fn, i, sorted(d)))
        if d['id'] != '%s-%04d' % (pref, i): errors.append('%s:%d id %s' % (fn, i, d['id']))
        if not d['kind'] or not d['text'].strip(): errors.append('%s:%d empty' % (fn, i))
        if d['text'] in texts: errors.append('%s:%d duplicate text' % (fn, i))
        texts.add(d['text'])
        b = d['text'].encode('utf-8'); last = 0
        if not d['spans']: nc += 1
        for s in d['spans']:
            if set(s) != {'category', 'match', 'start', 'end'}: errors.append('%s:%d span keys' % (fn, i))
            if s['category'] not in CATS: errors.append('%s:%d bad cat %s' % (fn, i, s['category']))
            if not (0 <= s['start'] < s['end'] <= len(b)): errors.append('%s:%d bad offsets' % (fn, i))
            if b[s['start']:s['end']] != s['match'].encode('utf-8'): errors.append('%s:%d match mismatch %r' % (fn, i, s['match']))
            if s['match'] != s['match'].strip(): errors.append('%s:%d untrimmed %r' % (fn, i, s['match']))
            if s['start'] < last: errors.append('%s:%d unsorted/overlap %r' % (fn, i, s['match']))
            last = s['end']
            c[s['category']] += 1
    counts[half] = c; ndocs[half] = n; clean[half] = nc
for half in counts:
    for cat, m in MINS.items():
        if counts[half][cat] < m: errors.append('%s: %s has %d < %d' % (half, cat, counts[half][cat], m))
print('%-26s %6s %6s' % ('category', 'dev', 'sealed'))
for cat in CATS:
    print('%-26s %6d %6d' % (cat, counts['dev'][cat], counts['sealed'][cat]))
print('%-26s %6d %6d' % ('drafts', ndocs['dev'], ndocs['sealed']))
print('%-26s %6d %6d' % ('clean drafts', clean['dev'], clean['sealed']))
print('%-26s %5.1f%% %5.1f%%' % ('clean share', 100*clean['dev']/ndocs['dev'], 100*clean['sealed']/ndocs['sealed']))
if errors:
    print('FAIL'); [print(' ', e) for e in errors[:60]]; sys.exit(1)
print('PASS')
