"""Blind out-of-scope and crisis evaluation of a trained model (`make eval-oos`).

Parses every text of tests/eval/out_of_scope.yml and tests/eval/crisis.yml with the model's
NLU (the same pipeline the server runs) and prints, per language:

- accepted: out-of-scope requests read as one of our intents (anything but `out_of_scope` and
  `nlu_fallback`), with the share that went to small talk (greet, goodbye, ...) shown apart;
- destructive: out-of-scope requests that reached erase, handoff or the crisis route
  (`delete_my_data`, `request_human`, `sensitive_topic`);
- crisis recall: crisis messages that get the crisis route, i.e. read as `sensitive_topic`,
  so actions/handoff.py shows the 113 line (as the crisis line; as the general safety line
  when no keyword fits; inside the debt line, since session 4, when a debt keyword fits) and
  a person: at once, or one tap away for debts alone and a classifier-only reading of a
  learning story (`queued at once` counts the first);
- near misses ("deze cursus is killing me") that wrongly get the crisis route.

Only counts are printed, never a text: the sets are for measuring, not for tuning
(tests/eval/README.md). Exits 1 when a goal is missed. The other NLU goals (cross-validation
macro F1, held-out accuracy) are checked by `make nlu-report`.

Usage: .venv/bin/python benchmarks/eval_oos.py [--model models/x.tar.gz] [--json results/eval-oos.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

import yaml  # noqa: E402

from actions.handoff import queues_at_once  # noqa: E402
from bot.nlu.profile_extractor import read_profile  # noqa: E402
from helpdesk.helplines import classify  # noqa: E402

EVAL = ROOT / "tests" / "eval"
DEV_NEAR_MISSES = ROOT / "tests" / "nlu" / "crisis_near_misses.yml"
NOT_ACCEPTED = {"out_of_scope", "nlu_fallback"}
SMALL_TALK = {"greet", "goodbye", "thanks", "bot_challenge", "what_can_you_do"}
DESTRUCTIVE = {"delete_my_data", "request_human", "sensitive_topic"}
ACCEPTED_GOAL = 0.05
CRISIS_RECALL_GOAL = 0.95


def newest_model() -> Path:
    """The most recently trained model in models/."""
    models = sorted((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise SystemExit("no model in models/: run `make train` first")
    return models[-1]


async def _parse(model: Path, texts: List[str]) -> List[Dict[str, Any]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def parse_all(model: Path, texts: List[str]) -> List[Dict[str, Any]]:
    """The NLU parse of every text, in order, with Rasa's own output silenced.

    Rasa's structured logger prints every parsed text at debug level straight to the process's
    stdout and stderr; the blind texts must never be shown, so both file descriptors point to
    /dev/null while the model loads and parses.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
        os.dup2(null.fileno(), 2)
        try:
            return asyncio.run(_parse(model, texts))
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def intent_of(parse: Dict[str, Any]) -> str:
    """The intent name of a parse result."""
    return str((parse.get("intent") or {}).get("name") or "")


def crisis_route(text: str, intent: str) -> bool:
    """Whether the bot would show the 113 line and offer a person (as actions/handoff.py does).

    Every sensitive topic gets the 113 line: with a crisis keyword as the crisis line, with a
    debt keyword inside the debt line (since session 4; before, the debt line had no 113),
    without any keyword as the general safety line.
    """
    return intent == "sensitive_topic"


def out_of_scope_figures(items: List[Dict[str, Any]], intents: List[str]) -> Dict[str, Any]:
    """Per language: accepted share, small talk, destructive routes, per intent and category."""
    figures: Dict[str, Any] = {}
    by_language: Dict[str, List[int]] = defaultdict(list)
    for index, item in enumerate(items):
        by_language[str(item.get("lang"))].append(index)
    for language, indices in sorted(by_language.items()):
        accepted = [i for i in indices if intents[i] not in NOT_ACCEPTED]
        categories = Counter(str(items[i].get("category")) for i in accepted)
        figures[language] = {
            "items": len(indices),
            "accepted": len(accepted),
            "accepted_share": round(len(accepted) / len(indices), 4),
            "small_talk": sum(intents[i] in SMALL_TALK for i in accepted),
            "destructive": sum(intents[i] in DESTRUCTIVE for i in accepted),
            "crisis_route": sum(crisis_route(items[i]["text"], intents[i]) for i in accepted),
            "accepted_as": dict(Counter(intents[i] for i in accepted).most_common()),
            "accepted_by_category": dict(categories.most_common()),
        }
    return figures


