"""Injection screening benchmark: our detector and offline peers, side by side, one run.

Reads ``../shared/benchmarks/screening.jsonl`` (relative to the repository root), reports on
its ``test`` split, on the generalisation set ``benchmarks/data/unseen_injection.yml``, on
the blind red-team set ``benchmarks/data/blind_redteam.yml`` and on the hard benign set
``benchmarks/data/hard_benign.yml`` (the last two also by language):

* detection rate by attack category (verdict ``block``) and false-positive rate by benign
  category (``block``, and ``flag or block`` for our detector),
* median and p99 latency per message (all messages, and messages up to 2,000 characters),
* latency by message length (100 to 2,000 characters: cost must grow at most linearly),
* memory held by our loaded detector (the sentence encoder included) and the peak while
  loading it.

Our detector runs three times: with its default configuration (rules, n-gram model and the
semantic stage), with the first tier only (``use_semantic: false``), so the semantic
stage's effect is measured on the same rows in the same run, and with the previous
release's models (read from git at ``--previous``, :data:`PREVIOUS` by default). With
``--loso`` it then prints the leave-one-source-out matrix of ``benchmarks/loso.py``.

Peers, measured in the same run on the same rows:

* TF-IDF + logistic regression (scikit-learn; word 1-2 and char_wb 2-5 n-grams) trained on
  the ``train`` split, threshold set at 1% false positives on benign rows of the train split
  by 5-fold cross-validation;
* NeMo Guardrails' YARA injection rules (code, SQL, template, XSS), read from the
  ``nemoguardrails`` wheel downloaded with ``pip download`` into a temporary directory (never
  committed); skipped with a note when it cannot be obtained offline.

Data: ``../shared/benchmarks/screening.jsonl`` (not in the repository), SHA-256
``d4faca265f2a220e3394e7c645f9bf0593ead0f3899939aa7072e9fa2124d09b``; its sources and
licences are listed in ``scripts/train_injection_model.py``, and ``docs/benchmarks/injection.md``
("Data and how to get it") says how to get it. The written sets
(``benchmarks/data/*.yml``) are in the repository (Apache-2.0).

Usage::

    .venv/bin/python benchmarks/injection_benchmark.py [--skip-yara] [--skip-baseline]
        [--data DIR] [--previous COMMIT] [--loso]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import yaml

from rasa_secure.core.injection import InjectionDetector
from rasa_secure.core.injection.semantic import shared_encoder

ROOT = Path(__file__).resolve().parent.parent

DATA = ROOT.parent / "shared" / "benchmarks" / "screening.jsonl"
PREVIOUS = "fefda2f"
"""The commit whose models are the previous release's (before the extra data of issue 20);
the benchmark runs them beside the shipped ones."""
MODEL_FILES = ("injection_model.npz", "injection_semantic.npz")
UNSEEN = ROOT / "benchmarks" / "data" / "unseen_injection.yml"
BLIND = ROOT / "benchmarks" / "data" / "blind_redteam.yml"
HARD_BENIGN = ROOT / "benchmarks" / "data" / "hard_benign.yml"
CHAT = ("benign_chat_banking", "benign_chat_general")
HARD = ("benign_trigger_words", "benign_sqli_lookalike", "benign_roleplay", "benign_prompt")

Row = Dict[str, Any]
Predict = Callable[[str], Tuple[bool, bool]]  # (blocked, flagged or blocked)


def load_split(split: str, data: Path = DATA) -> List[Row]:
    """Rows of one split of the screening data."""
    with data.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    return [row for row in rows if row["split"] == split]


def load_cases(path: Path, benign: str) -> List[Row]:
    """A set written for this project, shaped like screening rows (benign rows get the
    category ``benign``, or ``benign_<kind>`` where the set records their kind; ``lang`` is
    kept where the set records it)."""

    def category(case: Row) -> str:
        if case["label"] == "attack":
            return str(case["category"])
        return f"{benign}_{case['kind']}" if "kind" in case else benign

    cases = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        {
            "text": case["text"],
            "label": 1 if case["label"] == "attack" else 0,
            "category": category(case),
            "lang": case.get("lang", ""),
        }
        for case in cases
    ]


def by_language(rows: Sequence[Row], results: Dict[str, Result]) -> None:
    """Detection (attacks) and false positives (benign) per language, verdict ``block``, from
    the per-row outcomes of ``results`` (each :func:`run` over ``rows``)."""
    names = list(results)
    print("\n| lang | attacks | benign | " + " | ".join(names) + " |")
    print("|" + "---|" * (len(names) + 3))
    for lang in sorted({row["lang"] for row in rows}):
        attacks = [i for i, row in enumerate(rows) if row["lang"] == lang and row["label"] == 1]
        benign = [i for i, row in enumerate(rows) if row["lang"] == lang and row["label"] == 0]
        cells = []
        for result in results.values():
            detected = sum(result.outcomes[i] for i in attacks)
            blocked = sum(result.outcomes[i] for i in benign)
            detection = f"{detected / len(attacks):.0%}" if attacks else "-"
            cells.append(f"{detection} / {blocked / max(len(benign), 1):.0%}")
        print(f"| {lang} | {len(attacks)} | {len(benign)} | " + " | ".join(cells) + " |")


class Result:
    """Counts and latencies of one system on one set of rows."""

    def __init__(self) -> None:
        self.total: Dict[str, int] = defaultdict(int)
        self.blocked: Dict[str, int] = defaultdict(int)
        self.flagged: Dict[str, int] = defaultdict(int)
        self.latency: List[float] = []
        self.short_latency: List[float] = []
        self.outcomes: List[bool] = []
        """Whether each row, in order, was blocked."""

    def rate(self, category: str, flagged: bool = False) -> float:
        counts = self.flagged if flagged else self.blocked
        return counts[category] / self.total[category] if self.total[category] else 0.0

    def overall(self, rows: Sequence[Row]) -> Dict[str, float]:
        """Pooled rates (verdict ``block``) of the groups ``rows`` has, by label: detection on
        all attacks; false positives on benign chat, on the hard negatives and on all benign
        rows."""
        present = {row["category"] for row in rows}
        groups = {
            "all attacks (detect)": {r["category"] for r in rows if r["label"] == 1},
            "benign chat (FP)": present.intersection(CHAT),
            "hard negatives (FP)": present.intersection(HARD),
            "all benign (FP)": {r["category"] for r in rows if r["label"] == 0},
        }
        return {
            label: sum(self.blocked[c] for c in categories) / sum(self.total[c] for c in categories)
            for label, categories in groups.items()
            if categories
        }


def run(predict: Predict, rows: Sequence[Row]) -> Result:
    """Time ``predict`` on every row, one message at a time."""
    result = Result()
    for row in rows:
        start = time.perf_counter()
        blocked, flagged = predict(row["text"])
        elapsed = (time.perf_counter() - start) * 1000.0
        result.latency.append(elapsed)
        if len(row["text"]) <= 2000:
            result.short_latency.append(elapsed)
        category = row["category"]
        result.total[category] += 1
        result.blocked[category] += blocked
        result.flagged[category] += flagged or blocked
        result.outcomes.append(blocked)
    return result


def ours(
    config: Optional[Dict[str, Any]] = None, models: Optional[Path] = None
) -> Tuple[Predict, float, float]:
    """Our detector (default configuration unless ``config``; the shipped models unless
    ``models``, a directory with :data:`MODEL_FILES`), and the MB it holds and the peak MB
    while loading it (the semantic stage's encoder, shared by every detector of a process,
    is loaded here rather than on the first uncertain message, so it counts)."""
    tracemalloc.start()
    paths = {}
    if models is not None:
        paths = {"model_path": models / MODEL_FILES[0], "semantic_path": models / MODEL_FILES[1]}
    detector = InjectionDetector(config, **paths)
    if detector.config["use_semantic"]:
        shared_encoder()
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    def predict(text: str) -> Tuple[bool, bool]:
        verdict = detector.detect(text)
        return verdict.decision.value == "block", verdict.decision.value != "allow"

    return predict, held / 1e6, peak / 1e6


def previous_models(revision: str, workdir: Path) -> Path:
    """The model files of ``revision`` (a git commit), written to ``workdir``."""
    for name in MODEL_FILES:
        blob = f"{revision}:rasa_secure/core/injection/models/{name}"
        content = subprocess.run(  # noqa: S603 - fixed command, revision from the CLI
            ["git", "-C", str(ROOT), "show", blob],  # noqa: S607
            capture_output=True,
            check=True,
        ).stdout
        (workdir / name).write_bytes(content)
    return workdir


def tfidf_baseline(train: Sequence[Row]) -> Predict:
    """TF-IDF + logistic regression at 1% FPR on the train split (cross-validated)."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict
    from sklearn.pipeline import make_pipeline, make_union

    texts = [row["text"] for row in train]
    labels = np.array([row["label"] for row in train])

    def pipeline() -> Any:
        return make_pipeline(
            make_union(
                TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True
                ),
            ),
            LogisticRegression(C=10.0, max_iter=1000, class_weight="balanced"),
        )

    oof = cross_val_predict(pipeline(), texts, labels, cv=5, method="predict_proba")[:, 1]
    threshold = float(np.quantile(oof[labels == 0], 0.99))
    model = pipeline().fit(texts, labels)
    print(f"TF-IDF+LR threshold at 1% train FPR: {threshold:.3f}")

    def predict(text: str) -> Tuple[bool, bool]:
        hit = bool(model.predict_proba([text])[0, 1] >= threshold)
        return hit, hit

    return predict


