"""Chat under load: many citizens at once, through the web app, Rasa and the action server.

Two ways to load the stack:
- closed loop (default): `--citizens` conversations of `--turns` questions, `--concurrency` at
  once, each sending its next question as soon as the last is answered (no think time): how
  many turns per second the stack can do.
- open loop (`--rate N`): conversations arrive at random (Poisson) so that about N messages a
  second reach the stack, each of 3-5 questions with an exponential think time between the
  answer and the next question (`--think`, mean seconds), as citizens chat; new citizens keep
  arriving whether or not the stack keeps up: what latency a citizen sees at that rate.

Questions come from tests/data/eval_questions.yml, so the action server searches for real.
Reported per turn: latency p50/p95/p99 and max, turns per second (achieved rate), turns that
got the web app's fallback (Rasa or the action server too slow: its 2.5 s deadline) or an HTTP
error; and, for each process of the stack, the CPU seconds it used per turn during the run
(utime + stime from /proc/<pid>/stat of the process and every child, e.g. the Sanic worker),
the resident memory of every process after the run (and their sum), and the load average
(other work on the machine skews every number: compare runs made in the same conditions).

The stack's processes are found from the pid files scripts/stack.py writes (var/log/*.pid, or
$RETTIGHEDSBOT_VAR_DIR/log; `--pid-dir`). Drive the stack's own web app with --url and start
it with the rate limit lifted (every simulated citizen comes from 127.0.0.1):

    RATE_LIMIT=0/minute make run                           # in another terminal
    .venv/bin/python bench/chat_load.py --url http://127.0.0.1:8000 --citizens 200 --concurrency 20
    .venv/bin/python bench/chat_load.py --url http://127.0.0.1:8000 --rate 20 --messages 1000

Without --url the bench serves its own copy of the web app (waitress, in this process, no rate
limit) in front of the Rasa at --rasa-url; its CPU then counts as the load generator's.
Both take several comma-separated URLs (the production profile's web processes or engines);
each conversation keeps to one web process:

    .venv/bin/python bench/chat_load.py --url http://127.0.0.1:8000,http://127.0.0.1:8001

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
import zlib
from dataclasses import dataclass
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
OPEN_TURNS = (3, 5)        # questions per conversation in the open loop (inclusive)
TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


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


def warm_up(base: str, sender: str, seconds: float) -> bool:
    """One real answer before timing: the first search loads the embedder and index in the
    action server, and a web app whose circuit breaker is open needs one call to close it."""
    deadline = time.monotonic() + seconds
    citizen = Citizen(base, sender)
    while True:
        result = citizen.ask(FALLBACK_QUESTIONS[0])
        if result["status"] == 200 and not result["fallback"]:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(1)


def url_list(urls: str) -> list[str]:
    """Comma-separated URLs (the production profile's web processes or engines)."""
    return [u.strip().rstrip("/") for u in urls.split(",") if u.strip()]


def serve_web_app(rasa_url: str) -> tuple[str, object]:
    """The real web app, in waitress on a free port, without the per-client rate limit;
    several comma-separated engines are spread over by sender, as the web app does."""
    from waitress import create_server

    from web import create_app

    engines = url_list(rasa_url)
    app = create_app({"RASA_URL": engines[0], "RASA_URLS": tuple(engines),
                      "RATE_LIMIT": "0/minute", "KNOWLEDGE_WARMUP": False,
                      "FEEDBACK_DB": str(Path(tempfile.mkdtemp()) / "feedback.db")})
    server = create_server(app, host="127.0.0.1", port=0, threads=16)
    threading.Thread(target=server.run, daemon=True).start()
    return f"http://127.0.0.1:{server.effective_port}", server


# -- the stack's processes, from /proc ------------------------------------------------------

@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    cpu_ticks: int        # utime + stime, plus cutime + cstime of children already reaped
    rss_bytes: int


def _read_proc(pid: int) -> Proc | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces: split after it.
    fields = stat[stat.rindex(")") + 2:].split()
    ppid = int(fields[1])
    utime, stime, cutime, cstime = (int(f) for f in fields[11:15])
    rss_pages = int(fields[21])
    return Proc(pid, ppid, utime + stime + cutime + cstime, rss_pages * PAGE)


def _all_procs() -> dict[int, Proc]:
    procs = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            proc = _read_proc(int(entry.name))
            if proc is not None:
                procs[proc.pid] = proc
    return procs


def tree(root: int, procs: dict[int, Proc]) -> list[Proc]:
    """The process and all its descendants (Sanic's worker, multiprocessing's helpers)."""
    children: dict[int, list[int]] = {}
    for proc in procs.values():
        children.setdefault(proc.ppid, []).append(proc.pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in procs:
            found.append(procs[pid])
            todo.extend(children.get(pid, []))
    return found


def stack_pids(pid_dir: Path) -> dict[str, int]:
    """service name -> pid, for every pid file whose process is alive."""
    pids = {}
    for path in sorted(pid_dir.glob("*.pid")):
        try:
            pid = int(path.read_text().strip())
        except (OSError, ValueError):
            continue
        if Path(f"/proc/{pid}").exists():
            pids[path.stem] = pid
    return pids


def snapshot(services: dict[str, int]) -> dict[str, list[Proc]]:
    """Each service's process tree now, plus this process (the load generator)."""
    procs = _all_procs()
    snap = {name: tree(pid, procs) for name, pid in services.items()}
    snap["load generator"] = [procs[os.getpid()]] if os.getpid() in procs else []
    return snap


def cpu_seconds(procs: list[Proc]) -> float:
    return sum(p.cpu_ticks for p in procs) / TICKS


# -- citizens -------------------------------------------------------------------------------

class Citizen:
    """One conversation: its own sender id and HTTP session, one question at a time."""

    def __init__(self, base: str, sender: str) -> None:
        # several web processes (comma-separated): each conversation keeps to one of them
        bases = url_list(base)
        self.base, self.sender = bases[zlib.crc32(sender.encode()) % len(bases)], sender
        self.session = requests.Session()

    def ask(self, question: str) -> dict:
        started = time.perf_counter()
        try:
            r = self.session.post(f"{self.base}/api/chat",
                                  json={"sender": self.sender, "message": question}, timeout=15)
            ms = (time.perf_counter() - started) * 1000
            body = r.json() if r.ok else {}
            fallback = any(messages.FALLBACK in m.get("text", "")
                           for m in body.get("messages", []))
            return {"ms": ms, "status": r.status_code, "fallback": fallback,
                    "sent": started}
        except requests.RequestException as exc:
            return {"ms": (time.perf_counter() - started) * 1000, "status": 0,
                    "fallback": False, "error": type(exc).__name__, "sent": started}


def closed_conversation(base: str, sender: str, turns: int, pool: list[str],
                        rng: random.Random) -> list[dict]:
    citizen = Citizen(base, sender)
    return [citizen.ask(q) for q in rng.sample(pool, min(turns, len(pool)))]


def open_conversation(base: str, sender: str, questions_: list[str], think: float,
                      rng: random.Random, out: list[dict], lock: threading.Lock) -> None:
    citizen = Citizen(base, sender)
    for i, question in enumerate(questions_):
        if i:
            time.sleep(rng.expovariate(1 / think) if think > 0 else 0)
        result = citizen.ask(question)
        with lock:
            out.append(result)


def run_closed(base: str, args, pool: list[str], rng: random.Random, tag: str) -> list[dict]:
    with concurrent.futures.ThreadPoolExecutor(args.concurrency) as executor:
        futures = [executor.submit(closed_conversation, base, f"{tag}-{n}", args.turns, pool,
                                   random.Random(rng.random()))
                   for n in range(args.citizens)]
        return [t for f in futures for t in f.result()]


def run_open(base: str, args, pool: list[str], rng: random.Random,
             tag: str) -> tuple[list[dict], float, float]:
    """Conversations start as a Poisson process at rate/mean-turns a second, until
    --messages questions are planned or --max-seconds have passed; then wait for them.
    Returns the turns and the steady window (perf_counter times): from when the first
    conversations have had time for all their turns (the ramp) to when the last one arrived,
    the message rate is the asked one."""
    mean_turns = (OPEN_TURNS[0] + OPEN_TURNS[1]) / 2
    arrivals = args.rate / mean_turns
    out: list[dict] = []
    lock = threading.Lock()
    threads: list[threading.Thread] = []
    planned = 0
    started = time.monotonic()
    steady_from = time.perf_counter() + args.think * (mean_turns - 1)
    next_at = started
    while planned < args.messages and time.monotonic() - started < args.max_seconds:
        next_at += rng.expovariate(arrivals)
        time.sleep(max(0.0, next_at - time.monotonic()))
        turns = min(rng.randint(*OPEN_TURNS), args.messages - planned)
        planned += turns
        thread = threading.Thread(
            target=open_conversation,
            args=(base, f"{tag}-{len(threads)}", rng.sample(pool, turns), args.think,
                  random.Random(rng.random()), out, lock), daemon=True)
        thread.start()
        threads.append(thread)
    steady_to = time.perf_counter()
    for thread in threads:
        thread.join(timeout=max(1.0, args.max_seconds - (time.monotonic() - started)) + 60)
    return out, steady_from, steady_to


# -- report ---------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _ms(values: list[float], p: float) -> float | None:
    return round(percentile(values, p), 1) if values else None


def process_report(before: dict[str, list[Proc]], after: dict[str, list[Proc]],
                   turns: int) -> dict[str, dict]:
    """CPU used during the run per turn and memory after it, per service."""
    out = {}
    for name, procs in after.items():
        cpu = cpu_seconds(procs) - cpu_seconds(before.get(name, []))
        out[name] = {
            "processes": len(procs),
            "cpu_s": round(cpu, 2),
            "cpu_ms_per_turn": round(cpu * 1000 / turns, 1) if turns else None,
            "rss_mib": round(sum(p.rss_bytes for p in procs) / 2**20, 1),
            "rss_mib_each": [round(p.rss_bytes / 2**20, 1) for p in procs],
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running web app (default: serve our own)")
    parser.add_argument("--rasa-url", default=os.environ.get("RASA_URL", "http://127.0.0.1:5005"))
    parser.add_argument("--pid-dir", type=Path,
                        default=Path(os.environ.get("RETTIGHEDSBOT_VAR_DIR") or REPO / "var")
                        / "log", help="where scripts/stack.py wrote its pid files")
    closed = parser.add_argument_group("closed loop (default)")
    closed.add_argument("--citizens", type=int, default=16)
    closed.add_argument("--turns", type=int, default=5)
    closed.add_argument("--concurrency", type=int, default=8)
    opened = parser.add_argument_group("open loop")
    opened.add_argument("--rate", type=float, help="messages per second (switches to open loop)")
    opened.add_argument("--messages", type=int, default=1000, help="questions in all")
    opened.add_argument("--think", type=float, default=5.0,
                        help="mean think time between an answer and the next question (s)")
    opened.add_argument("--max-seconds", type=float, default=600.0,
                        help="stop starting conversations after this long")
    parser.add_argument("--wait", type=float, default=30.0,
                        help="seconds to wait for Rasa and a first real answer")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    rasa_url = ",".join(url_list(args.rasa_url))
    down = [] if args.url else [u for u in url_list(rasa_url) if not wait_for_rasa(u, args.wait)]
    if down:
        print(f"chat_load: no Rasa at {', '.join(down)}; start the stack (`make run`) and run "
              "again.")
        return 0
    base, server = (",".join(url_list(args.url)), None) if args.url else serve_web_app(rasa_url)
    tag = f"load-{os.getpid()}-{int(time.time())}"   # fresh conversations on every run
    if not warm_up(base, f"{tag}-warm", args.wait):
        print(f"chat_load: no real answer from {base} within {args.wait:g} s; start the stack "
              "(`RATE_LIMIT=0/minute make run`) and run again.")
        return 0

    pool = questions()
    rng = random.Random(args.seed)
    services = stack_pids(args.pid_dir)
    load_before = os.getloadavg()
    before = snapshot(services)
    started = time.perf_counter()
    if args.rate:
        turns, steady_from, steady_to = run_open(base, args, pool, rng, tag)
    else:
        turns = run_closed(base, args, pool, rng, tag)
    wall = time.perf_counter() - started
    after = snapshot(services)
    load_after = os.getloadavg()
    if server is not None:
        server.close()

    ok = [t["ms"] for t in turns if t["status"] == 200]
    processes = process_report(before, after, len(turns))
    stack = {k: v for k, v in processes.items() if k != "load generator"}
    report = {
        "mode": "open" if args.rate else "closed",
        "web": base, "turns": len(turns), "wall_s": round(wall, 2),
        "turns_per_s": round(len(turns) / wall, 2) if wall else None,
        "p50_ms": _ms(ok, 50), "p95_ms": _ms(ok, 95), "p99_ms": _ms(ok, 99),
        "max_ms": round(max(ok), 1) if ok else None,
        "mean_ms": round(statistics.fmean(ok), 1) if ok else None,
        "fallbacks": sum(t["fallback"] for t in turns),
        "http_errors": sum(t["status"] != 200 for t in turns),
        "rate_limited": sum(t["status"] == 429 for t in turns),
        "processes": processes,
        "stack_rss_mib": round(sum(v["rss_mib"] for v in stack.values()), 1),
        "stack_cpu_ms_per_turn": (round(sum(v["cpu_s"] for v in stack.values()) * 1000
                                        / len(turns), 1) if turns else None),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in load_after],
    }
    if args.rate:
        # What reached the stack while conversations kept arriving and the first ones had
        # had time for all their turns (before: ramp-up; after: only the last turns left).
        window = steady_to - steady_from
        steady = sum(steady_from <= t["sent"] < steady_to for t in turns)
        report.update(rate=args.rate, think_s=args.think,
                      achieved_rate=round(steady / window, 2) if window > 1 else None,
                      steady_window_s=round(window, 1))
    else:
        report.update(citizens=args.citizens, concurrency=args.concurrency)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print_report(report, args)
    return 0


def print_report(report: dict, args) -> None:
    if report["mode"] == "open":
        print(f"chat load, open loop: {args.rate:g} messages/s asked, conversations of "
              f"{OPEN_TURNS[0]}-{OPEN_TURNS[1]} turns, think time {args.think:g} s (mean), "
              f"via {report['web']}")
        print(f"  {report['turns']} turns in {report['wall_s']} s; achieved "
              f"{report['achieved_rate']} messages/s (over the {report['steady_window_s']} s "
              "when conversations kept arriving and the first had finished)")
    else:
        print(f"chat load, closed loop: {report['citizens']} citizens x {args.turns} turns, "
              f"{report['concurrency']} at once, via {report['web']}")
        print(f"  {report['turns']} turns in {report['wall_s']} s = "
              f"{report['turns_per_s']} turns/s")
    print(f"  latency ms: p50 {report['p50_ms']}  p95 {report['p95_ms']}  "
          f"p99 {report['p99_ms']}  max {report['max_ms']}")
    print(f"  fallbacks (over the deadline): {report['fallbacks']}   "
          f"HTTP errors: {report['http_errors']} (429: {report['rate_limited']})")
    if len(report["processes"]) == 1:
        print(f"  (no pid files in {args.pid_dir}: CPU and memory of the stack not measured)")
    print(f"  {'process':16} {'procs':>5} {'CPU s':>7} {'CPU ms/turn':>12} {'RSS MiB':>8}")
    for name, p in report["processes"].items():
        print(f"  {name:16} {p['processes']:5d} {p['cpu_s']:7.2f} "
              f"{p['cpu_ms_per_turn'] if p['cpu_ms_per_turn'] is not None else '-':>12} "
              f"{p['rss_mib']:8.1f}")
    print(f"  stack: {report['stack_cpu_ms_per_turn']} ms CPU per turn, "
          f"RSS {report['stack_rss_mib']} MiB after the run (sum over every process)")
    print(f"  load average before {report['loadavg_before']}, after {report['loadavg_after']}")


if __name__ == "__main__":
    sys.exit(main())
