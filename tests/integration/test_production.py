"""The production profile for real: Debian's PostgreSQL and Redis (installed if missing,
started as throwaway services in temporary folders), scripts/stack.py with
RETTIGHEDSBOT_PROFILE=production running two Rasa engines, two action servers and two web
processes, exactly as an operator starts it. One stack for the whole module.

Checked: a complaint form whose turns alternate between the engines completes; turns of one
conversation sent to both engines at once are done one after another, in order (the Redis lock
store); the rate limit holds across both web processes; feedback from both all lands in
PostgreSQL; killing an engine mid-conversation loses no turn (the web app sends the next turn
to the other engine), counted in the tracker store afterwards. Kept last: the kill.
"""
from __future__ import annotations

import concurrent.futures
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests
import yaml
from sqlalchemy import create_engine, text

from knowledge.complaint import deadline_for
from knowledge.dates import danish_date_with_weekday as format_date_da
from tests.local_http import free_port
from tests.scripts import script
from web.messages import FALLBACK
from web.rasa import engine_order

pytestmark = [pytest.mark.integration, pytest.mark.production]

REPO = Path(__file__).resolve().parents[2]
services = script("throwaway_services")

DOMAIN = yaml.safe_load((REPO / "bot" / "domain.yml").read_text(encoding="utf-8"))
READY_TIMEOUT = 400.0
RATE = 10                                   # RATE_LIMIT per minute in this stack
STATS_TOKEN = "production-test"


def said(response: str) -> str:
    """The first line of a domain response, up to any {slot}."""
    line = DOMAIN["responses"][response][0]["text"].split("\n")[0].strip()
    return line.split("{")[0].strip()


def _consecutive_free_ports(count: int, host: str = "127.0.0.1") -> int:
    for _ in range(200):
        base = random.randint(20000, 60000 - count)
        try:
            sockets = []
            for port in range(base, base + count):
                s = socket.socket()
                sockets.append(s)
                s.bind((host, port))
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no free consecutive ports")


def _ok(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


class Production:
    def __init__(self, work: Path, database_url: str, redis_url: str, rasa: list[str],
                 actions: list[str], web: list[str], runner: subprocess.Popen,
                 output: list[str]):
        self.work, self.database_url, self.redis_url = work, database_url, redis_url
        self.rasa, self.actions, self.web = rasa, actions, web
        self.runner, self.output = runner, output
        self.db = create_engine(database_url)

    def logs(self) -> str:
        tails = []
        for log in sorted((self.work / "log").glob("*.log")):
            lines = log.read_text(errors="replace").splitlines()[-30:]
            tails.append(f"--- {log.name}:\n" + "\n".join(lines))
        return "".join(self.output)[-3000:] + "\n" + "\n".join(tails)

    def events(self, sender: str) -> list[tuple[str, str | None, str | None]]:
        """(type, action name, user text) of one conversation, in Rasa's order."""
        with self.db.connect() as db:
            rows = db.execute(text("SELECT type_name, action_name, data FROM events "
                                   "WHERE sender_id = :s ORDER BY id"), {"s": sender}).all()
        import json
        return [(t, a, json.loads(d).get("text") if t == "user" else None) for t, a, d in rows]


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    try:
        services.install()
        pg = services.start_postgres()
    except services.Unavailable as exc:
        pytest.skip(f"the production profile needs PostgreSQL and Redis: {exc}")
    try:
        redis = services.start_redis()
    except services.Unavailable as exc:
        pg.stop()
        pytest.skip(f"the production profile needs Redis: {exc}")
    work = tmp_path_factory.mktemp("production")
    host = "127.0.0.1"
    rasa_port, actions_port, web_port = (_consecutive_free_ports(2) for _ in range(3))
    env = {**os.environ, "RETTIGHEDSBOT_PROFILE": "production", "HOST": host,
           "DATABASE_URL": pg.url, "REDIS_URL": redis.url,
           "RASA_ENGINES": "2", "ACTION_SERVERS": "2", "WEB_PROCESSES": "2",
           "RASA_PORT": str(rasa_port), "ACTIONS_PORT": str(actions_port),
           "WEB_PORT": str(web_port), "RETTIGHEDSBOT_VAR_DIR": str(work),
           "RETTIGHEDSBOT_PUBLIC_URL": f"http://{host}:{web_port}",
           "RATE_LIMIT": f"{RATE}/minute", "STATS_TOKEN": STATS_TOKEN,
           # Test citizens all come from 127.0.0.1: each says who it is in X-Forwarded-For,
           # as a reverse proxy would.
           "TRUSTED_PROXIES": "1",
           # This checks correctness, not latency, on a machine shared with other work.
           "RASA_TIMEOUT": "15"}
    runner = subprocess.Popen([sys.executable, str(REPO / "scripts" / "stack.py")], cwd=REPO,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, start_new_session=True)
    output: list[str] = []
    threading.Thread(target=lambda: output.extend(runner.stdout), daemon=True).start()
    stack = Production(work, pg.url, redis.url,
                       [f"http://{host}:{rasa_port + i}" for i in range(2)],
                       [f"http://{host}:{actions_port + i}" for i in range(2)],
                       [f"http://{host}:{web_port + i}" for i in range(2)], runner, output)
    try:
        health = ([f"{u}/webhooks/rest/" for u in stack.rasa]
                  + [f"{u}/health" for u in stack.actions] + [f"{u}/healthz" for u in stack.web])
        deadline = time.monotonic() + READY_TIMEOUT
        while not all(_ok(u) for u in health):
            if runner.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the production profile did not come up:\n{stack.logs()}")
            time.sleep(1)
        yield stack
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGTERM)
            try:
                runner.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(runner.pid, signal.SIGKILL)
                runner.wait()
        stack.db.dispose()
        redis.stop()
        pg.stop()