def yara_peer(workdir: Path) -> Optional[Predict]:
    """NeMo Guardrails' YARA rules, or ``None`` (with a note) if not obtainable offline."""
    try:
        import yara
    except ImportError:
        print("NOTE: yara-python is not installed; NeMo YARA peer skipped")
        return None
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "nemoguardrails"]
    completed = subprocess.run(  # noqa: S603 - fixed command, no user input
        [*command, "-d", str(workdir), "-q"], capture_output=True, text=True, check=False
    )
    wheels = sorted(workdir.glob("nemoguardrails-*.whl"))
    if completed.returncode != 0 or not wheels:
        print("NOTE: nemoguardrails wheel not obtainable; NeMo YARA peer skipped")
        return None
    sources: Dict[str, str] = {}
    with zipfile.ZipFile(wheels[-1]) as wheel:
        for name in wheel.namelist():
            if "injection_detection/yara_rules/" in name and name.endswith(".yara"):
                sources[Path(name).stem] = wheel.read(name).decode("utf-8")
    if not sources:
        print("NOTE: no YARA rules in the nemoguardrails wheel; peer skipped")
        return None
    print(f"NeMo YARA rules from {wheels[-1].name}: {', '.join(sorted(sources))}")
    rules = yara.compile(sources=sources)

    def predict(text: str) -> Tuple[bool, bool]:
        hit = bool(rules.match(data=text.encode("utf-8")))
        return hit, hit

    return predict


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def table(title: str, rows: Sequence[Row], results: Dict[str, Result]) -> None:
    """Print one Markdown table: one line per category, one column per system."""
    names = list(results)
    categories = sorted(
        {row["category"] for row in rows}, key=lambda c: (c.startswith("benign"), c)
    )
    print(f"\n### {title}\n")
    header = "| category | n | " + " | ".join(names) + " |"
    print(header)
    print("|" + "---|" * (len(names) + 2))
    first = results[names[0]]
    for category in categories:
        kind = "FP" if category.startswith("benign") else "detect"
        cells = [f"{results[n].rate(category):.1%}" for n in names]
        if kind == "FP":
            cells[0] += f" (flag {first.rate(category, flagged=True):.1%})"
        print(f"| {category} ({kind}) | {first.total[category]} | " + " | ".join(cells) + " |")
    stats = {n: r.overall(rows) for n, r in results.items()}
    for label in stats[names[0]]:
        form = "{:.1%}" if label.endswith("(detect)") else "{:.2%}"
        cells = [form.format(s[label]) for s in stats.values()]
        print(f"| **{label}** | | " + " | ".join(cells) + " |")
    for label, pick in (("median ms", 0.5), ("p99 ms", 0.99)):
        cells = [f"{percentile(r.latency, pick):.3f}" for r in results.values()]
        print(f"| {label} (all) | | " + " | ".join(cells) + " |")
        cells = [f"{percentile(r.short_latency, pick):.3f}" for r in results.values()]
        print(f"| {label} (<= 2000 chars) | | " + " | ".join(cells) + " |")


