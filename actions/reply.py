"""Small talk, said by one action so that the crisis check runs first for these intents too:
"hej, jeg vil ikke leve mere" classified as a greeting still gets the crisis lines."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from knowledge.followup import follow_up_kind
from knowledge.text import fold

from .answer import LAST_ARTICLE, ActionAnswerFromKnowledge, answer_if_sure
from .common import SafeAction, latest_intent, latest_text

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
# Said as a message of its own, these end a conversation; anything longer is a question.
STOP_MAX_WORDS = 5
_STOP_WORDS = frozenset(["stop", "stopp", "slut", "afslut", "afbryd", "annuller", "farvel", "bye", "goodbye", "quit", "exit", "ses", "glem"])
_STOP_PHRASES = frozenset({"hej hej", "nej tak", "det var det", "tak for nu", "vi ses"})
_QUESTION_WORDS = frozenset(["kan", "maa", "skal", "vil", "hvad", "hvordan", "hvorfor", "hvem", "hvornaar", "hvor", "er", "har", "can", "may", "what", "how", "why", "when"])
END_INTENTS = ("stop", "goodbye")
# Small talk that is never a question about the last answer ("tak for det", "hej igen").
NOT_FOLLOW_UPS = (*END_INTENTS, "thanks", "greet")
OTHERWISE = "utter_inform"


def looks_like_stop(text: str) -> bool:
    """A stop or goodbye is short and says so ("stop", "farvel", "glem det"). "klagefirst"
    (a typo for klagefrist) or "kan kommunen stoppe min kontanthjælp?" is a question."""
    folded = fold(text)
    words = folded.split()
    if not 0 < len(words) <= STOP_MAX_WORDS or "?" in text or words[0] in _QUESTION_WORDS:
        return False
    return folded in _STOP_PHRASES or any(w in _STOP_WORDS for w in words)


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
        if (tracker.get_slot(LAST_ARTICLE) and intent not in NOT_FOLLOW_UPS
                and follow_up_kind(latest_text(tracker))):
            # "kan de det?" read as small talk: a follow-up to the last answer
            return await ActionAnswerFromKnowledge().act(dispatcher, tracker, domain)
        if intent in END_INTENTS and not form_was_stopped(tracker) \
                and not looks_like_stop(latest_text(tracker)):
            # the NLU took a question for a stop ("klagefirst"): answer it instead
            return await ActionAnswerFromKnowledge().act(dispatcher, tracker, domain)
        if intent == "out_of_scope" and (
                events := answer_if_sure(dispatcher, tracker, domain)) is not None:
            # the search, with its own out-of-scope examples, is sure it is a rights question
            # (often English: "I was kicked out of my flat, where can I sleep tonight?")
            return events
        if intent == "stop" and form_was_stopped(tracker):
            dispatcher.utter_message(response=FORM_STOPPED)
        else:
            dispatcher.utter_message(response=REPLIES.get(intent, OTHERWISE))
        return []
