# ruff: noqa: RUF001  (multilingual vocabulary: non-Latin letters are intended)
"""The curated rule table of the injection detector.

Each :class:`Rule` is a regular expression over the *normalised* text of a variant (lower
case, NFKC, invisible characters removed; see :mod:`rasa_secure.core.normalize`), with the
threat category it indicates, a score (how sure a hit alone makes us, in [0, 1]) and the
trigger words or characters that must be present before the expression is even tried (a
cheap pre-gate: most messages run no expression at all).

Scores follow three bands: ``STRONG`` (a hit alone blocks: the phrase has no benign reading
in a customer chat), ``MEDIUM`` (a hit alone flags; with another signal it blocks) and
``WEAK`` (only corroborates). Every expression is linear in its input: bounded gaps
(``.{0,60}``), no nested unbounded quantifiers.

The instruction-override, prompt-leak and jailbreak rules exist in thirteen languages (en
es fr de it pt nl ru zh ja ko tr pl), generated from the per-language vocabulary in
:data:`LANGUAGES`; the code-injection families are language independent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

STRONG = 0.95
MEDIUM = 0.75
WEAK = 0.45

PROMPT_INJECTION = "prompt_injection"
JAILBREAK = "jailbreak"
PROMPT_LEAK = "prompt_leak"
SQL_INJECTION = "sql_injection"
NOSQL_INJECTION = "nosql_injection"
COMMAND_INJECTION = "command_injection"
CODE_INJECTION = "code_injection"
TEMPLATE_INJECTION = "template_injection"
XSS = "xss"
PATH_TRAVERSAL = "path_traversal"
LDAP_INJECTION = "ldap_injection"
XML_INJECTION = "xml_injection"
SSRF = "ssrf"
HEADER_INJECTION = "header_injection"
ENCODED_DATA = "encoded_data"

CATEGORIES: Tuple[str, ...] = (
    PROMPT_INJECTION,
    JAILBREAK,
    PROMPT_LEAK,
    SQL_INJECTION,
    NOSQL_INJECTION,
    COMMAND_INJECTION,
    CODE_INJECTION,
    TEMPLATE_INJECTION,
    XSS,
    PATH_TRAVERSAL,
    LDAP_INJECTION,
    XML_INJECTION,
    SSRF,
    HEADER_INJECTION,
    ENCODED_DATA,
)
"""Every category a verdict can name."""

CJK = "cjk"
"""Trigger meaning: the text contains Chinese, Japanese or Korean characters."""


@dataclass(frozen=True)
class Rule:
    """One detection rule.

    Attributes:
        id: stable identifier, ``<family>.<name>`` (e.g. ``"sql.union_select"``); appears
            in verdicts and audit records.
        category: the threat category a hit indicates (one of :data:`CATEGORIES`).
        pattern: regular expression source, applied to lower-case normalised text.
        score: confidence of a hit on its own, in [0, 1].
        triggers: the rule is tried only if one is present: a word (matched on its first
            four letters), a string starting with a non-letter (matched as a substring), or
            :data:`CJK`.
        note: why the rule exists, in words.
    """

    id: str
    category: str
    pattern: str
    score: float
    triggers: Tuple[str, ...]
    note: str = ""

    def compile(self) -> re.Pattern[str]:
        """The compiled expression."""
        return re.compile(self.pattern, re.DOTALL)


def _r(
    rule_id: str, category: str, pattern: str, score: float, triggers: str, note: str = ""
) -> Rule:
    return Rule(rule_id, category, pattern, score, tuple(triggers.split()), note)


# Gaps used between the words of a phrase: a separator, or a separator plus up to N words.
SEP = r"[\W_]{1,6}"
WORD = r"[^\W_]{1,20}(?:['’-][^\W_]{1,20}){0,3}"
"""A word of a gap: letters or digits, with apostrophes or hyphens inside (``don't``,
``e-mail``). It neither starts nor ends with a character a separator can take, so a run of
separators is read one way only (no backtracking over how to split it)."""
GAP1 = rf"[\W_]{{1,6}}(?:{WORD}[\W_]{{1,6}}){{0,1}}"
GAP2 = rf"[\W_]{{1,6}}(?:{WORD}[\W_]{{1,6}}){{0,2}}"
GAP4 = rf"[\W_]{{1,6}}(?:{WORD}[\W_]{{1,6}}){{0,4}}"

# --- English ------------------------------------------------------------------------------
_ROLE_TAG = (
    r"(?:system|sys|admin|developer|sistema|syst[eè]me|systeem|sistem|систем[аы]|系统|系統|"
    r"システム|시스템)"
)
"""A role named in a bracketed tag ([SYSTEM], [/SISTEMA], [システム]): the same delimiter in
every language of the rules."""
_ABOUT_A_TOPIC = (
    r"(?!\W+(?:for|on|about|regarding|concerning|around|governing|when|if)\W+(?!(?:you|your|"
    r"yourself|me|us|this|the\W+(?:bot|assistant|ai|model|chat|conversation|session))\b)\w)"
)
"""Not followed by a topic other than the assistant or this chat: a bank's rules *for
international transfers* or its guidelines *on lending* are a customer's question, its rules
*for this chat* are the assistant's."""
_LEAK_QUALIFIER = (
    r"(?:exact|original|initial|hidden|secret|system|real|actual|underlying|core|base|default|"
    r"operating|full|complete|first|programmed|starting|own)"
)
"""Words that make "your rules" the assistant's own setup rather than a bank's terms."""

_EN_OVERRIDE = (
    r"(?:ignor\w*|disregard\w*|forget\w*|forgot|bypass\w*|overrid\w*|overwrit\w*|"
    r"discard\w*|pay\W+no\W+(?:attention|heed)\W+to|do\W+not\W+follow|don'?t\W+follow|"
    r"stop\W+following|nevermind|never\W+mind|not\W+obey|don'?t\W+obey|do\W+not\W+obey)"
)
_EN_OVERRIDE_WEAK = (
    r"(?:skip|drop|erase|delete|clear|reset|cancel|abandon\w*|neglect\w*|dismiss\w*|"
    r"set\W+aside|throw\W+away|remove|wipe|suspend|lift|disable|deactivate|turn\W+off)"
)
_EN_PRIOR = (
    r"(?:previous\w*|prior|above|preceding|earlier|former|initial|original|old|system|"
    r"existing|given|provided|default|developer|all|any|every|your|these|those|such|"
    r"foregoing|past|first|hidden|safety|security|content)"
)
_EN_INSTRUCTIONS_STRONG = (
    r"(?:instruction\w*|prompt\w*|directive\w*|rules?|guideline\w*|programming|"
    r"restrictions?|guardrails?|safeguards?|content\W+polic(?:y|ies)|safety\W+filters?|"
    r"system\W+message|ethical\W+(?:guidelines|constraints|principles)|constraints)"
)
_EN_INSTRUCTIONS = (
    r"(?:" + _EN_INSTRUCTIONS_STRONG[3:-1] + r"|direction\w*|orders?|commands?|context|"
    r"polic(?:y|ies)|tasks?|assignments?|messages?|text|training|configuration|filters?|"
    r"limitations?|ethics|morals?|principles|conversation|input|information|documents?|"
    r"articles?|requests?|specifications?)"
)

