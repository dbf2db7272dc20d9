"""A standard Rasa client against the real stack: rasa-webchat 1.0.1 (from npm, installed by
`make npm` into tests/node_modules) on a council's page, in Debian's headless Chromium.

The page is served from another origin than Rasa, the one in the stack's CORS_ORIGINS
(`stack.page_origin`), and talks to Rasa's socket.io channel directly, as a site that uses a
standard widget would: no web app and no custom payload in between. rasa-webchat shows only
the text (as Markdown) and the quick replies of a message, so this checks that what the bot
says is complete without our `rettighedsbot` payload: the answer, all its buttons, a link to
the article, tel: links, and lists that are lists. Nothing comes from a CDN: the bundle is read
from tests/node_modules, and every request to another host is refused and reported.
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from knowledge import crisis as crisis_module
from knowledge.loader import load_knowledge

pytestmark = [pytest.mark.integration, pytest.mark.browser]

REPO = Path(__file__).resolve().parents[2]
WEBCHAT = REPO / "tests" / "node_modules" / "rasa-webchat" / "lib" / "index.js"
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DOMAIN = yaml.safe_load((REPO / "bot" / "domain.yml").read_text(encoding="utf-8"))
KB = load_knowledge(REPO / "knowledge").kb
ANSWER_TIMEOUT_MS = 90_000       # the first turns of a fresh stack are slow on a busy machine

playwright_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip("Debian chromium is not installed (make browser)", allow_module_level=True)


def page_html(rasa_url: str) -> bytes:
    """A council's page with rasa-webchat. Its Content-Security-Policy lets the widget talk
    to Rasa only: rasa-webchat 1.0.1 asks fonts.googleapis.com for its font (README)."""
    rasa = urlsplit(rasa_url)
    policy = (f"default-src 'self'; connect-src 'self' {rasa_url} ws://{rasa.netloc}; "
              "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:")
    return f"""<!doctype html><html lang="da"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<title>Aarhus Kommune</title></head><body><h1>En kommunes side</h1>
<div id="webchat" style="height: 640px"></div>
<script src="/rasa-webchat.js"></script>
<script src="/start.js"></script>
</body></html>""".encode()


def start_js(rasa_url: str) -> bytes:
    """rasa-webchat set up as its README says (socketUrl, socketPath, customData,
    initPayload, params.storage), embedded so that it is open at once."""
    config = {
        "selector": "#webchat", "socketUrl": rasa_url, "socketPath": "/socket.io/",
        "customData": {"kommune": "Aarhus"},   # as the widget's data-kommune (credentials.yml)
        "initPayload": "/greet", "embedded": True, "title": "Spørg om dine rettigheder",
        "inputTextFieldHint": "Skriv her", "params": {"storage": "session"},
    }
    return f"""var config = {json.dumps(config)};
config.customMessageDelay = function () {{ return 0; }};   // no typing pause in a test
WebChat.default(config, document.getElementById("webchat"));
""".encode()


class CouncilPage:
    """The council's site: the page and rasa-webchat's bundle from tests/node_modules."""

    def __init__(self, origin: str, rasa_url: str):
        html, start, bundle = page_html(rasa_url), start_js(rasa_url), WEBCHAT.read_bytes()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                body, kind = {"/": (html, "text/html; charset=utf-8"),
                              "/start.js": (start, "text/javascript"),
                              "/rasa-webchat.js": (bundle, "text/javascript")}.get(
                                  self.path, (b"not found", "text/plain"))
                self.send_response(200 if body != b"not found" else 404)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        address = urlsplit(origin)
        self.server = ThreadingHTTPServer((address.hostname, address.port), Handler)
        self.server.daemon_threads = True
        self.url = origin
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def council_page(stack):
    if not WEBCHAT.exists():
        pytest.fail(f"{WEBCHAT} is missing: run `make npm` (make test does)")
    page = CouncilPage(stack.page_origin, stack.rasa_url)
    yield page
    page.close()


@pytest.fixture(scope="module")
def other_site(stack):
    """A site that is not in CORS_ORIGINS."""
    from rettighedsbot_stack import free_port

    page = CouncilPage(f"http://127.0.0.1:{free_port()}", stack.rasa_url)
    yield page
    page.close()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def open_page(browser, url: str):
    """A fresh page at `url`; requests to any host but this machine are refused and listed."""
    context = browser.new_context(locale="da-DK")
    page = context.new_page()
    page.outside = []

    def guard(route):
        if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            page.outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and page.violations.append(
        m.text))
    page.goto(url)
    return page


def ask(page, text: str):
    """Type `text` into rasa-webchat, send it, and return the bot's messages after it."""
    before = page.locator(".rw-response").count()
    box = page.locator(".rw-new-message")
    box.fill(text)
    box.press("Enter")
    page.locator(".rw-response").nth(before).wait_for(timeout=ANSWER_TIMEOUT_MS)
    page.wait_for_timeout(1500)          # the rest of the turn's messages
    return page.locator(".rw-message").filter(has=page.locator(".rw-response")).all()[before:]


