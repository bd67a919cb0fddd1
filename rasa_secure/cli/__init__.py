"""The ``rasa-secure`` command line.

Each subcommand is one module of this package exposing ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``; :mod:`rasa_secure.cli.main` finds them,
so adding a command means adding a file. A command whose work leaves audit records (an
erasure, an export) also sets ``AUDITED = True``: its records and a closing checkpoint then
reach the audit trail (:func:`rasa_secure.monitoring.ecs.command_audit`).
"""
