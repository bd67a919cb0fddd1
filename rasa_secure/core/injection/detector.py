"""Injection screening: prompt injection, jailbreaks, SQL/NoSQL/command/code/template injection,
XSS and path traversal, in clear or obfuscated, in thirteen languages.

:class:`InjectionDetector` reads a message in every variant :func:`normalize.variants` derives
(normalised, de-obfuscated, decoded), runs the curated rules of
:mod:`rasa_secure.core.injection.rules` on each (a cheap trigger pre-gate skips most of them)
and scores the variants with a compact linear model over hashed character 2-5-grams and word
1-2-grams shipped with the package (numpy inference, no scikit-learn needed). Rule and model scores
combine per category by noisy-or; per-category thresholds turn the scores into a
:class:`Verdict`: ``allow``, ``flag`` or ``block``, with explanations (rule id or model, the
variant it matched on, the span in the original text). Text longer than ``max_length`` gets a
verdict without being scanned, and the raw text is never logged or kept. Variants are read
in order (the normalised text first) and reading stops once a category blocks: later
variants could only add reasons, so long attacks cost one pass.

A message the first tier finds uncertain (some category scores ``semantic_gate`` or more,
none blocks; about one chat message in forty) goes to a second tier,
:mod:`rasa_secure.core.injection.semantic`: a multilingual sentence encoder reads the meaning of the
reading the n-gram model found most suspicious (usually the normalised text; of a message
that is one encoding, a decoding of it), which paraphrase and translation do not change, and
a head trained with the n-gram model's logit and the rule scores adds a ``semantic`` score
for the first tier's strongest category.

A message that is one data value (an email address, amount, date, phone number, IBAN or
reference: :func:`is_structured_value`) is read by the rules but not by the model, which
reads language. An optional :class:`AttackMemory` (``use_memory``, off by default) blocks
close copies of the known attacks of the training data.
"""

from __future__ import annotations

import json
import math
import re
import sre_constants
import sre_parse
import sys
import threading
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Sequence, Set, Tuple

from rasa_secure.config import Option, OptionSpec, in_range, list_of, positive, regex_list, resolve
from rasa_secure.core import normalize
from rasa_secure.core.budget import UNLIMITED, Deadline
from rasa_secure.core.contract import Span
from rasa_secure.core.injection import rules as injection_rules
from rasa_secure.core.injection import segment
from rasa_secure.core.injection.rules import CATEGORIES, CJK, Rule
from rasa_secure.core.injection.semantic import SEMANTIC_PATH, SemanticHead, shared_encoder, sigmoid
from rasa_secure.core.normalize import Limits, Variant, VariantKind, variants
from rasa_secure.core.regex_probe import module_expressions
from rasa_secure.errors import (
    BudgetExceededError,
    ConfigError,
    DependencyMissingError,
    DetectionError,
)

MODEL_PATH = Path(__file__).parent / "models" / "injection_model.npz"
"""The shipped model (see ``scripts/train_injection_model.py``)."""

MODEL_MAX_CHARS = 4096
"""The model reads at most this many characters of each variant (rules read everything)."""

MODEL_ALIGNED_MAX_CHARS = 500
"""Look-alike, leetspeak and letter-spacing variants of longer messages are left to the rules
(the model reads the normalised text, every decoded variant and the words split from
spaced-out letters)."""


class Decision(str, Enum):
    """What to do with a message."""

    ALLOW = "allow"
    FLAG = "flag"
    BLOCK = "block"


