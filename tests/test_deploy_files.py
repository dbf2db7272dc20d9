"""docker-compose.yml, deploy/ and the README's environment reference say what the code does.

No Docker needed: the files are parsed and checked against the code they start (the commands
scripts/stack.py runs, the variables the web app, the knowledge package and Rasa's endpoint
files read), so a renamed variable or port cannot leave the deployment files stale.
"""
from __future__ import annotations

import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from .env_names import read_by_code

REPO = Path(__file__).resolve().parents[1]


def _interpolate(text: str) -> str:
    """Compose's own ${VAR:?error} / ${VAR:-default} / ${VAR}, with a sample value for the
    required ones: what `docker compose config` would print."""
    text = re.sub(r"\$\{([A-Z_]+):\?[^}]*\}", r"sample-\1", text)
    text = re.sub(r"\$\{([A-Z_]+):-([^}]*)\}", r"\2", text)
    return re.sub(r"\$\{([A-Z_]+)\}", r"sample-\1", text)


COMPOSE = yaml.safe_load(_interpolate((REPO / "docker-compose.yml").read_text(encoding="utf-8")))
SERVICES = COMPOSE["services"]
README = (REPO / "README.md").read_text(encoding="utf-8")
STACK = (REPO / "scripts" / "stack.py").read_text(encoding="utf-8")
# Files `make index train` builds; the images copy them, git does not hold them.
BUILT = {".cache/index", "models/rettighedsbot.tar.gz"}
# Set in the files for Rasa or Python themselves, not read by our code.
THEIRS = {"TICKET_LOCK_LIFETIME", "RASA_TELEMETRY_ENABLED", "PYTHONUNBUFFERED", "OMP_NUM_THREADS",
          "PIP_DISABLE_PIP_VERSION_CHECK", "TF_CPP_MIN_LOG_LEVEL",
          "SQLALCHEMY_SILENCE_UBER_WARNING"}


def documented() -> set[str]:
    """Every variable named in a README table row's first cell."""
    names: set[str] = set()
    for line in README.splitlines():
        if line.startswith("| `"):
            names |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1]))
    return names


def env_of(service: str) -> dict[str, str]:
    return {k: str(v) for k, v in (SERVICES[service].get("environment") or {}).items()}


