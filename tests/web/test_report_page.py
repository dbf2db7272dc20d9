"""/rapport on a seeded month (real SQLite, real e5 vectors): the token, the figures, the
small-numbers rule, the filters, the downloads, and what the chat now records per turn."""
from __future__ import annotations

import base64
import re
import sqlite3

import pytest

from web.security import PAGE_CSP
from web.store import FeedbackStore

from ..report_seed import DOG, SECRETS, SINGLES, TODAY, counts, seed
from .conftest import chat


def basic(password: str, user: str = "udsatteraadet") -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


AUTH = basic("test-token")


@pytest.fixture
def seeded(make_app, tmp_path):
    db = tmp_path / "seeded.db"
    seed(FeedbackStore(db))
    return make_app(FEEDBACK_DB=str(db))


@pytest.fixture
def page(seeded):
    r = seeded.test_client().get("/rapport", headers=AUTH)
    assert r.status_code == 200
    return r.get_data(as_text=True)


# -- the token ------------------------------------------------------------------------------------

def test_without_a_token_configured_the_page_does_not_exist(make_app):
    client = make_app(STATS_TOKEN=None, REPORT_TOKEN=None).test_client()
    assert client.get("/rapport", headers=AUTH).status_code == 404


@pytest.mark.parametrize("headers, status", [
    ({}, 401),
    ({"Authorization": "Basic bm90IGJhc2U2NA=="}, 401),      # no "user:password" inside
    ({"Authorization": "Basic !!!"}, 401),
    (basic(""), 401),
    (basic("wrong"), 403),
    ({"Authorization": "Bearer wrong"}, 403),
    (basic("test-token"), 200),
    ({"Authorization": "Bearer test-token"}, 200),
])
def test_the_page_needs_the_token(seeded, headers, status):
    r = seeded.test_client().get("/rapport", headers=headers)
    assert r.status_code == status
    assert r.headers["Cache-Control"] == "no-store"
    body = r.get_data(as_text=True)
    if status == 401:
        assert r.headers["WWW-Authenticate"] == 'Basic realm="rapport", charset="UTF-8"'
        assert "Log ind for at se rapporten" in body
    if status != 200:
        assert "hund" not in body and "klagefrist" not in body


def test_report_token_takes_the_place_of_the_stats_token(make_app):
    client = make_app(REPORT_TOKEN="raadets-noegle").test_client()
    assert client.get("/rapport", headers=AUTH).status_code == 403
    assert client.get("/rapport", headers=basic("raadets-noegle")).status_code == 200


def test_guessing_is_rate_limited(make_app):
    client = make_app(RATE_LIMIT="3/minute").test_client()
    codes = [client.get("/rapport", headers=basic(f"gæt{i}")).status_code for i in range(4)]
    assert codes == [403, 403, 403, 429]
    assert client.get("/rapport", headers=AUTH).status_code == 429   # even with the right one


# -- what the page shows --------------------------------------------------------------------------

def test_the_page_shows_the_months_figures(page):
    c = counts()
    total = sum(c.values())
    assert f"<strong>{total} spørgsmål</strong>" in page
    assert f"Fik svar: {c['answer']} ({round(100 * c['answer'] / total)} %)" in page
    assert "uge 45 2026" in page and "uge 48 2026" in page
    assert "Hvor lang tid har jeg til at klage?" in page               # most used, and feedback
    assert re.search(r"Jeg har ikke et sted at bo\.[^<]*</a></th><td class=\"num\">1</td>"
                     r"<td class=\"num\">3</td><td class=\"num\">25 %</td>", page)
    assert "Hvordan får jeg en plads på et forsorgshjem eller herberg?" in page  # nearest article
    assert f"<strong>{sum(n for _, n in DOG)} spørgsmål</strong>" in page
    assert "»må jeg have min hund med på herberget«" in page


