"""Advisers' lookup, /api/search and public article pages, on the real knowledge base."""
from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

from knowledge.search import MAX_QUERY_CHARS
from web import messages
from web.render import Block, blocks, danish_date

COMPLAINT_ARTICLES = {"klagefrist", "klage-over-afgoerelse"}


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


# -- /api/search --------------------------------------------------------------------------------

def test_api_search_ranks_the_complaint_articles_first(client):
    r = client.get("/api/search", query_string={"q": "hvor mange uger har jeg til at klage over en afgørelse"})
    assert r.status_code == 200
    body = r.get_json()
    assert body["query"] == "hvor mange uger har jeg til at klage over en afgørelse"
    assert body["confident"] is True and body["level"] == "answer"
    assert len(body["results"]) == 3
    assert body["results"][0]["id"] in COMPLAINT_ARTICLES
    first = body["results"][0]
    assert set(first) == {"id", "title", "score", "url"}
    assert all(0 <= r["score"] <= 1 for r in body["results"])    # never "Match: 1,02"
    assert first["url"] == f"http://test.local/artikel/{first['id']}"
    assert [r["score"] for r in body["results"]] == sorted(
        (r["score"] for r in body["results"]), reverse=True)


def test_api_search_same_contract_as_the_cli(client, real_service):
    r = client.get("/api/search", query_string={"q": "jeg sover på gaden", "k": 5,
                                                "kommune": "århus"})
    assert r.get_json() == real_service.search("jeg sover på gaden", k=5,
                                                kommune="Aarhus").to_json()
    assert r.get_json()["kommune"] == "Aarhus"


@pytest.mark.parametrize("params, field", [
    ({}, "q"),
    ({"q": "   "}, "q"),
    ({"q": "x" * 1001}, "q"),
    ({"q": "hej\x00"}, "q"),
    ({"q": "klage", "k": "0"}, "k"),
    ({"q": "klage", "k": "21"}, "k"),
    ({"q": "klage", "k": "tre"}, "k"),
    ({"q": "klage", "k": "-1"}, "k"),
    ({"q": "klage", "kommune": "Gotham"}, "kommune"),
])
def test_api_search_rejects_bad_parameters(client, params, field):
    r = client.get("/api/search", query_string=params)
    assert r.status_code == 400
    assert r.get_json()["field"] == field


def test_api_search_unknown_method_and_path(client):
    assert client.post("/api/search").status_code == 405
    r = client.get("/api/nothing")
    assert r.status_code == 404 and r.get_json() == {"error": messages.ERR_NOT_FOUND}


# -- /raadgiver ---------------------------------------------------------------------------------

def test_lookup_start_page_has_a_labelled_search_form(client):
    r = client.get("/raadgiver")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert '<html lang="da">' in html
    assert '<label for="q">' in html and 'id="q" name="q"' in html
    assert 'method="get"' in html
    assert '<option value="Aarhus">' in html                   # all kommuner to pick from
    assert "<script" not in html                               # works without JavaScript


def test_lookup_results_are_ranked_with_score_and_topic(client):
    html = client.get("/raadgiver", query_string={"q": "hvor mange uger har jeg til at klage over en afgørelse"}).get_data(
        as_text=True)
    links = re.findall(r'<h3><a href="/raadgiver/artikel/([a-z0-9-]+)[?"]', html)
    assert links[0] in COMPLAINT_ARTICLES
    assert 1 <= len(links) <= 8                                # weak results are cut
    scores = [float(s.replace(",", ".")) for s in re.findall(r"Match: (\d,\d\d)", html)]
    assert max(scores) <= 1 and max(scores) - min(scores) <= 0.06
    assert "Ingen sikker træffer" not in html
    assert '<span class="topic">Klage</span>' in html
    assert "Bedste svar" in html


def test_lookup_not_confident_says_so(client, real_service, monkeypatch):
    monkeypatch.setattr(real_service._snapshot.searcher, "threshold", 0.999)
    html = client.get("/raadgiver", query_string={"q": "kan jeg få en hund"}).get_data(
        as_text=True)
    assert "Ingen artikel passer sikkert" in html
    assert "Ingen sikker træffer" in html
    assert len(re.findall(r'<h3><a href="/raadgiver/artikel/', html)) <= 3
    assert "Bedste svar" not in html


def test_lookup_bad_query_shows_an_error(client):
    r = client.get("/raadgiver", query_string={"q": "klage", "kommune": "Gotham"})
    assert r.status_code == 400
    assert messages.ERR_UNKNOWN_KOMMUNE in r.get_data(as_text=True)
    r = client.get("/raadgiver", query_string={"q": "x" * 1001})
    assert r.status_code == 400