@dataclass(frozen=True)
class Reason:
    """One piece of evidence behind a verdict.

    Attributes:
        source: a rule id (``"sql.union_select"``), ``"model"`` (the n-gram model),
            ``"semantic"`` (the sentence-encoder stage), ``"memory"``, ``"max_length"`` or
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
        regex_list,
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
    "time_budget_ms": Option(
        250,
        "most milliseconds spent screening one message; past it the screen stops and gives "
        "budget_decision (a backstop: hostile input of 4,000 characters takes under 50 ms)",
        (int, float),
        positive,
    ),
    "budget_decision": Option(
        "block",
        "verdict for a message whose screening ran out of time_budget_ms",
        str,
        choices=("flag", "block"),
    ),
    "use_model": Option(True, "score with the shipped n-gram model as well as the rules", bool),
    "use_semantic": Option(
        True,
        "send uncertain messages to the multilingual sentence-encoder stage (it reads the "
        "n-gram model's logit, so use_model: false turns it off)",
        bool,
    ),
    "semantic_gate": Option(
        0.02,
        "score from which a message that does not block goes to the semantic stage",
        (int, float),
        in_range(0.0, 1.0),
    ),
    "use_memory": Option(
        False,
        "also block close matches of the known attacks of the training data (off: it did "
        "not add detection in cross-validation; see the docs)",
        bool,
    ),
    "max_variants": Option(
        12, "most variants (normalised, de-obfuscated, decoded) scanned per message", int, positive
    ),
    "max_decoded_chars": Option(4096, "longest decoded text scanned per variant", int, positive),
    "max_decode_depth": Option(2, "most nested decoding steps", int, in_range(0, 4)),
}
"""Configuration of :class:`InjectionDetector` (and of the NLU component and CLI)."""


# --- rules --------------------------------------------------------------------------------

_TOKEN = re.compile(r"\w+")
_PATTERN_WORD = re.compile(r"[^\W\d_]{3,}")
_ESCAPE = re.compile(r"\\.")
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff66-\uff9f]")


def _word_key(word: str) -> str:
    return word[:4]


_MIN_LITERAL = 3


def _required(items: Any) -> List[Tuple[str, ...]]:
    """Groups of strings of which every match of a parsed sequence contains one."""
    groups: List[Tuple[str, ...]] = []
    run: List[str] = []
    for op, value in [*items, (None, None)]:
        if op is sre_constants.LITERAL:
            run.append(chr(value))
            continue
        if len(run) >= _MIN_LITERAL:
            groups.append(("".join(run),))
        run = []
        if op is sre_constants.MAX_REPEAT or op is sre_constants.MIN_REPEAT:
            if value[0] >= 1:
                groups.extend(_required(value[2]))
        elif op is sre_constants.SUBPATTERN and not value[1] & sre_constants.SRE_FLAG_IGNORECASE:
            groups.extend(_required(value[-1]))
        elif op is sre_constants.BRANCH:
            options: Set[str] = set()
            for branch in value[1]:
                inner = _required(branch)
                if not inner:
                    break
                smallest: Tuple[str, ...] = min(inner, key=len)
                options.update(smallest)
            else:
                groups.append(tuple(sorted(options)))
    return groups


def required_literals(pattern: str) -> Tuple[Tuple[str, ...], ...]:
    """Groups of strings of which every match of ``pattern`` contains at least one.

    A run of at least three literal characters that is not optional is a group of one; an
    alternation is a group when each branch has one (the union of the branches' smallest).
    Smallest groups first. Checking them with ``in`` is much cheaper than running the
    expression, and exact: a text lacking every string of some group cannot match. Parts
    matched without regard to case are left out.
    """
    parsed = sre_parse.parse(pattern)
    if parsed.state.flags & sre_constants.SRE_FLAG_IGNORECASE:
        return ()  # the rules read lower-case text; a case-blind expression is not checked
    groups = set(_required(parsed))
    return tuple(sorted(groups, key=lambda group: (len(group), group)))


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
        # Cheap literal checks first: a rule whose required strings are absent cannot match.
        self._literals = [required_literals(rule.pattern)[:2] for rule in self.rules]
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
        self.vocabulary = frozenset(
            _word_key(word)
            for rule in self.rules
            for word in _PATTERN_WORD.findall(_ESCAPE.sub(" ", rule.pattern))
        )
        """First four letters of every word the rule expressions spell out."""

    def compiled(self) -> List[Tuple[Rule, re.Pattern[str]]]:
        """Every rule with its compiled expression, in table order."""
        return list(zip(self.rules, self._patterns))

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

    def spells_rule_word(self, before: str, after: str) -> bool:
        """Whether a length-preserving rewrite of ``before`` into ``after`` (leetspeak,
        look-alike letters) turned some word into one the rule expressions look for (by its
        first four letters). If not, the rules can find nothing new in ``after``."""
        vocabulary = self.vocabulary
        for old, new in zip(before.split(), after.split()):
            if old != new and any(w[:4] in vocabulary for w in _TOKEN.findall(new)):
                return True
        return False

    def scan(self, variant: Variant, deadline: Deadline = UNLIMITED) -> List[RuleHit]:
        """Every rule matching ``variant`` (first match of each), checking ``deadline``
        before each expression.

        Raises:
            BudgetExceededError: the deadline passed.
        """
        hits = []
        text = variant.text
        for index in self.candidates(text):
            if any(not any(s in text for s in group) for group in self._literals[index]):
                continue
            deadline.check("rules")
            match = self._patterns[index].search(text)
            if match is not None:
                hits.append(RuleHit(self.rules[index], variant, Span(*match.span())))
        return hits


# --- model --------------------------------------------------------------------------------

_WS = re.compile(r"\s+")
_DIGITS = str.maketrans("0123456789", "0000000000")

HASH_BITS = 18
"""The attack head has ``2 ** HASH_BITS`` weights; the category head ``2 ** (HASH_BITS - 2)``."""

CHAR_SIZES = (2, 3, 4, 5)
"""Character n-gram lengths the model reads (word unigrams and bigrams come on top)."""

_PRIME = 0x100000001B3
_MASK64 = (1 << 64) - 1
_SALT_WORD = 0x5EED0001
_SALT_BIGRAM = 0x5EED0002
_BIGRAM_MIX = 0x27D4EB2F165667C5


def model_text(text: str) -> str:
    """The text the model reads: whitespace collapsed, digits folded to ``0``, bounded."""
    return " " + _WS.sub(" ", text[:MODEL_MAX_CHARS]).strip().translate(_DIGITS) + " "


class NgramHasher:
    """Hashes the character 2-5-grams and word 1-2-grams of a text into buckets, with numpy.

    A polynomial hash over the code points (arithmetic modulo 2**64, stable across processes
    and platforms, unlike :func:`hash`) gives every substring's hash from two prefix sums,
    so all n-grams of a text are hashed in a few vectorised steps: cost linear in its length.
    """

    def __init__(self, bits: int = HASH_BITS, max_chars: int = MODEL_MAX_CHARS + 2) -> None:
        import numpy as np

        self._np = np
        self.bits = bits
        self._shift = np.uint64(64 - bits)
        inverse = pow(_PRIME, -1, 1 << 64)
        powers = [1] * (max_chars + 1)
        inverses = [1] * (max_chars + 1)
        for i in range(1, max_chars + 1):
            powers[i] = powers[i - 1] * _PRIME & _MASK64
            inverses[i] = inverses[i - 1] * inverse & _MASK64
        self._powers = np.array(powers, dtype=np.uint64)
        self._inverses = np.array(inverses, dtype=np.uint64)
        self._salts = {size: np.uint64(0x5EED0100 + size) for size in CHAR_SIZES}

    def _bucket(self, hashes: Any, salt: Any) -> Any:
        np = self._np
        mixed = (hashes ^ salt) * np.uint64(0x9E3779B97F4A7C15)
        mixed ^= mixed >> np.uint64(29)
        mixed *= np.uint64(0xBF58476D1CE4E5B9)
        return (mixed >> self._shift).astype(np.intp)

    def _prefix(self, prepared: str) -> Tuple[Any, int]:
        """Prefix sums of the polynomial hash of ``prepared`` (bounded), and its length."""
        np = self._np
        codes = np.frombuffer(prepared.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        length = min(len(codes), len(self._powers) - 1)
        codes = codes[:length]
        prefix = np.zeros(length + 1, dtype=np.uint64)
        np.cumsum(codes * self._powers[:length], out=prefix[1:])
        return prefix, length

    def _grams(self, prefix: Any, length: int, size: int) -> Any:
        """Bucket of every character ``size``-gram (not deduplicated)."""
        starts = self._np.arange(length - size + 1)
        hashes = (prefix[starts + size] - prefix[starts]) * self._inverses[starts]
        return self._bucket(hashes, self._salts[size])

    def char_buckets(self, prepared: str, size: int) -> Any:
        """Distinct buckets of the character ``size``-grams of ``prepared``."""
        prefix, length = self._prefix(prepared)
        if length < size:
            return self._np.zeros(0, self._np.intp)
        return self._np.unique(self._grams(prefix, length, size))

    def buckets(self, prepared: str) -> Tuple[Any, Any]:
        """Distinct (character, word) bucket indices of text from :func:`model_text`."""
        np = self._np
        prefix, length = self._prefix(prepared)
        pieces = [self._grams(prefix, length, size) for size in CHAR_SIZES if length >= size]
        chars = np.unique(np.concatenate(pieces)) if pieces else np.zeros(0, np.intp)
        spans = [m.span() for m in _TOKEN.finditer(prepared[:length])]
        if not spans:
            return chars, np.zeros(0, np.intp)
        bounds = np.array(spans, dtype=np.intp)
        starts, ends = bounds[:, 0], bounds[:, 1]
        hashes = (prefix[ends] - prefix[starts]) * self._inverses[starts]
        hashes ^= (ends - starts).astype(np.uint64)
        unigrams = self._bucket(hashes, np.uint64(_SALT_WORD))
        pairs = hashes[:-1] * np.uint64(_BIGRAM_MIX) + hashes[1:]
        bigrams = self._bucket(pairs, np.uint64(_SALT_BIGRAM))
        return chars, np.unique(np.concatenate([unigrams, bigrams]))


@dataclass(frozen=True)
class ModelScore:
    """What the n-gram model says about one variant.

    Attributes:
        attack: calibrated attack score, in [0, 1] (the default block threshold 0.8 sits at
            the operating point chosen by cross-validation on the training data).
        category: the most likely attack category.
        logit: the raw attack logit (the semantic stage reads it).
    """

    attack: float
    category: str
    logit: float


class NgramModel:
    """Two linear heads over hashed character and word n-grams, numpy inference.

    The model file (``.npz``, written by ``scripts/train_injection_model.py``) holds the
    attack head (one weight per hash bucket and a bias: attack versus benign), the category
    head (a weight row per bucket of a smaller table, one column per attack category, naming
    the category), the category names and a JSON ``meta`` string with the calibration of
    the attack score (a slope, and an offset per category, chosen by cross-validation).
    Features are binary; the character and the word group are each scaled by one over the
    square root of their number of distinct buckets.

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
                self._attack = data["attack_weights"].astype(np.float32)
                self._attack_bias = float(data["attack_bias"])
                self._category = data["category_weights"].astype(np.float32)
                self._category_bias = data["category_bias"].astype(np.float32)
                self.meta: Dict[str, Any] = json.loads(str(data["meta"]))
            calibration = self.meta["calibration"]
            self._slope = float(calibration["slope"])
            self._offsets = [float(calibration["offsets"][name]) for name in self.classes]
        except (OSError, KeyError, ValueError, TypeError) as error:
            raise DetectionError("injection", f"model file unreadable: {error}") from error
        bits = int(self.meta.get("hash_bits", 0))
        if self._attack.shape != (1 << bits,) or self._category.shape[1] != len(self.classes):
            raise DetectionError("injection", "model file unreadable: inconsistent shapes")
        self._hasher = NgramHasher(bits)
        self._category_shift = bits - int(math.log2(self._category.shape[0]))
        self._np = np

    @property
    def size(self) -> int:
        """Number of weights."""
        return int(self._attack.size + self._category.size)

    def logit(self, text: str) -> Tuple[float, Any]:
        """Raw attack logit and category logits of normalised ``text``."""
        chars, words = self._hasher.buckets(model_text(text))
        logit = self._attack_bias
        category = self._category_bias.copy()
        shift = self._category_shift
        for group in (chars, words):
            if len(group):
                scale = 1.0 / math.sqrt(len(group))
                logit += float(self._attack[group].sum()) * scale
                category += self._category[group >> shift].sum(axis=0) * scale
        return logit, category

    def score(self, text: str) -> ModelScore:
        """The calibrated attack score and most likely category of normalised ``text``."""
        logit, category = self.logit(text)
        best = int(category.argmax())
        calibrated = sigmoid(self._slope * logit + self._offsets[best])
        return ModelScore(calibrated, self.classes[best], logit)


# --- known-attack memory ------------------------------------------------------------------

MEMORY_PATH = Path(__file__).parent / "models" / "injection_memory.npz"
"""The shipped memory of known attacks (see ``scripts/train_injection_model.py``)."""

MEMORY_GRAM = 5
"""The memory compares sets of character 5-grams."""

MEMORY_HASH_BITS = 32
"""Bits of the n-gram hashes the memory keeps (a sample of them per known attack)."""

MEMORY_MIN_GRAMS = 12
"""Known attacks with fewer distinct 5-grams (very short payloads) are left to the rules."""

MEMORY_ARRAYS = ("classes", "keys", "items", "sizes", "sampled", "category")
"""The arrays of a memory file (plus a JSON ``meta`` string with the threshold)."""


@dataclass(frozen=True)
class MemoryMatch:
    """The known attack closest to a text.

    Attributes:
        similarity: estimated cosine similarity of the two character 5-gram sets, in [0, 1].
        category: the category of the known attack.
    """

    similarity: float
    category: str


class AttackMemory:
    """Known attacks, each kept as a sample of its character 5-gram hashes.

    Each known attack keeps its ``sample`` smallest 5-gram hashes (a uniform sample of its
    n-gram set, the same hash order for every text) and its number of distinct 5-grams. A
    text's 5-gram hashes are looked up in the sorted sample of every attack at once; the
    share of an attack's sample found estimates how much of that attack the text contains,
    hence the size of the intersection and the cosine similarity. Cost: one hashing pass
    and one sorted search, linear in the length of the text.

    Raises:
        DetectionError: the file is missing or malformed.
    """

    def __init__(self, arrays: Mapping[str, Any], meta: Mapping[str, Any]) -> None:
        import numpy as np

        self.classes: Tuple[str, ...] = tuple(str(c) for c in arrays["classes"])
        self._keys = np.asarray(arrays["keys"], dtype=np.uint64)
        self._items = np.asarray(arrays["items"], dtype=np.intp)
        self._sizes = np.asarray(arrays["sizes"], dtype=np.float64)
        self._sampled = np.asarray(arrays["sampled"], dtype=np.float64)
        self._category = np.asarray(arrays["category"], dtype=np.intp)
        self.meta: Dict[str, Any] = dict(meta)
        self.threshold = float(self.meta["threshold"])
        if len(self._keys) != len(self._items) or len(self._sizes) != len(self._category):
            raise ValueError("inconsistent shapes")
        self._hasher = NgramHasher(MEMORY_HASH_BITS)
        self._np = np

    @classmethod
    def load(cls, path: Path) -> AttackMemory:
        """The memory saved at ``path`` by ``scripts/train_injection_model.py``."""
        import numpy as np

        if not path.is_file():
            raise DetectionError("injection", f"memory file not found: {path.name}")
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {name: data[name] for name in MEMORY_ARRAYS}
                meta = json.loads(str(data["meta"]))
            return cls(arrays, meta)
        except (OSError, KeyError, ValueError, TypeError) as error:
            raise DetectionError("injection", f"memory file unreadable: {error}") from error

    @classmethod
    def build(
        cls,
        texts: Sequence[str],
        categories: Sequence[str],
        *,
        sample: int,
        threshold: float,
        meta: Optional[Mapping[str, Any]] = None,
    ) -> AttackMemory:
        """A memory of the normalised ``texts`` (known attacks) and their categories."""
        import numpy as np

        hasher = NgramHasher(MEMORY_HASH_BITS)
        classes = sorted(set(categories))
        keys: List[Any] = []
        items: List[Any] = []
        sizes: List[int] = []
        sampled: List[int] = []
        kept: List[int] = []
        for text, category in zip(texts, categories):
            grams = hasher.char_buckets(model_text(text), MEMORY_GRAM)
            if len(grams) < MEMORY_MIN_GRAMS:
                continue
            chosen = grams[:sample]  # np.unique sorts: the smallest hashes, a uniform sample
            keys.append(chosen)
            items.append(np.full(len(chosen), len(sizes)))
            sizes.append(len(grams))
            sampled.append(len(chosen))
            kept.append(classes.index(category))
        flat_keys = np.concatenate(keys).astype(np.uint64)
        order = np.argsort(flat_keys, kind="stable")
        arrays = {
            "classes": np.array(classes),
            "keys": flat_keys[order],
            "items": np.concatenate(items)[order],
            "sizes": np.array(sizes),
            "sampled": np.array(sampled),
            "category": np.array(kept),
        }
        return cls(arrays, {**(meta or {}), "threshold": threshold, "sample": sample})

    def save(self, path: Path) -> None:
        """Write the memory (compact integer types) to ``path``."""
        np = self._np
        np.savez_compressed(
            path,
            classes=np.array(self.classes),
            keys=self._keys.astype(np.uint32),
            items=self._items.astype(np.uint16),
            sizes=self._sizes.astype(np.uint32),
            sampled=self._sampled.astype(np.uint16),
            category=self._category.astype(np.uint8),
            meta=np.array(json.dumps(self.meta)),
        )

    def __len__(self) -> int:
        return len(self._sizes)

    def grams(self, text: str) -> Any:
        """Distinct 5-gram hashes of normalised ``text`` (as :func:`model_text` reads it)."""
        return self._hasher.char_buckets(model_text(text), MEMORY_GRAM).astype(self._np.uint64)

    def nearest(self, text: str) -> Optional[MemoryMatch]:
        """The known attack most similar to normalised ``text``, or ``None`` if none shares
        a sampled 5-gram with it."""
        np = self._np
        grams = self.grams(text)
        if not len(grams) or not len(self._keys):
            return None
        left = np.searchsorted(self._keys, grams, side="left")
        right = np.searchsorted(self._keys, grams, side="right")
        hit = right > left
        if not hit.any():
            return None
        first, last = left[hit], right[hit]
        lengths = last - first
        index = np.repeat(first - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        found = np.bincount(self._items[index], minlength=len(self._sizes))
        shared = found / self._sampled * self._sizes
        cosine = shared / np.sqrt(self._sizes * len(grams))
        best = int(cosine.argmax())
        return MemoryMatch(min(1.0, float(cosine[best])), self.classes[self._category[best]])

    def score(self, similarity: float) -> float:
        """The score of a match: 0 below the threshold, from 0.8 (the default block
        threshold) at the threshold to 1.0 at identity."""
        if similarity < self.threshold:
            return 0.0
        return 0.8 + 0.2 * (similarity - self.threshold) / max(1e-9, 1.0 - self.threshold)


# --- structured values --------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,6}")
_CURRENCY = r"(?:[€$£¥₩₺₽₹¢]|[a-z]{3}|zł|r\$|kr)"
_VALUE = re.compile(
    "|".join(
        (
            rf"{_CURRENCY}?\s?[+-]?\d[\d .,'\u2019]{{0,24}}\s?{_CURRENCY}?",  # number, amount
            r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{1,2}:\d{2}(?::\d{2})?",  # date, time
            r"\+?[\d() .-]{5,24}",  # phone number
            r"#?\w{1,12}(?:[ /-]\w{1,12}){0,8}",  # IBAN, reference, postcode, date in words
        )
    )
)
_DIGIT = re.compile(r"\d")
_ALNUM = re.compile(r"\w")
STRUCTURED_MAX_CHARS = 80
"""Longest text :func:`is_structured_value` considers."""


def is_structured_value(text: str) -> bool:
    """Whether normalised ``text`` is one data value rather than language.

    A data value is an email address, or a number, amount, date, time, phone number or
    code (IBAN, reference, card number) in which digits make up at least half of the letters
    and digits. Forms ask for such values, and they contain no words of instruction: the
    n-gram model, which reads language, has nothing to judge in them (a mailbox called
    ``admin`` or ``ignore`` is not an instruction). The rules still read them, and every
    decoded variant is still scored by the model.
    """
    value = text.strip()
    if not value or len(value) > STRUCTURED_MAX_CHARS:
        return False
    if _EMAIL.fullmatch(value) is not None:
        return True
    if _VALUE.fullmatch(value) is None:
        return False
    digits = len(_DIGIT.findall(value))
    return digits >= 1 and digits >= 0.5 * len(_ALNUM.findall(value))


# --- detector -----------------------------------------------------------------------------


@dataclass
class _Evidence:
    reasons: List[Reason] = field(default_factory=list)
    rule_hits: Dict[str, List[Tuple[Optional[Span], float]]] = field(default_factory=dict)
    model_scores: Dict[str, float] = field(default_factory=dict)
    semantic_scores: Dict[str, float] = field(default_factory=dict)
    suspect: Optional[Variant] = None
    suspect_logit: float = -math.inf
    suspect_decodes_all: bool = False

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

    def first_tier_score(self, category: str) -> float:
        """Noisy-or of the rules and the n-gram model for ``category``."""
        return 1.0 - (1.0 - self.rule_score(category)) * (
            1.0 - self.model_scores.get(category, 0.0)
        )


def _overlap(a: Optional[Span], b: Optional[Span]) -> bool:
    if a is None or b is None:
        return True
    return a.start < b.end and b.start < a.end


_ALIGNED_KINDS = frozenset(
    {VariantKind.HOMOGLYPHS, VariantKind.LEETSPEAK, VariantKind.DESPACED, VariantKind.SEGMENTED}
)
_REWRITTEN_KINDS = frozenset({VariantKind.HOMOGLYPHS, VariantKind.LEETSPEAK})


def _variant_name(variant: Variant) -> str:
    return "+".join(variant.derivation)


_WHOLE_MESSAGE = 0.9
"""Share of a message a decoding must come from for the message to count as encoded."""
_DECODINGS = frozenset(
    {VariantKind.BASE64, VariantKind.HEX, VariantKind.URL, VariantKind.HTML, VariantKind.ESCAPES}
)
"""Readings that exist only where the text holds an encoding. ROT13 and reversed readings
exist for any text, so they never make a message count as encoded."""


def _decodes_whole_message(variant: Variant, length: int) -> bool:
    """Whether ``variant`` decodes (base64, hex, URL, HTML or backslash escapes) nearly the
    whole message. The semantic stage then reads a decoding, never the encoded characters:
    those are not language, whatever the n-gram model makes of them."""
    whole = variant.source.end - variant.source.start >= _WHOLE_MESSAGE * length
    return variant.kind in _DECODINGS and whole


class InjectionDetector:
    """Screens text for injection attacks; implements the :class:`Detector` contract.

    Args:
        config: options from :data:`OPTIONS` (merged over the defaults, validated).
        rules: the rule table (default: every built-in rule).
        model_path: the n-gram model file (default: the shipped one).
        memory_path: the known-attack memory file (default: the shipped one).
        semantic_path: the semantic stage's head file (default: the shipped one).

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
        memory_path: Optional[Path] = None,
        semantic_path: Optional[Path] = None,
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
        self._semantic: Optional[SemanticHead] = None
        if self.config["use_semantic"] and self._model is not None:
            self._semantic = SemanticHead(semantic_path or SEMANTIC_PATH)
        self._loaded = False
        self._memory: Optional[AttackMemory] = None
        if self.config["use_memory"]:
            self._memory = AttackMemory.load(memory_path or MEMORY_PATH)

    @property
    def model(self) -> Optional[NgramModel]:
        """The loaded n-gram model, or ``None`` when ``use_model`` is off."""
        return self._model

    @property
    def semantic(self) -> Optional[SemanticHead]:
        """The semantic stage's head, or ``None`` when the stage is off."""
        return self._semantic

    @property
    def memory(self) -> Optional[AttackMemory]:
        """The loaded known-attack memory, or ``None`` when ``use_memory`` is off."""
        return self._memory

    def load(self) -> None:
        """Load the shared models the screen may need (the sentence encoder and the word
        segmenter's vocabulary); idempotent, and done by the first :meth:`detect` anyway."""
        if self._loaded:
            return
        if self._semantic is not None:
            shared_encoder()
        segment.shared_vocabulary()
        self._loaded = True

    def thresholds(self, category: str) -> Tuple[float, float]:
        """The (flag, block) thresholds of ``category``."""
        return self._flag[category], self._block[category]

    def detect(self, text: str) -> Verdict:
        """Screen ``text``; never raises on any string input, never logs it.

        The work is bounded by ``time_budget_ms``: past it, the verdict is
        ``budget_decision`` with a ``budget`` reason (and whatever evidence was found).
        """
        if not isinstance(text, str):
            raise TypeError(f"detect() expects str, got {type(text).__name__}")
        if len(text) > self.config["max_length"]:
            return self._over_length(len(text))
        if any(pattern.fullmatch(text.strip()) for pattern in self._allow):
            reason = Reason("allow_list", "", 0.0, "raw", Span(0, len(text)), "operator allow-list")
            return Verdict(Decision.ALLOW, 0.0, (), (reason,), {})
        self.load()  # the first message pays for loading, outside its budget
        evidence = _Evidence()
        deadline = Deadline(self.name, self.config["time_budget_ms"])
        try:
            return self._screen(text, evidence, deadline)
        except BudgetExceededError as error:
            return self._out_of_time(evidence, error)

    def _screen(self, text: str, evidence: _Evidence, deadline: Deadline) -> Verdict:
        found = variants(text, self._limits, deadline)
        structured = is_structured_value(found[0].text)
        for variant in found:
            if self._rules_read(variant, found[0], len(text)):
                self._scan_rules(variant, evidence, deadline)
            if self._model is not None and self._model_reads(variant, len(text), structured):
                deadline.check("model")
                self._score_model(variant, evidence, len(text))
            if self._conclusive(evidence):
                # Already blocked: further variants or the memory could add reasons only.
                return self._decide(evidence)
        if self._memory is not None and not structured:
            deadline.check("memory")
            self._recall(found[0], evidence)
        verdict = self._decide(evidence)
        if self._semantic_reads(verdict, structured):
            deadline.check("semantic")
            self._score_semantic(evidence)
            verdict = self._decide(evidence)
        return verdict

    def _out_of_time(self, evidence: _Evidence, error: BudgetExceededError) -> Verdict:
        """The verdict of a message whose screening stopped at the budget: at least
        ``budget_decision``, with the evidence found until then."""
        found = self._decide(evidence)
        decision = Decision(self.config["budget_decision"])
        if found.decision is Decision.BLOCK:
            decision = Decision.BLOCK
        detail = f"screening stopped after {error.budget_ms:g} ms (during {error.stage})"
        reason = Reason("budget", "", 1.0, "raw", None, detail)
        return Verdict(decision, 1.0, found.categories, (reason, *found.reasons), found.scores)

    def expressions(self) -> List[Tuple[str, Any]]:
        """Every compiled expression this detector runs on message text, named: the rules,
        the operator's allow-list and those of the normalisation and segmentation steps
        (for the growth probe of ``tests/core/test_regex_growth.py``)."""
        named = [(f"rule:{rule.id}", pattern) for rule, pattern in self.rules.compiled()]
        named += [(f"allow_list[{i}]", pattern) for i, pattern in enumerate(self._allow)]
        for module in (normalize, segment, sys.modules[__name__]):
            named += module_expressions(module)
        return named

    def _semantic_reads(self, verdict: Verdict, structured: bool) -> bool:
        """Whether the semantic stage reads the message: the first tier is uncertain, and
        the message is language, not a data value."""
        return (
            self._semantic is not None
            and not structured
            and verdict.decision is not Decision.BLOCK
            and verdict.score >= self.config["semantic_gate"]
        )

    def _score_semantic(self, evidence: _Evidence) -> None:
        """Score the reading the n-gram model found most suspicious (the normalised text,
        or a decoded, de-obfuscated or segmented reading of it; a decoding whenever the
        message is one encoding) with the sentence encoder and the head. The head already
        reads the best rule score, so its score stands on its own (the category's score is
        the larger of it and the first tier's) rather than being combined with the rules
        again, as in training, where the stage blocks a message only at the head's own
        threshold. Its category is the first tier's strongest (rules of the head's categories
        and the n-gram model), so a Chinese override a rule found is not reported under the
        category the n-gram model guessed for text it barely knows."""
        assert self._semantic is not None and evidence.suspect is not None
        variant = evidence.suspect
        embedding = shared_encoder().encode([variant.text], self._semantic.max_tokens)[0]
        categories = self._semantic.rule_categories
        best_rule = max(
            (evidence.rule_score(c) for c in evidence.rule_hits if c in categories), default=0.0
        )
        result = self._semantic.score(embedding, evidence.suspect_logit, best_rule)
        first_tier = {
            c: evidence.first_tier_score(c)
            for c in {*evidence.model_scores, *(set(evidence.rule_hits) & categories)}
            if c != injection_rules.ENCODED_DATA
        }
        category = max(sorted(first_tier), key=first_tier.__getitem__, default="prompt_injection")
        if result.attack <= first_tier.get(category, 0.0):
            return
        evidence.semantic_scores[category] = result.attack
        detail = "multilingual sentence encoder (the meaning, in any of 16 languages)"
        evidence.reasons.append(
            Reason(
                "semantic", category, result.attack, _variant_name(variant), variant.source, detail
            )
        )

    def _recall(self, variant: Variant, evidence: _Evidence) -> None:
        """Add the closest known attack, if it is close enough to count."""
        assert self._memory is not None
        match = self._memory.nearest(variant.text)
        if match is None:
            return
        score = self._memory.score(match.similarity)
        if score <= 0.0:
            return
        detail = f"close to a known attack (similarity {match.similarity:.2f})"
        evidence.reasons.append(
            Reason("memory", match.category, score, _variant_name(variant), variant.source, detail)
        )
        evidence.add_rule(match.category, variant.source, score)

    def _rules_read(self, variant: Variant, normalized: Variant, length: int) -> bool:
        """Whether the rules scan ``variant``. A look-alike or leetspeak reading of a long
        message is scanned only if it spells some word of the rule expressions that the
        normalised text did not: elsewhere it equals the normalised text, already scanned."""
        if variant.kind not in _REWRITTEN_KINDS or length <= MODEL_ALIGNED_MAX_CHARS:
            return True
        if len(variant.text) != len(normalized.text):
            return True
        return self.rules.spells_rule_word(normalized.text, variant.text)

    @staticmethod
    def _model_reads(variant: Variant, length: int, structured: bool) -> bool:
        """Whether the model scores ``variant`` (decoded variants are always scored)."""
        if variant.kind in (VariantKind.NORMALIZED, VariantKind.SEGMENTED):
            return not structured  # segmented: rare, and the only reading of its words
        if variant.kind in _ALIGNED_KINDS:
            return not structured and length <= MODEL_ALIGNED_MAX_CHARS
        return True

    def _conclusive(self, evidence: _Evidence) -> bool:
        """Whether some category already reaches its block threshold."""
        for category in set(evidence.rule_hits) | set(evidence.model_scores):
            if evidence.first_tier_score(category) >= self._block[category]:
                return True
        return False

    def _over_length(self, length: int) -> Verdict:
        decision = Decision(self.config["over_length_decision"])
        detail = f"message of {length} characters exceeds max_length {self.config['max_length']}"
        reason = Reason("max_length", "", 1.0, "raw", None, detail)
        return Verdict(decision, 1.0, (), (reason,), {})

    def _scan_rules(self, variant: Variant, evidence: _Evidence, deadline: Deadline) -> None:
        name = _variant_name(variant)
        encoded = any(step in _ENCODINGS for step in variant.derivation)
        for hit in self.rules.scan(variant, deadline):
            rule = hit.rule
            span = variant.map_span(hit.span)
            reason = Reason(rule.id, rule.category, rule.score, name, span, rule.note)
            evidence.reasons.append(reason)
            evidence.add_rule(rule.category, span, rule.score)
            if encoded:
                evidence.add_rule(injection_rules.ENCODED_DATA, span, rule.score)

    def _score_model(self, variant: Variant, evidence: _Evidence, length: int) -> None:
        assert self._model is not None
        result = self._model.score(variant.text)
        decodes_all = _decodes_whole_message(variant, length)
        if (decodes_all, result.logit) > (evidence.suspect_decodes_all, evidence.suspect_logit):
            evidence.suspect, evidence.suspect_logit = variant, result.logit
            evidence.suspect_decodes_all = decodes_all
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
            scores[category] = evidence.first_tier_score(category)
        for category, semantic in evidence.semantic_scores.items():
            scores[category] = max(scores.get(category, 0.0), semantic)
        decision = Decision.ALLOW
        flagged = []
        for category, score in scores.items():
            if score >= self._block[category]:
                decision = Decision.BLOCK
            elif score >= self._flag[category] and decision is Decision.ALLOW:
                decision = Decision.FLAG
            if score >= self._flag[category]:
                flagged.append(category)
        flagged.sort(key=lambda c: (-scores[c], c))  # ties by name: the same on every run
        top = max(scores.values(), default=0.0)
        reasons = sorted(evidence.reasons, key=lambda r: -r.score)  # stable: found order
        if decision is Decision.ALLOW:
            reasons = [r for r in reasons if r.score >= _REPORTED_MINIMUM]
        return Verdict(decision, top, tuple(flagged), tuple(reasons), scores)


_ENCODINGS = frozenset(
    kind.value for kind in VariantKind if kind not in (VariantKind.NORMALIZED, *_ALIGNED_KINDS)
)
_REPORTED_MINIMUM = 0.3


def _prefixes(disabled: Sequence[str]) -> Tuple[str, ...]:
    return tuple(d for d in disabled if d.endswith("."))
