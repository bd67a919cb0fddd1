"""Operating points of the n-gram recipes out of source: per-family thresholds and calibrated
scores, over the leave-one-source-out (LOSO) scores of ``benchmarks/loso.py``.

``loso.py`` gives every public row the n-gram model's logit from a model trained without the
row's source, and chooses one threshold for every category. This script reads those scores
(from ``loso.py``'s cache; it runs ``loso.py``'s recipes first when they are missing) and
adds what the shipped model does and what the issue asks for:

* **Per-family thresholds.** The shipped model has one threshold for the prompt family
  (prompt injection, jailbreak, leak) and one for the code family (SQL, NoSQL, command,
  code, XSS), each at the point its own benign look-alikes allow. Here a family classifier
  (logistic regression over the same features, trained on the attack rows of the other
  sources, so it is out of source too) names each row's family, and the two thresholds are
  chosen per held-out source on the other sources' benign rows: the code family's first
  (with no prompt-family model block), then the prompt family's with it.
* **Calibrated scores.** Isotonic regression (scikit-learn ``IsotonicRegression``) per family
  maps the LOSO logit to the probability of an attack, fitted for each held-out source on the
  other sources' LOSO logits only: every probability is out of source twice. Its quality
  (Brier score, expected calibration error over ten bins) is printed beside Platt scaling
  fitted the same way and beside the shipped mapping (the training script's slope, the
  family threshold at 0.8), which is a decision score, not a probability. The matrix then
  shows fixed probability thresholds, the same for every source, as a shipped model would
  have them: each gives the mean attack detection, the worst benign false-positive rate of a
  source and the chat rate, for ``block`` and for ``flag``.

Usage::

    .venv/bin/python benchmarks/loso_operating.py [--data DIR] [--cache DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from functools import partial
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence, Tuple

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import loso

ngram = loso.ngram
RECIPES = loso.RECIPES[:2]
"""The n-gram recipes: the shipped one, and the same with the extra file."""
TARGET_NAME = next(iter(loso.BUDGETS))
TARGET = loso.BUDGETS[TARGET_NAME]
"""The budget of the target: benign FP <= 2% per other source."""
PROBABILITIES = (0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99)
"""Fixed operating points on the calibrated probability."""


def family_of(rows: loso.Rows, x: Any, cache: Path) -> np.ndarray:
    """Each row's family by a classifier trained without its source: True for code."""

    def compute() -> np.ndarray:
        from sklearn.linear_model import LogisticRegression

        origins = np.array(rows.origins)
        attack = rows.attack
        code = np.array([ngram.family(label) == "code" for label in rows.labels])
        out = np.zeros(len(origins), dtype=bool)
        for held in sorted(set(origins) - {loso.WRITTEN}):
            train = attack & (origins != held)
            model = LogisticRegression(C=16.0, max_iter=1000).fit(x[train], code[train])
            rows_out = origins == held
            out[rows_out] = model.decision_function(x[rows_out]) > 0
        return out

    return loso.cached(cache, loso.text_key(rows), "family", compute).astype(bool)


def per_family(
    score: np.ndarray,
    code: np.ndarray,
    best_rule: np.ndarray,
    slope: float,
    attack: np.ndarray,
    origins: np.ndarray,
    budget: Dict[str, float],
) -> np.ndarray:
    """Block decisions with one threshold per family, both chosen without the row's source."""
    public = origins != loso.WRITTEN

    def decide(family: np.ndarray, threshold: float) -> np.ndarray:
        return loso.blocked_at(score, threshold, best_rule, slope) & family

    rules_alone = best_rule >= ngram.BLOCK
    grids = {
        name: np.quantile(score[attack & public & family], np.linspace(0.0, 0.99, 100))
        for name, family in (("code", code), ("prompt", ~code))
    }
    code_blocks = {float(t): decide(code, float(t)) for t in grids["code"]}
    prompt_blocks = {float(t): decide(~code, float(t)) for t in grids["prompt"]}
    none = np.zeros(len(score), dtype=bool)
    sources = sorted(set(origins) - {loso.WRITTEN})
    benign = {s: (origins == s) & ~attack for s in sources if ((origins == s) & ~attack).any()}
    blocked = np.zeros(len(score), dtype=bool)
    for held in sources:
        others = {name: mask for name, mask in benign.items() if name != held}
        fits = partial(loso.within, benign_masks=others, budgets=budget)
        code_part = next((b for b in code_blocks.values() if fits(rules_alone | b)), none)
        prompt_part = next(
            (b for b in prompt_blocks.values() if fits(rules_alone | code_part | b)), none
        )
        rows = origins == held
        blocked[rows] = (rules_alone | code_part | prompt_part)[rows]
    return blocked


