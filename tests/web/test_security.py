"""Security headers, CORS allowlist, XSS, health, config — everything around the endpoints."""
from __future__ import annotations

import re

import pytest

from web import create_app, messages
from web.config import parse_origins, parse_rate
from web.rasa import fold, safe_url

from .conftest import XSS, chat

AARHUS = "https://www.aarhus.dk"
EVIL = "https://evil.example"


# -- headers ------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/raadgiver", "/artikel/klagefrist", "/artikel/nej"])
def test_pages_have_strict_headers(client, path):
    h = client.get(path).headers
    csp = h["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert h["X-Frame-Options"] == "DENY"
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "no-referrer"
    assert "camera=()" in h["Permissions-Policy"] and "microphone=()" in h["Permissions-Policy"]


def test_api_responses_have_a_locked_down_csp(client):
    for r in (chat(client, "hej"), client.get("/api/search?q=klage"), client.get("/healthz")):
        assert r.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_no_page_has_inline_script_or_style(client):
    for path in ("/", "/raadgiver", "/raadgiver?q=klage", "/raadgiver/artikel/klagefrist/print",
                 "/artikel/klagefrist", "/artikel/nej"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and " style=" not in html and "<style" not in html
        assert not re.search(r"<[^>]*\son[a-z]+\s*=", html), path       # onclick= and friends


def test_widget_assets_are_embeddable(client):
    for path, mimetype in (("/static/widget.js", "text/javascript"),
                           ("/static/widget.css", "text/css")):
        r = client.get(path, headers={"Origin": AARHUS})
        assert r.status_code == 200 and r.mimetype == mimetype
        assert "X-Frame-Options" not in r.headers
        assert r.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
        assert r.headers["Access-Control-Allow-Origin"] == AARHUS
        assert "max-age=300" in r.headers["Cache-Control"]
        r.close()


def test_widget_has_no_html_sinks(client):
    js = client.get("/static/widget.js").get_data(as_text=True)
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                 "new Function", "cookie"):
        assert sink not in js.split("*/", 1)[1], sink               # after the header comment


# -- CORS ---------------------------------------------------------------------------------------

def test_preflight_from_an_allowed_origin(client):
    r = client.options("/api/chat", headers={"Origin": AARHUS,
                                             "Access-Control-Request-Method": "POST",
                                             "Access-Control-Request-Headers": "content-type"})
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == AARHUS
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert r.headers["Access-Control-Allow-Headers"] == "Content-Type"
    assert "Origin" in r.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in r.headers      # no cookies, ever


def test_preflight_from_another_origin_gets_no_cors_headers(client):
    for path in ("/api/chat", "/api/feedback"):
        r = client.options(path, headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"})
        assert "Access-Control-Allow-Origin" not in r.headers


def test_post_from_an_allowed_origin_is_answered_with_cors(client):
    r = client.post("/api/chat", json={"sender": "abc", "message": "hej"},
                    headers={"Origin": AARHUS})
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == AARHUS
    r = client.post("/api/feedback", json={"article_id": None, "helpful": True},
                    headers={"Origin": AARHUS})
    assert r.status_code == 201 and r.headers["Access-Control-Allow-Origin"] == AARHUS


def test_post_from_another_origin_is_refused(client, fake_rasa):
    before = len(fake_rasa.requests)
    r = client.post("/api/chat", json={"sender": "abc", "message": "hej"},
                    headers={"Origin": EVIL})
    assert r.status_code == 403 and r.get_json() == {"error": messages.ERR_ORIGIN}
    assert "Access-Control-Allow-Origin" not in r.headers
    assert len(fake_rasa.requests) == before


def test_same_origin_post_needs_no_allowlist(make_app):
    client = make_app(CORS_ORIGINS=()).test_client()
    r = client.post("/api/chat", json={"sender": "abc", "message": "hej"},
                    headers={"Origin": "http://localhost"})
    assert r.status_code == 200


def test_search_api_is_not_cross_origin(client):
    r = client.get("/api/search?q=klage", headers={"Origin": AARHUS})
    assert "Access-Control-Allow-Origin" not in r.headers


# -- XSS ----------------------------------------------------------------------------------------

def test_markup_from_rasa_is_passed_as_text_and_bad_links_dropped(client):
    body = chat(client, "xss <script>").get_json()
    message = body["messages"][0]
    assert message["text"] == XSS                                # JSON: the widget uses textContent
    assert message["links"] == [{"title": "Læs mere", "url": "http://test.local/artikel/klagefrist"}]


def test_markup_in_an_article_is_shown_literally(make_app, xss_service):
    client = make_app(KNOWLEDGE_SERVICE=xss_service).test_client()
    for path in ("/artikel/xss-test", "/raadgiver/artikel/xss-test",
                 "/raadgiver/artikel/xss-test/print", "/raadgiver?q=klage+script"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<b>inden</b>" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
    html = client.get("/artikel/xss-test").get_data(as_text=True)
    assert "Du skal klage &lt;b&gt;inden&lt;/b&gt; 4 uger." in html
    assert "<li>Skriv &lt;script&gt;alert(2)&lt;/script&gt; til kommunen.</li>" in html


def test_search_query_is_escaped(client):
    html = client.get("/raadgiver", query_string={"q": "<script>alert(1)</script> klage"}).get_data(
        as_text=True)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; klage" in html


@pytest.mark.parametrize("url, ok", [
    ("https://x.dk/a", True), ("http://x.dk", True), ("tel:+4570201201", True), ("tel:112", True),
    ("/artikel/klagefrist", True), ("javascript:alert(1)", False), ("JAVASCRIPT:x", False),
    ("data:text/html,x", False), ("//evil.example", False), ("tel:112;x=<y>", False),
    (None, False), (5, False),
])
def test_safe_url(url, ok):
    assert (safe_url(url) is not None) == ok


def test_fold_merges_custom_into_previous_message():
    folded = fold([
        {"text": "a"}, {"text": "b", "buttons": [{"title": "Ja", "payload": "/affirm"}]},
        {"custom": {"rettighedsbot": {"links": [{"title": "L", "url": "https://x.dk"}],
                                      "article_id": "klagefrist", "confident": False}}},
        {"custom": {"other": 1}}, "junk", {"image": "https://x.dk/i.png"},
        {"custom": {"rettighedsbot": {"article_id": "NOT A SLUG", "crisis": True}}},
    ])
    assert [m.to_json() for m in folded] == [
        {"text": "a", "buttons": [], "links": []},
        {"text": "b", "buttons": [{"title": "Ja", "payload": "/affirm"}],
         "links": [{"title": "L", "url": "https://x.dk"}], "article_id": "klagefrist"}]
    assert folded[1].confident is False and folded[1].crisis is True
    # a custom part with nothing before it still reaches the citizen
    assert fold([{"custom": {"rettighedsbot": {"links": [{"title": "L", "url": "tel:112"}]}}}])[
        0].to_json() == {"text": "", "buttons": [], "links": [{"title": "L", "url": "tel:112"}]}


# -- health -------------------------------------------------------------------------------------

def test_healthz_reports_knowledge_and_rasa(client, real_service):
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "ok"
    assert body["knowledge"]["loaded"] is True
    assert body["knowledge"]["articles"] == len(real_service.kb.articles)
    assert body["rasa"]["reachable"] is True


def test_healthz_rasa_down_is_degraded_not_down(make_app, refused_url):
    r = make_app(RASA_URL=refused_url).test_client().get("/healthz")
    assert r.status_code == 200
    assert r.get_json()["status"] == "degraded"
    assert r.get_json()["rasa"]["reachable"] is False


def test_healthz_while_knowledge_is_loading(tmp_path, refused_url, monkeypatch):
    # No service given and loading switched off: the probe must not block; it says "starting".
    import web.knowledge_ext as ext

    monkeypatch.setattr(ext.KnowledgeExtension, "start_loading", lambda self: None)
    app = create_app({"TESTING": True, "KNOWLEDGE_WARMUP": False, "RASA_URL": refused_url,
                      "FEEDBACK_DB": str(tmp_path / "f.db")})
    r = app.test_client().get("/healthz")
    assert r.status_code == 503
    assert r.get_json()["status"] == "starting"
    # ... and the chat still answers with the crisis lines, read straight from the YAML.
    body = app.test_client().post("/api/chat", json={"sender": "a", "message": "selvmord"}).get_json()
    assert body["messages"][0]["links"][0]["url"] == "tel:+4570201201"


# -- config -------------------------------------------------------------------------------------

def test_config_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("RASA_URL", "http://rasa:5005/")
    monkeypatch.setenv("RASA_TIMEOUT", "1.5")
    monkeypatch.setenv("CORS_ORIGINS", "https://a.dk, https://b.dk/")
    monkeypatch.setenv("STATS_TOKEN", "t")
    monkeypatch.setenv("RATE_LIMIT", "10/second")
    monkeypatch.setenv("FEEDBACK_DB", str(tmp_path / "x" / "f.db"))
    monkeypatch.setenv("KNOWLEDGE_WARMUP", "0")
    app = create_app()
    assert app.config["RASA_URL"] == "http://rasa:5005"
    assert app.config["RASA_TIMEOUT"] == 1.5
    assert app.config["CORS_ORIGINS"] == ("https://a.dk", "https://b.dk")
    assert app.config["STATS_TOKEN"] == "t"
    assert app.config["MAX_CONTENT_LENGTH"] == 16 * 1024
    assert (tmp_path / "x" / "f.db").exists()


def test_parse_rate_and_origins():
    assert parse_rate("20/minute") == (20, 60.0)
    assert parse_rate("20") == (20, 60.0)
    assert parse_rate("5/s") == (5, 1.0)
    assert parse_rate("100/hour") == (100, 3600.0)
    with pytest.raises(ValueError):
        parse_rate("lots")
    assert parse_origins("") == ()


def test_token_bucket_refills_and_forgets_idle_clients():
    from web.ratelimit import TokenBucketLimiter

    now = [0.0]
    limiter = TokenBucketLimiter(2, 60.0, max_keys=3, clock=lambda: now[0])
    assert [limiter.hit("a"), limiter.hit("a")] == [0.0, 0.0]
    assert limiter.hit("a") == pytest.approx(30.0)           # one token comes back every 30 s
    now[0] += 30.0
    assert limiter.hit("a") == 0.0
    for key in "bcde":                                       # more keys than max_keys
        limiter.hit(key)
    now[0] += 120.0
    limiter.hit("f")
    assert len(limiter._buckets) <= 3


def test_api_origin_tells_any_page_whether_it_may_use_the_chat(client):
    # The widget asks this when a request failed: a refused origin looks like a network error.
    allowed = client.get("/api/origin", headers={"Origin": AARHUS})
    assert allowed.get_json() == {"allowed": True}
    refused = client.get("/api/origin", headers={"Origin": EVIL})
    assert refused.status_code == 200 and refused.get_json() == {"allowed": False}
    assert refused.headers["Access-Control-Allow-Origin"] == "*"
    assert refused.headers["Cache-Control"] == "no-store"
    assert client.get("/api/origin").get_json() == {"allowed": False}


def test_fold_gives_the_widget_plain_text_and_cuts_the_repeated_markdown_links():
    """The texts are Markdown for standard Rasa clients; our widget gets `links` instead: the
    list the custom part marks as `markdown` is cut off, every other link becomes its title."""
    block = ("- [Læs mere: Klagefrist](https://x.dk/artikel/klagefrist)\n"
             "- [Ring til Livslinien: 70 201 201](tel:+4570201201)")
    folded = fold([
        {"text": f"Klagefrist\n\nDu har 4 uger.\n\n{block}",
         "buttons": [{"title": "Jeg vil klage", "payload": "/complain"}]},
        {"custom": {"rettighedsbot": {
            "links": [{"title": "Læs mere: Klagefrist", "url": "https://x.dk/artikel/klagefrist"}],
            "markdown": block, "article_id": "klagefrist"}}},
        {"text": "Ring nu:\n\n- Livslinien: [70 201 201](tel:+4570201201)\n- [Alarm 112](tel:112)"
                 "\n- Ankestyrelsen: [ast.dk](https://ast.dk)\n\nKommer du ikke igennem, så prøv igen."},
        {"custom": {"rettighedsbot": {"links": [], "markdown": "- [not in the text](tel:1)"}}},
    ])
    assert folded[0].text == "Klagefrist\n\nDu har 4 uger."
    assert folded[0].buttons == [{"title": "Jeg vil klage", "payload": "/complain"}]
    # a list it does not end with is left alone; links in running text become their titles
    assert folded[1].text == ("Ring nu:\n\n- Livslinien: 70 201 201\n- Alarm 112\n"
                              "- Ankestyrelsen: ast.dk\n\nKommer du ikke igennem, så prøv igen.")
    assert fold([{"text": r"[a \[b\] c](https://x.dk) og [tekst] (ingen link)"}])[0].text == \
        "a [b] c og [tekst] (ingen link)"
