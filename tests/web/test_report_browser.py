"""/rapport in real headless Chromium (Debian's, driven by Playwright), served by waitress with
a seeded month: the browser asks for the token itself (HTTP Basic), the page renders with its
charts under the app's CSP (a blocked style or script would show as a console error), works
with JavaScript off, and passes axe-core.

axe-core comes from npm into tests/node_modules (tests/package.json). Where it is not
installed, only the axe assertion is skipped, with the reason; everything else still runs.

Run with: .venv/bin/python -m pytest tests/web/test_report_browser.py -m browser
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from web import create_app
from web.store import FeedbackStore

from ..report_seed import SECRETS, SINGLES, seed
from .browser import ARGS, ARTIFACTS, CHROMIUM, Served
from .conftest import PUBLIC

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip("Debian chromium is not installed (make browser)", allow_module_level=True)

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
TOKEN = "raadets-hemmelige-noegle"


@pytest.fixture(scope="module")
def site(tmp_path_factory, real_service, fake_rasa):
    db = tmp_path_factory.mktemp("report") / "feedback.db"
    seed(FeedbackStore(db))
    app = create_app({
        "KNOWLEDGE_SERVICE": real_service, "KNOWLEDGE_WARMUP": False, "FEEDBACK_DB": str(db),
        "RASA_URL": fake_rasa.url, "RATE_LIMIT": "1000/minute", "PUBLIC_URL": PUBLIC,
        "REPORT_TOKEN": TOKEN, "RETENTION_THREAD": False,
    })
    served = Served(app)
    yield served
    served.close()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


def open_page(browser, *, password: str | None = TOKEN, javascript: bool = True):
    options = {"viewport": {"width": 1280, "height": 900}, "locale": "da-DK",
               "java_script_enabled": javascript}
    if password is not None:
        options["http_credentials"] = {"username": "udsatteraadet", "password": password}
    context = browser.new_context(**options)
    page = context.new_page()
    page.set_default_timeout(15000)       # the first load groups the questions (e5)
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    page.problems = problems
    return context, page


def test_report_renders_with_charts_under_the_csp(browser, site):
    context, page = open_page(browser)
    try:
        response = page.goto(site.url + "/rapport")
        assert response.status == 200
        assert page.get_by_role("heading", level=1).inner_text() == "Hvad borgerne spurgte om"
        charts = page.get_by_role("img")
        names = [charts.nth(i).evaluate("e => e.querySelector('title').textContent")
                 for i in range(charts.count())]
        assert names == ["Hvor mange fik svar", "Spørgsmål pr. uge", "Mest brugte artikler"]
        for i in range(charts.count()):
            box = charts.nth(i).bounding_box()
            assert box and box["width"] > 300 and box["height"] > 40      # drawn, not empty
        # the bars have their colours from report.css (no inline styles under the CSP)
        fill = page.locator("svg rect.lvl-answer").first.evaluate("e => getComputedStyle(e).fill")
        assert fill == "rgb(25, 82, 28)"
        assert page.get_by_role("table", name="Spørgsmål pr. uge").is_visible()
        text = page.locator("main").inner_text()
        assert "Små tal vises ikke." in text and "»må jeg have min hund med på herberget«" in text
        for question, _ in SINGLES:
            assert question not in text
        for secret in SECRETS:
            assert secret not in text
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        assert page.problems == []                        # no CSP violation, no script error
    finally:
        context.close()


@pytest.mark.skipif(not AXE.exists(), reason=f"axe-core is not installed ({AXE} is missing: "
                    "npm install in tests/); the render test above still runs")
def test_report_passes_axe(browser, site):
    context, page = open_page(browser)
    try:
        assert page.goto(site.url + "/rapport").status == 200
        # evaluate() runs outside the page's CSP, which rightly forbids injected scripts
        page.evaluate(AXE.read_text(encoding="utf-8"))
        result = page.evaluate("""async () => {
            const r = await axe.run(document, {runOnly: ["wcag2a", "wcag2aa", "wcag21aa",
                                                         "best-practice"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact,
                                           nodes: v.nodes.map(n => n.target.join(" "))}));
        }""")
        assert result == [], json.dumps(result, ensure_ascii=False, indent=1)
    finally:
        context.close()


def test_report_works_without_javascript_and_filters(browser, site):
    context, page = open_page(browser, javascript=False)
    try:
        page.goto(site.url + "/rapport")
        page.get_by_label("Kommune").select_option("Aarhus")
        page.get_by_role("button", name="Vis").click()
        page.wait_for_url("**/rapport?*kommune=Aarhus*")
        assert "hele perioden, Aarhus" in page.locator(".lead").inner_text()
        assert page.get_by_role("table", name="Mest brugte artikler").is_visible()
        assert page.problems == []
    finally:
        context.close()


def test_report_without_the_token_is_refused(browser, site):
    # Headless Chromium cannot show the password prompt (it fails the navigation instead),
    # so the 401 and its challenge are read through the context's own HTTP client.
    context, page = open_page(browser, password=None)
    try:
        response = context.request.get(site.url + "/rapport")
        assert response.status == 401
        assert response.headers["www-authenticate"].startswith('Basic realm="rapport"')
        assert "Log ind for at se rapporten" in response.text()
    finally:
        context.close()
    context, page = open_page(browser, password="forkert")
    try:
        assert page.goto(site.url + "/rapport").status == 403
        assert page.locator("h1").inner_text() == "Forkert adgangskode"
        assert "hund" not in page.locator("main").inner_text()
    finally:
        context.close()
