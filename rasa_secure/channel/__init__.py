"""The Rasa server's entry: the admission gate and its channel adapters.

The transport-independent names are re-exported here. The REST adapter is imported by its
module path, ``rasa_secure.channel.secure_rest.SecureRestInput`` (the ``credentials.yml``
key), so importing the gate never pulls in Rasa or Sanic.
"""

from rasa_secure.channel.admission import AdmissionGate, Admitted
from rasa_secure.channel.refusal import Refusal, RefusalReason, Status

__all__ = ["AdmissionGate", "Admitted", "Refusal", "RefusalReason", "Status"]
