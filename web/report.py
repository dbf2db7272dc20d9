"""/rapport: what citizens asked and could not get answered, for a council or an udsatteråd.

Behind the report token (web/auth.py), server-rendered, readable without JavaScript: every
chart is an SVG with a table of the same numbers beside it (web/charts.py). The figures come
from knowledge.report, the same code as `rettighedsbot report`; `?format=csv|json|md` gives
them as a file. Filters: period (fra, til) and kommune.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request

from knowledge import links as link_check
from knowledge import report as figures
from knowledge.search import ANSWER, LEVELS, SUGGEST, UNKNOWN
from knowledge.settings import settings as process_settings

from . import charts, messages
from .auth import require_token
from .knowledge_ext import knowledge
from .render import danish_date
from .store import EXTENSION as STORE

bp = Blueprint("report", __name__)

LEVEL_CSS = {ANSWER: "lvl-answer", SUGGEST: "lvl-suggest", UNKNOWN: "lvl-unknown"}
DOWNLOADS = {"csv": "text/csv; charset=utf-8", "md": "text/markdown; charset=utf-8"}


class BadFilter(ValueError):
    pass


def parse_filters(args, kb) -> figures.Filters:
    """fra/til as YYYY-MM-DD, kommune as a known kommune's name (or alias)."""
    def day(name: str) -> date | None:
        text = args.get(name, "").strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise BadFilter(messages.ERR_REPORT_DATE.format(text=text[:20])) from None

    since, until = day("fra"), day("til")
    if since and until and since > until:
        raise BadFilter(messages.ERR_REPORT_PERIOD)
    name = args.get("kommune", "").strip()
    kommune = None
    if name:
        place = kb.municipality(name) if kb is not None else None
        if place is None:
            raise BadFilter(messages.ERR_UNKNOWN_KOMMUNE)
        kommune = place.name
    return figures.Filters(since, until, kommune)


def build(filters: figures.Filters) -> figures.Report:
    ext = knowledge()
    kb = ext.kb()
    if kb is None:
        abort(503)
    service = ext.loaded or ext.service()
    settings = service.settings if service is not None else process_settings()
    usage = current_app.extensions[STORE].usage(filters.since, filters.until, filters.kommune)
    return figures.build_report(usage, kb, service, filters,
                                links=link_check.load(settings.index_dir))


@bp.get("/rapport")
def report_page():
    require_token("REPORT_TOKEN", "STATS_TOKEN", realm="rapport", page=True)
    kb = knowledge().kb()
    error, status = None, 200
    try:
        filters = parse_filters(request.args, kb)
    except BadFilter as exc:
        error, status, filters = str(exc), 400, figures.Filters()
    report = build(filters)
    wanted = request.args.get("format", "")
    if wanted == "json" and not error:
        response = jsonify(report.to_json())
    elif wanted in DOWNLOADS and not error:
        text = figures.to_csv(report) if wanted == "csv" else figures.to_markdown(report)
        response = Response(text, mimetype=DOWNLOADS[wanted].split(";")[0])
        response.headers["Content-Type"] = DOWNLOADS[wanted]
        response.headers["Content-Disposition"] = (
            f'attachment; filename="rettighedsbot-rapport-{report.today.isoformat()}.{wanted}"')
    else:
        municipalities = sorted(kb.municipalities.values(), key=lambda m: m.name) if kb else []
        response = Response(render_template(
            "report.html", report=report, error=error, charts=_charts(report),
            levels=LEVELS, labels=figures.LEVEL_LABELS, help=figures.LEVEL_HELP,
            css=LEVEL_CSS, note=figures.SMALL_NUMBERS_NOTE, small=figures.SMALL_NUMBERS,
            link_status=figures.LINK_STATUS, municipalities=municipalities,
            seen=set(report.kommuner), danish_date=danish_date,
            query={k: v for k, v in request.args.items() if k in ("fra", "til", "kommune")}),
            status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _charts(report: figures.Report) -> dict:
    labels = figures.LEVEL_LABELS
    weeks = report.weeks
    busiest = max(weeks, key=lambda w: w.total, default=None)
    week_desc = (f"{len(weeks)} uger. I alt {report.total} spørgsmål. Flest i "
                 f"{busiest.label}: {busiest.total}." if busiest and busiest.total
                 else "Ingen spørgsmål i perioden.")
    shares = ", ".join(f"{labels[lv].lower()} {report.share(lv)}" for lv in LEVELS)
    top = report.articles[:1]
    return {
        "weeks": charts.stacked_columns(
            "c-weeks", "Spørgsmål pr. uge", week_desc,
            [f"u{w.start.isocalendar()[1]}" for w in weeks],
            [(labels[lv], LEVEL_CSS[lv], [w.counts[lv] for w in weeks]) for lv in LEVELS]),
        "levels": charts.share_bar(
            "c-levels", "Hvor mange fik svar", f"Af {report.total} spørgsmål: {shares}.",
            [(labels[lv], LEVEL_CSS[lv], report.totals.get(lv, 0)) for lv in LEVELS]),
        "articles": charts.bars(
            "c-articles", "Mest brugte artikler",
            (f"De {len(report.articles)} artikler, botten oftest svarede med. Flest: "
             f"{top[0].title}, {top[0].count} gange." if top else "Ingen svar i perioden."),
            [(a.title, a.count) for a in report.articles]),
    }
