"""Follow-up questions keep the topic (knowledge/followup.py, actions/answer.py), on the real
knowledge and real embeddings: "hvad hvis de siger nej?" after efterværn is the efterværn
refusal, "kan de det?" after a sanction is the sanction; a full question of its own is not
pulled into the old topic."""
from __future__ import annotations

import pytest

from actions.answer import LAST_ARTICLE, ActionAnswerFromKnowledge, search_in_context
from knowledge.followup import STRONG, WEAK, follow_up_kind
from knowledge.service import KnowledgeService

from .test_actions import custom, responses, run, tracker


@pytest.fixture(scope="module")
def service() -> KnowledgeService:
    return KnowledgeService()


@pytest.mark.parametrize("text, kind", [
    ("hvad hvis kommunen siger nej?", STRONG), ("kan de det?", STRONG), ("og hvis jeg er syg", STRONG),
    ("hvor meget får man?", WEAK), ("hvor lang tid tager det", STRONG),
    ("jeg har ikke noget sted at sove i nat", None),
    ("hvornår skal jeg sende min klage til kommunen hvis jeg har fået nej til hjælp", None),
])
def test_what_counts_as_a_follow_up(text, kind):
    assert follow_up_kind(text) == kind


@pytest.mark.parametrize("last, question, expected", [
    ("eftervaern", "hvad hvis kommunen siger nej?", "eftervaern-afslag"),
    ("aktindsigt", "hvor lang tid må de være om det?", "aktindsigt"),
    ("sanktioner-kontanthjaelp", "kan de det?", "sanktioner-kontanthjaelp"),
    ("foertidspension", "hvordan søger jeg det?", "foertidspension-ansoegning"),
    ("sygedagpenge", "hvor længe kan jeg få dem?", "sygedagpenge-stop"),
    ("boligstoette", "og hvis jeg bor på værelse?", "boligstoette"),
])
def test_a_follow_up_is_answered_in_the_topic(service, last, question, expected):
    result = search_in_context(service, service.kb, question, last, None)
    assert result.level == "answer" and result.best.article.id == expected


@pytest.mark.parametrize("last, question, expected", [
    ("klagefrist", "jeg har ikke noget sted at sove i nat", "hjemloeshed"),
    ("kontanthjaelp", "hvad er aktindsigt", "aktindsigt"),
])
def test_a_question_of_its_own_leaves_the_old_topic(service, last, question, expected):
    assert search_in_context(service, service.kb, question, last, None).best.article.id == expected


def test_the_chat_keeps_the_last_article_in_a_slot(service, monkeypatch):
    import actions.answer
    import actions.common

    monkeypatch.setattr(actions.common, "SERVICE_OVERRIDE", service)
    messages, events = run(ActionAnswerFromKnowledge(),
                           tracker("hvad hvis kommunen siger nej?", "ask_rights",
                                   slots={LAST_ARTICLE: "eftervaern"}))
    assert responses(messages)[0] == "utter_article"
    assert custom(messages)[0]["article_id"] == "eftervaern-afslag"
    assert {"event": "slot", "timestamp": None, "name": LAST_ARTICLE,
            "value": "eftervaern-afslag"} in events
