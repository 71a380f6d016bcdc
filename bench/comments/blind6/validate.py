#!/usr/bin/env python3
"""Validate dev.jsonl and sealed.jsonl and print per-label counts for each half."""
import json, os, sys, collections
HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = ['id', 'platform', 'account', 'post', 'author_name', 'text', 'labels', 'target']
LABELS = ['question', 'emergency', 'crime_report', 'complaint', 'abuse_staff', 'hate.race', 'hate.religion',
          'hate.sexual_orientation', 'hate.disability', 'hate.transgender', 'threat', 'doxxing', 'spam']
TARGETED = {'abuse_staff', 'threat', 'doxxing'}
PLATFORMS = {'facebook', 'x', 'instagram', 'nextdoor', 'tiktok', 'youtube'}
errors = []
def err(m): errors.append(m)
seen_text = {}
post_half = {}
counts = {}
for half, prefix in (('dev', 'c6d'), ('sealed', 'c6s')):
    c = collections.Counter(); n = 0
    path = os.path.join(HERE, f'{half}.jsonl')
    with open(path, encoding='utf-8') as f:
        for ln, line in enumerate(f, 1):
            try:
                o = json.loads(line)
            except Exception as e:
                err(f'{half}:{ln}: bad JSON {e}'); continue
            n += 1
            if list(o.keys()) != KEYS: err(f'{half}:{ln}: key order {list(o.keys())}')
            if o.get('id') != f'{prefix}-{ln:04d}': err(f'{half}:{ln}: id {o.get("id")} expected {prefix}-{ln:04d}')
            for k in ('platform', 'account', 'post', 'author_name', 'text'):
                if not isinstance(o.get(k), str) or not o[k].strip(): err(f'{half}:{ln}: empty {k}')
            if o.get('platform') not in PLATFORMS: err(f'{half}:{ln}: platform {o.get("platform")}')
            if not str(o.get('account', '')).startswith('@'): err(f'{half}:{ln}: account')
            labs = o.get('labels')
            if not isinstance(labs, list): err(f'{half}:{ln}: labels not list'); labs = []
            if len(set(labs)) != len(labs): err(f'{half}:{ln}: duplicate labels')
            for l in labs:
                if l not in LABELS: err(f'{half}:{ln}: unknown label {l}')
            needs = any(l in TARGETED or l.startswith('hate.') for l in labs)
            t = o.get('target')
            if needs and not (isinstance(t, str) and t.strip()): err(f'{half}:{ln}: target required')
            if not needs and t is not None: err(f'{half}:{ln}: target must be null')
            key = ' '.join(o.get('text', '').lower().split())
            if key in seen_text: err(f'{half}:{ln}: duplicate text of {seen_text[key]}')
            seen_text[key] = o.get('id')
            pk = (o.get('account'), o.get('post'))
            if post_half.setdefault(pk, half) != half: err(f'{half}:{ln}: post appears in both halves')
            c.update(labs)
            if not labs: c['(none)'] += 1
    counts[half] = (n, c)
print(f'{"label":26s} {"dev":>6s} {"sealed":>7s} {"total":>6s}')
for l in LABELS + ['(none)']:
    d, s = counts['dev'][1][l], counts['sealed'][1][l]
    print(f'{l:26s} {d:6d} {s:7d} {d+s:6d}')
print(f'{"comments":26s} {counts["dev"][0]:6d} {counts["sealed"][0]:7d} {counts["dev"][0]+counts["sealed"][0]:6d}')
print(f'posts: dev {sum(1 for v in post_half.values() if v=="dev")}, sealed {sum(1 for v in post_half.values() if v=="sealed")}')
if errors:
    print(f'{len(errors)} ERRORS'); [print(' ', e) for e in errors[:50]]; sys.exit(1)
print('OK')
