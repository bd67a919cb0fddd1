"""A tiny SQLite "core banking" system for the example bot.

Every query is parameterized; amounts are integer cents. The database is created and seeded
on first use, so the demo needs no external service.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Iterator, List, Optional, Tuple

DB_ENV = "EXAMPLE_BANK_DB"
DEFAULT_DB = Path(__file__).resolve().parent.parent / ".demo" / "bank.sqlite"

SCHEMA = """
CREATE TABLE IF NOT EXISTS customers (
    subject TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('customer', 'teller', 'admin'))
);
CREATE TABLE IF NOT EXISTS accounts (
    number TEXT PRIMARY KEY CHECK (length(number) = 10),
    owner TEXT NOT NULL REFERENCES customers (subject),
    kind TEXT NOT NULL,
    balance_cents INTEGER NOT NULL CHECK (balance_cents >= 0),
    currency TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS transfers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL REFERENCES accounts (number),
    target TEXT NOT NULL REFERENCES accounts (number),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    created_at TEXT NOT NULL
);
"""

CUSTOMERS: Tuple[Tuple[str, str, str, str], ...] = (
    ("alice", "Alice Martin", "alice.martin@example.com", "customer"),
    ("bob", "Bob Okafor", "bob.okafor@example.com", "customer"),
    ("tina", "Tina Teller", "tina.teller@bank.example", "teller"),
    ("adam", "Adam Admin", "adam.admin@bank.example", "admin"),
)
ACCOUNTS: Tuple[Tuple[str, str, str, int, str], ...] = (
    ("1000200030", "alice", "checking", 125_000, "EUR"),
    ("1000200031", "alice", "savings", 540_000, "EUR"),
    ("2000300040", "bob", "checking", 31_025, "EUR"),
    ("3000400050", "bob", "savings", 1_200_000, "EUR"),
)


class BankError(Exception):
    """A banking operation was refused; ``str(error)`` is safe to show the customer."""


@dataclass(frozen=True)
class Account:
    """One account as the bank reports it."""

    number: str
    owner: str
    kind: str
    balance: Decimal
    currency: str


@dataclass(frozen=True)
class Customer:
    """One customer (or employee) of the bank."""

    subject: str
    name: str
    email: str
    role: str


class Bank:
    """Access to the core banking database at ``path`` (seeded on first use)."""

    def __init__(self, path: Optional[Path] = None) -> None:
        self.path = Path(path or os.environ.get(DB_ENV) or DEFAULT_DB)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(SCHEMA)
            if db.execute("SELECT COUNT(*) FROM customers").fetchone()[0] == 0:
                db.executemany("INSERT INTO customers VALUES (?, ?, ?, ?)", CUSTOMERS)
                db.executemany("INSERT INTO accounts VALUES (?, ?, ?, ?, ?)", ACCOUNTS)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self.path, isolation_level="IMMEDIATE")
        try:
            with connection:
                yield connection
        finally:
            connection.close()

    def customer(self, subject: str) -> Optional[Customer]:
        """The customer with this subject id, if any."""
        with self._connect() as db:
            row = db.execute(
                "SELECT subject, name, email, role FROM customers WHERE subject = ?", (subject,)
            ).fetchone()
        return Customer(*row) if row else None

    def accounts_of(self, subject: str) -> List[Account]:
        """The accounts owned by ``subject``, checking first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT number, owner, kind, balance_cents, currency FROM accounts"
                " WHERE owner = ? ORDER BY kind, number",
                (subject,),
            ).fetchall()
        return [_account(row) for row in rows]

    def account(self, number: str) -> Optional[Account]:
        """The account with this number, if any."""
        with self._connect() as db:
            row = db.execute(
                "SELECT number, owner, kind, balance_cents, currency FROM accounts"
                " WHERE number = ?",
                (number,),
            ).fetchone()
        return _account(row) if row else None

    def transfer(self, source: str, target: str, amount: Decimal) -> Account:
        """Move ``amount`` from ``source`` to ``target``; returns the updated source account.

        Raises:
            BankError: unknown account, same account, non-positive amount or missing funds.
        """
        cents = int((amount * 100).to_integral_value())
        if cents <= 0:
            raise BankError("The amount must be greater than zero.")
        if source == target:
            raise BankError("The source and the recipient account are the same.")
        with self._connect() as db:
            balance = db.execute(
                "SELECT balance_cents FROM accounts WHERE number = ?", (source,)
            ).fetchone()
            if (
                balance is None
                or db.execute("SELECT 1 FROM accounts WHERE number = ?", (target,)).fetchone()
                is None
            ):
                raise BankError("I could not find that account.")
            if balance[0] < cents:
                raise BankError("There are not enough funds on the account for this transfer.")
            db.execute(
                "UPDATE accounts SET balance_cents = balance_cents - ? WHERE number = ?",
                (cents, source),
            )
            db.execute(
                "UPDATE accounts SET balance_cents = balance_cents + ? WHERE number = ?",
                (cents, target),
            )
            db.execute(
                "INSERT INTO transfers (source, target, amount_cents, created_at)"
                " VALUES (?, ?, ?, ?)",
                (source, target, cents, datetime.now(timezone.utc).isoformat()),
            )
        updated = self.account(source)
        if updated is None:
            raise BankError("I could not find that account.")
        return updated

    def update_email(self, subject: str, email: str) -> None:
        """Replace the contact email of ``subject``."""
        with self._connect() as db:
            changed = db.execute(
                "UPDATE customers SET email = ? WHERE subject = ?", (email, subject)
            ).rowcount
        if changed != 1:
            raise BankError("I could not find your customer profile.")


def _account(row: Tuple[str, str, str, int, str]) -> Account:
    number, owner, kind, cents, currency = row
    return Account(number, owner, kind, Decimal(cents) / 100, currency)
