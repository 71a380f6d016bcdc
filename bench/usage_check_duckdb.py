"""The usage rules of `custodian usage check carrier` written as DuckDB SQL, for a side-by-side
benchmark: from the CSV on disk to the breaching record ids.

python3 bench/usage_check_duckdb.py CARRIER.csv REGISTER_NUMBERS.csv PEOPLE.csv OUT.csv [THREADS]

REGISTER_NUMBERS.csv (msisdn, device, device_type, person[, from_us, to_us]) and PEOPLE.csv come
from bench/usage_gen.py. With from_us and to_us (the realistic bill) it has one row per allocation
and a record is attributed to the holder at its start time (from_us <= start < to_us), as
Custodian's allocation history does (WP034 4.1); without them (the quiet bill) each device is held
by its person for the whole bill. There are no overseas windows or exceptions. The parameters are
the shipped usage pack's, and numbers are read as `custodian_domain::numbers` reads them: every
notation (+44, 0044, 44 without the plus, the trunk 0, "(0)", spaces, dashes, dots, brackets),
emergency codes, directory enquiries, premium rate, Crown Dependencies (overseas only when written
internationally), unallocated UK ranges and impossible lengths (usage.unrecognised_number). Writes
(record_id, rule) rows and prints the seconds taken.
"""
import sys
import time

import duckdb

EMERGENCY = "('999', '112', '101', '111')"
CROWN = "('1481', '7781', '7839', '7911', '1534', '7509', '7797', '7829', '7937', '1624', '7524', '7624', '7924')"

# A number as custodian_domain::numbers::normalise reads it: the "(0)" people write after a country
# code dropped, separators removed. `p` keeps a leading '+'.
DIGITS = r"regexp_replace(regexp_replace(trim(coalesce({x}, '')), '([0-9][ .()/\t-]*)\(0\)', '\1', 'g'), '[ .()/\t-]', '', 'g')"


def parts(p: str, prefix: str) -> str:
    """SQL columns {prefix}intl (digits after + / 00), {prefix}nsn (a UK national significant
    number) and {prefix}e164 for the separator-free number `p`."""
    intl = f"CASE WHEN {p} LIKE '+%' THEN substr({p}, 2) WHEN {p} LIKE '00%' THEN substr({p}, 3) END"
    nsn = (
        f"CASE WHEN ({intl}) IS NOT NULL THEN CASE WHEN ({intl}) LIKE '44%' AND length({intl}) > 2 "
        f"THEN ltrim(substr({intl}, 3), '0') END "
        f"WHEN {p} LIKE '0%' THEN substr({p}, 2) WHEN length({p}) >= 11 AND {p} LIKE '44%' THEN substr({p}, 3) END"
    )
    return f"{intl} AS {prefix}intl, {nsn} AS {prefix}nsn"


