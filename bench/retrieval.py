"""Retrieval quality on the eval set: recall@1, recall@3, MRR, out-of-scope rejection.

Runs every question of tests/data/eval_questions.yml through the real search
(`knowledge.service.KnowledgeService`, so RETTIGHEDSBOT_KNOWLEDGE_DIR / _INDEX_DIR /
_EMBEDDER / _THRESHOLD apply) and prints the metrics next to their targets, then every miss.

    .venv/bin/python bench/retrieval.py               # report
    .venv/bin/python bench/retrieval.py --json        # machine-readable summary
    .venv/bin/python bench/retrieval.py --calibrate   # sweep thresholds, recommend one
    .venv/bin/python bench/retrieval.py --misses      # also list every miss

Three kinds of set: the eval set (topics with an article, plus out-of-scope questions), the
probe sets (in-domain topics with NO article: any answer is wrong) and the held-out sets
(topics with an article, never tuned on). Each question ends at one of three levels — answer
(confident), suggest, unknown — and the harmful case is counted on all: confident but wrong.

A hit at rank r counts if the article there is the question's `expected` id or one of its
`also` ids (ids in `also` that are not articles are ignored). In-scope questions whose
`expected` id is not an article (yet) are skipped and listed. `expected: null` questions are out
of scope: the search must answer them with confident=false.

A bench, not a test: it exits 0 whatever the numbers are (1 only if it cannot run at all).
"""
from __future__ import annotations

import argparse
import copy
import json
import logging
import math
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import yaml

DATA = REPO / "tests" / "data"
DEFAULT_QUESTIONS = DATA / "eval_questions.yml"
# Probe sets, topics with no article: the first was written with knowledge/gaps.yml, the later
# ones from the article list only (not from gaps.yml): what the search does with a topic
# nobody foresaw.
UNCOVERED_SETS = [DATA / "uncovered_questions.yml", DATA / "holdout_uncovered_questions.yml",
                  DATA / "holdout_uncovered2_questions.yml",
                  DATA / "holdout_uncovered3_questions.yml"]
# Written from the articles' titles, summaries and bodies only, never tuned on: the honest check
# that tuning the articles' questions (and the search's levels) on the eval set generalises.
HOLDOUT_SETS = [DATA / "holdout_questions.yml", DATA / "holdout2_questions.yml",
                DATA / "holdout3_questions.yml", DATA / "holdout4_questions.yml"]
TARGETS = {"recall@1": 0.92, "recall@3": 0.97, "oos_rejection": 1.00, "answered": 0.85}
# At most this share of covered questions answered with the wrong article; none uncovered.
CONFIDENT_WRONG_RATE = 0.01
MRR_DEPTH = 10       # MRR is computed over the top 10 articles (a miss beyond counts as 0)
CALIBRATION_MARGIN = 0.005


@dataclass
class Outcome:
    q: str
    expected: str | None       # None = out of scope
    relevant: list[str]        # expected + the `also` ids that are articles
    ignored_also: list[str]    # `also` ids that are not articles
    confident: bool
    top: list[tuple[str, float]]  # (article id, score), best first, up to MRR_DEPTH
    level: str = "answer"      # answer | suggest | unknown
    gap: str | None = None     # the known gap (knowledge/gaps.yml) the search named
    rank: int | None = None    # 1-based rank of the first relevant article, None = not found
    skipped: bool = False      # in scope, but `expected` is not an article
    # --calibrate: the highest threshold at which this question is still confident, found by
    # searching again with other thresholds (None: not confident at any threshold, e.g. refused
    # by the out-of-scope examples). This is the score the threshold is compared with.
    critical: float | None = None
    # The same with the out-of-scope examples switched off: what the threshold alone must do.
    critical_alone: float | None = None


@dataclass
class Report:
    articles: int
    embedder: str
    threshold: float
    index_key: str
    outcomes: list[Outcome] = field(default_factory=list)


