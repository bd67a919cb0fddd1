"""Train the sentiment model shipped with the distress detector.

Reads ONLY the ``train`` and ``val`` splits of UMSAB (the Unified Multilingual Sentiment
Analysis Benchmark of cardiffnlp/xlm-t: tweets labelled negative / neutral / positive) for
English, Spanish, German and French, and writes
``rasa_secure/core/distress/models/distress_sentiment.npz``. The ``test`` splits are never
read here; ``benchmarks/distress_benchmark.py`` reports on them. How to get the data, its
sources, licences and checksums: ``docs/benchmarks/data.md``.

The features are exactly those the detector computes at run time
(:func:`rasa_secure.core.distress.sentiment.features`); a multinomial logistic regression
(scikit-learn, needed here only) is fitted on ``train`` for each candidate ``C`` and the one
with the best macro-F1 on ``val`` is refitted on ``train`` + ``val``.

Usage::

    python scripts/train_distress_sentiment.py --data /work/data/umsab [--c 0.5 1 2 4]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import List, Sequence, Tuple

import numpy as np

from rasa_secure.core.distress.sentiment import (
    CLASSES,
    SENTIMENT_HASH_BITS,
    SENTIMENT_PATH,
    features,
)
from rasa_secure.core.injection.ngram import NgramHasher

LANGUAGES = ("english", "spanish", "german", "french")


def read_split(data: Path, split: str) -> Tuple[List[str], List[int]]:
    """Texts and labels (0 negative, 1 neutral, 2 positive) of one split, every language."""
    texts: List[str] = []
    labels: List[int] = []
    for language in LANGUAGES:
        folder = data / language
        lines = (folder / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
        marks = (folder / f"{split}_labels.txt").read_text(encoding="utf-8").split()
        if len(lines) != len(marks):
            raise SystemExit(f"{folder}: {split} text and labels differ in length")
        texts.extend(lines)
        labels.extend(int(mark) for mark in marks)
    return texts, labels


def matrix(hasher: NgramHasher, texts: Sequence[str]) -> object:
    """The sparse feature matrix of ``texts``."""
    from scipy.sparse import csr_matrix

    rows, cols, values = [], [], []
    for row, text in enumerate(texts):
        for group, scale in features(hasher, text):
            rows.extend([row] * len(group))
            cols.extend(int(bucket) for bucket in group)
            values.extend([scale] * len(group))
    shape = (len(texts), 1 << SENTIMENT_HASH_BITS)
    result = csr_matrix((values, (rows, cols)), shape=shape, dtype=np.float32)
    result.sum_duplicates()
    return result


def main(argv: Sequence[str] = ()) -> int:
    """Fit, choose ``C`` on ``val``, refit on ``train`` + ``val`` and write the model."""
    from scipy.sparse import vstack
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="UMSAB sentiment folder")
    parser.add_argument("--c", type=float, nargs="+", default=[0.5, 1.0, 2.0, 4.0])
    parser.add_argument("--out", type=Path, default=SENTIMENT_PATH)
    args = parser.parse_args(list(argv) or None)
    hasher = NgramHasher(SENTIMENT_HASH_BITS)
    train_texts, train_labels = read_split(args.data, "train")
    val_texts, val_labels = read_split(args.data, "val")
    train, val = matrix(hasher, train_texts), matrix(hasher, val_texts)
    best_c, best_f1 = args.c[0], -1.0
    for c in args.c:
        model = LogisticRegression(C=c, max_iter=2000)
        model.fit(train, train_labels)
        f1 = float(f1_score(val_labels, model.predict(val), average="macro"))
        print(f"C={c}: val macro-F1 {f1:.3f}")
        if f1 > best_f1:
            best_c, best_f1 = c, f1
    model = LogisticRegression(C=best_c, max_iter=2000)
    model.fit(vstack([train, val]), [*train_labels, *val_labels])
    if tuple(int(c) for c in model.classes_) != (0, 1, 2):
        raise SystemExit("expected the classes 0, 1, 2")
    meta = {
        "hash_bits": SENTIMENT_HASH_BITS,
        "classes": list(CLASSES),
        "c": best_c,
        "val_macro_f1": round(best_f1, 4),
        "train_rows": len(train_texts) + len(val_texts),
        "data": "UMSAB train+val (cardiffnlp/xlm-t 874214d), en/es/de/fr",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        weights=model.coef_.T.astype(np.float16),
        bias=model.intercept_.astype(np.float32),
        meta=np.array(json.dumps(meta)),
    )
    print(f"wrote {args.out} (C={best_c}, val macro-F1 {best_f1:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
