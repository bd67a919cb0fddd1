"""Monitoring: audit records as Elastic Common Schema events, and Prometheus metrics.

:mod:`rasa_secure.monitoring.ecs` formats the audit trail for a SIEM;
:mod:`rasa_secure.monitoring.metrics` counts the same records and times the NLU components.
Neither imports Rasa: both servers use them.
"""
