"""Advice routing: people who can help, by topic and kommune, from channels.yml and
municipalities.yml. Serves "hvor kan jeg få hjælp", "tal med en person" and a bare kommune."""
from __future__ import annotations

import logging

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from knowledge.complaint import help_channels
from knowledge.municipalities import official_name as official_kommune_name

from .common import (
    SafeAction,
    channel_lines,
    channel_links,
    latest_intent,
    latest_text,
    municipality,
    send_custom,
    service,
)

log = logging.getLogger("rettighedsbot.actions")
INTROS = {"want_human": "utter_want_human", "inform": "utter_advice"}


def topic_article(svc, text: str):
    """The article a question is about, if the search is sure (for its own channels)."""
    if not text.strip() or text.startswith("/"):
        return None
    try:
        result = svc.search(text, k=1)
    except Exception:  # no topic is no reason to withhold the advice channels
        log.exception("topic search failed")
        return None
    return result.best.article if result.confident and result.best else None


class ActionAdvice(SafeAction):
    def name(self) -> str:
        return "action_advice"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict) -> list[dict]:
        svc = service()
        kb = svc.kb
        intent = latest_intent(tracker)
        text = latest_text(tracker)
        events: list[dict] = []
        place = municipality(tracker, kb)
        if intent == "inform":
            named = kb.resolver.find(text)
            if named is None:
                # a date or a topic with no question around it: ask what they want to know
                dispatcher.utter_message(response="utter_inform")
                return []
            place = named
            events.append(SlotSet("kommune", named.name))

        # "Hvor kan jeg få hjælp til min gæld" has a topic whose channels come first;
        # "tal med en person" has none, and the search is not confident about it.
        article = topic_article(svc, text) if intent == "want_human" else None
        national = help_channels(kb, article)
        if intent == "want_human" and "kommunen" in kb.channels:
            national.append(kb.channels["kommunen"])
        local = list(place.channels) if place else []

        dispatcher.utter_message(response=INTROS.get(intent, "utter_advice"),
                                 lines=channel_lines(domain, national))
        send_custom(dispatcher, tracker, channel_links(domain, national),
                    article_id=article.id if article else None, confident=True)
        if local:
            dispatcher.utter_message(response="utter_advice_local",
                                     kommune=official_kommune_name(place.name),
                                     lines=channel_lines(domain, local))
            send_custom(dispatcher, tracker, channel_links(domain, local), confident=True)
        elif place is None:
            dispatcher.utter_message(response="utter_advice_ask_kommune")
        return events
