"""The councils' report: figures, grouping by meaning (real e5 vectors), the small-numbers rule,
content health and `rettighedsbot report` — on a seeded month in a real SQLite database."""
from __future__ import annotations

import csv
import io
import json
import sqlite3
from dataclasses import replace
from datetime import date, timedelta

import pytest

from knowledge import cli
from knowledge import report as figures
from knowledge.links import LinkCheck, LinkResult
from knowledge.service import KnowledgeService
from knowledge.settings import PACKAGE_DIR, Settings
from web.store import FeedbackStore

from .report_seed import DEBT, DENTIST, DOG, SECRETS, SINGLES, TODAY, counts, seed


@pytest.fixture(scope="module")
def service(e5) -> KnowledgeService:
    settings = Settings(knowledge_dir=PACKAGE_DIR, index_dir=Settings.from_env().index_dir,
                        embedder="e5", st_model="", public_url="http://test.local")
    return KnowledgeService(settings, embedder=e5)


@pytest.fixture
def store(tmp_path) -> FeedbackStore:
    store = FeedbackStore(tmp_path / "feedback.db")
    seed(store)
    return store


@pytest.fixture
def month(store, service) -> figures.Report:
    return figures.build_report(store.usage(), service.kb, service, today=TODAY)


def everything(report: figures.Report) -> str:
    return (figures.to_markdown(report) + figures.to_csv(report)
            + json.dumps(report.to_json(), ensure_ascii=False))


def test_levels_weeks_and_articles_add_up(month):
    assert month.totals == counts()
    assert month.total == sum(counts().values())
    assert [w.label for w in month.weeks] == [f"uge {n} 2026" for n in range(45, 50)]
    assert sum(w.total for w in month.weeks) == month.total
    assert [(a.article_id, a.count) for a in month.articles] == [
        ("klagefrist", 14), ("kontanthjaelp", 9), ("hjemloeshed", 6), ("aktindsigt", 3)]
    assert {(f.article_id, f.yes, f.no) for f in month.feedback} == {
        ("klagefrist", 5, 1), ("hjemloeshed", 1, 3)}
    assert month.share("answer") == f"{round(100 * 32 / 56)} %"


def test_unmet_questions_are_grouped_by_meaning_with_the_nearest_article(month):
    sizes = [g.count for g in month.needs]
    dog, dentist, debt = (sum(n for _, n in group) for group in (DOG, DENTIST, DEBT))
    # the dentist group also takes "kan jeg få hjælp til min tandlæge regning" (no kommune)
    assert sizes[:3] == [dog, dentist + 1, debt]
    by_size = {g.count: g for g in month.needs}
    assert by_size[dog].nearest_id == "forsorgshjem"
    assert by_size[dentist + 1].nearest_id == "tandpleje"
    assert by_size[debt].nearest_id == "gaeld-til-det-offentlige"
    assert by_size[dog].examples == tuple(t for t, _ in DOG[:3])     # most asked first
    assert by_size[dentist + 1].levels == {"suggest": dentist + 1, "unknown": 0}
    assert month.unmet_total == sum(n for g in (DOG, DENTIST, DEBT, SINGLES) for _, n in g) + 1


def test_small_groups_show_no_examples_anywhere(month):
    small = [g for g in month.needs if g.count < figures.SMALL_NUMBERS]
    assert len(small) == len(SINGLES)            # the unrelated questions stay apart
    assert all(g.hidden and g.examples == () for g in small)
    text = everything(month)
    for question, _ in SINGLES:
        assert question not in text
    for secret in SECRETS:
        assert secret not in text
    assert "færre end 3 spørgsmål" in figures.to_markdown(month)
    assert all(g["examples"] == [] for g in month.to_json()["needs"] if g["examples_hidden"])


def test_examples_are_redacted_again_when_shown(store, service):
    # A row written past the store (an old version, a hand edit) still shows redacted.
    with sqlite3.connect(store.path) as db:
        db.execute("INSERT INTO turns VALUES (?, 'Odense', 'unknown', '', ?, 20)",
                   (TODAY.isoformat(), "mit cpr er 010203-1234, må jeg have min hund med på herberg"))
    report = figures.build_report(store.usage(), service.kb, service, today=TODAY)
    assert report.needs[0].examples[0] == "mit cpr er [CPR-nummer], må jeg have min hund med på herberg"
    assert "010203-1234" not in everything(report)


def test_filters_by_kommune_and_period(store, service):
    odense = figures.build_report(store.usage(kommune="Odense"), service.kb, service,
                                  figures.Filters(kommune="Odense"), today=TODAY)
    assert odense.totals["answer"] == 0 and odense.articles == []
    assert odense.totals["unknown"] == counts()["unknown"]
    aarhus = store.usage(kommune="Aarhus")
    assert aarhus.unmet == [] and sum(n for _, _, n in aarhus.days) == counts()["answer"]
    last_week = store.usage(since=TODAY - timedelta(days=6), until=TODAY)
    assert all(TODAY - timedelta(days=6) <= d <= TODAY for d, _, _ in last_week.days)
    assert sum(n for _, _, n in last_week.days) < sum(counts().values())
    assert store.usage().kommuner == ["Aarhus", "Odense"]


