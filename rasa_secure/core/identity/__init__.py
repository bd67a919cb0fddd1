"""Identity: tokens, the identity envelope, keys, the access policy, typed values and audit.

Code outside this subpackage imports these names from here; ``audit`` and ``trail`` are used
as modules (``from rasa_secure.core.identity import audit``).
"""

from rasa_secure.core.identity import audit, trail
from rasa_secure.core.identity.audit import AUDIT_KEY_ENV, AuditDecision, AuditRecord
from rasa_secure.core.identity.chain import CHECKPOINT_LOGGER, accepted_keys
from rasa_secure.core.identity.crypto import (
    ENV_VAR,
    PREFIX,
    Keyring,
    check_key_id,
    generate_key,
    is_encrypted,
)
from rasa_secure.core.identity.envelope import (
    METADATA_KEY,
    MIN_SHARED_SECRET_CHARS,
    PREVIOUS_SUFFIX,
    SHARED_SECRET_ENV,
    SHARED_SECRET_HEADER,
    Envelope,
    Generation,
    SharedSecrets,
    attestation_key,
    open_envelope,
    seal,
)
from rasa_secure.core.identity.grants import MASK, WITHHELD, Disclosure, Scope
from rasa_secure.core.identity.policy import AccessDecision, AccessReason, Policy, Principal
from rasa_secure.core.identity.policy_parser import domain_names
from rasa_secure.core.identity.reasons import PUBLIC_REASONS, AuthReason
from rasa_secure.core.identity.stepup import (
    INSUFFICIENT_USER_AUTHENTICATION,
    StepUpChallenge,
    StepUpRule,
)
from rasa_secure.core.identity.tokens import (
    MAX_TOKEN_CHARS,
    REASONS,
    Identity,
    TokenVerifier,
    bearer_token,
)
from rasa_secure.core.identity.values import (
    AccountNumber,
    EmailAddress,
    Money,
    PublicUrl,
    ValidatedStr,
    require_public_address,
)

__all__ = [
    "AUDIT_KEY_ENV",
    "CHECKPOINT_LOGGER",
    "ENV_VAR",
    "INSUFFICIENT_USER_AUTHENTICATION",
    "MASK",
    "MAX_TOKEN_CHARS",
    "METADATA_KEY",
    "MIN_SHARED_SECRET_CHARS",
    "PREFIX",
    "PREVIOUS_SUFFIX",
    "PUBLIC_REASONS",
    "REASONS",
    "SHARED_SECRET_ENV",
    "SHARED_SECRET_HEADER",
    "WITHHELD",
    "AccessDecision",
    "AccessReason",
    "AccountNumber",
    "AuditDecision",
    "AuditRecord",
    "AuthReason",
    "Disclosure",
    "EmailAddress",
    "Envelope",
    "Generation",
    "Identity",
    "Keyring",
    "Money",
    "Policy",
    "Principal",
    "PublicUrl",
    "Scope",
    "SharedSecrets",
    "StepUpChallenge",
    "StepUpRule",
    "TokenVerifier",
    "ValidatedStr",
    "accepted_keys",
    "attestation_key",
    "audit",
    "bearer_token",
    "check_key_id",
    "domain_names",
    "generate_key",
    "is_encrypted",
    "open_envelope",
    "require_public_address",
    "seal",
    "trail",
]
