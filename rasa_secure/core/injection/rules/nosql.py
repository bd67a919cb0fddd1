"""NoSQL injection: MongoDB query operators and server-side JavaScript."""

from __future__ import annotations

from typing import Tuple

from rasa_secure.core.injection.rules.base import (
    NOSQL_INJECTION,
    Rule,
    Strength,
    define,
)

RULES: Tuple[Rule, ...] = (
    define(
        "nosql.operator",
        NOSQL_INJECTION,
        r"[{\[,:]\s*['\"]?\$(?:ne|eq|gt|gte|lt|lte|regex|where|exists|or|and|nor|not|nin|in|expr|"
        r"function|accumulator|lookup|elemmatch|type|size|all|text|comment|jsonschema)\b['\"]?\s*"
        r"[:\]]|\[\s*\$(?:ne|gt|lt|regex|exists|nin|in|where)\s*\]|\$where\s*[:=]|\{\s*['\"]?"
        r"[$&](?:ne|exists|gt|lt|regex|where)['\"]?\s*:",
        Strength.STRONG,
        "$ & [",
        "MongoDB query operators in user input",
        examples=('{"$ne": null}', '{"user": "admin", "password": {"$ne": ""}}'),
        counterexamples=("Pay M&S; then pay Tesco", "I said (not really) (& so on)"),
    ),
    define(
        "nosql.js_injection",
        NOSQL_INJECTION,
        r"\bthis\.\w+\.match\s*\(|\bthis\.\w+\s*(?:==|!=)|['\"]\s*&&\s*this\.|\bdb\.\w+\.(?:find"
        r"|insert|update|remove|drop|delete\w*|aggregate|mapreduce)\s*\(|;\s*return\s+(?:true|"
        r"false|1|'[^']{0,10}'\s*==)|\|\|\s*(?:1|'1'|true)\s*==\s*(?:1|'1'|true)|\b(?:sleep|"
        r"tojson|objectid|isodate)\s*\(\s*(?:\d+\s*)?\)\s*[;|]|\bdb\.getcollection|\bmapreduce\b",
        Strength.HIGH,
        "this db ; | sleep tojson objectid isodate mapreduce",
        "server-side JavaScript in MongoDB queries",
        examples=(
            '{"$where": "sleep(5000) || this.balance > 0"}',
            "Anna'; return db.accounts.find().toArray(); var x='",
        ),
        counterexamples=(
            "Pay M&S; then pay Tesco",
            "I'm an auditor for a small firm; can I open a business account?",
        ),
    ),
)
