"""Rights questions (and whatever the NLU is unsure of), at the search's three levels:
- answer: the best article's summary with its source;
- suggest: "Mente du …?" with the best articles as buttons (their titles: a tap answers it);
- unknown: an honest "not sure" and people to ask — for a known topic without an article
  (knowledge/gaps.yml), that there is no article yet and who answers it."""
from __future__ import annotations

import logging
from dataclasses import replace

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from knowledge.complaint import help_channels
from knowledge.followup import WEAK, family, follow_up_kind, pick_in_family
from knowledge.language import detect_language
from knowledge.municipalities import local_channels
from knowledge.search import ANSWER, SUGGEST, Hit

from .common import (
    SafeAction,
    article_link,
    channel_lines,
    channel_links,
    latest_text,
    links_text,
    municipality,
    send_custom,
    service,
    source_links,
)

log = logging.getLogger("rettighedsbot.actions")
MAX_RELATED = 2
# "The answer is in Danish; ask the kommune for an interpreter", per language (bot/domain.yml)
IN_DANISH = {"en": "utter_in_danish_en", "de": "utter_in_danish_de", "pl": "utter_in_danish_pl",
             "uk": "utter_in_danish_uk", "ar": "utter_in_danish_ar"}
FAMILY_DEPTH = 25              # how deep the follow-up's own search looks for the family
LAST_ARTICLE = "last_article"   # slot: the article of the last answer (bot/domain.yml)
# Other articles are offered only when they score nearly as well as the answer.
RELATED_WITHIN = 0.05


