#!/usr/bin/env python3
"""Validate dev8.jsonl and sealed8.jsonl."""
import json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
CATS = {'marking', 'personal.phone', 'personal.email', 'personal.postcode', 'personal.nino', 'personal.nhs',
        'personal.card', 'personal.bank', 'personal.vehicle', 'personal.dob', 'personal.name', 'personal.address',
        'investigation.reference', 'investigation.operation', 'covert', 'investigation.suspect', 'justice',
        'abuse', 'channel', 'copyright', 'disrepute'}
KINDS = {'appeal', 'court', 'missing', 'roads', 'event', 'recruitment', 'thanks', 'briefing', 'advice', 'reply', 'other'}


def check(name, prefix):
    errors, counts, clean, n = [], {}, 0, 0
    texts = []
    with open(os.path.join(HERE, name), 'rb') as f:
        raw = f.read()
    try:
        raw.decode('ascii')
    except UnicodeDecodeError as e:
        errors.append('%s: non-ASCII byte at %d' % (name, e.start))
    for ln, line in enumerate(raw.decode('utf-8', 'replace').splitlines(), 1):
        try:
            o = json.loads(line)
        except Exception as e:
            errors.append('%s:%d bad json %s' % (name, ln, e)); continue
        n += 1
        if set(o) != {'id', 'kind', 'text', 'spans'}:
            errors.append('%s:%d keys %s' % (name, ln, sorted(o)))
            continue
        if o['id'] != '%s-%04d' % (prefix, ln):
            errors.append('%s:%d id %s' % (name, ln, o['id']))
        if o['kind'] not in KINDS:
            errors.append('%s:%d kind %s' % (name, ln, o['kind']))
        t = o['text']
        if not isinstance(t, str) or not t.strip():
            errors.append('%s:%d empty text' % (name, ln))
        if any(ord(ch) > 127 for ch in t):
            errors.append('%s:%d non-ascii text' % (name, ln))
        texts.append(t)
        b = t.encode('utf-8')
        prev = 0
        if not o['spans']:
            clean += 1
        for s in o['spans']:
            if set(s) != {'category', 'match', 'start', 'end'}:
                errors.append('%s:%d span keys %s' % (name, ln, sorted(s))); continue
            if s['category'] not in CATS:
                errors.append('%s:%d category %s' % (name, ln, s['category']))
            st, en = s['start'], s['end']
            if not (isinstance(st, int) and isinstance(en, int) and 0 <= st < en <= len(b)):
                errors.append('%s:%d offsets %r' % (name, ln, s)); continue
            if b[st:en].decode('utf-8') != s['match']:
                errors.append('%s:%d match mismatch %r' % (name, ln, s))
            if s['match'] != s['match'].strip() or not s['match']:
                errors.append('%s:%d untrimmed %r' % (name, ln, s['match']))
            if st < prev:
                errors.append('%s:%d unsorted/overlap %r' % (name, ln, s))
            prev = en
            counts[s['category']] = counts.get(s['category'], 0) + 1
    return errors, counts, clean, n, texts


def main():
    allerr = []
    res = {}
    for name, prefix in (('dev8.jsonl', 'b8d'), ('sealed8.jsonl', 'b8s')):
        e, c, cl, n, texts = check(name, prefix)
        allerr += e
        res[name] = (c, cl, n, texts)
    dup = set(res['dev8.jsonl'][3]) & set(res['sealed8.jsonl'][3])
    if dup:
        print('note: %d texts appear in both halves' % len(dup))
    cats = sorted(set(res['dev8.jsonl'][0]) | set(res['sealed8.jsonl'][0]))
    print('%-26s %6s %6s' % ('category', 'dev', 'sealed'))
    for k in cats:
        print('%-26s %6d %6d' % (k, res['dev8.jsonl'][0].get(k, 0), res['sealed8.jsonl'][0].get(k, 0)))
    for name in res:
        c, cl, n, _ = res[name]
        print('%s: %d drafts, %d clean (%.1f%%), %d spans' % (name, n, cl, 100.0 * cl / max(1, n), sum(c.values())))
    if allerr:
        print('\n'.join(allerr[:50]))
        print('FAIL: %d errors' % len(allerr))
        sys.exit(1)
    print('OK')


if __name__ == '__main__':
    main()
