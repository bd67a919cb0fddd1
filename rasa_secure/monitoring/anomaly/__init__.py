"""Anomaly detection and automatic responses (see ``docs/anomaly.md``).

Signals from the audit records and the admission gate feed sliding windows per subject and
per client address; rules from the policy file and an IsolationForest watch the windows'
features, and fire responses: flag, throttle, step-up, lock-out, escalate.
"""

from rasa_secure.monitoring.anomaly.forest import Forest
from rasa_secure.monitoring.anomaly.monitor import Escalation, Monitor, Restriction, Trigger
from rasa_secure.monitoring.anomaly.settings import ResponseKind, Settings
from rasa_secure.monitoring.anomaly.signals import Signal, SignalKind
from rasa_secure.monitoring.anomaly.windows import FEATURES, Feature, Features

__all__ = [
    "FEATURES",
    "Escalation",
    "Feature",
    "Features",
    "Forest",
    "Monitor",
    "ResponseKind",
    "Restriction",
    "Settings",
    "Signal",
    "SignalKind",
    "Trigger",
]
