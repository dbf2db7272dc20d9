"""Chat under load: many citizens at once, through the web app, Rasa and the action server.

Each simulated citizen has its own sender id and asks a few questions in a row (taken from
tests/data/eval_questions.yml, so the action server searches for real). Reported per turn:
latency p50/p95/p99 and max, turns per second, and how many turns got the fallback (Rasa or the
action server too slow: the web app's 2.5 s deadline) or an HTTP error.

By default the bench serves its own copy of the web app (waitress, in this process, with the
rate limit lifted: every simulated citizen comes from 127.0.0.1) in front of the Rasa at
RASA_URL, so it needs Rasa and the action server running (`make run` in another terminal).
With --url it drives a web app that is already running instead (its rate limit applies);
several comma-separated URLs (the production profile's web processes) get the citizens in
turn. --rasa-url may list several engines too (they must all answer before the run starts).

    .venv/bin/python bench/chat_load.py                         # 16 citizens x 5 turns, 8 at once
    .venv/bin/python bench/chat_load.py --citizens 64 --concurrency 32 --json
    .venv/bin/python bench/chat_load.py --url http://127.0.0.1:8000
    .venv/bin/python bench/chat_load.py --url http://127.0.0.1:8000,http://127.0.0.1:8001 \
        --rasa-url http://127.0.0.1:5005,http://127.0.0.1:5006

A bench, not a test: it exits 0 whatever the numbers are (and when no Rasa is running).
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import yaml

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from web import messages  # after the path fix, so the bench runs from any folder

QUESTIONS = REPO / "tests" / "data" / "eval_questions.yml"
FALLBACK_QUESTIONS = ["hvornår skal jeg klage", "jeg har ikke et sted at bo",
                      "kan jeg få hjælp til tandlæge", "hvad er et socialt frikort", "hej"]


def questions() -> list[str]:
    try:
        data = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
        found = [q["q"] for q in data["questions"] if isinstance(q, dict) and q.get("q")]
        return found or FALLBACK_QUESTIONS
    except (OSError, KeyError, TypeError, yaml.YAMLError):
        return FALLBACK_QUESTIONS


def wait_for_rasa(rasa_url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if requests.get(rasa_url + "/", timeout=1).ok:
                return True
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            return False
        time.sleep(1)


def serve_web_app(rasa_urls: list[str]) -> tuple[str, object]:
    """The real web app, in waitress on a free port, without the per-client rate limit."""
    from waitress import create_server

    from web import create_app

    app = create_app({"RASA_URL": rasa_urls[0], "RASA_URLS": tuple(rasa_urls),
                      "RATE_LIMIT": "0/minute", "KNOWLEDGE_WARMUP": False,
                      "FEEDBACK_DB": str(Path(tempfile.mkdtemp()) / "feedback.db")})
    server = create_server(app, host="127.0.0.1", port=0, threads=16)
    threading.Thread(target=server.run, daemon=True).start()
    return f"http://127.0.0.1:{server.effective_port}", server


def citizen(bases: list[str], n: int, turns: int, pool: list[str],
            rng: random.Random) -> list[dict]:
    base = bases[n % len(bases)]
    session = requests.Session()
    sender = f"load-{os.getpid()}-{n}"
    results = []
    for question in rng.sample(pool, min(turns, len(pool))):
        started = time.perf_counter()
        try:
            r = session.post(f"{base}/api/chat", json={"sender": sender, "message": question},
                             timeout=15)
            ms = (time.perf_counter() - started) * 1000
            body = r.json() if r.ok else {}
            fallback = any(messages.FALLBACK in m.get("text", "") for m in body.get("messages", []))
            results.append({"ms": ms, "status": r.status_code, "fallback": fallback})
        except requests.RequestException as exc:
            results.append({"ms": (time.perf_counter() - started) * 1000, "status": 0,
                            "fallback": False, "error": type(exc).__name__})
    return results


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running web app (default: serve our own)")
    parser.add_argument("--rasa-url", default=os.environ.get("RASA_URL", "http://127.0.0.1:5005"))
    parser.add_argument("--citizens", type=int, default=16)
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--wait", type=float, default=5.0, help="seconds to wait for Rasa")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    rasa_urls = [u.strip().rstrip("/") for u in args.rasa_url.split(",") if u.strip()]
    rasa_url = ",".join(rasa_urls)
    down = [u for u in rasa_urls if not wait_for_rasa(u, args.wait)]
    if down:
        print(f"chat_load: no Rasa at {', '.join(down)}; start the stack (`make run`) and "
              "run again.")
        return 0
    if args.url:
        bases, server = [u.strip().rstrip("/") for u in args.url.split(",") if u.strip()], None
    else:
        base, server = serve_web_app(rasa_urls)
        bases = [base]
    base = ",".join(bases)

    pool = questions()
    rng = random.Random(args.seed)
    # Warm-up turns: the first search loads the embedder and index in each action server;
    # a few per web process and engine so that every one of them has had its first turn.
    warm = 4 * max(len(bases), len(rasa_urls))
    for n in range(warm):
        citizen(bases, n - warm, 1, FALLBACK_QUESTIONS, rng)
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool_exec:
        futures = [pool_exec.submit(citizen, bases, n, args.turns, pool,
                                    random.Random(rng.random()))
                   for n in range(args.citizens)]
        turns = [t for f in futures for t in f.result()]
    wall = time.perf_counter() - started
    if server is not None:
        server.close()

    ok = [t["ms"] for t in turns if t["status"] == 200]
    report = {
        "web": base, "rasa": rasa_url, "citizens": args.citizens, "turns": len(turns),
        "concurrency": args.concurrency, "wall_s": round(wall, 2),
        "turns_per_s": round(len(turns) / wall, 2) if wall else None,
        "p50_ms": round(percentile(ok, 50), 1) if ok else None,
        "p95_ms": round(percentile(ok, 95), 1) if ok else None,
        "p99_ms": round(percentile(ok, 99), 1) if ok else None,
        "max_ms": round(max(ok), 1) if ok else None,
        "mean_ms": round(statistics.fmean(ok), 1) if ok else None,
        "fallbacks": sum(t["fallback"] for t in turns),
        "http_errors": sum(t["status"] != 200 for t in turns),
        "rate_limited": sum(t["status"] == 429 for t in turns),
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(f"chat load: {report['citizens']} citizens x {args.turns} turns, "
              f"{args.concurrency} at once, via {base}")
        print(f"  {report['turns']} turns in {report['wall_s']} s = {report['turns_per_s']} turns/s")
        print(f"  latency ms: p50 {report['p50_ms']}  p95 {report['p95_ms']}  "
              f"p99 {report['p99_ms']}  max {report['max_ms']}")
        print(f"  fallbacks (over the deadline): {report['fallbacks']}   "
              f"HTTP errors: {report['http_errors']} (429: {report['rate_limited']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
