"""Small talk, said by one action so that the crisis check runs first for these intents too:
"hej, jeg vil ikke leve mere" classified as a greeting still gets the crisis lines."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from .common import SafeAction, latest_intent

REPLIES = {
    "greet": "utter_greet",
    "goodbye": "utter_goodbye",
    "thanks": "utter_thanks",
    "affirm": "utter_affirm",
    "deny": "utter_deny",
    "bot_challenge": "utter_bot_challenge",
    "out_of_scope": "utter_out_of_scope",
    "stop": "utter_stop",
}
FORM_STOPPED = "utter_form_stopped"
OTHERWISE = "utter_inform"


def form_was_stopped(tracker: Tracker) -> bool:
    """Did action_deactivate_loop just end a form in this turn?"""
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") == "action_deactivate_loop":
            return True
    return False


class ActionReply(SafeAction):
    def name(self) -> str:
        return "action_reply"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict) -> list[dict]:
        intent = latest_intent(tracker)
        if intent == "stop" and form_was_stopped(tracker):
            dispatcher.utter_message(response=FORM_STOPPED)
        else:
            dispatcher.utter_message(response=REPLIES.get(intent, OTHERWISE))
        return []
