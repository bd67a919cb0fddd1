"""Injection screening: prompt injection, jailbreaks, SQL/NoSQL/command/code/template injection,
XSS and path traversal, in clear or obfuscated, in thirteen languages.

:class:`InjectionDetector` reads a message in every variant :func:`normalize.variants` derives
(normalised, de-obfuscated, decoded), runs the curated rules of
:mod:`rasa_secure.core.injection_rules` on each (a cheap trigger pre-gate skips most of them)
and scores the variants with a compact linear model over character and word n-grams shipped
with the package (pure Python/numpy inference, no scikit-learn needed). Rule and model scores
combine per category by noisy-or; per-category thresholds turn the scores into a
:class:`Verdict`: ``allow``, ``flag`` or ``block``, with explanations (rule id or model, the
variant it matched on, the span in the original text). Text longer than ``max_length`` gets a
verdict without being scanned, and the raw text is never logged or kept.
"""

from __future__ import annotations

import json
import math
import re
import threading
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Sequence, Set, Tuple

from rasa_secure.config import Option, OptionSpec, in_range, list_of, positive, resolve
from rasa_secure.core import injection_rules
from rasa_secure.core.contract import Span
from rasa_secure.core.injection_rules import CATEGORIES, CJK, Rule
from rasa_secure.core.normalize import Limits, Variant, VariantKind, variants
from rasa_secure.errors import ConfigError, DependencyMissingError, DetectionError

MODEL_PATH = Path(__file__).parent / "models" / "injection_model.npz"
"""The shipped model (see ``scripts/train_injection_model.py``)."""

MODEL_MAX_CHARS = 4096
"""The model reads at most this many characters of each variant (rules read everything)."""

MODEL_ALIGNED_MAX_CHARS = 500
"""Look-alike, leetspeak and letter-spacing variants of longer messages are left to the rules
(the model reads the normalised text and every decoded variant)."""


class Decision(str, Enum):
    """What to do with a message."""

    ALLOW = "allow"
    FLAG = "flag"
    BLOCK = "block"


@dataclass(frozen=True)
class Reason:
    """One piece of evidence behind a verdict.

    Attributes:
        source: a rule id (``"sql.union_select"``), ``"model"``, ``"max_length"`` or
            ``"allow_list"``.
        category: the threat category it supports (empty for ``allow_list``).
        score: its own score in [0, 1].
        variant: how the matching text was derived, e.g. ``"normalized"`` or
            ``"base64"`` or ``"url+hidden_tags"``.
        span: the characters of the original message it points at, if known.
        detail: what the rule or feature looks for, in words (never message text).
    """

    source: str
    category: str
    score: float
    variant: str
    span: Optional[Span]
    detail: str = ""

    def to_dict(self) -> Dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "source": self.source,
            "category": self.category,
            "score": round(self.score, 4),
            "variant": self.variant,
            "span": None if self.span is None else [self.span.start, self.span.end],
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Verdict:
    """The result of screening one message.

    Attributes:
        decision: allow, flag or block.
        score: the highest category score, in [0, 1].
        categories: categories whose score reached their flag threshold, highest first.
        reasons: the evidence, strongest first.
        scores: every category's score (only categories with evidence).
    """

    decision: Decision
    score: float
    categories: Tuple[str, ...] = ()
    reasons: Tuple[Reason, ...] = ()
    scores: Mapping[str, float] = field(default_factory=dict)

    @property
    def blocked(self) -> bool:
        """Whether the decision is ``block``."""
        return self.decision is Decision.BLOCK

    def to_dict(self) -> Dict[str, Any]:
        """A JSON-ready mapping (what the NLU component and the CLI emit)."""
        return {
            "verdict": self.decision.value,
            "score": round(self.score, 4),
            "categories": list(self.categories),
            "reasons": [reason.to_dict() for reason in self.reasons],
        }


def _threshold_check(value: Any) -> Optional[str]:
    for category, pair in value.items():
        if category not in CATEGORIES:
            return f"unknown category {category!r} (allowed: {', '.join(CATEGORIES)})"
        if not isinstance(pair, Mapping):
            return f"{category}: expected a mapping with 'flag' and/or 'block'"
        for key, number in pair.items():
            if key not in ("flag", "block"):
                return f"{category}.{key}: unknown key (allowed: flag, block)"
            if isinstance(number, bool) or not isinstance(number, (int, float)):
                return f"{category}.{key}: expected a number, got {type(number).__name__}"
            if not 0.0 <= number <= 1.0:
                return f"{category}.{key}: must be between 0 and 1, got {number}"
    return None


