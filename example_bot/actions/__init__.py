"""Custom actions of the example bot (loaded with ``--actions example_bot.actions``)."""

from example_bot.actions.actions import (
    ActionAskTransferConfirmed,
    ActionCancelTransfer,
    ActionCheckBalance,
    ActionHandoff,
    ActionTransferMoney,
    ActionUpdateEmail,
    ValidateEmailForm,
    ValidateTransferForm,
)
from example_bot.actions.privacy import ActionSessionStart

__all__ = [
    "ActionAskTransferConfirmed",
    "ActionCancelTransfer",
    "ActionCheckBalance",
    "ActionHandoff",
    "ActionSessionStart",
    "ActionTransferMoney",
    "ActionUpdateEmail",
    "ValidateEmailForm",
    "ValidateTransferForm",
]
