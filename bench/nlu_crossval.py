"""NLU quality: 3-fold cross-validation of the intent classifier (and the kommune entity).

Runs `rasa test nlu --cross-validation --folds 3` with config.yml on bot/data and prints the
intent macro F1 (target ≥ 0.90), the weakest intents and the most common confusions. A bench,
not a test: it exits 0 whatever the numbers are, 1 only if Rasa could not run.

    .venv/bin/python bench/nlu_crossval.py            # about 3 trainings: a few minutes
    .venv/bin/python bench/nlu_crossval.py --folds 5 --json
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RASA = REPO / ".venv-rasa" / "bin" / "rasa"
TARGET = 0.90


def run(folds: int, out: Path, config: Path) -> float:
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
    started = time.monotonic()
    result = subprocess.run(
        [str(RASA), "test", "nlu", "--config", str(config), "--nlu", "bot/data",
         "--cross-validation", "--folds", str(folds), "--out", str(out), "--no-plot"],
        cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-2000:] + result.stderr[-4000:])
        raise SystemExit(1)
    return time.monotonic() - started


def summarise(out: Path) -> dict:
    report = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    intents = {k: v for k, v in report.items()
               if isinstance(v, dict) and "f1-score" in v and k not in
               ("macro avg", "weighted avg", "micro avg")}
    confusions: Counter = Counter()
    errors_file = out / "intent_errors.json"
    if errors_file.exists():
        for e in json.loads(errors_file.read_text(encoding="utf-8")):
            confusions[(e["intent"], e["intent_prediction"]["name"])] += 1
    entity = {}
    for name in ("RegexEntityExtractor_report.json", "DIETClassifier_report.json"):
        path = out / name
        if path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
            entity = {k: round(v["f1-score"], 3) for k, v in data.items()
                      if isinstance(v, dict) and "f1-score" in v}
            break                          # the extractor config.yml uses
    return {
        "intent_macro_f1": round(report["macro avg"]["f1-score"], 4),
        "intent_weighted_f1": round(report["weighted avg"]["f1-score"], 4),
        "accuracy": round(report.get("accuracy", float("nan")), 4),
        "per_intent_f1": {k: round(v["f1-score"], 3) for k, v in
                          sorted(intents.items(), key=lambda kv: kv[1]["f1-score"])},
        "support": {k: v["support"] for k, v in intents.items()},
        "confusions": [{"gold": g, "predicted": p, "count": n}
                       for (g, p), n in confusions.most_common(12)],
        "entity_f1": entity,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--out", type=Path, help="keep Rasa's reports here")
    parser.add_argument("--config", type=Path, default=REPO / "config.yml",
                        help="pipeline to evaluate (default: config.yml)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nlu-cv-") as tmp:
        out = args.out or Path(tmp)
        seconds = run(args.folds, out, args.config.resolve())
        summary = {"folds": args.folds, "seconds": round(seconds, 1), **summarise(out)}
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
        return 0
    f1 = summary["intent_macro_f1"]
    print(f"NLU {args.folds}-fold cross-validation ({summary['seconds']:.0f} s, "
          f"load {os.getloadavg()[0]:.1f})")
    print(f"  intent macro F1   {f1:.3f}  (target ≥ {TARGET:.2f}: "
          f"{'met' if f1 >= TARGET else 'NOT met'})")
    print(f"  intent weighted F1 {summary['intent_weighted_f1']:.3f}, "
          f"accuracy {summary['accuracy']:.3f}")
    print("  per intent (weakest first):")
    for intent, score in summary["per_intent_f1"].items():
        print(f"    {intent:16} {score:.3f}  ({summary['support'][intent]} examples)")
    if summary["confusions"]:
        print("  most common confusions (gold -> predicted):")
        for c in summary["confusions"]:
            print(f"    {c['gold']:16} -> {c['predicted']:16} {c['count']}")
    if summary["entity_f1"]:
        print(f"  entities (F1): {summary['entity_f1']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
