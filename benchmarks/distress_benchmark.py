"""Distress detector benchmark: sentiment against VADER and TextBlob, categories, cost.

One run, side by side, prints Markdown tables (``docs/benchmarks/distress.md`` holds the last):

* **Sentiment** on the ``test`` splits of UMSAB (cardiffnlp/xlm-t; tweets labelled negative,
  neutral, positive; English, Spanish, German, French; never read by training): macro-F1 over
  the three classes, each method with its own three-way decision (ours: its label, the most
  probable class; VADER: compound within +-0.05 is neutral; TextBlob: polarity 0 is
  neutral), and the accuracy of the sign of the score on the positive and negative rows
  alone (no neutral decision involved).
* **Sentiment, another source** (with ``--uci``): the UCI "Sentiment Labelled Sentences"
  (Kotzias et al., KDD 2015: 1,000 English review sentences each from Amazon, IMDb and Yelp,
  half positive, half negative): accuracy of the sign of the score, a score of 0 counting as
  wrong. Nothing of this source was used to build any of the three methods.
* **Categories**: recall per category and language on ``tests/data/distress_cases.yml``
  (written by the team, like the cue table: not held out), look-alikes flagged, and the share
  of real banking chat flagged (the ``benign_chat_banking`` rows of
  ``../shared/benchmarks/screening.jsonl``: banking77 and the financial-demo NLU data).
* **Abuse, a public source** (with ``--convabuse``): the ``test`` split of ConvAbuse
  (Cao Curry et al., EMNLP 2021: users' messages to two chatbots, each labelled by several
  annotators; a message is abusive when most of them said so): recall of
  ``abuse_towards_agent`` on abusive messages, and non-abusive messages flagged. The English
  abuse cues were written from misses on its ``train`` split only.
* **Cost**: median and p99 milliseconds per message of each method on the banking chat.

Usage::

    python benchmarks/distress_benchmark.py --umsab /work/data/umsab \\
        [--uci /work/data/uci_sentences] \\
        [--convabuse /work/data/convabuse/ConvAbuseEMNLPtest.csv] \\
        [--screening ../shared/benchmarks/screening.jsonl]

Needs the ``bench`` extra (``vaderSentiment``, ``textblob``) for the baselines.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Callable, Dict, List, Sequence, Tuple

import yaml

from rasa_secure.core.distress import DistressCategory, DistressDetector

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "data" / "distress_cases.yml"
SCREENING = ROOT.parent / "shared" / "benchmarks" / "screening.jsonl"
LANGUAGES = {"english": "en", "spanish": "es", "german": "de", "french": "fr"}
CLASSES = (0, 1, 2)  # negative, neutral, positive

Decider = Callable[[str], Tuple[float, int]]
"""A method's score of a text and its three-way decision (0 negative, 1 neutral, 2 positive)."""


def macro_f1(gold: Sequence[int], predicted: Sequence[int]) -> float:
    """Macro-averaged F1 over the three classes."""
    scores = []
    for label in CLASSES:
        tp = sum(1 for g, p in zip(gold, predicted) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted) if g == label and p != label)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def three_way(score: float, band: float) -> int:
    """0 negative, 1 neutral, 2 positive."""
    return 2 if score > band else 0 if score < -band else 1


def scorers(detector: DistressDetector) -> Dict[str, Decider]:
    """Each method's score and decision."""
    from textblob import TextBlob
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    labels = {"negative": 0, "neutral": 1, "positive": 2}

    def ours(text: str) -> Tuple[float, int]:
        sentiment = detector.sentiment(text)
        return sentiment.score, labels[sentiment.label.value]

    def vader_decision(text: str) -> Tuple[float, int]:
        score = float(vader.polarity_scores(text)["compound"])
        return score, three_way(score, 0.05)

    def textblob_decision(text: str) -> Tuple[float, int]:
        score = float(TextBlob(text).sentiment.polarity)
        return score, three_way(score, 0.0)

    return {"rasa_secure": ours, "VADER": vader_decision, "TextBlob": textblob_decision}


