"""The usage rules of `custodian usage check carrier` written as DuckDB SQL, for a side-by-side
benchmark: from the CSV on disk to the breaching record ids.

python3 bench/usage_check_duckdb.py CARRIER.csv REGISTER_NUMBERS.csv PEOPLE.csv OUT.csv [THREADS]

REGISTER_NUMBERS.csv (msisdn, device, device_type, person) and PEOPLE.csv come from
bench/usage_gen.py. Every device there is held by its person for the whole bill, and there are
no overseas windows or exceptions, so the holder join is by msisdn alone. The parameters are the
shipped usage pack's. Writes (record_id, rule) rows and prints the seconds taken.
"""
import sys
import time

import duckdb

SQL = r"""
CREATE TEMP TABLE reg AS SELECT * FROM read_csv('{reg}', header = true, all_varchar = true);
CREATE TEMP TABLE personal AS
  SELECT staff_number AS person,
         '+44' || ltrim(regexp_replace(personal_phones, '[^0-9]', '', 'g'), '0') AS e164
  FROM read_csv('{people}', header = true, all_varchar = true) WHERE personal_phones IS NOT NULL AND personal_phones <> '';
CREATE TEMP VIEW bill AS SELECT * FROM read_csv('{csv}', header = true, all_varchar = true);
COPY (
WITH norm AS (
  SELECT b.*,
    regexp_replace(CASE WHEN event = 'divert' THEN coalesce(forwarded_to, '') ELSE coalesce(other_party, '') END,
                   '[ .()/-]|\(0\)', '', 'g') AS p,
    r.device, r.device_type, r.person,
    (start::TIMESTAMPTZ AT TIME ZONE 'Europe/London')::DATE AS day
  FROM bill b LEFT JOIN reg r ON r.msisdn = b.msisdn
), cls AS (
  SELECT *,
    CASE WHEN p LIKE '+44%' THEN ltrim(substr(p, 4), '0')
         WHEN p LIKE '0044%' THEN ltrim(substr(p, 5), '0')
         WHEN p LIKE '+%' OR p LIKE '00%' THEN NULL
         WHEN p LIKE '0%' THEN substr(p, 2)
         WHEN length(p) >= 11 AND p LIKE '44%' THEN substr(p, 3)
         ELSE NULL END AS nsn,
    (p LIKE '+%' AND p NOT LIKE '+44%') OR (p LIKE '00%' AND p NOT LIKE '0044%') AS foreign_cc
  FROM norm
), c AS (
  SELECT *,
    p IN ('999', '112', '101', '111') AS emergency,
    coalesce(nsn LIKE '9%' OR nsn LIKE '87%' OR (length(nsn) = 6 AND nsn LIKE '118%'), false)
      OR (nsn IS NULL AND NOT foreign_cc AND length(p) = 6 AND p LIKE '118%') AS premium,
    foreign_cc OR (nsn IS NOT NULL AND (nsn LIKE '1481%' OR nsn LIKE '7781%' OR nsn LIKE '7839%' OR nsn LIKE '7911%'
      OR nsn LIKE '1534%' OR nsn LIKE '7509%' OR nsn LIKE '7797%' OR nsn LIKE '7829%' OR nsn LIKE '7937%'
      OR nsn LIKE '1624%' OR nsn LIKE '7524%' OR nsn LIKE '7624%' OR nsn LIKE '7924%')) AS overseas,
    CASE WHEN nsn IS NOT NULL THEN '+44' || nsn WHEN foreign_cc THEN '+' || ltrim(ltrim(p, '+'), '0') ELSE p END AS e164
  FROM cls
), live AS (SELECT * FROM c WHERE NOT emergency)
SELECT record_id, 'usage.unattributed' AS rule FROM live WHERE person IS NULL
UNION ALL SELECT record_id, 'usage.premium_rate' FROM live
  WHERE person IS NOT NULL AND event IN ('call', 'sms') AND direction = 'out' AND premium
UNION ALL SELECT record_id, 'usage.international' FROM live
  WHERE person IS NOT NULL AND event IN ('call', 'sms') AND direction = 'out' AND NOT premium AND overseas
UNION ALL SELECT record_id, 'usage.mms' FROM live WHERE person IS NOT NULL AND event = 'mms' AND direction = 'out'
UNION ALL SELECT record_id, 'usage.roaming' FROM live WHERE person IS NOT NULL AND upper(roaming_country) <> 'GB'
UNION ALL SELECT record_id, 'usage.tethering' FROM live
  WHERE person IS NOT NULL AND event = 'data' AND tethered = 'true' AND device_type NOT IN ('laptop', 'phone')
UNION ALL SELECT l.record_id, 'usage.call_diversion' FROM live l
  WHERE l.person IS NOT NULL AND l.event = 'divert' AND (
    EXISTS (SELECT 1 FROM personal q WHERE q.e164 = l.e164 AND q.person = l.person)
    OR (NOT EXISTS (SELECT 1 FROM reg r WHERE r.msisdn = l.e164) AND l.e164 NOT LIKE '+441926415%'))
UNION ALL SELECT record_id, 'usage.cellular_data' FROM (
  SELECT record_id, sum(bytes::BIGINT) OVER (PARTITION BY device, day) AS total FROM live
  WHERE person IS NOT NULL AND event = 'data' AND coalesce(tethered, 'false') <> 'true'
) WHERE total > 1073741824
) TO '{out}' (HEADER false);
"""


def main() -> None:
    csv, reg, people, out = sys.argv[1:5]
    threads = int(sys.argv[5]) if len(sys.argv) > 5 else 2
    t0 = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    con.execute(SQL.format(csv=csv, reg=reg, people=people, out=out))
    print(f"duckdb: {time.perf_counter() - t0:.3f} s")


if __name__ == "__main__":
    main()