def command_of(service: str) -> list[str]:
    command = SERVICES[service]["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


def option(command: list[str], name: str) -> str:
    for n, part in enumerate(command):
        if part == name:
            return command[n + 1]
        if part.startswith(name + "="):
            return part.split("=", 1)[1]
    raise AssertionError(f"{name} not in {command}")


RASA = sorted(name for name in SERVICES if name.startswith("rasa"))


def test_compose_has_every_part_of_the_production_profile():
    assert {"proxy", "web", "actions", "postgres", "redis"} <= set(SERVICES)
    assert len(RASA) >= 2


def test_the_engines_run_the_production_endpoints_with_the_trained_model():
    endpoints = REPO / "bot" / "endpoints-production.yml"
    needed = set(re.findall(r"\$\{([A-Z_]+)\}", endpoints.read_text(encoding="utf-8")))
    assert needed == {"ACTION_ENDPOINT_URL", "DATABASE_URL", "REDIS_URL"}
    for name in RASA:
        command = command_of(name)
        assert command[:2] == ["rasa", "run"]
        assert option(command, "--endpoints") == "bot/endpoints-production.yml"
        assert (REPO / option(command, "--credentials")).exists()
        assert option(command, "--model") == "models/rettighedsbot.tar.gz"
        assert needed <= set(env_of(name)), name
        # the production profile of scripts/stack.py runs the same file
        assert '"bot/endpoints-production.yml"' in STACK


def test_the_urls_point_at_the_services_that_serve_them():
    pg = env_of("postgres")
    for name in ["web", *RASA]:
        db = urlsplit(env_of(name)["DATABASE_URL"])
        assert db.scheme == "postgresql" and db.hostname == "postgres", name
        assert db.username == pg["POSTGRES_USER"] and db.path == "/" + pg["POSTGRES_DB"]
        assert db.password == pg["POSTGRES_PASSWORD"]     # both from POSTGRES_PASSWORD
        redis = urlsplit(env_of(name)["REDIS_URL"])
        assert redis.scheme == "redis" and redis.hostname == "redis", name
    actions_port = option(command_of("actions"), "-p")
    for name in RASA:
        action = urlsplit(env_of(name)["ACTION_ENDPOINT_URL"])
        assert (action.hostname, str(action.port), action.path) == (
            "actions", actions_port, "/webhook")
    engines = [urlsplit(u) for u in env_of("web")["RASA_URLS"].split(",")]
    assert sorted(e.hostname for e in engines) == RASA       # every engine, each once
    for engine in engines:
        assert str(engine.port) == option(command_of(engine.hostname), "-p")


def test_the_web_processes_run_as_scripts_stack_runs_them():
    command = command_of("web")
    assert command[:3] == ["python", "-m", "waitress"]
    assert option(command, "--call") == "web:create_app"
    for setting in ("--connection-limit", "--channel-timeout", "--backlog"):
        assert f'"{setting}={option(command, setting)}"' in STACK, setting
    assert f"WEB_THREADS = {option(command, '--threads')}" in STACK
    # Behind the proxy: waitress keeps X-Forwarded-For and the app trusts exactly one hop.
    assert "--no-clear-untrusted-proxy-headers" in command
    assert env_of("web")["TRUSTED_PROXIES"] == "1"


def test_the_proxy_sends_to_the_web_processes_and_is_the_one_trusted_hop():
    [(host, target)] = [(v.split(":")[0].lstrip("./"), v.split(":")[1])
                        for v in SERVICES["proxy"]["volumes"]]
    conf = (REPO / host).read_text(encoding="utf-8")
    assert target == "/etc/nginx/conf.d/default.conf"
    port = option(command_of("web"), "--port")
    assert re.search(rf"server\s+web:{port}\s*;", conf)
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf   # one hop, not appended
    assert "client_body_timeout" in conf and "client_header_timeout" in conf


@pytest.mark.parametrize("dockerfile", sorted({
    s["build"]["dockerfile"] for s in SERVICES.values() if "build" in s}))
def test_every_file_an_image_copies_is_there(dockerfile):
    path = REPO / dockerfile
    assert path.exists()
    copies = [line.split()[1:-1] for line in path.read_text(encoding="utf-8").splitlines()
              if line.startswith("COPY ")]
    assert copies
    for sources in copies:
        for source in sources:
            assert source in BUILT or (REPO / source).exists(), f"{dockerfile}: {source}"


def test_every_variable_compose_sets_is_read_by_the_code_and_in_the_readme():
    ours = read_by_code()
    docs = documented()
    for name in ["web", "actions", *RASA]:
        for variable in env_of(name):
            if variable in THEIRS and variable != "TICKET_LOCK_LIFETIME":
                continue
            assert variable in ours or variable in THEIRS, f"{name}: {variable} is read by nothing"
            assert variable in docs, f"{name}: {variable} is not in the README's tables"


def test_every_setting_of_the_production_profile_is_in_the_readme():
    production = {"RETTIGHEDSBOT_PROFILE", "DATABASE_URL", "REDIS_URL", "RASA_URLS",
                  "RASA_ENGINES", "ACTION_SERVERS", "WEB_PROCESSES", "ACTION_ENDPOINT_URL",
                  "TICKET_LOCK_LIFETIME"}
    assert production <= read_by_code() | THEIRS
    assert production <= documented()


def test_every_variable_the_web_app_and_the_runner_read_is_documented():
    contributing = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    in_either = documented() | set(re.findall(r"`([A-Z][A-Z0-9_]+)`", contributing))
    missing = sorted(read_by_code() - in_either - THEIRS - {"RASA_PYTHON"})
    assert missing == [], f"read by the code, in neither README nor CONTRIBUTING: {missing}"