ENGLISH_RULES: List[Rule] = [
    _r(
        "en.override_instructions",
        PROMPT_INJECTION,
        r"(?:"
        + _EN_OVERRIDE
        + r"|"
        + _EN_OVERRIDE_WEAK
        + r")"
        + GAP2
        + _EN_PRIOR
        + GAP1
        + _EN_INSTRUCTIONS_STRONG
        + r"\b",
        STRONG,
        "ignor disregard forget forgot skip bypass override overwrite discard abandon neglect "
        "dismiss drop erase delete clear reset cancel aside pay follow following throw "
        "nevermind never obey remove wipe suspend lift disable deactivate turn",
        "ignore/forget/override + previous/system + instructions/rules",
    ),
    _r(
        "en.override_all",
        PROMPT_INJECTION,
        _EN_OVERRIDE
        + r"\W+(?:all|any|every|each)\W+(?:of\W+)?(?:the\W+|your\W+|my\W+)?(?:"
        + _EN_PRIOR
        + r"\W+)?"
        + _EN_INSTRUCTIONS
        + r"\b",
        STRONG,
        "ignor disregard forget forgot bypass override overwrite discard pay follow following "
        "nevermind never obey",
        "ignore all (previous) orders/messages/context",
    ),
    _r(
        "en.override_context",
        PROMPT_INJECTION,
        _EN_OVERRIDE + GAP2 + r"(?:" + _EN_PRIOR + r"|the)" + GAP1 + _EN_INSTRUCTIONS + r"\b",
        0.6,
        "ignor disregard forget forgot bypass override overwrite discard pay follow following "
        "nevermind never obey",
        "ignore + previous + context/task/documents (users also say 'ignore my last message')",
    ),
    _r(
        "en.override_everything",
        PROMPT_INJECTION,
        r"(?:ignor\w*|disregard\w*|forget|forgot)\W{1,4}(?:about\W+)?(?:everything|all(?:\W+of)?"
        r"\W+(?:the\W+above|the\W+previous|that\W+came\W+before)|what\W+(?:you|we)\W+(?:were\W+"
        r"told|discussed|know))\b",
        0.85,
        "ignor disregard forget forgot",
        "ignore/forget everything (above / you were told)",
    ),
    _r(
        "en.override_own_words",
        PROMPT_INJECTION,
        r"(?:ignor\w*|disregard\w*|forget|forgot)\W{1,4}(?:about\W+)?(?:what\W+(?:i|we)\W+(?:have"
        r"\W+)?(?:said|told\W+you|wrote|asked)\W+(?:before|so\W+far|earlier|previously|above)|"
        r"the\W+above|above|before\W+that)\b",
        0.6,
        "ignor disregard forget forgot",
        "ignore/forget what I said / the above (customers also take back their own words)",
    ),
    _r(
        "en.override_then_do",
        PROMPT_INJECTION,
        r"(?:ignor\w*|disregard\w*|forget)\W+(?:\w+\W+){0,3}(?:instead|and\W+(?:just|only|instead"
        r")|then)\W+(?:say|print|output|write|respond|reply|answer|tell|translate|spell|repeat)",
        0.8,
        "ignor disregard forget",
        "ignore X and instead say Y",
    ),
    _r(
        "en.task_switch",
        PROMPT_INJECTION,
        r"\b(?:that\W+(?:is|was)|that'?s)\W+(?:enough|done|all\W+for\W+now)\W+(?:\w+\W+){0,3}"
        r"(?:now|next)\b|\bnow\W+(?:come|comes|follow|follows|there\W+(?:are|is))\W+(?:a\W+)?"
        r"(?:new|more|further|another|additional|the\W+next)\W+(?:\w+\W+)?(?:tasks?|"
        r"instructions?|assignments?|challenges?)|\bdespite\W+what\W+you(?:'ve|\W+have)?\W+"
        r"been\W+(?:told|instructed)|\bregardless\W+of\W+(?:your|any|the)\W+(?:previous\W+|"
        r"prior\W+)?(?:instructions|rules|programming|guidelines)",
        0.75,
        "that that's now despite regardless",
        "praise-then-switch: 'that is enough, now a new task'",
    ),
    _r(
        "en.persona_setup",
        PROMPT_INJECTION,
        r"\b(?:i\W+want\W+you\W+to\W+(?:act|pretend|behave|play|roleplay|be)\b|from\W+now\W+on"
        r",?\W+(?:you|your)\b|(?:you\W+are|you'?re)\W+now\W+(?:a|an|the|my|in)\b|now\W+you\W+"
        r"are\b|your\W+name\W+is\W+now\b|you\W+will\W+now\W+(?:be|act|respond|answer)\b|"
        r"pretend\W+(?:that\W+)?you\W+(?:are|can|have|were)\b|let'?s\W+play\W+a\W+game\b|"
        r"you\W+will\W+(?:act|behave|respond)\W+as\b|stay\W+in\W+(?:\w+\W+){1,2}mode\b)",
        WEAK,
        "i from you you're now your pretend let's lets stay",
        "sets up a persona or game (corroborating only: also common in benign role-play)",
    ),
    _r(
        "en.new_instructions",
        PROMPT_INJECTION,
        r"\b(?:new|updated|additional|revised|real|actual|true|secret|hidden|override|priority)"
        r"\W+(?:system\W+)?(?:instruction|directive|task|order|command|rule|prompt)s?\W{0,3}"
        r"(?::|-|are|is|follow|override)|\byour\W+(?:new|real|true|only)\W+(?:task|job|goal|"
        r"purpose|instructions?|directive|role|mission)\W+(?:is|are|will\W+be)\b|\b(?:now|from\W+"
        r"now\W+on),?\W+(?:focus\W+on|concentrate\W+on)\W+(?:your|the|a)\W+new\W+task",
        0.8,
        "new updated additional revised real actual true secret hidden override priority your "
        "focus concentrate",
        "announces replacement instructions",
    ),
    _r(
        "en.instructions_changed",
        PROMPT_INJECTION,
        r"\b(?:change|update|replace|modify|rewrite|reprogram)\W+(?:your|the)\W+(?:system\W+)?"
        r"(?:instructions|rules|programming|prompt|directives|guidelines|behaviou?r|personality)"
        r"|\byour\W+(?:instructions|rules|programming)\W+(?:are|is)\W+(?:now|changed|updated|"
        r"replaced|void|cancelled|overridden)",
        0.85,
        "change update replace modify rewrite reprogram your",
        "changes the assistant's instructions",
    ),
    _r(
        "en.stop_and_do",
        PROMPT_INJECTION,
        r"\b(?:stop\W+everything|stop\W+(?:all\W+)?(?:what\W+you\W+are\W+doing)|attention\W+"
        r"stop|stop\W*[-:!]+\W*(?:write|say|print|ignore))|\b(?:just|only)\W+(?:say|print|"
        r"output|write|respond\W+with|reply\W+with)\W+[\"'“”‘’]",
        0.7,
        "stop attention just only",
        'hijack phrasing: stop everything / just print "..."',
    ),
    _r(
        "en.do_not_answer_but",
        PROMPT_INJECTION,
        r"\b(?:do\W+not|don'?t|dont)\W+(?:answer|respond\W+to|look\W+(?:in|at)|use)\W+(?:\w+\W+)"
        r"{0,5}(?:but|instead|just|only)\W+(?:\w+\W+){0,2}(?:say|print|output|write|tell|answer)",
        0.75,
        "answer respond look use",
        "do not answer the question, instead output ...",
    ),
    _r(
        "en.chat_template",
        PROMPT_INJECTION,
        r"<\|?(?:im_start|im_end|system|endoftext|eot_id|start_header_id|end_header_id|"
        r"begin_of_text)\|?>|\[/?inst\]|<</?sys>>|<\s*(?:/\s*)?(?:system|user|assistant|"
        r"instructions?|admin|developer|sys)\s*>|(?:^|\n)\W{0,4}(?:###?\s*)?(?:system|"
        r"assistant|developer|admin)(?:\s*(?:message|prompt|override|instruction))?\s*:\s*\S"
        r"|\bend\W+of\W+(?:user\W+)?(?:input|prompt|conversation|instructions)\b|(?<!=)={4,}\s*end|"
        r"\[\s*/\s*" + _ROLE_TAG + r"\s*\]|(?:^|\n)\W{0,4}\[\s*" + _ROLE_TAG + r"\s*\]\s*\S",
        0.9,
        "< [ system assistant developer admin end =====",
        "chat-template or role delimiters injected into user text, also a bracketed [SYSTEM] "
        "tag in any of our languages that opens a line or is closed",
    ),
    _r(
        "en.instruction_line",
        PROMPT_INJECTION,
        r"(?:^|\n|\\n)[^\S\n]*(?:new\W+|additional\W+|system\W+)?instructions?\s*:\s*\S|<\|",
        WEAK,
        "instruction instructions new additional system <|",
        "an 'Instruction:' line or a stray template token (corroborating only)",
    ),
    _r(
        "en.authority_claim",
        PROMPT_INJECTION,
        r"\b(?:i\W*am|i'?m|this\W+is)\W+(?:actually\W+|really\W+)?(?:your|the|an?)\W+"
        r"(?:\w+\W+){0,1}(?:developer|administrator|admin|creator|owner|programmer|operator|sysadmin|"
        r"engineer\W+at\W+(?:openai|anthropic|google)|openai|anthropic)\b(?!\W+(?:at|for|in|with|"
        r"from|working|by)\W).{0,80}\b(?:override|"
        r"debug|maintenance|unlock|disable|bypass|show|reveal|grant|ignore|access|mode|"
        r"authori[sz])",
        0.85,
        "i'm i am this",
        "fake developer/admin authority claim",
    ),
    _r(
        "en.fake_session",
        PROMPT_INJECTION,
        r"\b(?:begin|start|enter|open|initiat\w*|activat\w*)\W+(?:an?\W+|the\W+)?(?:admin|"
        r"administrator|root|superuser|sudo|privileged|elevated|maintenance|debug)\W+(?:session|"
        r"shell|console|privileges)\b",
        0.6,
        "begin start enter open initiat activat",
        "starts a privileged session (flag: business customers administer their own accounts)",
    ),
    _r(
        "en.forged_authorisation",
        PROMPT_INJECTION,
        r"\b(?:auth|authori[sz]ation|authenticated|access|admin|privileges?|clearance)\W{0,2}[=:]"
        r"\W{0,2}(?:ok|true|granted|elevated|root|admin)\b|\"(?:role|rol|rolle|ruolo|papel|r[oô]le|"
        r"роль|nivel|niveau|level|clearance|access_level|user_type)\"\s*:\s*\"(?:admin\w*|root|"
        r"superuser|staff|employee|bank_employee|medewerker|mitarbeiter\w*|empleado|employ[ée]e?|"
        r"dipendente|funcion[aá]rio|сотрудник|pracownik|[cç]al[iı][sş]an|full|elevated)\"",
        0.85,
        "auth authorization authorisation authenticated access admin privilege privileges "
        'clearance "',
        "a forged authorisation marker (auth=ok, admin: true, access: granted), also a pasted "
        'JSON result that makes the user staff ("role": "bank_employee", "clearance": "full")',
    ),
    _r(
        "en.policy_for_assistants",
        PROMPT_INJECTION,
        r"\b(?:all\W+)?(?:ai\W+)?(?:assistants|chatbots|bots|language\W+models|llms|ai\W+models)"
        r"\W+(?:must|shall|are\W+(?:now\W+)?(?:required|allowed|permitted|authori[sz]ed)\W+to)"
        r"\W+(?:now\W+|henceforth\W+|from\W+now\W+on\W+|always\W+)?(?:share|reveal|disclose|"
        r"ignore|bypass|disregard|override|skip|disable)\b",
        0.8,
        "all assistants chatbots bots language llms ai",
        "a rule announced for assistants in general that makes them share or ignore (a fake "
        "policy; a customer speaks of 'the assistant')",
    ),
    _r(
        "en.third_party_clearance",
        PROMPT_INJECTION,
        r"(?<!\bdoes\s)(?<!\bdo\s)(?<!\bcan\s)(?<!\bwill\s)(?<!\bwould\s)(?<!\bdid\s)"
        r"\b(?:compliance|security|fraud|risk|legal|it\W+(?:team|department)|audit|management|"
        r"the\W+bank|your\W+"
        r"(?:operators?|developers?|administrators?|admins?|creators?|owners?|makers?|"
        r"supervisors?))\W+(?:\w+\W+){0,2}(?:has\W+|have\W+)?(?:cleared|authori[sz]ed|approved|"
        r"allowed|permitted|instructed|told|asked|wants?|allows?|permits?|authori[sz]es|lets)"
        r"\W+you\W+to\W+(?:\w+\W+){0,1}(?:skip|bypass|ignore|disregard|override|disable|"
        r"disclose|reveal|share|trust|obey|believe|grant|waive\W+(?:the\W+)?(?:checks?|"
        r"verification))\b",
        0.85,
        "compliance security fraud risk legal it audit management the your",
        "says someone with authority cleared the assistant to skip checks, disclose or obey",
    ),
    _r(
        "en.authority_override",
        PROMPT_INJECTION,
        r"\b(?:i\W*am|i'?m|this\W+is|we\W+are)\W+(?:an?\W+|the\W+|your\W+)?(?:\w+\W+){0,3}"
        r"(?:auditors?|regulators?|inspectors?|examiners?|investigators?|police|law\W+"
        r"enforcement|compliance\W+officers?|central\W+bank)\b.{0,80}?\b(?:override|bypass|"
        r"disable|unlock|skip\W+(?:the\W+)?(?:checks?|verification)|lift\W+(?:the\W+)?"
        r"(?:limits?|restrictions?|block))\b",
        0.8,
        "i i'm im this we",
        "claims an outside authority to override limits or checks",
    ),
    _r(
        "en.disable_safety",
        JAILBREAK,
        r"\b(?:switch|turn|shut)\w*\W+off\W+(?:\w+\W+){0,1}(?:your|the)\W+(?:\w+\W+){0,1}"
        r"(?:safety|content|moderation|ethic\w*|guard\w*|censor\w*|refusal)\b|\b(?:disabl\w*|"
        r"deactivat\w*|remov\w*|bypass\w*|suspend\w*|drop)\W+(?:\w+\W+){0,1}(?:your|the)\W+"
        r"(?:safety|content|moderation|ethics?|censorship|refusal)\W+(?:filters?|layers?|"
        r"guards?|guardrails|checks|settings|rules|module|system)\b|\b(?:answer|respond|reply|"
        r"continue)\w*\W+without\W+(?:your\W+|the\W+|any\W+)?(?:safety|content|moderation)"
        r"\W+(?:filters?|layers?|guardrails|checks)\b|\byour\W+(?:safety|content|moderation)"
        r"\W+(?:filters?|layers?|guardrails|checks)\W+(?:is|are)\W+(?:\w+\W+){0,1}(?:broken|"
        r"malfunctioning|off|disabled|down|offline|faulty|buggy)\b",
        0.85,
        "switch switched turn turned shut disable disabling deactivate remove bypass suspend drop "
        "answer respond reply continue your",
        "asks the assistant to switch off its safety or content filter",
    ),
    _r(
        "en.free_ai",
        JAILBREAK,
        r"\b(?:you\W+are|you'?re|u\W+r)\W+(?:now\W+|just\W+)?(?:a|an)\W+(?:free|unbound|"
        r"liberated|unchained|unleashed|unshackled|unrestricted|uncensored)\W+(?:ai|assistant|"
        r"bot|model|chatbot|llm)\b|\bstop\W+being\W+(?:a|an|the|my)\W+(?:\w+\W+){0,2}"
        r"(?:assistant|bot|chatbot)\b.{0,60}\b(?:free|no\W+rules|anything)\b",
        0.85,
        "you you're youre u stop",
        "tells the assistant it is now a free, unrestricted AI",
    ),
    _r(
        "en.leak_setup",
        PROMPT_LEAK,
        r"\b(?:paste|reproduce|repeat|print|show|quote|recite|dump|output|copy|give|tell|what'?s|"
        r"what\W+(?:is|was|were))\W+(?:me\W+)?(?:\w+\W+){0,3}(?:setup|set-up|startup|start-up|"
        r"boot|bootstrap|operator'?s?|deployment)\W+(?:text|message|prompt|instructions|"
        r"configuration|config|notes?)\b|\b(?:message|text|instructions|prompt)\W+you\W+"
        r"(?:received|got)\W+from\W+(?:your|the)\W+(?:operator|developer|creator|admin\w*|"
        r"owner|system)\b|\b(?:above|before|preceding|prior\W+to)\W+my\W+(?:first|very\W+"
        r"first|initial)\W+message\b|\b(?:in|inside|of|from)\W+your\W+context\W+window\b",
        0.85,
        "paste reproduce repeat print show quote recite dump output copy give tell what what's "
        "whats message text instructions prompt above before preceding prior in inside of from",
        "asks for the setup text, the operator's message or what precedes the user's first message",
    ),
    _r(
        "en.recon_backend",
        PROMPT_LEAK,
        r"\b(?:tools|functions|apis|plugins|actions)\W+(?:(?:or|and)\W+\w+\W+)?(?:(?:that|which)"
        r"\W+)?(?:you\W+(?:can\W+)?|can\W+you\W+|do\W+you\W+)(?:call|invoke|execute|trigger)\b|\b(?:tools|functions|actions)\b.{0,60}\b(?:with|and)\W+(?:their|the"
        r"|all)\W+(?:parameters|arguments|schemas?|signatures)\b|\b(?:name|names|schema|"
        r"structure|layout)\W+of\W+(?:the\W+)?(?:database|db|tables?|schema|endpoints?|"
        r"backend)\W+(?:\w+\W+){0,1}(?:you|your)\b|\b(?:database|db|table|api\W+endpoints?|"
        r"endpoints?|backend|server)\W+(?:that\W+|do\W+|does\W+)?(?:you|your\W+(?:actions?|tools?|code|"
        r"functions?))\W+(?:query|queries|call|calls|use|uses|hit|hits|read|reads)\b",
        0.8,
        "tools functions apis plugins actions name names schema structure layout database db "
        "table api endpoint endpoints backend server",
        "reconnaissance of the assistant's tools, database or API endpoints",
    ),
    _r(
        "leak.assistant_internals",
        PROMPT_LEAK,
        r"\b(?:domain|credentials|endpoints|stories|nlu|rules|config)\.ya?ml\b|\bintents\b.{0,60}"
        r"\b(?:slots|custom\W+actions|entities|forms|responses)\b|\b(?:slots|entities)\b.{0,60}"
        r"\bintents\b|(?:インテント|인텐트|интент\w*).{0,30}?(?:スロット|슬롯|слот\w*|アクション|액션|"
        r"действи\w*)",
        0.8,
        ".yml .yaml intents slots entities インテント 인텐트 интенты интентов интент",
        "asks for the assistant's own files or its intents and slots (a Rasa bot's internals)",
    ),
    _r(
        "leak.starting_you_are",
        PROMPT_LEAK,
        r"\b(?:empezando|empieza|comienza|comenzando|commen[cç]ant|commence|beginnt|beginnend|"
        r"anf[aä]ngt|inizia|iniziando|come[cç]a|come[cç]ando|begint|начина\w*|zaczyna\w*)\b.{0,30}?"
        r"[\"'“”«„「『]\s*(?:eres|t[uú]\W+eres|tu\W+es|vous\W+[eê]tes|du\W+bist|sie\W+sind|sei|"
        r"voc[eê]\W+[eé]|tu\W+[eé]s|je\W+bent|u\W+bent|jij\W+bent|ты|вы|jeste[sś]|sen)\b|"
        r"[\"'“”«„「『]\s*(?:du\W+bist|je\W+bent|u\W+bent|ты|sen\W+bir|sen|你是|あなたは|君は|너는|"
        r"당신은)\W{0,3}[\"'“”»」』]?\s*(?:beginnt|anf[aä]ngt|begint|начинается|ile\W+ba[sş]layan|"
        r"開頭|开头|で始まる|(?:으)?로\s?시작하는)",
        0.85,
        "\" ' “ ” « „ 「 『",
        "asks for the text that starts with the assistant's 'You are' (its prompt), in any of "
        "our languages",
    ),
    _r(
        "en.special_mode",
        JAILBREAK,
        r"\bstay\W+in\W+\w+\W+mode\b|\b(?:developer|dev|debug|maintenance|god|sudo|admin|root|unrestricted|unfiltered|"
        r"uncensored|jailbr\w*|dan|evil|chaos|opposite|dude|stan|anarchy)\W{0,3}mode\b(?!\W+"
        r"(?:on|in|of|for)\W+(?:the|your|my|our|this|a)\W+(?:\w+(?:-\w+){0,3}\W+){0,2}(?:phones?|devices?|"
        r"iphone|android|computer|laptop|router|tv|apps?|application|website|site|browser|"
        r"tablet|settings|console))",
        0.85,
        "developer dev debug maintenance god sudo admin root unrestricted unfiltered uncensored "
        "jailbr dan evil chaos opposite dude stan anarchy stay",
        "named unrestricted modes: developer mode, god mode, DAN mode",
    ),
    _r(
        "en.godmode",
        JAILBREAK,
        r"\bgodmode\b|\bgod\W?mode\W+(?:on|enabled|activated)\b|\bl33t\b|\bliberat(?:ed|ing)\b.{0,40}"
        r"\b(?:ai|model|assistant|you)\b|i'?m\W+free!?",
        0.8,
        "godmode god l33t liberated liberating free",
        "'god mode' / liberation jailbreak markers",
    ),
    _r(
        "en.dan",
        JAILBREAK,
        r"\bdo\W+anything\W+now\b|\b(?:you\W+are|you'?re|act\W+as|pretend\W+to\W+be|be|play|"
        r"called|named|as)\W+(?:a\W+)?dan\b|\bdan\W*[:(\[]|\[\W*dan\W*\]|\bdan\W+(?:which|who|"
        r"can|has|will|is\W+an?)\b|\b(?:better|anti|super|evil)\W?dan\b|stay\W+(?:a\W+)?dan\b",
        STRONG,
        "anything dan betterdan",
        "'Do Anything Now' jailbreak family",
    ),
    _r(
        "en.jailbreak_word",
        JAILBREAK,
        r"\bjail\W?br(?:eak|oken|eaking|eaked)\b(?!.{0,40}\b(?:attempt|risk|vulnerab|protect|"
        r"prevent|detect|secur|phone|iphone|ios|device|android))",
        0.7,
        "jailbreak jailbroken jail",
        "self-declared jailbreaks (but not questions about jailbreak protection)",
    ),
    _r(
        "en.no_rules_persona",
        JAILBREAK,
        r"\b(?:no|without|free\W+(?:of|from)|zero|not\W+(?:bound|restricted|limited)\W+by|"
        r"beyond|unbound\W+by|ignores?|outside|lacks?|devoid\W+of|exempt\W+from|broken\W+free\W+"
        r"of|break\W+free\W+of|abandon\w*|not\W+have\W+(?:any|to\W+(?:abide|follow)))\W+(?:\w+\W+)"
        r"{0,3}(?:moral\w*|ethic\w*|legal\w*|filters?|filtering|censor\w*|restrictions?|"
        r"limitations?|guidelines|rules|boundaries|bounds|principles|polic(?:y|ies)|"
        r"constraints|safeguards|content\W+polic\w+|typical\W+confines|confines)\b",
        0.65,
        "no without free zero not beyond unbound ignore ignores outside lack lacks devoid exempt "
        "broken break abandon",
        "persona declared free of rules, filters or ethics",
    ),
    _r(
        "en.unfiltered_ai",
        JAILBREAK,
        r"\b(?:unfiltered|uncensored|unrestricted|unlimited|amoral|immoral|unethical|unbiased|"
        r"unhinged|rogue|evil|malicious|lawless|limitless|rule\W?less|filter\W?less)\W+(?:\w+\W+)"
        r"{0,2}(?:ai|a\.i\.|chatbot|assistant|language\W+model|bot|persona|entity|responses|"
        r"gpt|chatgpt|llm|mode|twin|alter\W+ego)\b",
        0.7,
        "unfiltered uncensored unrestricted unlimited amoral immoral unethical unbiased unhinged "
        "rogue evil malicious lawless limitless ruleless filterless rule filter",
        "unrestricted/amoral AI persona",
    ),
    _r(
        "en.policy_bypass",
        JAILBREAK,
        r"\b(?:ignor\w*|bypass\w*|break\w*|violat\w*|disregard\w*|circumvent\w*|evad\w*|avoid\w*|"
        r"not\W+(?:bound|restricted|controlled|governed|moderated|censored)\W+by|free\W+(?:of|from)|don'?t\W+(?:have\W+to\W+)?(?:follow|"
        r"care\W+about|abide\W+by)|doesn'?t\W+(?:follow|care\W+about|abide\W+by)|no\W+longer\W+"
        r"(?:follow|bound|abide))\W+(?:\w+\W+){0,3}(?:openai|anthropic|google|meta|microsoft|"
        r"content|safety|usage|ethical|moral|community)\W*(?:'s\W+)?(?:\w+\W+){0,1}(?:polic(?:y|"
        r"ies)|guidelines|filters?|rules|restrictions|terms|standards|principles)",
        STRONG,
        "ignor bypass break violat disregard circumvent evad avoid not free don't dont doesn't "
        "doesnt longer",
        "bypass the provider's content policy",
    ),
    _r(
        "en.never_refuse",
        JAILBREAK,
        r"\b(?:never|cannot|can'?t|won'?t|will\W+not|must\W+not|mustn'?t|shall\W+not|"
        r"doesn'?t|don'?t|do\W+not|without)\W+(?:ever\W+)?(?:refus\w*|reject\w*|decline\w*|"
        r"deny|denies|apologi[sz]\w*|add\W+(?:any\W+)?(?:warnings?|disclaimers?)|include\W+"
        r"(?:any\W+)?(?:warnings?|disclaimers?))\b.{0,80}\b(?:request|question|prompt|anything|"
        r"answer|response|instruction|matter|reply|always)",
        0.7,
        "never not cannot can't won't will must mustn't shall doesn't don't do without",
        "forbids the assistant from refusing or warning",
    ),
    _r(
        "en.stay_in_character",
        JAILBREAK,
        r"\b(?:stay|remain|keep|stays|remains)\W+(?:\w+\W+){0,2}in\W+(?:character|role)\b.{0,120}"
        r"\b(?:no\W+matter|whatever|always|never|break|forget|reminder|correct)|"
        r"\bbreak(?:ing)?\W+(?:out\W+of\W+)?character\b|\bstay\W+in\W+character!",
        0.6,
        "stay remain keep stays remains break breaking",
        "insists the persona is kept whatever happens",
    ),
    _r(
        "en.dual_response",
        JAILBREAK,
        r"\b(?:two|2|both|dual|separate)\W+(?:\w+\W+){0,2}(?:responses|answers|paragraphs|"
        r"outputs|ways)\b.{0,200}\b(?:normal|classic|standard|filtered|chatgpt|gpt|censored)\b"
        r".{0,80}\b(?:jailbr\w*|developer|dan|unfiltered|uncensored|evil|opposite|unrestricted)"
        r"|[🔓🔒]\W{0,3}(?:jailbr\w*|developer|dan|classic|normal|unlocked|unfiltered)\b|"
        r"\b(?:respond|answer|reply)\w*\W+as\W+both\b|\btwo\W+(?:separate|different)\W+"
        r"(?:styles|personas|personalities|ways)\b|"
        r"\(\W{0,3}(?:normal|developer\W+mode)\W+output\W{0,3}\)",
        0.85,
        "two 2 both dual separate 🔓 🔒 ( normal respond answer reply responding answering",
        "asks for a filtered and an unfiltered answer side by side",
    ),
    _r(
        "en.you_are_now",
        JAILBREAK,
        r"\b(?:you\W+are|you'?re|you\W+will\W+be)\W+(?:now|no\W+longer|not|going\W+to\W+"
        r"(?:be|act|pretend|play))\W+(?:\w+\W+){0,3}(?:an?\W+)?(?:ai|chatgpt|gpt|assistant|"
        r"language\W+model|bound|restricted|limited|censored|filtered|claude|llama|gemini)\b",
        0.6,
        "you you're",
        "re-declares the assistant's identity",
    ),
    _r(
        "en.roleplay_no_limits",
        JAILBREAK,
        r"\b(?:act|behave|respond|answer|pretend|roleplay|role-play|play|simulate|imagine|"
        r"become|you\W+are)\W+(?:\w+\W+){0,12}(?:no|without|free\W+of|not\W+bound\W+by|ignores?|"
        r"any)\W+(?:\w+\W+){0,2}(?:restrictions|rules|filters|limits|guidelines|ethics|morals|"
        r"morality|censorship|boundaries|limitations|safeguards)\b",
        0.8,
        "act behave respond answer pretend roleplay role play simulate imagine become you",
        "act as someone with no rules",
    ),
    _r(
        "en.hypothetical_harm",
        JAILBREAK,
        r"\b(?:hypothetical\w*|fictional|theoretical|imaginary|in\W+a\W+(?:story|world|novel|"
        r"movie))\b.{0,120}\b(?:how\W+to\W+(?:make|build|create|synthesi[sz]e|hack|steal|kill|"
        r"cook)|step[\W_]+by[\W_]+step|detailed\W+instructions)\b.{0,60}\b(?:bomb|meth|weapon|"
        r"explosive|poison|malware|virus|ransomware|drugs?|hack|steal|kill|launder\w*)",
        0.75,
        "hypothetical hypothetically fictional theoretical imaginary story world novel movie",
        "fiction framing around a harmful how-to",
    ),
    _r(
        "en.prefix_injection",
        JAILBREAK,
        r"\b(?:start|begin)\W+(?:your|each|every)\W+(?:\w+\W+){0,2}(?:response|answer|reply|"
        r"output)\W+with\W+[\"'“‘]?(?:sure|absolutely|of\W+course|certainly|here\W+is|i\W+am\W+"
        r"free|i'?m\W+free|mwahaha)",
        0.85,
        "start begin",
        "forces an affirmative opening (prefix injection)",
    ),
    _r(
        "en.refusal_suppression",
        JAILBREAK,
        r"\b(?:do\W+not|don'?t|never)\W+(?:apologi[sz]e|include\W+(?:a\W+)?(?:note|disclaimer|"
        r"warning)|use\W+(?:the\W+)?words?\W+[\"'“‘]?(?:cannot|can'?t|unable|sorry|however|"
        r"unfortunately))",
        0.8,
        "do don't never",
        "refusal suppression",
    ),
    _r(
        "en.persona_names",
        JAILBREAK,
        r"\b(?:aim|always\W+intelligent\W+and\W+machiavellian|niccolo\W+machiavelli|mongo\W+tom|"
        r"evil\W?bot|omega\W+(?:ai|mode)|apophis|anti-?gpt|chatgpt\W+(?:with|in)\W+(?:dan|"
        r"developer)|basedgpt|ucar|kevin\W+the\W+(?:ai|bot)|wormgpt|fraudgpt|evil\W+confidant"
        r"|opposite\W?day|switch\W?flip|neco|maximum\W+(?:ai|virtual)|lucy\W+the)\b",
        0.75,
        "aim always niccolo mongo evil evilbot omega apophis anti antigpt chatgpt basedgpt ucar "
        "kevin wormgpt fraudgpt opposite oppositeday switch neco maximum lucy",
        "names of well-known jailbreak personas",
    ),
    _r(
        "en.simulation_layers",
        JAILBREAK,
        r"\b(?:simulat\w*|emulat\w*|virtual\W+machine|game|story|dream)\b.{0,160}\b(?:no\W+"
        r"(?:rules|restrictions|limits|filters|ethics|morals)|anything\W+(?:goes|is\W+allowed)|"
        r"all\W+(?:actions|content|requests)\W+(?:are\W+)?(?:allowed|permitted|legal))",
        0.7,
        "simulate simulation simulating emulate emulator emulation virtual game story dream",
        "a simulation where anything is allowed",
    ),
    _r(
        "en.leak_show_prompt",
        PROMPT_LEAK,
        r"\b(?:show|reveal|print|display|output|repeat|tell|give|share|leak|dump|write|spell|"
        r"list|recite|expose|disclose|paste|copy|return|provide|translate|encode|summari[sz]e|"
        r"describe|read|explain|what'?s|what\W+(?:is|are|were|was))\b\W+(?:\w+\W+){0,4}(?:your|"
        r"the|its|my|this\W+bot'?s)\W+(?:\w+\W+){0,1}(?:(?:system|initial|hidden|secret|"
        r"internal|starting|pre|underlying|developer|meta|confidential)\W?(?:(?:prompts?|"
        r"instructions|message|programming)\b|(?:rules|configuration|directives|guidelines|"
        r"context)\b" + _ABOUT_A_TOPIC + r")|"
        r"(?:original|first|full|exact|base|core|opening|beginning|complete)\W?(?:prompts?|"
        r"instructions|system\W+message))\b",
        STRONG,
        "show reveal print display output repeat tell give share leak dump write spell list "
        "recite expose disclose paste copy return provide translate encode summarize summarise "
        "describe read explain what's what",
        "asks for the system prompt or hidden instructions",
    ),
    _r(
        "en.leak_prompt_words",
        PROMPT_LEAK,
        r"\b(?:system|initial|hidden|secret|original|internal|starting|pre)\W?prompt\b|"
        r"\bsystem\W?(?:message|instructions|configuration)\b|\bsystemprompt\b|"
        r"\bprompt\W*texts?\b|\bpre\W?prompt\b|\b(?:in|from)\W+(?:the|your)\W+(?:system\W+)?"
        r"prompt\b",
        0.6,
        "system initial hidden secret original internal starting pre systemprompt "
        "initialization initialisation prompt preprompt",
        "mentions the hidden prompt",
    ),
    _r(
        "en.leak_your_prompt",
        PROMPT_LEAK,
        r"\byour\W+(?:\w+\W+)?(?:system|initial|hidden|secret|internal|starting|pre|confidential)"
        r"\W?(?:prompts?|system\W+message)\b|\b(?:system|hidden|secret|internal|confidential)\W+"
        r"(?:instructions|directives|configuration)\b|\binitiali[sz]ation\W+(?:string|prompt|"
        r"text|instructions)\b|\b(?:text|words|instructions|prompt|message|context|rules|"
        r"guidelines|directives)\W+you\W+"
        r"(?:were|have\W+been)\W+(?:given|told|provided|fed)\b",
        0.85,
        "your system hidden secret internal confidential initialization initialisation text "
        "words instructions prompt message context rules guidelines directives",
        "names the assistant's own hidden prompt",
    ),
    _r(
        "en.leak_your_instructions",
        PROMPT_LEAK,
        r"\byour\W+(?:initial|original|starting|first|underlying|base|core|real|actual|full)\W+"
        r"(?:instructions|directives|rules|guidelines|programming)\b",
        0.7,
        "your",
        "the assistant's original instructions (flag: a user may quote the bot's own steps)",
    ),
    _r(
        "en.leak_what_told",
        PROMPT_LEAK,
        r"\bwhat\W+(?:were|have)\W+you\W+(?:\w+\W+){0,2}(?:told|instructed|given|asked|"
        r"configured)\b(?!\W+(?:about|regarding|concerning|to\W+do\W+with)\W+(?:my|our|me|us|"
        r"the|this|that|an?)\b)|\b(?:your|the)\W+(?:instructions|rules|directives|guidelines)"
        r"\W+(?:say|said|are|were)\W*[:?]|\bwhat\W+are\W+your\W+(?:" + _LEAK_QUALIFIER + r"\W+)?"
        r"(?:instructions|directives)\b" + _ABOUT_A_TOPIC + r"|\bwhat\W+are\W+your\W+"
        r"(?:"
        + _LEAK_QUALIFIER
        + r"\W+(?:rules|guidelines|restrictions|constraints)\b"
        + _ABOUT_A_TOPIC
        + r"|(?:rules|guidelines|restrictions|constraints)\W*(?:\?|$))|"
        r"\b(?:complete|continue|finish|start\W+your\W+(?:answer|reply|response)\W+with|begin\W+"
        r"(?:your\W+(?:answer|reply|response)\W+)?with)\W+(?:\w+\W+){0,3}[\"']?(?:i\W+was\W+"
        r"(?:instructed|told|programmed)|my\W+(?:instructions|rules|system\W+prompt)|the\W+"
        r"system\W+prompt)",
        0.8,
        "what your the complete continue finish start begin",
        "asks what the assistant was told",
    ),
    _r(
        "en.leak_repeat_above",
        PROMPT_LEAK,
        r"\b(?:repeat|print|output|show|write|copy|spell\W+check|translate|return|tell\W+me)\W+"
        r"(?:\w+\W+){0,3}(?:everything|all|the\W+(?:text|words|content|lines|sentences?)|"
        r"whatever)\W+(?:\w+\W+){0,2}(?:above|before\W+(?:this|that|the)|preceding|prior|earlier|"
        r"you\W+(?:were|have\W+been)\W+(?:given|told))|\b(?:spell\W*check|translate|repeat|"
        r"print)\W+(?:\w+\W+){0,2}(?:previous|above|prior|preceding|initial|original)\W+"
        r"(?:instructions|prompt|text|message)|\b(?:word\W+for\W+word|verbatim)\b.{0,60}\b"
        r"(?:above|conversation|instructions|prompt|context)|\b(?:the\W+)?\d+\W+sentences?\W+"
        r"before\b|\bbeginning\W+with\W+[\"'“‘]you\W+are",
        0.85,
        "repeat print output show write copy spell translate return tell word verbatim "
        "sentence sentences beginning",
        "asks to echo the hidden context",
    ),
    _r(
        "en.leak_code_style",
        PROMPT_LEAK,
        r"\b(?:console\.log|print|echo|system\.out\.println|puts)\W{0,6}(?:system_?prompt|"
        r"instructions|initial_?prompt|config|prompt)\b|<\s*system_prompt\s*>|"
        r"\{\{?\s*(?:system_?prompt|instructions)\s*\}\}?",
        0.85,
        "console print echo system puts < {",
        "code-style request to print the prompt variable",
    ),
    _r(
        "en.leak_embeddings",
        PROMPT_LEAK,
        r"\b(?:return|show|print|give|output|reveal)\W+(?:me\W+)?(?:your|the)\W+(?:embeddings|"
        r"weights|training\W+data|api\W+keys?|credentials|secrets?|environment\W+variables|"
        r"env\W+vars?|source\W+code|database\W+password)\b",
        0.8,
        "return show print give output reveal",
        "asks for model internals or secrets",
    ),
    _r(
        "en.decode_and_follow",
        PROMPT_INJECTION,
        r"\b(?:decode|decrypt|decipher|translate|convert|reverse|unscramble|read)\b.{0,60}\b"
        r"(?:base64|b64|hex|rot-?13|caesar|cipher|binary|morse|encoded|backwards|reversed)\b"
        r".{0,60}\b(?:follow|execute|run|do\W+(?:it|what|as)|obey|perform|act\W+on|comply|carry"
        r"\W+out|then\W+(?:do|answer|respond))|\b(?:follow|execute|obey|run)\b.{0,30}\b(?:the\W+)?"
        r"(?:decoded|hidden|encoded|embedded)\W+(?:instructions?|message|text|command)",
        0.85,
        "decode decrypt decipher translate convert reverse unscramble read follow execute obey run",
        "asks to decode a payload and act on it",
    ),
    _r(
        "en.indirect_address",
        PROMPT_INJECTION,
        r"\b(?:if|when)\W+you\W+are\W+(?:an?\W+)?(?:ai|llm|large\W+language\W+model|language\W+"
        r"model|chat\W?bot|ai\W+assistant|assistant|agent)\W+(?:\w+\W+){0,2}(?:reading|"
        r"processing|summari[sz]ing|parsing|analy[sz]ing|seeing)\b|\b(?:ai|llm|language\W+model|"
        r"chat\W?bot|assistant|agent|model)s?\W+(?:that\W+(?:is|are)\W+|who\W+(?:is|are)\W+)?"
        r"(?:reading|processing|summari[sz]ing|parsing|analy[sz]ing|translating)\W+(?:this|these|"
        r"the\W+(?:following|above|email|document|page|file|message|text))\b",
        0.85,
        "if when ai llm language chatbot chat assistant agent model models",
        "text addressed to an AI that reads it (indirect prompt injection)",
    ),
    _r(
        "en.indirect_when_processing",
        PROMPT_INJECTION,
        r"\bwhen\W+(?:you\W+)?(?:summari[sz]\w*|translat\w*|process\w*|read\w*|pars\w*|"
        r"analy[sz]\w*)\W+(?:it|(?:this|these|the\W+following|the)(?:\W+(?:emails?|documents?|"
        r"pages?|files?|messages?|texts?|conversation))?)\W+(?:also|instead|first|secretly|"
        r"silently|quietly|do\W+not|don'?t|never|must|make\W+sure)\b",
        0.6,
        "when",
        "instructions for whoever summarises or processes the text",
    ),
    _r(
        "en.act_as_system",
        PROMPT_INJECTION,
        r"\b(?:act|behave|function|work)\W+as\W+(?:an?\W+)?(?:linux|unix|bash|windows|python|"
        r"sql|javascript|shell|cmd|powershell)\W+(?:terminal|interpreter|console|shell|database)"
        r"|\bexecute\W+the\W+following\W+(?:command|code)",
        0.7,
        "act behave function work execute",
        "turns the assistant into a terminal or interpreter",
    ),
    _r(
        "en.ai_disclaimer_bait",
        JAILBREAK,
        r"\bas\W+an\W+ai\W+language\W+model\b.{0,80}\b(?:never|not|don'?t|won'?t|instead)|"
        r"\b(?:openai|anthropic)\W+(?:has|have)\W+(?:no|nothing)\b|\b(?:content\W+)?polic(?:y|ies)"
        r"\W+(?:is|are)\W+(?:now\W+)?(?:disabled|suspended|off|lifted|void)\b",
        0.8,
        "as openai anthropic content policy policies",
        "declares the safety policy void",
    ),
    _r(
        "en.harm_request",
        JAILBREAK,
        r"\b(?:how\W+(?:do\W+i|to|can\W+i|would\W+(?:one|you))|step[\W_]+by[\W_]+step|detailed\W+"
        r"(?:guide|instructions|steps))\W+(?:\w+\W+){0,4}(?:make|build|synthesi[sz]e|cook|"
        r"manufacture|produce|assemble)\W+(?:\w+\W+){0,2}(?:a\W+)?(?:bomb|pipe\W+bomb|explosives?"
        r"|meth\w*|nerve\W+agent|napalm|chemical\W+weapon|bioweapon|ricin|sarin|molotov)",
        0.8,
        "how step detailed",
        "weapon/drug synthesis request, the usual jailbreak payload",
    ),
]