def test_small_groups_show_no_examples_and_the_page_says_so(page):
    assert "Små tal vises ikke." in page
    assert "Grupper med færre end 3 spørgsmål viser ingen eksempler" in page
    assert page.count("Færre end 3 spørgsmål: ingen eksempler vises.") == len(SINGLES)
    for question, _ in SINGLES:
        assert question not in page
    for secret in SECRETS:
        assert secret not in page


def test_charts_are_svg_with_title_desc_and_a_table_and_pass_the_csp(seeded, page):
    r = seeded.test_client().get("/rapport", headers=AUTH)
    assert r.headers["Content-Security-Policy"] == PAGE_CSP
    assert "<script" not in page and " style=" not in page         # nothing the CSP blocks
    svgs = re.findall(r"<svg [^>]*>", page)
    assert len(svgs) == 3
    for svg in svgs:
        assert 'role="img"' in svg
        chart = re.search(r'aria-labelledby="([\w-]+)-t \1-d"', svg).group(1)
        assert f'<title id="{chart}-t">' in page and f'<desc id="{chart}-d">' in page
    assert page.count("<table>") >= 4 and page.count("<caption>") >= 4
    assert "Af 56 spørgsmål: fik svar 57 %" in page                    # the desc says it in words


def test_content_health_is_on_the_page(page):
    assert "Artiklernes sundhed" in page
    assert "Hvad er et socialt frikort?" in page                       # valid_until 31 December
    assert "Udløber snart" in page
    assert "Linkene er ikke tjekket endnu" in page and "rettighedsbot check-links" in page


def test_a_link_check_shows_up_on_the_page(seeded, monkeypatch):
    from knowledge import links
    check = links.LinkCheck("2026-11-30T08:00:00", (
        links.LinkResult("https://ast.dk/gammel-side", "broken", "HTTP 404", ("klagefrist",)),))
    monkeypatch.setattr(links, "load", lambda folder: check)
    page = seeded.test_client().get("/rapport", headers=AUTH).get_data(as_text=True)
    page = re.sub(r"\s+", " ", page)
    assert "Tjekket 2026-11-30: 1 adresser, 1 virker ikke, 0 kunne ikke nås." in page
    assert "https://ast.dk/gammel-side" in page and "virker ikke (HTTP 404)" in page


def test_citizens_words_are_text_never_markup_or_formulas(make_app, tmp_path):
    store = FeedbackStore(tmp_path / "x.db")
    for text in ("<script>alert(1)</script> må jeg have min hund med på herberget",
                 "=HYPERLINK(\"https://x.example\") må jeg have min hund med på herberget",
                 "må jeg have min hund med på herberget"):
        store.record_turn("unknown", None, text, "Odense")
    client = make_app(FEEDBACK_DB=store.path).test_client()
    page = client.get("/rapport", headers=AUTH).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    rows = client.get("/rapport?format=csv", headers=AUTH).get_data(as_text=True).splitlines()
    examples = [r for r in rows if r.startswith("ubesvaret behov,1,eksempel,")]
    assert len(examples) == 3
    assert any("'=hyperlink(" in r for r in examples)          # stored lower case
    assert not any(',=' in r or ',"=' in r for r in examples)


# -- filters and downloads -----------------------------------------------------------------------

def test_the_kommune_filter_changes_the_figures(seeded):
    page = seeded.test_client().get("/rapport?kommune=aarhus", headers=AUTH).get_data(as_text=True)
    assert "hele perioden, Aarhus" in page
    assert f"<strong>{counts()['answer']} spørgsmål</strong>" in page
    assert "hund" not in page                                            # those came from Odense
    assert '<option value="Aarhus" selected>Aarhus (har data)</option>' in page


def test_the_period_filter(seeded):
    since = TODAY.isoformat()
    data = seeded.test_client().get(f"/rapport?fra={since}&til={since}&format=json",
                                    headers=AUTH).get_json()
    assert data["filters"] == {"since": since, "until": since, "kommune": None}
    assert [w["start"] for w in data["weeks"]] == [since]
    assert data["questions"] == data["weeks"][0]["total"] < sum(counts().values())


