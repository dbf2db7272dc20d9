"""What the browser tests share: the app in a real waitress server, a council's page on
another origin, Debian's headless Chromium driven by Playwright, and small page helpers.
The fixtures are registered in conftest.py; each browser test module skips itself when
Playwright or Chromium is missing (require_browser).
"""
from __future__ import annotations

import threading
from pathlib import Path

import pytest

from web import create_app

from ..local_http import LocalHTTPServer, QuietHandler
from .conftest import PUBLIC

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"



class Served:
    """An app in a real waitress server on a free port, in a thread."""

    def __init__(self, app):
        from waitress import create_server

        self.app = app
        self.server = create_server(app, host="127.0.0.1", port=0, threads=6)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def close(self):
        self.server.close()


class HostPage(LocalHTTPServer):
    """Another origin (a council's site) that embeds the widget with one script tag."""

    def __init__(self):
        self.widget_src = ""
        host = self

        class Handler(QuietHandler):
            def do_GET(self):
                body = ('<!doctype html><html lang="da"><head><meta charset="utf-8">'
                        '<title>Kommune</title></head><body><h1>En anden kommunes side</h1>'
                        f'<script src="{host.widget_src}" data-kommune="Aarhus" defer></script>'
                        '</body></html>').encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.start(Handler)



@pytest.fixture(scope="module")
def host_page():
    with HostPage() as page:
        yield page


def serve_app(tmp_path_factory, real_service, **config) -> Served:
    """The real web app on a free port, with a feedback database of its own; `config` is
    what the fixture's case changes (its Rasa, CORS, limits)."""
    app = create_app({
        "KNOWLEDGE_SERVICE": real_service, "KNOWLEDGE_WARMUP": False,
        "FEEDBACK_DB": str(tmp_path_factory.mktemp("fb") / "feedback.db"),
        "RASA_TIMEOUT": 1.0, "PUBLIC_URL": PUBLIC, **config,
    })
    return Served(app)


@pytest.fixture(scope="module")
def site(tmp_path_factory, real_service, fake_rasa, host_page):
    served = serve_app(tmp_path_factory, real_service, RASA_URL=fake_rasa.url,
                       RATE_LIMIT="1000/minute", CORS_ORIGINS=(host_page.url,))
    yield served
    served.close()


@pytest.fixture(scope="module")
def site_rasa_down(tmp_path_factory, real_service, refused_url):
    served = serve_app(tmp_path_factory, real_service, RASA_URL=refused_url)
    yield served
    served.close()


@pytest.fixture(scope="module")
def site_rasa_slow(tmp_path_factory, real_service, slow_rasa):
    served = serve_app(tmp_path_factory, real_service, RASA_URL=slow_rasa.url, RASA_TIMEOUT=1.5)
    yield served
    served.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 760}, locale="da-DK")
    page = context.new_page()
    page.set_default_timeout(5000)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.problems = problems
    yield page
    context.close()


def active(page) -> dict:
    return page.evaluate("""() => { const a = document.activeElement;
        return {id: a.id, cls: a.className, text: a.textContent.trim(), tag: a.tagName}; }""")


def tab_to(page, predicate, limit: int = 25) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = active(page)
        if predicate(now):
            return now
    raise AssertionError(f"never reached the element with Tab; last: {active(page)}")


def bot_messages(page):
    return page.locator(".rb-log .rb-bot")


def ask_how_to_complain(page):
    """Type the complaint question into the open widget and wait for the fake Rasa's answer."""
    page.locator("#rb-input").fill("hvordan klager jeg")
    page.keyboard.press("Enter")
    bot_messages(page).filter(has_text="4 uger").wait_for()




# Headless Chromium has no voices. This stands in for the browser's speechSynthesis: voices
# arrive late (voiceschanged), as in real browsers, and every speak() call is recorded.
SPEECH_STUB = """(() => {
  const later = %s;
  const calls = [], listeners = [];
  let voices = [];
  window.__speech = { calls, cancels: 0 };
  const synth = {
    speaking: false, pending: false, paused: false,
    getVoices: () => voices.slice(),
    speak(u) { calls.push({ text: u.text, lang: u.lang, voice: u.voice && u.voice.lang }); },
    cancel() { window.__speech.cancels++; },
    pause() {}, resume() {},
    addEventListener(type, fn) { if (type === "voiceschanged") listeners.push(fn); },
    removeEventListener() {},
  };
  class Utterance { constructor(text) { this.text = text; this.lang = ""; this.voice = null; } }
  Object.defineProperty(window, "speechSynthesis", { value: synth, configurable: true });
  Object.defineProperty(window, "SpeechSynthesisUtterance", { value: Utterance, configurable: true });
  setTimeout(() => { voices = later; listeners.forEach(f => f(new Event("voiceschanged"))); }, 300);
})();"""
DANISH = '[{lang: "en-US", name: "English"}, {lang: "da-DK", name: "Dansk"}]'
NO_DANISH = '[{lang: "en-US", name: "English"}, {lang: "de-DE", name: "Deutsch"}]'


def require_browser() -> None:
    """Skip the calling test module without Playwright or Debian's Chromium."""
    pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make browser)", allow_module_level=True)
