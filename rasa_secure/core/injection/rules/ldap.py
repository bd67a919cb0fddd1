"""LDAP filter injection."""

from __future__ import annotations

from typing import Tuple

from rasa_secure.core.injection.rules.base import (
    LDAP_INJECTION,
    Rule,
    Strength,
    define,
)

RULES: Tuple[Rule, ...] = (
    define(
        "ldap.filter_break",
        LDAP_INJECTION,
        r"\*\s*\)\s*\(\s*(?:[|&!]\s*)?(?:\(\s*)?[\w.-]+\s*[~<>]?=|\*\s*\)\s*\(\s*[|&!]|\)\s*\(\s*[|&!]\s*\(\s*[\w.-]+\s*"
        r"[~<>]?=|\)\s*\(\s*[&|]\s*\)|\(\s*[|&]\s*\(\s*[\w.-]+\s*=\s*\*\s*\)|\bobjectclass\s*=\s*\*|"
        r"\(\s*!\s*\(\s*[&|]\s*\(",
        Strength.HIGH,
        ")( objectclass (!(",
        "LDAP filter injection: closing the filter and opening a new clause (*)(uid=*), (|(...), "
        "or negating a compound clause (!(&(...",
        examples=("*)(&", "admin)(&)"),
        counterexamples=(
            "The fee was 2.5% (see section 4)(b) of the terms",
            (
                "I have been charged to much for the object I bought when abroad, the exchange "
                "rate seems to be wrong."
            ),
        ),
    ),
)
