"""The widget's rough edges from issue 17, each in real headless Chromium: focus after a quick
reply, the latest answer after a reload, no dangling lead-in bubble, one link to 112, the
kommune's own website, link names without "☎", the header at 400% zoom, a page whose origin
the server does not allow, and "Læs op".

The crisis, "Din kommune" and related-articles replies come from the real actions' code
(action_replies.py), so these check what the widget renders from the payload Rasa sends.
"""
from __future__ import annotations

import re

import pytest

from .browser import (
    ARTIFACTS,
    DANISH,
    NO_DANISH,
    SPEECH_STUB,
    active,
    ask_how_to_complain,
    bot_messages,
    require_browser,
    serve_app,
)
from .conftest import PUBLIC

pytestmark = pytest.mark.browser
require_browser()


def open_widget(page, url: str) -> None:
    page.goto(url)
    page.locator(".rb-launcher").click()
    page.locator("#rb-panel").wait_for(state="visible")


def ask(page, text: str, answer_text: str):
    """Send `text` and wait for its own answer: a new bot message with `answer_text` (an
    earlier answer with the same words must not count), the turn over (no typing dots)."""
    answers = bot_messages(page).filter(has_text=answer_text)
    before = answers.count()
    page.locator("#rb-input").fill(text)
    page.keyboard.press("Enter")
    answer = answers.nth(before)
    answer.wait_for()
    page.wait_for_function("() => !document.querySelector('.rb-typing.rb-on')")
    return answer


# -- focus ------------------------------------------------------------------------------------

def test_focus_after_a_quick_reply_is_in_the_input_not_on_body(page, site):
    open_widget(page, site.url + "/")
    page.get_by_role("button", name="Hvordan klager jeg?").focus()     # a starter question
    page.keyboard.press("Enter")
    assert active(page)["id"] == "rb-input"                  # at once: the button is gone
    bot_messages(page).filter(has_text="4 uger").wait_for()
    assert active(page)["id"] == "rb-input"                  # and after the answer
    # the answer's own button, by keyboard, too
    page.locator(".rb-quick-button").last.focus()
    page.keyboard.press("Enter")
    assert active(page)["tag"] != "BODY"
    bot_messages(page).filter(has_text="Hvad vil du gerne vide?").wait_for()
    assert active(page)["id"] == "rb-input"
    assert page.problems == []


# -- after a reload ---------------------------------------------------------------------------

LAST_IN_VIEW = """() => {
  const log = document.querySelector('.rb-log');
  const last = [...log.querySelectorAll('.rb-msg')].pop();
  const l = log.getBoundingClientRect(), r = last.getBoundingClientRect();
  return {scrollTop: log.scrollTop, overflow: log.scrollHeight > log.clientHeight + 1,
          top: r.top - l.top, height: l.height, text: last.textContent};
}"""


def test_after_a_reload_the_log_shows_the_latest_answer(page, site):
    open_widget(page, site.url + "/")
    for _ in range(4):
        ask(page, "hvordan klager jeg", "4 uger")
    before = page.evaluate(LAST_IN_VIEW)
    assert before["overflow"]                                # the log has to scroll
    page.reload()
    page.locator("#rb-panel").wait_for(state="visible")      # it was open: it opens again
    page.wait_for_function("() => document.querySelector('.rb-log').scrollTop > 0", timeout=4000)
    after = page.evaluate(LAST_IN_VIEW)
    assert "4 uger" in after["text"]
    assert 0 <= after["top"] < after["height"]               # the latest answer is in view


# -- related articles: buttons on the answer, no lead-in bubble -----------------------------------
# "Måske kan du også bruge:" was a bubble of its own that stayed after its button was used. The
# related articles now ride on the answer itself (standard clients show a turn's last buttons).

def test_related_articles_are_buttons_on_the_answer_with_no_bubble_of_their_own(page, site):
    open_widget(page, site.url + "/")
    answer = ask(page, "artikel-svar", "4 uger")
    titles = [b.inner_text() for b in answer.get_by_role("button").all()]
    assert "Hvordan klager jeg over en afgørelse fra kommunen?" in titles
    assert bot_messages(page).filter(has_text="Måske kan du også bruge").count() == 0
    answer.get_by_role("button", name="Hvordan klager jeg over en afgørelse fra kommunen?").click()
    page.locator(".rb-user").filter(has_text="Hvordan klager jeg over en afgørelse").wait_for()
    page.wait_for_function("() => !document.querySelector('.rb-typing.rb-on')")
    page.reload()
    page.locator("#rb-panel").wait_for(state="visible")
    page.locator(".rb-user").filter(has_text="Hvordan klager jeg over en afgørelse").wait_for()
    assert bot_messages(page).filter(has_text="Måske kan du også bruge").count() == 0


