"""Shared markup parser (no frames, no lists): turns '{CODE|text}' into text + UTF-8 byte spans.
Escapes in hand-written lines: '\\n' -> newline, '\\t' -> tab."""
CODES = {
    "N": "personal.name", "PH": "personal.phone", "EM": "personal.email", "PC": "personal.postcode",
    "NI": "personal.nino", "NHS": "personal.nhs", "CARD": "personal.card", "BANK": "personal.bank",
    "VRM": "personal.vehicle", "DOB": "personal.dob", "ADDR": "personal.address",
    "REF": "investigation.reference", "OP": "investigation.operation", "COV": "covert",
    "MARK": "marking", "SUS": "investigation.suspect", "JUS": "justice", "AB": "abuse",
    "CH": "channel", "CR": "copyright", "DIS": "disrepute",
}

def render(marked):
    """Return (text, spans). Markup: {CODE|visible text}; no nesting."""
    out = bytearray()
    spans = []
    i = 0
    s = marked
    while i < len(s):
        if s[i] == "{":
            j = s.find("|", i)
            k = s.find("}", i)
            code = s[i + 1:j] if j != -1 else None
            if code in CODES and j < k:
                vis = s[j + 1:k]
                assert "{" not in vis, marked
                b = vis.encode("utf-8")
                spans.append({"category": CODES[code], "match": vis, "start": len(out), "end": len(out) + len(b)})
                out += b
                i = k + 1
                continue
        out += s[i].encode("utf-8")
        i += 1
    text = out.decode("utf-8")
    for sp in spans:
        assert sp["match"] == sp["match"].strip() and sp["match"], (marked, sp)
    return text, spans

def load_hand(path):
    """Hand-written file: one draft per line, 'kind<TAB>marked text'; '#' lines and blanks ignored."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("##"):
                continue
            kind, _, body = line.partition("\t")
            assert body, f"{path}:{ln} no tab"
            body = body.replace("\\n", "\n").replace("\\t", "\t")
            text, spans = render(body)
            rows.append({"kind": kind.strip(), "text": text, "spans": spans, "src": "hand"})
    return rows
