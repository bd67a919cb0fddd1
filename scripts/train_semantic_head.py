"""Train the head of the injection screen's semantic stage
(``rasa_secure/core/injection/semantic.py``).

Reads ONLY the ``train`` split of ``../shared/benchmarks/screening.jsonl`` plus
the data written for this project (the rows :func:`train_injection_model.load` gives),
and writes
``rasa_secure/core/injection/models/injection_semantic.npz``. The test split is never read.
Run it after ``train_injection_model.py``: the head reads that model's logit.

Features: the multilingual sentence embedding of the normalised text
(:class:`SentenceEncoder`, its first ``--max-tokens`` tokens, which the head file records for
the detector), the n-gram model's attack logit of that text divided by ``LOGIT_SCALE``, and
the best rule score of :data:`RULE_CATEGORIES` (also recorded). At run time the detector
reads the reading the n-gram model finds most suspicious, with that reading's logit: the
normalised text for most messages, a decoded, de-leeted or segmented reading for an
obfuscated one; training reads the normalised text of every row. The n-gram logits are out
of fold (the shipped model's ``C``, the same folds), so the head learns how far to trust the
first tier on text that tier has not seen.

The stage runs only on messages the first tier finds uncertain (score at or above
:data:`GATE`, no block). Its operating point is the lowest head threshold at which, out of
fold, the rules + model + stage together stay within the detector's false-positive budget
(:data:`train_injection_model.FP_BUDGET`) and the stage itself adds at most
:data:`ADDED_FP` false positives to any benign group: it is there to catch the paraphrased
and translated attacks the first tier misses, not to trade precision for recall.

Data: ``../shared/benchmarks/screening.jsonl`` (not in the repository), SHA-256
``d4faca265f2a220e3394e7c645f9bf0593ead0f3899939aa7072e9fa2124d09b``; its sources and
licences are listed in ``scripts/train_injection_model.py``, and ``docs/benchmarks/injection.md``
("Data and how to get it") says how to get it.

Usage::

    .venv/bin/python scripts/train_semantic_head.py [--folds 5] [--max-tokens 64] [--out PATH]
        [--extra] [--data DIR] [--model PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Sequence

import numpy as np
import train_injection_model as ngram  # the sibling script (its directory is on sys.path)
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from rasa_secure.core.injection import MODEL_PATH, NgramModel
from rasa_secure.core.injection.rules import (
    CATEGORIES,
    HARMFUL_REQUEST,
    HEADER_INJECTION,
    LDAP_INJECTION,
    SSRF,
    XML_INJECTION,
)
from rasa_secure.core.injection.semantic import (
    LOGIT_SCALE,
    MAX_TOKENS,
    SEMANTIC_PATH,
    SentenceEncoder,
)
from rasa_secure.core.normalize import variants

GATE = 0.02
"""The first-tier score from which a message goes to the semantic stage (the default of
the detector's ``semantic_gate``)."""
ADDED_FP = {"chat": 0.0001, "hard": 0.005}
"""Largest out-of-fold false-positive rate the stage may add to a chat / hard benign group."""
C = 4.0
"""Regularisation of the head (4 did best among 1, 4, 16 out of fold)."""
RULE_CATEGORIES = tuple(
    c
    for c in CATEGORIES
    if c not in (LDAP_INJECTION, XML_INJECTION, SSRF, HEADER_INJECTION, HARMFUL_REQUEST)
)
"""Categories whose rules make up the head's rule feature (recorded in the head file). The
four injection categories left out have no rows in the screening data, so the head cannot
learn what their rules are worth (``harmful_request`` is no injection at all); their rules
block on their own (0.85 to 0.95), and one at flag level (a URL to an internal host) must
stay a flag rather than become a block through this stage."""
THRESHOLDS = np.round(
    np.concatenate([np.arange(0.90, 0.9975, 0.0025), np.arange(0.9975, 0.99995, 0.0005)]), 4
)
"""Head thresholds tried, lowest first: steps of 0.0025, then 0.0005 from 0.9975 up."""


def added_within(added: np.ndarray, groups: Sequence[str]) -> bool:
    """Whether the stage's own false positives stay within :data:`ADDED_FP` in every group."""
    for group, rate in ngram.rates(added, groups).items():
        if group.startswith("benign_chat") and rate > ADDED_FP["chat"]:
            return False
        if (group in ngram.HARD_NEGATIVES or group in ngram.WRITTEN_BENIGN) and rate > ADDED_FP[
            "hard"
        ]:
            return False
    return True


def main(argv: Sequence[str] = ()) -> int:
    """Embed, cross-validate, choose the threshold, and save."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--max-tokens", type=int, default=MAX_TOKENS)
    parser.add_argument("--out", type=Path, default=SEMANTIC_PATH)
    parser.add_argument("--extra", action="store_true", help="train on the extra file too")
    parser.add_argument("--data", type=Path, default=ngram.DATA_DIR, help="the data directory")
    parser.add_argument("--model", type=Path, default=MODEL_PATH, help="the n-gram model")
    args = parser.parse_args(list(argv))

    texts, labels, groups = ngram.load(args.extra, args.data)
    print(f"training rows: {len(texts)} {dict(Counter(labels))}")
    y = np.array([label != "benign" for label in labels], dtype=int)
    weights = ngram.sample_weights(labels, groups)
    model = NgramModel(args.model)
    calibration = model.meta["calibration"]

    x = ngram.features(texts)
    logits = ngram.out_of_fold(x, y, weights, float(model.meta["C"]), args.folds)
    normalized = [variants(t)[0].text for t in texts]
    predicted = [model.score(text).category for text in normalized]
    rule_scores = ngram.rule_scores(texts)
    rules = ngram.rule_arrays(rule_scores, predicted)
    head_rule = np.array(
        [max((v for c, v in s.items() if c in RULE_CATEGORIES), default=0.0) for s in rule_scores]
    )
    first_score = ngram.first_tier_scores(
        logits, predicted, rules, calibration["offsets"], calibration["slope"]
    )
    first = first_score >= ngram.BLOCK
    gated = (first_score >= GATE) & ~first
    print(f"first tier, out of fold: {ngram.summary(first, groups)}")
    print(f"rows sent to the semantic stage: {gated.mean():.4f}")

    encoder = SentenceEncoder()
    embeddings = encoder.encode(normalized, args.max_tokens)
    features = np.hstack([embeddings, (logits / LOGIT_SCALE)[:, None], head_rule[:, None]])

    probability = np.zeros(len(y))
    splitter = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=7)
    for train, held in splitter.split(features, y):
        head = LogisticRegression(C=C, max_iter=3000)
        head.fit(features[train], y[train], sample_weight=weights[train])
        probability[held] = head.predict_proba(features[held])[:, 1]

    chosen = None
    for threshold in THRESHOLDS:
        added = gated & (probability >= threshold)
        hits = first | added
        fine = ngram.within_budget(ngram.rates(hits, groups)) and added_within(
            added & (y == 0), groups
        )
        print(f"   threshold {threshold:.4f}: {ngram.summary(hits, groups)}")
        if fine and chosen is None:
            chosen = float(threshold)
    if chosen is None:
        print("no threshold within the false-positive budget")
        return 1
    final = first | (gated & (probability >= chosen))
    print(f"chosen threshold {chosen}: {ngram.summary(final, groups)}")

    head = LogisticRegression(C=C, max_iter=3000)
    head.fit(features, y, sample_weight=weights)
    meta = {
        "threshold": chosen,
        "gate": GATE,
        "max_tokens": args.max_tokens,
        "rule_categories": list(RULE_CATEGORIES),
        "C": C,
        "trained_on": ngram.TRAINED_ON[args.extra],
        "rows": len(texts),
        "folds": args.folds,
        "added_fp_budget": ADDED_FP,
        "cv_detection_first_tier": round(ngram.detection(ngram.rates(first, groups), groups), 4),
        "cv_detection_with_stage": round(ngram.detection(ngram.rates(final, groups), groups), 4),
        "cv_sent_to_stage": round(float(gated.mean()), 4),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        weights=head.coef_[0].astype(np.float32),
        bias=np.array(head.intercept_[0], dtype=np.float32),
        meta=np.array(json.dumps(meta)),
    )
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e3:.1f} kB): {meta}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
