"""Generate a large fictional force for benchmarks: PEOPLE people and DEVICES devices.

python3 bench/gen_register.py OUT_DIR PEOPLE DEVICES [--allocated-from]
Writes OUT_DIR/people.csv and OUT_DIR/devices.csv in Custodian's import formats. With
--allocated-from, devices.csv has the optional allocated_from column: every allocated device
held since a date in the first half of 2026 (WP034 4.1), as a force onboarding its history would
import it.
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
    out, n_people, n_devices = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    with_start = "--allocated-from" in sys.argv[4:]
    rng = random.Random(34)
    areas = [f"Area {i:02d}" for i in range(25)]
    with open(f"{out}/people.csv", "w") as f:
        f.write("staff_number,name,email,kind,business_area,line_manager,roles,status,personal_phones\n")
        for i in range(n_people):
            area = areas[i % len(areas)]
            manager = "" if i < len(areas) else f"P{(i % len(areas)):06d}"
            roles = "head_of_department" if i < len(areas) else ""
            f.write(f"P{i:06d},Person {i},person.{i}@warwickshire.police.example,{rng.choice(['officer','staff','volunteer'])},{area},{manager},{roles},active,\n")
    kinds = ["phone", "phone", "laptop", "tablet", "radio"]
    with open(f"{out}/devices.csv", "w") as f:
        f.write("asset_tag,type,make,model,serial,imei,phone_number,os,status,allocated_to")
        f.write(",allocated_from\n" if with_start else "\n")
        for i in range(n_devices):
            kind = kinds[i % len(kinds)]
            imei = ""
            if kind in ("phone", "tablet"):
                payload = f"35{i:012d}"
                imei = payload + luhn_digit(payload)
            allocated = i % 10 != 0
            holder = f"P{rng.randrange(n_people):06d}" if allocated else ""
            status = "allocated" if allocated else "in_stock"
            start = ""
            if with_start:
                start = "," + (f"2026-{1 + i % 6:02d}-{1 + i % 28:02d}" if allocated else "")
            f.write(f"BM-{i:06d},{kind},Make{i % 7},Model{i % 13},SER{i:08d},{imei},,OS,{status},{holder}{start}\n")


if __name__ == "__main__":
    main()
