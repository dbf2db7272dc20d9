"""The three answer levels on real embeddings and the real knowledge, through the search and
through the chat action: answer, suggest ("Mente du …?"), and don't know — honestly, with who
answers a topic that has no article (knowledge/gaps.yml) or a person to ask."""
from __future__ import annotations

import pytest

import actions.answer
import actions.common
from actions.answer import ActionAnswerFromKnowledge
from knowledge.search import ANSWER, SUGGEST, UNKNOWN
from knowledge.service import KnowledgeService

from .test_actions import custom, render, responses, run, tracker


@pytest.fixture(scope="module")
def service() -> KnowledgeService:
    return KnowledgeService()


@pytest.fixture
def chat(service, monkeypatch):
    monkeypatch.setattr(actions.common, "SERVICE_OVERRIDE", service)

    def ask(text: str):
        return run(ActionAnswerFromKnowledge(), tracker(text, "ask_rights"))[0]
    return ask


def test_answer_level_a_clear_question_gets_its_article(service, chat):
    result = service.search("hvor mange uger har jeg til at klage over en afgørelse")
    assert result.level == ANSWER and result.confident
    assert result.best.article.id == "klagefrist"
    messages = chat("hvor mange uger har jeg til at klage over en afgørelse")
    assert responses(messages)[0] == "utter_article"
    assert service.kb.article("klagefrist").summary in render(messages[0])
    assert custom(messages)[0]["confident"] is True
    assert custom(messages)[0]["level"] == "answer"     # the web app counts turns by it


def test_suggest_level_offers_the_close_articles_and_no_summary(service, chat):
    question = "hvornår skal jeg klage"
    result = service.search(question)
    assert result.level == SUGGEST and not result.confident
    offered = [h.article.id for h in result.suggestions]
    assert "klagefrist" in offered and 2 <= len(offered) <= 3
    messages = chat(question)
    assert responses(messages) == ["utter_suggest"]
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert service.kb.article("klagefrist").title in titles and "Tal med en person" in titles
    assert all(service.kb.article(a).summary not in str(messages) for a in offered)
    assert custom(messages)[0]["confident"] is False
    assert custom(messages)[0]["level"] == "suggest"
    # tapping a suggestion sends its title, which answers with that article
    tapped = chat(service.kb.article("klagefrist").title)
    assert responses(tapped)[0] == "utter_article"
    assert custom(tapped)[0]["article_id"] == "klagefrist"


def test_unknown_level_a_topic_without_article_names_who_answers(service, chat):
    result = service.search("hvornår kan jeg gå på folkepension")
    assert result.level == UNKNOWN and not result.confident
    assert result.gap is not None and result.gap.id == "folkepension"
    assert result.to_json()["gap"]["id"] == "folkepension"
    messages = chat("hvornår kan jeg gå på folkepension")
    assert responses(messages) == ["utter_no_article"]
    text = render(messages[0])
    assert "folkepension" in text and "Udbetaling Danmark" in text
    assert custom(messages)[0]["confident"] is False
    assert custom(messages)[0]["level"] == "unknown"


def test_unknown_level_shopping_is_refused_with_people_to_ask(service, chat):
    for question in ("hvad koster en ny iphone", "hvor kan jeg købe en billig cykel"):
        result = service.search(question)
        assert result.level == UNKNOWN, (question, result.best.article.id)
        assert result.gap is None
    messages = chat("hvad koster en ny iphone")
    assert responses(messages) == ["utter_not_sure"]
    assert "Den Sociale Retshjælp" in render(messages[0])


def test_a_covered_topic_that_names_a_gap_word_is_still_answered(service):
    # "folkepension" is a gap, but the heating-help article is written for folkepensionister
    result = service.search("jeg er på folkepension og har svært ved at betale for varmen")
    assert result.gap is None
    assert result.best.article.id == "varmehjaelp"


def test_scores_stay_between_0_and_1(service):
    for question in ("klagefrist klage frist klage 4 uger", "aktindsigt", "kontanthjælp"):
        assert all(0 <= h.score <= 1 for h in service.search(question, k=5).hits)


@pytest.mark.parametrize("question, line", [
    ("how do i complain about a decision from the kommune", "utter_in_danish_en"),
    ("Ich habe keine Wohnung, wo kann ich heute schlafen?", "utter_in_danish_de"),
    ("Nie mam mieszkania, gdzie mogę dziś spać?", "utter_in_danish_pl"),
    ("У мене немає житла, де я можу спати сьогодні?", "utter_in_danish_uk"),
    ("ليس لدي مكان للنوم الليلة، أين أذهب؟", "utter_in_danish_ar"),
])
def test_other_languages_are_helped_with_one_line_in_their_language(chat, question, line):
    messages = chat(question)
    said = [r for r in responses(messages) if not r.startswith("utter_crisis")]
    # (a night without a roof can also raise the crisis check: then the lines come first)
    # The line in their language comes first, the answer last: a turn's buttons ride on its
    # last message (standard clients show only those).
    assert said[0] == line
    assert said[1] in ("utter_article", "utter_suggest", "utter_not_sure")
    assert said[-1] == said[1]
    assert "utter_in_danish_en" not in responses(chat("hvordan klager jeg over en afgørelse"))


def test_a_rights_question_the_nlu_called_out_of_scope_is_answered(service, monkeypatch):
    from actions.reply import ActionReply

    monkeypatch.setattr(actions.common, "SERVICE_OVERRIDE", service)
    messages, _ = run(ActionReply(), tracker(
        "I was kicked out of my flat, where can I sleep tonight?", "out_of_scope"))
    assert responses(messages)[-1] in ("utter_article", "utter_suggest")
    assert "utter_out_of_scope" not in responses(messages)
    messages, _ = run(ActionReply(), tracker("hvad bliver vejret i morgen", "out_of_scope"))
    assert responses(messages) == ["utter_out_of_scope"]
