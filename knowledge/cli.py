"""`rettighedsbot`: validate the YAML, build the index, search — the same code the bot runs —
and the councils' report (`report`, `check-links`)."""
from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
from datetime import date
from pathlib import Path

from .loader import load_knowledge
from .readability import LIX_LIMIT, lix
from .settings import settings as process_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rettighedsbot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check the knowledge YAML; exit 1 on any error")
    p.add_argument("path", nargs="?", help="knowledge folder or one YAML file in it")
    p.add_argument("--lix", action="store_true", help="also print LIX per article")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("search", help="search the articles as the bot does")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the JSON contract")
    p.add_argument("--k", type=int, default=3, help="number of results (default 3)")
    p.add_argument("--kommune", help="the citizen's kommune (adds its local channels)")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("index", help="build the search index if the YAML or embedder changed")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("lix", help="readability (LIX) of every article")
    p.set_defaults(func=cmd_lix)

    p = sub.add_parser("rasa-lookup", help="write the Rasa lookup table of kommune names")
    p.add_argument("--out", required=True, type=Path)
    p.set_defaults(func=cmd_rasa_lookup)

    p = sub.add_parser("report", help="what citizens asked and could not get answered")
    p.add_argument("--since", type=_date, help="first day, YYYY-MM-DD (default: all kept)")
    p.add_argument("--until", type=_date, help="last day, YYYY-MM-DD (default: today)")
    p.add_argument("--kommune", help="only questions from this kommune's widget")
    p.add_argument("--format", choices=("md", "csv", "json"), default="md")
    p.add_argument("--db", help="the web app's database: an SQLite file or a database URL "
                   "(default: DATABASE_URL, else FEEDBACK_DB)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("check-links", help="check the sources' and channels' web addresses; "
                       "reports what it cannot reach instead of failing")
    p.add_argument("--timeout", type=float, default=None, help="seconds per address (10)")
    p.add_argument("--workers", type=int, default=None, help="addresses checked at once (8)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--out", type=Path, help="folder for link-check.json (default: the index "
                   "folder, where /rapport reads it)")
    p.add_argument("--strict", action="store_true", help="exit 1 if a link is broken")
    p.set_defaults(func=cmd_check_links)

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    logging.getLogger("faiss").setLevel(logging.WARNING)
    return args.func(args)


def cmd_validate(args: argparse.Namespace) -> int:
    path = Path(args.path) if args.path else process_settings().knowledge_dir
    if not path.exists():
        print(f"{path}: findes ikke", file=sys.stderr)
        return 2
    only_file = path.resolve() if path.is_file() else None
    if only_file:
        # articles/<topic>/<id>.yml, articles/<id>.yml or a top-level file of the set
        path = next((p for p in path.parents if (p / "articles").is_dir()), path.parent)
    result = load_knowledge(path)
    problems = [p for p in result.problems
                if only_file is None or Path(p.file).resolve() == only_file]
    for problem in problems:
        print(problem)
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    if args.lix and result.kb:
        _print_lix(result.kb)
    verdict = "FEJL" if errors else "OK"
    articles = len(result.kb.articles) if result.kb else 0
    print(f"{verdict}: {articles} artikler, {errors} fejl, {warnings} advarsler", file=sys.stderr)
    return 1 if errors else 0


def cmd_search(args: argparse.Namespace) -> int:
    from .search import UnknownMunicipality
    from .service import KnowledgeService

    logging.getLogger().setLevel(logging.WARNING)
    try:
        service = KnowledgeService()
        result = service.search(args.question, k=args.k, kommune=args.kommune)
    except UnknownMunicipality as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
        return 0
    print(f"{'sikker' if result.confident else 'IKKE sikker'} (tærskel "
          f"{service.threshold:.2f})")
    for hit in result.hits:
        print(f"{hit.score:.3f}  {hit.article.id:28} {hit.article.title}")
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    from .service import KnowledgeService

    service = KnowledgeService()
    status = service.status()
    print(f"==> search index ready: {status['articles']} articles, index {status['index']} "
          f"({status['embedder']})", file=sys.stderr)
    return 1 if service.stale else 0


