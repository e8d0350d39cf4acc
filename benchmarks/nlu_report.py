"""NLU report: 5-fold cross-validation macro F1 and accuracy on the held-out file.

Trains only in a temporary folder (never touches models/). Usage:
    .venv/bin/python benchmarks/nlu_report.py [--folds 5] [--cv-runs 3]
        [--heldout tests/nlu/heldout.yml] [--model an-existing-model.tar.gz] [--skip-cv]
Prints a Markdown table for the README and writes results/nlu-report.json.
Goals: CV macro F1 >= 0.93, held-out accuracy >= 0.90.
Rasa draws the folds at random on every run (its StratifiedKFold has no seed), which moves the
macro F1 by about +-0.005; so the cross-validation runs several times and the goal is checked
against the lowest run, not a lucky one.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bot.nlu.evaluation import evaluate_model_sync, load_examples  # noqa: E402

RASA = str(ROOT / ".venv" / "bin" / "rasa")
CV_GOAL = 0.93
HELDOUT_GOAL = 0.90
# What both the cross-validation and the held-out model are trained from.
NLU_INPUTS = ["--config", "config.yml", "--nlu", "data/nlu", "--domain", "bot/domain"]


def run(command: list[str]) -> None:
    """Run a Rasa command quietly; show its output only when it fails."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stdout[-4000:], done.stderr[-4000:], sep="\n", file=sys.stderr)
        raise SystemExit(f"failed: {' '.join(command)}")


def cross_validation(folder: Path, folds: int) -> dict:
    """Run `rasa test nlu --cross-validation` and read the macro F1 and accuracy."""
    out = folder / "cv"
    run(
        [
            RASA,
            "test",
            "nlu",
            *NLU_INPUTS,
            "--cross-validation",
            "--folds",
            str(folds),
            "--out",
            str(out),
        ]
    )
    report = json.loads((out / "intent_report.json").read_text())
    return {
        "macro_f1": report["macro avg"]["f1-score"],
        "weighted_f1": report["weighted avg"]["f1-score"],
        "accuracy": report.get("accuracy"),
    }


def train_nlu(folder: Path) -> Path:
    """Train an NLU-only model in the temporary folder."""
    run(
        [
            RASA,
            "train",
            "nlu",
            *NLU_INPUTS,
            "--out",
            str(folder),
            "--fixed-model-name",
            "nlu-report",
        ]
    )
    return folder / "nlu-report.tar.gz"


def main() -> int:
    """Build the report."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--heldout", type=Path, default=ROOT / "tests" / "nlu" / "heldout.yml")
    parser.add_argument("--model", type=Path, help="evaluate this model instead of training one")
    parser.add_argument("--cv-runs", type=int, default=3, help="cross-validations, each with new folds")
    parser.add_argument("--skip-cv", action="store_true")
    args = parser.parse_args()

    started = time.monotonic()
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="nlu-report-") as tmp:
        folder = Path(tmp)
        if not args.skip_cv:
            runs = [cross_validation(folder / f"run{n}", args.folds) for n in range(args.cv_runs)]
            results["cross_validation"] = {
                "runs": runs,
                "macro_f1": min(run["macro_f1"] for run in runs),
                "accuracy": min(run["accuracy"] for run in runs),
            }
        model = args.model or train_nlu(folder)
        examples = load_examples(args.heldout)
        evaluation = evaluate_model_sync(model, examples)
        results["heldout"] = {
            "utterances": evaluation.total,
            "accuracy": evaluation.accuracy,
            "mistakes": evaluation.mistakes,
        }
    results["seconds"] = round(time.monotonic() - started)

    print("\n| Measure | Result | Goal |\n|---|---|---|")
    if "cross_validation" in results:
        cv = results["cross_validation"]
        each = ", ".join(f"{run['macro_f1']:.3f}" for run in cv["runs"])
        runs = f"lowest of {len(cv['runs'])} runs ({each})"
        print(f"| {args.folds}-fold CV macro F1 (intents), {runs} | {cv['macro_f1']:.3f} | >= {CV_GOAL} |")
        print(f"| {args.folds}-fold CV accuracy, lowest run | {cv['accuracy']:.3f} | |")
    label = f"Held-out accuracy ({evaluation.total} utterances)"
    print(f"| {label} | {evaluation.accuracy:.3f} | >= {HELDOUT_GOAL} |")
    print(f"\nTook {results['seconds']} s. Held-out mistakes (text, expected, predicted):")
    for text, expected, predicted in evaluation.mistakes:
        print(f"  {text!r}: {expected} -> {predicted}")
    out = ROOT / "results"
    out.mkdir(exist_ok=True)
    (out / "nlu-report.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    cv_ok = "cross_validation" not in results or results["cross_validation"]["macro_f1"] >= CV_GOAL
    return 0 if cv_ok and evaluation.accuracy >= HELDOUT_GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main())
