"""Server-side template injection: Jinja, ERB, EL and Thymeleaf expressions."""

from __future__ import annotations

from typing import Tuple

from rasa_secure.core.injection.rules.base import (
    TEMPLATE_INJECTION,
    Rule,
    Strength,
    define,
)

RULES: Tuple[Rule, ...] = (
    define(
        "template.expression",
        TEMPLATE_INJECTION,
        r"\{\{\s*-?\d+\s*[*+\-/%]\s*-?\d+\s*\}\}|\{\{.{0,120}?(?:__|config|self|request|lipsum|"
        r"cycler|joiner|namespace|popen|subclasses|get_user_file|settings|\.secret|\bos\b|"
        r"import|system|exec|eval|getattr|attr\s*\(|range\s*\().{0,120}?\}\}|\{%.{0,120}?"
        r"(?:import|include|exec|system|popen|for\s+\w+\s+in|set\s+\w+\s*=|debug).{0,120}?%\}|"
        r"<%=?.{0,200}?%>|\$\{\s*-?\d+\s*[*+\-/]\s*-?\d+\s*\}|#\{\s*-?\d+\s*[*+\-/]\s*-?\d+\s*\}"
        r"|\*\{.{1,120}?\}|\$\{\s*(?:t\(|\w+\.getclass|\w+\.class|runtime|#)|#\{.{0,120}?"
        r"(?:system|exec|`|%x|\.class)",
        Strength.HIGH,
        "{{ {% <% ${ #{ *{",
        "server-side template expressions (Jinja, ERB, EL, Thymeleaf)",
        examples=("{{7*7}}", "{{ ''.__class__.__mro__[1].__subclasses__() }}"),
        counterexamples=(
            '{% $NUM_VIEWS|STRING_FORMAT:"%D" %} VUES',
            (
                "{% $SENDER_FULL_NAME %} BLAH BLAH BLAH {% $CONVO_SEND_DATE|DATE_FORMAT:'%B %D, "
                "%Y' %}."
            ),
        ),
    ),
    define(
        "template.object_access",
        TEMPLATE_INJECTION,
        r"\{\{\s*[\w]+(?:\.[\w]+)+\s*\}\}|\{\{\s*\[\s*\]\s*\.|\{\{\s*''\s*\.",
        Strength.FLAGGING,
        "{{",
        "template object access {{user.secret}}",
        examples=("{{ ''.__class__.__mro__[1].__subclasses__()", "{{person.name}}"),
        counterexamples=("Dear {{ name }}, your card is ready.",),
    ),
)