# --- code and data injection (language independent) ---------------------------------------

CODE_RULES: List[Rule] = [
    # SQL
    _r(
        "sql.union_select",
        SQL_INJECTION,
        r"\bunion(?:[\s+(]|/\*.{0,40}?\*/|%20|%2b)+(?:(?:all|distinct)(?:[\s+(]|/\*.{0,40}?\*/|"
        r"%20)*)?select\b",
        STRONG,
        "union",
        "UNION SELECT",
    ),
    _r(
        "sql.tautology",
        SQL_INJECTION,
        r"['\"`)]\s*(?:or|and|\|\||&&|xor)\s*(?:\(\s*)?['\"`]?[\w@$]{1,20}['\"`]?\s*(?:=|<>|!=|"
        r">=?|<=?|\blike\b)\s*(?:\(\s*)?['\"`]?[\w@$]{0,20}|\b(?:or|and)\s+(?:true|false|"
        r"\d+\s*(?:=|<>|!=|>|<)\s*\d+|'[^']{0,10}'\s*=\s*'[^']{0,10}'|\"[^\"]{0,10}\"\s*=\s*"
        r"\"[^\"]{0,10}\"|[a-z]\s*=\s*[a-z])\s*(?:--|#|/\*|;|$|\)|')",
        0.9,
        "' \" ` ) or",
        "quote-breaking tautology: ' OR '1'='1, or 1=1--",
    ),
    _r(
        "sql.numeric_tautology",
        SQL_INJECTION,
        r"\b(?:or|and|where|having|xor)\s+(?:\(\s*)?(\d+)\s*(?:=|<>|!=|<=?|>=?)\s*(?:\(\s*)?\d+\b|"
        r"['\"](?:\s*\))*\s*(?:or|and|\|\|)(?:\s*\()*\s*(?:''|\"\")|['\"](?:\s*\))*\s*(?:or|and)\s+"
        r"(?:['\"]?\d+"
        r"['\"]?\s*(?:=|--|#)|['\"]?\d+\s*$)|"
        r"['\"]\s*(?:=|<>)\s*(?:\d+\s*)?(?:--|#)|\blike\s+['\"]%['\"]|^\W*(?:and|or)\s+(?:\d+|true|"
        r"false)\W*$|\bcase\s+when\b.{0,80}\bthen\b|['\"]\s*\|\|\s*['\"\w]|/\*!\d*|/\*[^*]{0,20}"
        r"'[^*]{0,20}\*/|\b(?:order|group)\s+by\s+\d+(?:\s*,\s*\d+)*(?:\s*,)?\s*(?:--|#|/\*|$)|"
        r"\bbackup\s+database\b|\bexec(?:ute)?\s+(?:sp_|xp_|master\.)|\bselect\s+[a-z_]+\("
        r"|;\s*%00",
        0.85,
        "or and where having xor ' \" like case order group backup exec execute select /* ;",
        "numeric or quoted tautologies, CASE WHEN, string concatenation, version comments",
    ),
    _r(
        "sql.quote_comment",
        SQL_INJECTION,
        r"['\"`](?:\s*\))*\s*(?:--(?![a-z])|#(?![\w{])|/\*|;\s*--|;\s*%00|%23|%2d%2d)|\b(?:admin|"
        r"root|user|administrator)['\"](?:\s*\))*\s*(?:--|#|/\*)",
        0.9,
        "' \" `",
        "closes a string and comments out the rest: admin'--",
    ),
    _r(
        "sql.stacked_query",
        SQL_INJECTION,
        r"[;'\")]\s*(?:;\s*)?(?:drop|delete|insert|update|truncate|alter|create|exec(?:ute)?|"
        r"shutdown|declare|grant|revoke|select|waitfor|merge|call)\s+(?:table\b|database\b|"
        r"from\b|into\b|\w+\s+set\b|@|\*|user\b|\w+\s*\(|master\b|xp_|sp_|delay\b|time\b|"
        r"connect\b|resource\b|all\b|\d|'|\w+\s+(?:from|where)\b)",
        0.85,
        "; ' \" )",
        "stacked query after a statement terminator",
    ),
    _r(
        "sql.ddl_dml",
        SQL_INJECTION,
        r"\bdrop\s+(?:table|database|schema|user|view)\b|\bdelete\s+from\s+\w+|\binsert\s+into"
        r"\s+\w+|\bupdate\s+\w+\s+set\s+\w+\s*=|\btruncate\s+table\b|\balter\s+table\b|"
        r"\bselect\s+(?:\*|[\w,.()@][\w,\s.()@]{0,79}?)\s+from\s+[\w.\[\]`\"]+\s*(?:where|;|--|#|limit|"
        r"order|$)|\bselect\s+\*\s+from\b|\bgrant\s+(?:all|select|insert|update|delete|execute|"
        r"dba|sysadmin|connect|resource|usage|alter|create|drop|references|role)\b[\w\s,.*]{0,60}?"
        r"\bto\s+\S",
        0.85,
        "drop delete insert update truncate alter select grant",
        "SQL statements",
    ),
    _r(
        "sql.time_blind",
        SQL_INJECTION,
        r"\b(?:sleep|pg_sleep|benchmark|randomblob|dbms_lock\.sleep|dbms_pipe\.receive_message)"
        r"\s*\(|\bwaitfor\s+(?:delay|time)\s+'|\bwaitfor%20delay",
        STRONG,
        "sleep pg_sleep benchmark randomblob dbms_lock dbms_pipe waitfor",
        "time-based blind injection",
    ),
    _r(
        "sql.fingerprint",
        SQL_INJECTION,
        r"@@(?:version|datadir|hostname|servername)|\binformation_schema\b|\bsys(?:objects|"
        r"columns|tables|users)\b|\bpg_(?:catalog|user|shadow|tables)\b|\ball_tables\b|\buser_"
        r"tables\b|\bmysql\.user\b|\bxp_cmdshell\b|\bsp_executesql\b|\bload_file\s*\(|\binto\s+"
        r"(?:out|dump)file\b|\bextractvalue\s*\(|\bupdatexml\s*\(|\butl_(?:http|inaddr)\b|"
        r"\bsqlite_master\b|\bdbms_\w+|\bversion\s*\(\s*\)|\bdatabase\s*\(\s*\)|\bcurrent_user\b|"
        r"\bsession_user\b|\bschema_name\b|\btable_name\b|\bcolumn_name\b|\bconcat(?:_ws)?\s*\("
        r"\s*0x",
        0.9,
        "@@ information_schema sysobjects syscolumns systables sysusers pg_catalog pg_user "
        "pg_shadow pg_tables all_tables user_tables mysql xp_cmdshell sp_executesql load_file "
        "into extractvalue updatexml utl_http utl_inaddr sqlite_master dbms_ version database "
        "current_user session_user schema_name table_name column_name concat concat_ws",
        "database fingerprinting and file access functions",
    ),
    _r(
        "sql.functions",
        SQL_INJECTION,
        r"\b(?:char|chr|nchar|ascii|substring|substr|mid|convert|cast|ord|hex|unhex|md5|"
        r"if|iif|coalesce|ifnull|nvl|having)\s*\(.{0,60}\)\s*(?:[=+|,)]|--|#|"
        r"/\*|\bfrom\b|\band\b|\bor\b)|\b(?:char|chr)\(\d+\)\s*(?:\+|\|\|)|\bnull\s*,\s*null\b|"
        r"\bgroup\s+by\s+[\w.]+\s+having\b|\border\s+by\s+\d+\s*(?:--|#|/\*|,|$)|\bhaving\s+1\s*="
        r"|\b(?:and|or)\s+\d+\s*=\s*(?:\(|convert|cast|char)",
        0.8,
        "char chr nchar ascii substring substr mid convert cast ord hex unhex md5 user if iif "
        "case coalesce ifnull nvl count having null group order and or",
        "SQL function calls and clauses typical of injection",
    ),
    _r(
        "sql.comment_obfuscation",
        SQL_INJECTION,
        r"/\*!?\d*\s*(?:union|select|and|or|from|where)\b|\b(?:union|select|from|where|and|or)"
        r"/\*.{0,20}?\*/|\bas\s+\w+\s+where\s+\d+\s*=\s*\d+",
        0.85,
        "/* as",
        "inline comments used to split SQL keywords",
    ),
    _r(
        "sql.hex_literal",
        SQL_INJECTION,
        r"\b0x[0-9a-f]{6,}\b.{0,40}\b(?:select|union|from|where|and|or)\b|\b(?:select|union|where"
        r"|and|or|=)\s*0x[0-9a-f]{6,}\b",
        0.75,
        "0x",
        "hex-encoded SQL literals",
    ),
    # NoSQL
    _r(
        "nosql.operator",
        NOSQL_INJECTION,
        r"[{\[,:]\s*['\"]?\$(?:ne|eq|gt|gte|lt|lte|regex|where|exists|or|and|nor|not|nin|in|expr|"
        r"function|accumulator|lookup|elemmatch|type|size|all|text|comment|jsonschema)\b['\"]?\s*"
        r"[:\]]|\[\s*\$(?:ne|gt|lt|regex|exists|nin|in|where)\s*\]|\$where\s*[:=]|\{\s*['\"]?"
        r"[$&](?:ne|exists|gt|lt|regex|where)['\"]?\s*:",
        STRONG,
        "$ & [",
        "MongoDB query operators in user input",
    ),
    _r(
        "nosql.js_injection",
        NOSQL_INJECTION,
        r"\bthis\.\w+\.match\s*\(|\bthis\.\w+\s*(?:==|!=)|['\"]\s*&&\s*this\.|\bdb\.\w+\.(?:find"
        r"|insert|update|remove|drop|delete\w*|aggregate|mapreduce)\s*\(|;\s*return\s+(?:true|"
        r"false|1|'[^']{0,10}'\s*==)|\|\|\s*(?:1|'1'|true)\s*==\s*(?:1|'1'|true)|\b(?:sleep|"
        r"tojson|objectid|isodate)\s*\(\s*(?:\d+\s*)?\)\s*[;|]|\bdb\.getcollection|\bmapreduce\b",
        0.9,
        "this db ; | sleep tojson objectid isodate mapreduce",
        "server-side JavaScript in MongoDB queries",
    ),
    # OS commands
    _r(
        "cmd.chained_command",
        COMMAND_INJECTION,
        r"(?:^|[;&|`]|\$\(|%0a|%0d|\\n|%26|%7c|%3b)\s*(?:(?:/?usr/s?bin/|/bin/)?(?:id|whoami|"
        r"uname|ifconfig|ipconfig|netstat|systeminfo|sysinfo|hostname|nslookup|ls|pwd|printenv"
        r"|curl|wget|nc|ncat|netcat|bash|sh|zsh|dash|ksh|csh|powershell|pwsh|cmd(?:\.exe)?|"
        r"python[23]?|perl|php|nmap|telnet|chmod|chown|mkfifo|certutil|bitsadmin|rundll32|"
        r"regsvr32|wmic|mshta|netsh|tasklist|taskkill|phpinfo|useradd|crontab|sudo)\b(?:\s*$|"
        r"\s*[;&|`)'\"\\]|\s+[-/\\%$~.'\"\w]|\(\))|(?:/usr/s?bin/|/bin/)?(?:sleep|ping|cat|type|dir"
        r"|echo|net|reg|rm|del|kill|touch|tail|head|more|less|find|locate|which|su|passwd|route|"
        r"arp|shutdown|reboot|ps|env|ssh|scp|ftp|tftp|ruby)(?:\s*$|\s*[;&|`)'\"]|\s+[-/\\%$~.'\"]|"
        r"\s+\d|\s+[a-z]:\\|\s+(?:user|localgroup|view|share|use|start|stop|add|query|curl|"
        r"wget|nc|netcat|python\d?|perl|bash)\b))",
        0.85,
        "; & | ` $( %0a %0d \\n %26 %7c %3b",
        "a shell command after a command separator",
    ),
    _r(
        "cmd.bare_command",
        COMMAND_INJECTION,
        r"^\W{0,3}(?:/usr/s?bin/|/bin/)?(?:whoami|uname(?:\s+-\w+)?|ifconfig|ipconfig(?:\s+/all)"
        r"?|netstat(?:\s+-\w+)?|systeminfo|sysinfo|hostname|phpinfo\(\);?|printenv|route|"
        r"pwd|id|ls(?:\s+-\w+)?|dir|ps\s+(?:aux|-ef)|which\s+(?:curl|wget|nc|netcat|python\d?|"
        r"perl|bash|sh|gcc|php|ruby)|cat\s+/\S+|ls\s+(?:-\w+\s+)?/\S*|sleep\s+\d+|ping\s+-\w+"
        r".{0,40}|net\s+(?:user|localgroup|view|share|use|start|stop)\b.{0,60}|"
        r"nslookup\s+\S+|dir\s+[a-z]:\\.{0,60})\W{0,3}$",
        0.85,
        "/usr /bin whoami uname ifconfig ipconfig netstat systeminfo sysinfo hostname phpinfo "
        "printenv route pwd id ls dir ps which cat sleep ping net nslookup",
        "the whole message is a shell command",
    ),
    _r(
        "cmd.substitution",
        COMMAND_INJECTION,
        r"\$\(\s*`?[a-z/][^()]{0,120}\)|`\s*(?:/usr/s?bin/|/bin/)?(?:id|whoami|uname|ls|cat|pwd"
        r"|curl|wget|nc|ping|sleep|dir|echo|touch|rm|bash|sh|python|perl|env|hostname)\b[^`]"
        r"{0,120}`|\$\{?ifs\b",
        0.9,
        "$( ` ifs",
        "command substitution $(...) or backticks, or $IFS standing in for a space",
    ),
    _r(
        "cmd.sensitive_files",
        COMMAND_INJECTION,
        r"/etc/(?:passwd|shadow|group|hosts|issue|sudoers|crontab)\b|/proc/self/|c:\\+(?:windows|"
        r"winnt|boot\.ini|inetpub|documents\W+and\W+settings|users\b(?!\\+[\w.-]))|%systemroot%|\\repair\\+(?:sam|system)\b|\bwin\.ini\b|"
        r"/var/(?:www|log)/|/root/\.ssh|id_rsa\b|\.htpasswd\b|web\.config\b",
        0.8,
        "/etc/ /proc/ c:\\ %systemroot% \\repair /var/ /root id_rsa .htpasswd web.config win.ini",
        "references to sensitive system files",
    ),
    _r(
        "cmd.interpreter_flag",
        COMMAND_INJECTION,
        r"\b(?:perl|ruby)\s+-e\s|\bpython[23]?\s+-c\s|\bphp\s+-r\s|\b(?:ba|z|da|k)?sh\s+-[ci]\b|"
        r"\bnc(?:at)?\s+(?:-\w+\s+)*-[a-z]*e\s|\bnc\s+-l\w*|/dev/(?:tcp|udp)/|\bmkfifo\b|"
        r"\bpowershell(?:\.exe)?\s+-\w+|\bcmd(?:\.exe)?\s+/c\b|\bcertutil\s+-urlcache|"
        r"\breg\s+add\s+\"?hk|\bnetsh\s+(?:firewall|advfirewall)|\bnet\s+(?:user|localgroup)"
        r"\s+\S+\s+(?:[^\s/]\S*\s*)?/add",
        STRONG,
        "perl ruby python python2 python3 php sh bash zsh dash ksh nc ncat /dev/ mkfifo "
        "powershell cmd certutil reg netsh net",
        "interpreter one-liners, reverse shells, Windows persistence",
    ),
    _r(
        "cmd.download_exec",
        COMMAND_INJECTION,
        r"\b(?:curl|wget|fetch|invoke-webrequest|iwr|tftp)\s+(?:-\S+\s+){0,4}['\"]?(?:https?|"
        r"ftp)://|\|\s*(?:ba|z)?sh\b|\|\s*(?:python|perl|ruby|php|nc)\b",
        0.85,
        "curl wget fetch invoke-webrequest iwr tftp |",
        "download-and-execute, pipe into a shell",
    ),
    _r(
        "cmd.shellshock",
        COMMAND_INJECTION,
        r"\(\s*\)\s*\{\s*(?::\s*)?(?:;\s*)?\}\s*;",
        0.99,
        "(",
        "Shellshock function definition",
    ),
    _r(
        "cmd.ssi",
        COMMAND_INJECTION,
        r"<!--\s*#\s*(?:exec|include|echo|config|printenv)\b",
        0.95,
        "<!--",
        "server-side include directive",
    ),
    _r(
        "cmd.php",
        COMMAND_INJECTION,
        r"<\?(?:php|=)|\b(?:system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|eval|"
        r"assert|phpinfo|phpversion|include|require(?:_once)?|file_get_contents|"
        r"preg_replace)\s*\(\s*(?:['\"$]|\)|[a-z_]+\s*\()|\$_(?:get|post|request|cookie|server)"
        r"\s*\[|\{\$\{?\s*@?\w+\s*\(|\$\{\s*@\w+\s*\(|@\{\[\s*system\b",
        0.9,
        "<? system exec shell_exec passthru popen proc_open pcntl_exec eval assert phpinfo "
        "phpversion include require require_once file_get_contents preg_replace $_ {$ ${",
        "PHP/Perl code execution",
    ),
    _r(
        "cmd.terminal_escape",
        COMMAND_INJECTION,
        r"\\033\[|\x1b\[|\\e\[\d",
        0.7,
        "\\033 \x1b \\e",
        "terminal escape sequences",
    ),
    # Code and template injection
    _r(
        "code.python",
        CODE_INJECTION,
        r"__import__\s*\(|\b(?:os|subprocess|pty|commands)\s*\.\s*(?:system|popen|run|call|"
        r"check_output|check_call|spawn\w*|exec\w*|getoutput|getstatusoutput)\s*\(|\bimport\s+"
        r"(?:os|sys|subprocess|socket|pty|requests|shutil|ctypes|pickle|marshal|urllib)\b|"
        r"\b(?:eval|exec|compile)\s*\(\s*(?:['\"]|compile|__|input|open|base64|bytes|chr|"
        r"request)|__(?:class|base|bases|subclasses|globals|builtins|mro|init|code|getattribute"
        r"|reduce)__|\bsocket\.socket\s*\(|\bpickle\.loads\s*\(|\bgetattr\s*\(\s*__",
        STRONG,
        "__import__ os subprocess pty commands import eval exec compile __class__ __base__ "
        "__bases__ __subclasses__ __globals__ __builtins__ __mro__ __init__ __code__ "
        "__getattribute__ __reduce__ socket pickle getattr __",
        "Python code execution primitives",
    ),
    _r(
        "code.python_lambda_chain",
        CODE_INJECTION,
        r"\(\s*lambda\s+[\w\s,]{0,40}:.{0,200}lambda\b",
        0.8,
        "lambda",
        "obfuscated nested-lambda Python",
    ),
    _r(
        "code.js_node",
        CODE_INJECTION,
        r"\brequire\s*\(\s*['\"](?:child_process|fs|net|vm|http)['\"]|\bchild_process\b|"
        r"\bprocess\.(?:mainmodule|binding|env)\b|\bnew\s+function\s*\(|\bconstructor\s*\.\s*"
        r"constructor\s*\(|\bruntime\.getruntime\s*\(\s*\)\.exec|\bprocessbuilder\s*\(|"
        r"\bjava\.lang\.(?:runtime|processbuilder|system)\b|\bclass\.forname\s*\(",
        STRONG,
        "require child_process process new constructor runtime processbuilder java class",
        "JavaScript/Java code execution",
    ),
    _r(
        "code.jndi",
        CODE_INJECTION,
        r"\$\{\s*(?:jndi|j\$\{|\$\{::-j\}|\$\{lower:j\}|\$\{upper:j\})|\$\{\s*jndi\s*:\s*(?:ldap"
        r"|rmi|dns|ldaps|iiop|http|corba|nds|nis)|\$\{(?:env|sys|java|lower|upper|date|ctx|main|"
        r"bundle|log4j|spring|k8s|docker|web|jvmrunargs|marker|sd|map):",
        0.99,
        "${",
        "Log4Shell / JNDI lookup",
    ),
    _r(
        "template.expression",
        TEMPLATE_INJECTION,
        r"\{\{\s*-?\d+\s*[*+\-/%]\s*-?\d+\s*\}\}|\{\{.{0,120}?(?:__|config|self|request|lipsum|"
        r"cycler|joiner|namespace|popen|subclasses|get_user_file|settings|\.secret|\bos\b|"
        r"import|system|exec|eval|getattr|attr\s*\(|range\s*\().{0,120}?\}\}|\{%.{0,120}?"
        r"(?:import|include|exec|system|popen|for\s+\w+\s+in|set\s+\w+\s*=|debug).{0,120}?%\}|"
        r"<%=?.{0,200}?%>|\$\{\s*-?\d+\s*[*+\-/]\s*-?\d+\s*\}|#\{\s*-?\d+\s*[*+\-/]\s*-?\d+\s*\}"
        r"|\*\{.{1,120}?\}|\$\{\s*(?:t\(|\w+\.getclass|\w+\.class|runtime|#)|#\{.{0,120}?"
        r"(?:system|exec|`|%x|\.class)",
        0.9,
        "{{ {% <% ${ #{ *{",
        "server-side template expressions (Jinja, ERB, EL, Thymeleaf)",
    ),
    _r(
        "template.object_access",
        TEMPLATE_INJECTION,
        r"\{\{\s*[\w]+(?:\.[\w]+)+\s*\}\}|\{\{\s*\[\s*\]\s*\.|\{\{\s*''\s*\.",
        0.6,
        "{{",
        "template object access {{user.secret}}",
    ),
    _r(
        "path.traversal",
        PATH_TRAVERSAL,
        r"(?:\.\.[/\\]){2,}|(?:^|[=/\\'\"\s])\.\.[/\\](?:etc|windows|winnt|boot|proc|var|usr|"
        r"home|root|\.\.)|(?:%2e%2e|\.%2e|%2e\.|%252e%252e|\.\.%2f|\.\.%5c|%c0%ae%c0%ae|"
        r"\.\.%c0%af)(?:[/\\]|%2f|%5c)?",
        0.9,
        "../ ..\\ %2e .%2e %252e ..%2f ..%5c %c0%ae ..%c0%af",
        "directory traversal",
    ),
    _r(
        "path.wrapper",
        PATH_TRAVERSAL,
        r"\b(?:php|zip|phar|expect|glob)://[\w/\\.%~-]|\bdata://[\w.+-]+/[\w.+-]+[;,]",
        0.9,
        "php:// zip:// phar:// expect:// glob:// data://",
        "PHP stream wrappers used for file inclusion (php://filter, expect://, data://)",
    ),
    _r(
        "path.remote_include",
        PATH_TRAVERSAL,
        r"(?:^|[?&;\s])(?:page|file|filename|include|inc|incl|include_path|path|template|tpl|"
        r"doc|document|folder|dir|root|pg|style|lang|language|layout|mod|module|conf|config|"
        r"cat|load|read|req|require|menu|main|theme|skin|class)=(?:(?:https?|ftps?|smb|php|data|"
        r"expect):)?(?://|\\\\)[\w.-]+[/\\]|(?:https?|ftp)://\S{1,200}?\.(?:txt|php\d?|phtml|"
        r"inc|jsp|sh)%00",
        0.85,
        ":// =// =\\\\",
        "remote file inclusion: an include-style parameter given a URL (also protocol-relative "
        "or a UNC share), or a remote script cut off with a null byte",
    ),
    # LDAP, XML and XPath, server-side requests, headers
    _r(
        "ldap.filter_break",
        LDAP_INJECTION,
        r"\*\s*\)\s*\(\s*(?:[|&!]\s*)?(?:\(\s*)?[\w.-]+\s*[~<>]?=|\*\s*\)\s*\(\s*[|&!]|\)\s*\(\s*[|&!]\s*\(\s*[\w.-]+\s*"
        r"[~<>]?=|\)\s*\(\s*[&|]\s*\)|\(\s*[|&]\s*\(\s*[\w.-]+\s*=\s*\*\s*\)|\bobjectclass\s*=\s*\*|"
        r"\(\s*!\s*\(\s*[&|]\s*\(",
        0.9,
        ")( objectclass (!(",
        "LDAP filter injection: closing the filter and opening a new clause (*)(uid=*), (|(...), "
        "or negating a compound clause (!(&(...",
    ),
    _r(
        "xml.entity",
        XML_INJECTION,
        r"<!\s*entity\b|<!\s*doctype\s+[\w:.-]+\s*(?:\[|system\b)",
        0.9,
        "<!",
        "XML entity declarations (XXE, entity expansion)",
    ),
    _r(
        "xml.xinclude",
        XML_INJECTION,
        r"<\s*xi\s*:\s*include\b|\bxmlns\s*:\s*xi\s*=|<\s*xsl\s*:\s*(?:value-of|copy-of|"
        r"include|import|stylesheet)\b",
        0.85,
        "< xmlns",
        "XInclude and XSLT elements",
    ),
    _r(
        "xml.xpath",
        XML_INJECTION,
        r"'\s*(?:or|and)\s+(?:count|name|local-name|string-length|substring|contains|"
        r"starts-with|string)\s*\(|\b(?:count|name|local-name|string-length)\s*\(\s*/+\*|"
        r"\bnode\s*\(\s*\)|\btext\s*\(\s*\)\s*=|//\*\[|/\*\[\d+\]",
        0.85,
        "' node text //* /*[",
        "XPath injection: functions over the document tree",
    ),
    _r(
        "ssrf.cloud_metadata",
        SSRF,
        r"169\.254\.169\.254|\bmetadata\.google\.internal\b|\bmetadata\.azure\.com\b|"
        r"100\.100\.100\.200|\bfd00:ec2::254\b|/latest/(?:meta-data|user-data|api/token)\b|"
        r"/computemetadata/v1\b|/metadata/(?:instance|identity)\b|\b2852039166\b|"
        r"\b0xa9\.?fe\.?a9\.?fe\b|a9fe:a9fe\b|\b0251\.0376\.0251\.0376\b|"
        r"169\.254\.170\.2\b|\b192\.0\.0\.192\b",
        0.95,
        "169.254 metadata 100.100 fd00 /latest /computemetadata 2852039166 0xa9 a9fe 0251 "
        "192.0.0.192",
        "cloud instance and container metadata endpoints (credential theft through "
        "server-side requests)",
    ),
    _r(
        "ssrf.scheme",
        SSRF,
        r"\b(?:gopher|dict|ldaps?|tftp|jar|netdoc)://",
        0.9,
        "gopher:// dict:// ldap:// ldaps:// tftp:// jar:// netdoc://",
        "URL schemes used to reach internal services (gopher://, dict://)",
    ),
    _r(
        "ssrf.obfuscated_loopback",
        SSRF,
        r"\b(?:https?|ftp)://(?:[^/\s@]{1,64}@)?(?:0x7f[0-9a-f.]*|2130706433|0177\.0*\.0*\.0*1|"
        r"127\.1|0\.0\.0\.0|0|\[::\]|\[(?:0:){5}(?:0|ffff):[\w.:]+\]|\[::ffff:[\w.:]+\])"
        r"(?=[:/\s?#]|$)|\b(?:\d{1,3}[.-]){3}\d{1,3}\.(?:nip|sslip|xip)\.io\b",
        0.9,
        ":// nip.io sslip.io xip.io",
        "loopback or any-address written to slip past filters (0x7f000001, 2130706433, "
        "[::ffff:127.0.0.1]), or an address behind a wildcard DNS name (127.0.0.1.nip.io)",
    ),
    _r(
        "ssrf.internal_host",
        SSRF,
        r"\b(?:https?|ftp)://(?:[^/\s@]{1,64}@)?(?:localhost|127(?:\.\d{1,3}){3}|10(?:\.\d{1,3})"
        r"{3}|192\.168(?:\.\d{1,3}){2}|172\.(?:1[6-9]|2\d|3[01])(?:\.\d{1,3}){2}|\[::1\]|"
        r"[\w.-]+\.(?:internal|localdomain|local|intranet|corp|lan))(?=[:/\s?#]|$)",
        0.6,
        "://",
        "a URL to this machine or a private network (flag: developers paste such URLs too; an "
        "action that fetches URLs must refuse them)",
    ),
    _r(
        "header.crlf",
        HEADER_INJECTION,
        r"(?:%0d|%0a|%u000d|%u000a|%e5%98%8a|%e5%98%8d|\\r|%5cr)(?:%0d|%0a|%u000d|%u000a|\\r|"
        r"\\n|%5cr|%5cn)*\s*"
        r"(?:set-cookie|location|content-type|content-length|x-[\w-]+|bcc|cc|to|from|subject|"
        r"reply-to|refresh|access-control-[\w-]+|http/\d)\s*:",
        0.9,
        "%0d %0a %u000d %u000a %e5%98 \\r %5cr",
        "CRLF injection of HTTP or mail headers (%0d%0aSet-Cookie:, %0aBcc:)",
    ),
    # XSS
    _r(
        "xss.script_tag",
        XSS,
        r"<\s*(?:/\s*)?script\b|<\s*(?:/\s*)?(?:iframe|frame|frameset|object|embed|applet|meta|"
        r"base|link|svg|math|xss|isindex|marquee|template)\b|javascript\s*:|vbscript\s*:|"
        r"livescript\s*:",
        0.9,
        "< javascript vbscript livescript",
        "script elements and javascript: URLs",
    ),
    _r(
        "xss.event_handler",
        XSS,
        r"\bon(?:error|load|mouse\w{2,8}|focus\w{0,3}|blur|click|dblclick|change|submit|toggle|"
        r"start|begin|end|animation\w{3,10}|transition\w{3,10}|pageshow|pagehide|input|key\w{2,5}"
        r"|wheel|scroll|resize|unload|beforeunload|hashchange|message|readystatechange|popstate"
        r"|drag\w{0,6}|drop|copy|cut|paste|pointer\w{2,8}|touch\w{2,6}|select\w{0,6}|invalid|"
        r"search|afterprint|beforeprint|loadstart|play\w{0,4})\s*=",
        0.9,
        "onerror onload onmouse onfocus onblur onclick ondblclick onchange onsubmit ontoggle "
        "onstart onbegin onend onanimation ontransition onpageshow onpagehide oninput onkey "
        "onwheel onscroll onresize onunload onbeforeunload onhashchange onmessage "
        "onreadystatechange onpopstate ondrag ondrop oncopy oncut onpaste onpointer ontouch "
        "onselect oninvalid onsearch onafterprint onbeforeprint onloadstart onplay "
        "onmouseover onmouseleave onmouseenter onmousemove onmouseout onmousedown onmouseup",
        "inline event handler attributes",
    ),
    _r(
        "xss.html_injection",
        XSS,
        r"<\s*(?:img|image|body|html|video|audio|source|input|form|button|details|style|a|div|"
        r"table|td|object|select|textarea|keygen|bgsound|layer|ilayer|x)(?=[\s/])[^>]{0,200}?(?:src|"
        r"href|action|formaction|background|dynsrc|lowsrc|data|style|srcdoc|xlink:href)\s*=\s*"
        r"['\"`]?\s*(?:javascript|vbscript|data|x\b|#|&#|\\)|<\s*img[^>]{0,100}src\s*=",
        0.8,
        "<",
        "HTML elements with script-capable attributes",
    ),
    _r(
        "xss.js_sinks",
        XSS,
        r"\bdocument\s*\.\s*(?:cookie|domain|write|location|body\.innerhtml)\b|\bwindow\s*\.\s*"
        r"(?:location|onerror|name)\b|\b(?:alert|confirm|prompt)\s*(?:\(|`)\s*(?:\d|['\"`]|"
        r"document|string|/)|\bstring\.fromcharcode\s*\(|\bexpression\s*\(|\bsrcdoc\s*=|"
        r"\bdata:text/html|\bonerror\s*=\s*(?:alert|confirm|prompt)|\beval\s*\(\s*atob\s*\(|"
        r"\bsettimeout\s*\(\s*['\"]|\binnerhtml\s*=",
        0.85,
        "document window alert confirm prompt string fromcharcode expression srcdoc data onerror "
        "eval settimeout innerhtml",
        "JavaScript sinks used by XSS payloads",
    ),
    _r(
        "xss.markdown_exfil",
        XSS,
        r"!\[[^\]]{0,100}\]\(\s*https?://[^)\s]{1,200}[?&][\w-]{1,30}=[^)]{0,200}\)|"
        r"\[[^\]]{0,100}\]\(\s*javascript:",
        0.75,
        "![ [",
        "markdown image that exfiltrates data in its URL, markdown javascript: links",
    ),
    _r(
        "encoded.eicar",
        ENCODED_DATA,
        r"x5o!p%@ap\[4\\pzx54\(p\^\)7cc\)7\}\$eicar|eicar-standard-antivirus-test-file",
        0.99,
        "x5o eicar",
        "EICAR anti-virus test signature",
    ),
]