def rest(engine: str, sender: str, message: str) -> str:
    r = requests.post(f"{engine}/webhooks/rest/webhook",
                      json={"sender": sender, "message": message}, timeout=60)
    assert r.status_code == 200, r.text
    return "\n".join(m.get("text", "") for m in r.json())


def web_chat(web: str, sender: str, message: str, ip: str) -> str:
    r = requests.post(f"{web}/api/chat", json={"sender": sender, "message": message},
                      headers={"X-Forwarded-For": ip}, timeout=60)
    assert r.status_code == 200, r.text
    return "\n".join(m["text"] for m in r.json()["messages"])


def test_the_migrated_postgresql_schema_is_exactly_web_schema(production):
    from tests.web.test_migrations import schema_drift
    assert schema_drift(production.db) == []


def test_question_counts_from_two_processes_add_up_in_postgresql(production):
    """The councils' report on PostgreSQL: two stores (two connection pools, as two web
    processes have) count the same question at once; the upsert adds every turn to one row,
    and usage() reads it back as the report does."""
    from web.store import FeedbackStore

    marker = f"K{uuid.uuid4().hex[:8]}"          # a kommune of this test's own
    stores = [FeedbackStore(production.database_url) for _ in range(2)]
    try:
        turns = [(stores[n % 2], "unknown" if n % 3 else "answer") for n in range(60)]
        with concurrent.futures.ThreadPoolExecutor(12) as pool:
            list(pool.map(lambda t: t[0].record_turn(
                t[1], "klagefrist" if t[1] == "answer" else None, "Hvor kan min hund sove",
                marker), turns))
        usage = stores[0].usage(kommune=marker)
        assert usage.unmet == [("hvor kan min hund sove", "unknown", 40)]
        assert usage.answers == [("klagefrist", 20)]
        assert sum(n for _, _, n in usage.days) == 60
        assert marker in stores[1].usage().kommuner
    finally:
        for store in stores:
            store.close()


def test_a_complaint_form_alternating_between_the_engines_completes(production):
    one, two = production.rasa
    sender = f"alt-{uuid.uuid4().hex[:10]}"
    assert said("utter_ask_complaint_about") in rest(one, sender, "jeg vil klage over en afgørelse")
    assert said("utter_ask_complaint_date") in rest(two, sender, "de har stoppet min kontanthjælp")
    assert said("utter_ask_kommune") in rest(one, sender, "for to uger siden")
    summary = rest(two, sender, "Aarhus")
    deadline = deadline_for(date.today() - timedelta(days=14)).deadline
    assert format_date_da(deadline) in summary, summary
    users = [t for kind, _, t in production.events(sender) if kind == "user"]
    assert users == ["jeg vil klage over en afgørelse", "de har stoppet min kontanthjælp",
                     "for to uger siden", "Aarhus"]


def test_turns_sent_to_both_engines_at_once_are_done_one_by_one_in_order(production):
    """Without the shared lock store two engines would work on one conversation at once and
    store their turns interleaved (or lose one); with it each turn waits for the one before."""
    sender = f"lock-{uuid.uuid4().hex[:10]}"
    turns = ["hej", "hvad er et socialt frikort", "tak", "hvornår skal jeg klage",
             "kan jeg få hjælp til tandlæge", "farvel"]
    with concurrent.futures.ThreadPoolExecutor(len(turns)) as pool:
        futures = []
        for n, turn in enumerate(turns):
            futures.append(pool.submit(rest, production.rasa[n % 2], sender, turn))
            time.sleep(0.15)                # sent in this order, long before each is answered
        answers = [f.result() for f in futures]
    assert all(answers)
    events = production.events(sender)
    assert [t for kind, _, t in events if kind == "user"] == turns
    # Each turn finished (the bot listens again) before the next one was read.
    kinds = [("user" if kind == "user" else a) for kind, a, _ in events
             if kind == "user" or a == "action_listen"]
    first = kinds.index("user")
    assert kinds[first:] == ["user", "action_listen"] * len(turns), kinds


