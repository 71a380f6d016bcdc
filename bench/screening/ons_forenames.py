"""Rebuild crates/custodian-screening/data/forenames-ons.txt from the ONS baby-name workbooks.

    python3 bench/screening/ons_forenames.py WORKBOOK_DIR [MIN_BIRTHS=50] [MAX_ZIPF=4.3] > names.txt

WORKBOOK_DIR holds the ONS "Baby names in England and Wales" workbooks for boys and girls,
1996-2024 (.xls and .xlsx, as published by the ONS; Crown copyright, Open Government Licence
v3.0). Every name's counts are summed over the years (upper-case names of the early files are
title-cased first); a name is kept when it has at least MIN_BIRTHS births in all, at least three
letters, and its lower-case form is not a common English word (Zipf frequency below MAX_ZIPF in
the `wordfreq` English list), so that "Hope", "Summer" or "Major" never start a name.
Needs the PyPI packages xlrd, openpyxl and wordfreq (used only here, never at build or run time).
"""
import collections
import glob
import os
import re
import sys

import openpyxl
import xlrd
from wordfreq import zipf_frequency


def sheets(path):
    if path.endswith(".xls"):
        book = xlrd.open_workbook(path)
        for s in book.sheets():
            yield [s.row_values(r) for r in range(s.nrows)]
    else:
        book = openpyxl.load_workbook(path, read_only=True)
        for name in book.sheetnames:
            yield [list(r) for r in book[name].iter_rows(values_only=True)]


def full_list(path):
    """The longest (name, count) table in the workbook: the table of every name."""
    best = []
    for rows in sheets(path):
        found = []
        for r in rows:
            for a, b in zip(r, r[1:]):
                if isinstance(a, str) and isinstance(b, (int, float)) and re.fullmatch(r"[A-Za-z][A-Za-z'\- ]*", a.strip()):
                    found.append((a.strip(), int(b)))
                    break
        if len(found) > len(best):
            best = found
    return best


def main():
    folder = sys.argv[1]
    min_births = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    max_zipf = float(sys.argv[3]) if len(sys.argv) > 3 else 4.3
    totals = collections.Counter()
    for path in sorted(glob.glob(os.path.join(folder, "*.xls*"))):
        if "historic" in path:
            continue
        for name, count in full_list(path):
            totals[name.lower()] += count
    keep = sorted(
        n for n, c in totals.items() if c >= min_births and len(n) >= 3 and zipf_frequency(n, "en") < max_zipf
    )
    print("\n".join(keep))


if __name__ == "__main__":
    main()
