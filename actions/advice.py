"""Advice routing: people who can help, by topic and kommune, from channels.yml and
municipalities.yml. Serves "hvor kan jeg få hjælp", "tal med en person" and a bare kommune."""
from __future__ import annotations

import logging

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from knowledge.complaint import help_channels
from knowledge.followup import follow_up_kind
from knowledge.models import KOMMUNE_CHANNEL
from knowledge.municipalities import local_channels
from knowledge.municipalities import official_name as official_kommune_name

from .common import (
    SafeAction,
    channel_lines,
    channel_links,
    latest_intent,
    latest_text,
    municipality,
    phrase,
    send_custom,
    service,
)

log = logging.getLogger("rettighedsbot.actions")
INTROS = {"want_human": "utter_want_human", "inform": "utter_advice"}
# A kommune's own channels in this order: who helps with a case before who speaks for many.
LOCAL_ORDER = ("borgerraadgiver", "udsatteraad", "rusmiddelcenter", "jobcenter", "herberg",
               "akut", "borgerservice")


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
            if named is None and tracker.get_slot("last_article") and follow_up_kind(text):
                # "og hvis den er gået?" read as 'inform': a follow-up to the last answer
                from .answer import ActionAnswerFromKnowledge

                return await ActionAnswerFromKnowledge().act(dispatcher, tracker, domain)
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
        local = [c for c in local_channels(place, LOCAL_ORDER) if c.kind != "krise"]
        if intent == "want_human" and KOMMUNE_CHANNEL in kb.channels and not local:
            national.append(kb.channels[KOMMUNE_CHANNEL])
        intro = INTROS.get(intent, "utter_advice")
        article_id = article.id if article else None
        if local:
            # The kommune's own people first (borgerrådgiver, udsatteråd, the kommune itself),
            # then the free national advice.
            heading = phrase(domain, "utter_fmt_in_kommune",
                             kommune=official_kommune_name(place.name))
            dispatcher.utter_message(response=intro,
                                     lines=f"{heading}\n\n{channel_lines(domain, local)}")
            send_custom(dispatcher, tracker, channel_links(domain, local),
                        article_id=article_id, confident=True)
            dispatcher.utter_message(response="utter_advice_more",
                                     lines=channel_lines(domain, national))
            send_custom(dispatcher, tracker, channel_links(domain, national), confident=True)
            return events
        dispatcher.utter_message(response=intro, lines=channel_lines(domain, national))
        send_custom(dispatcher, tracker, channel_links(domain, national),
                    article_id=article_id, confident=True)
        if place is None:
            dispatcher.utter_message(response="utter_advice_ask_kommune")
        return events