def in_their_language(dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> None:
    """One line in the citizen's own language: the answer is Danish, ask for an interpreter."""
    response = IN_DANISH.get(detect_language(latest_text(tracker)))
    if response and response in (domain.get("responses") or {}):
        dispatcher.utter_message(response=response)


# The citizen's-language line comes before the answer: a turn's buttons ride on its last
# message, since standard clients (rasa-webchat) show quick replies on the last one only.

def unsure(dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict, kb, place) -> None:
    channels = help_channels(kb) + local_channels(place)
    in_their_language(dispatcher, tracker, domain)
    dispatcher.utter_message(response="utter_not_sure", lines=channel_lines(domain, channels))
    send_custom(dispatcher, tracker, channel_links(domain, channels), confident=False)


def no_article(dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict, kb,
               gap, place=None) -> None:
    channels = kb.channels_named(gap.channels, place.name if place else None)
    in_their_language(dispatcher, tracker, domain)
    dispatcher.utter_message(response="utter_no_article", topic=gap.name,
                             lines=channel_lines(domain, channels))
    send_custom(dispatcher, tracker, channel_links(domain, channels), confident=False)


def suggest(dispatcher: CollectingDispatcher, tracker: Tracker, hits, domain: dict) -> None:
    in_their_language(dispatcher, tracker, domain)
    dispatcher.utter_message(
        response="utter_suggest",
        buttons=[*({"title": h.article.title, "payload": h.article.title} for h in hits),
                 {"title": "Tal med en person", "payload": "/want_human"}])
    send_custom(dispatcher, tracker, [], confident=False, level=SUGGEST)


def answer(dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict, kb, article,
           place, related=()) -> None:
    """The summary, then its links as Markdown (read more, sources, whom to call) for standard
    clients, and one row of buttons: what to do next (domain.yml) and the related articles."""
    links = [article_link(domain, article)]
    links += channel_links(domain, kb.channels_for(article, place.name if place else None))
    more = links_text([links[0], *source_links(domain, article), *links[1:]])
    in_their_language(dispatcher, tracker, domain)
    dispatcher.utter_message(response="utter_article", title=article.title,
                             summary=article.summary, more=more,
                             buttons=[{"title": a.title, "payload": a.title} for a in related])
    send_custom(dispatcher, tracker, links, article_id=article.id, confident=True,
                markdown=more)


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
        chosen = kb.article_titled(question)     # a "Mente du …?" or related button
        if chosen is not None:
            answer(dispatcher, tracker, domain, kb, chosen, place,
                   [kb.articles[a] for a in chosen.related if a in kb.articles][:MAX_RELATED])
            return [SlotSet(LAST_ARTICLE, chosen.id)]
        try:
            result = search_in_context(svc, kb, question, tracker.get_slot(LAST_ARTICLE),
                                       place.name if place else None)
        except Exception:
            log.exception("search failed for a question")
            dispatcher.utter_message(response="utter_knowledge_down")
            return []
        if result.gap is not None:
            no_article(dispatcher, tracker, domain, kb, result.gap, place)
            return []
        if result.level == SUGGEST and result.suggestions:
            suggest(dispatcher, tracker, result.suggestions, domain)
            # the likeliest topic, for a follow-up ("kan de det?") to lean on
            return [SlotSet(LAST_ARTICLE, result.suggestions[0].article.id)]
        if not result.confident or result.best is None:
            unsure(dispatcher, tracker, domain, kb, place)
            return []
        article = result.best.article
        answer(dispatcher, tracker, domain, kb, article, place, related_to(kb, result))
        return [SlotSet(LAST_ARTICLE, article.id)]


def answer_if_sure(dispatcher: CollectingDispatcher, tracker: Tracker,
                   domain: dict, after_crisis: bool = False) -> list | None:
    """The article answer for this message if the search is sure, its suggestions if it is
    plausible, who answers a topic without an article if it names one; None when it said
    nothing (the caller then says what it would have said). After the crisis lines, never a
    whole answer under them, and suggestions only for articles nearly as close as the crisis
    (SearchResult.suggestions_beside_crisis_lines): guesses would only distract; but "kan jeg
    få voldsoffererstatning" gets who answers it."""
    question = latest_text(tracker)
    if not question.strip() or question.startswith("/"):
        return None
    svc = service()
    place = municipality(tracker, svc.kb)
    result = svc.search(question, k=1 + MAX_RELATED, kommune=place.name if place else None)
    if result.gap is not None:
        no_article(dispatcher, tracker, domain, svc.kb, result.gap, place)
        return []
    offered = result.suggestions_beside_crisis_lines if after_crisis else result.suggestions
    if offered:
        suggest(dispatcher, tracker, offered, domain)
        return []
    if after_crisis or not result.confident or result.best is None:
        return None
    answer(dispatcher, tracker, domain, svc.kb, result.best.article, place)
    return [SlotSet(LAST_ARTICLE, result.best.article.id)]


def search_in_context(svc, kb, question: str, last_article: str | None, kommune: str | None):
    """The message alone, or — when it is a short follow-up after an answer — answered from
    the family of that answer's article (knowledge/followup.py)."""
    alone = svc.search(question, k=FAMILY_DEPTH, kommune=kommune)
    topic = kb.article(last_article) if last_article else None
    kind = follow_up_kind(question) if topic else None
    if kind is None:
        return _trim(alone)
    members = family(kb, topic)
    if kind == WEAK and alone.level == ANSWER and alone.best.article not in members:
        return _trim(alone)               # a short question of its own, on another topic
    picked = pick_in_family(alone.hits, members)
    if picked is None:
        if kind == WEAK or not alone.hits:
            return _trim(alone)
        # "kan de det?": it points back, and nothing else fits: the topic itself
        picked = topic, Hit(topic, alone.best.score, None)
    article, hit = picked
    others = [h for h in alone.hits if h.article.id != article.id][:MAX_RELATED]
    return replace(alone, confident=True, level=ANSWER, hits=[hit, *others], gap=None)


def _trim(result):
    return replace(result, hits=result.hits[:1 + MAX_RELATED])


def related_to(kb, result) -> list:
    """The next step: the answer's own `related` articles first, then near runners-up."""
    article = result.best.article
    related = [kb.articles[a] for a in article.related if a in kb.articles]
    floor = result.best.score - RELATED_WITHIN
    related += [h.article for h in result.hits[1:] if h.score >= floor and h.article not in related]
    return related[:MAX_RELATED]
