"""Rights questions (and whatever the NLU is unsure of): the best article's summary with its
source, or — when the search is not confident — an honest "not sure" and people to ask."""
from __future__ import annotations

import logging

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from knowledge.complaint import help_channels

from .common import (
    SafeAction,
    article_link,
    channel_lines,
    channel_links,
    latest_text,
    municipality,
    send_custom,
    service,
)

log = logging.getLogger("rettighedsbot.actions")
MAX_RELATED = 2
# Other articles are offered only when they score nearly as well as the answer.
RELATED_WITHIN = 0.05


def unsure(dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict, kb, place) -> None:
    channels = help_channels(kb) + (list(place.channels) if place else [])
    dispatcher.utter_message(response="utter_not_sure", lines=channel_lines(domain, channels))
    send_custom(dispatcher, tracker, channel_links(domain, channels), confident=False)


class ActionAnswerFromKnowledge(SafeAction):
    def name(self) -> str:
        return "action_answer_from_knowledge"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict) -> list[dict]:
        try:
            svc = service()
            kb = svc.kb
        except Exception:  # the knowledge set could not load at all
            log.exception("knowledge service unavailable")
            dispatcher.utter_message(response="utter_knowledge_down")
            return []
        place = municipality(tracker, kb)
        question = latest_text(tracker)
        if not question.strip() or question.startswith("/"):
            unsure(dispatcher, tracker, domain, kb, place)
            return []
        try:
            result = svc.search(question, k=1 + MAX_RELATED,
                                kommune=place.name if place else None)
        except Exception:
            log.exception("search failed for a question")
            dispatcher.utter_message(response="utter_knowledge_down")
            return []
        if not result.confident or result.best is None:
            unsure(dispatcher, tracker, domain, kb, place)
            return []

        article = result.best.article
        dispatcher.utter_message(response="utter_article", title=article.title,
                                 summary=article.summary)
        links = [article_link(domain, article)]
        links += channel_links(domain, kb.channels_for(article, place.name if place else None))
        send_custom(dispatcher, tracker, links, article_id=article.id, confident=True)

        floor = max(svc.threshold, result.best.score - RELATED_WITHIN)
        related = [h.article for h in result.hits[1:] if h.score >= floor]
        if related:
            dispatcher.utter_message(
                response="utter_article_related",
                buttons=[{"title": a.title, "payload": a.title} for a in related])
        return []