# -- the crisis reply ---------------------------------------------------------------------------

def test_crisis_reply_has_one_link_to_112_and_no_112_112(page, site):
    open_widget(page, site.url + "/")
    answer = ask(page, "krise-svar", "Ring og tal med et menneske nu")
    text = answer.inner_text()
    assert not re.search(r"112\s*:\s*112", text)
    assert answer.locator('a[href="tel:112"]').count() == 1
    assert answer.locator('a[href="tel:+4570201201"]').count() == 1      # Livslinien, once
    assert "70 201 201" in answer.locator(".rb-text").inner_text()     # still said in the text
    names = [n.strip() for n in answer.locator("a").all_inner_texts()]
    assert not [n for n in names if re.search(r"112\D+112", n)], names


# -- the kommune's own website ----------------------------------------------------------------

def test_din_kommune_is_the_kommunes_own_site_with_data_kommune(page, site, host_page, fake_rasa):
    host_page.widget_src = site.url + "/static/widget.js"      # the page says data-kommune="Aarhus"
    open_widget(page, host_page.url + "/")
    answer = ask(page, "plejevederlag-svar", "Her kan du få svar")
    web = answer.get_by_role("link", name=re.compile(r"\(hjemmeside\)"))
    assert web.count() == 1
    assert web.get_attribute("href") == "https://aarhus.dk/"
    assert "Aarhus Kommune" in web.inner_text()
    assert answer.locator('a[href*="borger.dk"]').count() == 0

    # "Læs mere" opens the article page with the kommune: its channels are Aarhus's own
    fake_rasa.public_url = site.url
    try:
        answer = ask(page, "artikel-svar", "4 uger")
    finally:
        fake_rasa.public_url = PUBLIC
    read_more = answer.get_by_role("link", name=re.compile("Læs mere"))
    href = read_more.get_attribute("href")
    assert href == site.url + "/artikel/klagefrist?kommune=Aarhus"
    page.goto(href)
    channels = page.locator(".channels")
    assert channels.locator('a[href="https://aarhus.dk"]').count() == 1
    assert channels.get_by_text("Din kommune").count() == 0


# -- link names -------------------------------------------------------------------------------

def ax_link_names(page) -> list[str]:
    """The names Chromium's own accessibility tree gives the widget's links."""
    cdp = page.context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    return [n["name"]["value"] for n in nodes
            if n.get("role", {}).get("value") == "link" and "name" in n]


def test_phone_sign_is_not_part_of_a_links_name(page, site):
    open_widget(page, site.url + "/")
    answer = ask(page, "hvordan klager jeg", "4 uger")
    tel = answer.locator('.rb-links a[href="tel:+4570229330"]')
    assert tel.inner_text().startswith("☎")                    # still shown
    names = ax_link_names(page)
    assert "Den Sociale Retshjælp: 70 22 93 30" in names
    assert not [n for n in names if "☎" in n], names


# -- 400% zoom --------------------------------------------------------------------------------

