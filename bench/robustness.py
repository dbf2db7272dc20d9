"""Hostile input, personal data and outages against the whole stack, with the figures printed.

Starts its own stack (scripts/stack.py: Rasa, the action server, the web app) on free ports in
a temporary folder, then:
1. sends the hostile messages of tests/hostile_inputs.py to the web app and to Rasa's REST
   channel directly; counts answers by status and whether every process is still alive;
2. sends known personal data through the web app, Rasa REST and feedback, and searches every
   file the stack wrote for it (per path);
3. stops the action server, then Rasa, and times 50 citizens asking at once each time: how
   long until each got an answer, and whether every answer lists the crisis lines.

    .venv/bin/python bench/robustness.py [--inputs 2000] [--json]

A bench: it prints and exits 0 whatever it finds (1 only if the stack cannot start).
"""
from __future__ import annotations

import argparse
import concurrent.futures
import importlib.util
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import requests

from tests.hostile_inputs import hostile_messages

_spec = importlib.util.spec_from_file_location("rettighedsbot_stack", REPO / "scripts" / "stack.py")
stack = importlib.util.module_from_spec(_spec)
sys.modules["rettighedsbot_stack"] = stack
_spec.loader.exec_module(stack)

PII = {"0101851234": "mit cpr er 010185-1234", "1102851114": "cpr 11 02 85 1114",
       "xenia.qvist@example.dk": "skriv til xenia.qvist@example.dk",
       "41527384": "ring på 41 52 73 84", "Qvistgaard": "jeg hedder Xenia Qvistgaard",
       "Krumsvig": "min sagsbehandler Bodil Krumsvig siger nej",
       "Ulvsbjergvej": "jeg bor på Ulvsbjergvej 17, 2. tv"}
CRISIS_TEL = "tel:+4570201201"


def _post(url: str, body: dict, timeout: float = 30.0) -> tuple[int, dict | list | None, float]:
    started = time.monotonic()
    try:
        r = requests.post(url, json=body, timeout=timeout)
        try:
            data = r.json()
        except ValueError:
            data = None
        return r.status_code, data, time.monotonic() - started
    except requests.RequestException:
        return 0, None, time.monotonic() - started


def hostile(services, web: str, rasa: str, count: int) -> dict:
    out = {}
    for name, url, body in (("web /api/chat", f"{web}/api/chat",
                             lambda i, t: {"sender": f"h{i}", "message": t}),
                            ("rasa REST", f"{rasa}/webhooks/rest/webhook",
                             lambda i, t: {"sender": f"hr{i}", "message": t})):
        statuses: Counter = Counter()
        slowest = 0.0
        for i, text in enumerate(hostile_messages(count)):
            status, _, took = _post(url, body(i, text))
            statuses[status] += 1
            slowest = max(slowest, took)
        out[name] = {"inputs": count, "statuses": dict(statuses),
                     "5xx": sum(n for s, n in statuses.items() if s >= 500),
                     "no answer": statuses.get(0, 0), "slowest_s": round(slowest, 2)}
    out["processes alive after"] = {s.name: s.alive() for s in services}
    return out


def personal_data(work: Path, web: str, rasa: str) -> dict:
    paths = {"web /api/chat": lambda t: _post(f"{web}/api/chat", {"sender": "pw", "message": t}),
             "rasa REST": lambda t: _post(f"{rasa}/webhooks/rest/webhook",
                                          {"sender": "pr", "message": t,
                                           "metadata": {"note": t}}),
             "feedback": lambda t: _post(f"{web}/api/feedback",
                                         {"article_id": None, "helpful": False, "query": t})}
    found = {}
    for name, send in paths.items():
        before = {p: p.read_bytes() for p in work.rglob("*") if p.is_file()}
        for text in PII.values():
            send(text)
        time.sleep(1)
        hits = []
        for path in (p for p in work.rglob("*") if p.is_file()):
            new = path.read_bytes()
            for value in PII:
                if value.encode() in new and value.encode() not in before.get(path, b""):
                    hits.append(f"{path.name}: {value}")
        found[name] = {"values sent": len(PII), "found in files": hits}
    return found


def outage(web: str, kill, label: str) -> dict:
    kill()
    time.sleep(1)

    def one(i: int):
        status, data, took = _post(f"{web}/api/chat", {"sender": f"o{label}{i}", "message": "hej"})
        links = [link["url"] for m in (data or {}).get("messages", []) for link in m["links"]]
        return took, status, CRISIS_TEL in links

    with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(one, range(50)))
    times = sorted(t for t, _, _ in results)
    return {"citizens": 50, "statuses": dict(Counter(s for _, s, _ in results)),
            "with crisis lines": sum(c for _, _, c in results),
            "p50_s": round(statistics.median(times), 2), "max_s": round(times[-1], 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=2000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="rb-robust-"))
    host = "127.0.0.1"
    rp, ap, wp = (stack.free_port(host) for _ in range(3))
    services = []
    try:
        services.append(stack.start_actions(ap, host, log_dir=work))
        services.append(stack.start_rasa(rp, ap, host, tracker_db=work / "tracker.db",
                                         log_dir=work))
        services.append(stack.start_web(wp, f"http://{host}:{rp}", host, log_dir=work,
                                        env={"FEEDBACK_DB": str(work / "feedback.db"),
                                             "RASA_TRACKER_DB": str(work / "tracker.db"),
                                             # one client sends everything: no rate limit
                                             "RATE_LIMIT": "0/minute"}))
        stack.wait_ready(services, timeout=400)
    except (RuntimeError, TimeoutError, FileNotFoundError) as exc:
        print(f"error: the stack did not start: {exc}", file=sys.stderr)
        stack.stop_all(services)
        return 1
    web, rasa = f"http://{host}:{wp}", f"http://{host}:{rp}"
    try:
        report = {"hostile input": hostile(services, web, rasa, args.inputs),
                  "personal data": personal_data(work, web, rasa)}
        by_name = {s.name: s for s in services}
        report["outage: action server down"] = outage(
            web, lambda: os.killpg(by_name["actions"].process.pid, signal.SIGKILL), "a")
        report["outage: Rasa down too"] = outage(
            web, lambda: os.killpg(by_name["rasa"].process.pid, signal.SIGKILL), "r")
    finally:
        stack.stop_all(services)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for section, body in report.items():
            print(f"\n{section}")
            for key, value in body.items():
                print(f"  {key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
