"""The realistic carrier bill of bench/usage_gen.py (`--realistic`): what a force's month looks like
rather than a quiet file that only exercises the fast paths.

python3 bench/usage_gen.py OUT_DIR DEVICES ROWS [SEED] --realistic [options]

--days N            days billed, from 2026-11-01 (default 30: a month)
--breach-rate R     share of records drawn to break one of the per-record rules (default 0.02)
--heavy-days F      share of device-days whose mobile data goes over 1 GiB (default 0.01)
--data-median-mb M  median mobile data of the other device-days, in MB (default 60; most days far
                    under 1 GiB, a few up to 700 MB)
--late F            share of devices first allocated part-way through the bill: their earlier
                    records are unattributed (default 0.02)
--realloc F         share of devices handed to someone else part-way through the bill (default 0.05)

Writes people.csv, devices.csv (every device allocated from 2026-06-01, or from its late date, with
`allocated_from`), devices_handover.csv (the handed-over devices with their new holder and the
handover time: import it after devices.csv), carrier.csv and register_numbers.csv (msisdn, device,
device_type, person, from_us, to_us: one row per allocation, for the DuckDB side).

Numbers appear in every notation carriers write: +44 7700 900123, +447700900123, 0044 7700 900123,
00447700900123, 07700 900123, 07700-900-123, (07700) 900123, 447700900123, +44 (0)7700 900123, and
national landlines, non-geographic numbers, short codes, emergency codes, premium rate, Crown
Dependency numbers both ways, international numbers (+ and 00) and a few numbers no plan allocates.
"""
import argparse
import math
import random
import time

START = 1793491200  # 2026-11-01T00:00:00Z
BASE_ALLOCATION = "2026-06-01T00:00:00Z"
BASE_ALLOCATION_US = 1780272000 * 1_000_000
GIB = 1 << 30