Calibrator = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def isotonic(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray) -> np.ndarray:
    from sklearn.isotonic import IsotonicRegression

    model = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    return model.fit(train_x, train_y).predict(test_x)


def platt(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=100.0).fit(train_x[:, None], train_y)
    return model.predict_proba(test_x[:, None])[:, 1]


def calibrated(
    fit: Calibrator, score: np.ndarray, code: np.ndarray, attack: np.ndarray, origins: np.ndarray
) -> np.ndarray:
    """P(attack) of every public row, fitted per family on the other sources' LOSO scores."""
    probability = np.zeros(len(score))
    for held in sorted(set(origins) - {loso.WRITTEN}):
        for family in (code, ~code):
            train = family & (origins != held) & (origins != loso.WRITTEN)
            rows = family & (origins == held)
            if rows.any():
                probability[rows] = fit(score[train], attack[train].astype(float), score[rows])
    return probability


def calibration_error(probability: np.ndarray, truth: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: the row-weighted gap between mean probability and the
    attack rate, over equal-width bins."""
    edges = np.minimum((probability * bins).astype(int), bins - 1)
    gap = 0.0
    for b in range(bins):
        inside = edges == b
        if inside.any():
            gap += inside.mean() * abs(probability[inside].mean() - truth[inside].mean())
    return gap


def shipped_mapping(score: np.ndarray, code: np.ndarray, meta: Dict[str, Any]) -> np.ndarray:
    """The shipped model's score for a logit: its calibration slope and family offsets."""
    slope, offsets = meta["calibration"]["slope"], meta["calibration"]["offsets"]
    offset = np.where(code, offsets["sql_injection"], offsets["prompt_injection"])
    return 1.0 / (1.0 + np.exp(-np.clip(slope * score + offset, -50, 50)))


def at_probability(probability: np.ndarray, threshold: float, best_rule: np.ndarray) -> np.ndarray:
    """Rows the screen would act on with the model at ``threshold`` and the rules at 0.8."""
    return (probability >= threshold) | (best_rule >= ngram.BLOCK)


def summary(
    decisions: np.ndarray, attack: np.ndarray, origins: np.ndarray
) -> Tuple[float, float, float, str]:
    """Mean attack detection over sources, worst benign FP of a source (and which), chat FP."""
    detect: List[float] = []
    worst, worst_source, chat = 0.0, "", []
    for source in sorted(set(origins) - {loso.WRITTEN}):
        at = (origins == source) & attack
        be = (origins == source) & ~attack
        if at.any():
            detect.append(float(decisions[at].mean()))
        if be.any():
            fp = float(decisions[be].mean())
            if fp > worst:
                worst, worst_source = fp, source
            if source in loso.CHAT_SOURCES:
                chat.append(fp)
    return float(np.mean(detect)), worst, max(chat), worst_source


def test_split_lines(
    data: Path, score: np.ndarray, code: np.ndarray, attack: np.ndarray, public: np.ndarray
) -> List[str]:
    """The shipped n-gram model on the public test split, its logit mapped to a probability
    by the isotonic map of every public row's LOSO logit (per family; the family is the one
    the model names), with the rules at 0.8: what each fixed operating point gives there."""
    import json

    from rasa_secure.core.injection import MODEL_PATH, NgramModel
    from rasa_secure.core.normalize import variants

    with (data / "screening.jsonl").open(encoding="utf-8") as handle:
        rows = [row for row in map(json.loads, handle) if row["split"] == "test"]
    model = NgramModel(MODEL_PATH)
    texts = [variants(row["text"])[0].text for row in rows]
    scored = [model.score(text) for text in texts]
    logits = np.array([result.logit for result in scored])
    is_code = np.array([ngram.family(s.category) == "code" for s in scored])
    best_rule = np.array([max(s.values(), default=0.0) for s in ngram.rule_scores(texts)])
    probability = np.zeros(len(rows))
    for family, test_family in ((code, is_code), (~code, ~is_code)):
        train = family & public
        probability[test_family] = isotonic(
            score[train], attack[train].astype(float), logits[test_family]
        )
    label = np.array([row["label"] == 1 for row in rows])
    group = np.array([row["category"] for row in rows])
    chat = np.isin(group, ("benign_chat_banking", "benign_chat_general"))
    lines = [
        "| P(attack) >= | attacks | benign chat FP | hard negatives FP |",
        "|---|---|---|---|",
    ]
    for threshold in PROBABILITIES:
        acts = at_probability(probability, threshold, best_rule)
        lines.append(
            f"| {threshold} | {acts[label].mean():.1%} | {acts[chat].mean():.2%} "
            f"| {acts[~label & ~chat].mean():.2%} |"
        )
    return lines


def main(argv: Sequence[str] = ()) -> int:
    """Run ``loso.py``'s n-gram recipes (from the cache), then print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=loso.DATA_DIR)
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "rasa_secure_loso"
    )
    args = parser.parse_args(list(argv))
    names = [recipe.name for recipe in RECIPES]
    loso.main(["--data", str(args.data), "--cache", str(args.cache), "--only", *names])
    rows = loso.load(args.data)
    key = loso.text_key(rows)
    origins = np.array(rows.origins)
    attack = rows.attack
    best_rule = np.load(args.cache / f"rules-{key}.npy")[:, -1].astype(np.float64)
    code = family_of(rows, loso.hashed(rows, args.cache), args.cache)
    meta = ngram_meta()
    slope = float(meta["calibration"]["slope"])
    public = origins != loso.WRITTEN
    truly_code = np.array([ngram.family(label) == "code" for label in rows.labels])
    right = float(np.mean(code[attack & public] == truly_code[attack & public]))
    print(f"\nfamily classifier, out of source: {right:.1%} of attacks in their own family")
    columns: Dict[str, np.ndarray] = {}
    calibration_lines = [
        "| recipe | mapping | Brier | ECE |",
        "|---|---|---|---|",
    ]
    probability_lines = [
        "| recipe | P(attack) >= | mean detection | worst benign FP (source) | worst chat FP |",
        "|---|---|---|---|---|",
    ]
    for recipe in RECIPES:
        score = recipe_scores(args.cache, recipe, key)
        columns[f"{recipe.name}: one threshold"] = loso.operating(
            {recipe: score}, TARGET, best_rule, attack, origins, slope
        )[recipe.name]
        columns[f"{recipe.name}: per family"] = per_family(
            score, code, best_rule, slope, attack, origins, TARGET
        )
        truth = attack[public].astype(float)
        probability = calibrated(isotonic, score, code, attack, origins)
        for mapping, values in (
            ("shipped (a decision score)", shipped_mapping(score, code, meta)),
            ("Platt, out of source", calibrated(platt, score, code, attack, origins)),
            ("isotonic, out of source", probability),
        ):
            brier = float(np.mean((values[public] - truth) ** 2))
            ece = calibration_error(values[public], truth)
            calibration_lines.append(f"| {recipe.name} | {mapping} | {brier:.4f} | {ece:.4f} |")
        for threshold in PROBABILITIES:
            mean, worst, chat, source = summary(
                at_probability(probability, threshold, best_rule), attack, origins
            )
            probability_lines.append(
                f"| {recipe.name} | {threshold} | {mean:.1%} | {worst:.2%} ({source}) "
                f"| {chat:.2%} |"
            )
    print(f"\n#### One threshold and per-family thresholds, chosen at {TARGET_NAME}\n")
    print("\n".join(loso.matrix(columns, attack, origins)))
    print("\n#### Calibration of the LOSO scores (public rows)\n")
    print("\n".join(calibration_lines))
    print("\n#### Fixed operating points on the calibrated probability (isotonic)\n")
    print("\n".join(probability_lines))
    score = recipe_scores(args.cache, RECIPES[0], key)
    print("\n#### The same operating points: the shipped model on the public test split\n")
    print("\n".join(test_split_lines(args.data, score, code, attack, public)))
    return 0


def recipe_scores(cache: Path, recipe: loso.Recipe, key: str) -> np.ndarray:
    """The LOSO logits ``loso.py`` stored for ``recipe``."""
    return np.load(cache / f"{loso.scores_name(recipe)}-{key}.npy")


def ngram_meta() -> Dict[str, Any]:
    import json

    with np.load(ngram.MODEL_PATH, allow_pickle=False) as shipped_model:
        return dict(json.loads(str(shipped_model["meta"])))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
