"""Rename the record ids of a carrier bill so that they ascend in the order an import stored them.

    python3 relabel_grouped.py IMPORTED.db carrier.csv OUT.csv

IMPORTED.db is a database into which carrier.csv was imported (every row new). Since 0051 the
import stores each batch's rows grouped by person, so `seq` order is not file order, and the
unique index on (feed, record_id) takes the batch's ids out of order. Here the row stored with the
n-th `seq` gets the id `C` + n (same length and shape as usage_gen.py's ids); rows not stored get
`R` + their line. Importing OUT.csv into the same register then stores the same rows in the same
places with the same grouping, but the index receives its ids in ascending order, as it did before
the grouping: the difference between the two imports is what the out-of-order index inserts cost.
Only the ids change: every other field, the row order and the batch boundaries are the same.
"""
import csv
import sqlite3
import sys

db, src, dst = sys.argv[1:4]
order = [r for (r,) in sqlite3.connect(db).execute(
    "SELECT record_id FROM usage_records WHERE feed = 'carrier' ORDER BY seq")]
new = {rid: f"C{n:010d}" for n, rid in enumerate(order)}
with open(src, newline="") as f, open(dst, "w", newline="") as g:
    r = csv.reader(f)
    w = csv.writer(g, lineterminator="\n")
    w.writerow(next(r))
    for line, row in enumerate(r, start=2):
        row[0] = new.get(row[0], f"R{line:010d}")
        w.writerow(row)
print(f"{len(order)} stored ids renamed in seq order")
