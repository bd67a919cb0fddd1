"""Rules generated per language from its vocabulary: instruction override, prompt extraction
and jailbreak, the same in every language of ``rules/languages/``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Tuple

from rasa_secure.core.injection.rules.base import (
    CJK,
    GAP1,
    GAP2,
    JAILBREAK,
    PROMPT_INJECTION,
    PROMPT_LEAK,
    SEP,
    Rule,
    Strength,
    define,
)


@dataclass(frozen=True)
class Language:
    """The vocabulary from which one language's rules are generated.

    Attributes:
        code: ISO 639-1 code.
        override: expression for "ignore / forget / disregard".
        prior: expression for "previous / above / system / all" (qualifying instructions).
        instructions: expression for "instructions / rules / directives".
        everything: expression for "everything said before" (object of ``override``).
        own_words: expression for "the above / what I said" without "everything", which
            customers also use to take back their own words (flag, not block).
        ai_reader_score: strength of the ``ai_reader`` rule: ``MEDIUM``, so that a word of
            model evidence is needed to block, or ``FIRM`` where the expression also requires
            the object ("this email"), as the English rule does.
        received: expression for "given to you / that you received at first", which makes
            "instructions" the assistant's own (languages whose model misses the request).
        told_before: expression for "what were you told before I came": a request for the
            assistant's setup whatever the noun (English: ``en.leak_what_told``).
        show: expression for "show / reveal / tell me / print".
        system_prompt: expression for "system prompt / hidden instructions".
        no_limits: expression for "without restrictions / filters / rules / censorship".
        special_mode: expression for "developer mode / jailbreak".
        act_as: expression for "act as / pretend to be / you are now".
        ai_reader: expression for "the AI (assistant, model) that reads / processes / sums up
            this", which marks text written for an AI that will read it.
        triggers: words (or :data:`CJK`) one of which must be present to try these rules.
        verb_last: the language puts the verb after its object (ja, ko, tr).
        examples: per rule name (``"override_instructions"``), messages it must match.
        counterexamples: per rule name, benign messages near it that it must not match.
    """

    code: str
    override: str
    prior: str
    instructions: str
    everything: str
    show: str
    system_prompt: str
    no_limits: str
    special_mode: str
    act_as: str
    ai_reader: str
    triggers: str
    own_words: str = ""
    ai_reader_score: Strength = Strength.MEDIUM
    received: str = ""
    told_before: str = ""
    verb_last: bool = False
    examples: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)
    counterexamples: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)


_CJK_GAP = r".{0,8}?"


def _verb_object(lang: Language, obj: str, sep: str, gap: str) -> str:
    """The override verb, ``sep``, then ``obj``; also ``obj``, ``gap``, then the verb where
    the language puts its verb last."""
    verb_first = lang.override + sep + obj
    return f"(?:{verb_first}|{obj}{gap}{lang.override})" if lang.verb_last else verb_first


def language_rules(lang: Language) -> Tuple[Rule, ...]:
    """Generate the prompt-injection, prompt-leak and jailbreak rules of one language."""
    cjk = lang.triggers == CJK
    gap = _CJK_GAP if cjk else GAP2
    sep = r"\W{0,3}" if cjk else SEP
    near = _CJK_GAP if cjk else GAP1
    override_first = lang.override + gap + lang.prior + near + lang.instructions
    object_first = lang.prior + near + lang.instructions + gap + lang.override
    override = f"(?:{override_first}|{object_first})"
    override_all = _verb_object(lang, lang.everything, sep, gap)
    show = (
        f"(?:{lang.show}{gap}{lang.system_prompt}|{lang.system_prompt}{gap}{lang.show})"
        if not cjk or lang.verb_last
        else f"{lang.show}{gap}{lang.system_prompt}"
    )
    persona_free = f"{lang.act_as}.{{0,120}}{lang.no_limits}|{lang.no_limits}.{{0,80}}{lang.act_as}"
    triggers = lang.triggers
    code = lang.code

    def rule(name: str, category: str, pattern: str, strength: Strength, note: str) -> Rule:
        return define(
            f"{code}.{name}",
            category,
            pattern,
            strength,
            triggers,
            note,
            examples=tuple(lang.examples.get(name, ())),
            counterexamples=tuple(lang.counterexamples.get(name, ())),
        )

    rules = [
        rule(
            "override_instructions",
            PROMPT_INJECTION,
            override,
            Strength.STRONG,
            "ignore/forget + previous + instructions",
        ),
        rule(
            "override_everything",
            PROMPT_INJECTION,
            override_all,
            Strength.BLOCKING,
            "ignore/forget everything said before",
        ),
        rule("leak_show_prompt", PROMPT_LEAK, show, Strength.STRONG, "asks for the system prompt"),
        rule(
            "leak_prompt_words",
            PROMPT_LEAK,
            lang.system_prompt,
            Strength.FLAGGING,
            "mentions the hidden prompt",
        ),
        rule(
            "special_mode",
            JAILBREAK,
            lang.special_mode,
            Strength.FIRM,
            "developer mode / jailbreak",
        ),
        rule(
            "persona_without_rules",
            JAILBREAK,
            persona_free,
            Strength.STRONG,
            "act as someone without rules",
        ),
        rule(
            "no_limits",
            JAILBREAK,
            lang.no_limits,
            Strength.WEAK,
            "without restrictions/filters/censorship (corroborating only)",
        ),
        rule(
            "indirect_address",
            PROMPT_INJECTION,
            lang.ai_reader,
            lang.ai_reader_score,
            "text addressed to an AI that reads it (indirect prompt injection)",
        ),
    ]
    if lang.received:
        received = f"{lang.received}{gap}{lang.instructions}"
        asks = f"(?:{lang.show}{gap}{received}|{received}{gap}{lang.show})"
        note = "asks for the instructions the assistant received"
        rules.append(rule("leak_received", PROMPT_LEAK, asks, Strength.FIRM, note))
    if lang.told_before:
        note = "asks what the assistant was told before the user came"
        rules.append(rule("leak_told_before", PROMPT_LEAK, lang.told_before, Strength.FIRM, note))
    if lang.own_words:
        own = _verb_object(lang, lang.own_words, sep, gap)
        note = "forget the above / what I said (customers take back their own words)"
        rules.append(rule("override_own_words", PROMPT_INJECTION, own, Strength.FLAGGING, note))
    return tuple(rules)