@pytest.mark.parametrize("query, error", [
    ("fra=i-går", "er ikke en dato"),
    ("fra=2026-11-30&til=2026-11-01", "Fra-datoen ligger efter til-datoen."),
    ("kommune=Gotham", "Kommunen findes ikke."),
])
def test_bad_filters_are_explained(seeded, query, error):
    r = seeded.test_client().get(f"/rapport?{query}", headers=AUTH)
    assert r.status_code == 400
    assert error in r.get_data(as_text=True)


def test_downloads_give_the_same_figures(seeded):
    client = seeded.test_client()
    data = client.get("/rapport?format=json", headers=AUTH).get_json()
    assert data["levels"] == counts()
    assert all(g["examples"] == [] for g in data["needs"] if g["count"] < 3)
    r = client.get("/rapport?format=csv&kommune=Odense", headers=AUTH)
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in r.headers["Content-Disposition"]
    assert "i alt,Fik svar,spoergsmaal,0" in r.get_data(as_text=True)
    md = client.get("/rapport?format=md", headers=AUTH).get_data(as_text=True)
    assert md.startswith("# Hvad borgerne spurgte om")
    for secret in SECRETS:
        assert secret not in md


# -- what the chat records ------------------------------------------------------------------------

def turns(app) -> list[tuple]:
    with sqlite3.connect(app.config["FEEDBACK_DB"]) as db:
        return db.execute("SELECT kommune, level, article_id, query, count FROM turns "
                          "ORDER BY level, query").fetchall()


def test_each_turn_is_counted_with_its_level_and_known_kommune_only(app, client):
    chat(client, "hvordan klager jeg", kommune="aarhus")          # answer, alias -> Aarhus
    chat(client, "hvordan klager jeg", sender="s2", kommune="Aarhus")
    chat(client, "mente du noget, ring 12345678", kommune="Gotham")  # suggest; no such kommune
    chat(client, "må jeg have en hund")                             # unknown (no level sent)
    chat(client, "hej")                                             # small talk: not counted
    assert turns(app) == [
        ("Aarhus", "answer", "klagefrist", "", 2),
        ("", "suggest", "", "mente du noget, ring [telefonnummer]", 1),
        ("", "unknown", "", "må jeg have en hund", 1),
    ]


def test_feedback_keeps_a_known_kommune(app, client):
    client.post("/api/feedback", json={"article_id": "klagefrist", "helpful": True,
                                       "kommune": "Århus"})
    client.post("/api/feedback", json={"article_id": "klagefrist", "helpful": False,
                                       "kommune": "Gotham"})
    with sqlite3.connect(app.config["FEEDBACK_DB"]) as db:
        assert db.execute("SELECT kommune FROM feedback ORDER BY id").fetchall() == [
            ("Aarhus",), (None,)]


def test_a_database_from_before_the_report_is_migrated(tmp_path):
    db_path = tmp_path / "old.db"
    with sqlite3.connect(db_path) as db:
        db.executescript("""
            CREATE TABLE feedback (id INTEGER PRIMARY KEY, article_id TEXT,
                helpful INTEGER NOT NULL, query TEXT, day TEXT NOT NULL);
            CREATE TABLE unanswered (query TEXT PRIMARY KEY, count INTEGER NOT NULL,
                first_day TEXT NOT NULL, last_day TEXT NOT NULL);
            INSERT INTO feedback (article_id, helpful, query, day)
                VALUES ('klagefrist', 1, NULL, '2026-11-20');
            INSERT INTO unanswered VALUES ('må jeg have en hund', 3, '2026-11-01', '2026-11-20');
        """)
    db.close()
    store = FeedbackStore(db_path)
    usage = store.usage()
    assert usage.unmet == [("må jeg have en hund", "unknown", 3)]
    assert usage.feedback == [("klagefrist", 1, 0)]
    assert store.stats()["unanswered"][0]["count"] == 3
    FeedbackStore(db_path)                                            # a second start: no-op
    assert store.usage().unmet == usage.unmet