def read_umsab(folder: Path, language: str) -> Tuple[List[str], List[int]]:
    """The test split of one language."""
    base = folder / language
    texts = (base / "test_text.txt").read_text(encoding="utf-8").splitlines()
    labels = [int(x) for x in (base / "test_labels.txt").read_text(encoding="utf-8").split()]
    return texts, labels


def sentiment_table(folder: Path, methods: Dict[str, Decider]) -> List[str]:
    """Macro-F1 and sign accuracy per language and method."""
    lines = [
        "| language | rows | "
        + " | ".join(f"{m} macro-F1 | {m} sign acc." for m in methods)
        + " |",
        "|---|---:|" + "---:|---:|" * len(methods),
    ]
    totals: Dict[str, List[float]] = defaultdict(list)
    for language, code in LANGUAGES.items():
        texts, gold = read_umsab(folder, language)
        cells = []
        for name, decide in methods.items():
            decided = [decide(t) for t in texts]
            scores = [score for score, _ in decided]
            f1 = macro_f1(gold, [label for _, label in decided])
            polar = [(g, s) for g, s in zip(gold, scores) if g != 1]
            sign = sum(1 for g, s in polar if (s > 0) == (g == 2) and s != 0) / len(polar)
            totals[name] += [f1, sign]
            cells.append(f"{f1:.3f} | {sign:.3f}")
        lines.append(f"| {code} | {len(texts)} | " + " | ".join(cells) + " |")
    mean = [
        f"{statistics.mean(v[0::2]):.3f} | {statistics.mean(v[1::2]):.3f}" for v in totals.values()
    ]
    lines.append("| **mean** | | " + " | ".join(mean) + " |")
    return lines


def uci_table(folder: Path, methods: Dict[str, Decider]) -> List[str]:
    """Sign accuracy per review site and method."""
    lines = ["| site | rows | " + " | ".join(methods) + " |", "|---|---:|" + "---:|" * len(methods)]
    for site in ("amazon_cells", "imdb", "yelp"):
        text = (folder / f"{site}_labelled.txt").read_text(encoding="utf-8")
        rows = [line.rsplit("\t", 1) for line in text.split("\n") if "\t" in line]
        cells = []
        for decide in methods.values():
            scores = [decide(sentence)[0] for sentence, _ in rows]
            right = sum(
                1
                for s, (_, mark) in zip(scores, rows)
                if s != 0 and (s > 0) == (mark.strip() == "1")
            )
            cells.append(f"{right / len(rows):.3f}")
        lines.append(f"| {site.split('_')[0]} | {len(rows)} | " + " | ".join(cells) + " |")
    return lines


def convabuse_lines(path: Path, detector: DistressDetector) -> List[str]:
    """Recall of abuse on the majority-abusive messages, flags on the others."""
    import csv

    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    abusive = benign = caught = flagged = 0
    for row in rows:
        votes = []
        for annotator in range(1, 9):
            key = f"Annotator{annotator}_is_abuse."
            marks = [row.get(key + level) for level in ("1", "0", "-1", "-2", "-3")]
            if any(mark not in (None, "") for mark in marks):
                votes.append(any(row.get(key + level) == "1" for level in ("-1", "-2", "-3")))
        found = DistressCategory.ABUSE in detector.detect(row["user"]).categories
        if sum(votes) * 2 > len(votes):
            abusive, caught = abusive + 1, caught + found
        else:
            benign, flagged = benign + 1, flagged + found
    return [
        f"Abusive messages detected: {caught}/{abusive} = {caught / abusive:.1%}; "
        f"non-abusive messages flagged: {flagged}/{benign} = {flagged / benign:.1%}."
    ]


