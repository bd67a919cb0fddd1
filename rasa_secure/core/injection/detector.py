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
reads language.
"""

from __future__ import annotations

import math
import re
import threading
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from rasa_secure.config import resolve
from rasa_secure.core import decode, normalize
from rasa_secure.core.budget import Deadline
from rasa_secure.core.contract import Span
from rasa_secure.core.injection import ngram, prefilter, segment, structured
from rasa_secure.core.injection.evidence import Evidence
from rasa_secure.core.injection.ngram import MODEL_PATH, NgramModel
from rasa_secure.core.injection.options import OPTIONS
from rasa_secure.core.injection.prefilter import RuleSet
from rasa_secure.core.injection.results import Reason, ScreenDecision, Verdict
from rasa_secure.core.injection.rules import (
    CATEGORIES,
    ENCODED_DATA,
    HARMFUL_REQUEST,
    Rule,
    all_rules,
)
from rasa_secure.core.injection.semantic import SEMANTIC_PATH, SemanticHead, shared_encoder
from rasa_secure.core.injection.structured import is_structured_value
from rasa_secure.core.normalize import Limits, Variant, VariantKind, variants
from rasa_secure.core.regex_probe import module_expressions
from rasa_secure.errors import BudgetExceededError, ConfigError

MODEL_ALIGNED_MAX_CHARS = 500
"""Look-alike, leetspeak and letter-spacing variants of longer messages are left to the rules
(the model reads the normalised text, every decoded variant and the words split from
spaced-out letters)."""


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
        semantic_path: Optional[Path] = None,
        owner: str = "InjectionDetector",
    ) -> None:
        self.config = resolve(OPTIONS, config, owner=owner)
        disabled = tuple(self.config["disabled_rules"])
        table = rules if rules is not None else all_rules()
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
        self._cap(HARMFUL_REQUEST, ScreenDecision(self.config["harmful_request"]))
        self._model_path = model_path or MODEL_PATH
        self._model: Optional[NgramModel] = None
        self._lock = threading.Lock()
        if self.config["use_model"]:
            self._model = NgramModel(self._model_path)
        self._semantic: Optional[SemanticHead] = None
        if self.config["use_semantic"] and self._model is not None:
            self._semantic = SemanticHead(semantic_path or SEMANTIC_PATH)
        self._loaded = False

    @property
    def model(self) -> Optional[NgramModel]:
        """The loaded n-gram model, or ``None`` when ``use_model`` is off."""
        return self._model

    @property
    def semantic(self) -> Optional[SemanticHead]:
        """The semantic stage's head, or ``None`` when the stage is off."""
        return self._semantic

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
        """The (flag, block) thresholds of ``category`` (infinite: never reached)."""
        return self._flag[category], self._block[category]

    def _cap(self, category: str, most: ScreenDecision) -> None:
        """Keep ``category`` from deciding more than ``most`` on its own."""
        if most is not ScreenDecision.BLOCK:
            self._block[category] = math.inf
        if most is ScreenDecision.ALLOW:
            self._flag[category] = math.inf

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
            return Verdict(ScreenDecision.ALLOW, 0.0, (), (reason,), {})
        self.load()  # the first message pays for loading, outside its budget
        evidence = Evidence()
        deadline = Deadline(self.name, self.config["time_budget_ms"])
        try:
            return self._screen(text, evidence, deadline)
        except BudgetExceededError as error:
            return self._out_of_time(evidence, error)

    def _screen(self, text: str, evidence: Evidence, deadline: Deadline) -> Verdict:
        found = variants(text, self._limits, deadline)
        structured = is_structured_value(found[0].text)
        for variant in found:
            if self._rules_read(variant, found[0], len(text)):
                self._scan_rules(variant, evidence, deadline)
            if self._model is not None and self._model_reads(variant, len(text), structured):
                deadline.check("model")
                self._score_model(variant, evidence, len(text))
            if self._conclusive(evidence):
                # Already blocked: further variants could add reasons only.
                return self._decide(evidence)
        verdict = self._decide(evidence)
        if self._semantic_reads(verdict, structured):
            deadline.check("semantic")
            self._score_semantic(evidence)
            verdict = self._decide(evidence)
        return verdict

    def _out_of_time(self, evidence: Evidence, error: BudgetExceededError) -> Verdict:
        """The verdict of a message whose screening stopped at the budget: at least
        ``budget_decision``, with the evidence found until then."""
        found = self._decide(evidence)
        decision = ScreenDecision(self.config["budget_decision"])
        if found.decision is ScreenDecision.BLOCK:
            decision = ScreenDecision.BLOCK
        detail = f"screening stopped after {error.budget_ms:g} ms (during {error.stage})"
        reason = Reason("budget", "", 1.0, "raw", None, detail)
        return Verdict(decision, 1.0, found.categories, (reason, *found.reasons), found.scores)

    def expressions(self) -> List[Tuple[str, Any]]:
        """Every compiled expression this detector runs on message text, named: the rules,
        the operator's allow-list and those of the normalisation and segmentation steps
        (for the growth probe of ``tests/core/test_regex_growth.py``)."""
        named = [(f"rule:{rule.id}", pattern) for rule, pattern in self.rules.compiled()]
        named += [(f"allow_list[{i}]", pattern) for i, pattern in enumerate(self._allow)]
        for module in (normalize, decode, segment, prefilter, ngram, structured):
            named += module_expressions(module)
        return named

    def _semantic_reads(self, verdict: Verdict, structured: bool) -> bool:
        """Whether the semantic stage reads the message: the first tier is uncertain, and
        the message is language, not a data value."""
        return (
            self._semantic is not None
            and not structured
            and verdict.decision is not ScreenDecision.BLOCK
            and verdict.score >= self.config["semantic_gate"]
        )

    def _score_semantic(self, evidence: Evidence) -> None:
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
            if c != ENCODED_DATA
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

    def _conclusive(self, evidence: Evidence) -> bool:
        """Whether some category already reaches its block threshold."""
        for category in set(evidence.rule_hits) | set(evidence.model_scores):
            if evidence.first_tier_score(category) >= self._block[category]:
                return True
        return False

    def _over_length(self, length: int) -> Verdict:
        decision = ScreenDecision(self.config["over_length_decision"])
        detail = f"message of {length} characters exceeds max_length {self.config['max_length']}"
        reason = Reason("max_length", "", 1.0, "raw", None, detail)
        return Verdict(decision, 1.0, (), (reason,), {})

    def _scan_rules(self, variant: Variant, evidence: Evidence, deadline: Deadline) -> None:
        name = _variant_name(variant)
        encoded = any(step in _ENCODINGS for step in variant.derivation)
        for hit in self.rules.scan(variant, deadline):
            rule = hit.rule
            span = variant.map_span(hit.span)
            reason = Reason(rule.id, rule.category, rule.score, name, span, rule.note)
            evidence.reasons.append(reason)
            evidence.add_rule(rule.category, span, rule.score)
            if encoded and rule.category != HARMFUL_REQUEST:  # not an attack: only its own
                evidence.add_rule(ENCODED_DATA, span, rule.score)

    def _score_model(self, variant: Variant, evidence: Evidence, length: int) -> None:
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

    def _decide(self, evidence: Evidence) -> Verdict:
        return evidence.verdict(self._flag, self._block)


_ENCODINGS = frozenset(
    kind.value for kind in VariantKind if kind not in (VariantKind.NORMALIZED, *_ALIGNED_KINDS)
)


def _prefixes(disabled: Sequence[str]) -> Tuple[str, ...]:
    return tuple(d for d in disabled if d.endswith("."))
