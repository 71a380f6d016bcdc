#!/usr/bin/env python3
"""Write a staff register (staff.csv) for a corpus's development half from the officers its posts
and comments name with a rank ("PC Chris Jarvis", "Sgt Neil Barrow", "PC 3391 Hughes", "DS
Ellery"), so the triage's staff matching can be measured on corpora written before registers
came with them. Reads only the `post` and `text` fields (never the labels or targets) of the file
given; refuses a sealed file.

    python3 bench/comments/staff/from_dev.py bench/comments/blind4/dev.jsonl > bench/comments/staff/blind4-dev.csv

`--background` adds 120 invented people with common British names (some of them common words:
Brown, Hope, Will), as a whole force's register would hold, so a measurement sees the false
alarms a large register brings. `--targets` also adds the people the `target` field names for
`abuse_staff` rows (a gold field: it stands in for a complete register, which knows every
officer a comment might name; a measurement with it says so).
"""
import json
import re
import sys

RANKS = (r"(?:Chief\s+Superintendent|Chief\s+Supt|Chief\s+Inspector|Chief\s+Constable|Deputy\s+Chief\s+Constable|"
         r"Assistant\s+Chief\s+Constable|Detective\s+Chief\s+Inspector|Detective\s+Inspector|Detective\s+Sergeant|"
         r"Detective\s+Constable|Special\s+Constable|Superintendent|Inspector|Sergeant|Constable|Supt|Insp|Sgt|"
         r"PCSO|DCI|ACC|PC|DC|DS|DI|Officer)")
NAME = r"(?:O')?[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
PAT = re.compile(rf"\b(?P<rank>{RANKS})\.?\s+(?:(?P<collar>[A-Z]?\d{{3,5}})\s+)?(?P<a>{NAME})(?:\s+(?P<b>{NAME}))?")
# Words a capitalised word after a rank may be that are no name.
NOT_NAMES = {"The", "And", "On", "In", "At", "Is", "Was", "Has", "Who", "From", "For", "Of", "To", "With", "Team",
             "Today", "Tonight", "This", "That", "Officers", "Officer", "Police", "Warwickshire", "Said", "Says",
             "Joins", "Receives", "Retires", "Will", "Would", "Can", "Could", "Should", "Did", "Does", "Do", "Here",
             "There", "Then", "What", "When", "Where", "Why", "How", "Yes", "No", "Not", "Just", "Please", "Thanks",
             "Thank", "Well", "Done", "Great", "Good", "Bad", "Awful", "Useless", "Never", "Always", "If", "But",
             "So", "Or", "Also", "Our", "Your", "My", "His", "Her", "Their", "Its", "An", "A", "I", "We", "You", "He",
             "She", "They", "It", "Be", "Are", "Were", "Been", "Being", "Have", "Had", "Get", "Got", "Go", "Went",
             "Gone", "Are", "Was"}


BACKGROUND_FAMILY = """Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson
Wright Walker White Edwards Green Hall Wood Harris Martin Jackson Clarke Turner Hill Scott Cooper Morris Ward
Moore King Watson Baker Harrison Morgan Patel Young Allen Mitchell James Anderson Phillips Lee Bell Parker
Davis Kaur Singh Khan Ali Begum Shaw Cook Lewis Price Rose Marsh Hope Day May Fox Long Little Chapman Mason
Hunt Webb Kelly Murphy Stone Cross Black Gray Field Banks Lane Page Savage Bird Rich Sharp Swift Wise Law
Best Ford Brook Frost Snow Bush Rice Mills Holmes Knight Barker Booth Dixon Ellis Fisher Gibson Graham
Hunter Lloyd Marshall Palmer Pearson Reynolds Russell Simpson Spencer Stevens Wallace Warren Watts West
Wheeler Butler Hart Cole Ball Nash Short""".split()
BACKGROUND_GIVEN = """James John David Michael Paul Mark Andrew Steve Chris Dan Tom Rob Will Sam Jo Amy Emma Sarah
Laura Claire Lisa Kate Helen Rachel Hope Grace Faith Rose Summer Dawn Joy Bill Frank Dean Pat Ray Sue Mo Raj
Priya Aisha Omar""".split()


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    background = "--background" in sys.argv
    targets = "--targets" in sys.argv
    path = args[0]
    if "sealed" in path:
        sys.exit("refused: sealed halves are only ever scored")
    people = {}
    for line in open(path, encoding="utf-8"):
        if not line.strip():
            continue
        row = json.loads(line)
        fields = ["post", "text"]
        if targets and "abuse_staff" in row.get("labels", []) and row.get("target"):
            fields.append("target")
        for field in fields:
            value = row.get(field) or ""
            if field == "target":
                # A target without a rank: a name ("Nadia Wells", "Yates") or a description.
                t = value.strip()
                if not PAT.search(t) and re.fullmatch(rf"(?:{NAME}\s+)?{NAME}", t) and t.split()[0] not in NOT_NAMES:
                    value = "Officer " + t
            for m in PAT.finditer(value):
                a, b = m.group("a"), m.group("b")
                if a in NOT_NAMES:
                    continue
                if b in NOT_NAMES:
                    b = None
                given, family = (a, b) if b else ("", a)
                rank = re.sub(r"\s+", " ", m.group("rank"))
                key = (given, family) if given else ("", family)
                p = people.setdefault(key, {"rank": rank, "collar": ""})
                if m.group("collar"):
                    p["collar"] = m.group("collar")
    # A family name known with a given name makes the bare family-name entry redundant.
    full = {f for (g, f) in people if g}
    out = ["staff_number,given_name,family_name,rank,collar_number"]
    n = 0
    for (given, family), p in sorted(people.items()):
        if not given and family in full:
            collar = p["collar"]
            if collar:
                for (g2, f2), q in people.items():
                    if g2 and f2 == family and not q["collar"]:
                        q["collar"] = collar
            continue
    if background:
        for k, family in enumerate(BACKGROUND_FAMILY):
            given = BACKGROUND_GIVEN[(k * 7) % len(BACKGROUND_GIVEN)]
            people.setdefault((given, family), {"rank": "PC" if k % 3 else "", "collar": str(5000 + k * 37)})
    for (given, family), p in sorted(people.items()):
        if not given and family in full:
            continue
        n += 1
        out.append(f"S{n:05d},{given},{family},{p['rank']},{p['collar']}")
    print("\n".join(out))


main()
