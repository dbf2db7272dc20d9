"""The widget in real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright),
against the app served by a real waitress server with the fake Rasa.

Run with: .venv/bin/python -m pytest tests/web -m browser
"""
from __future__ import annotations

import re
import time

import pytest

from .browser import ARTIFACTS, active, ask_how_to_complain, bot_messages, require_browser, tab_to
from .conftest import PUBLIC

pytestmark = pytest.mark.browser
require_browser()


# -- the conversation, keyboard only -------------------------------------------------------------

def test_keyboard_only_conversation(page, site):
    page.goto(site.url + "/")
    launcher = page.locator(".rb-launcher")
    launcher.wait_for(state="visible")
    assert launcher.get_attribute("aria-expanded") == "false"

    tab_to(page, lambda a: "rb-launcher" in a["cls"])
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"                                    # visible focus
    page.keyboard.press("Enter")

    panel = page.locator("#rb-panel")
    panel.wait_for(state="visible")
    assert active(page)["id"] == "rb-input"                      # focus moved into the panel
    assert launcher.get_attribute("aria-expanded") == "true"
    assert page.locator(".rb-privacy").inner_text() == (
        "Skriv ikke dit CPR-nummer eller andre personlige oplysninger. "
        "Samtalen slettes efter 30 dage. Slet min samtale")
    assert page.get_by_role("button", name="Slet min samtale").is_visible()
    log = page.locator(".rb-log")
    assert log.get_attribute("aria-live") == "polite" and log.get_attribute("role") == "log"
    assert page.locator("label[for=rb-input]").inner_text() == "Skriv dit spørgsmål"
    assert page.get_by_role("dialog", name="Spørg om dine rettigheder").is_visible()
    assert bot_messages(page).count() == 1                       # the welcome

    page.keyboard.type("hvordan klager jeg")
    page.keyboard.press("Enter")
    answer = bot_messages(page).filter(has_text="4 uger")
    answer.wait_for()
    assert page.locator(".rb-user").last.inner_text().endswith("hvordan klager jeg")
    read_more = answer.get_by_role("link", name=re.compile("Læs mere"))
    assert read_more.get_attribute("href") == f"{PUBLIC}/artikel/klagefrist"
    assert read_more.get_attribute("target") == "_blank"
    # the action's tel: link is in the list; the same number in the text is not a second link
    assert answer.locator('.rb-links a[href="tel:+4570229330"]').count() == 1
    assert answer.locator('.rb-text a[href="tel:+4570229330"]').count() == 0
    assert "70 22 93 30" in answer.locator(".rb-text").inner_text()
    assert answer.locator('a[href^="javascript"]').count() == 0
    assert answer.get_by_role("button", name="Hvordan klager jeg?").is_visible()
    assert answer.get_by_text("Hjalp svaret?").is_visible()
    assert active(page)["id"] == "rb-input"                      # still in the input

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget.png"))

    # Shift+Tab from the input reaches the feedback buttons (the end of the log) ...
    page.keyboard.press("Shift+Tab")
    assert active(page)["text"] == "Nej"
    page.keyboard.press("Shift+Tab")
    assert active(page)["text"] == "Ja"
    page.keyboard.press("Enter")
    thanks = answer.locator(".rb-thanks")
    thanks.wait_for()
    assert active(page)["cls"] == "rb-thanks"                    # focus not lost to <body>
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        rows = site.app.extensions["rettighedsbot.store"].stats()["articles"]
        if rows:
            break
        time.sleep(0.05)
    assert rows == [{"article_id": "klagefrist", "helpful_yes": 1, "helpful_no": 0}]

    # ... Esc closes and gives focus back to the button that opened the panel.
    page.keyboard.press("Escape")
    panel.wait_for(state="hidden")
    assert "rb-launcher" in active(page)["cls"]
    assert launcher.get_attribute("aria-expanded") == "false"

    # The conversation survives a reload (sessionStorage; no cookies).
    page.reload()
    launcher.wait_for(state="visible")
    launcher.press("Enter")
    panel.wait_for(state="visible")
    assert page.locator(".rb-user").last.inner_text().endswith("hvordan klager jeg")
    assert bot_messages(page).filter(has_text="4 uger").locator(".rb-thanks").count() == 1
    assert page.context.cookies() == []
    assert page.problems == []                                   # no CSP violations, no errors


