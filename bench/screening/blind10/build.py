#!/usr/bin/env python3
"""Build dev10.jsonl and sealed10.jsonl from scratch/ batch files.

Scratch line format:  kind| text with {code:inline span} markup
  - lines starting with '#' or blank are ignored
  - the two characters backslash-n inside text become a newline
Hand-typed files: scratch/hand_*.txt (in written order); generated: scratch/gen.py -> scratch/gen_out.txt
"""
import json, random, re, glob, os, subprocess, sys
HERE = os.path.dirname(os.path.abspath(__file__))
SCR = os.path.join(HERE, 'scratch')
CODES = {
 'n': 'personal.name', 'ph': 'personal.phone', 'em': 'personal.email', 'pc': 'personal.postcode',
 'ni': 'personal.nino', 'nhs': 'personal.nhs', 'card': 'personal.card', 'bank': 'personal.bank',
 'veh': 'personal.vehicle', 'dob': 'personal.dob', 'addr': 'personal.address',
 'ref': 'investigation.reference', 'op': 'investigation.operation', 'cov': 'covert',
 'mark': 'marking', 'sus': 'investigation.suspect', 'jus': 'justice', 'abuse': 'abuse',
 'chan': 'channel', 'copy': 'copyright', 'dis': 'disrepute',
}
SEED = 20261274  # first seed from 20261206 upward whose split meets every minimum (margin 3) with 40-45% clean drafts in each half (see README)
BATCH = 10
TOK = re.compile(r'\{([a-z]+):([^{}]+)\}')

def parse(line):
    kind, _, body = line.partition('|')
    kind = kind.strip(); body = body.strip().replace('\\n', '\n')
    out = bytearray(); spans = []; pos = 0
    for m in TOK.finditer(body):
        out += body[pos:m.start()].encode('utf-8')
        code, txt = m.group(1), m.group(2)
        if code not in CODES:
            raise ValueError('bad code %r in %r' % (code, line))
        s = len(out); out += txt.encode('utf-8')
        spans.append({'category': CODES[code], 'match': txt, 'start': s, 'end': len(out)})
        pos = m.end()
    out += body[pos:].encode('utf-8')
    text = out.decode('utf-8')
    if '{' in text or '}' in text:
        raise ValueError('stray brace: %r' % line)
    return kind, text, spans

def load(path, source):
    items = []
    for ln in open(path, encoding='utf-8'):
        ln = ln.rstrip('\n')
        if not ln.strip() or ln.startswith('#'):
            continue
        kind, text, spans = parse(ln)
        items.append({'kind': kind, 'text': text, 'spans': spans, '_src': source})
    return items

def main():
    subprocess.run([sys.executable, os.path.join(SCR, 'gen.py')], check=True)
    drafts = []
    for f in sorted(glob.glob(os.path.join(SCR, 'hand_*.txt'))):
        drafts += load(f, 'hand')
    drafts += load(os.path.join(SCR, 'gen_out.txt'), 'gen')
    batches = [drafts[i:i + BATCH] for i in range(0, len(drafts), BATCH)]
    rng = random.Random(SEED)
    rng.shuffle(batches)
    halves = {'dev': [], 'sealed': []}
    for i, b in enumerate(batches):
        halves['dev' if i % 2 == 0 else 'sealed'].extend(b)
    for name, prefix, fn in (('dev', 'b10d', 'dev10.jsonl'), ('sealed', 'b10s', 'sealed10.jsonl')):
        with open(os.path.join(HERE, fn), 'w', encoding='utf-8') as fh:
            for k, d in enumerate(halves[name], 1):
                rec = {'id': '%s-%04d' % (prefix, k), 'kind': d['kind'], 'text': d['text'], 'spans': d['spans']}
                fh.write(json.dumps(rec, ensure_ascii=False) + '\n')
    nh = sum(1 for d in drafts if d['_src'] == 'hand')
    print('drafts', len(drafts), 'hand', nh, 'gen', len(drafts) - nh, 'hand share %.1f%%' % (100.0 * nh / len(drafts)),
          'batches', len(batches), 'dev', len(halves['dev']), 'sealed', len(halves['sealed']))


def lint():
    """Warn when a token of a labelled name reappears unlabelled in the same draft."""
    import glob
    for f in sorted(glob.glob(os.path.join(SCR, 'hand_*.txt'))):
        for d in load(f, 'hand'):
            t = d['text']; b = t.encode('utf-8')
            covered = [(s['start'], s['end']) for s in d['spans']]
            for s in d['spans']:
                if s['category'] != 'personal.name': continue
                for tok in re.findall(r"[A-Z][a-z]{2,}", s['match']):
                    for m in re.finditer(r'\b%s\b' % tok, t):
                        bs = len(t[:m.start()].encode('utf-8'))
                        if not any(a <= bs < e for a, e in covered):
                            print('LINT', os.path.basename(f), tok, '|', t[:90])

def lint2():
    """List unlabelled number-like strings for manual review."""
    pat = re.compile(r"(07700 ?9\d\d ?\d{3}|01632 ?96\d ?\d{3}|\b\d{2,4}/\d{3,6}/\d{2}\b|\b\d{3,4} of \d|\b[A-Z]{2}\d{2} ?[A-Z]{3}\b|\b[A-Z]{1,2}\d{1,2}[A-Z]? \d[A-Z]{2}\b|@example)")
    for f in sorted(glob.glob(os.path.join(SCR, 'hand_*.txt'))):
        for d in load(f, 'hand'):
            t = d['text']
            for m in pat.finditer(t):
                bs = len(t[:m.start()].encode('utf-8'))
                if not any(s['start'] <= bs < s['end'] for s in d['spans']):
                    print('LINT2', os.path.basename(f), m.group(0), '|', t[:80])

if __name__ == '__main__':
    if 'lint' in sys.argv: lint(); lint2()
    else: main()
