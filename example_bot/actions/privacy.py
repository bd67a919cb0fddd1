"""The example bot's privacy notice and the customer's consent across sessions.

Rasa starts every session with ``action_session_start``; this one is a
:class:`~rasa_secure.actions.secure_action.SecureAction` like every other action (the policy
grants it; the caller is the verified subject of the message that started the session). It
carries two slots into the new session, so that the customer decides once, not every hour:

* ``consent``: whether the customer lets Example Bank keep their chats to improve the
  assistant (set by the customer's own words, see the domain's slot mappings); the secure
  event broker publishes a conversation only while it is true (``consent_slot``);
* ``privacy_notice_shown``: the notice is shown on first contact only.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from example_bot.actions.actions import BankAction
from rasa_secure.actions import ActionContext

CONSENT_SLOT = "consent"
NOTICE_SLOT = "privacy_notice_shown"


class ActionSessionStart(BankAction):
    """Start a session: carry consent over, show the privacy notice on first contact."""

    def name(self) -> str:
        return "action_session_start"

    async def run_authorized(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
        context: ActionContext,
    ) -> List[Dict[str, Any]]:
        events: List[Dict[str, Any]] = [SessionStarted()]
        consent = tracker.get_slot(CONSENT_SLOT)
        if consent is not None:
            events.append(SlotSet(CONSENT_SLOT, consent))
        if tracker.get_slot(NOTICE_SLOT) is not True:
            dispatcher.utter_message(response="utter_privacy_notice")
        events.append(SlotSet(NOTICE_SLOT, True))
        events.append(ActionExecuted("action_listen"))
        return events
