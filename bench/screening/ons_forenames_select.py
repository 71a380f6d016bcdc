import json, sys, unicodedata
from wordfreq import zipf_frequency
totals = json.load(open('/work/ons-derive/totals.json'))
T = int(sys.argv[1]); Z = float(sys.argv[2])
out = set()
for n, c in totals.items():
    if c < T: continue
    low = n.lower()
    if len(low) < 3: continue
    if zipf_frequency(low, 'en') >= Z: continue
    out.add(low)
for n in sorted(out): print(n)
