"""The crisis intent: the crisis lines at once (SafeAction sends them before anything else)."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from .common import SafeAction, send_crisis_lines


class ActionCrisis(SafeAction):
    def name(self) -> str:
        return "action_crisis"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict) -> list[dict]:
        # Reached only if the message is neither crisis-classified nor crisis-worded, e.g. a
        # rule or story predicted this action anyway: show every line rather than none.
        send_crisis_lines(dispatcher, tracker, domain, None)
        return []
