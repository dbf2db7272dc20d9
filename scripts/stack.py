"""Start the whole bot on this machine: the Rasa engine, the action server and the web app.

`make run` runs this file: it starts the three on 127.0.0.1 (ports from RASA_PORT=5005,
ACTIONS_PORT=5055, WEB_PORT=8000, HOST=127.0.0.1), waits until each answers, prints where
they are, and stops all three cleanly on Ctrl-C or SIGTERM. Each runs in its own process
group, so stopping it also stops its children (Sanic workers, waitress threads).

It supervises them: when one dies, the others keep serving (the web app answers with its
fallback and the crisis lines while Rasa or the actions are away) and the dead one is started
again after a back-off that doubles from 1 s to 60 s, reset once it has run for a minute.
Every restart is logged here and in the service's own log.

The production profile (RETTIGHEDSBOT_PROFILE=production; README "Running several engines")
starts RASA_ENGINES engines, ACTION_SERVERS action servers and WEB_PROCESSES web processes
(2 of each by default; 0 starts none of that kind here, for a deployment over several hosts)
on consecutive ports from RASA_PORT, ACTIONS_PORT and WEB_PORT. They share conversations,
feedback and rate limits through PostgreSQL (DATABASE_URL) and Redis (REDIS_URL), which it
expects to be running; it supervises its own processes the same way.

The functions are importable: tests/integration/conftest.py starts the same stack once per
test session on free ports, with its own tracker database.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENV_PY = REPO / ".venv" / "bin" / "python"
RASA = REPO / ".venv-rasa" / "bin" / "rasa"
MODEL = REPO / "models" / "rettighedsbot.tar.gz"
# Logs and the tracker database; RETTIGHEDSBOT_VAR_DIR moves them (tests run a whole stack).
VAR = Path(os.environ.get("RETTIGHEDSBOT_VAR_DIR") or REPO / "var")


@dataclass
class Service:
    name: str
    url: str               # base URL
    health: str            # URL that answers 200 once the service can take requests
    process: subprocess.Popen
    log_path: Path
    started: float = field(default_factory=time.monotonic)

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _spawn(name: str, cmd: list[str], env: dict, log_dir: Path) -> tuple[subprocess.Popen, Path]:
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    log = open(log_path, "ab", buffering=0)  # noqa: SIM115 - the child owns it until it exits
    log.write(f"\n==> {' '.join(cmd)}\n".encode())
    process = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    log.close()
    (log_dir / f"{name}.pid").write_text(f"{process.pid}\n")  # for operators (and the tests)
    return process, log_path


def _base_env(extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env.update({"RASA_TELEMETRY_ENABLED": "false", "PYTHONUNBUFFERED": "1",
                "TF_CPP_MIN_LOG_LEVEL": "2", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"})
    env.update(extra or {})
    return env


def start_actions(port: int = 5055, host: str = "127.0.0.1", log_dir: Path = VAR / "log",
                  env: dict | None = None, name: str = "actions") -> Service:
    """The rasa-sdk action server (Python 3.11 venv), serving the `actions` package in one
    process (actions/server.py)."""
    process, log_path = _spawn(
        name, [str(VENV_PY), "-m", "actions.server", "--host", host, "-p", str(port)],
        _base_env({"SANIC_HOST": host, **(env or {})}), log_dir)
    url = f"http://{host}:{port}"
    return Service(name, url, f"{url}/health", process, log_path)


def start_rasa(port: int = 5005, actions_port: int = 5055, host: str = "127.0.0.1",
               model: Path = MODEL, tracker_db: Path = VAR / "rasa_tracker.db",
               log_dir: Path = VAR / "log", env: dict | None = None,
               endpoints: str = "bot/endpoints.yml", name: str = "rasa") -> Service:
    """The Rasa engine (Python 3.10 venv) with the REST and socket.io channels."""
    if not Path(model).exists():
        raise FileNotFoundError(f"{model} is missing: run `make train` first")
    Path(tracker_db).parent.mkdir(parents=True, exist_ok=True)
    extra = {"ACTION_ENDPOINT_URL": f"http://{host}:{actions_port}/webhook",
             "RASA_TRACKER_DB": str(Path(tracker_db).resolve()), **(env or {})}
    # Standard widgets (rasa-webchat) talk to Rasa's socket.io from the council's site: the
    # same origins the web app allows (CORS_ORIGINS), none when it is empty.
    allowed = (env or {}).get("CORS_ORIGINS", os.environ.get("CORS_ORIGINS", ""))
    origins = [o.strip() for o in allowed.split(",") if o.strip()]
    process, log_path = _spawn(
        name, [str(RASA), "run", "--model", str(model),
                 "--endpoints", endpoints, "--credentials", "bot/credentials.yml",
                 "-i", host, "-p", str(port), *(["--cors", *origins] if origins else [])],
        _base_env(extra), log_dir)
    url = f"http://{host}:{port}"
    # The REST channel answers only once the model is loaded (loading happens before the
    # server starts listening), so this is a true readiness check.
    return Service(name, url, f"{url}/webhooks/rest/", process, log_path)


def start_web(port: int = 8000, rasa_url: str = "http://127.0.0.1:5005",
              host: str = "127.0.0.1", log_dir: Path = VAR / "log",
              env: dict | None = None, name: str = "web") -> Service:
    """The Flask web app under waitress (a production WSGI server, not Flask's dev server)."""
    extra = {"RASA_URL": rasa_url,
             # shared with Rasa so retention and "Slet min samtale" can delete conversations
             "RASA_TRACKER_DB": str(Path(os.environ.get("RASA_TRACKER_DB",
                                                       VAR / "rasa_tracker.db")).resolve()),
             "RETTIGHEDSBOT_PUBLIC_URL": os.environ.get("RETTIGHEDSBOT_PUBLIC_URL",
                                                        f"http://{host}:{port}"),
             **(env or {})}
    process, log_path = _spawn(
        name, [str(VENV_PY), "-m", "waitress", f"--host={host}", f"--port={port}",
                # Threads mostly wait on Rasa; idle or half-open connections cost no thread but
                # count against the connection limit (default 100), and are closed after 30 s.
                f"--threads={WEB_THREADS}", "--connection-limit=2000", "--channel-timeout=30",
                "--backlog=2048", *_proxy_options({**os.environ, **extra}),
                "--call", "web:create_app"],
        _base_env(extra), log_dir)
    url = f"http://{host}:{port}"
    return Service(name, url, f"{url}/healthz", process, log_path)


def _proxy_options(env: dict) -> list[str]:
    """Waitress drops X-Forwarded-* headers by default, which would leave the web app's
    TRUSTED_PROXIES (werkzeug's ProxyFix) nothing to read: every citizen behind the proxy
    would share the proxy's address and its per-IP rate limit. Keep them when proxies are
    trusted; ProxyFix alone decides which hop to believe."""
    trusted = (env.get("TRUSTED_PROXIES") or "0").strip()
    return ["--no-clear-untrusted-proxy-headers"] if trusted not in ("", "0") else []


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def wait_ready(services: list[Service], timeout: float = 180.0) -> None:
    """Wait until every service answers its health URL; raise with its log if one dies or
    the time runs out."""
    deadline = time.monotonic() + timeout
    pending = list(services)
    while pending:
        for s in list(pending):
            if not s.alive():
                raise RuntimeError(f"{s.name} exited with {s.process.returncode}:\n{s.log_tail()}")
            if _answers(s.health):
                pending.remove(s)
        if not pending:
            return
        if time.monotonic() > deadline:
            names = ", ".join(s.name for s in pending)
            tails = "\n".join(f"--- {s.name}:\n{s.log_tail()}" for s in pending)
            raise TimeoutError(f"not ready after {timeout:.0f} s: {names}\n{tails}")
        time.sleep(0.5)


def stop_all(services: list[Service], grace: float = 10.0) -> None:
    """SIGTERM each service's process group, then SIGKILL whatever is left after `grace`."""
    running = [s for s in services if s.alive()]
    for s in running:
        try:
            os.killpg(s.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace
    for s in running:
        try:
            s.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    # Whatever is left in a group (the leader past its grace, or a worker that outlived its
    # leader) is killed, so nothing keeps a port or the tracker database after we stop.
    for s in services:
        try:
            os.killpg(s.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        s.process.wait()


WEB_THREADS = 32
BACKOFF_FIRST, BACKOFF_MAX, STABLE_AFTER = 1.0, 60.0, 60.0


@dataclass
class Supervised:
    """One service and how to start it again."""

    start: Callable[[], Service]
    service: Service
    backoff: float = BACKOFF_FIRST
    restart_at: float | None = None
    restarts: int = 0


def supervise(children: list[Supervised], stop: Callable[[], bool] = lambda: False,
              poll: float = 0.5, say: Callable[[str], None] = print) -> None:
    """Restart whatever dies, with back-off, until `stop()` says so (or a signal arrives)."""
    while not stop():
        now = time.monotonic()
        for child in children:
            service = child.service
            if service.alive():
                if now - service.started > STABLE_AFTER:
                    child.backoff = BACKOFF_FIRST
                continue
            if child.restart_at is None:
                child.restart_at = now + child.backoff
                say(f"==> {service.name} stopped (exit {service.process.returncode}); "
                    f"starting it again in {child.backoff:.0f} s. Last lines of its log:\n"
                    f"{service.log_tail(10)}")
                _note(service, f"stopped (exit {service.process.returncode}); restart in "
                               f"{child.backoff:.0f} s")
                child.backoff = min(BACKOFF_MAX, child.backoff * 2)
            elif now >= child.restart_at:
                child.restart_at = None
                child.restarts += 1
                try:
                    child.service = child.start()
                    say(f"==> {service.name} restarted (restart {child.restarts})")
                except Exception as exc:  # noqa: BLE001 - a failed start is retried, not fatal
                    say(f"==> {service.name} could not start: {exc}")
        time.sleep(poll)


def _note(service: Service, text: str) -> None:
    try:
        with open(service.log_path, "a", encoding="utf-8") as log:
            log.write(f"\n==> supervisor: {service.name} {text}\n")
    except OSError:
        pass


Plan = list[tuple[str, Callable[[], Service]]]


def embedded_plan(host: str, rasa_port: int, actions_port: int, web_port: int) -> Plan:
    """`make run`: one engine on SQLite with the in-memory lock store, one action server,
    one web app. Nothing to install."""
    return [
        (f"the action server on {host}:{actions_port}",
         lambda: start_actions(actions_port, host)),
        (f"Rasa on {host}:{rasa_port} (loading the model takes a few seconds)",
         lambda: start_rasa(rasa_port, actions_port, host)),
        (f"the web app on {host}:{web_port}",
         lambda: start_web(web_port, f"http://{host}:{rasa_port}", host)),
    ]


def _count(name: str, default: int) -> int:
    value = int(os.environ.get(name, "").strip() or default)
    if value < 0:
        raise ValueError(f"{name} must be 0 or more")
    return value


def production_plan(host: str, rasa_port: int, actions_port: int, web_port: int) -> Plan:
    """N engines, M action servers and K web processes sharing PostgreSQL and Redis."""
    database_url = os.environ.get("DATABASE_URL", "").strip()
    redis_url = os.environ.get("REDIS_URL", "").strip()
    if not database_url or not redis_url:
        raise ValueError("the production profile needs DATABASE_URL (postgresql://...) and "
                         "REDIS_URL (redis://...)")
    engines = _count("RASA_ENGINES", 2)
    action_servers = _count("ACTION_SERVERS", 2)
    webs = _count("WEB_PROCESSES", 2)
    rasa_urls = os.environ.get("RASA_URLS", "").strip() or ",".join(
        f"http://{host}:{rasa_port + i}" for i in range(engines))
    if webs and not rasa_urls:
        raise ValueError("RASA_ENGINES=0: set RASA_URLS to the engines on the other hosts")
    remote_actions = os.environ.get("ACTION_ENDPOINT_URL", "").strip()
    if engines and not action_servers and not remote_actions:
        raise ValueError("ACTION_SERVERS=0: set ACTION_ENDPOINT_URL to the action servers' "
                         "address (a load balancer in front of them)")
    shared = {"DATABASE_URL": database_url, "REDIS_URL": redis_url}
    # A ticket of an engine that died mid-turn blocks its conversation this long (Rasa's
    # default is 60 s); every turn is over within the web app's RASA_TIMEOUT long before.
    rasa_env = {**shared, "TICKET_LOCK_LIFETIME": os.environ.get("TICKET_LOCK_LIFETIME", "10")}
    web_env = {**shared, "RASA_URLS": rasa_urls, "RASA_TRACKER_DB": database_url}
    plan: Plan = []
    for i in range(action_servers):
        port = actions_port + i
        plan.append((f"action server {i + 1} on {host}:{port}",
                     lambda port=port, i=i: start_actions(port, host, name=f"actions-{i + 1}")))
    for i in range(engines):
        port = rasa_port + i
        # Engine i uses action server i mod M here; across hosts, a balancer's address.
        env = dict(rasa_env)
        if remote_actions and not action_servers:
            env["ACTION_ENDPOINT_URL"] = remote_actions
        plan.append((f"Rasa engine {i + 1} on {host}:{port}",
                     lambda port=port, i=i, env=env: start_rasa(
                         port, actions_port + (i % max(1, action_servers)), host, env=env,
                         endpoints="bot/endpoints-production.yml", name=f"rasa-{i + 1}")))
    for i in range(webs):
        port = web_port + i
        plan.append((f"web process {i + 1} on {host}:{port}",
                     lambda port=port, i=i: start_web(port, rasa_urls.split(",")[0], host,
                                                      env=web_env, name=f"web-{i + 1}")))
    if not plan:
        raise ValueError("RASA_ENGINES, ACTION_SERVERS and WEB_PROCESSES are all 0")
    return plan


def share_public_url(host: str, web_port: int) -> str:
    """The web app's address, where not set, for every process the stack starts: the action
    server's article links and the web app's CORS check then name the same site."""
    if not os.environ.get("RETTIGHEDSBOT_PUBLIC_URL", "").strip():
        os.environ["RETTIGHEDSBOT_PUBLIC_URL"] = f"http://{host}:{web_port}"
    return os.environ["RETTIGHEDSBOT_PUBLIC_URL"]


def main() -> int:
    host = os.environ.get("HOST", "127.0.0.1")
    rasa_port = int(os.environ.get("RASA_PORT", "5005"))
    actions_port = int(os.environ.get("ACTIONS_PORT", "5055"))
    web_port = int(os.environ.get("WEB_PORT", "8000"))
    profile = os.environ.get("RETTIGHEDSBOT_PROFILE", "embedded").strip().lower() or "embedded"
    share_public_url(host, web_port)
    services: list[Service] = []
    children: list[Supervised] = []

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    # SIGINT too: a shell that starts us in the background (nohup, `&`, some supervisors)
    # leaves SIGINT ignored, and Python then never raises KeyboardInterrupt.
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, on_signal)
    try:
        if profile == "embedded":
            starts = embedded_plan(host, rasa_port, actions_port, web_port)
        elif profile == "production":
            starts = production_plan(host, rasa_port, actions_port, web_port)
        else:
            raise ValueError(f"RETTIGHEDSBOT_PROFILE is 'embedded' or 'production', "
                             f"not {profile!r}")
        for what, start in starts:
            print(f"==> starting {what}", flush=True)
            children.append(Supervised(start, start()))
            services.append(children[-1].service)
        webs = [s for s in services if s.name.startswith("web")]
        # The web app answers (with its fallback) before Rasa is up: wait for it first.
        wait_ready([s for s in services if not s.name.startswith("rasa")], timeout=120)
        for web in webs:
            print(f"    web app      {web.url}/  (answers with its fallback until Rasa is up)",
                  flush=True)
        wait_ready(services, timeout=300)
        print("\nrettighedsbot is running:", flush=True)
        for s in services:
            log = (s.log_path.relative_to(REPO) if s.log_path.is_relative_to(REPO)
                   else s.log_path)
            print(f"    {s.name:10} {s.url}   log: {log}", flush=True)
        print("Stop with Ctrl-C.", flush=True)
        supervise(children, say=lambda text: print(text, flush=True))
        return 0
    except KeyboardInterrupt:
        print("\n==> stopping", flush=True)
        return 0
    except (RuntimeError, TimeoutError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        stop_all([c.service for c in children] or services)


if __name__ == "__main__":
    sys.exit(main())
