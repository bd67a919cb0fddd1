"""Custom actions of the example bot (loaded with ``--actions example_bot.actions``)."""

from example_bot.actions.actions import (
    ActionAskTransferConfirmed,
    ActionCheckBalance,
    ActionHandoff,
    ActionTransferMoney,
    ActionUpdateEmail,
    ValidateEmailForm,
    ValidateTransferForm,
)

__all__ = [
    "ActionAskTransferConfirmed",
    "ActionCheckBalance",
    "ActionHandoff",
    "ActionTransferMoney",
    "ActionUpdateEmail",
    "ValidateEmailForm",
    "ValidateTransferForm",
]
