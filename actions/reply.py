"""Small talk, said by one action so that the crisis check runs first for these intents too:
"hej, jeg vil ikke leve mere" classified as a greeting still gets the crisis lines."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from knowledge.followup import follow_up_kind

from .answer import LAST_ARTICLE, ActionAnswerFromKnowledge, answer_if_sure
from .common import SafeAction, latest_intent, latest_text
from .stopping import END_INTENTS, meant_as_stop

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
# Small talk that is never a question about the last answer ("tak for det", "hej igen").
NOT_FOLLOW_UPS = (*END_INTENTS, "thanks", "greet")
OTHERWISE = "utter_inform"


class ActionReply(SafeAction):
    def name(self) -> str:
        return "action_reply"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict) -> list[dict]:
        intent = latest_intent(tracker)
        if (tracker.get_slot(LAST_ARTICLE) and intent not in NOT_FOLLOW_UPS
                and follow_up_kind(latest_text(tracker))):
            # "kan de det?" read as small talk: a follow-up to the last answer
            return await ActionAnswerFromKnowledge().act(dispatcher, tracker, domain)
        if intent in END_INTENTS and not meant_as_stop(tracker.latest_message or {}):
            # the NLU took a question for a stop ("klagefirst"): answer it instead
            return await ActionAnswerFromKnowledge().act(dispatcher, tracker, domain)
        if intent == "out_of_scope" and (
                events := answer_if_sure(dispatcher, tracker, domain)) is not None:
            # the search, with its own out-of-scope examples, is sure it is a rights question
            # (often English: "I was kicked out of my flat, where can I sleep tonight?")
            return events
        dispatcher.utter_message(response=REPLIES.get(intent, OTHERWISE))
        return []
