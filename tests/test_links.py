"""`rettighedsbot check-links` against a local HTTP server: no test needs the internet.

The server answers 200, 404, 410, 500 and 403, refuses HEAD on one page (some sites do), and
sleeps past the timeout on another; a closed port stands for a site that is down. Offline, the
command reports every address as not reachable and still exits 0.
"""
from __future__ import annotations

import json
import time

import pytest

from knowledge import cli, links
from knowledge.loader import load_knowledge
from knowledge.settings import PACKAGE_DIR

from .local_http import LocalHTTPServer, QuietHandler, free_port


class Site(LocalHTTPServer):
    def __init__(self):
        self.seen: list[tuple[str, str]] = []
        site = self

        class Handler(QuietHandler):
            def _answer(self, body: bool):
                site.seen.append((self.command, self.path))
                status = {"/ok": 200, "/gone": 404, "/removed": 410, "/error": 500,
                          "/robots-no": 403, "/no-head": 200, "/slow": 200}.get(self.path, 404)
                if self.path == "/no-head" and self.command == "HEAD":
                    status = 405
                if self.path == "/slow":
                    time.sleep(2)
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                if body:
                    self.wfile.write(b"ok")

            def do_HEAD(self):
                self._answer(False)

            def do_GET(self):
                self._answer(True)

        self.start(Handler)



@pytest.fixture(scope="module")
def site():
    with Site() as s:
        yield s


def test_each_kind_of_answer_gets_its_verdict(site):
    down = f"http://127.0.0.1:{free_port()}/x"
    urls = {f"{site.url}{p}": ["a"] for p in
            ("/ok", "/gone", "/removed", "/error", "/robots-no", "/no-head", "/slow")}
    urls[down] = ["kanal:b"]
    urls["file:///etc/passwd"] = ["c"]
    started = time.monotonic()
    check = links.check_urls(urls, timeout=0.5, workers=4)
    assert time.monotonic() - started < 5              # the slow page did not hold the run
    verdict = {r.url.removeprefix(site.url): (r.status, r.detail) for r in check.results}
    assert verdict["/ok"] == ("ok", "HTTP 200")
    assert verdict["/no-head"] == ("ok", "HTTP 200")   # HEAD refused, GET answered
    assert verdict["/gone"] == ("broken", "HTTP 404")
    assert verdict["/removed"] == ("broken", "HTTP 410")
    assert verdict["/error"] == ("unreachable", "HTTP 500")     # not a verdict on the page
    assert verdict["/robots-no"] == ("unreachable", "HTTP 403")
    assert verdict["/slow"] == ("unreachable", "svarede ikke inden for 0.5 s")
    assert verdict[down] == ("unreachable", "forbindelsen blev afvist")
    assert verdict["file:///etc/passwd"][0] == "broken"        # never opened
    assert ("GET", "/no-head") in site.seen and ("GET", "/ok") not in site.seen
    assert [r.used_by for r in check.results if r.url == down] == [("kanal:b",)]


def test_results_are_saved_and_read_back(tmp_path, site):
    check = links.check_urls({f"{site.url}/gone": ["klagefrist"]}, timeout=1)
    links.save(check, tmp_path)
    assert links.load(tmp_path) == check
    assert links.load(tmp_path / "none") is None
    (tmp_path / links.RESULTS_FILE).write_text("{not json", "utf-8")
    assert links.load(tmp_path) is None


def test_every_source_and_channel_address_is_collected():
    kb = load_knowledge(PACKAGE_DIR).kb
    urls = links.links_of(kb)
    for article in kb.articles.values():
        assert all(article.id in urls[u] for u in article.sources)
    assert any(owner.startswith("kanal:") for owners in urls.values() for owner in owners)
    assert all(u.startswith("https://") for u in urls)


def test_check_links_offline_reports_unreachable_and_exits_0(tmp_path, monkeypatch, capsys):
    # Every request goes to a proxy that is not there: as on a server without internet.
    proxy = f"http://127.0.0.1:{free_port()}"
    for name in ("https_proxy", "http_proxy", "HTTPS_PROXY", "HTTP_PROXY"):
        monkeypatch.setenv(name, proxy)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    code = cli.main(["check-links", "--timeout", "1", "--out", str(tmp_path), "--json"])
    out, err = capsys.readouterr()
    assert code == 0
    data = json.loads(out)
    assert data["results"] and all(r["status"] == "unreachable" for r in data["results"])
    assert "0 ok, 0 virker ikke" in err and "kunne ikke nås" in err
    saved = links.load(tmp_path)
    assert saved is not None and len(saved.results) == len(data["results"])
    # --strict fails only on pages that are gone, not on an unreachable network
    assert cli.main(["check-links", "--timeout", "1", "--out", str(tmp_path), "--strict"]) == 0
