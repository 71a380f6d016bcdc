#!/usr/bin/env python3
"""Build dev8.jsonl and sealed8.jsonl from scratch/batch_*.txt (hand-typed) and scratch/gen_batch.txt (generated).

Batch file format: each draft starts with a line '@@ <kind>'; following lines (joined with newline,
trailing blank lines dropped) are the text. Spans are marked inline as {code|text}.
"""
import json, random, re, glob, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
CODES = {
    'n': 'personal.name', 'c': 'covert', 'r': 'investigation.reference', 'o': 'investigation.operation',
    'd': 'personal.dob', 'p': 'personal.phone', 'a': 'personal.address', 'z': 'personal.postcode',
    'e': 'personal.email', 'v': 'personal.vehicle', 'm': 'marking', 'i': 'personal.nino',
    'h': 'personal.nhs', 'k': 'personal.card', 'b': 'personal.bank', 's': 'investigation.suspect',
    'j': 'justice', 'x': 'abuse', 'ch': 'channel', 'cp': 'copyright', 'dr': 'disrepute',
}
KINDS = {'appeal', 'court', 'missing', 'roads', 'event', 'recruitment', 'thanks', 'briefing', 'advice', 'reply', 'other'}
MARK = re.compile(r'\{([a-z]+)\|([^{}]*)\}')
SEED_RANGE = range(0, 2000)


def parse_file(path, source):
    drafts = []
    cur = None
    with open(path, encoding='ascii') as f:
        for line in f.read().split('\n'):
            if line.startswith('@@ '):
                if cur:
                    drafts.append(cur)
                cur = {'kind': line[3:].strip(), 'lines': [], 'source': source, 'file': os.path.basename(path)}
            elif cur is not None:
                cur['lines'].append(line.rstrip())
    if cur:
        drafts.append(cur)
    out = []
    for d in drafts:
        while d['lines'] and not d['lines'][-1]:
            d['lines'].pop()
        raw = '\n'.join(d['lines']).strip()
        if not raw:
            continue
        assert d['kind'] in KINDS, (path, d['kind'], raw[:60])
        text, spans, pos = '', [], 0
        for m in MARK.finditer(raw):
            text += raw[pos:m.start()]
            code, inner = m.group(1), m.group(2)
            assert code in CODES, (path, code, raw[:80])
            start = len(text)
            text += inner
            spans.append({'category': CODES[code], 'match': inner, 'start': start, 'end': len(text)})
            pos = m.end()
        text += raw[pos:]
        assert '{' not in text and '}' not in text, (path, raw[:80])
        out.append({'kind': d['kind'], 'text': text, 'spans': spans, 'source': d['source']})
    return out


def counts(drafts):
    c = {}
    for d in drafts:
        for s in d['spans']:
            c[s['category']] = c.get(s['category'], 0) + 1
        if not d['spans']:
            c['_clean'] = c.get('_clean', 0) + 1
    return c


def deal(batches, seed):
    order = list(range(len(batches)))
    random.Random(seed).shuffle(order)
    dev, sealed = [], []
    for i, b in enumerate(order):
        (dev if i % 2 == 0 else sealed).extend(batches[b])
    return dev, sealed


def imbalance(dev, sealed):
    cd, cs = counts(dev), counts(sealed)
    keys = set(cd) | set(cs)
    hard = {'personal.name', 'covert', 'investigation.reference', 'investigation.operation', 'personal.dob',
            'personal.phone', 'personal.address', 'personal.postcode', 'personal.email', 'personal.vehicle', 'marking'}
    score = 0.0
    for k in keys:
        a, b = cd.get(k, 0), cs.get(k, 0)
        w = 3.0 if k in hard else 1.0
        score += w * abs(a - b) / max(1, (a + b)) ** 0.5
        if k in hard and min(a, b) < (40 if k in ('personal.name', 'covert', 'investigation.reference', 'investigation.operation') else 20):
            score += 1000
    score += abs(len(dev) - len(sealed))
    return score


def main():
    drafts = []
    for p in sorted(glob.glob(os.path.join(HERE, 'scratch', 'batch_*.txt'))):
        drafts += parse_file(p, 'hand')
    gp = os.path.join(HERE, 'scratch', 'gen_batch.txt')
    if os.path.exists(gp):
        drafts += parse_file(gp, 'generated')
    batches = [drafts[i:i + 10] for i in range(0, len(drafts), 10)]
    best = min(SEED_RANGE, key=lambda s: (imbalance(*deal(batches, s)), s))
    dev, sealed = deal(batches, best)
    for name, half, prefix in (('dev8.jsonl', dev, 'b8d'), ('sealed8.jsonl', sealed, 'b8s')):
        with open(os.path.join(HERE, name), 'w', encoding='ascii') as f:
            for i, d in enumerate(half, 1):
                obj = {'id': '%s-%04d' % (prefix, i), 'kind': d['kind'], 'text': d['text'], 'spans': d['spans']}
                f.write(json.dumps(obj, ensure_ascii=True) + '\n')
    hand = sum(1 for d in drafts if d['source'] == 'hand')
    print('drafts', len(drafts), 'hand', hand, 'generated', len(drafts) - hand, 'hand share %.1f%%' % (100.0 * hand / len(drafts)))
    print('batches', len(batches), 'seed', best, 'dev', len(dev), 'sealed', len(sealed))
    cd, cs = counts(dev), counts(sealed)
    for k in sorted(set(cd) | set(cs)):
        print('%-26s dev %4d  sealed %4d' % (k, cd.get(k, 0), cs.get(k, 0)))


if __name__ == '__main__':
    main()
