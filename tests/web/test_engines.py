"""Several Rasa engines (RASA_URLS): a home engine per conversation, the same from every web
process; failover only when the message cannot have reached its engine. Real HTTP to fake
engines (tests/web/conftest.py); the real engines are in tests/integration/test_production.py."""
from __future__ import annotations

import collections
import concurrent.futures
import socket

import pytest

from web.rasa import STOP_FORM, RasaClient, RasaUnavailable, engine_order

from .conftest import FakeRasa, chat

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@pytest.fixture
def two_engines():
    engines = [FakeRasa(), FakeRasa()]
    yield engines
    for e in engines:
        e.close()


def _senders(fake) -> list[str]:
    return [r["sender"] for r in fake.requests]


def _refused() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_each_conversation_has_one_home_engine_and_they_are_spread_evenly():
    urls = [f"http://rasa-{i}:5005" for i in range(4)]
    homes = collections.Counter(engine_order(f"w{n:032x}", urls)[0] for n in range(4000))
    assert set(homes) == set(urls)
    assert all(800 < count < 1200 for count in homes.values()), homes
    # The same order every time, in every process (no per-process randomness).
    assert engine_order("wabc", urls) == engine_order("wabc", list(reversed(urls)))


def test_removing_an_engine_moves_only_its_own_conversations():
    urls = [f"http://rasa-{i}:5005" for i in range(3)]
    senders = [f"w{n:032x}" for n in range(3000)]
    before = {s: engine_order(s, urls)[0] for s in senders}
    after = {s: engine_order(s, urls[:2])[0] for s in senders}
    moved = [s for s in senders if before[s] != after[s]]
    assert moved and all(before[s] == urls[2] for s in moved)


def test_turns_of_one_conversation_stay_on_its_engine(make_app, two_engines):
    a, b = two_engines
    client = make_app(RASA_URLS=(a.url, b.url)).test_client()
    for n in range(12):
        for turn in ("hej", "hvordan klager jeg"):
            assert chat(client, turn, sender=f"home-{n}").status_code == 200
    on_a, on_b = set(_senders(a)), set(_senders(b))
    assert on_a and on_b and not on_a & on_b          # spread, and never split
    assert len(a.requests) + len(b.requests) == 24


def test_an_unreachable_engine_is_skipped_without_a_fallback(make_app, fake_rasa, refused_url):
    client = make_app(RASA_URLS=(refused_url, fake_rasa.url)).test_client()
    # Senders whose home is the refused engine: every turn is answered by the other one.
    homeless = [s for s in (f"fo-{n}" for n in range(40))
                if engine_order(s, [refused_url, fake_rasa.url])[0] == refused_url][:5]
    before = len(fake_rasa.requests)
    for sender in homeless:
        body = chat(client, "hvordan klager jeg", sender=sender).get_json()
        assert body["messages"][0]["text"].startswith("Du har 4 uger"), body
    sent = fake_rasa.requests[before:]
    assert [r["sender"] for r in sent] == homeless
    assert STOP_FORM not in {r["message"] for r in sent}   # nothing was lost: nothing to stop


def test_an_engine_that_took_the_message_is_not_asked_twice(tmp_path):
    """A timeout after sending may mean the turn was done: no second engine gets it."""
    slow, fast = FakeRasa(delay=2.0), FakeRasa()
    try:
        pool = concurrent.futures.ThreadPoolExecutor(4)
        client = RasaClient([slow.url, fast.url], 0.5, pool)
        sender = next(s for s in (f"slow-{n}" for n in range(50))
                      if engine_order(s, [slow.url, fast.url])[0] == slow.url)
        with pytest.raises(RasaUnavailable):
            client.send(sender, "hej")
        assert not fast.requests
    finally:
        slow.close()
        fast.close()


def test_every_engine_down_gives_the_fallback_then_the_form_is_stopped(make_app, fake_rasa):
    down = [_refused(), _refused()]
    app = make_app(RASA_URLS=tuple(down))
    client = app.test_client()
    body = chat(client, "hvordan klager jeg", sender="down-1").get_json()
    assert "70 201 201" in str(body)                          # the crisis lines, as always
    # The engines come back (here: the URLs now point at a live one): the lost turn is
    # followed by a stop of any form that waited for it, once.
    rasa = app.extensions["rettighedsbot.rasa"]
    for engine in rasa.engines.values():
        engine.base_url = fake_rasa.url
        engine.breaker.record(True)
    before = len(fake_rasa.requests)
    chat(client, "hej", sender="down-1")
    chat(client, "tak", sender="down-1")
    assert [r["message"] for r in fake_rasa.requests[before:]] == [STOP_FORM, "hej", "tak"]