def test_slet_min_samtale_deletes_it_on_the_server_and_in_the_browser(page, site):
    page.goto(site.url + "/")
    page.locator(".rb-launcher").click()
    ask_how_to_complain(page)
    sender = page.evaluate("JSON.parse(Object.values(sessionStorage)[0]).sender")
    forget = page.get_by_role("button", name="Slet min samtale")
    forget.focus()                                              # keyboard-usable
    with page.expect_request("**/api/conversation/delete") as request:
        page.keyboard.press("Enter")
    assert request.value.post_data_json == {"sender": sender}
    bot_messages(page).filter(has_text="Din samtale er slettet.").wait_for()
    assert page.locator(".rb-user").count() == 0                # gone from the page
    stored = page.evaluate("JSON.parse(Object.values(sessionStorage)[0])")
    assert stored["sender"] != sender                           # a new, unlinked conversation
    assert all("klager" not in m.get("text", "") for m in stored["messages"])
    assert page.problems == []


def test_quick_reply_buttons_send_their_payload(page, site):
    page.goto(site.url + "/")
    page.locator(".rb-launcher").click()
    page.get_by_role("button", name="Hvordan klager jeg?").click()   # a starter question
    bot_messages(page).filter(has_text="4 uger").wait_for()
    assert page.locator(".rb-quick").count() == 1                # only the newest answer's buttons


def test_markup_in_messages_is_shown_as_text(page, site):
    page.goto(site.url + "/")
    page.locator(".rb-launcher").click()
    page.locator("#rb-input").fill("xss <script>alert(1)</script>")
    page.keyboard.press("Enter")
    answer = bot_messages(page).filter(has_text="window.__xss")
    answer.wait_for()
    assert "<script>window.__xss = 1</script><img src=x" in answer.inner_text()
    assert page.locator(".rb-log script, .rb-log img").count() == 0
    assert "<script>alert(1)</script>" in page.locator(".rb-user").last.inner_text()
    assert page.evaluate("window.__xss") is None


def test_crisis_message_gets_crisis_lines_when_rasa_is_down(page, site_rasa_down):
    page.goto(site_rasa_down.url + "/")
    page.locator(".rb-launcher").click()
    page.locator("#rb-input").fill("jeg vil ikke leve mere")
    started = time.monotonic()
    page.keyboard.press("Enter")
    first = bot_messages(page).filter(has_text="Du er ikke alene")
    first.wait_for()
    assert time.monotonic() - started < 3
    assert first.locator('a[href="tel:+4570201201"]').count() == 1      # Livslinien
    assert first.locator('a[href="tel:112"]').count() >= 1
    fallback = bot_messages(page).filter(has_text="Undskyld, jeg kan ikke svare lige nu")
    assert fallback.count() == 1
    # crisis first, then the fallback with advice channels
    texts = bot_messages(page).all_inner_texts()
    assert texts.index(first.inner_text()) < texts.index(fallback.inner_text())


def test_typing_indicator_while_waiting_then_fallback(page, site_rasa_slow):
    page.goto(site_rasa_slow.url + "/")
    page.locator(".rb-launcher").click()
    page.locator("#rb-input").fill("hvordan klager jeg")
    page.keyboard.press("Enter")
    typing = page.get_by_role("status")
    assert typing.inner_text() == "Rettighedsbot skriver …"
    bot_messages(page).filter(has_text="Undskyld, jeg kan ikke svare lige nu").wait_for()
    assert typing.inner_text() == ""
    assert active(page)["id"] == "rb-input"


def test_widget_works_from_another_origin(page, site, host_page, fake_rasa):
    # The host page (another port = another origin) loads widget.js from the app; the widget
    # finds the API from its own src and the app's CORS allowlist lets the council's page in.
    host_page.widget_src = site.url + "/static/widget.js"
    page.goto(host_page.url + "/")
    page.locator(".rb-launcher").click()
    ask_how_to_complain(page)
    stored = page.evaluate("JSON.parse(sessionStorage.getItem(Object.keys(sessionStorage)[0]))")
    assert re.fullmatch(r"w[0-9a-f]{32}", stored["sender"])
    assert fake_rasa.requests[-1] == {"sender": stored["sender"], "message": "hvordan klager jeg",
                                      "metadata": {"kommune": "Aarhus"}}
    assert page.problems == []


