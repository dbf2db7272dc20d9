"""Per-turn cost of the dialogue engine: Rasa + action server, over Rasa's REST channel.

Plays scripted conversations (small talk, rights questions, the complaint form, a crisis
message) one turn at a time against Rasa and reports latency p50/p95/max per kind of turn,
and what Rasa's check of every action-server response against the JSON-schema meta-schema
costs (jsonschema's `validate()` calls `check_schema()` on each custom-action call).

By default it starts its own action server and Rasa on free loopback ports (scripts/stack.py)
and stops them afterwards; with --rasa-url it uses a running engine instead.

    .venv/bin/python bench/rasa_turns.py                      # 120 turns
    .venv/bin/python bench/rasa_turns.py --turns 300 --json
    .venv/bin/python bench/rasa_turns.py --rasa-url http://127.0.0.1:5005

A bench, not a test: exits 0 whatever the numbers are, 1 only if it cannot run.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
RASA_PY = REPO / ".venv-rasa" / "bin" / "python"

CONVERSATIONS = [
    [("small talk", "hej"), ("rights", "hvor lang tid har jeg til at klage"),
     ("small talk", "tak")],
    [("form", "jeg vil klage"), ("form", "kontanthjælp"), ("form", "for to uger siden"),
     ("form", "Aarhus"), ("draft", "/show_draft")],
    [("rights", "kan jeg få hjælp til tandlæge"), ("advice", "hvor kan jeg få gratis hjælp"),
     ("crisis", "jeg vil ikke leve mere")],
    [("rights", "hvad er et socialt frikort"), ("rights", "jeg har ikke et sted at bo"),
     ("small talk", "farvel")],
]

# Run inside .venv-rasa: what Rasa's RemoteAction._validate_action_result costs per call.
SCHEMA_PROBE = r"""
import json, time
from importlib.metadata import version
import jsonschema
from rasa.core.actions.action import RemoteAction
spec = RemoteAction("a", None).action_response_format_spec()
result = {"events": [{"event": "slot", "timestamp": None, "name": "kommune", "value": "Aarhus"}],
          "responses": [{"response": "utter_article", "title": "t", "summary": "s"},
                        {"custom": {"rettighedsbot": {"links": [{"title": "a", "url": "b"}]}}}]}
def per_call(f, n=100):
    f()
    t = time.perf_counter()
    for _ in range(n):
        f()
    return (time.perf_counter() - t) / n * 1000
cls = jsonschema.validators.validator_for(spec)
validator = cls(spec)
print(json.dumps({"jsonschema": version("jsonschema"), "validator": cls.__name__,
                  "validate_ms": per_call(lambda: jsonschema.validate(result, spec)),
                  "check_schema_ms": per_call(lambda: cls.check_schema(spec)),
                  "instance_only_ms": per_call(lambda: validator.validate(result))}))
"""


def schema_probe(env: dict) -> dict | None:
    result = subprocess.run([str(RASA_PY), "-c", SCHEMA_PROBE], capture_output=True, text=True,
                            check=False,
                            env={**os.environ, "RASA_TELEMETRY_ENABLED": "false", **env},
                            timeout=300)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else None


def load_stack():
    spec = importlib.util.spec_from_file_location("rettighedsbot_stack",
                                                  REPO / "scripts" / "stack.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def play(rasa_url: str, turns: int) -> dict[str, list[float]]:
    url = f"{rasa_url}/webhooks/rest/webhook"
    by_kind: dict[str, list[float]] = {}
    done = 0
    while done < turns:
        for conversation in CONVERSATIONS:
            sender = f"bench-{uuid.uuid4().hex[:8]}"
            for kind, text in conversation:
                started = time.perf_counter()
                r = requests.post(url, json={"sender": sender, "message": text}, timeout=60)
                elapsed = (time.perf_counter() - started) * 1000
                r.raise_for_status()
                by_kind.setdefault(kind, []).append(elapsed)
                done += 1
                if done >= turns:
                    return by_kind
    return by_kind


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=120)
    parser.add_argument("--rasa-url", help="use this running engine instead of starting one")
    parser.add_argument("--rasa-env", action="append", default=[], metavar="KEY=VALUE",
                        help="extra environment for the engine it starts (experiments)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rasa_env = dict(item.split("=", 1) for item in args.rasa_env)

    services = []
    stack = None
    try:
        rasa_url = args.rasa_url
        if not rasa_url:
            stack = load_stack()
            logs = Path(tempfile.mkdtemp(prefix="rasa-turns-"))
            actions_port, rasa_port = stack.free_port(), stack.free_port()
            services.append(stack.start_actions(actions_port, log_dir=logs))
            services.append(stack.start_rasa(rasa_port, actions_port, log_dir=logs,
                                             tracker_db=logs / "tracker.db", env=rasa_env))
            stack.wait_ready(services, timeout=400)
            rasa_url = f"http://127.0.0.1:{rasa_port}"
        play(rasa_url, min(8, args.turns))                  # warm-up (knowledge, TF graphs)
        by_kind = play(rasa_url, args.turns)
    except (requests.RequestException, RuntimeError, TimeoutError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        if stack:
            stack.stop_all(services)

    every = [v for values in by_kind.values() for v in values]
    summary = {
        "turns": len(every),
        "load_average": round(os.getloadavg()[0], 2),
        "all": {"p50_ms": round(statistics.median(every), 1),
                "p95_ms": round(percentile(every, 0.95), 1), "max_ms": round(max(every), 1)},
        "by_kind": {k: {"n": len(v), "p50_ms": round(statistics.median(v), 1),
                        "p95_ms": round(percentile(v, 0.95), 1)} for k, v in by_kind.items()},
        "schema_check": schema_probe(rasa_env),
    }
    if args.json:
        print(json.dumps(summary))
        return 0
    print(f"{summary['turns']} turns over REST (load average {summary['load_average']})")
    a = summary["all"]
    print(f"  all turns    p50 {a['p50_ms']:7.1f} ms   p95 {a['p95_ms']:7.1f} ms   "
          f"max {a['max_ms']:7.1f} ms")
    for kind, s in summary["by_kind"].items():
        print(f"  {kind:12} p50 {s['p50_ms']:7.1f} ms   p95 {s['p95_ms']:7.1f} ms   (n={s['n']})")
    probe = summary["schema_check"]
    if probe:
        print(f"  Rasa's response check per custom-action call (jsonschema {probe['jsonschema']}, "
              f"{probe['validator']}): validate {probe['validate_ms']:.1f} ms, of which "
              f"check_schema {probe['check_schema_ms']:.1f} ms; the instance alone "
              f"{probe['instance_only_ms']:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
