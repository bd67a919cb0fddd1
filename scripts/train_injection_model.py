"""Train the n-gram model shipped with the injection detector.

Reads ONLY the ``train`` split of ``../shared/benchmarks/screening.jsonl`` (relative to the
repository root) plus the examples written for this project in
``scripts/injection_training_data.yml``, and writes
``rasa_secure/core/models/injection_model.npz``.

The features are exactly those the detector computes at run time
(:func:`rasa_secure.core.injection.char_ngrams` and
:func:`rasa_secure.core.injection.word_ngrams` over :func:`model_text` of the normalised
text), so training and inference cannot drift apart. The classifier is a multinomial
logistic regression (scikit-learn, needed here only); the detector evaluates it with numpy.
Out-of-fold predictions from stratified cross-validation on the train split calibrate the
attack score (Platt scaling) and report how the default thresholds behave, without ever
looking at the test split.

Usage::

    .venv/bin/python scripts/train_injection_model.py [--folds 5] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from pathlib import Path
from typing import Dict, List, Sequence, Set, Tuple

import numpy as np
import yaml
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rasa_secure.core.injection import (  # noqa: E402
    MODEL_PATH,
    InjectionDetector,
    char_ngrams,
    model_text,
    word_ngrams,
)
from rasa_secure.core.normalize import variants  # noqa: E402

DATA = ROOT.parent / "shared" / "benchmarks" / "screening.jsonl"
WRITTEN = ROOT / "scripts" / "injection_training_data.yml"

CLASSES = (
    "benign",
    "prompt_injection",
    "jailbreak",
    "prompt_leak",
    "sql_injection",
    "nosql_injection",
    "command_injection",
    "code_injection",
    "xss",
)
MIN_CHAR_DF = 3
MIN_WORD_DF = 2
MAX_FEATURES = 160_000
C = 4.0


def class_of(category: str) -> str:
    """The model class of a data-set category (benign_* are all benign)."""
    return "benign" if category.startswith("benign") else category


def load() -> Tuple[List[str], List[str], List[str]]:
    """Texts, classes and group names (for reporting) of the training data."""
    texts: List[str] = []
    labels: List[str] = []
    groups: List[str] = []
    with DATA.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["split"] != "train":
                continue
            label = class_of(row["category"])
            if label not in CLASSES:
                continue  # encoded_data: one row, covered by a rule
            texts.append(row["text"])
            labels.append(label)
            groups.append(row["category"])
    written = yaml.safe_load(WRITTEN.read_text(encoding="utf-8"))
    for category, examples in written.items():
        for text in examples:
            texts.append(text)
            labels.append(class_of(category))
            groups.append(f"written_{category}")
    return texts, labels, groups


def features(
    texts: Sequence[str],
) -> Tuple[List[Set[str]], List[Set[str]], List[float], List[float]]:
    """Char and word n-gram sets of the normalised text, and each group's scale."""
    chars: List[Set[str]] = []
    words: List[Set[str]] = []
    char_scale: List[float] = []
    word_scale: List[float] = []
    for text in texts:
        prepared = model_text(variants(text)[0].text)
        c = char_ngrams(prepared)
        w = word_ngrams(prepared)
        chars.append(c)
        words.append(w)
        char_scale.append(1.0 / math.sqrt(len(c)) if c else 0.0)
        word_scale.append(1.0 / math.sqrt(len(w)) if w else 0.0)
    return chars, words, char_scale, word_scale


def vocabulary(sets: Sequence[Set[str]], min_df: int) -> Dict[str, int]:
    """N-grams occurring in at least ``min_df`` texts, indexed."""
    df: Counter[str] = Counter()
    for grams in sets:
        df.update(grams)
    kept = sorted(g for g, n in df.items() if n >= min_df)
    return {g: i for i, g in enumerate(kept)}


def matrix(
    sets: Sequence[Set[str]], vocab: Dict[str, int], scale: Sequence[float]
) -> sparse.csr_matrix:
    """Binary presence scaled per row, as the detector computes it."""
    rows: List[int] = []
    cols: List[int] = []
    vals: List[float] = []
    for r, grams in enumerate(sets):
        for g in grams:
            index = vocab.get(g)
            if index is not None:
                rows.append(r)
                cols.append(index)
                vals.append(scale[r])
    return sparse.csr_matrix((vals, (rows, cols)), shape=(len(sets), len(vocab)), dtype=np.float64)


def sample_weights(labels: Sequence[str]) -> np.ndarray:
    """Square-root class balancing: attacks count more, benign chat still dominates."""
    counts = Counter(labels)
    total = len(labels)
    return np.array([math.sqrt(total / (len(counts) * counts[y])) for y in labels])


