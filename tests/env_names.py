"""The environment variables our code reads, found by reading the code: what the tests that
hold README, CONTRIBUTING and the deployment files to the code compare those files with.

A read is `os.environ.get("X")`, `os.environ["X"]`, `os.getenv("X")`, `env.get("X")` (the
mapping `Settings.from_env` and scripts/stack.py read), the small parsing helpers
(`_int("X")`, `_float("X")`, `_count("X")`, `_number(env, "X", ...)`), `${X}` in Rasa's
endpoint files and `${X:-}` in the shell scripts. Writes (`setdefault`, building a child's environment) are not reads.
"""
from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# The processes' code: the knowledge package, the web app, the actions, Rasa's own components
# and the scripts that start them. (bench/ only reports what it was run with.)
FOLDERS = ("knowledge", "web", "actions", "bot", "scripts")
NAME = r"\"([A-Z][A-Z0-9_]+)\""
PYTHON_READS = (
    re.compile(rf"(?:environ|\benv|\))\.get\(\s*{NAME}"),
    re.compile(rf"environ\[{NAME}\]"),
    re.compile(rf"getenv\(\s*{NAME}"),
    re.compile(rf"\b_(?:int|float|count)\(\s*{NAME}"),
    re.compile(rf"\b_number\(\s*env,\s*{NAME}"),
)
SHELL_READ = re.compile(r"\$\{([A-Z][A-Z0-9_]+)[:}-]")


def read_by_code() -> set[str]:
    """Every variable a process of ours reads, by name."""
    names: set[str] = set()
    for folder in FOLDERS:
        for path in (REPO / folder).rglob("*.py"):
            code = path.read_text(encoding="utf-8")
            for pattern in PYTHON_READS:
                names |= set(pattern.findall(code))
        for path in (REPO / folder).glob("*.sh"):
            names |= set(SHELL_READ.findall(path.read_text(encoding="utf-8")))
    for path in (REPO / "bot").glob("endpoints*.yml"):
        settings = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                             if not line.lstrip().startswith("#"))
        names |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)\}", settings))
    return names


def table_names(markdown: str, heading: str) -> set[str]:
    """The variables named in the first cell of each row of the table under `heading`."""
    section = markdown.split(heading, 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            names |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1]))
    return names
