"""Author aid: wrap unlabelled repeats of a labelled name token within the same hand-written line."""
import re, sys
for path in sys.argv[1:]:
    out = []
    for line in open(path, encoding="utf-8"):
        if line.startswith("##") or "\t" not in line:
            out.append(line); continue
        toks = set()
        for m in re.finditer(r"\{N\|([^}]*)\}", line):
            for tok in re.findall(r"[^\W\d_]{3,}", m.group(1)):
                toks.add(tok)
        parts = re.split(r"(\{[A-Z]+\|[^}]*\})", line)
        for i in range(0, len(parts), 2):
            seg = parts[i]
            for tok in toks:
                seg = re.sub(r"(?<![^\W\d_{|])" + re.escape(tok) + r"(?![^\W\d_])", "{N|" + tok + "}", seg)
            if seg != parts[i]:
                print("fix:", path, repr(parts[i][:60]), "->", repr(seg[:70]))
            parts[i] = seg
        out.append("".join(parts))
    open(path, "w", encoding="utf-8").writelines(out)
