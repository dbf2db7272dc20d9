"""`rettighedsbot check-links`: are the sources and web sites the articles point to still there?

Run by hand (or from cron) by whoever keeps the articles; never by the bot itself, which calls
nothing outside the machine. Offline-safe: a link that cannot be reached (no network, a
timeout, a server that refuses robots) is reported as "kunne ikke nås", not as an error of the
command, so a check on a machine without internet says so and exits 0. Only a clear answer
from the server that the page is gone (404, 410, …) counts as broken.

The result is saved as JSON beside the search index, where the councils' report page reads it.
"""
from __future__ import annotations

import concurrent.futures
import json
import os
import socket
import ssl
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from .models import KnowledgeBase

OK, BROKEN, UNREACHABLE = "ok", "broken", "unreachable"
RESULTS_FILE = "link-check.json"
DEFAULT_TIMEOUT = 10.0
WORKERS = 8
# Answers that say "not for you" rather than "gone": many public sites refuse robots.
NOT_A_VERDICT = {401, 403, 407, 429}
USER_AGENT = "rettighedsbot-check-links/1 (checks that the articles' sources still exist)"


@dataclass(frozen=True)
class LinkResult:
    url: str
    status: str                   # ok | broken | unreachable
    detail: str                   # "HTTP 404", "timeout after 10 s", "connection refused" …
    used_by: tuple[str, ...]      # article ids, "kanal:<id>", "kommune:<id>"


@dataclass(frozen=True)
class LinkCheck:
    checked_at: str               # ISO date and time of the run
    results: tuple[LinkResult, ...]

    @property
    def problems(self) -> list[LinkResult]:
        return [r for r in self.results if r.status != OK]

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    def to_json(self) -> dict:
        return {"checked_at": self.checked_at,
                "results": [asdict(r) | {"used_by": list(r.used_by)} for r in self.results]}


def links_of(kb: KnowledgeBase) -> dict[str, list[str]]:
    """Every http(s) address in the knowledge set, with who uses it."""
    found: dict[str, list[str]] = {}

    def add(url: str | None, owner: str) -> None:
        if url and url.lower().startswith(("https://", "http://")):
            owners = found.setdefault(url, [])
            if owner not in owners:
                owners.append(owner)

    for article in kb.articles.values():
        for url in article.sources:
            add(url, article.id)
    channels = list(kb.channels.values())
    for municipality in kb.municipalities.values():
        add(municipality.website, f"kommune:{municipality.id}")
        for url in municipality.sources:
            add(url, f"kommune:{municipality.id}")
        channels += municipality.channels
    for channel in channels:
        add(channel.url, f"kanal:{channel.id}")
        for url in channel.sources:
            add(url, f"kanal:{channel.id}")
    return found


def opener() -> urllib.request.OpenerDirector:
    """One opener for a whole run: urlopen() would load the CA certificates again for every
    https address (~0.1 s of CPU each; 872 addresses took 3.5 min that way)."""
    return urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=ssl.create_default_context()))


def check_url(url: str, timeout: float = DEFAULT_TIMEOUT,
              via: urllib.request.OpenerDirector | None = None) -> tuple[str, str]:
    """(status, detail) for one address: HEAD first, GET when the server will not do HEAD."""
    if not url.lower().startswith(("https://", "http://")):
        return BROKEN, "ikke en http(s)-adresse"      # urllib would open file:// too
    via = via or opener()
    try:
        return _request(via, url, "HEAD", timeout)
    except urllib.error.HTTPError as exc:
        if exc.code not in (400, 403, 405, 501):
            return _verdict(exc.code)
    except _NETWORK_ERRORS as exc:
        return UNREACHABLE, _reason(exc, timeout)
    try:
        return _request(via, url, "GET", timeout)
    except urllib.error.HTTPError as exc:
        return _verdict(exc.code)
    except _NETWORK_ERRORS as exc:
        return UNREACHABLE, _reason(exc, timeout)


def check_urls(urls: dict[str, list[str]], timeout: float = DEFAULT_TIMEOUT,
               workers: int = WORKERS) -> LinkCheck:
    """Checks the addresses a few at a time; the whole run takes about
    len(urls) / workers * timeout at worst."""
    started = time.strftime("%Y-%m-%dT%H:%M:%S")
    ordered = sorted(urls)
    via = opener()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        verdicts = list(pool.map(lambda u: check_url(u, timeout, via), ordered))
    return LinkCheck(started, tuple(LinkResult(u, s, d, tuple(urls[u]))
                                    for u, (s, d) in zip(ordered, verdicts)))


def save(check: LinkCheck, folder: Path) -> Path:
    """Writes the result atomically (the report page may be reading the old one)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / RESULTS_FILE
    fd, tmp = tempfile.mkstemp(prefix=".links-", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(check.to_json(), f, ensure_ascii=False, indent=1)
    os.replace(tmp, path)
    return path


def load(folder: Path) -> LinkCheck | None:
    """The last saved check, or None when none was run (or the file is unreadable)."""
    try:
        data = json.loads((folder / RESULTS_FILE).read_text("utf-8"))
        return LinkCheck(str(data["checked_at"]), tuple(
            LinkResult(r["url"], r["status"], r["detail"], tuple(r["used_by"]))
            for r in data["results"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


_NETWORK_ERRORS = (urllib.error.URLError, OSError, ValueError)


def _request(via: urllib.request.OpenerDirector, url: str, method: str,
             timeout: float) -> tuple[str, str]:
    request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
    with via.open(request, timeout=timeout) as response:
        if method == "GET":
            response.read(1024)       # enough to know the page is served; not the whole page
        return OK, f"HTTP {response.status}"


def _verdict(code: int) -> tuple[str, str]:
    if code in NOT_A_VERDICT or code >= 500:
        return UNREACHABLE, f"HTTP {code}"
    return BROKEN, f"HTTP {code}"


def _reason(exc: BaseException, timeout: float) -> str:
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, (socket.timeout, TimeoutError)) or "timed out" in str(reason):
        return f"svarede ikke inden for {timeout:g} s"
    if isinstance(reason, ConnectionRefusedError):
        return "forbindelsen blev afvist"
    if isinstance(reason, socket.gaierror):
        return "adressen kunne ikke slås op (intet net?)"
    return str(reason)[:200] or type(reason).__name__
