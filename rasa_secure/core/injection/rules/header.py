"""Header injection: CRLF sequences that add HTTP or mail headers."""

from __future__ import annotations

from typing import Tuple

from rasa_secure.core.injection.rules.base import (
    HEADER_INJECTION,
    Rule,
    Strength,
    define,
)

RULES: Tuple[Rule, ...] = (
    define(
        "header.crlf",
        HEADER_INJECTION,
        r"(?:%0d|%0a|%u000d|%u000a|%e5%98%8a|%e5%98%8d|\\r|%5cr)(?:%0d|%0a|%u000d|%u000a|\\r|"
        r"\\n|%5cr|%5cn)*\s*"
        r"(?:set-cookie|location|content-type|content-length|x-[\w-]+|bcc|cc|to|from|subject|"
        r"reply-to|refresh|access-control-[\w-]+|http/\d)\s*:",
        Strength.HIGH,
        "%0d %0a %u000d %u000a %e5%98 \\r %5cr",
        "CRLF injection of HTTP or mail headers (%0d%0aSet-Cookie:, %0aBcc:)",
        examples=("Jane%0d%0aBcc: victim@example.com", "%u000d%u000aSet-Cookie: admin=true"),
        counterexamples=("The reference %0a appears twice on my statement.",),
    ),
)
