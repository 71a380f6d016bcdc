"""Build crates/custodian-screening/data/forenames-intl.txt: given names of many origins, from
the person providers of the PyPI package Faker (MIT licence), for adults and for people born
outside England and Wales whom the ONS baby-name list (data/forenames-ons.txt) does not cover.

    python3 bench/screening/intl_forenames.py [MAX_ZIPF=3.5] > crates/custodian-screening/data/forenames-intl.txt

Only locales written in the Latin alphabet (and Japanese, Chinese and Thai names in their
romanised forms) are read. A name is kept when it has at least three letters, folds to ASCII
letters (accents taken off, as the engine folds the words it looks up), is not already in the
ONS list, is not a surname in any of the same locales' lists ("Hughes", "Yilmaz": a surname
must not start a name), and its lower-case form is not an English word (Zipf frequency below
MAX_ZIPF in the `wordfreq` English list; 3.5, stricter than the ONS list's 4.3, because these
names are rarer here: "Dot" or "Nat" stay out). Needs the PyPI packages faker and wordfreq (used only here).
"""
import importlib
import os
import re
import sys
import unicodedata

import faker
from wordfreq import zipf_frequency

LOCALES = [
    "az_AZ", "cs_CZ", "da_DK", "de_AT", "de_CH", "de_DE", "en", "en_GB", "en_IE", "en_IN", "en_KE",
    "en_NG", "en_NZ", "en_PK", "en_TH", "en_US", "es_AR", "es_CL", "es_CO", "es_ES", "es_MX",
    "et_EE", "fi_FI", "fr_BE", "fr_CA", "fr_CH", "fr_FR", "ga_IE", "ha_NG", "hr_HR", "hu_HU",
    "id_ID", "ig_NG", "is_IS", "it_IT", "lt_LT", "lv_LV", "nl_BE", "nl_NL", "no_NO", "pl_PL",
    "pt_BR", "pt_PT", "ro_RO", "sk_SK", "sl_SI", "sv_SE", "sw", "tr_TR", "tw_GH", "uz_UZ",
    "vi_VN", "yo_NG", "zu_ZA", "ja_JP", "zh_CN", "zh_TW",
]
ATTRS = [
    "first_names", "first_names_male", "first_names_female", "first_romanized_names",
    "first_romanized_names_male", "first_romanized_names_female", "first_names_unisex",
]


def fold(w):
    w = unicodedata.normalize("NFKD", w)
    w = "".join(c for c in w if not unicodedata.combining(c)).lower()
    return w.translate(str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ı": "i", "ß": "ss"}))


def names(locale):
    prov = importlib.import_module(f"faker.providers.person.{locale}").Provider
    for a in ATTRS:
        v = prov.__dict__.get(a)
        if v is None or not isinstance(v, (dict, list, tuple, set, frozenset)):
            continue
        for n in (v.keys() if isinstance(v, dict) else v):
            if isinstance(n, str):
                yield n


def surnames(locale):
    prov = importlib.import_module(f"faker.providers.person.{locale}").Provider
    for a in ("last_names", "last_names_male", "last_names_female", "last_romanized_names"):
        v = prov.__dict__.get(a)
        if isinstance(v, (dict, list, tuple, set, frozenset)):
            for n in (v.keys() if isinstance(v, dict) else v):
                if isinstance(n, str):
                    yield fold(n)


def main():
    max_zipf = float(sys.argv[1]) if len(sys.argv) > 1 else 3.5
    here = os.path.dirname(os.path.abspath(__file__))
    ons_path = os.path.join(here, "..", "..", "crates", "custodian-screening", "data", "forenames-ons.txt")
    ons = {l.strip() for l in open(ons_path, encoding="utf-8") if l.strip() and not l.startswith("#")}
    # A word that is a surname in any of these lists ("Hughes", "Yilmaz") would make surnames
    # start names: left out.
    family = {f for loc in LOCALES for f in surnames(loc)}
    keep = set()
    for loc in LOCALES:
        for n in names(loc):
            for part in re.split(r"[\s]+", n.strip()):
                f = fold(part)
                if not re.fullmatch(r"[a-z][a-z'\-]{2,}", f) or f in ons or f in family:
                    continue
                if zipf_frequency(f, "en") >= max_zipf:
                    continue
                keep.add(f)
    print("# Given names of many origins that the ONS list (forenames-ons.txt) does not hold, lower-cased")
    print("# and folded to ASCII, less those whose lower-case form is a common English word (Zipf")
    print(f"# frequency {max_zipf} or more in the wordfreq English list), and less any word that is a")
    print("# surname in the same lists.")
    print(f"# Source: the person providers of Faker {faker.VERSION} (https://github.com/joke2k/faker),")
    print("# Copyright (c) 2012 Daniele Faraglia, MIT License: permission is hereby granted, free of")
    print("# charge, to any person obtaining a copy of this software and associated documentation files,")
    print("# to deal in the Software without restriction, subject to including this notice. THE SOFTWARE")
    print("# IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND.")
    print(f"# Rebuilt by `bench/screening/intl_forenames.py {max_zipf}`.")
    for n in sorted(keep):
        print(n)


main()
