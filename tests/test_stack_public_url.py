"""scripts/stack.py gives every process it starts the same public URL: the action server's
article links and the web app's own address must name one site, also on another port."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("stack_for_url", REPO / "scripts" / "stack.py")
stack = sys.modules.setdefault("stack_for_url", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(stack)


def test_the_web_address_is_every_process_s_public_url(monkeypatch):
    monkeypatch.delenv("RETTIGHEDSBOT_PUBLIC_URL", raising=False)
    assert stack.share_public_url("127.0.0.1", 8123) == "http://127.0.0.1:8123"
    assert stack._base_env()["RETTIGHEDSBOT_PUBLIC_URL"] == "http://127.0.0.1:8123"


def test_a_public_url_that_is_set_is_kept(monkeypatch):
    monkeypatch.setenv("RETTIGHEDSBOT_PUBLIC_URL", "https://hjaelp.example.dk")
    assert stack.share_public_url("127.0.0.1", 8123) == "https://hjaelp.example.dk"
    assert stack._base_env()["RETTIGHEDSBOT_PUBLIC_URL"] == "https://hjaelp.example.dk"