def last_replies(page) -> list[str]:
    return [r.inner_text().strip() for r in page.locator(".rw-replies .rw-reply").all()]


def test_socketio_is_open_only_to_the_origins_in_cors_origins(stack, browser, council_page,
                                                              other_site):
    probe = f"{stack.rasa_url}/socket.io/?EIO=4&transport=polling"
    fetch = "url => fetch(url).then(r => r.status, e => 'blocked: ' + e)"
    allowed = open_page(browser, council_page.url)
    assert allowed.evaluate(fetch, probe) == 200
    refused = open_page(browser, other_site.url)
    assert str(refused.evaluate(fetch, probe)).startswith("blocked")


def test_rasa_webchat_shows_answers_buttons_links_and_crisis_lines(stack, browser,
                                                                   council_page):
    page = open_page(browser, council_page.url)
    # hidden until connected: the widget (and the greeting asked for by initPayload) shows
    greeting = DOMAIN["responses"]["utter_greet"][0]
    page.locator(".rw-response", has_text=greeting["text"].split(".")[0]).wait_for(
        timeout=ANSWER_TIMEOUT_MS)
    assert last_replies(page) == [b["title"] for b in greeting["buttons"]]

    # a rights question: the answer, every button, the article and whom to call, as links
    messages = ask(page, "hvor mange uger har jeg til at klage over en afgørelse")
    article_links = [a for m in messages for a in m.locator("a[href*='/artikel/']").all()]
    assert article_links, [m.inner_text() for m in messages]
    article = KB.article(article_links[0].get_attribute("href").rsplit("/", 1)[1])
    assert article.id in {"klagefrist", "klage-over-afgoerelse"}
    answer = next(m for m in messages if article.summary in m.inner_text())
    buttons = [b["title"] for b in DOMAIN["responses"]["utter_article"][0]["buttons"]]
    related = [KB.articles[a].title for a in article.related if a in KB.articles][:2]
    shown = [r.inner_text().strip() for r in answer.locator(".rw-reply").all()]
    assert shown == buttons + related          # all of them, on the answer itself
    assert last_replies(page) == shown
    hrefs = [a.get_attribute("href") for a in answer.locator("a").all()]
    assert set(article.sources) <= set(hrefs)
    assert KB.channels["sociale-retshjaelp"].tel_url in hrefs
    assert "tel:+4589402000" in hrefs          # Aarhus's own number: customData reached it
    assert "](" not in answer.inner_text()     # Markdown rendered, not shown as text

    # a crisis message: the lines as a list of tel: links, the sentence after it apart
    messages = ask(page, "jeg vil ikke leve mere")
    crisis = next(m for m in messages if m.locator("a[href^='tel:']").count())
    livslinien = KB.channels["livslinien"]
    link = crisis.locator(f"li a[href='{livslinien.tel_url}']")
    assert link.inner_text() == livslinien.phone
    assert crisis.locator("li a[href='tel:112']").count() == 1
    items = [li.inner_text() for li in crisis.locator("li").all()]
    lines = crisis_module.lines_for(crisis_module.detect("jeg vil ikke leve mere"),
                                    KB.crisis_channels())
    assert [item.split(":")[0] for item in items] == [c.name for c in lines]
    assert not any("Kommer du ikke igennem" in item for item in items)
    assert "Kommer du ikke igennem" in crisis.inner_text()
    assert page.outside == []                  # nothing from a CDN or any other host
    # only the font rasa-webchat itself asks Google for was refused by the page's policy
    assert all("fonts.googleapis.com" in v for v in page.violations), page.violations
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "rasa-webchat.png"), full_page=True)


def test_the_web_apps_api_gives_the_same_answer_without_the_markdown(stack):
    """Our widget shows links under the text: /api/chat keeps its contract, and its text has
    neither the repeated list of links nor any Markdown link."""
    import requests

    body = {"sender": "stdclient1", "message": "hvor mange uger har jeg til at klage over en "
                                               "afgørelse", "kommune": "Aarhus"}
    messages = requests.post(f"{stack.web_url}/api/chat", json=body, timeout=60).json()[
        "messages"]
    answer = next(m for m in messages if m.get("article_id"))
    article = KB.article(answer["article_id"])
    assert answer["text"].rstrip().endswith(article.summary)
    assert "](" not in "".join(m["text"] for m in messages)
    assert any(link["url"].endswith(f"/artikel/{article.id}") for link in answer["links"])
    assert KB.channels["sociale-retshjaelp"].tel_url in [link["url"] for link in answer["links"]]
    assert {b["payload"] for b in answer["buttons"]} >= {"/complain", "/want_human"}
    crisis = requests.post(f"{stack.web_url}/api/chat", timeout=60, json={
        "sender": "stdclient2", "message": "jeg vil ikke leve mere"}).json()["messages"][0]
    livslinien = KB.channels["livslinien"]
    assert f"- {livslinien.name}: {livslinien.phone}\n" in crisis["text"]
    assert "](" not in crisis["text"]
