"""XML injection: entity declarations (XXE), XInclude, XSLT and XPath."""

from __future__ import annotations

from typing import Tuple

from rasa_secure.core.injection.rules.base import (
    XML_INJECTION,
    Rule,
    Strength,
    define,
)

RULES: Tuple[Rule, ...] = (
    define(
        "xml.entity",
        XML_INJECTION,
        r"<!\s*entity\b|<!\s*doctype\s+[\w:.-]+\s*(?:\[|system\b)",
        Strength.HIGH,
        "<!",
        "XML entity declarations (XXE, entity expansion)",
        examples=(
            '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "http://203.0.113.5/x">]><foo>&xxe;</foo>',
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2',
        ),
        counterexamples=("<!-- not an entity, just a comment -->",),
    ),
    define(
        "xml.xinclude",
        XML_INJECTION,
        r"<\s*xi\s*:\s*include\b|\bxmlns\s*:\s*xi\s*=|<\s*xsl\s*:\s*(?:value-of|copy-of|"
        r"include|import|stylesheet)\b",
        Strength.FIRM,
        "< xmlns",
        "XInclude and XSLT elements",
        examples=('<foo xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include',),
        counterexamples=("<b>bold</b> text in my message, sorry",),
    ),
    define(
        "xml.xpath",
        XML_INJECTION,
        r"'\s*(?:or|and)\s+(?:count|name|local-name|string-length|substring|contains|"
        r"starts-with|string)\s*\(|\b(?:count|name|local-name|string-length)\s*\(\s*/+\*|"
        r"\bnode\s*\(\s*\)|\btext\s*\(\s*\)\s*=|//\*\[|/\*\[\d+\]",
        Strength.FIRM,
        "' node text //* /*[",
        "XPath injection: functions over the document tree",
        examples=("' or count(/*)=1 or '", "' and substring(password/text(),1,1)='7"),
        counterexamples=(
            "What's the setup fee for a business account?",
            "I'm an auditor for a small firm; can I open a business account?",
        ),
    ),
)