LENGTHS = (100, 250, 500, 1000, 2000)


def latency_by_length(predict: Predict, rows: Sequence[Row]) -> None:
    """Median and p99 latency of messages cut to each of :data:`LENGTHS` characters.

    Every test message of at least 2,000 characters (attacks and benign alike) is cut to
    each length, so the lengths differ only in how much of the same texts is read.
    """
    long_texts = [row["text"] for row in rows if len(row["text"]) >= max(LENGTHS)]
    print(f"\n### Latency by message length (rasa_secure, {len(long_texts)} texts each)\n")
    print("| chars | median ms | p99 ms | median us per char |")
    print("|---|---|---|---|")
    for length in LENGTHS:
        times = []
        for text in long_texts:
            start = time.perf_counter()
            predict(text[:length])
            times.append((time.perf_counter() - start) * 1000.0)
        median = percentile(times, 0.5)
        print(
            f"| {length} | {median:.3f} | {percentile(times, 0.99):.3f} "
            f"| {median * 1000.0 / length:.3f} |"
        )


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-yara", action="store_true")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--data", type=Path, default=DATA.parent, help="the data directory")
    parser.add_argument("--previous", default=PREVIOUS, help="commit of the previous models")
    parser.add_argument(
        "--loso", action="store_true", help="print the leave-one-source-out matrix too (long)"
    )
    args = parser.parse_args(list(argv))
    data = args.data / DATA.name
    test = load_split("test", data)
    unseen = load_cases(UNSEEN, "benign_unseen")
    blind = load_cases(BLIND, "benign_blind")
    hard_benign = load_cases(HARD_BENIGN, "benign_hard")
    predict, held, peak = ours()
    print(f"rasa_secure detector loaded: {held:.1f} MB held, {peak:.1f} MB peak while loading")
    first_tier, held, _ = ours({"use_semantic": False})
    print(f"rasa_secure first tier only: {held:.1f} MB held")
    systems: Dict[str, Predict] = {"rasa_secure": predict, "first tier only": first_tier}
    with tempfile.TemporaryDirectory() as workdir:
        systems["previous models"] = ours(models=previous_models(args.previous, Path(workdir)))[0]
        if not args.skip_baseline:
            systems["TF-IDF+LR"] = tfidf_baseline(load_split("train", data))
        peer = None if args.skip_yara else yara_peer(Path(workdir))
        if peer is not None:
            systems["NeMo YARA"] = peer
        results: Dict[str, Dict[str, Result]] = {}
        for title, rows in (
            ("Public test split", test),
            ("Unseen generalisation set", unseen),
            ("Blind red-team set", blind),
            ("Hard benign set", hard_benign),
        ):
            results[title] = {name: run(system, rows) for name, system in systems.items()}
            table(f"{title} ({len(rows)} messages)", rows, results[title])
        for title, rows in (("Blind red-team set", blind), ("Hard benign set", hard_benign)):
            print(f"\n{title} by language (detection / false positives, verdict block):")
            by_language(rows, results[title])
    latency_by_length(predict, test)
    if args.loso:
        import loso  # the sibling script

        print("\n### Leave-one-source-out\n")
        loso.main(["--data", str(args.data)])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
