"""The action server side: secure actions and forms, their guard, the server's own checks.

Code outside this subpackage imports these names from here.
"""

from rasa_secure.actions.guard import CONFIG_ENV, POLICY_ENV, ActionGuard
from rasa_secure.actions.secure_action import ActionContext, SecureAction
from rasa_secure.actions.secure_form import SecureFormValidationAction
from rasa_secure.actions.server_auth import ActionServerAuth, attach, init_hooks

__all__ = [
    "CONFIG_ENV",
    "POLICY_ENV",
    "ActionContext",
    "ActionGuard",
    "ActionServerAuth",
    "SecureAction",
    "SecureFormValidationAction",
    "attach",
    "init_hooks",
]
