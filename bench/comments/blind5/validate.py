import json, re, sys
LABELS = ['question','emergency','crime_report','complaint','abuse_staff','hate.race','hate.religion',
          'hate.sexual_orientation','hate.disability','hate.transgender','threat','doxxing','spam']
NEEDS_T = {'abuse_staff','threat','doxxing'}
PLAT = {'facebook','x','instagram','nextdoor','tiktok','youtube'}
KEYS = ['id','platform','account','post','author_name','text','labels','target']
err = 0; counts = {}; seen_text = {}
def bad(m):
    global err; err += 1; print('ERROR', m)
for fn, pre in (('dev.jsonl','c5d'), ('sealed.jsonl','c5s')):
    c = {l:0 for l in LABELS}; c['(none)'] = 0; n = 0
    for i, line in enumerate(open(fn, encoding='utf-8'), 1):
        o = json.loads(line); n += 1
        if list(o.keys()) != KEYS: bad(f'{fn}:{i} keys {list(o.keys())}')
        if o['id'] != f'{pre}-{i:04d}': bad(f'{fn}:{i} id {o["id"]}')
        if o['platform'] not in PLAT: bad(f'{fn}:{i} platform')
        if not o['account'].startswith('@'): bad(f'{fn}:{i} account')
        for k in ('post','author_name','text'):
            if not isinstance(o[k], str) or not o[k].strip(): bad(f'{fn}:{i} empty {k}')
        L = o['labels']
        if not isinstance(L, list) or len(set(L)) != len(L) or any(l not in LABELS for l in L): bad(f'{fn}:{i} labels {L}')
        needs = any(l in NEEDS_T or l.startswith('hate.') for l in L)
        if needs and not (isinstance(o['target'], str) and o['target'].strip()): bad(f'{fn}:{i} target missing')
        if not needs and o['target'] is not None: bad(f'{fn}:{i} target should be null')
        if o['text'] in seen_text: bad(f'{fn}:{i} duplicate text of {seen_text[o["text"]]}')
        seen_text[o['text']] = f'{fn}:{i}'
        for l in L: c[l] += 1
        if not L: c['(none)'] += 1
    counts[fn] = (n, c)
nd, cd = counts['dev.jsonl']; ns, cs = counts['sealed.jsonl']
print(f'{"label":26}{"dev":>6}{"sealed":>8}{"total":>7}')
for l in LABELS + ['(none)']:
    print(f'{l:26}{cd[l]:>6}{cs[l]:>8}{cd[l]+cs[l]:>7}')
print(f'{"rows":26}{nd:>6}{ns:>8}{nd+ns:>7}')
print(f'none share: {(cd["(none)"]+cs["(none)"])/(nd+ns):.1%}   errors: {err}')
sys.exit(1 if err else 0)
