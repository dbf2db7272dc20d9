"""The real stack for integration tests: Rasa engine, action server and web app, started once
per test session (scripts/stack.py) on free ports, with their own tracker and feedback
databases, and stopped at the end.

    def test_something(stack):
        requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", json={...})
        requests.post(f"{stack.web_url}/api/chat", json={...})

Rasa and the web app allow one other origin (CORS_ORIGINS), `stack.page_origin`: a free port
kept for a test that serves a council's page with a standard widget there.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.scripts import script

stack_module = script("stack")

# Loading the Rasa model takes about a minute on an idle machine; allow for a busy one.
READY_TIMEOUT = 400.0


@dataclass
class Stack:
    rasa_url: str
    actions_url: str
    web_url: str
    page_origin: str       # CORS_ORIGINS of Rasa and the web app; nothing listens there yet
    log_dir: Path
    services: list

    def logs(self) -> str:
        return "\n".join(f"--- {s.name}:\n{s.log_tail(60)}" for s in self.services)


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Stack:
    if not stack_module.MODEL.exists():
        pytest.fail(f"{stack_module.MODEL} is missing: run `make train` (make test does)")
    work = tmp_path_factory.mktemp("stack")
    host = "127.0.0.1"
    rasa_port, actions_port, web_port, page_port = (stack_module.free_port(host)
                                                    for _ in range(4))
    page_origin = f"http://{host}:{page_port}"
    services = []
    try:
        services.append(stack_module.start_actions(actions_port, host, log_dir=work))
        services.append(stack_module.start_rasa(rasa_port, actions_port, host,
                                                tracker_db=work / "tracker.db", log_dir=work,
                                                env={"CORS_ORIGINS": page_origin}))
        web = stack_module.start_web(
            web_port, f"http://{host}:{rasa_port}", host, log_dir=work,
            # every test citizen comes from 127.0.0.1: the per-IP limit would stop the suite
            env={"FEEDBACK_DB": str(work / "feedback.db"),
                 "RASA_TRACKER_DB": str(work / "tracker.db"), "RATE_LIMIT": "1000/minute",
                 "CORS_ORIGINS": page_origin})
        services.append(web)
        stack_module.wait_ready(services, timeout=READY_TIMEOUT)
        yield Stack(rasa_url=f"http://{host}:{rasa_port}",
                    actions_url=f"http://{host}:{actions_port}",
                    web_url=web.url, page_origin=page_origin, log_dir=work,
                    services=services)
    finally:
        stack_module.stop_all(services)
