"""Per-subject data keys, wrapped by the keyring: erasure by crypto-shredding.

With ``subject_keys: true`` the secure tracker store encrypts each conversation's sensitive
data (sensitive slot values, sealed records of sensitive values) under a data key of its own,
not under the keyring. The data key is stored wrapped (encrypted by the keyring, bound to the
conversation id) in a key table next to the conversations:

* SQL (SQLite, PostgreSQL): the table ``rasa_secure_subject_keys`` in the same database;
* Redis: the hash ``rasa_secure_subject_keys:<key prefix>`` in the same database;
* in memory: a dictionary of the store.

Destroying a subject's entry (:meth:`SubjectKeys.destroy`) makes every ciphertext of that
subject undecryptable, wherever a copy of it lives (a backup, a replica, a broker consumer):
the data key existed nowhere else. A backup of the key table taken before the erasure still
holds the wrapped key, so backups of that table must expire faster than the erasure deadline
(see ``docs/lifecycle.md``).

A subject here is a stored conversation id (the pseudonym when ``pseudonymous_ids`` is on).
"""

from __future__ import annotations

import base64
import binascii
import time
from typing import Any, Dict, Iterator, Optional, Protocol, Sequence, Tuple

from rasa_secure.core.identity.crypto import Keyring, generate_key
from rasa_secure.errors import ConfigError, CryptoError

SUBJECT_KEY_ID = "subject"
"""The key id in a ciphertext made with a subject's data key (``rsenc:v1:subject:...``)."""
TABLE = "rasa_secure_subject_keys"
"""The SQL table, and the start of the Redis hash's name, of the wrapped data keys."""
BATCH = 500
"""Keys deleted per statement (SQL ``IN`` lists, ``HDEL`` arguments)."""


def subject_token(token: str) -> bool:
    """Whether the ciphertext ``token`` was made with a subject's data key."""
    return token.startswith(f"rsenc:v1:{SUBJECT_KEY_ID}:")


class KeyTable(Protocol):
    """Where wrapped data keys live: subject -> wrapped key."""

    def get(self, subject: str) -> Optional[str]:
        """The wrapped key of ``subject``, if any."""

    def add(self, subject: str, wrapped: str) -> str:
        """Store ``wrapped`` unless ``subject`` has a key already; the key that is stored."""

    def replace(self, subject: str, wrapped: str) -> None:
        """Overwrite the wrapped key of ``subject`` (after re-wrapping)."""

    def delete(self, subjects: Sequence[str]) -> int:
        """Remove the keys of ``subjects``; the number there were."""

    def items(self) -> Iterator[Tuple[str, str]]:
        """Every (subject, wrapped key)."""


class MemoryKeyTable:
    """A key table in a dictionary (for the in-memory tracker store)."""

    def __init__(self) -> None:
        self.keys: Dict[str, str] = {}

    def get(self, subject: str) -> Optional[str]:
        return self.keys.get(subject)

    def add(self, subject: str, wrapped: str) -> str:
        return self.keys.setdefault(subject, wrapped)

    def replace(self, subject: str, wrapped: str) -> None:
        self.keys[subject] = wrapped

    def delete(self, subjects: Sequence[str]) -> int:
        return sum(self.keys.pop(subject, None) is not None for subject in subjects)

    def items(self) -> Iterator[Tuple[str, str]]:
        return iter(list(self.keys.items()))


class RedisKeyTable:
    """A key table in a Redis hash (``HSETNX`` makes concurrent first writes agree)."""

    def __init__(self, client: Any, name: str) -> None:
        self.client = client
        self.name = name

    def get(self, subject: str) -> Optional[str]:
        value = self.client.hget(self.name, subject)
        return None if value is None else str(value)

    def add(self, subject: str, wrapped: str) -> str:
        self.client.hsetnx(self.name, subject, wrapped)
        return str(self.client.hget(self.name, subject))

    def replace(self, subject: str, wrapped: str) -> None:
        self.client.hset(self.name, subject, wrapped)

    def delete(self, subjects: Sequence[str]) -> int:
        return sum(
            int(self.client.hdel(self.name, *subjects[start : start + BATCH]))
            for start in range(0, len(subjects), BATCH)
        )

    def items(self) -> Iterator[Tuple[str, str]]:
        for subject, wrapped in self.client.hscan_iter(self.name):
            yield str(subject), str(wrapped)


