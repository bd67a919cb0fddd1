"""The action-server side (``rasa_sdk`` only, never ``rasa``): authentication, handlers, guards."""
