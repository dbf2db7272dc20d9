"""axe-core on our pages in headless Chromium: 0 violations at WCAG 2.0/2.1 A and AA.

axe-core comes from npm into tests/node_modules (never from a CDN). It is run under the pages'
own CSP (script-src 'self'): Playwright's page.evaluate is not blocked by it, where an inline
<script> would be, and the CSP stays on so the pages are checked as citizens get them.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from .browser import DANISH, SPEECH_STUB, ask_how_to_complain, bot_messages, require_browser

pytestmark = pytest.mark.browser
require_browser()

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

if not AXE.exists():
    pytest.skip("axe-core is not installed: cd tests && npm install --no-save "
                "--no-package-lock axe-core@4.14.1", allow_module_level=True)

RUN = """async (tags) => {
  const result = await axe.run(document, { runOnly: { type: "tag", values: tags },
                                           resultTypes: ["violations"] });
  return result.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary) }));
}"""


def axe_violations(page) -> list[dict]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    assert page.evaluate("() => typeof axe.run") == "function"
    return page.evaluate(RUN, TAGS)


def test_axe_demo_page_with_an_open_conversation(page, site):
    page.add_init_script(SPEECH_STUB % DANISH)               # the "Læs op" buttons shown too
    page.goto(site.url + "/")
    page.locator(".rb-launcher").click()
    ask_how_to_complain(page)
    page.locator("#rb-input").fill("krise-svar")
    page.keyboard.press("Enter")
    bot_messages(page).filter(has_text="Ring og tal med et menneske nu").wait_for()
    page.locator("#rb-input").fill("artikel-svar")
    page.keyboard.press("Enter")
    bot_messages(page).filter(has_text="4 uger").wait_for()
    page.locator(".rb-root.rb-can-speak").wait_for(state="attached")
    assert axe_violations(page) == []


def test_axe_sees_a_violation_when_there_is_one(page, site):
    # the check can fail: the input without its label, and a link without a name
    page.goto(site.url + "/")
    page.locator(".rb-launcher").click()
    page.evaluate("""() => { document.querySelector('.rb-label').remove();
        document.querySelector('.rb-input').removeAttribute('placeholder');
        document.querySelector('.rb-log').appendChild(document.createElement('a')).href = '#'; }""")
    found = {v["id"] for v in axe_violations(page)}
    assert {"label", "link-name"} <= found, found


@pytest.mark.parametrize("path", [
    "/raadgiver",
    "/raadgiver?q=hvorn%C3%A5r+skal+jeg+klage&kommune=Aarhus",
    "/raadgiver/artikel/klagefrist?q=klage",
    "/raadgiver/artikel/klagefrist/print?q=klage",
    "/artikel/klagefrist?kommune=Aarhus",
])
def test_axe_lookup_and_article_pages(page, site, path):
    page.goto(site.url + path)
    page.locator("main").wait_for()
    assert axe_violations(page) == []
