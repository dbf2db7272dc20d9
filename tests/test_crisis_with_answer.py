"""After the crisis lines, what else the citizen sees, on the real knowledge and embeddings:
a rights question inside a hard message still gets its articles ("min søn er anbragt og jeg
må ikke se ham"), a message that is a crisis and nothing else gets the lines only — no
"Mente du …?" with kontanthjælp and pension under "jeg vil ikke leve mere" — and where the
citizen asks what to do, only the help that fits (akut psykisk hjælp, not kontanthjælp)."""
from __future__ import annotations

import pytest

import actions.common
from actions.crisis import ActionCrisis
from knowledge.service import KnowledgeService

from .test_actions import custom, render, responses, run, tracker


@pytest.fixture(scope="module")
def service() -> KnowledgeService:
    return KnowledgeService()


@pytest.fixture
def real_service(service, monkeypatch) -> KnowledgeService:
    monkeypatch.setattr(actions.common, "SERVICE_OVERRIDE", service)
    return service


def offered(messages) -> list[str]:
    return [b["title"] for m in messages for b in m.get("buttons") or []]


@pytest.mark.parametrize("text", [
    "jeg vil ikke leve mere",
    "jeg orker ikke at leve mere",
    "jeg tænker på at tage mit liv",
])
def test_a_crisis_and_nothing_else_gets_the_lines_only(real_service, text):
    messages, _ = run(ActionCrisis(), tracker(text, "crisis"))
    said = responses(messages)
    assert said[0].startswith("utter_crisis")
    assert "utter_suggest" not in said and "utter_article" not in said
    assert offered(messages) == []


def test_asking_what_to_do_gets_the_help_that_fits_and_no_guesses(real_service):
    messages, _ = run(ActionCrisis(), tracker("jeg vil ikke leve mere, hvad gør jeg", "crisis"))
    assert responses(messages)[0].startswith("utter_crisis")
    kb = real_service.kb
    assert kb.article("akut-psykisk-hjaelp").title in offered(messages)
    assert kb.article("kontanthjaelp").title not in offered(messages)


def test_a_hard_rights_question_gets_the_lines_and_its_articles(real_service):
    messages, _ = run(ActionCrisis(), tracker("min søn er blevet anbragt og jeg må ikke se ham",
                                              "crisis"))
    said = responses(messages)
    assert said[0].startswith("utter_crisis")
    # offered, not answered under the lines, though the search is sure of it
    assert real_service.search("min søn er blevet anbragt og jeg må ikke se ham").confident
    assert real_service.kb.article("samvaer-anbragt-barn").title in offered(messages)
    assert "utter_article" not in said and not any(c.get("article_id") for c in custom(messages))


def test_a_hard_message_about_a_topic_without_an_article_gets_the_lines_and_who_answers(
        real_service):
    """After the crisis lines, a question about state compensation for violence (no article:
    knowledge/gaps.yml) gets who answers it, not the lines alone nor a neighbouring article."""
    messages, _ = run(ActionCrisis(), tracker(
        "han slog mig ned på gaden i går, kan jeg få penge fra staten for det", "crisis"))
    said = responses(messages)
    assert said[0].startswith("utter_crisis")
    assert "utter_no_article" in said and "utter_article" not in said
    no_article = next(m for m in messages if m.get("response") == "utter_no_article")
    text = render(no_article)
    assert "ofre for vold" in text and "114" in text
