"""Escalation hooks shipped with rasa_secure: where the monitor's ``escalate`` response goes.

:func:`helpdesk` hands an escalation to the bank's staff: it posts a ``security_response``
:class:`~rasa_secure.core.handoff.Handoff` to the helpdesk webhook with
:class:`~rasa_secure.core.handoff.HandoffClient` (signed, retried with backoff, idempotent:
the same escalation always has the same ``handoff_id``). Name it in the policy file::

    anomaly:
      escalation_hook: rasa_secure.monitoring.anomaly.hooks:helpdesk

The payload holds no text: the customer is the escalation's pseudonym (``sub_`` or
``cli_``), the transcript is empty, the conversation reference is empty (the monitor watches
subjects and client addresses, not conversations) and ``evidence`` says what fired (the
trigger, the window's features, the model's score). The helpdesk URL and secret come from
``RASA_SECURE_HANDOFF_URL`` and ``RASA_SECURE_HANDOFF_SECRET``, as for ``HandoffAction``.
The delivery runs on a thread of its own, so the monitor (and the message that fired it)
never waits for the helpdesk; its outcome is an audit record of ``AnomalyMonitor``.
See ``docs/components/handoff.md`` (Hooks).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Mapping, Optional

from rasa_secure.core.handoff import (
    DEFAULT_PRIORITY,
    Delivery,
    Handoff,
    HandoffClient,
    HandoffReason,
)
from rasa_secure.core.identity import AuditDecision, audit
from rasa_secure.errors import ConfigError
from rasa_secure.monitoring.anomaly.monitor import Escalation
from rasa_secure.monitoring.anomaly.signals import MONITOR_COMPONENT

logger = logging.getLogger(__name__)

HOOK_ACTION = "handoff"
"""The ``action`` of the audit record of a delivery."""


def security_handoff(escalation: Escalation) -> Handoff:
    """The ``security_response`` handoff of ``escalation`` (pseudonyms and numbers only).

    Its ``handoff_id`` is a keyed hash of the key, the trigger and the time it fired: a
    retried or repeated delivery of one escalation opens one ticket.
    """
    digest = audit.pseudonym(f"escalation\0{escalation.key}\0{escalation.trigger}\0{escalation.at}")
    reason = HandoffReason.SECURITY_RESPONSE
    return Handoff(
        handoff_id="ho_" + (digest or "").partition("_")[2],
        reason=reason,
        priority=DEFAULT_PRIORITY[reason],
        customer=escalation.key,
        conversation="",
        channel="",
        transcript=(),
        created_at=escalation.at,
        evidence={
            "trigger": escalation.trigger,
            "features": dict(escalation.features),
            "score": escalation.score,
        },
    )


def deliver(escalation: Escalation, environ: Optional[Mapping[str, str]] = None) -> Delivery:
    """Post the handoff of ``escalation`` now (blocking) and audit the outcome.

    Raises:
        ConfigError: the helpdesk URL or secret is missing or unsafe.
    """
    client = HandoffClient(environ=environ, owner="escalation_hook")
    handoff = security_handoff(escalation)
    delivery = asyncio.run(client.deliver(handoff))
    audit.record(
        MONITOR_COMPONENT,
        AuditDecision.ALLOW if delivery.delivered else AuditDecision.ERROR,
        action=HOOK_ACTION,
        categories=("anomaly",),
        reasons=(escalation.trigger, delivery.status.value, f"attempts_{delivery.attempts}"),
    )
    return delivery


def _deliver_safely(escalation: Escalation) -> None:
    try:
        deliver(escalation)
    except ConfigError as error:
        logger.error("escalation hook: %s", error)
    except Exception as error:  # a thread's error would otherwise print a traceback
        logger.error("escalation hook failed (%s)", type(error).__name__)


def helpdesk(escalation: Escalation) -> threading.Thread:
    """The escalation hook: deliver the handoff of ``escalation`` on a daemon thread and
    return that thread (the monitor ignores it; a test may join it)."""
    thread = threading.Thread(
        target=_deliver_safely, args=(escalation,), name="rasa-secure-escalation", daemon=True
    )
    thread.start()
    return thread
