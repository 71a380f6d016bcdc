"""The import's B-tree work alone, with the system's sqlite3 shell (no Custodian code): write the
rows of a quiet bill as SQL, 25,000-row transactions of 256-row `INSERT OR IGNORE` statements (the
import's batch and statement sizes), into main's `usage_records` table.

    python3 gen_sql.py CARRIER.csv SCHEMA.sql file|grouped OUT.sql

`file`: each batch in file order (as `3595498` stores it). `grouped`: each batch grouped by person
in order of first appearance, unattributed rows last (as main stores it since 0051; a row is
taken as attributed when its SIM is in the register and it starts after 2026-12-06 18:24 UTC, the
register's load time). The other columns are filler of the same shape for both orders; only the
row order differs. run.sh runs each file under callgrind.
"""
import csv
import sys

src, schema_file, order, out = sys.argv[1:5]
rows = list(csv.DictReader(open(src)))
schema = open(schema_file).read()


def esc(s):
    return "'" + s.replace("'", "''") + "'"


def grouped(batch):
    groups, first, rest = {}, [], []
    for r in batch:
        p = r["msisdn"]
        if p.startswith("+44750000") or r["start"] < "2026-12-06T18:24:00Z":
            rest.append(r)
            continue
        if p not in groups:
            groups[p] = []
            first.append(p)
        groups[p].append(r)
    return [r for p in first for r in groups[p]] + rest


events = ("call", "sms", "mms", "data", "divert")
with open(out, "w") as f:
    f.write(schema + "\nPRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;\n")
    for b in range(0, len(rows), 25000):
        batch = rows[b : b + 25000]
        if order == "grouped":
            batch = grouped(batch)
        f.write("BEGIN IMMEDIATE;\n")
        for c in range(0, len(batch), 256):
            vals = ",".join(
                "('carrier',%s,%d,%d,NULL,NULL,%s,%s,1,%d,%s,%d,'','',0,'')"
                % (esc(r["record_id"]), i, 20000 + i % 30, esc(r["msisdn"]),
                   esc(r["event"] if r["event"] in events else "call"), int(r["duration_s"] or 0),
                   esc(r["other_party"]), int(r["bytes"] or 0))
                for i, r in enumerate(batch[c : c + 256])
            )
            f.write("INSERT OR IGNORE INTO usage_records (feed, record_id, start_us, day, device_id, person_id, "
                    "subject, event, outgoing, duration_s, party, bytes, place, category, tethered, account) VALUES "
                    + vals + ";\n")
        f.write("COMMIT;\n")
