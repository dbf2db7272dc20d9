"""`make run` keeps the bot up: kill any one of the three services and the stack runner starts
it again, while the others keep serving and the web app answers with the crisis lines.

Runs scripts/stack.py exactly as `make run` does (its own ports and var folder), kills each
process group with SIGKILL, and watches it come back.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

stack_module = sys.modules["rettighedsbot_stack"]   # scripts/stack.py, loaded by conftest.py
REPO = stack_module.REPO
READY_TIMEOUT = 400.0

pytestmark = pytest.mark.integration

LIVSLINIEN = "tel:+4570201201"


def _links(body: dict) -> list[str]:
    return [link["url"] for m in body.get("messages", []) for link in m.get("links", [])]


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"not within {timeout:.0f} s: {what}")


def _ok(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _kill(var: Path, name: str) -> int:
    pid = int((var / "log" / f"{name}.pid").read_text())
    os.killpg(pid, signal.SIGKILL)
    return pid


def test_each_service_is_restarted_and_the_web_app_answers_meanwhile(tmp_path):
    host = "127.0.0.1"
    ports = {k: stack_module.free_port(host) for k in ("RASA_PORT", "ACTIONS_PORT", "WEB_PORT")}
    env = {**os.environ, "HOST": host, **{k: str(v) for k, v in ports.items()},
           "RETTIGHEDSBOT_VAR_DIR": str(tmp_path), "FEEDBACK_DB": str(tmp_path / "feedback.db"),
           "RETTIGHEDSBOT_PUBLIC_URL": f"http://{host}:{ports['WEB_PORT']}"}
    runner = subprocess.Popen([sys.executable, str(REPO / "scripts" / "stack.py")], cwd=REPO,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, start_new_session=True)
    output: list[str] = []
    threading.Thread(target=lambda: output.extend(runner.stdout), daemon=True).start()
    web = f"http://{host}:{ports['WEB_PORT']}"
    rasa = f"http://{host}:{ports['RASA_PORT']}/webhooks/rest/"
    actions = f"http://{host}:{ports['ACTIONS_PORT']}/health"

    def chat(text: str, sender: str = "sup-1") -> dict:
        started = time.monotonic()
        try:
            r = requests.post(f"{web}/api/chat", json={"sender": sender, "message": text},
                              timeout=10)
        except requests.RequestException as exc:
            raise AssertionError(f"{exc}\n--- stack runner:\n{''.join(output)}") from exc
        assert time.monotonic() - started < 3.5
        assert r.status_code == 200, r.text
        return r.json()

    def answered(text: str) -> bool:
        body = chat(text)
        return any(m.get("article_id") for m in body["messages"])

    try:
        _wait(lambda: any("rettighedsbot is running" in line for line in output), READY_TIMEOUT,
              "the stack is running:\n" + "".join(output))

        _kill(tmp_path, "actions")
        body = chat("hej")                         # no action server: crisis lines at once
        assert LIVSLINIEN in _links(body)
        _wait(lambda: _ok(actions), 60, "the action server is back")
        _wait(lambda: answered("hvad er aktindsigt"), 60, "real answers again")

        _kill(tmp_path, "web")
        _wait(lambda: _ok(f"{web}/healthz"), 90, "the web app is back")

        _kill(tmp_path, "rasa")
        body = chat("hvad er aktindsigt", sender="sup-2")  # Rasa down: the fallback
        assert LIVSLINIEN in _links(body)
        _wait(lambda: _ok(rasa), READY_TIMEOUT, "Rasa is back")
        _wait(lambda: answered("hvad er aktindsigt"), 60, "real answers after Rasa's restart")

        log = "".join(output)
        for name in ("actions", "web", "rasa"):
            assert f"==> {name} restarted" in log, log
    finally:
        runner.send_signal(signal.SIGINT)
        try:
            runner.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(runner.pid, signal.SIGKILL)
    assert runner.returncode == 0
    groups = {int((tmp_path / "log" / f"{name}.pid").read_text()) for name in
              ("actions", "web", "rasa")}
    _wait(lambda: not _living_in(groups), 10, "nothing left running in the services' groups")


def _living_in(groups: set[int]) -> list[int]:
    """Processes (not zombies, which only wait for a parent to reap them) in these groups."""
    living = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, pgrp = fields[0], int(fields[2])
        if pgrp in groups and state != "Z":
            living.append(int(stat.parent.name))
    return living
