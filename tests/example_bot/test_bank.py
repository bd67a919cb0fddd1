"""The example bot's core-banking backend."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from example_bot.actions.actions import parse_amount
from example_bot.actions.bank import Bank, BankError


@pytest.fixture
def bank(tmp_path: Path) -> Bank:
    return Bank(tmp_path / "bank.sqlite")


def test_seeded_customers_own_their_accounts(bank: Bank) -> None:
    """A new database is seeded; accounts are listed for their owner only."""
    assert [a.number for a in bank.accounts_of("alice")] == ["1000200030", "1000200031"]
    assert [a.number for a in bank.accounts_of("bob")] == ["2000300040", "3000400050"]
    assert bank.accounts_of("tina") == []
    customer = bank.customer("tina")
    assert customer is not None and customer.role == "teller"


def test_transfer_moves_money_atomically(bank: Bank) -> None:
    """Both balances change by the amount, in cents, and the source is returned updated."""
    source = bank.transfer("1000200030", "2000300040", Decimal("12.34"))
    assert source.balance == Decimal("1237.66")
    target = bank.account("2000300040")
    assert target is not None and target.balance == Decimal("322.59")


@pytest.mark.parametrize(
    ("source", "target", "amount", "message"),
    [
        ("1000200030", "2000300040", Decimal("99999"), "not enough funds"),
        ("1000200030", "1000200030", Decimal("1"), "are the same"),
        ("1000200030", "9999999999", Decimal("1"), "could not find"),
        ("1000200030", "2000300040", Decimal("0"), "greater than zero"),
    ],
)
def test_refused_transfers_change_nothing(
    bank: Bank, source: str, target: str, amount: Decimal, message: str
) -> None:
    """A refused transfer raises a customer-safe error and leaves balances as they were."""
    with pytest.raises(BankError, match=message):
        bank.transfer(source, target, amount)
    account = bank.account("1000200030")
    assert account is not None and account.balance == Decimal("1250.00")


def test_sql_metacharacters_are_data_not_code(bank: Bank) -> None:
    """Parameterized queries treat an injection attempt as a value that matches nothing."""
    assert bank.account("' OR '1'='1") is None
    assert bank.accounts_of("alice' --") == []
    with pytest.raises(BankError):
        bank.update_email("x' OR 1=1 --", "evil@example.com")
    alice = bank.customer("alice")
    assert alice is not None and alice.email == "alice.martin@example.com"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("50", Decimal("50")),
        ("12,5", Decimal("12.5")),  # decimal comma
        ("0.01", Decimal("0.01")),
        ("10000", Decimal("10000")),  # the limit itself is allowed
        ("10000.01", None),  # above the limit
        ("0", None),
        ("-5", None),
        ("1.234", None),  # sub-cent amounts are refused, not rounded
        ("NaN", None),
        ("Infinity", None),
        ("fifty", None),
    ],
)
def test_parse_amount(text: str, expected: object) -> None:
    """Only positive amounts with at most two decimals within the limit are accepted."""
    assert parse_amount(text) == expected
