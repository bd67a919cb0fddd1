"""The built-in recognizers, one line each (what Presidio lacks, or finds too narrowly)."""

from __future__ import annotations

import functools
from typing import Optional, Tuple, Type

from rasa_secure.core.pii.recognizers.bank_account import BankAccountRecognizer
from rasa_secure.core.pii.recognizers.base import RegexRecognizer
from rasa_secure.core.pii.recognizers.card_context import CardNumberContextRecognizer
from rasa_secure.core.pii.recognizers.card_separated import SeparatedCardRecognizer
from rasa_secure.core.pii.recognizers.date_of_birth import DateOfBirthRecognizer
from rasa_secure.core.pii.recognizers.de_tax_id import DeTaxIdRecognizer
from rasa_secure.core.pii.recognizers.ethereum import EthereumAddressRecognizer
from rasa_secure.core.pii.recognizers.fr_nir import FrNirRecognizer
from rasa_secure.core.pii.recognizers.high_entropy import HighEntropySecretRecognizer
from rasa_secure.core.pii.recognizers.iban import IbanAnyCaseRecognizer
from rasa_secure.core.pii.recognizers.id_number import IdNumberContextRecognizer
from rasa_secure.core.pii.recognizers.name_cue import NameCueRecognizer
from rasa_secure.core.pii.recognizers.nl_bsn import NlBsnRecognizer
from rasa_secure.core.pii.recognizers.password import PasswordRecognizer
from rasa_secure.core.pii.recognizers.phone_context import ContextPhoneRecognizer
from rasa_secure.core.pii.recognizers.pin import PinRecognizer
from rasa_secure.core.pii.recognizers.secret import SecretRecognizer
from rasa_secure.core.pii.recognizers.street_address import StreetAddressRecognizer

RECOGNIZERS: Tuple[Type[RegexRecognizer], ...] = (
    PasswordRecognizer,
    PinRecognizer,
    SecretRecognizer,
    HighEntropySecretRecognizer,
    IbanAnyCaseRecognizer,
    BankAccountRecognizer,
    IdNumberContextRecognizer,
    DateOfBirthRecognizer,
    CardNumberContextRecognizer,
    ContextPhoneRecognizer,
    NlBsnRecognizer,
    SeparatedCardRecognizer,
    EthereumAddressRecognizer,
    StreetAddressRecognizer,
    DeTaxIdRecognizer,
    FrNirRecognizer,
    NameCueRecognizer,
)
"""Every built-in recognizer class, in the order they run."""


@functools.lru_cache(maxsize=None)
def builtin_recognizers(languages: Optional[Tuple[str, ...]] = None) -> Tuple[RegexRecognizer, ...]:
    """One instance of each of :data:`RECOGNIZERS` with the cue words and patterns of
    ``languages`` (``None``: every language), compiled once per set of languages."""
    return tuple(cls(languages=languages) for cls in RECOGNIZERS)