class SQLKeyTable:
    """A key table in the tracker store's SQL database (created when missing)."""

    def __init__(self, engine: Any) -> None:
        import sqlalchemy as sa

        self.engine = engine
        self.table = sa.Table(
            TABLE,
            sa.MetaData(),
            sa.Column("subject", sa.String(255), primary_key=True),
            sa.Column("wrapped", sa.Text, nullable=False),
            sa.Column("created", sa.Float, nullable=False),
        )
        self.table.create(engine, checkfirst=True)

    def get(self, subject: str) -> Optional[str]:
        with self.engine.connect() as connection:
            row = connection.execute(
                self.table.select().where(self.table.c.subject == subject)
            ).first()
        return None if row is None else str(row.wrapped)

    def add(self, subject: str, wrapped: str) -> str:
        import sqlalchemy.exc

        try:
            with self.engine.begin() as connection:
                connection.execute(
                    self.table.insert().values(
                        subject=subject, wrapped=wrapped, created=time.time()
                    )
                )
        except sqlalchemy.exc.IntegrityError:  # another replica was first: use its key
            pass
        stored = self.get(subject)
        if stored is None:
            raise CryptoError("the subject key table lost a key it just stored")
        return stored

    def replace(self, subject: str, wrapped: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                self.table.update().where(self.table.c.subject == subject).values(wrapped=wrapped)
            )

    def delete(self, subjects: Sequence[str]) -> int:
        count = 0
        with self.engine.begin() as connection:  # one transaction
            for start in range(0, len(subjects), BATCH):
                batch = list(subjects[start : start + BATCH])
                where = self.table.c.subject.in_(batch)
                count += int(connection.execute(self.table.delete().where(where)).rowcount)
        return count

    def items(self) -> Iterator[Tuple[str, str]]:
        with self.engine.connect() as connection:
            rows = connection.execute(self.table.select()).fetchall()
        return iter([(str(row.subject), str(row.wrapped)) for row in rows])


class SubjectKeys:
    """The data keys of subjects, wrapped by ``keyring`` in ``table``.

    Attributes:
        table: where the wrapped keys live.
        keyring: the keyring that wraps them (``RASA_SECURE_KEYS``).
    """

    def __init__(self, table: KeyTable, keyring: Keyring) -> None:
        self.table = table
        self.keyring = keyring

    def keyring_for(self, subject: str, *, create: bool) -> Optional[Keyring]:
        """The keyring of ``subject``'s data key; created when missing if ``create``.

        Returns:
            ``None`` when the subject has no key and ``create`` is false (never had one, or
            it was destroyed).

        Raises:
            CryptoError: the wrapped key does not unwrap with the keyring.
        """
        if not subject:
            raise ConfigError("subject_keys", "a subject key needs a conversation id")
        wrapped = self.table.get(subject)
        if wrapped is None:
            if not create:
                return None
            fresh = self.keyring.encrypt(generate_key(), context=_wrap_context(subject))
            wrapped = self.table.add(subject, fresh)
        encoded = self.keyring.decrypt(wrapped, context=_wrap_context(subject))
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise CryptoError("a subject key is malformed") from None
        return Keyring(((SUBJECT_KEY_ID, raw),))

    def destroy(self, subjects: Sequence[str]) -> int:
        """Delete the data keys of ``subjects``: their ciphertexts never decrypt again.

        Returns:
            How many of them had a key.
        """
        return self.table.delete(subjects) if subjects else 0

    def rewrap(self) -> int:
        """Wrap every data key under the keyring's current key; the number re-wrapped.

        Raises:
            CryptoError: a wrapped key does not unwrap with the keyring.
        """
        count = 0
        for subject, wrapped in self.table.items():
            rotated = self.keyring.rotate(wrapped, context=_wrap_context(subject))
            if rotated != wrapped:
                self.table.replace(subject, rotated)
                count += 1
        return count


def _wrap_context(subject: str) -> str:
    return f"rasa_secure.subject_key|{subject}"
