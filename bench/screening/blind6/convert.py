#!/usr/bin/env python3
"""Convert hand-marked scratch batches into JSONL.
Scratch line format:  kind<TAB>text with {{alias|match}} markup
Blank lines and lines starting with '#' are ignored.
Batch assignment (dev/sealed) is random by batch file, seeded, balanced."""
import json, re, sys, glob, os, random
ALIAS = {
 'n':'personal.name','v':'personal.vehicle','c':'covert','op':'investigation.operation',
 'r':'investigation.reference','dob':'personal.dob','ph':'personal.phone','em':'personal.email',
 'pc':'personal.postcode','ad':'personal.address','nhs':'personal.nhs','ni':'personal.nino',
 'card':'personal.card','bank':'personal.bank','mk':'marking','sus':'investigation.suspect',
 'j':'justice','ab':'abuse','ch':'channel','cp':'copyright','dr':'disrepute'}
PAT = re.compile(r'\{\{([a-z]+)\|([^{}]+?)\}\}')
def parse(line):
    kind, raw = line.split(' @ ', 1)
    out, spans, pos = [], [], 0
    for m in PAT.finditer(raw):
        out.append(raw[pos:m.start()])
        cur = sum(len(s) for s in out)
        cat = ALIAS[m.group(1)]
        out.append(m.group(2))
        spans.append({'category': cat, 'match': m.group(2), 'start': cur, 'end': cur + len(m.group(2))})
        pos = m.end()
    out.append(raw[pos:])
    text = ''.join(out)
    assert '{{' not in text and '}}' not in text, line
    assert text.isascii(), ('non-ascii', line)
    for s in spans: assert text[s['start']:s['end']] == s['match']
    return {'kind': kind.strip(), 'text': text, 'spans': spans}
def load(path):
    recs = []
    for ln in open(path, encoding='utf-8'):
        ln = ln.rstrip('\n')
        if not ln.strip() or ln.startswith('#'): continue
        if ' @ ' not in ln: raise SystemExit(f'no sep in {path}: {ln[:80]}')
        recs.append(parse(ln))
    return recs
if __name__ == '__main__':
    files = sorted(glob.glob('scratch/batch*.txt')) + sorted(glob.glob('scratch/tmpl*.txt'))
    rng = random.Random(6006)
    # a "batch" is a block of up to 10 consecutive drafts within one scratch file
    blocks = []
    for f in files:
        recs = load(f)
        for k in range(0, len(recs), 10):
            blocks.append((f'{f}#{k//10}', recs[k:k+10]))
    rng.shuffle(blocks)
    dev, sealed = [], []
    # each pair of shuffled blocks: a coin flip decides which goes to dev (keeps halves even)
    for k in range(0, len(blocks), 2):
        pair = blocks[k:k+2]
        if rng.random() < 0.5: pair = pair[::-1]
        for j, (name, recs) in enumerate(pair):
            tgt = dev if j == 0 else sealed
            if len(pair) == 1: tgt = dev if len(dev) <= len(sealed) else sealed
            tgt.extend(recs)
    nt = sum(1 for f in files if 'tmpl' in f)
    ntempl = sum(len(load(f)) for f in files if 'tmpl' in os.path.basename(f))
    print('template-generated drafts:', ntempl, 'of', len(dev)+len(sealed), file=sys.stderr)
    for name, recs, pre in (('dev6.jsonl', dev, 'b6d'), ('sealed6.jsonl', sealed, 'b6s')):
        with open(name, 'w', encoding='utf-8') as fh:
            for i, r in enumerate(recs, 1):
                fh.write(json.dumps({'id': f'{pre}-{i:04d}', 'kind': r['kind'], 'text': r['text'], 'spans': r['spans']}, ensure_ascii=False) + '\n')
    print('dev', len(dev), 'sealed', len(sealed), file=sys.stderr)
