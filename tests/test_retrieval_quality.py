"""Search quality on the evaluation set, through the same `search --json` contract tools use.

The questions in tests/data/eval_questions.yml were written apart from the articles, as
citizens type (typos, no æøå, English, long worried messages); out-of-scope ones must never
come back confident. Targets from the knowledge-base issue.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml

from knowledge.service import KnowledgeService

from .conftest import DATA

RECALL_AT_1 = 0.92      # issue 11's target (0.963 on this tuned-on set; held out below)
RECALL_AT_3 = 0.97


@pytest.fixture(scope="module")
def service() -> KnowledgeService:
    return KnowledgeService()


@pytest.fixture(scope="module")
def evaluation(service: KnowledgeService) -> dict:
    questions = yaml.safe_load((DATA / "eval_questions.yml").read_text("utf-8"))["questions"]
    ranks, misses, oos_confident = [], [], []
    for item in questions:
        result = service.search(item["q"], k=3)
        got = [h.article.id for h in result.hits]
        if item["expected"] is None:
            if result.confident:
                oos_confident.append((item["q"], got[0], round(result.hits[0].score, 3)))
            continue
        good = {item["expected"], *(item.get("also") or [])}
        rank = next((i + 1 for i, a in enumerate(got) if a in good), None)
        ranks.append(rank)
        if rank != 1:
            misses.append((item["q"], item["expected"], got))
    return {"ranks": ranks, "misses": misses, "oos_confident": oos_confident,
            "oos_total": sum(1 for q in questions if q["expected"] is None)}


def test_every_expected_article_exists(service: KnowledgeService) -> None:
    questions = yaml.safe_load((DATA / "eval_questions.yml").read_text("utf-8"))["questions"]
    missing = {q["expected"] for q in questions if q["expected"]} - set(service.kb.articles)
    assert not missing, f"eval set expects articles that do not exist: {sorted(missing)}"
    assert len(questions) >= 80


def test_recall_at_1_and_3(evaluation: dict) -> None:
    ranks = evaluation["ranks"]
    at1 = sum(r == 1 for r in ranks) / len(ranks)
    at3 = sum(r is not None and r <= 3 for r in ranks) / len(ranks)
    detail = "\n".join(f"  {q!r}: expected {e}, got {g}" for q, e, g in evaluation["misses"])
    assert at1 >= RECALL_AT_1, f"recall@1 {at1:.3f} < {RECALL_AT_1}\n{detail}"
    assert at3 >= RECALL_AT_3, f"recall@3 {at3:.3f} < {RECALL_AT_3}\n{detail}"


def test_out_of_scope_is_never_confident(evaluation: dict) -> None:
    assert evaluation["oos_total"] >= 20
    assert evaluation["oos_confident"] == []


def test_in_scope_questions_are_answered_or_the_right_article_is_offered(
        service: KnowledgeService) -> None:
    """The bot must help with most real questions, not hide behind "I am not sure": the
    right article is the answer, or among the "Mente du …?" suggestions; and when it does
    answer, it is right (confident but wrong at most 1%)."""
    questions = yaml.safe_load((DATA / "eval_questions.yml").read_text("utf-8"))["questions"]
    in_scope = [q for q in questions if q["expected"]]
    helped = wrong = answered = 0
    for item in in_scope:
        result = service.search(item["q"])
        good = {item["expected"], *(item.get("also") or [])}
        if result.level == "answer":
            answered += 1
            wrong += result.best.article.id not in good
            helped += result.best.article.id in good
        elif result.level == "suggest":
            helped += bool(good & {h.article.id for h in result.suggestions})
    n = len(in_scope)
    assert helped / n >= 0.9, f"only {helped / n:.2f} got the right article or suggestion"
    assert answered / n >= 0.72, f"only {answered / n:.2f} answered"   # target 0.85: not met
    assert wrong / n <= 0.01, f"{wrong} confident but wrong"


def load(name: str) -> list[dict]:
    return yaml.safe_load((DATA / f"{name}.yml").read_text("utf-8"))["questions"]


def test_questions_about_topics_without_an_article_are_never_answered(
        service: KnowledgeService) -> None:
    probes = load("uncovered_questions")
    assert len(probes) >= 80
    answered = [(p["q"], r.best.article.id) for p in probes
                if (r := service.search(p["q"])).level == "answer"]
    assert answered == []
    named = sum(service.search(p["q"]).gap is not None for p in probes) / len(probes)
    assert named >= 0.9          # and who can answer it is named (knowledge/gaps.yml)


# Probe sets written from the article list only, not from knowledge/gaps.yml: topics nobody
# foresaw. Issue 11's target is 0 answered; what is reached is gated (bench/README.md).
UNFORESEEN_ANSWERED = {"holdout_uncovered_questions": 0, "holdout_uncovered2_questions": 1,
                       "holdout_uncovered3_questions": 2}


@pytest.mark.parametrize("name", sorted(UNFORESEEN_ANSWERED))
def test_unforeseen_topics_without_an_article_are_seldom_answered(service: KnowledgeService,
                                                                  name: str) -> None:
    probes = load(name)
    assert len(probes) >= 80
    answered = [(p["q"], r.best.article.id) for p in probes
                if (r := service.search(p["q"])).level == "answer"]
    assert len(answered) <= UNFORESEEN_ANSWERED[name], answered


# Held-out sets: written from the articles' titles, summaries and bodies only and never tuned
# on (bench/README.md): what unseen questions get. Do not tune the articles on them; write a
# new set when one has been read. (recall@1, answered, confident-but-wrong rate) gated per set.
# Issue 11's targets are 0.92 / 0.85 / 0.01; measured (bench/README.md) 0.920 / 0.827 / 0.007,
# 0.887 / 0.787 / 0.027, 0.967 / 0.842 / 0 and 0.940 / 0.790 / 0.
HELD_OUT = {
    "holdout_questions": (0.90, 0.80, 0.01),
    "holdout2_questions": (0.87, 0.76, 0.03),
    "holdout3_questions": (RECALL_AT_1, 0.82, 0.01),
    "holdout4_questions": (RECALL_AT_1, 0.76, 0.01),
}


@pytest.mark.parametrize("name", sorted(HELD_OUT))
def test_held_out_questions_are_found_answered_and_seldom_wrong(service: KnowledgeService,
                                                                name: str) -> None:
    recall_floor, answered_floor, wrong_ceiling = HELD_OUT[name]
    questions = load(name)
    assert len(questions) >= 100
    found = answered = wrong = 0
    for item in questions:
        result = service.search(item["q"], k=3)
        good = {item["expected"], *(item.get("also") or [])}
        found += result.best.article.id in good
        answered += result.level == "answer"
        wrong += result.level == "answer" and result.best.article.id not in good
    n = len(questions)
    assert found / n >= recall_floor, f"{name}: recall@1 {found / n:.3f}"
    assert answered / n >= answered_floor, f"{name}: answered {answered / n:.3f}"
    assert wrong / n <= wrong_ceiling, f"{name}: {wrong} confident but wrong"


@pytest.mark.parametrize("question, confident", [
    ("hvor mange uger har jeg til at klage over en afgørelse", True),
    ("hvad bliver vejret i weekenden", False),
])
def test_cli_search_json_contract(question: str, confident: bool) -> None:
    run = subprocess.run([sys.executable, "-m", "knowledge.cli", "search", question, "--json",
                          "--k", "2"], capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert set(out) == {"query", "confident", "level", "results"}
    assert out["query"] == question and out["confident"] is confident
    assert (out["level"] == "answer") is confident
    assert len(out["results"]) == 2
    for r in out["results"]:
        assert set(r) == {"id", "title", "score", "url"}
        assert isinstance(r["score"], float) and r["url"].endswith("/artikel/" + r["id"])


def test_cli_search_rejects_empty_question_and_unknown_kommune() -> None:
    for args in (["   "], ["klage", "--kommune", "Atlantis"]):
        run = subprocess.run([sys.executable, "-m", "knowledge.cli", "search", *args, "--json"],
                             capture_output=True, text=True, timeout=120, check=False)
        assert run.returncode == 2 and run.stderr.startswith("error:")
