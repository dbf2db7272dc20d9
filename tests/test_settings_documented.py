"""CONTRIBUTING's environment table names every variable the code reads, and only those; the
public URL is one variable, read once per process and shared by the web app and the knowledge.

The names come from reading the code (tests/env_names.py), so a new `os.environ.get` or a new
key of scripts/stack.py fails here until its row is written.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.settings import DEFAULT_PUBLIC_URL, Settings, settings
from web import config as web_config

from .env_names import read_by_code, table_names

CONTRIBUTING = Path(__file__).resolve().parents[1] / "CONTRIBUTING.md"
HEADING = "## Environment variables"


def contributing_table() -> set[str]:
    return table_names(CONTRIBUTING.read_text(encoding="utf-8"), HEADING)


def test_every_variable_the_code_reads_has_a_row_in_contributing():
    missing = sorted(read_by_code() - contributing_table())
    assert missing == [], f"read by the code, not in CONTRIBUTING's table: {missing}"


def test_every_row_of_the_table_is_read_by_the_code():
    stale = sorted(contributing_table() - read_by_code())
    assert stale == [], f"in CONTRIBUTING's table, read by no code: {stale}"


def test_the_scan_finds_the_reads_of_settings_web_config_and_the_runner():
    names = read_by_code()
    assert {"RETTIGHEDSBOT_THRESHOLD", "RETTIGHEDSBOT_EMBED_THREADS", "OMP_NUM_THREADS",
            "RETTIGHEDSBOT_PUBLIC_URL", "RASA_TIMEOUT", "RASA_ENGINES", "TRUSTED_PROXIES",
            "RETTIGHEDSBOT_PROFILE", "RASA_PYTHON"} <= names
    assert "PUBLIC_URL" not in names


def test_the_public_url_is_one_variable():
    assert Settings.from_env({"PUBLIC_URL": "https://other.dk"}).public_url == DEFAULT_PUBLIC_URL
    chosen = Settings.from_env({"RETTIGHEDSBOT_PUBLIC_URL": "https://bot.aarhus.dk/"})
    assert chosen.public_url == "https://bot.aarhus.dk"


def test_the_web_config_takes_the_public_url_from_the_process_settings():
    assert settings() is settings()      # read once
    assert web_config.from_env()["PUBLIC_URL"] == settings().public_url


def test_numbers_are_parsed_once_and_unset_means_no_override():
    read = Settings.from_env({"RETTIGHEDSBOT_THRESHOLD": "0.9", "RETTIGHEDSBOT_EMBED_THREADS": "",
                              "OMP_NUM_THREADS": "2"})
    assert (read.threshold, read.embed_threads, read.search_threads) == (0.9, None, 2)
    both = Settings.from_env({"RETTIGHEDSBOT_EMBED_THREADS": "1", "OMP_NUM_THREADS": "2"})
    assert both.search_threads == 1
    assert Settings.from_env({}).threshold is None


def test_a_value_that_is_not_a_number_names_its_variable():
    with pytest.raises(ValueError, match=r"RETTIGHEDSBOT_THRESHOLD='høj' is not a number"):
        Settings.from_env({"RETTIGHEDSBOT_THRESHOLD": "høj"})
    with pytest.raises(ValueError, match=r"OMP_NUM_THREADS='2.5' is not an integer"):
        Settings.from_env({"OMP_NUM_THREADS": "2.5"})
