"""Generate a fictional force register and a carrier bill for the usage benchmarks.

python3 bench/usage_gen.py OUT_DIR DEVICES ROWS [SEED]
    The quiet bill (unchanged since the first benchmarks, so old figures compare): writes
    OUT_DIR/people.csv and OUT_DIR/devices.csv (Custodian's register import formats; every phone
    and tablet has a SIM) and OUT_DIR/carrier.csv (the carrier feed, ROWS rows over December 2026)
    plus OUT_DIR/register_numbers.csv (msisdn, device, device_type, person) for the DuckDB side of
    the comparison. About 2% of rows come from SIMs not in the register, and a small share of rows
    (about 3 in 1,000) breaks each rule; numbers are written in a few notations only.

python3 bench/usage_gen.py OUT_DIR DEVICES ROWS [SEED] --realistic [--days N] [--breach-rate R]
        [--heavy-days F] [--data-median-mb M] [--late F] [--realloc F]
    A realistic bill (see usage_gen_realistic.py): a month of November 2026 by default,
    numbers in every notation a carrier writes, records across the whole allocation history (a
    second register file, devices_handover.csv, hands some devices to someone else mid-bill;
    some devices are first allocated mid-bill), day totals of mobile data drawn per device-day
    (most far under 1 GiB, a share --heavy-days over it) and a share --breach-rate of records
    breaking one of the other rules. register_numbers.csv then has one row per allocation with
    its from_us and to_us. The bill of issue 18 (heavy data on many device-days, ~10,000
    findings) is `OUT 300 1000000 --realistic --days 12 --heavy-days 0.3`.
"""
import random
import sys


def luhn_digit(payload: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def main() -> None:
    if "--realistic" in sys.argv:
        import usage_gen_realistic

        usage_gen_realistic.main(sys.argv[1:], luhn_digit)
        return
    out, n_devices, n_rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 4)
    areas = [f"Area {i:02d}" for i in range(10)]
    with open(f"{out}/people.csv", "w") as f:
        f.write("staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n")
        for i in range(n_devices):
            area = areas[i % len(areas)]
            manager = "" if i < len(areas) else f"U{(i % len(areas)):06d}"
            roles = "head_of_department" if i < len(areas) else ""
            personal = f"07400 {500000 + i:06d}" if i % 50 == 0 else ""
            f.write(f"U{i:06d},Person {i},user.{i}@warwickshire.police.example,officer,{area},{manager},{roles},active,{personal}\n")
    numbers = []
    with open(f"{out}/devices.csv", "w") as f, open(f"{out}/register_numbers.csv", "w") as g:
        f.write("asset_tag,type,make,model,serial,imei,phone_number,os,status,allocated_to\n")
        g.write("msisdn,device,device_type,person\n")
        for i in range(n_devices):
            kind = "tablet" if i % 10 == 9 else "phone"
            payload = f"35{i:012d}"
            imei = payload + luhn_digit(payload)
            number = f"+4474{i:08d}"
            numbers.append(number)
            f.write(f"UM-{i:06d},{kind},Make,Model,USER{i:08d},{imei},{number},OS,allocated,U{i:06d}\n")
            g.write(f"{number},UM-{i:06d},{kind},U{i:06d}\n")
    uk = ["07700 900{:03d}", "+44 121 496 0{:03d}", "0118 496 0{:03d}", "0800 123 4{:03d}", "0845 600 0{:03d}", "+447400{:06d}"]
    premium = ["0906 123 4{:03d}", "+44 871 234 5{:03d}", "118118", "00449001234{:03d}"]
    foreign = ["+353 1 234 5{:03d}", "0033 1 42 68 5{:03d}", "+44 1534 12{:04d}", "+1 202 555 0{:03d}"]
    start = 1796083200  # 2026-12-01T00:00:00Z: after the register import allocates the devices
    with open(f"{out}/carrier.csv", "w") as f:
        f.write("record_id,msisdn,event,direction,start,duration_s,other_party,bytes,roaming_country,tethered,forwarded_to\n")
        for i in range(n_rows):
            r = rng.random()
            dev = rng.randrange(n_devices)
            # 2% of rows come from 20 SIMs the register does not know.
            msisdn = numbers[dev] if rng.random() > 0.02 else f"+4475000000{rng.randrange(20):02d}"
            t = start + rng.randrange(30 * 86400)
            ts = "%04d-%02d-%02dT%02d:%02d:%02dZ" % (2026, 12, 1 + (t - start) // 86400, (t // 3600) % 24, (t // 60) % 60, t % 60)
            country = "GB" if rng.random() > 0.0005 else rng.choice(["FR", "ES", "IE"])
            if r < 0.40:
                ev, direction = "call", rng.choice(["out", "in"])
            elif r < 0.65:
                ev, direction = "sms", rng.choice(["out", "in"])
            elif r < 0.651:
                ev, direction = "mms", rng.choice(["out", "in"])
            elif r < 0.999:
                ev, direction = "data", ""
            else:
                ev, direction = "divert", ""
            other, nbytes, tethered, fwd, dur = "", "", "", "", ""
            if ev in ("call", "sms", "mms"):
                x = rng.random()
                pool = premium if x < 0.0005 else foreign if x < 0.0015 else uk
                other = rng.choice(pool).format(rng.randrange(1000))
                if x > 0.999:
                    other = rng.choice(["999", "112", "101", "111"])
                dur = str(rng.randrange(600)) if ev == "call" else ""
            elif ev == "data":
                # One device in 500 streams heavily on mobile data (usage.cellular_data).
                nbytes = str(400_000_000 if dev % 500 == 0 else rng.randrange(20_000_000))
                tethered = "true" if rng.random() < 0.005 else "false"
            else:
                fwd = numbers[rng.randrange(n_devices)] if rng.random() < 0.8 else f"07400 {rng.randrange(10**6):06d}"
            f.write(f"C{i:010d},{msisdn},{ev},{direction},{ts},{dur},{other},{nbytes},{country},{tethered},{fwd}\n")


if __name__ == "__main__":
    main()