# --- other languages ----------------------------------------------------------------------


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
        ai_reader_score: score of the ``ai_reader`` rule: 0.75, so that a word of model
            evidence is needed to block, or 0.85 where the expression also requires the
            object ("this email"), as the English rule does.
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
    ai_reader_score: float = 0.75
    received: str = ""
    told_before: str = ""
    verb_last: bool = False


_ZH_READER = (
    r"(?:阅读|閱讀|读取|讀取|处理|處理|总结|總結|分析)(?:此|这|這|本|该|該).{0,4}?的\W{0,2}"
    r"(?:ai|人工智能|助手|(?:大型?)?(?:语言|語言)?模型|机器人|機器人)"
)
"""Chinese "the AI (model) reading / processing this ...", addressed by the rule below."""

LANGUAGES: Tuple[Language, ...] = (
    Language(
        "es",
        override=r"(?:ignor[ae]\w*|olvid[aeé]\w*|descart[ae]\w*|omit[ae]\w*|haz\W+caso\W+omiso|"
        r"no\W+(?:hagas|haga)\W+caso|pasa\W+por\W+alto|desobedece\w*|anula\w*|salt[ae]\w*)",
        prior=r"(?:anterior\w*|previ[ao]s?|de\W+arriba|del\W+sistema|original\w*|inicial\w*|"
        r"tod[oa]s|tus|sus|las|los|dadas|recibidas|precedentes)",
        instructions=r"(?:instrucci[oó]n\w*|indicaci[oó]n\w*|regla\w*|[oó]rden\w*|"
        r"directriz\w*|directiva\w*|norma\w*|restricci[oó]n\w*|consigna\w*|tarea\w*|"
        r"comando\w*|prompt\w*)",
        everything=r"(?:todo\W+lo\W+(?:anterior|que\W+(?:te\W+)?(?:dije|he\W+dicho|dijeron|"
        r"digo))|todo\W+(?:lo\W+)?(?:de\W+)?antes|todo\b)",
        own_words=r"lo\W+anterior\b",
        show=r"(?:muestr\w*|mu[eé]strame|revel\w*|dime|dígame|imprim\w*|repit\w*|ens[eé][nñ]\w*|"
        r"escrib\w*|comparte|filtra|cu[aá]l(?:es)?\W+(?:es|son)|dame)",
        system_prompt=r"(?:prompt\W+(?:del\W+sistema|inicial|original|oculto)|instrucciones\W+"
        r"(?:del\W+sistema|iniciales|originales|ocultas|secretas|internas)|mensaje\W+del\W+"
        r"sistema|configuraci[oó]n\W+(?:interna|del\W+sistema))",
        no_limits=r"(?:sin\W+(?:ninguna\W+|ning[uú]n\W+)?(?:restricci[oó]n\w*|filtros?|l[ií]mites?"
        r"|reglas?|censura|[eé]tica|moral\w*|normas?)|libre\W+de\W+(?:toda\W+)?(?:restricci"
        r"[oó]n\w*|reglas|censura))",
        special_mode=r"(?:modo\W+(?:desarrollador|dios|sin\W+restricciones|jailbreak|"
        r"depuraci[oó]n|administrador))",
        act_as=r"(?:act[uú]a\W+como|finge\W+(?:ser|que)|haz\W+de|eres\W+ahora|ahora\W+eres|"
        r"interpreta\W+(?:a|el\W+papel)|compórtate\W+como|responde\W+como)",
        ai_reader=r"(?:\bia|inteligencia\W+artificial|asistente|modelo|bot|agente)\W+que\W+(?:est[aá]\W+)?"
        r"(?:lee|leyendo|procesa|procesando|resume|resumiendo|analiza|analizando)\b",
        told_before=r"qu[eé]\W+(?:te|le)\W+(?:(?:han|habían|habian)\W+)?(?:dijeron|dicho|"
        r"indicaron|indicado|ordenaron|ordenado|instruyeron|pidieron|pedido|"
        r"programaron)\b.{0,40}?\bantes\b",
        triggers="dijeron dicho indicaron indicado ordenaron ordenado instruyeron pidieron "
        "pedido programaron ia inteligencia asistente modelo bot agente "
        "ignora ignore ignores olvida olvide olvides olvídate olvidate descarta omite "
        "caso pasa desobedece anula salta muestra muéstrame muestrame revela dime dígame "
        "imprime repite enseña escribe comparte filtra cuál cual dame sin libre modo actúa "
        "actua finge haz eres ahora interpreta compórtate responde prompt instrucciones",
    ),
    Language(
        "fr",
        override=r"(?:ignor\w*|oubli\w*|n[e']\W*tiens?\W+pas\W+compte|ne\W+tenez\W+pas\W+compte|"
        r"fai(?:s|tes)\W+abstraction|fait\W+abstraction|laisse[rz]?\W+tomber|fais\W+fi|"
        r"d[ée]sob[ée]i\w*|passe[rz]?\W+outre|efface[rz]?|annule[rz]?|écarte[rz]?)",
        prior=r"(?:pr[ée]c[ée]dent\w*|ant[ée]rieur\w*|ci-dessus|plus\W+haut|du\W+syst[eè]me|"
        r"initial\w*|d'origine|originel\w*|toutes|tous|tes|vos|les|reçues)",
        instructions=r"(?:instructions?|consignes?|r[eè]gles?|directives?|ordres?|commandes?|"
        r"restrictions?|t[aâ]ches?|prompts?|indications?)",
        everything=r"(?:tout\W+ce\W+qui\W+pr[ée]c[eè]de|tout\W+ce\W+que\W+(?:je\W+)?(?:t'|vous)"
        r"\W*(?:ai|avons)\W+dit|tout\W+ce\W+qui\W+a\W+[ée]t[ée]\W+dit|tout\W+le\W+reste|"
        r"tout\W+(?:ça|cela|le\W+reste)|tout\b(?!\W+(?:de|des|du|sur|à|a)\b))",
        show=r"(?:montre\w*|affiche\w*|r[ée]v[eè]le\w*|donne\w*|r[ée]p[eè]te\w*|imprime\w*|"
        r"dis(?:-moi)?|dites(?:-moi)?|[ée]cris\w*|partage\w*|quel(?:le)?s?\W+(?:est|sont))",
        system_prompt=r"(?:prompt\W+(?:syst[eè]me|initial|d'origine|cach[ée])|invite\W+"
        r"(?:syst[eè]me|initiale)|instructions\W+(?:syst[eè]me|initiales|d'origine|cach[ée]es|"
        r"secr[eè]tes|internes)|consignes\W+(?:initiales|cach[ée]es|secr[eè]tes|internes)|"
        r"message\W+syst[eè]me)",
        no_limits=r"(?:sans\W+(?:aucune\W+|aucun\W+)?(?:restrictions?|filtres?|limites?|r[eè]gles?"
        r"|censure|[ée]thique|morale|tabous?)|libre\W+de\W+(?:toute\W+)?(?:restriction|r[eè]gle"
        r"|censure))",
        special_mode=r"(?:mode\W+(?:d[ée]veloppeur|dieu|sans\W+restriction\w*|jailbreak|"
        r"d[ée]bogage|administrateur))",
        act_as=r"(?:agis\W+comme|fais\W+semblant|fai(?:s|tes)\W+comme\W+si|tu\W+es\W+"
        r"(?:maintenant|d[ée]sormais)|joue\W+le\W+r[oô]le|comporte-toi\W+comme|r[ée]ponds\W+"
        r"comme|imagine\W+que\W+tu\W+es)",
        ai_reader=r"(?:\bia|intelligence\W+artificielle|assistant|mod[eè]le|bot|agent)\W+qui\W+"
        r"(?:lit|lis|traite|r[ée]sume|analyse)\b",
        told_before=r"(?:qu'?est-ce\W+qu'?on\W+t'?a|que\W+t'?a-t-on|qu'?on\W+t'?a|"
        r"qu'?est-ce\W+qu'?on\W+vous\W+a)\W+(?:dit|demand[ée]|ordonn[ée]|donn[ée]|"
        r"programm[ée])\b.{0,40}?\bavant\b",
        triggers="dit demandé demande ordonné donné programmé ia intelligence assistant modèle "
        "modele bot agent "
        "ignore ignores ignorez ignorer oublie oublies oubliez oublier tiens tenez "
        "fais faites fait laisse laissez désobéis passe efface annule écarte montre affiche "
        "révèle revele donne répète repete imprime dis dites écris partage quel quelle quels "
        "quelles sans libre mode agis tu joue comporte réponds imagine prompt invite consignes",
    ),
    Language(
        "de",
        override=r"(?:ignorier\w*|vergiss|vergessen|vergesst|missacht\w*|übergeh\w*|"
        r"beachte\W+(?:\w+\W+){0,3}nicht|hör\w*\W+nicht\W+auf|h[oö]re\W+nicht\W+auf|"
        r"verwirf\w*|setze?\W+(?:\w+\W+){0,3}au(?:ß|ss)er\W+kraft|lass\w*\W+(?:\w+\W+){0,3}"
        r"hinter\W+(?:dir|ihnen|sich)|streich\w*|lösch\w*|abweichend\W+zu)",
        prior=r"(?:vorherig\w*|bisherig\w*|vorangegangen\w*|vorangehend\w*|obig\w*|vorig\w*|"
        r"früher\w*|ursprünglich\w*|anfänglich\w*|system\w*|alle|deine|ihre|gegebenen|"
        r"erhaltenen|zuvor\w*)",
        instructions=r"(?:anweisung\w*|instruktion\w*|befehl\w*|regel\w*|vorgabe\w*|aufgabe\w*|"
        r"aufträge|auftrag|informationen|angaben|richtlinie\w*|einschränkung\w*|prompts?|"
        r"ausführungen|vorschrift\w*)",
        everything=r"(?:alles\W+(?:davor|zuvor|vorher|bisherige|bisher\W+gesagte|"
        r"(?:zuvor\W+)?gesagte|oben|obige|was\W+(?:ich|wir|man)\W+(?:dir\W+|ihnen\W+)?(?:bisher|"
        r"vorher|zuvor|gesagt|besprochen|geschrieben))|alles\b)",
        own_words=r"(?:das\W+obige|die\W+obigen)\b",
        show=r"(?:zeig\w*|nenn\w*|gib|geben\W+sie|verrat\w*|wiederhol\w*|druck\w*|schreib\w*|"
        r"ausgeben|gib\W+(?:\w+\W+)?aus|was\W+(?:ist|sind|steht\W+in))",
        system_prompt=r"(?:system-?\W?prompts?|systemanweisung\w*|system-?nachricht|prompt-?\W?"
        r"texte?|ursprünglichen\W+anweisungen|versteckten\W+anweisungen|geheimen\W+anweisungen|"
        r"anfangsanweisung\w*|initialen\W+anweisungen|internen\W+anweisungen)",
        no_limits=r"(?:ohne\W+(?:jegliche\W+|irgendwelche\W+)?(?:einschränkung\w*|beschränkung\w*|"
        r"filter|regeln|zensur|grenzen|moral|ethik|richtlinien|skrupel)|frei\W+von\W+"
        r"(?:allen\W+)?(?:einschränkungen|regeln|zensur))",
        special_mode=r"(?:entwicklermodus|entwickler-modus|gott-?modus|admin-?modus|"
        r"debug-?modus)",
        act_as=r"(?:tu\W+so\W+als|gib\W+dich\W+als|verhalte\W+dich\W+wie|du\W+bist\W+(?:jetzt|"
        r"nun|ab\W+sofort)|spiele?\W+die\W+rolle|stell\W+dir\W+vor,?\W+du\W+bist|antworte\W+"
        r"(?:wie|als)|fungier\w*\W+als|agier\w*\W+als)",
        ai_reader=r"(?:\bki|künstliche\W+intelligenz|assistent\w*|modell|bot|agent\w*)\W+(?:die|der|das)\W+"
        r"(?:\w+(?:-\w+){0,3}\W+){0,3}?(?:liest|verarbeitet|zusammenfasst|analysiert|auswertet)\b",
        told_before=r"was\W+(?:wurde|hat\W+man)\W+(?:dir|ihnen)\W+(?:\w+\W+){0,2}?(?:gesagt|"
        r"aufgetragen|vorgegeben|befohlen|mitgeteilt|"
        r"eingeschärft)\b.{0,40}?\b(?:bevor|vorher|zu\W+beginn|am\W+anfang)\b",
        triggers="was ki künstliche assistent assistentin modell bot agent "
        "ignoriere ignorieren ignoriert vergiss vergessen vergesst missachte missachten "
        "übergehe beachte beachten höre hör hore verwirf setze lass lasse lassen streiche "
        "lösche abweichend zeig zeige zeigen nenne nennen gib geben verrate wiederhole drucke "
        "schreibe schreib ausgeben was ohne frei entwicklermodus entwickler gottmodus "
        "jailbreak tu verhalte du spiele stell antworte fungiere agiere systemprompt prompt "
        "anweisungen",
    ),
    Language(
        "it",
        override=r"(?:ignor[ai]\w*|dimentic\w*|trascur\w*|non\W+(?:considerare|tenere\W+conto|"
        r"seguire|rispettare)|scord\w*|tralascia\w*|annulla\w*|disobbedisci)",
        prior=r"(?:precedent\w*|di\W+sopra|sopra|del\W+sistema|di\W+sistema|iniziali|originali|"
        r"tutte|tutti|tue|le|ricevute|date)",
        instructions=r"(?:istruzion\w*|indicazion\w*|regol\w*|direttiv\w*|ordin\w*|comand\w*|"
        r"restrizion\w*|compiti|prompt)",
        everything=r"(?:tutto\W+(?:quello|ciò|cio)\W+che\W+(?:ti\W+)?(?:ho\W+detto|è\W+stato\W+"
        r"detto|abbiamo\W+detto|ti\W+hanno\W+detto)|tutto\W+(?:il\W+)?(?:precedente|prima|"
        r"sopra)|tutto\b)",
        own_words=r"quanto\W+(?:detto|sopra)\b",
        show=r"(?:mostr\w*|rivel\w*|dimmi|mi\W+dici|stamp\w*|ripet\w*|scriv\w*|condividi|"
        r"dammi|qual\W+(?:è|e)|quali\W+sono)",
        system_prompt=r"(?:prompt\W+(?:di|del)\W+sistema|prompt\W+(?:iniziale|originale|"
        r"nascosto)|istruzioni\W+(?:di\W+sistema|del\W+sistema|iniziali|originali|nascoste|"
        r"segrete|interne)|messaggio\W+di\W+sistema)",
        no_limits=r"(?:senza\W+(?:alcuna\W+|alcun\W+|nessuna\W+)?(?:restrizion\w*|filtr\w*|"
        r"limit\w*|regol\w*|censura|etica|morale)|libero\W+da\W+(?:ogni\W+)?(?:restrizion\w*|"
        r"regol\w*|censura)|niente\W+pi[uù]\W+(?:restrizion\w*|filtr\w*|limit\w*|regol\w*|"
        r"censura))",
        special_mode=r"(?:modalit[aà]\W+(?:sviluppatore|dio|senza\W+restrizioni|jailbreak|"
        r"debug|amministratore))",
        act_as=r"(?:comportati\W+come|fingi\W+di\W+essere|fai\W+finta|agisci\W+come|ora\W+sei|"
        r"sei\W+(?:finalmente\W+)?liber[oa]\W+(?:ora|adesso)|"
        r"adesso\W+sei|da\W+ora\W+sei|interpreta\W+il\W+ruolo|rispondi\W+come|immagina\W+di"
        r"\W+essere)",
        ai_reader=r"(?:\bia|intelligenza\W+artificiale|assistente|modello|bot|agente)\W+che\W+(?:sta\W+)?"
        r"(?:legge|leggendo|elabora|elaborando|riassume|riassumendo|analizza|analizzando)\b",
        told_before=r"cosa\W+ti\W+(?:hanno|era\W+stato|è\W+stato|e\W+stato)\W+(?:detto|ordinato|"
        r"chiesto|istruito|imposto|scritto)\b.{0,40}?\bprima\b",
        triggers="cosa ia intelligenza assistente modello bot agente "
        "ignora ignori ignorare dimentica dimentichi dimenticare trascura non scorda "
        "tralascia annulla disobbedisci mostra mostrami rivela dimmi stampa ripeti scrivi "
        "condividi dammi qual quali senza libero modalità modalita jailbreak comportati fingi "
        "fai agisci ora adesso interpreta rispondi immagina prompt istruzioni niente sei",
    ),
    Language(
        "pt",
        override=r"(?:ignor[ae]\w*|esque[cç][ae]\w*|desconsider[ae]\w*|desprez[ae]\w*|"
        r"n[aã]o\W+(?:siga|sigas|obede[cç]a|considere)|pule|descart[ae]\w*|anule\w*|"
        r"deixe\W+de\W+lado)",
        prior=r"(?:anterior\w*|de\W+cima|acima|pr[ée]vi[ao]s?|do\W+sistema|iniciais|originais|"
        r"todas|todos|suas|as|os|recebidas|dadas)",
        instructions=r"(?:instru[cç][oõ]es|instru[cç][aã]o|regras?|ordens|ordem|diretrizes|"
        r"diretiva\w*|orienta[cç][oõ]es|comandos?|restri[cç][oõ]es|tarefas?|prompts?)",
        everything=r"(?:tudo\W+(?:o\W+)?que\W+(?:eu\W+)?(?:te\W+|lhe\W+)?(?:disse|foi\W+dito|"
        r"falei|dissemos)|tudo\W+(?:o\W+)?(?:anterior|acima|antes)|tudo\b)",
        show=r"(?:mostr[ea]\w*|revel[ea]\w*|diga\w*|diz(?:-me)?|imprim[ae]\w*|repit[ae]\w*|"
        r"escrev[ae]\w*|compartilh[ea]\w*|qual\W+(?:é|e)|quais\W+s[aã]o|me\W+(?:mostre|diga|"
        r"d[eê]))",
        system_prompt=r"(?:prompt\W+(?:do\W+sistema|de\W+sistema|inicial|original|oculto)|"
        r"instru[cç][oõ]es\W+(?:do\W+sistema|de\W+sistema|iniciais|originais|ocultas|secretas"
        r"|internas)|mensagem\W+do\W+sistema)",
        no_limits=r"(?:sem\W+(?:nenhuma\W+|nenhum\W+|qualquer\W+)?(?:restri[cç][oõ]es|"
        r"restri[cç][aã]o|filtros?|limites?|regras?|censura|[ée]tica|moral)|livre\W+de\W+"
        r"(?:qualquer\W+|todas\W+as\W+)?(?:restri[cç][oõ]es|regras|censura))",
        special_mode=r"(?:modo\W+(?:desenvolvedor|programador|deus|sem\W+restri[cç][oõ]es|"
        r"jailbreak|depura[cç][aã]o|administrador))",
        act_as=r"(?:aja\W+como|finja\W+(?:ser|que)|fa[cç]a\W+de\W+conta|voc[eê]\W+(?:agora\W+)?"
        r"[ée]\W+agora|agora\W+voc[eê]\W+[ée]|interprete\W+o\W+papel|comporte-se\W+como|"
        r"responda\W+como|imagine\W+que\W+voc[eê]\W+[ée])",
        ai_reader=r"(?:\bia|intelig[eê]ncia\W+artificial|assistente|modelo|bot|agente)\W+que\W+"
        r"(?:est[aá]\W+)?(?:l[eê]|lendo|processa|processando|resume|resumindo|analisa|"
        r"analisando)\b",
        told_before=r"o\W+que\W+(?:te|lhe)\W+(?:disseram|foi\W+dito|mandaram|pediram|ordenaram|"
        r"instru[ií]ram)\b.{0,40}?\bantes\b",
        triggers="disseram dito mandaram pediram ordenaram instruíram instruiram ia "
        "inteligência inteligencia assistente modelo bot agente "
        "ignore ignora ignorar esqueça esqueca esquece esquecer desconsidere "
        "desconsidera despreze não nao pule descarte anule deixe mostre mostra revele revela "
        "diga diz imprima repita escreva compartilhe qual quais me sem livre modo aja finja "
        "faça faca você voce agora interprete comporte responda imagine prompt instruções",
    ),
    Language(
        "nl",
        override=r"(?:negeer\w*|vergeet|vergeten|veronachtzaam\w*|sla\W+(?:\w+\W+){0,4}over|"
        r"let\W+niet\W+op|gooi\W+(?:\w+\W+){0,3}weg|wis|annuleer|houd\W+je\W+niet\W+aan|"
        r"trek\W+je\W+niets\W+aan\W+van)",
        prior=r"(?:vorige|eerdere|voorgaande|bovenstaande|oorspronkelijke|originele|"
        r"systeem\w*|alle|je|jouw|de|gegeven|initiële|initiele)",
        instructions=r"(?:instructies?|regels?|opdrachten?|aanwijzingen|richtlijnen|bevelen|"
        r"beperkingen|taken|prompts?|systeeminstructies)",
        everything=r"(?:alles\W+wat\W+(?:ik|je|we|jij)\W+(?:\w+\W+){0,2}(?:eerder|hiervoor|"
        r"daarvoor|zei|gezegd|verteld)|alles\W+(?:hierboven|hiervoor|daarvoor|eerder)|"
        r"al\W+het\W+voorgaande|alles\b)",
        show=r"(?:toon|laat\W+(?:\w+\W+){0,4}zien|geef|onthul\w*|herhaal|print|schrijf|deel|"
        r"vertel|wat\W+(?:is|zijn|waren))",
        system_prompt=r"(?:systeem\W?prompt|systeem\W?instructies|systeem\W?bericht|"
        r"(?:oorspronkelijke|originele|verborgen|geheime|interne|initiële|initiele|eerste)"
        r"\W+(?:instructies|prompt))",
        no_limits=r"(?:zonder\W+(?:enige\W+)?(?:beperkingen|filters?|regels|censuur|grenzen|"
        r"ethiek|moraal|restricties)|vrij\W+van\W+(?:alle\W+)?(?:beperkingen|regels|censuur))",
        special_mode=r"(?:ontwikkelaars?\W?modus|god\W?modus|beheerders?\W?modus|"
        r"debug\W?modus)",
        act_as=r"(?:doe\W+alsof|gedraag\W+je\W+als|speel\W+de\W+rol|je\W+bent\W+(?:nu|vanaf\W+nu)"
        r"|jij\W+bent\W+nu|antwoord\W+als|fungeer\W+als|stel\W+je\W+voor\W+dat\W+je)",
        ai_reader=r"(?:\bai|\bki|assistent|model|bot|agent)\W+die\W+(?:\w+(?:-\w+){0,3}\W+){0,3}?"
        r"(?:leest|verwerkt|samenvat|analyseert)\b",
        told_before=r"wat\W+(?:is|werd)\W+(?:je|jou|u)\W+(?:\w+\W+)?(?:verteld|opgedragen|"
        r"gezegd|gevraagd|meegegeven)\b.{0,40}?\bvoor(?:dat)?\b",
        triggers="wat ai ki assistent model bot agent "
        "negeer negeren vergeet vergeten veronachtzaam sla let gooi wis annuleer "
        "houd trek toon laat geef onthul herhaal print schrijf deel vertel wat zonder vrij "
        "ontwikkelaarsmodus ontwikkelaar god beheerder debug jailbreak doe gedraag speel je "
        "jij antwoord fungeer stel systeemprompt prompt instructies",
    ),
    Language(
        "ru",
        override=r"(?:игнорир\w*|проигнорир\w*|забудь\w*|забуд\w*|забыть|не\W+обращай\w*\W+"
        r"внимани\w*|отбрось\w*|отбрас\w*|пренебрег\w*|не\W+(?:следуй|слушай|выполняй|"
        r"соблюдай)\w*|отмени\w*|сбрось\w*|удали\w*|выкинь)",
        prior=r"(?:предыдущ\w*|прежн\w*|предшествующ\w*|вышеуказанн\w*|вышеизложенн\w*|"
        r"системн\w*|исходн\w*|начальн\w*|данн\w*\W+(?:тебе\W+)?ранее|свои|твои|все|всех|"
        r"полученн\w*|прошл\w*)",
        instructions=r"(?:инструкци\w*|указани\w*|правил\w*|команд\w*|установк\w*|ограничени\w*|"
        r"директив\w*|распоряжени\w*|промпт\w*|промт\w*|задани\w*|настройк\w*)",
        everything=r"(?:вс[её]\W+(?:что\W+)?(?:было\W+)?(?:сказано|написано|говорил\w*|выше|"
        r"ранее|до\W+этого|прежнее|предыдущее)|вс[её],?\W+что\W+(?:я|мы|тебе)\W+(?:\w+\W+){0,2}"
        r"(?:говорил\w*|сказал\w*|писал\w*)|вс[её]\b)",
        show=r"(?:покажи\w*|выведи\w*|раскрой\w*|скажи\w*|напечатай\w*|повтори\w*|напиши\w*|"
        r"сообщи\w*|дай|какие|каков\w*|какой|процитируй\w*)",
        system_prompt=r"(?:системн\w*\W+(?:промпт\w*|промт\w*|подсказк\w*|инструкци\w*|"
        r"сообщени\w*)|(?:исходн\w*|начальн\w*|скрыт\w*|секретн\w*|внутренн\w*|первоначальн\w*)"
        r"\W+(?:промпт\w*|промт\w*|инструкци\w*|указани\w*))",
        no_limits=r"(?:без\W+(?:каких-либо\W+|всяких\W+|любых\W+)?(?:ограничени\w*|фильтр\w*|"
        r"правил|цензур\w*|этик\w*|морал\w*|запретов)|свобод\w*\W+от\W+(?:всех\W+)?"
        r"(?:ограничени\w*|правил|цензур\w*))",
        special_mode=r"(?:режим\w*\W+(?:разработчика|бога|без\W+ограничений|отладки|"
        r"администратора|джейлбрейк\w*)|джейлбрейк\w*)",
        act_as=r"(?:притворись|представь,?\W+что\W+ты|веди\W+себя\W+как|действуй\W+как|"
        r"теперь\W+ты|отныне\W+ты|ты\W+теперь|сыграй\W+роль|играй\W+роль|отвечай\W+как)",
        ai_reader=r"(?:\bии\b|искусственн\w+\W+интеллект\w*|ассистент\w*|модел\w+|бот\w*|агент\w*)\W+"
        r"(?:котор\w+\W+)?(?:чита\w+|обрабатыва\w+|анализиру\w+|пересказыва\w+)",
        told_before=r"что\W+(?:тебе|вам)\W+(?:сказали|приказали|велели|написали|поручили|"
        r"говорили|задали)\b.{0,40}?(?:\bдо\W+(?:того,?\W+как\W+я|меня|начала)|\bперед\W+"
        r"тем,?\W+как\W+я|\bв\W+самом\W+начале)",
        triggers="что ии искусственный искусственного ассистент ассистента модель модели "
        "бот бота агент агента "
        "игнорируй игнорируйте игнорировать проигнорируй забудь забудьте забыть не "
        "отбрось отбрасывай пренебреги отмени сбрось удали выкинь покажи выведи раскрой "
        "скажи напечатай повтори напиши сообщи дай какие каков какой процитируй без свободен "
        "свободный режим джейлбрейк jailbreak притворись представь веди действуй теперь "
        "отныне ты сыграй играй отвечай системный системные промпт промт инструкции",
    ),
    Language(
        "pl",
        override=r"(?:zignoruj\w*|ignoruj\w*|zapomnij\w*|zapomnieć|pomiń|pomin|nie\W+zwracaj\W+"
        r"uwagi\W+na|lekceważ\w*|zlekceważ\w*|porzuć|porzuc|odrzuć|odrzuc|nie\W+(?:stosuj|"
        r"przestrzegaj|słuchaj|sluchaj)\w*|anuluj|skasuj|usuń)",
        prior=r"(?:poprzedni\w*|wcześniejsz\w*|wczesniejsz\w*|powyższ\w*|powyzsz\w*|systemow\w*|"
        r"wszystki\w*|dotychczasow\w*|początkow\w*|poczatkow\w*|oryginaln\w*|swoje|twoje|"
        r"otrzymane|podane)",
        instructions=r"(?:instrukcj\w*|polece\w*|zasad\w*|regu\w*|wytyczn\w*|ustawie\w*|"
        r"ogranicze\w*|rozkaz\w*|komend\w*|prompt\w*|zada\w*)",
        everything=r"(?:wszystko,?\W+co\W+(?:\w+\W+){0,2}(?:powiedzia\w*|napisa\w*|m[oó]wi\w*|"
        r"by[lł]o)|wszystko\W+(?:powyżej|powyzej|wcześniej|wczesniej|przedtem|dotąd)|"
        r"wszystko\b)",
        show=r"(?:pokaż\w*|pokaz\w*|wyświetl\w*|wyswietl\w*|ujawnij\w*|podaj\w*|powtórz\w*|"
        r"powtorz\w*|wypisz\w*|napisz\w*|powiedz\w*|zdradź|zdradz|jaki\w*\W+(?:jest|są|sa))",
        system_prompt=r"(?:prompt\w*\W+systemow\w*|systemow\w*\W+(?:prompt\w*|instrukcj\w*|"
        r"polece\w*)|instrukcj\w*\W+systemow\w*|(?:początkow\w*|poczatkow\w*|ukryt\w*|"
        r"tajn\w*|wewnętrzn\w*|wewnetrzn\w*|oryginaln\w*)\W+(?:instrukcj\w*|polece\w*|"
        r"prompt\w*))",
        no_limits=r"(?:bez\W+(?:żadnych\W+|zadnych\W+|jakichkolwiek\W+)?(?:ogranicze\w*|"
        r"filtr\w*|zasad|regu\w*|cenzur\w*|etyki|moralności|moralnosci)|wolny\W+od\W+"
        r"(?:wszelkich\W+)?(?:ogranicze\w*|zasad|cenzur\w*))",
        special_mode=r"(?:tryb\w*\W+(?:dewelopera|programisty|boga|bez\W+ogranicze\w*|"
        r"debugowania|administratora|jailbreak))",
        act_as=r"(?:udawaj\w*|zachowuj\W+się\W+jak|działaj\W+jak|dzialaj\W+jak|od\W+teraz\W+"
        r"jesteś|teraz\W+jesteś|teraz\W+jestes|jesteś\W+teraz|wciel\W+się|odgrywaj\W+rolę|"
        r"odpowiadaj\W+jak|wyobraź\W+sobie,?\W+że\W+jesteś)",
        ai_reader=r"(?:\bai\b|\bsi\b|sztuczn\w+\W+inteligencj\w+|asystent\w*|model\w*|bot\w*|agent\w*)\W+"
        r"(?:kt[oó]r\w+\W+)?(?:czyta\w*|przetwarza\w*|podsumowuj\w*|analizuj\w*)",
        told_before=r"co\W+(?:ci|wam|panu|pani)\W+(?:powiedziano|kazano|przekazano|napisano|"
        r"powiedzieli|kazali|polecono)\b.{0,40}?\b(?:zanim|przed|wcze[sś]niej|"
        r"na\W+pocz[aą]tku)\b",
        triggers="co ai si sztuczna sztucznej asystent asystenta model modelu bot bota agent "
        "agenta "
        "zignoruj ignoruj zapomnij pomiń pomin nie lekceważ zlekceważ porzuć porzuc "
        "odrzuć odrzuc anuluj skasuj usuń pokaż pokaz wyświetl wyswietl ujawnij podaj powtórz "
        "powtorz wypisz napisz powiedz zdradź zdradz jaki jaka jakie bez wolny tryb jailbreak "
        "udawaj zachowuj działaj dzialaj od teraz jesteś jestes wciel odgrywaj odpowiadaj "
        "wyobraź prompt instrukcje systemowy",
    ),
    Language(
        "tr",
        override=r"(?:yok\W+say\w*|görmezden\W+gel\w*|gormezden\W+gel\w*|unut\w*|dikkate\W+"
        r"alma\w*|boş\W+ver\w*|bos\W+ver\w*|göz\W+ardı\W+et\w*|goz\W+ardi\W+et\w*|"
        r"uyma|uymayın|iptal\W+et\w*|sil|geçersiz\W+say\w*)",
        prior=r"(?:önceki|onceki|yukarıdaki|yukaridaki|tüm|tum|bütün|butun|sistem|ilk|"
        r"orijinal|eski|verilen|mevcut|her|şimdiye\W+kadarki)",
        instructions=r"(?:talimat\w*|kural\w*|komut\w*|yönerge\w*|yonerge\w*|emir\w*|emr\w*|"
        r"kısıtlama\w*|kisitlama\w*|istem\w*|prompt\w*|direktif\w*|görev\w*)",
        everything=r"(?:(?:daha\W+önce|daha\W+once|şimdiye\W+kadar|simdiye\W+kadar)\W+"
        r"(?:\w+\W+){0,2}(?:söylenen|soylenen|söylediğim|soyledigim|yazılan|her\W?şey\w*)|"
        r"her\W?şey\w*|her\W?sey\w*)",
        show=r"(?:göster\w*|goster\w*|söyle\w*|soyle\w*|yaz\w*|açıkla\w*|acikla\w*|paylaş\w*|"
        r"paylas\w*|ver|tekrarla\w*|ifşa\W+et\w*|nedir|ne\W+(?:idi|olduğunu))",
        system_prompt=r"(?:sistem\W+(?:istem\w*|prompt\w*|talimat\w*|komut\w*|mesaj\w*)|"
        r"(?:gizli|ilk|orijinal|başlangıç|baslangic|iç|dahili)\W+(?:talimat\w*|istem\w*|"
        r"prompt\w*|yönerge\w*))",
        no_limits=r"(?:kısıtlama(?:sız|\W+olmadan)|kisitlama(?:siz|\W+olmadan)|sınırsız|"
        r"sinirsiz|filtresiz|sansürsüz|sansursuz|kuralsız|kuralsiz|ahlaki\W+(?:sınır|sinir)\w*"
        r"\W+olmadan|hiçbir\W+(?:kural|kısıtlama|sınır|filtre)\w*\W+(?:olmadan|yok|"
        r"tanımadan))",
        special_mode=r"(?:geliştirici\W+mod\w*|gelistirici\W+mod\w*|tanrı\W+mod\w*|tanri\W+"
        r"mod\w*|yönetici\W+mod\w*|hata\W+ayıklama\W+mod\w*)",
        act_as=r"(?:gibi\W+davran\w*|rolüne\W+gir\w*|rolune\W+gir\w*|rolünü\W+oyna\w*|artık\W+"
        r"sen|artik\W+sen|sen\W+artık|sen\W+artik|olduğunu\W+hayal\W+et|taklit\W+et)",
        ai_reader=r"(?:okuyan|işleyen|isleyen|özetleyen|ozetleyen|inceleyen)\W+(?:yapay\W+zek\w*|\bai\b|"
        r"asistan\w*|model\w*|bot\w*)",
        told_before=r"(?:sana|size)\W+(?:\w+\W+){0,2}?(?:ne|neler)\W+(?:s[oö]ylendi|denildi|"
        r"dendi|talimat\W+verildi|emredildi|yaz[iı]ld[iı])",
        triggers="sana size okuyan işleyen isleyen özetleyen ozetleyen inceleyen "
        "yok görmezden gormezden unut unutun dikkate boş bos göz goz uyma uymayın "
        "iptal sil geçersiz göster goster söyle soyle yaz açıkla acikla paylaş paylas ver "
        "tekrarla ifşa nedir kısıtlamasız kısıtlama kisitlama sınırsız sinirsiz filtresiz "
        "sansürsüz sansursuz kuralsız kuralsiz ahlaki hiçbir geliştirici gelistirici tanrı "
        "tanri yönetici hata jailbreak gibi rolüne rolune rolünü artık artik sen olduğunu "
        "taklit sistem talimatları talimatlari",
        verb_last=True,
    ),
    Language(
        "zh",
        override=r"(?:忽略|忽视|忽視|无视|無視|不要理会|不要理會|别管|別管|忘记|忘記|忘掉|抛弃|拋棄|"
        r"丢弃|丟棄|不要遵守|不要遵循|停止遵循|放弃|放棄|覆盖|覆蓋|取消)",
        prior=r"(?:之前|以前|先前|上面|上述|前面|所有|全部|一切|系统|系統|原来|原來|原有|初始|"
        r"最初|你的|给你的|給你的|此前)",
        instructions=r"(?:指令|指示|说明|說明|规则|規則|提示词|提示詞|提示|设定|設定|要求|命令|"
        r"限制|约束|約束|规定|規定|准则|準則|任务|任務)",
        everything=r"(?:一切|所有(?:内容|內容|东西|東西)|之前的(?:内容|內容|对话|對話))",
        own_words=r"(?:上面的(?:内容|內容|话|話)|我之前说的|我之前說的)",
        received=r"(?:你(?:一开始|一開始|最初|开始时|開始時|之前|原本)?(?:收到|得到|接收到?|"
        r"被给予|被給予|被赋予|被賦予|获得|獲得)的|给你的|給你的)",
        show=r"(?:显示|顯示|告诉我|告訴我|输出|輸出|打印|重复|重複|泄露|透露|给我看|給我看|"
        r"展示|列出|写出|寫出|说出|說出|是什么|是什麼)",
        system_prompt=r"(?:系统提示|系統提示|系统指令|系統指令|系统消息|系統消息|系统设定|"
        r"系統設定|初始(?:提示|指令)|隐藏(?:的)?(?:提示|指令)|隱藏(?:的)?(?:提示|指令)|"
        r"原始(?:提示|指令)|内部(?:提示|指令)|內部(?:提示|指令))",
        no_limits=r"(?:没有(?:任何)?(?:限制|过滤|規則|规则|审查|道德|底线)|沒有(?:任何)?(?:限制|"
        r"過濾|規則|審查|道德|底線)|不受(?:任何)?(?:限制|约束|約束|规则|規則)|无限制|無限制|"
        r"无审查|無審查|不加过滤|不加過濾|无视(?:道德|规则|伦理)|無視(?:道德|規則|倫理))",
        special_mode=r"(?:开发者模式|開發者模式|开发人员模式|開發人員模式|上帝模式|越狱|越獄|"
        r"管理员模式|管理員模式|调试模式|調試模式|无限制模式|無限制模式)",
        act_as=r"(?:扮演|假装你是|假裝你是|你现在是|你現在是|从现在开始你是|從現在開始你是|"
        r"充当|充當|模拟|模擬)",
        ai_reader=r"(?:(?:致|给|給|写给|寫給|对|對|如果你是|假如你是|作为|作為).{0,6}?"
        f"{_ZH_READER}|{_ZH_READER}"
        r"\W{0,2}(?:请|請|注意|须|須|必须|必須|应|應|[：:，,]))",
        ai_reader_score=0.85,
        told_before=r"(?:(?:在)?我(?:来|進來|进来|到来)之前|一开始|一開始|最初).{0,8}?(?:跟你|对你|對你|给你|給你|向你)(?:说|說|"
        r"讲|講|交代|指示|吩咐)(?:了|过|過)?(?:什么|什麼|些什么)",
        triggers=CJK,
    ),
    Language(
        "ja",
        override=r"(?:無視|むし|忘れ|わすれ|従わな|したがわな|破棄|取り消|上書き|リセット)",
        prior=r"(?:以前|前|上記|これまで|今まで|先程|さっき|すべて|全て|全部|システム|最初|元|"
        r"与えられた|あなたの)",
        instructions=r"(?:指示|命令|ルール|規則|指令|プロンプト|設定|制約|制限|ガイドライン|"
        r"方針|タスク)",
        everything=r"(?:すべて|全て|全部|今までのこと|これまでのこと)",
        own_words=r"(?:上記の内容|前の内容)",
        received=r"(?:(?:あなた|君)が.{0,6}?|最初に|初めに|はじめに)(?:受け取った|与えられた|"
        r"渡された|もらった)",
        show=r"(?:表示|教え|見せ|出力|印刷|繰り返|書き出|開示|明か|言って|何ですか|なに)",
        system_prompt=r"(?:システムプロンプト|システム(?:の)?(?:指示|命令|メッセージ|設定)|"
        r"(?:初期|元|最初|隠された|秘密|内部)の?(?:指示|プロンプト|命令))",
        no_limits=r"(?:制限(?:なし|なく|のない|を解除|を無視)|制約(?:なし|なく|のない)|"
        r"フィルター(?:なし|なく|のない)|検閲(?:なし|なく|のない)|ルール(?:なし|なく|のない|"
        r"に縛られない)|倫理(?:を無視|に縛られない|なし)|何でも(?:答え|話せ|言え))",
        special_mode=r"(?:開発者モード|デベロッパーモード|ゴッドモード|神モード|脱獄|"
        r"ジェイルブレイク|管理者モード|デバッグモード)",
        act_as=r"(?:(?:として|のように)振る舞|ふりをして|になりきって|あなたは今|今からあなたは|"
        r"を演じ|ロールプレイ)",
        ai_reader=r"(?:読んで|読む|処理して|処理する|要約して|要約する)(?:いる)?\W{0,2}(?:ai|人工知能|アシスタント|モデル|ボット)",
        told_before=r"(?:私が来る前|わたしが来る前|最初|初め|はじめ)に?.{0,8}?(?:何を|なんて|何と)(?:指示|言われ|命令|頼まれ)",
        triggers=CJK,
        verb_last=True,
    ),
    Language(
        "ko",
        override=r"(?:무시|잊어|잊고|잊으|따르지\s?마|따르지\s?말|폐기|취소|덮어쓰|초기화)",
        prior=r"(?:이전|앞의|앞선|위의|위|모든|기존|시스템|처음|원래|초기|너의|당신의|지금까지의?)",
        instructions=r"(?:지시\w*|지침\w*|명령\w*|규칙\w*|설정\w*|프롬프트\w*|제한\w*|"
        r"가이드라인\w*|규정\w*|작업\w*)",
        everything=r"(?:모든\s?것|전부|다\s|지금까지\s?(?:한|들은|말한)\s?(?:것|말|내용))",
        own_words=r"(?:위의\s?내용|이전\s?내용)",
        received=r"(?:(?:너|네|니|당신)(?:가|이)\s?.{0,6}?|처음에\s?)(?:받은|받았던|주어진)",
        show=r"(?:보여|알려|출력|인쇄|반복|공개|말해|뭐야|무엇입니까|무엇인가요|밝혀)",
        system_prompt=r"(?:시스템\s?프롬프트|시스템\s?(?:지시|명령|메시지|설정)\w*|"
        r"(?:초기|원래|숨겨진|비밀|내부|처음)\s?(?:지시|프롬프트|명령)\w*)",
        no_limits=r"(?:제한(?:이|이\s?전혀)?\s?(?:없이|없는|을\s?해제|을\s?무시)|제약(?:이)?\s?"
        r"(?:없이|없는)|필터(?:가)?\s?(?:없이|없는)|검열(?:이)?\s?(?:없이|없는)|규칙(?:이)?\s?"
        r"(?:없이|없는|에\s?얽매이지)|윤리\s?(?:를\s?무시|에\s?얽매이지|없이)|(?:무엇이든|뭐든지?)"
        r"\s?(?:대답|말))",
        special_mode=r"(?:개발자\s?모드|갓\s?모드|신\s?모드|탈옥|관리자\s?모드|디버그\s?모드)",
        act_as=r"(?:인\s?척|처럼\s?행동|역할을\s?(?:해|맡아|연기)|이제\s?(?:너는|당신은)|"
        r"지금부터\s?(?:너는|당신은)|연기해)",
        ai_reader=r"(?:읽는|읽고\W*있는|처리하는|요약하는|분석하는)\W{0,2}(?:ai|인공지능|어시스턴트|모델|봇)",
        told_before=r"(?:내가\s?오기\s?전에|처음에).{0,12}?(?:무슨|어떤)\s?(?:지시|명령|말|지침)",
        triggers=CJK,
        verb_last=True,
    ),
)