SQL = r"""
CREATE TEMP TABLE reg AS SELECT * FROM read_csv('{reg}', header = true, all_varchar = true);
CREATE TEMP TABLE devs AS SELECT DISTINCT msisdn, device, device_type FROM reg;
CREATE TEMP TABLE personal AS
  SELECT staff_number AS person,
         '+44' || ltrim(regexp_replace(personal_phones, '[^0-9]', '', 'g'), '0') AS e164
  FROM read_csv('{people}', header = true, all_varchar = true) WHERE personal_phones IS NOT NULL AND personal_phones <> '';
CREATE TEMP VIEW bill AS SELECT * FROM read_csv('{csv}', header = true, all_varchar = true);
COPY (
WITH raw AS (
  SELECT b.*,
    {sim_digits} AS sp,
    {party_digits} AS p,
    epoch_us(start::TIMESTAMPTZ) AS start_us,
    (start::TIMESTAMPTZ AT TIME ZONE 'Europe/London')::DATE AS day
  FROM bill b
), split AS (
  SELECT *, {sim_parts}, {party_parts} FROM raw
), norm AS (
  SELECT s.* EXCLUDE (sintl, snsn),
    d.device, d.device_type, h.person
  FROM split s
  LEFT JOIN devs d ON d.msisdn = CASE WHEN s.snsn IS NOT NULL THEN '+44' || s.snsn WHEN s.sintl IS NOT NULL THEN '+' || s.sintl ELSE s.sp END
  LEFT JOIN reg h ON h.device = d.device {holding}
), cls AS (
  SELECT *,
    CASE
      WHEN p = '' THEN 'uk'
      WHEN nsn IS NOT NULL THEN CASE
        WHEN nsn IN {emergency} THEN 'emergency'
        WHEN length(nsn) = 6 AND nsn LIKE '118%' THEN 'premium'
        WHEN NOT ((left(nsn, 1) IN ('1', '8') AND (length(nsn) BETWEEN 9 AND 10 OR nsn = '8001111'))
               OR (left(nsn, 1) IN ('2', '3', '5', '7', '9') AND length(nsn) = 10)) THEN 'unrecognised'
        WHEN nsn LIKE '9%' OR nsn LIKE '87%' THEN 'premium'
        WHEN left(nsn, 4) IN {crown} THEN 'overseas'
        ELSE 'uk' END
      WHEN intl IS NOT NULL THEN CASE
        WHEN intl LIKE '0%' OR length(intl) NOT BETWEEN 7 AND 15 THEN 'unrecognised' ELSE 'overseas' END
      WHEN p IN {emergency} THEN 'emergency'
      WHEN length(p) = 6 AND p LIKE '118%' THEN 'premium'
      WHEN length(p) BETWEEN 3 AND 6 THEN 'uk'
      ELSE 'unrecognised' END AS c0,
    -- Written the UK national way (a single leading 0): never overseas.
    (p LIKE '0%' AND p NOT LIKE '00%' AND length(p) >= 2) AS national,
    CASE WHEN nsn IS NOT NULL THEN '+44' || nsn WHEN intl IS NOT NULL THEN '+' || intl ELSE p END AS e164
  FROM norm
), c AS (
  SELECT *, CASE WHEN c0 = 'overseas' AND national THEN 'uk' ELSE c0 END AS cls FROM cls
), live AS (SELECT * FROM c WHERE cls <> 'emergency')
SELECT record_id, 'usage.unattributed' AS rule FROM live WHERE person IS NULL
UNION ALL SELECT record_id, 'usage.premium_rate' FROM live
  WHERE person IS NOT NULL AND event IN ('call', 'sms') AND direction = 'out' AND cls = 'premium'
UNION ALL SELECT record_id, 'usage.international' FROM live
  WHERE person IS NOT NULL AND event IN ('call', 'sms') AND direction = 'out' AND cls = 'overseas'
UNION ALL SELECT record_id, 'usage.unrecognised_number' FROM live
  WHERE person IS NOT NULL AND event IN ('call', 'sms', 'mms') AND direction = 'out' AND cls = 'unrecognised'
UNION ALL SELECT record_id, 'usage.mms' FROM live WHERE person IS NOT NULL AND event = 'mms' AND direction = 'out'
UNION ALL SELECT record_id, 'usage.roaming' FROM live WHERE person IS NOT NULL AND upper(roaming_country) <> 'GB'
UNION ALL SELECT record_id, 'usage.tethering' FROM live
  WHERE person IS NOT NULL AND event = 'data' AND tethered = 'true' AND device_type NOT IN ('laptop', 'phone')
UNION ALL SELECT l.record_id, 'usage.call_diversion' FROM live l
  WHERE l.person IS NOT NULL AND l.event = 'divert' AND (
    EXISTS (SELECT 1 FROM personal q WHERE q.e164 = l.e164 AND q.person = l.person)
    OR (NOT EXISTS (SELECT 1 FROM devs r WHERE r.msisdn = l.e164) AND l.e164 NOT LIKE '+441926415%'))
UNION ALL SELECT record_id, 'usage.cellular_data' FROM (
  SELECT record_id, sum(bytes::BIGINT) OVER (PARTITION BY device, day) AS total FROM live
  WHERE person IS NOT NULL AND event = 'data' AND coalesce(tethered, 'false') <> 'true'
) WHERE total > 1073741824
) TO '{out}' (HEADER false);
"""


def main() -> None:
    csv, reg, people, out = sys.argv[1:5]
    threads = int(sys.argv[5]) if len(sys.argv) > 5 else 2
    with open(reg) as f:
        header = f.readline().strip().split(",")
    holding = (
        "AND h.from_us::BIGINT <= s.start_us AND (h.to_us IS NULL OR s.start_us < h.to_us::BIGINT)"
        if "from_us" in header
        else ""
    )
    party = "CASE WHEN event = 'divert' THEN forwarded_to ELSE other_party END"
    sql = SQL.format(
        reg=reg,
        people=people,
        csv=csv,
        out=out,
        holding=holding,
        emergency=EMERGENCY,
        crown=CROWN,
        sim_digits=DIGITS.format(x="msisdn"),
        party_digits=DIGITS.format(x=party),
        sim_parts=parts("sp", "s"),
        party_parts=parts("p", ""),
    )
    t0 = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    con.execute(sql)
    print(f"duckdb: {time.perf_counter() - t0:.3f} s")


if __name__ == "__main__":
    main()
