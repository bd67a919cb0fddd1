"""The admission gate's side of the anomaly monitor (:mod:`rasa_secure.monitoring.anomaly`).

With ``anomaly_policy`` set, the gate builds a :class:`Watch` on the ``anomaly`` section of
that policy file. For each request :meth:`Watch.visit` reads the client address's responses
in force once. Before the token is verified, :meth:`Visit.check` refuses an address under a
lock-out; after it (reading the subject's responses too), a subject or address under a
lock-out (403), a step-up the token does not meet (401 with ``WWW-Authenticate: Bearer
error="insufficient_user_authentication"`` and the ``acr_values``, RFC 9470) or a throttle
it is over (429). Each admitted message is then reported with :meth:`Watch.seen` (its length
and the pseudonyms of the account numbers it names; never the text). Without the option the
watch is off and costs nothing. Channels of one process naming the same policy file share one
monitor (its windows, its responses in force, one escalation per trigger).

A state that cannot be read (Redis down) refuses the message (503, fail closed); a signal
that cannot be recorded is logged and the admitted message goes on (the watch misses it).
"""

from __future__ import annotations

import functools
import logging
import os
from typing import Any, List, Optional

from rasa_secure.channel.refusal import Refusal, RefusalReason

logger = logging.getLogger(__name__)

_REASONS = {
    "lock_out": RefusalReason.LOCKED_OUT,
    "step_up": RefusalReason.STEP_UP_REQUIRED,
    "throttle": RefusalReason.THROTTLED,
}


class Watch:
    """The monitor as the gate uses it, or nothing when ``policy`` is ``None``.

    Args:
        policy: the policy file with the ``anomaly`` section (``None``: off).
        monitor: a monitor to use instead (tests, simulations).

    Raises:
        PolicyError: the section is invalid.
    """

    def __init__(self, policy: Optional[str], monitor: Any = None) -> None:
        if monitor is None and policy is not None:
            monitor = _monitor(os.path.abspath(policy))
        self.monitor = monitor

    def visit(self, client: str) -> Visit:
        """The checks of one request from ``client``: its address's responses in force are
        read once, here, for both :meth:`Visit.check` calls."""
        if self.monitor is None:
            return Visit(None, client, [])
        try:
            return Visit(self.monitor, client, self.monitor.held(client))
        except Exception as error:  # the store's errors (connection, timeout): fail closed
            logger.error("anomaly state unavailable (%s); refused", type(error).__name__)
            return Visit(self.monitor, client, None)

    def seen(self, subject: str, client: str, text: str) -> None:
        """Report an admitted message to the monitor."""
        if self.monitor is None:
            return
        from rasa_secure.monitoring.anomaly.signals import message

        try:
            self.monitor.observe(message(subject, client, text, self.monitor.clock()))
        except Exception as error:  # the store's errors: the message was admitted already
            logger.error("anomaly signal not recorded (%s)", type(error).__name__)


@functools.lru_cache(maxsize=None)
def _monitor(policy: str) -> Any:
    """The process's monitor of the policy file at ``policy`` (an absolute path), installed
    once: a second channel watching with the same file shares it."""
    from rasa_secure.monitoring.anomaly import Monitor

    return Monitor.from_policy(policy).install()


class Visit:
    """One request's view of the responses in force (made by :meth:`Watch.visit`).

    Args:
        monitor: the monitor (``None``: the watch is off).
        client: the client address.
        held: the address's responses in force; ``None`` when they could not be read.
    """

    def __init__(self, monitor: Any, client: str, held: Optional[List[Any]]) -> None:
        self.monitor, self.client, self.held = monitor, client, held

    def check(self, subject: Optional[str] = None, acr: Optional[str] = None) -> Optional[Refusal]:
        """The refusal a response in force asks for, or ``None``: before the token is verified
        (no ``subject``) a lock-out of the address; after it, any response on the subject or
        the address (``acr``: the verified token's, which may satisfy a step-up)."""
        if self.monitor is None:
            return None
        if self.held is None:  # logged by Watch.visit
            return self._unavailable(subject)
        try:
            found = self.monitor.check(subject, self.client, acr, held=self.held)
        except Exception as error:  # the store's errors (connection, timeout): fail closed
            logger.error("anomaly state unavailable (%s); refused", type(error).__name__)
            return self._unavailable(subject)
        if found is None:
            return None
        return Refusal(
            _REASONS[found.kind.value],
            subject,
            client=self.client,
            retry_after=found.retry_after,
            categories=("anomaly",),
            acr_values=tuple(found.acr_values),
        )

    def _unavailable(self, subject: Optional[str]) -> Refusal:
        return Refusal(RefusalReason.ANOMALY_STATE_UNAVAILABLE, subject, client=self.client)