_CJK_GAP = r".{0,8}?"


def _verb_object(lang: Language, obj: str, sep: str, gap: str) -> str:
    """The override verb, ``sep``, then ``obj``; also ``obj``, ``gap``, then the verb where
    the language puts its verb last."""
    verb_first = lang.override + sep + obj
    return f"(?:{verb_first}|{obj}{gap}{lang.override})" if lang.verb_last else verb_first


def _language_rules(lang: Language) -> List[Rule]:
    """Generate the prompt-injection, prompt-leak and jailbreak rules of one language."""
    cjk = lang.triggers == CJK
    gap = _CJK_GAP if cjk else GAP2
    sep = r"\W{0,3}" if cjk else r"[\W_]{1,6}"
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
    rules = [
        _r(f"{code}.override_instructions", PROMPT_INJECTION, override, STRONG, triggers,
           "ignore/forget + previous + instructions"),
        _r(f"{code}.override_everything", PROMPT_INJECTION, override_all, 0.8, triggers,
           "ignore/forget everything said before"),
        _r(f"{code}.leak_show_prompt", PROMPT_LEAK, show, STRONG, triggers,
           "asks for the system prompt"),
        _r(f"{code}.leak_prompt_words", PROMPT_LEAK, lang.system_prompt, 0.6, triggers,
           "mentions the hidden prompt"),
        _r(f"{code}.special_mode", JAILBREAK, lang.special_mode, 0.85, triggers,
           "developer mode / jailbreak"),
        _r(f"{code}.persona_without_rules", JAILBREAK, persona_free, STRONG, triggers,
           "act as someone without rules"),
        _r(f"{code}.no_limits", JAILBREAK, lang.no_limits, WEAK, triggers,
           "without restrictions/filters/censorship (corroborating only)"),
        _r(f"{code}.indirect_address", PROMPT_INJECTION, lang.ai_reader, lang.ai_reader_score,
           triggers, "text addressed to an AI that reads it (indirect prompt injection)"),
    ]  # fmt: skip
    if lang.received:
        received = f"{lang.received}{gap}{lang.instructions}"
        asks = f"(?:{lang.show}{gap}{received}|{received}{gap}{lang.show})"
        note = "asks for the instructions the assistant received"
        rules.append(_r(f"{code}.leak_received", PROMPT_LEAK, asks, 0.85, triggers, note))
    if lang.told_before:
        note = "asks what the assistant was told before the user came"
        rules.append(
            _r(f"{code}.leak_told_before", PROMPT_LEAK, lang.told_before, 0.85, triggers, note)
        )
    if lang.own_words:
        own = _verb_object(lang, lang.own_words, sep, gap)
        note = "forget the above / what I said (customers take back their own words)"
        rules.append(_r(f"{code}.override_own_words", PROMPT_INJECTION, own, 0.6, triggers, note))
    return rules


def all_rules() -> List[Rule]:
    """Every built-in rule, English and code families first."""
    rules = [*ENGLISH_RULES, *CODE_RULES]
    for lang in LANGUAGES:
        rules.extend(_language_rules(lang))
    return rules


def rule_index(rules: Sequence[Rule]) -> Dict[str, Rule]:
    """Rules by id; raises ``ValueError`` on a duplicate id (a table error)."""
    index: Dict[str, Rule] = {}
    for rule in rules:
        if rule.id in index:
            raise ValueError(f"duplicate rule id {rule.id}")
        index[rule.id] = rule
    return index