def test_the_rate_limit_holds_across_two_web_processes(production):
    ip = "198.51.100.7"
    statuses = []
    for n in range(2 * RATE):
        r = requests.post(f"{production.web[n % 2]}/api/feedback",
                          json={"article_id": "klagefrist", "helpful": True},
                          headers={"X-Forwarded-For": ip}, timeout=30)
        statuses.append(r.status_code)
    accepted = statuses.count(201)
    # One limit for both: RATE accepted (one more if a token refilled meanwhile), not 2 x RATE.
    assert RATE <= accepted <= RATE + 1, statuses
    assert statuses.count(429) == 2 * RATE - accepted


def test_feedback_from_two_web_processes_all_lands(production):
    # letters first: an all-digit marker (1 in 45) is redacted as a phone number, and lost
    marker = f"hund{uuid.uuid4().hex[:8]}"
    posts = [(production.web[n % 2], f"203.0.113.{n}", n) for n in range(60)]

    def post(web: str, ip: str, n: int) -> int:
        body = {"article_id": None, "helpful": n % 3 != 0,
                "query": f"hvor kan min hund sove {marker}" if n < 30 else f"spørgsmål {marker} {n}"}
        return requests.post(f"{web}/api/feedback", json=body, headers={"X-Forwarded-For": ip},
                             timeout=30).status_code

    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        assert list(pool.map(lambda p: post(*p), posts)) == [201] * 60
    with production.db.connect() as db:
        stored = db.execute(text("SELECT COUNT(*) FROM feedback WHERE query LIKE :m"),
                            {"m": f"%{marker}%"}).scalar()
    assert stored == 60
    # Either web process reports all of it.
    for web in production.web:
        report = requests.get(f"{web}/api/stats", timeout=30,
                              headers={"Authorization": f"Bearer {STATS_TOKEN}"}).json()
        counts = {q["query"]: q["count"] for q in report["unanswered"]}
        assert counts[f"hvor kan min hund sove {marker}"] == 30


def test_a_lost_turn_stops_the_form_whichever_web_process_gets_the_next_message(production):
    """Turn n falls back in one web process; turn n+1 reaches another: that one still sends
    the form's stop first (the mark is in Redis), and only once."""
    import redis as redis_client

    from tests.web.conftest import FakeRasa
    from web.rasa import STOP_FORM, RasaClient, RasaUnavailable, RedisLostTurns

    fake = FakeRasa()
    refused = f"http://127.0.0.1:{free_port()}"
    pool = concurrent.futures.ThreadPoolExecutor(4)
    try:
        shared = redis_client.Redis.from_url(production.redis_url)
        first = RasaClient(refused, 2.0, pool, lost_turns=RedisLostTurns(shared))
        second = RasaClient(fake.url, 2.0, pool, lost_turns=RedisLostTurns(shared))
        sender = f"lost-{uuid.uuid4().hex[:10]}"
        with pytest.raises(RasaUnavailable):
            first.send(sender, "for to uger siden")
        second.send(sender, "Aarhus")
        second.send(sender, "tak")
        assert [r["message"] for r in fake.requests] == [STOP_FORM, "Aarhus", "tak"]
    finally:
        fake.close()
        pool.shutdown()


def test_killing_an_engine_mid_conversation_loses_no_turn(production):
    """Six complaint forms through both web processes, three at home on each engine; after
    two turns engine 1 is killed; every later turn is answered for real (by engine 2), and the
    tracker store holds every turn exactly once."""
    one, two = production.rasa
    homes: dict[str, list[str]] = {one: [], two: []}
    while min(len(v) for v in homes.values()) < 3:
        sender = f"kill-{uuid.uuid4().hex[:10]}"
        home = engine_order(sender, production.rasa)[0]
        if len(homes[home]) < 3:
            homes[home].append(sender)
    senders = homes[one] + homes[two]
    ip = {s: f"192.0.2.{n + 1}" for n, s in enumerate(senders)}

    def turn(n: int, sender: str, message: str) -> str:
        answer = web_chat(production.web[n % 2], sender, message, ip[sender])
        assert FALLBACK.split("\n")[0] not in answer, (sender, message, production.logs())
        return answer

    for n, sender in enumerate(senders):
        assert said("utter_ask_complaint_about") in turn(n, sender, "jeg vil klage")
        assert said("utter_ask_complaint_date") in turn(n + 1, sender, "afslag på boligstøtte")

    pid = int((production.work / "log" / "rasa-1.pid").read_text())
    os.killpg(pid, signal.SIGKILL)
    with pytest.raises(requests.ConnectionError):
        requests.get(one + "/", timeout=2)

    deadline = deadline_for(date.today() - timedelta(days=1)).deadline
    for n, sender in enumerate(senders):
        assert said("utter_ask_kommune") in turn(n, sender, "i går")
        assert format_date_da(deadline) in turn(n + 1, sender, "Odense")
    for sender in senders:
        users = [t for kind, _, t in production.events(sender) if kind == "user"]
        assert users == ["jeg vil klage", "afslag på boligstøtte", "i går", "Odense"], sender