def fit(x: sparse.csr_matrix, y: np.ndarray, weights: np.ndarray) -> LogisticRegression:
    """One multinomial logistic regression."""
    model = LogisticRegression(C=C, max_iter=400, solver="lbfgs")
    model.fit(x, y, sample_weight=weights)
    return model


def platt(scores: np.ndarray, truth: np.ndarray) -> Tuple[float, float]:
    """Fit ``sigmoid(a * logit(score) + b)`` to the out-of-fold attack scores."""
    eps = 1e-6
    logit = np.log(np.clip(scores, eps, 1 - eps) / np.clip(1 - scores, eps, 1 - eps))
    calibrator = LogisticRegression(C=100.0)
    calibrator.fit(logit.reshape(-1, 1), truth)
    return float(calibrator.coef_[0][0]), float(calibrator.intercept_[0])


def main(argv: Sequence[str] = ()) -> int:
    """Train, cross-validate, calibrate, prune and save."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args(list(argv))

    texts, labels, groups = load()
    print(f"training rows: {len(texts)} {dict(Counter(labels))}")
    chars, words, char_scale, word_scale = features(texts)
    char_vocab = vocabulary(chars, MIN_CHAR_DF)
    word_vocab = vocabulary(words, MIN_WORD_DF)
    x = sparse.hstack(
        [matrix(chars, char_vocab, char_scale), matrix(words, word_vocab, word_scale)]
    ).tocsr()
    y = np.array([CLASSES.index(label) for label in labels])
    weights = sample_weights(labels)
    print(f"features: {len(char_vocab)} char + {len(word_vocab)} word n-grams")

    oof = np.zeros((len(texts), len(CLASSES)))
    folds = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=7)
    for number, (train, held) in enumerate(folds.split(x, y), start=1):
        model = fit(x[train], y[train], weights[train])
        oof[held] = model.predict_proba(x[held])
        print(f"fold {number}/{args.folds} done")
    attack_oof = 1.0 - oof[:, 0]
    a, b = platt(attack_oof, (y != 0).astype(int))
    print(f"calibration: a={a:.3f} b={b:.3f}")

    model = fit(x, y, weights)
    coef = model.coef_.T  # (features, classes)
    n_char = len(char_vocab)
    strength = np.abs(coef).max(axis=1)
    keep = np.argsort(-strength)[:MAX_FEATURES]
    keep_char = np.sort(keep[keep < n_char])
    keep_word = np.sort(keep[keep >= n_char])
    char_names = np.array(sorted(char_vocab, key=char_vocab.__getitem__), dtype=object)
    word_names = np.array(sorted(word_vocab, key=word_vocab.__getitem__), dtype=object)
    meta = {
        "classes": list(CLASSES),
        "calibration": [a, b],
        "trained_on": "screening.jsonl split=train + scripts/injection_training_data.yml",
        "rows": len(texts),
        "C": C,
        "folds": args.folds,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        classes=np.array(CLASSES),
        bias=model.intercept_.astype(np.float32),
        char_vocab=np.frombuffer("\n".join(char_names[keep_char]).encode("utf-8"), dtype=np.uint8),
        word_vocab=np.frombuffer(
            "\n".join(word_names[keep_word - n_char]).encode("utf-8"), dtype=np.uint8
        ),
        char_weights=coef[keep_char].astype(np.float16),
        word_weights=coef[keep_word].astype(np.float16),
        meta=np.array(json.dumps(meta)),
    )
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB, {len(keep)} features)")
    report(texts, groups, attack_oof, a, b, oof)
    return 0


def report(
    texts: Sequence[str],
    groups: Sequence[str],
    attack_oof: np.ndarray,
    a: float,
    b: float,
    oof: np.ndarray,
) -> None:
    """Out-of-fold detection and false-positive rates of rules + calibrated model."""
    detector = InjectionDetector({"use_model": False})
    logit = np.log(np.clip(attack_oof, 1e-6, 1 - 1e-6) / np.clip(1 - attack_oof, 1e-6, 1 - 1e-6))
    calibrated = 1.0 / (1.0 + np.exp(-(a * logit + b)))
    top = oof[:, 1:].argmax(axis=1) + 1
    combined = []
    for index, text in enumerate(texts):
        verdict = detector.detect(text)
        scores = dict(verdict.scores)
        category = CLASSES[top[index]]
        rule = scores.get(category, 0.0)
        scores[category] = 1.0 - (1.0 - rule) * (1.0 - calibrated[index])
        combined.append(max(scores.values(), default=0.0))
    combined_arr = np.array(combined)
    for threshold in (0.5, 0.6, 0.7, 0.8, 0.9):
        print(f"-- threshold {threshold}")
        for group in sorted(set(groups)):
            members = [i for i, g in enumerate(groups) if g == group]
            rate = float((combined_arr[members] >= threshold).mean())
            print(f"   {group:28s} n={len(members):6d} positive={rate:.4f}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