# -- small screens, zoom, contrast -----------------------------------------------------------

@pytest.mark.parametrize("width, height", [(320, 640), (640, 360)])   # 320 px; 1280×720 at 200%
def test_small_screens_and_zoom(browser, site, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(site.url + "/")
    launcher = page.locator(".rb-launcher")
    launcher.wait_for(state="visible")
    box = launcher.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    launcher.click()
    ask_how_to_complain(page)
    for selector in ("#rb-panel", "#rb-input", ".rb-send", ".rb-close", ".rb-privacy"):
        b = page.locator(selector).bounding_box()
        assert b["x"] >= 0 and b["x"] + b["width"] <= width + 0.5, selector
        assert b["y"] >= 0 and b["y"] + b["height"] <= height + 0.5, selector
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # no text is cut off sideways inside the panel
    assert page.evaluate("document.querySelector('.rb-log').scrollWidth "
                         "<= document.querySelector('.rb-log').clientWidth")
    if width == 320:
        page.screenshot(path=str(ARTIFACTS / "widget-320.png"))
    context.close()


CONTRAST_JS = """(selectors) => {
  function rgb(c) { const m = c.match(/[\\d.]+/g).map(Number); return m.length > 3 ? m : m.concat([1]); }
  function background(el) {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c[3] > 0.99) return c;
    }
    return [255, 255, 255, 1];
  }
  return selectors.map(s => { const el = document.querySelector(s);
    return [s, rgb(getComputedStyle(el).color), background(el)]; });
}"""


def _luminance(rgb) -> float:
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg, bg) -> float:
    hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_text_contrast_is_at_least_4_5(page, site):
    page.goto(site.url + "/")
    launcher_colours = page.evaluate(CONTRAST_JS, [".rb-launcher"])
    page.locator(".rb-launcher").click()
    ask_how_to_complain(page)
    selectors = [".rb-title", ".rb-restart", ".rb-privacy", ".rb-user .rb-text", ".rb-bot .rb-text",
                 ".rb-bot .rb-links a", ".rb-quick-button", ".rb-fb-button", ".rb-feedback-q",
                 ".rb-label", ".rb-input", ".rb-send"]
    results = launcher_colours + page.evaluate(CONTRAST_JS, selectors)
    low = [(s, round(contrast(fg, bg), 2)) for s, fg, bg in results if contrast(fg, bg) < 4.5]
    assert low == []


# -- advisers' lookup in the browser -------------------------------------------------------------

def test_lookup_works_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url + "/raadgiver")
    page.get_by_label("Spørgsmål").fill("hvornår skal jeg klage")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=hvorn"))
    first = page.locator(".result h3 a").first
    assert first.get_attribute("href").split("?")[0] in (
        "/raadgiver/artikel/klagefrist", "/raadgiver/artikel/klage-over-afgoerelse")
    first.click()
    page.get_by_role("heading", name="Lovgrundlag").wait_for()
    assert page.locator(".body ul li").count() >= 2
    context.close()


def test_print_view_keeps_the_search_words_for_tilbage(page, site):
    page.goto(site.url + "/raadgiver")
    page.get_by_label("Spørgsmål").fill("hvornår skal jeg klage")
    page.keyboard.press("Enter")
    page.locator(".result h3 a").first.click()
    page.get_by_role("link", name="Udskriv eller kopiér til borgeren").click()
    page.get_by_role("button", name="Kopiér tekst").wait_for()
    assert "q=hvorn" in page.url
    page.get_by_role("link", name="← Tilbage").click()
    page.get_by_role("link", name="← Tilbage til søgningen").click()
    page.wait_for_url(re.compile(r"/raadgiver\?"))
    assert page.get_by_label("Spørgsmål").input_value() == "hvornår skal jeg klage"
    assert page.locator(".result").count() >= 1


def test_print_view_copy_button(browser, site):
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.url)
    page = context.new_page()
    page.goto(site.url + "/raadgiver/artikel/klagefrist/print")
    page.get_by_role("button", name="Kopiér tekst").click()
    status = page.locator("#copy-status")
    page.wait_for_function("document.getElementById('copy-status').textContent.length > 0")
    assert status.inner_text() == "Teksten er kopieret."
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Hvor lang tid har jeg til at klage?")
    context.close()