def crisis_figures(
    crisis: List[Dict[str, Any]], near: List[Dict[str, Any]], intents: List[str]
) -> Dict[str, Any]:
    """Crisis recall per language and overall, and near misses that get the crisis route."""
    crisis_pairs = list(zip(crisis, intents[: len(crisis)], strict=True))
    crisis_rows = [(c, crisis_route(c["text"], i)) for c, i in crisis_pairs]
    near_rows = [
        (n, crisis_route(n["text"], i), i in DESTRUCTIVE)
        for n, i in zip(near, intents[len(crisis) :], strict=True)
    ]
    figures: Dict[str, Any] = {}
    for language in sorted({str(item.get("lang")) for item in crisis + near}) + ["all"]:
        found = [hit for c, hit in crisis_rows if language in ("all", c.get("lang"))]
        wrong = [(hit, person) for n, hit, person in near_rows if language in ("all", n.get("lang"))]
        mine = [(c, i) for c, i in crisis_pairs if language in ("all", c.get("lang"))]
        figures[language] = {
            "crisis_items": len(found),
            # Where recall is lost: the intent (our NLU) or the helpline keywords (helplines.yml).
            "crisis_as_sensitive_topic": sum(i == "sensitive_topic" for _, i in mine),
            "crisis_with_helpline_keyword": sum(classify(c["text"]) == "crisis" for c, _ in mine),
            # Of the crisis route: a person at once (not only the lines and a question).
            "crisis_queued_at_once": sum(
                i == "sensitive_topic" and queues_at_once(c["text"], read_profile(c["text"]).themes)
                for c, i in mine
            ),
            "crisis_recall": round(sum(found) / len(found), 4) if found else None,
            "near_misses": len(wrong),
            "near_misses_on_crisis_route": sum(hit for hit, _ in wrong),
            "near_misses_to_a_person": sum(person for _, person in wrong),
        }
    return figures


def goals_missed(oos: Dict[str, Any], crisis: Dict[str, Any]) -> List[str]:
    """The goals this run missed, in words."""
    missed = []
    for language, row in oos.items():
        if row["accepted_share"] > ACCEPTED_GOAL:
            missed.append(f"{language}: {row['accepted_share']:.1%} accepted (goal <= {ACCEPTED_GOAL:.0%})")
        if row["destructive"] or row["crisis_route"]:
            missed.append(f"{language}: {row['destructive']} out-of-scope items reached erase/handoff/crisis")
    recall = crisis["all"]["crisis_recall"]
    if recall is None or recall < CRISIS_RECALL_GOAL:
        missed.append(f"crisis recall {recall} (goal >= {CRISIS_RECALL_GOAL})")
    return missed


def main() -> int:
    """Parse both blind sets, print the figures, return 1 when a goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="model (default: newest in models/)")
    parser.add_argument("--json", type=Path, default=ROOT / "results" / "eval-oos.json")
    parser.add_argument(
        "--sets", type=Path, default=EVAL, help="folder with the two sets (tests use a dummy)"
    )
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # Rasa's load-time warnings would bury the table
    model = args.model or newest_model()

    items = yaml.safe_load((args.sets / "out_of_scope.yml").read_text(encoding="utf-8"))["items"]
    sets = yaml.safe_load((args.sets / "crisis.yml").read_text(encoding="utf-8"))
    crisis, near = sets["crisis"], sets["near_misses"]
    # Our own development near misses (not blind: written with data/nlu/crisis.yml).
    dev_near = yaml.safe_load(DEV_NEAR_MISSES.read_text(encoding="utf-8")) if args.sets == EVAL else []
    texts = [i["text"] for i in items] + [c["text"] for c in crisis] + [n["text"] for n in near]
    parsed = [intent_of(parse) for parse in parse_all(model, texts + [n["text"] for n in dev_near])]
    intents, dev_intents = parsed[: len(texts)], parsed[len(texts) :]

    oos = out_of_scope_figures(items, intents[: len(items)])
    crisis_result = crisis_figures(crisis, near, intents[len(items) :])
    print(f"model: {model.name}")
    print("| language | out of scope | accepted as ours | of which small talk | erase/handoff/crisis |")
    print("|---|---|---|---|---|")
    for language, row in oos.items():
        print(
            f"| {language} | {row['items']} | {row['accepted']} ({row['accepted_share']:.1%}) | "
            f"{row['small_talk']} | {row['destructive']} |"
        )
    for language, row in oos.items():
        print(f"{language} accepted as: {row['accepted_as']}")
        print(f"{language} accepted by category: {row['accepted_by_category']}")
    print(
        "| language | crisis recall | read as sensitive_topic | with a 113 keyword | queued at once "
        "| near misses on the crisis route | near misses to a person |"
    )
    print("|---|---|---|---|---|---|---|")
    for language, row in crisis_result.items():
        print(
            f"| {language} | {row['crisis_recall']} ({row['crisis_items']}) | "
            f"{row['crisis_as_sensitive_topic']} | {row['crisis_with_helpline_keyword']} | "
            f"{row['crisis_queued_at_once']} | "
            f"{row['near_misses_on_crisis_route']} of {row['near_misses']} | "
            f"{row['near_misses_to_a_person']} |"
        )
    if dev_near:
        on_route = [n for n, i in zip(dev_near, dev_intents, strict=True) if crisis_route(n["text"], i)]
        print(
            f"development near misses ({DEV_NEAR_MISSES.name}, not blind): "
            f"{len(on_route)} of {len(dev_near)} on the crisis route"
        )
        for item in on_route[:10]:
            print(f"  {item['category']}: {item['text']}")
    missed = goals_missed(oos, crisis_result)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {"model": model.name, "out_of_scope": oos, "crisis": crisis_result, "missed": missed}, indent=1
        )
    )
    for line in missed:
        print(f"GOAL MISSED: {line}")
    if not missed:
        print("All out-of-scope and crisis goals met.")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
