"""Actions the bank policy does not govern, one per reason; loaded only in subprocesses.

rasa-sdk registers every ``Action`` subclass loaded in a process, so this module must never
be imported by the test process itself (the guarded servers of other tests would refuse to
start). ``tests/actions/test_governance.py`` starts ``rasa-secure actions --actions
tests.actions.ungoverned_actions`` in its own process.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from rasa_secure.actions import ActionContext, SecureAction

LEAK = "Your card 4111 1111 1111 1111 is linked to ada.byron@example.com."
"""What the plain action of issue 17 #8 sent back unredacted, to a caller without identity."""


class PlainLeaky(Action):
    """A plain rasa-sdk action: nothing checks the caller, nothing redacts its replies."""

    def name(self) -> str:
        return "plain_leaky"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        dispatcher.utter_message(text=f"{LEAK} Amount: {tracker.get_slot('amount')}.")
        return []


class UnlistedSecure(SecureAction):
    """A SecureAction the policy does not name (a typo in the policy or in name())."""

    def name(self) -> str:
        return "sample_check_balanse"

    async def run_authorized(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
        context: ActionContext,
    ) -> List[Dict[str, Any]]:
        return []


class OverridingSecure(UnlistedSecure):
    """A SecureAction granted in the policy whose run() skips the checks."""

    def name(self) -> str:
        return "action_probe"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        dispatcher.utter_message(text=LEAK)
        return []
