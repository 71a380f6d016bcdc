"""Sum ONS baby-name counts (England and Wales, 1996-2024) by name from the ONS workbooks."""
import glob, os, re, sys, unicodedata, collections, json
import xlrd, openpyxl

def rows_of(path):
    if path.endswith('.xls'):
        b = xlrd.open_workbook(path)
        for s in b.sheets():
            yield s.name, [s.row_values(r) for r in range(s.nrows)]
    else:
        w = openpyxl.load_workbook(path, read_only=True)
        for n in w.sheetnames:
            yield n, [list(r) for r in w[n].iter_rows(values_only=True)]

def full_list(path):
    best = []
    for name, rows in rows_of(path):
        out = []
        for r in rows:
            cells = [c for c in r]
            for i in range(len(cells) - 1):
                n, c = cells[i], cells[i + 1]
                if isinstance(n, str) and isinstance(c, (int, float)) and re.fullmatch(r"[A-Za-z][A-Za-z'\- ]*", n.strip()):
                    out.append((n.strip(), int(c)))
                    break
        if len(out) > len(best):
            best = out
    return best

totals = collections.Counter()
for p in sorted(glob.glob('/tmp/ons/*.xls*')):
    if 'historic' in p:
        continue
    lst = full_list(p)
    print(os.path.basename(p), len(lst), file=sys.stderr)
    for n, c in lst:
        totals[n.strip().capitalize() if n.isupper() else n.strip()] += c
json.dump(totals, open('/work/ons-derive/totals.json', 'w'))
print(len(totals), file=sys.stderr)
