"""rasa_secure: a security plugin pack for Rasa Open Source 3.6 assistants.

The package is layered so that each side of a deployment imports only what it needs:

* ``rasa_secure.core``: detection, redaction, policy and token checks. Imports neither
  ``rasa`` nor ``rasa_sdk``; serves the NLU pipeline, the action server and the CLI.
* ``rasa_secure.nlu``, ``rasa_secure.channel``, ``rasa_secure.stores``: Rasa server side.
* ``rasa_secure.actions``: action server side (``rasa_sdk`` only, no TensorFlow).
* ``rasa_secure.cli``: the ``rasa-secure`` command.
"""

from rasa_secure.errors import ConfigError, RasaSecureError

__version__ = "0.1.0"

__all__ = ["ConfigError", "RasaSecureError", "__version__"]