def category_tables(detector: DistressDetector, banking: Sequence[str]) -> List[str]:
    """Recall per category and language, look-alikes and banking chat flagged."""
    groups = yaml.safe_load(CASES.read_text(encoding="utf-8"))["groups"]
    hits: Dict[str, Counter] = defaultdict(Counter)
    sizes: Dict[str, Counter] = defaultdict(Counter)
    lookalikes = flagged_lookalikes = 0
    for group in groups:
        for text in group["texts"]:
            found = [c.value for c in detector.detect(text).categories]
            if group["category"] == "none":
                lookalikes += 1
                flagged_lookalikes += bool(found)
                continue
            sizes[group["category"]][group["lang"]] += 1
            hits[group["category"]][group["lang"]] += group["category"] in found
    codes = list(LANGUAGES.values())
    lines = [
        "| category | " + " | ".join(codes) + " | recall |",
        "|---|" + "---:|" * (len(codes) + 1),
    ]
    for category, by_language in sizes.items():
        cells = [f"{hits[category][c]}/{by_language[c]}" for c in codes]
        recall = sum(hits[category].values()) / sum(by_language.values())
        lines.append(f"| {category} | " + " | ".join(cells) + f" | {recall:.1%} |")
    all_hits = sum(sum(c.values()) for c in hits.values())
    all_sizes = sum(sum(c.values()) for c in sizes.values())
    lines.append(f"| **all** | | | | | **{all_hits / all_sizes:.1%}** |")
    flagged: Counter = Counter()
    raised = 0
    for text in banking:
        result = detector.detect(text)
        flagged.update(c.value for c in result.categories)
        flagged["any"] += bool(result.categories)
        raised += result.priority.value != "normal"
    share = flagged["any"] / len(banking)
    lines += [
        "",
        f"Look-alikes flagged: {flagged_lookalikes}/{lookalikes}.",
        f"Banking chat flagged: {flagged['any']}/{len(banking)} = {share:.2%}"
        f" ({', '.join(f'{k} {v}' for k, v in flagged.items() if k != 'any') or 'none'});"
        f" priority raised above normal: {raised / len(banking):.2%}.",
    ]
    return lines


def cost_table(
    methods: Dict[str, Decider], detector: DistressDetector, texts: Sequence[str]
) -> List[str]:
    """Milliseconds per message on the banking chat (the whole detector for ours)."""
    timed: Dict[str, Callable[[str], object]] = {
        "rasa_secure (sentiment + categories)": detector.detect
    }
    timed.update({f"{name} (sentiment only)": decide for name, decide in methods.items()})
    lines = ["| method | median ms | p99 ms |", "|---|---:|---:|"]
    for name, function in timed.items():
        for text in texts[:50]:  # warm up
            function(text)
        costs = []
        for text in texts:
            start = time.perf_counter()
            function(text)
            costs.append((time.perf_counter() - start) * 1000)
        costs.sort()
        p99 = costs[int(len(costs) * 0.99)]
        lines.append(f"| {name} | {statistics.median(costs):.3f} | {p99:.3f} |")
    return lines


def main(argv: Sequence[str] = ()) -> int:
    """Run everything and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--umsab", type=Path, required=True, help="UMSAB sentiment folder")
    parser.add_argument("--uci", type=Path, help="UCI sentiment labelled sentences folder")
    parser.add_argument("--convabuse", type=Path, help="ConvAbuse test split (CSV)")
    parser.add_argument("--screening", type=Path, default=SCREENING)
    args = parser.parse_args(list(argv) or None)
    detector = DistressDetector()
    methods = scorers(detector)
    rows = [
        json.loads(line) for line in args.screening.read_text(encoding="utf-8").split("\n") if line
    ]
    banking = [r["text"] for r in rows if r["category"] == "benign_chat_banking"]
    out = ["## Sentiment (UMSAB test splits)", "", *sentiment_table(args.umsab, methods), ""]
    if args.uci is not None:
        out += ["## Sentiment, another source (UCI review sentences, English)", ""]
        out += [*uci_table(args.uci, methods), ""]
    out += ["## Distress categories", "", *category_tables(detector, banking), ""]
    if args.convabuse is not None:
        out += ["## Abuse towards the agent, a public source (ConvAbuse test)", ""]
        out += [*convabuse_lines(args.convabuse, detector), ""]
    out += [
        f"## Cost ({len(banking)} banking chat messages)",
        "",
        *cost_table(methods, detector, banking),
    ]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
