"""The ``rasa-secure`` command line.

Each subcommand is one module of this package exposing ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``; :mod:`rasa_secure.cli.main` finds them,
so adding a command means adding a file.
"""
