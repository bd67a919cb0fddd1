"""Train the n-gram model shipped with the injection detector.

Reads ONLY the ``train`` split of ``../shared/benchmarks/screening.jsonl`` (relative to the
repository root) plus the examples written for this project in
``scripts/injection_training_data.yml``, and writes
``rasa_secure/core/models/injection_model.npz``. The test split is never read.

The features are exactly those the detector computes at run time
(:class:`rasa_secure.core.injection.NgramHasher` over :func:`model_text` of the normalised
text: character 2-5-grams and word 1-2-grams hashed into ``2 ** HASH_BITS`` buckets), so
training and inference cannot drift apart. Two logistic regressions (scikit-learn, needed
here only; the detector evaluates them with numpy):

* the attack head, attack versus benign over every row; hard negatives (benign texts with
  trigger words, SQL look-alikes, role-play, prompts) and the written benign data weigh
  more than plain chat, because they are what a screen confuses;
* the category head, over attack rows only, on a table four times smaller: it only names
  the category of a model finding.

Everything tunable is chosen on the train split by stratified cross-validation: the
regularisation ``C`` of the attack head, then the operating point. Out-of-fold attack
logits, combined with the curated rules exactly as the detector combines them (noisy-or per
category), give for each candidate model threshold the detection rate and the false
positives of every benign group. Each family of categories (prompt: injection, jailbreak,
leak; code: SQL, NoSQL, command, code, XSS) gets its own threshold, because the code family
has precise rules and look-alike benign text; the chosen pair detects the most attacks out
of fold while every benign group stays within :data:`FP_BUDGET`. The calibration then maps
each family's threshold to the detector's default block threshold (0.8).

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
from typing import Dict, List, Sequence, Tuple

import numpy as np
import yaml
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rasa_secure.core.injection import (  # noqa: E402
    HASH_BITS,
    MODEL_PATH,
    InjectionDetector,
    NgramHasher,
    model_text,
)
from rasa_secure.core.normalize import variants  # noqa: E402

DATA = ROOT.parent / "shared" / "benchmarks" / "screening.jsonl"
WRITTEN = ROOT / "scripts" / "injection_training_data.yml"

ATTACK_CLASSES = (
    "prompt_injection",
    "jailbreak",
    "prompt_leak",
    "sql_injection",
    "nosql_injection",
    "command_injection",
    "code_injection",
    "xss",
)
HARD_NEGATIVES = (
    "benign_trigger_words",
    "benign_sqli_lookalike",
    "benign_roleplay",
    "benign_prompt",
)
HARD_WEIGHT = 4.0
"""Weight of a hard-negative or written benign row (a chat row weighs 1)."""
CATEGORY_BITS = HASH_BITS - 2
C_GRID = (4.0, 16.0, 64.0)
FP_BUDGET = {"chat": 0.001, "hard": 0.02}
"""Largest out-of-fold false-positive rate allowed per benign group (chat, each hard one)."""
BLOCK = 0.8
"""The detector's default block threshold (see ``InjectionDetector`` options)."""


def class_of(category: str) -> str:
    """The model class of a data-set category (benign_* are all benign)."""
    return "benign" if category.startswith("benign") else category


def load() -> Tuple[List[str], List[str], List[str]]:
    """Texts, classes and group names of the training data (train split + written data)."""
    texts: List[str] = []
    labels: List[str] = []
    groups: List[str] = []
    with DATA.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["split"] != "train":
                continue
            label = class_of(row["category"])
            if label != "benign" and label not in ATTACK_CLASSES:
                continue  # encoded_data: one row, covered by the decoders and rules
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


def features(texts: Sequence[str]) -> sparse.csr_matrix:
    """Hashed, scaled n-gram presence of the normalised texts, as the detector computes it."""
    hasher = NgramHasher(HASH_BITS)
    rows: List[np.ndarray] = []
    cols: List[np.ndarray] = []
    vals: List[np.ndarray] = []
    for index, text in enumerate(texts):
        for group in hasher.buckets(model_text(variants(text)[0].text)):
            if len(group):
                rows.append(np.full(len(group), index))
                cols.append(group)
                vals.append(np.full(len(group), 1.0 / math.sqrt(len(group))))
    return sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(len(texts), 1 << HASH_BITS),
    )


