"""scripts/stack.py gives every process it starts the same public URL: the action server's
article links and the web app's own address must name one site, also on another port."""
from __future__ import annotations

from .scripts import script

stack = script("stack")


def test_the_web_address_is_every_process_s_public_url(monkeypatch):
    monkeypatch.delenv("RETTIGHEDSBOT_PUBLIC_URL", raising=False)
    assert stack.share_public_url("127.0.0.1", 8123) == "http://127.0.0.1:8123"
    assert stack._base_env()["RETTIGHEDSBOT_PUBLIC_URL"] == "http://127.0.0.1:8123"


def test_a_public_url_that_is_set_is_kept(monkeypatch):
    monkeypatch.setenv("RETTIGHEDSBOT_PUBLIC_URL", "https://hjaelp.example.dk")
    assert stack.share_public_url("127.0.0.1", 8123) == "https://hjaelp.example.dk"
    assert stack._base_env()["RETTIGHEDSBOT_PUBLIC_URL"] == "https://hjaelp.example.dk"