class CachingEmbedder:
    """The real embedder, remembering query vectors: re-searching for calibration is cheap."""

    def __init__(self, inner):
        self._inner = inner
        self._queries: dict[str, object] = {}

    def __getattr__(self, name):  # backend, model, dim and anything else: the real embedder's
        return getattr(self._inner, name)

    def query(self, texts: list[str]):
        import numpy as np

        missing = [t for t in dict.fromkeys(texts) if t not in self._queries]
        if missing:
            for t, v in zip(missing, self._inner.query(missing)):
                self._queries[t] = v
        return np.stack([self._queries[t] for t in texts])

    def passage(self, texts: list[str]):
        return self._inner.passage(texts)


def load_questions(path: Path) -> list[dict]:
    doc = yaml.safe_load(path.read_text("utf-8")) or {}
    questions = doc.get("questions") or []
    for i, item in enumerate(questions):
        if not isinstance(item, dict) or not str(item.get("q") or "").strip():
            raise SystemExit(f"{path}: question #{i + 1} has no 'q'")
    return questions


def run(questions: list[dict], calibrate: bool = False) -> Report:
    from knowledge.embedder import embedder_for
    from knowledge.loader import KnowledgeError
    from knowledge.service import KnowledgeService
    from knowledge.settings import settings as process_settings

    settings = process_settings()
    embedder = CachingEmbedder(embedder_for(settings))
    try:
        service = KnowledgeService(settings=settings, embedder=embedder)
    except KnowledgeError as exc:
        print(f"error: the knowledge base does not load:\n{exc}", file=sys.stderr)
        raise SystemExit(1) from exc
    status = service.status()
    kb = service.kb
    report = Report(len(kb.articles), status["embedder"], service.threshold, status["index"])
    for item in questions:
        expected = item.get("expected")
        expected = str(expected) if expected is not None else None
        also = [str(a) for a in (item.get("also") or [])]
        relevant = [a for a in ([expected] if expected else []) + also if a in kb.articles]
        ignored = [a for a in also if a not in kb.articles]
        result = service.search(str(item["q"]), k=MRR_DEPTH)
        top = [(h.article.id, h.score) for h in result.hits]
        outcome = Outcome(str(item["q"]), expected, relevant, ignored, result.confident, top,
                          result.level, result.gap.id if result.gap else None)
        if expected is not None:
            if expected not in kb.articles:
                outcome.skipped = True
            else:
                outcome.rank = next((r for r, (aid, _) in enumerate(top, 1) if aid in relevant),
                                    None)
        report.outcomes.append(outcome)
    if calibrate:
        _critical_thresholds(service, report.outcomes)
    service.close()
    return report


def _critical_thresholds(service, outcomes: list[Outcome]) -> None:
    """Per question, the highest threshold at which the real Searcher still says confident.

    Searches again with the threshold changed (query vectors are cached), so whatever else
    `confident` depends on (the out-of-scope examples, ...) is taken into account. Assumes only
    that a higher threshold never makes a question more confident.
    """
    from knowledge.index import load_or_build
    from knowledge.search import Searcher

    kb = service.kb
    index = load_or_build(kb, service.embedder, service.settings.index_dir)
    searchers = {"critical": Searcher(kb, index, service.embedder)}
    if getattr(index, "anchors", None) is not None:
        alone = copy.copy(index)  # the same passages, no out-of-scope examples
        alone.anchors = index.anchors[:0]
        searchers["critical_alone"] = Searcher(kb, alone, service.embedder)

    for field_name, searcher in searchers.items():
        def confident(q: str, t: float, searcher=searcher) -> bool:
            searcher.threshold = t
            return searcher.search(q, k=3).confident

        for o in outcomes:
            if o.skipped or not confident(o.q, -2.0):
                continue
            lo, hi = -2.0, 2.0  # confident at lo, not at hi (cosine is in [-1, 1])
            if confident(o.q, hi):
                setattr(o, field_name, hi)
                continue
            while hi - lo > 1e-6:
                mid = (lo + hi) / 2
                lo, hi = (mid, hi) if confident(o.q, mid) else (lo, mid)
            setattr(o, field_name, lo)