def cmd_lix(args: argparse.Namespace) -> int:
    result = load_knowledge()
    if result.kb is None:
        for problem in result.errors:
            print(problem, file=sys.stderr)
        return 1
    _print_lix(result.kb)
    return 0


def _print_lix(kb) -> None:
    rows = [(a.id, lix(a.summary), lix(a.body)) for a in sorted(kb.articles.values(),
                                                                 key=lambda a: a.id)]
    print(f"{'artikel':30} {'resumé':>7} {'tekst':>7}")
    for article_id, summary, body in rows:
        flag = "  over grænsen" if max(summary, body) > LIX_LIMIT else ""
        print(f"{article_id:30} {summary:7.1f} {body:7.1f}{flag}")
    for name, column in (("resumé", [r[1] for r in rows]), ("tekst", [r[2] for r in rows])):
        print(f"LIX {name}: min {min(column):.0f}, median {statistics.median(column):.0f}, "
              f"max {max(column):.0f}")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' er ikke en dato (YYYY-MM-DD)") from None


def cmd_report(args: argparse.Namespace) -> int:
    # The counts live in the web app's database; its store is the one place that reads it.
    from web.config import from_env
    from web.db import is_url
    from web.store import FeedbackStore

    from . import links, report
    from .service import KnowledgeService

    logging.getLogger().setLevel(logging.WARNING)
    settings = from_env()
    db = args.db or settings["DATABASE_URL"] or settings["FEEDBACK_DB"]
    if not is_url(db) and not Path(db).exists():      # do not make an empty one
        print(f"error: ingen database i {db} (sæt FEEDBACK_DB eller --db)", file=sys.stderr)
        return 2
    service = KnowledgeService()
    kommune = None
    if args.kommune:
        place = service.kb.municipality(args.kommune)
        if place is None:
            print(f"error: ukendt kommune: {args.kommune}", file=sys.stderr)
            return 2
        kommune = place.name
    filters = report.Filters(args.since, args.until, kommune)
    usage = FeedbackStore(db).usage(filters.since, filters.until, filters.kommune)
    result = report.build_report(usage, service.kb, service, filters,
                                 links=links.load(service.settings.index_dir))
    if args.format == "json":
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
    elif args.format == "csv":
        sys.stdout.write(report.to_csv(result))
    else:
        sys.stdout.write(report.to_markdown(result))
    return 0


def cmd_check_links(args: argparse.Namespace) -> int:
    from . import links

    settings = process_settings()
    loaded = load_knowledge(settings.knowledge_dir)
    if loaded.kb is None:
        for problem in loaded.errors:
            print(problem, file=sys.stderr)
        return 1
    urls = links.links_of(loaded.kb)
    print(f"tjekker {len(urls)} adresser …", file=sys.stderr)
    check = links.check_urls(urls, timeout=args.timeout or links.DEFAULT_TIMEOUT,
                             workers=args.workers or links.WORKERS)
    saved = links.save(check, args.out or settings.index_dir)
    if args.json:
        print(json.dumps(check.to_json(), ensure_ascii=False))
    else:
        for r in check.problems:
            label = "VIRKER IKKE" if r.status == links.BROKEN else "kunne ikke nås"
            print(f"{label}: {r.url} ({r.detail}) – bruges af {', '.join(r.used_by)}")
    broken, unreachable = check.count(links.BROKEN), check.count(links.UNREACHABLE)
    print(f"{len(check.results)} adresser: {check.count(links.OK)} ok, {broken} virker ikke, "
          f"{unreachable} kunne ikke nås (gemt i {saved})", file=sys.stderr)
    return 1 if args.strict and broken else 0


def cmd_rasa_lookup(args: argparse.Namespace) -> int:
    from .rasa_lookup import write_lookup

    write_lookup(process_settings().knowledge_dir / "municipalities.yml", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
