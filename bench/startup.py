"""Time from `make run` to the first real answer to a rights question (issue 16: <= 20 s).

Starts `make run` on a set-up checkout (venvs, index and model up to date, so make only checks
them) and, from the moment the command starts, asks the web app's /api/chat a rights question
every half second, each time as a new citizen. Until Rasa is up the web app answers with its
fallback (advice channels, no article); the clock stops at the first answer that carries the
article ("Læs mere: …/artikel/klagefrist"), the moment a citizen would have been answered.
Then it stops the stack (SIGINT to its process group, as Ctrl-C does).

    .venv/bin/python bench/startup.py                 # three runs, one after the other
    .venv/bin/python bench/startup.py --runs 1 --json

Uses the stack's default ports (8000, 5005, 5055): nothing else may listen there. Times depend
on the machine and its load: the output prints the load average before each run.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
QUESTION = "hvor lang tid har jeg til at klage"
ARTICLE = "/artikel/klagefrist"


def answered(url: str) -> bool:
    try:
        reply = requests.post(f"{url}/api/chat", timeout=5,
                              json={"message": QUESTION, "sender": f"startup-{uuid.uuid4()}"})
    except requests.RequestException:
        return False
    if reply.status_code != 200:
        return False
    return any(ARTICLE in (link.get("url") or "")
               for m in reply.json().get("messages", []) for link in m.get("links") or [])


def one_run(url: str, limit: float) -> float | None:
    started = time.perf_counter()
    stack = subprocess.Popen(["make", "run"], cwd=REPO, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True,
                             env={**os.environ, "RATE_LIMIT": "0/minute"})
    try:
        while time.perf_counter() - started < limit:
            if answered(url):
                return time.perf_counter() - started
            if stack.poll() is not None:
                raise RuntimeError(f"make run ended with {stack.returncode}")
            time.sleep(0.5)
        return None
    finally:
        os.killpg(stack.pid, signal.SIGINT)
        try:
            stack.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, signal.SIGKILL)
            stack.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--limit", type=float, default=120.0, help="give up after (s)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if answered(args.url):
        print(f"something already answers at {args.url}: stop it first", file=sys.stderr)
        return 1
    results = []
    for n in range(args.runs):
        load = os.getloadavg()
        seconds = one_run(args.url, args.limit)
        results.append({"seconds": None if seconds is None else round(seconds, 1),
                        "load_before": [round(x, 2) for x in load]})
        if not args.json:
            said = "no article answer" if seconds is None else f"{seconds:.1f} s"
            print(f"run {n + 1}: first article answer after {said} "
                  f"(load average before {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f})")
        time.sleep(3)                      # let the ports go before the next run
    times = [r["seconds"] for r in results if r["seconds"] is not None]
    summary = {"runs": results, "median_s": statistics.median(times) if times else None,
               "target_s": 20}
    if args.json:
        print(json.dumps(summary))
    elif times:
        print(f"median {summary['median_s']:.1f} s (target <= 20 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