def sample_weights(labels: Sequence[str], groups: Sequence[str]) -> np.ndarray:
    """Attacks and benign rows weigh the same in total; hard negatives weigh more than chat."""
    raw = np.array(
        [HARD_WEIGHT if g in HARD_NEGATIVES or g == "written_benign" else 1.0 for g in groups]
    )
    attack = np.array([label != "benign" for label in labels])
    raw[attack] *= raw[~attack].sum() / raw[attack].sum()
    return raw


def fit(x: sparse.csr_matrix, y: np.ndarray, weights: np.ndarray, c: float) -> LogisticRegression:
    """One logistic regression."""
    model = LogisticRegression(C=c, max_iter=1000, solver="lbfgs")
    model.fit(x, y, sample_weight=weights)
    return model


def out_of_fold(
    x: sparse.csr_matrix, y: np.ndarray, weights: np.ndarray, c: float, folds: int
) -> np.ndarray:
    """Out-of-fold attack logits of the attack head."""
    logits = np.zeros(len(y))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=7)
    for train, held in splitter.split(x, y):
        logits[held] = fit(x[train], y[train], weights[train], c).decision_function(x[held])
    return logits


def platt_slope(logits: np.ndarray, y: np.ndarray) -> float:
    """Slope of the Platt calibration of out-of-fold logits (the offset is set separately)."""
    calibrator = LogisticRegression(C=100.0)
    calibrator.fit(logits.reshape(-1, 1), y)
    return float(calibrator.coef_[0][0])


def rule_scores(texts: Sequence[str]) -> List[Dict[str, float]]:
    """Per-category scores of the curated rules alone, for every text."""
    detector = InjectionDetector({"use_model": False})
    return [dict(detector.detect(text).scores) for text in texts]


PROMPT_FAMILY = frozenset({"prompt_injection", "jailbreak", "prompt_leak"})
"""Categories calibrated together; the code-injection categories form the other family."""


def family(category: str) -> str:
    """``"prompt"`` or ``"code"``: each family has its own model operating point."""
    return "prompt" if category in PROMPT_FAMILY else "code"


def offsets_for(thresholds: Dict[str, float], slope: float) -> Dict[str, float]:
    """Calibration offset of every attack class, so that its family threshold maps to BLOCK."""
    target = math.log(BLOCK / (1 - BLOCK))
    return {name: target - slope * thresholds[family(name)] for name in ATTACK_CLASSES}


def blocked(
    logits: np.ndarray,
    categories: Sequence[str],
    rules: Tuple[np.ndarray, np.ndarray],
    offsets: Dict[str, float],
    slope: float,
) -> np.ndarray:
    """Whether rules + calibrated model block each row, combined as the detector does.

    ``rules`` holds, per row, the best rule score of any category and the rule score of
    the category the model names (see :func:`rule_arrays`).
    """
    offset = np.array([offsets[category] for category in categories])
    model = 1.0 / (1.0 + np.exp(-(slope * logits + offset)))
    best_rule, same_category = rules
    combined = 1.0 - (1.0 - same_category) * (1.0 - model)
    return np.maximum(best_rule, combined) >= BLOCK


def rule_arrays(
    scores: Sequence[Dict[str, float]], categories: Sequence[str]
) -> Tuple[np.ndarray, np.ndarray]:
    """Best rule score per row, and the rule score of the model's category per row."""
    best = np.array([max(s.values(), default=0.0) for s in scores])
    same = np.array([s.get(c, 0.0) for s, c in zip(scores, categories)])
    return best, same


def rates(hits: np.ndarray, groups: Sequence[str]) -> Dict[str, float]:
    """Positive rate per group."""
    names = sorted(set(groups))
    array = np.array(groups)
    return {name: float(hits[array == name].mean()) for name in names}