def iso(t: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def notation(rng: random.Random, nsn: str) -> str:
    """A UK national significant number (no trunk 0) in one of the ways carriers write it."""
    a, b = nsn[:4], nsn[4:]
    forms = [
        f"+44 {a} {b}",
        f"+44{nsn}",
        f"0044 {a} {b}",
        f"0044{nsn}",
        f"0{a} {b}",
        f"0{a}-{b[:3]}-{b[3:]}",
        f"(0{a}) {b}",
        f"44{nsn}",
        f"+44 (0){a} {b}",
        f"0{nsn}",
    ]
    return rng.choice(forms)


def international(rng: random.Random) -> str:
    n = rng.randrange(10_000)
    return rng.choice(
        [
            f"+353 1 234 {n:04d}",
            f"00353 86 123 {n:04d}",
            f"0033 1 42 68 {n:04d}",
            f"+1 202 555 {n:04d}",
            f"001-202-555-{n:04d}",
            f"+49 30 1234 {n:04d}",
            f"+86 138 0013 {n:04d}",
            f"+683 {n:04d}",
        ]
    )


def normal_party(rng: random.Random, numbers: list) -> str:
    """A number whose call raises nothing: UK mobiles, landlines, freephone and non-geographic
    numbers, short codes, a colleague's SIM, Crown Dependency numbers written nationally."""
    x = rng.random()
    n = rng.randrange(1000)
    if x < 0.30:
        return notation(rng, f"7700900{n:03d}")
    if x < 0.45:
        return notation(rng, rng.choice(["121496", "118496", "113496", "207946"]) + f"0{n:03d}")
    if x < 0.55:
        return notation(rng, f"1632960{n:03d}")
    if x < 0.70:
        return notation(rng, numbers[rng.randrange(len(numbers))][3:])
    if x < 0.80:
        return notation(rng, rng.choice(["8001234", "8456000", "3001234", "3331234"]) + f"{n:03d}")
    if x < 0.85:
        return rng.choice(["150", "1471", "100", "61234", "202"])
    if x < 0.90:
        # Crown Dependency ranges written the UK national way are UK calls.
        return rng.choice([f"07781 123{n:03d}", f"01534 12{n:04d}", f"07624-123-{n:03d}"])
    if x < 0.995:
        return notation(rng, f"7400{rng.randrange(10**6):06d}")
    return rng.choice(["999", "112", "101", "111"])


def premium(rng: random.Random) -> str:
    n = rng.randrange(1000)
    return rng.choice(
        [notation(rng, f"9061234{n:03d}"), notation(rng, f"8712345{n:03d}"), notation(rng, f"9098765{n:03d}"), "118118", "118 500"]
    )


def overseas(rng: random.Random) -> str:
    n = rng.randrange(1000)
    if rng.random() < 0.7:
        return international(rng)
    # Crown Dependency numbers written internationally are overseas calls (WP034 4.2).
    return rng.choice([f"+44 1534 12{n:04d}", f"0044 7781 123{n:03d}", f"+44 (0)1481 710{n:03d}", f"+447624123{n:03d}"])


def unrecognised(rng: random.Random) -> str:
    n = rng.randrange(1000)
    return rng.choice([f"07700 9{n:03d}", f"0400 123 4{n:03d}", f"+44 7700 900{n:03d} 45", "1234567", f"+0 123 456 7{n:03d}"])


def main(argv: list, luhn_digit) -> None:
    ap = argparse.ArgumentParser(prog="usage_gen.py OUT DEVICES ROWS [SEED] --realistic")
    ap.add_argument("out")
    ap.add_argument("devices", type=int)
    ap.add_argument("rows", type=int)
    ap.add_argument("seed", type=int, nargs="?", default=4)
    ap.add_argument("--realistic", action="store_true")
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--breach-rate", type=float, default=0.02)
    ap.add_argument("--heavy-days", type=float, default=0.01)
    ap.add_argument("--data-median-mb", type=float, default=60.0)
    ap.add_argument("--late", type=float, default=0.02)
    ap.add_argument("--realloc", type=float, default=0.05)
    a = ap.parse_args(argv)
    rng = random.Random(a.seed)
    out, n_dev, n_rows, days = a.out, a.devices, a.rows, a.days
    span = days * 86400
    areas = [f"Area {i:02d}" for i in range(10)]
    n_spare = max(1, int(n_dev * a.realloc) + 1)
    n_people = n_dev + n_spare
    personal = {}
    with open(f"{out}/people.csv", "w") as f:
        f.write("staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n")
        for i in range(n_people):
            area = areas[i % len(areas)]
            manager = "" if i < len(areas) else f"U{(i % len(areas)):06d}"
            roles = "head_of_department" if i < len(areas) else ""
            phone = f"07400 {500000 + i:06d}" if i % 20 == 0 else ""
            if phone:
                personal[f"U{i:06d}"] = f"+447400{500000 + i:06d}"
            f.write(f"U{i:06d},Person {i},user.{i}@warwickshire.police.example,officer,{area},{manager},{roles},active,{phone}\n")
    numbers, kinds = [], []
    # holdings[d] = [(person, from_s, to_s or None)]
    holdings = []
    handovers = []
    with open(f"{out}/devices.csv", "w") as f:
        f.write("asset_tag,type,make,model,serial,imei,phone_number,os,status,allocated_to,allocated_from\n")
        for i in range(n_dev):
            kind = "tablet" if i % 10 == 9 else "phone"
            payload = f"35{i:012d}"
            imei = payload + luhn_digit(payload)
            number = f"+4474{i:08d}"
            numbers.append(number)
            kinds.append(kind)
            r = rng.random()
            if r < a.late:
                t0 = START + rng.randrange(span)
                frm, frm_s = iso(t0), t0
            else:
                frm, frm_s = BASE_ALLOCATION, BASE_ALLOCATION_US // 1_000_000
            holdings.append([(f"U{i:06d}", frm_s, None)])
            f.write(f"UM-{i:06d},{kind},Make,Model,USER{i:08d},{imei},{number},OS,allocated,U{i:06d},{frm}\n")
    with open(f"{out}/devices_handover.csv", "w") as f:
        f.write("asset_tag,type,make,model,serial,imei,phone_number,os,status,allocated_to,allocated_from\n")
        spare = 0
        for i in range(n_dev):
            if rng.random() >= a.realloc or spare >= n_spare:
                continue
            first = holdings[i][0]
            t1 = max(first[1] + 3600, START + rng.randrange(span))
            if t1 >= START + span:
                continue
            new = f"U{n_dev + spare:06d}"
            spare += 1
            holdings[i] = [(first[0], first[1], t1), (new, t1, None)]
            payload = f"35{i:012d}"
            imei = payload + luhn_digit(payload)
            f.write(f"UM-{i:06d},{kinds[i]},Make,Model,USER{i:08d},{imei},{numbers[i]},OS,allocated,{new},{iso(t1)}\n")
    with open(f"{out}/register_numbers.csv", "w") as g:
        g.write("msisdn,device,device_type,person,from_us,to_us\n")
        for i in range(n_dev):
            for person, frm, to in holdings[i]:
                to_us = "" if to is None else str(to * 1_000_000)
                g.write(f"{numbers[i]},UM-{i:06d},{kinds[i]},{person},{frm * 1_000_000},{to_us}\n")

    # Mobile data: a day total per device-day, shared among that day's data records.
    data_share = 0.30
    per_day = max(1.0, n_rows * data_share / (n_dev * days))
    mu = math.log(a.data_median_mb * 1e6)
    day_mean = {}

    def mean_bytes(dev: int, day: int) -> int:
        k = dev * days + day
        m = day_mean.get(k)
        if m is None:
            dr = random.Random(a.seed * 1_000_003 + k)
            if dr.random() < a.heavy_days:
                total = dr.uniform(1.15, 3.0) * GIB
            else:
                total = min(dr.lognormvariate(mu, 1.0), 700e6)
            m = day_mean[k] = int(total / per_day)
        return m

    unknown = [f"+4475000000{k:02d}" for k in range(20)]
    unknown_forms = ["+44{}", "0{}", "0044{}", "44{}"]
    breaches = ["premium", "overseas", "mms", "roaming", "tether", "divert", "divert_personal", "unknown_sim", "unrecognised"]
    with open(f"{out}/carrier.csv", "w") as f:
        f.write("record_id,msisdn,event,direction,start,duration_s,other_party,bytes,roaming_country,tethered,forwarded_to\n")
        for i in range(n_rows):
            dev = rng.randrange(n_dev)
            t = START + rng.randrange(span)
            day = (t - START) // 86400
            msisdn = numbers[dev]
            # The SIM as the carrier writes it: E.164 mostly, some national or without the plus.
            y = rng.random()
            if y < 0.1:
                msisdn = "0" + msisdn[3:]
            elif y < 0.15:
                msisdn = msisdn[1:]
            country, tethered, fwd, other, nbytes, dur, direction = "GB", "", "", "", "", "", ""
            kind = rng.choice(breaches) if rng.random() < a.breach_rate else None
            if kind == "unknown_sim":
                # A SIM the register does not know (usage.unattributed), in any notation.
                msisdn = rng.choice(unknown_forms).format(rng.choice(unknown)[3:])
                kind = None
            r = rng.random()
            if kind in ("premium", "overseas", "unrecognised"):
                ev, direction = rng.choice(["call", "sms"]), "out"
            elif kind == "mms":
                ev, direction = "mms", "out"
            elif kind == "tether" and n_dev >= 10:
                # Tablets may not tether (WP034 4.5): every tenth device is a tablet.
                ev = "data"
                dev = 10 * rng.randrange(n_dev // 10) + 9
                msisdn = numbers[dev]
            elif kind in ("divert", "divert_personal"):
                ev = "divert"
            elif r < 0.40:
                ev, direction = "call", rng.choice(["out", "in"])
            elif r < 0.66:
                ev, direction = "sms", rng.choice(["out", "in"])
            elif r < 0.67:
                ev, direction = "mms", "in"
            elif r < 0.995:
                ev = "data"
            else:
                ev = "divert"
            if ev in ("call", "sms", "mms"):
                if kind == "premium":
                    other = premium(rng)
                elif kind == "overseas":
                    other = overseas(rng)
                elif kind == "unrecognised":
                    other = unrecognised(rng)
                else:
                    other = normal_party(rng, numbers)
                dur = str(rng.randrange(900)) if ev == "call" else ""
            elif ev == "data":
                nbytes = str(int(mean_bytes(dev, day) * 2 * rng.random()))
                if kind == "tether" and kinds[dev] == "tablet":
                    tethered = "true"
                else:
                    # Phones may tether (WP034 4.5 lists them): about 1 in 200 data records.
                    tethered = "true" if kinds[dev] == "phone" and rng.random() < 0.005 else "false"
            else:
                if kind == "divert":
                    fwd = rng.choice([f"07400 {rng.randrange(10**6):06d}", international(rng), notation(rng, f"7700900{rng.randrange(1000):03d}")])
                elif kind == "divert_personal":
                    holder = holdings[dev][-1][0]
                    p = personal.get(holder)
                    fwd = notation(rng, p[3:]) if p else f"07400 {rng.randrange(10**6):06d}"
                else:
                    # To a colleague's SIM or a force switchboard: allowed.
                    fwd = notation(rng, numbers[rng.randrange(n_dev)][3:]) if rng.random() < 0.7 else f"01926 415{rng.randrange(1000):03d}"
            if kind == "roaming":
                country = rng.choice(["FR", "ES", "IE", "US", "de"])
            ts = iso(t)
            f.write(f"R{i:010d},{msisdn},{ev},{direction},{ts},{dur},{other},{nbytes},{country},{tethered},{fwd}\n")
