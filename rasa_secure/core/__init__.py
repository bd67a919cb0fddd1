"""The detection core: detectors, redaction, keys, policy and audit.

Nothing in this package imports ``rasa`` or ``rasa_sdk`` (``tests/test_layering.py`` enforces
it), so it serves the NLU pipeline, the action server and the command line alike.
"""
