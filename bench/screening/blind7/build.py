#!/usr/bin/env python3
"""Convert hand-typed batch files (scratch/*.txt) with inline {{alias|text}} marks
into dev7.jsonl / sealed7.jsonl with character offsets (texts are ASCII-only, so
character offsets == UTF-8 byte offsets)."""
import glob, json, random, re, sys, os
ALIAS = {
 'nm':'personal.name','ph':'personal.phone','em':'personal.email','pc':'personal.postcode',
 'ni':'personal.nino','nhs':'personal.nhs','card':'personal.card','bank':'personal.bank',
 'vrm':'personal.vehicle','dob':'personal.dob','addr':'personal.address',
 'ref':'investigation.reference','op':'investigation.operation','sus':'investigation.suspect',
 'cov':'covert','mk':'marking','jus':'justice','ab':'abuse','ch':'channel','cr':'copyright',
 'dis':'disrepute'}
MARK = re.compile(r'\{\{([a-z]+)\|(.*?)\}\}')
def parse_line(line, where):
    kind, _, body = line.partition(' ')
    body = body.strip().replace('\\n', '\n')
    text, spans, pos = [], [], 0
    out = ''
    for m in MARK.finditer(body):
        out += body[pos:m.start()]
        alias, match = m.group(1), m.group(2)
        if alias not in ALIAS: sys.exit(f'bad alias {alias} at {where}')
        if match != match.strip() or not match: sys.exit(f'untrimmed span at {where}: {match!r}')
        spans.append({'category':ALIAS[alias],'match':match,'start':len(out),'end':len(out)+len(match)})
        out += match
        pos = m.end()
    out += body[pos:]
    if '{{' in out or '}}' in out: sys.exit(f'unparsed mark at {where}')
    if not out.isascii(): sys.exit(f'non-ascii at {where}: {[c for c in out if not c.isascii()]}')
    return {'kind':kind,'text':out,'spans':spans}
def load():
    drafts = []
    for fn in sorted(glob.glob('scratch/*.txt')):
        for i, line in enumerate(open(fn, encoding='utf-8'), 1):
            line = line.rstrip('\n')
            if not line.strip() or line.startswith('#'): continue
            d = parse_line(line, f'{fn}:{i}')
            d['_src'] = os.path.basename(fn)
            drafts.append(d)
    return drafts
if __name__ == '__main__':
    drafts = load()
    batches = [drafts[i:i+10] for i in range(0, len(drafts), 10)]
    rng = random.Random(3035)  # fixed seed, chosen by scratch/pick_seed.py for even category counts
    rng.shuffle(batches)
    halves = {'dev7.jsonl':('b7d',[]), 'sealed7.jsonl':('b7s',[])}
    for k, b in enumerate(batches):
        halves['dev7.jsonl' if k % 2 == 0 else 'sealed7.jsonl'][1].extend(b)
    for fn, (pre, ds) in halves.items():
        with open(fn, 'w', encoding='utf-8') as f:
            for n, d in enumerate(ds, 1):
                f.write(json.dumps({'id':f'{pre}-{n:04d}','kind':d['kind'],'text':d['text'],'spans':d['spans']}, ensure_ascii=False)+'\n')
    gen = sum(1 for d in drafts if d['_src'].startswith('gen'))
    print(f'total {len(drafts)} generated {gen} ({100*gen/len(drafts):.1f}%) clean {sum(1 for d in drafts if not d["spans"])} ({100*sum(1 for d in drafts if not d["spans"])/len(drafts):.1f}%)')
    for fn,(pre,ds) in halves.items(): print(fn, len(ds))
