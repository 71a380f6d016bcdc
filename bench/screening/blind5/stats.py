"""Print per-category counts per half (all drafts and hand-written only) as a markdown table."""
import json
from markup import parse_file
CATS = ['personal.name','covert','investigation.operation','investigation.reference','personal.dob','marking','personal.phone',
        'personal.email','personal.postcode','personal.nino','personal.nhs','personal.card','personal.bank','personal.vehicle',
        'personal.address','investigation.suspect','justice','abuse','channel','copyright','disrepute']
def cnt(spanlists):
    c = {k:0 for k in CATS}
    for sp in spanlists:
        for s in sp: c[s['category']] += 1
    return c
rows = {}
for half, f, h in (('dev5','dev5.jsonl','hand_dev.txt'), ('sealed5','sealed5.jsonl','hand_sealed.txt')):
    L = [json.loads(l) for l in open(f, encoding='utf-8')]
    H = parse_file(h)
    rows[half] = (len(L), sum(1 for x in L if not x['spans']), len(H), sum(1 for x in H if not x[2]), cnt([x['spans'] for x in L]), cnt([x[2] for x in H]))
print('| half | drafts | clean | hand-written | hand-written clean |')
print('|---|---|---|---|---|')
for k,(n,c,hn,hc,_,_) in rows.items(): print('| %s | %d | %d (%.1f%%) | %d (%.1f%%) | %d |' % (k, n, c, 100*c/n, hn, 100*hn/n, hc))
print()
print('| category | dev5 all | dev5 hand | sealed5 all | sealed5 hand |')
print('|---|---|---|---|---|')
for k in CATS: print('| %s | %d | %d | %d | %d |' % (k, rows['dev5'][4][k], rows['dev5'][5][k], rows['sealed5'][4][k], rows['sealed5'][5][k]))
