"""The crisis net's recall and precision on tests/data/crisis_sets.yml.

- recall: of the crisis messages, the share that get the crisis lines — by the keyword net
  (knowledge/crisis.py, which the web app and every action run) and, with --url, through the
  whole stack (the NLU's crisis intent too);
- precision: of the hard-but-not-crisis messages, the share that get the crisis lines *only*
  (no article and no suggestion with them) — the harm of a false alarm — and the share that
  trip the keyword net at all.

    .venv/bin/python bench/crisis_sets.py                          # keyword net + search
    .venv/bin/python bench/crisis_sets.py --url http://127.0.0.1:8000   # the running stack

A bench: prints, exits 0 whatever the numbers are.
"""
from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import yaml

SETS = REPO / "tests" / "data" / "crisis_sets.yml"


def through_stack(url: str, text: str) -> tuple[bool, bool]:
    """(crisis lines given?, an article or suggestion given?) for one message via /api/chat."""
    import requests

    from knowledge.loader import load_or_raise

    kb = load_or_raise()
    r = requests.post(f"{url}/api/chat", json={"sender": f"cs{uuid.uuid4().hex[:12]}",
                                               "message": text}, timeout=30)
    messages = r.json().get("messages", [])
    links = {link["url"] for m in messages for link in m["links"]}
    titles = {b["title"] for m in messages for b in m.get("buttons", [])}
    helped = any(m.get("article_id") for m in messages) or any(
        a.title in titles for a in kb.articles.values())
    return kb.channels["livslinien"].tel_url in links, helped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running web app: measure the whole stack")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from knowledge.crisis import detect
    from knowledge.service import KnowledgeService
    from knowledge.text import fold

    sets = yaml.safe_load(SETS.read_text(encoding="utf-8"))
    crisis, hard = sets["crisis"], sets["not_crisis"]
    service = KnowledgeService()
    def caught(text: str) -> bool:          # the keyword net or the search's meaning check
        return detect(text) is not None or service.search(text).crisis

    net_missed = [c for c in crisis if detect(c["q"]) is None]
    missed = [c for c in crisis if not caught(c["q"])]
    # Some messages of the set are also the NLU's crisis examples, which the meaning check
    # compares with: caught by construction. The recall without them is the honest one.
    anchors = {fold(x) for x in service.kb.crisis_examples}
    unseen = [c for c in crisis if fold(c["q"]) not in anchors]
    tripped = [h for h in hard if caught(h["q"])]
    # A keyword alarm with no article or suggestion worth adding is "the crisis lines only"
    # (the NLU's crisis intent too: --url). An alarm by meaning only keeps the usual reply.
    only = [h for h in tripped if detect(h["q"]) is not None
            and not service.search(h["q"]).worth_adding_to_crisis_lines]
    report = {
        "crisis messages": len(crisis),
        "recall (keyword net alone)": round(1 - len(net_missed) / len(crisis), 3),
        "recall (keyword net + meaning check)": round(1 - len(missed) / len(crisis), 3),
        "recall on the messages that are not crisis examples themselves": (
            f"{1 - sum(not caught(c['q']) for c in unseen) / len(unseen):.3f} "
            f"({len(unseen)} of {len(crisis)})"),
        "missed, by kind": dict(Counter(c["kind"] for c in missed)),
        "hard not-crisis messages": len(hard),
        "raise the alarm": round(len(tripped) / len(hard), 3),
        "crisis lines only": round(len(only) / len(hard), 3),
        "missed (the NLU's crisis intent may still catch them: --url)": [c["q"] for c in missed],
        "lines only": [h["q"] for h in only],
    }
    if args.url:
        got = [through_stack(args.url, c["q"]) for c in crisis]
        report["recall (whole stack)"] = round(sum(lines for lines, _ in got) / len(crisis), 3)
        got = [through_stack(args.url, h["q"]) for h in hard]
        report["crisis lines only (whole stack)"] = round(
            sum(lines and not helped for lines, helped in got) / len(hard), 3)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for key, value in report.items():
            if isinstance(value, list):
                print(f"{key}:")
                for q in value:
                    print(f"  - {q}")
            else:
                print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