def _regex_list_check(value: Any) -> Optional[str]:
    problem = list_of(str)(value)
    if problem is not None:
        return problem
    for index, pattern in enumerate(value):
        try:
            re.compile(pattern)
        except re.error as error:
            return f"item {index} is not a valid regular expression: {error}"
    return None


OPTIONS: OptionSpec = {
    "flag_threshold": Option(
        0.5, "score from which a category flags the message", (int, float), in_range(0.0, 1.0)
    ),
    "block_threshold": Option(
        0.8, "score from which a category blocks the message", (int, float), in_range(0.0, 1.0)
    ),
    "thresholds": Option(
        {},
        "per-category overrides, e.g. {xss: {block: 0.9, flag: 0.6}}",
        dict,
        _threshold_check,
    ),
    "allow_list": Option(
        [],
        "regular expressions; a message that fully matches one (case-insensitive) is allowed",
        list,
        _regex_list_check,
    ),
    "disabled_rules": Option(
        [], "rule ids (or id prefixes ending in '.') to switch off", list, list_of(str)
    ),
    "max_length": Option(
        16000, "longest message scanned, in characters; longer ones are not scanned", int, positive
    ),
    "over_length_decision": Option(
        "block",
        "verdict for a message longer than max_length",
        str,
        choices=("flag", "block"),
    ),
    "use_model": Option(True, "score with the shipped n-gram model as well as the rules", bool),
    "max_variants": Option(
        12, "most variants (normalised, de-obfuscated, decoded) scanned per message", int, positive
    ),
    "max_decoded_chars": Option(4096, "longest decoded text scanned per variant", int, positive),
    "max_decode_depth": Option(2, "most nested decoding steps", int, in_range(0, 4)),
}
"""Configuration of :class:`InjectionDetector` (and of the NLU component and CLI)."""


# --- rules --------------------------------------------------------------------------------

_TOKEN = re.compile(r"\w+")
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff66-\uff9f]")


def _word_key(word: str) -> str:
    return word[:4]


@dataclass(frozen=True)
class RuleHit:
    """A rule that matched a variant."""

    rule: Rule
    variant: Variant
    span: Span


