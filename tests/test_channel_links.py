"""knowledge/channel_links.py: the one place a channel becomes a link, for our widget
(`{"title", "url"}`) and as Markdown for standard Rasa clients."""
from __future__ import annotations

from knowledge import channel_links as cl
from knowledge.models import Channel

LIVSLINIEN = Channel("livslinien", "Livslinien", "krise", "alle", phone="70 201 201",
                     url="https://www.livslinien.dk")
ALARM = Channel("alarm-112", "Alarm 112", "krise", "alle", phone="112")
AST = Channel("ankestyrelsen", "Ankestyrelsen", "klage", "alle", url="https://ast.dk/")


def test_lines_are_a_markdown_list_with_tel_and_web_links():
    assert cl.lines([LIVSLINIEN, ALARM, AST]) == (
        "- Livslinien: [70 201 201](tel:+4570201201)\n"
        "- [Alarm 112](tel:112)\n"                 # not "Alarm 112: 112"
        "- Ankestyrelsen: [ast.dk](https://ast.dk/)")


def test_links_for_the_widget_give_phone_then_web_in_the_callers_words():
    words = cl.LinkWords(call="Ring til {name}: {phone}", call_name="Ring {name}",
                         web="{name} (hjemmeside)")
    assert cl.links([LIVSLINIEN, ALARM], words) == [
        {"title": "Ring til Livslinien: 70 201 201", "url": "tel:+4570201201"},
        {"title": "Livslinien (hjemmeside)", "url": "https://www.livslinien.dk"},
        {"title": "Ring Alarm 112", "url": "tel:112"}]


def test_markdown_escapes_brackets_and_plain_gives_the_title_back():
    text = cl.markdown("Læs mere: [ny] (2026)", "https://x.dk/a (b)")
    assert text == r"[Læs mere: \[ny\] (2026)](https://x.dk/a%20%28b%29)"
    assert cl.plain(f"Se {text} nu") == "Se Læs mere: [ny] (2026) nu"
    assert cl.plain("[ikke et link] (tekst)") == "[ikke et link] (tekst)"


def test_sources_on_one_site_get_names_that_differ():
    assert cl.page_name("https://www.ast.dk/a/klagefrister/") == "ast.dk/klagefrister"
    assert cl.page_name("https://ast.dk") == "ast.dk"