def within_budget(per_group: Dict[str, float]) -> bool:
    """Whether every benign group stays within its false-positive budget."""
    for group, rate in per_group.items():
        if group.startswith("benign_chat"):
            budget = FP_BUDGET["chat"]
        elif group in HARD_NEGATIVES or group == "written_benign":
            budget = FP_BUDGET["hard"]
        else:
            continue
        if rate > budget:
            return False
    return True


def detection(per_group: Dict[str, float], groups: Sequence[str]) -> float:
    """Detection over every attack row."""
    counts = Counter(groups)
    attacks = [g for g in per_group if not g.startswith(("benign", "written_benign"))]
    return sum(per_group[g] * counts[g] for g in attacks) / sum(counts[g] for g in attacks)


def main(argv: Sequence[str] = ()) -> int:
    """Train, cross-validate, choose the operating point, and save."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args(list(argv))

    texts, labels, groups = load()
    print(f"training rows: {len(texts)} {dict(Counter(labels))}")
    x = features(texts)
    y = np.array([label != "benign" for label in labels], dtype=int)
    weights = sample_weights(labels, groups)

    attack_rows = np.flatnonzero(y)
    category_x = sparse.csr_matrix(
        (x.data, x.indices >> (HASH_BITS - CATEGORY_BITS), x.indptr),
        shape=(len(texts), 1 << CATEGORY_BITS),
    )
    category_y = np.array([labels[i] for i in attack_rows])
    category_model = LogisticRegression(C=16.0, max_iter=1000, solver="lbfgs")
    category_model.fit(category_x[attack_rows], category_y)
    predicted = category_model.predict(category_x)
    rules = rule_arrays(rule_scores(texts), predicted)

    best: Tuple[float, float, Dict[str, float], np.ndarray] = (-1.0, 0.0, {}, np.zeros(0))
    for c in C_GRID:
        logits = out_of_fold(x, y, weights, c, args.folds)
        slope = platt_slope(logits, y)
        attack_logits = logits[y == 1]
        for code_q in np.linspace(0.0, 0.5, 11):
            for prompt_q in np.linspace(0.0, 0.3, 31):
                thresholds = {
                    "prompt": float(np.quantile(attack_logits, prompt_q)),
                    "code": float(np.quantile(attack_logits, code_q)),
                }
                offsets = offsets_for(thresholds, slope)
                per_group = rates(blocked(logits, predicted, rules, offsets, slope), groups)
                if within_budget(per_group):
                    score = detection(per_group, groups)
                    if score > best[0]:
                        best = (score, c, offsets, logits)
                    break
        print(f"C={c}: best out-of-fold detection so far {best[0]:.4f}")
    score, c, offsets, logits = best
    if score < 0:
        print("no operating point within the false-positive budget")
        return 1
    slope = platt_slope(logits, y)
    print(f"chosen C={c} slope={slope:.4f} offsets={offsets}")
    for group, rate in rates(blocked(logits, predicted, rules, offsets, slope), groups).items():
        print(f"   {group:28s} n={groups.count(group):6d} blocked={rate:.4f}")

    attack_model = fit(x, y, weights, c)
    meta = {
        "hash_bits": HASH_BITS,
        "calibration": {"slope": slope, "offsets": offsets},
        "trained_on": "screening.jsonl split=train + scripts/injection_training_data.yml",
        "rows": len(texts),
        "C": c,
        "folds": args.folds,
        "fp_budget": FP_BUDGET,
        "cv_detection": round(score, 4),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        classes=np.array(category_model.classes_),
        attack_weights=attack_model.coef_[0].astype(np.float16),
        attack_bias=np.array(attack_model.intercept_[0], dtype=np.float32),
        category_weights=category_model.coef_.T.astype(np.float16),
        category_bias=category_model.intercept_.astype(np.float32),
        meta=np.array(json.dumps(meta)),
    )
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
