"""Ethereum wallet addresses (EIP-55), type CRYPTO like Presidio's Bitcoin addresses.

A wallet address is an account identifier, so it is reported as ``CRYPTO`` (the type of
Presidio's ``CryptoRecognizer``, which finds Bitcoin's base58check and bech32 addresses),
never as a generic ``SECRET``. In mixed case the EIP-55 checksum must hold.
"""

from __future__ import annotations

from rasa_secure.core.pii.recognizers.base import Pattern, RegexRecognizer


class EthereumAddressRecognizer(RegexRecognizer):
    """``0x`` and 40 hex digits; in mixed case, with a valid EIP-55 checksum."""

    ENTITY_TYPE = "CRYPTO"
    PATTERNS = (
        Pattern("ethereum address", r"(?<![A-Za-z0-9])0x[0-9a-fA-F]{40}(?![A-Za-z0-9])", 0.9),
    )
    CONTEXT = ("wallet", "eth", "ethereum", "crypto", "address", "usdt")
    VALIDATOR = "eip55"
    MIN_DIGITS = 1
    PRIORITY = 3
