"""Validate dev5.jsonl and sealed5.jsonl and print counts."""
import json, sys
CATS = ['marking','personal.phone','personal.email','personal.postcode','personal.nino','personal.nhs','personal.card','personal.bank',
        'personal.vehicle','personal.dob','personal.name','personal.address','investigation.reference','investigation.operation','covert',
        'investigation.suspect','justice','abuse','channel','copyright','disrepute']
MIN = {'personal.name':200,'covert':120,'investigation.operation':80,'investigation.reference':80,'personal.dob':80,
       'marking':40,'personal.phone':40,'personal.email':40,'personal.postcode':40,'personal.nino':40,'personal.nhs':40,
       'personal.vehicle':40,'personal.address':40}
errs = []
def check(path, prefix):
    counts = {c:0 for c in CATS}; n = 0; clean = 0; texts = set(); names = set(); ops = set(); ids = set()
    for ln, line in enumerate(open(path, encoding='utf-8'), 1):
        try: o = json.loads(line)
        except Exception as ex: errs.append('%s:%d bad json %s' % (path, ln, ex)); continue
        n += 1
        if set(o) != {'id','kind','text','spans'}: errs.append('%s:%d keys %s' % (path, ln, sorted(o)))
        if not str(o['id']).startswith(prefix) or o['id'] in ids: errs.append('%s:%d id %s' % (path, ln, o['id']))
        ids.add(o['id'])
        if o['text'] in texts: errs.append('%s:%d duplicate text' % (path, ln))
        texts.add(o['text'])
        b = o['text'].encode('utf-8'); prev = []
        if not o['spans']: clean += 1
        for s in o['spans']:
            if set(s) != {'category','match','start','end'}: errs.append('%s:%d span keys %s' % (path, ln, sorted(s))); continue
            if s['category'] not in CATS: errs.append('%s:%d category %s' % (path, ln, s['category']))
            else: counts[s['category']] += 1
            if not (0 <= s['start'] < s['end'] <= len(b)) or b[s['start']:s['end']].decode('utf-8', 'replace') != s['match']:
                errs.append('%s:%d offsets wrong for %r' % (path, ln, s['match']))
            if s['match'] != s['match'].strip(): errs.append('%s:%d blank at span edge %r' % (path, ln, s['match']))
            for p in prev:
                if s['start'] < p['end'] and p['start'] < s['end']: errs.append('%s:%d overlapping spans' % (path, ln))
            prev.append(s)
            if s['category'] == 'personal.name': names.add(s['match'].lower())
            if s['category'] == 'investigation.operation': ops.add(s['match'].lower())
    return dict(n=n, clean=clean, counts=counts, texts=texts, names=names, ops=ops)
def opkey(o):
    w = o.split();  return w[-1] if len(w) > 1 else o
d = check('dev5.jsonl', 'b5d-'); s = check('sealed5.jsonl', 'b5s-')
for nm, h in (('dev5', d), ('sealed5', s)):
    print('== %s: %d drafts, %d clean (%.1f%%)' % (nm, h['n'], h['clean'], 100*h['clean']/max(1,h['n'])))
    if h['n'] < 900: errs.append('%s has fewer than 900 drafts' % nm)
    if h['clean'] < 0.4*h['n']: errs.append('%s clean share below 40%%' % nm)
    for c in CATS:
        flag = ''
        if c in MIN and h['counts'][c] < MIN[c]: flag = '  (below target %d)' % MIN[c]
        print('  %-26s %4d%s' % (c, h['counts'][c], flag))
    cb = h['counts']['personal.card'] + h['counts']['personal.bank']
    print('  %-26s %4d%s' % ('card+bank', cb, '' if cb >= 40 else '  (below target 40)'))
x = d['texts'] & s['texts']
if x: errs.append('%d texts in both halves' % len(x))
x = d['names'] & s['names']
if x: errs.append('names in both halves: %s' % sorted(x))
x = set(map(opkey, d['ops'])) & set(map(opkey, s['ops']))
if x: errs.append('operation names in both halves: %s' % sorted(x))
print('\nERRORS (%d):' % len(errs)); [print(' ', e) for e in errs[:60]]
sys.exit(1 if errs else 0)
