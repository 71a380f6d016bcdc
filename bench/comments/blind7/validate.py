#!/usr/bin/env python3
"""Validate dev.jsonl and sealed.jsonl for the cblind7 corpus; print per-label counts per half."""
import csv, json, os, re, sys
from collections import Counter
D = os.path.dirname(os.path.abspath(__file__))
KEYS = ['id', 'platform', 'account', 'post', 'author_name', 'text', 'labels', 'target']
LABELS = ['question', 'emergency', 'crime_report', 'complaint', 'abuse_staff', 'threat', 'doxxing', 'spam',
          'hate.race', 'hate.religion', 'hate.sexual_orientation', 'hate.disability', 'hate.transgender']
PLATFORMS = {'facebook', 'x', 'instagram', 'nextdoor', 'youtube', 'tiktok'}
MIN = {l: (25 if l.startswith('hate.') or l == 'emergency' else 35) for l in LABELS}
errs = []
def err(m):
    errs.append(m)

staff_targets = set()
with open(os.path.join(D, 'staff.csv')) as f:
    rd = csv.DictReader(f)
    if rd.fieldnames != ['staff_number', 'given_name', 'family_name', 'rank', 'collar_number', 'business_area']:
        err('staff.csv header')
    for r in rd:
        if bool(r['rank']) != bool(r['collar_number']):
            err(f"staff rank/collar mismatch {r['staff_number']}")
        staff_targets.add(f"{r['rank']} {r['given_name']} {r['family_name']} ({r['collar_number']})" if r['rank']
                          else f"{r['business_area']} {r['given_name']} {r['family_name']}")

texts = {}
posthalf = {}
counts = {}
for name, pre in (('dev.jsonl', 'c7d'), ('sealed.jsonl', 'c7s')):
    c = Counter()
    for n, line in enumerate(open(os.path.join(D, name)), 1):
        if not line.isascii():
            err(f'{name}:{n} non-ASCII')
        o = json.loads(line)
        if list(o) != KEYS:
            err(f'{name}:{n} key order {list(o)}')
            continue
        if o['id'] != f'{pre}-{n:04d}':
            err(f"{name}:{n} id {o['id']}")
        for k in KEYS[:6]:
            if not isinstance(o[k], str) or not o[k].strip():
                err(f'{name}:{n} empty {k}')
        if o['platform'] not in PLATFORMS:
            err(f"{name}:{n} platform {o['platform']}")
        if not o['account'].startswith('@') or ' ' in o['account']:
            err(f"{name}:{n} account {o['account']}")
        labs = o['labels']
        if not isinstance(labs, list) or len(set(labs)) != len(labs) or any(l not in LABELS for l in labs):
            err(f'{name}:{n} labels {labs}')
        need = any(l in ('abuse_staff', 'threat', 'doxxing') or l.startswith('hate.') for l in labs)
        t = o['target']
        if need and (not isinstance(t, str) or not t.strip()):
            err(f'{name}:{n} target missing')
        if not need and t is not None:
            err(f'{name}:{n} target should be null')
        if isinstance(t, str) and re.search(r'\(\d{4}\)$', t) and t not in staff_targets:
            err(f'{name}:{n} staff target not in staff.csv: {t}')
        k = re.sub(r'\s+', ' ', o['text'].strip().lower())
        if k in texts:
            err(f"{name}:{n} duplicate text (also {texts[k]})")
        texts[k] = o['id']
        if o['post'] in posthalf and posthalf[o['post']] != name:
            err(f"{name}:{n} post split across halves: {o['post']}")
        posthalf[o['post']] = name
        c.update(labs)
        c['(no label)'] += not labs
        c['(total)'] += 1
    counts[name] = c
print(f"{'label':28}{'dev':>6}{'sealed':>8}")
for l in LABELS + ['(no label)', '(total)']:
    print(f"{l:28}{counts['dev.jsonl'][l]:6}{counts['sealed.jsonl'][l]:8}")
    if l in MIN:
        for h in counts:
            if counts[h][l] < MIN[l]:
                err(f'{h}: {l} below {MIN[l]}')
for e in errs[:50]:
    print('ERROR', e)
print('FAIL' if errs else 'PASS', len(errs), 'errors')
sys.exit(1 if errs else 0)