@pytest.mark.parametrize("width, height", [(320, 256)])    # 1280×1024 at 400%
def test_header_stays_in_view_at_400_percent_zoom(browser, site, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(5000)
    open_widget(page, site.url + "/")
    ask_how_to_complain(page)
    page.locator("#rb-input").focus()
    page.keyboard.type("og hvad så")

    def in_view(selector):
        b = page.locator(selector).bounding_box()
        return b["x"] >= 0 and b["y"] >= 0 and b["x"] + b["width"] <= width + 0.5 \
            and b["y"] + b["height"] <= height + 0.5
    for selector in (".rb-header", ".rb-close", ".rb-restart", "#rb-input"):
        assert in_view(selector), (selector, page.locator(selector).bounding_box())
    # still there with focus on the last link of the answer, and usable: Ny samtale works
    page.locator(".rb-bot .rb-links a").last.focus()
    for selector in (".rb-header", ".rb-close", ".rb-restart"):
        assert in_view(selector), selector
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.locator(".rb-restart").click()
    page.wait_for_function("() => document.querySelectorAll('.rb-user').length === 0")
    context.close()


# -- another origin, CORS_ORIGINS unset --------------------------------------------------------

@pytest.fixture(scope="module")
def site_no_cors(tmp_path_factory, real_service, fake_rasa):
    served = serve_app(tmp_path_factory, real_service, RASA_URL=fake_rasa.url,
                       RATE_LIMIT="1000/minute", CORS_ORIGINS=())
    yield served
    served.close()


def test_origin_not_allowed_is_told_kindly_and_hinted_in_the_console(page, site_no_cors,
                                                                     host_page):
    console: list[str] = []
    page.on("console", lambda msg: console.append(msg.text))
    host_page.widget_src = site_no_cors.url + "/static/widget.js"
    open_widget(page, host_page.url + "/")
    notice = ask(page, "hvordan klager jeg", "Chatten virker ikke på denne side endnu")
    assert "internetforbindelse" not in notice.inner_text()
    assert "112" in notice.inner_text()
    hints = [m for m in console if "CORS_ORIGINS" in m]
    assert len(hints) == 1, console
    assert host_page.url in hints[0] and site_no_cors.url in hints[0]


def test_a_real_network_failure_still_says_check_the_connection(page, site, host_page):
    host_page.widget_src = site.url + "/static/widget.js"
    open_widget(page, host_page.url + "/")
    page.route("**/api/chat", lambda route: route.abort())
    notice = ask(page, "hvordan klager jeg", "Tjek din internetforbindelse")
    assert "Chatten virker ikke" not in notice.inner_text()
    assert not [p for p in page.problems if "CORS_ORIGINS" in p]


# -- "Læs op" ---------------------------------------------------------------------------------



def test_laes_op_reads_the_answer_aloud_in_danish_by_keyboard(page, site):
    page.add_init_script(SPEECH_STUB % DANISH)
    open_widget(page, site.url + "/")
    answer = ask(page, "hvordan klager jeg", "4 uger")
    page.locator(".rb-root.rb-can-speak").wait_for(state="attached")
    assert bot_messages(page).locator(".rb-speak:visible").count() == 2     # welcome + answer
    # by keyboard: Shift+Tab back from the input to the answer's "Læs op", then Enter
    for _ in range(30):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.classList.contains('rb-speak') && "
                         "document.activeElement.closest('.rb-msg').textContent.includes('4 uger')"):
            break
    else:
        raise AssertionError(f"never reached Læs op with the keyboard; last: {active(page)}")
    assert active(page)["text"] == "Læs op"
    page.keyboard.press("Enter")
    calls = page.evaluate("window.__speech.calls")
    spoken = answer.locator(".rb-text").inner_text()
    assert calls == [{"text": spoken, "lang": "da-DK", "voice": "da-DK"}]
    assert "4 uger" in calls[0]["text"]
    page.keyboard.press("Space")
    assert len(page.evaluate("window.__speech.calls")) == 2
    assert page.problems == []


def test_laes_op_is_hidden_without_a_danish_voice(page, site):
    page.add_init_script(SPEECH_STUB % NO_DANISH)
    open_widget(page, site.url + "/")
    ask(page, "hvordan klager jeg", "4 uger")
    page.wait_for_timeout(500)                                  # after voiceschanged
    speak = bot_messages(page).locator(".rb-speak")
    assert speak.count() == 2
    assert [speak.nth(i).is_visible() for i in range(2)] == [False, False]
    assert page.evaluate("document.querySelector('.rb-root').classList.contains('rb-can-speak')") \
        is False


# -- the README's picture ---------------------------------------------------------------------

def test_screenshot_of_the_widget_on_a_council_page(page, site, fake_rasa):
    """tests/artifacts/widget-council.png; docs/widget.png is a copy of it (README)."""
    page.add_init_script(SPEECH_STUB % DANISH)
    fake_rasa.public_url = site.url
    try:
        open_widget(page, site.url + "/")                      # the demo page: a council's site
        ask(page, "Hvor lang tid har jeg til at klage?", "4 uger")
    finally:
        fake_rasa.public_url = PUBLIC
    page.locator(".rb-root.rb-can-speak").wait_for(state="attached")
    page.evaluate("() => { const log = document.querySelector('.rb-log'); "
                  "const asked = [...log.querySelectorAll('.rb-user')].at(-1); "
                  "log.scrollTop = asked.offsetTop - log.offsetTop - 8; }")
    page.locator("#rb-input").blur()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-council.png"))
    assert (ARTIFACTS / "widget-council.png").stat().st_size > 10_000
