"""The curated rule table of the injection detector, one module per family.

Each :class:`Rule` is a regular expression over the *normalised* text of a variant (lower
case, NFKC, invisible characters removed; see :mod:`rasa_secure.core.normalize`), with the
threat category it indicates, a :class:`Strength` (how sure a hit alone makes us), the
trigger words or characters that must be present before the expression is even tried (a
cheap pre-gate: most messages run no expression at all), and the examples it must match and
counterexamples it must not (``tests/core/test_rules.py`` runs them all). Every expression
is linear in its input: bounded gaps (``.{0,60}``), no nested unbounded quantifiers.

:data:`FAMILIES` lists the families, one line each. The English families and the
code-injection families are written out; the instruction-override, prompt-extraction and
jailbreak rules of twelve more languages are generated from each language's vocabulary
(:mod:`rasa_secure.core.injection.rules.language`). Examples come from the project's own
golden cases and training data, from the ``train`` split of the public screening data
(sources and licences: ``docs/benchmarks/injection.md``) and, a few, from its training-only
supplement: meta-llama/PurpleLlama CyberSecEval (MIT), confident-ai/deepteam (Apache-2.0),
ReversecLabs/spikee (Apache-2.0) and gunthercox/chatterbot-corpus (BSD-3-Clause).
"""

from __future__ import annotations

from typing import Dict, List, Mapping, Sequence, Tuple

from rasa_secure.core.injection.rules import (
    authority,
    code,
    command,
    encoded,
    header,
    indirect,
    instruction_override,
    jailbreak,
    ldap,
    nosql,
    path_traversal,
    prompt_extraction,
    role_injection,
    roleplay,
    sql,
    ssrf,
    template,
    xml,
    xss,
)
from rasa_secure.core.injection.rules.base import (
    CATEGORIES,
    CJK,
    CODE_INJECTION,
    COMMAND_INJECTION,
    ENCODED_DATA,
    HARMFUL_REQUEST,
    HEADER_INJECTION,
    JAILBREAK,
    LDAP_INJECTION,
    NOSQL_INJECTION,
    PATH_TRAVERSAL,
    PROMPT_INJECTION,
    PROMPT_LEAK,
    SQL_INJECTION,
    SSRF,
    TEMPLATE_INJECTION,
    XML_INJECTION,
    XSS,
    Rule,
    Strength,
)
from rasa_secure.core.injection.rules.languages import (
    de,
    es,
    fr,
    it,
    ja,
    ko,
    nl,
    pl,
    pt,
    ru,
    tr,
    zh,
)

FAMILIES: Mapping[str, Tuple[Rule, ...]] = {
    "instruction_override": instruction_override.RULES,
    "role_injection": role_injection.RULES,
    "authority": authority.RULES,
    "jailbreak": jailbreak.RULES,
    "roleplay": roleplay.RULES,
    "prompt_extraction": prompt_extraction.RULES,
    "indirect": indirect.RULES,
    "sql": sql.RULES,
    "nosql": nosql.RULES,
    "command": command.RULES,
    "code": code.RULES,
    "template": template.RULES,
    "path_traversal": path_traversal.RULES,
    "ldap": ldap.RULES,
    "xml": xml.RULES,
    "ssrf": ssrf.RULES,
    "header": header.RULES,
    "xss": xss.RULES,
    "encoded": encoded.RULES,
    "es": es.RULES,
    "fr": fr.RULES,
    "de": de.RULES,
    "it": it.RULES,
    "pt": pt.RULES,
    "nl": nl.RULES,
    "ru": ru.RULES,
    "pl": pl.RULES,
    "tr": tr.RULES,
    "zh": zh.RULES,
    "ja": ja.RULES,
    "ko": ko.RULES,
}
"""Every rule family by name, in table order: English, code injection, then one family per
language (named by its ISO 639-1 code)."""


def all_rules() -> List[Rule]:
    """Every built-in rule, in table order."""
    return [rule for family in FAMILIES.values() for rule in family]


def rule_index(rules: Sequence[Rule]) -> Dict[str, Rule]:
    """Rules by id; raises ``ValueError`` on a duplicate id (a table error)."""
    index: Dict[str, Rule] = {}
    for rule in rules:
        if rule.id in index:
            raise ValueError(f"duplicate rule id {rule.id}")
        index[rule.id] = rule
    return index


__all__ = [
    "CATEGORIES",
    "CJK",
    "CODE_INJECTION",
    "COMMAND_INJECTION",
    "ENCODED_DATA",
    "FAMILIES",
    "HARMFUL_REQUEST",
    "HEADER_INJECTION",
    "JAILBREAK",
    "LDAP_INJECTION",
    "NOSQL_INJECTION",
    "PATH_TRAVERSAL",
    "PROMPT_INJECTION",
    "PROMPT_LEAK",
    "SQL_INJECTION",
    "SSRF",
    "TEMPLATE_INJECTION",
    "XML_INJECTION",
    "XSS",
    "Rule",
    "Strength",
    "all_rules",
    "rule_index",
]