def test_empty_weeks_are_shown_as_zero():
    days = [(date(2026, 11, 30), "answer", 2)]
    weeks = figures.weekly(days, figures.Filters(since=date(2026, 11, 2)), TODAY)
    assert [w.total for w in weeks] == [0, 0, 0, 0, 2]
    assert figures.weekly([], figures.Filters(), TODAY) == []


def test_content_health_finds_old_reviews_expiring_amounts_and_broken_links(service):
    kb = service.kb
    old = replace(kb.article("klagefrist"), reviewed=TODAY - timedelta(days=400))
    gone = replace(kb.article("aktindsigt"), valid_until=TODAY - timedelta(days=1))
    later = replace(kb.article("kontanthjaelp"), valid_until=TODAY + timedelta(days=200))
    articles = dict(kb.articles, klagefrist=old, aktindsigt=gone, kontanthjaelp=later)
    links = LinkCheck("2026-11-30T10:00:00", (
        LinkResult("https://a.example/ok", "ok", "HTTP 200", ("klagefrist",)),
        LinkResult("https://a.example/gone", "broken", "HTTP 404", ("aktindsigt",))))
    health = figures.content_health(replace(kb, articles=articles), TODAY, links)
    assert [r.article_id for r in health.reviews] == ["klagefrist"]
    expiring = {e.article_id: e.passed for e in health.expiring}
    assert expiring["aktindsigt"] is True
    assert "kontanthjaelp" not in expiring
    # the shipped amounts that end on 31 December are within 60 days of 30 November
    assert expiring["socialt-frikort"] is False
    assert [r.url for r in health.links.problems] == ["https://a.example/gone"]


# -- rettighedsbot report ---------------------------------------------------------------------

def reuse(monkeypatch, service) -> None:
    """The CLI's KnowledgeService() gives the one already loaded (loading costs ~5 s)."""
    import knowledge.service
    monkeypatch.setattr(knowledge.service, "KnowledgeService", lambda: service)


@pytest.fixture
def loaded(monkeypatch, service):
    reuse(monkeypatch, service)


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_report_prints_the_same_figures_as_json_csv_and_markdown(store, capsys,
                                                                    monkeypatch, service):
    # the first run loads its own service, as on a council's server
    code, out, _ = run_cli(capsys, "report", "--db", store.path, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["levels"] == counts() and data["questions"] == sum(counts().values())
    assert [g["count"] for g in data["needs"]][:3] == [9, 7, 4]
    assert data["unmet"]["small_numbers"] == 3

    reuse(monkeypatch, service)
    code, out, _ = run_cli(capsys, "report", "--db", store.path, "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[0] == ["afsnit", "navn", "maal", "vaerdi"]
    assert ["i alt", "Fik svar", "spoergsmaal", "32"] in rows
    assert ["mest brugt", "klagefrist", "svar", "14"] in rows

    code, out, _ = run_cli(capsys, "report", "--db", store.path, "--kommune", "odense",
                           "--since", (TODAY - timedelta(days=13)).isoformat())
    assert code == 0
    assert "Periode: 17. november 2026 – i dag, Odense" in out
    assert "## Det, borgerne ikke fik svar på" in out
    for secret in SECRETS:
        assert secret not in out


def test_cli_report_refuses_unknown_kommune_bad_date_and_missing_database(store, tmp_path,
                                                                          capsys, loaded):
    code, _, err = run_cli(capsys, "report", "--db", store.path, "--kommune", "Gotham")
    assert code == 2 and "ukendt kommune" in err
    code, _, err = run_cli(capsys, "report", "--db", str(tmp_path / "nope.db"))
    assert code == 2 and "ingen database" in err and not (tmp_path / "nope.db").exists()
    with pytest.raises(SystemExit) as exc:
        cli.main(["report", "--db", store.path, "--since", "i går"])
    assert exc.value.code == 2


def test_grouping_joins_rewordings_and_keeps_neighbouring_needs_apart(service):
    # Measured cosines (e5 query vectors): briller/briller 0.93, tandlæge/briller 0.85,
    # bisidder/tolk "til mødet" 0.92 — the last pair shows what the threshold lets through.
    unmet = [("hvem betaler for mine briller", "unknown", 3),
             ("kan jeg få hjælp til briller", "unknown", 2),
             ("kan kommunen betale min tandlæge", "unknown", 4),
             ("hvad er vejret i morgen", "unknown", 1)]
    groups, ungrouped = figures.group_needs(unmet, service)
    assert ungrouped == 0
    assert sorted((g.count, g.variants) for g in groups) == [(1, 1), (4, 1), (5, 2)]
    glasses = next(g for g in groups if g.count == 5)
    assert glasses.examples == ("hvem betaler for mine briller", "kan jeg få hjælp til briller")