def test_lookup_article_shows_everything_an_adviser_needs(client, real_service):
    article = real_service.kb.article("klagefrist")
    r = client.get("/raadgiver/artikel/klagefrist")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    text = text_of(html)
    assert article.title in text and article.summary in text
    # body: paragraphs as <p>, "- " lines as one <ul>
    assert "<li>Tæl 4 uger frem til samme ugedag.</li>" in html
    assert "<p>Sådan gør du:</p>" in html
    assert "- Tæl" not in text
    for law in article.legal_basis:
        assert law in text
    for url in article.sources:
        assert f'href="{url}"' in html
    for channel in real_service.kb.channels_for(article):
        assert channel.name in text
        if channel.phone:
            assert f'href="{channel.tel_url}"' in html
    assert f'datetime="{article.reviewed.isoformat()}"' in html
    assert danish_date(article.reviewed) in text
    assert 'href="/raadgiver/artikel/klagefrist/print"' in html


def test_lookup_article_with_kommune_adds_local_channels(make_app, mini_service):
    client = make_app(KNOWLEDGE_SERVICE=mini_service).test_client()
    without = client.get("/raadgiver/artikel/klagefrist").get_data(as_text=True)
    with_kommune = client.get("/raadgiver/artikel/klagefrist?kommune=Aarhus").get_data(as_text=True)
    assert "Borgerrådgiveren i Aarhus" not in without
    assert "Borgerrådgiveren i Aarhus" in with_kommune


def test_print_view_has_plain_text_and_copy_button(client, real_service):
    r = client.get("/raadgiver/artikel/klagefrist/print")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'id="copy-button"' in html and "Kopiér tekst" in html
    assert '<script src="/static/lookup.js" defer></script>' in html
    plain = unescape(re.search(r'<textarea id="plain-text"[^>]*>(.*?)</textarea>', html, re.DOTALL)[1])
    article = real_service.kb.article("klagefrist")
    assert plain.startswith(article.title + "\n\n" + article.summary)
    assert "- Tæl 4 uger frem til samme ugedag." in plain
    assert "Læs mere: http://test.local/artikel/klagefrist" in plain
    assert "<" not in plain


def test_print_css_hides_the_page_chrome(client):
    css = client.get("/static/site.css").get_data(as_text=True)
    assert "@media print" in css and ".no-print" in css


@pytest.mark.parametrize("path", ["/raadgiver/artikel/findes-ikke",
                                  "/raadgiver/artikel/findes-ikke/print",
                                  "/artikel/findes-ikke", "/artikel/..%2Fetc", "/ingenting"])
def test_unknown_pages_get_a_danish_404(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert r.mimetype == "text/html"
    assert "Siden findes ikke" in r.get_data(as_text=True)


# -- /artikel/<id> ------------------------------------------------------------------------------

def test_public_article_page(client, real_service):
    article = real_service.kb.article("hjemloeshed")
    html = client.get("/artikel/hjemloeshed").get_data(as_text=True)
    assert article.title in unescape(html)
    assert f'<article lang="{article.lang}"' in html
    assert "opslag for rådgivere" not in html           # the citizen's page, not the adviser's
    assert "Ring 112" in html


def test_every_article_renders(client, real_service):
    for article_id in real_service.kb.articles:
        assert client.get(f"/artikel/{article_id}").status_code == 200, article_id
        assert client.get(f"/raadgiver/artikel/{article_id}/print").status_code == 200


# -- rendering ----------------------------------------------------------------------------------

def test_blocks_split_paragraphs_and_lists():
    body = "Første afsnit\nfortsætter.\n\nSådan gør du:\n- Skriv.\n- Ring,\n  hvis du kan.\n\nSlut."
    assert blocks(body) == [
        Block("p", "Første afsnit fortsætter."),
        Block("p", "Sådan gør du:"),
        Block("ul", items=("Skriv.", "Ring, hvis du kan.")),
        Block("p", "Slut."),
    ]


def test_web_and_actions_agree_on_a_kommune_without_aeoeaa(client):
    r = client.get("/api/search", query_string={"q": "klagefrist", "kommune": "Halsnas"})
    assert r.status_code == 200 and r.get_json()["kommune"] == "Halsnæs"


def test_one_length_limit_for_the_api_the_search_box_and_the_widget(client):
    """The limit is defined once (knowledge.search.MAX_QUERY_CHARS); the widget is a static
    file, so it is held to the same number here."""
    page = client.get("/raadgiver").get_data(as_text=True)
    assert f'maxlength="{MAX_QUERY_CHARS}"' in page
    widget = (Path(__file__).resolve().parents[2] / "web" / "static" / "widget.js").read_text()
    assert re.search(r"var MAX_CHARS = (\d+);", widget).group(1) == str(MAX_QUERY_CHARS)
    too_long = client.post("/api/chat", json={"sender": "s1", "message": "a" * (MAX_QUERY_CHARS + 1)})
    assert too_long.status_code == 400