class RuleSet:
    """Compiled rules with a trigger index, so that a message runs only plausible rules."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        injection_rules.rule_index(rules)
        self.rules: Tuple[Rule, ...] = tuple(rules)
        self._patterns = [rule.compile() for rule in self.rules]
        # Python's regex engine skips quickly to the possible first characters of a pattern,
        # unless the pattern starts with an assertion such as \b. Each rule therefore runs
        # first without its \b assertions (a superset, fast), then exactly on a hit.
        self._loose = [
            re.compile(rule.pattern.replace(r"\b", ""), re.DOTALL)
            if r"\b" in rule.pattern
            else None
            for rule in self.rules
        ]
        by_word: Dict[str, Set[int]] = {}
        by_substring: Dict[str, Set[int]] = {}
        cjk: Set[int] = set()
        for index, rule in enumerate(self.rules):
            for trigger in rule.triggers:
                if trigger == CJK:
                    cjk.add(index)
                elif trigger.isalpha():
                    by_word.setdefault(_word_key(trigger), set()).add(index)
                else:
                    by_substring.setdefault(trigger, set()).add(index)
        self._by_word: Dict[str, FrozenSet[int]] = {k: frozenset(v) for k, v in by_word.items()}
        self._by_substring = tuple((k, frozenset(v)) for k, v in by_substring.items())
        self._cjk = frozenset(cjk)

    def candidates(self, text: str) -> List[int]:
        """Indices of the rules whose triggers occur in ``text``, in table order."""
        selected: Set[int] = set()
        by_word = self._by_word
        for token in set(_TOKEN.findall(text)):
            found = by_word.get(token[:4])
            if found is not None:
                selected.update(found)
        for substring, indices in self._by_substring:
            if substring in text:
                selected.update(indices)
        if self._cjk and not text.isascii() and _CJK_CHAR.search(text):
            selected.update(self._cjk)
        return sorted(selected)

    def scan(self, variant: Variant) -> List[RuleHit]:
        """Every rule matching ``variant`` (first match of each)."""
        hits = []
        text = variant.text
        for index in self.candidates(text):
            loose = self._loose[index]
            if loose is not None and loose.search(text) is None:
                continue
            match = self._patterns[index].search(text)
            if match is not None:
                hits.append(RuleHit(self.rules[index], variant, Span(*match.span())))
        return hits


# --- model --------------------------------------------------------------------------------

_WS = re.compile(r"\s+")
_DIGITS = str.maketrans("0123456789", "0000000000")


def model_text(text: str) -> str:
    """The text the model reads: whitespace collapsed, digits folded to ``0``, bounded."""
    return " " + _WS.sub(" ", text[:MODEL_MAX_CHARS]).strip().translate(_DIGITS) + " "


def char_ngrams(text: str, low: int = 3, high: int = 5) -> Set[str]:
    """Distinct character n-grams of ``text`` (already passed through :func:`model_text`)."""
    grams: Set[str] = set()
    length = len(text)
    for size in range(low, high + 1):
        grams.update(text[i : i + size] for i in range(length - size + 1))
    return grams


def word_ngrams(text: str) -> Set[str]:
    """Distinct word unigrams and bigrams of ``text`` (already through :func:`model_text`)."""
    words = _TOKEN.findall(text)
    grams = set(words)
    grams.update(f"{a} {b}" for a, b in zip(words, words[1:]))
    return grams


@dataclass(frozen=True)
class ModelScore:
    """What the n-gram model says about one variant.

    Attributes:
        attack: calibrated probability that the text is an attack, in [0, 1].
        category: the most likely attack category.
    """

    attack: float
    category: str


class NgramModel:
    """A multinomial logistic regression over character and word n-grams, numpy inference.

    The model file (``.npz``, written by ``scripts/train_injection_model.py``) holds the two
    vocabularies (newline-separated UTF-8), their weight matrices (one row per n-gram, one
    column per class), the biases, the class names and a JSON ``meta`` string with the
    Platt calibration of the attack score. Features are binary; each group is scaled by one
    over the square root of the number of distinct n-grams the text has in that group.

    Raises:
        DetectionError: the file is missing or malformed.
    """

    def __init__(self, path: Path) -> None:
        try:
            import numpy as np
        except ImportError as error:  # pragma: no cover - numpy comes with every extra
            raise DependencyMissingError("numpy", "pip install numpy") from error
        if not path.is_file():
            raise DetectionError("injection", f"model file not found: {path.name}")
        try:
            with np.load(path, allow_pickle=False) as data:
                self.classes: Tuple[str, ...] = tuple(str(c) for c in data["classes"])
                self._bias = data["bias"].astype(np.float64)
                self._char_weights = data["char_weights"].astype(np.float32)
                self._word_weights = data["word_weights"].astype(np.float32)
                char_vocab = bytes(data["char_vocab"]).decode("utf-8").split("\n")
                word_vocab = bytes(data["word_vocab"]).decode("utf-8").split("\n")
                self.meta: Dict[str, Any] = json.loads(str(data["meta"]))
        except (OSError, KeyError, ValueError) as error:
            raise DetectionError("injection", f"model file unreadable: {error}") from error
        self._char_index = {gram: i for i, gram in enumerate(char_vocab)}
        self._word_index = {gram: i for i, gram in enumerate(word_vocab)}
        self._slope, self._offset = (float(v) for v in self.meta["calibration"])
        self._np = np
        self._benign = self.classes.index("benign")

    @property
    def size(self) -> int:
        """Number of n-gram features."""
        return len(self._char_index) + len(self._word_index)

    def probabilities(self, text: str) -> List[float]:
        """Uncalibrated class probabilities for normalised ``text``, in :attr:`classes` order."""
        np = self._np
        prepared = model_text(text)
        chars = char_ngrams(prepared)
        words = word_ngrams(prepared)
        logits = self._bias.copy()
        char_rows = [i for i in map(self._char_index.get, chars) if i is not None]
        word_rows = [i for i in map(self._word_index.get, words) if i is not None]
        if char_rows:
            logits += self._char_weights[char_rows].sum(axis=0) / math.sqrt(len(chars))
        if word_rows:
            logits += self._word_weights[word_rows].sum(axis=0) / math.sqrt(len(words))
        logits -= logits.max()
        exp = np.exp(logits)
        probs: List[float] = (exp / exp.sum()).tolist()
        return probs

    def score(self, text: str) -> ModelScore:
        """The calibrated attack probability and most likely category of normalised ``text``."""
        probs = self.probabilities(text)
        attack = min(max(1.0 - probs[self._benign], 1e-6), 1.0 - 1e-6)
        logit = math.log(attack / (1.0 - attack))
        calibrated = 1.0 / (1.0 + math.exp(-(self._slope * logit + self._offset)))
        best = max(
            (i for i in range(len(self.classes)) if i != self._benign), key=probs.__getitem__
        )
        return ModelScore(calibrated, self.classes[best])


# --- detector -----------------------------------------------------------------------------


@dataclass
class _Evidence:
    reasons: List[Reason] = field(default_factory=list)
    rule_hits: Dict[str, List[Tuple[Optional[Span], float]]] = field(default_factory=dict)
    model_scores: Dict[str, float] = field(default_factory=dict)

    def add_rule(self, category: str, span: Optional[Span], score: float) -> None:
        """Record a rule hit; hits overlapping one of the same category count once (max)."""
        hits = self.rule_hits.setdefault(category, [])
        for index, (other, other_score) in enumerate(hits):
            if _overlap(span, other):
                hits[index] = (other, max(score, other_score))
                return
        hits.append((span, score))

    def rule_score(self, category: str) -> float:
        """Noisy-or of the distinct hits of ``category``."""
        miss = 1.0
        for _, score in self.rule_hits.get(category, ()):
            miss *= 1.0 - score
        return 1.0 - miss


def _overlap(a: Optional[Span], b: Optional[Span]) -> bool:
    if a is None or b is None:
        return True
    return a.start < b.end and b.start < a.end


_ALIGNED_KINDS = frozenset({VariantKind.HOMOGLYPHS, VariantKind.LEETSPEAK, VariantKind.DESPACED})


def _variant_name(variant: Variant) -> str:
    return "+".join(variant.derivation)


class InjectionDetector:
    """Screens text for injection attacks; implements the :class:`Detector` contract.

    Args:
        config: options from :data:`OPTIONS` (merged over the defaults, validated).
        rules: the rule table (default: every built-in rule).
        model_path: the n-gram model file (default: the shipped one).

    Raises:
        ConfigError: an option is unknown or invalid (the error names the key).
        DetectionError: the model file is missing or unreadable.
    """

    name = "injection"

    def __init__(
        self,
        config: Optional[Mapping[str, Any]] = None,
        *,
        rules: Optional[Sequence[Rule]] = None,
        model_path: Optional[Path] = None,
        owner: str = "InjectionDetector",
    ) -> None:
        self.config = resolve(OPTIONS, config, owner=owner)
        disabled = tuple(self.config["disabled_rules"])
        table = rules if rules is not None else injection_rules.all_rules()
        known = {rule.id for rule in table}
        for index, rule_id in enumerate(disabled):
            if rule_id not in known and not (
                rule_id.endswith(".") and any(k.startswith(rule_id) for k in known)
            ):
                raise ConfigError(f"{owner}.disabled_rules[{index}]", f"unknown rule {rule_id!r}")
        self.rules = RuleSet(
            [r for r in table if r.id not in disabled and not r.id.startswith(_prefixes(disabled))]
        )
        self._allow = [re.compile(p, re.IGNORECASE | re.DOTALL) for p in self.config["allow_list"]]
        self._limits = Limits(
            max_variants=self.config["max_variants"],
            max_decoded_chars=self.config["max_decoded_chars"],
            max_depth=self.config["max_decode_depth"],
        )
        self._flag: Dict[str, float] = {}
        self._block: Dict[str, float] = {}
        for category in CATEGORIES:
            override = self.config["thresholds"].get(category, {})
            self._flag[category] = float(override.get("flag", self.config["flag_threshold"]))
            self._block[category] = float(override.get("block", self.config["block_threshold"]))
            if self._flag[category] > self._block[category]:
                raise ConfigError(
                    f"{owner}.thresholds.{category}",
                    f"flag threshold {self._flag[category]} is above block threshold "
                    f"{self._block[category]}",
                )
        self._model_path = model_path or MODEL_PATH
        self._model: Optional[NgramModel] = None
        self._lock = threading.Lock()
        if self.config["use_model"]:
            self._model = NgramModel(self._model_path)

    @property
    def model(self) -> Optional[NgramModel]:
        """The loaded n-gram model, or ``None`` when ``use_model`` is off."""
        return self._model

    def thresholds(self, category: str) -> Tuple[float, float]:
        """The (flag, block) thresholds of ``category``."""
        return self._flag[category], self._block[category]

    def detect(self, text: str) -> Verdict:
        """Screen ``text``; never raises on any string input, never logs it."""
        if not isinstance(text, str):
            raise TypeError(f"detect() expects str, got {type(text).__name__}")
        if len(text) > self.config["max_length"]:
            return self._over_length(len(text))
        if any(pattern.fullmatch(text.strip()) for pattern in self._allow):
            reason = Reason("allow_list", "", 0.0, "raw", Span(0, len(text)), "operator allow-list")
            return Verdict(Decision.ALLOW, 0.0, (), (reason,), {})
        evidence = _Evidence()
        for variant in variants(text, self._limits):
            self._scan_rules(variant, evidence)
            if self._model is not None and (
                variant.kind not in _ALIGNED_KINDS or len(text) <= MODEL_ALIGNED_MAX_CHARS
            ):
                self._score_model(variant, evidence)
        return self._decide(evidence)

    def _over_length(self, length: int) -> Verdict:
        decision = Decision(self.config["over_length_decision"])
        detail = f"message of {length} characters exceeds max_length {self.config['max_length']}"
        reason = Reason("max_length", "", 1.0, "raw", None, detail)
        return Verdict(decision, 1.0, (), (reason,), {})

    def _scan_rules(self, variant: Variant, evidence: _Evidence) -> None:
        name = _variant_name(variant)
        encoded = any(step in _ENCODINGS for step in variant.derivation)
        for hit in self.rules.scan(variant):
            rule = hit.rule
            span = variant.map_span(hit.span)
            reason = Reason(rule.id, rule.category, rule.score, name, span, rule.note)
            evidence.reasons.append(reason)
            evidence.add_rule(rule.category, span, rule.score)
            if encoded:
                evidence.add_rule(injection_rules.ENCODED_DATA, span, rule.score)

    def _score_model(self, variant: Variant, evidence: _Evidence) -> None:
        assert self._model is not None
        result = self._model.score(variant.text)
        category = result.category
        if result.attack <= evidence.model_scores.get(category, 0.0):
            return
        evidence.model_scores[category] = result.attack
        evidence.reasons[:] = [
            r for r in evidence.reasons if not (r.source == "model" and r.category == category)
        ]
        evidence.reasons.append(
            Reason(
                "model",
                category,
                result.attack,
                _variant_name(variant),
                variant.source,
                "character and word n-gram model",
            )
        )

    def _decide(self, evidence: _Evidence) -> Verdict:
        scores: Dict[str, float] = {}
        for category in set(evidence.rule_hits) | set(evidence.model_scores):
            rule = evidence.rule_score(category)
            model = evidence.model_scores.get(category, 0.0)
            scores[category] = 1.0 - (1.0 - rule) * (1.0 - model)
        decision = Decision.ALLOW
        flagged = []
        for category, score in scores.items():
            if score >= self._block[category]:
                decision = Decision.BLOCK
            elif score >= self._flag[category] and decision is Decision.ALLOW:
                decision = Decision.FLAG
            if score >= self._flag[category]:
                flagged.append(category)
        flagged.sort(key=lambda c: -scores[c])
        top = max(scores.values(), default=0.0)
        reasons = sorted(evidence.reasons, key=lambda r: -r.score)
        if decision is Decision.ALLOW:
            reasons = [r for r in reasons if r.score >= _REPORTED_MINIMUM]
        return Verdict(decision, top, tuple(flagged), tuple(reasons), scores)


_ENCODINGS = frozenset(
    kind.value for kind in VariantKind if kind not in (VariantKind.NORMALIZED, *_ALIGNED_KINDS)
)
_REPORTED_MINIMUM = 0.3


def _prefixes(disabled: Sequence[str]) -> Tuple[str, ...]:
    return tuple(d for d in disabled if d.endswith("."))