def _share(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def metrics(outcomes: list[Outcome], threshold: float | None = None,
            field_name: str = "critical") -> dict:
    """Metrics over the outcomes; with `threshold`, what `confident` would be at that threshold
    (`field_name="critical_alone"`: without the out-of-scope examples)."""
    def confident(o: Outcome) -> bool:
        if threshold is None:
            return o.confident
        critical = getattr(o, field_name)
        return critical is not None and critical >= threshold

    scored = [o for o in outcomes if o.expected is not None and not o.skipped]
    oos = [o for o in outcomes if o.expected is None]
    n = len(scored)
    confident_in = [o for o in scored if confident(o)]
    return {
        "in_scope": n,
        "out_of_scope": len(oos),
        "skipped": sum(o.skipped for o in outcomes),
        "recall@1": _share(sum(o.rank == 1 for o in scored), n),
        "recall@3": _share(sum(o.rank is not None and o.rank <= 3 for o in scored), n),
        "mrr": (sum(1 / o.rank for o in scored if o.rank) / n) if n else None,
        "oos_rejection": _share(sum(not confident(o) for o in oos), len(oos)),
        "in_scope_confident": _share(len(confident_in), n),
        # The harmful case: the bot answers confidently with the wrong article.
        "confident_wrong": sum(o.rank != 1 for o in confident_in),
        "confident_wrong_rate": _share(sum(o.rank != 1 for o in confident_in), n),
        "answered": _share(sum(o.level == "answer" for o in scored), n),
        "levels": {lv: _share(sum(o.level == lv for o in scored), n)
                   for lv in ("answer", "suggest", "unknown")},
        # at level suggest: is the right article among the ones offered?
        "suggest_contains_right": _share(
            sum(o.rank is not None and o.rank <= 3 for o in scored if o.level == "suggest"),
            sum(o.level == "suggest" for o in scored)),
    }


def uncovered_metrics(outcomes: list[Outcome]) -> dict:
    """On the probe set every answer is wrong: no article covers the topic."""
    n = len(outcomes)
    return {
        "questions": n,
        "confident_wrong": sum(o.level == "answer" for o in outcomes),
        "confident_wrong_rate": _share(sum(o.level == "answer" for o in outcomes), n),
        "levels": {lv: _share(sum(o.level == lv for o in outcomes), n)
                   for lv in ("answer", "suggest", "unknown")},
        "gap_named": _share(sum(o.gap is not None for o in outcomes), n),
    }


def _dist(scores: list[float]) -> dict | None:
    if not scores:
        return None
    return {"n": len(scores), "min": scores[0], "median": statistics.median(scores),
            "max": scores[-1]}


def _recommend(oos_scores: list[float]) -> float | None:
    # Confident means score >= threshold, so any value above the highest out-of-scope score
    # rejects them all; the margin keeps a slightly different phrasing rejected too.
    if not oos_scores:
        return None
    return math.ceil((max(oos_scores) + CALIBRATION_MARGIN) * 1000) / 1000


def calibration(outcomes: list[Outcome], current: float) -> dict:
    scored = [o for o in outcomes if o.expected is not None and not o.skipped]
    oos = [o for o in outcomes if o.expected is None]
    has_alone = any(o.critical_alone is not None for o in outcomes)
    result: dict = {"current_threshold": current, "margin": CALIBRATION_MARGIN}
    candidates: set[float] = {round(current, 3)}
    everything: list[float] = []
    for suffix, field_name in (("", "critical"), ("_alone", "critical_alone")):
        if suffix and not has_alone:
            continue
        in_scores = sorted(getattr(o, field_name) for o in scored
                           if getattr(o, field_name) is not None)
        oos_scores = sorted(getattr(o, field_name) for o in oos
                            if getattr(o, field_name) is not None)
        recommended = _recommend(oos_scores)
        at = recommended if recommended is not None else current
        everything += in_scores + oos_scores
        if recommended is not None:
            candidates.add(recommended)
        result.update({
            f"recommended_threshold{suffix}": recommended,
            f"at_recommended{suffix}": metrics(outcomes, at, field_name),
            f"in_scope_top1{suffix}": _dist(in_scores),
            f"oos_top1{suffix}": _dist(oos_scores),
            # refused whatever the threshold (e.g. nearer an out-of-scope example than an article)
            f"in_scope_never_confident{suffix}": sum(getattr(o, field_name) is None
                                                     for o in scored),
            f"oos_never_confident{suffix}": sum(getattr(o, field_name) is None for o in oos),
            f"in_scope_below_recommended{suffix}": [
                {"q": o.q, "expected": o.expected, "score": getattr(o, field_name)}
                for o in scored if getattr(o, field_name) is None or getattr(o, field_name) < at
            ],
        })
    key = "critical_alone" if has_alone else "critical"
    result["oos_highest"] = [
        {"q": o.q, "score": o.critical, "score_alone": o.critical_alone,
         "got": o.top[0][0] if o.top else None}
        for o in sorted((o for o in oos if getattr(o, key) is not None),
                        key=lambda o: -getattr(o, key))[:5]
    ]
    if everything:
        lo = math.floor(min(everything) * 100) / 100
        hi = math.ceil(max(everything) * 100) / 100
        candidates.update(round(lo + i * 0.01, 3) for i in range(round((hi - lo) / 0.01) + 1))
    sweep = []
    for t in sorted(candidates):
        m = metrics(outcomes, threshold=t)
        row = {"threshold": t, "oos_rejection": m["oos_rejection"],
               "in_scope_confident": m["in_scope_confident"],
               "confident_wrong": m["confident_wrong"]}
        if has_alone:
            alone = metrics(outcomes, t, "critical_alone")
            row.update({"oos_rejection_alone": alone["oos_rejection"],
                        "in_scope_confident_alone": alone["in_scope_confident"]})
        sweep.append(row)
    result["sweep"] = sweep
    return result


# -- printing --------------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _verdict(value: float | None, target: float) -> str:
    if value is None:
        return "(no data)"
    return "OK" if value >= target - 1e-9 else "BELOW TARGET"


def _top3(o: Outcome) -> str:
    return ", ".join(f"{aid} {score:.3f}" for aid, score in o.top[:3]) or "(no results)"


def print_uncovered(outcomes: list[Outcome], u: dict, name: str) -> None:
    print(f"\nprobe set {name} (topics with no article): {u['questions']} questions")
    ok = u["confident_wrong"] == 0
    print(f"  {'confident but wrong':<24} {u['confident_wrong']:>6}   rate "
          f"{_fmt(u['confident_wrong_rate'])}, target 0  {'OK' if ok else 'ABOVE TARGET'}")
    lv = u["levels"]
    print(f"  {'levels':<24} answer {_fmt(lv['answer'])}, suggest {_fmt(lv['suggest'])}, "
          f"unknown {_fmt(lv['unknown'])}; the gap named (who answers) {_fmt(u['gap_named'])}")
    for o in outcomes:
        if o.level == "answer":
            print(f"  - ANSWERED {o.q}\n    got {_top3(o)}")


def print_holdout(outcomes: list[Outcome], h: dict, name: str) -> None:
    print(f"\nheld-out set {name} (never tuned on): {h['in_scope']} questions")
    print(f"  {'recall@1 / @3':<24} {_fmt(h['recall@1'])} / {_fmt(h['recall@3'])}")
    ok = (h["confident_wrong_rate"] or 0) <= CONFIDENT_WRONG_RATE
    print(f"  {'confident but wrong':<24} {h['confident_wrong']:>6}   rate "
          f"{_fmt(h['confident_wrong_rate'])}, target <= {CONFIDENT_WRONG_RATE}  "
          f"{'OK' if ok else 'ABOVE TARGET'}")
    lv = h["levels"]
    print(f"  {'levels':<24} answer {_fmt(lv['answer'])}, suggest {_fmt(lv['suggest'])}, "
          f"unknown {_fmt(lv['unknown'])}; right article among suggestions "
          f"{_fmt(h['suggest_contains_right'])}")
    for o in outcomes:
        if o.confident and o.rank != 1:
            print(f"  - CONFIDENT BUT WRONG {o.q}\n    expected {o.expected}; got {_top3(o)}")


def print_report(report: Report, m: dict, seconds: float, show_misses: bool = False) -> None:
    print(f"retrieval bench: {report.articles} articles, embedder {report.embedder}, "
          f"threshold {report.threshold:.3f}, index {report.index_key}")
    print(f"questions: {m['in_scope']} in scope scored, {m['out_of_scope']} out of scope, "
          f"{m['skipped']} skipped ({seconds:.1f} s)")
    print()
    rows = [
        ("recall@1", m["recall@1"], TARGETS["recall@1"]),
        ("recall@3", m["recall@3"], TARGETS["recall@3"]),
        (f"MRR@{MRR_DEPTH}", m["mrr"], None),
        ("out-of-scope rejection", m["oos_rejection"], TARGETS["oos_rejection"]),
        ("in-scope confident", m["in_scope_confident"], None),
    ]
    for name, value, target in rows:
        goal = f"target >= {target:.2f}  {_verdict(value, target)}" if target is not None else ""
        print(f"  {name:<24} {_fmt(value):>6}   {goal}")
    wrong_ok = (m["confident_wrong_rate"] or 0) <= CONFIDENT_WRONG_RATE
    print(f"  {'confident but wrong':<24} {m['confident_wrong']:>6}   rate "
          f"{_fmt(m['confident_wrong_rate'])}, target <= {CONFIDENT_WRONG_RATE:.2f}  "
          f"{'OK' if wrong_ok else 'ABOVE TARGET'}")
    print(f"  {'answered (level answer)':<24} {_fmt(m['answered']):>6}   target >= "
          f"{TARGETS['answered']:.2f}  {_verdict(m['answered'], TARGETS['answered'])}")
    lv = m["levels"]
    print(f"  {'levels':<24} answer {_fmt(lv['answer'])}, suggest {_fmt(lv['suggest'])}, "
          f"unknown {_fmt(lv['unknown'])}; right article among suggestions "
          f"{_fmt(m['suggest_contains_right'])}")

    skipped = [o for o in report.outcomes if o.skipped]
    if skipped:
        print(f"\nskipped: {len(skipped)} in-scope questions whose expected id is not an article:")
        by_id: dict[str, int] = {}
        for o in skipped:
            by_id[o.expected] = by_id.get(o.expected, 0) + 1
        for aid, count in sorted(by_id.items()):
            print(f"  {aid} ({count})")
    ignored = sorted({a for o in report.outcomes for a in o.ignored_also})
    if ignored:
        print(f"ignored 'also' ids (not articles): {', '.join(ignored)}")

    misses = [o for o in report.outcomes if o.expected is not None and not o.skipped
              and o.rank != 1]
    wrong = [o for o in misses if o.confident]
    print(f"\nconfident but wrong: {len(wrong)}")
    for o in wrong:
        print(f"  - {o.q}\n    expected {o.expected}, rank {o.rank}; got {_top3(o)}")
    print(f"\nmisses (in scope, rank != 1): {len(misses)}" + ("" if show_misses else
                                                            " (list them with --misses)"))
    for o in misses if show_misses else []:
        rank = f"rank {o.rank}" if o.rank else f"not in top {MRR_DEPTH}"
        also = f" (also: {', '.join(o.relevant[1:])})" if len(o.relevant) > 1 else ""
        flag = " CONFIDENT" if o.confident else ""
        print(f"  - {o.q}\n    expected {o.expected}{also}, {rank}{flag}; got {_top3(o)}")
    accepted = [o for o in report.outcomes if o.expected is None and o.confident]
    print(f"\nout of scope but confident: {len(accepted)}")
    for o in accepted:
        print(f"  - {o.q}\n    got {_top3(o)}")


def print_calibration(cal: dict) -> None:
    has_alone = "recommended_threshold_alone" in cal
    print("\ncalibration: per question, the highest threshold at which search still says "
          "confident\n(found by searching again at other thresholds: the best passage's cosine)"
          + ("; 'alone' = with the\nout-of-scope examples switched off, i.e. what the threshold "
             "alone must reject" if has_alone else ""))
    for suffix, label in (("", ""), ("_alone", " alone")):
        if suffix and not has_alone:
            continue
        for name, key in (("in scope", "in_scope_top1"), ("out of scope", "oos_top1")):
            d = cal[key + suffix]
            never = cal[key.replace("top1", "never_confident") + suffix]
            line = (f"n={d['n']:<4} min {d['min']:.3f}  median {d['median']:.3f}  "
                    f"max {d['max']:.3f}" if d else "(none)")
            print(f"  {name + label:<19} {line}   never confident: {never}")
    head = (f"\n  {'threshold':>9}  {'OOS rejected':>12}  {'in-scope conf.':>14}  "
            f"{'conf. wrong':>11}")
    if has_alone:
        head += f"  {'OOS rej. alone':>14}  {'in-scope alone':>14}"
    print(head)
    rec, cur = cal["recommended_threshold"], cal["current_threshold"]
    rec_alone = cal.get("recommended_threshold_alone")
    for row in cal["sweep"]:
        marks = []
        if row["threshold"] == rec:
            marks.append("<- recommended")
        if has_alone and row["threshold"] == rec_alone:
            marks.append("<- recommended alone")
        if row["threshold"] == round(cur, 3):
            marks.append("<- current")
        line = (f"  {row['threshold']:>9.3f}  {_fmt(row['oos_rejection']):>12}  "
                f"{_fmt(row['in_scope_confident']):>14}  {row['confident_wrong']:>11}")
        if has_alone:
            line += (f"  {_fmt(row['oos_rejection_alone']):>14}  "
                     f"{_fmt(row['in_scope_confident_alone']):>14}")
        print(f"{line}  {' '.join(marks)}".rstrip())
    if cal["oos_highest"]:
        print("\n  highest-scoring out-of-scope questions (score, score alone):")
        for row in cal["oos_highest"]:
            score = "refused" if row["score"] is None else f"{row['score']:.3f}"
            alone = "" if row["score_alone"] is None else f"{row['score_alone']:.3f}"
            print(f"    {score:>7} {alone:>6}  {row['q']}  (-> {row['got']})")

    def show(suffix: str, recommended: float | None, what: str) -> None:
        at = cal["at_recommended" + suffix]
        if recommended is None:
            print(f"\n  {what}: every out-of-scope question is refused at any threshold (by the "
                  f"other rules),\n  so there is no lower bound; at the current {cur:.3f}:")
        else:
            print(f"\n  {what}: recommended threshold {recommended:.3f} (highest out-of-scope "
                  f"score + margin {cal['margin']}); current {cur:.3f}; at {recommended:.3f}:")
        print(f"  OOS rejection {_fmt(at['oos_rejection'])}, in-scope confident "
              f"{_fmt(at['in_scope_confident'])}, confident but wrong {at['confident_wrong']}")
        below = cal["in_scope_below_recommended" + suffix]
        if below:
            print(f"  {len(below)} in-scope questions not confident there:")
            ordered = sorted(below, key=lambda r: -1 if r["score"] is None else r["score"])
            for row in ordered[:10]:
                score = "never" if row["score"] is None else f"{row['score']:.3f}"
                print(f"    {score:>6}  {row['q']}  ({row['expected']})")
            if len(below) > 10:
                print(f"    ... and {len(below) - 10} more")

    show("", rec, "with all rules")
    if has_alone:
        show("_alone", rec_alone, "threshold alone (no out-of-scope examples)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print a machine-readable summary")
    parser.add_argument("--calibrate", action="store_true",
                        help="sweep thresholds and recommend one")
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS,
                        help=f"eval set (default {DEFAULT_QUESTIONS.relative_to(REPO)})")
    parser.add_argument("--uncovered", type=Path, action="append",
                        help="a probe set; repeat for several (default: "
                             f"{', '.join(p.name for p in UNCOVERED_SETS)} in tests/data)")
    parser.add_argument("--holdout", type=Path, action="append",
                        help="a held-out set; repeat for several (default: "
                             f"{', '.join(p.name for p in HOLDOUT_SETS)} in tests/data)")
    parser.add_argument("--misses", action="store_true", help="list every in-scope miss")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    logging.getLogger("faiss").setLevel(logging.WARNING)

    questions = load_questions(args.questions)
    started = time.perf_counter()
    probe_sets = {p.stem: load_questions(p) for p in (args.uncovered or UNCOVERED_SETS)
                  if p.exists()}
    holdout_sets = {p.stem: load_questions(p) for p in (args.holdout or HOLDOUT_SETS)
                    if p.exists()}
    report = run(questions
                 + [{**q, "expected": None} for qs in probe_sets.values() for q in qs]
                 + [q for qs in holdout_sets.values() for q in qs], calibrate=args.calibrate)
    seconds = time.perf_counter() - started
    rest = report.outcomes[len(questions):]
    report.outcomes = report.outcomes[:len(questions)]
    probe_outcomes, holdout_outcomes = {}, {}
    for name, qs in probe_sets.items():
        probe_outcomes[name], rest = rest[:len(qs)], rest[len(qs):]
    for name, qs in holdout_sets.items():
        holdout_outcomes[name], rest = rest[:len(qs)], rest[len(qs):]
    m = metrics(report.outcomes)
    u = {name: uncovered_metrics(o) for name, o in probe_outcomes.items()}
    h = {name: metrics(o) for name, o in holdout_outcomes.items()}
    cal = calibration(report.outcomes, report.threshold) if args.calibrate else None

    if args.json:
        summary = {
            "articles": report.articles,
            "embedder": report.embedder,
            "threshold": report.threshold,
            "index": report.index_key,
            "questions": str(args.questions),
            "seconds": round(seconds, 2),
            "metrics": m,
            "uncovered": u,
            "holdout": h,
            "targets": TARGETS,
            "targets_met": {k: (m[k] is not None and m[k] >= v - 1e-9) for k, v in TARGETS.items()},
            "skipped": [{"q": o.q, "expected": o.expected} for o in report.outcomes if o.skipped],
            "ignored_also": sorted({a for o in report.outcomes for a in o.ignored_also}),
            "misses": [
                {"q": o.q, "expected": o.expected, "relevant": o.relevant, "rank": o.rank,
                 "confident": o.confident,
                 "got": [{"id": aid, "score": round(s, 4)} for aid, s in o.top[:3]]}
                for o in report.outcomes
                if o.expected is not None and not o.skipped and o.rank != 1
            ],
            "oos_confident": [
                {"q": o.q, "got": [{"id": aid, "score": round(s, 4)} for aid, s in o.top[:3]]}
                for o in report.outcomes if o.expected is None and o.confident
            ],
        }
        if cal is not None:
            summary["calibration"] = cal
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print_report(report, m, seconds, args.misses)
        for name, outcomes in probe_outcomes.items():
            print_uncovered(outcomes, u[name], name)
        for name, outcomes in holdout_outcomes.items():
            print_holdout(outcomes, h[name], name)
        if cal is not None:
            print_calibration(cal)
    return 0


if __name__ == "__main__":
    sys.exit(main())
