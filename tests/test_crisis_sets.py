"""The crisis nets on an independent set (tests/data/crisis_sets.yml, bench/crisis_sets.py):
every crisis message raises the alarm (keyword net or the search's meaning check; the NLU's
crisis intent is a third net on top), hard-but-not-crisis messages seldom get the lines alone,
and ordinary rights questions seldom raise the alarm at all."""
from __future__ import annotations

import pytest
import yaml

from knowledge.crisis import detect
from knowledge.service import KnowledgeService

from .conftest import DATA

SETS = yaml.safe_load((DATA / "crisis_sets.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def service() -> KnowledgeService:
    return KnowledgeService()


def test_every_crisis_message_raises_the_alarm(service):
    assert len(SETS["crisis"]) >= 150
    missed = [c["q"] for c in SETS["crisis"]
              if detect(c["q"]) is None and not service.crisis_possible(c["q"])]
    assert missed == []


def test_hard_messages_seldom_get_the_crisis_lines_alone(service):
    hard = SETS["not_crisis"]
    assert len(hard) >= 150
    alone = [h["q"] for h in hard
             if detect(h["q"]) is not None
             and not service.search(h["q"]).worth_adding_to_crisis_lines]
    assert len(alone) / len(hard) <= 0.03, alone


def test_rights_questions_seldom_raise_the_alarm(service):
    questions = yaml.safe_load((DATA / "eval_questions.yml").read_text("utf-8"))["questions"]
    fired = [q["q"] for q in questions if q["expected"] and service.crisis_possible(q["q"])]
    assert len(fired) / len(questions) <= 0.10, fired
