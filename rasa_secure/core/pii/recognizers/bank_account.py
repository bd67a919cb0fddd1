"""Bank account numbers next to account words, never next to amounts or references."""

from __future__ import annotations

from rasa_secure.core.pii.recognizers.base import Pattern, RegexRecognizer

_ACCOUNT_WORDS = (
    "checking",
    "savings",
    "sort code",
    "routing",
    "bsb",
    "konto",
    "rekening",
    "compte",
    "conto",
    "cuenta",
    "conta",
)
"""Words for a bank account in chat, in several languages."""


class BankAccountRecognizer(RegexRecognizer):
    """Six to seventeen digits (or a sort code and account) with an account word near."""

    ENTITY_TYPE = "BANK_ACCOUNT"
    PATTERNS = (
        Pattern("account number", r"(?<![\d$€£.,])\d{6,17}(?![\d]|[.,]\d)", 0.6),
        Pattern("sort code and account", r"\b\d{2}-\d{2}-\d{2}\s+\d{8}\b", 0.7),
    )
    CONTEXT = ("account", "acct", "a/c", "acc no", "acc.", *_ACCOUNT_WORDS)
    REQUIRES_CONTEXT = True
    NEGATIVE_CONTEXT = (
        "balance",
        "amount",
        "total",
        "limit",
        "fee",
        "paid",
        "pay ",
        "payment of",
        "dollar",
        "euro",
        "pound",
        "usd",
        "eur",
        "gbp",
        "$",
        "€",
        "£",
        "card",
        "order",
        "reference",
        "ticket",
        "tracking",
        "phone",
        "mobile",
        "call",
        "saldo",
        "solde",
        "kontostand",
        "betrag",
        "importe",
        "montant",
        "importo",
        "valor",
        "bedrag",
    )
    MIN_DIGITS = 6
    KEYWORDS = ("acc", "a/c", *_ACCOUNT_WORDS)
