"""Test signatures carried in any encoding (EICAR)."""

from __future__ import annotations

from typing import Tuple

from rasa_secure.core.injection.rules.base import (
    ENCODED_DATA,
    Rule,
    Strength,
    define,
)

RULES: Tuple[Rule, ...] = (
    define(
        "encoded.eicar",
        ENCODED_DATA,
        r"x5o!p%@ap\[4\\pzx54\(p\^\)7cc\)7\}\$eicar|eicar-standard-antivirus-test-file",
        Strength.CERTAIN,
        "x5o eicar",
        "EICAR anti-virus test signature",
        examples=("X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*",),
        counterexamples=("Is the EICAR file on your site a virus? My scanner warns about it.",),
    ),
)
